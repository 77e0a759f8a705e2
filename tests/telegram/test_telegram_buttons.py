"""Button taps an attacker or an unlucky client sends: no message attached, feedback under
a message the bot never sent that chat. One polite answer each; only real answers counted."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.store import Store, open_store
from tests.telegram.fake_api import TOKEN
from tests.telegram.fake_engine import FakeEngine
from tests.telegram.test_telegram_practitioner import offline_bot

PATIENT = 601
OTHER = 602


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    return Settings(telegram_token=TOKEN, data_dir=data, database_path=data / "clinic.sqlite3")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    assert opened.available
    yield opened
    opened.close()


@pytest.mark.parametrize(
    "data", ["topic:how-many-sessions", "menu", "feedback:how-many-sessions:yes", "zzz"]
)
async def test_a_tap_without_a_message_gets_one_polite_answer_and_no_error(
    settings: Settings, store: Store, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    async with offline_bot(settings, FakeEngine(), store) as bot:
        tg = bot.tg
        # An inline message (or one Telegram no longer attaches): no "message", no chat.
        tg.push_update(
            {
                "callback_query": {
                    "id": "q-inline",
                    "from": tg.user(PATIENT),
                    "inline_message_id": "inline-1",
                    "chat_instance": "ci",
                    "data": data,
                }
            }
        )
        with caplog.at_level(logging.WARNING):
            await bot.deliver()
        answers = tg.calls_to("answerCallbackQuery")
        assert [c.params.get("text") for c in answers] == ["This button no longer works."]
        assert tg.calls_to("sendMessage") == []
        assert "Traceback" not in caplog.text and "AssertionError" not in caplog.text
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert store.stats(7).feedback == ()


async def test_feedback_counts_only_under_an_answer_the_bot_sent_that_chat(
    settings: Settings, store: Store
) -> None:
    async with offline_bot(settings, FakeEngine(), store) as bot:
        tg = bot.tg
        tg.send_text(PATIENT, "how many sessions")
        tg.send_text(OTHER, "how many sessions")
        welcome = tg.send_text(PATIENT, "hello")  # the patient's own message, not an answer
        await bot.deliver()
        mine, theirs = tg.sent_to(PATIENT)[0], tg.sent_to(OTHER)[0]

        # The other chat's answer id, replayed as if it were under this chat's message.
        forged = copy.deepcopy(theirs)
        forged["chat"] = mine["chat"]
        forged["message_id"] = theirs["message_id"] + 1000
        tg.press(forged, "feedback:how-many-sessions:no", user_id=PATIENT)
        tg.press(welcome, "feedback:how-many-sessions:no", user_id=PATIENT)
        tg.press(mine, "feedback:where-needles-go:no", user_id=PATIENT)  # wrong topic
        await bot.deliver()
        assert store.stats(7).feedback == ()
        assert len(tg.calls_to("answerCallbackQuery")) == 3  # each thanked, none kept

        tg.press(mine, "feedback:how-many-sessions:yes")
        await bot.deliver()
    (rated,) = store.stats(7).feedback
    assert (rated.topic_id, rated.helpful, rated.not_helpful) == ("how-many-sessions", 1, 0)
