"""The log filter: records as python-telegram-bot, httpx and the bot itself make them, at any
level, come out without patients' words, names, usernames or chat ids."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from telegram import Bot, Update

from bot.adapters.telegram.logs import TokenRedactor, configure_logging
from bot.log_privacy import PatientDataFilter, protect_root_handlers, scrub

CHAT_ID = 7340099123
PERSONAL = ("Zebulon", "Quaritch", "zebq_backpain", str(CHAT_ID), "07700 900123", "zeb@ex.com")
WORDS = "my name is Zebulon Quaritch, ring 07700 900123 or zeb@ex.com, ptarmigan ache"
RAW_UPDATE = {
    "update_id": 834234223,
    "message": {
        "message_id": 17,
        "date": 1764564901,
        "chat": {"id": CHAT_ID, "type": "private", "first_name": "Zebulon", "last_name": "Quaritch",
                 "username": "zebq_backpain"},
        "from": {"id": CHAT_ID, "is_bot": False, "first_name": "Zebulon", "last_name": "Quaritch",
                 "username": "zebq_backpain"},
        "text": WORDS,
    },
}  # fmt: skip


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """A handler like the running bot's, with the filter installed the way entry points do."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PatientDataFilter())
    logger = logging.getLogger("test.log_privacy")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield stream
    logger.removeHandler(handler)


def assert_clean(text: str) -> None:
    for needle in (*PERSONAL, "ptarmigan"):
        assert needle not in text, needle


def test_ptbs_api_call_lines_keep_the_endpoint_and_lose_the_parameters(captured) -> None:
    log = logging.getLogger("test.log_privacy")
    params = {"chat_id": CHAT_ID, "text": WORDS, "parse_mode": "HTML"}
    log.debug("Calling Bot API endpoint `%s` with parameters `%s`", "sendMessage", params)
    log.debug(
        "Call to Bot API endpoint `%s` finished with return value `%s`", "getUpdates", [RAW_UPDATE]
    )
    out = captured.getvalue()
    assert "`sendMessage`" in out and "`getUpdates`" in out
    assert_clean(out)


def test_an_update_object_is_logged_as_its_number_only(captured) -> None:
    update = Update.de_json(RAW_UPDATE, Bot("1:TEST"))
    logging.getLogger("test.log_privacy").debug("Processing update %s", update)
    out = captured.getvalue()
    assert "<update 834234223>" in out
    assert_clean(out)


def test_an_unparseable_update_dumped_at_critical_with_its_traceback_is_scrubbed(
    captured,
) -> None:
    log = logging.getLogger("test.log_privacy")
    try:
        raise TypeError(f"cannot read {RAW_UPDATE!r}")
    except TypeError as exc:
        log.critical(
            "Something went wrong processing the data received from Telegram. "
            "Received data was *not* processed! Received data was: %r",
            RAW_UPDATE,
            exc_info=exc,
        )
    log.debug("Webhook received data: %s", f"{{'text': {WORDS!r}}}")
    out = captured.getvalue()
    assert "CRITICAL" in out and "Traceback" in out and "TypeError" in out
    assert_clean(out)


def test_reprs_and_json_in_plain_messages_are_scrubbed() -> None:
    telegram_repr = (
        "Message(chat=Chat(first_name='Zebulon', id=7340099123, type=<ChatType.PRIVATE>, "
        "username='zebq_backpain'), text='it\\'s my back, Zebulon Quaritch here')"
    )
    json_body = '{"chat": {"id": 7340099123}, "text": "call 07700 900123, zeb@ex.com"}'
    for text in (telegram_repr, json_body):
        assert_clean(scrub(text))
    # What an operator needs stays: update numbers, ports, short numbers, dates.
    kept = "update 834234223 on port 8443 at 2026-03-20 12:00:01: 3 answers in 0.2 s"
    assert scrub(kept) == kept


def test_configure_logging_puts_the_patient_filter_before_the_token_redactor() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]
    try:
        configure_logging("DEBUG", ["123:SECRET-TOKEN"])
        configure_logging("DEBUG", ["123:SECRET-TOKEN"])  # twice: still one of each
        kinds = [type(f) for f in root.handlers[0].filters]
        assert kinds == [PatientDataFilter, TokenRedactor]
        logging.getLogger("telegram.Bot").debug(
            "Calling Bot API endpoint `%s` with parameters `%s`",
            "sendMessage",
            {"chat_id": CHAT_ID, "text": WORDS},
        )
        logging.getLogger("httpx").warning("POST https://x/bot123:SECRET-TOKEN/sendMessage")
        out = stream.getvalue()
        assert "`sendMessage`" in out and "<TOKEN>" in out and "SECRET-TOKEN" not in out
        assert_clean(out)
    finally:
        root.handlers, root.level = saved_handlers, saved_level


def test_every_entry_point_can_install_it_once() -> None:
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = [logging.StreamHandler(io.StringIO())]
    try:
        protect_root_handlers()
        protect_root_handlers()
        assert [type(f) for f in root.handlers[0].filters] == [PatientDataFilter]
    finally:
        root.handlers = saved
