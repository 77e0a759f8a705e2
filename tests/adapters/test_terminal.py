"""The terminal chat: numbered buttons, commands, piped input, the same engine as Telegram."""

from __future__ import annotations

import io
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.adapters.terminal import TerminalChat
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.conversation import PATIENT_COMMANDS, Engine
from bot.core.markup import to_plain
from bot.store import Store, open_store

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


# -- the same commands as Telegram ----------------------------------------------------------


def recording_chat(engine: Engine, tmp_path: Path) -> tuple[TerminalChat, io.StringIO, Store]:
    settings = Settings(data_dir=tmp_path, database_path=tmp_path / "rehearsal.sqlite3")
    store = open_store(settings)
    assert store.available
    out = io.StringIO()
    chat = TerminalChat(lambda: engine, out, prompts=False, store=store, retention_days=17)
    return chat, out, store


def test_help_offers_only_commands_the_terminal_has(engine: Engine) -> None:
    offered = set(re.findall(r"/([a-z]+)", engine.knowledge.messages.help))
    assert {"privacy", "topics", "book"} <= offered
    assert offered <= set(PATIENT_COMMANDS)
    chat = TerminalChat(lambda: engine, io.StringIO(), prompts=False)
    for name in offered - {"help"}:
        reply = chat.handle(f"/{name}")
        assert reply is not None and reply.text != engine.help().text, f"/{name} unknown here"


def test_privacy_and_forget_in_the_terminal(engine: Engine, tmp_path: Path) -> None:
    chat, out, store = recording_chat(engine, tmp_path)
    chat.show(chat.handle("does the clinic keep a parrot named zorblax") or engine.help())
    assert len(store.unanswered(1)) == 1  # recorded like the live bot records it
    chat.show(chat.handle("/privacy") or engine.help())
    assert to_plain(engine.privacy(17).text).strip() in out.getvalue()  # its real retention
    assert f"This rehearsal is recorded in {tmp_path / 'rehearsal.sqlite3'}" in out.getvalue()
    chat.show(chat.handle("/forget") or engine.help())
    assert to_plain(engine.forgotten(1).text) in out.getvalue()
    assert store.unanswered(1) == []
    store.close()


def test_privacy_and_forget_without_recording_keep_nothing(engine: Engine) -> None:
    text = run_chat(engine, ["how many sessions", "/privacy", "/forget"])
    assert "Your privacy" in text
    assert "This terminal chat keeps nothing" in text  # true of this chat, not only of Telegram
    assert to_plain(engine.forgotten(0).text) in text


def test_feedback_buttons_work_in_the_terminal(engine: Engine, tmp_path: Path) -> None:
    chat, out, store = recording_chat(engine, tmp_path)
    answer = chat.handle("how many sessions will i need")
    assert answer is not None
    chat.show(answer)
    no = next(n for n, b in enumerate(chat.choices, 1) if b and b.value.endswith(":no"))
    chat.show(chat.handle(str(no)) or engine.help())
    printed = out.getvalue()
    assert f"({to_plain(engine.knowledge.messages.feedback_thanks)})" in printed
    assert to_plain(engine.not_helpful().text).strip() in printed
    topic = next(t for t in store.stats(1).feedback if t.topic_id == "how-many-sessions")
    assert (topic.helpful, topic.not_helpful) == (0, 1)
    chat.show(answer)  # the answer again, as scrolled back to: its buttons a fresh answer's
    yes = next(n for n, b in enumerate(chat.choices, 1) if b and b.value.endswith(":yes"))
    chat.show(chat.handle(str(yes)) or engine.help())
    assert chat.handle(str(yes)) is None  # taken away after a tap, like on Telegram
    assert "That button has been used" in out.getvalue()
    store.close()


# -- a real `python -m bot chat` process ----------------------------------------------------


