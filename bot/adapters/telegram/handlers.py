"""One async function per kind of update: each turns it into a core call and sends the `Reply`.

Nothing here decides what to answer; that is the core's job. The engine is fetched through
`current_engine(context)` for every update, never kept, so a reloaded knowledge base is
used from the next message on. What a chat remembers lives in `context.chat_data["state"]`.
Free text and topic taps are recorded in the store (`current_store`) after the reply has
gone; commands never are. The practitioner's commands are in admin.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import Conflict, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.adapters.telegram.addressing import addressed_to_bot, text_for_bot
from bot.adapters.telegram.delivery import Destination, send_reply
from bot.adapters.telegram.recording import Recorder
from bot.adapters.telegram.typing_indicator import typing_while_working
from bot.config import Settings
from bot.core.conversation import ChatState
from bot.core.markup import to_plain
from bot.core.reply import ACTION_FEEDBACK, Kind, Reply
from bot.store import SentAnswer, Store, StoreError

if TYPE_CHECKING:
    from bot.core.conversation import Engine
    from bot.core.live import LiveEngine

log = logging.getLogger(__name__)

ENGINE_SOURCE = "engine_source"  # bot_data key: a zero-argument callable giving the Engine
STORE = "store"  # bot_data key: the Store (a NullStore when storage is off)
RECORDER = "recorder"  # bot_data key: the Recorder writing outcomes to that store
LIVE = "live"  # bot_data key: the LiveEngine, when the knowledge reloads itself
SETTINGS = "settings"  # bot_data key: the Settings the bot runs with
STATE = "state"  # chat_data key: the chat's ChatState
TOAST_LIMIT = 200  # characters Telegram shows in an answerCallbackQuery notification
BOOKING_DEEP_LINKS = frozenset({"book", "booking"})
INLINE_TEXT_LIMIT = 500  # characters; longer messages are answered in a worker thread

Context = ContextTypes.DEFAULT_TYPE


def current_engine(context: Context) -> Engine:
    """The Engine serving right now (read per update: a reload may have swapped it)."""
    source: Callable[[], Engine] = context.bot_data[ENGINE_SOURCE]
    return source()


def current_store(context: Context) -> Store:
    """Where outcomes, feedback and unanswered questions are kept (may be a NullStore)."""
    store: Store = context.bot_data[STORE]
    return store


def live_engine(context: Context) -> LiveEngine[Engine] | None:
    """The reloading holder of the Engine, or None when the bot serves a fixed one."""
    return context.bot_data.get(LIVE)


def settings_of(context: Context) -> Settings:
    """The settings the bot was started with."""
    settings: Settings = context.bot_data[SETTINGS]
    return settings


def chat_state(context: Context) -> ChatState:
    """This chat's conversation state, created on first contact."""
    chat_data: dict[Any, Any] = context.chat_data if context.chat_data is not None else {}
    state = chat_data.get(STATE)
    if not isinstance(state, ChatState):
        state = chat_data[STATE] = ChatState()
    return state


def destination(update: Update) -> Destination:
    """Where replies to this update go (quoting the patient's message in groups)."""
    chat = update.effective_chat
    assert chat is not None  # every update we subscribe to has a chat
    message = update.message
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    quote = message.message_id if message and chat.type != ChatType.PRIVATE else None
    return Destination(chat.id, thread_id=thread_id, quote_message_id=quote)


async def _send(update: Update, context: Context, reply: Reply) -> None:
    to = destination(update)
    sent = await send_reply(context.bot, to, reply)
    answer = sent_answer(to.chat_id, sent, reply)
    if answer is not None:  # an answer with feedback buttons: remember which message it is
        recorder: Recorder = context.bot_data[RECORDER]
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
    return (getattr(button, "callback_data", None) or "").startswith(f"{ACTION_FEEDBACK}:")


def with_feedback(reply: Reply, engine: Engine) -> Reply:
    """An answer with "Helpful" / "Not helpful" under it; any other reply unchanged.

    Added here, not by the core: a tap is tied to the Telegram message it sits under.
    """
    if reply.kind is not Kind.ANSWER or not reply.topic_id:
        return reply
    if any(button.action == ACTION_FEEDBACK for button in reply.buttons):
        return reply
    buttons = (*reply.buttons, *engine.feedback_buttons(reply.topic_id))
    return dataclasses.replace(reply, buttons=buttons)


