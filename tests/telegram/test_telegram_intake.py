"""The intake and the polling offset, in memory: the real Application, a fake Bot API, no sockets.

What the end-to-end delivery tests rely on, one rule at a time: an update's id is written
only after its reply went out; an update handled before (or being handled) is not answered
again; Telegram's offset waits for the oldest unfinished update; an update that cannot be read
is skipped without its content reaching the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.adapters.telegram import build_application
from bot.adapters.telegram.intake import Intake
from bot.adapters.telegram.polling import Poller
from bot.config import Settings
from bot.store import ChatKeys, SQLiteStore
from tests.telegram.fake_api import TOKEN, FakeTelegram, OfflineRequest
from tests.telegram.fake_engine import FakeEngine


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[FakeTelegram, Any, SQLiteStore]]:
    """A fake Telegram, an initialised Application on it, and a real store."""
    tg = FakeTelegram()
    store = SQLiteStore(tmp_path / "bot.sqlite3", chat_keys=ChatKeys(b"k" * 32))
    app = build_application(
        Settings(telegram_token=TOKEN), FakeEngine(), request=OfflineRequest(tg), store=store
    )
    await app.initialize()
    try:
        yield tg, app, store
    finally:
        await app.shutdown()
        store.close()


def take(tg: FakeTelegram, app: Any) -> list[Update]:
    """Everything patients queued, as the Updates the bot would fetch."""
    updates = [Update.de_json(raw, app.bot) for raw in tg.pending]
    tg.pending.clear()
    return updates


def hold_replies_to(tg: FakeTelegram, chat_id: int) -> asyncio.Event:
    """Make Telegram sit on sendMessage to `chat_id` until the returned event is set."""
    gate = asyncio.Event()
    send = tg._api_sendMessage

    async def held(params: dict[str, Any]) -> dict[str, Any]:
        if params.get("chat_id") == chat_id:
            await gate.wait()
        return await send(params)

    tg._api_sendMessage = held  # type: ignore[method-assign]
    return gate


async def test_the_id_is_written_only_after_the_reply_went_out(world) -> None:
    tg, app, store = world
    tg.send_text(1, "hello")
    (update,) = take(tg, app)
    known_when_sent: list[set[int]] = []
    send = tg._api_sendMessage

    async def watching(params: dict[str, Any]) -> dict[str, Any]:
        known_when_sent.append(store.handled_updates([update.update_id]))
        return await send(params)

    tg._api_sendMessage = watching  # type: ignore[method-assign]
    await Intake(app, store).handle(update)
    assert known_when_sent and all(known == set() for known in known_when_sent)
    assert store.handled_updates([update.update_id]) == {update.update_id}


async def test_an_update_handled_before_or_in_progress_is_not_answered_again(world) -> None:
    tg, app, store = world
    tg.send_text(1, "hello")
    (update,) = take(tg, app)
    intake = Intake(app, store)
    await asyncio.gather(intake.handle(update), intake.handle(update))  # a retry mid-way
    answered = len(tg.sent_to(1))
    assert answered >= 1
    await intake.handle(update)  # a retry afterwards
    await Intake(app, store).handle(update)  # a redelivery after a restart
    assert len(tg.sent_to(1)) == answered


async def test_the_offset_waits_for_the_oldest_unfinished_update(world) -> None:
    tg, app, store = world
    gate = hold_replies_to(tg, 1)
    tg.send_text(1, "hello")  # its reply is stuck on the way
    tg.send_text(2, "hello")
    tg.send_text(2, "hello again")
    raw = list(tg.pending)
    tg.pending.clear()
    intake = Intake(app, store)
    poller = Poller(app.bot, intake, ["message"], on_error=lambda _: asyncio.sleep(0))
    poller._take(raw)
    await tg.wait_for(lambda: len(tg.sent_to(2)) >= 2)
    await asyncio.sleep(0.05)
    assert poller.offset == raw[0]["update_id"]  # chat 2 is done, chat 1 is not: hold
    poller._take(raw)  # Telegram sends them all again: nothing is handled twice
    gate.set()
    assert await intake.wait_until_idle(5)
    assert poller.offset == raw[-1]["update_id"] + 1
    replies = {chat: len(tg.sent_to(chat)) for chat in (1, 2)}
    poller._take(raw)
    await asyncio.sleep(0.05)
    assert {chat: len(tg.sent_to(chat)) for chat in (1, 2)} == replies


async def test_an_unreadable_update_is_skipped_without_its_words_in_the_log(
    world, caplog: pytest.LogCaptureFixture
) -> None:
    tg, app, store = world
    bad = {"update_id": 400_001, "message": {"chat": "garbled", "text": "my name is Zebedee"}}
    tg.send_text(3, "hello")
    raw = [bad, *tg.pending]
    tg.pending.clear()
    intake = Intake(app, store)
    poller = Poller(app.bot, intake, ["message"], on_error=lambda _: asyncio.sleep(0))
    with caplog.at_level(logging.DEBUG):
        poller._take(raw)
        assert await intake.wait_until_idle(5)
    assert tg.sent_to(3)  # the next patient is answered
    assert poller.offset == raw[-1]["update_id"] + 1  # and the bad one does not block
    assert store.handled_updates([400_001]) == {400_001}
    assert "400001 could not be read" in caplog.text
    assert "Zebedee" not in caplog.text


async def test_a_stuck_answer_does_not_make_the_poller_hammer_telegram(world) -> None:
    """While an answer waits (a rate limit, a slow Telegram), polls slow down to a trickle;
    a new message still gets through, and once all is answered the poller long-polls."""
    tg, app, store = world
    gate = hold_replies_to(tg, 1)
    tg.send_text(1, "hello")
    intake = Intake(app, store)
    poller = Poller(app.bot, intake, ["message"], on_error=lambda _: asyncio.sleep(0))
    stopping = asyncio.Event()
    polling = asyncio.create_task(poller.run(stopping))
    try:
        await tg.wait_for(lambda: bool(tg.calls_to("sendMessage")))
        before = len(tg.calls_to("getUpdates"))
        await asyncio.sleep(1.0)
        stuck_polls = len(tg.calls_to("getUpdates")) - before
        tg.send_text(2, "hello")  # another patient meanwhile: answered all the same
        await tg.wait_for(lambda: bool(tg.sent_to(2)), timeout=5)
        gate.set()
        await tg.wait_for(lambda: bool(tg.sent_to(1)), timeout=5)
        await tg.wait_for(lambda: int(tg.calls_to("getUpdates")[-1].params["timeout"]) > 0)
    finally:
        stopping.set()
        await polling
    assert stuck_polls < 25  # at a steady 5 ms it would be about 200
