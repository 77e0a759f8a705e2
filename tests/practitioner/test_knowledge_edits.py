"""Changes to the knowledge folder: checked before they land, atomic, logged, undone byte for
byte, and uploads that could escape the folder or blow up refused."""

from __future__ import annotations

import io
import os
import random
import shutil
import stat
import threading
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

import bot.core.live as live_module
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.live import LiveEngine, install_in_progress
from bot.core.loader import check_knowledge, load_knowledge
from bot.core.model import Knowledge
from bot.practitioner.knowledge_edits import (
    MAX_FILE_BYTES,
    EditRefused,
    KnowledgeEditor,
    read_knowledge_zip,
    target_for_upload,
)

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, copy)
    return copy


@pytest.fixture
def editor(folder: Path) -> KnowledgeEditor:
    return KnowledgeEditor(folder, clock=lambda: WHEN)


def phrasings_of(folder: Path, topic_id: str) -> tuple[str, ...]:
    topic = load_knowledge(folder).topic(topic_id)
    assert topic is not None
    return topic.phrasings


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".history" not in p.parts
    }


def test_added_phrasings_are_answered_logged_and_undone_byte_for_byte(
    folder: Path, editor: KnowledgeEditor
) -> None:
    cost = folder / "topics" / "cost.yaml"
    before = cost.read_bytes()
    result = editor.add_phrasings(
        "cost", ["Is it worth it over a whole year?", "is it cost effective"], "admin 1a2b3c4d"
    )
    assert result.added == ("is it worth it over a whole year",)  # the known one is skipped
    assert "is it worth it over a whole year" in phrasings_of(folder, "cost")
    assert check_knowledge(folder) == []
    assert (folder / ".history" / "0001" / "before" / "topics" / "cost.yaml").read_bytes() == before
    assert editor.recent_changes() == [
        "2026-03-01 09:30:00 UTC  #1  admin 1a2b3c4d  added 1 phrasing to topic cost"
        "  [topics/cost.yaml]"
    ]
    undone = editor.undo("admin 1a2b3c4d")
    assert undone.change.what == "undid #1: added 1 phrasing to topic cost"
    assert cost.read_bytes() == before
    with pytest.raises(EditRefused, match="no change to undo"):
        editor.undo("admin 1a2b3c4d")


def test_undo_goes_back_one_change_at_a_time(folder: Path, editor: KnowledgeEditor) -> None:
    original = snapshot(folder)
    editor.add_phrasings("cost", ["a brand new wording about value"], "admin a")
    after_first = snapshot(folder)
    editor.add_to_gap(["is the building haunted"], "admin b")
    editor.undo("admin a")
    assert snapshot(folder) == after_first
    editor.undo("admin a")
    assert snapshot(folder) == original


def test_a_change_that_would_break_the_knowledge_touches_nothing(
    folder: Path, editor: KnowledgeEditor
) -> None:
    before = snapshot(folder)
    bad = (folder / "topics" / "cost.yaml").read_bytes().replace(b"related: [", b"related: [nope, ")
    with pytest.raises(EditRefused) as refused:
        editor.install_file("cost.yaml", bad, "admin x")
    line = bad.decode().splitlines().index("related: [nope, how-many-sessions, benefits, booking]")
    assert refused.value.problems[0].startswith(f"knowledge/topics/cost.yaml:{line + 1}: ")
    assert snapshot(folder) == before
    assert not (folder / ".history").exists()  # nothing logged either


def test_edits_wait_for_a_folder_broken_by_hand_to_be_fixed(
    folder: Path, editor: KnowledgeEditor
) -> None:
    (folder / "synonyms.yaml").write_text("synonyms: [broken\n", encoding="utf-8")
    before = snapshot(folder)
    with pytest.raises(EditRefused, match="has problems right now") as refused:
        editor.add_phrasings("cost", ["a brand new wording"], "admin x")
    assert any(p.startswith("knowledge/synonyms.yaml:") for p in refused.value.problems)
    assert snapshot(folder) == before
    # Sending the fixed file is how to get out of it.
    fixed = (DEFAULT_KNOWLEDGE_DIR / "synonyms.yaml").read_bytes()
    editor.install_file("synonyms.yaml", fixed, "admin x")
    assert check_knowledge(folder) == []


