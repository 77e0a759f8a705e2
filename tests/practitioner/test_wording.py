"""The short admin texts: a group always fits one Telegram message."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.practitioner.grouping import QuestionGroup
from bot.practitioner.wording import group_message, ignored_message

TELEGRAM_MESSAGE_LIMIT = 4096


def test_a_group_of_long_stories_fits_one_message() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    stories = tuple(
        f"story {n}: " + "my back hurts when i lift my toddler " * 120 for n in range(5)
    )
    group = QuestionGroup(5, 5, stories, at, at, None, None, questions=stories)
    text = group_message(1, group)
    assert len(text) < TELEGRAM_MESSAGE_LIMIT
    assert text.startswith("1. Asked 5 times by 5 people - resembles no topic")
    assert all(f'"story {n}: my back hurts' in text for n in range(3))
    assert "(and 2 more wordings)" in text
    assert ignored_message(group).startswith("Ignored: these 5 question(s)")
