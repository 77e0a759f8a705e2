"""The kinds of triage miss blind round B found, each in new sentences written for these tests
(none is a blind-B line): both directions, so a fix that only learns one line fails here.
"""

from __future__ import annotations

import pytest

from tests.core.triage.shipped import reasons, urgent

# -- a blow to the back in sport, told by how the hit happened -----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "got a knee in my lower back playing football last night, still really sore",
        "someones elbow caught me right in the spine at basketball, which points help?",
        "took a boot to the lower back in a ruck on sunday and its killing me",
        "caught a shoulder in the back at hockey training yesterday, now it throbs",
        "i was kicked in the spine during judo, can acupuncture help with the bruising",
        "a cricket ball hit me in the back at nets, can you treat that?",
        "a horse kicked me in the back on friday and it hurts to bend",
        "my back got whacked by a hockey stick on tuesday, how soon can i come in",
        "his knee came down on my spine in wrestling practice, sore ever since",
        "copped a helmet to the small of my back at american football",
        "Dear sir, during a rugby match my son received a knee to his spine. May he attend?",
        "playing 5 a side n some guy kneed me in the back, hurts loads",
        "got my back stamped on in a ruck",
        "took an elbow to the back in a basketball game",
        "Last Sunday my grandson was struck in the back by a hurley at a hurling match. Can"
        " you treat him?",
    ],
)
def test_a_blow_to_the_back_in_sport_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "i play rugby twice a week and my back gets stiff after training",
        "my knee and my back both ache after football, can acupuncture help?",
        "i kneel a lot on the allotment and my lower back aches",
        "does it help back pain from playing too much golf?",
        "i kick box for fitness and my back is tight the next day",
        "sitting on the bench all match gave me a sore back lol",
        "the ball boy job at the tennis club leaves my back aching",
        "my back is stiff from carrying the kids kit bags to hockey",
        "i caught a cold after the match and now have a pain in my back",
        "i hit the gym after football and felt a twinge in my back",
        "when i kick at football i feel a twinge in my back",
        "my knee hurts and there is a knot in my back after football",
    ],
)
def test_sport_without_a_blow_is_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- a relative's cancer history when the question is about that relative -----------------


@pytest.mark.parametrize(
    "text",
    [
        "my dad had prostate cancer a few years ago and now his back aches all the time,"
        " could acupuncture help him",
        "my wife is in remission from breast cancer and her back has been hurting, is it safe"
        " for her to have needles",
        "mum finished chemo last spring, her lower back is bad now. can she book in",
        "my husband had a tumour removed in 2019 and has back pain, would you treat him?",
        "My mother, aged 79, had cancer of the bowel. She now has back pain. Is acupuncture"
        " suitable for her?",
        "my sister has had lymphoma and her spine is sore at night, is acupuncture ok for her",
        "grandad had cancer and now he cant get comfy with his back, can u help him",
        "my partner had melanoma last year, now back pain - is it safe for them?",
        "Mum (82) had a mastectomy some years ago; she now complains of back ache at night."
        " Could your clinic help her?",
        "my brother beat leukaemia as a kid, now 30 with bad back pain, can he come in?",
    ],
)
def test_a_relatives_cancer_history_is_urgent_when_the_question_is_about_them(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my mum had breast cancer and now she has back pain that will not go away, is"
        " acupuncture safe",
        "my husband had a tumour removed and his back has been agony lately. what do you suggest",
        "dad had leukaemia. his spine hurts.",
        "my aunty was treated for lymphoma in 2020 and her lower back is bad now",
    ],
)
def test_a_relatives_history_is_urgent_when_the_message_tells_of_their_back(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my mum had cancer, im asking for myself: there is a lump on my spine",
        "my dad had cancer years ago; i have had cancer too and my back hurts at night",
    ],
)
def test_the_writers_own_red_flag_stays_urgent_beside_a_relatives_history(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "my aunt had breast cancer years ago, i just have a stiff lower back from work."
        " how many sessions would i need?",
        "my mum had cancer in the past but im asking about my own back, is it safe for me?",
        "my friend had chemo and swears by acupuncture, can it help my sciatica?",
        "my mum had cancer, she is fine now. does acupuncture hurt?",
    ],
)
def test_a_relatives_history_is_not_urgent_when_the_writer_asks_about_themselves(
    text: str,
) -> None:
    assert not urgent(text), reasons(text)


# -- a list of negations at the start -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "no fever, no weight loss, not feeling ill, just stiff from decorating. does it hurt?",
        "not unwell, no temperature, no numbness, only an achy back. how long is a session?",
        "No night pain, no fever, no bladder issues - just a sore back from the gym",
        "nothing like a fever, not losing weight, not feeling poorly, just tight muscles",
        "I have not experienced any fever, weight loss or numbness. Only the ache.",
        "numbness? incontinence? fever? nope nope nope",
        "i havent lost weight, i havent had a fever, i just ache",
        "not feeling unwell at all, no weight loss, its just my back after moving furniture",
        "no temp no numbness no trouble peeing just sore. can i book?",
        "I have no fever, I am not unwell, and I have lost no weight. My back is stiff.",
        "no fevers, no chills, not feeling sick, just pulled something lifting boxes",
    ],
)
def test_a_list_of_negations_at_the_start_sets_every_flag_aside(text: str) -> None:
    assert not urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "no fever but ive lost control of my bladder",
        "no fever, no weight loss, but i feel really unwell and shivery",
        "not feverish, yet i cant feel my bum when i wipe",
        "no temperature. i wet myself this morning",
        "not unwell as such, but i have been wetting myself since tuesday",
        "no numbness, no fever, just sore, oh and i had a bad fall down the stairs yesterday",
        "no weight loss but night sweats every night",
        "no fever however my legs keep giving way",
        "no fever, weight loss or tingling but i cant pee",
        "no numbness, cant pee",  # a new statement after a comma, not a list item
        "numbness in the groin? yes. fever? no",
        "can i come in with a fever? no?",  # a question tag, not an answer
    ],
)
def test_a_red_flag_after_the_negation_list_stays_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


