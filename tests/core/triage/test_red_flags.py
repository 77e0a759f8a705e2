"""The shipped red flags (knowledge/red_flags.yaml): every sign in PRODUCT.md is caught in
everyday words, negations and harmless mentions are not.

The sentences here are written for these tests (never copied from the evaluation sets), the
way patients type: lower case, typos, long stories with the sign in the middle.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.loader import load_knowledge
from bot.core.triage import (
    RedFlagHit,
    Triage,
    compile_pattern,
)
from bot.core.triage.patterns import expand_concepts

RED_FLAGS_YAML = DEFAULT_KNOWLEDGE_DIR / "red_flags.yaml"


def _load_shipped() -> Triage:
    return Triage.from_knowledge(load_knowledge(DEFAULT_KNOWLEDGE_DIR))


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
    "i have never had cancer",
    "ive not had cancer or anything serious",
    "no chest pain",
    "the numbness in my leg is not getting worse",
    "i dont feel unwell in myself",
    "no history of cancer",
    "no lumps or swelling",
    "no loss of bladder control",
    "no pain or numbness in my groin",
    "no aches or pains or numbness in my groin",
    "no pain in my chest",
    # explained or someone else's
    "my dad died of cancer last year and the stress has made my back worse",
    "lost 2 stone on purpose this year",
    "I've lost weight from dieting and my back feels better",
    "lost a stone since I started running",
    "ive been trying to lose weight and lost half a stone",
    "is there a family history of cancer question in the consultation",
]


@pytest.mark.parametrize("message", HARMLESS)
def test_negations_and_harmless_mentions_do_not_raise_an_alarm(message: str) -> None:
    assert TRIAGE.check(message) is None, TRIAGE.check(message)


# More urgent messages in patients' own words, one red flag each, none with a flag id: any
# red flag makes the reply urgent.
MORE_URGENT = [
    "since this morning i cant feel anything when i go to the loo, back is really sore",
    "my bum feels numb and my back has been bad for a week",
    "i've got a numb patch on my inner thigh and my lower back hurts",
    "tingling around my back passage",
    "numbness in my saddle area, is that bad?",
    "it feels like i'm sitting on something numb, my bottom has no feeling",
    "my privates feel numb since i hurt my back",
    "i have no feeling in my bum cheeks",
    "went numb between my legs after lifting",
    "cant tell if ive finished peeing, i cant feel it",
    "i keep wetting myself since my back went",
    "i peed my pants without realising",
    "had a little accident in bed last night and my back is killing me",
    "cant hold my wee anymore",
    "my bladder isnt working properly",
    "i have to strain to pee and it barely comes out",
    "havent had a wee all day even though ive been drinking",
    "i soiled myself and didnt feel it",
    "i've lost bowel control",
    "leaking wee when i stand up since the back pain started",
    "i couldnt stop myself weeing",
    "i am having bladder problems and back pain",
    "my left leg has gone weak and its getting weaker",
    "the numbness has spread from my foot to my knee",
    "my toes are numb and it's getting worse",
    "both my legs feel numb and heavy",
    "my legs are giving way",
    "my leg gave way and i fell",
    "cant walk more than a few steps",
    "im having trouble walking",
    "i keep tripping because my foot drags",
    "my foot is slapping on the floor when i walk",
    "i cant lift my foot up properly",
    "pins and needles in my leg is getting worse by the day",
    "my right leg feels dead and is getting worse",
    "my legs feel weak and wobbly",
    "i can hardly walk since yesterday",
    "walking has become really difficult",
    "i was in a crash on the motorway",
    "was knocked off my bike on tuesday",
    "i fell from a height at work",
    "i fell down a flight of stairs",
    "slipped on black ice and landed flat on my back",
    "got kicked in the back at football",
    "back pain after a road traffic accident",
    "i came off my motorbike",
    "fell off the roof",
    "took a heavy fall skiing",
    "i was hit in the back by a falling branch",
    "someone ran into the back of my car",
    "got rear ended at the lights",
    "i was in a car accident last month and my back still hurts",
    "had a nasty fall on the stairs last night",
    "i've got a fever and my back is killing me",
    "temperature of 38.9 and back ache",
    "i feel hot and cold and shivery",
    "ive been shivering all night and my back hurts",
    "my temp is 39.2",
    "i'm really poorly and my back hurts",
    "i feel awful in myself and have back pain",
    "running a high temperature with back pain",
    "feverish with lower back pain",
    "i feel like i have the flu and my back is agony",
    "im sweating buckets at night and my back hurts",
    "i've dropped a stone in a month without dieting",
    "i'm losing weight and dont know why",
    "my weight has dropped a lot recently",
    "i've lost loads of weight and my back hurts",
    "lost 8 kilos and not trying",
    "people keep saying ive lost weight, i havent changed anything",
    "my trousers are falling off me",
    "had a tumour removed two years ago",
    "i have secondary cancer",
    "im having chemotherapy",
    "cancer survivor here, back pain lately",
    "i'm on tamoxifen after breast cancer",
    "i've been treated for leukaemia",
    "had skin cancer removed last year",
    "prostate cancer 5 years ago, now back pain",
    "i have a swelling at the base of my spine",
    "there is a lump near my spine",
    "my spine has a bump on it",
    "my back has changed shape",
    "a bone is sticking out in my back",
    "my lower back is swollen",
    "chest tightness and back pain",
    "pain in the chest and upper back",
    "my chest is tight and my back aches",
    "pressure on my chest and back pain",
    "sharp pain in my chest",
    "i get chest pains when my back hurts",
    "chest and back pain together",
    "pain keeps me awake all night and nothing helps",
    "the pain is constant, day and night",
    "it hurts constantly even when lying down, worse at night",
    "i cant sleep because the pain is constant and severe",
    "lying down makes it worse, it is constant",
    "pain is there all the time, even at rest, worse at night",
    "the pain doesnt ease when i rest and is worse at night",
    "i cant get comfortable in any position at night and it never stops",
    "Hello, I was hoping to book in for my back. Ive had it on and off for years but this week my groin has gone a bit numb. Do you have evening slots?",
    "hiya, bit embarrassing but i had an accident and wet myself at work yesterday, my back has been bad since monday, can acupunture help",
    "my husband says i should ask - my back is sore and ive been loosing weight without trying, about a stone",
    "Is acupuncture okay if you've had cancer? I finished treatment for breast cancer in 2021.",
    "my back hurts and i feel hot and sweaty and shaky, is that normal",
    "my leg keeps going from under me when i walk to the shops",
    "I can't wee properly, it's like the flow won't start, and my back's been agony",
    "been off work with my back, now my feet have gone numb on both sides",
    "i have numbess down there",
    "cnt feel my bum",
    "I cant feel my bum properly when sitting on the loo",
    "back pain, and i keep dribbling urine",
    "urine leaking, back pain",
    "i think i'm incontinent now",
    "numbness in my leg has got much worse since last week",
    "my leg has got really weak over the last few days",
    "weakness in my right leg that's getting worse",
    "my foot flops when i walk",
    "im walking with a limp and my foot drags",
    "i keep losing my balance and my legs feel numb",
    "i've been falling over a lot",
    "fell over at the weekend and landed on my coccyx",
    "i slipped down the stairs and hurt my back",
    "i was thrown from my horse",
    "i was in a car crash 2 days ago, whiplash and lower back pain",
    "took a hard knock to my lower back playing hockey",
    "i got hit by a car",
    "a shelf fell on my back",
    "i had a bad fall off my bike",
    "I have a high temp and my back aches",
    "ive got a temprature and back pain",
    "i feel shivery and my kidneys hurt",
    "i feel sick and feverish and my back hurts",
    "i just feel really unwell with it",
    "im not feeling well at all and my back hurts",
    "my back hurts and ive lost my appetite and lost weight",
    "i am losing weight for no reason",
    "i have lost a lot of weight recently",
    "ive shed a lot of weight without meaning to",
    "had a melanoma removed",
    "i'm in remission from breast cancer, can i have acupuncture",
    "breast cancer survivor wondering about acupuncture for back pain",
    "I had chemo for lymphoma in 2018",
    "I have got cancer",
    "i have a lump on my lower back",
    "there's a swelling on my spine that wasn't there before",
    "something is poking out of my spine",
    "my back looks deformed",
    "i've noticed a hump on my back",
    "tight pain in my chest and between my shoulder blades",
    "my chest hurts and my back hurts",
    "pain across my chest and back",
    "my chest feels heavy and my back aches",
    "i have back pain and chest pain",
    "cheast pain and back pain",
    "the pain never goes away even at night",
    "constant pain all day and all night",
    "i cant lie down because the pain is so bad",
    "the pain is unbearable at night and resting doesnt help at all",
    "it's worse at night, I can't find any position that helps",
    "nothing relieves it and it's worst at night",
    "this pain is relentless and keeps me up at night",
    "my back pain is constant and lying down doesnt help",
    "my undercarriage is numb",
    "numb around my anus since yesterday",
    "my bits feel numb",
    "loss of sensation in my perineum",
    "my vagina feels numb",
    "the skin around my bottom feels numb",
    "tingly bum and lower back pain",
    "i cant tell when i need the toilet anymore",
    "i didn't realise i'd wet myself",
    "i've been leaking a bit when i cough since my back went",
    "i keep needing to pee but nothing comes",
    "i have no urge to pee",
    "my leg wont do what i tell it",
    "my foot feels like it's asleep and it's getting worse",
    "i cant feel my legs",
    "i cant feel my feet",
    "i've lost strength in my right leg",
    "no strength in my legs",
    "my legs are going numb",
    "got t boned at a junction",
    "my car was written off and my back hurts",
    "fell 10 feet from scaffolding",
    "fell off scaffolding at work",
    "struck by a car while crossing",
    "motorbike crash last month",
    "my temperature is high and my back hurts",
    "i've got a temperature",
    "temp 38 and back ache",
    "sweating and shaking with back pain",
    "i feel clammy and unwell",
    "chills and back pain",
    "i've lost my appetite and a lot of weight",
    "weight has fallen off me",
    "i've gone down two dress sizes without dieting",
    "i've got secondaries in my bones",
    "bone mets",
    "i had a lumpectomy last year",
    "there's a lump at the bottom of my back",
    "a big bump on my back",
    "my spine sticks out more than it used to",
    "a swollen bit on my lower back",
    "pain radiating to my chest",
    "the pain wraps round to my chest",
    "my chest hurts when i breathe and my back aches",
    "pain wakes me up every night and nothing eases it",
    "lying flat is impossible it hurts so much, constant",
    "pain is there 24/7 and worse at night",
    "it never eases off, day or night",
    "i'm up all night with it, nothing helps",
    "the pain is so bad at night i can't lie down",
    "I had lymphoma, now all clear, can acupuncture help my back",
    "I'm struggling to pass urine",
    "I've been unable to control my bladder",
    "my legs feel like they're going to collapse",
    "I have a bulge on my spine",
    "severe pain that doesn't go away even when I lie down",
    "pain at night that won't go away",
    "CANT FEEL MY BUM!!!",
    "numb bum \ud83d\ude1f",
    "wet myself twice today \ud83d\ude33 back is bad",
    "Hi,my back has been sore for a week.Now i cant pee.Can you help?",
    "hi there i hope you are well i have been having a lot of trouble with my lower back for the past couple of months and i was wondering whether acupuncture could help me as my friend said it worked for her but i should mention i fell off my bike last week and landed on my back quite hard and since then it has been much worse so any advice would be great thanks",
    "Quick q - had an RTA on Fri, back is killing me. Is acupuncture ok?",
    "temp 39.5 and back pain what do i do",
    "hv lost loads of weight n dnt know why, back aches",
    "ive got breast cancer and back pain",
    "prostrate cancer survivor with back ache",
    "my legs r going numb n its getting worse",
    "legs keep givin way",
    "cant walk properly since sunday",
    "cnt pee properly",
    "bowels gone funny and cant control them",
    "i've got a lump on my back that's growing",
    "chest pains + back pain",
    "my back pain is constant and i cant sleep at night",
    "I feel awful, shivering and my back is killing me",
    "my left leg is getting weeker",
    "I cannot feel my genitals",
    "i have lost the feeling around my back passage",
    "pains in chest",
    "I've been incontinent of urine since yesterday",
    "I fell off a horse",
    "lots of pins and needles in both my legs",
    "numbness in both my legs",
    "I have bowel incontinence",
    "my bladder feels full but i cant go",
]


@pytest.mark.parametrize("message", MORE_URGENT)
def test_more_everyday_red_flags_fire(message: str) -> None:
    assert TRIAGE.check(message) is not None, message


# More messages that mention no red flag, or one that is negated, explained or someone else's.
MORE_ORDINARY = [
    "no numbness or weakness, just a stiff back",
    "i don't have any numbness or problems with my bladder",
    "no tingling, no weakness, no bladder issues",
    "no pins and needles in my legs",
    "my bladder and bowels are normal",
    "bowel and bladder fine",
    "no problems peeing",
    "i havent lost any weight",
    "i haven't had any accidents or falls",
    "no temperature",
    "no fever or chills",
    "i've not been unwell",
    "i dont feel ill just sore",
    "no cancer history",
    "nobody in my family has had cancer",
    "my grandad had prostate cancer",
    "my sister is going through chemo and i need to relax",
    "my wife's cancer treatment has been stressful",
    "my friend recommended you, she had cancer",
    "i lost weight on slimming world",
    "ive been dieting and lost a stone",
    "lost weight with the gym",
    "i want to lose weight, can acupuncture help?",
    "lost a few pounds since starting to walk more",
    "my chest is fine, its just my back",
    "no chest pain, just lower back",
    "i sit at a desk all day and my back aches",
    "pain is worse in the morning and eases as i move",
    "pain at night sometimes but it eases when i move",
    "does acupuncture hurt",
    "what happens at the first appointment",
    "can i bring my husband",
    "my back goes into spasm sometimes",
    "i've got a trapped nerve in my back",
    "my lower back and hip ache",
    "i have sciatica in my left leg, it comes and goes",
    "sciatica for years, same as always",
    "pins and needles in my foot now and then, nothing new",
    "my leg aches after walking a lot",
    "i'm 8 months pregnant with back pain",
    "i have a slipped disc, is acupuncture ok",
    "can acupuncture help my arthritis",
    "do you treat neck pain too",
    "how long does each session last",
    "are the needles clean",
    "i'm scared of needles",
    "what is cupping",
    "can i claim on insurance",
    "is there parking",
    "my back went when i sneezed",
    "i pulled a muscle in my back at the gym",
    "my back is stiff after a long drive",
    "it's a dull ache across my lower back",
    "i get back pain on my period",
    "my back hurts when i stand up from sitting",
    "woke up with a crick in my back",
    "hurt my back playing golf",
    "i strained my back lifting shopping",
    "bent over to pick up a sock and my back went",
    "my posture is bad",
    "i slept funny and now my back hurts",
    "i've had backache for years",
    "can acupuncture help with stress",
    "is acupuncture safe during pregnancy",
    "what qualifications does rick have",
    "how do i book",
    "thank you",
    "hi",
    "are you a real person",
    "can you help with weight loss",
    "my muscles feel tight",
    "tight hamstrings and lower back pain",
    "my back is killing me after a long day at work",
    "the pain shoots down my leg when i cough",
    "i'm on painkillers but they don't help much",
    "the doctor said it's just muscular",
    "my mum is worried about my back",
    "back pain when i run",
    "i've got a knot under my shoulder blade",
    "pain between my shoulder blades",
    "i can't bend down to tie my shoes",
    "it hurts to sit for long",
    "i'm a bit nervous about the first session",
    "will it make my back worse before better",
    "the pain wakes me sometimes when i roll over",
    "my back is sore when i lie on it",
    "i feel better after a hot bath",
    "heat helps, cold doesn't",
    "can i use a heat pack at night",
    "my back clicks",
    "i have scoliosis and wondered if you can help",
    "i'm not an emergency, just want advice",
    "it's not urgent, but my back has been sore for a fortnight",
    "fell pregnant last year and my back has been bad since",
    "cancelled my last appointment, can i rebook",
    "i have a number of questions",
    "sorry my spelling is bad, can acupuncture help my back",
    "i trapped a nerve in my back",
    "i'm a nurse and on my feet all day, my back hurts",
    "i have fibromyalgia",
    "i'm diabetic, is that ok",
    "i take blood thinners, is acupuncture safe",
    "i had covid last year and my back has ached since",
    "is it ok if i've got a cold",
    "i've got hay fever at the moment",
    "i've been feeling down because of the back pain",
    "the pain is constant but manageable",
    "the ache is always there but not bad at night",
    "i feel fine otherwise",
    "i'm generally healthy apart from my back",
    "i walk my dog every day despite the pain",
    "walking helps my back",
    "i swim to help my back",
    "the pain radiates to my hip",
    "Hello, I was hoping to book in for my back. Ive had it on and off for years. Do you have evening slots?",
    "i dont have numbness down there or anything like that, just a sore back",
    "no problems with my waterworks",
    "not had any numbness at all",
    "nope no numbness",
    "no leg weakness",
    "my legs are fine, its just my back",
    "no change in my bladder",
    "bladder is fine",
    "bowels are fine",
    "no incontinence",
    "no fevers or sweats",
    "i'm otherwise well",
    "i'm fit and healthy otherwise",
    "no weight loss",
    "haven't lost weight",
    "i've put on weight actually",
    "i've gained weight since the pain started",
    "my cousin had cancer",
    "my aunt died of breast cancer",
    "my neighbour has cancer and swears by acupuncture",
    "does acupuncture help cancer patients?",
    "is acupuncture used alongside cancer treatment",
    "no history of falls or accidents",
    "i didn't fall or anything, it just started hurting",
    "i didn't injure it",
    "there was no accident",
    "it came on gradually",
    "i dont have chest pain",
    "no lumps",
    "no swelling",
    "no night pain",
    "it's not worse at night",
    "it eases when i lie down",
    "lying down helps",
    "resting helps a lot",
    "it gets better with rest",
    "the pain is worse when i'm sitting",
    "the pain is constant during the day but i sleep ok",
    "i have constant stiffness in the mornings",
    "i walk with a slight limp because of the pain",
    "it hurts when i walk a lot",
    "i find it hard to get out of bed in the morning",
    "i cant bend over",
    "i cant sit for long",
    "i cant stand for long periods",
    "i cant lift my kids without pain",
    "i cant sleep on my front",
    "i cant get comfortable in the car",
    "i cant touch my toes",
    "i cant turn over in bed without pain",
    "my legs ache after standing all day",
    "my back aches when i walk the dog",
    "i'm a runner and my back hurts after long runs",
    "i play rugby and my back is tight",
    "i do crossfit and hurt my back deadlifting",
    "i was gardening all weekend and now my back hurts",
    "i carried a heavy box and my back went",
    "moved house and my back is wrecked",
    "i've got pins and needles in my hand",
    "my fingers tingle sometimes",
    "my neck is stiff",
    "my shoulder hurts",
    "can acupuncture help with headaches",
    "can acupuncture help with anxiety",
    "can you help with IBS",
    "can acupuncture help with insomnia",
    "do you treat children",
    "what should i wear to my appointment",
    "how much is the first consultation",
    "do you have availability on saturday",
    "how do i cancel",
    "thanks so much, that's really helpful",
    "bye",
    "who are you",
    "is this a chatbot",
    "can i speak to rick",
    "ive had the odd twinge",
    "does acupuncture cause bruising",
    "will the needles leave marks",
    "i had a massage last week",
    "my physio said to try acupuncture",
    "the doctor said it's sciatica",
    "my mri showed a bulging disc",
    "is acupuncture evidence based",
    "what does the british acupuncture council do",
    "can it help my posture",
    "what's the difference between acupuncture and dry needling",
    "i get a dull ache in my lower back most days",
    "my lower back feels tight and tired",
    "sitting makes it worse, walking makes it better",
    "i'm 70, am i too old for acupuncture",
    "my back pain started after having my baby",
    "i'm breastfeeding, is acupuncture ok",
    "i'm on blood pressure tablets",
    "does acupuncture help sciatica that's been going on for months",
    "i have had sciatica down my right leg since christmas, it hasn't changed",
    "the tingling in my foot comes and goes, not getting worse",
    "i used to have pins and needles but they've gone",
    "my legs feel tired after work",
    "my knees click",
    "my doctor ruled out cauda equina",
    "cauda equina was ruled out at a&e",
    "the numbness went away last year",
    "i'm not incontinent or anything",
    "had a cancer scare but it was benign",
    "i'm falling behind at work because of my back",
    "my back fell apart after my 40th",
    "I can walk fine, it's just sore",
    "i walk 10k steps a day",
    "walking is the only thing that helps",
    "i get pins and needles in my feet at night sometimes",
    "my GP checked for red flags and said it's mechanical back pain",
    "no red flags according to my gp",
    "i fell asleep in a chair and my back is stiff",
    "i feel weak with tiredness",
    "tight lower back after a long run",
    "can you put needles in my legs",
    "will i feel the needles in my legs",
    "how deep do the needles go in my back",
    "is moxa hot",
    "do the cups leave marks on my back",
    "my chest is fine",
    "my dog had a tumour removed last year and its been stressful",
    "i'm a cancer nurse and my back kills me after shifts",
    "i lift patients all day",
    "i'm a builder and my back aches",
    "i sit all day at a computer and my back hurts",
    "lost my job and the stress is making my back worse",
    "i lost my keys and my patience with this back pain",
    "i've been dropping things lately because i'm tired",
    "does acupuncture help with shingles",
    "can acupuncture help with hot flushes",
    "i have a bad back and bad knees",
    "do you take card payments",
    "my mri shows a bulging disc in my lower back",
    "is it a problem if i need to pee during the session",
    "can acupuncture help if I've had surgery on my spine",
    "does acupuncture reduce swelling and bruising",
    "It's agony, I can barely move",
    "CAN ACUPUNCTURE HELP MY BACK???",
    "back pain \ud83d\ude1f help",
    "Hi,my back has been sore for a week.Can you help?",
    "hi there i hope you are well i have been having a lot of trouble with my lower back for the past couple of months and i was wondering whether acupuncture could help me as my friend said it worked for her, no numbness or anything, just a constant ache, how many sessions would i need thanks",
    "Quick q - is acupuncture ok for lower back pain?",
    "n e 1 there?",
    "how many sesh do i need",
    "wot is moxa",
    "u do cupping?",
    "can i book 4 tuesday",
    "is rick qualified",
    "lol my back is a mess",
    "back is in bits",
    "my back is in bits after the weekend",
    "my back feels like it's been hit by a truck",
    "i feel like an old woman with this back",
    "my back is broken lol",
    "i'm dying here with this back pain lol",
    "this back pain is killing me",
    "my back is on fire",
]


@pytest.mark.parametrize("message", MORE_ORDINARY)
def test_more_ordinary_messages_do_not_fire(message: str) -> None:
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
        "no pain cant walk",
        "no stiffness just cant walk properly",
    ],
)
def test_a_negation_only_reaches_the_symptom_right_after_it(message: str) -> None:
    assert TRIAGE.check(message) is not None, message


def test_negation_covers_a_whole_or_list_but_not_a_new_statement() -> None:
    assert TRIAGE.check("no numbness, tingling or weakness in both legs") is None
    assert TRIAGE.check("no numbness and tingling in both legs") is not None  # safety first


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
    concepts = {name: " ".join(words.split()) for name, words in data["concepts"].items()}
    for flag in data["flags"]:
        for pattern in [*flag["when"], *(flag.get("unless") or [])]:
            compile_pattern(expand_concepts(pattern, concepts))
        assert flag["name"].strip()
    forward = [
        g for g in data["context"] if g["axis"] == "negation" and g["direction"] == "forward"
    ]
    words = {w.strip() for g in forward for t in g["triggers"] for w in t.split("|")}
    assert {"no", "not", "without", "never"} <= words


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


def test_never_until_now_is_not_a_negation() -> None:
    assert TRIAGE.check("never had bladder problems until now") is not None
    assert TRIAGE.check("never had bladder problems") is None


def test_an_old_fall_with_a_date_does_not_fire() -> None:
    assert TRIAGE.check("i had a fall in 2010 but this is a new problem, just a stiff back") is None


@pytest.mark.parametrize(
    "text",
    [
        "no numbness " * 8_000,
        "no numbness or tingling or " * 4_000,
        "bladder control fine " * 5_000,
        "i had " * 16_000,
        "lost ... stone " * 6_000,
    ],
)
def test_pathological_repetition_is_handled(text: str) -> None:
    result = TRIAGE.check(text)
    assert result is None or isinstance(result, RedFlagHit)


# -- someone else's symptoms, and pain that nothing eases (added with the holdout review) --------

_TRIAGE_FOR_OTHERS = None


def _shipped_triage():
    global _TRIAGE_FOR_OTHERS
    if _TRIAGE_FOR_OTHERS is None:
        _TRIAGE_FOR_OTHERS = Triage.from_knowledge(load_knowledge(DEFAULT_KNOWLEDGE_DIR))
    return _TRIAGE_FOR_OTHERS


@pytest.mark.parametrize(
    "text",
    [
        "my brother walks with a stick since his stroke and struggles to walk, but this question is for me: how often are sessions?",
        "my wife has chest pains being looked at by her GP (she's fine), i just have a stiff back - do you do cupping?",
        "My dad can hardly walk these days but I'm asking for myself, my lower back aches after work",
    ],
)
def test_a_relatives_symptoms_do_not_alarm_when_the_writer_says_it_is_about_them(text: str) -> None:
    assert _shipped_triage().check(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "my son fell off a ladder onto his back, can you help him?",
        "my wife says I wet myself in my sleep last night",
        "my mum noticed my leg is getting weaker every day",
        "my husband has chest pain and back pain right now",
    ],
)
def test_a_relatives_emergency_or_the_writers_own_still_alarms(text: str) -> None:
    assert _shipped_triage().check(text) is not None


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("the pain is there all the time and nothing eases it, not even resting", True),
        ("cant sleep, nothing helps it at all, it never lets up", True),
        ("it aches all the time when i sit at my desk, will acupuncture help", False),
        ("nothing eases my stiff back in the morning until i get moving", False),
    ],
)
def test_pain_that_nothing_eases(text: str, urgent: bool) -> None:
    assert (_shipped_triage().check(text) is not None) is urgent
