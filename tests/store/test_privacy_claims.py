"""Every sentence of the /privacy text patients read, checked against the bytes on disk.

The notice is read from the shipped knowledge (knowledge/clinic.yaml) and cut into its
sentences; each sentence must be claimed by exactly one check below, so a new promise
without a check fails this test. The run: the real Engine answers realistic messages from
four patients (names, phones, e-mails, @handles, an emergency, answered and unanswered
questions, feedback taps) and the store records them as the bot does; then the files are
read raw, as someone with a copy of the data folder would.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sqlite3
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.conversation import Engine
from bot.core.loader import check_knowledge
from bot.core.markup import to_plain
from bot.core.reply import Kind
from bot.practitioner.knowledge_edits import EditRefused, KnowledgeEditor
from bot.store import HANDLED_UPDATE_TTL, SentAnswer, SQLiteStore, open_store
from bot.store.masking import stored_text

RETENTION_DAYS = 30
START = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)

# chat id -> messages; names, phones, e-mails and handles are what must never be stored.
CONVERSATIONS = {
    7340055501: [
        "Hi, my name is Zebulon Quaritch, do you take insurance? ring 07700 900123",
        "how many sessions will I need",
        "do you do home visits? Thanks, Zebulon",
    ],
    7340055502: [
        "I'm Philippa, is there parking near the clinic? philippa.t@example.com",
        "where do the needles go",
        "I have numbness between my legs and cant control my bladder since yesterday",
    ],
    7340055503: [
        "can i bring my dog to the appointment - Priya Ramaswamy @priya_ram",
        "acupuncture for my wrist?",
        "is acupuncture good for back pain",
    ],
    7340055504: [  # the patient who sends /forget
        "this is Oluwaseun, is the ptarmigan room wheelchair friendly? +44 7700 900456",
        "does the clinic sell gooseberry liniment?",
        "how often shud i come",
    ],
}
FORGETTER = 7340055504
NEVER_STORED = (
    "Zebulon", "Quaritch", "Philippa", "Priya", "Ramaswamy", "Oluwaseun", "priya_ram",
    "07700 900123", "07700900123", "900123", "900456", "philippa.t@example.com",
    "example.com",
)  # fmt: skip
URGENT_WORDS = ("numbness between my legs", "bladder")
ANSWERED_WORDS = ("how many sessions", "where do the needles", "good for back pain", "shud")
FORGOTTEN_WORDS = ("ptarmigan", "gooseberry", "liniment", "wheelchair")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Run:
    """The data folder after the realistic run, and what happened in it."""

    data: Path
    database: Path
    store: SQLiteStore
    clock: Clock
    engine: Engine
    kinds: dict[str, Kind] = field(default_factory=dict)
    update_ids: list[int] = field(default_factory=list)

    def raw(self) -> bytes:
        return b"".join(p.read_bytes() for p in self.data.rglob("*") if p.is_file())

    def rows(self, sql: str) -> list[tuple]:
        conn = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    engine = Engine.from_directory(DEFAULT_KNOWLEDGE_DIR)
    data = tmp_path / "data"
    settings = Settings(
        data_dir=data, database_path=data / "clinic-bot.sqlite3", retention_days=RETENTION_DAYS
    )
    clock = Clock()
    store = open_store(settings, clock=clock)
    assert isinstance(store, SQLiteStore)
    result = Run(data, settings.database_path, store, clock, engine)
    message_id = 100
    for chat_id, messages in CONVERSATIONS.items():
        for text in messages:
            update_id = 880_000 + message_id  # Telegram's number of the patient's message
            reply = engine.respond(text)
            result.kinds[text] = reply.kind
            message_id += 2
            sent = (
                [SentAnswer(chat_id, message_id, reply.topic_id)]
                if reply.kind is Kind.ANSWER and reply.topic_id
                else []
            )
            store.record_many([(chat_id, text, reply)], sent)
            if sent:
                assert store.record_feedback(chat_id, reply.topic_id, True, str(message_id))
            store.mark_updates_handled([update_id])  # as the bot does once it has answered
            result.update_ids.append(update_id)
            clock.now += timedelta(minutes=3)
    yield result
    store.close()


# -- the checks, one per claim --------------------------------------------------------------


def keeps_only_what_the_report_needs(run: Run) -> None:
    """The tables and columns are exactly these: nothing else can be kept."""
    tables = {
        name: [c[1] for c in run.rows(f"PRAGMA table_info({name})")]
        for (name,) in run.rows("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert tables == {
        "meta": ["key", "value"],
        "unanswered_messages": ["id", "at", "chat_key", "kind", "text", "score", "candidates"],
        "feedback": ["id", "at", "chat_key", "topic_id", "helpful", "answer_ref"],
        "daily_answers": ["day", "topic_id", "count"],
        "daily_outcomes": ["day", "kind", "count"],
        "sent_answers": ["chat_key", "message_id", "topic_id", "at"],
        # Groups the practitioner tapped "Ignore" on: one-way fingerprints and when, no words.
        "ignored_unanswered": ["key", "at"],
        # Telegram's number of each handled message, for two days: no words, no chat.
        "handled_updates": ["update_id", "at"],
    }
    assert {k for (k,) in run.rows("SELECT key FROM meta")} <= {"opened_at", "last_purge"}


def unanswered_questions_are_kept_masked(run: Run) -> None:
    unanswered = [t for t, k in run.kinds.items() if k in (Kind.SUGGEST, Kind.FALLBACK)]
    assert len(unanswered) >= 5
    stored = [text for (text,) in run.rows("SELECT text FROM unanswered_messages ORDER BY id")]
    assert len(stored) == len(unanswered)
    assert "[name]" in " ".join(stored) and "[number]" in " ".join(stored)
    assert "[email]" in " ".join(stored) and "[username]" in " ".join(stored)
    assert any("insurance" in text for text in stored)  # the question itself is kept
    rows = run.rows("SELECT at, candidates FROM unanswered_messages")
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", at) for at, _ in rows)
    raw = run.raw()
    for needle in NEVER_STORED:
        assert needle.encode() not in raw, needle


def feedback_keeps_yes_or_no_and_answer_numbers_only(run: Run) -> None:
    answered = sum(1 for k in run.kinds.values() if k is Kind.ANSWER)
    assert run.rows("SELECT COUNT(*), SUM(helpful) FROM feedback") == [(answered, answered)]
    sent = run.rows("SELECT message_id, topic_id FROM sent_answers")
    assert len(sent) == answered and all(isinstance(mid, int) for mid, _ in sent)
    topics = {t.id for t in run.engine.knowledge.topics}
    assert {topic for _, topic in sent} <= topics
    # Only its own answers can be rated: a tap under any other message is not kept.
    assert not run.store.record_feedback(7340055501, "cost", False, "999999")


def everything_else_is_only_counted(run: Run) -> None:
    raw = run.raw()
    for words in ANSWERED_WORDS:
        assert words.encode() not in raw, words
    counted = sum(n for (n,) in run.rows("SELECT count FROM daily_outcomes"))
    assert counted == sum(len(m) for m in CONVERSATIONS.values())
    answers = sum(n for (n,) in run.rows("SELECT count FROM daily_answers"))
    assert answers == sum(1 for k in run.kinds.values() if k is Kind.ANSWER)


def urgent_messages_are_only_counted(run: Run) -> None:
    urgent = sum(1 for k in run.kinds.values() if k is Kind.URGENT)
    assert urgent >= 1
    assert run.rows("SELECT count FROM daily_outcomes WHERE kind = 'urgent'") == [(urgent,)]
    raw = run.raw()
    for words in URGENT_WORDS:
        assert words.encode() not in raw, words


def no_name_username_phone_or_telegram_id(run: Run) -> None:
    raw = run.raw()
    for chat_id in CONVERSATIONS:
        for form in (str(chat_id), str(chat_id).encode("utf-16-le").decode("latin-1")):
            assert form.encode("latin-1") not in raw, chat_id
        assert chat_id.to_bytes(8, "big", signed=True) not in raw  # not even as an integer
    keys = {k for (k,) in run.rows("SELECT chat_key FROM unanswered_messages")}
    assert len(keys) == len(CONVERSATIONS) and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)
    secret = run.data / "chat-key.secret"  # the only way back from a code to a chat
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(run.data.stat().st_mode) == 0o700


def typed_names_are_masked_when_recognised_phones_and_emails_always(run: Run) -> None:
    raw = run.raw()
    for needle in NEVER_STORED:  # "my name is", "I'm", "this is", "Thanks, ...", "- Priya"
        assert needle.encode() not in raw, needle
    # Phone numbers and e-mails wherever they stand, in any common spelling.
    for typed in (
        "07700900123 is my mobile, do you do weekends",
        "do you do weekends (+44) 7700-900-123",
        "do you do weekends 07700.900.123 or JO.SMITH+clinic@Example.co.uk",
    ):
        stored = stored_text(typed)
        assert not re.search(r"\d{3}", stored) and "@" not in stored, stored
        assert "weekends" in stored


def added_questions_reach_the_knowledge_without_personal_details(run: Run) -> None:
    """The clinic's "Add to" and "Not on the page" on every stored question: the knowledge
    folder, its history and its export hold the questions' words, never a name, number,
    e-mail or mask; nothing of it is in the data folder, so retention and /forget do not
    apply to it (the notice says so)."""
    knowledge = run.data.parent / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    editor = KnowledgeEditor(knowledge, clock=run.clock)
    questions = [row.text for row in run.store.unanswered(RETENTION_DAYS)]
    assert any("[name]" in q for q in questions)
    for question in questions:  # one at a time, as groups of one would be
        with contextlib.suppress(EditRefused):  # nothing usable in it: nothing written
            editor.add_phrasings("booking", [question], "admin")
        with contextlib.suppress(EditRefused):
            editor.add_to_gap([question], "admin")
    written = b"".join(p.read_bytes() for p in knowledge.rglob("*") if p.is_file())
    written += editor.export_zip()
    with zipfile.ZipFile(io.BytesIO(editor.export_zip())) as archive:
        written += b"".join(archive.read(name) for name in archive.namelist())
    assert b"insurance" in written and b"ptarmigan" in written  # the questions were taught
    shipped = b"".join(p.read_bytes() for p in DEFAULT_KNOWLEDGE_DIR.rglob("*") if p.is_file())
    for needle in (*NEVER_STORED, "[name]", "[number]", "[email]", "[username]"):
        if needle.encode() not in shipped:  # "example.com" is the clinic's own address
            assert needle.encode() not in written, needle


def message_numbers_only_and_for_two_days(run: Run) -> None:
    rows = run.rows("SELECT update_id, at FROM handled_updates ORDER BY update_id")
    assert [update_id for update_id, _ in rows] == sorted(run.update_ids)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", at) for _, at in rows)
    assert not set(run.update_ids) & set(CONVERSATIONS)  # numbers of messages, not of people
    # Two days after the last one, none is left (removed as the bot keeps answering).
    run.clock.now += HANDLED_UPDATE_TTL + timedelta(hours=1)
    run.store.mark_updates_handled([990_001])
    assert run.rows("SELECT update_id FROM handled_updates") == [(990_001,)]


def deleted_after_the_retention_period(run: Run) -> None:
    old_words = b"insurance"
    assert old_words in run.raw()
    # An hour past the period: every message, tap and sent answer of that morning is gone.
    run.clock.now = START + timedelta(days=RETENTION_DAYS, hours=1)
    assert run.store.purge_expired() > 0
    for table in ("unanswered_messages", "feedback", "sent_answers"):
        assert run.rows(f"SELECT COUNT(*) FROM {table}") == [(0,)], table
    assert old_words not in run.raw()
    # The daily counts (no words, no chat) go with the day they count, the day after.
    run.clock.now = START + timedelta(days=RETENTION_DAYS + 1)
    run.store.purge_expired()
    for table in ("daily_outcomes", "daily_answers"):
        assert run.rows(f"SELECT COUNT(*) FROM {table}") == [(0,)], table


def forget_removes_everything_of_that_chat(run: Run) -> None:
    key = run.store._key(FORGETTER).encode()
    assert key in run.raw() and b"ptarmigan" in run.raw()
    assert run.store.forget(FORGETTER) > 0
    raw = run.raw()  # the bot still running: the -wal file too
    assert key not in raw
    for words in FORGOTTEN_WORDS:
        assert words.encode() not in raw, words
    assert b"insurance" in raw  # the other patients' questions stay


@dataclass(frozen=True)
class Claim:
    """A phrase of the notice and the check that makes it true."""

    phrase: str
    check: Callable[[Run], None]


CLAIMS = (
    Claim("keeps as little as it can", keeps_only_what_the_report_needs),
    Claim("keeps the question you typed", unanswered_questions_are_kept_masked),
    Claim("it keeps your yes or no", feedback_keeps_yes_or_no_and_answer_numbers_only),
    Claim("it only counts how many questions", everything_else_is_only_counted),
    Claim("urgent symptoms are only counted", urgent_messages_are_only_counted),
    Claim("the number Telegram gives each message", message_numbers_only_and_for_two_days),
    Claim("never stores your Telegram name", no_name_username_phone_or_telegram_id),
    Claim(
        "masked when it recognises them",
        typed_names_are_masked_when_recognised_phones_and_emails_always,
    ),
    Claim(
        "chooses to add a question you typed",
        added_questions_reach_the_knowledge_without_personal_details,
    ),
    Claim("deleted automatically after", deleted_after_the_retention_period),
    Claim("send /forget", forget_removes_everything_of_that_chat),
)


def notice_sentences(engine: Engine) -> list[str]:
    """The /privacy text as patients read it, one sentence (or bullet) per item."""
    text = to_plain(engine.privacy(RETENTION_DAYS).text)
    parts = re.split(r"(?<=[.!?])\s+|\n+|•", text)
    return [p.strip() for p in parts if p.strip() and p.strip() != "Your privacy"]


def test_every_sentence_of_the_notice_is_claimed_by_exactly_one_check() -> None:
    engine = Engine.from_directory(DEFAULT_KNOWLEDGE_DIR)
    sentences = notice_sentences(engine)
    assert len(sentences) == len(CLAIMS)
    for sentence in sentences:
        claims = [c.check.__name__ for c in CLAIMS if c.phrase in sentence]
        assert len(claims) == 1, f"a promise needs exactly one check: {sentence!r} {claims}"
    assert f"deleted automatically after {RETENTION_DAYS} days" in " ".join(sentences)


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.check.__name__ for c in CLAIMS])
def test_each_claim_holds_on_disk_after_a_realistic_run(run: Run, claim: Claim) -> None:
    claim.check(run)


def test_the_knowledge_check_refuses_a_notice_without_the_retention_period_or_forget(
    tmp_path: Path,
) -> None:
    """The practitioner may reword the notice, but not drop the real retention period (it
    comes from RETENTION_DAYS) or the way to delete."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    clinic = knowledge / "clinic.yaml"
    original = clinic.read_text(encoding="utf-8")
    clinic.write_text(
        original.replace("<b>{retention_days} days</b>", "<b>90 days</b>").replace(
            "send /forget", "ask us"
        ),
        encoding="utf-8",
    )
    problems = [str(p) for p in check_knowledge(knowledge)]
    assert any("message 'privacy' must contain {retention_days}" in p for p in problems)
    assert any("message 'privacy' must contain /forget" in p for p in problems)
    assert all(p.startswith(str(clinic)) for p in problems)
