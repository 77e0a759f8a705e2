"""A small clinic knowledge base and a month of realistic unanswered questions, for the report.

The questions are written the way patients type (typos, no capitals, stories); each one is
labelled with the group it belongs to and what the report should propose for it.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.model import Clinic, Gap, Knowledge, Messages, Topic
from bot.core.reply import Kind, Reply
from bot.store import ChatKeys, SentAnswer, SQLiteStore


def _topic(topic_id: str, title: str, *phrasings: str) -> Topic:
    return Topic(
        id=topic_id,
        title=title,
        answer=f"The answer about {title}.",
        phrasings=phrasings,
        source=Path("knowledge/topics") / f"{topic_id}.yaml",
    )


def clinic_knowledge() -> Knowledge:
    """Enough of the clinic's topics and gaps for the matcher to behave as in the bot."""
    messages = Messages(*(f"message {n}" for n in range(len(fields(Messages)))))
    topics = (
        _topic(
            "how-many-sessions",
            "How many sessions",
            "how many sessions will i need",
            "how many treatments do i need",
            "how often should i have acupuncture",
            "how regularly do i need to come",
            "number of sessions needed",
            "how long is a course of treatment",
            "do i need to keep coming back",
        ),
        _topic(
            "where-needles-go",
            "Where the needles go",
            "where do the needles go",
            "where will you put the needles",
            "which points do you use",
            "do the needles go in my back",
            "will you needle my arms and legs",
            "why put needles in my feet for back pain",
        ),
        _topic(
            "first-consultation",
            "Your first visit",
            "what happens at the first appointment",
            "what happens at the initial consultation",
            "what will you ask me at the first session",
            "do you look at my tongue",
            "why do you take my pulse",
        ),
        _topic(
            "about-practitioner",
            "About Rick Mudie",
            "who is the practitioner",
            "is he qualified",
            "how experienced is rick",
            "is he a member of the british acupuncture council",
        ),
        _topic(
            "can-acupuncture-help",
            "Can acupuncture help?",
            "can acupuncture help my back pain",
            "will acupuncture work for my back",
            "is acupuncture good for lower back pain",
            "does acupuncture actually work",
        ),
        _topic(
            "booking",
            "Book an appointment",
            "how do i book",
            "can i make an appointment",
            "book a session",
        ),
    )
    gaps = (
        Gap(
            "fees",
            (
                "how much does it cost",
                "how much is a session",
                "what are your prices",
                "what do you charge",
                "price per treatment",
            ),
        ),
    )
    return Knowledge(
        clinic=Clinic("Test Clinic", "Rick Mudie", "https://example.org/book", "the clinic"),
        messages=messages,
        topics=topics,
        synonyms={"acupuncture": ("acupunture", "accupuncture"), "needles": ("needling",)},
        gaps=gaps,
        directory=Path("knowledge"),
    )


