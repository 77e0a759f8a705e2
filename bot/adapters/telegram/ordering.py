"""Updates from different chats are handled concurrently; those from one chat, one at a time.

With PTB's plain `concurrent_updates`, two quick messages from the same patient could be
answered out of order and race on the chat's state (the disclaimer shown once). Holding a
per-chat lock keeps each conversation in order while 50 patients are served at once.

At most `DEFAULT_ACTIVE_LIMIT` chats are answered at the same moment (the others wait their
turn, without holding PTB's own slots). The limit bounds the crash window (intake.py): an
answer that reached Telegram but whose update was not yet written down as handled is
repeated after a crash, and only the chats being answered at that moment can be in that
state. The more chats at once, the longer each trip round a saturated event loop, and the
longer that window. Measured (kill -9 tests and the Telegram benchmark, a busy 2-core
machine): with 16 at once, about 5 repeats per crash at 20-300 ms, but the benchmark lost
about 10% of its throughput (16 answers waiting on Telegram leave the CPU idle); with 64,
the benchmark's 50 patients are all answered at once again, and a crash repeats one answer
per chat being answered, as measured in the README.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

DEFAULT_MAX_CONCURRENT_UPDATES = 256
DEFAULT_ACTIVE_LIMIT = 64  # chats answered at the same moment (see the module docstring)


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
