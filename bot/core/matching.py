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

import itertools
import math
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.core.english import keeps_meaning
from bot.core.prepared import PreparedMessage
from bot.core.text import MAX_MESSAGE_CHARS, fold

# Words that carry no meaning for choosing a topic. Question words (how, where, who, many,
# often, much) are kept on purpose: "where" and "how many" separate topics.
STOPWORDS = frozenset(
    """a an the and or but so to of in on at for from with by as is are was were be been being
    am i im ive id me my mine myself you your youre u ur we us our it its this that these those
    there here do does did doing done have has had having get got getting will would shall should
    can could may might must just really very quite bit lot lots some any also too still even
    if then than about into up down out over again please pls plz thanks thank ok okay oh hi
    hello hey yeah yes no not dont ya ye like thing things stuff know tell let lets want wanted
    wondering wonder whether maybe actually honestly basically literally anyway
    she her hers herself him his himself""".split()
)
# (Whom a question is for, "would it help him?", is not what it asks: those pronouns carry no
# topic. "he" is kept: in the phrasings it is the practitioner, "is he qualified?".)

MIN_CORRECTABLE = 5  # shorter words are never typo-corrected ("play" is not "pay")
TYPO_CUTOFF = 84  # rapidfuzz ratio needed to treat a word as a misspelling of a known one
# Dictation and autocorrect split a word the knowledge knows ("a cup puncture", "in flammation",
# "moxi bustion"): adjacent words (up to this many, one of them unknown) whose joined spelling
# is a known word of at least JOIN_MIN_LETTERS letters (or close to one: a rapidfuzz ratio of
# JOIN_CUTOFF, stricter than a typo's, and as long give or take JOIN_LENGTH_SLACK letters) are
# read as that word. A known word that long is whole already, never a fragment ("acupuncture
# cuts" stays two words), and "a long ride" is not "alongside".
JOIN_MAX_WORDS = 3
JOIN_MIN_LETTERS = 7
JOIN_CUTOFF = 90
JOIN_LENGTH_SLACK = 2
KEYWORD_BONUS = 6  # points a topic gains when one of its keywords is in the message
SEGMENT_MIN_WORDS = 2
# Words that ask without saying what about ("how do I do it?"): such a clause is not scored alone.
QUESTION_ONLY = frozenset("how what when where who why which do doe does did can could".split())
SEGMENT_MIN_CONTENT = 2  # a clause that does not ask needs this many content words
MAX_SEGMENTS = 40  # a 10,000-character story is read in its first sentences only
SEGMENT_DISCOUNT = 0.25  # a clause that is a small part of the message loses up to this share
ASKING_DISCOUNT = 0.15  # ... and a clause that asks (the question in a story) only this share
STORY_DISCOUNT = 0.1  # a clause that does not ask, in a message with one that does
STORY_QUESTION_WORDS = 2  # ... that has at least this many content words of its own
POINTERS = frozenset("it this that them these those".split())  # words that point back
ASKING_EMPHASIS = 3.0  # in a story, the asking clause's words weigh this many times more
COMMON_SHARE = 0.05  # a feature in more than this share of phrasings does not nominate
COMMON_MIN_PHRASINGS = 20  # candidates by itself (small knowledge bases: at least this many)
MAX_CANDIDATES = 30  # phrasings fully scored per message part, once the index has found them
MAX_CLAUSE_CANDIDATES = 12  # ... per clause (the whole message has already found most of them)
SHORT_WORDS = 4  # messages this short ("hi", "ok bye now") are also compared as whole
SHORT_CONTENT = 2  # strings, unless they carry enough content words to be matched on those
SHORT_CUTOFF = 60
BETA = 1.0  # balance between the phrasing being present and the message being explained
W_FIT, W_COVERAGE, W_FUZZ = 0.6, 0.2, 0.2  # how the three signals blend into 0-100
# The same, as used per candidate phrasing (fit and coverage are 0-1, rapidfuzz is 0-100).
_W_FIT, _W_COVERAGE, _W_FUZZ = 100 * W_FIT, 100 * W_COVERAGE, W_FUZZ
_BETA_SQUARED = BETA**2
_F_BETA = 1 + _BETA_SQUARED
_FIRST = operator.itemgetter(0)
# A phrasing's bound is worked out from sums taken in another order than its score's: far
# more than their rounding apart, far less than any score's difference that counts.
_BOUND_SLACK = 1e-6


