"""Normalisation: what patients type on phones becomes comparable words."""

from __future__ import annotations

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
