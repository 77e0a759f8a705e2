"""Typo tolerance (bot.core.triage.typos): the slips people make on phones, and no more."""

from __future__ import annotations

from bot.core.triage import is_typo_of
from tests.core.triage.shipped import one_flag


def test_typos_are_forgiven_in_long_words_but_not_short_ones() -> None:
    triage = one_flag("incontinent", "numb")
    assert triage.check("im incontinant") is not None
    assert triage.check("im incontinnent") is not None
    assert triage.check("nunb") is None  # four letters: must be exact


def test_ordinary_neighbours_of_symptom_words_are_not_typos() -> None:
    triage = one_flag("fever", "swelling")
    assert triage.check("fewer sessions please") is None
    assert triage.check("sorry for my spelling") is None
    assert triage.check("a feverr") is not None


def test_typo_slips_are_the_kind_people_make() -> None:
    assert is_typo_of("incontinant", "incontinent")  # vowel for vowel
    assert is_typo_of("tinlging", "tingling")  # swapped letters
    assert is_typo_of("feaver", "fever")  # one letter too many
    assert is_typo_of("numbess", "numbness")  # a letter left out of a long word
    assert is_typo_of("blader", "bladder")  # a doubled letter typed once
    assert is_typo_of("groun", "groin")  # i and u are both vowels
    assert is_typo_of("temprature", "temperature", 2)
    assert not is_typo_of("waking", "walking")  # a real word, not a slip
    assert not is_typo_of("leaving", "leaking")  # v and k are far apart
    assert not is_typo_of("cancel", "cancer")
    assert not is_typo_of("rever", "fever")  # the first letter must be right
    assert not is_typo_of("", "fever")
