"""The pattern language of red flags and context triggers, and finding its phrases in a clause.

    numb* | tingling | cant feel + bum | groin | inner thigh*

A pattern is parts joined by ``+`` that must all appear in the same sentence (any order); each
part is alternatives joined by ``|``; an alternative is a phrase of consecutive words, where a
trailing ``*`` matches any ending and ``...`` stands for up to three other words. Message words
are matched with typo tolerance (`typos`), and small softeners ("really", "just") may stand
inside a phrase ("cant really feel").

`PhraseIndex` holds every phrase of every pattern (red flags and context triggers alike), so a
clause is read once and each phrase found is reported with where it stands.
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.text import fold
from bot.core.triage.typos import LONG_WORD, MIN_FUZZY, ORDINARY_WORDS, is_typo_of

GAP = "..."  # in a phrase: up to MAX_GAP other words
MAX_GAP = 3
MIN_PREFIX = 3  # "numb*" is fine, "nu*" would match half the dictionary
_CACHE_LIMIT = 50_000
_MAX_EDITS = 2  # the most slips `is_typo_of` forgives in a word (a long one)
# Softeners patients slip into a phrase without changing it: "cant really feel my bum".
SOFTENERS = frozenset(
    {"really", "properly", "actually", "just", "quite", "fully", "even", "totally", "completely"}
)
_MAX_SOFTENERS = 2

# "cannot feel", "can not feel", "couldnt feel" are all the patterns' "cant feel".
_SAME_AS_CANT = frozenset({"cannot", "carnt", "cnt", "cnat", "cant", "couldnt", "cudnt"})
# "can not" is "cant", "do not" is "dont": the word before "not", and what the two make.
_JOINED_WITH_NOT = {"can": "cant", "will": "wont", "do": "dont", "does": "doesnt", "did": "didnt"}
# Regional and non-native spellings are read as the words the patterns are written in (Scots
# "ah cannae feel ma legs" is "i cant feel my legs"): the list is data, `respellings:` in
# red_flags.yaml, handed to `tokenize` as a `Respellings`. "ma" after a possessive is a mother
# ("my ma"), and stays "ma".
_POSSESSIVES = frozenset({"my", "me", "our", "the", "his", "her", "your", "their", "yer"})
# "me back", "me legs": "me" before a part of the body is "my" in much of England and Ireland.
_ME_AS_MY_BEFORE = frozenset(
    "back lower upper spine legs leg feet foot bum backside arse bottom bladder bowels waterworks "
    "tailbone hips hip chest thighs groin privates".split()
)


@dataclass(frozen=True)
class Respellings:
    """Spellings read as a pattern word ("cannae" as "cant"), built once per knowledge base."""

    words: dict[str, str]  # the spelling -> the word it is read as
    rewritten: frozenset[str]  # every word `tokenize` may rewrite (a quick "none here" test)

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]] = ()) -> Respellings:
        words = dict(pairs)
        return cls(words, _SAME_AS_CANT | {"not", "me"} | frozenset(words))


NO_RESPELLINGS = Respellings.of()
_PATTERN_CHARS = re.compile(r"[a-z0-9 *|+.@_]")
_COMMON_ALONE = frozenset(
    "a an and are at be but for i im in is it me my no not of on or so the to was we with you".split()
)
_SEGMENT_BREAK = re.compile(r"[,:()\[\]{}]+")  # commas end a negation's reach ("no, i wet myself")
_AMPERSAND = re.compile(r"[&+]")
_WORD_OR_NUMBER = re.compile(r"[a-z]+|[0-9]+")  # "10kg" is "10 kg", "39c" is "39 c"


def _words_and_numbers(folded: str) -> list[str]:
    """The words of a folded text, numbers apart ("10kg" is "10 kg")."""
    if folded.replace(" ", "").isalpha():  # no digits (the usual case): plain words
        return folded.split()
    return _WORD_OR_NUMBER.findall(folded)


def _pattern_words(alternative: str) -> list[str]:
    """A pattern's words as a message's are read: numbers apart from letters ("3am" is
    "3 am", as in a message), a word ending in "*" and "..." kept whole."""
    words = []
    for word in alternative.split():
        if "*" in word or word.isalpha() or word.isdigit() or not word.isalnum():
            words.append(word)
        else:
            words.extend(_WORD_OR_NUMBER.findall(word))
    return words


class PatternError(ValueError):
    """A red-flag pattern or negation the practitioner wrote cannot be used as written."""


# A concept: a family of words for one idea ("@legs", "@lost_feeling"), named once under
# `concepts:` in red_flags.yaml and used in any flag's pattern as one alternative, so a new
# word added to the family reaches every pattern that pairs the idea with another.
CONCEPT_NAME = re.compile(r"@([a-z][a-z0-9_]*)")


def check_concept(name: str, words: str) -> str | None:
    """What is wrong with one `concepts:` entry, or None: a name of lower-case letters and _,
    and alternatives of plain phrases (no "+", no other concept)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return f"'{name}' should be one lower-case name, letters and _ only (e.g. lost_feeling)"
    if "@" in words:
        return f"'{name}' names another concept - list the words themselves"
    if "+" in words:
        return (
            f"'{name}' has a '+' - a concept is a family of ways to say one thing, joined by "
            "' | '; pair concepts in a flag's pattern instead (\"@legs + @lost_feeling\")"
        )
    try:
        compile_pattern(words)
    except PatternError as exc:
        return f"'{name}': {exc}"
    return None


