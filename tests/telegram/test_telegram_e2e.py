"""End to end over real HTTP: `python -m bot run` against the fake Bot API on 127.0.0.1.

Patients are played through the fake exactly as Telegram would deliver them; what the bot
sends is compared with what the real engine says it should send.
"""

from __future__ import annotations

import re
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.adapters.telegram.render import render
from bot.core.conversation import ChatState, Engine
from bot.core.reply import Kind, Reply
from tests.telegram.bot_process import BotProcess, bot_environment, free_port
from tests.telegram.fake_api import BOT_USERNAME, STICKER, TOKEN, FakeTelegram

SUGGEST_CANDIDATES = (
    "needles",
    "needle",
    "points",
    "sessions",
    "the needles",
    "acupuncture points",
)


def html_of(reply: Reply) -> list[str]:
    """What the bot must send for `reply`, message by message."""
    return [m.text for m in render(reply)]


def sent_html(tg: FakeTelegram, chat_id: int, start: int = 0) -> list[str]:
    return [m["html"] for m in tg.sent_to(chat_id)[start:]]


def button_data(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data") or b["url"] for row in markup["inline_keyboard"] for b in row]


@pytest.fixture
async def running_bot(fake_tg: FakeTelegram) -> AsyncIterator[BotProcess]:
    bot = await BotProcess(bot_environment(fake_tg)).start()
    try:
        await bot.wait_until_polling(fake_tg)
        yield bot
    finally:
        await bot.kill()


async def test_patients_end_to_end(
    fake_tg: FakeTelegram, running_bot: BotProcess, real_engine: Engine
) -> None:
    tg = fake_tg
    assert [c["command"] for c in tg.commands] == [
        "start",
        "topics",
        "book",
        "about",
        "help",
        "privacy",
        "forget",
    ]

    # /start: welcome naming the practitioner, the menu, the booking link, the disclaimer.
    state = ChatState()
    tg.send_text(1, "/start")
    expected = html_of(real_engine.welcome(state))
    await tg.wait_sent(1, len(expected))
    assert sent_html(tg, 1) == expected
    welcome = tg.sent_to(1)[0]
    assert real_engine.knowledge.clinic.practitioner in welcome["text"]
    assert "topic:how-many-sessions" in button_data(welcome)
    assert real_engine.knowledge.clinic.booking_url in button_data(welcome)

    # A question with typos gets the page's answer.
    count = len(tg.sent_to(1))
    tg.send_text(1, "how many sesions wil i need??")
    expected = html_of(real_engine.respond("how many sesions wil i need??", state))
    await tg.wait_sent(1, count + len(expected))
    assert sent_html(tg, 1, count) == expected
    assert real_engine.respond("how many sesions wil i need??", ChatState()).topic_id == (
        "how-many-sessions"
    )

    # A red flag buried in a question: the urgent message, first and alone, no booking.
    tg.send_text(2, "can needles help? I fell off a ladder yesterday and my back is agony")
    await tg.wait_sent(2, 1)
    await tg.wait_for(lambda: len(tg.calls_to("getUpdates")) > 3)  # give any extra time to show
    (urgent,) = tg.sent_to(2)
    assert "999" in urgent["text"] and "reply_markup" not in urgent

    # "Did you mean ...?" then a tap on one of its buttons answers that topic.
    question = next(
        q for q in SUGGEST_CANDIDATES if real_engine.respond(q, ChatState()).kind is Kind.SUGGEST
    )
    tg.send_text(3, question)
    await tg.wait_sent(3, 1)
    suggestion = tg.sent_to(3)[0]
    choice = next(d for d in button_data(suggestion) if d.startswith("topic:"))
    query_id = tg.press(suggestion, choice)
    expected = html_of(real_engine.answer_topic(choice.removeprefix("topic:"), ChatState()))
    await tg.wait_sent(3, 1 + len(expected))
    assert sent_html(tg, 3, 1) == expected
    assert query_id in tg.answered_queries

    # A sticker is kindly refused.
    tg.send_message(4, STICKER)
    await tg.wait_sent(4, 1)
    assert sent_html(tg, 4) == html_of(real_engine.not_text())

    # A 10,000-character message: answered, every message within Telegram's limit.
    story = ("My lower back has been stiff since I moved house. " * 200)[:9_950]
    tg.send_text(5, story + " how many sessions?")
    await tg.wait_sent(5, 1)
    assert all(len(m["text"]) <= 4096 for m in tg.sent_to(5))

    # A deep link from the clinic's website.
    tg.send_text(6, "/start where-needles-go")
    expected = html_of(real_engine.answer_topic("where-needles-go", ChatState()))
    await tg.wait_sent(6, len(expected))
    assert sent_html(tg, 6) == expected
    tg.send_text(6, "/start book")
    await tg.wait_sent(6, len(expected) + 1)
    assert sent_html(tg, 6)[-1] == html_of(real_engine.booking())[0]

    # The other commands.
    for command, reply in (
        ("/help", real_engine.help()),
        ("/topics", real_engine.menu()),
        ("/book", real_engine.booking()),
    ):
        before = len(tg.sent_to(7))
        tg.send_text(7, command)
        await tg.wait_sent(7, before + 1)
        assert sent_html(tg, 7)[before:] == html_of(reply)
    tg.send_text(7, "/about")
    await tg.wait_sent(7, 4)
    assert "Rick Mudie" in tg.sent_to(7)[3]["text"]

    # A group: chatter is ignored, a mention is answered (quoting the patient).
    group = -100500
    tg.send_text(group, "anyone tried acupuncture for sciatica?", chat_type="supergroup")
    asked = tg.send_text(
        group, f"@{BOT_USERNAME} where do the needles go?", chat_type="supergroup", user_id=9
    )
    await tg.wait_sent(group, 1)
    first = tg.sent_to(group)[0]
    assert first["reply_to_message"]["message_id"] == asked["message_id"]
    expected = html_of(real_engine.respond("where do the needles go?", ChatState()))
    await tg.wait_sent(group, len(expected))
    assert sent_html(tg, group) == expected

    # Edited messages and channel posts never reach the bot's handlers (not even fetched).
    edited_of = tg.send_text(8, "hello")
    await tg.wait_sent(8, 1)
    replies_to_8 = len(tg.sent_to(8))
    tg.send_text(8, "hello again", edited_of=edited_of)
    tg.send_message(-100600, {"text": "clinic news"}, chat_type="channel", kind="channel_post")
    tg.send_text(9, "thanks")  # a later message, to know the edit had its chance
    await tg.wait_sent(9, 1)
    assert len(tg.sent_to(8)) == replies_to_8
    assert tg.sent_to(-100600) == []

    # Every reply was accepted by the fake Telegram (HTML, lengths, buttons all valid).
    refused = [c for c in tg.calls if c.outcome != "ok"]
    assert refused == []

    code, seconds = await running_bot.stop(signal.SIGTERM)
    assert code == 0 and seconds < 5
    assert "Traceback" not in running_bot.stderr
    assert TOKEN not in running_bot.stderr + running_bot.stdout


async def test_restart_loses_nothing_and_answers_nothing_twice(
    fake_tg: FakeTelegram, real_engine: Engine, tmp_path: Path
) -> None:
    tg = fake_tg
    expected_count = {}

    def ask(chat_id: int, text: str) -> None:
        tg.send_text(chat_id, text)
        expected_count[chat_id] = len(html_of(real_engine.respond(text, ChatState())))

    def environment() -> dict[str, str]:
        return bot_environment(tg, DATA_DIR=str(tmp_path))  # a restart keeps its database

    bot = await BotProcess(environment()).start()
    try:
        await bot.wait_until_polling(tg)
        for chat_id in range(100, 110):
            ask(chat_id, "where do the needles go")
        # The first message of each reply: the stop comes while the rest are going out.
        await tg.wait_for(lambda: all(tg.sent_to(c) for c in range(100, 110)))
        # More patients write while the bot is shutting down...
        for chat_id in range(110, 130):
            ask(chat_id, "how many sessions")
        code, seconds = await bot.stop(signal.SIGTERM)
        assert code == 0 and seconds < 5
        # The clean stop finished every answer it had begun and told Telegram so: nothing
        # it answered is still waiting there. (The database would skip one delivered again;
        # this checks the stop itself, which is all there is with storage off.)
        answered = [c for c in expected_count if tg.sent_to(c)]
        assert {c: len(tg.sent_to(c)) for c in answered} == {c: expected_count[c] for c in answered}
        undone = {u["message"]["chat"]["id"] for u in tg.pending}
        assert undone.isdisjoint(answered), bot.stderr
        # ... and while it is down.
        for chat_id in range(130, 140):
            ask(chat_id, "does it hurt")
    finally:
        await bot.kill()

    bot = await BotProcess(environment()).start()
    try:
        await bot.wait_until_polling(tg)
        await tg.wait_for(
            lambda: all(len(tg.sent_to(c)) >= n for c, n in expected_count.items()), 20
        )
        await tg.wait_for(lambda: len(tg.calls_to("getUpdates")) > 4)
    finally:
        code, _ = await bot.stop(signal.SIGINT)  # Ctrl-C stops it cleanly too
        await bot.kill()
    assert code == 0
    answered_in_all = {c: len(tg.sent_to(c)) for c in expected_count}
    assert answered_in_all == expected_count  # every message answered, none twice
    assert tg.pending == [] or all(u["update_id"] >= tg.confirmed_offset for u in tg.pending)


async def test_webhook_mode_checks_the_secret(fake_tg: FakeTelegram, real_engine: Engine) -> None:
    tg = fake_tg
    port = free_port()
    webhook_url = f"http://127.0.0.1:{port}/hook"
    secret = "s3cret-Token_for-tests"
    env = bot_environment(
        tg,
        WEBHOOK_URL=webhook_url,
        WEBHOOK_SECRET=secret,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_PATH="hook",
    )
    bot = await BotProcess(env).start()
    try:
        await tg.wait_for(lambda: bool(tg.calls_to("setWebhook")) or bot.exited, 20)
        assert not bot.exited, bot.stderr
        (set_webhook,) = tg.calls_to("setWebhook")
        assert set_webhook.params["url"] == webhook_url
        assert set_webhook.params["secret_token"] == secret
        assert set_webhook.params["allowed_updates"] == ["message", "callback_query"]
        assert not set_webhook.params.get("drop_pending_updates")

        # Telegram (the fake) delivers with the right secret: answered.
        tg.send_text(21, "where do the needles go")
        try:
            await tg.wait_sent(21, 1, timeout=20)
        except TimeoutError:
            raise AssertionError(f"not answered by webhook; bot log:\n{bot.stderr}") from None
        assert tg.calls_to("getUpdates") == []

        # Someone else posts to the webhook: without the secret, or with a wrong one.
        forged = {
            "update_id": 999_001,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": tg.chat(22),
                "from": tg.user(22),
                "text": "hello from a forger",
            },
        }
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with session.post(webhook_url, json=forged, headers=headers) as response:
                    assert response.status == 403
            right = {"X-Telegram-Bot-Api-Secret-Token": secret}
            forged["update_id"] = 999_002
            async with session.post(webhook_url, json=forged, headers=right) as response:
                assert response.status == 200
        await tg.wait_sent(22, 1, timeout=20)
        assert len([m for m in tg.sent if m["chat"]["id"] == 22]) == len(
            html_of(real_engine.respond("hello from a forger", ChatState()))
        )
        code, seconds = await bot.stop(signal.SIGTERM)
    finally:
        await bot.kill()
    assert code == 0 and seconds < 5
    assert "Traceback" not in bot.stderr
    assert secret not in bot.stderr and TOKEN not in bot.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "does not look like a bot token"),
        ({"WEBHOOK_URL": "https://bot.example/hook"}, "WEBHOOK_SECRET is not"),
        (
            {"WEBHOOK_URL": "http://bot.example/hook", "WEBHOOK_SECRET": "abc"},
            "must be a public https://",
        ),
        ({"WEBHOOK_URL": "https://b.example/", "WEBHOOK_SECRET": "bad secret!"}, "may only"),
    ],
)
async def test_settings_that_cannot_work_are_refused_in_one_line(
    fake_tg: FakeTelegram, overrides: dict[str, str], message: str
) -> None:
    bot = await BotProcess(bot_environment(fake_tg, **overrides)).start()
    try:
        code = await bot.wait(20)
    finally:
        await bot.kill()
    assert code == 2
    lines = bot.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], bot.stderr
    assert fake_tg.calls == []  # refused before talking to Telegram


