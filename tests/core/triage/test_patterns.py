"""The pattern language red flags and triggers are written in (bot.core.triage.patterns)."""

from __future__ import annotations

import pytest

from bot.core.triage import CompiledPattern, PatternError, compile_pattern
from bot.core.triage.patterns import PhraseIndex, tokenize
from tests.core.triage.shipped import one_flag


def test_compile_pattern_parses_parts_alternatives_prefixes_and_gaps() -> None:
    compiled = compile_pattern("numb* | cant feel + bum | lost ... stone")
    assert isinstance(compiled, CompiledPattern)
    assert len(compiled.parts) == 2
    first, second = compiled.parts
    assert [str(w) for w in first[0]] == ["numb*"]
    assert [str(w) for w in first[1]] == ["cant", "feel"]
    assert [str(w) for w in second[1]] == ["lost", "...", "stone"]


def test_parts_must_all_appear_in_the_same_sentence_in_any_order() -> None:
    triage = one_flag("numb* + groin")
    assert triage.check("my groin is numb") is not None
    assert triage.check("numbness in the groin") is not None
    assert triage.check("numbness in my foot") is None
    assert triage.check("my groin hurts") is None


def test_a_prefix_star_matches_any_ending_but_a_plain_word_only_itself() -> None:
    triage = one_flag("tingl*", "bum")
    assert triage.check("it's tingly") is not None
    assert triage.check("tingling all day") is not None
    assert triage.check("bumpy road") is None


def test_a_gap_allows_up_to_three_words() -> None:
    triage = one_flag("lost ... stone")
    assert triage.check("lost stone") is not None
    assert triage.check("lost nearly 2 stone") is not None
    assert triage.check("lost my keys and my favourite stone") is None


def test_unless_cancels_only_in_the_same_sentence() -> None:
    triage = one_flag("cancer", unless=("mum",))
    assert triage.check("my mum had cancer") is None
    assert triage.check("my mum is worried. I had cancer.") is not None


def test_apostrophes_and_cannot_are_folded_like_the_patterns() -> None:
    triage = one_flag("cant pee")
    for message in ["I can't pee", "i cannot pee", "I can not pee", "I CAN’T PEE!!"]:
        assert triage.check(message) is not None, message


def test_after_negations_cancel_the_symptom_before_them() -> None:
    triage = one_flag("bowel control", negations=("... fine",))
    assert triage.check("bowel control is fine") is None
    assert triage.check("bowel control") is not None


def test_a_negation_inside_a_symptom_phrase_is_part_of_the_symptom() -> None:
    triage = one_flag("no feeling + bum", negations=("no",))
    assert triage.check("no feeling in my bum") is not None
    assert triage.check("no") is None


@pytest.mark.parametrize(
    ("pattern", "advice"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("can't feel", "cant feel"),
        ("numb + ", '"+"'),
        ("+ groin", '"+"'),
        ("numb || tingling", '"|"'),
        ("numb |", '"|"'),
        ("n*", "at least 3 letters"),
        ("*", "at least 3 letters"),
        ("nu*mb", "may only end a word"),
        ("numb**", "may only end a word"),
        ("numb, tingling", '","'),
        ("numb (legs)", '"("'),
        ("... stone", "between two words"),
        ("lost ...", "between two words"),
        ("lost ... ... stone", "between two words"),
        ("lost .. stone", "full stops"),
        ("my", "on its own"),
        ("numb + the", "on its own"),
    ],
)
def test_bad_patterns_raise_a_helpful_pattern_error(pattern: str, advice: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern)
    assert advice in str(caught.value)


def test_a_pattern_that_is_not_text_is_refused() -> None:
    with pytest.raises(PatternError, match="must be text"):
        compile_pattern(42)  # type: ignore[arg-type]


def test_triage_names_the_flag_with_the_bad_pattern() -> None:
    with pytest.raises(PatternError, match="red flag 'test'"):
        one_flag("numb +")


def test_triage_refuses_a_bad_negation() -> None:
    with pytest.raises(PatternError, match="context"):
        one_flag("numb", negations=("don't",))
    with pytest.raises(PatternError, match="context"):
        one_flag("numb", negations=("...",))


def test_pattern_error_is_a_value_error() -> None:
    assert issubclass(PatternError, ValueError)


def test_a_pattern_may_go_on_over_several_lines() -> None:
    compiled = compile_pattern("numb | tingl*\n        | pins and needles\n        + groin | bum")
    assert len(compiled.parts) == 2
    assert len(compiled.parts[0]) == 3
    assert one_flag(compiled.source).check("pins and needles in my bum") is not None


def test_a_phrase_about_the_writer_also_matches_it_said_of_someone_else() -> None:
    triage = one_flag("cant feel my legs", "wet myself")
    for text in ["cant feel her legs", "he cant feel his legs", "she wet herself", "wet himself"]:
        assert triage.check(text) is not None, text
    assert triage.check("cant feel the legs") is None


def test_a_possessive_s_is_the_word_itself() -> None:
    triage = one_flag("foot + dragging")
    assert triage.check("my foot's been dragging") is not None
    assert one_flag("lump + my back").check("my back's got a lump on it") is not None


def test_the_index_reports_where_each_phrase_stands() -> None:
    index = PhraseIndex()
    [numb] = index.add("numb | pins and needles")
    [years] = index.add("years ago", alone_ok=True)
    index.freeze()
    tokens, _ = tokenize("Pins and needles, years ago")
    found = index.matches(tokens)
    assert [(s, e) for s, e, pid in found if pid in numb] == [(0, 3)]
    assert [(s, e) for s, e, pid in found if pid in years] == [(3, 5)]
    assert index.phrase(next(iter(years))) == "years ago"


def test_a_trigger_may_be_one_common_word_a_red_flag_may_not() -> None:
    with pytest.raises(PatternError, match="on its own"):
        compile_pattern("no")
    assert compile_pattern("no", alone_ok=True).parts


def test_a_pattern_word_of_digits_and_letters_is_read_as_a_message_is() -> None:
    # "3am" in a message is read "3 am"; so is "3am" in a pattern, or it could never match
    index = PhraseIndex()
    hours, awake = index.add("3am | 2am + awake")
    index.freeze()
    found = {pid for _, _, pid in index.matches(tokenize("awake at 3am again")[0])}
    assert found & hours and found & awake
