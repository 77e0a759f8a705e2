"""bot.core.english: the common-word list that keeps real words from being "corrected"."""

import pytest

from bot.core.english import WORDS_FILE, is_english, keeps_meaning, same_word


def test_the_list_is_lower_case_words_of_three_letters_or_more_one_a_line() -> None:
    words = WORDS_FILE.read_text(encoding="utf-8").split("\n")
    assert words[-1] == ""  # ends with a newline
    words = words[:-1]
    assert len(words) > 20_000
    assert all(w.isalpha() and w.islower() and len(w) >= 3 for w in words)
    assert len(set(words)) == len(words)


# (three letters too: "fee" is not "few", "hip" is not "hop")
@pytest.mark.parametrize(
    "word", ["massage", "brother", "pairing", "colleague", "weather", "fee", "hip"]
)
def test_common_words_are_english(word: str) -> None:
    assert is_english(word)


@pytest.mark.parametrize("word", ["acupunture", "sesions", "parkng", "", "zzzzz", "masage"])
def test_misspellings_and_nonsense_are_not(word: str) -> None:
    assert not is_english(word)


def test_a_word_is_not_found_inside_another() -> None:
    # "assa" is inside "massage": only whole lines count.
    assert not is_english("assa")
    assert not is_english("brothe")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("evidenced", "evidence"),
        ("economically", "economical"),
        ("needs", "need"),
        ("starts", "start"),
        ("ached", "ache"),
    ],
)
def test_forms_of_one_word(a: str, b: str) -> None:
    assert same_word(a, b) and same_word(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("massage", "message"),
        ("brother", "bother"),
        ("needing", "needling"),
        ("table", "tablet"),
        ("thank", "than"),
    ],
)
def test_different_words(a: str, b: str) -> None:
    assert not same_word(a, b)
    assert not keeps_meaning(a, b)


def test_a_misspelling_may_be_corrected() -> None:
    assert keeps_meaning("acupunture", "acupuncture")
