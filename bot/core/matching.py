"""Find which topic a patient's message is about, with a 0-100 confidence.

Method, all precomputed at load so a message costs little:
- both phrasings and messages are folded (bot.core.text), synonyms are replaced by their
  canonical words, and each message word that is not in the knowledge's vocabulary is
  corrected to the closest one (rapidfuzz) so "acupunture" and "sesions" still count;
- a phrasing and a message (and each sentence of the message, so a question inside a long
  story is found) are compared by the words and word pairs they share, each weighted by how
  rare it is across the knowledge (IDF), blended with rapidfuzz's token ratios;
- a topic's score is its best phrasing's score, plus a little for its keywords.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.core.text import MAX_MESSAGE_CHARS, fold, sentences

# Words that carry no meaning for choosing a topic. Question words (how, where, who, many,
# often, much) are kept on purpose: "where" and "how many" separate topics.
STOPWORDS = frozenset(
    """a an the and or but so to of in on at for from with by as is are was were be been being
    am i im ive id me my mine myself you your youre u ur we us our it its this that these those
    there here do does did doing done have has had having get got getting will would shall should
    can could may might must just really very quite bit lot lots some any also too still even
    if then than about into up down out over again please pls plz thanks thank ok okay oh hi
    hello hey yeah yes no not dont ya ye like thing things stuff know tell let lets want wanted
    wondering wonder whether maybe actually honestly basically literally anyway""".split()
)

MIN_CORRECTABLE = 4  # words shorter than this are never typo-corrected (too ambiguous)
TYPO_CUTOFF = 84  # rapidfuzz ratio needed to treat a word as a misspelling of a known one
KEYWORD_BONUS = 6  # points a topic gains when one of its keywords is in the message
SEGMENT_MIN_WORDS = 2


@dataclass(frozen=True)
class Entry:
    """One phrasing, labelled with what it points to (e.g. "topic:booking")."""

    label: str
    text: str


@dataclass(frozen=True)
class Scored:
    """A label and how well the message matched it (0-100)."""

    label: str
    score: int


class SynonymTable:
    """Replaces the ways patients say a thing with one canonical word, longest phrase first."""

    def __init__(self, synonyms: dict[str, Sequence[str]]) -> None:
        pairs = [(fold(v), fold(k)) for k, vs in synonyms.items() for v in vs if fold(v)]
        pairs.sort(key=lambda p: -len(p[0]))
        self._map = dict(pairs)
        self._pattern = (
            re.compile(r"\b(" + "|".join(re.escape(v) for v, _ in pairs) + r")\b")
            if pairs
            else None
        )

    def apply(self, folded: str) -> str:
        if self._pattern is None:
            return folded
        return self._pattern.sub(lambda m: self._map[m.group(1)], folded)


def _features(tokens: Sequence[str]) -> set[str]:
    """Content words plus adjacent word pairs (pairs keep a little word order: "how many")."""
    feats = {t for t in tokens if t not in STOPWORDS}
    feats.update(f"{a}_{b}" for a, b in itertools.pairwise(tokens))
    return feats


class Matcher:
    """Scores a message against every labelled phrasing; build once, query many times."""

    def __init__(
        self,
        entries: Iterable[Entry],
        synonyms: dict[str, Sequence[str]] | None = None,
        keywords: dict[str, Sequence[str]] | None = None,
    ) -> None:
        self.synonyms = SynonymTable(synonyms or {})
        self.entries = list(entries)
        self._labels = [e.label for e in self.entries]
        token_lists = [self._tokens(e.text) for e in self.entries]
        self.vocabulary = sorted({t for ts in token_lists for t in ts})
        self._vocab_set = frozenset(self.vocabulary)
        self._entry_features = [_features(ts) for ts in token_lists]
        self._entry_strings = [" ".join(t for t in ts if t not in STOPWORDS) for ts in token_lists]
        # IDF over phrasings: a feature in many phrasings tells us little.
        df: dict[str, int] = defaultdict(int)
        for feats in self._entry_features:
            for f in feats:
                df[f] += 1
        n = max(1, len(self.entries))
        self._idf = {f: math.log(1 + n / c) for f, c in df.items()}
        self._unknown_idf = math.log(1 + n)  # an unseen word: as rare as can be
        self._entry_weight = [
            sum(self._idf[f] for f in feats) or 1.0 for feats in self._entry_features
        ]
        self._index: dict[str, list[int]] = defaultdict(list)
        for i, feats in enumerate(self._entry_features):
            for f in feats:
                self._index[f].append(i)
        self._keywords = {
            label: [fold_kw for kw in kws if (fold_kw := self._normal(kw))]
            for label, kws in (keywords or {}).items()
        }
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)

    # -- text preparation -------------------------------------------------------------
    def _normal(self, text: str) -> str:
        return self.synonyms.apply(fold(text))

    def _tokens(self, text: str) -> list[str]:
        return self._normal(text).split()

    def _correct_uncached(self, word: str) -> str:
        if word in self._vocab_set or len(word) < MIN_CORRECTABLE or word.isdigit():
            return word
        found = process.extractOne(
            word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
        )
        return found[0] if found else word

    def prepare(self, text: str) -> list[str]:
        """The message's words as the index knows them: folded, synonyms, typos corrected."""
        normal = self.synonyms.apply(" ".join(self._correct(w) for w in fold(text).split()))
        # Synonym replacement may create new words; correct once more is not needed.
        return normal.split()

    # -- scoring ----------------------------------------------------------------------
    def _score_tokens(self, tokens: list[str], scores: dict[int, float]) -> None:
        feats = _features(tokens)
        if not feats:
            return
        query_weight = sum(self._idf.get(f, self._unknown_idf) for f in feats if "_" not in f)
        query_weight = query_weight or 1.0
        overlap: dict[int, float] = defaultdict(float)
        for f in feats:
            w = self._idf.get(f)
            if w is None:
                continue
            for i in self._index[f]:
                overlap[i] += w
        query_string = " ".join(t for t in tokens if t not in STOPWORDS)
        for i, shared in overlap.items():
            recall = shared / self._entry_weight[i]  # how much of the phrasing is present
            shared_words = sum(
                self._idf[f] for f in self._entry_features[i] & feats if "_" not in f
            )
            precision = min(1.0, shared_words / query_weight)  # how much of the message it explains
            if recall <= 0:
                continue
            # Weighted towards recall: patients say more than a phrasing does.
            f_score = (1 + 0.5**2) * precision * recall / (0.5**2 * precision + recall or 1)
            blend = 0.75 * f_score * 100 + 0.25 * fuzz.token_set_ratio(
                query_string, self._entry_strings[i]
            )
            if blend > scores.get(i, 0.0):
                scores[i] = blend

    def rank(self, text: str, limit: int | None = None) -> list[Scored]:
        """Labels ranked by their best phrasing's score for this message (best first)."""
        text = text[:MAX_MESSAGE_CHARS]
        per_entry: dict[int, float] = {}
        whole = self.prepare(text)
        self._score_tokens(whole, per_entry)
        parts = sentences(text)
        if len(parts) > 1:
            for part in parts[:40]:
                tokens = self.prepare(part)
                if len(tokens) >= SEGMENT_MIN_WORDS:
                    self._score_tokens(tokens, per_entry)
        best: dict[str, float] = {}
        for i, s in per_entry.items():
            label = self._labels[i]
            if s > best.get(label, 0.0):
                best[label] = s
        if self._keywords:
            padded = f" {' '.join(whole)} "
            for label, kws in self._keywords.items():
                if label in best and any(f" {kw} " in padded for kw in kws):
                    best[label] = min(100.0, best[label] + KEYWORD_BONUS)
        ranked = sorted(
            (Scored(label, round(s)) for label, s in best.items()), key=lambda s: -s.score
        )
        return ranked[:limit] if limit else ranked
