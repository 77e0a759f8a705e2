"""Text normalisation shared by matching and safety: how a patient's message becomes words.

Patients type on phones: capitals, curly apostrophes, accents, emoji, "sooo", no punctuation.
Both the knowledge (phrasings, patterns) and the message go through the same steps, so they
meet in the middle.
"""

from __future__ import annotations

import re
import unicodedata

MAX_MESSAGE_CHARS = 4000  # beyond this, matching looks at the start only; safety reads it all

_APOSTROPHES = "'’‘`´ʼ"
_DROP_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)
_NON_WORD = re.compile(r"[^a-z0-9]+")
# "sooo" -> "soo" (letters only: "1000" stays); run after _NON_WORD, which leaves a-z0-9.
_STRETCH = re.compile(r"([a-z])\1\1+")
_SENTENCE_BREAK = re.compile(r"[.!?;\n\r]+|\s[-–—]\s|,\s*(?:but|and|so|because|cos|coz|although)\s")


def fold(text: str) -> str:
    """Lower-case, strip accents and drop characters that are not letters, digits or spaces."""
    if not text.isascii():  # most messages are plain ASCII: skip the per-character work
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_WORD.sub(" ", text.lower().translate(_DROP_APOSTROPHES))
    return _STRETCH.sub(r"\1\1", text).strip()


def words(text: str) -> list[str]:
    """The folded words of a text."""
    folded = fold(text)
    return folded.split() if folded else []


SENTENCE_BREAK = _SENTENCE_BREAK  # shared with bot.core.prepared, which keeps the "?" too


def sentences(text: str) -> list[str]:
    """Split a message into sentences/clauses (raw, not folded), dropping empty ones."""
    parts = _SENTENCE_BREAK.split(text)
    return [p.strip() for p in parts if p and p.strip()]