# -- red flags named only to be ruled out, the rule-out after the list ---------------------


@pytest.mark.parametrize(
    "text",
    [
        "the physio gave me a list of red flags - numbness in the groin, bladder problems - and"
        " luckily i have none of those. how does cupping work?",
        "I looked up the warning signs: fever, weight loss, wetting yourself. I have none of"
        " them, thank goodness.",
        "numb bum, trouble peeing, legs giving way... none of those apply to me, just stiff",
        "fever, weight loss, night sweats? thankfully not, just a sore back",
        "bladder trouble, numbness between the legs - neither of those, happily. what is moxa?",
        "my gp asked about fever and bowel problems and i have none of them",
        "saddle numbness and incontinence are the ones to watch, and i dont have any of those",
        "loss of bladder control, numb groin: i have neither, its muscular",
        "fever, unexplained weight loss, bladder problems - none of these, thankfully. Is"
        " cupping painful?",
        "the leaflet lists incontinence and a numb bottom as red flags; I have neither.",
    ],
)
def test_red_flags_ruled_out_after_the_list_are_set_aside(text: str) -> None:
    assert not urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "i read the warning signs - bladder trouble, numb bum - and i have the numb bum one",
        "fever, weight loss, night sweats: i have all of those",
        "numbness in my groin and bladder trouble, none of the painkillers help",
        "i have none of the usual aches but i cant feel my bum on the toilet",
        "warning signs like fever - yes i have a fever right now",
        "the list said incontinence and numb groin and sadly i have both",
        "bladder trouble since monday, none of them at the GP could say why",
        "i wet myself twice this week, thankfully not in public",
        "i wet myself. none of these pads work",
        "bladder trouble since monday. none of them at the GP could say why",
    ],
)
def test_a_red_flag_confirmed_after_a_list_stays_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


# -- past and resolved ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "i had a fever over christmas but its totally gone now, my back has ached since"
        " summer. how much is a session?",
        "had a high temperature with covid in march, since recovered. is acupuncture safe?",
        "I was feverish a fortnight ago but that has completely cleared up now",
        "there was a temperature with the flu last month but thats long since gone",
        "had the flu and a temp last week but it's all cleared up, back pain is separate",
        "i had night sweats with a virus in january but theyve completely stopped now",
        "was running a temperature on monday but it has fully gone, back is the issue",
        "had a bit of a temp last week - all gone now thankfully. can i still come in?",
        "I had a temperature in the summer with a chest infection, all better since.",
    ],
)
def test_a_red_flag_past_and_resolved_is_set_aside(text: str) -> None:
    assert not urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "had flu last week and still have a temperature",
        "the fever went away on monday but its come back worse today",
        "i had a fever last week, it has not gone, and my back is agony",
        "my temperature was gone but now its 39 again",
        "i had a temperature last week and i still feel really unwell",
        "the rash has gone now but i still have a high temperature",
        "fever cleared up but now i cant feel my legs",
        "a temperature since sunday that hasnt gone away",
        "i had a fall last week and im still not back to normal",  # a denied resolution
        "came off my bike on friday and im not all better",
        "fell off a ladder, im nowhere near better now",
    ],
)
def test_a_red_flag_still_present_stays_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "i wet myself last night. the pain is better now",  # the next sentence is about pain
        "i had a temperature last week. it has not gone",
        "i had a temperature last week but it has not gone away",  # a denied resolution
        "numb bum? no, but i cant feel my legs either",  # the answer rules out only the question
        "my legs keep giving way. none of the painkillers help",
        "i had cancer years ago. all clear now but my back hurts at night",  # history counts
    ],
)
def test_reading_back_from_the_next_sentence_stays_narrow(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "i cant feel my legs and the pain is better now",
        "i wet myself and the back ache has cleared up",
        "numbness in my groin, the stiffness is all gone now though",
        "fell off the roof, the bruising has all cleared up now",
        "high temperature since sunday, the headache is better now",
        "lost two stone without trying, my sleep is better now",
    ],
)
def test_a_resolution_said_of_something_else_leaves_the_red_flag_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    "text",
    [
        "I was a bit feverish last month with a cough, all better now",
        "my fever is better now, can i book for next week?",
        "had a temperature with a cold in october, all cleared up now",
    ],
)
def test_a_resolution_of_the_red_flag_itself_sets_it_aside(text: str) -> None:
    assert not urgent(text), reasons(text)
