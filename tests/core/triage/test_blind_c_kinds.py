"""The kinds of triage miss blind round C found, each in new sentences written for these tests
(none is a blind-C line): both directions, so a fix that only learns one line fails here.
"""

from __future__ import annotations

import pytest

from bot.core.triage.patterns import tokenize
from tests.core.triage.shipped import reasons, shipped, urgent

# -- (a) worsening leg symptoms said in everyday ways --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "my right foot is getting more numb every day, who should i see?",
        "the tingling in my calf is worse by the day, can you help",
        "numbness started in my toes and its going further down my leg now",
        "the pins and needles keep spreading up my thigh",
        "my leg feels more dead each week, is that normal?",
        "Dear practitioner, the numbness in my left leg grows daily. May I book?",
        "the weakness in my legs is getting worse and worse",
    ],
)
def test_worsening_in_everyday_words_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my back pain is worse by the end of the day, can acupuncture help?",
        "the ache spreads across my shoulders when i type all day",
        "my back gets more stiff every day i sit at the desk",
        "i feel better day by day after the massage, should i still come?",
    ],
)
def test_worsening_of_ordinary_pain_is_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- (b) legs not obeying, stumbling, giving way -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "my mum keeps stumbling since her back went, can you see her?",
        "my legs wont do what i tell them since the back pain started",
        "i keep stumbling over nothing and my back is agony",
        "his legs keep giving way on him, he is 80, can he come in",
        "legs not doing what i want them to, is it my back?",
        "I am tripping up all the time and my lower back hurts. Please advise.",
        "my knees keep buckling when i walk since i hurt my back",
        "keeps falling over, my grandad, his back is bad too",
    ],
)
def test_legs_not_obeying_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my back ache wont do what i want it to, it just keeps coming back",
        "i stumbled on the answer online: does acupuncture help sciatica?",
        "my kids wont do what i tell them and my back is sore from chasing them",
    ],
)
def test_not_obeying_without_the_legs_is_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- (c) night pain that no position eases -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "awake every night with my back, no matter how i lie",
        "crying most nights with the back pain, whichever way i lie it hurts",
        "every night im up with it, cant get comfy whatever i do",
        "the pain in my spine keeps me up at night, doesnt matter what position",
        "I have not slept properly for a week, the pain is there however I lie. Can you help?",
        "up all night in tears with my back, turning over makes no difference",
    ],
)
def test_night_pain_no_position_eases_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my back is stiff in the morning but eases once i get moving",
        "sometimes i wake up with a sore back if i sleep on my front",
        "what is the best position to sleep in with a bad back?",
    ],
)
def test_night_ache_that_eases_is_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- (d) regional and non-native spellings -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ah cannae walk right since ma back went",
        "ma legs are gaun numb and its getting worse",
        "I dinnae feel ma legs right the day, getting worse",
        "i cant feel ma bum when i wipe",
        "ah cannae pee since yesterday and ma back is agony",
        "my leg wont hold me, cannae stand up",
        "i cnt feel my legs properly, worse since yesterday",
    ],
)
def test_regional_spellings_are_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "ma back's a wee bit stiff, can ye help?",
        "ah cannae sit at ma desk long wi this back",
        "I dinnae ken if acupuncture would help ma sore back",
    ],
)
def test_regional_spellings_of_ordinary_pain_are_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- (e) a bystander introduced by a noun phrase, then the writer's own back ----------------


@pytest.mark.parametrize(
    "text",
    [
        "A lad at work was rushed in with cauda equina last month. Mine's just a stiff back "
        "from the van. Can acupuncture help?",
        "one of the residents at the home has lost control of her bladder, nothing to do with "
        "me, my back is just sore from lifting. What does a session cost?",
        "a patient on our ward couldnt walk after a fall. As for me, my back just aches from "
        "the shifts. How long is a session?",
        "The old fella across the road had a heart attack last week. My back's just stiff "
        "from gardening, can you help?",
        "my grandad had spinal cancer years ago so it worries me, but mine's just a pulled "
        "muscle from the gym. How many sessions?",
        "a customer fainted with chest pain at the till, my back is just tight since. Does "
        "stress cause back pain?",
    ],
)
def test_a_bystanders_red_flag_then_the_writer_is_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "a girl on my ward had numb legs and now mine are going numb too",
        "my dad keeps stumbling, can you see him?",
        "a lad at work hurt his back and now i cant feel my legs either",
        "one of my clients has incontinence and so do i since my back went",
        "my mum cant feel her legs, can she come in tomorrow?",
        "my ma cant feel her legs, can she come in",
        "one of the lads at my work fell off a ladder onto his back, can you see him?",
        # the writer's "my" before a part of the body is the writer's, whoever is named
        "one of my legs is going numb and its getting worse, my back is killing me",
        "one of my feet keeps dragging since my back went, my back is agony",
        "my friend says in my legs the numbness is getting worse, my back hurts",
        # the writer naming their own job is not someone else
        "im a carer, legs going numb, getting worse, my back is killing me",
        "I work as a driver and cant feel my legs properly, my back is agony",
        "a customer knocked me over in the shop yesterday and now mine's agony",
    ],
)
def test_the_writer_or_the_person_asked_about_stays_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


# -- how they read ---------------------------------------------------------------------


def test_scots_spellings_are_read_as_the_patterns_words() -> None:
    tokens, _ = tokenize(
        "Ah cannae feel ma legs, I dinnae ken, it willnae stop", shipped().respellings
    )
    assert tokens == "i cant feel my legs i dont ken it wont stop".split()


def test_ma_after_a_possessive_is_a_mother_not_my() -> None:
    tokens, _ = tokenize("my ma cannae walk", shipped().respellings)
    assert tokens == "my ma cant walk".split()
    assert "ma" in reasons("my ma cant feel her legs, can she come in")


def test_explain_names_the_bystander_and_the_writers_turn() -> None:
    said = reasons(
        "A nurse on my ward had numb legs from her back. Mine's just a tired ache, can you help?"
    )
    assert "bystander" in said and "mines" in said, said


def test_the_writer_having_it_too_keeps_it_urgent() -> None:
    text = "a lad at work has numb legs from his back and i have the same, mine's getting worse"
    assert urgent(text), reasons(text)
