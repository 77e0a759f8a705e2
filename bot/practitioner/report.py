"""The practitioner's report: what patients asked that the bot could not answer, and how it did.

`python -m bot report` reads the store and prints (text), exports (json) or writes one
self-contained web page (html) with:
- the unanswered questions grouped by similarity, largest groups first, each with the topic
  it most resembles and a ready-to-paste YAML line to answer it next time (the idea of QnA
  Maker's "active learning"), or a stub for a new topic when nothing is close;
- topic popularity, helpfulness per topic, the urgent count and the outcomes per day.

Grouping: questions are compared by their meaningful words (rapidfuzz token ratios, so
typos and word order do not matter), and two questions that both strongly resemble the
same topic or known gap are one group even when worded differently ("how much is it" and
"what do you charge"). Resemblance uses the same matcher as the bot itself.

The Telegram admin commands use `group_unanswered`, `unanswered_summary` and
`stats_summary`; all three return plain text or values, no Telegram types.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.core.errors import KnowledgeError
from bot.core.matching import STOPWORDS, Entry, Matcher
from bot.core.model import Knowledge
from bot.core.text import fold
from bot.store import (
    SQLiteStore,
    Stats,
    StoreError,
    UnansweredRow,
    empty_stats,
    utc_now,
)

DEFAULT_SINCE_DAYS = 30
GROUP_SIMILARITY = 75  # rapidfuzz score (0-100) above which two questions are one group
SAME_MEANING_SCORE = 75  # both resemble one topic/gap at least this well: one group
ANCHOR_SIMILARITY = 85  # two questions share a recurring word the knowledge never uses
CLOSE_SCORE = 45  # a group resembling a topic this well gets "add as a phrasing"
MAX_EXAMPLES = 5
MAX_PROPOSED_PHRASINGS = 3
MAX_PHRASING_CHARS = 120  # longer messages are stories, not phrasings to paste
OUTCOME_ORDER = ("answer", "suggest", "fallback", "urgent", "smalltalk")
OUTCOME_LABELS = {  # the outcome kinds (PRODUCT.md) in the practitioner's words
    "answer": "answered",
    "suggest": "offered choices",
    "fallback": "not answered",
    "urgent": "urgent",
    "smalltalk": "small talk",
}
OUTCOME_COLOURS = {
    "answer": "#3a7d44",
    "suggest": "#e0a526",
    "fallback": "#c8553d",
    "urgent": "#7b2d8e",
    "smalltalk": "#7f8c99",
}
_TOPIC, _GAP = "topic", "gap"

# Words that say nothing about what a question is about, on top of the matcher's stopwords.
_GROUPING_STOPWORDS = STOPWORDS | frozenset(
    """how what whats when where wheres who whos why which acupuncture acupuncturist
    acupunture accupuncture clinic treatment treat help session sessions question ask""".split()
)


# --- values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resemblance:
    """The topic (or known gap from not_on_page.yaml) a group of questions is most like."""

    kind: str  # "topic" or "gap"
    id: str
    title: str
    score: int  # 0-100, the bot's own matching score


@dataclass(frozen=True)
class Proposal:
    """What the practitioner can do about a group, with the YAML to paste."""

    action: str  # "add-phrasings" | "new-topic" | "known-gap"
    file: str  # where the YAML goes, e.g. knowledge/topics/how-many-sessions.yaml
    yaml: str  # ready to paste (already indented for its place)
    advice: str  # one sentence saying what to do


@dataclass(frozen=True)
class QuestionGroup:
    """Unanswered questions that are the same question in different words."""

    count: int  # messages
    askers: int  # distinct chats (pseudonymous): ten people, or one person ten times
    examples: tuple[str, ...]  # most frequent first, distinct
    first_asked: datetime
    last_asked: datetime
    resembles: Resemblance | None
    proposal: Proposal | None  # None when the knowledge could not be loaded


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


# --- resemblance: the bot's own matcher over topics and known gaps -----------------------------


class Resembler:
    """Ranks topics and known gaps for a text with the bot's matcher (built once per report)."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        entries = [
            Entry(f"{_TOPIC}:{t.id}", p) for t in knowledge.topics for p in (t.title, *t.phrasings)
        ]
        entries += [Entry(f"{_GAP}:{g.id}", p) for g in knowledge.gaps for p in g.phrasings]
        keywords = {f"{_TOPIC}:{t.id}": t.keywords for t in knowledge.topics if t.keywords}
        self._matcher = Matcher(entries, knowledge.synonyms, keywords)
        self._titles = {t.id: t.title for t in knowledge.topics}
        self.known_phrasings = frozenset(
            fold(p) for t in knowledge.topics for p in (*t.phrasings, t.title)
        ) | frozenset(fold(p) for g in knowledge.gaps for p in g.phrasings)
        # The words the topics use, as grouping sees them, to spot the words they never use
        # (known gaps are left out: what they name is exactly what no topic answers).
        self.vocabulary = frozenset(
            word
            for t in knowledge.topics
            for text in (t.title, t.answer, *t.phrasings)
            for word in _content(text).split()
        )
        self._cache: dict[str, dict[str, int]] = {}

    def scores(self, text: str) -> dict[str, int]:
        """ "kind:id" -> score (0-100) for the topics and gaps this text resembles."""
        cached = self._cache.get(text)
        if cached is None:
            cached = {s.label: s.score for s in self._matcher.rank(text)}
            self._cache[text] = cached
        return cached

    def describe(self, label: str, score: int) -> Resemblance:
        kind, _, ident = label.partition(":")
        title = self._titles.get(ident, ident) if kind == _TOPIC else ident
        return Resemblance(kind, ident, title, score)

    def topic_file(self, topic_id: str) -> str:
        topic = self.knowledge.topic(topic_id)
        if topic is not None and topic.source is not None:
            return _display_path(topic.source)
        return f"knowledge/topics/{topic_id}.yaml"

    def gaps_file(self) -> str:
        base = self.knowledge.directory
        return _display_path(base / "not_on_page.yaml") if base else "knowledge/not_on_page.yaml"