def test_undo_refuses_to_overwrite_a_later_hand_edit(folder: Path, editor: KnowledgeEditor) -> None:
    editor.add_phrasings("cost", ["a brand new wording"], "admin x")
    cost = folder / "topics" / "cost.yaml"
    cost.write_bytes(cost.read_bytes() + b"# edited by hand\n")
    hand_edited = cost.read_bytes()
    with pytest.raises(EditRefused, match="changed again since"):
        editor.undo("admin x")
    assert cost.read_bytes() == hand_edited


def test_a_new_gap_or_the_named_one(folder: Path, editor: KnowledgeEditor) -> None:
    new = editor.add_to_gap(["can i bring my dog", "are dogs allowed"], "admin x")
    existing = editor.add_to_gap(["how much for a block of six"], "admin x", "fees")
    gaps = {g["id"]: g for g in yaml.safe_load((folder / "not_on_page.yaml").read_text())["gaps"]}
    assert gaps[new.target]["phrasings"] == ["can i bring my dog", "are dogs allowed"]
    assert gaps["fees"]["phrasings"][-1] == "how much for a block of six"
    assert existing.target == "fees" and check_knowledge(folder) == []
    assert [g.id for g in load_knowledge(folder).gaps].count(new.target) == 1


def test_a_missing_gaps_file_is_created(folder: Path, editor: KnowledgeEditor) -> None:
    (folder / "not_on_page.yaml").unlink()
    result = editor.add_to_gap(["can i bring my dog"], "admin x")
    assert [g.id for g in load_knowledge(folder).gaps] == [result.target]
    editor.undo("admin x")
    assert not (folder / "not_on_page.yaml").exists()  # undo removes what it created


def test_file_names_map_to_their_place_and_nowhere_else() -> None:
    assert target_for_upload("clinic.yaml") == "clinic.yaml"
    assert target_for_upload("not_on_page.yaml") == "not_on_page.yaml"
    assert target_for_upload("knee-pain.yaml") == "topics/knee-pain.yaml"
    assert target_for_upload("../../etc/cron.yaml") == "topics/cron.yaml"
    assert target_for_upload("C:\\Users\\rick\\cost.yml") == "topics/cost.yml"
    for name in ("notes.txt", "cost.yaml.exe", ".hidden.yaml", ""):
        with pytest.raises(EditRefused):
            target_for_upload(name)


def test_installing_keeps_the_files_mode_and_leaves_no_temporary_files(
    folder: Path, editor: KnowledgeEditor
) -> None:
    cost = folder / "topics" / "cost.yaml"
    cost.chmod(0o640)
    editor.install_file(
        "cost.yaml", cost.read_bytes().replace(b"Cost-effectiveness", b"Value"), "admin x"
    )
    assert stat.S_IMODE(cost.stat().st_mode) == 0o640
    assert not [p for p in (folder / "topics").iterdir() if p.name.startswith(".")]


