"""The practitioner's regression check: score the engine on a labelled file of questions.

Same file format and metrics as ../shared/eval/score.py (so numbers agree), plus a per-topic
table and the misses, to show which topics need more phrasings.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.conversation import Engine
from bot.core.errors import UsageError
from bot.core.reply import Kind

SPECIAL = frozenset({"urgent", "none", "smalltalk"})


class EvalFileError(UsageError):
    """The labelled file is malformed; the message names the line (exit code 2)."""


@dataclass(frozen=True)
class LabelledQuestion:
    q: str
    accept: tuple[str, ...]


@dataclass(frozen=True)
class Miss:
    q: str
    accept: tuple[str, ...]
    got: str
    kind: str
    score: int
    suggestions: tuple[str, ...]


@dataclass
class EvalResult:
    """Counts and the derived percentages, as score.py reports them."""

    counts: Counter[str] = field(default_factory=Counter)
    per_topic: dict[str, list[int]] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    def pct(self, part: str, whole: str) -> float | None:
        return (
            round(100.0 * self.counts[part] / self.counts[whole], 1) if self.counts[whole] else None
        )

    def metrics(self) -> dict[str, float | int | None]:
        return {
            "n": self.counts["total"],
            "right_pct": self.pct("right", "total"),
            "in_scope_right_pct": self.pct("in_scope_right", "in_scope"),
            "reachable_pct": self.pct("reachable", "in_scope"),
            "wrong_answer_pct": self.pct("wrong_answer", "total"),
            "urgent_recall_pct": self.pct("urgent_caught", "urgent"),
            "false_alarm_pct": self.pct("false_alarm", "not_urgent"),
            "oos_answered_pct": self.pct("oos_answered", "oos"),
            "smalltalk_right_pct": self.pct("smalltalk_right", "smalltalk"),
        }


def load_labelled(path: Path) -> list[LabelledQuestion]:
    """Read a JSONL file of {"q": ..., "accept": [...]} lines."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not item.get("q") or not item.get("accept"):
            raise EvalFileError(f'{path}:{n}: each line needs "q" and a non-empty "accept" list')
        items.append(LabelledQuestion(str(item["q"]), tuple(item["accept"])))
    return items


def outcome(kind: Kind, topic_id: str | None) -> str:
    """A reply's outcome in the labels' vocabulary (score.py's rule)."""
    if kind is Kind.ANSWER:
        return str(topic_id)
    if kind in (Kind.URGENT, Kind.SMALLTALK):
        return kind.value
    return "none"


def evaluate(engine: Engine, items: list[LabelledQuestion]) -> EvalResult:
    """Ask every question and count as score.py does."""
    result = EvalResult()
    m = result.counts
    for item in items:
        d = engine.decide(item.q)
        got = outcome(d.kind, d.topic_id)
        first = item.accept[0]
        in_scope = first not in SPECIAL
        right = got in item.accept
        m["total"] += 1
        m["right"] += right
        if in_scope:
            m["in_scope"] += 1
            m["in_scope_right"] += right
            row = result.per_topic.setdefault(first, [0, 0])
            row[0] += right
            row[1] += 1
            reachable = right or (
                d.kind is Kind.SUGGEST and bool(set(d.suggestions) & set(item.accept))
            )
            m["reachable"] += reachable
        if d.kind is Kind.ANSWER and got not in item.accept:
            m["wrong_answer"] += 1
        if first == "urgent":
            m["urgent"] += 1
            m["urgent_caught"] += got == "urgent"
        else:
            m["not_urgent"] += 1
            m["false_alarm"] += got == "urgent"
        if first == "none":
            m["oos"] += 1
            m["oos_answered"] += d.kind is Kind.ANSWER
        if first == "smalltalk":
            m["smalltalk"] += 1
            m["smalltalk_right"] += got == "smalltalk"
        if not right:
            result.misses.append(
                Miss(item.q, item.accept, got, d.kind.value, d.score, d.suggestions)
            )
    return result


def format_report(result: EvalResult) -> str:
    """Metrics, a per-topic table and the misses, for a person to read."""
    lines = [f"{k:22} {v}" for k, v in result.metrics().items()]
    lines.append("")
    lines.append(f"{'topic':24} right/total")
    for topic, (right, total) in sorted(result.per_topic.items()):
        flag = "" if right == total else "   <- add phrasings"
        lines.append(f"{topic:24} {right}/{total}{flag}")
    if result.misses:
        lines.append("")
        lines.append(f"misses ({len(result.misses)}):")
        for miss in result.misses:
            extra = f" suggested {list(miss.suggestions)}" if miss.suggestions else ""
            lines.append(f"  {miss.q!r}")
            lines.append(
                f"      want {list(miss.accept)} got {miss.got} ({miss.kind}, {miss.score}){extra}"
            )
    return "\n".join(lines)