def _display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


# --- grouping ------------------------------------------------------------------------------


def _stem(word: str) -> str:
    """A crude English stem, enough to make "parking"/"park" and "knees"/"knee" meet."""
    if len(word) >= 6 and word.endswith("ing"):
        return word[:-3]
    if len(word) >= 5 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"
    if len(word) >= 5 and word.endswith("ed"):
        return word[:-2]
    if len(word) >= 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _content(text: str) -> str:
    """The words of a question that say what it is about, stemmed, in order."""
    words = [_stem(w) for w in fold(text).split() if w not in _GROUPING_STOPWORDS]
    return " ".join(w for w in words if w not in _GROUPING_STOPWORDS)


def _similarity(a: _Question, b: _Question, anchors: frozenset[str]) -> float:
    """0-100: how much two questions are the same question."""
    if a.content and b.content:
        score = fuzz.token_set_ratio(a.content, b.content)
    else:  # all-stopword questions: compare them whole
        score = fuzz.ratio(a.folded, b.folded)
    shared_words = set(a.content.split()) & set(b.content.split())
    if shared_words & anchors:
        score = max(score, ANCHOR_SIMILARITY)
    if a.best and b.best and a.best[0] == b.best[0]:
        both = min(a.best[1], b.best[1])
        if both >= SAME_MEANING_SCORE:
            score = 100.0
        elif both >= CLOSE_SCORE and shared_words:  # same topic, and a word in common
            score = max(score, ANCHOR_SIMILARITY)
    return score


def _anchor_words(questions: Sequence[_Question], resembler: Resembler | None) -> frozenset[str]:
    """Words that recur in unanswered questions but that the knowledge never uses.

    They are the themes of the missing topics ("park", "knee", "pregnant"), so two
    questions sharing one belong together whatever else they say.
    """
    if resembler is None:
        return frozenset()
    seen: Counter[str] = Counter()
    for question in questions:
        seen.update(set(question.content.split()))
    return frozenset(
        word
        for word, n in seen.items()
        if n >= 2 and len(word) >= 4 and word not in resembler.vocabulary
    )


@dataclass
class _Question:
    """One distinct question text while grouping (mutable scratch, never returned)."""

    text: str
    folded: str
    content: str
    rows: list[UnansweredRow]
    best: tuple[str, int] | None  # strongest "kind:id" and its score


