"""The README's worked examples do what it says they do."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.conversation import Engine
from bot.core.loader import check_knowledge
from bot.core.reply import Kind

ROOT = Path(__file__).resolve().parents[1]


def test_the_new_way_of_asking_example_is_not_answered_until_it_is_added(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### Worked example: a new way of asking", 1)[1].split("####", 1)[0]
    question = re.search(r'writing "([^"]+)"', section.replace("\n", " "))
    file = re.search(r"Open `knowledge/(topics/[a-z-]+\.yaml)`", section)
    phrasing = re.search(r"phrasings:\n  - (.+)\n", section)
    assert question and file and phrasing
    asked = question.group(1).rstrip("?")
    assert Engine.from_directory(DEFAULT_KNOWLEDGE_DIR).respond(asked).kind is not Kind.ANSWER

    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    topic = knowledge / file.group(1)
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace("phrasings:\n", f"phrasings:\n  - {phrasing.group(1)}\n"))
    assert check_knowledge(knowledge) == []
    reply = Engine.from_directory(knowledge).respond(asked)
    assert (reply.kind, reply.topic_id) == (Kind.ANSWER, topic.stem)
