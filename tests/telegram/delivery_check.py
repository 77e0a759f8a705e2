"""Counting what patients got: lost answers, duplicates, order, and when Telegram heard "done".

The delivery tests play patients who each ask distinct topics by their titles: every answer
the bot sends carries "Helpful / Not helpful" buttons naming its topic, so each answer can be
traced to the question it answers without trusting the bot. From that:

- lost: a question with no answer;
- duplicates: a second copy of an answer, each checked against the promise in the README
  ("What is guaranteed across a crash, a restart and a lost response"): a copy is allowed only
  when the bot was killed right after sending the earlier one, before the chat's next answer;
- order: within a chat, first answers come in the order the questions were asked;
- confirmed too early: a getUpdates whose offset moved past an update before its answer had
  reached Telegram (what lost messages for good before).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core.conversation import ChatState, Engine
from bot.core.reply import ACTION_FEEDBACK, Kind
from tests.telegram.fake_api import FakeTelegram

IN_FLIGHT = 0.5  # seconds: see _explained_by_kill


def topic_questions(engine: Engine) -> list[tuple[str, str]]:
    """(question, topic id) for every topic whose title the engine answers with that topic."""
    pairs = []
    for topic in engine.knowledge.topics:
        reply = engine.respond(topic.title, ChatState(disclaimer_shown=True))
        if reply.kind is Kind.ANSWER and reply.topic_id == topic.id:
            pairs.append((topic.title, topic.id))
    return pairs


def answered_topic(message: dict[str, Any]) -> str | None:
    """The topic an answer is about (from its feedback buttons), or None for other messages."""
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data") or ""
            if data.startswith(f"{ACTION_FEEDBACK}:"):
                return data.split(":")[1]
    return None


@dataclass
class Patients:
    """Patients asking topics through a FakeTelegram, remembering what each asked."""

    tg: FakeTelegram
    questions: Sequence[tuple[str, str]]
    asked: dict[int, list[str]] = field(default_factory=dict)  # chat -> topic ids, in order
    updates: dict[int, tuple[int, str]] = field(default_factory=dict)  # update id -> question

    def ask(self, chat_id: int, index: int) -> None:
        """Chat `chat_id` asks question number `index` (mod the number of questions)."""
        title, topic = self.questions[index % len(self.questions)]
        self.tg.send_text(chat_id, title)
        self.updates[self.tg.pending[-1]["update_id"]] = (chat_id, topic)
        self.asked.setdefault(chat_id, []).append(topic)

    @property
    def last_update_id(self) -> int:
        return max(self.updates)

    def answers(self, chat_id: int) -> list[tuple[str, float]]:
        """(topic, when Telegram got it) of every answer sent to the chat, in order."""
        return [
            (topic, m["sent_at"])
            for m in self.tg.sent_to(chat_id)
            if (topic := answered_topic(m)) is not None
        ]

    def all_answered(self) -> bool:
        """True once every question has at least one answer."""
        for chat_id, topics in self.asked.items():
            got = {topic for topic, _ in self.answers(chat_id)}
            if not got.issuperset(topics):
                return False
        return True


@dataclass(frozen=True)
class Tally:
    """What the patients got, against what they asked."""

    questions: int
    lost: int
    duplicates: int
    unexplained_duplicates: tuple[str, ...]  # copies no kill accounts for
    out_of_order: tuple[int, ...]  # chats whose first answers came in another order
    confirmed_too_early: tuple[int, ...]  # update ids Telegram was told were done too soon
    duplicate_ages: tuple[float, ...]  # per copy: seconds from the earlier copy to the kill
    duplicates_per_kill: tuple[int, ...]  # copies each kill accounts for


def tally(patients: Patients, kills: Sequence[float] = ()) -> Tally:
    """Count lost answers and duplicates; check each duplicate against the kills (times)."""
    kills = sorted(kills)
    lost = duplicates = 0
    unexplained: list[str] = []
    out_of_order: list[int] = []
    ages: list[float] = []
    per_kill = [0] * len(kills)
    first_answer: dict[tuple[int, str], float] = {}
    for chat_id, topics in patients.asked.items():
        answers = patients.answers(chat_id)
        seen: dict[str, int] = {}  # topic -> index of its latest copy in `answers`
        firsts: list[str] = []
        for index, (topic, sent_at) in enumerate(answers):
            if topic not in seen:
                firsts.append(topic)
                first_answer[(chat_id, topic)] = sent_at
            else:
                duplicates += 1
                earlier_at = answers[seen[topic]][1]
                explained = _explained_by_kill(answers, seen[topic], kills)
                if explained is None:
                    unexplained.append(
                        f"chat {chat_id} {topic}: copies at {earlier_at:.3f} and {sent_at:.3f},"
                        f" kills at {[round(k, 3) for k in kills]}"
                    )
                else:
                    kill, age = explained
                    per_kill[kill] += 1
                    ages.append(age)
            seen[topic] = index
        lost += len(set(topics) - set(seen))
        if firsts != [t for t in topics if t in seen]:
            out_of_order.append(chat_id)
    return Tally(
        questions=sum(len(t) for t in patients.asked.values()),
        lost=lost,
        duplicates=duplicates,
        unexplained_duplicates=tuple(unexplained),
        out_of_order=tuple(out_of_order),
        confirmed_too_early=_confirmed_too_early(patients, first_answer),
        duplicate_ages=tuple(ages),
        duplicates_per_kill=tuple(per_kill),
    )


def _explained_by_kill(
    answers: list[tuple[str, float]], earlier: int, kills: Sequence[float]
) -> tuple[int, float] | None:
    """(which kill, seconds from the earlier copy to it), if the earlier copy was the chat's
    last answer before that kill (the one update per chat in flight); else None.

    A copy Telegram took up to IN_FLIGHT seconds after the kill counts too (negative age): the
    bot had sent the request before it died, and the fake Telegram, busy in this same test
    process, got round to it only then.
    """
    sent_at = answers[earlier][1]
    position = bisect.bisect_right(kills, sent_at - IN_FLIGHT)
    if position == len(kills):
        return None  # no kill after it: a duplicate without a crash
    kill = kills[position]
    if any(sent_at < at < kill for _, at in answers[earlier + 1 :]):
        return None  # the chat got another answer before the kill: not the one in flight
    return position, kill - sent_at


def _confirmed_too_early(
    patients: Patients, first_answer: dict[tuple[int, str], float]
) -> tuple[int, ...]:
    """Update ids that a getUpdates offset moved past before their answer reached Telegram."""
    ids = sorted(patients.updates)
    answered_at = [first_answer.get(patients.updates[i], math.inf) for i in ids]
    latest = []  # latest[k]: the last first-answer time among ids[0..k]
    for at in answered_at:
        latest.append(max(at, latest[-1]) if latest else at)
    early: set[int] = set()
    for call in patients.tg.calls_to("getUpdates"):
        if call.outcome != "ok":
            continue
        offset = int(call.params.get("offset") or 0)
        below = bisect.bisect_left(ids, offset)  # ids[:below] are confirmed by this call
        if below and latest[below - 1] > call.at:
            early.update(i for i, at in zip(ids[:below], answered_at, strict=False) if at > call.at)
    return tuple(sorted(early))
