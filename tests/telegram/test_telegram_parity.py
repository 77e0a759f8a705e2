"""Telegram and the terminal say the same thing: both only translate, `Engine.handle` decides.

The same lines go through the real Telegram Application (offline fake Bot API) and through
the terminal chat, on the same real engine; every reply's text, notes and buttons match.
"""

from __future__ import annotations

import io
from typing import Any

from bot.adapters.telegram import build_application
from bot.adapters.terminal import TerminalChat
from bot.config import Settings
from bot.core.conversation import Engine
from bot.core.markup import to_plain
from bot.core.reply import Reply
from tests.telegram.fake_api import TOKEN, FakeTelegram, OfflineBot, OfflineRequest

PATIENT = 777
LINES = [
    "/start",
    "how many sessions will i need",
    "/topics",
    "/book",
    "/about",
    "/help",
    "/privacy",
    "/forget",
    "qwertyuiop zxcvbnm",
    "can acupuncture help with fertility",
    "/start cost",
    "/start book",
    "/start no-such-topic",
    "/nonsense",
]


def labels(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_every_line_gets_the_same_reply_on_telegram_and_in_the_terminal(
    real_engine: Engine,
) -> None:
    tg = FakeTelegram()
    app = build_application(Settings(telegram_token=TOKEN), real_engine, request=OfflineRequest(tg))
    await app.initialize()
    bot = OfflineBot(tg, app)
    terminal = TerminalChat(lambda: real_engine, io.StringIO(), prompts=False)
    try:
        for line in LINES:
            before = len(tg.sent_to(PATIENT))
            tg.send_text(PATIENT, line)
            await bot.deliver()
            sent = tg.sent_to(PATIENT)[before:]
            reply = terminal.handle(line)
            assert isinstance(reply, Reply), line
            # What the patient reads (the fake keeps text as Telegram shows it, tags parsed).
            expected = [to_plain(text).strip() for text in (reply.text, *reply.notes)]
            got = [m["text"].strip() for m in sent]
            if line == "/privacy":  # the terminal first says whether it itself records
                assert expected[0].endswith(got[0]) and len(got) == 1
                continue
            assert got == expected, line
            shown = [label for m in sent for label in labels(m)]
            assert shown == [b.label for b in reply.buttons], line
    finally:
        await app.shutdown()
