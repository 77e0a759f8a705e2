"""Handler tests without any network: the real Application, a fake Bot API called in memory.

Each test plays a patient (or a group) and checks what the bot sent, as Telegram would have
accepted it (the fake validates HTML, lengths and buttons).
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest
from telegram.error import Conflict, NetworkError

from bot.adapters.telegram import build_application, handlers, typing_indicator
from bot.config import Settings
from tests.telegram.fake_api import (
    BOT_ID,
    BOT_USERNAME,
    STICKER,
    TOKEN,
    FakeTelegram,
    OfflineBot,
    OfflineRequest,
)
from tests.telegram.fake_engine import BOOKING_URL, DISCLAIMER, FakeEngine

PATIENT = 501
OTHER_PATIENT = 502
GROUP = -100777

PHOTO = {"photo": [{"file_id": "p1", "file_unique_id": "pu1", "width": 90, "height": 90}]}
VOICE = {"voice": {"file_id": "v1", "file_unique_id": "vu1", "duration": 3}}
DOCUMENT = {"document": {"file_id": "d1", "file_unique_id": "du1", "file_name": "mri.pdf"}}
LOCATION = {"location": {"latitude": 51.5, "longitude": -0.12}}


def texts(bot: OfflineBot, chat_id: int = PATIENT) -> list[str]:
    return [m["text"] for m in bot.tg.sent_to(chat_id)]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def methods(bot: OfflineBot) -> list[str]:
    return [c.method for c in bot.tg.calls if c.method not in ("getMe",)]


# -- commands -----------------------------------------------------------------------------


async def test_start_sends_welcome_menu_booking_then_the_disclaimer(offline: OfflineBot) -> None:
    offline.tg.send_text(PATIENT, "/start")
    await offline.deliver()
    welcome, disclaimer = offline.tg.sent_to(PATIENT)
    assert "Rick Mudie" in welcome["text"]
    data = [b.get("callback_data") for b in buttons(welcome)]
    assert "topic:how-many-sessions" in data and "topic:where-needles-go" in data
    assert {"text": "Book an appointment", "url": BOOKING_URL} in buttons(welcome)
    assert disclaimer["html"] == DISCLAIMER and "reply_markup" not in disclaimer
    assert welcome["parse_mode"] == "HTML"


@pytest.mark.parametrize(
    ("payload", "expected_call"),
    [
        ("book", "booking"),
        ("booking", "booking"),
        ("how-many-sessions", "topic:how-many-sessions"),
        ("no-such-topic", "welcome"),
    ],
)
async def test_start_deep_links(
    offline: OfflineBot, fake_engine: FakeEngine, payload: str, expected_call: str
) -> None:
    offline.tg.send_text(PATIENT, f"/start {payload}")
    await offline.deliver()
    assert fake_engine.calls == [expected_call]
    assert offline.tg.sent_to(PATIENT)


@pytest.mark.parametrize(
    ("command", "expected_call", "expected_text"),
    [
        ("/help", "help", "Type a question."),
        ("/topics", "menu", "Pick a topic:"),
        ("/book", "booking", "Book online."),
        ("/about", "about", "Rick Mudie, MBAcC."),
    ],
)
async def test_commands(
    offline: OfflineBot,
    fake_engine: FakeEngine,
    command: str,
    expected_call: str,
    expected_text: str,
) -> None:
    offline.tg.send_text(PATIENT, command)
    await offline.deliver()
    assert fake_engine.calls == [expected_call]
    assert texts(offline)[0] == expected_text


async def test_unknown_command_in_private_gets_help(
    offline: OfflineBot, fake_engine: FakeEngine
) -> None:
    offline.tg.send_text(PATIENT, "/sessions")
    await offline.deliver()
    assert fake_engine.calls == ["help"]


# -- free text ----------------------------------------------------------------------------


async def test_free_text_is_answered_with_buttons_and_disclaimer_once(
    offline: OfflineBot, fake_engine: FakeEngine
) -> None:
    offline.tg.send_text(PATIENT, "how many sessions")
    offline.tg.send_text(PATIENT, "and after that?")
    await offline.deliver()
    sent = offline.tg.sent_to(PATIENT)
    assert [m["text"] for m in sent] == [
        "engine-1 heard: how many sessions",
        "General information, not a diagnosis.",
        "engine-1 heard: and after that?",
    ]
    assert [b.get("callback_data") or b.get("url") for b in buttons(sent[0])] == [
        "topic:where-needles-go",
        BOOKING_URL,
        "feedback:how-many-sessions:yes",  # added by the Telegram layer, on a row of their own
        "feedback:how-many-sessions:no",
    ]
    assert fake_engine.calls == ["respond:how many sessions", "respond:and after that?"]


async def test_each_chat_has_its_own_state(offline: OfflineBot) -> None:
    offline.tg.send_text(PATIENT, "hi there question")
    offline.tg.send_text(OTHER_PATIENT, "another question")
    await offline.deliver()
    assert texts(offline, PATIENT)[1] == "General information, not a diagnosis."
    assert texts(offline, OTHER_PATIENT)[1] == "General information, not a diagnosis."


async def test_patient_text_is_escaped_and_shown_as_typed(offline: OfflineBot) -> None:
    offline.tg.send_text(PATIENT, "<script>alert(1)</script> & <b>")
    await offline.deliver()
    first = offline.tg.sent_to(PATIENT)[0]
    assert first["text"] == "engine-1 heard: <script>alert(1)</script> & <b>"
    assert "&lt;script&gt;" in first["html"]


async def test_urgent_reply_is_sent_first_and_alone(offline: OfflineBot) -> None:
    offline.tg.send_text(PATIENT, "urgent: I cannot feel my legs")
    await offline.deliver()
    (only,) = offline.tg.sent_to(PATIENT)
    assert only["text"].startswith("Please get medical help now.")
    assert "reply_markup" not in only


async def test_long_reply_is_split_at_paragraphs_within_telegram_limit(
    offline: OfflineBot,
) -> None:
    offline.tg.send_text(PATIENT, "tell me the long story")
    await offline.deliver()
    sent = texts(offline)
    assert len(sent) >= 3  # ~12,000 characters
    assert all(len(t) <= 4096 for t in sent)
    assert all(t.startswith("Part ") for t in sent)  # every cut fell between paragraphs
    joined = "\n\n".join(sent)
    assert [f"Part {n}." in joined for n in range(1, 9)] == [True] * 8


async def test_suggestions_get_one_button_each(offline: OfflineBot) -> None:
    offline.tg.send_text(PATIENT, "maybe needles?")
    await offline.deliver()
    (message,) = offline.tg.sent_to(PATIENT)
    assert [b["callback_data"] for b in buttons(message)] == [
        "topic:how-many-sessions",
        "topic:where-needles-go",
        "menu",
    ]


async def test_markup_telegram_refuses_is_resent_as_plain_text(
    offline: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    offline.tg.send_text(PATIENT, "badhtml")
    with caplog.at_level(logging.ERROR):
        await offline.deliver()
    assert texts(offline) == ["Use this & that"]
    assert "could not parse" in caplog.text


async def test_a_patient_who_blocked_the_bot_causes_no_error_loop(
    offline: OfflineBot, fake_engine: FakeEngine
) -> None:
    offline.tg.blocked_chats.add(PATIENT)
    offline.tg.send_text(PATIENT, "hello?")
    await offline.deliver()
    assert fake_engine.calls == ["respond:hello?"]
    assert [c.outcome for c in offline.tg.calls_to("sendMessage")] == ["error 403"]


# -- what is not answered, or answered differently ------------------------------------------


@pytest.mark.parametrize("content", [STICKER, PHOTO, VOICE, DOCUMENT, LOCATION])
async def test_non_text_is_kindly_refused(
    offline: OfflineBot, fake_engine: FakeEngine, content: dict[str, Any]
) -> None:
    offline.tg.send_message(PATIENT, content)
    await offline.deliver()
    assert fake_engine.calls == ["not_text"]
    assert texts(offline) == ["Sorry, I can only read text messages."]


async def test_a_photo_caption_is_read_like_text(
    offline: OfflineBot, fake_engine: FakeEngine
) -> None:
    offline.tg.send_message(PATIENT, {**PHOTO, "caption": "urgent: numb saddle area"})
    await offline.deliver()
    assert fake_engine.calls == ["respond:urgent: numb saddle area"]


async def test_edited_message_is_not_answered_again(
    offline: OfflineBot, fake_engine: FakeEngine
) -> None:
    original = offline.tg.send_text(PATIENT, "how many sessions")
    await offline.deliver()
    offline.tg.send_text(PATIENT, "how many sessions?", edited_of=original)
    await offline.deliver()
    assert fake_engine.calls == ["respond:how many sessions"]


async def test_channel_posts_are_ignored(offline: OfflineBot, fake_engine: FakeEngine) -> None:
    offline.tg.chat(-100999, "channel")
    offline.tg.send_message(-100999, {"text": "news"}, chat_type="channel", kind="channel_post")
    await offline.deliver()
    assert fake_engine.calls == []
    assert offline.tg.sent == []


# -- groups -------------------------------------------------------------------------------


async def test_group_chatter_not_addressed_to_the_bot_is_ignored(
    offline: OfflineBot, fake_engine: FakeEngine
) -> None:
    offline.tg.send_text(GROUP, "my back is killing me today", chat_type="supergroup")
    offline.tg.send_message(GROUP, STICKER, chat_type="supergroup")
    offline.tg.send_text(GROUP, "/help@SomeOtherBot", chat_type="supergroup")
    offline.tg.send_text(GROUP, "/weather", chat_type="supergroup")
    await offline.deliver()
    assert fake_engine.calls == []
    assert offline.tg.sent == []


async def test_group_mention_is_answered_without_the_mention_and_quotes_the_patient(
    offline: OfflineBot, fake_engine: FakeEngine
) -> None:
    asked = offline.tg.send_text(
        GROUP, f"@{BOT_USERNAME} how many sessions?", chat_type="supergroup", user_id=77
    )
    await offline.deliver()
    assert fake_engine.calls == ["respond:how many sessions?"]
    first = offline.tg.sent_to(GROUP)[0]
    assert first["reply_to_message"]["message_id"] == asked["message_id"]


async def test_group_reply_to_the_bot_and_commands_are_answered(
    offline: OfflineBot, fake_engine: FakeEngine
) -> None:
    offline.tg.send_text(GROUP, f"/help@{BOT_USERNAME}", chat_type="group")
    await offline.deliver()
    bot_message = offline.tg.sent_to(GROUP)[0]
    offline.tg.send_text(GROUP, "and the needles?", chat_type="group", reply_to=bot_message)
    offline.tg.send_message(GROUP, STICKER, chat_type="group", reply_to=bot_message)
    offline.tg.send_text(GROUP, "/topics", chat_type="group")
    await offline.deliver()
    assert fake_engine.calls == ["help", "respond:and the needles?", "not_text", "menu"]


# -- buttons ------------------------------------------------------------------------------


async def test_topic_button_is_acknowledged_then_answered(
    offline: OfflineBot, fake_engine: FakeEngine
) -> None:
    offline.tg.send_text(PATIENT, "/start")
    await offline.deliver()
    welcome = offline.tg.sent_to(PATIENT)[0]
    query_id = offline.tg.press(welcome, "topic:where-needles-go")
    await offline.deliver()
    assert query_id in offline.tg.answered_queries
    assert methods(offline)[-2:] == ["answerCallbackQuery", "sendMessage"]
    assert texts(offline)[-1] == "About Where the needles go"
    assert fake_engine.calls[-1] == "topic:where-needles-go"


@pytest.mark.parametrize(
    "data", ["topic:../../etc/passwd", "topic:", "topic:gone-topic", "zzz", "feedback", "menu:x"]
)
async def test_stale_or_forged_buttons_get_a_polite_reply(
    offline: OfflineBot, fake_engine: FakeEngine, data: str
) -> None:
    message = offline.tg.send_text(PATIENT, "hello")
    query_id = offline.tg.press(message, data)
    await offline.deliver()
    assert query_id in offline.tg.answered_queries
    assert texts(offline)[-1] == "Sorry, that topic is no longer available."


async def test_menu_button_shows_the_menu(offline: OfflineBot, fake_engine: FakeEngine) -> None:
    message = offline.tg.send_text(PATIENT, "hello")
    offline.tg.press(message, "menu")
    await offline.deliver()
    assert fake_engine.calls[-1] == "menu"


async def test_feedback_removes_the_question_and_keeps_other_buttons(
    offline: OfflineBot,
) -> None:
    offline.tg.send_text(PATIENT, "how many sessions")
    await offline.deliver()
    answer = offline.tg.sent_to(PATIENT)[0]
    query_id = offline.tg.press(answer, "feedback:how-many-sessions:yes")
    await offline.deliver()
    assert query_id in offline.tg.answered_queries
    left = [b.get("callback_data") or b.get("url") for b in buttons(answer)]
    assert left == ["topic:where-needles-go", BOOKING_URL]


async def test_a_query_too_old_to_acknowledge_still_gets_its_answer(
    offline: OfflineBot,
) -> None:
    message = offline.tg.send_text(PATIENT, "hello")
    offline.tg.push_update(
        {
            "callback_query": {
                "id": "expired-query",
                "from": offline.tg.user(PATIENT),
                "message": message,
                "chat_instance": "x",
                "data": "topic:how-many-sessions",
            }
        }
    )
    await offline.deliver()
    assert offline.tg.calls_to("answerCallbackQuery")[0].outcome == "error 400"
    assert texts(offline)[-2] == "About How many sessions?"


# -- robustness ---------------------------------------------------------------------------


async def test_an_engine_failure_is_logged_without_the_token_and_the_patient_told(
    offline: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    offline.tg.send_text(PATIENT, "this will crash")
    with caplog.at_level(logging.ERROR):
        await offline.deliver()
    assert texts(offline) == ["Sorry, something went wrong. Contact the clinic."]
    assert buttons(offline.tg.sent_to(PATIENT)[0]) == [
        {"text": "Book an appointment", "url": BOOKING_URL}
    ]
    assert "the engine broke" in caplog.text
    assert "15-character message in private chat" in caplog.text
    assert "this will crash" not in caplog.text  # what patients write stays out of logs
    assert TOKEN not in caplog.text


async def test_the_engine_is_fetched_for_every_update_so_a_reload_takes_effect() -> None:
    class Holder:
        engine = FakeEngine(name="engine-1")

    tg = FakeTelegram()
    app = build_application(
        Settings(telegram_token=TOKEN), lambda: Holder.engine, request=OfflineRequest(tg)
    )
    await app.initialize()
    bot = OfflineBot(tg, app)
    try:
        tg.send_text(PATIENT, "before")
        await bot.deliver()
        Holder.engine = FakeEngine(name="engine-2")
        tg.send_text(PATIENT, "after")
        await bot.deliver()
    finally:
        await app.shutdown()
    assert [t for t in texts(bot) if "heard" in t] == [
        "engine-1 heard: before",
        "engine-2 heard: after",
    ]


async def test_typing_indicator_only_when_the_answer_takes_a_while(
    offline: OfflineBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(typing_indicator, "TYPING_AFTER", 0.1)
    offline.tg.send_text(PATIENT, "quick one")
    await offline.deliver()
    assert "sendChatAction" not in methods(offline)
    offline.tg.send_text(PATIENT, "slow one: " + "a long story " * 50)  # answered in a thread
    await offline.deliver()
    actions = offline.tg.calls_to("sendChatAction")
    assert [c.params["action"] for c in actions] == ["typing"]
    last_send = offline.tg.calls_to("sendMessage")[-1]
    assert actions[0].at < last_send.at


async def test_bot_identity_comes_from_getme(offline: OfflineBot) -> None:
    assert offline.app.bot.id == BOT_ID
    assert offline.app.bot.username == BOT_USERNAME


@pytest.mark.parametrize(
    ("error", "level", "words"),
    [
        (NetworkError("Bad Gateway"), logging.WARNING, "retrying"),
        (Conflict("terminated by other getUpdates request"), logging.ERROR, "another copy"),
    ],
)
async def test_errors_while_fetching_updates_are_one_clear_line(
    caplog: pytest.LogCaptureFixture, error: Exception, level: int, words: str
) -> None:
    context = SimpleNamespace(error=error)
    with caplog.at_level(logging.WARNING):
        await handlers.report_error(None, context)  # type: ignore[arg-type]
    (record,) = caplog.records
    assert record.levelno == level and words in record.getMessage()
    assert record.exc_info is None