@dataclass
class _Group:
    members: list[_Question]


def group_unanswered(
    rows: Sequence[UnansweredRow], knowledge: Knowledge | None = None
) -> list[QuestionGroup]:
    """Group unanswered messages by similarity, largest first, with what to do about each.

    Without `knowledge` the groups are made by wording alone and carry no proposal.
    """
    resembler = Resembler(knowledge) if knowledge is not None else None
    by_text: dict[str, _Question] = {}
    for row in rows:
        folded = fold(row.text)
        question = by_text.get(folded)
        if question is None:
            best = None
            if resembler is not None:
                scores = resembler.scores(row.text)
                if scores:
                    best = max(scores.items(), key=lambda item: item[1])
            question = _Question(row.text, folded, _content(row.text), [], best)
            by_text[folded] = question
        question.rows.append(row)

    # Most asked first, so each group is seeded by its most typical wording.
    questions = sorted(by_text.values(), key=lambda q: (-len(q.rows), q.rows[0].at))
    anchors = _anchor_words(questions, resembler)
    groups: list[_Group] = []
    for question in questions:
        home = _find_group(question, groups, anchors)
        if home is None:
            groups.append(_Group([question]))
        else:
            home.members.append(question)

    built = [_build_group(g, resembler, anchors) for g in groups]
    built.sort(key=lambda g: (-g.count, -g.askers, -g.last_asked.timestamp()))
    return built


def _find_group(
    question: _Question, groups: list[_Group], anchors: frozenset[str]
) -> _Group | None:
    best_group, best_score = None, 0.0
    for group in groups:
        for member in group.members[:8]:
            score = _similarity(question, member, anchors)
            if score > best_score:
                best_group, best_score = group, score
    return best_group if best_score >= GROUP_SIMILARITY else None


def _build_group(
    group: _Group, resembler: Resembler | None, anchors: frozenset[str]
) -> QuestionGroup:
    rows = [row for member in group.members for row in member.rows]
    members = sorted(group.members, key=lambda m: -len(m.rows))
    resembles: Resemblance | None = None
    if resembler is not None:
        # The label with the best average score over all messages of the group.
        totals: dict[str, float] = defaultdict(float)
        for member in members:
            for label, score in resembler.scores(member.text).items():
                totals[label] += score * len(member.rows)
        if totals:
            label, total = max(totals.items(), key=lambda item: item[1])
            resembles = resembler.describe(label, round(total / len(rows)))
    examples = tuple(m.text for m in members[:MAX_EXAMPLES])
    proposal = _propose(members, resembles, resembler, anchors) if resembler else None
    return QuestionGroup(
        count=len(rows),
        askers=len({row.asker for row in rows}),
        examples=examples,
        first_asked=min(row.at for row in rows),
        last_asked=max(row.at for row in rows),
        resembles=resembles,
        proposal=proposal,
    )


# --- proposals -----------------------------------------------------------------------------

_PLAIN_YAML = re.compile(r"^[a-z0-9][a-z0-9 ',.!?()/&+-]*$")
_TRAILING = re.compile(r"[\s?!.,;:]+$")


def as_phrasing(text: str) -> str:
    """A patient's wording as the knowledge writes phrasings: lower case, one line, no '?'."""
    return _TRAILING.sub("", " ".join(text.lower().split()))


def yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar: plain when safe, else double-quoted (JSON quoting is YAML)."""
    if _PLAIN_YAML.match(text) and ": " not in text and " #" not in text:
        try:  # "yes", "no", "null", "42" would read back as something else
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def _pasteable(members: Sequence[_Question], resembler: Resembler) -> list[str]:
    chosen: list[str] = []
    for member in members:
        phrasing = as_phrasing(member.text)
        if (
            not phrasing
            or "[" in phrasing  # masked phone numbers and the like
            or len(phrasing) > MAX_PHRASING_CHARS
            or fold(phrasing) in resembler.known_phrasings
            or phrasing in chosen
        ):
            continue
        chosen.append(phrasing)
        if len(chosen) == MAX_PROPOSED_PHRASINGS:
            break
    return chosen


def _slug(members: Sequence[_Question], anchors: frozenset[str], taken: set[str]) -> str:
    """A topic id from the group's own words: its recurring new words first ("knee-pain")."""
    stems: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for member in members:
        for word in fold(member.text).split():
            if word in _GROUPING_STOPWORDS or len(word) < 3 or word.isdigit():
                continue
            stem = _stem(word)
            stems[stem] += len(member.rows)
            spellings[stem][word] += len(member.rows)
    ranked = sorted(stems, key=lambda w: (w not in anchors, -stems[w]))
    total = sum(len(m.rows) for m in members)
    chosen = ranked[:1] + [w for w in ranked[1:2] if 2 * stems[w] >= total]
    slug = "-".join(spellings[w].most_common(1)[0][0] for w in chosen) or "new-topic"
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def _propose(
    members: Sequence[_Question],
    resembles: Resemblance | None,
    resembler: Resembler,
    anchors: frozenset[str],
) -> Proposal:
    lines = _pasteable(members, resembler)
    close = resembles is not None and resembles.score >= CLOSE_SCORE
    if close and resembles is not None and resembles.kind == _TOPIC:
        file = resembler.topic_file(resembles.id)
        yaml = "\n".join(
            f"  - {yaml_scalar(line)}   # add to {file} under phrasings:" for line in lines
        )
        return Proposal(
            "add-phrasings",
            file,
            yaml or "  # (these wordings are already in the knowledge or too long to paste)",
            f'If "{resembles.title}" answers these, paste the lines under phrasings: in {file}.',
        )
    taken = {t.id for t in resembler.knowledge.topics}
    is_gap = close and resembles is not None and resembles.kind == _GAP
    if is_gap and resembles is not None and resembles.id not in taken:
        topic_id = resembles.id
    else:
        topic_id = _slug(members, anchors, taken)
    file = f"knowledge/topics/{topic_id}.yaml"
    stub = "\n".join(
        [
            f"# new file: {file}",
            f"id: {topic_id}",
            f"title: {topic_id.replace('-', ' ').capitalize()}",
            "answer:   # WRITE THE ANSWER HERE, from the clinic's page; until then the file is"
            " refused",
            "phrasings:",
            *(f"  - {yaml_scalar(line)}" for line in lines),
            "related: [booking]",
        ]
    )
    if is_gap and resembles is not None:
        return Proposal(
            "known-gap",
            file,
            stub,
            f'The bot already says kindly that this is not on the page (gap "{resembles.id}"'
            f" in {resembler.gaps_file()}). If the clinic wants to answer it, create this"
            " topic and remove the gap:",
        )
    return Proposal(
        "new-topic",
        file,
        stub,
        "Nothing in the knowledge is close. If the clinic can answer it, create this topic:",
    )


# --- building the report -------------------------------------------------------------------


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
    store: SQLiteStore,
    since_days: int,
    knowledge: Knowledge | None,
    *,
    knowledge_note: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Read the store and put together everything the report shows."""
    stats = store.stats(since_days)
    rows = store.unanswered(since_days)
    groups = tuple(group_unanswered(rows, knowledge))
    empty = None
    if stats.is_empty and not rows:
        empty = (
            f"No conversations were recorded in the last {since_days} days. Once patients "
            "have chatted with the bot, run the report again."
        )
    return Report(
        generated_at=now or utc_now(),
        since_days=since_days,
        database=str(store.path),
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
            " keeps its data elsewhere, pass --database PATH or set DATABASE_PATH.)"
        ),
    )


def _all_days(stats: Stats) -> list[tuple[date, Mapping[str, int]]]:
    """Every day of the period, with zeros for quiet days, so the chart's time axis is true."""
    known = {d.day: d.counts for d in stats.days}
    first = min([stats.first_day, *known]) if known else stats.first_day
    span = (stats.last_day - first).days + 1
    return [
        (first + timedelta(days=i), known.get(first + timedelta(days=i), {})) for i in range(span)
    ]


# --- text ----------------------------------------------------------------------------------


def _outcome_summary(stats: Stats) -> str:
    parts = [f"{OUTCOME_LABELS[kind]} {stats.outcomes.get(kind, 0)}" for kind in OUTCOME_ORDER]
    return f"{stats.total_messages} messages ({', '.join(parts)})"


