"""What the practitioner can do about a group of unanswered questions, as YAML ready to use.

Patients' wordings become phrasings the way the knowledge writes them (lower case, one
line, properly quoted). A long story is not pasted whole: its question sentence is, so a
group of long questions still gets usable phrasings.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import yaml

from bot.core.matching import stem
from bot.core.prepared import Part, PreparedMessage
from bot.core.scope import OTHER_BODY_AND_CONDITIONS
from bot.core.text import fold
from bot.practitioner.resemblance import (
    GAP,
    GROUPING_STOPWORDS,
    TOPIC,
    Resemblance,
    Resembler,
    content_words,
)
from bot.practitioner.unmasked import has_mask, without_masked
from bot.store.masking import mask_personal_details

MAX_PROPOSED_PHRASINGS = 3
MAX_PHRASING_CHARS = 120  # longer messages are stories: their question sentence is used
MIN_PHRASING_WORDS = 2  # content words a shortened phrasing must keep to mean anything

_PLAIN_YAML = re.compile(r"^[a-z0-9][a-z0-9 ',.!?()/&+-]*$")
_TRAILING = re.compile(r"[\s?!.,;:]+$")


@dataclass(frozen=True)
class Proposal:
    """What the practitioner can do about a group, with the YAML to paste."""

    action: str  # "add-phrasings" | "new-topic" | "known-gap"
    file: str  # where the YAML goes, e.g. knowledge/topics/how-many-sessions.yaml
    yaml: str  # ready to paste (already indented for its place)
    advice: str  # one sentence saying what to do


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


def _informative(text: str) -> int:
    return sum(1 for w in fold(text).split() if w not in GROUPING_STOPWORDS)


def question_part(text: str, limit: int = MAX_PHRASING_CHARS) -> str:
    """A phrasing from a patient's message, without masked details; for a long story, the
    clause that asks, as the bot's own reading of the message marks it (the matcher's
    clauses), so the phrasing is what the matcher will compare.

    "im 20 weeks pregnant and my back is killing me. is acupuncture safe when pregnant?"
    gives "is acupuncture safe when pregnant". Empty when nothing short enough means
    anything on its own.
    """
    text = without_masked(text)
    whole = as_phrasing(text)
    if len(whole) <= limit:
        return whole
    parts = PreparedMessage.of(text).parts

    def rank(part: Part) -> tuple[int, int, int]:
        return (int(part.asks), _informative(part.raw), -len(part.raw))

    usable = {
        as_phrasing(p.raw): p
        for p in sorted(parts, key=rank)
        if len(as_phrasing(p.raw)) <= limit
        and _informative(p.raw) >= (1 if p.asks else MIN_PHRASING_WORDS)
    }
    if not usable:
        return ""
    return max(usable, key=lambda phrasing: rank(usable[phrasing]))


def usable_phrasings(
    texts: Sequence[str], known: Collection[str], limit: int | None = MAX_PROPOSED_PHRASINGS
) -> list[str]:
    """Distinct new phrasings from patients' wordings, in order, at most `limit`.

    Each wording is masked again (what reaches knowledge/ is never less masked than the
    store), then its masked parts and their framing are left out (`without_masked`); skipped:
    wordings already in the knowledge (`known` holds folded phrasings), and those with
    nothing left once the masked parts are out.
    """
    chosen: list[str] = []
    seen: set[str] = set()
    for text in texts:
        phrasing = question_part(mask_personal_details(text))
        folded = fold(phrasing)
        if not folded or has_mask(phrasing) or folded in known or folded in seen:
            continue
        chosen.append(phrasing)
        seen.add(folded)
        if limit is not None and len(chosen) == limit:
            break
    return chosen


def slug(asked: Sequence[tuple[str, int]], anchors: Collection[str], taken: set[str]) -> str:
    """A topic id from the group's own words: its recurring new words first ("knee-pain")."""
    stems: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for text, times in asked:
        for word in fold(without_masked(text)).split():
            if word in GROUPING_STOPWORDS or len(word) < 3 or word.isdigit():
                continue
            stemmed = stem(word)
            stems[stemmed] += times
            spellings[stemmed][word] += times
    ranked = sorted(stems, key=lambda w: (w not in anchors, -stems[w], w))
    total = sum(times for _, times in asked)
    chosen = ranked[:1] + [w for w in ranked[1:2] if 2 * stems[w] >= total]
    name = "-".join(spellings[w].most_common(1)[0][0] for w in chosen) or "new-topic"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    return candidate


# Other parts of the body and other conditions, as grouping stems them ("knees" -> "knee").
OTHER_CONDITIONS = frozenset(content_words(OTHER_BODY_AND_CONDITIONS))


def _another_condition(asked: Sequence[tuple[str, int]]) -> bool:
    """Most of the group names another part of the body or another condition ("knee"): its
    wordings would make a back topic answer it ("can you help with my knee" is not "can
    acupuncture help my back"), so they are proposed as a new topic, not as phrasings."""
    total = sum(times for _, times in asked)
    named: Counter[str] = Counter()
    for text, times in asked:
        for word in set(content_words(text)) & OTHER_CONDITIONS:
            named[word] += times
    return any(2 * n > total for n in named.values())


def propose(
    asked: Sequence[tuple[str, int]],
    resembles: Resemblance | None,
    resembler: Resembler,
    anchors: Collection[str],
    *,
    close_score: int,
) -> Proposal:
    """The proposal for a group: `asked` holds (wording, times asked), most asked first."""
    lines = usable_phrasings([text for text, _ in asked], resembler.known_phrasings)
    close = resembles is not None and resembles.score >= close_score
    if (
        close
        and resembles is not None
        and resembles.kind == TOPIC
        and not _another_condition(asked)
    ):
        file = resembler.topic_file(resembles.id)
        pasted = "\n".join(
            f"  - {yaml_scalar(line)}   # add to {file} under phrasings:" for line in lines
        )
        return Proposal(
            "add-phrasings",
            file,
            pasted or "  # (these wordings are already in the knowledge)",
            f'If "{resembles.title}" answers these, paste the lines under phrasings: in {file}.',
        )
    taken = {t.id for t in resembler.knowledge.topics}
    is_gap = close and resembles is not None and resembles.kind == GAP
    if is_gap and resembles is not None and resembles.id not in taken:
        topic_id = resembles.id
    else:
        topic_id = slug(asked, anchors, taken)
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
