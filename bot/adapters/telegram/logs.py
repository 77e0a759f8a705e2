"""Logging for the running bot: no token and no patient data in any line, noise kept out.

The token is part of every Bot API URL, so any library that logs a URL or an exception
carrying one would leak it; python-telegram-bot logs patients' messages, names and chat ids
at DEBUG. Rather than trust each library, every record is rewritten on its way out (message,
arguments and traceback): first without personal data (bot/log_privacy.py), then without
the token.
"""

from __future__ import annotations

import logging

from bot.log_privacy import protect_root_handlers

REDACTED = "<TOKEN>"

# httpx logs every request URL (which contains the token) at INFO.
_QUIET_LOGGERS = ("httpx", "httpcore")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class TokenRedactor(logging.Filter):
    """Replaces the secret strings in a record (its text and its traceback) by <TOKEN>."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]
        self._formatter = logging.Formatter()

    def scrub(self, text: str) -> str:
        """`text` with every secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record's message and traceback now, scrubbed, so handlers see no secret."""
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to logging's own error report
            return True
        record.msg, record.args = self.scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


class OneLineNetworkFailures(logging.Filter):
    """PTB's network retry loop logs a failed start-up step with a traceback of its internals;
    keep the reason on one line, which is all an operator can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Fold the exception into the message and drop the traceback."""
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(level: str, secrets: list[str]) -> TokenRedactor:
    """Log at `level` to stderr (unless the program set handlers up already), token-free."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=_FORMAT)
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # PTB names the logger of its utility modules (the retry loop among them) "telegram.ext".
    # (Its Updater, which logged a failed last getUpdates with a traceback, is no longer run:
    # polling.py polls.)
    _replace_filter(logging.getLogger("telegram.ext"), OneLineNetworkFailures())
    redactor = TokenRedactor(secrets)
    for handler in root.handlers:
        _replace_filter(handler, redactor)
    protect_root_handlers()  # first on each handler: it must see the libraries' arguments
    return redactor


def _replace_filter(target: logging.Filterer, new: logging.Filter) -> None:
    """Install `new`, removing an earlier one of its kind (serve may run twice in a process)."""
    for old in [f for f in target.filters if type(f) is type(new)]:
        target.removeFilter(old)
    target.addFilter(new)
