"""The practitioner's side end to end: `python -m bot run` against the fake Bot API, with its
own knowledge folder, data folder and database in a temporary directory.

Knowledge edits go live while patients chat (a broken one is refused and reported to the
admins); every reply is recorded; feedback is kept once per answer; the admin commands are
invisible to patients; /forget removes one chat's rows; the database never holds a chat id
or a username; and a database that cannot be written does not stop the answers.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.render import render
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.conversation import ChatState, Engine
from bot.core.reply import Reply
from bot.store import ChatKeys, load_chat_key_secret
from tests.telegram.bot_process import BotProcess, bot_environment
from tests.telegram.fake_api import FakeTelegram

ADMIN = 424242
PATIENT = 731955201
OTHER_PATIENT = 731955202
USERNAMES = {PATIENT: "pat_smith_77", OTHER_PATIENT: "jo_bloggs_99"}
RETENTION_DAYS = 60
UNANSWERED = (
    "do you take insurance? I'm @pat_smith_77, ring 07700 900123",
    "is it covered by my health insurance",
)
EMERGENCY = "I fell off a ladder yesterday and my back is agony"
NEW_PHRASING = "flibbertigibbet wobblefrotz"  # no real word: never answered before


@dataclass
class Clinic:
    """One running bot with its folders, as the clinic would deploy it."""

    tg: FakeTelegram
    bot: BotProcess
    knowledge: Path
    data_dir: Path
    database: Path

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Read the database while the bot runs (WAL lets a reader in)."""
        conn = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def chat_key(self, chat_id: int) -> str:
        return ChatKeys(load_chat_key_secret("", self.data_dir)).key(chat_id)


