"""A terminal chat on the same engine as Telegram: try the assistant in seconds, no token.

Buttons are shown as numbered choices; typing the number presses it. When standard input is
not a terminal (piped), there are no prompts and each reply is printed as it comes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from bot.core.conversation import ChatState, Engine
from bot.core.markup import to_plain
from bot.core.reply import ACTION_MENU, ACTION_TOPIC, Button, Reply

QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit"})


class TerminalChat:
    """Reads lines, renders replies as plain text with numbered buttons."""

    def __init__(
        self, engine_source: Callable[[], Engine], out: TextIO = sys.stdout, *, prompts: bool = True
    ) -> None:
        self.engine_source = engine_source
        self.out = out
        self.prompts = prompts
        self.state = ChatState()
        self.choices: list[Button] = []

    def show(self, reply: Reply) -> None:
        """Print a reply, its notes and its buttons."""
        self.out.write(to_plain(reply.text).strip() + "\n")
        for note in reply.notes:
            self.out.write("\n" + to_plain(note).strip() + "\n")
        self.choices = list(reply.buttons)
        for n, button in enumerate(self.choices, 1):
            suffix = f" -> {button.url}" if button.url else ""
            self.out.write(f"  [{n}] {button.label}{suffix}\n")
        self.out.write("\n")
        self.out.flush()

    def handle(self, line: str) -> Reply | None:
        """The reply to one typed line (a number presses a button); None for a link button."""
        engine = self.engine_source()
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            button = self.choices[int(text) - 1]
            if button.url:
                self.out.write(f"Open this link to continue: {button.url}\n\n")
                return None
            if button.action == ACTION_TOPIC:
                return engine.answer_topic(button.value, self.state)
            if button.action == ACTION_MENU:
                return engine.menu()
        commands = {
            "/start": lambda: engine.welcome(self.state),
            "/help": engine.help,
            "/topics": engine.menu,
            "/book": engine.booking,
            "/about": lambda: engine.about(self.state),
        }
        if text.lower() in commands:
            return commands[text.lower()]()
        return engine.respond(text, self.state)

    def run(self, stream: TextIO) -> int:
        """Chat until end of input or /quit."""
        if self.prompts:
            self.out.write("Terminal chat with the clinic's assistant. Type /quit to leave.\n\n")
            self.show(self.engine_source().welcome(self.state))
        while True:
            if self.prompts:
                self.out.write("you> ")
                self.out.flush()
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
