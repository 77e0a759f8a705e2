"""What can happen in a chat, as the core sees it: the events both adapters translate into.

Telegram and the terminal turn their own input (an `Update`, a typed line) into one of these
and pass it to `Engine.handle`; the core decides the whole reply. What the core may ask of
the store (a patient's /forget, a feedback tap) goes through `ChatRecords`, a protocol the
adapter implements over the real store, so the core needs no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.reply import ACTION_TOPIC, Kind, Reply


@dataclass(frozen=True)
class Text:
    """Free text a patient typed (or a media caption)."""

    text: str


@dataclass(frozen=True)
class Command:
    """A command: its name without the slash (lower case, no @bot) and the words after it.

    `/start <payload>` from a deep link (t.me/<bot>?start=book) is `Command("start", ("book",))`.
    """

    name: str
    args: tuple[str, ...] = ()

    @classmethod
    def parse(cls, line: str) -> Command:
        """`/Start@clinic_bot book` -> Command("start", ("book",))."""
        head, *args = line.strip().split()
        name = head.removeprefix("/").partition("@")[0].lower()
        return cls(name, tuple(args))


@dataclass(frozen=True)
class Tap:
    """A tap on a button the core offered: the button's data, and the message it sat under.

    `data` is `Button.callback_data` ("topic:cost", "menu", "feedback:cost:yes"); `message_ref`
    names the message that carried the button, so a feedback tap counts once per answer.
    None: that message is gone (Telegram no longer has it), so there is no chat to answer in.
    """

    data: str
    message_ref: str | None = ""


@dataclass(frozen=True)
class NotText:
    """A sticker, photo, voice note, file or location: something the assistant cannot read."""


Event = Text | Command | Tap | NotText


class ChatRecords(Protocol):
    """What is kept about one chat, as far as the conversation needs it.

    The adapter implements it over the store for the chat an event came from; without a
    store every method still answers (nothing kept, nothing to forget).
    """

    @property
    def retention_days(self) -> int:
        """How long anything kept is kept (what /privacy promises)."""
        ...

    def forget(self) -> int | None:
        """Delete everything kept about this chat: how many records went; None if it failed."""
        ...

    def record_feedback(self, topic_id: str, helpful: bool, answer_ref: str) -> bool:
        """Keep a "helpful" verdict on one answer; False if that answer was already rated.

        A tap under a message that was never this topic's answer in this chat (forged data)
        is thanked (True) and not kept.
        """
        ...


def recorded_text(event: Event, reply: Reply) -> str | None:
    """What the store keeps of one exchange: None for nothing, else the words to keep.

    Free text keeps its words (the store decides, by outcome, whether to keep them or only
    count them); a topic tapped is counted as an answer with no words; commands, other
    taps and media are never recorded.
    """
    if isinstance(event, Text):
        return event.text
    if isinstance(event, Tap) and event.data.startswith(f"{ACTION_TOPIC}:"):
        return "" if reply.kind is Kind.ANSWER else None
    return None
