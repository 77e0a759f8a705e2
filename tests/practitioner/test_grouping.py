"""Grouping unanswered questions: long stories by the sentence that asks, unrelated questions
apart, stable short ids, ignored messages left out."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from bot.practitioner.grouping import GROUP_KEY_CHARS, group_unanswered, row_key
from bot.practitioner.proposals import MAX_PHRASING_CHARS, Proposal
from bot.store import UnansweredRow

sys.path.insert(0, str(Path(__file__).parent))
from seeded import clinic_knowledge

AT = datetime(2026, 3, 1, tzinfo=UTC)
BREASTFEEDING = (
    "I have had lower back pain for about three years since I hurt it at the gym lifting"
    " weights and the physio did not really help so I was wondering whether you could tell me"
    " if acupuncture is safe while breastfeeding my baby?",
    "my back has been sore for ages after my second child was born and I am still"
    " breastfeeding her at night, would acupuncture be ok to have while breastfeeding or"
    " should I wait?",
)
HEADACHES = (
    "I have a long story about my back which started when I was moving house two months ago"
    " and carrying heavy boxes up the stairs, now my neck is stiff too and I get headaches in"
    " the afternoons, can you help with headaches?"
)
UNRELATED = (
    "my back pain wakes me at 4am, is acupuncture good for sleep",
    "what should i wear to the appointment",
    "do you do home visits",
    "do you treat dogs",
)


def rows(*texts: str) -> list[UnansweredRow]:
    return [
        UnansweredRow(AT + timedelta(minutes=n), "fallback", text, 10, (), f"asker{n}")
        for n, text in enumerate(texts)
    ]


def proposed_phrasings(proposal: Proposal) -> list[str]:
    """The phrasings a proposal would add, read as YAML the way the practitioner pastes it."""
    if proposal.action == "add-phrasings":
        return yaml.safe_load("phrasings:\n" + proposal.yaml)["phrasings"] or []
    return yaml.safe_load(proposal.yaml)["phrasings"] or []


def test_long_questions_get_a_stub_with_usable_phrasings() -> None:
    groups = group_unanswered(rows(*BREASTFEEDING, HEADACHES), clinic_knowledge())
    assert groups
    for group in groups:
        assert group.proposal is not None
        phrasings = proposed_phrasings(group.proposal)
        assert phrasings, group.proposal.yaml  # never an empty "phrasings:"
        assert all(0 < len(p) <= MAX_PHRASING_CHARS for p in phrasings)
    by_example = {g.examples[0]: g for g in groups}
    headaches = by_example[HEADACHES].proposal
    assert headaches is not None and "can you help with headaches" in headaches.yaml
    breastfeeding = next(
        g.proposal for g in groups if g.proposal and "breastfeeding" in g.proposal.yaml
    )
    assert "breastfeeding" in breastfeeding.file  # the new topic is named for it


def test_unrelated_questions_are_not_grouped_together() -> None:
    groups = group_unanswered(rows(*BREASTFEEDING, HEADACHES, *UNRELATED), clinic_knowledge())
    together = [set(g.questions) for g in groups if len(g.questions) > 1]
    assert together == [set(BREASTFEEDING)], together  # the one true pair, nothing else


def test_a_group_has_a_short_stable_id_its_rows_and_closest_topics() -> None:
    knowledge = clinic_knowledge()
    asked = rows("how often would i need to come", "how often do people come", "is there parking")
    first = group_unanswered(asked, knowledge)
    again = group_unanswered(list(reversed(asked)), knowledge)
    assert {g.key for g in first} == {g.key for g in again}
    sessions = next(g for g in first if g.count == 2)
    assert len(sessions.key) == GROUP_KEY_CHARS and sessions.key.isalnum()
    assert sorted(sessions.row_keys) == sorted(row_key(r) for r in asked[:2])
    assert sessions.candidates[0].id == "how-many-sessions"
    assert 1 <= len(sessions.candidates) <= 3
    assert all(c.kind == "topic" for c in sessions.candidates)


def test_ignored_rows_are_left_out_and_the_fingerprint_holds_no_text() -> None:
    asked = rows("is there parking", "is there parking nearby", "do you treat dogs")
    ignored = {row_key(r) for r in asked[:2]}
    groups = group_unanswered(asked, clinic_knowledge(), ignored=ignored)
    assert [g.questions for g in groups] == [("do you treat dogs",)]
    assert all("park" not in key for key in ignored) and all(len(k) == 32 for k in ignored)


def test_one_shared_common_word_does_not_make_the_same_question() -> None:
    """ "much" is all of "how much is a session", but one word among many elsewhere."""
    asked = rows(
        "how much is a session",
        "how much do you charge per session",
        "thank you so much, sorry for all the questions at this hour",
        "I can do acupuncture same week as my massage and physiotherapy? Or it is too much?",
    )
    groups = group_unanswered(asked, clinic_knowledge())
    fees = next(g for g in groups if "how much is a session" in g.questions)
    assert set(fees.questions) == {"how much is a session", "how much do you charge per session"}
