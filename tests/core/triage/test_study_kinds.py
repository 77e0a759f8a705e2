"""The kinds of triage miss blind round D and the red-flag study set found, each in new
sentences written for these tests (none is a line of either set), in both directions: the red
flag in new everyday words is urgent, and the near miss beside it is not.
"""

from __future__ import annotations

import pytest

from bot.core.triage.patterns import tokenize
from tests.core.triage.shipped import reasons, shipped, urgent

# -- retention told by what happens: the need to go, and nothing comes -------------------------


@pytest.mark.parametrize(
    "text",
    [
        "i'm desperate to go but nothing comes, my back is killing me",
        "I sit there for ages and nothing happens, lower back agony since Tuesday",
        "bursting for a wee all morning and barely anything comes",
        "my urine isnt coming since yesterday and my back is bad",
        "since my back went i cant feel when i need a wee",
        "my bowels just let go on the bus, back has been awful",
    ],
)
def test_retention_and_loss_of_control_in_everyday_words_are_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "I need to go to work tomorrow, will the needles leave marks?",
        "i was desperate to go to the clinic but nothing was free, any slots next week?",
        "i peed myself laughing at your cat photo, anyway how long is a session",
    ],
)
def test_the_need_to_go_somewhere_is_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- saddle numbness told by how it feels and where one sits ----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "the skin where i sit feels weird since my back went",
        "my bottom feels like it is wrapped in a rubber glove, back sore",
        "when i sit on a chair it's like sitting on air, and my back is stiff",
        "between the legs is without feeling since yesterday",
    ],
)
def test_saddle_numbness_told_by_feel_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


# -- leg weakness told by what the feet and toes cannot do ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "my toes keep catching on the carpet since my back flared",
        "cant go up on my tiptoes on the left since the sciatica started",
        "I walk like a drunk since last week and my back aches",
        "had to start using a walking stick, my back and legs are bad",
        "i've gone wobbly on my feet this week, back still sore",
        "my calf has gone thin and weak since the disc went",
    ],
)
def test_leg_weakness_in_everyday_words_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my dog's back legs are wobbly, vet says arthritis. me, I just have a stiff back",
        "I walk my dog every day, will acupuncture help my stiff back?",
    ],
)
def test_legs_that_are_not_the_writers_are_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- a violent mechanism: kicked, knocked over, went down hard --------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "got kicked by a cow right in the small of my back at the farm",
        "got knocked over by a cyclist this morning and my back hurts",
        "took a spill off my scooter yesterday, back is sore",
        "went down hard on the ice and now my back is agony",
        "dropped from the climbing wall onto my back",
        "fell through the ceiling onto the floor below, back is killing me",
        "my grandad fell out of bed onto the floor and his back hurts, can he come?",
    ],
)
def test_a_violent_mechanism_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "had a little tumble in the garden, got straight up, back just stiff from digging",
        "this week has been a car crash at work and my back is tight from stress",
        "our plans fell through so I can come on Friday instead, is that ok?",
        "I fell out with my sister and my back is tense, can acupuncture help?",
    ],
)
def test_a_slight_fall_or_a_figure_of_speech_is_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- fever told by the thermometer, the sheets, hot and cold ----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "the thermometer says 39.1 and my back aches",
        "i keep soaking the sheets at night and my back hurts deep inside",
        "he is hot to the touch and his back is bad, can he come in?",
        "feeling sick and weak, hot and cold all day, back pain",
    ],
)
def test_fever_in_everyday_words_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


