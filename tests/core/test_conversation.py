"""The conversation on the shipped knowledge: kinds, buttons, the disclaimer, safety first."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.conversation import ChatState, Engine
from bot.core.markup import markup_problems, to_plain
from bot.core.reply import ACTION_FEEDBACK, ACTION_MENU, ACTION_TOPIC, Kind


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_directory(DEFAULT_KNOWLEDGE_DIR)


def test_a_clear_question_gets_the_topic_answer_with_buttons(engine: Engine) -> None:
    state = ChatState()
    reply = engine.respond("how many sessions will i need", state)
    assert reply.kind is Kind.ANSWER
    assert reply.topic_id == "how-many-sessions"
    topic = engine.knowledge.topic("how-many-sessions")
    assert topic is not None and reply.text == topic.answer
    assert "1 to 2 weeks" in to_plain(reply.text)
    booking = [b for b in reply.buttons if b.url]
    assert booking and booking[0].url == engine.knowledge.clinic.booking_url
    related = [b.value for b in reply.buttons if b.action == ACTION_TOPIC]
    assert related == [r for r in topic.related if r != "booking"] or set(related) <= set(
        topic.related
    )


def test_disclaimer_comes_once_per_conversation(engine: Engine) -> None:
    state = ChatState()
    first = engine.respond("where do the needles go", state)
    second = engine.respond("do you do cupping", state)
    assert first.notes == (engine.knowledge.messages.disclaimer,)
    assert second.notes == ()
    assert engine.respond("where do the needles go", ChatState()).notes


def test_a_red_flag_wins_over_an_ordinary_question(engine: Engine) -> None:
    reply = engine.respond(
        "how many sessions would i need? since this morning i cant feel my bum or between my legs"
    )
    assert reply.kind is Kind.URGENT
    plain = to_plain(reply.text)
    assert engine.knowledge.clinic.emergency_number in plain
    assert engine.knowledge.clinic.urgent_number in plain
    assert not any(b.url for b in reply.buttons), "no booking button on an urgent reply"
    assert reply.to_json()["kind"] == "urgent"


def test_price_questions_are_not_answered_with_a_near_topic(engine: Engine) -> None:
    reply = engine.respond("how much do you charge per session?")
    assert reply.kind is Kind.FALLBACK
    assert any(b.url for b in reply.buttons)


def test_nonsense_falls_back_with_menu_and_booking(engine: Engine) -> None:
    reply = engine.respond("qwertyuiop zxcvbnm")
    assert reply.kind is Kind.FALLBACK
    assert any(b.action == ACTION_TOPIC for b in reply.buttons)
    assert any(b.url for b in reply.buttons)


def test_smalltalk_greeting_and_asking_for_a_person(engine: Engine) -> None:
    assert engine.respond("hello there").kind is Kind.SMALLTALK
    human = engine.respond("can i talk to a real person")
    assert human.kind is Kind.SMALLTALK
    assert any(b.url for b in human.buttons)


def test_a_greeting_with_a_question_answers_the_question(engine: Engine) -> None:
    reply = engine.respond("Hi there! How often would I need to come for treatment?")
    assert reply.kind is Kind.ANSWER
    assert reply.topic_id == "how-many-sessions"


def test_suggestions_are_topic_buttons(engine: Engine) -> None:
    # An engine that may never answer outright: every decent match becomes "Did you mean".
    strict = replace(engine.knowledge.matching, answer_margin=101, clear_margin=101)
    unsure = Engine(replace(engine.knowledge, matching=strict))
    reply = unsure.respond("how many sessions will i need")
    assert reply.kind is Kind.SUGGEST
    assert reply.text == engine.knowledge.messages.did_you_mean
    assert reply.suggestions[0] == "how-many-sessions"
    assert len(reply.suggestions) <= strict.max_suggestions
    assert [b.value for b in reply.buttons if b.action == ACTION_TOPIC] == list(reply.suggestions)
    assert any(b.action == ACTION_MENU for b in reply.buttons)
    assert reply.to_json()["suggestions"] == list(reply.suggestions)


def test_button_taps_and_unknown_topics(engine: Engine) -> None:
    assert engine.answer_topic("cost").topic_id == "cost"
    stale = engine.answer_topic("no-such-topic")
    assert stale.kind is Kind.FALLBACK
    assert any(b.action == ACTION_TOPIC for b in stale.buttons)


def test_commands_replies(engine: Engine) -> None:
    state = ChatState()
    welcome = engine.welcome(state)
    assert engine.knowledge.clinic.practitioner in to_plain(welcome.text)
    assert welcome.notes == (engine.knowledge.messages.disclaimer,)
    assert len([b for b in welcome.buttons if b.action == ACTION_TOPIC]) >= 10
    assert engine.booking().buttons[0].url == engine.knowledge.clinic.booking_url
    assert engine.about().topic_id == "about-practitioner"
    assert engine.not_text().kind is Kind.FALLBACK
    assert (
        engine.knowledge.clinic.booking_url in to_plain(engine.error().text)
        or engine.error().buttons
    )


def test_feedback_buttons_and_the_replies_around_them(engine: Engine) -> None:
    yes, no = engine.feedback_buttons("cost")
    assert (yes.action, yes.callback_data) == (ACTION_FEEDBACK, "feedback:cost:yes")
    assert (no.action, no.callback_data) == (ACTION_FEEDBACK, "feedback:cost:no")
    assert yes.label and no.label and len(yes.label) <= 18 and len(no.label) <= 18
    # The answer itself carries no feedback buttons: the terminal has no taps to attribute.
    assert not any(b.action == ACTION_FEEDBACK for b in engine.answer_topic("cost").buttons)
    booking_url = engine.knowledge.clinic.booking_url
    handoff = engine.not_helpful()
    assert booking_url in [b.url for b in handoff.buttons]
    assert engine.knowledge.clinic.contact in to_plain(handoff.text)
    failed = engine.forget_failed()
    assert "/forget" in failed.text and booking_url in [b.url for b in failed.buttons]
    messages = engine.knowledge.messages
    for toast in (messages.feedback_thanks, messages.feedback_already):
        assert to_plain(toast) == toast and len(toast) <= 200  # shown by Telegram as plain text


def test_every_reply_text_is_valid_telegram_markup(engine: Engine) -> None:
    replies = [engine.answer_topic(t.id) for t in engine.knowledge.topics]
    replies += [engine.welcome(), engine.menu(), engine.help(), engine.booking(), engine.error()]
    replies += [engine.not_helpful(), engine.forget_failed()]
    replies += [
        engine.respond(q) for q in ("hi", "asdf", "fell off a ladder onto my back", "fees?")
    ]
    for reply in replies:
        assert markup_problems(reply.text) == [], reply.text
        assert len(reply.text) <= 4096


def test_patient_text_is_never_echoed_unescaped(engine: Engine) -> None:
    for text in ("<b>hi</b> & <script>", "chest pain <i>bad</i> & back pain"):
        reply = engine.respond(text)
        assert "<script>" not in reply.text
        assert markup_problems(reply.text) == []


def test_empty_message_is_a_fallback(engine: Engine) -> None:
    assert engine.respond("").kind is Kind.FALLBACK
    assert engine.respond("   \n ").kind is Kind.FALLBACK