async def test_a_token_telegram_rejects_is_one_line_and_exit_2(fake_tg: FakeTelegram) -> None:
    wrong = "7000001:AAF_this-token-was-revoked-long-ago00"
    bot = await BotProcess(bot_environment(fake_tg, TELEGRAM_BOT_TOKEN=wrong)).start()
    try:
        code = await bot.wait(20)
    finally:
        await bot.kill()
    assert code == 2
    assert re.fullmatch(r"error: Telegram rejected TELEGRAM_BOT_TOKEN[^\n]*\n", bot.stderr)
    assert wrong not in bot.stderr
    assert [c.outcome for c in fake_tg.calls] == ["error 401"]


async def test_telegram_unreachable_at_start_is_waited_out(real_engine: Engine) -> None:
    port = free_port()
    tg = FakeTelegram()
    tg.port = port  # not listening yet: the bot starts before "Telegram" is reachable
    bot = await BotProcess(bot_environment(tg)).start()
    try:
        await bot.wait_for_stderr("Cannot reach Telegram")
        assert not bot.exited, bot.stderr
        # Plain words first: what is wrong and that it keeps trying, not an httpx class name.
        line = next(x for x in bot.stderr.splitlines() if "Cannot reach Telegram" in x)
        assert "Cannot reach Telegram at 127.0.0.1: this computer may be offline" in line
        assert "Trying again in" in line and "starts by itself" in line
        assert "getMe" not in bot.stderr
        await bot.wait_for_stderr("Trying again in 2 s")  # and it keeps trying
        assert bot.stderr.count("Cannot reach Telegram") >= 2 and not bot.exited
        await tg.start(port)
        await bot.wait_until_polling(tg, timeout=20)
        tg.send_text(31, "how many sessions")
        await tg.wait_sent(31, 1)
        code, seconds = await bot.stop(signal.SIGTERM)
    finally:
        await bot.kill()
        await tg.stop()
    assert code == 0 and seconds < 5
    assert "Traceback" not in bot.stderr


async def test_stopping_while_still_connecting_is_clean() -> None:
    tg = FakeTelegram()
    tg.port = free_port()  # nobody listens there
    bot = await BotProcess(bot_environment(tg)).start()
    try:
        await bot.wait_for_stderr("Cannot reach Telegram")
        code, seconds = await bot.stop(signal.SIGTERM)
    finally:
        await bot.kill()
    assert code == 0 and seconds < 2
    assert "Traceback" not in bot.stderr
