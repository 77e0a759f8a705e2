"""The store: what the bot remembers about conversations, in one SQLite file (stdlib sqlite3).

Patients' messages are health data, so the store keeps as little as answers the practitioner's
question "what did patients ask that the bot could not answer?":

- `suggest` and `fallback` messages: UTC time, a pseudonymous chat key, the text (phone
  numbers, e-mail addresses and @usernames masked; at most `MAX_TEXT_CHARS`), the outcome,
  the score and the best candidate topic ids;
- feedback taps: chat key, topic id, helpful yes/no, one per answer per chat (the first tap
  is kept, later taps on the same answer are ignored, so a double tap cannot skew the count);
- per day, per topic, how many answers were sent, and per day how many messages had each
  outcome. No text and no chat key: `urgent` messages, the most sensitive, exist only as such
  a daily count.

The chat key is HMAC-SHA256(secret, chat id): the same chat always gets the same key (so
`forget` can find its rows) but the key cannot be turned back into a chat id without the
secret. Names, usernames, phone numbers and raw chat ids are never written. Rows older than
the retention period are purged on open and at most once a day while recording.

Callers: `open_store(settings)` never raises; when the database cannot be opened it logs why
and returns a `NullStore`, so patients are always answered. All methods are quick,
synchronous and thread-safe; call them directly from async handlers (or through
`asyncio.to_thread` if you prefer).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.core.reply import Kind, Reply

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1000  # a question is a few lines; longer stories are cut, never stored whole
SECRET_FILE_NAME = "chat-key.secret"
PURGE_EVERY = timedelta(days=1)
_ERROR_LOG_EVERY = timedelta(minutes=10)  # a full disk must not flood the log

# Ordered schema migrations: index i upgrades `PRAGMA user_version` i -> i + 1. Never edit a
# shipped script; append a new one. Each runs in one transaction with its version bump.
MIGRATIONS: tuple[str, ...] = (
    # v1: the first schema.
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    -- Messages the bot could not answer with confidence (suggest / fallback).
    CREATE TABLE unanswered_messages (
        id         INTEGER PRIMARY KEY,
        at         TEXT    NOT NULL,   -- UTC, ISO 8601 "YYYY-MM-DDTHH:MM:SSZ"
        chat_key   TEXT    NOT NULL,   -- HMAC of the chat id, never the id itself
        kind       TEXT    NOT NULL CHECK (kind IN ('suggest', 'fallback')),
        text       TEXT    NOT NULL,
        score      INTEGER NOT NULL,
        candidates TEXT    NOT NULL DEFAULT ''  -- topic ids, best first, space-separated
    );
    CREATE INDEX unanswered_messages_at ON unanswered_messages (at);
    CREATE INDEX unanswered_messages_chat ON unanswered_messages (chat_key);

    CREATE TABLE feedback (
        id       INTEGER PRIMARY KEY,
        at       TEXT    NOT NULL,
        chat_key TEXT    NOT NULL,
        topic_id TEXT    NOT NULL,
        helpful  INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        UNIQUE (chat_key, topic_id)
    );
    CREATE INDEX feedback_at ON feedback (at);

    CREATE TABLE daily_answers (
        day      TEXT    NOT NULL,     -- UTC date "YYYY-MM-DD"
        topic_id TEXT    NOT NULL,
        count    INTEGER NOT NULL,
        PRIMARY KEY (day, topic_id)
    ) WITHOUT ROWID;

    CREATE TABLE daily_urgent (
        day   TEXT    PRIMARY KEY,
        count INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    # v2: feedback is kept per answer (a patient may rate the same topic again another
    # time), and every outcome is counted per day for the report's "outcomes over time";
    # the daily urgent counts move into those outcome counts.
    """
    CREATE TABLE feedback_v2 (
        id         INTEGER PRIMARY KEY,
        at         TEXT    NOT NULL,
        chat_key   TEXT    NOT NULL,
        topic_id   TEXT    NOT NULL,
        helpful    INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        answer_ref TEXT    NOT NULL DEFAULT '',  -- which answer was rated (e.g. message id)
        UNIQUE (chat_key, topic_id, answer_ref)
    );
    INSERT INTO feedback_v2 (id, at, chat_key, topic_id, helpful)
        SELECT id, at, chat_key, topic_id, helpful FROM feedback;
    DROP TABLE feedback;
    ALTER TABLE feedback_v2 RENAME TO feedback;
    CREATE INDEX feedback_at ON feedback (at);
    CREATE INDEX feedback_chat ON feedback (chat_key);

    CREATE TABLE daily_outcomes (
        day   TEXT    NOT NULL,
        kind  TEXT    NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, kind)
    ) WITHOUT ROWID;
    INSERT INTO daily_outcomes (day, kind, count)
        SELECT day, 'answer', SUM(count) FROM daily_answers GROUP BY day;
    INSERT INTO daily_outcomes (day, kind, count)
        SELECT day, 'urgent', count FROM daily_urgent;
    INSERT INTO daily_outcomes (day, kind, count)
        SELECT substr(at, 1, 10), kind, COUNT(*) FROM unanswered_messages GROUP BY 1, 2;
    DROP TABLE daily_urgent;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The database could not be read or written; the message says which file and why."""


def utc_now() -> datetime:
    """The current time in UTC (the store's only clock; tests pass their own)."""
    return datetime.now(UTC)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


# --- pseudonymous chat keys ------------------------------------------------------------------


class ChatKeys:
    """Turns a chat id into its pseudonymous key: HMAC-SHA256(secret, chat id), hex."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the chat-key secret must be at least 16 bytes")
        self._secret = secret

    def __repr__(self) -> str:
        return "ChatKeys(<secret hidden>)"

    def key(self, chat_id: int) -> str:
        """The key stored instead of the chat id."""
        return hmac.new(self._secret, str(int(chat_id)).encode(), hashlib.sha256).hexdigest()


def load_chat_key_secret(configured: str, data_dir: Path) -> bytes:
    """The secret from CHAT_KEY_SECRET, else the one kept in data_dir (created once, mode 0600).

    Keeping the generated secret matters: with a new secret, old rows can no longer be found
    by `forget`, so the file is created once and reused.
    """
    if configured:
        return configured.encode()
    path = data_dir / SECRET_FILE_NAME
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) < 32:
            raise StoreError(f"{path} is too short to be a chat-key secret; delete it") from None
        return secret.encode()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip().encode()


# --- masking what patients type about themselves ---------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{3,}")
# Seven or more digits, possibly split by spaces, dots, dashes, brackets, with a leading +:
# phone numbers and chat ids, but not "2 weeks" or "since 2019".
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s().-]{0,2}\d){6,}")
_SPACES = re.compile(r"\s+")


def mask_personal_details(text: str) -> str:
    """Replace e-mail addresses, @usernames and phone-like numbers; collapse whitespace."""
    text = _EMAIL.sub("[email]", text)
    text = _HANDLE.sub("[username]", text)
    text = _LONG_NUMBER.sub("[number]", text)
    return _SPACES.sub(" ", text).strip()


def stored_text(text: str) -> str:
    """What is written for a message: masked, then cut at MAX_TEXT_CHARS."""
    masked = mask_personal_details(text)
    if len(masked) > MAX_TEXT_CHARS:
        masked = masked[: MAX_TEXT_CHARS - 1] + "…"
    return masked


# --- values read back ------------------------------------------------------------------------


@dataclass(frozen=True)
class UnansweredRow:
    """One `suggest` or `fallback` message, as the report reads it."""

    at: datetime
    kind: str  # "suggest" or "fallback"
    text: str
    score: int
    candidates: tuple[str, ...]  # best candidate topic ids, best first
    asker: str  # the pseudonymous chat key: lets the report count people, not repeats


@dataclass(frozen=True)
class TopicFeedback:
    """Helpful / not helpful taps for one topic."""

    topic_id: str
    helpful: int
    not_helpful: int

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def helpful_share(self) -> float:
        """Share of taps that said helpful, 0.0-1.0 (0.0 when nobody tapped)."""
        return self.helpful / self.total if self.total else 0.0


@dataclass(frozen=True)
class DayOutcomes:
    """How many messages had each outcome on one UTC day."""

    day: date
    counts: Mapping[str, int]  # kind -> count

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Stats:
    """Everything countable over the last `since_days` days (no text, no chat keys)."""

    since_days: int
    first_day: date
    last_day: date
    outcomes: Mapping[str, int] = field(default_factory=dict)  # kind -> total
    answers_by_topic: tuple[tuple[str, int], ...] = ()  # most answered first
    feedback: tuple[TopicFeedback, ...] = ()  # most rated first
    days: tuple[DayOutcomes, ...] = ()  # oldest first, only days with messages

    @property
    def total_messages(self) -> int:
        return sum(self.outcomes.values())

    @property
    def urgent(self) -> int:
        return self.outcomes.get(Kind.URGENT.value, 0)

    @property
    def unanswered(self) -> int:
        return self.outcomes.get(Kind.SUGGEST.value, 0) + self.outcomes.get(Kind.FALLBACK.value, 0)

    @property
    def is_empty(self) -> bool:
        return self.total_messages == 0 and not self.feedback


def empty_stats(since_days: int, now: datetime | None = None) -> Stats:
    """Stats with nothing in them, for a store that holds nothing."""
    today = (now or utc_now()).date()
    return Stats(since_days, today - timedelta(days=since_days - 1), today)


# --- the store -------------------------------------------------------------------------------


class Store(Protocol):
    """What the Telegram layer and the report use; `SQLiteStore` and `NullStore` provide it."""

    @property
    def available(self) -> bool: ...

    def record(self, chat_id: int, text: str, reply: Reply) -> None: ...

    def record_many(self, messages: Sequence[tuple[int, str, Reply]]) -> None: ...

    def record_feedback(
        self, chat_id: int, topic_id: str, helpful: bool, answer_ref: str = ""
    ) -> bool: ...

    def forget(self, chat_id: int) -> int: ...

    def purge_expired(self, now: datetime | None = None) -> int: ...

    def stats(self, since_days: int) -> Stats: ...

    def unanswered(self, since_days: int) -> list[UnansweredRow]: ...

    def close(self) -> None: ...


class NullStore:
    """Remembers nothing: used when the database cannot be opened, so patients still get answers.

    `reason` says why storage is off (for an admin's /stats); the privacy commands stay
    truthful: nothing is stored, so `forget` deletes nothing.
    """

    def __init__(self, reason: str = "storage is switched off") -> None:
        self.reason = reason

    @property
    def available(self) -> bool:
        return False

    def record(self, chat_id: int, text: str, reply: Reply) -> None:
        """Do nothing."""

    def record_many(self, messages: Sequence[tuple[int, str, Reply]]) -> None:
        """Do nothing."""

    def record_feedback(
        self, chat_id: int, topic_id: str, helpful: bool, answer_ref: str = ""
    ) -> bool:
        """Nothing is kept; True so the patient is still thanked."""
        return True

    def forget(self, chat_id: int) -> int:
        return 0

    def purge_expired(self, now: datetime | None = None) -> int:
        return 0

    def stats(self, since_days: int) -> Stats:
        return empty_stats(since_days)

    def unanswered(self, since_days: int) -> list[UnansweredRow]:
        return []

    def close(self) -> None:
        """Nothing to close."""


class SQLiteStore:
    """The SQLite-backed store: WAL, versioned schema, one short transaction per write.

    One connection shared under a lock (`check_same_thread=False`): the bot's handlers run on
    one event loop and each call takes milliseconds, so a lock is simpler than a pool and
    keeps writes strictly ordered. Other processes (the `report` command) may read at the
    same time; WAL lets them.

    Writing methods used while patients are chatting (`record`, `record_feedback`) log and
    swallow database errors: a full disk must never stop an answer. `forget`, `stats` and
    `unanswered` raise `StoreError`, because their callers must tell the person the truth.
    """

    def __init__(
        self,
        path: Path,
        *,
        chat_keys: ChatKeys | None,
        retention_days: int = 90,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """Open (creating if needed) and upgrade the database, then purge expired rows.

        Raises StoreError when the file cannot be opened, upgraded or written. `chat_keys`
        may be None for read-only use (the report); recording then raises StoreError.
        """
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        self.path = Path(path)
        self.retention_days = retention_days
        self._chat_keys = chat_keys
        self._clock = clock
        self._lock = threading.RLock()
        self._last_error_logged: datetime | None = None
        self._last_purge: datetime | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is
            # exactly as long as one `with self._transaction()` block.
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=5.0
            )
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        try:
            self._configure()
            self._migrate()
            self._write_meta("opened_at", _timestamp(self._clock()))
            self.purge_expired()
        except StoreError:
            self._conn.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            self._conn.close()
            raise StoreError(f"cannot use the database {self.path}: {exc}") from exc

    @property
    def available(self) -> bool:
        return True

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Close the connection (WAL is checkpointed by SQLite on the last close)."""
        with self._lock:
            self._conn.close()

    # -- set-up ---------------------------------------------------------------------------

    def _configure(self) -> None:
        conn = self._conn
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"could not switch to WAL (journal_mode={mode})")
        # NORMAL with WAL: a committed row survives the process being killed (the crash
        # test kills it mid-write); only a power cut or OS crash could lose the last few
        # rows. FULL would fsync every message, which cost the bot a fifth of its throughput
        # under load (bench/RESULTS.md) for protection these statistics do not need.
        conn.execute("PRAGMA synchronous=NORMAL")
        # /forget must not leave a patient's words readable in the file's free pages.
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")

    def _migrate(self) -> None:
        with self._lock:
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}, newer than this program "
                    f"({SCHEMA_VERSION}); update the program or use another DATABASE_PATH"
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                script = MIGRATIONS[target - 1]
                log.info("Upgrading %s to schema version %d", self.path, target)
                try:
                    self._conn.executescript(
                        f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {target};\nCOMMIT;"
                    )
                except sqlite3.Error:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def _write_meta(self, key: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _read_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _key(self, chat_id: int) -> str:
        if self._chat_keys is None:
            raise StoreError("this store was opened without a chat-key secret (read-only use)")
        return self._chat_keys.key(chat_id)

    def _log_write_failure(self, what: str, exc: Exception) -> None:
        now = self._clock()
        last = self._last_error_logged
        if last is None or now - last >= _ERROR_LOG_EVERY:
            self._last_error_logged = now
            log.error(
                "Could not %s in %s (%s); the bot keeps answering without recording. "
                "Check disk space and permissions.",
                what,
                self.path,
                exc,
            )

    # -- writing --------------------------------------------------------------------------

    def record(self, chat_id: int, text: str, reply: Reply) -> None:
        """Remember one message's outcome: counts for all, text only for suggest/fallback.

        Never raises for database trouble (logged instead): patients must be answered.
        """
        self.record_many([(chat_id, text, reply)])

    def record_many(self, messages: Sequence[tuple[int, str, Reply]]) -> None:
        """`record` for several messages in one transaction: one disk flush for all of them.

        The bot's group commit: when many patients write at once, their outcomes share a
        commit instead of each waiting for its own. Never raises for database trouble.
        """
        now = self._clock()
        day = now.date().isoformat()
        # Counts are added up first: a batch of answers becomes one upsert per kind and topic.
        outcomes = Counter(reply.kind.value for _, _, reply in messages)
        answers = Counter(
            reply.topic_id
            for _, _, reply in messages
            if reply.kind is Kind.ANSWER and reply.topic_id
        )
        unanswered = [
            (
                _timestamp(now),
                self._key(chat_id),
                reply.kind.value,
                stored_text(text),
                int(reply.score),
                " ".join(reply.suggestions),
            )
            for chat_id, text, reply in messages
            if reply.kind in (Kind.SUGGEST, Kind.FALLBACK)
        ]
        try:
            self._purge_if_due(now)
            with self._transaction() as conn:
                conn.executemany(
                    "INSERT INTO daily_outcomes (day, kind, count) VALUES (?, ?, ?)"
                    " ON CONFLICT (day, kind) DO UPDATE SET count = count + excluded.count",
                    [(day, kind, n) for kind, n in outcomes.items()],
                )
                conn.executemany(
                    "INSERT INTO daily_answers (day, topic_id, count) VALUES (?, ?, ?)"
                    " ON CONFLICT (day, topic_id) DO UPDATE SET count = count + excluded.count",
                    [(day, topic, n) for topic, n in answers.items()],
                )
                conn.executemany(
                    "INSERT INTO unanswered_messages"
                    " (at, chat_key, kind, text, score, candidates)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    unanswered,
                )
        except (sqlite3.Error, OSError) as exc:
            what = "record a message" if len(messages) == 1 else f"record {len(messages)} messages"
            self._log_write_failure(what, exc)

    def record_feedback(
        self, chat_id: int, topic_id: str, helpful: bool, answer_ref: str = ""
    ) -> bool:
        """Keep a "was this helpful?" tap. Returns False if this answer was already rated.

        `answer_ref` names the rated answer (the Telegram message id of the answer is ideal);
        with the default "", one tap per topic per chat is kept. The first tap wins: a
        second tap on the same answer changes nothing, so the adapter can say "already
        noted". Database trouble is logged and counts as kept (the patient is thanked).
        """
        now = self._clock()
        try:
            self._purge_if_due(now)
            with self._transaction() as conn:
                cursor = conn.execute(
                    "INSERT INTO feedback (at, chat_key, topic_id, helpful, answer_ref)"
                    " VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (chat_key, topic_id, answer_ref) DO NOTHING",
                    (_timestamp(now), self._key(chat_id), topic_id, int(helpful), answer_ref),
                )
                return cursor.rowcount == 1
        except (sqlite3.Error, OSError) as exc:
            self._log_write_failure("record feedback", exc)
            return True

    def forget(self, chat_id: int) -> int:
        """Delete every row of this chat; returns how many. Raises StoreError on failure.

        Daily counts hold no chat key, so nothing in them can be traced to the chat.
        """
        key = self._key(chat_id)
        try:
            with self._transaction() as conn:
                deleted = conn.execute(
                    "DELETE FROM unanswered_messages WHERE chat_key = ?", (key,)
                ).rowcount
                deleted += conn.execute("DELETE FROM feedback WHERE chat_key = ?", (key,)).rowcount
        except sqlite3.Error as exc:
            raise StoreError(f"could not delete the chat's rows from {self.path}: {exc}") from exc
        log.info("Forgot %d row(s) of one chat on request", deleted)
        return deleted

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete everything older than the retention period; returns how many rows."""
        now = now or self._clock()
        cutoff = now - timedelta(days=self.retention_days)
        cutoff_at, cutoff_day = _timestamp(cutoff), cutoff.date().isoformat()
        with self._transaction() as conn:
            deleted = 0
            for table in ("unanswered_messages", "feedback"):
                deleted += conn.execute(f"DELETE FROM {table} WHERE at < ?", (cutoff_at,)).rowcount
            for table in ("daily_answers", "daily_outcomes"):
                deleted += conn.execute(
                    f"DELETE FROM {table} WHERE day < ?", (cutoff_day,)
                ).rowcount
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('last_purge', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_timestamp(now),),
            )
        self._last_purge = now
        if deleted:
            log.info("Purged %d row(s) older than %d days", deleted, self.retention_days)
        return deleted

    def _purge_if_due(self, now: datetime) -> None:
        if self._last_purge is None:
            stamp = self._read_meta("last_purge")
            self._last_purge = _parse_timestamp(stamp) if stamp else None
        if self._last_purge is None or now - self._last_purge >= PURGE_EVERY:
            self.purge_expired(now)

    # -- reading --------------------------------------------------------------------------

    def _first_day(self, since_days: int) -> date:
        if since_days < 1:
            raise ValueError("since_days must be at least 1")
        return self._clock().date() - timedelta(days=since_days - 1)

    def stats(self, since_days: int) -> Stats:
        """Counts over the last `since_days` UTC days, today included."""
        first_day = self._first_day(since_days)
        since = first_day.isoformat()
        try:
            with self._lock:
                conn = self._conn
                outcomes = dict(
                    conn.execute(
                        "SELECT kind, SUM(count) FROM daily_outcomes WHERE day >= ?"
                        " GROUP BY kind ORDER BY kind",
                        (since,),
                    ).fetchall()
                )
                answers = conn.execute(
                    "SELECT topic_id, SUM(count) AS n FROM daily_answers WHERE day >= ?"
                    " GROUP BY topic_id ORDER BY n DESC, topic_id",
                    (since,),
                ).fetchall()
                feedback = conn.execute(
                    "SELECT topic_id, SUM(helpful), SUM(1 - helpful), COUNT(*) AS n"
                    " FROM feedback WHERE at >= ? GROUP BY topic_id ORDER BY n DESC, topic_id",
                    (since,),
                ).fetchall()
                day_rows = conn.execute(
                    "SELECT day, kind, count FROM daily_outcomes WHERE day >= ? ORDER BY day",
                    (since,),
                ).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"could not read statistics from {self.path}: {exc}") from exc
        per_day: dict[str, dict[str, int]] = {}
        for day, kind, count in day_rows:
            per_day.setdefault(day, {})[kind] = int(count)
        return Stats(
            since_days=since_days,
            first_day=first_day,
            last_day=self._clock().date(),
            outcomes={kind: int(n) for kind, n in outcomes.items()},
            answers_by_topic=tuple((topic, int(n)) for topic, n in answers),
            feedback=tuple(TopicFeedback(t, int(yes), int(no)) for t, yes, no, _ in feedback),
            days=tuple(DayOutcomes(date.fromisoformat(d), c) for d, c in per_day.items()),
        )

    def unanswered(self, since_days: int) -> list[UnansweredRow]:
        """The suggest/fallback messages of the last `since_days` UTC days, oldest first."""
        since = self._first_day(since_days).isoformat()
        try:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT at, kind, text, score, candidates, chat_key"
                    " FROM unanswered_messages WHERE at >= ? ORDER BY at, id",
                    (since,),
                ).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"could not read questions from {self.path}: {exc}") from exc
        return [
            UnansweredRow(
                at=_parse_timestamp(at),
                kind=kind,
                text=text,
                score=int(score),
                candidates=tuple(candidates.split()),
                asker=chat_key,
            )
            for at, kind, text, score, candidates, chat_key in rows
        ]


def open_store(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Store:
    """The store for the running bot; a NullStore (and one clear log line) if it cannot open.

    Usage from the Telegram layer, once at start-up:

        store = open_store(settings)
        ...
        store.record(update.effective_chat.id, text, reply)   # in the message handler
    """
    try:
        keys = ChatKeys(load_chat_key_secret(settings.chat_key_secret, settings.data_dir))
        return SQLiteStore(
            settings.database_path,
            chat_keys=keys,
            retention_days=settings.retention_days,
            clock=clock,
        )
    except (StoreError, OSError, ValueError, sqlite3.Error) as exc:
        log.error(
            "Storage is OFF: %s. The bot keeps answering patients but records nothing "
            "(no report, no feedback counts). Fix the path or permissions (DATABASE_PATH, "
            "DATA_DIR) and restart.",
            exc,
        )
        return NullStore(str(exc))


# --- what patients are told ------------------------------------------------------------------


def privacy_notice(retention_days: int) -> str:
    """The /privacy text (Telegram HTML subset): what is stored, why, how long, how to delete.

    It lives here, beside the code that does the storing, so the promise and the behaviour
    change together.
    """
    return (
        "<b>Your privacy</b>\n\n"
        "This assistant keeps as little as it can, only to improve its answers:\n"
        "• When it could not answer you with confidence, it keeps the question you typed "
        "(phone numbers, e-mail addresses and @usernames are masked), the time, and which "
        "topics it thought of, so the clinic can add the missing answer.\n"
        "• If you tap “Was this helpful?”, it keeps your yes or no for that answer.\n"
        "• For everything else it only counts how many questions were asked about each "
        "topic per day, without your words. Messages about urgent symptoms are only "
        "counted, never kept.\n\n"
        "It never stores your name, username, phone number or Telegram id: your chat is "
        "stored under a scrambled code that cannot be turned back into who you are.\n\n"
        f"Everything is deleted automatically after <b>{int(retention_days)} days</b>.\n\n"
        "To delete everything kept about this chat now, send /forget."
    )


def forget_confirmation(deleted: int) -> str:
    """The /forget reply, saying plainly what was removed."""
    if deleted == 0:
        return (
            "Done. Nothing was stored about this chat, so there was nothing to delete. "
            "Anonymous daily counts (no words, no link to you) are kept."
        )
    rows = "1 record" if deleted == 1 else f"{deleted} records"
    return (
        f"Done: {rows} about this chat deleted. Anonymous daily counts (no words, no "
        "link to you) are kept."
    )
