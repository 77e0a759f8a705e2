"""Masking what patients type about themselves before any of it is written."""

from __future__ import annotations

import re

MAX_TEXT_CHARS = 1000  # a question is a few lines; longer stories are cut, never stored whole

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{3,}")
# Seven or more digits, possibly split by spaces, dots, dashes, brackets, with a leading +:
# phone numbers and chat ids, but not "2 weeks" or "since 2019".
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s().-]{0,2}\d){6,}")
_SPACES = re.compile(r"\s+")


def mask_personal_details(text: str) -> str:
    """Replace e-mail addresses, @usernames and phone-like numbers; collapse whitespace."""
    text = _EMAIL.sub("[email]", text)
    text = _HANDLE.sub("[username]", text)
    text = _LONG_NUMBER.sub("[number]", text)
    return _SPACES.sub(" ", text).strip()


def stored_text(text: str) -> str:
    """What is written for a message: masked, then cut at MAX_TEXT_CHARS."""
    masked = mask_personal_details(text)
    if len(masked) > MAX_TEXT_CHARS:
        masked = masked[: MAX_TEXT_CHARS - 1] + "…"
    return masked
