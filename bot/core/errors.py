"""The program's errors: each says what is wrong and how to fix it, and carries an exit code.

Everything a person must act on (broken knowledge, a bad setting, a refused token, an
unreadable database) is a `BotError`; the command line prints its message, without a
traceback, and exits with its `exit_code`, in one place (bot/cli.py).
"""

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


EXIT_PROBLEM = 1  # a problem found: broken knowledge, a failed check, Telegram refused
EXIT_USAGE = 2  # the command could not run as asked: bad arguments or settings, a bad token


class BotError(Exception):
    """A problem a person must fix. `str(error)` says what and how; `exit_code` for the shell."""

    exit_code: int = EXIT_PROBLEM

    def describe(self) -> str:
        """What the command line prints on standard error (one or more lines)."""
        return f"error: {self}"


class UsageError(BotError):
    """The command cannot run as asked (a bad argument, a file it cannot read)."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """A setting is missing or malformed; the message says which and how to fix it."""


class KnowledgeError(BotError):
    """The knowledge base is broken; nothing of it was loaded. `problems` lists every fault."""

    exit_code = EXIT_PROBLEM

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.report())

    def describe(self) -> str:
        """The `check` report and what to do about it."""
        return f"{self.report()}\nFix the problems above (`make check` lists them) and try again."

    def report(self) -> str:
        """The same lines `make check` prints, one problem a line."""
        lines = [str(p) for p in self.problems]
        n = len(self.problems)
        lines.append(
            f"{n} problem{'s' if n != 1 else ''} found; the knowledge base was not loaded."
        )
        return "\n".join(lines)
