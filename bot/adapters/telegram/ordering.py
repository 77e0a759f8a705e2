"""Updates from different chats are handled concurrently; those from one chat, one at a time.

With PTB's plain `concurrent_updates`, two quick messages from the same patient could be
answered out of order and race on the chat's state (the disclaimer shown once). Holding a
per-chat lock keeps each conversation in order while 50 patients are served at once.

At most `DEFAULT_ACTIVE_LIMIT` chats are answered at the same moment (the others wait their
turn, without holding PTB's own slots). The answering is CPU-bound, so more at once is not
faster; it only makes each trip round the event loop longer, and with it the time between an
answer reaching Telegram and its update being written down as handled (intake.py): the window
in which a crash answers a message twice. Measured with the kill -9 tests on a busy machine:
with 16 at once, about 5 messages answered twice per crash at 35-55 ms from answer to record;
with every chat at once (PTB's 256), about 20 per crash at up to 0.85 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

DEFAULT_MAX_CONCURRENT_UPDATES = 256
DEFAULT_ACTIVE_LIMIT = 16  # chats answered at the same moment (see the module docstring)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Process updates concurrently, but strictly in arrival order within each chat."""

    def __init__(
        self,
        max_concurrent_updates: int = DEFAULT_MAX_CONCURRENT_UPDATES,
        active_limit: int = DEFAULT_ACTIVE_LIMIT,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._active = asyncio.Semaphore(active_limit)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # how many updates hold or wait for each lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await `coroutine` once every earlier update of the same chat is done."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._active:
                await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock, self._active:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # forget idle chats so memory stays flat
                del self._users[chat.id]
                del self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
