"""One-tap learning: what an admin's "Add to", "Not on the page" and "Ignore" do to a group.

A thin layer joining the store (which questions, which are ignored) and the knowledge edits;
the Telegram admin only translates taps into these calls and their results into messages.
"""

from __future__ import annotations

from bot.core.model import Knowledge
from bot.practitioner.grouping import CLOSE_SCORE, QuestionGroup, group_unanswered
from bot.practitioner.knowledge_edits import EditResult, KnowledgeEditor
from bot.store import Store


def unanswered_groups(store: Store, knowledge: Knowledge, days: int) -> list[QuestionGroup]:
    """The groups of the last `days` days, largest first, without the ignored messages."""
    return group_unanswered(store.unanswered(days), knowledge, ignored=store.ignored_unanswered())


def add_to_topic(
    editor: KnowledgeEditor, group: QuestionGroup, topic_id: str, who: str
) -> EditResult:
    """The group's questions become phrasings of `topic_id`."""
    return editor.add_phrasings(topic_id, group.questions, who)


def add_to_gaps(editor: KnowledgeEditor, group: QuestionGroup, who: str) -> EditResult:
    """The group's questions go to the closest known gap, or to a new one if none is close."""
    gap = group.closest_gap
    close = gap is not None and gap.score >= CLOSE_SCORE
    return editor.add_to_gap(group.questions, who, gap.id if close and gap else None)


def ignore(store: Store, group: QuestionGroup) -> int:
    """Leave the group's messages out of later reports (remembered by fingerprint, not text)."""
    return store.ignore_unanswered(group.row_keys)
