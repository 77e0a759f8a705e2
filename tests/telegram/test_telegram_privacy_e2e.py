"""Privacy through the real `python -m bot run` at LOG_LEVEL=DEBUG, started with umask 000.

Patients with distinctive names and usernames type their names, phone numbers and e-mail
addresses; one of them sends /forget; Telegram sends an update python-telegram-bot cannot
parse. Then, as an attacker with a shell account or a leaked log would look: no name,
username, phone, e-mail or chat id in any file under the data folder or in any log line;
nothing of the forgotten chat on disk; the folder 0700 and every file 0600.
"""

from __future__ import annotations

import os
import re
import signal
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from tests.telegram.bot_process import BotProcess, bot_environment
from tests.telegram.fake_api import FakeTelegram

# Three patients: chat id, first name, last name, username.
PATIENTS = {
    7340012345: ("Zebulon", "Quaritch", "zebq_backpain"),
    7340012346: ("Philippa", "Thistlewood", "pip_thistle"),
    7340012347: ("Oluwaseun", "Adebayo-Kettle", "seun_kettle"),
}
FORGETTER = 7340012347
PHONES = ("07700 900123", "+44 7700 900456", "07700900789")
EMAILS = ("zeb.quaritch@example.com", "pip.thistlewood@example.org", "seun.kettle@example.net")
MESSAGES = {
    7340012345: [
        "Hi, my name is Zebulon Quaritch. Do you take insurance? ring 07700 900123",
        "can I pay with vouchers? zeb.quaritch@example.com\nThanks, Zebulon",
        "how many sessions will I need",
    ],
    7340012346: [
        "I'm Philippa, is there parking near the clinic? +44 7700 900456",
        "do you do home visits for pensioners - Philippa Thistlewood",
    ],
    FORGETTER: [
        # Distinctive words of the chat that will be forgotten (not names: plain words).
        "this is Oluwaseun, is the ptarmigan room wheelchair friendly? 07700900789",
        "does the clinic sell gooseberry liniment? seun.kettle@example.net x Seun",
        "where do the needles go",
    ],
}
FORGOTTEN_WORDS = ("ptarmigan", "gooseberry", "liniment")


def every_file(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def forbidden_on_disk() -> list[str]:
    """Everything about the patients that no file may hold."""
    out = [str(chat_id) for chat_id in PATIENTS]
    for first, last, username in PATIENTS.values():
        out += [first, last, username]
    out += list(PHONES) + [p.replace(" ", "") for p in PHONES] + list(EMAILS)
    return out


@pytest.fixture
async def running(fake_tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[tuple[Any, ...]]:
    data_dir = tmp_path / "data"
    for chat_id, (first, last, username) in PATIENTS.items():
        fake_tg.usernames[chat_id] = username
        chat = fake_tg.chat(chat_id)
        chat.update(first_name=first, last_name=last)
    plain_user = fake_tg.user

    def named_user(user_id: int, first_name: str = "Pat") -> dict[str, Any]:
        user = plain_user(user_id, first_name)
        if user_id in PATIENTS:
            user.update(first_name=PATIENTS[user_id][0], last_name=PATIENTS[user_id][1])
        return user

    fake_tg.user = named_user  # type: ignore[method-assign]
    env = bot_environment(
        fake_tg, DATA_DIR=str(data_dir), LOG_LEVEL="DEBUG", KNOWLEDGE_DIR=str(DEFAULT_KNOWLEDGE_DIR)
    )
    previous = os.umask(0o000)  # the loosest umask an operator could have
    try:
        bot = await BotProcess(env).start()
    finally:
        os.umask(previous)
    try:
        await bot.wait_until_polling(fake_tg)
        yield fake_tg, bot, data_dir
    finally:
        await bot.kill()


async def test_no_patient_detail_on_disk_or_in_the_debug_log(running: tuple[Any, ...]) -> None:
    tg, bot, data_dir = running
    for chat_id, texts in MESSAGES.items():
        for text in texts:
            before = len(tg.sent_to(chat_id))
            tg.send_text(chat_id, text)
            await tg.wait_for(lambda c=chat_id, n=before: len(tg.sent_to(c)) > n, timeout=20)
    # Taps under the forgetter's answer, so the chat has feedback and a sent answer too.
    answer = next(m for m in tg.sent_to(FORGETTER) if "feedback:" in str(m.get("reply_markup")))
    tg.press(answer, next(_feedback_data(answer)))
    await tg.wait_for(lambda: len(tg.calls_to("answerCallbackQuery")) == 1)

    # Telegram sends something python-telegram-bot cannot parse: skipped, and logged by its
    # number and the reason only (PTB's own get_updates would dump it whole at CRITICAL).
    bad = tg.push_update(
        {
            "message": {
                "message_id": 1,
                "date": "not-a-date",
                "chat": {"id": 7340012346, "type": "private", "first_name": "Philippa"},
                "text": "Philippa Thistlewood +44 7700 900456 pip.thistlewood@example.org",
            }
        }
    )
    await bot.wait_for_stderr("could not be read", timeout=15)
    tg.pending = [u for u in tg.pending if u["update_id"] != bad]

    before = len(tg.sent_to(FORGETTER))
    tg.send_text(FORGETTER, "/forget")
    await tg.wait_for(lambda: len(tg.sent_to(FORGETTER)) > before, timeout=15)
    assert tg.sent_to(FORGETTER)[-1]["text"].startswith("Done:")

    database = data_dir / "clinic-bot.sqlite3"
    running_bytes = b"".join(p.read_bytes() for p in every_file(data_dir))
    assert b"[name]" in running_bytes and b"[number]" in running_bytes  # questions were kept
    code, _ = await bot.stop(signal.SIGTERM)
    assert code == 0

    # On disk, while running and after stopping: nothing personal, nothing forgotten.
    stopped_bytes = b"".join(p.read_bytes() for p in every_file(data_dir))
    for data in (running_bytes, stopped_bytes):
        for needle in forbidden_on_disk():
            assert needle.encode() not in data, needle
            assert needle.lower().encode() not in data.lower(), needle
        for word in FORGOTTEN_WORDS:
            assert word.encode() not in data, word
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in every_file(data_dir)}
    assert database.name in modes and "chat-key.secret" in modes
    assert modes == dict.fromkeys(modes, 0o600)

    # The DEBUG log: python-telegram-bot's own lines were there, none with patient data.
    log = bot.stderr
    assert "DEBUG" in log and "Calling Bot API endpoint `sendMessage`" in log
    assert f"Update {bad} could not be read" in log  # the unparseable update: one line
    for needle in (*forbidden_on_disk(), *FORGOTTEN_WORDS):
        assert needle.lower() not in log.lower(), needle
    # Not one word of five letters or more that patients typed ("clinic" is in the bot's
    # own file names).
    typed = {w.lower() for m in MESSAGES.values() for t in m for w in re.findall(r"\w{5,}", t)}
    assert sorted(w for w in typed - {"clinic"} if w in log.lower()) == []


def _feedback_data(message: dict[str, Any]) -> Any:
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if str(button.get("callback_data", "")).startswith("feedback:"):
                yield button["callback_data"]