async def _record(
    context: Context, chat_id: int, text: str, reply: Reply, answer: SentAnswer | None = None
) -> None:
    """Keep the outcome (batched with other chats' into one commit; see recording.py)."""
    recorder: Recorder = context.bot_data[RECORDER]
    await recorder.record(chat_id, text, reply, answer)


# -- commands -----------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """/start: the welcome; deep links `/start book` and `/start <topic-id>` go straight there."""
    engine = current_engine(context)
    state = chat_state(context)
    payload = context.args[0] if context.args else ""
    if payload in BOOKING_DEEP_LINKS:
        reply = engine.booking()
    elif payload and engine.knowledge.topic(payload) is not None:
        reply = with_feedback(engine.answer_topic(payload, state), engine)
    else:
        reply = engine.welcome(state)
    await _send(update, context, reply)


async def show_help(update: Update, context: Context) -> None:
    """/help: how to ask."""
    await _send(update, context, current_engine(context).help())


async def show_topics(update: Update, context: Context) -> None:
    """/topics: the topic menu."""
    await _send(update, context, current_engine(context).menu())


async def show_booking(update: Update, context: Context) -> None:
    """/book: how to book, with the booking button."""
    await _send(update, context, current_engine(context).booking())


async def show_about(update: Update, context: Context) -> None:
    """/about: who the practitioner is."""
    engine = current_engine(context)
    await _send(update, context, with_feedback(engine.about(chat_state(context)), engine))


async def show_privacy(update: Update, context: Context) -> None:
    """/privacy: what is stored, why, for how long, and how to delete it."""
    engine = current_engine(context)
    await _send(update, context, engine.privacy(settings_of(context).retention_days))


async def forget_chat(update: Update, context: Context) -> None:
    """/forget: delete every stored row of this chat and say how many went."""
    chat = update.effective_chat
    assert chat is not None
    try:
        deleted = await asyncio.to_thread(current_store(context).forget, chat.id)
    except StoreError as exc:
        log.error("/forget failed: %s", exc)
        await _send(update, context, current_engine(context).forget_failed())
        return
    if context.chat_data is not None:
        context.chat_data.pop(STATE, None)  # the conversation's memory goes too
    await _send(update, context, current_engine(context).forgotten(deleted))


async def unknown_command(update: Update, context: Context) -> None:
    """A command we do not have: the help text (in groups only if it was addressed to us)."""
    message = update.message
    if message is None or message.text is None:
        return
    if message.chat.type != ChatType.PRIVATE:
        command = message.text.split(maxsplit=1)[0]
        username = context.bot.username or ""
        if not username or not command.lower().endswith(f"@{username.lower()}"):
            return  # probably meant for another bot in the group
    await _send(update, context, current_engine(context).help())


# -- messages -----------------------------------------------------------------------------


async def answer_text(update: Update, context: Context) -> None:
    """Free text (or a media caption): the core's reply, with "typing…" if it takes a while."""
    message = update.message
    if message is None:
        return
    text = text_for_bot(message, context.bot.bot)
    if text is None:
        return  # a group conversation not addressed to the assistant
    engine = current_engine(context)
    state = chat_state(context)
    to = destination(update)
    # "typing…" covers the thinking only: once the reply is on its way, Telegram clears the
    # indicator when it arrives, and an extra request while sending would only slow it.
    async with typing_while_working(context.bot, to.chat_id, to.thread_id):
        if len(text) > INLINE_TEXT_LIMIT:
            # A long story takes the engine tens of milliseconds: in a worker thread, so other
            # patients' replies keep flowing meanwhile.
            reply = await asyncio.to_thread(engine.respond, text, state)
        else:
            reply = engine.respond(text, state)  # about a millisecond: a thread costs more
    shown = with_feedback(reply, engine)
    sent = await send_reply(context.bot, to, shown)
    await _record(context, to.chat_id, text, reply, sent_answer(to.chat_id, sent, shown))


async def refuse_non_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice notes, files, locations: kindly ask for text instead."""
    message = update.message
    if message is None or not addressed_to_bot(message, context.bot.bot):
        return
    await _send(update, context, current_engine(context).not_text())


# -- buttons ------------------------------------------------------------------------------


async def _acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the button's spinner (showing `text` briefly, if any); never costs the reply."""
    try:
        await query.answer(text[:TOAST_LIMIT] if text else None)
    except TelegramError as exc:
        log.debug("answerCallbackQuery failed: %s", exc)


