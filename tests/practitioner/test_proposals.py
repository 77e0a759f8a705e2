"""Patients' wordings as phrasings: the question inside a story, quoting, what is skipped."""

from __future__ import annotations

import yaml

from bot.core.prepared import PreparedMessage
from bot.practitioner.proposals import (
    MAX_PHRASING_CHARS,
    as_phrasing,
    question_part,
    usable_phrasings,
    yaml_scalar,
)


def test_a_short_question_is_kept_whole_and_tidied() -> None:
    assert question_part("  Is there PARKING??  ") == "is there parking"


def test_a_story_gives_the_sentence_that_asks() -> None:
    story = (
        "Im 20 weeks pregnant and my back has been killing me since christmas, I have tried"
        " everything from heat packs to stretching. Is acupuncture safe when pregnant?"
    )
    assert question_part(story) == "is acupuncture safe when pregnant"


def test_one_long_sentence_is_cut_at_its_clauses() -> None:
    story = (
        "I have had lower back pain for about three years since I hurt it at the gym and the"
        " physio did not really help so I was wondering if acupuncture is safe while"
        " breastfeeding my baby?"
    )
    part = question_part(story)
    assert part.endswith("acupuncture is safe while breastfeeding my baby")
    assert len(part) <= MAX_PHRASING_CHARS


def test_nothing_usable_gives_nothing() -> None:
    assert question_part("a" * 300) == ""


def test_known_masked_and_repeated_wordings_are_skipped() -> None:
    texts = [
        "How many sessions will I need?",  # already a phrasing
        "call me on [number] about parking",  # a masked detail
        "is there parking",
        "Is there parking?",  # the same again
        "any parking nearby",
    ]
    known = {"how many sessions will i need"}
    assert usable_phrasings(texts, known) == ["is there parking", "any parking nearby"]
    assert usable_phrasings(texts, known, limit=1) == ["is there parking"]


def test_yaml_scalars_read_back_as_written() -> None:
    for text in ("plain words", "note: colon", "#3 first", "yes", "null", '"quoted"', "émoji 😀"):
        assert yaml.safe_load(f"- {yaml_scalar(text)}") == [text]
    assert yaml_scalar("plain words") == "plain words"


def test_a_story_gives_the_clause_the_bot_reads_as_asking() -> None:
    story = (
        "Hello, about two years ago I slipped a disc lifting boxes at work and since then I have"
        " had physio, painkillers and a steroid injection which helped for a while. I was"
        " wondering whether you also treat the sciatica that goes down my left leg"
    )
    asking = [p.raw for p in PreparedMessage.of(story).asking]
    assert question_part(story) in [as_phrasing(p) for p in asking]
    assert "sciatica" in question_part(story)
    assert "slipped a disc" not in question_part(story)


def test_wordings_about_another_condition_are_never_proposed_as_a_back_topics_phrasings() -> None:
    from bot.config import DEFAULT_KNOWLEDGE_DIR
    from bot.core.loader import load_knowledge
    from bot.practitioner.proposals import propose
    from bot.practitioner.resemblance import TOPIC, Resemblance, Resembler

    resembler = Resembler(load_knowledge(DEFAULT_KNOWLEDGE_DIR))
    close = Resemblance(TOPIC, "can-acupuncture-help", "Could acupuncture help me?", 70)
    knees = [("my knee hurts when i walk can you help", 2), ("can it help my knees", 1)]
    assert propose(knees, close, resembler, (), close_score=45).action == "new-topic"
    # The same resemblance, with the back's own words, is a topic's phrasings.
    backs = [("my lower back hurts when i walk can you help", 2), ("can it help my back", 1)]
    assert propose(backs, close, resembler, (), close_score=45).action == "add-phrasings"
