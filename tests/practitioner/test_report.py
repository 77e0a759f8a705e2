"""The practitioner's report: grouping paraphrases, proposing topics, the three formats, the CLI."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from bot.core.reply import Kind, Reply
from bot.practitioner.grouping import group_unanswered
from bot.practitioner.proposals import as_phrasing, yaml_scalar
from bot.practitioner.render_html import render_html
from bot.practitioner.render_json import render_json
from bot.practitioner.render_text import render_text
from bot.practitioner.report import build_report, missing_database_report
from bot.practitioner.wording import stats_summary, unanswered_summary
from bot.store import ChatKeys, SQLiteStore, UnansweredRow

sys.path.insert(0, str(Path(__file__).parent))
from seeded import MISSES, clinic_knowledge, seed_store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def seeded(tmp_path: Path):
    store, now = seed_store(tmp_path / "clinic.sqlite3")
    yield store, now
    store.close()


@pytest.fixture
def report(seeded):
    store, now = seeded
    return build_report(store, 30, clinic_knowledge(), now=now)


def _expected_group(text: str) -> str:
    return next(label for label, _, _, _, t in MISSES if t == text)


# --- grouping and proposals ---------------------------------------------------------------------


def test_paraphrases_are_grouped_together_largest_first(report) -> None:
    labels_per_group = [{_expected_group(x) for x in g.examples} for g in report.groups]
    assert all(len(labels) == 1 for labels in labels_per_group), labels_per_group
    seen = [labels.pop() for labels in labels_per_group]
    assert len(seen) == len(set(seen)), "each kind of question forms one group"
    assert Counter(label for label, *_ in MISSES) == {
        label: g.count for label, g in zip(seen, report.groups, strict=True)
    }
    assert [g.count for g in report.groups] == sorted(
        (g.count for g in report.groups), reverse=True
    )
    assert report.unanswered_messages == len(MISSES)


def test_each_group_gets_a_sensible_proposal(report) -> None:
    for group in report.groups:
        expected = _expected_group(group.examples[0])
        proposal = group.proposal
        assert proposal is not None
        if expected.startswith("new:"):
            assert proposal.action == "new-topic", group
            assert expected.removeprefix("new:") in proposal.yaml
        elif expected == "fees":
            assert proposal.action == "known-gap"
            assert group.resembles is not None and group.resembles.id == "fees"
        else:
            assert proposal.action == "add-phrasings", group
            assert group.resembles is not None and group.resembles.id == expected
            assert proposal.file == f"knowledge/topics/{expected}.yaml"


def test_the_proposed_phrasings_are_ready_to_paste_yaml(report) -> None:
    sessions = next(g for g in report.groups if g.proposal.action == "add-phrasings")
    lines = sessions.proposal.yaml.splitlines()
    assert lines[0].startswith("  - ")
    assert "# add to knowledge/topics/" in lines[0] and "under phrasings:" in lines[0]
    pasted = yaml.safe_load("phrasings:\n" + sessions.proposal.yaml)
    assert pasted["phrasings"] == [as_phrasing(x) for x in sessions.examples[: len(lines)]]

    stub = next(g for g in report.groups if g.proposal.action == "new-topic").proposal
    topic = yaml.safe_load(stub.yaml)
    assert topic["id"] == Path(stub.file).stem
    assert topic["answer"] is None, "an unfinished stub must be refused by check, never served"
    assert len(topic["phrasings"]) >= 2 and topic["related"] == ["booking"]


def test_phrasings_already_in_the_knowledge_are_not_proposed_again() -> None:
    knowledge = clinic_knowledge()
    at = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [
        UnansweredRow(at, "suggest", "How many sessions will I need?", 60, (), "a"),
        UnansweredRow(at, "suggest", "how many sessions would i need", 60, (), "b"),
    ]
    (group,) = group_unanswered(rows, knowledge)
    assert group.proposal is not None
    assert group.proposal.yaml.splitlines() == [
        "  - how many sessions would i need   # add to"
        " knowledge/topics/how-many-sessions.yaml under phrasings:"
    ]


def test_one_person_asking_again_is_counted_as_one_asker() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [UnansweredRow(at, "fallback", "is there parking", 5, (), "same") for _ in range(4)]
    (group,) = group_unanswered(rows, clinic_knowledge())
    assert (group.count, group.askers, group.examples) == (4, 1, ("is there parking",))


def test_grouping_works_without_knowledge() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [
        UnansweredRow(at, "fallback", text, 5, (), str(n))
        for n, text in enumerate(["is there parking", "is there parking nearby", "knee pain"])
    ]
    groups = group_unanswered(rows, None)
    assert [g.count for g in groups] == [2, 1]
    assert all(g.proposal is None and g.resembles is None for g in groups)


def test_yaml_scalars_are_quoted_only_when_needed() -> None:
    assert yaml_scalar("is there parking") == "is there parking"
    for tricky in ("note: parking", "what about #3", "'quoted'", "- dash", "yes", "émoji 😀"):
        assert yaml.safe_load(f"- {yaml_scalar(tricky)}") == [tricky]


# --- the three formats --------------------------------------------------------------------------


def test_text_report_has_every_section(report, seeded) -> None:
    text = render_text(report)
    assert "UNANSWERED QUESTIONS: 33 messages in 7 groups" in text
    assert "1. Asked 7 times by 7 people" in text
    assert "TOPICS: answers sent and helpfulness" in text
    assert "How many sessions" in text and "75% helpful" in text
    assert "URGENT: 3 message(s)" in text
    assert "OUTCOMES PER DAY" in text and str(seeded[1].date()) in text


def test_json_report_is_machine_readable(report, seeded) -> None:
    data = json.loads(render_json(report))
    assert data["empty"] is False
    assert data["urgent"] == 3
    assert data["outcomes"]["answer"] == 41
    assert sum(g["count"] for g in data["unanswered_groups"]) == len(MISSES)
    assert data["topics"][0] == {
        "id": "how-many-sessions",
        "title": "How many sessions",
        "answers": 14,
        "helpful": 3,
        "not_helpful": 1,
    }
    assert len(data["days"]) == 30 and data["days"][-1]["day"] == str(seeded[1].date())
    for group, written in zip(report.groups, data["unanswered_groups"], strict=True):
        assert group.resembles is not None and group.proposal is not None
        assert written["resembles"] == {
            "kind": group.resembles.kind,
            "id": group.resembles.id,
            "title": group.resembles.title,
            "score": group.resembles.score,
        }
        assert written["proposal"] == {
            "action": group.proposal.action,
            "file": group.proposal.file,
            "yaml": group.proposal.yaml,
            "advice": group.proposal.advice,
        }


class _PageChecker(HTMLParser):
    """Collects what a self-contained, well-formed page must (not) have."""

    VOID = frozenset({"meta", "br", "img", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: Counter[str] = Counter()
        self.references: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action") or (
                value and ("url(" in value or ("//" in value and name != "xmlns"))
            ):
                self.references.append(f"{tag} {name}={value}")
        if tag in ("script", "iframe", "link", "img", "object", "embed"):
            self.errors.append(f"<{tag}> is not allowed in a self-contained page")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href"):
                self.references.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data) -> None:
        self.text.append(data)


def check_page(page: str) -> _PageChecker:
    checker = _PageChecker()
    checker.feed(page)
    checker.close()
    assert checker.errors == []
    assert checker.stack == [], f"unclosed: {checker.stack}"
    assert checker.references == []
    assert "@import" not in page and "url(" not in page
    return checker


def test_html_report_is_well_formed_and_self_contained(report) -> None:
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    checker = check_page(page)
    assert checker.tags["svg"] == 2  # topics and outcomes per day
    assert checker.tags["rect"] > 10
    assert checker.tags["style"] == 1
    text = " ".join(checker.text)
    assert "how often would i need to come" in text
    assert "Was it helpful?" in text


def test_html_escapes_whatever_patients_typed(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "x.sqlite3", chat_keys=ChatKeys(b"x" * 32))
    nasty = '<script>alert("hi")</script> & <img src=http://evil.example/x.png>'
    store.record(1, nasty, Reply(Kind.FALLBACK, "x"))
    store.record(2, nasty, Reply(Kind.FALLBACK, "x"))
    page = render_html(build_report(store, 7, clinic_knowledge()))
    store.close()
    checker = check_page(page)
    assert checker.tags["script"] == 0 and checker.tags["img"] == 0
    assert nasty in "".join(checker.text)


def test_an_empty_database_gets_a_friendly_message(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "empty.sqlite3", chat_keys=None)
    empty = build_report(store, 30, clinic_knowledge())
    store.close()
    assert empty.empty_reason is not None
    for rendered in (render_text(empty), render_html(empty)):
        assert "No conversations were recorded in the last 30 days" in rendered
    assert json.loads(render_json(empty))["empty"] is True
    check_page(render_html(empty))


def test_a_missing_database_gets_a_friendly_message(tmp_path: Path) -> None:
    missing = missing_database_report(tmp_path / "nowhere.sqlite3", 7)
    assert "There is no database at" in render_text(missing)
    check_page(render_html(missing))
    assert not (tmp_path / "nowhere.sqlite3").exists()


# --- the admin summaries ------------------------------------------------------------------------


def test_summaries_for_the_admin_commands(seeded) -> None:
    store, _ = seeded
    knowledge = clinic_knowledge()
    titles = {t.id: t.title for t in knowledge.topics}
    summary = stats_summary(store.stats(30), titles)
    assert "Urgent: 3" in summary
    assert "14  How many sessions" in summary
    assert "Helpful: 3 of 5 taps (60%)" in summary

    groups = group_unanswered(store.unanswered(30), knowledge)
    top = unanswered_summary(groups, limit=2)
    assert top.startswith("1. Asked 7 times")
    assert "... and 5 more groups" in top
    assert unanswered_summary([]) == "No unanswered questions in this period."


# --- the command line ---------------------------------------------------------------------------


def _run(*args: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "report", *args],
        capture_output=True,
        text=True,
        cwd=env_dir,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "DATA_DIR": str(env_dir)},
        timeout=60,
        check=False,
    )


def test_cli_writes_an_html_page_from_the_shipped_knowledge(seeded, tmp_path: Path) -> None:
    store, _ = seeded
    out = tmp_path / "out" / "report.html"
    result = _run(
        "--since",
        "3650",
        "--format",
        "html",
        "--out",
        str(out),
        "--database",
        str(store.path),
        "--knowledge",
        str(REPO / "knowledge"),
        env_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Report written to" in result.stdout
    check_page(out.read_text(encoding="utf-8"))


def test_cli_writes_the_report_for_its_owner_only_under_umask_022(seeded, tmp_path: Path) -> None:
    store, _ = seeded
    out = tmp_path / "report.html"
    out.write_text("an older report, readable by all")
    out.chmod(0o644)
    old = os.umask(0o022)
    try:
        result = _run(
            "--since", "3650", "--format", "html", "--out", str(out),
            "--database", str(store.path), env_dir=tmp_path,
        )  # fmt: skip
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "older report" not in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_cli_text_and_json(seeded, tmp_path: Path) -> None:
    store, _ = seeded
    text = _run("--since", "3650", "--database", str(store.path), env_dir=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "UNANSWERED QUESTIONS" in text.stdout
    as_json = _run(
        "--since", "3650", "--format", "json", "--database", str(store.path), env_dir=tmp_path
    )
    assert json.loads(as_json.stdout)["urgent"] == 3


def test_cli_on_a_missing_database_is_friendly_and_creates_nothing(tmp_path: Path) -> None:
    result = _run("--database", str(tmp_path / "none.sqlite3"), env_dir=tmp_path)
    assert result.returncode == 0
    assert "There is no database at" in result.stdout
    assert not (tmp_path / "none.sqlite3").exists()


def test_cli_help_explains_the_command(tmp_path: Path) -> None:
    result = _run("--help", env_dir=tmp_path)
    assert result.returncode == 0
    for option in ("--since", "--format", "--out", "--database", "--knowledge"):
        assert option in result.stdout