def _group_heading(n: int, group: QuestionGroup) -> str:
    people = f"by {group.askers} {'person' if group.askers == 1 else 'people'}"
    times = "once" if group.count == 1 else f"{group.count} times"
    if group.resembles is None:
        like = "resembles no topic"  # nothing matched, or the knowledge could not be loaded (noted above)
    elif group.resembles.score >= CLOSE_SCORE:
        r = group.resembles
        like = (
            f'most like topic "{r.title}" ({r.id}), score {r.score}'
            if r.kind == _TOPIC
            else f'most like the known gap "{r.id}", score {r.score}'
        )
    else:
        like = f"nothing close (best: {group.resembles.id}, score {group.resembles.score})"
    return f"{n}. Asked {times} {people} - {like}"


def render_text(report: Report) -> str:
    """The report for a terminal or an e-mail: plain text."""
    stats = report.stats
    out = [
        f"Clinic assistant report: the last {report.since_days} days"
        f" ({stats.first_day} to {stats.last_day}, UTC)",
        f"Database: {report.database}",
    ]
    if report.knowledge_note:
        out.append(f"Note: {report.knowledge_note}")
    out.append("")
    if report.empty_reason:
        out.append(report.empty_reason)
        return "\n".join(out) + "\n"
    out.append(_outcome_summary(stats))
    out.append("")
    out.append(
        f"UNANSWERED QUESTIONS: {report.unanswered_messages} messages in"
        f" {len(report.groups)} groups, largest first"
    )
    if not report.groups:
        out.append("  None: every question got an answer. ")
    for n, group in enumerate(report.groups, 1):
        out.append("")
        out.append(_group_heading(n, group))
        for example in group.examples:
            out.append(f'     "{example}"')
        if group.proposal:
            out.append(f"   {group.proposal.advice}")
            out.extend(f"     {line}" for line in group.proposal.yaml.splitlines())
    out.append("")
    out.append("TOPICS: answers sent and helpfulness (yes / no taps)")
    if not report.topics:
        out.append("  No answers sent in this period.")
    width = max((len(t.title) for t in report.topics), default=10)
    for t in report.topics:
        rated = t.helpful + t.not_helpful
        share = f"{round(100 * t.helpful / rated)}% helpful" if rated else "no taps"
        out.append(
            f"  {t.title:<{width}}  {t.answers:>5} answers   {t.helpful:>3} yes {t.not_helpful:>3}"
            f" no   {share}"
        )
    out.append("")
    out.append(
        f"URGENT: {stats.urgent} message(s) described red-flag symptoms and were sent to"
        " urgent care (only counted; their words are never kept)."
    )
    out.append("")
    out.append("OUTCOMES PER DAY")
    out.append(
        "  " + "date".ljust(10) + "".join(OUTCOME_LABELS[k].rjust(16) for k in OUTCOME_ORDER)
    )
    for day, counts in _all_days(stats):
        if counts:
            out.append(f"  {day}" + "".join(str(counts.get(k, 0)).rjust(16) for k in OUTCOME_ORDER))
    return "\n".join(out) + "\n"


# --- json ----------------------------------------------------------------------------------


def report_data(report: Report) -> dict[str, object]:
    """The report as plain data (what --format json prints)."""
    stats = report.stats
    return {
        "generated_at": report.generated_at.astimezone(UTC).isoformat(),
        "since_days": report.since_days,
        "first_day": stats.first_day.isoformat(),
        "last_day": stats.last_day.isoformat(),
        "database": report.database,
        "empty": report.empty_reason is not None,
        "message": report.empty_reason,
        "knowledge_note": report.knowledge_note,
        "messages": stats.total_messages,
        "outcomes": {k: stats.outcomes.get(k, 0) for k in OUTCOME_ORDER},
        "urgent": stats.urgent,
        "unanswered_groups": [
            {
                "count": g.count,
                "askers": g.askers,
                "examples": list(g.examples),
                "first_asked": g.first_asked.isoformat(),
                "last_asked": g.last_asked.isoformat(),
                # Every field, as named in the dataclass: a field added there shows up here.
                "resembles": None if g.resembles is None else asdict(g.resembles),
                "proposal": None if g.proposal is None else asdict(g.proposal),
            }
            for g in report.groups
        ],
        "topics": [
            {
                "id": t.id,
                "title": t.title,
                "answers": t.answers,
                "helpful": t.helpful,
                "not_helpful": t.not_helpful,
            }
            for t in report.topics
        ],
        "days": [
            {"day": day.isoformat(), **{k: counts.get(k, 0) for k in OUTCOME_ORDER}}
            for day, counts in _all_days(stats)
        ],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_data(report), ensure_ascii=False, indent=2) + "\n"


