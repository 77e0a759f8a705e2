"""One async function per kind of update: each turns it into a core event and sends the `Reply`.

Nothing here decides what to answer: `Engine.handle` does, for free text, commands (deep
links included) and button taps alike. The engine is fetched through `current_engine` for
every update, never kept, so a reloaded knowledge base is used from the next message on.
What a chat remembers is `context.chat_data.state`; what is kept about it goes through
`StoreChatRecords` over `context.bot_data.store`. Free text and topic taps are recorded
after the reply has gone; commands never are. The practitioner's commands are in admin.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import Conflict, NetworkError, RetryAfter, TelegramError

from bot.adapters.chat_records import StoreChatRecords
from bot.adapters.telegram.addressing import addressed_to_bot, text_for_bot
from bot.adapters.telegram.context import BotData, Context
from bot.adapters.telegram.delivery import Destination, send_reply
from bot.adapters.telegram.typing_indicator import typing_while_working
from bot.config import Settings
from bot.core.conversation import ChatState
from bot.core.events import Command, Event, NotText, Tap, Text, recorded_text
from bot.core.reply import ACTION_FEEDBACK, Reply
from bot.store import SentAnswer, Store

if TYPE_CHECKING:
    from bot.core.conversation import Engine
    from bot.core.live import LiveEngine

log = logging.getLogger(__name__)

TOAST_LIMIT = 200  # characters Telegram shows in an answerCallbackQuery notification
INLINE_TEXT_LIMIT = 500  # characters; longer messages are answered in a worker thread


def bot_data(context: Context) -> BotData:
    """The bot's shared, typed state (see context.py)."""
    return context.bot_data


def current_engine(context: Context) -> Engine:
    """The Engine serving right now (read per update: a reload may have swapped it)."""
    return context.bot_data.engine_source()


def current_store(context: Context) -> Store:
    """Where outcomes, feedback and unanswered questions are kept (may be a NullStore)."""
    return context.bot_data.store


def live_engine(context: Context) -> LiveEngine[Engine] | None:
    """The reloading holder of the Engine, or None when the bot serves a fixed one."""
    return context.bot_data.live


def settings_of(context: Context) -> Settings:
    """The settings the bot was started with."""
    return context.bot_data.settings


def chat_state(context: Context) -> ChatState:
    """This chat's conversation state, created on first contact."""
    if context.chat_data is None:  # an update without a chat: nothing to remember
        return ChatState()
    return context.chat_data.state


def records_of(update: Update, context: Context) -> StoreChatRecords:
    """What the store keeps about the chat this update came from."""
    chat = update.effective_chat
    assert chat is not None  # every update we subscribe to has a chat
    data = context.bot_data
    return StoreChatRecords(data.store, chat.id, data.settings.retention_days)


def destination(update: Update) -> Destination:
    """Where replies to this update go (quoting the patient's message in groups)."""
    chat = update.effective_chat
    assert chat is not None  # every update we subscribe to has a chat
    message = update.message
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    quote = message.message_id if message and chat.type != ChatType.PRIVATE else None
    return Destination(chat.id, thread_id=thread_id, quote_message_id=quote)


def handle(update: Update, context: Context, event: Event) -> Reply:
    """The core's reply to `event` in this update's chat."""
    engine = current_engine(context)
    return engine.handle(event, chat_state(context), records_of(update, context))


async def _send(update: Update, context: Context, event: Event | None, reply: Reply) -> None:
    """Send the reply (if there is one), then keep its outcome and which message it is."""
    if reply.silent:
        return
    to = destination(update)
    sent = await send_reply(context.bot, to, reply)
    answer = sent_answer(to.chat_id, sent, reply)
    recorder = context.bot_data.recorder
    text = recorded_text(event, reply) if event is not None else None
    if text is not None:  # the core says what is kept (batched into one commit; recording.py)
        await recorder.record(to.chat_id, text, reply, answer)
    elif answer is not None:  # an answer with feedback buttons: remember which message it is
        await recorder.remember(answer)


def sent_answer(chat_id: int, sent: list[Message], reply: Reply) -> SentAnswer | None:
    """Which message carries this reply's feedback buttons (None if it has none).

    Remembered so that a "Helpful" tap counts only under an answer the bot sent that chat.
    """
    if not reply.topic_id:
        return None
    for message in sent:
        if any(_is_feedback(button) for row in _keyboard_rows(message) for button in row):
            return SentAnswer(chat_id, message.message_id, reply.topic_id)
    return None


def _keyboard_rows(message: object) -> tuple[tuple[Any, ...], ...]:
    markup = getattr(message, "reply_markup", None)
    return markup.inline_keyboard if isinstance(markup, InlineKeyboardMarkup) else ()


def _is_feedback(button: Any) -> bool:
    return str(getattr(button, "callback_data", None) or "").startswith(f"{ACTION_FEEDBACK}:")


# -- commands -----------------------------------------------------------------------------


async def patient_command(update: Update, context: Context) -> None:
    """/start (and its deep links), /help, /topics, /book, /about, /privacy, /forget."""
    message = update.message
    if message is None or message.text is None:
        return
    command = Command.parse(message.text)
    if command.name == "forget":
        # Deleting rows waits for the disk: in a worker thread, so other chats flow meanwhile.
        reply = await asyncio.to_thread(handle, update, context, command)
    else:
        reply = handle(update, context, command)
    await _send(update, context, command, reply)


