"""Find which topic a patient's message is about, with a 0-100 confidence.

Method, all precomputed at load so a message costs little:
- both phrasings and messages are folded (bot.core.text), synonyms are replaced by their
  canonical words, and each message word that is not in the knowledge's vocabulary is
  corrected to the closest one (rapidfuzz) so "acupunture" and "sesions" still count;
- words are reduced to their stems ("seeing" -> "see", "needles" -> "needl");
- a phrasing and a message (and each sentence of the message, so a question inside a long
  story is found) are compared by the words and word pairs they share, each weighted by how
  rare it is across the knowledge (IDF), blended with rapidfuzz's token ratios;
- a topic's score is its best phrasing's score, plus a little for its keywords.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
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
MAX_SEGMENTS = 40  # a 10,000-character story is read in its first sentences only
SEGMENT_DISCOUNT = 0.25  # a clause that is a small part of the message loses up to this share
COMMON_SHARE = 0.05  # a feature in more than this share of phrasings does not nominate
COMMON_MIN_PHRASINGS = 20  # candidates by itself (small knowledge bases: at least this many)
MAX_CANDIDATES = 40  # phrasings fully scored per message part, once the index has found them
SHORT_WORDS = 4  # messages this short ("hi", "ok bye now") are also compared as whole
SHORT_CONTENT = 2  # strings, unless they carry enough content words to be matched on those
SHORT_CUTOFF = 60
BETA = 1.0  # balance between the phrasing being present and the message being explained
W_FIT, W_COVERAGE, W_FUZZ = 0.6, 0.2, 0.2  # how the three signals blend into 0-100


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


def _alternation(phrases: list[str]) -> re.Pattern[str] | None:
    """One regex matching any of the phrases as whole words (listed longest first)."""
    if not phrases:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")\b")


class SynonymTable:
    """Replaces the ways patients say a thing with one canonical word, longest phrase first."""

    def __init__(self, synonyms: dict[str, Sequence[str]]) -> None:
        pairs = [(fold(v), fold(k)) for k, vs in synonyms.items() for v in vs if fold(v)]
        pairs.sort(key=lambda p: -len(p[0]))
        self._map = dict(pairs)
        self._pattern = _alternation([v for v, _ in pairs])
        # A phrase can be completed by an earlier replacement ("first apointment" -> "first
        # appointment" -> "first consultation"), so later passes look for phrases alone.
        self._phrase_pattern = _alternation([v for v, _ in pairs if " " in v])

    def words(self) -> set[str]:
        """Every variant and canonical phrase, folded."""
        return set(self._map) | set(self._map.values())

    def _replace(self, match: re.Match[str]) -> str:
        return self._map[match.group(1)]

    def apply(self, folded: str) -> str:
        """Every variant replaced by its canonical form (a few passes for phrases at most)."""
        if self._pattern is None:
            return folded
        replaced = self._pattern.sub(self._replace, folded)
        for _ in range(SYNONYM_PASSES - 1):
            if replaced == folded or self._phrase_pattern is None:
                break
            folded, replaced = replaced, self._phrase_pattern.sub(self._replace, replaced)
        return replaced


SYNONYM_PASSES = 3
LABEL_IDF_SHARE = 0.8  # how much rarity across topics (vs across phrasings) weighs a word
BIGRAM_WEIGHT = 0.5  # a word pair counts half as much as a word: order matters a little


def _features(tokens: Sequence[str]) -> set[str]:
    """Content words plus adjacent word pairs with at least one content word ("how_many")."""
    feats = {t for t in tokens if t not in STOPWORDS}
    feats.update(
        f"{a}_{b}"
        for a, b in itertools.pairwise(tokens)
        if a not in STOPWORDS or b not in STOPWORDS
    )
    return feats


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A word's stem; stopwords stay as they are so the stopword list keeps working."""
    return word if word in STOPWORDS else _STEMMER.stemWord(word)


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
        # Typos are corrected against the words as written (before stemming), including the
        # words of every synonym, so "backs gone" is not "corrected" before it is replaced.
        self.vocabulary = sorted(
            {w for e in self.entries for w in self._normal(e.text).split()}
            | {w for phrase in self.synonyms.words() for w in phrase.split()}
        )
        self._vocab_set = frozenset(self.vocabulary)
        token_lists = [self._tokens(e.text) for e in self.entries]
        self._entry_features = [_features(ts) for ts in token_lists]
        self._entry_strings = [" ".join(t for t in ts if t not in STOPWORDS) for ts in token_lists]
        self._entry_full = [" ".join(ts) for ts in token_lists]
        # IDF over phrasings: a feature found in many phrasings tells us little.
        # Rarity is counted over labels (topics), not phrasings: a word in every phrasing of
        # one topic ("session") is that topic's best clue, not a common word. A little of the
        # phrasing count is mixed in so that words within a topic still differ.
        label_df: dict[str, set[str]] = defaultdict(set)
        phrasing_df: dict[str, int] = defaultdict(int)
        for label, feats in zip(self._labels, self._entry_features, strict=True):
            for f in feats:
                label_df[f].add(label)
                phrasing_df[f] += 1
        n_labels = max(1, len(set(self._labels)))
        n = max(1, len(self.entries))
        self._weight = {
            f: (
                LABEL_IDF_SHARE * math.log(1 + n_labels / len(label_df[f]))
                + (1 - LABEL_IDF_SHARE) * math.log(1 + n / phrasing_df[f])
            )
            * (BIGRAM_WEIGHT if "_" in f else 1.0)
            for f in label_df
        }
        self._unknown_weight = LABEL_IDF_SHARE * math.log(1 + n_labels) + (
            1 - LABEL_IDF_SHARE
        ) * math.log(1 + n)  # an unseen word: as rare as can be
        self._entry_weight = [
            sum(self._weight[f] for f in feats) or 1.0 for feats in self._entry_features
        ]
        self._index: dict[str, list[int]] = defaultdict(list)
        for i, feats in enumerate(self._entry_features):
            for f in feats:
                self._index[f].append(i)
        common = max(COMMON_MIN_PHRASINGS, COMMON_SHARE * len(self.entries))
        self._telling = frozenset(f for f, ids in self._index.items() if len(ids) <= common)
        # Every content word each label's phrasings use: how much of a long message a
        # topic's vocabulary explains, when no single phrasing covers it.
        self._label_words: dict[str, set[str]] = defaultdict(set)
        for label, feats in zip(self._labels, self._entry_features, strict=True):
            self._label_words[label].update(f for f in feats if "_" not in f)
        self._keywords = {
            label: [folded for kw in kws if (folded := " ".join(self._tokens(kw)))]
            for label, kws in (keywords or {}).items()
        }
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)

    # -- text preparation -------------------------------------------------------------
    def _normal(self, text: str) -> str:
        return self.synonyms.apply(fold(text))

    def _tokens(self, text: str) -> list[str]:
        return [stem(w) for w in self._normal(text).split()]

    def _correct_uncached(self, word: str) -> str:
        if word in self._vocab_set or len(word) < MIN_CORRECTABLE or word.isdigit():
            return word
        found = process.extractOne(
            word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
        )
        return found[0] if found else word

    def prepare(self, text: str) -> list[str]:
        """The message's words as the index knows them: folded, typos corrected, synonyms."""
        corrected = " ".join(self._correct(w) for w in fold(text).split())
        return [stem(w) for w in self.synonyms.apply(corrected).split()]

    # -- scoring ----------------------------------------------------------------------
    def _weight_of(self, tokens: list[str]) -> float:
        return sum(
            self._weight.get(t, self._unknown_weight) for t in set(tokens) if t not in STOPWORDS
        )

    def _score_tokens(
        self, tokens: list[str], per_entry: dict[int, float], share: float = 1.0
    ) -> None:
        """Score phrasings against these tokens; `share` is how much of the whole message
        they are, so a short clause cannot outweigh what the whole message says."""
        scale = 1.0 - SEGMENT_DISCOUNT * (1.0 - share)
        feats = _features(tokens)
        words = {f for f in feats if "_" not in f}
        if not feats:
            return
        query_weight = sum(self._weight.get(w, self._unknown_weight) for w in words) or 1.0
        # Candidates come from the telling features only: a word in a large share of all
        # phrasings ("acupuncture") would make every phrasing a candidate for little gain.
        telling = [f for f in feats if f in self._telling]
        candidates: set[int] = set()
        for f in telling or feats:
            candidates.update(self._index.get(f, ()))
        weight = self._weight
        overlap: dict[int, float] = {}
        for i in candidates:
            overlap[i] = sum(weight[f] for f in feats & self._entry_features[i])
        if len(overlap) > MAX_CANDIDATES:
            # Large knowledge bases: fully score only the phrasings sharing the most, as a
            # share of themselves (cheap to compute, and the best fits are always among them).
            ew = self._entry_weight
            top = heapq.nlargest(
                MAX_CANDIDATES, overlap.items(), key=lambda kv: kv[1] * kv[1] / ew[kv[0]]
            )
            overlap = dict(top)
        coverage: dict[str, float] = {}
        query_string = " ".join(t for t in tokens if t not in STOPWORDS)
        for i, shared in overlap.items():
            label = self._labels[i]
            if label not in coverage:
                known = self._label_words[label]
                coverage[label] = sum(self._weight[w] for w in words if w in known) / query_weight
            recall = shared / self._entry_weight[i]  # how much of the phrasing is present
            shared_words = sum(self._weight[w] for w in words & self._entry_features[i])
            precision = min(1.0, shared_words / query_weight)  # how much of the message it explains
            fit = (1 + BETA**2) * precision * recall / (BETA**2 * precision + recall or 1.0)
            score = 100 * (
                W_FIT * fit
                + W_COVERAGE * min(1.0, coverage[label])
                + W_FUZZ * fuzz.token_set_ratio(query_string, self._entry_strings[i]) / 100
            )
            score *= scale
            if score > per_entry.get(i, 0.0):
                per_entry[i] = score

    def _score_short(self, tokens: list[str], per_entry: dict[int, float]) -> None:
        """Few words ("hi", "ok bye", "fees?"): compare whole strings, stopwords included."""
        query = " ".join(tokens)
        for _, score, i in process.extract(
            query, self._entry_full, scorer=fuzz.ratio, limit=5, score_cutoff=SHORT_CUTOFF
        ):
            if score > per_entry.get(i, 0.0):
                per_entry[i] = score

    def unexplained(self, text: str, labels: Iterable[str]) -> set[str]:
        """The message's content words that no phrasing of these labels uses."""
        known: set[str] = set().union(*(self._label_words.get(label, set()) for label in labels))
        return {t for t in self.prepare(text[:MAX_MESSAGE_CHARS]) if t not in STOPWORDS} - known

    def rank(self, text: str, limit: int | None = None) -> list[Scored]:
        """Labels ranked by their best phrasing's score for this message (best first)."""
        text = text[:MAX_MESSAGE_CHARS]
        per_entry: dict[int, float] = {}
        whole = self.prepare(text)
        self._score_tokens(whole, per_entry)
        if len(whole) <= SHORT_WORDS and sum(t not in STOPWORDS for t in whole) <= SHORT_CONTENT:
            self._score_short(whole, per_entry)
        parts = sentences(text)
        if len(parts) > 1:
            whole_weight = self._weight_of(whole) or 1.0
            seen: set[tuple[str, ...]] = {tuple(whole)}
            for part in parts[:MAX_SEGMENTS]:
                tokens = self.prepare(part)
                key = tuple(tokens)
                if len(tokens) >= SEGMENT_MIN_WORDS and key not in seen:
                    seen.add(key)
                    share = min(1.0, self._weight_of(tokens) / whole_weight)
                    self._score_tokens(tokens, per_entry, share)
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
            (Scored(label, round(s)) for label, s in best.items()),
            key=lambda s: (-s.score, s.label),
        )
        return ranked[:limit] if limit else ranked