# --- html ----------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#1d2733;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;
border-bottom:2px solid #e3e8ee;padding-bottom:.3rem}.muted{color:#5d6b7a}
.note{background:#fff6e0;border-left:4px solid #e0a526;padding:.6rem 1rem}
.empty{background:#eef5ff;border-left:4px solid #3a6fb0;padding:1rem;font-size:1.1rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #e3e8ee;border-radius:8px;
padding:.6rem 1rem;min-width:7rem}.card b{display:block;font-size:1.5rem}
.group{border:1px solid #e3e8ee;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}
.group h3{margin:.1rem 0 .4rem;font-size:1.05rem}ul.examples{margin:.3rem 0}
pre{background:#f4f6f8;border-radius:6px;padding:.6rem .8rem;overflow-x:auto;
white-space:pre-wrap}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e3e8ee}
td.n,th.n{text-align:right}.legend span{display:inline-block;margin-right:1rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;
vertical-align:middle}svg{max-width:100%;height:auto}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _day_chart(stats: Stats) -> str:
    """Stacked bars of outcomes per day, as inline SVG."""
    days = _all_days(stats)
    peak = max((sum(c.values()) for _, c in days), default=0) or 1
    slot = max(6.0, min(40.0, 720 / max(1, len(days))))  # px per day: wide when few days
    bar, height, left, bottom = slot * 0.75, 180, 40, 30
    label_every = max(1, math.ceil(44 / slot))  # a "18 Nov" label needs about 40 px
    width = round(left + len(days) * slot + 10)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + bottom}"'
        f' width="{width}" height="{height + bottom}" role="img"'
        ' aria-label="Messages per day by outcome">',
        f'<line x1="{left}" y1="{height}" x2="{width}" y2="{height}" stroke="#9aa5b1"/>',
        f'<text x="{left - 6}" y="12" font-size="11" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{height}" font-size="11" text-anchor="end">0</text>',
    ]
    for i, (day, counts) in enumerate(days):
        x = left + i * slot
        y = float(height)
        for kind in OUTCOME_ORDER:
            n = counts.get(kind, 0)
            if not n:
                continue
            h = n / peak * (height - 10)
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}"'
                f' fill="{OUTCOME_COLOURS[kind]}"><title>{_e(day)}: {n} {_e(OUTCOME_LABELS[kind])}</title></rect>'
            )
        if (len(days) - 1 - i) % label_every == 0:  # counted from today, which is labelled
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height + 14}" font-size="10"'
                f' text-anchor="middle">{_e(day.strftime("%d %b"))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _topic_chart(topics: Sequence[TopicLine]) -> str:
    """Horizontal bars of answers per topic, as inline SVG."""
    shown = [t for t in topics if t.answers][:20]
    if not shown:
        return '<p class="muted">No answers sent in this period.</p>'
    peak = max(t.answers for t in shown)
    row, label_w, bar_w = 22, 220, 360
    height = row * len(shown) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + 60} {height}"'
        f' width="{label_w + bar_w + 60}" height="{height}" role="img"'
        ' aria-label="Answers per topic">'
    ]
    for i, t in enumerate(shown):
        y = i * row + 4
        w = max(1.0, t.answers / peak * bar_w)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 13}" font-size="12" text-anchor="end">'
            f"{_e(t.title[:34])}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="16" fill="#3a7d44"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 13}" font-size="12">{t.answers}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: Report) -> str:
    """One self-contained page: inline CSS and SVG, no scripts, nothing fetched."""
    stats = report.stats
    body: list[str] = [
        "<h1>What patients asked</h1>",
        f'<p class="muted">The last {report.since_days} days ({_e(stats.first_day)} to'
        f" {_e(stats.last_day)}, UTC) &middot; made {_e(report.generated_at.strftime('%Y-%m-%d %H:%M'))}"
        f" UTC &middot; database {_e(report.database)}</p>",
    ]
    if report.knowledge_note:
        body.append(f'<p class="note">{_e(report.knowledge_note)}</p>')
    if report.empty_reason:
        body.append(f'<p class="empty">{_e(report.empty_reason)}</p>')
    else:
        cards = [("messages", stats.total_messages)] + [
            (OUTCOME_LABELS[k], stats.outcomes.get(k, 0)) for k in OUTCOME_ORDER
        ]
        body.append(
            '<div class="cards">'
            + "".join(f'<div class="card"><b>{n}</b>{_e(label)}</div>' for label, n in cards)
            + "</div>"
        )
        body.append("<h2>Unanswered questions</h2>")
        body.append(
            f"<p>{report.unanswered_messages} messages the assistant could not answer with"
            f" confidence, in {len(report.groups)} groups of similar questions, largest first."
            " Paste the suggested lines into the file named, then run"
            " <code>python -m bot check</code>; the bot picks the change up by itself.</p>"
        )
        if not report.groups:
            body.append('<p class="muted">None: every question got an answer.</p>')
        for n, group in enumerate(report.groups, 1):
            body.append('<div class="group">')
            body.append(f"<h3>{_e(_group_heading(n, group))}</h3>")
            body.append(
                '<ul class="examples">'
                + "".join(f"<li>{_e(x)}</li>" for x in group.examples)
                + "</ul>"
            )
            if group.proposal:
                body.append(f"<p>{_e(group.proposal.advice)}</p>")
                body.append(f"<pre>{_e(group.proposal.yaml)}</pre>")
            body.append("</div>")
        body.append("<h2>Topics: answers sent</h2>")
        body.append(_topic_chart(report.topics))
        body.append("<h2>Was it helpful?</h2>")
        rated = [t for t in report.topics if t.helpful + t.not_helpful]
        if rated:
            body.append(
                '<table><tr><th>Topic</th><th class="n">Yes</th><th class="n">No</th>'
                '<th class="n">Helpful</th></tr>'
            )
            for t in rated:
                share = round(100 * t.helpful / (t.helpful + t.not_helpful))
                body.append(
                    f'<tr><td>{_e(t.title)}</td><td class="n">{t.helpful}</td>'
                    f'<td class="n">{t.not_helpful}</td><td class="n">{share}%</td></tr>'
                )
            body.append("</table>")
        else:
            body.append('<p class="muted">Nobody tapped "Was this helpful?" in this period.</p>')
        body.append("<h2>Urgent</h2>")
        body.append(
            f"<p><b>{stats.urgent}</b> message(s) described red-flag symptoms and were sent to"
            " urgent care. They are only counted: their words are never kept.</p>"
        )
        body.append("<h2>Outcomes per day</h2>")
        body.append(
            '<p class="legend">'
            + "".join(
                f'<span><i class="swatch" style="background:{OUTCOME_COLOURS[k]}"></i>{_e(OUTCOME_LABELS[k])}</span>'
                for k in OUTCOME_ORDER
            )
            + "</p>"
        )
        body.append(_day_chart(stats))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Clinic assistant report</title>"
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


