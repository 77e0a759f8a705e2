"""No patient's words, name, username or chat id in any log line, whoever logs it.

python-telegram-bot logs every Bot API call with its parameters and return value at DEBUG
(the patients' messages, names, usernames, chat ids), every update it processes, and an
update it cannot parse in full at CRITICAL; other libraries may log what they like. Rather
than trust each of them, one filter on the root handlers rewrites every record on its way
out: structured arguments (dicts, lists, Telegram objects) are replaced by a short summary
(an update keeps only its number), and the rendered text and traceback are scrubbed of
quoted values under personal keys (text=..., 'first_name': ...) and of long numbers (chat
ids, user ids, phone numbers). Every entry point installs it (`protect_root_handlers`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

HIDDEN = "<hidden>"

# Keys whose values are what a person wrote or who they are (Bot API and PTB reprs).
_PERSONAL_KEYS = (
    "text|caption|first_name|last_name|full_name|name|username|title|data|query|"
    "phone_number|email|bio|quote|question|description|address|vcard|explanation|"
    "chat_id|user_id|sender_chat|id|from_user|from|chat|message_text|result"
)
# key=value, 'key': value, "key": value, with quoted (escapes allowed) or bare values.
_KEY_VALUE = re.compile(
    rf"""(?P<key>(?<![\w])['"]?(?:{_PERSONAL_KEYS})['"]?\s*(?:=|:)\s*)"""
    r"""(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+|[^\s,)}\]({\[]+)"""
)
# Chat and user ids: six or more digits in a row (dates and times are shorter runs);
# phone numbers written with a leading +.
_LONG_NUMBER = re.compile(r"(?<![\w.])-?\d{6,}(?![\w.])|\+\d[\d\s().-]{5,}\d")
# Numbers that are safe and useful to keep: update ids (no content, needed to follow one
# update through the log) and the bot's port.
_KEEP_NUMBER_AFTER = re.compile(r"(?:update(?:_id)?|offset|port)['\"]?\s*[=:]?\s*$", re.I)
# Templates whose string argument is raw data (a webhook body): hidden whatever it holds.
_RAW_DATA_TEMPLATES = ("Webhook received data: %s",)


def scrub(text: str) -> str:
    """`text` with personal values and long numbers replaced by <hidden>."""
    text = _KEY_VALUE.sub(lambda m: m.group("key") + HIDDEN, text)
    return _LONG_NUMBER.sub(_hide_number, text)


def _hide_number(match: re.Match[str]) -> str:
    before = match.string[max(0, match.start() - 20) : match.start()]
    return match.group(0) if _KEEP_NUMBER_AFTER.search(before) else HIDDEN


def summarise(value: Any) -> Any:
    """A structured log argument reduced to what carries no personal data."""
    if value is None or isinstance(value, bool | int | float):
        return value
    update_id = getattr(value, "update_id", None)
    if isinstance(update_id, int):
        return f"<update {update_id}>"
    if isinstance(value, dict | list | tuple | set | bytes | bytearray):
        return f"<{type(value).__name__} of {len(value)} hidden>"
    if hasattr(value, "to_dict"):  # any other Telegram object: a message, a user, a chat
        return f"<{type(value).__name__} hidden>"
    return value


class PatientDataFilter(logging.Filter):
    """Rewrites each record (message, arguments, traceback) so no personal data is logged."""

    def __init__(self) -> None:
        super().__init__()
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record now, summarised and scrubbed; always lets it through."""
        args = record.args
        if isinstance(record.msg, str) and record.msg in _RAW_DATA_TEMPLATES:
            args = (HIDDEN,)
        elif isinstance(args, tuple):
            args = tuple(summarise(arg) for arg in args)
        elif isinstance(args, dict):
            args = {key: summarise(value) for key, value in args.items()}
        try:
            message = str(record.msg) % args if args else str(record.msg)
        except (TypeError, ValueError):  # a bad format string: keep the template only
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def protect_root_handlers() -> PatientDataFilter:
    """Install the filter first on every root handler (once each); returns it.

    First, so it sees PTB's templates and arguments before any other filter renders them.
    Call after the handlers are set up (`logging.basicConfig`).
    """
    shield = PatientDataFilter()
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, PatientDataFilter)]:
            handler.removeFilter(old)
        handler.filters.insert(0, shield)
    return shield
