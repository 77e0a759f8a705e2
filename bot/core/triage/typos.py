"""Typo tolerance: which misspellings of a pattern word still count as that word.

People type on phones: a neighbouring key, two letters swapped, a letter doubled or dropped.
Only slips of those kinds are forgiven, and only in words long enough that a slip cannot turn
one ordinary word into another ("fewer" is not "fever"). Used by `patterns` when it reads a
message word.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

MIN_FUZZY = 5  # words shorter than this must be spelled exactly ("numb", "pee", "bum")

# Everyday words one slip away from a pattern word: never read them as typos ("fewer" is not
# "fever", "trapped nerve" is not "tripped"). Found by running every word of an English word
# list through the shipped patterns; add to it if a new pattern word has an ordinary neighbour.
ORDINARY_WORDS = frozenset(
    """fewer fiver never newer cheat chesty crush crushed crashing groan grain crutch cancel
    cancels canter spelling smelling selling shelling swilling stars stirs filling fills
    felling fells failing fails peeling peeking peeping peering weeping weeding paints limps
    lamps kills number numbers sweets swearing swears trapped trapping skipped spins horde
    hoarse house sweet seating tipped tipping drive noting stepped flips flaps shift shifts
    loosen loosens popping popped""".split()
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
