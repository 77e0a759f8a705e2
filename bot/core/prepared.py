"""A patient's message prepared once (folded, split into clauses) for everyone who reads it.

The triage reads it today; the matcher can read the same prepared message instead of folding
and splitting the text again.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text import SENTENCE_BREAK, clauses, fold


@dataclass(frozen=True)
class Clause:
    """One sentence or clause of a message, as written, and whether it ended with "?"."""

    text: str
    asks: bool


@dataclass(frozen=True)
class Part:
    """One of the matcher's clauses: as written, folded, and whether it asks (a "?", a
    question word first, or "can ... help")."""

    raw: str
    folded: str
    asks: bool


@dataclass(frozen=True)
class PreparedMessage:
    """The raw text, its folded form, its clauses (the triage's) and parts (the matcher's)."""

    text: str
    folded: str
    clauses: tuple[Clause, ...]
    parts: tuple[Part, ...] = ()

    @classmethod
    def of(cls, text: str) -> PreparedMessage:
        """Prepare a message; any text (even empty) gives a message."""
        text = text if isinstance(text, str) else ""
        found_clauses = []
        start = 0
        for brk in SENTENCE_BREAK.finditer(text):
            piece = text[start : brk.start()].strip()
            if piece:
                found_clauses.append(Clause(piece, "?" in brk.group()))
            start = brk.end()
        tail = text[start:].strip()
        if tail:
            found_clauses.append(Clause(tail, False))
        folded = fold(text)
        parts = tuple(Part(*found) for found in clauses(text, folded))
        return cls(text, folded, tuple(found_clauses), parts)

    @property
    def words(self) -> list[str]:
        """The folded words of the whole message."""
        return self.folded.split()

    @property
    def asking(self) -> tuple[Part, ...]:
        """The parts that ask something."""
        return tuple(p for p in self.parts if p.asks)

    @property
    def sentences(self) -> list[str]:
        """The clauses' texts (what `bot.core.text.sentences` gives for the same text)."""
        return [clause.text for clause in self.clauses]
