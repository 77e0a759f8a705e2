"""A core `Reply` as Telegram messages: HTML text chunks of at most 4096 and an inline keyboard.

Telegram refuses a message over 4096 characters outright, so long answers are split where a
reader would pause (paragraphs, then lines, sentences, words), never inside a tag or an
entity, and a tag left open at a cut is closed there and reopened in the next chunk.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.reply import ACTION_FEEDBACK, Button, Reply

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096  # Telegram's limit, in UTF-16 code units of the visible text
CALLBACK_DATA_LIMIT = 64  # bytes; Telegram rejects the whole message above it
SHORT_LABEL = 18  # action buttons this short sit two to a row; longer ones get their own

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
# Where a chunk may end, best first; each keeps its separator at the end of the left part.
_BREAKS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?…])\s+"),
    re.compile(r"\s+"),
)


@dataclass(frozen=True)
class OutgoingMessage:
    """One Telegram message to send: HTML text and, on the last one of a reply, its keyboard."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None


def render(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[OutgoingMessage]:
    """The messages for one reply: the text (split if long) with the buttons, then the notes.

    The keyboard goes under the reply's own text, where the patient reads the answer; notes
    (the disclaimer shown once) follow as separate, button-less messages.
    """
    chunks = split_message(reply.text, limit) or ["…"]
    markup = keyboard(reply.buttons)
    messages = [OutgoingMessage(chunk) for chunk in chunks[:-1]]
    messages.append(OutgoingMessage(chunks[-1], markup))
    for note in reply.notes:
        messages.extend(OutgoingMessage(chunk) for chunk in split_message(note, limit))
    return messages


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """Inline buttons: links open a page, actions come back as callback data."""
    return _keyboard(tuple(buttons))


# The same few keyboards (menu, related topics, booking) recur in every conversation, and
# PTB objects are immutable and costly to build: build each once.
@functools.lru_cache(maxsize=1024)
def _keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    pending_short: InlineKeyboardButton | None = None
    # "Helpful" / "Not helpful" always share the last row, apart from where to go next.
    feedback = [b for b in buttons if b.action == ACTION_FEEDBACK]
    for button in buttons:
        if button.action == ACTION_FEEDBACK:
            continue
        rendered = _button(button)
        if rendered is None:
            continue
        if button.url or len(button.label) > SHORT_LABEL:
            if pending_short is not None:
                rows.append([pending_short])
                pending_short = None
            rows.append([rendered])
        elif pending_short is None:
            pending_short = rendered
        else:
            rows.append([pending_short, rendered])
            pending_short = None
    if pending_short is not None:
        rows.append([pending_short])
    feedback_row = [rendered for rendered in map(_button, feedback) if rendered is not None]
    if feedback_row:
        rows.append(feedback_row)
    return PrebuiltKeyboard(rows) if rows else None


class PrebuiltKeyboard(InlineKeyboardMarkup):
    """An inline keyboard that is turned into its JSON form once, not on every send.

    The same few keyboards go out under most replies (see `_keyboard`), and python-telegram-
    bot rebuilds the dict of every button for each request otherwise; PTB objects are
    immutable, so the dict made at construction stays right.
    """

    __slots__ = ("_as_dict",)

    def __init__(self, inline_keyboard: Sequence[Sequence[InlineKeyboardButton]]) -> None:
        super().__init__(inline_keyboard)
        with self._unfrozen():
            self._as_dict = super().to_dict()

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        """The keyboard as Telegram's JSON object (built once; do not modify it)."""
        return self._as_dict if recursive else super().to_dict(recursive=False)


def _button(button: Button) -> InlineKeyboardButton | None:
    if button.url:
        return InlineKeyboardButton(button.label, url=button.url)
    data = button.callback_data
    if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
        # One oversized button would make Telegram refuse the whole answer; drop just it.
        log.warning("Button %r dropped: callback data over 64 bytes (%r)", button.label, data)
        return None
    return InlineKeyboardButton(button.label, callback_data=data)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (emoji outside the BMP count as two)."""
    return len(text.encode("utf-16-le")) // 2


def split_plain(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut plain text (admin reports, sent without parse mode) at line ends within `limit`.

    No tag handling: plain text may contain "<" that is not markup (a patient's words).
    """
    chunks: list[str] = []
    current = ""
    for line in text.strip().splitlines():
        while utf16_length(line) > limit:  # one enormous line: cut it hard
            cut = _prefix_within(line, limit)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut])
            line = line[cut:]
        joined = f"{current}\n{line}" if current else line
        if utf16_length(joined) > limit:
            chunks.append(current)
            joined = line
        current = joined
    if current.strip():
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut `text` into chunks Telegram accepts, at the most natural boundaries available.

    Lengths are measured on the HTML source, which is never shorter than what Telegram
    counts, so every chunk is safe.
    """
    text = text.strip()
    if not text:
        return []
    if utf16_length(text) <= limit:
        return [text]
    # Room for the closing and reopening tags a cut may need.
    budget = max(limit - _tag_reserve(text), limit // 2)
    pieces = _rebalance_tags(_cut(text, budget))
    # A cut between two tags can leave a chunk of bare markup, which Telegram calls empty.
    return [p for p in pieces if _TAG.sub("", p).strip()]


def _tag_reserve(text: str) -> int:
    opening = [m.group(0) for m in _TAG.finditer(text) if not m.group(1)]
    longest = max((len(tag) for tag in opening), default=0)
    return 0 if not opening else min(512, 4 * longest + 32)


def _cut(text: str, budget: int) -> list[str]:
    chunks: list[str] = []
    rest = text
    while utf16_length(rest) > budget:
        cut = _best_cut(rest, budget)
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if head:
            chunks.append(head)
    if rest.strip():
        chunks.append(rest.strip())
    return chunks


def _prefix_within(text: str, budget: int) -> int:
    """The number of characters of `text` whose UTF-16 length fits in `budget`."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > budget:
            return index
    return len(text)


def _best_cut(text: str, budget: int) -> int:
    window_end = _prefix_within(text, budget)
    window = text[:window_end]
    unsafe = _unsafe_spans(text)
    for pattern in _BREAKS:
        candidates = [
            m.end()
            for m in pattern.finditer(window)
            if m.end() > window_end // 4 and not _inside(m.start(), unsafe)
        ]
        if candidates:
            return candidates[-1]
    # One enormous word: cut hard, but never through a tag or an entity.
    for start, end in unsafe:
        if start < window_end < end:
            # Before the tag, or just after it if it opens the text (the reserve has room).
            return start if start > 0 else end
    return window_end


def _unsafe_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _TAG.finditer(text)]
    spans += [(m.start(), m.end()) for m in re.finditer(r"&#?\w{1,10};", text)]
    return spans


def _inside(position: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _rebalance_tags(chunks: list[str]) -> list[str]:
    """Close tags still open at the end of a chunk and reopen them at the next one."""
    balanced: list[str] = []
    carried: list[tuple[str, str]] = []  # (tag name, full opening tag) still open
    for chunk in chunks:
        prefix = "".join(opening for _, opening in carried)
        open_now = list(carried)
        for m in _TAG.finditer(chunk):
            closing, name = m.group(1) == "/", m.group(2).lower()
            if not closing:
                open_now.append((name, m.group(0)))
            else:
                for index in range(len(open_now) - 1, -1, -1):
                    if open_now[index][0] == name:
                        del open_now[index]
                        break
        suffix = "".join(f"</{name}>" for name, _ in reversed(open_now))
        balanced.append(prefix + chunk + suffix)
        carried = open_now
    return balanced
