"""The store: what the bot remembers about conversations, in one SQLite file (stdlib sqlite3).

Patients' messages are health data, so the store keeps as little as answers the practitioner's
question "what did patients ask that the bot could not answer?":

- `suggest` and `fallback` messages: UTC time, a pseudonymous chat key, the text (phone
  numbers, e-mail addresses and @usernames masked; at most `MAX_TEXT_CHARS`), the outcome,
  the score and the best candidate topic ids;
- feedback taps: chat key, topic id, helpful yes/no, one per answer per chat (the first tap
  is kept, later taps on the same answer are ignored, so a double tap cannot skew the count);
- for each answer sent with "Was this helpful?" buttons: chat key, the Telegram message id
  and the topic id (numbers and ids, no words), so that only taps under an answer the bot
  really sent to that chat are counted;
- per day, per topic, how many answers were sent, and per day how many messages had each
  outcome. No text and no chat key: `urgent` messages, the most sensitive, exist only as such
  a daily count;
- the ids of the Telegram updates already handled (numbers only: no chat, no text), for 48
  hours, so an update Telegram delivers again (after a crash, or a webhook answer that got
  lost) is not answered twice.

The chat key is HMAC-SHA256(secret, chat id): the same chat always gets the same key (so
`forget` can find its rows) but the key cannot be turned back into a chat id without the
secret. Names, usernames, phone numbers and raw chat ids are never written. Rows older than
the retention period are purged on open and at most once a day while recording. After
`forget` (and each purge) the write-ahead log is checkpointed and truncated, and deleted
content is zeroed (`secure_delete`), so no copy of the deleted words stays in any file. The
data folder is 0700 and every database file 0600, whatever the umask (files.py).

Callers: `open_store(settings)` never raises; when the database cannot be opened it logs why
and returns a `NullStore`, so patients are always answered. All methods are quick,
synchronous and thread-safe; call them directly from async handlers (or through
`asyncio.to_thread` if you prefer).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.reply import Kind, Reply
from bot.store.files import (
    folder_access_advice,
    private_file,
    private_folder,
    tighten_database_files,
)
from bot.store.keys import ChatKeys, load_chat_key_secret
from bot.store.masking import stored_text
from bot.store.records import (
    DayOutcomes,
    NullStore,
    SentAnswer,
    Stats,
    Store,
    StoreError,
    TopicFeedback,
    UnansweredRow,
    utc_now,
)

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

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
    # v3: the answers sent with feedback buttons (message id and topic per chat key, no
    # words), so a tap counts only under an answer the bot really sent to that chat.
    """
    CREATE TABLE sent_answers (
        chat_key   TEXT    NOT NULL,
        message_id INTEGER NOT NULL,   -- Telegram's id of the message carrying the buttons
        topic_id   TEXT    NOT NULL,
        at         TEXT    NOT NULL,
        PRIMARY KEY (chat_key, message_id)
    ) WITHOUT ROWID;
    CREATE INDEX sent_answers_at ON sent_answers (at);
    """,
    # v4: unanswered messages the practitioner chose to ignore, by a one-way fingerprint of
    # the row (bot.practitioner.grouping.row_key), never by their text; expire with them.
    """
    CREATE TABLE ignored_unanswered (
        key TEXT PRIMARY KEY,
        at  TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # v5: the Telegram update ids already handled (numbers only, kept HANDLED_UPDATE_TTL), so
    # an update Telegram delivers again after a crash or a lost webhook answer is skipped.
    """
    CREATE TABLE handled_updates (
        update_id INTEGER PRIMARY KEY,
        at        TEXT    NOT NULL     -- UTC, when it was handled; purged after 48 hours
    );
    CREATE INDEX handled_updates_at ON handled_updates (at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
# Telegram keeps an unconfirmed update for 24 hours; twice that covers every redelivery.
HANDLED_UPDATE_TTL = timedelta(hours=48)
_HANDLED_PURGE_EVERY = timedelta(hours=1)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


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
        self._last_handled_purge: datetime | None = None
        try:
            if not self.path.parent.exists():  # an existing folder is the operator's choice
                private_folder(self.path.parent)
            # Created 0600 before SQLite opens it: the -wal and -shm files take its mode.
            private_file(self.path)
            tighten_database_files(self.path)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is
            # exactly as long as one `with self._transaction()` block.
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=5.0
            )
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        try:
            self._configure()
            tighten_database_files(self.path)  # -wal and -shm exist from here on
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

    def record_many(
        self,
        messages: Sequence[tuple[int, str, Reply]],
        answers: Sequence[SentAnswer] = (),
    ) -> None:
        """`record` for several messages in one transaction: one disk flush for all of them.

        The bot's group commit: when many patients write at once, their outcomes share a
        commit instead of each waiting for its own. `answers` are the answers just sent with
        feedback buttons (remembered in the same commit). Never raises for database trouble.
        A row the database refuses costs only itself: the batch is then written row by row.
        A database that refuses everything (locked, full, unwritable) is not retried row by
        row: that would hold the event loop for a busy timeout per row.
        """
        now = self._clock()
        try:
            self._purge_if_due(now)
            with self._transaction() as conn:
                self._write_batch(conn, now, messages, answers)
            return
        except (sqlite3.OperationalError, OSError) as exc:  # the database, not a row
            what = "record a message" if len(messages) == 1 else f"record {len(messages)} messages"
            self._log_write_failure(what, exc)
            return
        except (sqlite3.Error, ValueError, UnicodeError) as exc:  # a row it cannot take
            if len(messages) + len(answers) <= 1:
                self._log_write_failure("record a message", exc)
                return
        self._record_one_by_one(now, messages, answers)

    def _record_one_by_one(
        self,
        now: datetime,
        messages: Sequence[tuple[int, str, Reply]],
        answers: Sequence[SentAnswer],
    ) -> None:
        """The fallback of `record_many`: each row in its own transaction; bad ones logged."""
        rows: list[tuple[Sequence[tuple[int, str, Reply]], Sequence[SentAnswer]]] = [
            ([message], ()) for message in messages
        ]
        rows += [((), [answer]) for answer in answers]
        failed = 0
        for one_message, one_answer in rows:
            try:
                with self._transaction() as conn:
                    self._write_batch(conn, now, one_message, one_answer)
            except (sqlite3.Error, OSError, ValueError, UnicodeError) as exc:
                failed += 1
                last_error: Exception = exc
        if failed:
            self._log_write_failure(f"record {failed} of {len(rows)} rows", last_error)

    def _write_batch(
        self,
        conn: sqlite3.Connection,
        now: datetime,
        messages: Sequence[tuple[int, str, Reply]],
        answers: Sequence[SentAnswer],
    ) -> None:
        day, at = now.date().isoformat(), _timestamp(now)
        # Counts are added up first: a batch of answers becomes one upsert per kind and topic.
        outcomes = Counter(reply.kind.value for _, _, reply in messages)
        answered = Counter(
            reply.topic_id
            for _, _, reply in messages
            if reply.kind is Kind.ANSWER and reply.topic_id
        )
        unanswered = [
            (
                at,
                self._key(chat_id),
                reply.kind.value,
                stored_text(text),
                int(reply.score),
                " ".join(reply.suggestions),
            )
            for chat_id, text, reply in messages
            if reply.kind in (Kind.SUGGEST, Kind.FALLBACK)
        ]
        conn.executemany(
            "INSERT INTO daily_outcomes (day, kind, count) VALUES (?, ?, ?)"
            " ON CONFLICT (day, kind) DO UPDATE SET count = count + excluded.count",
            [(day, kind, n) for kind, n in outcomes.items()],
        )
        conn.executemany(
            "INSERT INTO daily_answers (day, topic_id, count) VALUES (?, ?, ?)"
            " ON CONFLICT (day, topic_id) DO UPDATE SET count = count + excluded.count",
            [(day, topic, n) for topic, n in answered.items()],
        )
        conn.executemany(
            "INSERT INTO unanswered_messages"
            " (at, chat_key, kind, text, score, candidates)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            unanswered,
        )
        conn.executemany(
            "INSERT INTO sent_answers (chat_key, message_id, topic_id, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat_key, message_id) DO NOTHING",
            [(self._key(a.chat_id), int(a.message_id), a.topic_id, at) for a in answers],
        )

    def remember_answers(self, answers: Sequence[SentAnswer]) -> None:
        """Remember answers sent with feedback buttons (no outcome to count with them)."""
        self.record_many((), answers)

    def answer_was_sent(self, chat_id: int, message_id: int, topic_id: str) -> bool:
        """True if the bot sent this chat an answer about `topic_id` as message `message_id`.

        Database trouble counts as sent: the patient is thanked either way.
        """
        try:
            with self._lock:
                row = self._conn.execute(
                    "SELECT 1 FROM sent_answers"
                    " WHERE chat_key = ? AND message_id = ? AND topic_id = ?",
                    (self._key(chat_id), int(message_id), topic_id),
                ).fetchone()
        except sqlite3.Error as exc:
            self._log_write_failure("look up a sent answer", exc)
            return True
        return row is not None

    def record_feedback(
        self, chat_id: int, topic_id: str, helpful: bool, answer_ref: str = ""
    ) -> bool:
        """Keep a "was this helpful?" tap. Returns False if it was not kept.

        `answer_ref` is the Telegram message id of the rated answer. Only a tap under an
        answer the bot sent to this chat about this topic counts (`remember_answers`), and
        only the first one: a second tap on the same answer changes nothing, so the adapter
        can say "already noted". Database trouble is logged and counts as kept (the
        patient is thanked).
        """
        now = self._clock()
        try:
            message_id = int(answer_ref)
        except ValueError:
            return False
        key = self._key(chat_id)
        try:
            self._purge_if_due(now)
            with self._transaction() as conn:
                cursor = conn.execute(
                    "INSERT INTO feedback (at, chat_key, topic_id, helpful, answer_ref)"
                    " SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM sent_answers"
                    "   WHERE chat_key = ? AND message_id = ? AND topic_id = ?)"
                    " ON CONFLICT (chat_key, topic_id, answer_ref) DO NOTHING",
                    (
                        _timestamp(now),
                        key,
                        topic_id,
                        int(helpful),
                        str(message_id),
                        key,
                        message_id,
                        topic_id,
                    ),
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
                deleted = 0
                for table in ("unanswered_messages", "feedback", "sent_answers"):
                    deleted += conn.execute(
                        f"DELETE FROM {table} WHERE chat_key = ?", (key,)
                    ).rowcount
            self._checkpoint()
        except sqlite3.Error as exc:
            raise StoreError(f"could not delete the chat's rows from {self.path}: {exc}") from exc
        log.info("Forgot %d row(s) of one chat on request", deleted)
        return deleted

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the database and truncate it to zero bytes.

        Deleted rows are zeroed in the database (secure_delete), but the log still holds the
        pages as they were before the delete until it is checkpointed; without this, a quiet
        bot would keep a forgotten chat's words in the -wal file for days. Raises
        sqlite3.OperationalError when a reader keeps the log busy past the busy timeout.
        """
        with self._lock:
            busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise sqlite3.OperationalError(
                "another process kept the write-ahead log busy, so deleted text may remain in"
                " it until the next checkpoint; try again"
            )

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete everything older than the retention period; returns how many rows."""
        now = now or self._clock()
        cutoff = now - timedelta(days=self.retention_days)
        cutoff_at, cutoff_day = _timestamp(cutoff), cutoff.date().isoformat()
        with self._transaction() as conn:
            deleted = 0
            for table in ("unanswered_messages", "feedback", "sent_answers", "ignored_unanswered"):
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
            try:
                self._checkpoint()  # expired words leave the -wal file too
            except sqlite3.OperationalError as exc:
                log.warning("Purged rows may linger in the write-ahead log: %s", exc)
            log.info("Purged %d row(s) older than %d days", deleted, self.retention_days)
        return deleted

    def _purge_if_due(self, now: datetime) -> None:
        if self._last_purge is None:
            stamp = self._read_meta("last_purge")
            self._last_purge = _parse_timestamp(stamp) if stamp else None
        if self._last_purge is None or now - self._last_purge >= PURGE_EVERY:
            self.purge_expired(now)

    # -- handled updates (delivery: each Telegram update answered once) -------------------

    def handled_updates(self, update_ids: Sequence[int]) -> set[int]:
        """Which of `update_ids` were handled already (within the last 48 hours).

        Database trouble counts as "none of them": answering twice beats not answering.
        """
        if not update_ids:
            return set()
        marks = ",".join("?" * len(update_ids))
        try:
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT update_id FROM handled_updates WHERE update_id IN ({marks})",
                    tuple(update_ids),
                ).fetchall()
        except sqlite3.Error as exc:
            self._log_write_failure("read handled update ids", exc)
            return set()
        return {int(update_id) for (update_id,) in rows}

    def mark_updates_handled(self, update_ids: Sequence[int]) -> None:
        """Remember that these updates were handled (one transaction). Never raises."""
        now = self._clock()
        try:
            with self._transaction() as conn:
                conn.executemany(
                    "INSERT INTO handled_updates (update_id, at) VALUES (?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    [(update_id, _timestamp(now)) for update_id in update_ids],
                )
                last = self._last_handled_purge
                if last is None or now - last >= _HANDLED_PURGE_EVERY:
                    conn.execute(
                        "DELETE FROM handled_updates WHERE at < ?",
                        (_timestamp(now - HANDLED_UPDATE_TTL),),
                    )
                    self._last_handled_purge = now
        except (sqlite3.Error, OSError) as exc:
            self._log_write_failure("remember handled updates", exc)

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

    def ignore_unanswered(self, keys: Iterable[str]) -> int:
        """Remember fingerprints of messages to leave out of later reports; returns how many
        were new. Raises StoreError, because the practitioner must be told."""
        now = _timestamp(self._clock())
        try:
            with self._transaction() as conn:
                return sum(
                    conn.execute(
                        "INSERT OR IGNORE INTO ignored_unanswered (key, at) VALUES (?, ?)",
                        (key, now),
                    ).rowcount
                    for key in keys
                )
        except sqlite3.Error as exc:
            raise StoreError(f"could not write to {self.path}: {exc}") from exc

    def ignored_unanswered(self) -> frozenset[str]:
        """The fingerprints `ignore_unanswered` remembered (until they expire)."""
        try:
            with self._lock:
                rows = self._conn.execute("SELECT key FROM ignored_unanswered").fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"could not read {self.path}: {exc}") from exc
        return frozenset(key for (key,) in rows)


def open_store(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Store:
    """The store for the running bot; a NullStore (and one clear log line) if it cannot open.

    Usage from the Telegram layer, once at start-up:

        store = open_store(settings)
        ...
        store.record(update.effective_chat.id, text, reply)   # in the message handler
    """
    try:
        private_folder(settings.data_dir)
        keys = ChatKeys(load_chat_key_secret(settings.chat_key_secret, settings.data_dir))
        return SQLiteStore(
            settings.database_path,
            chat_keys=keys,
            retention_days=settings.retention_days,
            clock=clock,
        )
    except (StoreError, OSError, ValueError, sqlite3.Error) as exc:
        advice = folder_access_advice(settings.database_path.parent)
        if not advice and settings.data_dir != settings.database_path.parent:
            advice = folder_access_advice(settings.data_dir)
        log.error(
            "Storage is OFF: %s. The bot keeps answering patients but records nothing "
            "(no report, no feedback counts). %s.",
            advice or exc,
            "Fix it and restart"
            if advice
            else "Fix the path or permissions (DATABASE_PATH, DATA_DIR) and restart",
        )
        return NullStore(advice or str(exc))
