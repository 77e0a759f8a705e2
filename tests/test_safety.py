"""Red-flag triage: every sign in PRODUCT.md is caught in everyday words, negations are not.

The sentences here are written for these tests (never copied from the evaluation sets), the
way patients type: lower case, typos, long stories with the sign in the middle.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.model import RedFlag
from bot.core.safety import CompiledPattern, PatternError, RedFlagHit, Triage, compile_pattern

RED_FLAGS_YAML = Path(__file__).resolve().parents[1] / "knowledge" / "red_flags.yaml"


def _load_shipped() -> Triage:
    data = yaml.safe_load(RED_FLAGS_YAML.read_text(encoding="utf-8"))
    flags = [
        RedFlag(f["id"], f["name"], tuple(f["when"]), tuple(f.get("unless") or ()))
        for f in data["flags"]
    ]
    return Triage(flags, data.get("negations") or [])


TRIAGE = _load_shipped()

# (expected flag id, message). Expected ids are checked loosely where two flags honestly both
# apply (e.g. "had an accident" is a fall or incontinence): see `_fires`.
URGENT = {
    "saddle-numbness": [
        "i cant feel my bum when i sit on the toilet",
        "cant feel anything between my legs since this morning",
        "numbness in my groin and inner thighs",
        "my bottom has gone numb",
        "tingling round my privates, is that normal with sciatica?",
        "I can't feel when I wipe",
        "weird numb feeling down there and in my bum cheeks",
        "pins and needles in my buttocks and genitals",
        "i have numbnes in my groyn",  # typos
        "the inside of my thighs feel numb",
        "could this be cauda equina?",
        "lost feeling in my saddle area",
    ],
    "bladder-bowel": [
        "i wet myself this morning without realising",
        "peed myself on the way to work, never happened before",
        "i cant pee properly since yesterday",
        "struggling to pee and it wont come out",
        "i need a wee but nothing comes out",
        "lost control of my bowels last night",
        "i lost control of my bladder",
        "pooed myself and didnt notice",
        "I've become incontinent",
        "leaking urine since my back went",
        "incontinant since tuesday",  # typo
        "havent been able to pee since this morning",
        "i have trouble peeing and my back is agony",
        "cannot empty my bladder",
        "my bladder control has gone funny",
        "i can not feel when i need to pee",
    ],
    "leg-weakness": [
        "my leg is getting weaker every day",
        "my foot keeps catching on the pavement",
        "i think i have foot drop",
        "both legs going numb and its getting worse",
        "pins and needles in both feet",
        "i can barely walk",
        "struggling to walk since friday",
        "my legs keep giving way",
        "the numbness in my foot is spreading up my leg",
        "my left leg gave way on the stairs",
        "i'm dragging my right foot",
        "numbness in my leg, and its getting worse",
        "the tingling in my calf is worse than last week",
        "i cant walk properly",
        "cant walk",
        "weakness in both legs",
        "my legs feel like jelly and numb",
        "tingling in my foot that is getting worse and worse",
    ],
    "accident-fall": [
        "i was in a car crash last week",
        "back pain since an RTA in june",
        "fell off a ladder at work",
        "I fell down the stairs yesterday",
        "got hit by a car on my bike",
        "landed on my back playing football",
        "rugby tackle on saturday and now my back is agony",
        "took a blow to the back during a fight",
        "slipped on the ice and landed hard",
        "had a bad fall last week",
        "came off my horse",
        "whiplash from a car accident",
        "tripped over the dog and fell backwards onto the step",
    ],
    "fever-unwell": [
        "i have a temperature of 39",
        "running a fever with my back pain",
        "im burning up and my back hurts",
        "hot and shivery all day",
        "i feel really unwell",
        "feeling really rough with it",
        "sweats and chills since tuesday",
        "night sweats and my lower back aches",
        "temp is 38.5",
        "feverish and achy",
        "i feel very unwell in myself",
        "I've got a feaver",  # typo
    ],
    "weight-loss": [
        "lost 2 stone without trying",
        "the weight is dropping off me",
        "ive lost a lot of weight recently and dont know why",
        "i've been losing weight",
        "my clothes are hanging off me",
        "lost nearly 10kg in 2 months",
        "unexplained weight loss",
        "i lost weight without trying to",
    ],
    "cancer": [
        "i had breast cancer",
        "I have a history of cancer",
        "in remission from lymphoma",
        "treated for prostate cancer in 2019",
        "ive had bowel cancer",
        "i had cancer like my mum",
        "finished chemo last year",
        "i was diagnosed with breast cancer in 2020",
        "does acupuncture help people who had cancer? i had it 3 years ago",
        "i had cancer, my mum is worried about my back",
    ],
    "swelling-deformity": [
        "there's a lump on my spine",
        "swelling in my lower back",
        "my back looks a different shape",
        "a bump sticking out of my spine",
        "my spine looks crooked now",
        "theres a swolen bit on my back",  # typo
        "noticed a lump in the small of my back",
    ],
    "chest-pain": [
        "chest pain and back pain",
        "pain in my chest going through to my back",
        "tight chest going through to my back",
        "my chest hurts when my back flares up",
        "crushing feeling in my chest",
        "sharp pains in my chest",
        "chset pain",  # typo
    ],
    "night-pain": [
        "the pain never lets up day or night",
        "worse at night and resting doesnt help",
        "i cant lie down its so bad, constant",
        "constant pain, worse at night",
        "pain is constant and keeps me awake at night",
        "nothing eases it at night, no position helps",
        "unbearable at night and lying down makes it worse",
    ],
}


def _fires(expected: str, hit: RedFlagHit | None) -> bool:
    if hit is None:
        return False
    if expected == "cancer":
        return hit.flag_id.startswith("cancer")
    return True  # any flag means urgent; the id is checked separately where it matters


ALL_URGENT = [(flag, msg) for flag, msgs in URGENT.items() for msg in msgs]


@pytest.mark.parametrize(("flag", "message"), ALL_URGENT)
def test_every_red_flag_fires_on_everyday_phrasing(flag: str, message: str) -> None:
    hit = TRIAGE.check(message)
    assert _fires(flag, hit), f"missed {flag}: {message!r}"


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("saddle-numbness", "i cant feel my bum when i wipe"),
        ("bladder-bowel", "wet myself"),
        ("leg-weakness", "foot drop"),
        ("accident-fall", "fell off a ladder"),
        ("fever-unwell", "burning up"),
        ("weight-loss", "lost 2 stone without trying"),
        ("cancer-history", "i had breast cancer"),
        ("cancer-mentioned", "in remission from lymphoma"),
        ("swelling-deformity", "lump on my spine"),
        ("chest-pain", "chest pain"),
        ("night-pain", "pain never lets up day or night"),
    ],
)
def test_the_hit_names_the_right_flag(flag: str, message: str) -> None:
    hit = TRIAGE.check(message)
    assert hit is not None
    assert hit.flag_id == flag
    assert hit.name  # plain words for the urgent reply
    assert hit.sentence == message


BURIED = [
    (
        "Hi there, I've had lower back pain for about three weeks after moving house. "
        "Since yesterday I can't really feel my bum when I sit down. "
        "How many sessions would I need?"
    ),
    (
        "hello!! my back went when i was lifting my toddler and its been bad since, "
        "i also peed myself a bit this morning which was embarrassing lol, "
        "can acupuncture help and how many sessions would i need?"
    ),
    (
        "Good morning. I'm 54 and have had sciatica on and off. I had breast cancer six years "
        "ago and I'm in remission. Would acupuncture be suitable for me?"
    ),
    (
        "hi, quick question about needles. my back is sore and ive been running a temp of 39 "
        "for two days. where do the needles go?"
    ),
    (
        "I was wondering about booking. My back hurts after I fell down the stairs on "
        "Sunday, it's really bad. Do you have anything this week?"
    ),
    (
        "long story short my back's been bad for months and now my left leg is getting weaker "
        "and my foot keeps catching when i walk. what does a first consultation involve?"
    ),
    "Is acupuncture safe? I get chest pain with my back pain sometimes. Thanks",
    "my back aches and ive lost two stone without trying since christmas - how much is it?",
]


@pytest.mark.parametrize("message", BURIED)
def test_a_red_flag_buried_in_an_ordinary_question_still_fires(message: str) -> None:
    assert TRIAGE.check(message) is not None, message


ORDINARY = [
    "my back is killing me",
    "agony after gardening all weekend",
    "stiff in the mornings, better once I get moving",
    "ive had sciatica down my leg for years, nothing new",
    "where do the pins and needles go?",
    "where do the needles go",
    "how many sessions would i need?",
    "can acupuncture help with a slipped disc?",
    "i hurt my back lifting my toddler, can needles help??",
    "does it hurt?",
    "who is the practitioner?",
    "how much does a session cost",
    "it's not an emergency but I'd like to book for my lower back",
    "my back went when I bent down to tie my shoe",
    "what is moxibustion",
    "my lower back aches after sitting at my desk all day",
    "is it normal for back pain to be worse in the morning?",
    "I've had pain down my leg on and off, is that sciatica?",
    "do you do cupping as well",
    "my back pain comes and goes",
    "can you help with stress? my back tenses up",
    "should I use hot and cold packs",
    "I twisted my back lifting a box",
    "how long before i feel better",
    "I fell asleep on the sofa and woke up with a stiff back",
    "I hurt my back moving a chest of drawers",
    "does acupuncture help you lose weight",
    "i feel a bit stiff",
    "my back is sore when I stand for long",
    "fewer sessions would be better for me",
    "sorry about my spelling, my back really hurts",
    "I never get headaches but my back is sore",
    "the numbers on your website are confusing",
    "can I come if I have a bulging disc in my back",
    "i have a knot in my upper back",
]


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_back_pain_questions_do_not_raise_an_alarm(message: str) -> None:
    assert TRIAGE.check(message) is None, TRIAGE.check(message)


HARMLESS = [
    # negated
    "no numbness, no bladder problems, nothing like that",
    "no numbness or tingling in my groin",
    "no numbness, tingling or weakness in my legs",
    "I don't have any numbness and I haven't had any trouble peeing",
    "havent had any bladder or bowel problems",
    "bladder and bowel control are fine",
    "no fever, no weight loss",
    "I haven't had a fall or an accident",
    "never had cancer",
    "no chest pain",
    "the numbness in my leg is not getting worse",
    "i dont feel unwell in myself",
    "no history of cancer",
    "no lumps or swelling",
    "no loss of bladder control",
    # explained or someone else's
    "my mum had breast cancer, is acupuncture ok for her?",
    "my dad died of cancer last year and the stress has made my back worse",
    "my friend is having chemo, could acupuncture help her?",
    "lost 2 stone on purpose this year",
    "I've lost weight from dieting and my back feels better",
    "lost a stone since I started running",
    "ive been trying to lose weight and lost half a stone",
    "is there a family history of cancer question in the consultation",
]


@pytest.mark.parametrize("message", HARMLESS)
def test_negations_and_harmless_mentions_do_not_raise_an_alarm(message: str) -> None:
    assert TRIAGE.check(message) is None, TRIAGE.check(message)


@pytest.mark.parametrize(
    "message",
    [
        "i have no idea but i wet myself",
        "not sure if relevant but cant feel my bum",
        "not sure if this matters, cant feel my bum",
        "no, i wet myself",
        "no pain but i cant pee",
        "no numbness but both legs are weak",
        "no numbness, can't pee",
        "I'm not on a diet but I've lost a stone",
        "I had breast cancer and my mum had it too",
        "i lost weight without trying to lose it",
        "never had this before, i cant feel my bum",
    ],
)
def test_a_negation_only_reaches_the_symptom_right_after_it(message: str) -> None:
    assert TRIAGE.check(message) is not None, message


def test_negation_covers_a_whole_or_list_but_not_a_new_statement() -> None:
    assert TRIAGE.check("no numbness, tingling or weakness in both legs") is None
    assert TRIAGE.check("no numbness and tingling in both legs") is not None  # safety first


# -- the pattern language -----------------------------------------------------------------


def _triage(*when: str, unless: tuple[str, ...] = (), negations: tuple[str, ...] = ()) -> Triage:
    return Triage([RedFlag("test", "a test sign", tuple(when), unless)], list(negations))


def test_compile_pattern_parses_parts_alternatives_prefixes_and_gaps() -> None:
    compiled = compile_pattern("numb* | cant feel + bum | lost ... stone")
    assert isinstance(compiled, CompiledPattern)
    assert len(compiled.parts) == 2
    first, second = compiled.parts
    assert [str(w) for w in first[0]] == ["numb*"]
    assert [str(w) for w in first[1]] == ["cant", "feel"]
    assert [str(w) for w in second[1]] == ["lost", "...", "stone"]


def test_parts_must_all_appear_in_the_same_sentence_in_any_order() -> None:
    triage = _triage("numb* + groin")
    assert triage.check("my groin is numb") is not None
    assert triage.check("numbness in the groin") is not None
    assert triage.check("numbness in my foot") is None
    assert triage.check("my groin hurts") is None


def test_a_prefix_star_matches_any_ending_but_a_plain_word_only_itself() -> None:
    triage = _triage("tingl*", "bum")
    assert triage.check("it's tingly") is not None
    assert triage.check("tingling all day") is not None
    assert triage.check("bumpy road") is None


def test_a_gap_allows_up_to_three_words() -> None:
    triage = _triage("lost ... stone")
    assert triage.check("lost stone") is not None
    assert triage.check("lost nearly 2 stone") is not None
    assert triage.check("lost my keys and my favourite stone") is None


def test_unless_cancels_only_in_the_same_sentence() -> None:
    triage = _triage("cancer", unless=("mum",))
    assert triage.check("my mum had cancer") is None
    assert triage.check("my mum is worried. I had cancer.") is not None


def test_typos_are_forgiven_in_long_words_but_not_short_ones() -> None:
    triage = _triage("incontinent", "numb")
    assert triage.check("im incontinant") is not None
    assert triage.check("im incontinnent") is not None
    assert triage.check("nunb") is None  # four letters: must be exact


def test_ordinary_neighbours_of_symptom_words_are_not_typos() -> None:
    triage = _triage("fever", "swelling")
    assert triage.check("fewer sessions please") is None
    assert triage.check("sorry for my spelling") is None
    assert triage.check("a feverr") is not None


def test_apostrophes_and_cannot_are_folded_like_the_patterns() -> None:
    triage = _triage("cant pee")
    for message in ["I can't pee", "i cannot pee", "I can not pee", "I CAN’T PEE!!"]:
        assert triage.check(message) is not None, message


def test_after_negations_cancel_the_symptom_before_them() -> None:
    triage = _triage("bowel control", negations=("... fine",))
    assert triage.check("bowel control is fine") is None
    assert triage.check("bowel control") is not None


def test_a_negation_inside_a_symptom_phrase_is_part_of_the_symptom() -> None:
    triage = _triage("no feeling + bum", negations=("no",))
    assert triage.check("no feeling in my bum") is not None
    assert triage.check("no") is None


@pytest.mark.parametrize(
    ("pattern", "advice"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("can't feel", "cant feel"),
        ("numb + ", '"+"'),
        ("+ groin", '"+"'),
        ("numb || tingling", '"|"'),
        ("numb |", '"|"'),
        ("n*", "at least 3 letters"),
        ("*", "at least 3 letters"),
        ("nu*mb", "may only end a word"),
        ("numb**", "may only end a word"),
        ("numb, tingling", '","'),
        ("numb (legs)", '"("'),
        ("... stone", "between two words"),
        ("lost ...", "between two words"),
        ("lost ... ... stone", "between two words"),
        ("lost .. stone", "full stops"),
        ("my", "on its own"),
        ("numb + the", "on its own"),
    ],
)
def test_bad_patterns_raise_a_helpful_pattern_error(pattern: str, advice: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern)
    assert advice in str(caught.value)


def test_a_pattern_that_is_not_text_is_refused() -> None:
    with pytest.raises(PatternError, match="must be text"):
        compile_pattern(42)  # type: ignore[arg-type]


def test_triage_names_the_flag_with_the_bad_pattern() -> None:
    with pytest.raises(PatternError, match="red flag 'test'"):
        _triage("numb +")


def test_triage_refuses_a_bad_negation() -> None:
    with pytest.raises(PatternError, match="negation"):
        _triage("numb", negations=("don't",))
    with pytest.raises(PatternError, match="negation"):
        _triage("numb", negations=("...",))


def test_pattern_error_is_a_value_error() -> None:
    assert issubclass(PatternError, ValueError)


# -- the shipped file ---------------------------------------------------------------------


def test_the_shipped_red_flags_compile_and_cover_every_product_red_flag() -> None:
    data = yaml.safe_load(RED_FLAGS_YAML.read_text(encoding="utf-8"))
    ids = {f["id"] for f in data["flags"]}
    assert {
        "saddle-numbness",
        "bladder-bowel",
        "leg-weakness",
        "accident-fall",
        "fever-unwell",
        "weight-loss",
        "cancer-history",
        "swelling-deformity",
        "chest-pain",
        "night-pain",
    } <= ids
    for flag in data["flags"]:
        for pattern in [*flag["when"], *(flag.get("unless") or [])]:
            compile_pattern(pattern)
        assert flag["name"].strip()
    assert {"no", "not", "without", "never"} <= set(data["negations"])


# -- robustness ---------------------------------------------------------------------------


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_check_never_raises_on_any_text(text: str) -> None:
    result = TRIAGE.check(text)
    assert result is None or isinstance(result, RedFlagHit)


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000))
@settings(max_examples=20, deadline=None)
def test_check_never_raises_on_long_unicode_text(text: str) -> None:
    TRIAGE.check(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\t\r",
        "\x00\x01\x02\x1b[31m",
        "🙂🙂🙂",
        "ألم في الظهر ولا أستطيع المشي",
        "\u202eeyl tsuj I\u202c",
        "<b>hi</b>'; DROP TABLE users; --",
        "a" * 100_000,
        "my back hurts. " * 7_000,
    ],
)
def test_check_handles_odd_and_huge_input(text: str) -> None:
    assert TRIAGE.check(text) is None


def test_a_red_flag_at_the_end_of_a_huge_message_is_still_found() -> None:
    text = "my back hurts. " * 7_000 + "i wet myself"
    hit = TRIAGE.check(text)
    assert hit is not None
    assert hit.flag_id == "bladder-bowel"