async def topic_button(update: Update, context: Context) -> None:
    """A tap on a topic button: that topic's answer (a stale or forged id gets a polite reply)."""
    query = update.callback_query
    if await _without_chat(update, context):
        return
    assert query is not None
    await _acknowledge(query)
    topic_id = (query.data or "").partition(":")[2]
    engine = current_engine(context)
    reply = engine.answer_topic(topic_id, chat_state(context))
    if reply.kind is not Kind.ANSWER:
        await _send(update, context, reply)
        return
    to = destination(update)
    shown = with_feedback(reply, engine)
    sent = await send_reply(context.bot, to, shown)
    # Counted as an answer (no text is kept), with the message that carries its buttons.
    await _record(context, to.chat_id, "", reply, sent_answer(to.chat_id, sent, shown))


async def menu_button(update: Update, context: Context) -> None:
    """A tap on "All topics": the topic menu."""
    query = update.callback_query
    if await _without_chat(update, context):
        return
    assert query is not None
    await _acknowledge(query)
    await _send(update, context, current_engine(context).menu())


async def feedback_button(update: Update, context: Context) -> None:
    """A tap on "Helpful" / "Not helpful": kept once per answer, thanked, a "no" handed off."""
    query = update.callback_query
    chat = update.effective_chat
    if await _without_chat(update, context):
        return
    assert query is not None and chat is not None and query.message is not None
    _, topic_id, verdict = (query.data or "").split(":")  # the pattern in app.py ensures it
    engine = current_engine(context)
    messages = engine.knowledge.messages
    store = current_store(context)
    answer_id = query.message.message_id
    # A topic since removed, or a tap under a message the bot never sent this chat as that
    # topic's answer (forged data): thanked, not kept.
    if engine.knowledge.topic(topic_id) is None or not store.answer_was_sent(
        chat.id, answer_id, topic_id
    ):
        await _acknowledge(query, to_plain(messages.feedback_thanks))
        await _remove_feedback_buttons(query)
        return
    helpful = verdict == "yes"
    # One short synced commit, on the loop like the Recorder's writes (see recording.py).
    kept = store.record_feedback(chat.id, topic_id, helpful, str(answer_id))
    thanks = messages.feedback_thanks if kept else messages.feedback_already
    await _acknowledge(query, to_plain(thanks))
    await _remove_feedback_buttons(query)
    if kept and not helpful:
        await _send(update, context, engine.not_helpful())


async def _without_chat(update: Update, context: Context) -> bool:
    """A tap with no message attached (an inline message, or one Telegram no longer has):
    there is no chat to answer in, so the tap itself gets one polite answer. True if so."""
    query = update.callback_query
    if query is None or (query.message is not None and update.effective_chat is not None):
        return False
    await _acknowledge(query, to_plain(current_engine(context).knowledge.messages.button_gone))
    return True


async def _remove_feedback_buttons(query: CallbackQuery) -> None:
    """Take the question away once answered, keeping the other buttons of the answer."""
    markup = getattr(query.message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return
    rows = [
        [b for b in row if not (b.callback_data or "").startswith(f"{ACTION_FEEDBACK}:")]
        for row in markup.inline_keyboard
    ]
    kept = InlineKeyboardMarkup([row for row in rows if row])
    if kept.inline_keyboard == markup.inline_keyboard:
        return  # already removed (a second tap from a screen that had not caught up)
    try:
        await query.edit_message_reply_markup(kept if kept.inline_keyboard else None)
    except TelegramError as exc:  # e.g. the message is too old to edit
        log.debug("feedback buttons not removed: %s", exc)


async def unknown_button(update: Update, context: Context) -> None:
    """Callback data we never sent (forged, or from an old version): a polite reply."""
    query = update.callback_query
    if await _without_chat(update, context):
        return
    assert query is not None
    await _acknowledge(query)
    reply = current_engine(context).answer_topic(query.data or "", chat_state(context))
    await _send(update, context, reply)


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
        await _send(update, context, current_engine(context).error())
    except Exception as exc:  # the error reply is best effort; the original error is logged
        log.warning("Could not tell the patient about the error either: %r", exc)