@dataclass(frozen=True)
class Entry:
    """One phrasing, labelled with what it points to (e.g. "topic:booking")."""

    label: str
    text: str


@dataclass(frozen=True)
class Reading:
    """A prepared message as one matcher reads it: the words of the whole and of each clause,
    typo-corrected, with synonyms replaced and stemmed (computed once, used by every step)."""

    message: PreparedMessage
    whole: tuple[str, ...]
    clauses: tuple[tuple[tuple[str, ...], bool], ...]  # (words, whether the clause asks)

    @cached_property
    def content(self) -> frozenset[str]:
        """The whole message's content words (stems, no stopwords); worked out once."""
        return frozenset(t for t in self.whole if t not in STOPWORDS)


@dataclass(frozen=True)
class Scored:
    """A label and how well the message matched it (0-100)."""

    label: str
    score: int


Phrase = tuple[str, ...]
# A first word's variants: those of several words by their second word (longest first), and
# the canonical words of the one-word variant, if there is one.
_Starts = tuple[dict[str, list[tuple[Phrase, Phrase]]], Phrase | None]


class SynonymTable:
    """Replaces the ways patients say a thing with one canonical word, longest phrase first.

    Works on folded text (words of a-z0-9 separated by single spaces), word by word: each
    word looks up only the variants that start with it, so the cost does not grow with the
    size of the table.
    """

    def __init__(self, synonyms: Mapping[str, Sequence[str]]) -> None:
        pairs = [(fold(v), fold(k)) for k, vs in synonyms.items() for v in vs if fold(v)]
        self._map = dict(pairs)
        self._by_first = self._index(self._map.items())
        # A phrase can be completed by an earlier replacement ("first apointment" -> "first
        # appointment" -> "first consultation"), so later passes look for phrases alone.
        self._phrases_by_first = self._index((v, k) for v, k in self._map.items() if " " in v)

    @staticmethod
    def _index(pairs: Iterable[tuple[str, str]]) -> dict[str, _Starts]:
        """Variants by their first word: those of several words by their second word (longest
        first), and the one-word variant's canonical words, if any."""
        longer: dict[str, dict[str, list[tuple[Phrase, Phrase]]]] = defaultdict(dict)
        alone: dict[str, Phrase] = {}
        for variant, canonical in sorted(pairs, key=lambda c: -len(c[0].split())):
            words, replacement = tuple(variant.split()), tuple(canonical.split())
            if len(words) == 1:
                alone[words[0]] = replacement
            else:
                longer[words[0]].setdefault(words[1], []).append((words, replacement))
        return {w: (longer.get(w, {}), alone.get(w)) for w in longer.keys() | alone.keys()}

    def words(self) -> set[str]:
        """Every variant and canonical phrase, folded."""
        return set(self._map) | set(self._map.values())

    @staticmethod
    def _replace(words: list[str], index: dict[str, _Starts]) -> list[str]:
        """One left-to-right pass: the longest variant starting at each word is replaced.
        Only the variants going on with the next word are compared (most words start none)."""
        out: list[str] = []
        i, n = 0, len(words)
        while i < n:
            starts = index.get(words[i])
            if starts is None:
                out.append(words[i])
                i += 1
                continue
            longer, alone = starts
            found: tuple[Phrase, int] | None = None
            if i + 1 < n:
                for variant, canonical in longer.get(words[i + 1], ()):
                    end = i + len(variant)
                    if end <= n and tuple(words[i + 2 : end]) == variant[2:]:
                        found = canonical, end
                        break
            if found is None and alone is not None:
                found = alone, i + 1
            if found is None:
                out.append(words[i])
                i += 1
            else:
                out.extend(found[0])
                i = found[1]
        return out

    def apply(self, folded: str) -> str:
        """Every variant replaced by its canonical form (a few passes for phrases at most)."""
        if not self._by_first:
            return folded
        words = folded.split()
        replaced = self._replace(words, self._by_first)
        for _ in range(SYNONYM_PASSES - 1):
            if replaced == words or not self._phrases_by_first:
                break
            words, replaced = replaced, self._replace(replaced, self._phrases_by_first)
        return " ".join(replaced)


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


