"""A tiny stand-in for the core Engine: fixed, predictable replies, so handler tests check the
Telegram translation only (wording changes in knowledge/ cannot break them).

Magic words in a message pick the reply: "urgent", "long", "crash", "slow", "maybe",
"badhtml", "hello".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.core.conversation import ChatState
from bot.core.markup import escape
from bot.core.reply import ACTION_FEEDBACK, ACTION_MENU, ACTION_TOPIC, Button, Kind, Reply

BOOKING_URL = "https://clinic.example/book"
TOPICS = {"how-many-sessions": "How many sessions?", "where-needles-go": "Where the needles go"}
DISCLAIMER = "<i>General information, not a diagnosis.</i>"
LONG_PARAGRAPH = "Acupuncture uses fine needles at chosen points. " * 30  # ~1,500 characters


@dataclass(frozen=True)
class _Topic:
    id: str
    title: str


@dataclass(frozen=True)
class _Messages:
    feedback_thanks: str = "Thanks!"
    feedback_already: str = "Already noted, thanks."
    button_gone: str = "This button no longer works."


@dataclass(frozen=True)
class _Knowledge:
    topics: tuple[_Topic, ...]
    messages: _Messages = _Messages()

    def topic(self, topic_id: str) -> _Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


@dataclass
class FakeEngine:
    """Implements the Engine contract the Telegram layer codes against."""

    name: str = "engine-1"
    calls: list[str] = field(default_factory=list)
    slow_seconds: float = 0.6

    def __post_init__(self) -> None:
        self.knowledge = _Knowledge(tuple(_Topic(i, t) for i, t in TOPICS.items()))

    def _booking_button(self) -> Button:
        return Button("Book an appointment", url=BOOKING_URL)

    def _disclaimer(self, state: ChatState) -> tuple[str, ...]:
        if state.disclaimer_shown:
            return ()
        state.disclaimer_shown = True
        return (DISCLAIMER,)

    def respond(self, text: str, state: ChatState) -> Reply:
        self.calls.append(f"respond:{text}")
        lowered = text.lower()
        if "crash" in lowered:
            raise RuntimeError("the engine broke")
        if "slow" in lowered:
            time.sleep(self.slow_seconds)
        if "urgent" in lowered:
            return Reply(Kind.URGENT, "<b>Please get medical help now.</b> Call 999.")
        if "long" in lowered:
            text_out = "\n\n".join(f"Part {n}. {LONG_PARAGRAPH}" for n in range(1, 9))
            return Reply(Kind.ANSWER, text_out, topic_id="how-many-sessions", score=90)
        if "maybe" in lowered:
            buttons = tuple(Button(t, action=ACTION_TOPIC, value=i) for i, t in TOPICS.items())
            return Reply(
                Kind.SUGGEST,
                "Did you mean one of these?",
                suggestions=tuple(TOPICS),
                buttons=(*buttons, Button("All topics", action=ACTION_MENU)),
            )
        if "badhtml" in lowered:
            return Reply(Kind.ANSWER, "Use <blink>this</blink> & that")
        if "hello" in lowered:
            return Reply(Kind.SMALLTALK, "Hello!")
        return Reply(
            Kind.ANSWER,
            f"{self.name} heard: {escape(text)}",
            topic_id="how-many-sessions",
            score=80,
            buttons=(
                Button("Where the needles go", action=ACTION_TOPIC, value="where-needles-go"),
                self._booking_button(),
            ),
            notes=self._disclaimer(state),
        )

    def answer_topic(self, topic_id: str, state: ChatState) -> Reply:
        self.calls.append(f"topic:{topic_id}")
        if topic_id not in TOPICS:
            return Reply(
                Kind.FALLBACK,
                "Sorry, that topic is no longer available.",
                buttons=(Button("All topics", action=ACTION_MENU),),
            )
        state.last_topic = topic_id
        return Reply(
            Kind.ANSWER,
            f"About {TOPICS[topic_id]}",
            topic_id=topic_id,
            score=100,
            buttons=(self._booking_button(),),
            notes=self._disclaimer(state),
        )

    def welcome(self, state: ChatState) -> Reply:
        self.calls.append("welcome")
        buttons = tuple(Button(t, action=ACTION_TOPIC, value=i) for i, t in TOPICS.items())
        return Reply(
            Kind.SMALLTALK,
            "Welcome to Rick Mudie's clinic assistant.",
            buttons=(*buttons, self._booking_button()),
            notes=self._disclaimer(state),
        )

    def menu(self) -> Reply:
        self.calls.append("menu")
        buttons = tuple(Button(t, action=ACTION_TOPIC, value=i) for i, t in TOPICS.items())
        return Reply(Kind.SMALLTALK, "Pick a topic:", buttons=(*buttons, self._booking_button()))

    def booking(self) -> Reply:
        self.calls.append("booking")
        return Reply(Kind.ANSWER, "Book online.", buttons=(self._booking_button(),))

    def help(self) -> Reply:
        self.calls.append("help")
        return Reply(Kind.SMALLTALK, "Type a question.")

    def about(self, state: ChatState) -> Reply:
        self.calls.append("about")
        return Reply(Kind.ANSWER, "Rick Mudie, MBAcC.", topic_id="about-practitioner")

    def not_text(self) -> Reply:
        self.calls.append("not_text")
        return Reply(Kind.FALLBACK, "Sorry, I can only read text messages.")

    def error(self) -> Reply:
        self.calls.append("error")
        return Reply(
            Kind.FALLBACK,
            "Sorry, something went wrong. Contact the clinic.",
            buttons=(self._booking_button(),),
        )

    def feedback_buttons(self, topic_id: str) -> tuple[Button, ...]:
        return (
            Button("Yes", action=ACTION_FEEDBACK, value=f"{topic_id}:yes"),
            Button("No", action=ACTION_FEEDBACK, value=f"{topic_id}:no"),
        )

    def not_helpful(self) -> Reply:
        self.calls.append("not_helpful")
        return Reply(
            Kind.FALLBACK,
            "Sorry that did not help. Ask the clinic.",
            buttons=(self._booking_button(),),
        )

    def forget_failed(self) -> Reply:
        self.calls.append("forget_failed")
        return Reply(Kind.FALLBACK, "Sorry, could not delete. Try /forget again.")

    def privacy(self, retention_days: int) -> Reply:
        self.calls.append("privacy")
        return Reply(Kind.SMALLTALK, f"Kept {retention_days} days. Send /forget to delete.")

    def forgotten(self, deleted: int) -> Reply:
        self.calls.append("forgotten")
        return Reply(Kind.SMALLTALK, f"Done: {deleted} deleted.")