@pytest.fixture
async def clinic(fake_tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[Clinic]:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    data_dir = tmp_path / "data"
    database = tmp_path / "db" / "clinic.sqlite3"
    fake_tg.usernames.update(USERNAMES)
    fake_tg.chat(ADMIN)  # the practitioner has opened the chat with the bot
    env = bot_environment(
        fake_tg,
        KNOWLEDGE_DIR=str(knowledge),
        DATA_DIR=str(data_dir),
        DATABASE_PATH=str(database),
        ADMIN_CHAT_IDS=str(ADMIN),
        RETENTION_DAYS=str(RETENTION_DAYS),
        RELOAD_INTERVAL_SECONDS="1",
    )
    bot = await BotProcess(env).start()
    try:
        await bot.wait_until_polling(fake_tg)
        yield Clinic(fake_tg, bot, knowledge, data_dir, database)
    finally:
        await bot.kill()


def html_of(reply: Reply) -> list[str]:
    return [m.text for m in render(reply)]


def button_data(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data") or b["url"] for row in markup["inline_keyboard"] for b in row]


async def ask(tg: FakeTelegram, chat_id: int, text: str, replies: int = 1) -> list[dict[str, Any]]:
    """Send `text` and wait for `replies` more messages in that chat; returns them."""
    before = len(tg.sent_to(chat_id))
    tg.send_text(chat_id, text)
    await tg.wait_sent(chat_id, before + replies)
    return tg.sent_to(chat_id)[before:]


async def wait_for_log(clinic: Clinic, words: str, timeout: float = 10.0) -> None:
    await clinic.tg.wait_for(lambda: words in clinic.bot.stderr, timeout)


async def test_knowledge_edits_go_live_while_patients_chat(
    clinic: Clinic, real_engine: Engine
) -> None:
    tg = clinic.tg
    cost = clinic.knowledge / "topics" / "cost.yaml"
    original = cost.read_text(encoding="utf-8")
    flowing = "how many sessions will i need"
    expected = html_of(real_engine.respond(flowing, ChatState()))
    flow_chats: list[int] = []
    stop = asyncio.Event()

    async def patients_keep_writing() -> None:
        chat_id = 6000
        while not stop.is_set():
            tg.send_text(chat_id, flowing)
            flow_chats.append(chat_id)
            chat_id += 1
            await asyncio.sleep(0.05)

    flow = asyncio.create_task(patients_keep_writing())
    try:
        (before,) = await ask(tg, PATIENT, NEW_PHRASING)
        assert "feedback:cost:yes" not in button_data(before)

        # A valid edit: the new phrasing is answered within a few seconds, no restart.
        cost.write_text(
            original.replace("phrasings:\n", f"phrasings:\n  - {NEW_PHRASING}\n", 1),
            encoding="utf-8",
        )
        await wait_for_log(clinic, "Knowledge reloaded")
        answer, _disclaimer = await ask(tg, PATIENT, NEW_PHRASING, replies=2)
        assert button_data(answer)[-2:] == ["feedback:cost:yes", "feedback:cost:no"]

        # A broken edit: refused whole, the admins get the problems, patients the last good.
        cost.write_text(original + "\nnot_a_field: oops\n", encoding="utf-8")
        await tg.wait_sent(ADMIN, 1)
        (report,) = tg.sent_to(ADMIN)
        assert "NOT loaded" in report["text"] and "cost.yaml" in report["text"]
        assert "not_a_field" in report["text"] and report["parse_mode"] is None
        (still,) = await ask(tg, PATIENT, NEW_PHRASING)
        assert still["html"] == answer["html"]
        (refused,) = await ask(tg, ADMIN, "/reload")
        assert "NOT reloaded" in refused["text"] and "not_a_field" in refused["text"]

        # Fixed: the watcher says so once; /reload answers with the number of topics.
        cost.write_text(original, encoding="utf-8")
        await tg.wait_sent(ADMIN, 3)
        assert tg.sent_to(ADMIN)[2]["text"].startswith("Fixed: Reloaded: 17 topics")
        (reloaded,) = await ask(tg, ADMIN, "/reload")
        assert reloaded["text"].startswith("Reloaded: 17 topics")
    finally:
        stop.set()
        await flow
    await tg.wait_for(lambda: all(len(tg.sent_to(c)) >= len(expected) for c in flow_chats), 20)

    assert len(flow_chats) > 40
    for chat_id in flow_chats:  # every patient answered, whole, while the knowledge changed
        assert [m["html"] for m in tg.sent_to(chat_id)] == expected
    patients_saw = " ".join(m["text"] for m in tg.sent if m["chat"]["id"] != ADMIN)
    assert "not_a_field" not in patients_saw and "cost.yaml" not in patients_saw
    assert [c for c in tg.calls if c.outcome != "ok"] == []
    code, _ = await clinic.bot.stop(signal.SIGTERM)
    assert code == 0 and "Traceback" not in clinic.bot.stderr


async def test_records_feedback_admin_commands_and_forget(
    clinic: Clinic, real_engine: Engine
) -> None:
    tg = clinic.tg
    assert "stats" not in [c["command"] for c in tg.commands]
    assert [c["command"] for c in tg.chat_commands[ADMIN]][-7:] == [
        "stats",
        "unanswered",
        "reload",
        "undo",
        "changes",
        "export",
        "report",
    ]

    # Patients chat: answers, questions the bot cannot answer, an emergency.
    kinds = {q: real_engine.decide(q).kind.value for q in (*UNANSWERED, EMERGENCY)}
    assert kinds == {UNANSWERED[0]: "fallback", UNANSWERED[1]: "fallback", EMERGENCY: "urgent"}
    answer, _ = await ask(tg, PATIENT, "how many sessions will i need", replies=2)
    await ask(tg, PATIENT, UNANSWERED[0])
    await ask(tg, PATIENT, EMERGENCY)
    other_answer, _ = await ask(tg, OTHER_PATIENT, "where do the needles go", replies=2)
    await ask(tg, OTHER_PATIENT, UNANSWERED[1])

    # Feedback: kept once per answer, thanked; a "no" gets the booking hand-off.
    tg.press(answer, "feedback:how-many-sessions:yes")
    tg.press(answer, "feedback:how-many-sessions:yes")
    tg.press(other_answer, "feedback:where-needles-go:no")
    await tg.wait_sent(OTHER_PATIENT, 4)
    handoff = tg.sent_to(OTHER_PATIENT)[-1]
    assert real_engine.knowledge.clinic.booking_url in button_data(handoff)
    assert handoff["html"] == html_of(real_engine.not_helpful())[0]
    await tg.wait_for(lambda: len(tg.calls_to("answerCallbackQuery")) == 3)
    messages = real_engine.knowledge.messages
    assert sorted(c.params.get("text") for c in tg.calls_to("answerCallbackQuery")) == sorted(
        [messages.feedback_thanks, messages.feedback_already, messages.feedback_thanks]
    )

    # The admin commands are an unknown command to a patient, and useful to the admin.
    unknown = [m["html"] for m in await ask(tg, PATIENT, "/whatever")]
    for command in ("/stats", "/unanswered", "/reload", "/undo", "/changes", "/export", "/report"):
        assert [m["html"] for m in await ask(tg, PATIENT, command)] == unknown
    (stats,) = await ask(tg, ADMIN, "/stats")
    assert "Urgent: 1   Unanswered (suggest + fallback): 2" in stats["text"]
    assert "Helpful: 1 of 2 taps (50%)" in stats["text"]
    heading, *groups = await ask(tg, ADMIN, "/unanswered", replies=2)
    assert heading["text"].startswith("Unanswered questions, last 30 days: 2 in 1 groups")
    assert "insurance" in groups[0]["text"] and "[username]" in groups[0]["text"]

    # What the database holds: masked text, chat keys, no words of answered or urgent ones.
    assert sorted(t for (t,) in clinic.rows("SELECT text FROM unanswered_messages")) == [
        "do you take insurance? I'm [username], ring [number]",
        "is it covered by my health insurance",
    ]
    assert clinic.rows("SELECT COUNT(*) FROM feedback") == [(2,)]

    # /privacy and /forget, for everyone.
    (privacy,) = await ask(tg, PATIENT, "/privacy")
    assert f"{RETENTION_DAYS} days" in privacy["text"]
    (forgot,) = await ask(tg, PATIENT, "/forget")
    # One question, one feedback tap, one sent answer's message id (a number).
    assert forgot["text"].startswith("Done: 3 records about this chat deleted.")
    mine, theirs = clinic.chat_key(PATIENT), clinic.chat_key(OTHER_PATIENT)
    for table in ("unanswered_messages", "feedback", "sent_answers"):
        keys = [k for (k,) in clinic.rows(f"SELECT chat_key FROM {table}")]
        assert mine not in keys and keys == [theirs]

    wal = clinic.database.with_name(clinic.database.name + "-wal")
    while_running = clinic.database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    code, _ = await clinic.bot.stop(signal.SIGTERM)
    assert code == 0 and "Traceback" not in clinic.bot.stderr

    # No raw chat id and no username anywhere in the database files, running or stopped.
    files = [p for p in clinic.database.parent.iterdir() if p.name.startswith("clinic.sqlite3")]
    stored = while_running + b"".join(p.read_bytes() for p in files)
    assert b"is it covered by my health insurance" in stored  # the search does see the data
    for secret in (*map(str, (PATIENT, OTHER_PATIENT, ADMIN)), *USERNAMES.values(), "07700"):
        assert secret.encode() not in stored, secret


async def test_a_database_that_cannot_be_written_does_not_stop_answers(
    fake_tg: FakeTelegram, tmp_path: Path, real_engine: Engine
) -> None:
    tg = fake_tg
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    env = bot_environment(
        tg,
        DATA_DIR=str(tmp_path / "data"),
        DATABASE_PATH=str(tmp_path / "a-file" / "clinic.sqlite3"),
    )
    bot = await BotProcess(env).start()
    try:
        await bot.wait_until_polling(tg)
        question = "where do the needles go"
        expected = html_of(real_engine.respond(question, ChatState()))
        sent = await ask(tg, PATIENT, question, replies=len(expected))
        assert [m["html"] for m in sent] == expected
        tg.press(sent[0], "feedback:where-needles-go:no")
        await tg.wait_sent(PATIENT, len(expected) + 1)
        (forgot,) = await ask(tg, PATIENT, "/forget")
        assert forgot["text"].startswith("Done. Nothing was stored about this chat")
        code, _ = await bot.stop(signal.SIGTERM)
    finally:
        await bot.kill()
    assert code == 0
    assert "Storage is OFF" in bot.stderr and "Traceback" not in bot.stderr
    assert [c for c in tg.calls if c.outcome != "ok"] == []
