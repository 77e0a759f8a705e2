"""The practitioner's side in the Telegram layer, without any network: recording, feedback,
admin commands and their gating, live reload, privacy commands, a store that cannot write.

Each test runs the real Application against the in-memory fake Bot API (`OfflineRequest`)
with a real SQLite store in a temporary folder, and inspects the database itself.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram import admin, build_application
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.conversation import ChatState, Engine
from bot.core.live import LiveEngine
from bot.store import ChatKeys, NullStore, Store, StoreError, open_store
from tests.telegram.fake_api import TOKEN, FakeTelegram, OfflineBot, OfflineRequest
from tests.telegram.fake_engine import BOOKING_URL, FakeEngine

PATIENT = 501
OTHER_PATIENT = 502
ADMIN = 9001
SECRET = "a-chat-key-secret-for-the-telegram-tests"
ADMIN_COMMANDS = ("/stats", "/unanswered", "/reload", "/stats 7", "/unanswered 30")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        telegram_token=TOKEN,
        admin_chat_ids=frozenset({ADMIN}),
        data_dir=tmp_path / "data",
        database_path=tmp_path / "data" / "clinic.sqlite3",
        chat_key_secret=SECRET,
        retention_days=45,
        knowledge_dir=tmp_path / "knowledge",
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings)
    assert store.available
    yield store
    store.close()


@asynccontextmanager
async def offline_bot(
    settings: Settings, engine: Any, store: Store | None = None
) -> AsyncIterator[OfflineBot]:
    """The real Application on the in-memory fake, with `engine` and `store`."""
    tg = FakeTelegram()
    tg.chat(ADMIN)  # the practitioner has opened the chat with the bot
    application = build_application(settings, engine, request=OfflineRequest(tg), store=store)
    await application.initialize()
    try:
        yield OfflineBot(tg, application)
    finally:
        await application.shutdown()


def rows(settings: Settings, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Read the database file directly, as an auditor would."""
    with sqlite3.connect(settings.database_path) as conn:
        return conn.execute(sql, params).fetchall()


def chat_key(chat_id: int) -> str:
    return ChatKeys(SECRET.encode()).key(chat_id)


def keyboard_rows(message: dict[str, Any]) -> list[list[str]]:
    markup = message.get("reply_markup") or {}
    return [
        [b.get("callback_data") or b["url"] for b in row]
        for row in markup.get("inline_keyboard", [])
    ]


def toasts(tg: FakeTelegram) -> list[str | None]:
    return [c.params.get("text") for c in tg.calls_to("answerCallbackQuery")]


def copy_knowledge(settings: Settings) -> Path:
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, settings.knowledge_dir)
    return settings.knowledge_dir


# -- recording ------------------------------------------------------------------------------


async def test_free_text_and_topic_taps_are_recorded_commands_never(
    settings: Settings, store: Store
) -> None:
    async with offline_bot(settings, FakeEngine(), store) as bot:
        bot.tg.send_text(PATIENT, "how many sessions")  # an answer
        bot.tg.send_text(PATIENT, "maybe needles?")  # a suggestion: its text is kept
        bot.tg.send_text(PATIENT, "urgent: I cannot feel my legs")  # counted, never kept
        for command in ("/help", "/topics", "/privacy", "/start how-many-sessions"):
            bot.tg.send_text(PATIENT, command)
        for command in ADMIN_COMMANDS[:2]:
            bot.tg.send_text(ADMIN, command)
        await bot.deliver()
        suggestion = bot.tg.sent_to(PATIENT)[2]
        bot.tg.press(suggestion, "topic:where-needles-go")  # a tap is an answer too
        await bot.deliver()

    assert rows(settings, "SELECT kind, text FROM unanswered_messages") == [
        ("suggest", "maybe needles?")
    ]
    assert dict(rows(settings, "SELECT kind, count FROM daily_outcomes")) == {
        "answer": 2,
        "suggest": 1,
        "urgent": 1,
    }
    assert sorted(rows(settings, "SELECT topic_id, count FROM daily_answers")) == [
        ("how-many-sessions", 1),
        ("where-needles-go", 1),
    ]


