"""Normalisation: what patients type on phones becomes comparable words."""

from __future__ import annotations

import pytest

from bot.core.text import fold, sentences, words


def test_fold_handles_case_accents_apostrophes_emoji_and_stretching() -> None:
    assert fold("Can’t SLEEP 😩 sooooo bad!!! Café") == "cant sleep soo bad cafe"


def test_fold_of_nothing_useful_is_empty() -> None:
    assert fold("🙏🙏 ... !!!") == ""
    assert words("   ") == []


def test_sentences_split_a_story_into_clauses() -> None:
    story = "Hurt my back lifting boxes. Work is mental - can needles help?? thanks"
    assert sentences(story) == [
        "Hurt my back lifting boxes",
        "Work is mental",
        "can needles help",
        "thanks",
    ]


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("sooooo painful!!!", "soo painful"),
        ("aaa-a", "aa a"),  # a stretch never runs across what punctuation separated
        ("brrr___rr", "brr rr"),
        ("ÉÉÉtéé", "eetee"),
        ("1000 needles, 999", "1000 needles 999"),  # numbers are not stretched letters
    ],
)
def test_stretched_letters_are_cut_to_two(raw: str, folded: str) -> None:
    assert fold(raw) == folded
