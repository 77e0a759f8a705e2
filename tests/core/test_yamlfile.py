"""Reading the practitioner's YAML: libyaml's fast parser and the pure-Python one agree on
every shipped file (values, lines, problems), and a mistake is still reported where it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core import yamlfile
from bot.core.errors import Problem
from bot.core.yamlfile import LDict, LList, read_yaml


def _lines(value: object) -> object:
    """The value with every container's own and items' lines spelled out."""
    if isinstance(value, LDict):
        return (value.line, value.key_lines, {k: _lines(v) for k, v in value.items()})
    if isinstance(value, LList):
        return (value.line, value.item_lines, [_lines(v) for v in value])
    return value


@pytest.mark.skipif(yamlfile._FAST_LOADER is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize(
    "file", sorted(DEFAULT_KNOWLEDGE_DIR.rglob("*.yaml")), ids=lambda f: f.name
)
def test_the_fast_parser_reads_every_shipped_file_as_the_pure_one_does(
    file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast: list[Problem] = []
    fast_value = read_yaml(file, fast)
    monkeypatch.setattr(yamlfile, "_FAST_LOADER", None)
    pure: list[Problem] = []
    assert _lines(fast_value) == _lines(read_yaml(file, pure))
    assert fast == pure


def test_an_item_joined_to_the_one_above_is_reported_at_its_line(tmp_path: Path) -> None:
    file = tmp_path / "topic.yaml"
    file.write_text("phrasings:\n  - how many sessions\n     - how often\n", encoding="utf-8")
    problems: list[Problem] = []
    read_yaml(file, problems)
    assert [(p.line, "joined" in p.message) for p in problems] == [(3, True)]


def test_a_syntax_error_keeps_its_plain_words_hint(tmp_path: Path) -> None:
    file = tmp_path / "topic.yaml"
    file.write_text('title: "Pain relief\nanswer: x\n', encoding="utf-8")
    problems: list[Problem] = []
    assert read_yaml(file, problems) is None
    assert problems and "quote is opened and never closed" in problems[0].message
