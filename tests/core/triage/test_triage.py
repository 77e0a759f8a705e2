"""The triage's findings: every red flag found says why it fired or why it was set aside, and
the triage reads a message already prepared as well as plain text."""

from __future__ import annotations

import pytest

from bot.core.model import ContextRule, RedFlag, TriageContext
from bot.core.prepared import PreparedMessage
from bot.core.triage import Finding, RedFlagHit, Triage
from tests.core.triage.shipped import findings, shipped


@pytest.mark.parametrize(
    ("text", "flag", "urgent", "says"),
    [
        ("no numbness in my groin", "saddle-numbness", False, "negated by 'no'"),
        (
            "a colleague ended up in a&e with numb legs; mine is just a stiff neck",
            "leg-weakness",
            False,
            "about a bystander: 'colleague'",
        ),
        (
            "i had a bad fall years ago, fine since",
            "accident-fall",
            False,
            "historical: 'years ago', 'fine since'",
        ),
        (
            "what warning signs like losing bladder control should i look out for?",
            "bladder-bowel",
            False,
            "hypothetical: 'warning signs'",
        ),
        ("i cant feel my bum", "saddle-numbness", True, "about the writer"),
        (
            "my son fell off a ladder, can he still come?",
            "accident-fall",
            True,
            "the person the question is for",
        ),
        ("lost 2 stone on purpose", "weight-loss", False, "exception written for this flag"),
    ],
)
def test_each_finding_says_why(text: str, flag: str, urgent: bool, says: str) -> None:
    found = [f for f in findings(text) if f.flag_id == flag]
    assert found, findings(text)
    assert found[0].urgent is urgent
    assert says in found[0].reason
    assert found[0].words  # the message's own words that raised it
    assert ("URGENT" if urgent else "set aside") in found[0].explain()


def test_a_message_without_red_flag_words_has_no_findings() -> None:
    assert findings("how many sessions will i need?") == []
    assert "no red-flag words" in shipped().explain("how many sessions will i need?")


def test_a_set_aside_flag_does_not_hide_an_urgent_one_in_the_same_message() -> None:
    found = findings("no fever. but i wet myself this morning")
    assert {(f.flag_id, f.urgent) for f in found} == {
        ("fever-unwell", False),
        ("bladder-bowel", True),
    }
    hit = shipped().check("no fever. but i wet myself this morning")
    assert hit == RedFlagHit("bladder-bowel", hit.name, "but i wet myself this morning")


def test_check_reads_a_prepared_message_the_same_as_plain_text() -> None:
    for text in [
        "hurt my back lifting, can needles help?",
        "my mum cant feel her legs, can she come?",
        "chest pain? no. just stiff",
        "i fell off my bike yesterday. my back is agony",
    ]:
        prepared = PreparedMessage.of(text)
        assert shipped().check(prepared) == shipped().check(text)
        assert shipped().findings(prepared) == shipped().findings(text)


def test_the_context_is_data_a_new_trigger_works_without_code() -> None:
    flag = RedFlag("fall", "a fall", ("fell",))
    plain = Triage([flag])
    assert plain.check("i fell, apparently") is not None
    context = TriageContext(rules=(ContextRule("hypothetical", "backward", 2, ("apparently",)),))
    triage = Triage([flag], context)
    assert triage.check("i fell, apparently") is None
    assert triage.check("i fell") is not None
    [finding] = triage.findings("i fell, apparently")
    assert finding == Finding("fall", "a fall", "i fell, apparently", "fell", False,
                              "hypothetical: 'apparently'")  # fmt: skip


@pytest.mark.parametrize(
    ("direction", "before", "after"),
    [("forward", True, False), ("backward", False, True), ("both", True, True)],
)
def test_direction_decides_which_side_a_trigger_reads(
    direction: str, before: bool, after: bool
) -> None:
    context = TriageContext(rules=(ContextRule("historical", direction, 3, ("long ago",)),))
    triage = Triage([RedFlag("fall", "a fall", ("fell",))], context)
    assert (triage.check("long ago i fell") is None) is before
    assert (triage.check("i fell long ago") is None) is after


def test_scope_and_terminations_end_a_triggers_reach() -> None:
    context = TriageContext(
        rules=(ContextRule("historical", "forward", 2, ("long ago",), until=("now",)),),
        terminations=("but",),
    )
    triage = Triage([RedFlag("fall", "a fall", ("fell",))], context)
    assert triage.check("long ago i fell") is None  # within 2 words
    assert triage.check("long ago and far away i fell") is not None  # beyond its scope
    assert triage.check("long ago but i fell") is not None  # a termination
    assert triage.check("long ago now fell") is not None  # the group's own "until"


def test_a_past_counts_flag_is_not_set_aside_by_history() -> None:
    context = TriageContext(rules=(ContextRule("historical", "both", 3, ("years ago",)),))
    flags = [RedFlag("cancer", "cancer", ("cancer",), past_counts=True)]
    assert Triage(flags, context).check("i had cancer years ago") is not None


def test_an_exception_over_the_flags_own_words_sets_only_those_aside() -> None:
    flag = RedFlag("fall", "a fall", ("fell", "landed on my back"), unless=("fell through",))
    triage = Triage([flag])
    assert triage.check("our plans fell through") is None  # another sense of "fell"
    assert triage.check("fell through the hatch and landed on my back") is not None
    reason = RedFlag("weight", "weight loss", ("lost weight",), unless=("on purpose",))
    assert Triage([reason]).check("lost weight on purpose") is None  # a reason: all aside
