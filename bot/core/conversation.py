"""The conversation: a patient's message (and the chat's state) in, a `Reply` out.

Order of decisions, safety first: a red flag anywhere in the message wins; then topics,
"not on the page" gaps and smalltalk compete in one matcher; the best topic is answered only
when it is both confident and clearly ahead of the next, otherwise the patient is offered
choices ("Did you mean ...?") or the menu and the clinic's contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.loader import load_knowledge
from bot.core.markup import escape
from bot.core.matching import Entry, Matcher, Scored
from bot.core.model import Knowledge, Topic
from bot.core.reply import ACTION_FEEDBACK, ACTION_MENU, ACTION_TOPIC, Button, Kind, Reply
from bot.core.triage import RedFlagHit, Triage

TOPIC, GAP, SMALLTALK = "topic:", "gap:", "smalltalk:"
SOCIAL_INTENTS = frozenset({"greeting", "thanks", "goodbye"})  # lose to any real question
SMALLTALK_SCORE = 65  # a smalltalk phrasing must match at least this well
MAX_MENU_BUTTONS = 40  # a phone screen of buttons; Telegram allows 100 per message
BOOKING_TOPIC = "booking"
ABOUT_TOPIC = "about-practitioner"


@dataclass
class ChatState:
    """What the conversation remembers about one chat (kept by the adapter, per chat)."""

    disclaimer_shown: bool = False
    last_topic: str | None = None


@dataclass(frozen=True)
class Decision:
    """What a message is, before any wording: the `ask --json` view of a reply."""

    kind: Kind
    topic_id: str | None = None
    score: int = 0
    suggestions: tuple[str, ...] = ()
    red_flag: RedFlagHit | None = None
    intent: str | None = None  # smalltalk intent or gap id


class Engine:
    """Answers messages from one loaded knowledge base. Immutable once built."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.triage = Triage.from_knowledge(knowledge)
        entries = [
            Entry(TOPIC + t.id, p) for t in knowledge.topics for p in (t.title, *t.phrasings)
        ]
        entries += [Entry(GAP + g.id, p) for g in knowledge.gaps for p in g.phrasings]
        entries += [Entry(SMALLTALK + s.id, p) for s in knowledge.smalltalk for p in s.phrasings]
        keywords = {TOPIC + t.id: t.keywords for t in knowledge.topics if t.keywords}
        self.matcher = Matcher(entries, knowledge.synonyms, keywords)
        self._topics = {t.id: t for t in knowledge.topics}
        self._gaps = {g.id: g for g in knowledge.gaps}
        self._smalltalk = {s.id: s for s in knowledge.smalltalk}
        self._smalltalk_labels = frozenset(SMALLTALK + s.id for s in knowledge.smalltalk)
        self._menu = tuple(
            self._topic_button(t.id) for t in knowledge.topics if t.id != BOOKING_TOPIC
        )[:MAX_MENU_BUTTONS]

    @classmethod
    def from_directory(cls, directory: Path | str) -> Engine:
        """Load, validate and index a knowledge folder (raises KnowledgeError if broken)."""
        return cls(load_knowledge(directory))

    # -- deciding -----------------------------------------------------------------------
    def decide(self, text: str) -> Decision:
        """Classify a message: urgent, answer, suggest, fallback or smalltalk."""
        text = text or ""
        if not text.strip():
            return Decision(Kind.FALLBACK)
        hit = self.triage.check(text)
        if hit is not None:
            return Decision(Kind.URGENT, score=100, red_flag=hit)
        ranked = self.matcher.rank(text)
        topics = [s for s in ranked if s.label.startswith(TOPIC)]
        best_topic = topics[0] if topics else Scored("", 0)
        second = topics[1].score if len(topics) > 1 else 0
        settings = self.knowledge.matching

        small = next((s for s in ranked if s.label.startswith(SMALLTALK)), None)
        if small and small.score >= SMALLTALK_SCORE:
            intent = small.label.removeprefix(SMALLTALK)
            # "Hello, good morning!" is only social; "Hi, how often should I come?" is a
            # question with a greeting in front: the words left over decide.
            only_social = not self.matcher.unexplained(text, self._smalltalk_labels)
            asks_about_us = intent not in SOCIAL_INTENTS and small.score >= best_topic.score
            best_other = max(
                (s.score for s in ranked if not s.label.startswith(SMALLTALK)), default=0
            )
            nothing_else = best_other < settings.suggest_score
            if only_social or asks_about_us or nothing_else:
                return Decision(Kind.SMALLTALK, score=small.score, intent=intent)

        gap = next((s for s in ranked if s.label.startswith(GAP)), None)
        if gap and gap.score >= settings.suggest_score and gap.score >= best_topic.score:
            return Decision(Kind.FALLBACK, score=gap.score, intent=gap.label.removeprefix(GAP))

        topic_id = best_topic.label.removeprefix(TOPIC)
        margin = best_topic.score - second
        confident = best_topic.score >= settings.answer_score and margin >= settings.answer_margin
        unrivalled = best_topic.score >= settings.suggest_score and margin >= settings.clear_margin
        if confident or unrivalled:
            return Decision(Kind.ANSWER, topic_id=topic_id, score=best_topic.score)
        if best_topic.score >= settings.suggest_score:
            floor = max(settings.suggest_score, best_topic.score - 25)
            choices = tuple(
                s.label.removeprefix(TOPIC)
                for s in topics[: settings.max_suggestions]
                if s.score >= floor
            )
            return Decision(Kind.SUGGEST, score=best_topic.score, suggestions=choices)
        return Decision(Kind.FALLBACK, score=best_topic.score)

    # -- replying -----------------------------------------------------------------------
    def respond(self, text: str, state: ChatState | None = None) -> Reply:
        """The reply to one free-text message. Never raises for any text."""
        state = state if state is not None else ChatState()
        decision = self.decide(text)
        if decision.kind is Kind.URGENT:
            assert decision.red_flag is not None
            body = self.knowledge.messages.urgent.replace("{flag}", escape(decision.red_flag.name))
            return Reply(Kind.URGENT, body, score=100)
        if decision.kind is Kind.ANSWER and decision.topic_id:
            return self._answer(self._topics[decision.topic_id], state, decision.score)
        if decision.kind is Kind.SUGGEST:
            buttons = tuple(self._topic_button(t) for t in decision.suggestions)
            return Reply(
                Kind.SUGGEST,
                self.knowledge.messages.did_you_mean,
                score=decision.score,
                suggestions=decision.suggestions,
                buttons=(*buttons, self._menu_button()),
            )
        if decision.kind is Kind.SMALLTALK and decision.intent:
            return self._smalltalk_reply(decision)
        gap = self._gaps.get(decision.intent or "")
        text_out = gap.reply if gap and gap.reply else self.knowledge.messages.fallback
        return Reply(
            Kind.FALLBACK,
            text_out,
            score=decision.score,
            buttons=(*self._menu_buttons(), self._booking_button()),
        )

    def answer_topic(self, topic_id: str, state: ChatState | None = None) -> Reply:
        """A topic chosen by a button or a deep link; an unknown id gets the menu kindly."""
        state = state if state is not None else ChatState()
        topic = self._topics.get(topic_id)
        if topic is None:
            return Reply(
                Kind.FALLBACK,
                self.knowledge.messages.unknown_topic,
                buttons=(*self._menu_buttons(), self._booking_button()),
            )
        return self._answer(topic, state, 100)

    def welcome(self, state: ChatState | None = None) -> Reply:
        """/start: who this is, the disclaimer, the topic menu and booking."""
        state = state if state is not None else ChatState()
        notes = self._disclaimer(state)
        return Reply(
            Kind.SMALLTALK,
            self.knowledge.messages.welcome,
            buttons=(*self._menu_buttons(), self._booking_button()),
            notes=notes,
        )

    def menu(self) -> Reply:
        """/topics: every topic as a button, and booking."""
        return Reply(
            Kind.SMALLTALK,
            self.knowledge.messages.menu,
            buttons=(*self._menu_buttons(), self._booking_button()),
        )

    def booking(self) -> Reply:
        """/book: how to book, with the booking link as a button."""
        return Reply(
            Kind.ANSWER,
            self.knowledge.messages.booking,
            topic_id=BOOKING_TOPIC if BOOKING_TOPIC in self._topics else None,
            score=100,
            buttons=(self._booking_button(),),
        )

    def help(self) -> Reply:
        """/help: how to use the assistant."""
        return Reply(
            Kind.SMALLTALK,
            self.knowledge.messages.help,
            buttons=(self._menu_button(), self._booking_button()),
        )

    def about(self, state: ChatState | None = None) -> Reply:
        """/about: the practitioner."""
        return self.answer_topic(ABOUT_TOPIC, state)

    def not_text(self) -> Reply:
        """Stickers, photos, voice notes, files: kindly ask for text."""
        return Reply(
            Kind.FALLBACK, self.knowledge.messages.not_text, buttons=(self._menu_button(),)
        )

    def error(self) -> Reply:
        """Something failed inside the bot: say so and how to reach the clinic."""
        return Reply(
            Kind.FALLBACK, self.knowledge.messages.error, buttons=(self._booking_button(),)
        )

    def feedback_buttons(self, topic_id: str) -> tuple[Button, ...]:
        """ "Helpful" / "Not helpful" for one topic's answer.

        Not part of the answer itself: only an adapter that can tell which answer a tap
        belongs to (Telegram, by message) shows them.
        """
        messages = self.knowledge.messages
        return (
            Button(messages.feedback_yes, action=ACTION_FEEDBACK, value=f"{topic_id}:yes"),
            Button(messages.feedback_no, action=ACTION_FEEDBACK, value=f"{topic_id}:no"),
        )

    def not_helpful(self) -> Reply:
        """After a "not helpful" tap: sorry, and the way to a person (booking and contact)."""
        return Reply(
            Kind.FALLBACK,
            self.knowledge.messages.not_helpful,
            buttons=(self._booking_button(), self._menu_button()),
        )

    def forget_failed(self) -> Reply:
        """/forget could not delete the chat's rows: say so kindly and how else to get it done."""
        return Reply(
            Kind.FALLBACK,
            self.knowledge.messages.forget_failed,
            buttons=(self._booking_button(),),
        )

    def privacy(self, retention_days: int) -> Reply:
        """/privacy: what is stored, why, for how long, and how to delete it."""
        text = self.knowledge.messages.privacy.replace("{retention_days}", str(retention_days))
        return Reply(Kind.SMALLTALK, text)

    def forgotten(self, deleted: int) -> Reply:
        """The /forget reply, saying plainly how many records were removed."""
        messages = self.knowledge.messages
        if deleted == 0:
            return Reply(Kind.SMALLTALK, messages.forget_nothing)
        records = "1 record" if deleted == 1 else f"{deleted} records"
        return Reply(Kind.SMALLTALK, messages.forget_done.replace("{records}", records))

    # -- pieces -------------------------------------------------------------------------
    def _answer(self, topic: Topic, state: ChatState, score: int) -> Reply:
        state.last_topic = topic.id
        # The booking link is always offered as a button, so a "booking" topic button would repeat it.
        related = tuple(
            self._topic_button(r) for r in topic.related if r in self._topics and r != BOOKING_TOPIC
        )
        return Reply(
            Kind.ANSWER,
            topic.answer,
            topic_id=topic.id,
            score=score,
            buttons=(*related, self._booking_button()),
            notes=self._disclaimer(state),
        )

    def _smalltalk_reply(self, decision: Decision) -> Reply:
        intent = self._smalltalk[decision.intent or ""]
        if intent.id == "greeting":
            buttons: tuple[Button, ...] = (self._menu_button(), self._booking_button())
        elif intent.id in ("human", "bot"):
            buttons = (self._booking_button(),)
        else:
            buttons = ()
        return Reply(Kind.SMALLTALK, intent.reply, score=decision.score, buttons=buttons)

    def _disclaimer(self, state: ChatState) -> tuple[str, ...]:
        if state.disclaimer_shown:
            return ()
        state.disclaimer_shown = True
        return (self.knowledge.messages.disclaimer,)

    def _topic_button(self, topic_id: str) -> Button:
        return Button(self._topics[topic_id].title, action=ACTION_TOPIC, value=topic_id)

    def _menu_buttons(self) -> tuple[Button, ...]:
        return self._menu

    def _menu_button(self) -> Button:
        return Button(self.knowledge.messages.menu_button, action=ACTION_MENU)

    def _booking_button(self) -> Button:
        return Button(self.knowledge.messages.booking_button, url=self.knowledge.clinic.booking_url)
