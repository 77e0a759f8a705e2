"""Property tests: no input makes the engine raise, and replies stay within protocol."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.conversation import ChatState, Engine
from bot.core.reply import Kind

ENGINE = Engine.from_directory(DEFAULT_KNOWLEDGE_DIR)

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00\x01\x02\x1b[31m",
        "\u202eright to left \u202c",
        "مرحبا ظهري يؤلمني",
        "😩🙏💉" * 50,
        "<script>alert(1)</script>",
        "'; DROP TABLE messages; --",
        "a" * 100_000,
        "back pain " * 10_000,
        "\ud800",
    ]
)


def check(text: str) -> None:
    reply = ENGINE.respond(text, ChatState())
    assert reply.kind in set(Kind)
    assert 0 <= reply.score <= 100
    data = reply.to_json()
    assert set(data) == {"kind", "id", "score", "suggestions"}
    assert reply.text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_gets_a_reply(text: str) -> None:
    check(text)


@settings(max_examples=30, deadline=None)
@given(st.lists(NASTY, min_size=1, max_size=3).map(" ".join))
def test_hostile_and_huge_inputs_get_a_reply(text: str) -> None:
    check(text)


TOPIC_IDS = [t.id for t in ENGINE.knowledge.topics]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(), st.sampled_from([None, "no-such-topic", *TOPIC_IDS]))
def test_any_text_after_any_answer_gets_a_decision(text: str, previous: str | None) -> None:
    decision = ENGINE.decide(text, previous_topic=previous)
    assert decision.kind in set(Kind)
    assert 0 <= decision.score <= 100
    assert decision.kind is not Kind.ANSWER or decision.topic_id in TOPIC_IDS
    assert all(s in TOPIC_IDS for s in decision.suggestions)
