"""Sending a rendered reply to one chat, and what to do when Telegram says no.

Network trouble is retried below this layer (see `retry.py`); here we handle the answers
that retrying cannot fix: HTML Telegram will not parse (resend as plain text rather than
leave the patient unanswered) and a patient who has blocked the bot (stop quietly).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, Message, ReplyParameters
from telegram.error import BadRequest, Forbidden

from bot.adapters.telegram.render import OutgoingMessage, render, split_plain
from bot.core.markup import to_plain
from bot.core.reply import Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Destination:
    """Where a reply goes: the chat, the forum topic if any, the message it answers in a group."""

    chat_id: int
    thread_id: int | None = None
    quote_message_id: int | None = None  # set in groups, so it is clear whom we answer


async def send_reply(bot: Bot, to: Destination, reply: Reply) -> list[Message]:
    """Send every message of `reply` in order; returns those Telegram accepted."""
    sent: list[Message] = []
    for index, outgoing in enumerate(render(reply)):
        quote = to.quote_message_id if index == 0 else None
        try:
            message = await _send_one(bot, to, outgoing, quote)
        except Forbidden as exc:
            # Blocked by the patient or removed from the group: nothing more can reach them.
            log.info("Chat refuses messages from the bot (%s); reply not sent", exc.message)
            break
        sent.append(message)
    return sent


async def _send_one(
    bot: Bot, to: Destination, outgoing: OutgoingMessage, quote: int | None
) -> Message:
    reply_parameters = (
        ReplyParameters(quote, allow_sending_without_reply=True) if quote is not None else None
    )
    try:
        return await bot.send_message(
            to.chat_id,
            outgoing.text,
            reply_markup=outgoing.reply_markup,
            reply_parameters=reply_parameters,
            message_thread_id=to.thread_id,
        )
    except BadRequest as exc:
        if "parse entities" not in exc.message.lower():
            raise
        # The knowledge check should make this impossible; if it happens anyway, the patient
        # still gets the words, without formatting.
        log.error("Telegram could not parse a reply's HTML (%s); sent as plain text", exc.message)
        return await bot.send_message(
            to.chat_id,
            to_plain(outgoing.text),
            parse_mode=None,
            reply_markup=outgoing.reply_markup,
            reply_parameters=reply_parameters,
            message_thread_id=to.thread_id,
        )


async def send_plain(bot: Bot, chat_id: int, text: str) -> list[Message]:
    """Send plain text (no parse mode) in as many messages as it takes: admin reports.

    Plain because they quote YAML and patients' words, where "<" and "&" are not markup.
    """
    return [await bot.send_message(chat_id, chunk, parse_mode=None) for chunk in split_plain(text)]
