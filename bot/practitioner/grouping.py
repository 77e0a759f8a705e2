"""Unanswered questions grouped by meaning: the same question in different words is one group.

Questions are compared by their meaningful words (rapidfuzz token ratios, so typos and word
order do not matter), and two questions that both strongly resemble the same topic or known
gap are one group even when worded differently ("how much is it" and "what do you charge").
A long story is compared by its words as a whole, not by whichever few of them it shares
with a short question, so unrelated questions do not end up together.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz

from bot.core.model import Knowledge
from bot.core.text import fold
from bot.practitioner.proposals import Proposal, propose, question_part
from bot.practitioner.resemblance import GAP, TOPIC, Resemblance, Resembler, content
from bot.store import UnansweredRow

GROUP_SIMILARITY = 75  # rapidfuzz score (0-100) above which two questions are one group
SAME_MEANING_SCORE = 75  # both resemble one topic/gap at least this well: one group
ANCHOR_SIMILARITY = 85  # two questions share a recurring word the knowledge never uses
CLOSE_SCORE = 45  # a group resembling a topic this well gets "add as a phrasing"
SUBSET_WORDS = 4  # a question with more content words than this is not "contained" in another
MAX_EXAMPLES = 5
MAX_CANDIDATES = 3  # topics offered as "Add to ..." for one group
GROUP_KEY_CHARS = 10  # hex characters of a group's short id (fits Telegram's callback data)


def row_key(row: UnansweredRow) -> str:
    """A stable fingerprint of one stored message: what "Ignore" remembers instead of text.

    It is one-way (SHA-256 over the time, the pseudonymous asker and the text) and means
    nothing once the row itself has expired or been forgotten.
    """
    raw = f"{row.at.isoformat()}\x1f{row.asker}\x1f{row.text}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


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
    questions: tuple[str, ...] = ()  # every distinct wording, most frequent first
    candidates: tuple[Resemblance, ...] = ()  # the closest topics, best first
    closest_gap: Resemblance | None = None  # the closest known gap, if any resembles it
    row_keys: tuple[str, ...] = ()  # `row_key` of every message in the group

    @property
    def key(self) -> str:
        """A short id for this exact group (the same rows give the same id)."""
        joined = "".join(sorted(self.row_keys)).encode()
        return hashlib.sha256(joined).hexdigest()[:GROUP_KEY_CHARS]


@dataclass
class _Question:
    """One distinct question text while grouping (mutable scratch, never returned)."""

    text: str
    folded: str
    content: str
    rows: list[UnansweredRow]
    best: tuple[str, int] | None  # strongest "kind:id" and its score


def _similarity(a: _Question, b: _Question, anchors: frozenset[str]) -> float:
    """0-100: how much two questions are the same question."""
    a_words, b_words = set(a.content.split()), set(b.content.split())
    if a_words and b_words:
        # token_set_ratio says 100 whenever one question's words are all in the other: right
        # for "knee pain" and "bad knee pain", wrong for "pain" inside a long story.
        shorter, longer = sorted((len(a_words), len(b_words)))  # 0 when a side has none
        if shorter <= SUBSET_WORDS and longer <= 2 * shorter:
            score = fuzz.token_set_ratio(a.content, b.content)
        else:
            score = fuzz.token_sort_ratio(a.content, b.content)
    else:  # all-stopword questions: compare them whole
        score = fuzz.ratio(a.folded, b.folded)
    shared_words = a_words & b_words
    shared_anchors = shared_words & anchors
    # A recurring new word joins two questions when it is what they are about, not one
    # word among many ("much" in "how much is it" and in "thank you so much, sorry for all
    # the questions at this hour").
    shorter, longer = sorted((len(a_words), len(b_words)))
    if shared_anchors and 2 * len(shared_anchors) >= shorter and 3 * len(shared_anchors) >= longer:
        score = max(score, ANCHOR_SIMILARITY)
    if a.best and b.best and a.best[0] == b.best[0]:
        both = min(a.best[1], b.best[1])
        if both >= SAME_MEANING_SCORE:
            score = 100.0
        elif both >= CLOSE_SCORE and 3 * len(shared_words) >= longer:
            # Like the same topic, and a third of their words in common ("much" alone, in a
            # story about physiotherapy, is not).
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


def group_unanswered(
    rows: Sequence[UnansweredRow],
    knowledge: Knowledge | None = None,
    *,
    ignored: Iterable[str] = (),
) -> list[QuestionGroup]:
    """Group unanswered messages by similarity, largest first, with what to do about each.

    Without `knowledge` the groups are made by wording alone and carry no proposal. Left
    out: rows whose `row_key` is in `ignored` (the practitioner tapped "Ignore"), and rows
    whose wording is now a phrasing of a topic (added since, e.g. by "Add to").
    """
    skip = frozenset(ignored)
    resembler = Resembler(knowledge) if knowledge is not None else None
    by_text: dict[str, _Question] = {}
    for row in rows:
        if skip and row_key(row) in skip:
            continue
        if resembler is not None and fold(question_part(row.text)) in resembler.topic_phrasings:
            continue  # a topic has answered this wording since: nothing left to do
        folded = fold(row.text)
        question = by_text.get(folded)
        if question is None:
            best = None
            if resembler is not None:
                scores = resembler.scores(row.text)
                if scores:
                    best = max(scores.items(), key=lambda item: item[1])
            # A story is compared by the sentence that asks, not by every word of it.
            question = _Question(row.text, folded, content(question_part(row.text)), [], best)
            by_text[folded] = question
        question.rows.append(row)

    # Most asked first, so each group is seeded by its most typical wording.
    questions = sorted(by_text.values(), key=lambda q: (-len(q.rows), q.rows[0].at))
    anchors = _anchor_words(questions, resembler)
    groups: list[list[_Question]] = []
    for question in questions:
        home = _find_group(question, groups, anchors)
        if home is None:
            groups.append([question])
        else:
            home.append(question)

    built = [_build_group(g, resembler, anchors) for g in groups]
    built.sort(key=lambda g: (-g.count, -g.askers, -g.last_asked.timestamp()))
    return built


def _find_group(
    question: _Question, groups: list[list[_Question]], anchors: frozenset[str]
) -> list[_Question] | None:
    best_group, best_score = None, 0.0
    for group in groups:
        for member in group[:8]:
            score = _similarity(question, member, anchors)
            if score > best_score:
                best_group, best_score = group, score
    return best_group if best_score >= GROUP_SIMILARITY else None


def _build_group(
    group: list[_Question], resembler: Resembler | None, anchors: frozenset[str]
) -> QuestionGroup:
    rows = [row for member in group for row in member.rows]
    members = sorted(group, key=lambda m: -len(m.rows))
    resembles: Resemblance | None = None
    candidates: tuple[Resemblance, ...] = ()
    closest_gap: Resemblance | None = None
    proposal: Proposal | None = None
    if resembler is not None:
        # Each label's average score over all messages of the group; the best one wins.
        totals: dict[str, float] = defaultdict(float)
        for member in members:
            for label, score in resembler.scores(member.text).items():
                totals[label] += score * len(member.rows)
        ranked = [
            resembler.describe(label, round(total / len(rows)))
            for label, total in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        ]
        if ranked:
            resembles = ranked[0]
        candidates = tuple(r for r in ranked if r.kind == TOPIC)[:MAX_CANDIDATES]
        closest_gap = next((r for r in ranked if r.kind == GAP), None)
        asked = [(m.text, len(m.rows)) for m in members]
        proposal = propose(asked, resembles, resembler, anchors, close_score=CLOSE_SCORE)
    return QuestionGroup(
        count=len(rows),
        askers=len({row.asker for row in rows}),
        examples=tuple(m.text for m in members[:MAX_EXAMPLES]),
        first_asked=min(row.at for row in rows),
        last_asked=max(row.at for row in rows),
        resembles=resembles,
        proposal=proposal,
        questions=tuple(m.text for m in members),
        candidates=candidates,
        closest_gap=closest_gap,
        row_keys=tuple(row_key(row) for row in rows),
    )