MAX_CONCEPT_PHRASES = 20000  # one alternative's phrases, all its concepts' words combined


def expand_concepts(pattern: str, concepts: dict[str, str]) -> str:
    """The pattern with each "@name" replaced by the concept's words; raise PatternError for
    a concept nobody defined.

    "@name" alone stands for each of its words ("@legs + @lost_feeling": any leg word and any
    loss of feeling in the same sentence). A chain of pieces joined by "..." ("@cant_do ...
    @walking": "cant walk", "unable to climb the stairs", ...) is kept as written and joined
    up piece by piece when a message is read (`PhraseIndex`), so a shape is written once and
    every known word fills it without a phrase for each pairing; a concept next to other
    words in one piece ("go @walking") is every combination, built here.
    """
    if "@" not in pattern:
        return pattern
    parts = []
    for part in pattern.split("+"):
        alternatives: list[str] = []
        for alternative in part.split("|"):
            if _is_chain(alternative, concepts):
                alternatives.append(" ".join(alternative.split()))
                continue
            phrases = [""]
            for word in alternative.split():
                named = CONCEPT_NAME.fullmatch(word)
                if named is None and "@" in word:
                    raise PatternError(
                        f'"{" ".join(pattern.split())}": "{word}" - a concept is "@" and its '
                        "name (e.g. @legs)"
                    )
                if named is None:
                    phrases = [f"{p} {word}" for p in phrases]
                    continue
                if named.group(1) not in concepts:
                    known = ", ".join(f"@{n}" for n in sorted(concepts)) or "none yet"
                    raise PatternError(
                        f'"{" ".join(pattern.split())}": there is no concept "{word}" under '
                        f"'concepts:' - define it there or use one of: {known}"
                    )
                family = [w.strip() for w in concepts[named.group(1)].split("|")]
                phrases = [f"{p} {w}" for p in phrases for w in family]
                if len(phrases) > MAX_CONCEPT_PHRASES:
                    raise PatternError(
                        f'"{" ".join(pattern.split())}": "{alternative.strip()}" makes more than '
                        f'{MAX_CONCEPT_PHRASES} phrases - pair the concepts with " + " instead'
                    )
            alternatives += [p.strip() for p in phrases]
        parts.append(" | ".join(alternatives))
    return " + ".join(parts)


