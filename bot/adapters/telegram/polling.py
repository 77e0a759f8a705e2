"""Long polling that confirms an update to Telegram only once it has been handled.

Telegram forgets every update below the `offset` of a getUpdates call. PTB's Updater moves
the offset past everything it fetched before those updates are handled, so a crash while
catching up lost them for good. Here the offset stays at the oldest update still being
handled: Telegram keeps delivering it (and those after it) until its reply is out.

The price is that while anything is being handled, getUpdates returns the unfinished updates
again, at once, instead of waiting for new ones. So the loop asks with `timeout=0` at most
every `BUSY_POLL_SECONDS` while busy (updates it has already taken are ignored), and long-polls
only when idle. When polls bring nothing new and nothing finishes (an answer waiting out a
Telegram rate limit, say), the pause doubles up to `STUCK_POLL_SECONDS`, so a stuck bot does
not ask Telegram 200 times a second. Measured with the Telegram benchmark (50 patients): this asks Telegram less
often than PTB's Updater did (0.09 getUpdates per patient message against 0.12), because a
busy bot takes longer than the pause to come back to it anyway. Updates come in windows of at most 100 (Telegram's limit) from the oldest
unfinished one: a natural back-pressure, as the bot never holds more than that in memory.

At a clean stop the poll under way is cancelled, the updates being handled are finished
(app.py), and one last getUpdates tells Telegram they are done (`confirm`). That last call
goes out on a fresh connection when a poll was cut short: httpcore (1.0.9) does not always
give a connection back when its request is cancelled (a cancellation that lands while it
closes the response leaves the request in its pool for good: encode/httpcore#658, #1093),
and PTB polls on a pool of one connection, so the confirmation waited for that connection,
failed ("Pool timeout"), and Telegram delivered the answered updates again after the
restart (tests/telegram/test_telegram_clean_stop.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut

from bot.adapters.telegram.intake import Intake

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 10  # how long Telegram may hold a getUpdates open when nothing is new
# Pause between polls while updates are being handled. 30 ms rather than 5: fewer re-polls
# of the same unfinished updates for the same throughput and latency (bench, 2026-12-01: 344
# msg/s at 5 ms, 350-364 at 30 ms, p50 128 ms both: within the run-to-run noise).
BUSY_POLL_SECONDS = 0.03
STUCK_POLL_SECONDS = 0.5  # the longest pause, reached while nothing new comes and nothing ends
LIMIT = 100  # Telegram's maximum per getUpdates
READ_SLACK_SECONDS = 10.0  # read timeout beyond the long-poll time
FIRST_PAUSE, LONGEST_PAUSE = 0.5, 30.0  # after failed polls: growing pauses between these
FINAL_CONFIRM_SECONDS = 3.0

ErrorReport = Callable[[TelegramError], Awaitable[Any]]


class Poller:
    """getUpdates in a loop, handing new updates to an `Intake` (see the module docstring)."""

    def __init__(
        self,
        bot: Bot,
        intake: Intake,
        allowed_updates: Sequence[str],
        on_error: ErrorReport,
        *,
        busy_poll_seconds: float = BUSY_POLL_SECONDS,
    ) -> None:
        self.bot = bot
        self.intake = intake
        self.allowed_updates = list(allowed_updates)
        self.on_error = on_error
        self.busy_poll_seconds = busy_poll_seconds
        self._taken_up_to = -1  # the highest update id handed to the intake
        self._poll_cut_short = False  # the stop cancelled a getUpdates under way

    @property
    def offset(self) -> int:
        """The getUpdates offset: every update below it has been handled."""
        oldest = self.intake.oldest_unfinished()
        if oldest is not None:
            return oldest
        return self._taken_up_to + 1 if self._taken_up_to >= 0 else 0

    async def run(self, stopping: asyncio.Event) -> None:
        """Poll until `stopping` is set; raises InvalidToken if Telegram rejects the token."""
        pause = 0.0
        quiet = self.busy_poll_seconds  # the pause between polls while busy
        finished = self.intake.finished
        while not stopping.is_set():
            timeout = 0 if self.intake.busy else LONG_POLL_SECONDS
            try:
                raw = await _until(stopping, self._get_updates(self.offset, timeout, LIMIT))
            except InvalidToken:
                raise
            except TelegramError as exc:
                pause = _next_pause(exc, pause)
                await self.on_error(exc)
                await _until(stopping, asyncio.sleep(pause))
                continue
            if raw is None:  # stopping: the poll was cancelled (its connection may be lost)
                self._poll_cut_short = True
                break
            pause = 0.0
            progress = self._take(raw) > 0 or self.intake.finished != finished
            finished = self.intake.finished
            quiet = self.busy_poll_seconds if progress else min(STUCK_POLL_SECONDS, quiet * 2)
            if self.intake.busy:
                # Wait a moment (or until all is handled) before asking again: anything new
                # comes back with the updates still being handled.
                await _until(stopping, self.intake.wait_until_idle(quiet))

    async def confirm(self) -> None:
        """Tell Telegram everything handled so far is done (one short getUpdates).

        Best effort at shutdown: if it fails, the ids in the store still prevent a second
        answer after the restart.
        """
        if self._taken_up_to < 0:
            return
        try:
            if self._poll_cut_short:
                await asyncio.wait_for(self._fresh_connection(), FINAL_CONFIRM_SECONDS)
            await asyncio.wait_for(self._get_updates(self.offset, 0, 1), FINAL_CONFIRM_SECONDS)
        except Exception as exc:  # best effort at shutdown: httpx and anyio errors too
            log.warning(
                "Could not confirm the last updates to Telegram (%s); after the restart, the"
                " ones it delivers again are skipped if the database has their numbers",
                exc,
            )

    async def _fresh_connection(self) -> None:
        """Replace the getUpdates connection a cancelled poll may have left taken (see the
        module docstring): PTB's request is closed and opens a new httpx client."""
        # PTB's request for getUpdates (no public accessor; python-telegram-bot 22.x)
        request = self.bot._request[0]
        if request is self.bot.request:  # one request for every call (tests): in use
            return
        await request.shutdown()
        await request.initialize()

    def _take(self, raw: list[dict[str, Any]]) -> int:
        """Hand the updates not taken before to the intake, in order; returns how many."""
        fresh: list[Update] = []
        for item in raw:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int) or update_id <= self._taken_up_to:
                continue
            self._taken_up_to = update_id
            try:
                fresh.append(Update.de_json(item, self.bot))
            except Exception as exc:  # one unreadable update must not stop the rest
                # Its content is a patient's: only the id and the reason are logged.
                log.error(
                    "Update %d could not be read (%s); skipped", update_id, type(exc).__name__
                )
                self.intake.skip(update_id)
        if fresh:
            self.intake.submit(fresh)
        return len(fresh)

    async def _get_updates(self, offset: int, timeout: int, limit: int) -> list[dict[str, Any]]:
        """getUpdates, returning Telegram's JSON: only new updates are turned into objects.

        `Bot.get_updates` would build an Update for every update returned, including the
        ones still being handled (returned again on every poll), and on a parse error it logs
        the whole batch (patients' messages) at CRITICAL.
        """
        data = {
            "offset": offset,
            "timeout": timeout,
            "limit": limit,
            "allowed_updates": self.allowed_updates,
        }
        result = await self.bot._post(  # private, but the one way to get the raw updates
            "getUpdates", data, read_timeout=timeout + READ_SLACK_SECONDS
        )
        return result if isinstance(result, list) else []


async def _until(stopping: asyncio.Event, awaitable: Awaitable[Any]) -> Any:
    """Await `awaitable` unless `stopping` is set first (then cancel it and return None)."""
    work = asyncio.ensure_future(awaitable)
    if stopping.is_set():
        work.cancel()
    else:
        stop = asyncio.ensure_future(stopping.wait())
        await asyncio.wait((work, stop), return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not work.done():
            work.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        return await work
    return None


def _next_pause(error: TelegramError, previous: float) -> float:
    """How long to wait before polling again after `error`."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that the int becomes a timedelta
            warnings.simplefilter("ignore")
            wait = error.retry_after
        return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
    if isinstance(error, TimedOut):
        return 0.0
    return min(LONGEST_PAUSE, max(FIRST_PAUSE, previous * 2))
