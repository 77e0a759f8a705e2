"""The pieces under the handlers: retries, per-chat order, token-free logs, settings checks."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import pytest
from telegram import Update, User
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.adapters.telegram import app as telegram_app
from bot.adapters.telegram.addressing import text_for_bot
from bot.adapters.telegram.logs import REDACTED, TokenRedactor, configure_logging
from bot.adapters.telegram.ordering import PerChatUpdateProcessor
from bot.adapters.telegram.retry import RetryingRateLimiter
from bot.cli import main
from bot.config import ConfigError, Settings, check_telegram_settings
from bot.core.errors import KnowledgeError
from tests.telegram.fake_api import TOKEN, FakeTelegram, auto_entities


@pytest.fixture(autouse=True)
def _restore_logging() -> Any:
    """serve() configures logging for a real run; put the test session's back afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)


# -- retries ------------------------------------------------------------------------------


def _flaky(failures: list[Exception]) -> tuple[Any, list[int]]:
    attempts: list[int] = []

    async def callback(*args: Any, **kwargs: Any) -> bool:
        attempts.append(1)
        if failures:
            raise failures.pop(0)
        return True

    return callback, attempts


async def _through(limiter: RetryingRateLimiter, callback: Any) -> Any:
    return await limiter.process_request(
        callback, (), {}, "sendMessage", {"chat_id": 1, "text": "x"}, None
    )


async def test_network_errors_and_timeouts_are_retried() -> None:
    limiter = RetryingRateLimiter(0, pauses=(0, 0, 0))
    callback, attempts = _flaky([NetworkError("Bad Gateway"), TimedOut()])
    assert await _through(limiter, callback) is True
    assert len(attempts) == 3


async def test_retries_end_and_the_error_surfaces() -> None:
    limiter = RetryingRateLimiter(0, pauses=(0, 0))
    callback, attempts = _flaky([NetworkError("down")] * 5)
    with pytest.raises(NetworkError):
        await _through(limiter, callback)
    assert len(attempts) == 3


async def test_requests_telegram_refused_are_not_retried() -> None:
    limiter = RetryingRateLimiter(0, pauses=(0, 0))
    callback, attempts = _flaky([BadRequest("Bad Request: chat not found")])
    with pytest.raises(BadRequest):
        await _through(limiter, callback)
    assert len(attempts) == 1


# -- one chat at a time, chats side by side ------------------------------------------------


def _update(update_id: int, chat_id: int) -> Update:
    tg = FakeTelegram()
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": tg.chat(chat_id),
                "from": tg.user(chat_id),
                "text": "hi",
            },
        },
        None,
    )


async def test_updates_of_one_chat_run_in_order_and_chats_run_side_by_side() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=64)
    running: dict[int, int] = {}
    log: list[tuple[str, int, int]] = []
    overlap_across_chats = False

    async def handle(update_id: int, chat_id: int) -> None:
        nonlocal overlap_across_chats
        running[chat_id] = running.get(chat_id, 0) + 1
        assert running[chat_id] == 1, "two updates of one chat at once"
        overlap_across_chats |= sum(running.values()) > 1
        log.append(("start", chat_id, update_id))
        await asyncio.sleep(0.01 * (update_id % 3))
        running[chat_id] -= 1

    updates = [(n, 10 + n % 3) for n in range(30)]
    await asyncio.gather(
        *(processor.process_update(_update(n, chat), handle(n, chat)) for n, chat in updates)
    )
    for chat in (10, 11, 12):
        started = [u for kind, c, u in log if c == chat]
        assert started == sorted(started)
    assert overlap_across_chats
    assert processor._locks == {}  # idle chats are forgotten


# -- logs ---------------------------------------------------------------------------------


def test_the_token_never_reaches_a_log_line() -> None:
    redactor = TokenRedactor([TOKEN])
    handler = logging.Handler()
    records: list[str] = []
    handler.emit = lambda record: records.append(handler.format(record))  # type: ignore[method-assign]
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(redactor)
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise NetworkError(f"failed calling /bot{TOKEN}/sendMessage")
        except NetworkError:
            logger.exception("send failed")
    finally:
        logger.removeHandler(handler)
    assert len(records) == 2
    assert all(TOKEN not in r for r in records)
    assert REDACTED in records[0] and REDACTED in records[1]


def test_configure_logging_quiets_httpx_and_can_run_twice() -> None:
    configure_logging("INFO", [TOKEN])
    configure_logging("WARNING", [TOKEN])
    assert logging.getLogger("httpx").level == logging.WARNING
    for handler in logging.getLogger().handlers:
        assert sum(isinstance(f, TokenRedactor) for f in handler.filters) == 1