def _is_chain(alternative: str, concepts: dict[str, str]) -> bool:
    """Whether a phrase is a chain: pieces joined by "...", each piece a known concept on its
    own or plain words ("@cant_do ... @walking", "@legs ... giving way").

    A chain is kept as written and matched piece by piece (`PhraseIndex`), instead of as
    every combination of its concepts' words: the same phrases found, in a fraction of the
    memory and start-up time.
    """
    pieces = " ".join(alternative.split()).split(f" {GAP} ")
    if len(pieces) < 2:
        return False
    named = [CONCEPT_NAME.fullmatch(piece) for piece in pieces]
    if not any(named) or any(
        "@" in piece and n is None for piece, n in zip(pieces, named, strict=True)
    ):
        return False
    return all(n is None or n.group(1) in concepts for n in named)


@dataclass(frozen=True)
class Word:
    """One word of a phrase: exact (``bum``), a prefix (``numb*``) or a gap (``...``)."""

    text: str
    prefix: bool = False

    @property
    def is_gap(self) -> bool:
        return self.text == GAP

    def __str__(self) -> str:
        return self.text + ("*" if self.prefix else "")


@dataclass(frozen=True)
class CompiledPattern:
    """A checked pattern: its parts, each a tuple of alternative phrases (tuples of words)."""

    source: str
    parts: tuple[tuple[tuple[Word, ...], ...], ...]


def compile_pattern(pattern: str, *, alone_ok: bool = False) -> CompiledPattern:
    """Check and parse one pattern line; raise PatternError saying what to change.

    `alone_ok`: a single common word ("no", "my") may stand alone, as context triggers do.
    A pattern is compiled when the knowledge is checked and again when the triage is built;
    the second time (and any repeat) is a look-up.
    """
    if isinstance(pattern, str):
        return _compile_cached(pattern, alone_ok)
    return _compile(pattern, alone_ok)


@functools.lru_cache(maxsize=4096)
def _compile_cached(pattern: str, alone_ok: bool) -> CompiledPattern:
    return _compile(pattern, alone_ok)


def _compile(pattern: str, alone_ok: bool) -> CompiledPattern:
    if not isinstance(pattern, str):
        raise PatternError(
            f"a pattern must be text in quotes, not {type(pattern).__name__} {pattern!r}"
        )
    text = " ".join(pattern.lower().split())
    if not text:
        raise PatternError(
            'the pattern is empty - write the words to look for, e.g. "numb* + groin | bum"'
        )
    _check_characters(pattern, text)
    parts = []
    for raw_part in text.split("+"):
        if not raw_part.strip():
            raise PatternError(
                f'"{pattern}" has a "+" with nothing on one side - every "+" joins two groups '
                'of words that must both appear, e.g. "numb* + groin"'
            )
        alternatives = []
        for raw_alt in raw_part.split("|"):
            if not raw_alt.strip():
                raise PatternError(
                    f'"{pattern}" has a "|" with nothing on one side - "|" separates ways of '
                    'saying the same thing, e.g. "bum | bottom | buttocks"'
                )
            alternatives.append(_compile_phrase(_pattern_words(raw_alt), pattern, alone_ok))
        parts.append(tuple(alternatives))
    return CompiledPattern(source=pattern, parts=tuple(parts))


_ALL_PATTERN_CHARS = re.compile(r"[a-z0-9 *|+.@_]*")


def _check_characters(pattern: str, text: str) -> None:
    if _ALL_PATTERN_CHARS.fullmatch(text):
        return  # the usual case, in one scan
    for ch in text:
        if _PATTERN_CHARS.fullmatch(ch):
            continue
        if ch in "'’‘`´ʼ":
            example = re.sub(r"['’‘`´ʼ]", "", text)
            raise PatternError(
                f'"{pattern}" contains an apostrophe - messages are matched with apostrophes '
                f'removed, so write "{example}" (cant, dont, ive)'
            )
        raise PatternError(
            f'"{pattern}" contains "{ch}", which patterns do not use - write plain words, joined '
            'by " | " (alternatives) and " + " (must also appear); end a word with * to allow '
            "any ending"
        )


@functools.cache
def _word(text: str, prefix: bool) -> Word:
    """One shared Word for each spelling: patterns and the concept families repeat the same
    words in thousands of phrases, and one object each keeps memory low."""
    return Word(sys.intern(text), prefix)


