"""What the store hands back and the interface every store provides (values, no SQL)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from bot.core.errors import BotError
from bot.core.reply import Kind, Reply


class StoreError(BotError):
    """The database could not be read or written; the message says which file and why."""


def utc_now() -> datetime:
    """The current time in UTC (the store's only clock; tests pass their own)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class SentAnswer:
    """An answer sent with "Was this helpful?" buttons: which chat, which message, which topic.

    Only numbers and ids are kept (the chat as its pseudonymous key), never the words.
    """

    chat_id: int
    message_id: int
    topic_id: str


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

    def record_many(
        self,
        messages: Sequence[tuple[int, str, Reply]],
        answers: Sequence[SentAnswer] = (),
    ) -> None: ...

    def remember_answers(self, answers: Sequence[SentAnswer]) -> None: ...

    def answer_was_sent(self, chat_id: int, message_id: int, topic_id: str) -> bool: ...

    def record_feedback(
        self, chat_id: int, topic_id: str, helpful: bool, answer_ref: str = ""
    ) -> bool: ...

    def forget(self, chat_id: int) -> int: ...

    def handled_updates(self, update_ids: Sequence[int]) -> set[int]: ...

    def mark_updates_handled(self, update_ids: Sequence[int]) -> None: ...

    def purge_expired(self, now: datetime | None = None) -> int: ...

    def stats(self, since_days: int) -> Stats: ...

    def unanswered(self, since_days: int) -> list[UnansweredRow]: ...

    def ignore_unanswered(self, keys: Iterable[str]) -> int: ...

    def ignored_unanswered(self) -> frozenset[str]: ...

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

    def record_many(
        self,
        messages: Sequence[tuple[int, str, Reply]],
        answers: Sequence[SentAnswer] = (),
    ) -> None:
        """Do nothing."""

    def remember_answers(self, answers: Sequence[SentAnswer]) -> None:
        """Do nothing."""

    def answer_was_sent(self, chat_id: int, message_id: int, topic_id: str) -> bool:
        """Nothing is known; True so the patient is thanked (nothing is counted anyway)."""
        return True

    def record_feedback(
        self, chat_id: int, topic_id: str, helpful: bool, answer_ref: str = ""
    ) -> bool:
        """Nothing is kept; True so the patient is still thanked."""
        return True

    def forget(self, chat_id: int) -> int:
        return 0

    def handled_updates(self, update_ids: Sequence[int]) -> set[int]:
        """Nothing is remembered: every update counts as new."""
        return set()

    def mark_updates_handled(self, update_ids: Sequence[int]) -> None:
        """Do nothing."""

    def purge_expired(self, now: datetime | None = None) -> int:
        return 0

    def stats(self, since_days: int) -> Stats:
        return empty_stats(since_days)

    def unanswered(self, since_days: int) -> list[UnansweredRow]:
        return []

    def ignore_unanswered(self, keys: Iterable[str]) -> int:
        return 0

    def ignored_unanswered(self) -> frozenset[str]:
        return frozenset()

    def close(self) -> None:
        """Nothing to close."""
