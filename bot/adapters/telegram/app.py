"""All the wiring in one place: the Application from PTB's builder, and `serve`, which runs it.

`serve` is what `python -m bot run` calls: it checks the settings, loads the knowledge (live:
edits are picked up while running), opens the store, checks the token with Telegram, then
polls (or serves a webhook when WEBHOOK_URL is set) until SIGTERM or Ctrl-C. Updates reach
the handlers through our own intake (intake.py, polling.py, webhook.py), not PTB's Updater:
Telegram hears an update is done only once it is answered. Problems a person must fix are
raised as `BotError`s, which the command line prints as one clear message (no traceback)
and turns into the exit code. The knowledge watcher runs from post_init to post_stop; the
store is closed in post_shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.adapters.telegram import admin, handlers
from bot.adapters.telegram.connections import telegram_request
from bot.adapters.telegram.context import CONTEXT_TYPES, BotApplication, EngineSource
from bot.adapters.telegram.intake import STOP_GRACE_SECONDS, Intake
from bot.adapters.telegram.logs import configure_logging
from bot.adapters.telegram.ordering import PerChatUpdateProcessor
from bot.adapters.telegram.polling import Poller
from bot.adapters.telegram.retry import RetryingRateLimiter
from bot.config import Settings, check_telegram_settings
from bot.core.conversation import PATIENT_COMMANDS
from bot.core.errors import BotError, ConfigError
from bot.core.live import LiveEngine
from bot.store import NullStore, Store, open_store

if TYPE_CHECKING:
    from bot.core.conversation import Engine
    from bot.core.live import ReloadResult

log = logging.getLogger(__name__)

# Only what the bot answers: no edited messages (never answered twice), no channel posts.
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY)

# The command menu Telegram shows next to the text box: every patient command, in the core's
# order (a command added to the core without a line here fails at start-up, not silently).
MENU_DESCRIPTIONS = {
    "start": "Welcome and the list of topics",
    "topics": "Everything I can tell you about",
    "book": "How to book an appointment",
    "about": "Who you will see",
    "help": "How to ask me a question",
    "privacy": "What I keep about this chat, and for how long",
    "forget": "Delete everything kept about this chat",
}
COMMANDS = tuple(BotCommand(name, MENU_DESCRIPTIONS[name]) for name in PATIENT_COMMANDS)
# Added to the menu in admin chats only (a per-chat scope): nobody else sees they exist.
ADMIN_COMMANDS = (
    BotCommand("stats", "Questions, outcomes and helpfulness (add days, e.g. /stats 7)"),
    BotCommand("unanswered", "What patients asked that I could not answer"),
    BotCommand("reload", "Load the knowledge files now"),
    BotCommand("undo", "Undo the last change made from here"),
    BotCommand("changes", "The last changes to the knowledge: when, who, what"),
    BotCommand("export", "The knowledge folder as a .zip (send it back to install it)"),
    BotCommand("report", "The full report as a page to open on your phone"),
)
CONNECT_PAUSES = (1, 2, 5, 10, 30)  # seconds between tries to reach Telegram at start-up
WEBHOOK_BOOTSTRAP_RETRIES = 3
# Telegram takes about 30 messages a second from a bot; 16 connections carry that even at
# half a second per request. PTB's default of 256 only costs time: httpx looks at every
# open connection on every request (made cheaper by connections.py). A request waits up to
# POOL_TIMEOUT for a free one.
CONNECTIONS = 16
POOL_TIMEOUT = 5.0
DEFAULT_API_HOST = "api.telegram.org"


class TokenRejected(ConfigError):
    """Telegram says the token is not a bot's (PTB's own message would quote the token)."""

    def __init__(self) -> None:
        super().__init__(
            "Telegram rejected TELEGRAM_BOT_TOKEN - check it with @BotFather"
            " (/mybots > your bot > API Token) and set it again"
        )


class TelegramRefused(BotError):
    """Telegram answered, but refused to let the bot start (e.g. a webhook it will not set)."""


class WebhookServerError(BotError):
    """The webhook server could not start (e.g. its port is taken)."""


def build_application(
    settings: Settings,
    engine: Engine | EngineSource | LiveEngine[Engine],
    *,
    request: BaseRequest | None = None,
    store: Store | None = None,
) -> BotApplication:
    """The bot's Application: handlers, HTML defaults, rate limits and retries, per-chat order.

    `engine` is an Engine, a zero-argument callable returning the current one, or a
    LiveEngine (then the knowledge is watched for edits while running, and /reload works):
    it is asked again for every update. `store` keeps outcomes and feedback (default: a
    NullStore, nothing kept). `request` replaces the HTTP layer (tests pass one that needs
    no network).
    """
    builder = (
        Application.builder()
        .token(settings.telegram_token)
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(RetryingRateLimiter(settings.telegram_rate_limit))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(_start_up)
        .post_stop(_stop_watching)
        .post_shutdown(_release)
    )
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    if settings.telegram_api_base_file_url:
        builder = builder.base_file_url(settings.telegram_api_base_file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.request(telegram_request(CONNECTIONS, POOL_TIMEOUT))
    application: BotApplication = builder.build()
    data = application.bot_data
    data.settings = settings
    data.use_store(store if store is not None else NullStore())
    if isinstance(engine, LiveEngine):
        data.live = engine
    data.engine_source = _as_source(engine)
    add_handlers(application, settings.admin_chat_ids)
    return application


def use_store(application: BotApplication, store: Store) -> None:
    """Keep outcomes, feedback and questions in `store` from now on (closed at shutdown)."""
    application.bot_data.use_store(store)


def _as_source(engine: Engine | EngineSource | LiveEngine[Engine]) -> EngineSource:
    if isinstance(engine, LiveEngine):
        live = engine
        return lambda: live.engine
    if callable(engine) and not hasattr(engine, "handle"):
        return engine
    fixed = engine
    return lambda: fixed  # type: ignore[return-value]


def add_handlers(application: BotApplication, admin_chat_ids: frozenset[int] = frozenset()) -> None:
    """Route each kind of update to its handler; anything else is ignored.

    The admin commands match only in `admin_chat_ids`; elsewhere they fall through to the
    unknown-command reply, exactly like a command that does not exist.
    """
    new_messages = filters.UpdateType.MESSAGE  # not edits, not channel posts
    admins = new_messages & filters.Chat(chat_id=admin_chat_ids)  # no ids: matches nobody
    # An admin's knowledge file (even with a caption); anyone else's is refused below.
    application.add_handler(MessageHandler(admins & filters.Document.ALL, admin.receive_document))
    # Free text first: nearly every update is a patient's question, and PTB tries handlers in
    # order. Commands are excluded here, so they still reach the command handlers below.
    application.add_handler(
        MessageHandler(
            new_messages & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND,
            handlers.answer_text,
        )
    )
    application.add_handler(
        CommandHandler(PATIENT_COMMANDS, handlers.patient_command, filters=new_messages)
    )
    admin_commands = {
        "stats": admin.show_stats,
        "unanswered": admin.show_unanswered,
        "reload": admin.reload_now,
        "undo": admin.undo_change,
        "changes": admin.show_changes,
        "export": admin.export_knowledge,
        "report": admin.send_report,
    }
    for name, callback in admin_commands.items():
        application.add_handler(CommandHandler(name, callback, filters=admins))
    application.add_handler(
        CallbackQueryHandler(admin.group_button, pattern=rf"^{admin.ACTION_ADMIN}:")
    )
    application.add_handler(CallbackQueryHandler(handlers.button))  # every patient button
    application.add_handler(
        MessageHandler(new_messages & filters.COMMAND, handlers.unknown_command)
    )
    application.add_handler(
        MessageHandler(new_messages & ~filters.StatusUpdate.ALL, handlers.refuse_non_text)
    )
    application.add_error_handler(handlers.report_error)


async def _start_up(application: BotApplication) -> None:
    """post_init: the command menus, then the knowledge watcher."""
    await _announce_commands(application)
    _start_watching(application)


async def _announce_commands(application: BotApplication) -> None:
    """The command menus; a failure here must not keep patients from the bot."""
    try:
        await application.bot.set_my_commands(list(COMMANDS))
    except TelegramError as exc:
        log.warning("Could not set the command menu (%s); carrying on without it", exc.message)
    settings = application.bot_data.settings
    for chat_id in sorted(settings.admin_chat_ids):
        try:
            await application.bot.set_my_commands(
                [*COMMANDS, *ADMIN_COMMANDS], scope=BotCommandScopeChat(chat_id)
            )
        except TelegramError as exc:  # e.g. the admin has not opened the chat with the bot yet
            log.warning(
                "Could not set the admin command menu in chat %s (%s); the commands work anyway",
                chat_id,
                exc.message,
            )


def _start_watching(application: BotApplication) -> None:
    """Poll knowledge/ for edits in the background while the bot runs (if it serves a live one).

    A plain asyncio task, not `application.create_task`: PTB's `stop` waits for those, and
    this one only ends when cancelled (post_stop).
    """
    data = application.bot_data
    live, settings = data.live, data.settings
    if live is None or settings.reload_interval_seconds <= 0 or data.watcher is not None:
        return

    async def on_error(report: str) -> None:
        await admin.report_refused_edit(application, report)

    async def on_reload(result: ReloadResult) -> None:
        await admin.report_loaded_edit(application, result)

    data.watcher = asyncio.get_running_loop().create_task(
        live.watch(settings.reload_interval_seconds, on_error=on_error, on_reload=on_reload),
        name="knowledge watcher",
    )
    log.info("Watching %s for edits every %d s", live.directory, settings.reload_interval_seconds)


async def _stop_watching(application: BotApplication) -> None:
    """post_stop: end the knowledge watcher (waiting for a reload in progress to finish)."""
    task, application.bot_data.watcher = application.bot_data.watcher, None
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _release(application: BotApplication) -> None:
    """post_shutdown: no more updates will come; stop watching and close the store."""
    await _stop_watching(application)  # post_stop is skipped when stopped before starting
    application.bot_data.store.close()


def _api_host(settings: Settings) -> str:
    return urlsplit(settings.telegram_api_base_url).hostname or DEFAULT_API_HOST


async def connect(application: BotApplication, api_host: str = DEFAULT_API_HOST) -> User:
    """Check the token with Telegram (getMe), waiting out network trouble; InvalidToken if bad.

    While Telegram cannot be reached it says so in plain words, and tries again with growing
    pauses for as long as it takes (a server that boots before its network comes up).
    """
    for attempt in itertools.count():
        try:
            await application.bot.initialize()
            return application.bot.bot
        except InvalidToken:
            raise
        except (NetworkError, RetryAfter) as exc:
            if isinstance(exc, BadRequest):
                raise
            pause = CONNECT_PAUSES[min(attempt, len(CONNECT_PAUSES) - 1)]
            log.warning(
                "Cannot reach Telegram at %s: this computer may be offline, or a firewall or"
                " proxy is in the way (%s). Trying again in %d s; the bot starts by itself as"
                " soon as Telegram answers (Ctrl-C to stop).",
                api_host,
                exc.message,
                pause,
            )
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover


def serve(
    settings: Settings, engine: Engine | EngineSource | LiveEngine[Engine] | None = None
) -> int:
    """Run the bot until stopped (then 0); problems a person must fix raise `BotError`.

    Polling by default, a webhook when WEBHOOK_URL is set. `engine` defaults to a
    LiveEngine on `settings.knowledge_dir`: edits there go live within a few seconds.
    Raises ConfigError (bad settings, a refused token), KnowledgeError (broken knowledge),
    TelegramRefused or WebhookServerError.
    """
    check_telegram_settings(settings)
    configure_logging(settings.log_level, [settings.telegram_token, settings.webhook_secret])
    if engine is None:
        engine = LiveEngine.load(settings.knowledge_dir)
    application = build_application(settings, engine)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        me = _run_until_signal(loop, connect(application, _api_host(settings)))
    except InvalidToken:
        loop.close()
        raise TokenRejected() from None
    except TelegramError as exc:
        loop.close()
        raise TelegramRefused(f"Telegram refused to start the bot: {exc.message}") from None
    if me is None:  # stopped while still connecting
        loop.close()
        return 0

    # Only now that the bot can run: a refused token stays one line, and creates no database.
    store = open_store(settings)  # never raises: without a database, patients are still answered
    use_store(application, store)
    try:
        loop.run_until_complete(_run(application, settings))
    except InvalidToken:
        loop.close()
        raise TokenRejected() from None
    except TelegramError as exc:
        loop.close()
        raise TelegramRefused(f"Telegram refused to start the bot: {exc.message}") from None
    except OSError as exc:  # e.g. the webhook port is taken
        loop.close()
        raise WebhookServerError(f"could not start the webhook server: {exc}") from None
    finally:
        store.close()  # normally already closed in post_shutdown; closing again is harmless
    log.info("Stopped")
    loop.close()
    return 0


async def _run(application: BotApplication, settings: Settings) -> None:
    """The Application's whole life, serving by polling or webhook until SIGINT or SIGTERM.

    What PTB's run_polling / run_webhook do, with our own intake (intake.py) in place of its
    Updater, which confirmed updates to Telegram before they were handled.
    """
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    for sig in stop_signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stopping.set)
    try:
        await application.initialize()
        try:
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            try:
                if settings.webhook_url:
                    await _serve_webhook(application, settings, stopping)
                else:
                    await _serve_polling(application, stopping)
            finally:
                await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)
        finally:
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
    finally:
        for sig in stop_signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)


async def _serve_polling(application: BotApplication, stopping: asyncio.Event) -> None:
    """Long polling, the offset confirmed only past handled updates (polling.py)."""
    bot = application.bot
    if not await _bootstrap(
        lambda: bot.delete_webhook(drop_pending_updates=False), "Removing the webhook", stopping
    ):
        return
    intake = Intake(application, application.bot_data.store)

    async def report(error: TelegramError) -> None:
        await application.process_error(update=None, error=error)

    poller = Poller(bot, intake, ALLOWED_UPDATES, report)
    log.info("Serving @%s by long polling", bot.username)
    try:
        await poller.run(stopping)
    finally:
        await _finish(intake)
        await poller.confirm()


async def _serve_webhook(
    application: BotApplication, settings: Settings, stopping: asyncio.Event
) -> None:
    """A webhook that answers Telegram once each update is handled (webhook.py)."""
    from bot.adapters.telegram.webhook import WebhookServer  # aiohttp: only when used

    bot = application.bot
    intake = Intake(application, application.bot_data.store)
    server = WebhookServer(
        bot,
        intake,
        secret=settings.webhook_secret,
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        path=settings.webhook_path,
    )
    await server.start()
    try:
        if not await _bootstrap(
            lambda: bot.set_webhook(
                url=settings.webhook_url,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
                secret_token=settings.webhook_secret,
            ),
            "Setting the webhook",
            stopping,
            retries=WEBHOOK_BOOTSTRAP_RETRIES,
        ):
            return
        log.info("Serving @%s by webhook at %s", bot.username, settings.webhook_url)
        await stopping.wait()
    finally:
        await server.stop()
        await _finish(intake)


async def _finish(intake: Intake) -> None:
    """At shutdown: let the updates being handled finish; any still running after
    STOP_GRACE_SECONDS are cancelled, unconfirmed, and Telegram delivers them again."""
    if not await intake.wait_until_idle(STOP_GRACE_SECONDS):
        log.warning("Some updates were still being handled at shutdown; they will come again")
        await intake.cancel_all()


async def _bootstrap(
    action: Callable[[], Coroutine[Any, Any, Any]],
    what: str,
    stopping: asyncio.Event,
    *,
    retries: int = -1,
) -> bool:
    """Run `action` until it succeeds (`retries` < 0: for ever); False if stopped first."""
    for attempt in itertools.count():
        try:
            await action()
            return True
        except InvalidToken:
            raise
        except TelegramError as exc:
            if 0 <= retries <= attempt:
                raise
            pause = CONNECT_PAUSES[min(attempt, len(CONNECT_PAUSES) - 1)]
            log.warning("%s failed (%s); trying again in %d s", what, exc.message, pause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), pause)
        if stopping.is_set():
            return False
    raise AssertionError("unreachable")  # pragma: no cover


def _run_until_signal(
    loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, User]
) -> User | None:
    """Run `coroutine`; SIGINT or SIGTERM cancels it (None) instead of killing the process."""
    task = loop.create_task(coroutine)
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    for sig in stop_signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, task.cancel)
    try:
        return loop.run_until_complete(task)
    except asyncio.CancelledError:
        return None
    finally:
        for sig in stop_signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
