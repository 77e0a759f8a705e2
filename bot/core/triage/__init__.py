"""Red-flag triage on the ConText algorithm: does a message describe an emergency?

patterns  the pattern language red flags and triggers are written in, and phrase matching
typos     which misspellings still count as a pattern word
context   the trigger words around a red flag: negated, historical, hypothetical, whose
triage    the triage that combines them into findings, urgent or set aside, with reasons
"""

from bot.core.triage.patterns import CompiledPattern, PatternError, compile_pattern
from bot.core.triage.triage import Assessment, Finding, RedFlagHit, Triage
from bot.core.triage.typos import is_typo_of

__all__ = [
    "Assessment",
    "CompiledPattern",
    "Finding",
    "PatternError",
    "RedFlagHit",
    "Triage",
    "compile_pattern",
    "is_typo_of",
]
