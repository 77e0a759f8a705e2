"""The matcher on a small hand-made knowledge: typos, synonyms, stories, stems, ranking."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.matching import STOPWORDS, Entry, Matcher, SynonymTable, stem

ENTRIES = [
    Entry("topic:sessions", "how many sessions will i need"),
    Entry("topic:sessions", "how often should i come"),
    Entry("topic:needles", "where do the needles go"),
    Entry("topic:needles", "why put needles in my legs"),
    Entry("topic:cupping", "do you do cupping"),
    Entry("topic:practitioner", "who will i see"),
    Entry("topic:practitioner", "is the acupuncturist qualified"),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(ENTRIES, synonyms={"cupping": ["cups", "fire cups"]})


def best(matcher: Matcher, text: str) -> str:
    ranked = matcher.rank(text)
    assert ranked, f"nothing matched {text!r}"
    return ranked[0].label


def test_exact_phrasing_scores_high(matcher: Matcher) -> None:
    top = matcher.rank("How many sessions will I need?")[0]
    assert top.label == "topic:sessions"
    assert top.score >= 90


def test_typos_are_corrected_against_the_vocabulary(matcher: Matcher) -> None:
    assert best(matcher, "how many sesions wil i ned") == "topic:sessions"
    assert best(matcher, "acupuncturst qualifed?") == "topic:practitioner"


def test_synonyms_are_replaced_before_matching(matcher: Matcher) -> None:
    assert best(matcher, "do you use fire cups") == "topic:cupping"


def test_stems_match_other_forms_of_a_word(matcher: Matcher) -> None:
    assert stem("seeing") == stem("see")
    assert best(matcher, "who would i be seeing") == "topic:practitioner"


def test_question_is_found_inside_a_long_story(matcher: Matcher) -> None:
    story = (
        "I have had a bad back since the summer. It started after gardening and got worse at work. "
        "My sister recommended you. Where do the needles go?"
    )
    assert best(matcher, story) == "topic:needles"


def test_ranking_is_best_first_and_limited(matcher: Matcher) -> None:
    ranked = matcher.rank("how often should i come and who will i see", limit=2)
    assert len(ranked) == 2
    assert ranked[0].score >= ranked[1].score
    assert {r.label for r in ranked} == {"topic:sessions", "topic:practitioner"}


def test_unrelated_text_scores_low(matcher: Matcher) -> None:
    ranked = matcher.rank("the weather in Lisbon is lovely")
    assert not ranked or ranked[0].score < 40


def test_synonym_table_prefers_longest_phrase() -> None:
    table = SynonymTable(
        {"back pain": ["bad back", "back"], "slipped disc": ["slipped disc in my back"]}
    )
    assert table.apply("i have a bad back") == "i have a back pain"
    assert table.apply("slipped disc in my back again") == "slipped disc again"


def test_a_phrase_completed_by_a_corrected_word_is_replaced_too() -> None:
    table = SynonymTable(
        {"appointment": ["apointment"], "first consultation": ["first appointment"]}
    )
    assert table.apply("whats the first apointment like") == "whats the first consultation like"


def test_equal_scores_are_ranked_by_label_so_suggestions_never_reorder() -> None:
    # Three labels with the same phrasing tie; listed in an order that is not alphabetical.
    tied = Matcher([Entry(label, "needles in my back") for label in ("t:c", "t:a", "t:b")])
    ranked = tied.rank("needles in my back")
    assert len({s.score for s in ranked}) == 1
    assert [s.label for s in ranked] == ["t:a", "t:b", "t:c"]


def _reference_apply(synonyms: dict[str, list[str]], text: str) -> str:
    """What SynonymTable promises, written the slow, obvious way: whole-word regexes, the
    longest variant first, then passes for phrases that an earlier replacement completed."""
    mapping = {v: k for k, vs in synonyms.items() for v in vs}
    variants = sorted(mapping, key=len, reverse=True)
    phrases = [v for v in variants if " " in v]

    def one_pass(options: list[str], current: str) -> str:
        if not options:
            return current
        pattern = re.compile(r"\b(" + "|".join(re.escape(v) for v in options) + r")\b")
        return pattern.sub(lambda m: mapping[m.group(1)], current)

    before, after = text, one_pass(variants, text)
    for _ in range(2):
        if after == before:
            break
        before, after = after, one_pass(phrases, after)
    return after


TRICKY_SYNONYMS = {
    "back pain": ["bad back", "back", "sore back"],
    "slipped disc": ["slipped disc in my back", "disc"],
    "first consultation": ["first appointment"],
    "appointment": ["apointment", "appt"],
    "x y": ["y z", "a b c"],
    "c": ["a b", "z"],
}


@pytest.mark.parametrize(
    "text",
    [
        "a b c",  # the longest variant wins ("a b c", not "a b")
        "my bad back and a sore back",
        "slipped disc in my back again",  # a long variant beats its own parts
        "first apointment",  # "apointment" -> "appointment" completes "first appointment"
        "y z z y",  # a replacement is not replaced again in the same pass
    ],
)
def test_synonyms_tricky_cases_match_the_plain_regex_definition(text: str) -> None:
    assert SynonymTable(TRICKY_SYNONYMS).apply(text) == _reference_apply(TRICKY_SYNONYMS, text)


@settings(max_examples=400)
@given(st.lists(st.sampled_from("a b c y z bad back sore first apointment".split()), max_size=10))
def test_synonyms_match_the_plain_regex_definition(words: list[str]) -> None:
    text = " ".join(words)
    assert SynonymTable(TRICKY_SYNONYMS).apply(text) == _reference_apply(TRICKY_SYNONYMS, text)


def test_a_typo_keeps_its_first_letter() -> None:
    # "each" is an ordinary word the phrasings do not use, one letter from "teach": a typo
    # rarely changes the first letter, so it is not "corrected" into another word.
    m = Matcher([Entry("topic:practitioner", "does he teach acupuncture")])
    assert m.prepare("each") == ["each"]
    assert m.prepare("teacch") == [stem("teach")]


@pytest.mark.parametrize(
    ("phrasing", "written", "typo", "meant"),
    [
        ("is there parking", "pairing", "parkng", "parking"),  # "pairing it with rehab"
        ("will i get a message", "massage", "messge", "message"),
        ("does it bother you", "brother", "bothr", "bother"),
        ("i go to college", "colleague", "colege", "college"),
        ("does heating help", "heart", "heatng", "heating"),
        ("will i be needled", "needed", "needld", "needled"),
    ],
)
def test_an_english_word_is_not_corrected_into_another(
    phrasing: str, written: str, typo: str, meant: str
) -> None:
    # A real word one letter from a known one is what the patient meant; only a word that
    # is not English is a misspelling.
    m = Matcher([Entry("topic:t", phrasing)])
    assert m.prepare(written) == [stem(written)]
    assert m.prepare(typo) == [stem(meant)]


def test_an_english_word_may_still_lose_or_gain_an_ending() -> None:
    # "evidenced" and "evidence" stem apart, but are one word: the correction stands.
    m = Matcher([Entry("topic:t", "what is the evidence")])
    assert m.prepare("evidenced") == [stem("evidence")]


def test_a_prepared_reading_is_ranked_and_explained_without_reading_again(
    matcher: Matcher,
) -> None:
    from bot.core.prepared import PreparedMessage

    reading = matcher.read(
        PreparedMessage.of("Hi. My back hurts after work, how often should I come?")
    )
    assert reading.clauses and reading.clauses[-1][1] is True  # the last clause asks
    assert matcher.rank(reading) == matcher.rank(reading.message.text)
    assert "often" in {w for w in reading.content}
    assert matcher.unexplained(reading, ["topic:sessions"]) == matcher.unexplained(
        reading.message.text, ["topic:sessions"]
    )


def test_the_clause_that_asks_outweighs_the_story_around_it(matcher: Matcher) -> None:
    story = (
        "we went to a cupping demo at the fair and my cousin had fire cups on his back and "
        "loved it and i work long shifts. where do the needles go?"
    )
    assert matcher.rank(story)[0].label == "topic:needles"


# -- dictation and autocorrect split a known word -----------------------------------------------
@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("is a cu puncture any good", "is acupuncture any good"),  # exact, from three pieces
        ("do you do cup ping", "do you do cupping"),
        ("what does the a cupuncturist do", "what does the acupuncturist do"),
        ("does an acu punkture help", "does an acupuncture help"),  # close, as a typo is
    ],
)
def test_words_split_by_dictation_are_joined_back(text: str, whole: str) -> None:
    m = Matcher(
        [
            Entry("topic:help", "can acupuncture help"),
            Entry("topic:cupping", "do you do cupping"),
            Entry("topic:practitioner", "is the acupuncturist qualified"),
        ]
    )
    assert m.prepare(text) == m.prepare(whole)


@pytest.mark.parametrize(
    "text",
    [
        "is acupuncture cuts any good",  # a long known word is whole, never a fragment
        "back from a long ride",  # "alongside" is only close to these words, not spelled by them
        "the question is",  # a word that corrects on its own takes nothing with it
        "in to the cup",  # short known words that spell nothing known stay apart
    ],
)
def test_only_a_split_word_is_joined(text: str) -> None:
    m = Matcher(
        [
            Entry("topic:help", "can acupuncture help"),
            Entry("topic:other", "used alongside other care"),
            Entry("topic:questions", "any more questions"),
            Entry("topic:into", "what goes into a cup"),
        ]
    )
    assert len(m.prepare(text)) == len(text.split())


def test_a_message_of_common_words_still_nominates_their_phrasings() -> None:
    # "acupuncture" and "help" are in more phrasings than nominate candidates by themselves;
    # the message's only rare feature is a word pair another topic happens to share. The
    # phrasings of the common words must still be scored, or the topic is never found.
    entries = [Entry(f"topic:filler{i}", f"does acupuncture help zz{i}") for i in range(25)]
    entries += [
        Entry("topic:help", "can acupuncture help"),
        Entry("topic:effects", "the acupuncture can reduce swelling"),
    ]
    m = Matcher(entries)
    assert m.rank("the acupuncture can help him")[0].label == "topic:help"


def _labelled_messages() -> list[str]:
    """Every message of every labelled set in tests/data."""
    import json

    from bot.config import PROJECT_ROOT

    return [
        json.loads(line)["q"]
        for path in sorted((PROJECT_ROOT / "tests" / "data").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _every_word_patients_and_the_knowledge_use() -> set[str]:
    """The words of every labelled message and of the knowledge, folded."""
    from bot.config import DEFAULT_KNOWLEDGE_DIR
    from bot.core.text import fold

    texts = _labelled_messages()
    texts += [p.read_text(encoding="utf-8") for p in DEFAULT_KNOWLEDGE_DIR.rglob("*.yaml")]
    return {w for text in texts for w in fold(text).split()}


def test_stems_are_the_pure_python_snowball_stemmers() -> None:
    """The matcher stems through PyStemmer (C) when it is installed, for speed: it must give
    the very stems of snowballstemmer's own English stemmer, or answers would change."""
    from snowballstemmer.english_stemmer import EnglishStemmer

    import bot.core.matching as matching

    reference = EnglishStemmer()
    words = _every_word_patients_and_the_knowledge_use()
    assert len(words) > 2000  # the labelled sets and the knowledge were read
    differing = {w for w in words if matching._STEMMER.stemWord(w) != reference.stemWord(w)}
    assert not differing
    assert type(matching._STEMMER).__module__ == "Stemmer"  # the fast one is the one in use


