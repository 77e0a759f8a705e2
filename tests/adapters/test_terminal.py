"""The terminal chat: numbered buttons, commands, piped input, the same engine as Telegram."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.terminal import TerminalChat
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.conversation import Engine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_directory(DEFAULT_KNOWLEDGE_DIR)


def run_chat(engine: Engine, lines: list[str], prompts: bool = False) -> str:
    out = io.StringIO()
    TerminalChat(lambda: engine, out, prompts=prompts).run(io.StringIO("\n".join(lines) + "\n"))
    return out.getvalue()


def test_question_then_pressing_a_numbered_button(engine: Engine) -> None:
    chat = TerminalChat(lambda: engine, io.StringIO(), prompts=False)
    first = chat.handle("how many sessions will i need")
    assert first is not None and first.topic_id == "how-many-sessions"
    chat.show(first)
    topic_buttons = [n for n, b in enumerate(chat.choices, 1) if b.action == "topic"]
    assert topic_buttons, "an answer offers related topics"
    pressed = chat.handle(str(topic_buttons[0]))
    assert pressed is not None
    assert pressed.topic_id == chat.choices[topic_buttons[0] - 1].value


def test_link_buttons_print_the_link(engine: Engine) -> None:
    out = io.StringIO()
    chat = TerminalChat(lambda: engine, out, prompts=False)
    chat.show(engine.booking())
    assert chat.handle("1") is None
    assert engine.knowledge.clinic.booking_url in out.getvalue()


def test_commands_and_quit(engine: Engine) -> None:
    text = run_chat(engine, ["/book", "/about", "/quit", "how many sessions"])
    assert engine.knowledge.clinic.booking_url in text
    assert "Rick Mudie" in text
    assert "1 to 2 weeks" not in text, "nothing is answered after /quit"


def test_interactive_mode_greets_and_prompts(engine: Engine) -> None:
    text = run_chat(engine, ["hello"], prompts=True)
    assert text.startswith("Terminal chat")
    assert "you> " in text
    assert "Rick Mudie" in text


def test_piped_chat_command_end_to_end() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="how many sessions will i need\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert "1 to 2 weeks" in proc.stdout
    assert "Book an appointment" in proc.stdout
    assert "you>" not in proc.stdout, "no prompts when input is piped"
