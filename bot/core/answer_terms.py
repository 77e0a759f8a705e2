"""The answers' own terms: a study they cite ("what did Komori 2009 find?"), a word they
write in another script ("經絡 what mean?") or a technical word of the page no patient would
use ("neurohumoral factors??") leads to the topic whose answer uses it.

Derived from the answers' own text when the knowledge loads, so a citation the practitioner
adds to an answer is found without anyone writing phrasings for it. When several answers cite
the same study (the overview repeats them all), the one citing the fewest studies is the one
about it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.english import is_english
from bot.core.matching import Entry, Matcher, Scored
from bot.core.model import Topic
from bot.core.text import fold

# "(Pomeranz 1987, Zhao 2008)", "(Kim et al. 2008)": an author's name and a year, in brackets.
_BRACKETS = re.compile(r"\(([^()]*\b(?:19|20)\d\d\b[^()]*)\)")
_CITATION = re.compile(r"([A-Z][A-Za-z'\-]+)(?:\s+et\s+al\.?)?,?\s+((?:19|20)\d\d)")
_TAGS = re.compile(r"<[^>]*>")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A name alone ("Kim", "Thomas") is also a first name: without its year it counts only in a
# message about research, or a message that is little more than the name.
RESEARCH_WORDS = frozenset(
    "study studies research paper papers trial trials evidence reference references source "
    "sources citation cited cite find found findings show showed shows prove proved "
    # what an author is said to have said: "attributed to ... (Pomeranz)", "according to Zhao"
    "attributed according argued argues suggests suggested reported reports al expand".split()
)
# "Your page says ... Which study?": the words of the claim itself lead to the answer that
# makes it, when no author is named. Words that say a claim is being quoted count as research.
CLAIM_WORDS = frozenset("claim claims claimed states stated wrote written".split())
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+|\s*•\s*")
NAME_ONLY_MAX_WORDS = 3
NAME_TYPO_CUTOFF = 85  # rapidfuzz ratio: "pomerantz" is Pomeranz, "kim" is only Kim
MIN_TYPO_LENGTH = 5
MIN_CLAIM_WORDS = 4  # a shorter piece of an answer ("Pain relief:") is a heading, not a claim
TERM_LETTERS = 8  # a technical word of the page is at least this long ("neurohumoral")


@dataclass(frozen=True)
class Citation:
    """One study cited on the page, as written in an answer."""

    author: str  # folded: "pomeranz"
    year: str


def non_latin_words(text: str) -> set[str]:
    """Runs of letters outside the Latin script ("經絡"), normalised (NFKC)."""
    text = unicodedata.normalize("NFKC", text)
    return set(_NON_LATIN.findall(text))


def _is_non_latin_letter(ch: str) -> bool:
    return ch.isalpha() and not ch.isascii() and "LATIN" not in unicodedata.name(ch, "LATIN")


_NON_LATIN = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]+")


class AnswerTerms:
    """Every citation and non-Latin word in the answers, and the topic each one leads to."""

    def __init__(
        self, topics: Iterable[Topic], synonyms: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        """`synonyms` are the knowledge's, so the answers' sentences are read the way the
        phrasings are."""
        topics = list(topics)
        written_by: dict[str, list[str]] = defaultdict(list)
        for topic in topics:
            # the page's own words (經絡), and those the practitioner's phrasings add (拔罐)
            written = " ".join((topic.answer, *topic.phrasings))
            for word in non_latin_words(_TAGS.sub(" ", written)):
                if all(_is_non_latin_letter(ch) for ch in word):
                    written_by[word].append(topic.id)
        # A word only one answer writes is about that answer.
        self.topic_of_word = {w: ids[0] for w, ids in written_by.items() if len(ids) == 1}
        cited_by: dict[Citation, list[tuple[int, str]]] = defaultdict(list)
        for topic in topics:
            found = {
                Citation(fold(author), year)
                for group in _BRACKETS.findall(topic.answer)
                for author, year in _CITATION.findall(group)
            }
            for citation in found:
                cited_by[citation].append((len(found), topic.id))
        # The most specific answer: the one citing the fewest studies (then by id, stable).
        self.topic_of = {c: min(topics_)[1] for c, topics_ in cited_by.items()}
        self._years: dict[str, set[str]] = defaultdict(set)
        for c in self.topic_of:
            self._years[c.author].add(c.year)
        self._authors = sorted(self._years)
        claim_entries = [
            Entry(self._claim_topic(topic.id, sentence), sentence)
            for topic in topics
            for sentence in _SENTENCE_END.split(_TAGS.sub(" ", topic.answer))
            if len(fold(_BRACKETS.sub(" ", sentence)).split()) >= MIN_CLAIM_WORDS
        ]
        self._claims = Matcher(claim_entries, synonyms) if claim_entries else None
        self.topic_of_term = self._terms(topics)

    def _terms(self, topics: list[Topic]) -> dict[str, str]:
        """The page's technical words ("neurohumoral"): long, not common English, in no
        phrasing and no author's name, each led to the one answer that uses it besides the
        overview (the answer citing the most studies, which repeats every claim)."""
        said = {w for topic in topics for p in topic.phrasings for w in fold(p).split()}
        cited = {
            topic.id: sum(len(_CITATION.findall(g)) for g in _BRACKETS.findall(topic.answer))
            for topic in topics
        }
        overview = max(cited, key=lambda t: (cited[t], t)) if any(cited.values()) else None
        used_by: dict[str, set[str]] = defaultdict(set)
        for topic in topics:
            for word in fold(_TAGS.sub(" ", topic.answer)).split():
                if (
                    len(word) >= TERM_LETTERS
                    and word.isalpha()
                    and word not in said
                    and word not in self._years
                    and not is_english(word)
                ):
                    used_by[word].add(topic.id)
        terms = {}
        for word, ids in used_by.items():
            specific = ids - {overview} if len(ids) > 1 else ids
            if len(specific) == 1:
                terms[word] = next(iter(specific))
        return terms

    def _claim_topic(self, topic_id: str, sentence: str) -> str:
        """A sentence citing studies belongs to the topic its citations lead to (the overview
        repeats every claim; the claim is the specific answer's)."""
        found = [
            self.topic_of[c]
            for group in _BRACKETS.findall(sentence)
            for author, year in _CITATION.findall(group)
            if (c := Citation(fold(author), year)) in self.topic_of
        ]
        return found[0] if found else topic_id

    def claimed(self, words: list[str], floor: float = 0.0) -> list[Scored]:
        """For a message asking for the research behind a claim, the topics whose answers'
        sentences it quotes, best first; empty for any other message."""
        if not (RESEARCH_WORDS.intersection(words) or CLAIM_WORDS.intersection(words)):
            return []
        return self.claims(words, floor)

    def claims(self, words: list[str], floor: float = 0.0) -> list[Scored]:
        """The topics whose answers' own sentences the message's folded words match, best
        first (a message saying what an answer says, in the answer's words). Topics scoring
        no more than `floor` may be left out (Matcher.rank): a caller deciding only on
        better ones is spared scoring them."""
        if self._claims is None:
            return []
        return self._claims.rank(" ".join(words), floor=floor)

    def __len__(self) -> int:
        return len(self.topic_of) + len(self.topic_of_word) + len(self.topic_of_term)

    def _author(self, word: str) -> str | None:
        if word in self._years:
            return word
        if len(word) < MIN_TYPO_LENGTH or not self._authors:
            return None
        found = process.extractOne(
            word, self._authors, scorer=fuzz.ratio, score_cutoff=NAME_TYPO_CUTOFF
        )
        return found[0] if found else None

    def topics(self, text: str, words: list[str]) -> tuple[str, ...]:
        """The topics of the terms a message names (its raw text and its folded words)."""
        found = list(self._cited(words))
        for word in words:
            topic = self.topic_of_term.get(word)
            if topic and topic not in found:
                found.append(topic)
        if self.topic_of_word and not text.isascii():
            for word in non_latin_words(text):
                topic = self.topic_of_word.get(word)
                if topic and topic not in found:
                    found.append(topic)
        return tuple(found)

    def _cited(self, words: list[str]) -> tuple[str, ...]:
        """The topics of the citations a message's folded words name, in the order named."""
        if not self._authors:
            return ()
        years = {w for w in words if _YEAR.fullmatch(w)}
        about_research = bool(years) or bool(RESEARCH_WORDS.intersection(words))
        short = len(words) <= NAME_ONLY_MAX_WORDS
        if not (about_research or short):
            return ()  # a name alone in a longer message is not a look-up
        found: list[str] = []
        for word in words:
            author = self._author(word)
            if author is None:
                continue
            cited_years = self._years[author]
            named_years = years & cited_years
            for year in sorted(named_years or cited_years):
                topic = self.topic_of[Citation(author, year)]
                if topic not in found:
                    found.append(topic)
        return tuple(found)