class ChatProcess:
    """`python -m bot chat` fed through a pipe; its output read line by line as it comes."""

    def __init__(self, *args: str, env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=cwd,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def say(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def mark(self) -> int:
        """A point in the output; `wait_for(..., since=mark)` looks only after it."""
        return len("".join(self.seen))

    def wait_for(self, needle: str, timeout: float, since: int = 0) -> bool:
        """True once `needle` has appeared in the output (after `since`)."""
        deadline = time.monotonic() + timeout
        while needle not in "".join(self.seen)[since:]:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                self.seen.append(self.lines.get(timeout=left))
            except queue.Empty:
                return False
        return True

    def close(self) -> str:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return "".join(self.seen)


def chat_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "DATA"))}
    env.update({"DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}, **extra)
    env.pop("DATABASE_PATH", None)
    env.pop("REHEARSAL_DATABASE_PATH", None)
    return env


def test_the_chat_follows_edits_within_5_seconds_and_survives_a_broken_one(
    tmp_path: Path,
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge)
    question = "does the clinic keep a parrot named zorblax"
    # The shipped reload interval: what a practitioner rehearsing gets.
    chat = ChatProcess("--knowledge", str(knowledge), env=chat_env(tmp_path), cwd=tmp_path)
    try:
        chat.say(question)
        assert chat.wait_for("Sorry, I don't have an answer", timeout=60)  # not known yet
        cost = knowledge / "topics" / "cost.yaml"
        cost.write_text(
            cost.read_text(encoding="utf-8").replace(
                "phrasings:\n", f"phrasings:\n  - {question}\n"
            ),
            encoding="utf-8",
        )
        edited, mark = time.monotonic(), chat.mark()
        answered = None
        while time.monotonic() - edited < 5:
            chat.say(question)
            if chat.wait_for("more cost-effective treatment", timeout=0.5, since=mark):
                answered = time.monotonic() - edited
                break
        assert answered is not None, "the edit was not answered within 5 s"
        assert chat.wait_for("[knowledge] Edit loaded", timeout=5)

        # Without typing anything, the watcher in the background picks up the next edit too.
        booking = knowledge / "topics" / "booking.yaml"
        booking.write_text(
            booking.read_text(encoding="utf-8").replace(
                "phrasings:\n", "phrasings:\n  - can i book for my uncle zorblax\n"
            ),
            encoding="utf-8",
        )
        assert chat.wait_for("version 3 answers from now on", timeout=10)

        # A broken edit: reported in the chat with its file and line; the last good answers stay.
        (knowledge / "topics" / "benefits.yaml").write_text("id: benefits\ntitle: [oops\n")
        assert chat.wait_for("was NOT loaded", timeout=10)
        assert chat.wait_for("benefits.yaml:", timeout=1)
        mark = chat.mark()
        chat.say(question)
        assert chat.wait_for("more cost-effective treatment", timeout=10, since=mark)
    finally:
        output = chat.close()
    assert "Traceback" not in output
    assert chat.proc.returncode == 0


def test_a_recorded_rehearsal_feeds_the_report(tmp_path: Path) -> None:
    env = chat_env(tmp_path)
    rehearsal = tmp_path / "data" / "rehearsal.sqlite3"
    empty = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--rehearsal"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=True,
    )
    assert f"Database: {rehearsal}" in empty.stdout
    assert "python -m bot chat --record" in empty.stdout  # how to fill it

    chat = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--record"],
        input="does the clinic keep a parrot named zorblax\nhow many sessions will i need\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=True,
    )
    assert f"recording to {rehearsal}" in chat.stdout
    report = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--rehearsal"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=True,
    )
    assert f"Database: {rehearsal}" in report.stdout
    assert "zorblax" in report.stdout
    assert not (tmp_path / "data" / "clinic-bot.sqlite3").exists(), "the live database is untouched"
    live = subprocess.run(
        [sys.executable, "-m", "bot", "report"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=True,
    )
    assert "zorblax" not in live.stdout and "no database at" in live.stdout
