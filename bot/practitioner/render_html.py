"""The report as one self-contained web page: inline CSS and SVG, no scripts, nothing fetched.

It is what `/report` sends an admin on Telegram, to open on a phone.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from bot.practitioner.report import OUTCOME_LABELS, OUTCOME_ORDER, Report, TopicLine, all_days
from bot.practitioner.wording import group_heading
from bot.store import Stats

OUTCOME_COLOURS = {
    "answer": "#3a7d44",
    "suggest": "#e0a526",
    "fallback": "#c8553d",
    "urgent": "#7b2d8e",
    "smalltalk": "#7f8c99",
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#1d2733;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;
border-bottom:2px solid #e3e8ee;padding-bottom:.3rem}.muted{color:#5d6b7a}
.note{background:#fff6e0;border-left:4px solid #e0a526;padding:.6rem 1rem}
.empty{background:#eef5ff;border-left:4px solid #3a6fb0;padding:1rem;font-size:1.1rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #e3e8ee;border-radius:8px;
padding:.6rem 1rem;min-width:7rem}.card b{display:block;font-size:1.5rem}
.group{border:1px solid #e3e8ee;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}
.group h3{margin:.1rem 0 .4rem;font-size:1.05rem}ul.examples{margin:.3rem 0}
pre{background:#f4f6f8;border-radius:6px;padding:.6rem .8rem;overflow-x:auto;
white-space:pre-wrap}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e3e8ee}
td.n,th.n{text-align:right}.legend span{display:inline-block;margin-right:1rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;
vertical-align:middle}svg{max-width:100%;height:auto}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _day_chart(stats: Stats) -> str:
    """Stacked bars of outcomes per day, as inline SVG."""
    days = all_days(stats)
    peak = max((sum(c.values()) for _, c in days), default=0) or 1
    slot = max(6.0, min(40.0, 720 / max(1, len(days))))  # px per day: wide when few days
    bar, height, left, bottom = slot * 0.75, 180, 40, 30
    label_every = max(1, math.ceil(44 / slot))  # a "18 Nov" label needs about 40 px
    width = round(left + len(days) * slot + 10)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + bottom}"'
        f' width="{width}" height="{height + bottom}" role="img"'
        ' aria-label="Messages per day by outcome">',
        f'<line x1="{left}" y1="{height}" x2="{width}" y2="{height}" stroke="#9aa5b1"/>',
        f'<text x="{left - 6}" y="12" font-size="11" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{height}" font-size="11" text-anchor="end">0</text>',
    ]
    for i, (day, counts) in enumerate(days):
        x = left + i * slot
        y = float(height)
        for kind in OUTCOME_ORDER:
            n = counts.get(kind, 0)
            if not n:
                continue
            h = n / peak * (height - 10)
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}"'
                f' fill="{OUTCOME_COLOURS[kind]}"><title>{_e(day)}: {n} {_e(OUTCOME_LABELS[kind])}</title></rect>'
            )
        if (len(days) - 1 - i) % label_every == 0:  # counted from today, which is labelled
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height + 14}" font-size="10"'
                f' text-anchor="middle">{_e(day.strftime("%d %b"))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _topic_chart(topics: Sequence[TopicLine]) -> str:
    """Horizontal bars of answers per topic, as inline SVG."""
    shown = [t for t in topics if t.answers][:20]
    if not shown:
        return '<p class="muted">No answers sent in this period.</p>'
    peak = max(t.answers for t in shown)
    row, label_w, bar_w = 22, 220, 360
    height = row * len(shown) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + 60} {height}"'
        f' width="{label_w + bar_w + 60}" height="{height}" role="img"'
        ' aria-label="Answers per topic">'
    ]
    for i, t in enumerate(shown):
        y = i * row + 4
        w = max(1.0, t.answers / peak * bar_w)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 13}" font-size="12" text-anchor="end">'
            f"{_e(t.title[:34])}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="16" fill="#3a7d44"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 13}" font-size="12">{t.answers}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: Report) -> str:
    """One self-contained page: inline CSS and SVG, no scripts, nothing fetched."""
    stats = report.stats
    body: list[str] = [
        "<h1>What patients asked</h1>",
        f'<p class="muted">The last {report.since_days} days ({_e(stats.first_day)} to'
        f" {_e(stats.last_day)}, UTC) &middot; made {_e(report.generated_at.strftime('%Y-%m-%d %H:%M'))}"
        f" UTC &middot; database {_e(report.database)}</p>",
    ]
    if report.knowledge_note:
        body.append(f'<p class="note">{_e(report.knowledge_note)}</p>')
    if report.empty_reason:
        body.append(f'<p class="empty">{_e(report.empty_reason)}</p>')
    else:
        cards = [("messages", stats.total_messages)] + [
            (OUTCOME_LABELS[k], stats.outcomes.get(k, 0)) for k in OUTCOME_ORDER
        ]
        body.append(
            '<div class="cards">'
            + "".join(f'<div class="card"><b>{n}</b>{_e(label)}</div>' for label, n in cards)
            + "</div>"
        )
        body.append("<h2>Unanswered questions</h2>")
        body.append(
            f"<p>{report.unanswered_messages} messages the assistant could not answer with"
            f" confidence, in {len(report.groups)} groups of similar questions, largest first."
            " Paste the suggested lines into the file named, then run"
            " <code>python -m bot check</code>; the bot picks the change up by itself.</p>"
        )
        if not report.groups:
            body.append('<p class="muted">None: every question got an answer.</p>')
        for n, group in enumerate(report.groups, 1):
            body.append('<div class="group">')
            body.append(f"<h3>{_e(group_heading(n, group))}</h3>")
            body.append(
                '<ul class="examples">'
                + "".join(f"<li>{_e(x)}</li>" for x in group.examples)
                + "</ul>"
            )
            if group.proposal:
                body.append(f"<p>{_e(group.proposal.advice)}</p>")
                body.append(f"<pre>{_e(group.proposal.yaml)}</pre>")
            body.append("</div>")
        body.append("<h2>Topics: answers sent</h2>")
        body.append(_topic_chart(report.topics))
        body.append("<h2>Was it helpful?</h2>")
        rated = [t for t in report.topics if t.helpful + t.not_helpful]
        if rated:
            body.append(
                '<table><tr><th>Topic</th><th class="n">Yes</th><th class="n">No</th>'
                '<th class="n">Helpful</th></tr>'
            )
            for t in rated:
                share = round(100 * t.helpful / (t.helpful + t.not_helpful))
                body.append(
                    f'<tr><td>{_e(t.title)}</td><td class="n">{t.helpful}</td>'
                    f'<td class="n">{t.not_helpful}</td><td class="n">{share}%</td></tr>'
                )
            body.append("</table>")
        else:
            body.append('<p class="muted">Nobody tapped "Was this helpful?" in this period.</p>')
        body.append("<h2>Urgent</h2>")
        body.append(
            f"<p><b>{stats.urgent}</b> message(s) described red-flag symptoms and were sent to"
            " urgent care. They are only counted: their words are never kept.</p>"
        )
        body.append("<h2>Outcomes per day</h2>")
        body.append(
            '<p class="legend">'
            + "".join(
                f'<span><i class="swatch" style="background:{OUTCOME_COLOURS[k]}"></i>{_e(OUTCOME_LABELS[k])}</span>'
                for k in OUTCOME_ORDER
            )
            + "</p>"
        )
        body.append(_day_chart(stats))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Clinic assistant report</title>"
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