def _compile_phrase(tokens: list[str], pattern: str, alone_ok: bool = False) -> tuple[Word, ...]:
    words: list[Word] = []
    for token in tokens:
        if token == GAP:
            if not words or words[-1].is_gap:
                raise PatternError(
                    f'"{pattern}": "..." must stand between two words (e.g. "lost ... stone")'
                )
            words.append(_word(GAP, False))
            continue
        if CONCEPT_NAME.fullmatch(token):
            words.append(_word(token, False))  # a concept in a chain: `PhraseIndex.add`
            continue
        if "@" in token or "_" in token:
            raise PatternError(
                f'"{pattern}": "{token}" - a concept is "@" and its name (e.g. @legs), '
                "standing on its own between two ..."
            )
        if "." in token:
            raise PatternError(
                f'"{pattern}": "{token}" - full stops are not used in patterns; "..." on its own '
                'between two words means "up to three other words here"'
            )
        stem, stars = token.rstrip("*"), len(token) - len(token.rstrip("*"))
        if "*" in stem or stars > 1:
            raise PatternError(
                f'"{pattern}": "{token}" - a * may only end a word, once (e.g. "tingl*")'
            )
        if stars and len(stem) < MIN_PREFIX:
            raise PatternError(
                f'"{pattern}": "{token}" is too short - a * needs at least {MIN_PREFIX} letters '
                "before it, or it would match far too many words"
            )
        words.append(_word(stem, bool(stars)))
    if words[-1].is_gap:
        raise PatternError(
            f'"{pattern}": "..." must stand between two words (e.g. "lost ... stone")'
        )
    if len(words) == 1 and words[0].text in _COMMON_ALONE and not alone_ok:
        raise PatternError(
            f'"{pattern}": "{words[0].text}" on its own is in almost every message - use it '
            'inside a phrase instead (e.g. "my back")'
        )
    return tuple(words)


def tokenize(clause: str, respellings: Respellings = NO_RESPELLINGS) -> tuple[list[str], list[int]]:
    """Folded words (regional spellings read as `respellings` says), and for each the
    comma-separated segment it sits in."""
    if "&" in clause or "+" in clause:
        clause = _AMPERSAND.sub(" and ", clause)
    tokens: list[str] = []
    segments: list[int] = []
    for seg, piece in enumerate(_SEGMENT_BREAK.split(clause)):
        words = _words_and_numbers(fold(piece))
        if respellings.rewritten.isdisjoint(words):  # the usual case: every word stays as it is
            tokens += words
            segments += [seg] * len(words)
            continue
        for i, word in enumerate(words):
            if word == "me" and words[i + 1 : i + 2] and words[i + 1] in _ME_AS_MY_BEFORE:
                word = "my"
            elif word in _SAME_AS_CANT:
                word = "cant"
            elif word in respellings.words and not (
                word == "ma" and tokens and tokens[-1] in _POSSESSIVES
            ):
                word = respellings.words[word]
            elif (
                word == "not" and tokens and segments[-1] == seg and tokens[-1] in _JOINED_WITH_NOT
            ):
                tokens[-1] = _JOINED_WITH_NOT[tokens[-1]]
                continue
            tokens.append(word)
            segments.append(seg)
    return tokens, segments


# A phrase a word may begin: its place among the word's phrases (to keep their order), the
# phrase id and its other words as keys.
_Start = tuple[int, int, tuple[str, ...]]