# How a polite question is put ("would you be so kind as to explain"), not what it asks.
COURTEOUS_ASKING = frozenset(
    stem(w) for w in "explain kind advise inform grateful appreciate wonder possible".split()
)


class _Nominees:
    """The phrasings one message part's words nominate, and (worked out once, when a cut
    needs it) all of them ranked by how much they share. Read only once built: it is kept
    for the same words' next ranking."""

    def __init__(self, matcher: Matcher, tokens: tuple[str, ...]) -> None:
        self._matcher = matcher
        # Plain sets built as the scoring always built them: their order is the order of
        # the sums taken over them, and so the last bit of every score.
        self.feats = _features(tokens)
        self.words = {f for f in self.feats if "_" not in f}
        self.pairs = self.feats - self.words
        # Candidates come from the telling features only: a word in a large share of all
        # phrasings ("acupuncture") would make every phrasing a candidate for little gain.
        # Unless no telling feature is a word: a rare word pair alone ("the acupuncture can
        # help him?": "acupuncture_can") would leave out the phrasings of the common words.
        telling = self.feats & matcher._telling
        if telling <= self.pairs:
            telling = self.feats
        candidates: set[int] = set()
        for f in telling:
            candidates.update(matcher._index.get(f, ()))
        if len(candidates) < FEW_NOMINEES and telling != self.feats:
            # One rare word of another sense ("hai" in "kamar ka dard hai, acupuncture se
            # madad?") nominates almost nothing: the common words nominate too.
            for f in self.feats - telling:
                candidates.update(matcher._index.get(f, ()))
        self.candidates = candidates
        self._sharing_most: list[tuple[float, int, float]] = []  # its first ones, once known

    def sharing_most(self, limit: int) -> list[tuple[float, int, float]]:
        """The `limit` candidates sharing the most, each as (what it shares squared, as a
        share of itself; its index; what it shares), largest first, ties in the candidates'
        order (as heapq.nlargest keeps them): the best fits are always among them (cheap
        to compute, so large knowledge bases fully score only those). The first
        MAX_CANDIDATES are kept: a smaller limit's are the first of them."""
        if len(self._sharing_most) < min(limit, len(self.candidates)):
            weight_of = self._matcher._weight.__getitem__
            entry_weight = self._matcher._entry_weight
            candidates = list(self.candidates)
            # What each shares (`feats & features`, summed in the same order), in
            # comprehensions: no Python-level loop body per candidate.
            shared = map(
                self.feats.intersection, map(self._matcher._entry_features.__getitem__, candidates)
            )
            overlaps = [sum(map(weight_of, common)) for common in shared]
            keyed = [
                (overlap * overlap / entry_weight[i], i, overlap)
                for i, overlap in zip(candidates, overlaps, strict=True)
            ]
            keyed.sort(key=_FIRST, reverse=True)
            self._sharing_most = keyed[: max(limit, MAX_CANDIDATES)]
        return self._sharing_most[:limit]


NOMINEES_KEPT = 16
FEW_NOMINEES = 5  # telling words that nominate fewer phrasings than this: all words nominate


