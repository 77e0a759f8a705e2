"""Recording outcomes without slowing the answers: a group commit in front of the store.

Measured with the Telegram benchmark (50 patients at once, bot CPU per message, 2 cores):
writing each outcome through `asyncio.to_thread` cost about 1 ms of CPU per message (the
worker thread and the event loop fighting over the GIL around every SQLite call), while
writing on the event loop itself cost about 0.2 ms, the synced commit included (~0.2 ms of
waiting for the disk here). So outcomes are written on the loop, after the reply has gone
out, and many at once: each handler queues its outcome and waits for the batch it joined;
one writer writes everything queued in one transaction, so under load a single disk sync
serves many patients, and a slow disk delays replies by one sync per batch at most.

Handlers wait for their own write, so a chat's updates stay in order (a /forget after a
message finds that message) and nothing is still queued once PTB has stopped.
"""

from __future__ import annotations

import asyncio
import logging

from bot.core.reply import Reply
from bot.store import SentAnswer, Store

log = logging.getLogger(__name__)


class Recorder:
    """Queues (chat id, text, reply) outcomes and sent answers; writes them in batches."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue: list[tuple[int, str, Reply]] = []
        self._answers: list[SentAnswer] = []
        self._batch_written: asyncio.Future[None] | None = None  # resolves once _queue is written
        self._writer: asyncio.Task[None] | None = None

    async def record(
        self, chat_id: int, text: str, reply: Reply, answer: SentAnswer | None = None
    ) -> None:
        """Keep one outcome (and the answer sent for it, if it carries feedback buttons);
        returns once it is written (or its failure logged). Never raises."""
        if not self.store.available:
            return
        self._queue.append((chat_id, text, reply))
        if answer is not None:
            self._answers.append(answer)
        await self._join_batch()

    async def remember(self, answer: SentAnswer) -> None:
        """Keep an answer sent with feedback buttons that has no outcome to count (/about)."""
        if not self.store.available:
            return
        self._answers.append(answer)
        await self._join_batch()

    async def _join_batch(self) -> None:
        loop = asyncio.get_running_loop()
        if self._batch_written is None:
            self._batch_written = loop.create_future()
        written = self._batch_written
        if self._writer is None or self._writer.done():
            # A task, not a call: the handlers that run before it starts join this batch.
            self._writer = loop.create_task(self._write(), name="store writer")
        # Shielded: a handler cancelled while waiting must not cancel the others' batch.
        await asyncio.shield(written)

    async def _write(self) -> None:
        """Write everything queued in one transaction."""
        batch, self._queue = self._queue, []
        answers, self._answers = self._answers, []
        written, self._batch_written = self._batch_written, None
        try:
            self.store.record_many(batch, answers)  # logs and swallows database errors itself
        except Exception:  # the replies have gone out; a bug here must not say otherwise
            log.exception("Recording %d outcome(s) failed", len(batch))
        finally:
            if written is not None and not written.done():
                written.set_result(None)
