"""Normalisation: what patients type on phones becomes comparable words."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.text import fold, script_words, sentences, words


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


_NOUN_WILL = re.compile(
    r"\b(?!(?:i|you|he|she|it|we|they|that|there|this|who|what|where|how)\b)([a-z]{3,})['’]ll\b"
)


def _fold_by_regexes(text: str) -> str:
    """fold as it was written before its ASCII fast path: the reference it must agree with."""
    text = text.lower()
    if "ll" in text:
        text = _NOUN_WILL.sub(r"\1 will", text)
    text = re.sub(r"[^a-z0-9]+", " ", text.translate(str.maketrans("", "", "'’‘`´ʼ")))
    return re.sub(r"([a-z])\1\1+", r"\1\1", text).strip()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=string.printable + "\x00\x1c\x1f", max_size=80))
def test_folding_ascii_as_bytes_gives_what_the_regexes_gave(text: str) -> None:
    assert fold(text) == _fold_by_regexes(text)


@pytest.mark.parametrize(
    "text",
    [
        "The needles'll sort it, I'll see; it'll do. Sooo   goood!!!",
        "Don`t  WORRY\t\n(really)... aaaa-bbb 1111 x'll",
        "  \x1c\x1f heyyy\r\n",
    ],
)
def test_folding_ascii_keeps_the_regexes_words(text: str) -> None:
    assert fold(text) == _fold_by_regexes(text)


def test_prepare_folds_once_and_marks_the_clauses_that_ask() -> None:
    from bot.core.prepared import PreparedMessage

    message = PreparedMessage.of(
        "Sorry my English. I have pain in back from the boxes. Acupuncture can help?"
    )
    assert message.folded == fold(message.text)
    assert [c.folded for c in message.parts] == [
        "sorry my english",
        "i have pain in back from the boxes",
        "acupuncture can help",
    ]
    assert [c.asks for c in message.parts] == [False, False, True]


@pytest.mark.parametrize(
    ("clause", "asks"),
    [
        ("how often should I come", True),  # a question word, no question mark
        ("would needles help with that", True),  # "would ... help"
        ("is it expensive?", True),
        ("my back has been sore for weeks", False),
        ("thanks thats really helpful x", False),
        # a wish to book, said as a statement, asks as "can I book?" does
        ("just want to book", True),
        ("I need to make an appointment", True),
        ("I want to know nothing more about it", True),
        ("I wanted to be a nurse", False),
    ],
)
def test_a_clause_asks_by_its_mark_its_question_word_or_can_it_help(
    clause: str, asks: bool
) -> None:
    from bot.core.text import clauses

    assert clauses(clause)[-1][2] is asks


def test_a_comma_before_a_question_word_starts_a_clause() -> None:
    from bot.core.text import clauses

    last = clauses("my twins never sleep and i lift them all night, how does it work")[-1]
    assert last[1:] == ("how does it work", True)


def test_a_dictated_run_on_is_split_before_its_question() -> None:
    from bot.core.text import clauses

    run_on = (
        "hi im at a desk all day and my lower back aches every evening and i was wondering "
        "where exactly you put the needles"
    )
    _, folded, asks = clauses(run_on)[-1]
    assert folded.startswith("i was wondering where") and asks
    spoken = "my mate says it sorted him out but i dont get it like what do the needles do"
    assert clauses(spoken)[-1][1] == "what do the needles do"


def test_a_short_framing_stays_with_the_question_it_frames() -> None:
    from bot.core.text import clauses

    framed = clauses("From a traditional Chinese point of view, what is causing my back pain?")
    assert len(framed) == 1 and framed[0][2]
    story = clauses("struggle to twist round in the car, will acupuncture free me up")
    assert [asks for _, _, asks in story] == [False, True]


def test_the_question_at_the_end_of_a_run_on_stands_alone() -> None:
    from bot.core.text import clauses

    run_on = clauses("hola my back is very pain since two weeks acupuncture can help me")
    assert run_on[-1][1:] == ("acupuncture can help me", True)
    assert run_on[0][1] == "hola my back is very pain since two weeks"
    # A question that starts the message is one clause, as before.
    assert len(clauses("can acupuncture help my back after lifting boxes all day")) == 1


def test_the_treatment_said_loosely_is_still_the_subject_of_the_question() -> None:
    from bot.core.text import clauses

    patois = clauses("mi back a hurt mi from di work yuh tink di needle ting can help")
    assert patois[-1][1:] == ("di needle ting can help", True)
    loose = clauses("been lifting all week at the depot this acupuncture stuff would help")
    assert loose[-1][1:] == ("this acupuncture stuff would help", True)


def test_a_question_in_statement_order_is_split_only_when_it_ends_with_a_question_mark() -> None:
    from bot.core.text import clauses

    asked = clauses("my mother is 80 and very frail, acupuncture is suitable for her?")
    assert asked[-1][1:] == ("acupuncture is suitable for her", True)
    assert not asked[0][2]  # the story before it
    # Without the mark it is a statement in a story, not a question.
    said = clauses("my mother is 80 and very frail, acupuncture is suitable for her.")
    assert all(not asks for _, _, asks in said)
    # A question word first already asks the whole clause: it is not cut in two.
    assert len(clauses("how do I know if acupuncture is right for me?")) == 1


def test_a_question_mid_run_on_starts_at_its_modal_and_subject() -> None:
    from bot.core.text import clauses

    run_on = clauses(
        "nothing serious just stiff and sore after a week of moving house can you fit me in"
    )
    assert run_on[-1][1:] == ("can you fit me in", True)
    assert not run_on[0][2]
    # Too short a lead-in, or an earlier question of its own, keeps the clause whole.
    assert len(clauses("my back is sore can i book")) == 1
    whole = "so for back pain are the needles in the back or do they go in my feet"
    assert len(clauses(whole)) == 1


def test_script_words_keep_letters_and_marks_of_any_script() -> None:
    assert script_words("안녕하세요!") == "안녕하세요"
    # capitals and a final letter's own form compare alike ("ΣΑΣ", "σας")
    assert script_words("  ΓΕΙΑ   ΣΑΣ 🙏 ") == script_words("Γεια σας")
    # a vowel sign is part of its word, not a break in it
    assert script_words("नमस्ते, जी") == "नमस्ते जी"
    assert script_words("🙏👍 ...") == ""
