"""Questions whose names, numbers or e-mails the store masked are still taught, without the
masks: the question itself becomes the phrasing, and no mask becomes an id, a title or a
reason to group two questions."""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.loader import load_knowledge
from bot.practitioner.grouping import group_unanswered
from bot.practitioner.knowledge_edits import EditRefused, KnowledgeEditor
from bot.practitioner.proposals import question_part, usable_phrasings
from bot.practitioner.unmasked import without_masked
from bot.store import UnansweredRow
from bot.store.masking import stored_text

sys.path.insert(0, str(Path(__file__).parent))
from seeded import clinic_knowledge

AT = datetime(2026, 3, 1, tzinfo=UTC)
MASK_WORDS = ("name", "number", "email", "username", "[")


def rows(*texts: str) -> list[UnansweredRow]:
    return [
        UnansweredRow(AT + timedelta(minutes=n), "fallback", text, 10, (), f"asker{n}")
        for n, text in enumerate(texts)
    ]


@pytest.mark.parametrize(
    ("typed", "question"),
    [
        ("Hi, I'm Margaret. Do you treat sciatica?", "do you treat sciatica"),
        ("hi im Priya, do you treat sciatica?", "do you treat sciatica"),
        (
            "My name is John and I have sciatica, do you treat it?",
            "i have sciatica, do you treat it",
        ),
        ("do you treat sciatica? thanks Sue", "do you treat sciatica"),
        ("Do you treat sciatica? Call me on 07700 900123", "do you treat sciatica"),
        ("Can you help with sciatica?\nRegards,\nJohn Smith", "can you help with sciatica"),
        ("do you treat sciatica, my email is jo@example.com", "do you treat sciatica"),
    ],
)
def test_the_question_is_taught_without_the_masked_parts(typed: str, question: str) -> None:
    stored = stored_text(typed)
    assert "[" in stored  # the store did mask something: this is the case under test
    assert question_part(stored) == question
    assert usable_phrasings([stored], set()) == [question]


def test_a_sentence_that_is_only_about_a_masked_detail_gives_nothing() -> None:
    assert without_masked("Can [name] come with me?") == ""
    assert usable_phrasings(["Can [name] come with me?"], set()) == []


def test_add_to_teaches_a_masked_question_and_writes_no_mask(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, folder)
    editor = KnowledgeEditor(folder, clock=lambda: AT)
    typed = stored_text("Hi, I'm Margaret. Do you take walk in patients without booking?")
    editor.add_phrasings("booking", [typed], "admin x")
    topic = load_knowledge(folder).topic("booking")
    assert topic is not None
    assert "do you take walk in patients without booking" in topic.phrasings
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"[name]" not in data and b"Margaret" not in data, path


def test_nothing_to_add_says_the_true_reason(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, folder)
    editor = KnowledgeEditor(folder, clock=lambda: AT)
    with pytest.raises(EditRefused) as masked_only:
        editor.add_phrasings("booking", ["Can [name] come with me?"], "admin x")
    assert "hidden name" in str(masked_only.value)
    assert "already in the knowledge" not in str(masked_only.value)
    known = load_knowledge(folder).topic("booking")
    assert known is not None
    with pytest.raises(EditRefused) as already:
        editor.add_phrasings("booking", [f"Hi, I'm [name]. {known.phrasings[0]}?"], "admin x")
    assert "already in the knowledge" in str(already.value)
    assert "hidden" not in str(already.value)


def test_mask_words_never_name_a_new_topic() -> None:
    asked = rows(
        stored_text("hi im Margaret, do you treat dogs"),
        stored_text("my name is Priya do you treat dogs"),
    )
    groups = group_unanswered(asked, clinic_knowledge())
    assert len(groups) == 1
    proposal = groups[0].proposal
    assert proposal is not None and proposal.action == "new-topic"
    stub = yaml.safe_load(proposal.yaml.split("\n", 1)[1].replace("answer:   #", "answer: #"))
    for word in MASK_WORDS:
        assert word not in stub["id"] and word not in stub["title"].lower(), stub
        assert all(word not in p for p in stub["phrasings"]), stub
    assert "dogs" in stub["id"]


def test_my_name_is_is_no_reason_to_group_questions() -> None:
    asked = rows(
        stored_text("my name is Margaret, do you do home visits"),
        stored_text("my name is Priya, what should i wear to the appointment"),
        stored_text("hi, I'm Sue, do you treat dogs"),
    )
    groups = group_unanswered(asked, clinic_knowledge())
    assert [len(g.questions) for g in groups] == [1, 1, 1], [g.questions for g in groups]