def _every_phrasing_scored(
    m: Matcher, tokens: tuple[str, ...], scale: float = 1.0, limit: int = 30
) -> dict[str, float]:
    """What `Matcher._score_tokens` promises, the plain way: every phrasing the index finds
    (after the same cut to the `limit` sharing the most) scored in full, each label's best
    kept. The matcher skips phrasings that cannot beat their label's best; same maxima."""
    from rapidfuzz import fuzz

    from bot.core.matching import (
        _BETA_SQUARED,
        _F_BETA,
        _W_COVERAGE,
        _W_FIT,
        _W_FUZZ,
        FEW_NOMINEES,
        _features,
    )

    feats = _features(tokens)
    words = {f for f in feats if "_" not in f}
    pairs = feats - words
    stress = {w: m._weight.get(w, m._unknown_weight) for w in words}
    query_weight = sum(stress.values()) or 1.0
    telling = feats & m._telling
    if telling <= pairs:
        telling = feats
    candidates: set[int] = set()
    for f in telling:
        candidates.update(m._index.get(f, ()))
    if len(candidates) < FEW_NOMINEES:  # a rare word nominating almost nothing: all words do
        for f in feats:
            candidates.update(m._index.get(f, ()))
    if len(candidates) > limit:
        overlap = {i: sum(m._weight[f] for f in feats & m._entry_features[i]) for i in candidates}
        top = sorted(
            overlap.items(), key=lambda kv: kv[1] * kv[1] / m._entry_weight[kv[0]], reverse=True
        )[:limit]
        candidates = {i for i, _ in top}
    query_string = " ".join(t for t in tokens if t not in STOPWORDS)
    best: dict[str, float] = {}
    for i in candidates:
        label, features = m._labels[i], m._entry_features[i]
        known = words & m._label_words[label]
        explained = min(1.0, sum(stress[w] for w in known) / query_weight)
        common = words & features
        shared = sum(m._weight[w] for w in common) + sum(m._weight[p] for p in pairs & features)
        recall = shared / m._entry_weight[i]
        precision = min(1.0, sum(stress[w] for w in common) / query_weight)
        fit = _F_BETA * precision * recall / (_BETA_SQUARED * precision + recall or 1.0)
        similar = fuzz.token_set_ratio(query_string, m._entry_strings[i])
        score = scale * (_W_FIT * fit + _W_COVERAGE * explained) + scale * _W_FUZZ * similar
        best[label] = max(best.get(label, 0.0), score)
    return {label: score for label, score in best.items() if score > 0}


