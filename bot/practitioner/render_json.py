"""The report as JSON, for programs (`python -m bot report --format json`)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC

from bot.practitioner.report import OUTCOME_ORDER, Report, all_days


def report_data(report: Report) -> dict[str, object]:
    """The report as plain data (what --format json prints)."""
    stats = report.stats
    return {
        "generated_at": report.generated_at.astimezone(UTC).isoformat(),
        "since_days": report.since_days,
        "first_day": stats.first_day.isoformat(),
        "last_day": stats.last_day.isoformat(),
        "database": report.database,
        "empty": report.empty_reason is not None,
        "message": report.empty_reason,
        "knowledge_note": report.knowledge_note,
        "messages": stats.total_messages,
        "outcomes": {k: stats.outcomes.get(k, 0) for k in OUTCOME_ORDER},
        "urgent": stats.urgent,
        "unanswered_groups": [
            {
                "count": g.count,
                "askers": g.askers,
                "examples": list(g.examples),
                "first_asked": g.first_asked.isoformat(),
                "last_asked": g.last_asked.isoformat(),
                # Every field, as named in the dataclass: a field added there shows up here.
                "resembles": None if g.resembles is None else asdict(g.resembles),
                "proposal": None if g.proposal is None else asdict(g.proposal),
            }
            for g in report.groups
        ],
        "topics": [
            {
                "id": t.id,
                "title": t.title,
                "answers": t.answers,
                "helpful": t.helpful,
                "not_helpful": t.not_helpful,
            }
            for t in report.topics
        ],
        "days": [
            {"day": day.isoformat(), **{k: counts.get(k, 0) for k in OUTCOME_ORDER}}
            for day, counts in all_days(stats)
        ],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_data(report), ensure_ascii=False, indent=2) + "\n"
