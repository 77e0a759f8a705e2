"""Faults end to end: Telegram answering 429, 500, slowly or not at all; nothing lost or doubled.

1,000 messages from 50 patients go through `python -m bot run` while the fake Bot API
misbehaves on a share of all calls (fetching updates and sending replies alike). Each chat
must then hold exactly the replies the engine gives for its messages, in order: every
message answered, none twice.
"""

from __future__ import annotations

import asyncio
import random
import signal

from bot.adapters.telegram.render import render
from bot.core.conversation import ChatState, Engine
from tests.telegram.bot_process import BotProcess, bot_environment
from tests.telegram.fake_api import STICKER, FakeTelegram, Faults

PATIENTS = 50
MESSAGES_EACH = 20
QUESTIONS = (
    "hi",
    "how many sesions will i need",
    "where do the needles go?",
    "does acupuncture actually work for back pain",
    "hurt my back lifting my toddler, can needles help??",
    "whats moxa",
    "who is rick",
    "how do i book",
    "is it cheaper than physio in the long run",
    "my back went last week, lumbago i think",
    "can i keep doing my exercises from the physio",
    "what happens at the first appointment",
    "I've got numbness around my bum and inner thighs since yesterday",
    "thanks!",
    "needles",
    "what's the weather like tomorrow",
    None,  # a sticker
    "can I talk to a real person",
    "will it reduce the inflammation in my lower back",
    "bye",
)


def expected_replies(engine: Engine, script: list[str | None]) -> list[str]:
    """The HTML of every message the bot must send to one patient, in order."""
    state = ChatState()
    out: list[str] = []
    for text in script:
        reply = engine.not_text() if text is None else engine.respond(text, state)
        out.extend(m.text for m in render(reply))
    return out


def patient_scripts(seed: int) -> dict[int, list[str | None]]:
    rng = random.Random(seed)
    return {
        3000 + n: [rng.choice(QUESTIONS) for _ in range(MESSAGES_EACH)] for n in range(PATIENTS)
    }


async def play(tg: FakeTelegram, scripts: dict[int, list[str | None]], seed: int) -> None:
    """Patients write in interleaved waves, several messages in flight per chat."""
    rng = random.Random(seed)
    for round_ in range(MESSAGES_EACH):
        chats = list(scripts)
        rng.shuffle(chats)
        for chat_id in chats:
            text = scripts[chat_id][round_]
            if text is None:
                tg.send_message(chat_id, STICKER)
            else:
                tg.send_text(chat_id, text)
        await asyncio.sleep(0.05)


async def test_a_thousand_messages_with_faults_each_answered_exactly_once(
    real_engine: Engine,
) -> None:
    faults = Faults(
        rate=0.08,
        kinds=("429", "500", "slow", "drop"),
        retry_after=1,
        slow_seconds=0.3,
        max_rate_limits=3,
        seed=7,
    )
    scripts = patient_scripts(seed=11)
    expected = {chat: expected_replies(real_engine, script) for chat, script in scripts.items()}
    total = sum(len(v) for v in expected.values())
    async with FakeTelegram(faults=faults) as tg:
        # The overall 30 messages/s cap is tested below; here it would only add waiting.
        bot = await BotProcess(bot_environment(tg, TELEGRAM_RATE_LIMIT="0")).start()
        try:
            await bot.wait_until_polling(tg, timeout=30)
            await play(tg, scripts, seed=5)
            await tg.wait_for(lambda: len(tg.sent) >= total, timeout=60)
            await asyncio.sleep(1.5)  # room for any duplicate to show up
            code, _ = await bot.stop(signal.SIGTERM, timeout=30)
        finally:
            await bot.kill()
        got = {chat: [m["html"] for m in tg.sent_to(chat)] for chat in scripts}
        injected = dict(faults.injected)

    assert sum(len(m) for m in scripts.values()) == PATIENTS * MESSAGES_EACH == 1000
    assert set(injected) == {"429", "500", "slow", "drop"}, injected
    assert sum(injected.values()) >= 50, injected
    for chat in scripts:
        assert got[chat] == expected[chat], f"chat {chat} differs"
    assert code == 0
    assert "Traceback" not in bot.stderr


async def test_replies_keep_under_the_overall_rate_limit(real_engine: Engine) -> None:
    """Telegram allows about 30 messages a second; the default setting keeps under it."""
    async with FakeTelegram() as tg:
        bot = await BotProcess(bot_environment(tg)).start()
        try:
            await bot.wait_until_polling(tg)
            for chat_id in range(4000, 4060):
                tg.send_text(chat_id, "where do the needles go")
            per_chat = len(
                [
                    m.text
                    for m in render(real_engine.respond("where do the needles go", ChatState()))
                ]
            )
            await tg.wait_for(lambda: len(tg.sent) >= 60 * per_chat, timeout=30)
            code, _ = await bot.stop(signal.SIGTERM)
        finally:
            await bot.kill()
        sends = [c.at for c in tg.calls_to("sendMessage")]
    assert code == 0
    # A leaky bucket of 30 a second: the first 30 may go at once, then 30 each second.
    assert sends[-1] - sends[0] >= (len(sends) - 30) / 30 * 0.9
