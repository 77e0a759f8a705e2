"""The practitioner teaching the bot from Telegram, end to end: `python -m bot run` against
the fake Bot API on 127.0.0.1, with its own knowledge folder and database.

An admin's /unanswered, a tap on "Add to ...", patients then answered with that topic, the
YAML file's comments all still there, `python -m bot check` clean, /undo restoring the file
byte for byte; a broken file sent as a document refused with its file:line messages and a
good one installed; a patient's document and forged taps changing nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.render import render
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.conversation import ChatState, Engine
from tests.telegram.bot_process import PROJECT_ROOT, BotProcess, bot_environment
from tests.telegram.fake_api import FakeTelegram

ADMIN = 515151
PATIENT = 731955301
OTHER_PATIENT = 731955302
SHOULDER = (
    "can acupuncture fix my sore shoulder blade",
    "could acupuncture fix a sore shoulder blade?",
)


@dataclass
class Clinic:
    tg: FakeTelegram
    bot: BotProcess
    knowledge: Path

    def snapshot(self) -> dict[Path, bytes]:
        """Every file of the knowledge folder (its history included) and its bytes."""
        return {p: p.read_bytes() for p in sorted(self.knowledge.rglob("*")) if p.is_file()}


@pytest.fixture
async def clinic(fake_tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[Clinic]:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    fake_tg.chat(ADMIN)
    env = bot_environment(
        fake_tg,
        KNOWLEDGE_DIR=str(knowledge),
        DATA_DIR=str(tmp_path / "data"),
        ADMIN_CHAT_IDS=str(ADMIN),
        RELOAD_INTERVAL_SECONDS="1",
    )
    bot = await BotProcess(env).start()
    try:
        await bot.wait_until_polling(fake_tg)
        yield Clinic(fake_tg, bot, knowledge)
    finally:
        await bot.kill()


async def send(tg: FakeTelegram, chat_id: int, replies: int, action: Any) -> list[dict[str, Any]]:
    """Do `action()` (a message, a file, a tap) and wait for `replies` more messages."""
    before = len(tg.sent_to(chat_id))
    action()
    await tg.wait_sent(chat_id, before + replies, timeout=20)
    return tg.sent_to(chat_id)[before:]


def comments(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if "#" in line]


def check(knowledge: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot check`, as the practitioner runs it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", "--knowledge", str(knowledge)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=False,
    )


async def test_an_admin_teaches_the_bot_with_one_tap_and_undoes_it(clinic: Clinic) -> None:
    tg = clinic.tg
    for question in SHOULDER:
        await send(tg, PATIENT, 1, lambda q=question: tg.send_text(PATIENT, q))
    first = await send(tg, ADMIN, 2, lambda: tg.send_text(ADMIN, "/unanswered"))
    assert first[0]["text"].startswith("Unanswered questions, last 30 days: 2 in 1 groups")
    group = first[1]
    assert "shoulder blade" in group["text"]
    add = tg.keyboard(group)[0]
    assert add["text"].startswith("Add to ")
    title = add["text"].removeprefix("Add to ")
    topic = next(
        t for t in Engine.from_directory(clinic.knowledge).knowledge.topics if t.title == title
    )
    topic_file = clinic.knowledge / "topics" / f"{topic.id}.yaml"
    original, original_comments = topic_file.read_bytes(), comments(topic_file)

    (done,) = await send(tg, ADMIN, 1, lambda: tg.press(group, add["callback_data"]))
    assert done["text"].startswith(f'Added to "{title}"') and "Live now" in done["text"]
    # The patients' question is answered with that topic, straight away.
    (answer, *_rest) = await send(
        tg, OTHER_PATIENT, 1, lambda: tg.send_text(OTHER_PATIENT, SHOULDER[0])
    )
    expected = render(Engine.from_directory(clinic.knowledge).respond(SHOULDER[0], ChatState()))[0]
    assert answer["html"] == expected.text
    reply = Engine.from_directory(clinic.knowledge).respond(SHOULDER[1], ChatState())
    assert (reply.kind.value, reply.topic_id) == ("answer", topic.id)
    assert comments(topic_file) == original_comments
    checked = check(clinic.knowledge)
    assert checked.returncode == 0 and "no problems found" in checked.stdout, checked.stdout

    (undone,) = await send(tg, ADMIN, 1, lambda: tg.send_text(ADMIN, "/undo"))
    assert undone["text"].startswith(f"Undid #1: added 2 phrasings to topic {topic.id}")
    assert topic_file.read_bytes() == original
    (after,) = await send(tg, OTHER_PATIENT, 1, lambda: tg.send_text(OTHER_PATIENT, SHOULDER[0]))
    assert after["html"] != expected.text  # not answered from that topic any more


async def test_knowledge_files_by_document_refused_or_installed(clinic: Clinic) -> None:
    tg = clinic.tg
    cost = clinic.knowledge / "topics" / "cost.yaml"
    original = cost.read_bytes()
    broken = original.replace(b"title: Cost-effectiveness", b"titel: Cost-effectiveness", 1)
    line = original.split(b"\n").index(b"title: Cost-effectiveness") + 1
    (refused,) = await send(tg, ADMIN, 1, lambda: tg.send_document(ADMIN, "cost.yaml", broken))
    assert refused["text"].startswith("Not changed:")
    assert f"knowledge/topics/cost.yaml:{line}: unknown key 'titel'" in refused["text"]
    assert "- did you mean 'title'?" in refused["text"]
    assert cost.read_bytes() == original and tg.downloads

    good = original.replace(b"title: Cost-effectiveness", b"title: Value for money", 1)
    (installed,) = await send(tg, ADMIN, 1, lambda: tg.send_document(ADMIN, "cost.yaml", good))
    assert installed["text"].startswith("Installed: replaced topics/cost.yaml")
    assert cost.read_bytes() == good
    (topics,) = await send(tg, PATIENT, 1, lambda: tg.send_text(PATIENT, "/topics"))
    assert "Value for money" in [b["text"] for b in tg.keyboard(topics)]
    assert check(clinic.knowledge).returncode == 0


async def test_a_patients_document_and_forged_taps_change_nothing(clinic: Clinic) -> None:
    tg = clinic.tg
    await send(tg, PATIENT, 1, lambda: tg.send_text(PATIENT, SHOULDER[0]))
    (_, group) = await send(tg, ADMIN, 2, lambda: tg.send_text(ADMIN, "/unanswered"))
    before = clinic.snapshot()
    own = tg.sent_to(PATIENT)[0]
    hacked = (clinic.knowledge / "topics" / "cost.yaml").read_bytes().replace(b"Cost", b"Hacked")
    engine = Engine.from_directory(clinic.knowledge)
    (refusal,) = await send(tg, PATIENT, 1, lambda: tg.send_document(PATIENT, "cost.yaml", hacked))
    assert refusal["html"] == render(engine.not_text())[0].text  # the ordinary kind reply
    for button in tg.keyboard(group):
        data = button["callback_data"]
        (reply,) = await send(tg, PATIENT, 1, lambda d=data: tg.press(own, d))
        assert reply["html"] == render(engine.answer_topic(data, ChatState()))[0].text
    (unknown,) = await send(tg, PATIENT, 1, lambda: tg.send_text(PATIENT, "/undo"))
    assert unknown["html"] == render(engine.help())[0].text
    assert clinic.snapshot() == before
    assert not tg.downloads and not tg.documents
    # The tapped group is still there for the admin, buttons and all.
    assert tg.keyboard(group)
