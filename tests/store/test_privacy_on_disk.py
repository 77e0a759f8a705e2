"""What the store leaves on disk: private modes whatever the umask, nothing of a forgotten
chat in any file, and one bad row never costing another patient's."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.reply import Kind, Reply
from bot.store import ChatKeys, SentAnswer, SQLiteStore, open_store
from bot.store import sqlite as store_sqlite

SECRET = b"a-test-secret-that-is-long-enough"
FALLBACK = Reply(Kind.FALLBACK, "Sorry.", score=12)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def every_file(folder: Path) -> Iterator[Path]:
    return (p for p in folder.rglob("*") if p.is_file())


def all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in every_file(folder))


@pytest.fixture
def umask() -> Iterator[callable]:
    """Set the process umask for one test, restoring it afterwards."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield os.umask
    os.umask(previous)


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o002])
def test_data_folder_is_0700_and_every_database_file_0600_whatever_the_umask(
    tmp_path: Path, umask, mask: int
) -> None:
    umask(mask)
    data = tmp_path / "data"
    settings = Settings(data_dir=data, database_path=data / "clinic-bot.sqlite3")
    store = open_store(settings)
    assert store.available
    store.record(5, "is there parking", FALLBACK)
    files = {p.name: mode(p) for p in every_file(data)}
    assert set(files) >= {
        "clinic-bot.sqlite3",
        "clinic-bot.sqlite3-wal",
        "clinic-bot.sqlite3-shm",
        "chat-key.secret",
    }
    assert files == dict.fromkeys(files, 0o600)
    assert mode(data) == 0o700
    store.close()


def test_files_left_readable_by_an_older_version_are_tightened_on_open(
    tmp_path: Path, umask
) -> None:
    umask(0o000)
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    path = data / "clinic-bot.sqlite3"
    old = sqlite3.connect(path)  # created 0644/0666 the way the old version did
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE t (x)")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").chmod(0o666)
    old.close()
    (data / "chat-key.secret").write_text("f" * 64)
    (data / "chat-key.secret").chmod(0o644)
    data.chmod(0o755)

    store = open_store(Settings(data_dir=data, database_path=path))
    assert store.available
    assert mode(data) == 0o700
    assert {p.name: mode(p) for p in every_file(data)} == dict.fromkeys(
        [p.name for p in every_file(data)], 0o600
    )
    store.close()


def test_after_forget_no_byte_of_that_chats_words_is_left_in_any_file(tmp_path: Path) -> None:
    """The bot stays running and quiet after /forget: the -wal must not keep the words."""
    data = tmp_path / "data"
    store = open_store(Settings(data_dir=data, database_path=data / "clinic-bot.sqlite3"))
    forgotten = [f"zanzibar{n} quokkaback" for n in range(40)]
    kept = [f"marmalade{n} otterspine" for n in range(40)]
    for mine, theirs in zip(forgotten, kept, strict=True):
        store.record(1001, mine, FALLBACK)
        store.record(2002, theirs, FALLBACK)
    store.remember_answers([SentAnswer(1001, 77, "cost")])
    assert store.record_feedback(1001, "cost", helpful=False, answer_ref="77")
    assert b"quokkaback" in all_bytes(data)  # the search does see stored words

    assert store.forget(1001) == 42
    on_disk = all_bytes(data)
    assert b"quokkaback" not in on_disk and b"zanzibar" not in on_disk
    assert ChatKeys(store_chat_secret(data)).key(1001).encode() not in on_disk
    assert b"otterspine" in on_disk  # the other patient's questions stay
    store.close()
    assert b"quokkaback" not in all_bytes(data)


def store_chat_secret(data: Path) -> bytes:
    return (data / "chat-key.secret").read_text().strip().encode()


def test_a_lone_surrogate_in_one_message_costs_no_other_row(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite3", chat_keys=ChatKeys(SECRET))
    batch = [(n, f"question {n} about parking", FALLBACK) for n in range(8)]
    batch[3] = (3, "broken \ud83d emoji question", FALLBACK)
    store.record_many(batch)
    texts = [row.text for row in store.unanswered(1)]
    assert len(texts) == 8
    assert "broken ? emoji question" in texts
    assert store.stats(1).outcomes == {"fallback": 8}
    store.close()


def test_a_row_the_database_refuses_is_dropped_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite3", chat_keys=ChatKeys(SECRET))
    real = store_sqlite.stored_text

    def refuse_one(text: str) -> str:
        if "poison" in text:
            raise sqlite3.DataError("this row cannot be stored")
        return real(text)

    monkeypatch.setattr(store_sqlite, "stored_text", refuse_one)
    batch = [(n, f"question {n}", FALLBACK) for n in range(7)] + [(7, "poison", FALLBACK)]
    store.record_many(batch, [SentAnswer(1, 10, "cost")])
    assert sorted(row.text for row in store.unanswered(1)) == [f"question {n}" for n in range(7)]
    assert store.answer_was_sent(1, 10, "cost")
    assert "record 1 of 9 rows" in caplog.text and "poison" not in caplog.text
    store.close()


def test_a_database_that_refuses_everything_is_not_retried_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A locked or full database fails every row alike: one attempt, one log line, so the
    event loop is not held for a busy timeout per row."""
    store = SQLiteStore(tmp_path / "db.sqlite3", chat_keys=ChatKeys(SECRET))
    attempts = []

    def locked(*args: object) -> None:
        attempts.append(args)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "_write_batch", locked)
    store.record_many([(n, f"question {n}", FALLBACK) for n in range(20)])
    assert len(attempts) == 1
    assert "Could not record 20 messages" in caplog.text
    store.close()