class Matcher:
    """Scores a message against every labelled phrasing; build once, query many times."""

    def __init__(
        self,
        entries: Iterable[Entry],
        synonyms: Mapping[str, Sequence[str]] | None = None,
        keywords: Mapping[str, Sequence[str]] | None = None,
        known_words: Iterable[str] = (),
    ) -> None:
        """`known_words` are spelled-right words beyond the phrasings' (other conditions,
        for instance): never "corrected" into a phrasing's word ("adhd" is not "add")."""
        self.synonyms = SynonymTable(synonyms or {})
        self.entries = list(entries)
        self._labels = [e.label for e in self.entries]
        # Typos are corrected against the words as written (before stemming), including the
        # words of every synonym, so "backs gone" is not "corrected" before it is replaced.
        self.vocabulary = sorted(
            {w for e in self.entries for w in self._normal(e.text).split()}
            | {w for phrase in self.synonyms.words() for w in phrase.split()}
        )
        # Known words are left as they are, but nothing is corrected into them: a rare word
        # ("shingles") would otherwise swallow ordinary ones ("single").
        self._vocab_set = frozenset(self.vocabulary) | {
            w for text in known_words for w in fold(text).split()
        }
        by_first: dict[str, list[str]] = defaultdict(list)
        for w in self.vocabulary:
            by_first[w[0]].append(w)
        self._vocabulary_by_first = dict(by_first)
        # The long content words a split word may be joined back into, by first letter.
        long_first: dict[str, list[str]] = defaultdict(list)
        for w in self.vocabulary:
            if len(w) >= JOIN_MIN_LETTERS and w not in STOPWORDS and w.isalpha():
                long_first[w[0]].append(w)
        self._long_by_first = dict(long_first)
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
        # Every word (stopwords too: "thanks", "hi") each label's phrasings use.
        self._label_tokens: dict[str, set[str]] = defaultdict(set)
        for label, ts in zip(self._labels, token_lists, strict=True):
            self._label_tokens[label].update(ts)
        self._keywords = {
            label: [folded for kw in kws if (folded := " ".join(self._tokens(kw)))]
            for label, kws in (keywords or {}).items()
        }
        # The same, each between spaces, as looked for in " ".join(message words) padded.
        self._padded_keywords = {
            label: tuple(f" {kw} " for kw in kws) for label, kws in self._keywords.items()
        }
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)
        # One message asks for the same words' candidates several times (a clause in the
        # ranking, then whether it is social, then whether it asks for a gap): a few kept.
        self._nominees = lru_cache(maxsize=NOMINEES_KEPT)(self._nominees_uncached)
        self._joined = lru_cache(maxsize=8192)(self._joined_uncached)

    # -- text preparation -------------------------------------------------------------
    def _normal(self, text: str) -> str:
        return self.synonyms.apply(fold(text))

    def _tokens(self, text: str) -> list[str]:
        return [stem(w) for w in self._normal(text).split()]

    def _correct_uncached(self, word: str) -> str:
        if word in self._vocab_set or len(word) < MIN_CORRECTABLE or word.isdigit():
            return word
        # A typo rarely changes the first letter, and an ordinary word the knowledge does
        # not use often differs from a known one only there ("each" is not "teach"): only
        # known words with the same first letter are candidates.
        found = process.extractOne(
            word,
            self._vocabulary_by_first.get(word[0], ()),
            scorer=fuzz.ratio,
            score_cutoff=TYPO_CUTOFF,
        )
        # A word of ordinary English is what the patient meant ("massage", not "message").
        return found[0] if found and keeps_meaning(word, found[0]) else word

    def _joined_uncached(self, joined: str) -> tuple[str, float] | None:
        """The long known word a run of split words spells, and how closely (0-100)."""
        if len(joined) < JOIN_MIN_LETTERS:
            return None
        candidates = self._long_by_first.get(joined[0], ())
        if joined in self._vocab_set:
            return (joined, 100.0) if joined in candidates else None
        found = process.extractOne(
            joined,
            [w for w in candidates if abs(len(w) - len(joined)) <= JOIN_LENGTH_SLACK],
            scorer=fuzz.ratio,
            score_cutoff=JOIN_CUTOFF,
        )
        return (found[0], found[1]) if found else None

    def _join_if_closer(
        self, run: list[str], start: int, hit: tuple[str, float]
    ) -> list[tuple[float, int, int, str]]:
        """The join of this run of words (its closeness, length, start and word), unless a
        word of it corrects on its own as closely ("question is": "question" is "questions"
        alone)."""
        word, closeness = hit
        corrected = [self._correct(w) for w in run]
        if word in corrected:
            return []
        alone = max(
            (fuzz.ratio(w, c) for w, c in zip(run, corrected, strict=True) if c != w),
            default=0.0,
        )
        return [(closeness, len(run), start, word)] if closeness > alone else []

    def _rejoin(self, words: list[str]) -> list[str]:
        """Words a dictation split apart joined back ("a cup puncture" -> "acupuncture"):
        only runs with an unknown word are tried, the closest joins first, and a word that
        corrects on its own as closely stays as it is."""
        vocab = self._vocab_set
        unknown = [w not in vocab and w.isalpha() for w in words]
        if not any(unknown):
            return words
        # A word can be a fragment when it is all letters and not a long known word; a run
        # is tried only when every word of it can be, and one of them is unknown (each run
        # once, whatever order: the closest joins are taken first below).
        fragment = [w.isalpha() and (len(w) < JOIN_MIN_LETTERS or w not in vocab) for w in words]
        n = len(words)
        # The first unknown word at or after each position: a run holds one when it starts
        # before the run ends.
        next_unknown = [n] * (n + 1)
        for i in range(n - 1, -1, -1):
            next_unknown[i] = i if unknown[i] else next_unknown[i + 1]
        found: list[tuple[float, int, int, str]] = []
        for start in range(n - 1):
            last = min(n, start + JOIN_MAX_WORDS)
            # Not from a word no long known word starts like (the join starts like it).
            if (
                not fragment[start]
                or next_unknown[start] >= last
                or words[start][0] not in self._long_by_first
            ):
                continue
            letters = len(words[start])
            for end in range(start + 2, last + 1):
                if not fragment[end - 1]:
                    break  # every longer run from this start holds the same word
                letters += len(words[end - 1])
                if letters < JOIN_MIN_LETTERS or next_unknown[start] >= end:
                    continue
                run = words[start:end]
                hit = self._joined("".join(run))
                if hit is not None:
                    found.extend(self._join_if_closer(run, start, hit))
        if not found:
            return words
        taken = [False] * len(words)
        replaced: dict[int, tuple[int, str]] = {}
        for _, size, start, word in sorted(found, key=lambda f: (-f[0], -f[1], f[2])):
            if any(taken[start : start + size]):
                continue
            taken[start : start + size] = [True] * size
            replaced[start] = (size, word)
        out: list[str] = []
        i = 0
        while i < len(words):
            if i in replaced:
                size, word = replaced[i]
                out.append(word)
                i += size
            else:
                out.append(words[i])
                i += 1
        return out

    def normal_words(self, text: str) -> list[str]:
        """A text's words with synonyms replaced and stemmed, without typo correction (for
        word lists, which are spelled right and must not be "corrected" into other words)."""
        return self._tokens(text)

    def prepare(self, text: str) -> list[str]:
        """The message's words as the index knows them: folded, typos corrected, synonyms."""
        return self._words(fold(text))

    def _words(self, folded: str) -> list[str]:
        corrected = " ".join(self._correct(w) for w in self._rejoin(folded.split()))
        return [stem(w) for w in self.synonyms.apply(corrected).split()]

    def read(self, message: PreparedMessage | str) -> Reading:
        """The message's words as the index knows them, whole and clause by clause."""
        if isinstance(message, str):
            message = PreparedMessage.of(message[:MAX_MESSAGE_CHARS])
        elif len(message.text) > MAX_MESSAGE_CHARS:
            message = PreparedMessage.of(message.text[:MAX_MESSAGE_CHARS])
        whole = tuple(self._words(message.folded))
        clauses: tuple[tuple[tuple[str, ...], bool], ...] = ()
        if len(message.parts) > 1:
            clauses = tuple(
                (tuple(self._words(c.folded)), c.asks) for c in message.parts[:MAX_SEGMENTS]
            )
        return Reading(message, whole, clauses)

    # -- scoring ----------------------------------------------------------------------
    def _nominees_uncached(self, tokens: tuple[str, ...]) -> _Nominees:
        return _Nominees(self, tokens)

    def _weight_of(self, tokens: Sequence[str]) -> float:
        return sum(
            self._weight.get(t, self._unknown_weight) for t in set(tokens) if t not in STOPWORDS
        )

    def _score_tokens(
        self,
        tokens: Sequence[str],
        best: dict[str, float],
        scale: float = 1.0,
        emphasis: frozenset[str] = frozenset(),
        limit: int = MAX_CANDIDATES,
        floor: float = 0.0,
    ) -> None:
        """Score phrasings against these tokens; `scale` discounts a clause that is a small
        part of the message, so it cannot outweigh what the whole message says; words in
        `emphasis` (those of the clause that asks) count more in how much of the message a
        phrasing explains than the story around them. A label is recorded only above
        `floor`, so a phrasing that cannot score above it is not scored at all."""
        nominees = self._nominees(tuple(tokens))
        feats, words, pairs = nominees.feats, nominees.words, nominees.pairs
        if not feats:
            return
        weight, entry_weight = self._weight, self._entry_weight
        # How much each message word weighs in how much of the message a phrasing explains.
        stress = {
            w: weight.get(w, self._unknown_weight) * (ASKING_EMPHASIS if w in emphasis else 1.0)
            for w in words
        }
        query_weight = sum(stress.values()) or 1.0
        weight_of, stress_of = weight.__getitem__, stress.__getitem__  # sum(map(...)): no
        # generator frame per sum, and the same additions in the same order.
        present: dict[int, float] = {}  # how much of a phrasing is present, when worked out
        candidates = nominees.candidates
        if len(candidates) > limit:
            top = nominees.sharing_most(limit)
            candidates = {i for _, i, _ in top}
            present = {i: overlap / entry_weight[i] for _, i, overlap in top}
        # How much of the message each label's words explain, and from it (and how much of
        # the phrasing is present, when known) the most each phrasing could score: a phrasing
        # that cannot beat its label's best so far is not scored at all. Strongest first, so
        # the bests rise early; a best is a maximum, so the order does not change it.
        coverage: dict[str, float] = {}
        fuzz_most = scale * _W_FUZZ * 100
        labels, label_words = self._labels, self._label_words
        bounds = []
        # Without a cut every phrasing's recall is 1.0: its bound is its label's.
        label_most: dict[str, float] = {}
        for i in candidates:
            label = labels[i]
            explained = coverage.get(label)
            if explained is None:
                known = words & label_words[label]
                explained = coverage[label] = min(1.0, sum(map(stress_of, known)) / query_weight)
            if present or label not in label_most:
                recall = present.get(i, 1.0)
                fit = _F_BETA * explained * recall / (_BETA_SQUARED * explained + recall or 1.0)
                most = scale * (_W_FIT * fit + _W_COVERAGE * explained) + fuzz_most
                if not present:
                    label_most[label] = most
            else:
                most = label_most[label]
            bounds.append((most, i, label, explained))
        bounds.sort(reverse=True)
        query_string = " ".join(t for t in tokens if t not in STOPWORDS)
        for bound, i, label, explained in bounds:
            if bound + _BOUND_SLACK <= best.get(label, floor):
                continue  # even at its most, no better than the label's best
            features = self._entry_features[i]
            common = words & features
            shared_words = sum(map(stress_of, common))
            shared = sum(map(weight_of, common)) + sum(map(weight_of, pairs & features))
            recall = shared / entry_weight[i]  # how much of the phrasing is present
            precision = min(1.0, shared_words / query_weight)  # how much of the message it explains
            fit = _F_BETA * precision * recall / (_BETA_SQUARED * precision + recall or 1.0)
            words_score = scale * (_W_FIT * fit + _W_COVERAGE * explained)
            # rapidfuzz only for a phrasing that could still raise its label's best.
            if words_score + fuzz_most <= best.get(label, floor):
                continue
            similar = fuzz.token_set_ratio(query_string, self._entry_strings[i])
            score = words_score + scale * _W_FUZZ * similar
            if score > best.get(label, floor):
                best[label] = score

    def _score_short(self, tokens: Sequence[str], best: dict[str, float]) -> None:
        """Few words ("hi", "ok bye", "fees?"): compare whole strings, stopwords included."""
        query = " ".join(tokens)
        for _, score, i in process.extract(
            query, self._entry_full, scorer=fuzz.ratio, limit=5, score_cutoff=SHORT_CUTOFF
        ):
            label = self._labels[i]
            if score > best.get(label, 0.0):
                best[label] = score

    def _keywords_in(self, tokens: Sequence[str]) -> Iterator[tuple[str, str, int]]:
        """Each keyword these words name: its label, the keyword (padded) and the word where
        it first stands."""
        padded = f" {' '.join(tokens)} "
        for label, kws in self._padded_keywords.items():
            for kw in kws:
                if kw in padded:
                    yield label, kw, padded[: padded.index(kw) + 1].count(" ") - 1

    def named_keywords(self, whole: Sequence[str]) -> frozenset[str]:
        """The words of every keyword (of any label) the message names."""
        return frozenset(w for _, kw, _ in self._keywords_in(whole) for w in kw.split())

    def labels_named(self, tokens: Sequence[str]) -> list[tuple[int, str]]:
        """The labels whose keywords these words name, each with the word where it is first
        named, in that order."""
        found: dict[str, int] = {}
        for label, _, at in self._keywords_in(tokens):
            found[label] = min(found.get(label, at), at)
        return sorted(((at, label) for label, at in found.items()), key=lambda x: x[0])

    def words_of_labels(self, labels: Iterable[str]) -> set[str]:
        """Every content word (stem) the phrasings of these labels use."""
        return set().union(*(self._label_words.get(label, set()) for label in labels))

    def tokens_of_labels(self, labels: Iterable[str]) -> set[str]:
        """Every word (stem), stopwords included, the phrasings of these labels use."""
        return set().union(*(self._label_tokens.get(label, set()) for label in labels))

    def unexplained(
        self, message: Reading | PreparedMessage | str, labels: Iterable[str]
    ) -> set[str]:
        """The message's content words that no phrasing of these labels uses."""
        reading = message if isinstance(message, Reading) else self.read(message)
        known: set[str] = set().union(*(self._label_words.get(label, set()) for label in labels))
        return set(reading.content - known)

    def rank(
        self,
        message: Reading | PreparedMessage | str,
        limit: int | None = None,
        floor: float = 0.0,
    ) -> list[Scored]:
        """Labels ranked by their best phrasing's score for this message (best first).

        With a `floor`, for a caller that decides only on labels scoring above it: those are
        ranked exactly as without one, and a label scoring no more than the floor may be
        left out or ranked lower, which spares scoring the phrasings that cannot reach it."""
        reading = message if isinstance(message, Reading) else self.read(message)
        best: dict[str, float] = {}
        # A keyword's bonus is added after scoring: a label that ends above the floor may
        # have been below it by as much before.
        floor = max(0.0, floor - KEYWORD_BONUS) if self._keywords else floor
        whole = reading.whole
        asked = [tokens for tokens, asks in reading.clauses if asks]
        emphasis: frozenset[str] = frozenset()
        if asked and len(asked) < len(reading.clauses):
            emphasis = frozenset(t for tokens in asked for t in tokens) - COURTEOUS_ASKING
            if not POINTERS.isdisjoint(emphasis):
                # "my friend had cupping ... do you do it?": the question points back at
                # what the story named, so the story's telling words share its weight.
                emphasis |= self.named_keywords(whole)
        self._score_tokens(whole, best, emphasis=emphasis, floor=floor)
        content = [t for t in whole if t not in STOPWORDS]
        # Few words are also compared as whole strings, unless every content word is unknown
        # ("whats the weather like" is not "what are the needles like").
        if (
            len(whole) <= SHORT_WORDS
            and len(content) <= SHORT_CONTENT
            and (not content or any(t in self._weight for t in content))
        ):
            self._score_short(whole, best)
        if reading.clauses:
            whole_weight = self._weight_of(whole) or 1.0
            # A question with words of its own ("can it help with back pain?"), not one that
            # only points back ("is this correct?"), outweighs the story around it.
            asks_itself = any(
                sum(t not in STOPWORDS for t in tokens) >= STORY_QUESTION_WORDS for tokens in asked
            )
            seen: set[tuple[str, ...]] = {whole}
            for tokens, asks in reading.clauses:
                # A one-word question after a story that names a topic ("... now just a
                # tight back. benefits?") is read on its own too: it is what the message asks.
                if tokens in seen or (
                    len(tokens) < SEGMENT_MIN_WORDS and not (asks and self.named_keywords(tokens))
                ):
                    continue
                # A story clause with one content word ("at work") adds nothing the whole
                # message does not already say; a question that short still counts.
                if not asks and sum(t not in STOPWORDS for t in tokens) < SEGMENT_MIN_CONTENT:
                    continue
                if asks and all(t in STOPWORDS or t in QUESTION_ONLY for t in tokens):
                    continue  # "..., how do I do it?": a question that only points back
                seen.add(tokens)
                share = min(1.0, self._weight_of(tokens) / whole_weight)
                discount = ASKING_DISCOUNT if asks else SEGMENT_DISCOUNT
                scale = 1.0 - discount * (1.0 - share)
                if not asks and asks_itself:
                    scale *= 1.0 - STORY_DISCOUNT  # the story, beside a clause that asks
                self._score_tokens(tokens, best, scale, limit=MAX_CLAUSE_CANDIDATES, floor=floor)
        if self._keywords:
            padded = f" {' '.join(whole)} "
            for label, kws in self._padded_keywords.items():
                if label in best and any(kw in padded for kw in kws):
                    best[label] = min(100.0, best[label] + KEYWORD_BONUS)
        ranked = sorted(
            (Scored(label, round(s)) for label, s in best.items()),
            key=lambda s: (-s.score, s.label),
        )
        return ranked[:limit] if limit else ranked
