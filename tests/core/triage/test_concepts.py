"""The concept layer of red_flags.yaml (`concepts:`, used in patterns as "@name"): a red flag
as an idea about a part of the body paired with an alarming change, so that a NEW pairing of
known words is caught without a pattern for each phrase; and the kinds the red-flag study
sets 2-4 found. Every sentence here is written for these tests (none is a line of any set),
in both directions: the red flag in a new combination of words is urgent, and the near miss
beside it (denied, resolved, general, someone else's, a figure of speech, a reason) is not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.loader import load_knowledge
from bot.core.triage.patterns import (
    PatternError,
    PhraseIndex,
    compile_pattern,
    expand_concepts,
    tokenize,
)
from tests.core.triage.shipped import reasons, shipped, urgent
from tests.core.triage.test_context_yaml import edit, problem, red_flags  # noqa: F401

# -- the mechanism ----------------------------------------------------------------------------


def test_a_concept_alone_stands_for_each_of_its_words() -> None:
    concepts = {"legs": "leg | feet", "weak": "weak | giving way"}
    assert expand_concepts("@legs + @weak", concepts) == "leg | feet + weak | giving way"


def test_a_concept_inside_a_phrase_is_every_combination() -> None:
    concepts = {"cant": "cant | unable to", "walk": "walk | climb the stairs"}
    assert expand_concepts("@cant walk | go @walk", concepts).split(" | ") == [
        "cant walk",
        "unable to walk",
        "go walk",
        "go climb the stairs",
    ]


def test_a_chain_of_concepts_is_kept_as_written_for_the_index_to_join() -> None:
    """ "@cant ... @walk" would be every pairing of the two families' words (thousands of
    phrases for the shipped ones): it stays a chain, matched piece by piece."""
    concepts = {"cant": "cant | unable to", "walk": "walk | climb the stairs"}
    assert expand_concepts("@cant ...  @walk | @walk ... fine", concepts) == (
        "@cant ... @walk | @walk ... fine"
    )


def _chain_index(pattern: str) -> tuple[PhraseIndex, frozenset[int]]:
    index = PhraseIndex(
        [("cant", "cant | unable to | struggl* to"), ("walk", "walk | climb the stairs")]
    )
    (part,) = index.add(expand_concepts(pattern, {"cant": "", "walk": ""}))
    index.freeze(no_gap=["but"])
    return index, part


def _found(index: PhraseIndex, text: str) -> list[str]:
    tokens, segments = tokenize(text)
    return [" ".join(tokens[s:e]) for s, e, _ in index.matches(tokens, segments)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("i cant walk", ["cant walk"]),
        ("unable to climb the stairs", ["unable to climb the stairs"]),
        ("struggling to really climb the stairs", ["struggling to really climb the stairs"]),
        ("i cant go for a walk", ["cant go for a walk"]),  # three words between: still near
        ("i cant go out for a walk", []),  # four: too far
        ("i cant, go walk", []),  # the gap's words stay in one comma piece
        ("i cant but walk", []),  # and step over no "but"
        ("i walk but cant", []),  # in order
        ("cant cant walk", ["cant cant walk", "cant walk"]),
    ],
)
def test_a_chain_is_found_piece_by_piece_within_a_gap(text: str, found: list[str]) -> None:
    index, part = _chain_index("@cant ... @walk")
    assert _found(index, text) == found
    tokens, segments = tokenize(text)
    assert all(pid in part for *_, pid in index.matches(tokens, segments))


def test_a_chain_reports_itself_and_not_its_pieces_unless_a_pattern_names_them() -> None:
    index = PhraseIndex([("walk", "walk | climb the stairs")])
    (chain,) = index.add(expand_concepts("@walk ... hurts", {"walk": ""}))
    (alone,) = index.add("climb the stairs")
    index.freeze()
    tokens, segments = tokenize("climb the stairs it hurts")
    pids = {pid for *_, pid in index.matches(tokens, segments)}
    assert pids == set(chain) | set(alone)


@pytest.mark.parametrize("pattern", ["my@legs", "foo_bar", "@legs@arms"])
def test_a_stray_at_sign_or_underscore_is_explained(pattern: str) -> None:
    with pytest.raises(PatternError, match="a concept is"):
        compile_pattern(pattern)


def test_a_concept_in_a_chain_needs_its_family() -> None:
    with pytest.raises(PatternError, match='no concept "@walk"'):
        PhraseIndex().add("@walk ... hurts")


def test_an_unknown_concept_is_named_with_the_known_ones() -> None:
    with pytest.raises(PatternError, match=r'no concept "@arms".*@legs'):
        expand_concepts("@arms + weak", {"legs": "leg"})


def test_a_pattern_without_concepts_is_left_as_written() -> None:
    assert expand_concepts("numb* + groin", {}) == "numb* + groin"


def test_the_shipped_flags_use_concepts() -> None:
    text = (Path(__file__).parents[3] / "knowledge" / "red_flags.yaml").read_text("utf-8")
    assert "\nconcepts:\n" in text and "@lost_feeling + @seat" in text
    assert load_knowledge(Path(__file__).parents[3] / "knowledge").red_flags


def test_a_word_added_to_a_family_reaches_every_pattern_that_uses_it(
    red_flags: Path,  # noqa: F811
) -> None:
    """The practitioner adds one word to the seat family: the flag knows it at once."""
    from bot.core.triage import Triage

    text = "my zorbleplace has gone numb since my back went"
    before = Triage.from_knowledge(load_knowledge(red_flags.parent))
    assert before.check(text) is None
    edit(red_flags, '  seat: "bum | bums |', '  seat: "zorbleplace | bum | bums |')
    after = Triage.from_knowledge(load_knowledge(red_flags.parent))
    assert after.check(text) is not None


def test_an_unknown_concept_in_a_flag_is_named_with_its_line(red_flags: Path) -> None:  # noqa: F811
    line = edit(red_flags, '      - "@lost_feeling + @seat"', '      - "@lost_feelings + @seat"')
    found = problem(red_flags, 'no concept "@lost_feelings"')
    assert found.line == line


def test_a_concept_with_a_plus_or_a_bad_name_is_named(red_flags: Path) -> None:  # noqa: F811
    edit(red_flags, '  seat: "bum | bums |', '  seat: "bum + bums |')
    assert "pair concepts" in problem(red_flags, "'seat' has a '+'").message


def test_a_concept_name_must_be_one_lower_case_name(red_flags: Path) -> None:  # noqa: F811
    edit(red_flags, '  seat: "bum | bums |', '  Seat Area: "bum | bums |')
    problem(red_flags, "'Seat Area' should be one lower-case name")


# -- a known idea about the body in a new pairing of words: urgent ----------------------------


@pytest.mark.parametrize(
    "text",
    [
        # the legs: weakness said before or after, loss of feeling that spreads, walking
        "my right calf has no strength in it since tuesday",
        "both my shins feel like cardboard and it's spreading up towards my knees",
        "the prickling in my heel is climbing higher every week",
        "I'm struggling to climb the stairs since my back went",
        "my legs won't carry me to the shop any more",
        "I've gone wobbly on my pins since the back went",
        # the seat
        "my bum hole has gone numb since the weekend",
        "the bit I sit on feels like cardboard, back agony",
        # the bladder and bowels
        "wee escapes before I know it since my back went",
        "I strain and strain on the loo and nothing much comes, back is awful",
        "haven't been able to pee since this morning and my back is agony",
        # fever and feeling unwell
        "I'm boiling hot and I've been sick twice, my back is agony",
        "shivering and dizzy with this back pain since last night",
        # a lump on the back
        "there's a swelling on my spine that keeps getting bigger",
        "a bump has popped up on my lower back and it's growing",
        # night pain
        "the pain never lets up and lying down gives no relief",
        "my back pain wakes me every night and nothing helps",
        # chest, and a blow
        "his chest hurts and it goes down his left arm",
        "got a proper kicking outside the club, my back took it",
        # round F: a back seen to change shape
        "my mum's spine has begun to look crooked this month, can needles help her",
        "his back seems hunched in a way it never was before",
        # round G: landed on the back in other words, someone fell on the writer, a fear
        # told in words that say it has begun
        "landed flat on my tailbone from a throw at wrestling, can you treat it",
        "the man I was hoisting collapsed on me at work and my back is agony",
        "I don't want my legs getting any weaker, they're worse every day",
        # round H: an animal's kick, "me" for "my", a doctor's words for a slow stream, the
        # weight in kilograms, control lost with "the", a letter written on someone's behalf
        "got a kick from the horse square in me lower back yesterday, still agony",
        "For the record, I have noted some urinary hesitancy these past days. Is it suitable?",
        "He lost about 8 kilograms without trying and his back aches, can he book?",
        "I lost the control of my bowels yesterday, back hurts a lot",
        "I am writing on behalf of my mother. She was treated for bowel cancer in 2019 and now "
        "has new back pain. What happens at the first appointment?",
        # round I: asked about as if it might happen, then said to have happened; an age
        # before a comma is no "years back"; the writer saying who they are; weight "gone
        # down"; an exception the sentence turns away from with "but"
        "the nurse said ring 111 if I got numbness between my legs - well it has started "
        "tonight. can I still come Thursday?",
        "Is acupuncture safe for someone who's had bowel cancer and now has back ache? That's me.",
        "Sir, my mother 75 years, back pain with fever two days. Acupuncture is good for her?",
        "nurse here, slipped on a wet ward floor and went down hard on my back, still hurting",
        "back hurting, my weight gone down a lot and I'm not dieting",
        "I tripped on the kerb, wasn't hurt at first but now my back is agony",
        # round J: fever in Hindi and Spanish, the back whacked on something
        "papa ko kal se bukhar hai aur kamar mein dard, acupuncture theek rahega?",
        "mi madre tiene fiebre y dolor de espalda, can she come?",
        "slipped on the boat and whacked my back on the railing, getting worse",
        # round K: a red flag's word in the patient's other language; a relative's history
        # in a message that never speaks of the writer
        "mal au dos et je ne peux plus controler ma vessie, I can't control it",
        "Dad had prostate cancer ten years ago and now has bad back pain; is acupuncture ok?",
        # round L: weight lost with no change made, whatever reason is guessed at; someone
        # else's fever while the writer has no idea what to do (no turn to their own back)
        "lost nearly a stone since summer without changing anything, I assumed it was work "
        "stress, and my back aches",
        "my husband has a fever and back pain, I have no idea what to do",
        # round N: clipped by a vehicle; a fear that goes on to say it has begun
        "my back's been agony since I got clipped by a van on my bike on Monday, will it help?",
        "I'm scared it's getting worse, I can't feel my legs properly",
        # round O: needing help to get about, legs that would not work
        "my mum had to be helped up to bed last night, her legs wouldn't work, can she come?",
        # round P: came off a height on site; crushed under something
        "came off the scaffolding on Monday, walked it off but my back is getting worse",
        "got crushed under a pallet at work, back is agony",
        # round Q: a back gone crooked, said with an apostrophe
        "my dad's back's gone crooked this month, there's a bend that wasn't there before",
        # round R: shunted in traffic; through a floor; blacked out and hit the floor
        "got shunted at a roundabout this morning and my back is screaming, can I come in?",
        "he fell through a rotten floor at work on Friday, back's black and blue",
        "FYI the pain started after I blacked out and hit the floor yesterday. Is moxa safe?",
        # round S: something falling hit the writer in the back
        "a scaffold pole fell and hit me right in the back at work, it's bad now",
        # round T: hit by a ball; weight lost without dieting, put down to stress; a
        # relative's history when the relative is the one asking, through the writer
        "my daughter took a hockey ball to the back at training and it's still really sore",
        "down about 6 kilos without dieting, which I put down to work stress, back aching",
        "My mother had breast cancer in 2018. She is asking whether acupuncture could help "
        "her back now.",
        # round U: the seat not felt under one, on a bike too
        "can't feel the car seat under me since this morning and my lower back is killing me",
        "it's like I'm sat on a numb patch when I ride, and my back is aching, can needles help?",
        # red-flag study set 5: the parts one sits on; passed without knowing; walking
        # harder, crutches, legs not as strong; a second-language "she lose 8 kg"; told of
        # someone else, then "I have exactly that"; constantly and waking him; a pain that
        # does not change whatever one does; worse along with the temperature
        "the parts I sit on have gone numb since yesterday and my back is killing me",
        "my gran says where she sits feels like sleeping, no feeling there, and her back is "
        "bad. can Rick see her?",
        "peed a little on the bus without knowing, lower back sore since the weekend",
        "it's getting harder to walk every day and my back is sore",
        "needs crutches now, a week ago he was fine, his back is terrible. can he come in?",
        "my legs are not as strong as they were a week ago and my back aches",
        "she lose 8 kg in two months, not dieting, and her back hurts. can you help her?",
        "my sister who's a midwife said numbness where you sit is bad. i have exactly that "
        "right now with my back, can i still book?",
        "his back pain is constantly there and wakes him through the night",
        "the ache doesn't change whatever I do and the nights are the worst",
        "her back got worse along with the temperature, should she come in?",
        "came off the horse and went down back first onto the fence",
        # red-flag study set 6: legs that won't hold him; formal and second-language words for
        # the seat and its numbness; a bony prominence, suddenly bent forward; spine first,
        # stacked it; a slow stream never finished; night pain in second-language English;
        # "bak"; what was read ends where the partner's report begins
        "my dad's legs won't hold him since the weekend and his back is bad, should he come in?",
        "I write to report a numbness in the region one sits upon since Tuesday, with lumbar pain.",
        "my wife says she not feel her bum, like it is wood, and her back hurts",
        "a hard bony prominence has come up on my spine this month",
        "grandad has suddenly become bent forward this week and his back hurts",
        "went down spine first off the skateboard rail, can acupuncture help?",
        "stacked it on the ice last night and my back is agony",
        "my pee comes very slow and I feel I dont finish, back pain since Monday",
        "pain never stop, I lie down still pain, cannot sleep",
        "my bak has a swolen lump on it now",
        "I've read that cupping helps with backs and my partner says there's a lump low on my "
        "back getting bigger",
        # a review of this session's exceptions: hedges, a doctor's opinion, hope of recovery,
        # an exertion, "I'm ok" and another's possessive beside an object hide nothing
        "I suppose I should mention I've wet myself a couple of times this week.",
        "I'd say if anything the numbness in my groin is getting worse.",
        "Let's say I've not been able to pee properly since the weekend and my back is agony.",
        "General question, I cant feel my bum when I wipe and my back hurts, can acupuncture help?",
        "Not sure if one of my legs is numb or what, it gave way on the stairs today",
        "don't know if a client spotted it, I wet myself at work today.",
        "Lost control of my bladder twice this week and the GP said muscular.",
        "I can't feel my bum when I wipe and my bloods were all normal.",
        "My legs keep giving way on the stairs, the GP says tests normal.",
        "I've had a fever of 39 for three days with my back pain, GP reckons it was a virus.",
        "Lost control of my bladder after falling on Monday, hoping for a full recovery with "
        "your help.",
        "I was completely better after physio in March, last night I lost control of my bladder.",
        "I've had a fever and shivers since my back went after lifting a box.",
        "Since moving house I've had a high temperature and night sweats with this back pain.",
        "My dad has lost control of his bladder and his back is agony. Im ok, just really worried.",
        "My husband told me just now he can't feel his legs and wet himself.",
        "Went numb sitting in her car, all around the saddle area, and my back is agony.",
        "I peed on his car seat without realising, my back has been bad all week",
        # round X: a second-language "cannot make pee normal"; clipped by a golf cart
        "since yesterday I cannot make pee normal and my back is very bad",
        "a golf cart clipped me in the lower back this morning, still sore, can you help?",
        # round V: the same lying down, nothing working, worse at night
        "the pain's the same lying down and worse at night, nothing is working, I'm up every "
        "night with it",
        # study set 7: the seat of the trousers; a weak stream, not emptying; caught across
        # the back by something coming down; got so thin without trying; a loss kept on
        # training and eating the same
        "Numb right across the seat of my jeans since yesterday, back very bad",
        "the stream is just a trickle now and I never feel empty, since my back went",
        "a shelf came down and caught me across my back at work, worse today",
        "my wife says I have got so thin, I have not been trying to, and the back aches",
        "dropped 4 kilos this month, same diet and same training, and my back hurts at night",
        # hazards beside the new exceptions: the writer's own dismissal, a cold said now, a
        # fright that is real, a healed bruise beside legs that still fail
        "bit feverish and shivery, nothing serious I'm sure, mainly my back, can I book?",
        "my son has a high fever and is shaking, he says it's only a cold, his back is agony",
        "the bruise healed fine but I still can't feel my legs properly",
        "crushing chest pain and my back, nearly had a heart attack last year too",
        # study set 8: barely feeling the paper; thighs like a dentist's injection; privates
        # "sleeping"; not knowing when one needs to go; not waking up to go; something
        # tipped onto the writer; thrown against a van; hot and nearly fainted; the big C;
        # kilos down; a new dent in the spine; pain that never stops, worst at 3am
        "I can barely feel the toilet paper when I wipe since my back went",
        "the insides of my thighs feel like a dentist's injection and my back is bad",
        "my dad says his privates are sleeping like pins since the back pain started",
        "since my back went I can't tell when I need a wee, it just happens",
        "she's not waking up to go any more and her back is bad",
        "a wardrobe tipped over onto me at work and my back is agony",
        "I got thrown against the side of the van when it braked, back hurts",
        "so hot and shivery I nearly fainted, and my back is killing me",
        "my mum had the big C ten years ago and now her back hurts, can you help her?",
        "8 kilos down since the summer without trying and my back aches",
        "there's a new dent in my spine you can feel, and it hurts",
        "my back pain never stops and it's worst around 3am",
        # hazards beside the new exceptions: nerves that are not the cause, weight lost with
        # no reason beside a money joke, a general opener followed by the writer's own signs
        "im so nervous my legs keep giving way since yesterday",
        "bank balance is empty and I've lost a stone, no idea why, back aches",
        "in general my legs have gone weak and numb since the fall",
        "no bump from the fall but a lump is growing on my spine",
        # round AA: weight lost said in the present tense; passing water in bed
        "my mother, she lose so much weight this year, no reason, and her back hurt",
        "my dad is peeing in bed for three nights now and his back is bad",
        # ... and the writer's job or a neighbour's accident beside the writer's own sign
        "In my job I see a lot of falls and yesterday I fell off a ladder and now cant feel my legs",
        "My neighbour had a car accident. I have no accident but my legs went numb today",
        # round Z: difficulty holding one's water, told in passing
        "by the way my mother has had trouble holding her water since her back went",
        # a fresh reviewer's hazards for this session's exceptions: each was set aside by an
        # exception as first written (now narrowed or dropped)
        "Can you see my dad today? He can't feel his legs and wet himself. Not for me, it's for "
        "my dad.",
        "my brother cant feel his legs since the accident, for knowledge, is it emergency or can "
        "he wait?",
        "Dad fell off the roof and can't move his legs, I did a first aid course, what should I "
        "do?",
        "Mum fell down the stairs, she can't move her legs. I only want the information about "
        "whether you can help.",
        "My son fell off the trampoline and can't feel his legs, no pain myself, can he come in?",
        "My father is in general very fit, he fell down the stairs last night and cannot feel "
        "his legs",
        "is it true back pain can stop urine, father cannot pass urine since 2 days",
        "which signs are serious, dad cannot control his bladder since his back went",
        "does back pain ever come with fever? I have 39 degrees and shaking",
        "My husband was thrown against the dashboard, his legs are numb and he cant pee. The "
        "ambulance checked me and said i was ok. What should we do?",
        "my wife can't feel her legs and wet herself, I'm just achy from carrying her",
        "Can't bear to sit, numb down below and wet the bed last night. My back is agony",
        "I've got a temperature of 39 and back pain, doctor said it was just a cold",
        "MRI clear 2 years ago, since yesterday I can't control my bladder",
        "Male, born in 1968, fell off a ladder at work, cant feel my feet, what to do?",
        "I thought I had totally recovered from my fall in May, then I wet myself on Sunday",
        "Just popping in to ask: since my back went I have lost control of my bladder",
        "my car hit the crash barrier last night and now my back is killing me",
        "chest pain through to my back, heart attack lol no seriously it is crushing",
        "my legs are shaky and keep giving way, I'm so nervous about it",
        "I have lost 2 stone without meaning to and my back gets worse every year",
        "mum has a fever of 40 with her back pain, in general is she ok to have acupuncture?",
        "My wife has lost control of her bladder and can't feel her legs - the appointment is "
        "not for me, it's for her",
        # round AB and study set 9: where one sits said as a place; feeling lost in part;
        # water that will not come, said as making it, in drops; holding it denied, or not
        # made in time; a third person who has not passed water; a new limp; a step seen in
        # the back; the chest going through to the back; rest that is no better; a machine
        # that went over with the writer in it; someone who did it to the writer; a fever
        # caught off the children; a diet denied
        "the area where we sit has gone numb since Sunday, should I still come?",
        "I've lost some feeling in my bottom and my back is bad, is Friday free?",
        "since morning I cannot make water, only a few drops, back very painful",
        "my father is unable to hold his water now, it just comes out, can he be seen?",
        "ran for the bus and have not made it to the toilet in time twice this week, sore back",
        "my son hasn't passed urine since yesterday and his back is bad, can he come in?",
        "my mum has started limping, a new limp, and her back has been bad, would needles help?",
        "my brother's back has a visible step in it now, can acupuncture fix that?",
        "tightness in my chest going through to my back since lunch, do you have a slot?",
        "every night the pain is strong, rest not better, can I book?",
        "the quad bike rolled with me on it on Saturday, now my back aches, do you do cupping?",
        "somebody reversed into my car in the car park and my back has hurt since, help?",
        "picked up a bug off the grandkids, running a fever and feel dreadful, back aching too",
        "I have lost 5 kilos and I am not on a diet, my back hurts, what is the price?",
        # round AC: blows told in everyday words; an animal that did it to the writer; a
        # relative who "has it" (the back asked about), with a history of cancer
        "the cob double barrelled me in the back at feeding time, how much is a session?",
        "got whacked across the back with a pool cue in the pub, can acupuncture help?",
        "took a brick to the back on the site this morning, do you have anything today?",
        "got knocked out in a scrap on Friday and my back has been awful since, help",
        "my pony rolled on me in the field yesterday and my back is agony, can I come in?",
        "Does acupuncture help back ache? My husband gets it, and he had bowel cancer in 2019.",
        # red-flag study set 10: soiling in the present and unfelt; numbness told by how far
        # it has reached; knocked off, in the present; ill, hot and shaky; weight that drops or
        # weighs less; a bone that sticks right out; a bunk no position eases; short sentences
        # that each say one part of the night; a blow from another player
        "since Tuesday I'm messing myself and I don't feel it happen, is acupuncture ok?",
        "tingling in my right foot, last week it was only the toes, now up to the knee",
        "a van knock me down on the crossing, now back pain, you can help?",
        "my son is really ill, shivering and hot, and his back is killing him. Can he come?",
        "My weight drop 6 kilo, I don't know why. Back hurting too. Price?",
        "I weigh 4 stone less than last year and my back aches constantly, is that normal?",
        "there's a bone in my lower back that sticks right out now, can needles fix it?",
        "The back pain never stops. It is worse at night. Lying down doesn't make it better.",
        "got a knee in the spine from another lad at rugby and heard a crack, still sore",
    ],
)
def test_a_new_pairing_of_known_words_is_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


# -- the same words, set aside by what is around them ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # denied
        "no tingling in my feet and no weakness, just a stiff back",
        "no feeling funny down below, just an ache across my lower back",
        # looking forward to walking
        "I can't wait to walk the dog again without this back pain",
        # resolved, even after "but"
        "my leg went weak last year after the op but that's long sorted",
        "I had a fever in March, fully recovered, now just a stiff back",
        # asked in general, or for a piece of work
        "does bladder trouble ever come from the back? just curious",
        "is numbness in the saddle area a sign of something serious? asking for an assignment",
        # someone else's, with the writer's own back named
        "my roommate moans about pain every night, but the question's about me, just stiff",
        # figures of speech and reasons
        "my back is in knots from stress at work",
        "I'm burning up with excitement about my first session!",
        "a hot water bottle makes me sweaty but helps my back",
        "I was hot and sweaty after the gym, back a bit tight",
        "nearly pissed myself laughing at the cat, anyway how much is a session",
        "my boss is a pain in the backside and I'm numb to it, my back aches from lifting",
        # round F: eased by lying down (so not the night-pain flag), denied before "having"
        "it's there all the time but it eases when I lie down, and I sleep fine",
        "I'm not having any trouble with my bladder or bowels, just a stiff back",
        # round G: denied at the very start, a fear of a side effect, a bystander's fever
        # before the writer's own complaint after a comma, landing after a flight
        "Not cancer, the consultant was sure - a muscle strain. How often would I come?",
        "will the needles numb anything? I don't want my legs going numb",
        "my flatmate is in hospital with a fever, me I just have a stiff back, does cupping help",
        "we landed back in Manchester last night and my back is stiff from the flight",
        # round H: a slow start that is not the bladder's, someone's old illness beside
        # the writer's own back
        "my bum is sore from the saddle and I have difficulty starting my ride, can it help",
        "my grandad had cancer long ago and passed; asking for my own stiff back, how often",
        # round I: a shift is not a shirt; a question about the signs, then a job
        "I'm stiff as a board after a shift on the tills, can acupuncture loosen me up",
        "what warning signs should I look out for? and I have a desk job, nothing else",
        # round J: a neighbour's emergency, the writer's nothing like it
        "my neighbour had cauda equina surgery last week. I've nothing like that, just a stiff "
        "back. how many sessions?",
        # round K: what a symptom can be, read about; a list answered "sadly none"
        "I read that back pain can be cancer, scary. Mine is from gardening, how often?",
        "Fever? No. Weight loss? Sadly none. Just stiff - how do I book?",
        # round L: not the writer's, said at once; ruled out by a scan; a relative's fever
        # and the writer's none; worn out, said so
        "paramedic here, attended a bad crash tonight (not me!), my own back is just stiff",
        "xray showed no fracture after my fall last week, will acupuncture ease the stiffness?",
        "my brothers kidney infection came with a fever, scary, but I've got no temp, just a "
        "stiff back. can it help?",
        "I feel like death today, just tired from the night feeds, back aches from lifting",
        # round M: a strain, swollen and bruised (the page's own words)
        "strained my lower back lifting, a bit of swelling and bruising, will it help?",
        # round N: a word that keeps coming to mind, a fear of what it is
        "the word cancer keeps going round my head, but the GP says it's a strained muscle",
        "I'm scared it's a tumour but my GP says muscle strain, can acupuncture help?",
        # round O: a ruling of soft tissue; what a sign means, asked in general
        "bumped the car in a car park in May, A&E said soft tissue, still stiff - can you help?",
        "what does it mean if back pain comes with a temperature? asking in general",
        # round P: a figure of speech; put right by the physio
        "smashed it at the gym, crushed it on deadlifts, back a bit tight, how does it work?",
        "the pins and needles in my legs were a trapped nerve, physio sorted it months ago",
        # round Q: a swollen, inflamed feeling; all recovered; a general question about cancer
        "can it help the swollen inflamed feeling in my lower back?",
        "had flu with a fever in January, all recovered now, back is stiff since",
        "can back pain sometimes be a sign of something serious like cancer?",
        # round R: weeding the garden; cleared by the cardiologist; cleared seasons ago
        "it hurts when I bend to weed the borders, will acupuncture ease it?",
        "the chest pain turned out to be indigestion, cardiologist happy; back still sore",
        "took a big hit in a match two seasons ago, club doctor cleared me, now just stiff",
        # round S: a list of denials read one comma piece at a time; stairs and a pushchair
        "no tingling, no bowel problems, walking fine, just stiff - how often would I come?",
        "do you have a ramp? I can't manage stairs with the pushchair",
        # round T: over it now
        "had a temperature with a cold a fortnight ago, totally over it now, just a stiff back",
        # round U: a deal falling through; read on the NHS site
        "every time a deal falls through my back tenses right up, can acupuncture help with that?",
        "Saw on the NHS app that back pain with a fever needs checking. Does acupuncture help "
        "with stiffness?",
        # red-flag study set 5: a friend of mine; all normal on the x-ray
        "A friend of mine lost a lot of weight and it was serious; mine's just a sore back from "
        "gardening. How much is it?",
        "the A&E doctor x-rayed me after I tripped at Christmas, all normal, my back is just "
        "stiff now. how many sessions?",
        # "back first" is how one fell only after a fall word
        "will you feel along my back first before the needles?",
        # red-flag study set 6: another's possessive inside the flag's words; figurative
        # blows; chest pain found muscular after all tests, an x-ray, a full recovery; seen on
        # TikTok; a case imagined for a first-aid sheet; a resident where I work; dead on my feet
        "A man on the ward I clean lost control of his bowels with back pain, awful. Mine's "
        "just a stiff back from the mop. How much is it?",
        "Our team got hammered at the weekend, a real blow to morale, and my lower back is tight "
        "from coaching. cupping?",
        "had chest pain with my back last month, all tests normal, doctor said muscular only. "
        "how many sessions?",
        "took a knock at rugby, the x ray showed nothing broken, just a bruised muscle. can "
        "needles help?",
        "In 2004 I was involved in a serious road accident from which I made a full recovery; "
        "now I have mild back ache. Benefits?",
        "is back pain with weight loss a bad sign? saw it on tiktok",
        "What should a coach do if a pupil hurts their back and can't feel their legs? For our "
        "first aid sheet.",
        "One of the residents where I work had a bad fall. I'm asking about myself, my back "
        "aches from lifting.",
        "My back is killing me after a long shift, I'm dead on my feet. Can acupuncture help?",
        # round X: a hotel guest's sign, and the writer's own back
        "One of the guests collapsed with chest pain at breakfast, awful. My own back is only "
        "stiff from lifting cases. How much is a session?",
        # round V: none of his symptoms
        "My dad had cauda equina and needed an operation. I don't have any of his symptoms, just "
        "an achy back. How many sessions?",
        # study set 7: a fright; a general question for a course or a leaflet; scans clear;
        # a cold that it was; recovered; a reason for weight lost; a crash mat, a drill
        "the bill gave me a heart attack haha, anyway how many sessions for a stiff back",
        "my knees turn to jelly at the thought of the needles, where do they go?",
        "does back pain ever come with a fever? writing a leaflet for our walking group",
        "what symptoms mean a back injury needs A&E, like numb legs? for a safety briefing",
        "came off my bike on Sunday, x-ray clear, just sore. how many sessions?",
        "had a fever in March with covid, completely recovered, back stiff from gardening",
        "lost half a stone over Ramadan like every year, back a bit achy, do you do cupping?",
        "practised vaults onto the crash mats all day, back a bit stiff now",
        # round Y: an illness with a fever that all cleared up
        "in the summer I was poorly with a temperature but that all cleared up, back stiff now",
        # study set 8: a pulled muscle with normal bloods; what the writer used to tell
        # others; in general; someone named by a role or an animal; winters ago; a money
        # joke; nerves; weight lost for a reason given
        "the chest pain turned out to be a pulled muscle, ECG and bloods normal. can needles help?",
        "As a PE teacher I used to tell the kids that numb legs with a bad back means A&E. still true?",
        "is back pain with a fever serious? generally asking, for my health class",
        "the pastor is off sick with a high temperature, my back aches from the extra cleaning",
        "the elephant at work has lost weight, the vets are worried. my back is just tight",
        "slipped on the ice three winters ago, time sorted it, just want a general session",
        "my bank balance lost more weight than me this year haha. is it cost effective?",
        "legs like jelly with nerves about the needles before my first session, what happens?",
        "lost 3 kilos since I stopped drinking, doctor is happy. back stiff, how many sessions?",
        # round AA: what the writer sees at work; someone else's accident and none of one's own
        "as a radiographer I see spinal fractures every week. my back is just stiff, help?",
        "my cousin had a bad back from a motorbike accident. I had no accident, only pain from "
        "lifting. can needles help?",
        # round Z: the fells are hills, not a fall
        "my back aches after a day on the fells, could needles help?",
        # a denial whose words another flag's exception also uses ("no bump" of a fall)
        "there is no bump on my back, just an ache low down",
        # round AB and study set 9: a year long past; resolved, said as "right as rain" or
        # "finish already"; someone named by their crew; asked in general or for knowledge;
        # a fall laughed off or never had; a baby's kick; a friend's heart attack and the
        # writer's own chest denied
        "I fell off a horse in 1984, been fine for years, do you do cupping?",
        "had a fever in the spring, right as rain since, how many sessions would I need?",
        "last year infection and fever, finish already. now small back pain, how much cost?",
        "one of the crew came off the gangway yesterday; my back is just tired, can I book?",
        "can you treat people who have had cancer? asking only for knowledge",
        "is a fever a bad sign with back pain? I don't have one myself",
        "skidded on the wet floor, stayed on my feet, my back aches from work, any slots?",
        "the baby kicked me in the back while I was changing him, where do the needles go?",
        "a pal had a heart attack last year; I've no chest pain, just my old back. Cost?",
        # round AC: a numb bottom gone on standing; a fall the writer was not hurt by; the
        # glasses of cupping, no glassing
        "sat on the cold bleachers and my bum went numb, fine as soon as I stood up. Cupping?",
        "tripped on the stairs at work but didn't hurt myself, my back aches from lifting anyway",
        "my aunt did cupping with glasses on my back as a child, do you do that kind?",
        "I only drink bottled water, is that ok before acupuncture for my back?",
        "our horse knocked over the water trough again, my back aches from mucking out, cost?",
        # red-flag study set 10: resolved after a comma and "but", or said plainly; someone
        # named by a role; the writer's own back said briefly; fright, a figure of speech; a
        # harmless fall or a bump sat down with
        "had a fever over Christmas, but that has gone now, my back is just stiff. Cost?",
        "I lost weight after my op, but that was two years ago. Can I book a session?",
        "our skipper has had cancer; me just sore from goalkeeping, any slots?",
        "my knees went to jelly at the thought of needles lol, where do they go?",
        "the mortgage has my chest tight, figuratively speaking, my back is stiff. Price?",
        "sat down with a bump on the ice rink, no harm done, back aches from work anyway",
        "slipped in the yard, totally fine, back no worse than usual, who is the acupuncturist?",
    ],
)
def test_the_same_words_set_aside_are_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)


# -- the reach of a phrase -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # a "..." steps over no "but" and no comma: the red flag after it is its own
        "no tingling but I can't pee since yesterday",
        "no numbness, can't pee since yesterday",
        # "the first time since I was a kid" is new, not history
        "wet the bed for the first time since I was a kid, my back is bad",
    ],
)
def test_a_red_flag_after_a_denied_one_stays_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


@pytest.mark.parametrize(
    ("text", "in_general"),
    [
        ("what does it mean if back pain comes with a high temperature?", True),
        ("can back problems cause bladder issues? asking generally", True),
        # asked about in a story, not in the question
        ("I read about cauda equina online and it scared me. How many sessions do I need?", False),
        ("no numbness, no fever. how many sessions?", False),  # denied, not asked about
        ("I can't feel my legs", False),  # urgent: nothing is asked in general
    ],
)
def test_a_question_about_a_red_flag_in_general_is_told_apart(text: str, in_general: bool) -> None:
    assert shipped().assess(text).asked_in_general is in_general


# -- a fresh-eyes review of the seventh session's triage changes ------------------------------
# Each message is an emergency that one of the session's new exceptions, context words or
# writer markers set aside before the review took it back (an everyday "totally fine", "we
# laughed", "my usual back", "I'm on a diet" read as denying every flag, "right as rain until",
# "but that was 2 hours ago", a role that is the writer introducing themselves ...).
@pytest.mark.parametrize(
    "text",
    [
        "I was totally fine until I fell off the ladder this morning and landed on my back",
        "I was changing the baby when I slipped and fell down the stairs onto my back, can you help?",
        "I got hit by a car on my bike yesterday and thought nothing happened, today my back is agony",
        "Got knocked off my bike by a van, my back was fine at the time, now it's getting really painful",
        "He was hit by a car, he didn't fall but his back is in agony",
        "I was rear ended on the motorway, we laughed about it at the time but my back is now killing me",
        "Got hit by a car crossing the road, kept my feet somehow, my back is really painful now",
        "Fell off the roof yesterday, didn't hurt myself I thought, back very sore today",
        "I never had back trouble before I fell off the scaffolding on Monday",
        "Since Christmas I've had a high temperature and feel like I've been hit by a bus, and my back is killing me",
        "Running a temperature and feel hit by a bus after a night out two days ago, back is really sore and I'm shivering",
        "I've lost a stone since starting with this back pain in March",
        "My weight has dropped by 8kg and I'm on my feet all day with this back pain",
        "My back hurts and I've had a fever of 39 for three days. I've been dieting too so I'm not eating much.",
        "I've got numbness around my bum and can't feel when I need a wee. I'm on a diet at the moment, could that be it?",
        "I can't pee properly and my back is agony, I'm on a diet",
        "I've lost 2 stone since Christmas. I changed my diet a bit but not that much.",
        "I was right as rain until I fell off the ladder this morning and landed on my back",
        "No problems for years until I slipped on the ice on Tuesday and landed hard on my back",
        "Got knocked off my bike by a van, but that was 2 hours ago and I feel ok, can I come in for acupuncture today?",
        "I was hit by a car this morning, but it was a few hours ago and I only have back pain, can I come in?",
        "I had a temperature of 40 with my back pain, but that was an hour ago, now it's 38.5",
        "Fell off the roof this morning onto my back, but ok now, just sore, can I book in today?",
        "My leg numbness settled completely for a day but now it's spreading up to my knee again",
        "My legs went weak on the stairs and I'm scared to walk now",
        "my legs just went weak and I collapsed in the kitchen lol",
        "My legs turned to jelly this morning and I'm nervous to go out, they won't hold me",
        "My dad fell down the stairs last night and can't feel his legs, on top of my usual back pain I'm exhausted. Would acupuncture help?",
        "My husband has chest pain going through to his back and he's sweating. I have no chest pain myself. Does acupuncture help?",
        "Some idiot rear-ended our car on the motorway yesterday, my usual back pain is so much worse now",
        "Some guy in a van T-boned our car at the lights, I've got my old lower back pain flaring",
        "Foreman on a building site, fell off the scaffolding onto my back yesterday, just my usual aches otherwise, can acupuncture help?",
        "Roughneck on the rigs, fell from the derrick onto my back on Monday, my usual back pain is worse, can you help?",
        "My wife has lost 2 stone without trying and her back is agony; I haven't lost any myself",
        "I've been getting chest pains going through to my back, I think it's stress from the cost of living",
        "My back was ok after the crash on Friday, today I can't stand up straight with the pain",
    ],
)
def test_the_reviewers_emergencies_stay_urgent(text: str) -> None:
    assert urgent(text), reasons(text)


# ... and the everyday sentences the session's new phrases had raised as alarms.
@pytest.mark.parametrize(
    "text",
    [
        "My phone screen cracked across the back when I dropped it, anyway how much is a session?",
        "I took a cushion to the back of the car for the drive, does that help posture?",
        "You could knock me down with a feather, my back feels great after one session!",
        "I've been messing myself about with different stretches, which is best for my lower back?",
        "Does the needle in the buttock feel like an injection?",
        "Will it feel like an injection in my bum?",
    ],
)
def test_the_reviewers_everyday_sentences_are_not_urgent(text: str) -> None:
    assert not urgent(text), reasons(text)
