"""One-tap learning as the services do it: ignore is remembered in the store (by fingerprint)
and honoured by every report; "Not on the page" picks the closest gap or makes one."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.loader import load_knowledge
from bot.practitioner import learning
from bot.practitioner.grouping import CLOSE_SCORE, group_unanswered
from bot.practitioner.knowledge_edits import KnowledgeEditor
from bot.practitioner.render_text import render_text
from bot.practitioner.report import build_report
from bot.store import NullStore, UnansweredRow

sys.path.insert(0, str(Path(__file__).parent))
from seeded import clinic_knowledge, seed_store


def test_ignored_groups_stay_out_of_every_later_report(tmp_path: Path) -> None:
    store, now = seed_store(tmp_path / "clinic.sqlite3")
    try:
        knowledge = clinic_knowledge()
        groups = learning.unanswered_groups(store, knowledge, 30)
        parking = next(g for g in groups if "is there parking" in g.questions)
        assert learning.ignore(store, parking) == parking.count
        assert learning.ignore(store, parking) == 0  # already remembered
        later = learning.unanswered_groups(store, knowledge, 30)
        assert len(later) == len(groups) - 1
        assert not any("parking" in q for g in later for q in g.questions)
        report = build_report(store, 30, knowledge, now=now)
        assert "parking" not in render_text(report)
    finally:
        store.close()
    with sqlite3.connect(tmp_path / "clinic.sqlite3") as conn:
        kept = [key for (key,) in conn.execute("SELECT key FROM ignored_unanswered")]
    assert len(kept) == parking.count and not any("park" in key for key in kept)


def test_a_store_without_a_database_ignores_nothing_and_says_so() -> None:
    store = NullStore()
    assert store.ignore_unanswered(["abc"]) == 0 and store.ignored_unanswered() == frozenset()


def test_not_on_the_page_goes_to_the_closest_gap_or_a_new_one(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, folder)
    editor = KnowledgeEditor(folder)
    store, _ = seed_store(tmp_path / "clinic.sqlite3")
    try:
        groups = learning.unanswered_groups(store, load_knowledge(folder), 30)
    finally:
        store.close()
    fees = next(g for g in groups if "how much is a session" in g.questions)
    assert fees.closest_gap is not None and fees.closest_gap.id == "fees"
    added = learning.add_to_gaps(editor, fees, "admin x")
    assert added.target == "fees"
    knee = next(g for g in groups if "knee pain??" in g.questions)
    assert knee.closest_gap is not None and knee.closest_gap.id == "other-conditions"
    assert learning.add_to_gaps(editor, knee, "admin x").target == "other-conditions"
    at = datetime(2026, 3, 1, tzinfo=UTC)
    asked = [
        UnansweredRow(at, "fallback", text, 5, (), str(n))
        for n, text in enumerate(["is the building haunted", "is your building haunted"])
    ]
    (haunted,) = group_unanswered(asked, load_knowledge(folder))
    assert haunted.closest_gap is None or haunted.closest_gap.score < CLOSE_SCORE
    new = learning.add_to_gaps(editor, haunted, "admin x")
    gaps = {g["id"]: g for g in yaml.safe_load((folder / "not_on_page.yaml").read_text())["gaps"]}
    assert "haunted" in new.target and new.target not in {
        g.id for g in load_knowledge(DEFAULT_KNOWLEDGE_DIR).gaps
    }
    assert gaps[new.target]["phrasings"] == list(new.added) == [*haunted.questions]
