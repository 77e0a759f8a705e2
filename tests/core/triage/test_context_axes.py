"""Each ConText axis on the shipped knowledge, in both directions: what sets a red flag aside,
and the near-identical message that must stay urgent. Sentences are written for these tests.
"""

from __future__ import annotations

import pytest

from tests.core.triage.shipped import reasons, urgent

# -- negation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "no fever, no numbness, not after a fall, just a stiff back from gardening",
        "no numbness, tingling or weakness in my legs and no bladder trouble",
        "nope no chest pain, no weight loss, nothing like that, just achy",
        "bladder and bowel control are fine, its only my lower back",
        "never had cancer, just a bad back",
    ],
)
def test_a_list_of_negations_sets_every_flag_aside(text: str) -> None:
    assert not urgent(text), reasons(text)
    assert "negated by" in reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "no fever but i cant feel my legs",  # "but" ends the negation's reach
        "no idea why but i wet myself at work",
        "no pain, cant walk properly since yesterday",  # "no" is spent on "pain"
        "never had bladder problems until this week",
    ],
)
def test_a_negation_never_reaches_past_its_scope(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "chest pain? no. numb legs? no. just a sore lower back",
        "the doctor asked me about numbness down below and bladder problems, i said no to all",
        "the physio checked for cauda equina and said its mechanical",
    ],
)
def test_a_red_flag_ruled_out_is_set_aside(text: str) -> None:
    assert not urgent(text), reasons(text)


def test_a_question_answered_yes_stays_urgent() -> None:
    assert urgent("chest pain? yes, and my back aches")
    assert urgent("numb bum? yes since this morning")


# -- historical ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "fell off a ladder years ago, fine since, now just stiff from work",  # backward
        "years ago i came off my motorbike, all healed up",  # forward
        "had a car accident in 2012, fully recovered, can needles help a tight back",
        "took a tumble on the ice last year, all good since",
        "i've had a slightly curved spine since i was a teenager, nothing new",
    ],
)
def test_a_past_and_resolved_red_flag_is_set_aside(text: str) -> None:
    assert not urgent(text), reasons(text)
    assert "historical" in reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "fell off a ladder last week and my back is agony",
        "i had a fall years ago, now i fell down the stairs yesterday",  # a new fall
        "came off my bike two days ago",
        "i was fine since the op but now i cant feel my bum",
    ],
)
def test_a_recent_red_flag_stays_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


def test_a_history_of_cancer_counts_however_long_ago() -> None:
    assert urgent("i had bowel cancer 10 years ago, all clear now")
    assert "still counts" in reasons("i had bowel cancer 10 years ago")


# -- hypothetical / knowledge ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "what warning signs like numbness down below should i look out for?",
        "what should i do if i get numbness in my groin?",
        "which red flags like bladder problems mean i should go to a&e",
        "is acupuncture safe for people with cancer",
        "is there a family history of cancer question at the first visit",
    ],
)
def test_a_red_flag_only_asked_about_is_set_aside(text: str) -> None:
    assert not urgent(text), reasons(text)
    assert "hypothetical" in reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "i have numbness in my groin, what should i do?",
        "could this be cauda equina? my bum is numb",
        "what warning signs? i already cant feel my legs",
    ],
)
def test_a_current_red_flag_in_a_question_stays_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


# -- experiencer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "i fell down the stairs on sunday",  # the writer
        "my wife says i wet myself in my sleep",  # named first, but the writer's sign
        "a lad ran into me at rugby and now my back is killing me",  # the writer is hit
    ],
)
def test_the_writers_own_red_flag_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my dad fell off a ladder this morning, can acupuncture help him?",
        "my sister cant control her bladder since her back went, should she come in?",
        "my mum had breast cancer and her back aches now, is acupuncture ok for her?",
        "my husband has chest pain and back pain since lunch",  # nothing says it is not for him
    ],
)
def test_the_relative_asked_about_is_the_patient(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "a colleague ended up in a&e with numb legs last month, mine is just a stiff neck",
        "my mates dad came off his motorbike, scary. as for me, just a sore back, cupping?",
        "friend from work was in hospital with a fever and back pain. i have back ache from lifting",
    ],
)
def test_a_bystanders_red_flag_in_passing_is_set_aside(text: str) -> None:
    assert not urgent(text), reasons(text)
    assert "bystander" in reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my grandad has had prostate cancer for years, i want help with my own back",
        "my nan had cancer a long time ago; my back is sore from lifting her",
    ],
)
def test_an_older_relatives_long_standing_condition_while_the_writer_asks_for_themselves(
    text: str,
) -> None:
    assert not urgent(text), reasons(text)


def test_a_relatives_history_nobody_asks_about_is_set_aside_but_their_acute_sign_is_not() -> None:
    assert not urgent("my aunt had breast cancer")
    assert urgent("my aunt cant feel her legs")  # when in doubt, urgent
