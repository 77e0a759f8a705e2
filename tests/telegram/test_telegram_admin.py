"""The practitioner teaching the bot from Telegram, without a network: /unanswered and its
buttons, /undo, /changes, knowledge files sent as documents, /export and /report, and that
nobody else can do any of it.

The real Application runs against the in-memory fake Bot API with a real store, a live
engine on a copy of the shipped knowledge in a temporary folder, and the files are read
back as the practitioner (and `check`) would.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.adapters.telegram import admin, build_application
from bot.config import Settings
from bot.core.conversation import ChatState
from bot.core.live import LiveEngine
from bot.core.loader import check_knowledge
from bot.store import Store, open_store
from tests.telegram.fake_api import TOKEN, FakeTelegram, OfflineBot, OfflineRequest
from tests.telegram.test_telegram_practitioner import (
    ADMIN,
    OTHER_PATIENT,
    PATIENT,
    SECRET,
    copy_knowledge,
)

SHOULDER = (
    "can acupuncture fix my sore shoulder blade",
    "could acupuncture fix a sore shoulder blade?",
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        telegram_token=TOKEN,
        admin_chat_ids=frozenset({ADMIN}),
        data_dir=tmp_path / "data",
        database_path=tmp_path / "data" / "clinic.sqlite3",
        chat_key_secret=SECRET,
        knowledge_dir=tmp_path / "knowledge",
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings)
    assert store.available
    yield store
    store.close()


@asynccontextmanager
async def live_bot(
    settings: Settings, store: Store
) -> AsyncIterator[tuple[OfflineBot, LiveEngine[Any]]]:
    """The real Application on a live engine over a copy of the shipped knowledge."""
    copy_knowledge(settings)
    live = LiveEngine.load(settings.knowledge_dir)
    tg = FakeTelegram()
    tg.chat(ADMIN)
    application = build_application(settings, live, request=OfflineRequest(tg), store=store)
    await application.initialize()
    try:
        yield OfflineBot(tg, application), live
    finally:
        await application.shutdown()


def comment_lines(path: Path) -> list[str]:
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("#")
    ]


def group_messages(tg: FakeTelegram) -> list[dict[str, Any]]:
    return [m for m in tg.sent_to(ADMIN) if tg.keyboard(m)]


def button(tg: FakeTelegram, message: dict[str, Any], label_start: str) -> dict[str, Any]:
    return next(b for b in tg.keyboard(message) if b["text"].startswith(label_start))


async def ask_unanswered(bot: OfflineBot, *questions: str) -> list[dict[str, Any]]:
    for question in questions:
        bot.tg.send_text(PATIENT, question)
    await bot.deliver()
    bot.tg.send_text(ADMIN, "/unanswered")
    await bot.deliver()
    return group_messages(bot.tg)


def shoulder_group(tg: FakeTelegram) -> dict[str, Any]:
    return next(m for m in group_messages(tg) if "shoulder blade" in m["text"])


# -- /unanswered and "Add to" ---------------------------------------------------------------


async def test_add_to_a_topic_teaches_the_bot_keeps_comments_and_undo_restores_bytes(
    settings: Settings, store: Store
) -> None:
    async with live_bot(settings, store) as (bot, live):
        for question in SHOULDER:
            assert live.engine.respond(question, ChatState()).kind.value in {"fallback", "suggest"}
        await ask_unanswered(bot, *SHOULDER)
        group = shoulder_group(bot.tg)
        labels = [b["text"] for b in bot.tg.keyboard(group)]
        assert 2 <= len(labels) <= 5 and labels[-2:] == ["Not on the page", "Ignore"]
        assert all(label.startswith("Add to ") for label in labels[:-2])
        assert all(len(b["callback_data"].encode()) <= 64 for b in bot.tg.keyboard(group))
        add = bot.tg.keyboard(group)[0]
        title = add["text"].removeprefix("Add to ")
        topic = next(t for t in live.engine.knowledge.topics if t.title == title)
        topic_file = settings.knowledge_dir / "topics" / f"{topic.id}.yaml"
        original = topic_file.read_bytes()
        comments = comment_lines(topic_file)

        bot.tg.press(group, add["callback_data"])
        await bot.deliver()
        done = bot.tg.sent_to(ADMIN)[-1]["text"]
        assert done.startswith(f'Added to "{title}"') and "Live now" in done
        assert not bot.tg.keyboard(group)  # its buttons are gone: no second tap
        # The file: the questions are phrasings, every comment is still there, `check` is clean.
        assert comment_lines(topic_file) == comments
        phrasings = yaml.safe_load(topic_file.read_text(encoding="utf-8"))["phrasings"]
        assert {
            "can acupuncture fix my sore shoulder blade",
            "could acupuncture fix a sore shoulder blade",
        } <= set(phrasings)
        assert topic_file.read_bytes().startswith(original.split(b"\nphrasings:")[0])
        assert check_knowledge(settings.knowledge_dir) == []
        # The bot answers them with that topic at once.
        bot.tg.send_text(OTHER_PATIENT, SHOULDER[0])
        await bot.deliver()
        reply = live.engine.respond(SHOULDER[0], ChatState())
        assert (reply.kind.value, reply.topic_id) == ("answer", topic.id)
        assert live.engine.respond(SHOULDER[1], ChatState()).topic_id == topic.id
        answer_start = _plain(live.engine.knowledge.topic(topic.id).answer)[:60]
        assert answer_start in " ".join(m["text"] for m in bot.tg.sent_to(OTHER_PATIENT))

        # Answered now, so no longer in the list; back after /undo.
        bot.tg.send_text(ADMIN, "/unanswered")
        await bot.deliver()
        assert bot.tg.sent_to(ADMIN)[-1]["text"] == "No unanswered questions in this period."

        bot.tg.send_text(ADMIN, "/changes")
        bot.tg.send_text(ADMIN, "/undo")
        await bot.deliver()
        changes, undone = (m["text"] for m in bot.tg.sent_to(ADMIN)[-2:])
        assert f"added 2 phrasings to topic {topic.id}" in changes and "admin " in changes
        assert str(ADMIN) not in changes  # a pseudonymous key, not the chat id
        assert undone.startswith(f"Undid #1: added 2 phrasings to topic {topic.id}")
        assert topic_file.read_bytes() == original  # byte for byte
        assert live.engine.respond(SHOULDER[0], ChatState()).kind.value != "answer"
        bot.tg.send_text(ADMIN, "/undo")  # nothing more to undo
        await bot.deliver()
        assert bot.tg.sent_to(ADMIN)[-1]["text"] == "There is no change to undo."
        bot.tg.send_text(ADMIN, "/unanswered")
        await bot.deliver()
        assert "shoulder blade" in bot.tg.sent_to(ADMIN)[-1]["text"]
    log = (settings.knowledge_dir / ".history" / "changes.log").read_text(encoding="utf-8")
    assert len(log.splitlines()) == 2 and "undid #1" in log


async def test_add_to_teaches_questions_that_held_a_name_without_the_name(
    settings: Settings, store: Store
) -> None:
    """The store masked the names; one tap still teaches the questions, and neither a name
    nor a mask reaches the knowledge folder."""
    named = (
        "Hi, I'm Margaret. can acupuncture fix my sore shoulder blade?",
        "my name is Priyanka, could acupuncture fix a sore shoulder blade? thanks Priyanka",
    )
    async with live_bot(settings, store) as (bot, live):
        await ask_unanswered(bot, *named)
        group = shoulder_group(bot.tg)
        add = bot.tg.keyboard(group)[0]
        title = add["text"].removeprefix("Add to ")
        topic = next(t for t in live.engine.knowledge.topics if t.title == title)
        bot.tg.press(group, add["callback_data"])
        await bot.deliver()
        assert bot.tg.sent_to(ADMIN)[-1]["text"].startswith(f'Added to "{title}"')
        topic_file = settings.knowledge_dir / "topics" / f"{topic.id}.yaml"
        phrasings = yaml.safe_load(topic_file.read_text(encoding="utf-8"))["phrasings"]
        assert {
            "can acupuncture fix my sore shoulder blade",
            "could acupuncture fix a sore shoulder blade",
        } <= set(phrasings)
        for path in settings.knowledge_dir.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for needle in (b"[name]", b"Margaret", b"Priyanka"):
                    assert needle not in data, (path, needle)


async def test_not_on_page_adds_to_a_new_or_the_closest_gap(
    settings: Settings, store: Store
) -> None:
    async with live_bot(settings, store) as (bot, live):
        await ask_unanswered(bot, *SHOULDER)
        group = shoulder_group(bot.tg)
        gaps_file = settings.knowledge_dir / "not_on_page.yaml"
        comments = comment_lines(gaps_file)
        bot.tg.press(group, button(bot.tg, group, "Not on the page")["callback_data"])
        await bot.deliver()
        done = bot.tg.sent_to(ADMIN)[-1]["text"]
        assert done.startswith("Added to the gap")
        gaps = yaml.safe_load(gaps_file.read_text(encoding="utf-8"))["gaps"]
        added = next(g for g in gaps if SHOULDER[0] in g["phrasings"])
        assert f'"{added["id"]}"' in done
        assert comment_lines(gaps_file) == comments
        assert check_knowledge(settings.knowledge_dir) == []
        reply = live.engine.respond(SHOULDER[0], ChatState())
        assert reply.kind.value == "fallback"  # now a known gap: said kindly, never answered


async def test_ignore_hides_a_group_from_later_lists_and_keeps_no_text(
    settings: Settings, store: Store
) -> None:
    async with live_bot(settings, store) as (bot, _live):
        await ask_unanswered(bot, *SHOULDER, "can my husband come in with me")
        group = shoulder_group(bot.tg)
        bot.tg.press(group, button(bot.tg, group, "Ignore")["callback_data"])
        await bot.deliver()
        before = len(bot.tg.sent_to(ADMIN))
        bot.tg.send_text(ADMIN, "/unanswered")
        await bot.deliver()
    assert "will not show" in next(
        m["text"] for m in bot.tg.sent_to(ADMIN) if m["text"].startswith("Ignored")
    )
    later = [m for m in bot.tg.sent_to(ADMIN)[before:] if bot.tg.keyboard(m)]
    assert later and not any("shoulder" in m["text"] for m in later)
    with sqlite3.connect(settings.database_path) as conn:
        kept = conn.execute("SELECT key FROM ignored_unanswered").fetchall()
    assert len(kept) == 2 and all("shoulder" not in key for (key,) in kept)


async def test_a_stale_or_unknown_group_id_changes_nothing(
    settings: Settings, store: Store
) -> None:
    async with live_bot(settings, store) as (bot, live):
        groups = await ask_unanswered(bot, *SHOULDER)
        before = {p: p.read_bytes() for p in settings.knowledge_dir.rglob("*.yaml")}
        bot.tg.press(groups[0], "adm:add:0123456789:0")
        bot.tg.press(groups[0], "adm:add")
        await bot.deliver()
    assert {p: p.read_bytes() for p in settings.knowledge_dir.rglob("*.yaml")} == before
    assert live.version == 1


async def test_nobody_else_can_tap_send_files_or_use_the_new_commands(
    settings: Settings, store: Store
) -> None:
    async with live_bot(settings, store) as (bot, live):
        groups = await ask_unanswered(bot, *SHOULDER)
        data = [b["callback_data"] for b in bot.tg.keyboard(groups[0])]
        before = {p: p.read_bytes() for p in settings.knowledge_dir.rglob("*") if p.is_file()}
        # A patient forges each button the admin saw, under a message of their own.
        own = bot.tg.sent_to(PATIENT)[0]
        for callback in data:
            bot.tg.press(own, callback)
        bot.tg.send_document(PATIENT, "cost.yaml", b"id: cost\ntitle: Hacked\n")
        for command in ("/undo", "/export", "/report", "/changes"):
            bot.tg.send_text(PATIENT, command)
        await bot.deliver()
        with sqlite3.connect(settings.database_path) as conn:
            assert conn.execute("SELECT COUNT(*) FROM ignored_unanswered").fetchone() == (0,)
    assert {p: p.read_bytes() for p in settings.knowledge_dir.rglob("*") if p.is_file()} == before
    assert live.version == 1 and not bot.tg.documents and not bot.tg.downloads
    replies = [m["text"] for m in bot.tg.sent_to(PATIENT)[2:]]
    engine = live.engine
    expected_unknown = engine.answer_topic(data[0], ChatState()).text
    assert replies[: len(data)] == [_plain(expected_unknown)] * len(data)
    assert replies[len(data)] == _plain(engine.not_text().text)  # the ordinary kind reply
    assert set(replies[len(data) + 1 :]) == {_plain(engine.help().text)}


def _plain(html_text: str) -> str:
    from tests.telegram.fake_api import visible_text

    return visible_text(html_text, "HTML")


# -- knowledge files as documents -----------------------------------------------------------


async def test_a_broken_file_is_refused_with_its_lines_and_a_good_one_installed(
    settings: Settings, store: Store
) -> None:
    async with live_bot(settings, store) as (bot, live):
        cost = settings.knowledge_dir / "topics" / "cost.yaml"
        original = cost.read_bytes()
        broken = original.replace(b"title: Cost-effectiveness", b"titel: Cost-effectiveness", 1)
        bot.tg.send_document(ADMIN, "cost.yaml", broken, caption="fixed the title")
        await bot.deliver()
        refused = bot.tg.sent_to(ADMIN)[-1]["text"]
        assert cost.read_bytes() == original and live.version == 1
        line = original.split(b"\n").index(b"title: Cost-effectiveness") + 1
        assert f"knowledge/topics/cost.yaml:{line}: " in refused.replace(
            str(settings.knowledge_dir.parent) + "/", ""
        )
        assert " - " in refused.splitlines()[1]  # what is wrong - how to fix it

        better = original.replace(b"title: Cost-effectiveness", b"title: Value for money", 1)
        bot.tg.send_document(ADMIN, "cost.yaml", better)
        await bot.deliver()
        assert bot.tg.sent_to(ADMIN)[-1]["text"].startswith("Installed: replaced topics/cost.yaml")
        assert cost.read_bytes() == better
        assert live.engine.knowledge.topic("cost").title == "Value for money"
        bot.tg.send_text(ADMIN, "/undo")
        await bot.deliver()
        assert cost.read_bytes() == original
        assert live.engine.knowledge.topic("cost").title == "Cost-effectiveness"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("notes.pdf", b"%PDF-1.4", "is not a .yaml file"),
        ("photo.jpg", b"\xff\xd8\xff", "is not a .yaml file"),
        ("cost.yaml", b"\xff\xfe\x00binary", "not UTF-8"),
        ("cost.yaml", b"x" * 300_000, "too large"),
        ("knowledge.zip", b"PK" + b"\0" * (2 * 1024 * 1024), "too large"),
    ],
)
async def test_what_is_not_a_knowledge_file_is_refused_clearly(
    settings: Settings, store: Store, name: str, content: bytes, says: str
) -> None:
    async with live_bot(settings, store) as (bot, live):
        before = {p: p.read_bytes() for p in settings.knowledge_dir.rglob("*") if p.is_file()}
        bot.tg.send_document(ADMIN, name, content)
        await bot.deliver()
        if says == "too large" or "yaml" in says:
            assert not bot.tg.downloads  # refused before it was fetched
    assert says in bot.tg.sent_to(ADMIN)[-1]["text"]
    assert {p: p.read_bytes() for p in settings.knowledge_dir.rglob("*") if p.is_file()} == before
    assert live.version == 1


async def test_export_then_a_zip_back_installs_the_folder(settings: Settings, store: Store) -> None:
    async with live_bot(settings, store) as (bot, live):
        bot.tg.send_text(ADMIN, "/export")
        await bot.deliver()
        (export,) = bot.tg.documents
        assert export["document"]["file_name"].endswith(".zip")
        with zipfile.ZipFile(io.BytesIO(export["content"])) as archive:
            files = {i.filename: archive.read(i) for i in archive.infolist()}
        assert (
            files["knowledge/clinic.yaml"] == (settings.knowledge_dir / "clinic.yaml").read_bytes()
        )
        assert not any(".history" in name for name in files)
        # Edit one topic and remove another, then send the zip back.
        files["knowledge/topics/cost.yaml"] = files["knowledge/topics/cost.yaml"].replace(
            b"  - is it cost effective\n",
            b"  - is it cost effective\n  - is it a bargain over a year\n",
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in files.items():
                archive.writestr(name, content)
        bot.tg.send_document(ADMIN, "knowledge.zip", buffer.getvalue())
        await bot.deliver()
        assert bot.tg.sent_to(ADMIN)[-1]["text"].startswith(
            "Installed: installed a zip: 1 file(s) changed"
        )
        assert live.engine.respond("is it a bargain over a year", ChatState()).topic_id == "cost"


def _zip(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("entries", "symlink", "says"),
    [
        ({"clinic.yaml": b"x: 1", "../evil.yaml": b"x: 1"}, None, "unsafe path"),
        ({"clinic.yaml": b"x: 1", "/etc/cron.d/evil.yaml": b"x: 1"}, None, "unsafe path"),
        ({"clinic.yaml": b"x: 1"}, "topics/link.yaml", "holds a link"),
        ({"clinic.yaml": b"x: 1", "topics/a.sh": b"rm -rf /"}, None, "not a .yaml file"),
        ({"clinic.yaml": b"a: " + b"0" * 250_000}, None, "suspiciously compressed"),
        ({"topics/cost.yaml": b"id: cost"}, None, "has no clinic.yaml"),
        ({"clinic.yaml": b"clinic: [broken"}, None, "clinic.yaml:1:"),
    ],
)
async def test_unsafe_or_broken_zips_are_refused_and_change_nothing(
    settings: Settings, store: Store, entries: dict[str, bytes], symlink: str | None, says: str
) -> None:
    async with live_bot(settings, store) as (bot, live):
        before = {p: p.read_bytes() for p in settings.knowledge_dir.rglob("*") if p.is_file()}
        bot.tg.send_document(ADMIN, "knowledge.zip", _zip(entries, symlink=symlink))
        await bot.deliver()
    assert says in bot.tg.sent_to(ADMIN)[-1]["text"]
    assert {p: p.read_bytes() for p in settings.knowledge_dir.rglob("*") if p.is_file()} == before
    assert not (settings.knowledge_dir.parent / "evil.yaml").exists()
    assert live.version == 1


async def test_report_arrives_as_a_web_page(settings: Settings, store: Store) -> None:
    async with live_bot(settings, store) as (bot, _live):
        await ask_unanswered(bot, *SHOULDER)
        bot.tg.send_text(ADMIN, "/report 7")
        await bot.deliver()
    (page,) = bot.tg.documents
    assert page["document"]["file_name"].endswith(".html")
    text = page["content"].decode("utf-8")
    assert text.startswith("<!DOCTYPE html>") and "shoulder blade" in text


def test_admin_module_only_translates() -> None:
    """admin.py imports the practitioner's services, never the store's SQL or the YAML."""
    source = Path(admin.__file__).read_text(encoding="utf-8")
    assert "import sqlite3" not in source and "import yaml" not in source
