"""The practitioner's side on Telegram: /stats, /unanswered, /reload, and knowledge problems.

These handlers are routed only for chat ids in ADMIN_CHAT_IDS (a `filters.Chat` in app.py):
anyone else's /stats falls through to the ordinary unknown-command reply and learns
nothing. Replies are plain text (no parse mode), because they quote YAML, `check` reports
and patients' words, where "<" and "&" are not markup. The wording comes from the report
module and the live reloader; this module only carries it to Telegram.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.adapters.telegram.delivery import send_plain
from bot.adapters.telegram.handlers import (
    LIVE,
    SETTINGS,
    Context,
    current_engine,
    current_store,
    live_engine,
)
from bot.core.live import LiveEngine, ReloadResult
from bot.core.markup import to_plain
from bot.core.model import Knowledge
from bot.practitioner.grouping import group_unanswered
from bot.practitioner.wording import stats_summary, unanswered_summary
from bot.store import Store, StoreError

if TYPE_CHECKING:
    from bot.core.conversation import Engine

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30  # what /stats and /unanswered look back over without an argument
MAX_DAYS = 3650
UNANSWERED_GROUPS = 5
REFUSED_REPORTED = "knowledge_refused"  # bot_data key: a refused edit was reported to admins


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
    """/unanswered [days]: the largest groups of questions the bot could not answer."""
    days = _days(context)
    if days is None:
        await _reply(
            update,
            context,
            f"Usage: /unanswered [days], e.g. /unanswered 7 (default {DEFAULT_DAYS})",
        )
        return
    knowledge = current_engine(context).knowledge
    try:
        # Grouping compares every question with the others: off the event loop.
        text = await asyncio.to_thread(_unanswered_text, current_store(context), knowledge, days)
    except StoreError as exc:
        text = f"Could not read the unanswered questions: {exc}"
    await _reply(update, context, text)


async def reload_now(update: Update, context: Context) -> None:
    """/reload: load the knowledge files at once and say what happened."""
    live = live_engine(context)
    if live is None:
        await _reply(update, context, "Live reload is off: this bot serves a fixed knowledge base.")
        return
    result = await live.reload_async(force=True)
    if result.ok:
        context.bot_data.pop(REFUSED_REPORTED, None)
    await _reply(update, context, reload_summary(result, len(live.engine.knowledge.topics)))


# -- the watcher's reports ------------------------------------------------------------------


async def report_refused_edit(application: Application, report: str) -> None:
    """The watcher refused an edit: every admin chat gets the `check` report (the log has it)."""
    live: LiveEngine[Engine] = application.bot_data[LIVE]
    application.bot_data[REFUSED_REPORTED] = True
    text = (
        "A knowledge edit was NOT loaded: patients still get the last good version"
        f" ({live.version}). Fix these problems and save again"
        f" (`python -m bot check` lists them too):\n\n{report}"
    )
    await notify_admins(application.bot, application.bot_data[SETTINGS].admin_chat_ids, text)


async def report_loaded_edit(application: Application, result: ReloadResult) -> None:
    """A good edit after a refused one: tell the admins it is fixed (routine saves stay quiet)."""
    if not application.bot_data.pop(REFUSED_REPORTED, False):
        return
    live: LiveEngine[Engine] = application.bot_data[LIVE]
    topics = len(live.engine.knowledge.topics)
    await notify_admins(
        application.bot,
        application.bot_data[SETTINGS].admin_chat_ids,
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


def _unanswered_text(store: Store, knowledge: Knowledge, days: int) -> str:
    rows = store.unanswered(days)
    groups = group_unanswered(rows, knowledge)
    heading = f"Unanswered questions, last {days} days: {len(rows)} in {len(groups)} groups"
    body = unanswered_summary(groups, limit=UNANSWERED_GROUPS)
    return f"{heading}\n\n{body}" if rows else body


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