# (group label, kind, score, candidates, text). Group labels: the topic or gap the report
# should propose, or "new:<word>" for a new topic whose stub should mention <word>.
MISSES: tuple[tuple[str, str, int, tuple[str, ...], str], ...] = (
    ("fees", "fallback", 88, (), "how much is a session"),
    ("fees", "fallback", 88, (), "How much is a session?"),
    ("fees", "fallback", 80, (), "how much do you charge per session"),
    ("fees", "fallback", 76, (), "whats the price for a treatment"),
    ("fees", "fallback", 84, (), "how much does it cost??"),
    ("fees", "fallback", 70, (), "how much does acupuncture cost with you"),
    ("fees", "fallback", 72, (), "what are your prices please"),
    ("new:park", "fallback", 12, (), "is there parking"),
    ("new:park", "fallback", 10, (), "where can i park"),
    ("new:park", "fallback", 15, (), "Can I park near the clinic?"),
    ("new:park", "fallback", 9, (), "any parking nearby"),
    ("new:park", "fallback", 9, (), "is there parking at the clinic"),
    ("new:park", "fallback", 11, (), "parking??"),
    ("new:open", "fallback", 14, (), "what are your opening hours"),
    ("new:open", "fallback", 12, (), "when are you open"),
    ("new:open", "fallback", 10, (), "are you open on saturdays"),
    ("new:open", "fallback", 10, (), "opening times?"),
    ("new:open", "fallback", 13, (), "what are the opening times at the weekend"),
    ("new:knee", "suggest", 48, ("can-acupuncture-help",), "can acupuncture help knee pain"),
    ("new:knee", "suggest", 46, ("can-acupuncture-help",), "do you treat knee pain"),
    ("new:knee", "fallback", 30, (), "my knee hurts when i walk can you help"),
    ("new:knee", "suggest", 45, ("can-acupuncture-help",), "is acupuncture good for bad knees"),
    ("new:knee", "fallback", 28, (), "knee pain??"),
    ("how-many-sessions", "suggest", 58, ("how-many-sessions",), "how often would i need to come"),
    (
        "how-many-sessions",
        "suggest",
        55,
        ("how-many-sessions",),
        "how often do i have to come back for treatment",
    ),
    ("how-many-sessions", "suggest", 60, ("how-many-sessions",), "how often do people come"),
    (
        "how-many-sessions",
        "suggest",
        52,
        ("how-many-sessions", "booking"),
        "how often would i need acupunture",
    ),
    (
        "where-needles-go",
        "suggest",
        57,
        ("where-needles-go",),
        "do you put the needles in my spine",
    ),
    (
        "where-needles-go",
        "suggest",
        55,
        ("where-needles-go",),
        "will you put needles in my spine",
    ),
    (
        "where-needles-go",
        "suggest",
        50,
        ("where-needles-go",),
        "do the needles go into the spine itself",
    ),
    ("new:pregnan", "fallback", 20, (), "is acupuncture safe when pregnant"),
    ("new:pregnan", "fallback", 22, (), "can i have acupuncture while pregnant"),
    ("new:pregnan", "fallback", 25, (), "im 20 weeks pregnant and my back is killing me, safe?"),
)


def seed_store(path: Path, now: datetime | None = None) -> tuple[SQLiteStore, datetime]:
    """A store holding the misses over the last 3 weeks, plus answers, feedback and urgents."""
    # Near the real date: the report command purges by the real clock (retention).
    now = now or datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    clock = [now - timedelta(days=21)]
    store = SQLiteStore(
        path, chat_keys=ChatKeys(b"seeded-test-secret-0123456789"), clock=lambda: clock[0]
    )
    for n, (_group, kind, score, candidates, text) in enumerate(MISSES):
        clock[0] = now - timedelta(days=20) + timedelta(hours=15 * n)
        store.record(
            1000 + n % 11, text, Reply(Kind(kind), "reply", score=score, suggestions=candidates)
        )
    answered = {
        "how-many-sessions": 14,
        "where-needles-go": 9,
        "can-acupuncture-help": 12,
        "booking": 6,
    }
    for topic_id, count in answered.items():
        for n in range(count):
            clock[0] = now - timedelta(days=n % 10, hours=n)
            store.record(2000 + n, "an answered question", Reply(Kind.ANSWER, "a", topic_id, 90))
    for n in range(3):
        clock[0] = now - timedelta(days=n * 4)
        store.record(3000 + n, "numb around my bottom and cant pee", Reply(Kind.URGENT, "999"))
    clock[0] = now - timedelta(days=1)
    # Taps count only under answers the bot sent (message 1 of each chat, here).
    taps = [(4000 + n, "how-many-sessions", helpful) for n, helpful in enumerate((1, 1, 1, 0))]
    taps.append((4100, "where-needles-go", False))
    store.remember_answers([SentAnswer(chat, 1, topic) for chat, topic, _ in taps])
    for chat, topic, helpful in taps:
        store.record_feedback(chat, topic, bool(helpful), answer_ref="1")
    clock[0] = now
    return store, now
