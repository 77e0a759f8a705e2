"""Ordinary English words, so that a word spelled right is not "corrected" into another.

The typo corrector (bot.core.matching) turns a word the knowledge does not use into the
closest one it does: right for "acupunture" and "sesions", wrong for a real word one letter
away from a known one ("massage" is not "message", "brother" is not "bother", "pairing" is
not "parking"). `english_words.txt` lists the 30,000 most frequent words of English film and
TV subtitles (the word-frequency list of pyspellchecker 0.9.1, MIT licence), those of three
or more letters ("fee" is not "few"): about 28,700 words, 242 KB. They are kept as one string
per first letter (a few hundred KB in memory, not a set of 28,700 objects); a look-up is made
only for a word about to be corrected, and its result is cached with the correction.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("english_words.txt")

# Endings that make two forms of one word: a correction that only changes one of these into
# another ("evidenced" -> "evidence", "economically" -> "economical") keeps the meaning.
# ("e", "n", "en" and "al" are left out: "trainee" is not "trained", "easter" not "eastern",
# "personal" not "person".)
INFLECTIONS = frozenset({"", "s", "es", "d", "ed", "ing", "ly", "ally"})


@cache
def _by_first_letter() -> dict[str, str]:
    lines: dict[str, list[str]] = {}
    for word in WORDS_FILE.read_text(encoding="utf-8").split():
        lines.setdefault(word[0], []).append(word)
    return {first: "\n" + "\n".join(words) + "\n" for first, words in lines.items()}


def is_english(word: str) -> bool:
    """Whether a (folded, lower-case) word is a common English word of 3+ letters."""
    return bool(word) and f"\n{word}\n" in _by_first_letter().get(word[0], "")


def same_word(a: str, b: str) -> bool:
    """Whether two words differ only by an inflection ("needs"/"need"), not in meaning."""
    shared = 0
    while shared < min(len(a), len(b)) and a[shared] == b[shared]:
        shared += 1
    return a[shared:] in INFLECTIONS and b[shared:] in INFLECTIONS


def keeps_meaning(word: str, correction: str) -> bool:
    """Whether correcting `word` into `correction` keeps what the patient wrote: a word that
    is not English is a misspelling, and an English one may only change its inflection."""
    return not is_english(word) or same_word(word, correction)