def test_skipping_phrasings_that_cannot_win_keeps_every_labels_best() -> None:
    """Over every labelled message (whole, and as a story clause after it), the matcher's
    labels and bests are those of scoring every phrasing in full, to rounding. Each is
    ranked again with the other cut: the candidates kept for the same words serve both."""

    from bot.config import DEFAULT_KNOWLEDGE_DIR
    from bot.core.conversation import Engine

    m = Engine.from_directory(DEFAULT_KNOWLEDGE_DIR).matcher
    texts = _labelled_messages()
    assert len(texts) > 1000
    for text in texts:
        reading = m.read(text)
        parts = [(reading.whole, 1.0)] + [(clause, 0.8) for clause, _ in reading.clauses]
        for tokens, scale, limit in [
            (tokens, scale, limit) for tokens, scale in parts for limit in (30, 12, 30)
        ]:
            found: dict[str, float] = {}
            m._score_tokens(tokens, found, scale, limit=limit)
            plain = _every_phrasing_scored(m, tokens, scale, limit)
            assert found.keys() == plain.keys(), text
            assert all(abs(found[k] - plain[k]) < 1e-9 for k in plain), text


@pytest.mark.parametrize("floor", [24, 49, 54])
def test_a_floor_leaves_every_label_above_it_ranked_as_without_one(floor: int) -> None:
    """`rank(..., floor=F)` spares scoring what cannot reach F: over every labelled message,
    for the topics' matcher (with keywords) and the answers' sentences (without), the labels
    scoring above F are the very ones, with the very scores and order, of the full ranking."""

    from bot.config import DEFAULT_KNOWLEDGE_DIR
    from bot.core.conversation import Engine

    engine = Engine.from_directory(DEFAULT_KNOWLEDGE_DIR)
    matchers = [engine.matcher, engine.terms._claims]
    assert all(matchers) and engine.matcher._keywords
    texts = _labelled_messages()
    assert len(texts) > 1000
    above = 0
    for m in matchers:
        assert m is not None
        for text in texts:
            full = [s for s in m.rank(text) if s.score > floor]
            assert [s for s in m.rank(text, floor=floor) if s.score > floor] == full, text
            above += bool(full)
    assert above > 100  # the floor was crossed often enough to test something