@dataclass(frozen=True)
class _Forms:
    """What one message word may stand for, typos forgiven, and the phrases it may begin.

    Both are worked out once per distinct word (and cached), so matching a clause is mostly
    set look-ups: `keys` holds the pattern words it is ("bum") and the prefixes it starts with,
    written as in a pattern ("numb*"); `starts` holds (phrase id, the phrase's other words as
    keys) for every phrase whose first word it can be.
    """

    keys: frozenset[str]
    starts: tuple[_Start, ...]
    # The same phrases sorted out by what must come next: those that are this word alone or
    # go on with a gap (`always` tried), and the others by their second word, so a clause's
    # next word picks the few that can go on with it (most words: none).
    always: tuple[_Start, ...] = ()
    by_second: dict[str, tuple[_Start, ...]] = field(default_factory=dict)
    seconds: frozenset[str] = frozenset()
    # `always` split in two: the word alone, and the phrases that go on with a gap, sorted out
    # by the word after the gap ("leg ... giving way" by "giving"), so only those whose word
    # stands in the next few words are walked (the concept layer's shapes make many of them).
    alone: tuple[_Start, ...] = ()
    by_after_gap: dict[str, tuple[_Start, ...]] = field(default_factory=dict)
    after_gaps: frozenset[str] = frozenset()


@functools.cache
def _key(word: Word) -> str:
    """How a phrase word is looked up in `_Forms.keys`: "numb*" (the star keeps a prefix apart
    from the whole word "numb"), "bum", or "..." for a gap (no message word has that key)."""
    return str(word)


Match = tuple[int, int, int]  # (first word, one past the last word, phrase id)

# The writer's words, and the same said of someone else ("my legs" / "her legs").
_OTHERS_WORDS = {
    "my": ("her", "his", "their"),
    "myself": ("herself", "himself", "themselves"),
}


def _said_of_others(phrase: tuple[Word, ...]) -> list[tuple[Word, ...]]:
    """The phrase, and one copy for each other person when it has "my" or "myself" in it."""
    variants = [phrase]
    for k in range(3):
        words = tuple(
            _word(_OTHERS_WORDS[w.text][k], False)
            if w.text in _OTHERS_WORDS and not w.prefix
            else w
            for w in phrase
        )
        if words != phrase:
            variants.append(words)
    return variants


