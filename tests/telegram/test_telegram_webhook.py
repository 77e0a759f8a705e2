"""The webhook end to end (`python -m bot run` with WEBHOOK_URL): Telegram retries, forgers.

Telegram POSTs each update and keeps it until it gets a 200, retrying otherwise; the bot
answers 200 only once the update is handled, and skips an update it has handled before. Anyone
else on the internet can POST too: without the secret header they are refused before the body
is read, and a body too large is refused before it fills the memory.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.adapters.telegram.webhook import MAX_BODY_BYTES, SECRET_HEADER
from bot.core.conversation import Engine
from tests.telegram.bot_process import BotProcess, bot_environment, free_port
from tests.telegram.delivery_check import Patients, topic_questions
from tests.telegram.fake_api import FakeTelegram, Faults
from tests.telegram.test_telegram_delivery import kill_9

SECRET = "s3cret-Token_for-tests"
HUGE = 99 * 1024 * 1024  # bytes an attacker offers
CHUNK = 1024 * 1024


@pytest.fixture(scope="module")
def questions(real_engine: Engine) -> list[tuple[str, str]]:
    return topic_questions(real_engine)


def webhook_environment(tg: FakeTelegram, data: Path, port: int) -> dict[str, str]:
    return bot_environment(
        tg,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_PATH="hook",
        TELEGRAM_RATE_LIMIT="0",
        DATA_DIR=str(data),
    )


async def start_bot(tg: FakeTelegram, env: dict[str, str]) -> BotProcess:
    """Start the bot and wait until it has set its webhook (its server listens by then)."""
    before = len(tg.calls_to("setWebhook"))
    bot = await BotProcess(env).start()
    await tg.wait_for(lambda: len(tg.calls_to("setWebhook")) > before or bot.exited, 20)
    assert not bot.exited, bot.stderr
    return bot


def update_from(tg: FakeTelegram, update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    """An update exactly as Telegram would POST it (the fake knows the chat)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 100_000,
            "date": 0,
            "chat": tg.chat(chat_id),
            "from": tg.user(chat_id),
            "text": text,
        },
    }


async def post(
    session: aiohttp.ClientSession, url: str, body: Any, headers: dict[str, str] | None = None
) -> int:
    """POST `body` (JSON unless bytes or a stream of bytes); returns the HTTP status."""
    streamed = isinstance(body, bytes) or hasattr(body, "__aiter__")
    data = body if streamed else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **(headers or {})}
    async with session.post(url, data=data, headers=headers) as response:
        return response.status


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


async def test_killed_while_handling_then_telegrams_retry_is_answered_once(
    tmp_path: Path, questions: list[tuple[str, str]]
) -> None:
    faults = Faults(rate=1.0, kinds=("slow",), methods=frozenset({"sendMessage"}), slow_seconds=5)
    async with FakeTelegram(faults=faults) as tg:
        patients = Patients(tg, questions)
        env = webhook_environment(tg, tmp_path, free_port())
        bot = await start_bot(tg, env)
        try:
            patients.ask(9001, 0)
            (update_id,) = patients.updates
            # The bot is handling it: its reply is on the way to Telegram (slowly)...
            await tg.wait_for(lambda: bool(tg.calls_to("sendMessage")), 20)
            await kill_9(bot)  # ... and dies before Telegram has it.
        finally:
            await bot.kill()
        faults.rate = 0.0
        await asyncio.sleep(0.3)  # Telegram drops a request whose sender is gone
        assert tg.sent_to(9001) == []
        assert tg.pending and tg.pending[0]["update_id"] == update_id  # not acknowledged

        bot = await start_bot(tg, env)
        try:
            await tg.wait_for(lambda: patients.all_answered() and not tg.pending, 20)
            patients.ask(9001, 1)  # a later message: anything repeated would show by now
            await tg.wait_for(lambda: patients.all_answered() and not tg.pending, 20)
            code, _ = await bot.stop()
        finally:
            await bot.kill()
    statuses = [status for posted, status in tg.webhook_posts if posted == update_id]
    assert statuses[0] is None and statuses[-1] == 200  # delivered twice: died, then retried
    assert [topic for topic, _ in patients.answers(9001)] == patients.asked[9001]
    assert code == 0 and "Traceback" not in bot.stderr