async def unknown_command(update: Update, context: Context) -> None:
    """A command we do not have: the core's answer (in groups only if it was addressed to us)."""
    message = update.message
    if message is None or message.text is None:
        return
    if message.chat.type != ChatType.PRIVATE:
        command = message.text.split(maxsplit=1)[0]
        username = context.bot.username or ""
        if not username or not command.lower().endswith(f"@{username.lower()}"):
            return  # probably meant for another bot in the group
    event = Command.parse(message.text)
    await _send(update, context, event, handle(update, context, event))


# -- messages -----------------------------------------------------------------------------


async def answer_text(update: Update, context: Context) -> None:
    """Free text (or a media caption): the core's reply, with "typing…" if it takes a while."""
    message = update.message
    if message is None:
        return
    text = text_for_bot(message, context.bot.bot)
    if text is None:
        return  # a group conversation not addressed to the assistant
    event = Text(text)
    to = destination(update)
    # "typing…" covers the thinking only: once the reply is on its way, Telegram clears the
    # indicator when it arrives, and an extra request while sending would only slow it.
    async with typing_while_working(context.bot, to.chat_id, to.thread_id):
        if len(text) > INLINE_TEXT_LIMIT:
            # A long story takes the engine tens of milliseconds: in a worker thread, so other
            # patients' replies keep flowing meanwhile.
            reply = await asyncio.to_thread(handle, update, context, event)
        else:
            reply = handle(update, context, event)  # about a millisecond: a thread costs more
    await _send(update, context, event, reply)


async def refuse_non_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice notes, files, locations: kindly ask for text instead."""
    message = update.message
    if message is None or not addressed_to_bot(message, context.bot.bot):
        return
    await _send(update, context, NotText(), handle(update, context, NotText()))


# -- buttons ------------------------------------------------------------------------------


async def _acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the button's spinner (showing `text` briefly, if any); never costs the reply."""
    try:
        await query.answer(text[:TOAST_LIMIT] if text else None)
    except TelegramError as exc:
        log.debug("answerCallbackQuery failed: %s", exc)


async def button(update: Update, context: Context) -> None:
    """A tap on any button the core offered (topic, menu, feedback, or stale/forged data)."""
    query = update.callback_query
    assert query is not None
    if query.message is None or update.effective_chat is None:
        # An inline message, or one Telegram no longer has: no chat to answer in, so the
        # tap itself gets the core's one polite answer.
        gone = current_engine(context).handle(Tap(query.data or "", None), ChatState())
        await _acknowledge(query, gone.toast)
        return
    event = Tap(query.data or "", str(query.message.message_id))
    # A feedback tap is one short synced commit on the loop, like the Recorder's writes.
    reply = handle(update, context, event)
    await _acknowledge(query, reply.toast)
    if reply.clear_feedback:
        await _remove_feedback_buttons(query)
    await _send(update, context, event, reply)  # a topic tapped: counted, no text kept


async def _remove_feedback_buttons(query: CallbackQuery) -> None:
    """Take the question away once answered, keeping the other buttons of the answer."""
    markup = getattr(query.message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return
    rows = [
        [b for b in row if not str(b.callback_data or "").startswith(f"{ACTION_FEEDBACK}:")]
        for row in markup.inline_keyboard
    ]
    kept = InlineKeyboardMarkup([row for row in rows if row])
    if kept.inline_keyboard == markup.inline_keyboard:
        return  # already removed (a second tap from a screen that had not caught up)
    try:
        await query.edit_message_reply_markup(kept if kept.inline_keyboard else None)
    except TelegramError as exc:  # e.g. the message is too old to edit
        log.debug("feedback buttons not removed: %s", exc)


# -- errors -------------------------------------------------------------------------------


def _describe(update: Update) -> str:
    """What the update was, for the log, without what the patient wrote (health data)."""
    chat = update.effective_chat
    where = f"{chat.type} chat" if chat else "no chat"
    if update.callback_query is not None:
        return f"update {update.update_id}: button {update.callback_query.data!r} in {where}"
    message = update.effective_message
    if message is not None and message.text is not None:
        return f"update {update.update_id}: {len(message.text)}-character message in {where}"
    return f"update {update.update_id}: non-text message in {where}"


async def report_error(update: object, context: Context) -> None:
    """Log what failed, with context but never the token, and tell the patient how to reach us."""
    error = context.error
    if not isinstance(update, Update):
        # Fetching updates failed; PTB keeps polling. A network blip is not worth a traceback.
        if isinstance(error, NetworkError | RetryAfter):
            log.warning("Fetching updates from Telegram failed (%s); retrying", error)
        elif isinstance(error, Conflict):
            log.error(
                "Telegram says another copy of this bot is fetching its messages (%s):"
                " stop the other one (or delete its webhook); retrying",
                error,
            )
        else:
            log.error("Unexpected error outside any update", exc_info=error)
        return
    log.error("Handling %s failed: %r", _describe(update), error, exc_info=error)
    if update.callback_query is not None:
        await _acknowledge(update.callback_query)
    if update.effective_chat is None:
        return
    try:
        await _send(update, context, None, current_engine(context).error())
    except Exception as exc:  # the error reply is best effort; the original error is logged
        log.warning("Could not tell the patient about the error either: %r", exc)