class PhraseIndex:
    """Every phrase of every registered pattern, indexed by first word; reads clauses.

    Register patterns with `add` (each returns its parts as sets of phrase ids), then call
    `freeze` once; after that `matches` finds every phrase in a clause's words.
    """

    def __init__(self, concepts: Iterable[tuple[str, str]] = ()) -> None:
        self._phrases: list[tuple[Word, ...]] = []
        self._phrase_ids: dict[tuple[Word, ...], int] = {}
        self._cache: dict[str, _Forms] = {}
        self._no_gap: frozenset[str] = frozenset()
        self._concepts = {f"@{name}": words for name, words in concepts}
        # A chain ("@cant_do ... @walking") is a phrase id of its own whose pieces are found
        # as phrases (each piece's alternatives a set of ids); `matches` joins them up.
        self._chains: dict[int, tuple[frozenset[int], ...]] = {}
        self._chains_by_first: dict[int, list[int]] = {}  # a first piece's id -> its chains
        self._shown: set[int] = set()  # ids a pattern names (not only pieces of a chain)

    def add(
        self, pattern: str, *, alone_ok: bool = False, others: bool = False
    ) -> tuple[frozenset[int], ...]:
        """Register one pattern (raises PatternError); its parts as sets of phrase ids.

        `others`: a phrase written about the writer ("cant feel my legs", "wet myself") also
        matches it said of someone else ("cant feel her legs", "wet himself"), so a relative's
        red flag is found too; whose it is, the context rules decide.
        """
        if self._phrases and not self._phrase_ids:
            self._phrase_ids = {phrase: pid for pid, phrase in enumerate(self._phrases)}
        parts = []
        for alternatives in compile_pattern(pattern, alone_ok=alone_ok).parts:
            ids: set[int] = set()
            for written in alternatives:
                if any(word.text.startswith("@") for word in written):
                    ids.add(self._add_chain(written, pattern, others))
                    continue
                ids.update(self._add_phrase(written, others))
            self._shown.update(ids)
            parts.append(frozenset(ids))
        return tuple(parts)

    def _add_phrase(self, written: tuple[Word, ...], others: bool) -> set[int]:
        ids = set()
        for phrase in _said_of_others(written) if others else (written,):
            if phrase not in self._phrase_ids:
                self._phrase_ids[phrase] = len(self._phrases)
                self._phrases.append(phrase)
            ids.add(self._phrase_ids[phrase])
        return ids

    def _add_chain(self, written: tuple[Word, ...], pattern: str, others: bool) -> int:
        """A chain's own id; each piece (a concept's words, or plain words) registered as
        phrases of its own, found by `matches` like any other and joined up there."""
        pieces: list[list[Word]] = [[]]
        for word in written:
            if word.is_gap:
                pieces.append([])
            else:
                pieces[-1].append(word)
        ids = []
        for piece in pieces:
            if len(piece) == 1 and piece[0].text.startswith("@"):
                family = self._concepts.get(piece[0].text)
                if family is None:
                    raise PatternError(
                        f'"{pattern}": there is no concept "{piece[0].text}" here - concepts '
                        "are for red flags' patterns, defined under 'concepts:'"
                    )
                alternatives = compile_pattern(family).parts[0]
            elif any(word.text.startswith("@") for word in piece):
                raise PatternError(
                    f'"{pattern}": a concept stands on its own between two "..." (e.g. '
                    '"@cant_do ... @walking")'
                )
            else:
                alternatives = (tuple(piece),)
            found: set[int] = set()
            for phrase in alternatives:
                found.update(self._add_phrase(phrase, others))
            ids.append(frozenset(found))
        chain = len(self._phrases)
        self._phrases.append(written)
        self._chains[chain] = tuple(ids)
        for first in ids[0]:
            self._chains_by_first.setdefault(first, []).append(chain)
        return chain

    def phrase(self, pid: int) -> str:
        """A phrase as written in its pattern ("cant feel", "numb*")."""
        return " ".join(str(word) for word in self._phrases[pid])

    def freeze(
        self, not_typos: Iterable[str] = (), no_gap: Iterable[str] = (), *, typos: bool = True
    ) -> None:
        """Index phrases by first word so a message word looks up only its candidates.

        `not_typos`: words never read as a slip for another (the context trigger words);
        `no_gap`: words a "..." may not step over ("i have [never had] cancer");
        `typos`: whether misspellings count at all (not for context triggers: a misspelt
        "though" must not be read into "through", and a trigger missed only keeps a flag).
        """
        self._phrase_ids = {}  # only `add` needs it (it is built again if one comes later)
        # Phrase ids by first word, and each phrase's other words as keys: thousands of
        # phrases share a "rest", so each distinct rest is kept once and the ids sit in
        # compact arrays.
        by_first: dict[str, array[int]] = {}
        rests: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._rest: list[tuple[str, ...]] = []
        words: set[str] = set()
        prefixes: set[str] = set()
        for pid, phrase in enumerate(self._phrases):
            if pid in self._chains:
                self._rest.append(())
                continue  # found by its pieces, in `matches`
            rest = tuple(_key(word) for word in phrase[1:])
            self._rest.append(rests.setdefault(rest, rest))
            by_first.setdefault(_key(phrase[0]), array("i")).append(pid)
            for word in phrase:
                if word.is_gap:
                    continue
                (prefixes if word.prefix else words).add(word.text)
        self._by_first = by_first
        # Pieces of chains that no pattern names itself are found only for their chains.
        self._hidden = frozenset(range(len(self._phrases))) - self._shown if self._chains else None
        self._words = frozenset(words)
        self._prefixes = frozenset(prefixes)
        self._prefix_lengths = tuple(sorted({len(p) for p in prefixes}))
        # Typo candidates, bucketed by first letter: typos rarely hit the first letter, and the
        # bucket keeps a new word's look-up to a few dozen comparisons.
        self._fuzzy_words: dict[str, list[str]] = {}
        for w in sorted(words) if typos else ():
            if len(w) >= MIN_FUZZY and w.isalpha():
                self._fuzzy_words.setdefault(w[0], []).append(w)
        # Prefixes by first letter and then by length: a word's start of that length is
        # compared with all of them in one call.
        by_length: dict[str, dict[int, list[str]]] = {}
        for p in sorted(prefixes) if typos else ():
            if len(p) >= MIN_FUZZY and p.isalpha():
                by_length.setdefault(p[0], {}).setdefault(len(p), []).append(p)
        self._fuzzy_prefixes = {
            first: tuple(lengths.items()) for first, lengths in by_length.items()
        }
        self._not_typos = ORDINARY_WORDS | frozenset(not_typos)
        self._no_gap = frozenset(no_gap)
        self._cache.clear()

    def matches(self, tokens: list[str], segments: list[int] | None = None) -> list[Match]:
        """Every (start, end, phrase id) occurrence, sorted by start. With `segments` (each
        word's comma-separated piece), a "..." never steps over a comma: in "no numbness,
        cant pee" no phrase runs from "numbness" to "pee"."""
        forms = [self._forms(token) for token in tokens]
        keys = [form.keys for form in forms]
        last = len(tokens) - 1
        found = []
        for i, form in enumerate(forms):
            if not form.starts:
                continue
            # Most phrases fail on their second word: only those the next word can go on are
            # walked, in the order they have among the word's phrases (a softener next may
            # stand inside any phrase: all of them are walked).
            group: Iterable[_Start]
            if i < last and tokens[i + 1] in SOFTENERS:
                group = form.starts
            else:
                always: tuple[_Start, ...] | list[_Start] = form.alone
                if form.after_gaps:
                    near = set().union(
                        *(
                            form.after_gaps.intersection(k)
                            for k in keys[i + 1 : i + 2 + MAX_GAP + _MAX_SOFTENERS]
                        )
                    )
                    if near:
                        always = sorted(
                            itertools.chain(form.alone, *(form.by_after_gap[k] for k in near))
                        )
                hits = form.seconds.intersection(keys[i + 1]) if i < last else ()
                if not hits:
                    group = always
                elif len(hits) == 1 and not always:
                    group = form.by_second[next(iter(hits))]
                else:
                    group = sorted(itertools.chain(always, *(form.by_second[k] for k in hits)))
            for _, pid, rest in group:
                if rest:
                    end = self._match_from(rest, 0, keys, tokens, i + 1, segments)
                    if end is not None:
                        found.append((i, end, pid))
                else:
                    found.append((i, i + 1, pid))
        if self._hidden is not None and found:
            return self._joined(found, tokens, segments)
        return found

    def _joined(
        self, found: list[Match], tokens: list[str], segments: list[int] | None
    ) -> list[Match]:
        """`found` with every chain whose pieces stand in order, each the next within
        MAX_GAP words of the last (the gap's words in one comma piece, none a no-gap word),
        and without the pieces no pattern names itself."""
        hidden = self._hidden or frozenset()
        if not any(pid in hidden or pid in self._chains_by_first for *_, pid in found):
            return found  # the usual case: no piece of any chain in the clause
        at: dict[int, list[tuple[int, int]]] = {}
        for start, end, pid in found:
            at.setdefault(pid, []).append((start, end))
        chains = {c for pid in at for c in self._chains_by_first.get(pid, ())}
        joined = []
        for chain in sorted(chains):
            pieces = self._chains[chain]
            if any(piece.isdisjoint(at) for piece in pieces[1:]):
                continue
            spans = {span for pid in pieces[0].intersection(at) for span in at[pid]}
            for piece in pieces[1:]:
                ahead = [at[pid] for pid in piece.intersection(at)]
                spans = {
                    (start, nxt)
                    for start, end in spans
                    for occurrences in ahead
                    if (nxt := self._next_end(occurrences, end, tokens, segments)) is not None
                }
            joined += [(start, end, chain) for start, end in spans]
        kept = [match for match in found if match[2] not in hidden]
        if not joined:
            return kept
        return sorted(kept + joined, key=lambda match: match[0])

    def _next_end(
        self,
        occurrences: list[tuple[int, int]],
        end: int,
        tokens: list[str],
        segments: list[int] | None,
    ) -> int | None:
        """Where the first occurrence that may follow a piece ending at `end` ends, else None."""
        for start, after in occurrences:  # in order of start
            if start < end:
                continue
            if start - end > MAX_GAP:
                return None
            skipped = range(end, start)
            if any(tokens[j] in self._no_gap for j in skipped) or (
                segments is not None and any(segments[j] != segments[end - 1] for j in skipped)
            ):
                return None
            return after
        return None

    def _match_from(
        self,
        rest: tuple[str, ...],
        k: int,
        keys: list[frozenset[str]],
        tokens: list[str],
        i: int,
        segments: list[int] | None = None,
        softened: int = 0,
    ) -> int | None:
        """Where rest[k:] (phrase words as keys) ends if it matches tokens from i, else None."""
        while k < len(rest):
            key = rest[k]
            if key == GAP:
                for skip in range(MAX_GAP + 1):
                    if skip and (
                        i + skip > len(tokens)
                        or tokens[i + skip - 1] in self._no_gap
                        or (segments is not None and segments[i + skip - 1] != segments[i - 1])
                    ):
                        break  # "i have [never had] cancer" is not "i have ... cancer"
                    end = self._match_from(rest, k + 1, keys, tokens, i + skip, segments, softened)
                    if end is not None:
                        return end
                return None
            if i >= len(tokens):
                return None
            if key not in keys[i]:
                if tokens[i] in SOFTENERS and softened < _MAX_SOFTENERS:
                    i, softened = i + 1, softened + 1
                    continue
                return None
            k, i = k + 1, i + 1
        return i

    def _forms(self, token: str) -> _Forms:
        forms = self._cache.get(token)
        if forms is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            forms = self._cache[token] = self._compute_forms(token)
        return forms

    def _compute_forms(self, token: str) -> _Forms:
        words = {token} if token in self._words else set()
        if (
            not words
            and token.endswith("s")
            and token[:-1] in self._words
            and len(token) > 3
            and token not in self._not_typos  # "the fells" are hills, not a fall
        ):
            words.add(token[:-1])  # "my foot's dragging" folds to "foots": still the foot
        prefixes = {token[:n] for n in self._prefix_lengths if token[:n] in self._prefixes}
        if len(token) >= MIN_FUZZY and token.isalpha() and token not in self._not_typos:
            # Only candidates within the most edits a slip may make (one rapidfuzz call over
            # the bucket) are read for the kinds of slip `is_typo_of` forgives.
            if not words:
                words.update(
                    w
                    for w, _, _ in process.extract(
                        token,
                        self._fuzzy_words.get(token[0], []),
                        scorer=OSA.distance,
                        score_cutoff=_MAX_EDITS,
                        limit=None,
                    )
                    if is_typo_of(token, w, 1 if len(w) < LONG_WORD else 2)
                )
            # A prefix forgives a slip inside itself only ("tinlging"): letting it grow or
            # shrink too would make "bowl..." a "bowel*" and "filling" a "fall*".
            for length, group in self._fuzzy_prefixes.get(token[0], ()):
                head = token[:length]
                for p, _, _ in process.extract(
                    head, group, scorer=OSA.distance, score_cutoff=1, limit=None
                ):
                    if p not in prefixes and is_typo_of(head, p, 1):
                        prefixes.add(p)
        keys = frozenset(words | {_key(Word(p, prefix=True)) for p in prefixes})
        starts = tuple(
            (n, pid, self._rest[pid])
            for n, pid in enumerate(pid for key in keys for pid in self._by_first.get(key, ()))
        )
        always = tuple(start for start in starts if not start[2] or start[2][0] == GAP)
        by_second: dict[str, list[_Start]] = {}
        by_after_gap: dict[str, list[_Start]] = {}
        for start in starts:
            if start[2] and start[2][0] != GAP:
                by_second.setdefault(start[2][0], []).append(start)
            elif start[2]:
                by_after_gap.setdefault(start[2][1], []).append(start)
        return _Forms(
            keys,
            starts,
            always,
            {k: tuple(v) for k, v in by_second.items()},
            frozenset(by_second),
            tuple(start for start in starts if not start[2]),
            {k: tuple(v) for k, v in by_after_gap.items()},
            frozenset(by_after_gap),
        )
