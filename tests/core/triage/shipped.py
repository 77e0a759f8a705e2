"""The triage built from the shipped knowledge, shared by the triage tests (built once)."""

from __future__ import annotations

from functools import cache

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.loader import load_knowledge
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
