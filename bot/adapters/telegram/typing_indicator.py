""" "typing…" in the patient's chat while an answer takes long enough for them to notice.

Telegram shows the indicator for about five seconds or until our message arrives. Most
answers are ready in milliseconds, when an indicator would flash unseen and cost a request
against the flood limit; so it is sent only once a reply has taken `TYPING_AFTER` seconds
(a slow network, a wait after a 429, a very long message), then renewed until we are done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

log = logging.getLogger(__name__)

TYPING_AFTER = 0.25  # seconds of work before the patient sees "typing…"
TYPING_RENEW = 4.5  # Telegram clears the indicator after ~5 s


@contextlib.asynccontextmanager
async def typing_while_working(
    bot: Bot,
    chat_id: int,
    thread_id: int | None = None,
    after: float | None = None,
) -> AsyncIterator[None]:
    """Show "typing…" in `chat_id` if the body of the `async with` runs longer than `after`."""
    delay = TYPING_AFTER if after is None else after
    loop = asyncio.get_running_loop()
    typing: asyncio.Task[None] | None = None

    def begin() -> None:
        nonlocal typing
        typing = loop.create_task(_keep_typing(bot, chat_id, thread_id))

    # A timer rather than a task per message: most answers finish before it fires.
    timer = loop.call_later(delay, begin)
    try:
        yield
    finally:
        timer.cancel()
        if typing is not None:
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await typing


async def _keep_typing(bot: Bot, chat_id: int, thread_id: int | None) -> None:
    while True:
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
        except TelegramError as exc:  # only a nicety: never let it fail the answer
            log.debug("typing indicator not sent: %s", exc)
        await asyncio.sleep(TYPING_RENEW)