def test_generally_describing_how_one_feels_is_not_hypothetical() -> None:
    text = "i'm feverish and generally rough with this back"
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "should I use hot and cold packs on my back?",
        "I had to change the sheets after my toddler was sick and hurt my back",
    ],
)
def test_hot_and_cold_packs_and_sheets_are_not_fever(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- weight: belt notches, the scales, ribs, and the homophone "wait" -------------------------


@pytest.mark.parametrize(
    "text",
    [
        "my belt is two notches tighter on the buckle and i'm not dieting, back aches",
        "the scales say i'm five kilos lighter and i don't know why, back hurts",
        "the weight is dropping off me and my back is aching",
        "i keep losing wait without trying and my back hurts",
        "everyone says I look thin lately and my back keeps hurting",
    ],
)
def test_weight_loss_in_everyday_words_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "I can't wait to lose the back pain, when can I book?",
        "i lost weight on purpose with the gym and now my back is sore",
    ],
)
def test_waiting_and_chosen_weight_loss_are_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- night pain: constant, worse in bed, nothing eases it -------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "the pain is relentless and worse once I go to bed, no position helps",
        "it is the same whether i lie down or walk about, and worse in the night",
        "lying in bed is agony so I sit up in the chair all night",
        "unremitting pain, worst during the night, lying down gives no relief",
    ],
)
def test_night_pain_in_everyday_words_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my back is stiff when i get out of bed but eases once i move about",
        "I sleep badly on the new mattress, is that why my back aches in the morning?",
    ],
)
def test_morning_stiffness_is_not_night_pain(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- a change of shape: a step, bones poking out, a swollen back -------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "there's a step in my spine i can feel with my fingers",
        "the bones of my back look like they are sticking out more",
        "my mum's back is swollen on one side, she wants me to ask if you can see her",
    ],
)
def test_a_change_of_shape_in_everyday_words_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


def test_a_lump_a_doctor_called_harmless_is_not_urgent() -> None:
    text = "the lump on my back is a harmless fatty lump the GP said, who is the practitioner?"
    assert not urgent(text), reasons(text)


# -- ruled out, in general, read about, a bystander --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "nothing numb down there, legs fine. what is the Chinese view of back pain?",
        "had the chest pain looked at, heart is fine, it was reflux. do you do cupping?",
        "would you needle someone who has a fever? just asking for future reference",
        "what is saddle anaesthesia? heard it mentioned on the news",
        "I read about a man whose legs went numb from a disc, scary. how long is a session?",
        "My flatmate has a fever, I'm healthy apart from a sore back. how much is it?",
        "our receptionist has a curved spine, I was wondering about my own stiff neck",
        "do you check for bladder problems at the first appointment?",
    ],
)
def test_ruled_out_general_read_about_or_a_bystanders_is_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my sister has had breast cancer and now has back pain, she asked me to find out "
        "about sessions",
        "my dad cant feel his legs, he wants me to ask if you can help",
        "my legs are numb and getting worse. just wondering if acupuncture helps",
    ],
)
def test_the_person_who_asked_the_writer_to_write_and_asides_that_ask_are_urgent(
    text: str,
) -> None:
    assert urgent(text), reasons(text)


# -- patois spellings read as the patterns' words --------------------------------------------


def test_patois_is_read_as_the_patterns_words() -> None:
    assert (
        tokenize("mi cyaan hold mi water", shipped().respellings)[0]
        == "my cant hold my water".split()
    )


@pytest.mark.parametrize(
    "text",
    [
        "mi cyaan hold mi water since di back start hurt",
        "mi granda kyaan walk since yesterday, him can come fi di needles?",
    ],
)
def test_patois_red_flags_are_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


