"""The practitioner's report: what patients asked that the bot could not answer, and how it did.

`build_report` reads the store once and puts together everything the report shows:
- the unanswered questions grouped by similarity, largest groups first, each with the topic
  it most resembles and a ready-to-paste YAML line to answer it next time (the idea of QnA
  Maker's "active learning"), or a stub for a new topic when nothing is close (grouping.py,
  proposals.py);
- topic popularity, helpfulness per topic, the urgent count and the outcomes per day.
It is rendered as text (render_text.py), JSON (render_json.py) or one web page
(render_html.py); the command line is in command.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.core.model import Knowledge
from bot.practitioner.grouping import QuestionGroup, group_unanswered
from bot.store import Stats, Store, empty_stats, utc_now

DEFAULT_SINCE_DAYS = 30
REHEARSAL_HINT = (
    "To try the report before going live, chat in the terminal with"
    " `.venv/bin/python -m bot chat --record` (it keeps a separate rehearsal database),"
    " then run `.venv/bin/python -m bot report --rehearsal`."
)
OUTCOME_ORDER = ("answer", "suggest", "fallback", "urgent", "smalltalk")
OUTCOME_LABELS = {  # the outcome kinds (PRODUCT.md) in the practitioner's words
    "answer": "answered",
    "suggest": "offered choices",
    "fallback": "not answered",
    "urgent": "urgent",
    "smalltalk": "small talk",
}


@dataclass(frozen=True)
class TopicLine:
    """One topic's figures for the popularity and helpfulness tables."""

    id: str
    title: str
    answers: int
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class Report:
    """Everything the three formats show; built once, rendered as text, json or html."""

    generated_at: datetime
    since_days: int
    database: str
    stats: Stats
    groups: tuple[QuestionGroup, ...]
    topics: tuple[TopicLine, ...]  # most answered first
    empty_reason: str | None = None  # set when there is nothing to report, and why
    knowledge_note: str | None = None  # set when the knowledge could not be used, and why

    @property
    def unanswered_messages(self) -> int:
        return sum(g.count for g in self.groups)


def _topic_lines(stats: Stats, knowledge: Knowledge | None) -> tuple[TopicLine, ...]:
    titles = {t.id: t.title for t in knowledge.topics} if knowledge else {}
    answers = dict(stats.answers_by_topic)
    feedback = {f.topic_id: f for f in stats.feedback}
    ids = sorted(set(answers) | set(feedback), key=lambda t: (-answers.get(t, 0), t))
    return tuple(
        TopicLine(
            id=t,
            title=titles.get(t, t),
            answers=answers.get(t, 0),
            helpful=feedback[t].helpful if t in feedback else 0,
            not_helpful=feedback[t].not_helpful if t in feedback else 0,
        )
        for t in ids
    )


def build_report(
    store: Store,
    since_days: int,
    knowledge: Knowledge | None,
    *,
    knowledge_note: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Read the store and put together everything the report shows.

    Messages the practitioner chose to ignore (`Store.ignored_unanswered`) are left out.
    """
    stats = store.stats(since_days)
    rows = store.unanswered(since_days)
    groups = tuple(group_unanswered(rows, knowledge, ignored=store.ignored_unanswered()))
    empty = None
    if stats.is_empty and not rows:
        where = getattr(store, "path", "the database")
        empty = (
            f"No conversations were recorded in the last {since_days} days in {where}."
            f" Once patients have chatted with the bot, run the report again. {REHEARSAL_HINT}"
        )
    return Report(
        generated_at=now or utc_now(),
        since_days=since_days,
        database=str(getattr(store, "path", "(no database)")),
        stats=stats,
        groups=groups,
        topics=_topic_lines(stats, knowledge),
        empty_reason=empty,
        knowledge_note=knowledge_note,
    )


def missing_database_report(path: Path, since_days: int, now: datetime | None = None) -> Report:
    """The report when there is no database yet: a friendly page, not an error."""
    return Report(
        generated_at=now or utc_now(),
        since_days=since_days,
        database=str(path),
        stats=empty_stats(since_days, now),
        groups=(),
        topics=(),
        empty_reason=(
            f"There is no database at {path} yet. The bot creates it when it first runs"
            " on Telegram and records questions; then run this report again. (If the bot"
            f" keeps its data elsewhere, pass --database PATH or set DATABASE_PATH.) {REHEARSAL_HINT}"
        ),
    )


def all_days(stats: Stats) -> list[tuple[date, Mapping[str, int]]]:
    """Every day of the period, with zeros for quiet days, so the chart's time axis is true."""
    known = {d.day: d.counts for d in stats.days}
    first = min([stats.first_day, *known]) if known else stats.first_day
    span = (stats.last_day - first).days + 1
    return [
        (first + timedelta(days=i), known.get(first + timedelta(days=i), {})) for i in range(span)
    ]