RENDERERS = {"text": render_text, "json": render_json, "html": render_html}


# --- short summaries for the Telegram admin commands ----------------------------------------


def stats_summary(
    stats: Stats, titles: Mapping[str, str] | None = None, *, storage_note: str | None = None
) -> str:
    """The /stats reply (plain text, send without parse_mode)."""
    titles = titles or {}
    lines = [f"Last {stats.since_days} days ({stats.first_day} to {stats.last_day}, UTC)"]
    if storage_note:
        lines.append(f"Storage is off: {storage_note}")
    lines.append(_outcome_summary(stats))
    lines.append(f"Urgent: {stats.urgent}   Unanswered (suggest + fallback): {stats.unanswered}")
    if stats.answers_by_topic:
        lines.append("Most asked:")
        lines += [f"  {n}  {titles.get(t, t)}" for t, n in stats.answers_by_topic[:5]]
    rated = [f for f in stats.feedback if f.total]
    if rated:
        yes = sum(f.helpful for f in rated)
        total = sum(f.total for f in rated)
        lines.append(f"Helpful: {yes} of {total} taps ({round(100 * yes / total)}%)")
    return "\n".join(lines)


def unanswered_summary(groups: Sequence[QuestionGroup], limit: int = 5) -> str:
    """The /unanswered reply: the top groups with an example and the suggestion (plain text)."""
    if not groups:
        return "No unanswered questions in this period."
    lines = []
    for n, group in enumerate(groups[:limit], 1):
        lines.append(_group_heading(n, group))
        lines += [f'   "{x}"' for x in group.examples[:3]]
        if group.proposal and group.proposal.action == "add-phrasings":
            lines.append(f"   -> add as phrasings in {group.proposal.file}")
        elif group.proposal:
            lines.append(f"   -> new topic? {group.proposal.file}")
    if len(groups) > limit:
        lines.append(f"... and {len(groups) - limit} more groups: run `python -m bot report`.")
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------


