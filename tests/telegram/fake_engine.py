"""A tiny stand-in for the core Engine: fixed, predictable replies, so handler tests check the
Telegram translation only (wording changes in knowledge/ cannot break them).

Magic words in a message pick the reply: "urgent", "long", "crash", "slow", "maybe",
"badhtml", "hello".
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

from bot.core.conversation import NOTHING_KEPT, ChatState
from bot.core.events import ChatRecords, Command, Event, Tap, Text
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

    def handle(self, event: Event, state: ChatState, records: ChatRecords | None = None) -> Reply:
        """Routes events the way `Engine.handle` does, onto the fixed replies below."""
        records = records if records is not None else NOTHING_KEPT
        if isinstance(event, Text):
            return self._with_feedback(self.respond(event.text, state))
        if isinstance(event, Command):
            payload = event.args[0] if event.args else ""
            if event.name == "start" and payload in ("book", "booking"):
                return self.booking()
            if event.name == "start" and payload in TOPICS:
                return self._with_feedback(self.answer_topic(payload, state))
            if event.name == "privacy":
                return self.privacy(records.retention_days)
            if event.name == "forget":
                deleted = records.forget()
                if deleted is None:
                    return self.forget_failed()
                state.disclaimer_shown, state.last_topic = False, None
                return self.forgotten(deleted)
            simple = {"start": lambda: self.welcome(state), "topics": self.menu}
            simple |= {
                "book": self.booking,
                "about": lambda: self._with_feedback(self.about(state)),
            }
            return simple.get(event.name, self.help)()
        if isinstance(event, Tap):
            if event.message_ref is None:
                return Reply(Kind.SMALLTALK, "", toast=self.knowledge.messages.button_gone)
            action, _, value = event.data.partition(":")
            topic_id, _, verdict = value.partition(":")
            if action == ACTION_TOPIC:
                return self._with_feedback(self.answer_topic(value, state))
            if action == ACTION_MENU and not value:
                return self.menu()
            if action == ACTION_FEEDBACK and verdict in ("yes", "no"):
                if topic_id not in TOPICS:
                    return Reply(Kind.SMALLTALK, "", toast="Thanks!", clear_feedback=True)
                kept = records.record_feedback(topic_id, verdict == "yes", event.message_ref)
                toast = "Thanks!" if kept else "Already noted, thanks."
                if kept and verdict == "no":
                    return dataclasses.replace(self.not_helpful(), toast=toast, clear_feedback=True)
                return Reply(Kind.SMALLTALK, "", toast=toast, clear_feedback=True)
            return self.answer_topic(event.data, state)
        return self.not_text()

    def _with_feedback(self, reply: Reply) -> Reply:
        if reply.kind is not Kind.ANSWER or not reply.topic_id:
            return reply
        return dataclasses.replace(
            reply, buttons=(*reply.buttons, *self.feedback_buttons(reply.topic_id))
        )

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
