"""Messages typed without vowels ("hw mny sssns", "chst pn nd bk pn") or spelled as they
sound ("how dus it werk", "wat hapens at the ferst sesion"), read back into words.

Some patients write in consonant shorthand. No phrasing and no red-flag pattern holds such
words, so a message that looks like shorthand (several words without a vowel that the
knowledge does not know) has each of those words replaced by the known word with the same
consonants, before the triage and the matcher read it. The known words are the knowledge's
own (phrasings, answers, synonyms, smalltalk, red flags and their context), the most frequent
winning. A message spelled by ear (several words the knowledge does not know that sound
like words it does: the same consonant sounds, "werk" and "work", "inflamashun" and
"inflammation") has those words replaced the same way, for the matcher only: read by ear,
a sentence in another language can sound like an alarming English word, so the triage reads
the words as written. Any other message is left exactly as it is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from bot.core.english import keeps_meaning
from bot.core.model import Knowledge

_WORD = re.compile(r"[a-z]+")
_VOWELS = frozenset("aeiou")
# Short forms patients use that have no vowel but are words as they stand.
_AS_THEY_ARE = frozenset(
    "nhs gp gps pt mri ct xr bp hrt tv dr mr mrs ms st pm hmm hm mmm shh pls plz thx thnx "
    "ty txt brb lmk smh ngl tbh rn fr idk bc cz cuz bcz wtf omg lol x xx xxx".split()
)
# A message is read as shorthand when at least this many of its words, and this share of
# them, are vowel-less words the knowledge does not know.
MIN_SHORT_WORDS = 2
# Small words every shorthand writer uses: they win their skeleton over any knowledge word
# ("nd" is "and", not "need"; "bk" is "back", not "book").
_FIRST_CHOICE = (
    "and the to it in on of at is you do does can for what how who where when with this that "
    "all time back from have my me he she her his not been since any many"
).split()
MIN_SHORT_SHARE = 0.4
# A message is read by ear when at least this many of its words are unknown words that sound
# like a known one: one odd word is a name or a word the knowledge lacks, not a spelling habit.
MIN_HEARD_WORDS = 2
MIN_HEARD_SHARE = 0.2  # ... and at least this share of its words
MIN_HEARD_LETTERS = 3
HEARD_LIKENESS = 50  # a word read by ear is still spelled this much like it (rapidfuzz ratio)
# Spellings of one sound, most specific first: "inflamashun", "sesion", "fisio", "nite".
_SOUNDS = (
    ("tion", "shn"), ("sion", "shn"), ("shun", "shn"), ("ssion", "shn"), ("cion", "shn"),
    ("tch", "ch"), ("ph", "f"), ("ck", "k"), ("gh", ""), ("kn", "n"), ("wr", "r"),
    ("wh", "w"), ("dg", "j"), ("qu", "kw"), ("q", "k"), ("x", "ks"), ("z", "s"),
    ("ce", "se"), ("ci", "si"), ("cy", "sy"), ("c", "k"),
)  # fmt: skip


def _skeletons(word: str) -> set[str]:
    """The ways `word` may be written without vowels: all dropped, or the first letter kept;
    doubled consonants kept or written once ("sessions": "sssns", "ssns")."""
    bare = "".join(c for c in word if c not in _VOWELS)
    kept_first = word[0] + "".join(c for c in word[1:] if c not in _VOWELS)
    forms = {bare, kept_first}
    forms |= {form.replace("ck", "k") for form in forms}
    forms |= {re.sub(r"(.)\1+", r"\1", form) for form in forms}
    return {form for form in forms if form and form != word}


@lru_cache(maxsize=4096)
def sound(word: str) -> str:
    """The consonant sounds of a word, first letter kept ("werk" and "work": "wrk")."""
    for spelled, said in _SOUNDS:
        word = word.replace(spelled, said)
    if not word:
        return word
    rest = "".join(c for c in word[1:] if c not in _VOWELS and c not in "yhw")
    return re.sub(r"(.)\1+", r"\1", ("a" if word[0] in _VOWELS else word[0]) + rest)


@dataclass(frozen=True)
class Shorthand:
    """Reads vowel-less words back as the knowledge's words (see the module docstring)."""

    known: frozenset[str]
    words: dict[str, str]  # skeleton -> the known word it most likely stands for
    heard: dict[str, str]  # a word's sound -> the known word it most likely stands for

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Shorthand:
        """Index the words of `texts`: each skeleton to its most frequent word (ties: shorter)."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(_WORD.findall(text.lower()))
        best: dict[str, tuple[int, int, str]] = {}
        for word, n in counts.items():
            if len(word) < 2:
                continue
            for form in _skeletons(word):
                rank = (n, -len(word), word)
                if form not in best or rank > best[form]:
                    best[form] = rank
        words = {form: rank[2] for form, rank in best.items()}
        for word in reversed(_FIRST_CHOICE):  # the earlier in the list, the stronger
            words.update(dict.fromkeys(_skeletons(word), word))
        by_sound: dict[str, tuple[int, int, str]] = {}
        for word, n in counts.items():
            key, rank = sound(word), (n, -len(word), word)
            if len(word) >= MIN_HEARD_LETTERS and (key not in by_sound or rank > by_sound[key]):
                by_sound[key] = rank
        heard = {key: rank[2] for key, rank in by_sound.items()}
        return cls(frozenset(counts) | frozenset(_FIRST_CHOICE), words, heard)

    @classmethod
    def from_knowledge(cls, knowledge: Knowledge) -> Shorthand:
        """Index every word the knowledge says or listens for."""
        texts: list[str] = []
        for topic in knowledge.topics:
            texts += [topic.title, topic.answer, *topic.phrasings, *topic.keywords]
        for key, variants in knowledge.synonyms.items():
            texts += [key, *variants]
        for intent in knowledge.smalltalk:
            texts += intent.phrasings
        for gap in knowledge.gaps:
            texts += gap.phrasings
        for flag in knowledge.red_flags:
            texts += [flag.name, *flag.when, *flag.unless]
        for rule in knowledge.triage_context.rules:
            texts += rule.triggers
        return cls.from_texts(texts)

    def _unknown_short(self, word: str) -> bool:
        return (
            len(word) >= 2
            and _VOWELS.isdisjoint(word[1:])
            and (word[0] not in _VOWELS or len(word) >= 4)
            and word not in self.known
            and word not in _AS_THEY_ARE
        )

    def expand(self, text: str) -> str:
        """`text` with its vowel-less words read back, if it looks like shorthand; else `text`."""
        words = _WORD.findall(text.lower())
        short = [w for w in words if self._unknown_short(w)]
        if len(short) < MIN_SHORT_WORDS or len(short) < MIN_SHORT_SHARE * len(words):
            return text
        read_as = {word: self.words.get(word, word) for word in short}
        return _WORD.sub(lambda m: read_as.get(m.group(), m.group()), text.lower())

    def by_ear(self, text: str) -> str:
        """`text` with its words spelled by ear read back, if it is spelled so; else `text`.

        For the matcher only: a sentence in another language read by ear can sound like an
        alarming English word ("por favor" like "fever"), so the triage never reads this."""
        words = _WORD.findall(text.lower())
        unknown = [w for w in words if len(w) >= MIN_HEARD_LETTERS and w not in self.known]
        needed = max(MIN_HEARD_WORDS, MIN_HEARD_SHARE * len(words))
        if len(unknown) < needed:
            return text  # the usual case: too few unknown words to be a way of spelling
        heard = ((w, self.heard.get(sound(w))) for w in unknown)
        read_as = {
            word: known
            for word, known in heard
            if known is not None and fuzz.ratio(word, known) >= HEARD_LIKENESS
        }
        if len(read_as) < needed:
            return text
        # ... but a real English word keeps its meaning: "bleed" is not "blood", "sounds" is
        # not "sends" (only an inflection may change)
        read_as = {word: known for word, known in read_as.items() if keeps_meaning(word, known)}
        return _WORD.sub(lambda m: read_as.get(m.group(), m.group()), text.lower())
