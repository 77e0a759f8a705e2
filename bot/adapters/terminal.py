"""A terminal chat on the same engine as Telegram: the practitioner's rehearsal, no token needed.

Typed lines become the core's events (free text, /commands, a number pressing a button) and
`Engine.handle` answers them, exactly as on Telegram: the same commands, the same replies,
/privacy and /forget included. Buttons are shown as numbered choices. The knowledge folder is
watched while the chat runs, like the Telegram bot does: a good edit answers from the next
message on, a broken one is reported here and the last good version keeps answering. With
`--record`, the chat is recorded like the live bot's, in a separate rehearsal database, so
`python -m bot report --rehearsal` can be tried before going live. When standard input is
not a terminal (piped), there are no prompts and each reply is printed as it comes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from bot.adapters.chat_records import StoreChatRecords
from bot.config import Settings
from bot.core.conversation import ChatState, Engine
from bot.core.events import Command, Event, Tap, Text, recorded_text
from bot.core.live import LiveEngine, ReloadResult, content_digest
from bot.core.markup import to_plain
from bot.core.reply import ACTION_FEEDBACK, Button, Reply
from bot.store import NullStore, SentAnswer, SQLiteStore, Store, open_store

QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit"})
TERMINAL_CHAT_ID = 1  # the rehearsal's one chat (kept under a pseudonymous key, like any chat)


class TerminalChat:
    """Reads lines, renders replies as plain text with numbered buttons."""

    def __init__(
        self,
        engine_source: Callable[[], Engine],
        out: TextIO = sys.stdout,
        *,
        prompts: bool = True,
        store: Store | None = None,
        retention_days: int = 90,
    ) -> None:
        """`store` keeps the chat like the live bot's (default: a NullStore, nothing kept)."""
        self.engine_source = engine_source
        self.out = out
        self.prompts = prompts
        self.store: Store = store if store is not None else NullStore()
        self.records = StoreChatRecords(self.store, TERMINAL_CHAT_ID, retention_days)
        self.state = ChatState()
        self.choices: list[Button | None] = []  # None: a button already used up
        self.replies_shown = 0  # names each answer, so a feedback tap counts once per answer
        self.lock = threading.Lock()  # the watcher's reports and the replies, one at a time
        # Called before each typed line is answered (the knowledge watcher's catch-up).
        self.before_each_line: Callable[[], None] | None = None

    def write(self, text: str) -> None:
        """Print `text` whole (the knowledge watcher prints from its own thread)."""
        with self.lock:
            self.out.write(text)
            self.out.flush()

    def recording_note(self) -> str:
        """Whether this rehearsal is kept, and where."""
        if self.store.available and isinstance(self.store, SQLiteStore):
            return f"This rehearsal is recorded in {self.store.path}, as the bot records patients."
        return "This terminal chat keeps nothing (start it with --record to rehearse that)."

    def prompt(self) -> None:
        """Ask for the next line (interactive chats only)."""
        if self.prompts:
            self.write("you> ")

    def show(self, reply: Reply) -> None:
        """Print a reply's tap notice, text, notes and buttons."""
        lines: list[str] = []
        if reply.toast:
            lines.append(f"({reply.toast})\n")
        if reply.clear_feedback:
            self.choices = [
                None if b is not None and b.action == ACTION_FEEDBACK else b for b in self.choices
            ]
        if reply.silent:
            self.write("".join(lines) + "\n")
            return
        self.replies_shown += 1
        if reply.topic_id and any(b.action == ACTION_FEEDBACK for b in reply.buttons):
            # As on Telegram: a "Helpful" tap counts only under an answer the chat was sent.
            answer = SentAnswer(TERMINAL_CHAT_ID, self.replies_shown, reply.topic_id)
            self.store.remember_answers([answer])
        lines.append(to_plain(reply.text).strip() + "\n")
        for note in reply.notes:
            lines.append("\n" + to_plain(note).strip() + "\n")
        self.choices = list(reply.buttons)
        for n, button in enumerate(reply.buttons, 1):
            suffix = f" -> {button.url}" if button.url else ""
            lines.append(f"  [{n}] {button.label}{suffix}\n")
        self.write("".join(lines) + "\n")

    def event_for(self, line: str) -> Event | None:
        """The core event a typed line stands for; None for a link or a used-up button."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            button = self.choices[int(text) - 1]
            if button is None:  # a feedback button already tapped, as Telegram removes it
                self.write("That button has been used; type a question or another number.\n\n")
                return None
            if button.url:
                self.write(f"Open this link to continue: {button.url}\n\n")
                return None
            return Tap(button.callback_data, message_ref=str(self.replies_shown))
        if text.startswith("/") and len(text) > 1:
            return Command.parse(text)
        return Text(text)

    def handle(self, line: str) -> Reply | None:
        """The reply to one typed line (a number presses a button); None for a link button."""
        if self.before_each_line is not None:
            self.before_each_line()
        event = self.event_for(line)
        if event is None:
            return None
        if event == Command("privacy"):  # first, whether this chat itself is kept
            self.write(f"({self.recording_note()} On Telegram, patients read:)\n\n")
        reply = self.engine_source().handle(event, self.state, self.records)
        kept = recorded_text(event, reply)
        if kept is not None and self.store.available:
            self.store.record(TERMINAL_CHAT_ID, kept, reply)
        return reply

    def run(self, stream: TextIO) -> int:
        """Chat until end of input or /quit."""
        if self.prompts:
            self.write("Terminal chat with the clinic's assistant. Type /quit to leave.\n\n")
            self.show(self.engine_source().handle(Command("start"), self.state, self.records))
        while True:
            self.prompt()
            line = stream.readline()
            if not line:
                break
            if line.strip().lower() in QUIT_WORDS:
                break
            if not line.strip():
                continue
            reply = self.handle(line)
            if reply is not None:
                self.show(reply)
        return 0


class TerminalWatcher:
    """Follows edits to the knowledge folder as the Telegram bot does, reporting in the chat.

    The same watcher (`LiveEngine.watch`: settled bytes, one report per broken state) runs
    in a background thread; and before each typed line, an edit saved since is loaded at
    once (`catch_up`), so a rehearsal answers from the new version without waiting a tick.
    """

    def __init__(self, live: LiveEngine[Engine], chat: TerminalChat, interval: float) -> None:
        self.live = live
        self.chat = chat
        self.interval = interval
        self._refused = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="knowledge watcher", daemon=True)

    def start(self) -> None:
        """Start watching (nothing happens with an interval of 0: reloading is off)."""
        if self.interval > 0:
            self._thread.start()
            self._started.wait(timeout=10)

    def stop(self) -> None:
        """Stop watching (waits for a reload in progress)."""
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def catch_up(self) -> None:
        """Before a typed line: load an edit saved since the last look (if the bytes hold)."""
        if self.interval <= 0 or not self.live.has_changes():
            return
        result = self.live.reload(force=False, settled_digest=content_digest(self.live.directory))
        self.report(result, prompt=False)

    def report(self, result: ReloadResult, *, prompt: bool = True) -> None:
        """Say in the chat that an edit was refused, or loaded (and whether it fixed one)."""
        if not result.ok:
            self._refused = True
            self.chat.write(
                "\n[knowledge] Your edit was NOT loaded; the chat keeps answering from the last"
                f" good version ({result.version}). Fix these problems and save again:\n"
                f"{result.error}\n\n"
            )
        elif result.changed:
            fixed = " (the problems are fixed)" if self._refused else ""
            self._refused = False
            self.chat.write(
                f"\n[knowledge] Edit loaded{fixed}: version {result.version} answers from now on.\n\n"
            )
        else:
            return
        if prompt:
            self.chat.prompt()  # the report landed after the prompt: show it again

    def _run(self) -> None:
        async def refused(error: str) -> None:
            self.report(
                ReloadResult(ok=False, changed=False, version=self.live.version, error=error)
            )

        async def loaded(result: ReloadResult) -> None:
            self.report(result)

        loop = self._loop = asyncio.new_event_loop()
        self._task = loop.create_task(
            self.live.watch(self.interval, on_error=refused, on_reload=loaded)
        )
        self._started.set()
        try:
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(self._task)
        finally:
            loop.close()


def run_terminal_chat(
    settings: Settings, *, record: bool = False, stream: TextIO | None = None
) -> int:
    """`python -m bot chat`: the chat on a live knowledge base, recorded if asked."""
    stream = stream if stream is not None else sys.stdin
    live: LiveEngine[Engine] = LiveEngine.load(settings.knowledge_dir)  # KnowledgeError if broken
    # The chat prints a refused edit itself; the log line would say it twice.
    logging.getLogger("bot.core.live").setLevel(logging.CRITICAL)
    store: Store = NullStore()
    if record:
        rehearsal = dataclasses.replace(settings, database_path=settings.rehearsal_database_path)
        store = open_store(rehearsal)
    interactive = stream.isatty()
    chat = TerminalChat(
        lambda: live.engine,
        prompts=interactive,
        store=store,
        retention_days=settings.retention_days,
    )
    if record:
        where = settings.rehearsal_database_path
        state = "recording to" if store.available else "could NOT open (not recording)"
        chat.write(
            f"Rehearsal: {state} {where}; afterwards run `.venv/bin/python -m bot report --rehearsal`.\n\n"
        )
    watcher = TerminalWatcher(live, chat, settings.reload_interval_seconds)
    chat.before_each_line = watcher.catch_up
    watcher.start()
    try:
        return chat.run(stream)
    finally:
        watcher.stop()
        store.close()
