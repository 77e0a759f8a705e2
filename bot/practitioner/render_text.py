"""The report as plain text, for a terminal or an e-mail."""

from __future__ import annotations

from bot.practitioner.report import OUTCOME_LABELS, OUTCOME_ORDER, Report, all_days
from bot.practitioner.wording import group_heading, outcome_summary


def render_text(report: Report) -> str:
    """The report for a terminal or an e-mail: plain text."""
    stats = report.stats
    out = [
        f"Clinic assistant report: the last {report.since_days} days"
        f" ({stats.first_day} to {stats.last_day}, UTC)",
        f"Database: {report.database}",
    ]
    if report.knowledge_note:
        out.append(f"Note: {report.knowledge_note}")
    out.append("")
    if report.empty_reason:
        out.append(report.empty_reason)
        return "\n".join(out) + "\n"
    out.append(outcome_summary(stats))
    out.append("")
    out.append(
        f"UNANSWERED QUESTIONS: {report.unanswered_messages} messages in"
        f" {len(report.groups)} groups, largest first"
    )
    if not report.groups:
        out.append("  None: every question got an answer. ")
    for n, group in enumerate(report.groups, 1):
        out.append("")
        out.append(group_heading(n, group))
        for example in group.examples:
            out.append(f'     "{example}"')
        if group.proposal:
            out.append(f"   {group.proposal.advice}")
            out.extend(f"     {line}" for line in group.proposal.yaml.splitlines())
    out.append("")
    out.append("TOPICS: answers sent and helpfulness (yes / no taps)")
    if not report.topics:
        out.append("  No answers sent in this period.")
    width = max((len(t.title) for t in report.topics), default=10)
    for t in report.topics:
        rated = t.helpful + t.not_helpful
        share = f"{round(100 * t.helpful / rated)}% helpful" if rated else "no taps"
        out.append(
            f"  {t.title:<{width}}  {t.answers:>5} answers   {t.helpful:>3} yes {t.not_helpful:>3}"
            f" no   {share}"
        )
    out.append("")
    out.append(
        f"URGENT: {stats.urgent} message(s) described red-flag symptoms and were sent to"
        " urgent care (only counted; their words are never kept)."
    )
    out.append("")
    out.append("OUTCOMES PER DAY")
    out.append(
        "  " + "date".ljust(10) + "".join(OUTCOME_LABELS[k].rjust(16) for k in OUTCOME_ORDER)
    )
    for day, counts in all_days(stats):
        if counts:
            out.append(f"  {day}" + "".join(str(counts.get(k, 0)).rjust(16) for k in OUTCOME_ORDER))
    return "\n".join(out) + "\n"
