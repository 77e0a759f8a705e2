"""Phrasings added to the practitioner's YAML as text: every other line stays as it was."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.practitioner.yaml_edits import (
    YamlEditError,
    add_gap,
    add_gap_phrasings,
    add_topic_phrasings,
    gap_ids,
)

TRICKY = ["plain words", "note: a colon", "#3 first", "yes", 'say "hi"', "émoji 😀"]


def only_insertions(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails if any line of `before` changed or went."""
    added = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        assert not line.startswith("- "), f"a line changed or went: {line!r}"
        if line.startswith("+ "):
            added.append(line[2:])
    return added


@pytest.mark.parametrize(
    "topic_file", sorted((DEFAULT_KNOWLEDGE_DIR / "topics").glob("*.yaml")), ids=lambda p: p.stem
)
def test_every_shipped_topic_takes_new_phrasings_keeping_its_layout(topic_file: Path) -> None:
    before = topic_file.read_text(encoding="utf-8")
    after = add_topic_phrasings(before, TRICKY)
    assert len(only_insertions(before, after)) == len(TRICKY)
    old, new = yaml.safe_load(before), yaml.safe_load(after)
    assert new["phrasings"] == old["phrasings"] + TRICKY
    assert {k: v for k, v in new.items() if k != "phrasings"} == {
        k: v for k, v in old.items() if k != "phrasings"
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: x\nphrasings: [a, b]  # inline\nrelated: []\n", ["a", "b", "new: one"]),
        ("id: x\nphrasings: []\n", ["new: one"]),
        ("id: x\nphrasings:\nrelated: []\n", ["new: one"]),
        ("id: x\nphrasings:\n  - a   # why\n# a note\nrelated: []", ["a", "new: one"]),
        (
            "id: x\nphrasings:\n    -   a\n    - |\n      two\n      lines\nk: v\n",
            ["a", "two\nlines\n", "new: one"],
        ),
        ("id: x\nphrasings:\n- a\n- b", ["a", "b", "new: one"]),
    ],
)
def test_layouts_people_write(text: str, expected: list[str]) -> None:
    after = add_topic_phrasings(text, ["new: one"])
    assert yaml.safe_load(after)["phrasings"] == expected
    if "[" not in text:  # a bracketed list grows on its own line; others only gain lines
        only_insertions(text, after)
    assert "# why" in after or "# why" not in text
    assert "# a note" in after or "# a note" not in text


def test_what_cannot_be_edited_safely_is_refused() -> None:
    for text in ("id: x\n", "id: x\nphrasings: just one line\n", "id: [x\n"):
        with pytest.raises(YamlEditError):
            add_topic_phrasings(text, ["a"])


def test_gaps_take_phrasings_and_new_gaps_keeping_comments() -> None:
    before = (DEFAULT_KNOWLEDGE_DIR / "not_on_page.yaml").read_text(encoding="utf-8")
    ids = gap_ids(before)
    assert ids[0] == "fees"
    after = add_gap_phrasings(before, "fees", ["how much for six"])
    assert only_insertions(before, after) == ["      - how much for six"]
    gaps = {g["id"]: g for g in yaml.safe_load(after)["gaps"]}
    assert gaps["fees"]["phrasings"][-1] == "how much for six"

    with_new = add_gap(before, "dogs", ["can i bring my dog", "dogs: allowed?"])
    added = only_insertions(before, with_new)
    assert added == [
        "",
        "  - id: dogs",
        "    phrasings:",
        "      - can i bring my dog",
        '      - "dogs: allowed?"',
    ]
    new_gaps = yaml.safe_load(with_new)["gaps"]
    assert new_gaps[-1] == {"id": "dogs", "phrasings": ["can i bring my dog", "dogs: allowed?"]}
    assert gap_ids(with_new) == [*ids, "dogs"]
    with pytest.raises(YamlEditError):
        add_gap_phrasings(before, "no-such-gap", ["x"])
