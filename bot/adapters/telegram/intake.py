"""Every update through the handlers once: in order per chat, concurrently across chats.

Both ways updates arrive (polling.py, webhook.py) hand them to one `Intake`. It runs each
update through PTB's handlers inside the per-chat processor (ordering.py), and only once the
handlers are done (the reply sent, or the error reply) writes the update's id to the store,
still inside the chat's turn. So:

- an update is "handled" only after its reply went out; polling confirms the offset, and the
  webhook answers Telegram, only for handled updates (at least once);
- an update delivered again (a restart after kill -9, a webhook retry) whose id is in the
  store is skipped, and one that is still being handled is not started twice (exactly once);
- what is left is one window per chat: between its reply going out and its id being
  written (the rest of the reply, then one group commit: tens of milliseconds, up to about
  0.4 s measured on a saturated, busy machine), a crash answers that one update again after
  the restart. At most 64 chats are answered at once (ordering.py), so a crash repeats at
  most 64 answers. README: "What is guaranteed across a crash, a restart and a lost
  response".

Ids are written in batches, like outcomes (recording.py): every update handled while one
commit is under way joins the next one, so a busy bot pays one commit for many updates.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.store import Store

log = logging.getLogger(__name__)

RECENT_IDS = 10_000  # handled ids also kept in memory (when storage is off, this is all)
STOP_GRACE_SECONDS = 15.0  # at shutdown, how long the updates being handled may take to finish


class HandledIds:
    """Group commit of handled update ids into the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue: list[int] = []
        self._batch_written: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None

    async def add(self, update_id: int) -> None:
        """Remember one id; returns once it is written (or its failure logged)."""
        if not self.store.available:
            return
        loop = asyncio.get_running_loop()
        self._queue.append(update_id)
        if self._batch_written is None:
            self._batch_written = loop.create_future()
        written = self._batch_written
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write(), name="handled-ids writer")
        await asyncio.shield(written)

    async def _write(self) -> None:
        batch, self._queue = self._queue, []
        written, self._batch_written = self._batch_written, None
        try:
            self.store.mark_updates_handled(batch)  # logs and swallows database errors
        except Exception:  # the replies are out; a bug here must not stop the bot
            log.exception("Remembering %d handled update(s) failed", len(batch))
        finally:
            if written is not None and not written.done():
                written.set_result(None)


class Intake:
    """Runs updates through `application`'s handlers at most once each, remembering them."""

    def __init__(
        self, application: Application[Any, Any, Any, Any, Any, Any], store: Store
    ) -> None:
        self.application = application
        self.store = store
        self._handled_ids = HandledIds(store)
        self._running: dict[int, asyncio.Task[None]] = {}
        self._recent: OrderedDict[int, None] = OrderedDict()
        self._idle = asyncio.Event()
        self._idle.set()
        self.finished = 0  # how many updates have been handled (or dropped) so far

    # -- what is going on ---------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while any update is being handled (or waits for its chat's turn)."""
        return bool(self._running)

    def oldest_unfinished(self) -> int | None:
        """The lowest update id still being handled, or None."""
        return min(self._running) if self._running else None

    async def wait_until_idle(self, timeout: float) -> bool:
        """Wait until nothing is being handled, at most `timeout` seconds; True if idle."""
        if not self._running:
            return True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    # -- taking updates -----------------------------------------------------------------

    def submit(self, updates: Sequence[Update]) -> list[asyncio.Task[None]]:
        """Start handling each update not handled before, in order; returns their tasks.

        An update already being handled returns its running task instead of a second one;
        one handled before (in memory or in the store) returns nothing.
        """
        tasks: list[asyncio.Task[None]] = []
        unknown = [
            u.update_id
            for u in updates
            if u.update_id not in self._running and u.update_id not in self._recent
        ]
        done_before = self.store.handled_updates(unknown) if unknown else set()
        for update in updates:
            update_id = update.update_id
            running = self._running.get(update_id)
            if running is not None:
                tasks.append(running)
                continue
            if update_id in self._recent or update_id in done_before:
                log.info("Update %d was handled before; not answering it again", update_id)
                self._remember(update_id)
                continue
            task = asyncio.get_running_loop().create_task(
                self._handle(update), name=f"update {update_id}"
            )
            self._running[update_id] = task
            self._idle.clear()
            task.add_done_callback(functools.partial(self._task_done, update_id))
            tasks.append(task)
        return tasks

    async def handle(self, update: Update) -> None:
        """Handle one update (or wait for the copy already running); returns when done."""
        tasks = self.submit([update])
        if tasks:
            await asyncio.shield(tasks[0])

    def skip(self, update_id: int) -> None:
        """Count an update that cannot be read as handled, so it does not come back forever."""
        self._remember(update_id)
        self.store.mark_updates_handled([update_id])

    async def cancel_all(self) -> None:
        """Stop whatever is still being handled (shutting down): those are not remembered,
        so Telegram delivers them again after the restart."""
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- inside -------------------------------------------------------------------------

    async def _handle(self, update: Update) -> None:
        processor = self.application.update_processor
        await processor.process_update(update, self._handle_in_turn(update))

    async def _handle_in_turn(self, update: Update) -> None:
        """In the chat's turn: the handlers (errors go to the error handler), then the id."""
        try:
            await self.application.process_update(update)
        except Exception:  # PTB sends handler errors to the error handler; this is a bug
            log.exception("Handling update %d failed outside the handlers", update.update_id)
        await self._handled_ids.add(update.update_id)
        self._remember(update.update_id)

    def _task_done(self, update_id: int, _task: asyncio.Task[None]) -> None:
        self._finished(update_id)

    def _finished(self, update_id: int) -> None:
        self._running.pop(update_id, None)
        self.finished += 1
        if not self._running:
            self._idle.set()

    def _remember(self, update_id: int) -> None:
        self._recent[update_id] = None
        if len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)
