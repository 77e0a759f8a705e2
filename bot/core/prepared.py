"""A patient's message prepared once (folded, split into clauses) for everyone who reads it.

The triage reads it today; the matcher can read the same prepared message instead of folding
and splitting the text again.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text import SENTENCE_BREAK, fold


@dataclass(frozen=True)
class Clause:
    """One sentence or clause of a message, as written, and whether it ended with "?"."""

    text: str
    asks: bool


@dataclass(frozen=True)
class PreparedMessage:
    """The raw text, its folded form, and its clauses in order."""

    text: str
    folded: str
    clauses: tuple[Clause, ...]

    @classmethod
    def of(cls, text: str) -> PreparedMessage:
        """Prepare a message; any text (even empty) gives a message."""
        text = text if isinstance(text, str) else ""
        clauses = []
        start = 0
        for brk in SENTENCE_BREAK.finditer(text):
            piece = text[start : brk.start()].strip()
            if piece:
                clauses.append(Clause(piece, "?" in brk.group()))
            start = brk.end()
        tail = text[start:].strip()
        if tail:
            clauses.append(Clause(tail, False))
        return cls(text, fold(text), tuple(clauses))

    @property
    def sentences(self) -> list[str]:
        """The clauses' texts (what `bot.core.text.sentences` gives for the same text)."""
        return [clause.text for clause in self.clauses]
