"""The store: what is kept, what never is, migrations, retention, forget, crashes, failures."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.reply import Kind, Reply
from bot.store import (
    MAX_TEXT_CHARS,
    MIGRATIONS,
    SCHEMA_VERSION,
    ChatKeys,
    NullStore,
    SentAnswer,
    SQLiteStore,
    StoreError,
    load_chat_key_secret,
    mask_personal_details,
    open_store,
)

SECRET = b"a-test-secret-that-is-long-enough"
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fallback(score: int = 20) -> Reply:
    return Reply(Kind.FALLBACK, "Sorry, I don't know.", score=score)


def suggest(*topics: str, score: int = 55) -> Reply:
    return Reply(Kind.SUGGEST, "Did you mean?", score=score, suggestions=topics)


def answer(topic: str) -> Reply:
    return Reply(Kind.ANSWER, "The answer.", topic_id=topic, score=90)


URGENT = Reply(Kind.URGENT, "Call 999 now.", score=100)
SMALLTALK = Reply(Kind.SMALLTALK, "Hello!", score=90)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> SQLiteStore:
    opened = SQLiteStore(tmp_path / "bot.sqlite3", chat_keys=ChatKeys(SECRET), clock=clock)
    yield opened
    opened.close()


def table_rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --- what is recorded -------------------------------------------------------------------------


def test_suggest_and_fallback_keep_the_text_others_only_counts(store: SQLiteStore) -> None:
    store.record(11, "how much is parking", fallback(12))
    store.record(11, "how often shud i come", suggest("how-many-sessions", "booking", score=58))
    store.record(12, "how many sessions will i need", answer("how-many-sessions"))
    store.record(12, "hurt my back falling off a ladder, numb legs", URGENT)
    store.record(13, "hello", SMALLTALK)

    rows = store.unanswered(7)
    assert [(r.kind, r.text, r.score, r.candidates) for r in rows] == [
        ("fallback", "how much is parking", 12, ()),
        ("suggest", "how often shud i come", 58, ("how-many-sessions", "booking")),
    ]
    assert rows[0].at == NOW
    stats = store.stats(7)
    assert dict(stats.outcomes) == {
        "answer": 1,
        "fallback": 1,
        "smalltalk": 1,
        "suggest": 1,
        "urgent": 1,
    }
    assert stats.urgent == 1 and stats.unanswered == 2 and stats.total_messages == 5
    assert stats.answers_by_topic == (("how-many-sessions", 1),)
    texts = {r[0] for r in table_rows(store.path, "SELECT text FROM unanswered_messages")}
    assert texts == {"how much is parking", "how often shud i come"}


def test_record_many_is_one_transaction_with_the_same_rows_as_one_by_one(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = [
        (11, "how much is parking", fallback(12)),
        (12, "how many sessions will i need", answer("how-many-sessions")),
        (12, "numb legs", URGENT),
    ]
    begun = []
    real_transaction = store._transaction

    def counting_transaction():  # type: ignore[no-untyped-def]
        begun.append(1)
        return real_transaction()

    monkeypatch.setattr(store, "_transaction", counting_transaction)
    store.record_many(messages)
    assert len(begun) == 1  # one commit, one disk sync, for the whole batch
    stats = store.stats(7)
    assert dict(stats.outcomes) == {"answer": 1, "fallback": 1, "urgent": 1}
    assert [r.text for r in store.unanswered(7)] == ["how much is parking"]
    NullStore().record_many(messages)  # keeps nothing, raises nothing


def test_record_many_adds_repeated_outcomes_to_the_counts_already_kept(
    store: SQLiteStore,
) -> None:
    store.record(10, "how many sessions will i need", answer("how-many-sessions"))
    batch = [
        (11, "how many sessions", answer("how-many-sessions")),
        (12, "sessions how many", answer("how-many-sessions")),
        (13, "what is moxa", answer("moxibustion")),
        (14, "how much is parking", fallback(12)),
        (15, "where do u park", fallback(20)),
        (16, "numb legs", URGENT),
    ]
    store.record_many(batch)
    stats = store.stats(7)
    assert dict(stats.outcomes) == {"answer": 4, "fallback": 2, "urgent": 1}
    assert dict(stats.answers_by_topic) == {"how-many-sessions": 3, "moxibustion": 1}
    assert sorted(r.text for r in store.unanswered(7)) == [
        "how much is parking",
        "where do u park",
    ]


def test_urgent_messages_leave_only_a_daily_count(store: SQLiteStore) -> None:
    store.record(21, "i cant feel anything when i wipe and wet myself", URGENT)
    store.record(22, "fell off a ladder and my back is agony", URGENT)
    dump = "\n".join(sqlite3.connect(store.path).iterdump())
    assert "wipe" not in dump and "ladder" not in dump
    assert store.stats(1).urgent == 2
    assert table_rows(store.path, "SELECT day, kind, count FROM daily_outcomes") == [
        ("2026-03-20", "urgent", 2)
    ]


def test_answer_counts_are_per_topic_per_day_without_text_or_chat(
    store: SQLiteStore, clock: Clock
) -> None:
    store.record(31, "how many sessions", answer("how-many-sessions"))
    store.record(32, "how many sessions?", answer("how-many-sessions"))
    clock.now += timedelta(days=1)
    store.record(31, "where do needles go", answer("where-needles-go"))
    rows = table_rows(store.path, "SELECT * FROM daily_answers ORDER BY day, topic_id")
    assert rows == [
        ("2026-03-20", "how-many-sessions", 2),
        ("2026-03-21", "where-needles-go", 1),
    ]
    columns = [c[1] for c in table_rows(store.path, "PRAGMA table_info(daily_answers)")]
    assert columns == ["day", "topic_id", "count"]
    assert store.stats(7).answers_by_topic == (
        ("how-many-sessions", 2),
        ("where-needles-go", 1),
    )
    assert [d.total for d in store.stats(7).days] == [2, 1]


def test_long_text_is_cut_and_personal_details_are_masked(store: SQLiteStore) -> None:
    story = "my back " * 400
    store.record(41, story, fallback())
    store.record(41, "ring me on +44 7700 900123 or mail jo.bloggs@example.com, @jo_b", fallback())
    first, second = (r.text for r in store.unanswered(1))
    assert len(first) == MAX_TEXT_CHARS and first.endswith("…")
    assert second == "ring me on [number] or mail [email], [username]"


def test_masking_keeps_ordinary_numbers() -> None:
    assert mask_personal_details("3 sessions over 2 weeks since 2019") == (
        "3 sessions over 2 weeks since 2019"
    )
    assert mask_personal_details("my number is 07700900123") == "my number is [number]"
    assert mask_personal_details("chat 987654321") == "chat [number]"


# --- feedback -----------------------------------------------------------------------------------


def test_feedback_keeps_the_first_tap_per_answer(store: SQLiteStore) -> None:
    store.remember_answers([SentAnswer(51, 1, "cost"), SentAnswer(51, 2, "cost")])
    store.remember_answers([SentAnswer(52, 1, "cost")])
    assert store.record_feedback(51, "cost", helpful=True, answer_ref="1") is True
    assert store.record_feedback(51, "cost", helpful=False, answer_ref="1") is False
    assert store.record_feedback(51, "cost", helpful=False, answer_ref="2") is True
    assert store.record_feedback(52, "cost", helpful=False, answer_ref="1") is True
    (cost,) = store.stats(7).feedback
    assert (cost.topic_id, cost.helpful, cost.not_helpful) == ("cost", 1, 2)
    assert cost.total == 3 and cost.helpful_share == pytest.approx(1 / 3)


def test_feedback_counts_only_for_answers_sent_to_that_chat_about_that_topic(
    store: SQLiteStore,
) -> None:
    store.record_many(
        [(53, "how many sessions", answer("booking"))], [SentAnswer(53, 7, "booking")]
    )
    assert store.answer_was_sent(53, 7, "booking")
    # Forged or mistaken taps: another chat's answer, a message never sent, another topic,
    # no message id at all.
    assert not store.record_feedback(54, "booking", helpful=False, answer_ref="7")
    assert not store.record_feedback(53, "booking", helpful=False, answer_ref="8")
    assert not store.record_feedback(53, "cost", helpful=False, answer_ref="7")
    assert not store.record_feedback(53, "booking", helpful=False)
    assert not store.answer_was_sent(54, 7, "booking")
    assert store.stats(7).feedback == ()
    assert store.record_feedback(53, "booking", helpful=True, answer_ref="7")
    assert store.stats(7).feedback[0].helpful == 1


def test_sent_answers_keep_only_numbers_and_expire_with_the_rest(
    store: SQLiteStore, clock: Clock
) -> None:
    store.remember_answers([SentAnswer(55, 12, "cost")])
    assert table_rows(store.path, "SELECT * FROM sent_answers") == [
        (ChatKeys(SECRET).key(55), 12, "cost", "2026-03-20T12:00:00Z")
    ]
    clock.now += timedelta(days=store.retention_days + 1)
    assert store.purge_expired() == 1
    assert not store.answer_was_sent(55, 12, "cost")


# --- pseudonymous keys and what never reaches the file ------------------------------------------


def test_chat_keys_are_stable_distinct_and_secret_dependent() -> None:
    keys = ChatKeys(SECRET)
    assert keys.key(987654321) == keys.key(987654321)
    assert keys.key(987654321) != keys.key(987654322)
    assert ChatKeys(b"another-secret-of-enough-length").key(1) != keys.key(1)
    assert "987654321" not in keys.key(987654321)
    assert SECRET.decode() not in repr(keys)


def test_no_chat_id_username_or_name_appears_in_the_database_bytes(tmp_path: Path) -> None:
    # What a Telegram update would carry about this patient: none of it may be written.
    chat_id, username, first_name, last_name = 987654321, "zebedee_patient", "Zebedee", "Quill"
    store = SQLiteStore(tmp_path / "bot.sqlite3", chat_keys=ChatKeys(SECRET))
    store.record(chat_id, "how much is parking", fallback())
    store.record(chat_id, "how often shud i come", suggest("how-many-sessions"))
    store.record(chat_id, f"call me on 07700 900123 or @{username}", fallback())
    store.record(chat_id, "how many sessions", answer("how-many-sessions"))
    store.record(chat_id, "numb down there", URGENT)
    store.record_feedback(chat_id, "how-many-sessions", True, answer_ref="4411")
    store.record(-1001987654321, "group chat question about parking", fallback())

    def database_bytes() -> bytes:
        return b"".join(
            p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("bot.sqlite3")
        )

    forbidden = [
        str(chat_id).encode(),
        str(chat_id).encode("utf-16-le"),
        username.encode(),
        first_name.encode(),
        last_name.encode(),
        b"07700",
        b"900123",
    ]
    assert (tmp_path / "bot.sqlite3-wal").exists(), "check the WAL too, before checkpointing"
    before_close = database_bytes()
    store.close()
    after_close = database_bytes()
    for data in (before_close, after_close):
        assert b"how much is parking" in data  # the search does see stored text
        for needle in forbidden:
            assert needle not in data, needle


def test_the_generated_secret_is_kept_private_and_reused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = load_chat_key_secret("", data)
    path = data / "chat-key.secret"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_chat_key_secret("", data) == first
    assert len(first) >= 32
    assert load_chat_key_secret("from-the-environment", data) == b"from-the-environment"


def test_forget_still_finds_old_rows_after_a_restart(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_path=tmp_path / "data" / "db.sqlite3")
    store = open_store(settings)
    store.record(61, "is there parking", fallback())
    store.close()
    reopened = open_store(settings)
    assert reopened.forget(61) == 1


# --- forget -------------------------------------------------------------------------------------


def test_forget_removes_everything_of_that_chat_and_nothing_of_others(
    store: SQLiteStore,
) -> None:
    for chat in (71, 72):
        store.record(chat, f"parking question from {chat}", fallback())
        store.record(chat, "how often", suggest("how-many-sessions"))
        store.record(chat, "sessions", answer("how-many-sessions"))
        store.remember_answers([SentAnswer(chat, 3, "how-many-sessions")])
        store.record_feedback(chat, "how-many-sessions", True, answer_ref="3")
    key_71 = ChatKeys(SECRET).key(71)

    assert store.forget(71) == 4  # two messages, one feedback tap, one sent answer
    remaining_keys = {
        r[0]
        for r in table_rows(
            store.path,
            "SELECT chat_key FROM unanswered_messages UNION SELECT chat_key FROM feedback",
        )
    }
    assert key_71 not in remaining_keys
    assert remaining_keys == {ChatKeys(SECRET).key(72)}
    assert [r.text for r in store.unanswered(7)] == ["parking question from 72", "how often"]
    assert store.stats(7).feedback[0].total == 1
    assert store.forget(71) == 0
    assert store.stats(7).answers_by_topic == (("how-many-sessions", 2),)  # counts hold no chat


# --- retention ----------------------------------------------------------------------------------


def test_expired_rows_are_purged_on_open_and_daily(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "bot.sqlite3"
    store = SQLiteStore(path, chat_keys=ChatKeys(SECRET), retention_days=30, clock=clock)
    clock.now = NOW - timedelta(days=40)
    store.record(81, "old question", fallback())
    store.record_many([(81, "old", answer("booking"))], [SentAnswer(81, 5, "booking")])
    assert store.record_feedback(81, "booking", True, answer_ref="5")
    clock.now = NOW - timedelta(days=10)
    store.record(82, "recent question", fallback())
    store.close()

    clock.now = NOW
    reopened = SQLiteStore(path, chat_keys=ChatKeys(SECRET), retention_days=30, clock=clock)
    assert [r.text for r in reopened.unanswered(365)] == ["recent question"]
    assert reopened.stats(365).feedback == ()
    assert reopened.stats(365).answers_by_topic == ()
    assert table_rows(path, "SELECT COUNT(*) FROM sent_answers") == [(0,)]
    assert table_rows(path, "SELECT COUNT(*) FROM daily_outcomes") == [(1,)]

    # Running for weeks without a restart: recording purges at most once a day.
    clock.now = NOW + timedelta(days=25)
    reopened.record(83, "much later", fallback())
    assert [r.text for r in reopened.unanswered(365)] == ["much later"]
    reopened.close()


def test_purge_expired_returns_the_number_deleted(store: SQLiteStore, clock: Clock) -> None:
    clock.now = NOW - timedelta(days=100)
    store.record(91, "ancient", fallback())
    clock.now = NOW
    # one message row and one daily outcome row
    assert store.purge_expired(NOW) == 2
    assert store.purge_expired(NOW) == 0


# --- schema migrations --------------------------------------------------------------------------


def test_a_new_database_gets_the_current_schema_in_wal_mode(store: SQLiteStore) -> None:
    assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    assert table_rows(store.path, "PRAGMA journal_mode") == [("wal",)]
    indexes = {
        r[0] for r in table_rows(store.path, "SELECT name FROM sqlite_master WHERE type='index'")
    }
    assert {"unanswered_messages_at", "unanswered_messages_chat", "feedback_chat"} <= indexes


def test_a_version_1_database_is_upgraded_without_losing_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    key = ChatKeys(SECRET).key(101)
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.executescript(
        f"""
        INSERT INTO unanswered_messages (at, chat_key, kind, text, score, candidates)
            VALUES ('2026-03-19T10:00:00Z', '{key}', 'fallback', 'is there parking', 10, ''),
                   ('2026-03-19T11:00:00Z', '{key}', 'suggest', 'how often', 55,
                    'how-many-sessions');
        INSERT INTO feedback (at, chat_key, topic_id, helpful)
            VALUES ('2026-03-19T12:00:00Z', '{key}', 'booking', 1);
        INSERT INTO daily_answers (day, topic_id, count) VALUES ('2026-03-19', 'booking', 4);
        INSERT INTO daily_urgent (day, count) VALUES ('2026-03-19', 2);
        """
    )
    conn.close()

    store = SQLiteStore(path, chat_keys=ChatKeys(SECRET), clock=Clock())
    assert store.schema_version == SCHEMA_VERSION
    assert [r.text for r in store.unanswered(7)] == ["is there parking", "how often"]
    stats = store.stats(7)
    assert dict(stats.outcomes) == {"answer": 4, "fallback": 1, "suggest": 1, "urgent": 2}
    assert stats.feedback[0].helpful == 1
    # Current behaviour works on the upgraded file: a tap on another (sent) answer is kept.
    store.remember_answers([SentAnswer(101, 9, "booking")])
    assert store.record_feedback(101, "booking", False, answer_ref="9")
    tables = {r[0] for r in table_rows(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert "daily_urgent" not in tables
    assert store.forget(101) == 5  # two questions, two taps, one sent answer
    store.close()


def test_a_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this program"):
        SQLiteStore(path, chat_keys=ChatKeys(SECRET))


def test_a_failed_migration_leaves_the_old_version(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "half.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.close()
    broken = (MIGRATIONS[0], MIGRATIONS[1] + "\nTHIS IS NOT SQL;")
    monkeypatch.setattr("bot.store.sqlite.MIGRATIONS", broken)
    with pytest.raises(StoreError):
        SQLiteStore(path, chat_keys=ChatKeys(SECRET))
    assert table_rows(path, "PRAGMA user_version") == [(1,)]
    tables = {r[0] for r in table_rows(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert "daily_outcomes" not in tables and "daily_urgent" in tables


# --- failures never stop the bot ----------------------------------------------------------------


def test_open_store_returns_a_null_store_when_the_folder_cannot_exist(
    tmp_path: Path, caplog
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = Settings(data_dir=blocker / "data", database_path=blocker / "data" / "db.sqlite3")
    store = open_store(settings)
    assert isinstance(store, NullStore) and not store.available
    assert "Storage is OFF" in caplog.text
    store.record(1, "hello", fallback())
    assert store.record_feedback(1, "booking", True) is True
    assert store.forget(1) == 0
    assert store.unanswered(7) == [] and store.stats(7).is_empty


def test_open_store_returns_a_null_store_for_a_corrupt_file(tmp_path: Path, caplog) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not a database at all" * 200)
    store = open_store(Settings(data_dir=tmp_path, database_path=path))
    assert isinstance(store, NullStore)
    assert "db.sqlite3" in caplog.text


def test_a_write_failure_is_logged_not_raised(store: SQLiteStore, caplog) -> None:
    store._conn.execute("DROP TABLE unanswered_messages")  # simulate a broken file
    store.record(1, "is there parking", fallback())  # must not raise
    store.record(1, "is there parking", fallback())
    assert caplog.text.count("keeps answering without recording") == 1  # not flooded
    with pytest.raises(StoreError):
        store.forget(1)


def test_concurrent_writers_in_threads_lose_nothing(store: SQLiteStore) -> None:
    def write(chat: int) -> None:
        for n in range(50):
            store.record(chat, f"question {chat}-{n}", fallback())

    threads = [threading.Thread(target=write, args=(c,)) for c in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.unanswered(1)) == 200


# --- crash safety -------------------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from bot.store import ChatKeys, SQLiteStore
    from bot.core.reply import Kind, Reply

    store = SQLiteStore(Path(sys.argv[1]), chat_keys=ChatKeys(b"a-test-secret-that-is-long-enough"))
    n = 0
    while True:
        store.record(n % 7, f"question number {n}", Reply(Kind.FALLBACK, "x", score=n % 100))
        store.record(n % 7, "answered", Reply(Kind.ANSWER, "x", topic_id="booking", score=90))
        print(n, flush=True)  # after record() returned: committed
        n += 1
    """
)


def test_a_killed_process_loses_no_committed_row_and_leaves_a_readable_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crash.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert writer.stdout is not None
    committed = -1
    try:
        for line in writer.stdout:
            committed = int(line)
            if committed >= 150:
                break
    finally:
        os.kill(writer.pid, signal.SIGKILL)  # mid-write: it is looping as fast as it can
        writer.wait()
    assert committed >= 150, "the writer did not get going"

    assert table_rows(path, "PRAGMA integrity_check") == [("ok",)]
    texts = {r[0] for r in table_rows(path, "SELECT text FROM unanswered_messages")}
    missing = [n for n in range(committed + 1) if f"question number {n}" not in texts]
    assert missing == []
    (answers,) = table_rows(path, "SELECT SUM(count) FROM daily_answers")[0]
    assert answers >= committed + 1
    store = SQLiteStore(path, chat_keys=ChatKeys(SECRET))  # and the bot can open it again
    assert len(store.unanswered(1)) >= committed + 1
    store.close()
