"""The handled-update ids: numbers only, known across a reopen, gone after 48 hours."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import HANDLED_UPDATE_TTL, MIGRATIONS, ChatKeys, NullStore, SQLiteStore

SECRET = b"a-test-secret-that-is-long-enough"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def open_at(path: Path, clock: Clock) -> SQLiteStore:
    return SQLiteStore(path, chat_keys=ChatKeys(SECRET), clock=clock)


def test_handled_ids_are_known_after_a_reopen_and_only_those(tmp_path: Path) -> None:
    path, clock = tmp_path / "bot.sqlite3", Clock()
    store = open_at(path, clock)
    store.mark_updates_handled([500_001, 500_002])
    store.mark_updates_handled([500_002, 500_003])  # a repeat is harmless
    store.close()

    store = open_at(path, clock)  # the restart after a crash
    try:
        assert store.handled_updates([500_001, 500_003, 500_004]) == {500_001, 500_003}
        assert store.handled_updates([]) == set()
    finally:
        store.close()


def test_only_numbers_are_kept(tmp_path: Path) -> None:
    path, clock = tmp_path / "bot.sqlite3", Clock()
    store = open_at(path, clock)
    store.mark_updates_handled([500_001])
    store.close()
    conn = sqlite3.connect(path)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(handled_updates)")]
        rows = conn.execute("SELECT * FROM handled_updates").fetchall()
    finally:
        conn.close()
    assert columns == ["update_id", "at"]
    assert rows == [(500_001, "2026-03-20T12:00:00Z")]


def test_handled_ids_expire_after_48_hours(tmp_path: Path) -> None:
    clock = Clock()
    store = open_at(tmp_path / "bot.sqlite3", clock)
    try:
        store.mark_updates_handled([1])
        clock.now += timedelta(hours=47)
        store.mark_updates_handled([2])
        assert store.handled_updates([1, 2]) == {1, 2}  # Telegram may still redeliver 1
        clock.now += timedelta(hours=2)  # 1 is now 49 hours old
        store.mark_updates_handled([3])
        assert store.handled_updates([1, 2, 3]) == {2, 3}
    finally:
        store.close()
    assert timedelta(hours=24) < HANDLED_UPDATE_TTL <= timedelta(hours=72)


def test_a_version_2_database_is_upgraded_and_remembers_handled_ids(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for version, script in enumerate(MIGRATIONS[:2], start=1):
        conn.executescript(f"{script}\nPRAGMA user_version = {version};")
    conn.close()
    store = open_at(path, Clock())
    try:
        assert store.schema_version >= 3
        store.mark_updates_handled([7])
        assert store.handled_updates([7]) == {7}
    finally:
        store.close()


def test_a_broken_database_counts_every_update_as_new(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Answering twice beats not answering: a read failure never skips an update."""
    store = open_at(tmp_path / "bot.sqlite3", Clock())
    store.mark_updates_handled([1])
    store._conn.execute("DROP TABLE handled_updates")  # as if the file were damaged
    try:
        assert store.handled_updates([1]) == set()
        store.mark_updates_handled([2])  # logged, not raised
    finally:
        store.close()
    assert "handled" in caplog.text


def test_the_null_store_remembers_nothing() -> None:
    store = NullStore()
    store.mark_updates_handled([1])
    assert store.handled_updates([1]) == set()