def test_export_then_install_zip_round_trip(folder: Path, editor: KnowledgeEditor) -> None:
    editor.add_phrasings("cost", ["a brand new wording"], "admin x")  # history exists now
    data = editor.export_zip()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "knowledge/clinic.yaml" in names and not any(".history" in n for n in names)
    with pytest.raises(EditRefused, match="nothing changed"):
        editor.install_zip(data, "admin x")
    files = read_knowledge_zip(data)
    assert files == snapshot(folder)
    # A zip without the folder around the files, one topic fewer: that topic goes.
    gone = "topics/moxibustion-cupping.yaml"
    edited = {
        "clinic.yaml": files["clinic.yaml"].replace(b"  - moxibustion-cupping\n", b""),
        "topics/where-needles-go.yaml": files["topics/where-needles-go.yaml"].replace(
            b", moxibustion-cupping]", b"]"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for rel, content in files.items():
            if rel != gone:
                archive.writestr(rel, edited.get(rel, content))
    result = editor.install_zip(buffer.getvalue(), "admin x")
    assert result.change.what == "installed a zip: 2 file(s) changed, 0 added, 1 removed"
    assert not (folder / gone).exists() and check_knowledge(folder) == []
    editor.undo("admin x")
    assert snapshot(folder) == files


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"not a zip at all", "not a readable .zip"),
        (b"PK" + b"\0" * (2 * 1024 * 1024), "over 2 MB"),
        (_zip({"clinic.yaml": b"a: 1", "../x.yaml": b"a: 1"}), "unsafe path"),
        (_zip({"clinic.yaml": b"a: 1", "/abs/x.yaml": b"a: 1"}), "unsafe path"),
        (_zip({"clinic.yaml": b"a: 1", "C:/x.yaml": b"a: 1"}), "unsafe path"),
        (_zip({"clinic.yaml": b"a: 1", "topics/run.sh": b"x"}), "not a .yaml file"),
        (_zip({"clinic.yaml": b"a: 1", "other/x.yaml": b"a: 1"}), "no place"),
        (_zip({"clinic.yaml": b"a: " + b"0" * (MAX_FILE_BYTES + 1)}), "over 256 KB"),
        (_zip({"clinic.yaml": b"a: 1", "topics/big.yaml": b" " * 200_000}), "suspiciously"),
        (_zip({f"topics/t{n}.yaml": b"a: 1" for n in range(600)}), "over 500 entries"),
    ],
)
def test_unsafe_zips_are_refused(data: bytes, says: str) -> None:
    with pytest.raises(EditRefused, match=says):
        read_knowledge_zip(data)


def test_a_mac_zip_with_its_extras_is_read() -> None:
    data = _zip(
        {
            "knowledge/clinic.yaml": b"a: 1",
            "knowledge/topics/cost.yaml": b"id: cost",
            "knowledge/.DS_Store": b"\x00",
            "__MACOSX/knowledge/._clinic.yaml": b"\x00",
        }
    )
    assert read_knowledge_zip(data) == {"clinic.yaml": b"a: 1", "topics/cost.yaml": b"id: cost"}


def test_two_admins_at_once_both_land(folder: Path) -> None:
    editor = KnowledgeEditor(folder)
    errors: list[Exception] = []

    def add(topic: str, wording: str) -> None:
        try:
            editor.add_phrasings(topic, [wording], f"admin {topic[:4]}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=add, args=("cost", "a brand new wording about value")),
        threading.Thread(target=add, args=("booking", "a brand new wording about booking")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert "a brand new wording about value" in phrasings_of(folder, "cost")
    assert "a brand new wording about booking" in phrasings_of(folder, "booking")
    assert len(editor.recent_changes()) == 2
    assert sorted(p.name for p in (folder / ".history").iterdir() if p.is_dir()) == ["0001", "0002"]
    assert os.access(folder / ".history" / "changes.log", os.R_OK)


def test_a_damaged_zip_is_refused_not_a_crash() -> None:
    words = random.Random(7).choices(["back", "pain", "needle", "session", "calm"], k=3000)
    good = _zip({"clinic.yaml": " ".join(words).encode()})
    at = good.find(b"clinic.yaml") + len("clinic.yaml") + 40
    damaged = good[:at] + bytes(b ^ 0xFF for b in good[at : at + 64]) + good[at + 64 :]
    with pytest.raises(EditRefused, match=r"damaged|not a readable"):
        read_knowledge_zip(damaged)


def test_a_small_repetitive_file_is_not_mistaken_for_a_bomb() -> None:
    assert read_knowledge_zip(_zip({"clinic.yaml": b"a: 1\n" * 1000})) == {
        "clinic.yaml": b"a: 1\n" * 1000
    }


def _zip_changing_two_topics(editor: KnowledgeEditor, folder: Path) -> bytes:
    """The folder's export with a new phrasing in cost.yaml and another in booking.yaml."""
    changed = {}
    for topic_id, wording in (("cost", "what do two zebras cost"), ("booking", "zebra booking")):
        topic = load_knowledge(folder).topic(topic_id)
        assert topic is not None and topic.source is not None
        data = yaml.safe_load(topic.source.read_text(encoding="utf-8"))
        data["phrasings"].append(wording)
        rel = topic.source.resolve().relative_to(folder.resolve()).as_posix()
        changed[f"knowledge/{rel}"] = yaml.safe_dump(data, allow_unicode=True).encode()
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(editor.export_zip())) as old,
        zipfile.ZipFile(buffer, "w") as new,
    ):
        for name in old.namelist():
            new.writestr(name, changed.get(name, old.read(name)))
    return buffer.getvalue()