async def test_a_failing_record_never_costs_the_patient_the_answer(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenStore(NullStore):
        @property
        def available(self) -> bool:
            return True

        def record_many(self, messages: Any) -> None:
            raise RuntimeError("a bug in the store")

    async with offline_bot(settings, FakeEngine(), BrokenStore()) as bot:
        bot.tg.send_text(PATIENT, "how many sessions")
        with caplog.at_level(logging.ERROR):
            await bot.deliver()
    assert bot.tg.sent_to(PATIENT)[0]["text"] == "engine-1 heard: how many sessions"
    assert "went wrong" not in " ".join(m["text"] for m in bot.tg.sent_to(PATIENT))
    assert "Recording 1 outcome(s) failed" in caplog.text


# -- feedback -------------------------------------------------------------------------------


async def test_feedback_buttons_sit_under_answers_only_on_their_own_last_row(
    settings: Settings,
) -> None:
    async with offline_bot(settings, FakeEngine()) as bot:
        for text in ("how many sessions", "maybe needles?", "urgent: numb legs", "hello", "/book"):
            bot.tg.send_text(PATIENT, text)
        await bot.deliver()
        answer, _disclaimer, suggestion, urgent, smalltalk, booking = bot.tg.sent_to(PATIENT)
        bot.tg.press(suggestion, "topic:where-needles-go")
        await bot.deliver()
        tapped_answer = bot.tg.sent_to(PATIENT)[-1]

    assert keyboard_rows(answer) == [
        ["topic:where-needles-go"],
        [BOOKING_URL],
        ["feedback:how-many-sessions:yes", "feedback:how-many-sessions:no"],
    ]
    assert keyboard_rows(tapped_answer)[-1] == [
        "feedback:where-needles-go:yes",
        "feedback:where-needles-go:no",
    ]
    for message in (suggestion, urgent, smalltalk, booking):
        assert not any(d.startswith("feedback:") for row in keyboard_rows(message) for d in row)


async def test_feedback_is_kept_once_per_answer_thanked_and_a_no_is_handed_off(
    settings: Settings, store: Store
) -> None:
    engine = FakeEngine()
    async with offline_bot(settings, engine, store) as bot:
        tg = bot.tg
        tg.send_text(PATIENT, "how many sessions")
        tg.send_text(PATIENT, "and how many after that")
        await bot.deliver()
        first, _disclaimer, second = tg.sent_to(PATIENT)

        tg.press(first, "feedback:how-many-sessions:yes")
        await bot.deliver()
        assert keyboard_rows(first) == [["topic:where-needles-go"], [BOOKING_URL]]  # asked, gone
        tg.press(first, "feedback:how-many-sessions:no")  # a second tap, e.g. another device
        await bot.deliver()
        assert len(tg.sent_to(PATIENT)) == 3  # no hand-off for a tap that was not kept

        tg.press(second, "feedback:how-many-sessions:no")
        await bot.deliver()
        handoff = tg.sent_to(PATIENT)[-1]
        tg.press(second, "feedback:how-many-sessions:no")
        await bot.deliver()

    assert toasts(tg) == ["Thanks!", "Already noted, thanks.", "Thanks!", "Already noted, thanks."]
    assert handoff["text"] == "Sorry that did not help. Ask the clinic."
    assert BOOKING_URL in [d for row in keyboard_rows(handoff) for d in row]
    assert engine.calls.count("not_helpful") == 1
    assert sorted(rows(settings, "SELECT topic_id, helpful, answer_ref FROM feedback")) == [
        ("how-many-sessions", 0, str(second["message_id"])),
        ("how-many-sessions", 1, str(first["message_id"])),
    ]


async def test_feedback_on_a_removed_topic_is_thanked_but_not_kept(
    settings: Settings, store: Store
) -> None:
    async with offline_bot(settings, FakeEngine(), store) as bot:
        message = bot.tg.send_text(PATIENT, "hello")
        bot.tg.press(message, "feedback:a-topic-since-removed:yes")
        bot.tg.press(message, "feedback:how-many-sessions:maybe")  # not ours: the polite reply
        await bot.deliver()
    assert toasts(bot.tg) == ["Thanks!", None]
    assert rows(settings, "SELECT COUNT(*) FROM feedback") == [(0,)]
    assert [m["text"] for m in bot.tg.sent_to(PATIENT)] == [
        "Hello!",
        "Sorry, that topic is no longer available.",
    ]


# -- admin commands -------------------------------------------------------------------------


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_admin_commands_are_an_unknown_command_to_everyone_else(
    settings: Settings, store: Store, command: str
) -> None:
    store.record(PATIENT, "what about my cat", FakeEngine().respond("maybe", ChatState()))
    engine = FakeEngine()
    live = LiveEngine.load(settings.data_dir, factory=lambda _: engine)
    async with offline_bot(settings, live, store) as bot:
        bot.tg.send_text(PATIENT, command)
        bot.tg.send_text(OTHER_PATIENT, "/nosuchcommand")
        await bot.deliver()
    reply = [(m["html"], m.get("reply_markup")) for m in bot.tg.sent_to(PATIENT)]
    unknown = [(m["html"], m.get("reply_markup")) for m in bot.tg.sent_to(OTHER_PATIENT)]
    assert reply == unknown  # exactly the ordinary reply: nothing learnt
    assert engine.calls == ["help", "help"]
    assert live.version == 1  # /reload did nothing
    assert "cat" not in str(reply) and "Reloaded" not in str(reply)


async def test_without_admin_ids_nobody_is_an_admin(settings: Settings) -> None:
    engine = FakeEngine()
    async with offline_bot(replace(settings, admin_chat_ids=frozenset()), engine) as bot:
        bot.tg.send_text(ADMIN, "/stats")
        await bot.deliver()
    assert engine.calls == ["help"]


async def test_admin_stats_and_unanswered(
    settings: Settings, store: Store, real_engine: Engine
) -> None:
    async with offline_bot(settings, real_engine, store) as bot:
        for text in (
            "how many sessions will i need",
            "where do the needles go",
            "do you take my health insurance",
            "is it covered by health insurance",
            "what's the weather like tomorrow",
        ):
            bot.tg.send_text(PATIENT, text)
        await bot.deliver()
        answer = bot.tg.sent_to(PATIENT)[0]
        bot.tg.press(answer, "feedback:how-many-sessions:yes")
        for command in ("/stats", "/unanswered", "/stats soon", "/unanswered 0"):
            bot.tg.send_text(ADMIN, command)
        await bot.deliver()
    stats, unanswered, *groups, usage_stats, usage_unanswered = bot.tg.sent_to(ADMIN)
    assert stats["text"].startswith("Last 30 days")
    assert "How many sessions" in stats["text"]  # the topic's title, not its id
    assert "Helpful: 1 of 1 taps (100%)" in stats["text"]
    assert unanswered["text"].startswith("Unanswered questions, last 30 days:")
    assert groups and "health insurance" in " ".join(g["text"] for g in groups)
    for group in groups:  # each group carries its buttons
        labels = [b["text"] for b in bot.tg.keyboard(group)]
        assert labels[-2:] == ["Not on the page", "Ignore"]
        assert all(label.startswith("Add to ") for label in labels[:-2])
    assert usage_stats["text"].startswith("Usage: /stats [days]")
    assert usage_unanswered["text"].startswith("Usage: /unanswered [days]")
    assert all(m["parse_mode"] is None for m in bot.tg.sent_to(ADMIN))  # plain text


async def test_admin_commands_tell_the_truth_when_the_database_fails(
    settings: Settings, real_engine: Engine
) -> None:
    class UnreadableStore(NullStore):
        def stats(self, since_days: int) -> Any:
            raise StoreError("could not read statistics from x.sqlite3: disk I/O error")

        def unanswered(self, since_days: int) -> list[Any]:
            raise StoreError("could not read questions from x.sqlite3: disk I/O error")

    async with offline_bot(settings, real_engine, UnreadableStore("disk I/O error")) as bot:
        bot.tg.send_text(ADMIN, "/stats")
        bot.tg.send_text(ADMIN, "/unanswered")
        await bot.deliver()
    stats, unanswered = (m["text"] for m in bot.tg.sent_to(ADMIN))
    assert stats.startswith("Could not read the statistics: ") and "disk I/O" in stats
    assert unanswered.startswith("Could not read the unanswered questions: ")


async def test_reload_loads_at_once_or_names_the_problems_and_keeps_the_last_good(
    settings: Settings,
) -> None:
    knowledge = copy_knowledge(settings)
    live = LiveEngine.load(knowledge)
    cost = knowledge / "topics" / "cost.yaml"
    original = cost.read_text(encoding="utf-8")
    async with offline_bot(settings, live) as bot:
        tg = bot.tg
        tg.send_text(PATIENT, "flibbertigibbet wobblefrotz")
        await bot.deliver()
        before = tg.sent_to(PATIENT)[0]["html"]

        cost.write_text(
            original.replace("phrasings:\n", "phrasings:\n  - flibbertigibbet wobblefrotz\n", 1),
            encoding="utf-8",
        )
        tg.send_text(ADMIN, "/reload")
        tg.send_text(PATIENT, "flibbertigibbet wobblefrotz")
        await bot.deliver()
        reloaded = tg.sent_to(ADMIN)[-1]["text"]
        new_answer, _disclaimer = tg.sent_to(PATIENT)[-2:]

        cost.write_text(original + "\nnot_a_field: oops\n", encoding="utf-8")
        tg.send_text(ADMIN, "/reload")
        tg.send_text(PATIENT, "flibbertigibbet wobblefrotz")
        await bot.deliver()
        refused = tg.sent_to(ADMIN)[-1]["text"]
        last_good = tg.sent_to(PATIENT)[-1]

    assert before != new_answer["html"]
    assert reloaded.startswith(f"Reloaded: {len(live.engine.knowledge.topics)} topics (version 2")
    assert ["feedback:cost:yes", "feedback:cost:no"] in keyboard_rows(new_answer)
    assert "NOT reloaded" in refused and "cost.yaml" in refused and "not_a_field" in refused
    assert last_good["html"] == new_answer["html"]  # the last good version still answers
    assert all("not_a_field" not in m["text"] for m in tg.sent_to(PATIENT))


async def test_a_long_report_reaches_every_admin_split_and_plain(settings: Settings) -> None:
    problems = "\n".join(f"topics/t{n}.yaml:{n}: unknown key '<b>' - remove it" for n in range(200))
    async with offline_bot(settings, FakeEngine()) as bot:
        bot.tg.chat(ADMIN + 1)
        await admin.notify_admins(bot.app.bot, {ADMIN, ADMIN + 1, ADMIN + 2}, problems)
    for chat_id in (ADMIN, ADMIN + 1):
        sent = bot.tg.sent_to(chat_id)
        assert len(sent) > 1 and all(len(m["text"]) <= 4096 for m in sent)
        assert "\n".join(m["text"] for m in sent) == problems
        assert all(m["parse_mode"] is None for m in sent)
    assert [c.outcome for c in bot.tg.calls_to("sendMessage")][-1] == "error 400"  # unknown chat


async def test_reload_without_a_live_engine_says_so(settings: Settings) -> None:
    async with offline_bot(settings, FakeEngine()) as bot:
        bot.tg.send_text(ADMIN, "/reload")
        await bot.deliver()
    assert bot.tg.sent_to(ADMIN)[0]["text"].startswith("Live reload is off")


async def test_start_up_sets_menus_and_a_broken_edit_reaches_every_admin(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    knowledge = copy_knowledge(settings)
    live = LiveEngine.load(knowledge, settle_seconds=0)
    unknown_admin = 9002  # has never opened the chat: Telegram cannot reach it
    settings = replace(settings, admin_chat_ids=frozenset({ADMIN, unknown_admin}))
    (knowledge / "topics" / "cost.yaml").write_text("id: cost\ntitle: [oops\n", encoding="utf-8")
    closed: list[bool] = []

    class ClosingStore(NullStore):
        def close(self) -> None:
            closed.append(True)

    async with offline_bot(settings, live, ClosingStore()) as bot:
        with caplog.at_level(logging.WARNING):
            await bot.app.post_init(bot.app)  # the watcher's first look is at once
            await bot.tg.wait_for(lambda: bool(bot.tg.sent_to(ADMIN)), timeout=10)
        watcher = bot.app.bot_data.watcher
        assert watcher is not None
        await bot.app.post_stop(bot.app)
        assert watcher.cancelled()
        bot.tg.send_text(PATIENT, "how many sessions will i need")
        await bot.deliver()
        await bot.app.post_shutdown(bot.app)

    public = [c["command"] for c in bot.tg.commands]
    assert public == ["start", "topics", "book", "about", "help", "privacy", "forget"]
    admin_menu = [c["command"] for c in bot.tg.chat_commands[ADMIN]]
    assert admin_menu == [
        *public,
        "stats",
        "unanswered",
        "reload",
        "undo",
        "changes",
        "export",
        "report",
    ]
    assert "admin command menu in chat 9002" in caplog.text
    (report,) = bot.tg.sent_to(ADMIN)
    assert report["parse_mode"] is None
    assert "NOT loaded" in report["text"] and "cost.yaml" in report["text"]
    assert live.version == 1
    assert "1 to 2 weeks" in bot.tg.sent_to(PATIENT)[0]["text"]  # the last good answer
    assert closed == [True]


# -- privacy --------------------------------------------------------------------------------


async def test_privacy_says_what_is_kept_and_for_how_long(settings: Settings) -> None:
    async with offline_bot(settings, FakeEngine()) as bot:
        bot.tg.send_text(PATIENT, "/privacy")
        await bot.deliver()
    (notice,) = bot.tg.sent_to(PATIENT)
    assert "45 days" in notice["text"] and "/forget" in notice["text"]
    assert notice["parse_mode"] == "HTML"


async def test_forget_removes_everything_of_that_chat_and_nothing_of_others(
    settings: Settings, store: Store
) -> None:
    async with offline_bot(settings, FakeEngine(), store) as bot:
        tg = bot.tg
        for chat_id in (PATIENT, OTHER_PATIENT):
            tg.send_text(chat_id, "how many sessions")
            tg.send_text(chat_id, "maybe needles?")
            tg.send_text(chat_id, "maybe moxa?")
        await bot.deliver()
        for chat_id in (PATIENT, OTHER_PATIENT):
            tg.press(tg.sent_to(chat_id)[0], "feedback:how-many-sessions:yes")
        await bot.deliver()
        tg.send_text(PATIENT, "/forget")
        tg.send_text(PATIENT, "/forget")
        await bot.deliver()
        confirmations = [m["text"] for m in tg.sent_to(PATIENT)[-2:]]

    # Two unanswered questions, one feedback tap, one sent answer's id; then nothing.
    assert confirmations == ["Done: 4 deleted.", "Done: 0 deleted."]
    for table in ("unanswered_messages", "feedback", "sent_answers"):
        keys = [k for (k,) in rows(settings, f"SELECT chat_key FROM {table}")]
        assert chat_key(PATIENT) not in keys
        assert keys.count(chat_key(OTHER_PATIENT)) == (2 if table == "unanswered_messages" else 1)


async def test_forget_when_the_database_fails_is_a_kind_message(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    class LockedStore(NullStore):
        def forget(self, chat_id: int) -> int:
            raise StoreError("could not delete the chat's rows from x.sqlite3: database is locked")

    engine = FakeEngine()
    async with offline_bot(settings, engine, LockedStore()) as bot:
        bot.tg.send_text(PATIENT, "/forget")
        with caplog.at_level(logging.ERROR):
            await bot.deliver()
    assert [m["text"] for m in bot.tg.sent_to(PATIENT)] == [
        "Sorry, could not delete. Try /forget again."
    ]
    assert "database is locked" in caplog.text
    assert all(r.exc_info is None for r in caplog.records)  # one line, no traceback


# -- no database ----------------------------------------------------------------------------


async def test_a_store_that_cannot_open_leaves_patients_answered(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    settings = replace(settings, database_path=tmp_path / "a-file" / "clinic.sqlite3")
    with caplog.at_level(logging.ERROR):
        store = open_store(settings)
    assert not store.available and "Storage is OFF" in caplog.text
    engine = FakeEngine()
    async with offline_bot(settings, engine, store) as bot:
        tg = bot.tg
        tg.send_text(PATIENT, "how many sessions")
        await bot.deliver()
        tg.press(tg.sent_to(PATIENT)[0], "feedback:how-many-sessions:no")
        tg.send_text(PATIENT, "/forget")
        tg.send_text(ADMIN, "/stats")
        await bot.deliver()
    texts = [m["text"] for m in tg.sent_to(PATIENT)]
    assert texts[0] == "engine-1 heard: how many sessions"
    assert texts[-2] == "Sorry that did not help. Ask the clinic."  # still handed off
    assert texts[-1] == "Done: 0 deleted."
    assert "Storage is off: " in tg.sent_to(ADMIN)[0]["text"]
    assert [c for c in tg.calls if c.outcome != "ok"] == []
