"""Which topic or known gap a patient's question is most like, by the bot's own matcher.

The report, the grouping and the one-tap edits all ask this, so a suggestion always agrees
with what the bot itself would have matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.matching import STOPWORDS, Entry, Matcher, stem
from bot.core.model import Knowledge
from bot.core.text import fold
from bot.practitioner.unmasked import without_masked

TOPIC, GAP = "topic", "gap"

# Words that say nothing about what a question is about, on top of the matcher's stopwords.
GROUPING_STOPWORDS = STOPWORDS | frozenset(
    """how what whats when where wheres who whos why which acupuncture acupuncturist
    acupunture accupuncture clinic treatment treat help session sessions question ask""".split()
)
_STOP_STEMS = frozenset(stem(w) for w in GROUPING_STOPWORDS)


def content_words(text: str) -> list[str]:
    """The stemmed words of a question that say what it is about, in order (the matcher's
    stemmer, so "parking"/"park" and "knees"/"knee" meet here as they do in matching)."""
    out = []
    for word in fold(without_masked(text)).split():
        if word in GROUPING_STOPWORDS:
            continue
        stemmed = stem(word)
        if stemmed not in _STOP_STEMS:
            out.append(stemmed)
    return out


def content(text: str) -> str:
    """`content_words` as one string, the form rapidfuzz compares."""
    return " ".join(content_words(text))


@dataclass(frozen=True)
class Resemblance:
    """The topic (or known gap from not_on_page.yaml) a group of questions is most like."""

    kind: str  # "topic" or "gap"
    id: str
    title: str
    score: int  # 0-100, the bot's own matching score


class Resembler:
    """Ranks topics and known gaps for a text with the bot's matcher (built once per report)."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        entries = [
            Entry(f"{TOPIC}:{t.id}", p) for t in knowledge.topics for p in (t.title, *t.phrasings)
        ]
        entries += [Entry(f"{GAP}:{g.id}", p) for g in knowledge.gaps for p in g.phrasings]
        keywords: dict[str, Sequence[str]] = {
            f"{TOPIC}:{t.id}": t.keywords for t in knowledge.topics if t.keywords
        }
        synonyms: dict[str, Sequence[str]] = dict(knowledge.synonyms)
        self._matcher = Matcher(entries, synonyms, keywords)
        self._titles = {t.id: t.title for t in knowledge.topics}
        # Wordings a topic now answers word for word (added since they were asked).
        self.topic_phrasings = frozenset(
            fold(p) for t in knowledge.topics for p in (*t.phrasings, t.title)
        )
        self.known_phrasings = self.topic_phrasings | frozenset(
            fold(p) for g in knowledge.gaps for p in g.phrasings
        )
        # The words the topics use, as grouping sees them, to spot the words they never use
        # (known gaps are left out: what they name is exactly what no topic answers).
        self.vocabulary = frozenset(
            word
            for t in knowledge.topics
            for text in (t.title, t.answer, *t.phrasings)
            for word in content_words(text)
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
        """A "kind:id" label and its score as a Resemblance with the topic's title."""
        kind, _, ident = label.partition(":")
        title = self._titles.get(ident, ident) if kind == TOPIC else ident
        return Resemblance(kind, ident, title, score)

    def topic_file(self, topic_id: str) -> str:
        """Where a topic's YAML is, as the practitioner would type it."""
        topic = self.knowledge.topic(topic_id)
        if topic is not None and topic.source is not None:
            return display_path(topic.source)
        return f"knowledge/topics/{topic_id}.yaml"

    def gaps_file(self) -> str:
        """Where the known gaps are, as the practitioner would type it."""
        base = self.knowledge.directory
        return display_path(base / "not_on_page.yaml") if base else "knowledge/not_on_page.yaml"


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is below it, else as given."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
