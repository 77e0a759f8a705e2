"""Errors the core raises, with messages that say what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the knowledge base, located to a file and line."""

    file: Path
    line: int
    message: str  # what is wrong - how to fix it

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base is broken; nothing of it was loaded. `problems` lists every fault."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """The same lines `python -m bot check` prints, one problem a line."""
        lines = [str(p) for p in self.problems]
        n = len(self.problems)
        lines.append(
            f"{n} problem{'s' if n != 1 else ''} found; the knowledge base was not loaded."
        )
        return "\n".join(lines)
