"""The triages the tests read: the shipped knowledge's (built once), and one-flag ones."""

from __future__ import annotations

from functools import cache

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.loader import load_knowledge
from bot.core.model import ContextRule, RedFlag, TriageContext
from bot.core.triage import Finding, Triage


@cache
def shipped() -> Triage:
    return Triage.from_knowledge(load_knowledge(DEFAULT_KNOWLEDGE_DIR))


def urgent(text: str) -> bool:
    return shipped().check(text) is not None


def findings(text: str) -> list[Finding]:
    return shipped().findings(text)


def reasons(text: str) -> str:
    """Every finding's reason, for assertion messages and `in` checks."""
    return " | ".join(f"{f.flag_id}: {f.reason}" for f in findings(text))


def one_flag(*when: str, unless: tuple[str, ...] = (), negations: tuple[str, ...] = ()) -> Triage:
    """One test flag; `negations` as the old list ("... fine" reads backward)."""
    before = tuple(n for n in negations if not n.startswith("..."))
    after = tuple(n.removeprefix("...").strip() for n in negations if n.startswith("..."))
    rules = []
    if before:
        rules.append(ContextRule("negation", "forward", 4, before, over=("any my of in",)))
    if after:
        rules.append(ContextRule("negation", "backward", 2, after, over=("is are",)))
    context = TriageContext(rules=tuple(rules))
    return Triage([RedFlag("test", "a test sign", tuple(when), unless)], context)
