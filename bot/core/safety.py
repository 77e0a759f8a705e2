"""Red-flag triage: does a patient's message describe an emergency (PRODUCT.md "Safety")?

Runs before topic matching and wins over it. The signs live in `knowledge/red_flags.yaml`,
written by the practitioner in a small pattern language (explained at the top of that file):

    numb* | tingling | cant feel + bum | groin | inner thigh*

A pattern is parts joined by ``+`` that must all appear in the same sentence (any order); each
part is alternatives joined by ``|``; an alternative is a phrase of consecutive words, where a
trailing ``*`` matches any ending and ``...`` stands for up to three other words.

Why it is built this way: missing an emergency is the worst failure the product can have, so
recall comes first. Message words are matched with typo tolerance, a red flag buried anywhere in
a long message is found, and only narrow, well-understood cues cancel a match (a negation right
before it: "no numbness", or a practitioner's `unless` pattern: "my mum had cancer").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.core.model import RedFlag
from bot.core.text import fold, sentences

GAP = "..."  # in a phrase: up to MAX_GAP other words; before a negation: it follows the symptom
MAX_GAP = 3
MIN_PREFIX = 3  # "numb*" is fine, "nu*" would match half the dictionary
MIN_FUZZY = 5  # words shorter than this must be spelled exactly ("numb", "pee", "bum")
MAX_SCOPE_FILLERS = 4  # "no [real signs of any] numbness"
MAX_POST_FILLERS = 2  # "bladder control [is totally] fine"
_CACHE_LIMIT = 50_000

# Between a negation and the symptom it negates, only these words may stand: "havent had any
# real trouble with numbness". Anything else ("no idea why but i wet myself") ends its reach,
# so a stray "no" can never silence a symptom a few words later.
SCOPE_FILLERS = frozenset(
    """a an the any my me of real really obvious noticeable major significant further other
    new more such sign signs symptom symptoms problem problems issue issues trouble history
    had have has got get getting gotten felt feel feeling noticed notice experienced experience
    been suffered suffer suffering with in on to at from by or nor ever kind sort type pain pains
    ache aches aching discomfort stiffness injury injuries recent specific particular known
    cause caused reason evidence whatsoever either noticeably loss change changes difficulty
    difficulties altered""".split()
)
# Symptoms no red flag is about: a negation reaching one of them is spent on it ("no pain cant
# walk"), unless a list goes on ("no pain or numbness").
_GENERIC_SYMPTOMS = frozenset(
    {"pain", "pains", "ache", "aches", "aching", "discomfort", "stiffness"}
)
# Between a symptom and an after-negation: "bowel control [is] fine".
POST_FILLERS = frozenset(
    """is are was were both all still seem seems has have been totally completely perfectly
    absolutely always feel feels working entirely quite pretty being otherwise""".split()
)
LIST_JOINERS = frozenset({"or", "nor"})  # "no numbness, tingling or weakness" negates all three
_LIST_FILLERS = frozenset({"any", "a", "an", "the", "my", "even", "both"})
# What a negated symptom is of stays negated: "no loss of bladder control", "no numbness in my groin".
_OBJECT_LINKS = frozenset({"of", "with", "in", "on", "around", "from", "into"})
_UNTIL = frozenset({"until", "till", "til", "untill"})
_UNTIL_REACH = 3
# Softeners patients slip into a phrase without changing it: "cant really feel my bum".
SOFTENERS = frozenset(
    {"really", "properly", "actually", "just", "quite", "fully", "even", "totally"}
)
_MAX_SOFTENERS = 2

# Everyday words one slip away from a pattern word: never read them as typos ("fewer" is not
# "fever", "trapped nerve" is not "tripped"). Found by running every word of an English word
# list through the shipped patterns; add to it if a new pattern word has an ordinary neighbour.
ORDINARY_WORDS = frozenset(
    """fewer fiver never newer cheat chesty crush crushed crashing groan grain crutch cancel
    cancels canter spelling smelling selling shelling swilling stars stirs filling fills
    felling fells failing fails peeling peeking peeping peering weeping weeding paints limps
    lamps kills number numbers sweets swearing swears trapped trapping skipped spins horde
    hoarse house sweet seating tipped tipping drive noting stepped flips flaps""".split()
)
LONG_WORD = 9  # from this length, two slips are forgiven ("incontinnant")
_LONG_DROP = 8  # from this length any letter may be left out ("numbess"): few real-word clashes
_VOWELS = frozenset("aeiouy")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours(row: int, col: int) -> str:
    """Keys touching a key on a staggered QWERTY keyboard (same row, the two above, below)."""
    around = [(row, col - 1), (row, col + 1), (row - 1, col), (row - 1, col + 1)]
    around += [(row + 1, col - 1), (row + 1, col)]
    return "".join(
        _KEYBOARD_ROWS[r][c]
        for r, c in around
        if 0 <= r < len(_KEYBOARD_ROWS) and 0 <= c < len(_KEYBOARD_ROWS[r])
    )


_KEY_NEIGHBOURS = {
    ch: _neighbours(r, c) for r, row in enumerate(_KEYBOARD_ROWS) for c, ch in enumerate(row)
}
# "cannot feel", "can not feel", "couldnt feel" are all the patterns' "cant feel".
_SAME_AS_CANT = frozenset({"cannot", "carnt", "cnt", "cnat", "cant", "couldnt", "cudnt"})
# "can not" is "cant", "do not" is "dont": the word before "not", and what the two make.
_JOINED_WITH_NOT = {"can": "cant", "will": "wont", "do": "dont", "does": "doesnt", "did": "didnt"}
_RESPELT = _SAME_AS_CANT | {"not"}  # words `Triage._tokens` may rewrite
_PATTERN_CHARS = re.compile(r"[a-z0-9 *|+.]")
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


def is_typo_of(typed: str, word: str, edits: int = 1) -> bool:
    """Whether `typed` is `word` with at most `edits` slips of the kind people make on phones.

    Allowed slips: a neighbouring key or a vowel for a vowel ("incontinant"), two letters
    swapped ("tinlging"), a letter too many ("feaver"), a doubled letter, a vowel or the last
    letter left out ("numbnes", "blader"), or any letter left out of a long word ("numbess").
    Dropping a consonant from a shorter word is not a slip we accept: it turns real words into
    others too often ("walking" -> "waking").
    The first letter must be right. Both words are folded (lower case a-z).
    """
    if not typed or not word or typed[0] != word[0] or abs(len(typed) - len(word)) > edits:
        return False
    if OSA.distance(typed, word, score_cutoff=edits) > edits:
        return False
    return _slips(typed, word, 0, 0, edits)


def _slips(t: str, w: str, i: int, j: int, edits: int) -> bool:
    while i < len(t) and j < len(w) and t[i] == w[j]:
        i, j = i + 1, j + 1
    if i == len(t) and j == len(w):
        return True
    if edits == 0:
        return False
    left = edits - 1
    if i < len(t) and j < len(w):
        if _similar_letters(t[i], w[j]) and _slips(t, w, i + 1, j + 1, left):
            return True
        if t[i : i + 2] == w[j + 1 : j + 2] + w[j] and _slips(t, w, i + 2, j + 2, left):
            return True
    if i < len(t) and _slips(t, w, i + 1, j, left):  # a letter too many
        return True
    if j < len(w):  # a letter left out
        letter = w[j]
        doubled = (j > 0 and w[j - 1] == letter) or w[j + 1 : j + 2] == letter
        droppable = letter in _VOWELS or doubled or j == len(w) - 1 or len(w) >= _LONG_DROP
        if droppable and _slips(t, w, i, j + 1, left):
            return True
    return False


def _similar_letters(a: str, b: str) -> bool:
    return (a in _VOWELS and b in _VOWELS) or b in _KEY_NEIGHBOURS.get(a, "")


class PatternError(ValueError):
    """A red-flag pattern or negation the practitioner wrote cannot be used as written."""


# -- the pattern language -----------------------------------------------------------------


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


def compile_pattern(pattern: str) -> CompiledPattern:
    """Check and parse one pattern line; raise PatternError saying what to change."""
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
            alternatives.append(_compile_phrase(raw_alt.split(), pattern))
        parts.append(tuple(alternatives))
    return CompiledPattern(source=pattern, parts=tuple(parts))


def _check_characters(pattern: str, text: str) -> None:
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


def _compile_phrase(tokens: list[str], pattern: str) -> tuple[Word, ...]:
    words: list[Word] = []
    for token in tokens:
        if token == GAP:
            if not words or words[-1].is_gap:
                raise PatternError(
                    f'"{pattern}": "..." must stand between two words (e.g. "lost ... stone")'
                )
            words.append(Word(GAP))
            continue
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
        words.append(Word(stem, prefix=bool(stars)))
    if words[-1].is_gap:
        raise PatternError(
            f'"{pattern}": "..." must stand between two words (e.g. "lost ... stone")'
        )
    if len(words) == 1 and words[0].text in _COMMON_ALONE:
        raise PatternError(
            f'"{pattern}": "{words[0].text}" on its own is in almost every message - use it '
            'inside a phrase instead (e.g. "my back")'
        )
    return tuple(words)


@dataclass(frozen=True)
class _Cue:
    """A negation: words that cancel the symptom right after (or, with "...", before) them."""

    words: tuple[str, ...]
    after: bool  # written "... fine": it follows the symptom


def _compile_negation(negation: str) -> _Cue:
    if not isinstance(negation, str):
        raise PatternError(f"a negation must be text, not {type(negation).__name__} {negation!r}")
    text = " ".join(negation.lower().split())
    after = text.startswith(GAP)
    if after:
        text = text[len(GAP) :].strip()
    if not text:
        raise PatternError(
            'a negation is empty - write the words, e.g. "havent had" (or "... fine" for '
            "words that come after the symptom)"
        )
    if not re.fullmatch(r"[a-z0-9 ]+", text):
        bad = next(ch for ch in text if not re.fullmatch(r"[a-z0-9 ]", ch))
        hint = (
            "write it without the apostrophe (dont, havent)"
            if bad in "'’‘`´ʼ"
            else (
                "negations are plain words; * | + and ... (except at the start) are not used here"
            )
        )
        raise PatternError(f'the negation "{negation}" contains "{bad}" - {hint}')
    return _Cue(tuple(text.split()), after)


# -- reading a message --------------------------------------------------------------------


@dataclass(frozen=True)
class RedFlagHit:
    """The first red flag found: which one, in plain words, and where in the message."""

    flag_id: str
    name: str  # RedFlag.name, plain words for the urgent reply
    sentence: str  # the (raw) sentence that raised it


@dataclass(frozen=True)
class _Forms:
    """What one message word may stand for, typos forgiven, and the phrases it may begin.

    Both are worked out once per distinct word (and cached), so matching a clause is mostly
    set look-ups: `keys` holds the pattern words it is ("bum") and the prefixes it starts with,
    written as in a pattern ("numb*"); `starts` holds (phrase id, the phrase's other words as
    keys) for every phrase whose first word it can be.
    """

    keys: frozenset[str]
    starts: tuple[tuple[int, tuple[str, ...]], ...]


def _key(word: Word) -> str:
    """How a phrase word is looked up in `_Forms.keys`: "numb*" (the star keeps a prefix apart
    from the whole word "numb"), "bum", or "..." for a gap (no message word has that key)."""
    return str(word)


@dataclass(frozen=True)
class _Rules:
    """One red flag, compiled: each pattern as a tuple of parts, each part a set of phrase ids."""

    flag: RedFlag
    when: tuple[tuple[frozenset[int], ...], ...]
    unless: tuple[tuple[frozenset[int], ...], ...]
    leads: frozenset[int]  # the phrases of every `when` pattern's first part

    @classmethod
    def of(
        cls,
        flag: RedFlag,
        when: tuple[tuple[frozenset[int], ...], ...],
        unless: tuple[tuple[frozenset[int], ...], ...],
    ) -> _Rules:
        """The rules with `leads` worked out, so most clauses are turned down by one look-up."""
        return cls(flag, when, unless, frozenset().union(*(parts[0] for parts in when)))

    def fires(self, found: set[int]) -> bool:
        """Every part of some `when` pattern is present, and no `unless` pattern is."""
        if self.leads.isdisjoint(found):
            return False  # the usual case, told cheaply: no pattern even has its first part
        return _any_present(self.when, found) and not _any_present(self.unless, found)


def _any_present(patterns: tuple[tuple[frozenset[int], ...], ...], found: set[int]) -> bool:
    """Whether every part of some pattern is among `found` (plain loops: this runs per clause)."""
    for parts in patterns:
        for part in parts:
            if part.isdisjoint(found):
                break
        else:
            return True
    return False


# Who a clause can be about, when it is not the patient: "my sister struggles to walk",
# "my husband's having chest pains checked". Only these, at the start of the clause.
OTHER_PEOPLE = frozenset(
    """mum mom mother dad father sister brother husband hubby wife missus partner boyfriend
    girlfriend fiance fiancee son daughter child kid kids baby friend mate colleague boss nan
    nana nanna gran granny grandma grandmother grandad granddad grandpa grandfather aunt auntie
    aunty uncle cousin niece nephew neighbour neighbor flatmate housemate""".split()
)
_THIRD_PERSON = frozenset({"he", "she", "hes", "shes", "they", "theyre", "theyve", "hed", "shed"})
_FIRST_PERSON = frozenset({"i", "im", "ive", "id", "ill", "me", "myself", "mine", "us", "we"})
_LEADING = frozenset({"and", "but", "also", "so", "plus", "well", "oh", "ok", "btw", "though"})


def about_someone_else(clause: str) -> bool:
    """True when a clause is plainly about another person and says nothing of the patient.

    "my sister has MS and struggles to walk" is; "my wife says I wet myself" and "my mum
    noticed my leg getting weaker" are not (the patient appears: "I", or "my" + a body part).
    """
    words = [
        w.removesuffix("s") if w.endswith("s") and w[:-1] in OTHER_PEOPLE else w
        for w in fold(clause).split()
    ]
    while words and words[0] in _LEADING:
        words = words[1:]
    if not words:
        return False
    if words[0] == "my" and len(words) > 1 and words[1] in OTHER_PEOPLE:
        rest = words[2:]
    elif words[0] in _THIRD_PERSON:
        rest = words[1:]
    else:
        return False
    for i, w in enumerate(rest):
        if w in _FIRST_PERSON:
            return False
        if w == "my" and (i + 1 >= len(rest) or rest[i + 1] not in OTHER_PEOPLE):
            return False
    return True


# Ways writers make clear they are asking about themselves, not the relative they mention.
_ABOUT_THE_WRITER = re.compile(
    r"\b(?:asking (?:for|about) (?:me|myself)|(?:its|it is|this is|question is) "
    r"(?:for |about )?me\b|for myself|im the one|i am the one|but me\b|me with the back"
    r"|(?:hes|shes|theyre|he is|she is|they are) (?:ok|okay|fine|alright|all right|doing fine"
    r"|being looked after|in good hands))"
)


_ASIDE = re.compile(r"\s*(?:[,()]|\bbut\b)\s*", re.IGNORECASE)


def _without_others(clause: str) -> list[str]:
    """A clause minus its pieces about other people ("my wife has chest pains (she's fine), i
    just have a stiff back" keeps "i just have a stiff back"). Pieces are cut at commas,
    brackets and "but"; a clause with no such piece comes back whole."""
    pieces = [p for p in _ASIDE.split(clause) if p.strip()]
    kept = [p for p in pieces if not about_someone_else(p)]
    if len(kept) == len(pieces):
        return [clause]
    return [" ".join(kept)] if kept else []


def says_it_is_about_the_writer(text: str) -> bool:
    """True when the message says outright that the question is the writer's own."""
    return bool(_ABOUT_THE_WRITER.search(fold(text)))


class Triage:
    """Finds red flags in messages. Built once per knowledge base; `check` is cheap."""

    def __init__(self, red_flags: Sequence[RedFlag], negations: Sequence[str]) -> None:
        self._phrases: list[tuple[Word, ...]] = []
        self._phrase_ids: dict[tuple[Word, ...], int] = {}
        rules = []
        for flag in red_flags:
            when = tuple(self._register(flag, p) for p in flag.when)
            unless = tuple(self._register(flag, p) for p in flag.unless)
            rules.append(_Rules.of(flag, when, unless))
        self._rules = tuple(rules)
        cues = []
        for negation in negations:
            try:
                cues.append(_compile_negation(negation))
            except PatternError as exc:
                raise PatternError(f"in the negations: {exc}") from None
        self._cues = tuple(cues)
        self._index_phrases()
        self._cache: dict[str, _Forms] = {}

    def _register(self, flag: RedFlag, pattern: str) -> tuple[frozenset[int], ...]:
        try:
            compiled = compile_pattern(pattern)
        except PatternError as exc:
            raise PatternError(f"in red flag '{flag.id}': {exc}") from None
        parts = []
        for alternatives in compiled.parts:
            ids = set()
            for phrase in alternatives:
                if phrase not in self._phrase_ids:
                    self._phrase_ids[phrase] = len(self._phrases)
                    self._phrases.append(phrase)
                ids.add(self._phrase_ids[phrase])
            parts.append(frozenset(ids))
        return tuple(parts)

    def _index_phrases(self) -> None:
        """Index phrases by their first word so a message word looks up only its candidates."""
        self._by_first: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        words: set[str] = set()
        prefixes: set[str] = set()
        for pid, phrase in enumerate(self._phrases):
            rest = tuple(_key(word) for word in phrase[1:])
            self._by_first.setdefault(_key(phrase[0]), []).append((pid, rest))
            for word in phrase:
                if word.is_gap:
                    continue
                (prefixes if word.prefix else words).add(word.text)
        self._words = frozenset(words)
        self._prefixes = frozenset(prefixes)
        self._prefix_lengths = tuple(sorted({len(p) for p in prefixes}))
        # Typo candidates, bucketed by first letter: typos rarely hit the first letter, and the
        # bucket keeps a new word's look-up to a few dozen comparisons.
        self._fuzzy_words: dict[str, list[str]] = {}
        for w in sorted(words):
            if len(w) >= MIN_FUZZY and w.isalpha():
                self._fuzzy_words.setdefault(w[0], []).append(w)
        self._fuzzy_prefixes: dict[str, list[str]] = {}
        for p in sorted(prefixes):
            if len(p) >= MIN_FUZZY and p.isalpha():
                self._fuzzy_prefixes.setdefault(p[0], []).append(p)
        cue_words = {w for cue in self._cues for w in cue.words}
        self._not_typos = ORDINARY_WORDS | SCOPE_FILLERS | POST_FILLERS | cue_words
        self._no_gap = frozenset(cue.words[0] for cue in self._cues if not cue.after)
        # By first word; for one word, the negations written before a symptom come first.
        self._cues_by_first: dict[str, list[_Cue]] = {}
        for cue in sorted(self._cues, key=lambda cue: cue.after):
            self._cues_by_first.setdefault(cue.words[0], []).append(cue)

    # -- public ---------------------------------------------------------------------------

    def check(self, text: str) -> RedFlagHit | None:
        """The first red flag the message describes, or None. Never raises on any text."""
        if not isinstance(text, str) or not text.strip():
            return None
        # Someone else's symptoms ("my sister struggles to walk") are set aside only when the
        # writer says plainly the question is about themselves; people ask for relatives too.
        excused = says_it_is_about_the_writer(text)
        clauses = sentences(text)
        if excused:
            clauses = [part for clause in clauses for part in _without_others(clause)]
        found = [self._found(clause) for clause in clauses]
        for clause, present in zip(clauses, found, strict=True):
            hit = self._first_rule(present, clause, excused)
            if hit:
                return hit
        # A sign split over two neighbouring clauses: "numbness in my leg, and it's getting worse".
        for i in range(len(clauses) - 1):
            if found[i] and found[i + 1]:
                if excused and (
                    about_someone_else(clauses[i]) or about_someone_else(clauses[i + 1])
                ):
                    continue
                pair = f"{clauses[i]} {clauses[i + 1]}"
                hit = self._first_rule(found[i] | found[i + 1], pair, excused)
                if hit:
                    return hit
        return None

    def _first_rule(
        self, present: set[int], sentence: str, others_excused: bool = False
    ) -> RedFlagHit | None:
        if not present or (others_excused and about_someone_else(sentence)):
            return None
        for rules in self._rules:
            if rules.fires(present):
                return RedFlagHit(rules.flag.id, rules.flag.name, sentence)
        return None

    # -- one clause -----------------------------------------------------------------------

    def _found(self, clause: str) -> set[int]:
        """Ids of the phrases this clause states (found, and not negated)."""
        tokens, segments = self._tokens(clause)
        matches = self._matches(tokens)
        if not matches:
            return set()
        negated = self._negated(tokens, segments, matches)
        return {pid for i, (_, _, pid) in enumerate(matches) if i not in negated}

    def _tokens(self, clause: str) -> tuple[list[str], list[int]]:
        """Folded words, and for each the comma-separated segment it sits in."""
        if "&" in clause or "+" in clause:
            clause = _AMPERSAND.sub(" and ", clause)
        tokens: list[str] = []
        segments: list[int] = []
        for seg, piece in enumerate(_SEGMENT_BREAK.split(clause)):
            words = _words_and_numbers(fold(piece))
            if _RESPELT.isdisjoint(words):  # the usual case: every word stays as it is
                tokens += words
                segments += [seg] * len(words)
                continue
            for word in words:
                if word in _SAME_AS_CANT:
                    word = "cant"
                elif (
                    word == "not"
                    and tokens
                    and segments[-1] == seg
                    and tokens[-1] in _JOINED_WITH_NOT
                ):
                    tokens[-1] = _JOINED_WITH_NOT[tokens[-1]]
                    continue
                tokens.append(word)
                segments.append(seg)
        return tokens, segments

    def _matches(self, tokens: list[str]) -> list[tuple[int, int, int]]:
        """Every (start, end, phrase id) occurrence, sorted by start."""
        forms = [self._forms(token) for token in tokens]
        keys = [form.keys for form in forms]
        last = len(tokens) - 1
        found = []
        for i, form in enumerate(forms):
            for pid, rest in form.starts:
                if rest:
                    # Most candidates fail on their second word: rule them out without the walk.
                    second, j = rest[0], i + 1
                    if second != GAP and (
                        i == last or (second not in keys[j] and tokens[j] not in SOFTENERS)
                    ):
                        continue
                    end = self._match_from(rest, 0, keys, tokens, j)
                    if end is not None:
                        found.append((i, end, pid))
                else:
                    found.append((i, i + 1, pid))
        return found

    def _match_from(
        self,
        rest: tuple[str, ...],
        k: int,
        keys: list[frozenset[str]],
        tokens: list[str],
        i: int,
        softened: int = 0,
    ) -> int | None:
        """Where rest[k:] (phrase words as keys) ends if it matches tokens from i, else None."""
        while k < len(rest):
            key = rest[k]
            if key == GAP:
                for skip in range(MAX_GAP + 1):
                    if skip and (i + skip > len(tokens) or tokens[i + skip - 1] in self._no_gap):
                        break  # "i have [never had] cancer" is not "i have ... cancer"
                    end = self._match_from(rest, k + 1, keys, tokens, i + skip, softened)
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
        prefixes = {token[:n] for n in self._prefix_lengths if token[:n] in self._prefixes}
        if len(token) >= MIN_FUZZY and token.isalpha() and token not in self._not_typos:
            if not words:
                words.update(
                    w
                    for w in self._fuzzy_words.get(token[0], ())
                    if is_typo_of(token, w, 1 if len(w) < LONG_WORD else 2)
                )
            # A prefix forgives a slip inside itself only ("tinlging"): letting it grow or
            # shrink too would make "bowl..." a "bowel*" and "filling" a "fall*".
            for p in self._fuzzy_prefixes.get(token[0], ()):
                if p not in prefixes and is_typo_of(token[: len(p)], p, 1):
                    prefixes.add(p)
        keys = frozenset(words | {_key(Word(p, prefix=True)) for p in prefixes})
        starts = tuple(start for key in keys for start in self._by_first.get(key, ()))
        return _Forms(keys, starts)

    # -- negation -------------------------------------------------------------------------

    def _negated(
        self, tokens: list[str], segments: list[int], matches: list[tuple[int, int, int]]
    ) -> set[int]:
        """Indexes of matches a negation cancels.

        Before the symptom ("no numbness", "havent had any trouble peeing"): the first symptom
        after the negation, reached over filler words only, within one comma segment, plus the
        rest of an "or" list ("no numbness, tingling or weakness"). After it ("bowel control is
        fine"): the symptom just before. A negation word inside a symptom phrase ("no feeling",
        "never lets up") is part of the symptom, not a negation.
        """
        clause = _Clause(tokens, segments, matches)
        negated: set[int] = set()
        for start, end, after in self._cue_spans(tokens):
            if any(clause.covered[start:end]):
                continue
            if after:
                negated |= _negated_before(start, clause)
            else:
                negated |= _negated_after(end, clause)
        return negated

    def _cue_spans(self, tokens: list[str]) -> list[tuple[int, int, bool]]:
        spans = []
        for i, token in enumerate(tokens):
            for cue in self._cues_by_first.get(token, ()):
                end = i + len(cue.words)
                if tuple(tokens[i:end]) == cue.words:
                    spans.append((i, end, cue.after))
        return spans


class _Clause:
    """One clause's words and symptom matches, indexed for the negation rules."""

    def __init__(
        self, tokens: list[str], segments: list[int], matches: list[tuple[int, int, int]]
    ) -> None:
        self.tokens = tokens
        self.segments = segments
        self.matches = matches  # (start, end, phrase id), sorted by start
        self.covered = [False] * len(tokens)
        self.starts: dict[int, list[int]] = {}
        self.ends: dict[int, list[int]] = {}
        for m, (start, end, _) in enumerate(matches):
            self.starts.setdefault(start, []).append(m)
            self.ends.setdefault(end, []).append(m)
            for j in range(start, end):
                self.covered[j] = True

    def span(self, start: int) -> tuple[set[int], int]:
        """The matches starting at `start` and those overlapping them ("a fall" and "fall")."""
        first = self.starts[start][0]
        members: set[int] = set()
        end = start + 1
        m = first
        while m < len(self.matches) and self.matches[m][0] < end:
            members.add(m)
            end = max(end, self.matches[m][1])
            m += 1
        return members, end


def _negated_after(cue_end: int, clause: _Clause) -> set[int]:
    """What a negation cancels after itself: "no [any] numbness[, tingling or weakness]"."""
    tokens, segments, starts = clause.tokens, clause.segments, clause.starts
    if cue_end >= len(tokens):
        return set()
    segment = segments[cue_end - 1]
    j, fillers, own_symptom = cue_end, 0, False
    while j < len(tokens) and segments[j] == segment and j not in starts:
        if tokens[j] not in SCOPE_FILLERS or fillers >= MAX_SCOPE_FILLERS:
            return set()
        if tokens[j] in _GENERIC_SYMPTOMS:
            own_symptom = True  # "no pain ..." negates the pain
        elif tokens[j] in LIST_JOINERS:
            own_symptom = False  # "... or numbness": the list goes on
        j, fillers = j + 1, fillers + 1
    if j not in starts or segments[j] != segment or own_symptom:
        return set()  # "no pain cant walk": the negation was spent on "pain"
    negated, end = clause.span(j)
    # An "or" list carries the negation on: "no numbness, tingling or weakness".
    pending: set[int] = set()
    while True:
        k, joined, linked = end, False, False
        while k < len(tokens) and k not in starts:
            if tokens[k] in LIST_JOINERS:
                joined = True
            elif tokens[k] in _OBJECT_LINKS and segments[k] == segments[end - 1]:
                linked = True
            elif not ((joined or linked) and tokens[k] in _LIST_FILLERS):
                break
            k += 1
        if k not in starts:
            break
        if linked and not joined:
            item, end = clause.span(k)
            negated |= item  # what the negated thing is of: "no loss of bladder control"
            continue
        if not joined and segments[k] == segments[end - 1]:
            break  # "no numbness cant pee": a new statement, not a list item
        item, end = clause.span(k)
        if joined:
            negated |= pending | item
            pending = set()
        else:
            pending |= item
    # "never had bladder problems until now": true only until now, so not negated at all.
    if any(t in _UNTIL for t in tokens[end : end + _UNTIL_REACH]):
        return set()
    return negated


def _negated_before(cue_start: int, clause: _Clause) -> set[int]:
    """What a negation written "... fine" cancels before itself: "bowel control [is] fine"."""
    if cue_start == 0:
        return set()
    j, segment = cue_start, clause.segments[cue_start - 1]
    for _ in range(MAX_POST_FILLERS + 1):
        ending = clause.ends.get(j)
        if ending:
            return {m for m in ending if clause.segments[clause.matches[m][0]] == segment}
        if j == 0 or clause.tokens[j - 1] not in POST_FILLERS or clause.segments[j - 1] != segment:
            return set()
        j -= 1
    return set()
