"""The practitioner's side on Telegram: /stats, /unanswered and its buttons, /undo, /changes,
/export, /report, uploaded knowledge files, /reload, and knowledge problems.

These handlers are routed only for chat ids in ADMIN_CHAT_IDS (a `filters.Chat` in app.py):
anyone else's /stats falls through to the ordinary unknown-command reply and learns
nothing; a forged admin button or a document from anyone else gets the ordinary reply.
Replies are plain text (no parse mode), because they quote YAML, `check` reports and
patients' words, where "<" and "&" are not markup. What each command does lives in the
practitioner's services (bot.practitioner: learning, knowledge_edits, report); this module
only translates between them and Telegram.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import TelegramError

from bot.adapters.telegram import handlers
from bot.adapters.telegram.context import BotApplication, Context
from bot.adapters.telegram.delivery import send_plain
from bot.adapters.telegram.handlers import (
    current_engine,
    current_store,
    live_engine,
    settings_of,
)
from bot.core.live import ReloadResult
from bot.core.markup import to_plain
from bot.practitioner import learning
from bot.practitioner.grouping import QuestionGroup
from bot.practitioner.knowledge_edits import (
    MAX_FILE_BYTES,
    MAX_ZIP_BYTES,
    EditRefused,
    KnowledgeEditor,
    target_for_upload,
)
from bot.practitioner.render_html import render_html
from bot.practitioner.report import build_report
from bot.practitioner.wording import (
    added_message,
    group_message,
    ignored_message,
    stats_summary,
    unanswered_summary,
)
from bot.store import ChatKeys, StoreError, load_chat_key_secret, utc_now

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30  # what /stats and /unanswered look back over without an argument
MAX_DAYS = 3650
UNANSWERED_GROUPS = 5
MAX_REMEMBERED_GROUPS = 100
ACTION_ADMIN = "adm"  # callback data "adm:add:<group id>:<n>", "adm:gap:<id>", "adm:ignore:<id>"


# -- commands -------------------------------------------------------------------------------


async def show_stats(update: Update, context: Context) -> None:
    """/stats [days]: messages, outcomes, the most asked topics and helpfulness."""
    days = _days(context)
    if days is None:
        await _reply(
            update, context, f"Usage: /stats [days], e.g. /stats 7 (default {DEFAULT_DAYS})"
        )
        return
    store = current_store(context)
    titles = {t.id: to_plain(t.title) for t in current_engine(context).knowledge.topics}
    try:
        stats = await asyncio.to_thread(store.stats, days)
    except StoreError as exc:
        await _reply(update, context, f"Could not read the statistics: {exc}")
        return
    note = None if store.available else getattr(store, "reason", "no database")
    await _reply(update, context, stats_summary(stats, titles, storage_note=note))


async def show_unanswered(update: Update, context: Context) -> None:
    """/unanswered [days]: the largest groups, each with "Add to ...", "Not on the page", "Ignore"."""
    days = _days(context)
    if days is None:
        await _reply(
            update,
            context,
            f"Usage: /unanswered [days], e.g. /unanswered 7 (default {DEFAULT_DAYS})",
        )
        return
    knowledge = current_engine(context).knowledge
    store = current_store(context)
    try:
        # Grouping compares every question with the others: off the event loop.
        groups = await asyncio.to_thread(learning.unanswered_groups, store, knowledge, days)
    except StoreError as exc:
        await _reply(update, context, f"Could not read the unanswered questions: {exc}")
        return
    if not groups:
        await _reply(update, context, unanswered_summary([]))
        return
    total = sum(g.count for g in groups)
    heading = f"Unanswered questions, last {days} days: {total} in {len(groups)} groups"
    shown = groups[:UNANSWERED_GROUPS]
    if len(groups) > len(shown):
        heading += f" (the {len(shown)} largest below; /report has them all)"
    await _reply(update, context, heading)
    remembered = _shown_groups(context)
    chat = update.effective_chat
    assert chat is not None
    for n, group in enumerate(shown, 1):
        remembered[group.key] = group
        await context.bot.send_message(
            chat.id, group_message(n, group), parse_mode=None, reply_markup=_group_buttons(group)
        )
    while len(remembered) > MAX_REMEMBERED_GROUPS:  # oldest first (dicts keep order)
        remembered.pop(next(iter(remembered)))


def _group_buttons(group: QuestionGroup) -> InlineKeyboardMarkup:
    """ "Add to <topic>" for the closest topics, then "Not on the page" and "Ignore"."""
    rows = [
        [
            InlineKeyboardButton(
                f"Add to {c.title}"[:64], callback_data=f"{ACTION_ADMIN}:add:{group.key}:{i}"
            )
        ]
        for i, c in enumerate(group.candidates)
    ]
    rows.append(
        [
            InlineKeyboardButton(
                "Not on the page", callback_data=f"{ACTION_ADMIN}:gap:{group.key}"
            ),
            InlineKeyboardButton("Ignore", callback_data=f"{ACTION_ADMIN}:ignore:{group.key}"),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def group_button(update: Update, context: Context) -> None:
    """A tap under an /unanswered group: add it to a topic or to the gaps, or ignore it.

    Admins only: anyone else's tap (forged data) gets the ordinary reply to an unknown
    button and changes nothing.
    """
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    if chat is None or chat.id not in settings_of(context).admin_chat_ids:
        await handlers.button(update, context)  # the core's reply to data it never sent
        return
    _, action, key, index = [*(query.data or "").split(":"), "", "", ""][:4]
    group = _shown_groups(context).get(key)
    if group is None:
        await _acknowledge(query, "This list is out of date: send /unanswered again.")
        return
    await _acknowledge(query)
    store = current_store(context)
    try:
        if action == "ignore":
            await asyncio.to_thread(learning.ignore, store, group)
            text = ignored_message(group)
        elif action == "gap":
            result = await asyncio.to_thread(
                learning.add_to_gaps, _editor(context), group, _who(context, chat.id)
            )
            text = added_message(result.added, f'the gap "{result.target}" in not_on_page.yaml')
            text += await _reload(context)
        elif action == "add" and index.isdigit() and int(index) < len(group.candidates):
            topic = group.candidates[int(index)]
            result = await asyncio.to_thread(
                learning.add_to_topic, _editor(context), group, topic.id, _who(context, chat.id)
            )
            text = added_message(result.added, f'"{topic.title}" ({result.change.files[0]})')
            text += await _reload(context)
        else:
            await _reply(update, context, "That button is not one I know.")
            return
    except EditRefused as exc:
        await _reply(update, context, exc.report())
        return
    except StoreError as exc:
        await _reply(update, context, f"Could not remember that: {exc}")
        return
    _shown_groups(context).pop(key, None)
    await _remove_buttons(query)
    await _reply(update, context, text)


async def undo_change(update: Update, context: Context) -> None:
    """/undo: put back the files of the last change made from here, byte for byte."""
    chat = update.effective_chat
    assert chat is not None
    try:
        result = await asyncio.to_thread(_editor(context).undo, _who(context, chat.id))
    except EditRefused as exc:
        await _reply(update, context, exc.report())
        return
    what = result.change.what
    text = f"{what[:1].upper()}{what[1:]}." + await _reload(context)
    await _reply(update, context, text)


async def show_changes(update: Update, context: Context) -> None:
    """/changes: the last changes made to the knowledge from Telegram (when, who, what)."""
    editor = _editor(context)
    lines = await asyncio.to_thread(editor.recent_changes, 10)
    if not lines:
        await _reply(update, context, "No changes have been made from Telegram yet.")
        return
    await _reply(
        update,
        context,
        f"The last changes (all of them are in {editor.changes_log}):\n" + "\n".join(lines),
    )


async def export_knowledge(update: Update, context: Context) -> None:
    """/export: the knowledge folder as a .zip (edit it and send it back to install it)."""
    chat = update.effective_chat
    assert chat is not None
    data = await asyncio.to_thread(_editor(context).export_zip)
    stamp = utc_now().strftime("%Y-%m-%d-%H%M")
    await context.bot.send_document(
        chat.id,
        InputFile(data, filename=f"knowledge-{stamp}.zip"),
        caption="The knowledge folder. Edit it and send the .zip (or one file) back to install it.",
        parse_mode=None,
    )


async def send_report(update: Update, context: Context) -> None:
    """/report [days]: the full report as a web page to open on the phone."""
    days = _days(context)
    if days is None:
        await _reply(
            update, context, f"Usage: /report [days], e.g. /report 7 (default {DEFAULT_DAYS})"
        )
        return
    chat = update.effective_chat
    assert chat is not None
    knowledge = current_engine(context).knowledge
    try:
        report = await asyncio.to_thread(build_report, current_store(context), days, knowledge)
    except StoreError as exc:
        await _reply(update, context, f"Could not read the report: {exc}")
        return
    page = render_html(report).encode()
    stamp = utc_now().strftime("%Y-%m-%d")
    await context.bot.send_document(
        chat.id,
        InputFile(page, filename=f"report-{stamp}.html"),
        caption=f"What patients asked in the last {days} days. Open it in your browser.",
        parse_mode=None,
    )


async def receive_document(update: Update, context: Context) -> None:
    """An admin sends a .yaml file or a .zip of the folder: checked, then installed or refused."""
    message = update.message
    chat = update.effective_chat
    if message is None or message.document is None or chat is None:
        return
    document = message.document
    name = document.file_name or ""
    is_zip = name.lower().endswith(".zip")
    limit = MAX_ZIP_BYTES if is_zip else MAX_FILE_BYTES
    try:
        if not is_zip:
            target_for_upload(name)  # refuses what is not YAML before downloading it
        if document.file_size is not None and document.file_size > limit:
            raise EditRefused(f"{name} is too large (at most {limit // 1024} KB); nothing changed.")
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
        if len(data) > limit:
            raise EditRefused(f"{name} is too large (at most {limit // 1024} KB); nothing changed.")
        editor, who = _editor(context), _who(context, chat.id)
        if is_zip:
            result = await asyncio.to_thread(editor.install_zip, data, who)
        else:
            result = await asyncio.to_thread(editor.install_file, name, data, who)
    except EditRefused as exc:
        await _reply(update, context, exc.report())
        return
    text = f"Installed: {result.change.what}." + await _reload(context)
    text += "\n/undo puts the previous version back."
    await _reply(update, context, text)


async def reload_now(update: Update, context: Context) -> None:
    """/reload: load the knowledge files at once and say what happened."""
    live = live_engine(context)
    if live is None:
        await _reply(update, context, "Live reload is off: this bot serves a fixed knowledge base.")
        return
    result = await live.reload_async(force=True)
    if result.ok:
        context.bot_data.knowledge_refused = False
    await _reply(update, context, reload_summary(result, len(live.engine.knowledge.topics)))


# -- the watcher's reports ------------------------------------------------------------------


async def report_refused_edit(application: BotApplication, report: str) -> None:
    """The watcher refused an edit: every admin chat gets the `check` report (the log has it)."""
    data = application.bot_data
    assert data.live is not None  # only the watcher of a live engine reports
    live = data.live
    data.knowledge_refused = True
    text = (
        "A knowledge edit was NOT loaded: patients still get the last good version"
        f" ({live.version}). Fix these problems and save again"
        f" (`make check` lists them too):\n\n{report}"
    )
    await notify_admins(application.bot, data.settings.admin_chat_ids, text)


async def report_loaded_edit(application: BotApplication, result: ReloadResult) -> None:
    """A good edit after a refused one: tell the admins it is fixed (routine saves stay quiet)."""
    data = application.bot_data
    if not data.knowledge_refused or data.live is None:
        return
    data.knowledge_refused = False
    topics = len(data.live.engine.knowledge.topics)
    await notify_admins(
        application.bot,
        data.settings.admin_chat_ids,
        "Fixed: " + reload_summary(result, topics),
    )


async def notify_admins(bot: Bot, admin_chat_ids: Iterable[int], text: str) -> None:
    """Send `text` to every admin chat; one that cannot be reached does not stop the others."""
    for chat_id in sorted(admin_chat_ids):
        try:
            await send_plain(bot, chat_id, text)
        except TelegramError as exc:
            log.warning("Could not send a report to admin chat %s: %s", chat_id, exc.message)


# -- wording --------------------------------------------------------------------------------


def reload_summary(result: ReloadResult, topics: int) -> str:
    """The /reload answer: "Reloaded: N topics" or the problems that kept the edit out."""
    if not result.ok:
        return result.describe()
    return f"Reloaded: {topics} topics (version {result.version}, {result.seconds:.2f} s)."


def _shown_groups(context: Context) -> dict[str, QuestionGroup]:
    """The groups shown by /unanswered, by their short id: what a later tap refers to."""
    return context.bot_data.admin_groups


def _editor(context: Context) -> KnowledgeEditor:
    """The one editor of the knowledge folder the bot serves (created on first use)."""
    editor = context.bot_data.knowledge_editor
    if editor is None:
        live = live_engine(context)
        directory = live.directory if live is not None else settings_of(context).knowledge_dir
        editor = context.bot_data.knowledge_editor = KnowledgeEditor(directory)
    return editor


def _who(context: Context, chat_id: int) -> str:
    """The admin in the changes log: a pseudonymous key of the chat, never a name or id."""
    settings = settings_of(context)
    try:
        keys = ChatKeys(load_chat_key_secret(settings.chat_key_secret, settings.data_dir))
    except (StoreError, OSError, ValueError):
        return "admin"
    return f"admin {keys.key(chat_id)[:8]}"


async def _reload(context: Context) -> str:
    """Load the edited knowledge now (not at the watcher's next look); a line saying so."""
    live = live_engine(context)
    if live is None:
        return "\n(The bot serves a fixed knowledge base: restart it to use the change.)"
    result = await live.reload_async(force=True)
    if result.ok:
        context.bot_data.knowledge_refused = False
        return f"\nLive now (version {result.version})."
    return "\n" + result.describe()


async def _acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    try:
        await query.answer(text)
    except TelegramError as exc:
        log.debug("answerCallbackQuery failed: %s", exc)


async def _remove_buttons(query: CallbackQuery) -> None:
    """A group acted on loses its buttons, so a second tap cannot add it twice."""
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as exc:
        log.debug("buttons not removed: %s", exc)


def _days(context: Context) -> int | None:
    """The optional number-of-days argument; None when it is not a sensible number."""
    if not context.args:
        return DEFAULT_DAYS
    try:
        days = int(context.args[0])
    except ValueError:
        return None
    return days if 1 <= days <= MAX_DAYS else None


async def _reply(update: Update, context: Context, text: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    await send_plain(context.bot, chat.id, text)
