"""What the core answers: a `Reply` that every adapter renders for its own medium.

Reply text uses a tiny HTML subset (<b>, <i>, <u>, <a href="...">, &amp; &lt; &gt;) that
Telegram renders as-is and the terminal strips; anything typed by a patient that is echoed
back is escaped by the core before it gets here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """The outcome of one message (PRODUCT.md)."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    FALLBACK = "fallback"
    URGENT = "urgent"
    SMALLTALK = "smalltalk"


# Button actions that adapters understand besides "answer this topic".
ACTION_TOPIC = "topic"  # value: a topic id
ACTION_MENU = "menu"  # show the topic menu
ACTION_FEEDBACK = "feedback"  # value: "<topic id>:yes" or "<topic id>:no"


@dataclass(frozen=True)
class Button:
    """One choice under a reply: either a link (url) or an action the adapter sends back."""

    label: str
    url: str | None = None
    action: str | None = None
    value: str = ""

    @property
    def callback_data(self) -> str:
        """A compact string for Telegram callback data (<= 64 bytes for our ids)."""
        return f"{self.action}:{self.value}" if self.value else str(self.action)


@dataclass(frozen=True)
class Reply:
    """One message from the assistant: what kind, about which topic, the text and its buttons."""

    kind: Kind
    text: str
    topic_id: str | None = None
    score: int = 0
    suggestions: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = field(default_factory=tuple)
    # Extra messages to send after this one (e.g. the disclaimer shown once), already formatted.
    notes: tuple[str, ...] = ()
    # For a button tap: a short plain-text notice shown briefly where the tap was (Telegram's
    # callback answer; the terminal prints it), and whether the "Helpful" / "Not helpful"
    # buttons under the tapped answer are taken away.
    toast: str | None = None
    clear_feedback: bool = False

    @property
    def silent(self) -> bool:
        """True when there is no message to send (a tap answered by its toast alone)."""
        return not self.text.strip() and not self.notes

    def to_json(self) -> dict[str, object]:
        """The machine-readable form of PRODUCT.md's `ask --json` interface."""
        return {
            "kind": self.kind.value,
            "id": self.topic_id,
            "score": int(self.score),
            "suggestions": list(self.suggestions),
        }