def _load_knowledge(directory: Path) -> tuple[Knowledge | None, str | None]:
    from bot.core.loader import load_knowledge

    try:
        return load_knowledge(directory), None
    except KnowledgeError as exc:
        return None, (
            f"the knowledge in {directory} has {len(exc.problems)} problem(s), so questions"
            " are grouped but no topics are suggested; run `python -m bot check`."
        )
    except OSError as exc:
        return None, f"could not read the knowledge in {directory} ({exc}); no suggestions."


def run_report(args: argparse.Namespace) -> int:
    """`python -m bot report`: build the report and print it or write it to --out."""
    from bot.config import Settings

    settings = Settings.from_env()
    database = Path(args.database) if args.database else settings.database_path
    knowledge_dir = Path(args.knowledge) if args.knowledge else settings.knowledge_dir
    since = args.since
    if since < 1:
        print("error: --since must be at least 1 day", file=sys.stderr)
        return 2
    if not database.exists():
        report = missing_database_report(database, since)
    else:
        knowledge, note = _load_knowledge(knowledge_dir)
        try:
            store = SQLiteStore(database, chat_keys=None, retention_days=settings.retention_days)
        except StoreError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        try:
            report = build_report(store, since, knowledge, knowledge_note=note)
        except StoreError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            store.close()
    output = RENDERERS[args.format](report)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(output, encoding="utf-8")
        print(
            f"Report written to {out}"
            + (f" ({report.empty_reason})" if report.empty_reason else "")
        )
    else:
        sys.stdout.write(output)
    return 0


def add_report_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `report` to the command line; its handler is `run_report(args) -> int`."""
    parser = subparsers.add_parser(
        "report",
        help="what patients asked that went unanswered, and how the answers do",
        description=(
            "Read what the bot recorded and show: the questions it could not answer, grouped"
            " by similarity with the topic each resembles and the YAML line to paste so it"
            " is answered next time (or a stub for a new topic); how often each topic was"
            " answered and whether patients found it helpful; the urgent count; and the"
            " outcomes per day. --format html writes one page to open in a browser."
        ),
        epilog="example: python -m bot report --since 7 --format html --out report.html",
    )
    parser.add_argument(
        "--since",
        type=int,
        default=DEFAULT_SINCE_DAYS,
        metavar="DAYS",
        help=f"how many days back to look, today included (default {DEFAULT_SINCE_DAYS})",
    )
    parser.add_argument(
        "--format",
        choices=sorted(RENDERERS),
        default="text",
        help="text (default) for the terminal, json for programs, html for a browser",
    )
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of the screen")
    parser.add_argument(
        "--database",
        metavar="PATH",
        help="the database to read (default: DATABASE_PATH or data/clinic-bot.sqlite3)",
    )
    parser.add_argument(
        "--knowledge",
        metavar="DIR",
        help="the knowledge folder to compare with (default: KNOWLEDGE_DIR or ./knowledge)",
    )
    parser.set_defaults(func=run_report)
    return parser
