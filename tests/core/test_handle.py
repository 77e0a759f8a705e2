"""`Engine.handle`, the one entry point: commands, deep links, taps and feedback, on the real
knowledge, with a store stand-in that records what the core asked of it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.conversation import PATIENT_COMMANDS, ChatState, Engine
from bot.core.events import Command, NotText, Tap, Text, recorded_text
from bot.core.markup import to_plain
from bot.core.reply import ACTION_FEEDBACK, ACTION_MENU, ACTION_TOPIC, Kind


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_directory(DEFAULT_KNOWLEDGE_DIR)


@dataclass
class Records:
    """What one chat's store would do, and a log of what the core asked."""

    rows: int = 3
    broken: bool = False
    retention_days: int = 17
    feedback: list[tuple[str, bool, str]] = field(default_factory=list)

    def forget(self) -> int | None:
        if self.broken:
            return None
        deleted, self.rows = self.rows, 0
        return deleted

    def record_feedback(self, topic_id: str, helpful: bool, answer_ref: str) -> bool:
        if any(t == topic_id and ref == answer_ref for t, _, ref in self.feedback):
            return False
        self.feedback.append((topic_id, helpful, answer_ref))
        return True


def feedback_data(reply_buttons: tuple) -> list[str]:
    return [b.callback_data for b in reply_buttons if b.action == ACTION_FEEDBACK]


def test_free_text_is_respond_plus_feedback_buttons(engine: Engine) -> None:
    reply = engine.handle(Text("how many sessions will i need"), ChatState())
    plain = engine.respond("how many sessions will i need")
    assert reply.topic_id == plain.topic_id == "how-many-sessions"
    assert reply.to_json() == plain.to_json()  # `ask --json` sees the same decision
    assert feedback_data(reply.buttons) == [
        "feedback:how-many-sessions:yes",
        "feedback:how-many-sessions:no",
    ]
    # Only answers are rated: a fallback has nothing to rate.
    assert not feedback_data(engine.handle(Text("qwertyuiop"), ChatState()).buttons)


def test_every_patient_command_has_its_own_reply(engine: Engine) -> None:
    help_text = engine.help().text
    records = Records()
    for name in PATIENT_COMMANDS:
        reply = engine.handle(Command(name), ChatState(), records)
        assert reply.text.strip()
        if name != "help":
            assert reply.text != help_text, f"/{name} fell through to the help text"
    assert engine.handle(Command("nonsense"), ChatState()).text == help_text


@pytest.mark.parametrize("payload", ["book", "booking"])
def test_deep_link_to_booking(engine: Engine, payload: str) -> None:
    reply = engine.handle(Command("start", (payload,)), ChatState())
    assert reply.text == engine.booking().text
    assert reply.buttons[0].url == engine.knowledge.clinic.booking_url


def test_deep_link_to_a_topic_and_an_unknown_payload(engine: Engine) -> None:
    state = ChatState()
    reply = engine.handle(Command("start", ("cost",)), state)
    assert reply.kind is Kind.ANSWER and reply.topic_id == "cost"
    assert feedback_data(reply.buttons)
    assert reply.notes == (engine.knowledge.messages.disclaimer,)  # the first answer has it
    welcome = engine.handle(Command("start", ("no-such-topic",)), ChatState())
    assert welcome.text == engine.knowledge.messages.welcome


def test_command_parsing_is_what_telegram_and_the_terminal_share() -> None:
    assert Command.parse("/Start@clinic_bot  book ") == Command("start", ("book",))
    assert Command.parse("/privacy") == Command("privacy")


def test_privacy_promises_the_retention_the_records_keep(engine: Engine) -> None:
    text = engine.handle(Command("privacy"), ChatState(), Records(retention_days=17)).text
    assert text == engine.privacy(17).text
    assert "<b>17 days</b>" in text and "/forget" in text


