"""A clean stop tells Telegram what was answered, even when the stop cut a poll short.

Over real HTTP (python-telegram-bot's own getUpdates connection, httpx, httpcore) to the fake
Bot API on 127.0.0.1, with no timing luck: the stop is made to land at the one moment that
broke it, inside httpcore's closing of a getUpdates response. A task cancelled there leaves
its request in httpcore's connection pool for good (encode/httpcore#658, #1093; 1.0.9), and
PTB polls on a pool of one connection, so the final getUpdates that tells Telegram what was
answered waited for that connection and failed ("Pool timeout"). Telegram then delivered
the answered messages again after the restart (seen as chats answered twice in
test_telegram_e2e.py's restart test, about 1 run in 4).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpcore
import pytest

from bot.adapters.telegram import build_application
from bot.adapters.telegram.intake import Intake
from bot.adapters.telegram.polling import Poller
from bot.config import Settings
from bot.store import ChatKeys, SQLiteStore
from tests.telegram.fake_api import TOKEN, FakeTelegram
from tests.telegram.fake_engine import FakeEngine
from tests.telegram.test_telegram_intake import hold_replies_to


def stop_inside_the_next_poll_close(
    monkeypatch: pytest.MonkeyPatch, stopping: asyncio.Event, then: Callable[[], None]
) -> asyncio.Event:
    """When the poller next closes a getUpdates response: stop, and cancel the poll right
    there, as the stop's cancellation did in the failing runs (the bot's log:
    `_response_closed` -> `async with self._state_lock` -> CancelledError). Returns an event
    set once that has happened."""
    done = asyncio.Event()
    closed: Callable[[Any], Awaitable[None]] = httpcore.AsyncHTTP11Connection._response_closed

    async def closing(connection: Any) -> None:
        task = asyncio.current_task()
        polling = task is not None and task.get_coro().__qualname__ == "Poller._get_updates"
        if polling and not done.is_set():
            done.set()
            stopping.set()
            then()
            task.cancel()
        await closed(connection)

    monkeypatch.setattr(httpcore.AsyncHTTP11Connection, "_response_closed", closing)
    return done


async def test_a_stop_that_cuts_a_poll_short_still_confirms_what_was_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeTelegram() as tg:
        settings = Settings(
            telegram_token=TOKEN,
            telegram_api_base_url=tg.base_url,
            telegram_api_base_file_url=tg.base_file_url,
        )
        store = SQLiteStore(tmp_path / "bot.sqlite3", chat_keys=ChatKeys(b"k" * 32))
        # No `request`: PTB's own HTTP connections, as `python -m bot run` has them.
        app = build_application(settings, FakeEngine(), store=store)
        await app.initialize()
        try:
            intake = Intake(app, store)
            poller = Poller(app.bot, intake, ["message"], on_error=lambda _: asyncio.sleep(0))
            gate = hold_replies_to(tg, 1)  # the answer is under way when the stop comes
            tg.send_text(1, "hello")
            stopping = asyncio.Event()
            polling = asyncio.create_task(poller.run(stopping))
            await tg.wait_for(lambda: bool(tg.calls_to("sendMessage")))
            update_id = poller._taken_up_to
            stopped = stop_inside_the_next_poll_close(monkeypatch, stopping, gate.set)
            await asyncio.wait_for(polling, 10)
            assert stopped.is_set()  # the stop came inside a poll, as in the failing runs
            # What app.py does next at a clean stop: finish the answers, then tell Telegram.
            assert await intake.wait_until_idle(5)
            assert tg.sent_to(1)
            with caplog.at_level(logging.INFO):
                await poller.confirm()
            assert "Could not confirm" not in caplog.text
            assert tg.confirmed_offset == update_id + 1  # Telegram will not send it again
            assert tg.pending == []
        finally:
            await app.shutdown()
            store.close()