def _zebras(knowledge: Knowledge) -> tuple[bool, bool]:
    cost, booking = knowledge.topic("cost"), knowledge.topic("booking")
    assert cost is not None and booking is not None
    return "what do two zebras cost" in cost.phrasings, "zebra booking" in booking.phrasings


def test_a_reader_never_sees_half_a_zip_install(
    folder: Path, editor: KnowledgeEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = LiveEngine.load(folder, load_knowledge, settle_seconds=0)
    seen: list[tuple[bool, bool]] = []
    real = live_module.replace_file

    def write_then_reload(target: Path, content: bytes, mode: int | None = None) -> None:
        real(target, content, mode)
        live.reload()  # the watcher, at its worst moment: after every single file
        seen.append(_zebras(live.engine))

    monkeypatch.setattr(live_module, "replace_file", write_then_reload)
    editor.install_zip(_zip_changing_two_topics(editor, folder), "admin x")
    assert len(seen) >= 3  # the marker, both files, the generation: a reload after each
    assert set(seen) <= {(False, False), (True, True)}, seen
    monkeypatch.undo()
    live.reload()
    assert _zebras(live.engine) == (True, True)


@pytest.mark.parametrize("crash_at", [0, 1, 2, 3])
def test_a_crash_mid_install_recovers_to_one_whole_version(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_at: int
) -> None:
    """Killed at the `crash_at`-th write of the install (0: the marker, 1 and 2: the two
    files, 3: the new generation): the next start gives one whole version, the new one once
    the marker was written."""
    editor = KnowledgeEditor(folder, clock=lambda: WHEN)
    upload = _zip_changing_two_topics(editor, folder)
    original = snapshot(folder)
    expected_folder = tmp_path / "expected" / "knowledge"
    shutil.copytree(folder, expected_folder)
    KnowledgeEditor(expected_folder, clock=lambda: WHEN).install_zip(upload, "admin x")
    real = live_module.replace_file
    calls: list[Path] = []

    def crashing(target: Path, content: bytes, mode: int | None = None) -> None:
        if len(calls) == crash_at:
            raise KeyboardInterrupt("the power went off")
        calls.append(target)
        real(target, content, mode)

    monkeypatch.setattr(live_module, "replace_file", crashing)
    with pytest.raises(KeyboardInterrupt):
        editor.install_zip(upload, "admin x")
    monkeypatch.undo()
    assert install_in_progress(folder) == (crash_at > 0)
    live = LiveEngine.load(folder, load_knowledge, settle_seconds=0)  # the bot starts again
    assert not install_in_progress(folder)
    if crash_at == 0:
        assert snapshot(folder) == original
        assert _zebras(live.engine) == (False, False)
        return
    assert _zebras(live.engine) == (True, True)
    assert snapshot(folder) == snapshot(expected_folder)
    KnowledgeEditor(folder).undo("admin x")  # and it is undone whole, like any change
    assert snapshot(folder) == original


def test_a_crash_while_staging_leaves_the_old_version_whole(
    folder: Path, editor: KnowledgeEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = snapshot(folder)
    upload = _zip_changing_two_topics(editor, folder)
    monkeypatch.setattr(live_module, "begin_install", _power_cut)
    monkeypatch.setattr("bot.practitioner.knowledge_edits.begin_install", _power_cut)
    with pytest.raises(KeyboardInterrupt):
        editor.install_zip(upload, "admin x")
    monkeypatch.undo()
    KnowledgeEditor(folder)  # the next start
    assert snapshot(folder) == original
    assert _zebras(LiveEngine.load(folder, load_knowledge).engine) == (False, False)


def _power_cut(*_: object) -> None:
    raise KeyboardInterrupt("the power went off")