async def test_the_same_update_twice_is_answered_once(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        port = free_port()
        env = webhook_environment(tg, tmp_path, port)
        url = f"http://127.0.0.1:{port}/hook"
        right = {SECRET_HEADER: SECRET}
        first = update_from(tg, 990_001, 9101, "how many sessions will I need?")
        second = update_from(tg, 990_002, 9102, "where do the needles go?")
        bot = await start_bot(tg, env)
        try:
            async with aiohttp.ClientSession() as session:
                # Telegram retries after a timeout or a lost 200: one after the other...
                assert await post(session, url, first, right) == 200
                assert await post(session, url, first, right) == 200
                # ... or while the first copy is still being handled.
                statuses = await asyncio.gather(
                    post(session, url, second, right), post(session, url, second, right)
                )
                assert statuses == [200, 200]
            code, _ = await bot.stop()
            assert code == 0
        finally:
            await bot.kill()
        once = {chat: len(tg.sent_to(chat)) for chat in (9101, 9102)}
        assert all(n >= 1 for n in once.values())

        # After a restart, the handled ids are still known (they are in the data folder).
        bot = await start_bot(tg, env)
        try:
            async with aiohttp.ClientSession() as session:
                assert await post(session, url, first, right) == 200
                assert await post(session, url, second, right) == 200
            code, _ = await bot.stop()
        finally:
            await bot.kill()
    assert {chat: len(tg.sent_to(chat)) for chat in (9101, 9102)} == once
    assert code == 0 and "Traceback" not in bot.stderr


async def send_headers(port: int, headers: dict[str, str]) -> tuple[bytes, asyncio.StreamWriter]:
    """Open a raw connection, send a POST's headers and 64 kB of its body; the answer's
    status line, read while the rest of the body is still unsent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [
        "POST /hook HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
    ]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + b"{" + b" " * 65535)
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 10)
    return status, writer


async def test_the_webhook_refuses_before_it_reads(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook"
        bot = await start_bot(tg, webhook_environment(tg, tmp_path, port))
        try:
            # 99 MB announced, 64 kB sent: refused at once, without the secret (403) or
            # with it (413), while the client still has 99 MB to send.
            for headers, expected in (
                ({"Content-Length": str(HUGE)}, b" 403 "),
                ({"Content-Length": str(HUGE), SECRET_HEADER: "wrong"}, b" 403 "),
                ({"Content-Length": str(HUGE), SECRET_HEADER: SECRET}, b" 413 "),
            ):
                status, writer = await send_headers(port, headers)
                writer.close()
                assert expected in status, (headers, status)

            async def chunked_body() -> AsyncIterator[bytes]:
                for _ in range(3):  # no Content-Length: counted as it streams in
                    yield b" " * (MAX_BODY_BYTES // 2 + 1)

            async with aiohttp.ClientSession() as session:
                right = {SECRET_HEADER: SECRET}
                try:
                    big = await post(session, url, chunked_body(), right)
                except aiohttp.ClientError:
                    big = 413  # closed while still sending: refused all the same
                assert big == 413
                assert await post(session, url, b"{not json", right) == 400
                assert await post(session, url, b"[1, 2, 3]", right) == 400
                assert await post(session, url, {"update_id": "x"}, right) == 400
                forged = update_from(tg, 990_100, 9201, "hello from a forger")
                assert await post(session, url, forged) == 403
                async with session.get(url, headers=right) as response:
                    assert response.status == 405
            code, _ = await bot.stop()
        finally:
            await bot.kill()
    assert code == 0
    assert tg.sent_to(9201) == []
    assert "Traceback" not in bot.stderr and "forger" not in bot.stderr


async def test_four_99_mb_posts_are_refused_without_filling_the_memory(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook"
        bot = await start_bot(tg, webhook_environment(tg, tmp_path, port))
        try:
            tg.send_text(9301, "how many sessions will I need?")  # warm up: one real answer
            await tg.wait_sent(9301, 1, timeout=20)
            before = peak_rss_mb(bot.pid)

            async def huge_body() -> AsyncIterator[bytes]:
                chunk = b"A" * CHUNK
                for _ in range(HUGE // CHUNK):
                    yield chunk
                    await asyncio.sleep(0.005)

            async def attack(session: aiohttp.ClientSession, sized: bool) -> int | str:
                headers = {"Content-Type": "application/json"}
                if sized:
                    headers["Content-Length"] = str(HUGE)
                try:
                    async with session.post(url, data=huge_body(), headers=headers) as response:
                        return response.status
                except aiohttp.ClientError as exc:  # closed on it mid-body: refused too
                    return type(exc).__name__

            async with aiohttp.ClientSession() as session:
                attacks = [asyncio.create_task(attack(session, n % 2 == 0)) for n in range(4)]
                tg.send_text(9302, "where do the needles go?")  # a patient, meanwhile
                await tg.wait_sent(9302, 1, timeout=20)
                outcomes = await asyncio.gather(*attacks)
            after = peak_rss_mb(bot.pid)
            code, _ = await bot.stop()
        finally:
            await bot.kill()
    print(f"\nfour 99 MB POSTs: {outcomes}; peak RSS {before:.1f} -> {after:.1f} MB")
    assert all(o == 403 or isinstance(o, str) for o in outcomes), outcomes
    assert after - before < 30
    assert code == 0 and "Traceback" not in bot.stderr


async def test_a_clean_stop_while_handling_finishes_the_answer_and_repeats_nothing(
    tmp_path: Path, questions: list[tuple[str, str]]
) -> None:
    faults = Faults(rate=1.0, kinds=("slow",), methods=frozenset({"sendMessage"}), slow_seconds=1)
    async with FakeTelegram(faults=faults) as tg:
        patients = Patients(tg, questions)
        env = webhook_environment(tg, tmp_path, free_port())
        bot = await start_bot(tg, env)
        try:
            patients.ask(9401, 0)
            await tg.wait_for(lambda: bool(tg.calls_to("sendMessage")), 20)
            code, _ = await bot.stop()  # SIGTERM while the answer is on its way
        finally:
            await bot.kill()
        assert code == 0
        assert patients.all_answered() and not tg.pending  # answered, and Telegram told so
        faults.rate = 0.0

        bot = await start_bot(tg, env)
        try:
            patients.ask(9401, 1)
            await tg.wait_for(lambda: patients.all_answered() and not tg.pending, 20)
            code, _ = await bot.stop()
        finally:
            await bot.kill()
    assert [topic for topic, _ in patients.answers(9401)] == patients.asked[9401]
    assert code == 0 and "Traceback" not in bot.stderr
