"""Vowel-less shorthand (bot/core/shorthand.py): read back into the knowledge's words when a
message is written that way, and every other message left exactly as it is. The sentences
are new ones, not lines of any labelled set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.conversation import Engine, Kind
from bot.core.shorthand import Shorthand

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_directory(KNOWLEDGE)


def test_a_skeleton_is_read_as_its_most_frequent_known_word() -> None:
    shorthand = Shorthand.from_texts(["lower back pain", "back pain", "the back", "a bike"])
    assert shorthand.expand("lwr bk pn") == "lower back pain"


def test_a_message_with_one_short_word_is_left_as_it_is() -> None:
    shorthand = Shorthand.from_texts(["back pain is common"])
    for text in ("my bk is sore, is acupuncture any good?", "NHS or private?", "ok thx x"):
        assert shorthand.expand(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "cnt fl my lgs nd bk pn snc lst nght",
        "lst cntrl f my bldr nd bk s bd",
        "hgh fvr nd bk pn, cn u hlp",
    ],
)
def test_a_red_flag_in_shorthand_is_urgent(engine: Engine, text: str) -> None:
    assert engine.decide(text).kind is Kind.URGENT


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("hw mny trtmnts shld i hv", "how-many-sessions"),
        ("cn i tk my pnkllrs wth ths", "medication"),
    ],
)
def test_a_question_in_shorthand_finds_its_topic(engine: Engine, text: str, topic: str) -> None:
    decision = engine.decide(text)
    assert (decision.kind, decision.topic_id) == (Kind.ANSWER, topic), decision


def test_ordinary_messages_are_read_exactly_as_before(engine: Engine) -> None:
    for text in (
        "how many sessions will I need?",
        "GP said its muscular, can I book with Rick?",
        "NHS 111 told me to rest, what does the first appointment involve",
        "my back is stiff every morning x",
    ):
        assert engine.shorthand.expand(text) == text


# -- spelled by ear (blind round H) ---------------------------------------------------------


def test_words_spelled_as_they_sound_are_read_as_the_known_words_that_sound_so() -> None:
    shorthand = Shorthand.from_texts(["how does it work", "the first session", "happens"])
    assert shorthand.by_ear("how dus it werk") == "how does it work"
    assert shorthand.by_ear("wat hapens at the ferst sesion") == "wat happens at the first session"


def test_one_word_spelled_by_ear_is_left_as_it_is() -> None:
    # one odd word is a name or a word the knowledge lacks, not a way of spelling
    shorthand = Shorthand.from_texts(["how does it work", "my back is sore"])
    for text in ("does it werk", "my back is sore after the salon, does it help"):
        assert shorthand.by_ear(text) == text


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("wot hapens wen i cum for the ferst apointment", "first-consultation"),
        ("can it help with the inflamashun in my bak", "inflammation"),
    ],
)
def test_a_question_spelled_by_ear_is_answered(engine: Engine, text: str, topic: str) -> None:
    reply = engine.respond(text)
    assert (reply.kind, reply.topic_id) == (Kind.ANSWER, topic)


def test_a_red_flag_spelled_by_ear_is_still_urgent(engine: Engine) -> None:
    # the triage reads the words as written, and forgives their slips itself
    assert engine.decide("cant feel my legs and they are geting werse").kind is Kind.URGENT


def test_another_language_read_by_ear_raises_no_alarm(engine: Engine) -> None:
    # "por favor" sounds like "fever": a reading by ear never reaches the triage
    assert engine.shorthand.by_ear("quiero una cita por favor") != "quiero una cita por favor"
    assert engine.decide("Quiero una cita por favor").kind is not Kind.URGENT


def test_a_red_flag_in_the_words_as_written_counts_whatever_the_reading(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an unlucky reading that loses the red flag's words must not lose the red flag
    text = "I wet myself this morning and my back is agony"

    class UnluckyReading:
        def expand(self, _: str) -> str:
            return "my back is a bit sore"

    monkeypatch.setattr(engine, "shorthand", UnluckyReading())
    assert engine.decide(text).kind is Kind.URGENT