def test_forget_deletes_says_how_many_and_resets_the_chat(engine: Engine) -> None:
    records, state = Records(rows=4), ChatState()
    engine.handle(Text("how many sessions will i need"), state)
    assert state.disclaimer_shown and state.last_topic
    reply = engine.handle(Command("forget"), state, records)
    assert reply.text == engine.forgotten(4).text and records.rows == 0
    assert "4 records" in reply.text
    assert not state.disclaimer_shown and state.last_topic is None
    failed = engine.handle(Command("forget"), ChatState(), Records(broken=True))
    assert failed.text == engine.forget_failed().text


def test_topic_and_menu_taps(engine: Engine) -> None:
    reply = engine.handle(Tap(f"{ACTION_TOPIC}:where-needles-go"), ChatState())
    assert reply.topic_id == "where-needles-go" and feedback_data(reply.buttons)
    assert engine.handle(Tap(ACTION_MENU), ChatState()).text == engine.menu().text


@pytest.mark.parametrize(
    "data", ["topic:no-such-topic", "garbage", "feedback:cost:maybe", "feedback:", ""]
)
def test_stale_or_forged_taps_get_the_menu_politely(engine: Engine, data: str) -> None:
    records = Records()
    reply = engine.handle(Tap(data, "7"), ChatState(), records)
    assert reply.kind is Kind.FALLBACK
    assert reply.text == engine.knowledge.messages.unknown_topic
    assert any(b.action == ACTION_TOPIC for b in reply.buttons)
    assert records.feedback == []


def test_helpful_is_kept_once_per_answer_and_thanked(engine: Engine) -> None:
    records = Records()
    messages = engine.knowledge.messages
    first = engine.handle(Tap("feedback:cost:yes", "41"), ChatState(), records)
    assert first.silent and first.clear_feedback
    assert first.toast == to_plain(messages.feedback_thanks)
    again = engine.handle(Tap("feedback:cost:no", "41"), ChatState(), records)
    assert again.silent and again.toast == to_plain(messages.feedback_already)
    assert records.feedback == [("cost", True, "41")]  # the first tap wins
    other_answer = engine.handle(Tap("feedback:cost:yes", "42"), ChatState(), records)
    assert other_answer.toast == to_plain(messages.feedback_thanks)


def test_not_helpful_hands_off_to_a_person(engine: Engine) -> None:
    records = Records()
    reply = engine.handle(Tap("feedback:cost:no", "9"), ChatState(), records)
    assert records.feedback == [("cost", False, "9")]
    assert reply.text == engine.not_helpful().text and not reply.silent
    assert reply.toast and reply.clear_feedback
    assert engine.knowledge.clinic.booking_url in [b.url for b in reply.buttons]


def test_feedback_on_a_removed_topic_is_thanked_not_kept(engine: Engine) -> None:
    records = Records()
    reply = engine.handle(Tap("feedback:gone-topic:no", "3"), ChatState(), records)
    assert reply.silent and reply.toast and records.feedback == []


def test_a_tap_whose_message_is_gone_gets_one_polite_notice(engine: Engine) -> None:
    records = Records()
    reply = engine.handle(Tap("feedback:cost:yes", None), ChatState(), records)
    assert reply.silent and reply.toast == to_plain(engine.knowledge.messages.button_gone)
    assert records.feedback == []


def test_media_gets_the_not_text_reply(engine: Engine) -> None:
    assert engine.handle(NotText(), ChatState()).text == engine.not_text().text


def test_what_is_recorded(engine: Engine) -> None:
    answer = engine.handle(Tap("topic:cost"), ChatState())
    assert recorded_text(Text("my words"), engine.respond("my words")) == "my words"
    assert recorded_text(Tap("topic:cost"), answer) == ""  # counted, no words
    stale = engine.handle(Tap("topic:gone"), ChatState())
    assert recorded_text(Tap("topic:gone"), stale) is None
    assert recorded_text(Command("start"), engine.welcome()) is None
    assert recorded_text(Tap("feedback:cost:yes"), answer) is None