def test_ptb_network_failure_is_one_line(caplog: pytest.LogCaptureFixture) -> None:
    configure_logging("INFO", [TOKEN])
    retry_log = logging.getLogger("telegram.ext")  # PTB's network retry loop
    with caplog.at_level(logging.INFO, logger="telegram.ext"):
        try:
            raise NetworkError("connection dropped")
        except NetworkError:
            retry_log.exception("Network error while starting")
    record = caplog.records[-1]
    assert record.exc_info is None and record.exc_text is None
    assert "NetworkError: connection dropped" in record.getMessage()


# -- settings -----------------------------------------------------------------------------

GOOD = Settings(telegram_token=TOKEN)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"telegram_token": ""}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"telegram_token": "123:abc"}, "does not look like a bot token"),
        ({"telegram_rate_limit": -1}, "TELEGRAM_RATE_LIMIT"),
        ({"log_level": "LOUD"}, "LOG_LEVEL"),
        ({"telegram_api_base_url": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
        ({"webhook_url": "https://bot.example/hook"}, "WEBHOOK_SECRET is not"),
        (
            {"webhook_url": "http://bot.example/hook", "webhook_secret": "s"},
            "must be a public https",
        ),
        (
            {"webhook_url": "https://bot.example/hook", "webhook_secret": "s", "webhook_port": 0},
            "WEBHOOK_PORT",
        ),
    ],
)
def test_settings_that_cannot_work_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        check_telegram_settings(replace(GOOD, **changes))


def test_good_settings_pass_including_a_local_webhook() -> None:
    check_telegram_settings(GOOD)
    check_telegram_settings(
        replace(GOOD, webhook_url="https://bot.example/telegram", webhook_secret="abc-123_XYZ")
    )
    check_telegram_settings(
        replace(GOOD, webhook_url="http://127.0.0.1:8443/telegram", webhook_secret="abc")
    )


def test_rate_limit_setting_is_read_from_the_environment() -> None:
    env = {"TELEGRAM_RATE_LIMIT": "0", "TELEGRAM_BOT_TOKEN": TOKEN}
    assert Settings.from_env(env, dotenv=None).telegram_rate_limit == 0
    assert Settings.from_env({}, dotenv=None).telegram_rate_limit == 30


def test_serve_refuses_bad_settings_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    with pytest.raises(ConfigError) as raised:
        telegram_app.serve(Settings(telegram_token="nope"))
    assert raised.value.exit_code == 2
    # The command line turns it into one line and the exit code, nothing more.
    monkeypatch.chdir(tmp_path)  # no .env from the project
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "nope")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: TELEGRAM_BOT_TOKEN")


def test_serve_refuses_a_broken_knowledge_base(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(KnowledgeError) as raised:
        telegram_app.serve(replace(GOOD, knowledge_dir=tmp_path / "missing"))
    assert raised.value.exit_code == 1
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert main(["run", "--knowledge", str(tmp_path / "missing")]) == 1
    assert "`make check` lists them" in capsys.readouterr().err


# -- groups -------------------------------------------------------------------------------


def test_mentions_are_found_by_entity_and_removed_from_the_text() -> None:
    tg = FakeTelegram()
    group = tg.chat(-5, "group")
    bot_user = tg.bot_user

    def message(text: str, **extra: Any) -> Any:
        payload = {"message_id": 1, "date": 0, "chat": group, "from": tg.user(9), "text": text}
        payload["entities"] = auto_entities(text)
        payload.update(extra)
        return Update.de_json({"update_id": 1, "message": payload}, None).message

    me = User.de_json(bot_user, None)
    assert text_for_bot(message("@clinictestbot, how many sessions?"), me) == "how many sessions?"
    assert text_for_bot(message("ask @ClinicTestBot about moxa"), me) == "ask about moxa"
    assert text_for_bot(message("ask @SomeoneElse about moxa"), me) is None
    assert text_for_bot(message("email me at pat@ClinicTestBot.example"), me) is None


# -- typed context ------------------------------------------------------------------------


async def test_bot_and_chat_data_are_typed_dataclasses_not_string_keys(
    offline: Any,
) -> None:
    from bot.adapters.telegram.context import BotData, ChatData
    from bot.core.conversation import ChatState

    data = offline.app.bot_data
    assert isinstance(data, BotData)
    assert data.engine_source() is not None and data.store is not None
    offline.tg.send_text(4242, "/start")
    await offline.deliver()
    chat = offline.app.chat_data[4242]
    assert isinstance(chat, ChatData) and isinstance(chat.state, ChatState)
    assert chat.state.disclaimer_shown  # the welcome showed it, through the typed state
