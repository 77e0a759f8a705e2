"""Short plain-text wording shared by the text report and the Telegram admin replies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.practitioner.grouping import CLOSE_SCORE, QuestionGroup
from bot.practitioner.report import OUTCOME_LABELS, OUTCOME_ORDER
from bot.practitioner.resemblance import TOPIC
from bot.store import Stats


def outcome_summary(stats: Stats) -> str:
    """ "N messages (answered a, offered choices b, ...)"."""
    parts = [f"{OUTCOME_LABELS[kind]} {stats.outcomes.get(kind, 0)}" for kind in OUTCOME_ORDER]
    return f"{stats.total_messages} messages ({', '.join(parts)})"


def group_heading(n: int, group: QuestionGroup) -> str:
    """ "3. Asked 4 times by 2 people - most like topic ..." (plain text)."""
    people = f"by {group.askers} {'person' if group.askers == 1 else 'people'}"
    times = "once" if group.count == 1 else f"{group.count} times"
    if group.resembles is None:
        like = "resembles no topic"  # nothing matched, or the knowledge could not be loaded (noted above)
    elif group.resembles.score >= CLOSE_SCORE:
        r = group.resembles
        like = (
            f'most like topic "{r.title}" ({r.id}), score {r.score}'
            if r.kind == TOPIC
            else f'most like the known gap "{r.id}", score {r.score}'
        )
    else:
        like = f"nothing close (best: {group.resembles.id}, score {group.resembles.score})"
    return f"{n}. Asked {times} {people} - {like}"


def stats_summary(
    stats: Stats, titles: Mapping[str, str] | None = None, *, storage_note: str | None = None
) -> str:
    """The /stats reply (plain text, send without parse_mode)."""
    titles = titles or {}
    lines = [f"Last {stats.since_days} days ({stats.first_day} to {stats.last_day}, UTC)"]
    if storage_note:
        lines.append(f"Storage is off: {storage_note}")
    lines.append(outcome_summary(stats))
    lines.append(f"Urgent: {stats.urgent}   Unanswered (suggest + fallback): {stats.unanswered}")
    if stats.answers_by_topic:
        lines.append("Most asked:")
        lines += [f"  {n}  {titles.get(t, t)}" for t, n in stats.answers_by_topic[:5]]
    rated = [f for f in stats.feedback if f.total]
    if rated:
        yes = sum(f.helpful for f in rated)
        total = sum(f.total for f in rated)
        lines.append(f"Helpful: {yes} of {total} taps ({round(100 * yes / total)}%)")
    return "\n".join(lines)


def unanswered_summary(groups: Sequence[QuestionGroup], limit: int = 5) -> str:
    """The /unanswered reply: the top groups with an example and the suggestion (plain text)."""
    if not groups:
        return "No unanswered questions in this period."
    lines = []
    for n, group in enumerate(groups[:limit], 1):
        lines.append(group_heading(n, group))
        lines += [f'   "{x}"' for x in group.examples[:3]]
        if group.proposal and group.proposal.action == "add-phrasings":
            lines.append(f"   -> add as phrasings in {group.proposal.file}")
        elif group.proposal:
            lines.append(f"   -> new topic? {group.proposal.file}")
    if len(groups) > limit:
        lines.append(f"... and {len(groups) - limit} more groups: run `python -m bot report`.")
    return "\n".join(lines)


EXAMPLE_CHARS = 300  # a long story is shown cut, so a group always fits one message


def group_message(n: int, group: QuestionGroup, examples: int = 3) -> str:
    """One group for /unanswered: its heading and a few of its wordings (plain text, one
    Telegram message whatever patients wrote)."""
    lines = [group_heading(n, group)]
    lines += [f'   "{_cut(x, EXAMPLE_CHARS)}"' for x in group.examples[:examples]]
    if len(group.questions) > examples:
        lines.append(f"   (and {len(group.questions) - examples} more wordings)")
    return "\n".join(lines)


def added_message(added: Sequence[str], where: str) -> str:
    """What an admin reads after "Add to" or "Not on the page"."""
    lines = [f"Added to {where}:"]
    lines += [f"  - {p}" for p in added]
    lines.append("The bot answers these now. /undo takes it back; /changes lists every change.")
    return "\n".join(lines)


def ignored_message(group: QuestionGroup) -> str:
    """What an admin reads after "Ignore"."""
    return (
        f"Ignored: these {group.count} question(s) will not show in /unanswered or the report"
        " again."
    )


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
