"""`python -m bot check` on the context half of red_flags.yaml: each mistake a practitioner
could make names the file, the line and the fix, and nothing broken is loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.loader import check_knowledge, load_knowledge


@pytest.fixture
def red_flags(tmp_path: Path) -> Path:
    """red_flags.yaml in a private copy of the shipped knowledge, to break."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target / "red_flags.yaml"


def edit(file: Path, old: str, new: str) -> int:
    """Replace the first `old` with `new`; the line where `new` starts."""
    text = file.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {file.name}"
    at = text.index(old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:at].count("\n") + 1


def problem(file: Path, fragment: str):
    problems = check_knowledge(file.parent)
    found = [p for p in problems if fragment in p.message]
    assert found, [str(p) for p in problems]
    assert found[0].file == file
    return found[0]


def test_the_shipped_context_loads_every_axis() -> None:
    context = load_knowledge(DEFAULT_KNOWLEDGE_DIR).triage_context
    assert {rule.axis for rule in context.rules} == {
        "negation",
        "historical",
        "hypothetical",
        "experiencer",
    }
    assert context.terminations and context.negative_answers and context.writer_markers


def test_an_unknown_axis_is_named_with_its_line(red_flags: Path) -> None:
    line = edit(red_flags, "  - axis: hypothetical\n", "  - axis: maybe\n")
    found = problem(red_flags, "axis 'maybe'")
    assert found.line == line
    assert "negation, historical, hypothetical, experiencer" in found.message


def test_a_wrong_direction_is_named(red_flags: Path) -> None:
    edit(red_flags, "direction: backward\n    scope: 2", "direction: backwards\n    scope: 2")
    assert "forward, backward, both" in problem(red_flags, "direction 'backwards'").message


def test_a_scope_that_is_not_a_number_or_sentence(red_flags: Path) -> None:
    line = edit(red_flags, "    scope: 6\n", "    scope: six\n")
    found = problem(red_flags, "'scope'")
    assert found.line == line
    assert "'sentence'" in found.message


def test_a_trigger_with_a_plus_or_an_apostrophe_is_refused_at_its_line(red_flags: Path) -> None:
    line = edit(red_flags, '      - "years ago | year ago', '      - "years ago + fine | year ago')
    assert problem(red_flags, '"+" is only used in red-flag patterns').line == line
    line = edit(red_flags, '  - "nope"\n', '  - "didn\'t"\n')
    assert problem(red_flags, "apostrophe").line == line


def test_over_belongs_to_negation_only(red_flags: Path) -> None:
    edit(red_flags, '    until: "now | and |', '    over: "a the"\n    until: "now | and |')
    assert "only for negation" in problem(red_flags, "'over'").message


def test_an_unknown_key_in_a_group_suggests_the_right_one(red_flags: Path) -> None:
    edit(red_flags, "  - axis: experiencer\n", "  - axis: experiencer\n    trigers: [he]\n")
    assert "did you mean 'triggers'" in problem(red_flags, "trigers").message


def test_past_counts_must_be_true_or_false(red_flags: Path) -> None:
    edit(red_flags, "    past_counts: true\n", "    past_counts: always\n")
    assert problem(red_flags, "past_counts").message.endswith("true or false")


def test_check_prints_file_and_line_and_exits_1(
    red_flags: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = edit(red_flags, "  - axis: hypothetical\n", "  - axis: maybe\n")
    assert main(["check", "--knowledge", str(red_flags.parent)]) == 1
    assert f"red_flags.yaml:{line}: " in capsys.readouterr().out


# -- respellings: regional spellings as data ---------------------------------------------


def test_a_respelling_the_practitioner_adds_is_read_as_its_word(red_flags: Path) -> None:
    from bot.core.triage import Triage

    message = "ah kinnae feel ma legs"
    assert Triage.from_knowledge(load_knowledge(red_flags.parent)).check(message) is None
    edit(red_flags, '  cant: "cannae', '  cant: "kinnae cannae')
    assert Triage.from_knowledge(load_knowledge(red_flags.parent)).check(message) is not None


def test_a_respelling_with_an_apostrophe_is_named_with_its_line(red_flags: Path) -> None:
    line = edit(red_flags, '  dont: "dinnae dinna"', '  dont: "din\'nae dinna"')
    found = problem(red_flags, "after 'dont:'")
    assert found.line == line
    assert "without apostrophes" in found.message


def test_a_spelling_read_as_two_words_is_named(red_flags: Path) -> None:
    edit(red_flags, '  dont: "dinnae dinna"', '  dont: "dinnae dinna cannae"')
    found = problem(red_flags, "'cannae' is read as both")
    assert "one word only" in found.message


def test_respellings_that_are_not_a_mapping_are_named(red_flags: Path) -> None:
    text = red_flags.read_text(encoding="utf-8")
    start = text.index("respellings:\n")
    end = text.index("\n\n", start)
    red_flags.write_text(
        text[:start] + 'respellings:\n  - "cannae cant"' + text[end:], encoding="utf-8"
    )
    found = problem(red_flags, "'respellings' should be lines like")
    assert found.line == text[:start].count("\n") + 1


# -- come_true, not_before and despite: the session-four additions, as data ----------------


def test_a_come_true_phrase_the_practitioner_adds_makes_an_asked_flag_count(
    red_flags: Path,
) -> None:
    from bot.core.triage import Triage

    message = "what if I got numbness in the saddle area? well, now it is here"
    assert Triage.from_knowledge(load_knowledge(red_flags.parent)).check(message) is None
    edit(red_flags, 'come_true:\n  - "its started', 'come_true:\n  - "now it is here | its started')
    assert Triage.from_knowledge(load_knowledge(red_flags.parent)).check(message) is not None


def test_a_not_before_word_keeps_a_person_from_being_someone_else(red_flags: Path) -> None:
    from bot.core.triage import Triage

    message = (
        "cleaner writing, slipped on a wet floor at work and went down hard on my back this "
        "afternoon, can acupuncture help quickly"
    )
    assert Triage.from_knowledge(load_knowledge(red_flags.parent)).check(message) is None
    edit(red_flags, '    not_before: "here | speaking"', '    not_before: "here | writing"')
    assert Triage.from_knowledge(load_knowledge(red_flags.parent)).check(message) is not None


def test_a_despite_phrase_keeps_a_flag_beside_its_exception(red_flags: Path) -> None:
    from bot.core.triage import Triage

    message = "lost a stone since the divorce, no appetite at all, back aches"
    assert Triage.from_knowledge(load_knowledge(red_flags.parent)).check(message) is None
    edit(
        red_flags,
        '    despite:\n      - "without changing anything',
        ('    despite:\n      - "no appetite at all | without changing anything'),
    )
    assert Triage.from_knowledge(load_knowledge(red_flags.parent)).check(message) is not None


def test_a_broken_despite_or_come_true_phrase_is_named_with_its_line(red_flags: Path) -> None:
    line = edit(red_flags, '      - "without changing anything', '      - "@nowhere | without')
    assert problem(red_flags, "red flag 'weight-loss'").line == line
    line = edit(red_flags, 'come_true:\n  - "its started', "come_true:\n  - \"it's started")
    assert problem(red_flags, "apostrophe").line == line + 1