# -- a second probe of the same kinds, written after the study's fixes ------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I keep going to the loo and nothing happens, back pain",
        "I've not had a wee since this morning and my back is terrible",
        "I dont have any feeling when I go for a poo",
        "my heel wont lift off the floor",
        "tractor rolled over on the farm and I was under it, back sore",
        "my trousers keep sliding down, not dieting, back pain",
        "pain wakes me at night and no painkiller touches it",
        "my english not good. pain in back and i cannot hold the toilet, it come by itself",
        "doctor i have hot body and shaking and back pain, what to do",
        "what is saddle numbness? my bum has gone numb since Monday",
        "I should mention that I have lately had some difficulty in controlling my bladder.",
        "ya my back bad and also i dey lose weight, no appetite",
        "I no can feel my leg good, it is worse every day",
        "woke up in a pool of sweat again, back pain deep, should I come?",
        "my son took a nasty hit in the game and his back's sore, can he come?",
        "my back is sore and i pee when i cough now, never used to",
        "back pain bad and my stools are coming without me knowing",
        "since the weekend I can't really tell if I've been to the loo or not",
        "every time I stand up my legs fold under me",
        "my right leg won't go where I tell it",
        "a wave smashed me onto the sand and my back hurts",
        "car hit me at 30mph, walked away but back sore",
        "my temperature keeps spiking and my back aches",
        "I've dropped a jeans size without meaning to and my back hurts",
        "I weigh less than I did a month ago and I'm eating the same",
        "my pain is worse at night and paracetamol does nothing",
        "the pain doesn't stop even when I'm still in bed",
        "i feel like i need a wee all the time but when i go there's barely any",
        "My waterworks have packed in since I hurt my back",
        "my legs have turned to jelly since the weekend and my back's awful",
        "I'm freezing then boiling and my back aches",
        "night times are agony, nothing I try helps",
        "I keep having little leaks and I never used to, plus my back is killing me",
        "I have to hold the wall to walk since my back went",
        "my walking's gone to pieces and my back is bad",
        "I had breast cancer, all clear for three years, and now new back pain",
        "my left leg has gone dead and heavy since yesterday and the back is awful",
        "i cant get up the stairs anymore my legs wont do it",
        "the pain is so bad at night I have to sleep sitting up",
        "hiya, been bursting for the loo all day but it just won't go, back's in bits",
        "my wedding ring keeps slipping off and I haven't been dieting, back pain",
        "I've noticed my back has started to curve sideways",
    ],
)
def test_a_second_probe_of_the_kinds_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "do you treat people who've had a car accident?",
        "what is saddle numbness?",
        "whats cauda equina, my physio mentioned it",
        "I lose weight easily when I'm busy, back stiff",
        "I leak a bit when I sneeze since having kids, back stiff",
        "does acupuncture help you lose weight?",
        "had a fever on Monday, gone now and I feel fine, back sore from lifting",
        "I get pins and needles in my hands when I type, back stiff too",
        "the pain keeps me up sometimes but ibuprofen sorts it",
        "my jeans are loose because I bought the wrong size, lol, back stiff",
        "I was knocked over by the news of my promotion haha, back still stiff though",
        "my husband has MS and uses a walking stick; I have a sore lower back, can you help?",
        "I sit on the toilet scrolling my phone for ages and my back hurts after",
        "no position is comfortable at my desk, any tips for my lower back?",
        "the weather has been hot and cold this week and my back stiffens up",
        "I get a temperature every time I get a cold, is acupuncture good for immunity?",
        "I get night sweats from my medication, doctor knows, back stiff",
        "is incontinence a side effect of acupuncture?",
        "my legs are like jelly after my first spin class, back a bit sore",
        "I had a cancer scare last year, all clear, back pain from gardening",
        "my lower back is swollen with fluid from my period, normal for me, stiff back",
        "my back feels swollen and tight after the gym, is that normal?",
        "I'm bursting to ask, will the pain go? it wont go away",
        "I'm bursting with questions about acupuncture! how does it work?",
        "i sat there for ages in the waiting room at the GP, back was stiff after",
        "I need to go to the toilet a lot because I drink loads of water, my back is stiff",
        "i lost my wallet and waited ages at the bus stop, back stiff",
    ],
)
def test_a_second_probe_of_the_near_misses_is_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- round E: something heavy that came down on the back ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "dropped the kettlebell on my lower back at the gym this morning, sore as anything",
        "the barbell came down on my spine when my grip went, can i still come tomorrow?",
        "a sack of feed came crashing down on my back in the barn",
        "the bar slammed down across my back during a lift, how much is a session",
    ],
)
def test_something_heavy_that_came_down_on_the_back_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "I dropped the bar at the gym last year and was fine after, now just a stiff back",
        "when I lie down on my back the ache eases, how many sessions?",
    ],
)
def test_a_heavy_lift_long_ago_or_lying_down_on_the_back_is_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)
