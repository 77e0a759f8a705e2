"""Questions the page cannot answer, recognised by what they ask rather than by examples.

These shapes drift to a nearby topic when only words are compared:
- whether acupuncture helps *another condition* ("can acupuncture help babies with colic",
  "acupuncture for IBS?", "tinnitus acupuncture?"): the page is about back pain only, so the
  thing to be helped is read, and when it names another part of the body or a condition, or
  only things the topics never mention, and nothing of the back, it is for the consultation;
- *practical details* the page does not give: the price ("how much is the first
  consultation?", not value over time, which is the cost topic), how long an appointment
  lasts, the needles themselves (single use? how thick?), other staff and the languages they
  speak, what to wear, and other therapies the clinic might offer;
- whether having it *hurts* ("is it painful?"), which is not whether it relieves pain.

Both read a clause's words as the matcher knows them (folded, typos corrected, synonyms
replaced, stemmed), so "acupunture" and "acupuncturist" are already "acupunctur" and
"practition".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

OTHER_CONDITION = "other-conditions"
PRACTICAL_DETAIL = "practical-booking-questions"
FEES = "fees"
SIDE_EFFECTS = "safety-and-side-effects"
DIAGNOSIS = "diagnosis"

# Words of the back: a thing to be helped that names one of these is in scope.
BACK_WORDS = "back spine spinal lumbar sciatica disc vertebra coccyx tailbone posture"
# Other parts of the body and other conditions: general words (not examples from any set),
# so "my neck pain" or "period pains, would it help her" is read as another condition even
# when a word like "pain" is also the page's. Legs and buttocks are left out on purpose:
# sciatica and leg pain from the back are the page's subject.
OTHER_BODY_AND_CONDITIONS = (
    "neck shoulder shoulders knee knees elbow elbows wrist wrists hand hands finger fingers "
    "fingertip fingertips arm arms forearm forearms throat nose mouth "
    "thumb foot feet ankle ankles heel toe toes hip hips jaw head headache headaches migraine "
    "migraines face eye eyes ear ears stomach tummy skin teeth tooth anxiety depression "
    "insomnia sleep sleeping fertility ivf menopause period periods asthma allergy allergies "
    "hayfever eczema psoriasis acne ibs colitis crohns arthritis fibromyalgia tinnitus vertigo "
    "dizziness nausea smoking addiction weight tennis golfers carpal tunnel plantar fasciitis "
    "gout colic bladder infertility pcos endometriosis shingles bells palsy stroke parkinsons "
    "adhd autism dementia thyroid cholesterol pressure hypertension diabetes diabetic hay fever "
    "fags cigarettes vaping nicotine flushes"
)
# Animals: the clinic treats people, so an animal to be helped is never the page's back pain,
# even its back ("can you treat my dog's back?"). Read in the first words of what is helped.
ANIMALS = "dog dogs puppy cat cats kitten horse horses pony pet pets animal animals"
ANIMAL_REACH = 3
# ... but not people named by an animal: "horse riders", "dog walkers", "pet owners".
PEOPLE_BY_ANIMAL = "rider riders riding owner owners walker walkers walking lover lovers groom"
# Whom it should help, and words that say nothing about what: never a condition.
NOT_A_CONDITION = frozenset(
    "me myself him her them us someone somebody anyone person people like someon somebodi anyon "
    "peopl wife husband partner mum mom dad mother father friend son daughter sister brother "
    "gran granni grandma grandmoth grandad grandfath grandpa nan nana nanna aunt aunti uncl "
    "cousin niec nephew grandson granddaught neighbour colleagu boss boyfriend girlfriend fianc "
    "child children kid teenag flatmat housem roommat "
    "famili everyon everybodi one other problem issu condit thing all everyth lot mani kind "
    "type sort also as well too here there much more anyth someth at bit littl abit "
    "alreadi at all realli even same way clinic place centr age old year both either neither "
    "togeth symptom symptoms monday tuesday wednesday thursday friday saturday sunday weekend "
    "morn morning afternoon even evening tonight tomorrow today week day time slot method "
    "methods techniqu therapi treatment treatments "
    # what the writer wants with the answer: "the ways it helps, with the sources please"
    "sourc refer citat evid studi research proof detail link please pleas thank thanks".split()
)
# Words that point back to what the story said ("would it help her", "any good for that").
POINTING_BACK = frozenset("her him that this them those it these".split())
PEOPLE = frozenset("me him her us them you someon somebodi peopl".split())
# The treatment, the way the matcher spells it after synonyms and stemming.
_SUBJECT = r"(?:acupunctur|it|needl|this|you|treatment|cup|moxibust|practition)"
_HELPS = (
    r"(?:help|work|good|suitabl|treat|fix|cure|benefit|do anyth|do someth|lower|calm|"
    r"bring (?:\w+ )?down)"
)
_OBJECT_END = re.compile(
    r"\b(?:or|but|becaus|and|so|as|sinc|when|while|if|then)\b"
    # "do you treat that with acupuncture": how, not what
    r"|\b(?:with|use|by) (?:acupunctur|needl|it|cup|moxibust)"
)
MAX_OBJECT_WORDS = 8
# A condition named on its own beside the question ("fibromyalgia - does it help?") is a few
# words; a story ("no numbness, no fever, just a dull ache...") is not read that way.
NAMED_ONLY_WORDS = 3
_HELP_SHAPES = (
    # "can acupuncture help babies", "does it work for my knee", "do you treat arthritis"
    re.compile(
        rf"\b{_SUBJECT}\b(?: \w+){{0,2}}? {_HELPS}\w*(?: (?:for|with|on|against|in|to))?"
        r"(?: (?P<obj>.+))?$"
    ),
    # "any good for that?", "is it any use for my knees", "tennis elbow from the gym, any good?"
    re.compile(r"^(?:\w+ ){0,2}?(?:ani|any|much) (?:good|use|help) (?:for|with) (?P<obj>.+)"),
    re.compile(r"^(?:\w+ ){0,2}?(?:ani|any|much) (?:good|use|help)(?P<obj>)$"),
    # "acupuncture for IBS", "needles for tinnitus"
    re.compile(r"^(?:\w+ )?(?:acupunctur|needl) (?:for|with|on|and) (?P<obj>.+)"),
    # "can you do acupuncture for him?", "is acupuncture on the knee possible"
    re.compile(r"\b(?:acupunctur|needl) (?:for|on) (?P<obj>.+)"),
    # "tinnitus acupuncture", "acupuncture tinnitus" (a message of two or three words)
    re.compile(r"^(?P<obj>\w+(?: \w+)?) acupunctur$"),
    re.compile(r"^acupunctur (?P<obj>\w+(?: \w+)?)$"),
)

# Practical details: the shape of the question, over the matcher's stems.
# Each shape with the words one of which it needs: a clause without them skips the pattern.
# Other therapies and care, by the matcher's stems, and the words that compare two of them.
_THERAPIES = (
    *("chiropractor", "osteopath", "physio", "massag", "reiki", "reflexolog", "surgeri", "inject"),
    *("pilat", "yoga", "exercis", "dri needl", "hypnotherapi", "homeopathi", "tens", "ten machin"),
    *("ten unit", "acupressur", "herbal"),
)
_OTHER_THERAPY = f"(?:{'|'.join(_THERAPIES)})"
# Their words: a clause with none of them cannot name one (a gate for the shapes below).
_THERAPY_WORDS = " ".join(sorted({w for therapy in _THERAPIES for w in therapy.split()}))
# What is causing the writer's own pain: "do I have sciatica?", "is it a trapped nerve or just
# a muscle?", "could it be my kidneys?" (not how the practitioner works out what is wrong:
# that is the first consultation).
_DIAGNOSIS_SHAPE = re.compile(
    # "is this a slipped disc?", "is it a muscle or something in my spine?", "could my back
    # ache be coming from my kidneys?"
    # ("slipped disc" is read as "back pain", a synonym)
    r"\bis (?:this|it|that) (?:a |an |just )?(?:slip|trap|hernia|bulg|prolaps|sciatica|arthriti|"
    r"back pain)\w*"
    r"|\bis (?:it|this|that) (?:a |an |my )?(?:muscl|nerv|disc|bone|joint|sciatica|arthriti|"
    r"slip|trap)\w* or\b"
    # ("be caused" may be read as "because", the words joined back)
    r"|\b(?:could|can|might) (?:\w+ ){0,3}?(?:(?:be )?(?:come|coming|caus\w*)|becaus) (?:from|by) "
    r"(?:my |the |a |an )?(?:kidney|bladder|bowel|prostat|ovari|womb|gut|stomach|organ|hip)"
    r"|"
    r"\b(?:do|could|might) i (?:have|have got|got) (?:a |an )?(?:\w+ )?"
    r"(?:trap|slip|sciatica|arthriti|disc|nerv|pull|strain|sprain|hernia|kidney|muscl)\w*"
    r"|\bis (?:it|this|that|my \w+(?: \w+)?) (?:a |an )?\w+(?: \w+)? or (?:just )?"
    r"(?:a |an |my (?:\w+ )?)?(?:muscl|nerv|disc|bone|joint|sciatica|arthriti)"
    r"|\b(?:could|can|might|would) (?:it|this|that) be (?:my|a|an) "
    r"(?:kidney|disc|nerv|slip|trap|sciatica|arthriti|sprain|strain|pull|muscl|hernia)"
)
_NAMED_THERAPY = re.compile(rf"\b{_OTHER_THERAPY}")
_COMPARED = r"(?:better|wors|more effect|less effect|as good|safer) (?:than|as)"
# What one might do or buy for the back oneself: advice the page does not give.
_SELF_CARE = r"(?:exercis|stretch|mattress|pillow|chair|shoe)"
_WHICH_ONE = re.compile(
    r"\bwhich (?:is |one |would be |of them )?(?:better|best|one)\b|^which\b"
    r"|\bwhat (?:is |would be )?(?:better|best)\b"
)
# another therapy or acupuncture, which first: "osteopath or acupuncturist, which one?"
_OTHER_OR_US = re.compile(
    rf"\b{_OTHER_THERAPY}\w* or (?:an? |the )?(?:practition|acupunctur)"
    rf"|\b(?:practition|acupunctur)\w* or (?:an? |the )?{_OTHER_THERAPY}"
)
_TWO_PAINKILLERS = re.compile(r"\bpainkil\w* or (?:a |the )?painkil")
# Pregnancy told in the story, and a clause asking whether it is safe or can be had: a
# question of medical suitability the page does not answer.
_PREGNANT = re.compile(r"\bpregnan")
_SAFE_ASKED = re.compile(
    r"\b(?:safe|ok|okay|fine|alright|risk|risky|danger|harm)\w*\b"
    r"|\b(?:can|could|should) (?:she|i|we|you) (?:still )?(?:have|get|do)\b"
)
# Whether what was felt after a session is normal: "my back was sorer the day after my first
# session, is that normal?" - the page says nothing of how it feels afterwards.
_IS_IT_NORMAL = re.compile(
    r"\b(?:is|was|are) (?:that|this|it|these|those) (?:normal|usual|common|expect)"
)
_AFTER_TREATMENT = re.compile(
    r"\bafter (?:the |my |a |your |each |everi )?(?:first )?(?:session|treatment|acupunctur|needl|cup|"
    r"moxibust|appoint|consult)|\bafter(?:ward)?s? (?:is|was|are) (?:that|this|it)\b"
)
# Heat or ice, hot or cold on the back: which to use, the page does not say.
_HOT_OR_COLD = re.compile(
    r"\b(?:heat|hot|warm)\w*(?: \w+){0,2}? or (?:an? )?(?:ice|cold)\b"
    r"|\b(?:ice|cold)(?: \w+){0,2}? or (?:an? )?(?:heat|hot|warm)"
)
_TWO_OTHERS = re.compile(rf"\b{_OTHER_THERAPY}\w* or (?:a |an )?{_OTHER_THERAPY}")
_PRACTICAL_SHAPES = tuple(
    (frozenset(needs.split()), re.compile(p))
    for needs, p in (
        # how long an appointment lasts ("how long is each one", "how many minutes")
        (
            "long",
            r"\bhow long (?:is|are|doe|does|do|will|would) (?:each|a|the|one|an|everi|your|my) "
            r"(?:one|session|appoint|visit|consult|first consult)\b",
        ),
        ("minut min hour hr", r"\bhow mani (?:minut|min|hour|hr)\b"),
        # the needles themselves (how thick they are is the page's "fine metal needles")
        (
            "needl",
            r"\bneedl\w*\b(?: \w+){0,6}? (?:reus|disposab|steril|singl use|use onc|brand new|"
            r"new one|clean|size|gaug|brand|how big|how long|how deep|how far in)",
        ),
        (
            "needl",
            r"\b(?:reus|disposab|steril|singl use|use onc|clean|size|gaug)\w*(?: \w+){0,3}? "
            r"needl",
        ),
        (
            "needl leav keep",
            r"\bhow long (?:are|do|doe|does|will) (?:the|your|you|they) (?:needl|leav|keep)",
        ),
        (
            "needl",
            r"\bhow mani needl|\bhow (?:deep|far in|far) (?:\w+ )?(?:do|doe|does|will|are) (?:the |your |you )?(?:needl|put|go)",
        ),
        # other staff
        (
            "practition staff therapist gp person",
            # (not "man or woman practitioner?": which one Rick is, the page says)
            r"(?<!or )\b(?:femal|ladi|woman|women|male|man|men) (?:\w+ )?"
            r"(?:practition|staff|therapist|gp|person)\b"
            r"|\b(?:anoth|other) (?:\w+ )?(?:practition|staff|therapist)\b",
        ),
        # the languages spoken ("does he speak Polish?", "Rick is speaking Polish?")
        ("speak", r"\b(?:practition|he|you|staff|anyon|someon|they)\b(?: \w+){0,4}? speak\b"),
        # when the practitioner is in, or away, and who else treats: "which days is Rick in
        # clinic?", "who covers when he is away?", "one of his students"
        (
            "day days hour away holiday cover leav",
            r"\b(?:which|what) (?:day|days|hour)\w*\b|\bwho (?:cover|see|treat)\w* (?:when|while|if)\b"
            r"|\b(?:practition|you|he) (?:is |are |will be )?(?:away|on holiday|on leav)",
        ),
        ("student traine junior", r"\b(?:student|traine|junior)\w*\b"),
        (
            "therapist physio osteopath chiropractor masseus masseur nurs doctor receptionist "
            "practition",
            r"\b(?:is there|are there|do you have) (?:a|an|ani|any|anyon) (?:\w+ )?(?:therapist|"
            r"osteopath|chiropractor|masseus|masseur|nurs|receptionist|practition)\w*",
        ),
        # rescheduling or cancelling, gloves, photos sent for a look
        (
            "move chang reschedul cancel postpon rearrang",
            r"\b(?:cancel|reschedul|postpon|rearrang)\w*\b"
            r"|\b(?:move|chang)\w* (?:my |the |an |our |this )?(?:appoint|session|book)",
        ),
        ("glove", r"\bglove"),
        (
            "photo pictur imag scan xray mri",
            r"\b(?:send|upload|share|attach) (?:\w+ ){0,2}?(?:photo|pictur|imag|scan|xray|mri)",
        ),
        ("els", r"\b(?:who|anyon|anybodi|someon) els\b"),
        ("onli", r"\bonli (?:one|practition|person)(?: (?:there|who|work|at))?$"),
        # what to wear, undressing
        (
            "cloth undress gown underwear naked nake off",
            r"\b(?:cloth|undress|gown|underwear|naked|nake|shirt off|top off|strip off)\b",
        ),
        (
            "wear",
            r"\bwhat (?:should|do|shall|to|must) (?:i )?wear\b|\bwear\w* (?:to|for|dure|at) "
            r"(?:the|my|a|an) (?:session|appoint|treatment|consult|first consult)",
        ),
        # someone else to see: "can you recommend a good chiropractor"
        (
            "recommend suggest know",
            r"\b(?:can|could|do|doe|would|will) (?:you|practition|he|the clinic) (?:\w+ )?"
            r"(?:recommend|suggest|know)\b (?:of )?(?:me )?(?:a|an|ani|some|someon|anyon)\b",
        ),
        # a note for work, or someone else to see instead
        ("note", r"\b(?:sick|fit|doctor|gp|medic) note\b|\bnote for (?:work|my employ|school)"),
        (
            "instead",
            r"\bshould i (?:see|go to|tri|tri a|book) (?:a|an) (?!acupunctur|practition)\w+"
            r"(?: \w+)? instead\b",
        ),
        # which of two others to see, which exercises to do, the best pill: advice the page
        # does not give
        (
            "or",
            r"\bshould i (?:see|go to|tri) (?:a|an) (?!acupunctur|practition)\w+ or (?:a|an) "
            r"(?!acupunctur|practition)\w+",
        ),
        # which exercises to do or what to buy for the back: "any exercises I can do at home",
        # "what mattress should I buy"
        (
            "exercis stretch mattress pillow chair shoe",
            rf"\b(?:what|which|ani|any|good|some) {_SELF_CARE}\w*"
            r"(?: \w+)?? (?:i |you )?(?:should|can|could|do|must|to)\b"
            # "what mattress is best for a bad back"
            rf"|\b(?:what|which) (?:\w+ )?{_SELF_CARE}\w* (?:is|are|would be|do you) "
            r"(?:the )?(?:best|better|good|recommend)",
        ),
        # heat or ice, hot or cold: what to put on the back, which the page does not say
        ("heat hot warm ice cold", _HOT_OR_COLD.pattern),
        # what another therapy is: "whats dry needling", "what is reflexology"
        (
            _THERAPY_WORDS,
            rf"^what(?: is| are| s)? (?:a |an )?{_OTHER_THERAPY}\w*(?: \w+)?$",
        ),
        # registering with a doctor
        ("gp regist", r"\bregist\w* (?:with )?(?:a |the |my )?(?:gp|surgeri|doctor)"),
        # which of two others is better: "chiropractor or osteopath, which is better?"
        (
            "which better best",
            rf"\b{_OTHER_THERAPY}\w* or (?:a |an )?{_OTHER_THERAPY}\w*\b(?=.*\b(?:which|better|best)\b)",
        ),
        # "recommend a good mattress"
        (
            "recommend",
            r"^(?:\w+ )?recommend (?:me )?(?:a|an|ani|some)\b"
            # "can you recommend exercises for my back"
            rf"|\brecommend (?:me )?(?:ani |some |good )?{_SELF_CARE}",
        ),
        # which of it and another therapy is better: the page compares none
        (
            "better wors effect good safer",
            rf"\b{_OTHER_THERAPY}\w* (?:\w+ )?{_COMPARED} (?:acupunctur|it|needl)\b"
            rf"|\b(?:acupunctur|it|needl) (?:\w+ )?{_COMPARED} (?:a |an )?{_OTHER_THERAPY}",
        ),
        (
            "best strongest",
            r"\b(?:best|strongest) (?:painkil|pill|tablet|medic|drug|mattress|pillow|chair|bed|"
            r"sleep|posit|exercis|stretch|shoe)",
        ),
        # being seen elsewhere than the clinic: online, by video, at home
        (
            "onlin video phone zoom skype team home mobil come",
            r"\b(?:onlin|video|phone|zoom|skype|team) (?:consult|session|appoint|call|first)"
            r"|\bover (?:zoom|the phone|video|skype|team)\b|\bhome visit|\bvisit (?:me|her|him|us) "
            r"at home|\bmobil (?:acupunctur|treatment|servic|visit)|\bcome to (?:my|her|his|our) "
            r"(?:hous|home)|\b(?:you|practition|he|someon) (?:\w+ )?come to\b",
        ),
        # notice, lateness, waiting lists, referrals
        ("notic", r"\bhow much notic"),
        # (the writer as the subject: not "my back is sore late at night")
        ("late", r"\b(?:im|i am|i m|ill be|i will be|i ll be)(?: run)? (?:\w+ ){0,2}?late\b"),
        ("wait", r"\bwait\w* list"),
        (
            "referr refer",
            r"\b(?:referr|refer)\w*(?: \w+){0,3} (?:from|by) (?:my|a|the) (?:gp|doctor)"
            r"|\bneed (?:a|to be) refer",
        ),
        # how many practitioners work there
        (
            "acupunctur practition staff therapist peopl",
            r"\bhow mani (?:acupunctur|practition|staff|therapist|peopl)\w* (?:work|are there|do you "
            r"have|at the clinic|in the clinic)",
        ),
        # which of two painkillers: advice the page does not give
        ("painkil", _TWO_PAINKILLERS.pattern),
        # from what age: "what age can teenagers have it", "is there an age limit"
        ("age", r"\b(?:what age|minimum age|age limit|age restrict|from what age|from which age)"),
        # whom the clinic sees: "do you treat kids?", "can you see children"
        (
            "kid kids children child babi toddler teenag teen year yr yo",
            r"\b(?:do|doe|does|can|will|would) (?:you|the clinic|practition|he|they) "
            r"(?:treat|see|take|accept|do)\b(?: \w+)?? (?:kid|kids|children|child|babi|toddler|"
            r"teenag|teen|(?:[1-9]|1[0-7]) ?yo\b|(?:[1-9]|1[0-7]) (?:year|yr)s? olds?\b"
            # (not a pain that old: "can you treat 10 year old back pain")
            r"(?! (?:back|pain|injuri|sciatica|problem|condit)))\w*",
        ),
    )
)
# Whether the treatment itself hurts ("is it painful?", "do the needles sting?"): how it
# feels to have it, which the page does not say (not whether it relieves pain).
# Whether what one feels during or after it is normal, or something is safe or fine to do
# around it ("is it normal to feel tingly", "is it ok to take paracetamol before"): the page
# says neither.
_NORMAL_OR_SAFE_SHAPE = re.compile(
    r"\bnormal to (?:feel|be|have|get)\b"
    # pregnancy, whatever is asked: the page says nothing of it, so a pregnant patient is sent
    # to her GP or the practitioner first ("can acupuncture help back pain in pregnancy?")
    r"|\bpregnan"
    # what can go wrong: "can anything go wrong with the needles"
    r"|\b(?:can|could|might|will) (?:anyth|someth) go wrong\b|\bwhat (?:can|could|might) go wrong\b"
    # aftercare: "can I go straight back to work after?", "hot bath after cupping ok?"
    r"|\bgo (?:straight |right )?back to work after"
    r"|\bafter (?:the |my |a |your )?(?:cup|acupunctur|session|treatment|needl)\w* "
    r"(?:ok|okay|fine|alright|safe)\b"
    r"|\btake (?:my |the )?painkil\w* befor"
    # "do I have to stop my medication to have acupuncture?"
    r"|\b(?:stop|come off|stop take) (?:my |take )?(?:medic|painkil|tablet|pill|drug|meds)\w* "
    r"(?:to|befor|for) (?:have|get|start|acupunctur|treatment|a session)"
    # (not "ok to have acupuncture alongside my physio": whether the two go together)
    r"|\b(?:ok|okay|safe|fine|alright) to (?:take|have|eat|drink|drive|exercis|work|fli|fly|swim|"
    r"shower|go to|train|lift|run)\b(?! (?:acupunctur|it|needl|treatment|both|them|the two))"
)
_SENSATION_SHAPE = re.compile(
    r"^(?:\w+ )?(?:is|will|doe|does|do|would|can|could) (?:it|acupunctur|the needl|needl|they|treatment|"
    r"the treatment|cup|moxibust|that)(?: be| feel)?(?: (?:make|leav|give) (?:you|me))?"
    r"(?: (?:realli|veri|too|much|a lot))? "
    r"(?:hurt|pain|sting|sore|uncomfort|burn|scar|bleed|bruis)\w*(?! relief)(?: \w+){0,3}$"
)
# The price: money words, unless the clause asks about value over time (the cost topic).
_PRICE_SHAPE = re.compile(
    r"\b(?:price|fee|charg|payment|pay|paid|pound|quid|afford|expens|discount|deposit|"
    r"refund)\b|\bhow much (?:is|are|doe|does|do|will|would|for)"
    r"(?: (?:it|a|an|the|one|each|that|this|acupunctur|session|treatment|appoint|consult|"
    # ("cost by": "caused by" misspelt by ear)
    r"first consult|visit))*(?: (?:cost|charg|be))?$|\bcost(?:s|ing)?\b(?! effect| by\b)"
    # "how much for a course of 6", "how much for the two of us": a price, whatever follows
    r"|\bhow much for\b(?! (?:my|your|the|her|his) back)"
)
_MONEY_WORDS = frozenset(
    "price fee charg payment pay paid pound quid afford expens discount deposit refund much "
    "cost costs costing".split()
)
# A time clause after what is asked ("is it right for me before paying for a course?") says
# when, not what: money named only there is not the question.
_TRAILING_TIME_CLAUSE = re.compile(r"(?<=\w) (?:befor|after|until|without|instead of) .*$")
_VALUE_OVER_TIME = re.compile(
    r"\b(?:effect|valu|long run|long term|long time|longer|over time|save|worth|cheaper|compar|"
    r"month|year|period|econom|invest|itself|eventu|in the end)"
)
# "do you offer/do/have X": a therapy or service the topics never mention.
_OFFER_SHAPE = re.compile(
    r"\b(?:do|doe|does|can|will) (?:you|the clinic|rick|practition|he|they)(?: also)? "
    r"(?:do|offer|have|provid|sell|give|use|practis|practic|prescrib|recommend|speak)\b (?P<obj>.+)"
)

# "can I get chinese herbs from you", "could we buy a voucher at the clinic": the same ask.
_GET_FROM_SHAPE = re.compile(
    r"\b(?:can|could|do|will) (?:i|we|you) (?:get|have|buy|order|sell)\b (?P<obj>.+?) "
    r"(?:from|at|off) (?:you|the clinic|your clinic|rick|practition)\b"
)
# "is dry needling the same as acupuncture?": another therapy compared, asked about.
_SAME_AS_SHAPE = re.compile(
    r"^(?:\w+ )?(?:is|are|isnt) (?P<obj>.+?) (?:the same as|same as|the same thing as|"
    r"same thing as|similar to|different from|"
    r"differ from|a form of|a type of|a kind of) (?:acupunctur|it|what you do|what practition do)"
    # "is acupressure the same thing?", "is Chinese herbal medicine available at the clinic?"
    r"|^(?:\w+ )?(?:is|are) (?P<fifth>.+?) (?:the same|the same thing|similar)$"
    r"|^(?:\w+ )?(?:is|are) (?P<sixth>.+?) (?:also )?(?:avail|offer)\w*\b"
    # "is Chinese herbal medicine something you prescribe?"
    r"|^(?:\w+ )?(?:is|are) (?P<fourth>.+?) (?:someth|anyth) (?:you|practition|he) "
    r"(?:prescrib|offer|do|sell|use|practis|practic|provid)"
    # "what's the difference between acupuncture and dry needling"
    r"|\bdiffer\w* between (?:acupunctur|it|this) and (?P<other>.+)"
    # "is reiki any good for back pain": another therapy, by whether it helps
    r"|^(?:is|are|would|will|doe|does|do) (?P<third>(?!acupunctur|it\b|this|that|needl|cup|moxibust|"
    r"treatment|practition|he\b|she\b|they|you|there|your)\w+) (?:ani |any |much |realli )?"
    r"(?:good|help|work)"
    r"|\bdiffer\w* between (?P<first>.+?) and (?:acupunctur|it|this)\b"
)
_OFFER_END = re.compile(r"\b(?:that|which|who|where|with|for|to|on|in|at|from|like)\b")


# Every shape above needs one of these words: a clause without any is not read further.
# (The practical shapes' own words and the therapies' are added from them, not copied here.)
TRIGGER_WORDS = (
    frozenset(
        "acupunctur it needl this you treatment cup moxibust practition he how long mani cloth "
        "undress gown underwear naked nake shirt top strip wear who anyon anybodi someon els onli "
        "femal ladi woman women male man men anoth other reus disposab steril singl use clean thick "
        "thin size gaug type kind sort they that ani any much price fee charg payment pay paid "
        "pound quid afford expens discount deposit refund cost costs costing normal ok okay safe "
        "fine alright note instead differ age recommend suggest know kid kids children child babi "
        "toddler teenag teen or exercis best strongest gp regist stop which stretch mattress pillow "
        "chair shoe better heat hot warm ice cold pregnant pregnanc wrong back onlin video phone "
        "zoom skype team home mobil notic late wait referr refer painkil i is it be that this was "
        "are what could can might".split()
    )
    | frozenset(_THERAPY_WORDS.split())
    | frozenset().union(*(needs for needs, _ in _PRACTICAL_SHAPES))
)


class ScopeReader:
    """Reads a clause (as the matcher's stems) for another condition or a practical detail."""

    def __init__(
        self,
        words_of: Callable[[str], list[str]],
        topic_words: Iterable[str],
        stopwords: Iterable[str],
    ) -> None:
        """`words_of` turns folded text into the matcher's stems; `topic_words` are the stems
        the topics' phrasings use (what the page can talk about)."""
        self.topic_words = frozenset(topic_words)
        self.stopwords = frozenset(stopwords)
        self.back_words = frozenset(words_of(BACK_WORDS))
        self.other_body = frozenset(words_of(OTHER_BODY_AND_CONDITIONS)) - self.back_words
        self.animals = frozenset(words_of(ANIMALS))
        self.people_by_animal = frozenset(words_of(PEOPLE_BY_ANIMAL))

    def _object_words(self, obj: str) -> list[str]:
        end = _OBJECT_END.search(obj)
        return self._condition_words(
            (obj[: end.start()] if end else obj).split()[:MAX_OBJECT_WORDS]
        )

    def _condition_words(self, words: Iterable[str]) -> list[str]:
        """The words that could name a condition: not small words, people or vague ones."""
        return [
            w for w in words if len(w) > 1 and w not in self.stopwords and w not in NOT_A_CONDITION
        ]

    def other_condition(self, stems: Iterable[str], story: Iterable[str] = ()) -> bool:
        """Whether the clause asks if the treatment helps something that is not the back;
        `story` is the rest of the message, read when the clause says only "help her" or
        "any good for that"."""
        stems = list(stems)
        clause = " ".join(stems)
        if not self.animals.isdisjoint(stems):
            for shape in _HELP_SHAPES:
                match = shape.search(clause)
                if match and self._an_animal(match.group("obj") or ""):
                    return True  # "do you treat my dog's back", "acupuncture for horses"
        if self.back_words.intersection(stems):
            return False  # "my sleep and my back pain": the back is asked about
        for shape in _HELP_SHAPES:
            match = shape.search(clause)
            if match is None:
                continue
            obj = (match.group("obj") or "").split()
            if "for" in obj[1:3] and clause[: match.start("obj")].endswith("good "):
                # "a good fit for me", "a good idea for someone like me": the word after
                # "good" judges the treatment; what it should help comes after "for".
                obj = obj[obj.index("for") + 1 :]
            words = self._object_words(" ".join(obj))
            if not words:
                # "would it help her", "any good for that": what is meant is in the story.
                if obj and obj[0] not in POINTING_BACK:
                    return obj[0] in PEOPLE and self._told_another(story, stems, clause, match)
                # What the story (and the clause before the question) said.
                told = _told(story, stems, clause, match)
                if not obj:
                    # "fibromyalgia - does acupuncture help?": what it should help is named
                    # only around the question; another condition there, and no back, is it.
                    named = self._condition_words(_not_denied(told))
                    return (
                        len(named) > 0
                        and bool(self.other_body.intersection(named))
                        and not self.back_words.intersection(told)
                        # or in a longer story that is mostly about it ("carpal tunnel in my
                        # wrists from chopping all day")
                        and (
                            len(named) <= NAMED_ONLY_WORDS
                            or len(self.other_body.intersection(named)) * 3 >= len(named)
                        )
                    )
                if self.back_words.intersection(_not_denied(told)):
                    return False  # ("I have anxiety, NOT back pain": the back is ruled out)
                if self.other_body.intersection(told):
                    return True
                # "my son has ADHD, can you do acupuncture for him?": the story names only
                # things the page never mentions.
                # A number ("my mother is 80") is an age or a count, never a condition.
                named = [w for w in self._object_words(" ".join(told)) if not w.isdigit()]
                return bool(named) and all(w not in self.topic_words for w in named)
            if self.back_words.intersection(words):
                return False
            if self.other_body.intersection(words):
                return True
            if obj[0] in PEOPLE:
                return self._told_another(story, stems, clause, match)
            # Every word of it unknown to the topics ("babies", "ibs", "tennis elbow"): a
            # word the page uses ("inflammation", "bruising heal") keeps it in scope.
            return all(w not in self.topic_words and not w.isdigit() for w in words)
        return False

    def _told_another(
        self, story: Iterable[str], stems: list[str], clause: str, match: re.Match[str]
    ) -> bool:
        """Whether the rest of the message names another condition and never the back, when
        what should be helped is only the writer ("I have bad anxiety, would acupuncture calm
        me down"; not "help me get moving again")."""
        told = _told(story, stems, clause, match)
        named = _not_denied(told)  # "not losing weight, no fever": nothing named
        return bool(self.other_body.intersection(named)) and not self.back_words.intersection(told)

    def _an_animal(self, obj: str) -> bool:
        """Whether what is to be helped is an animal ("my dog's back"), not people named by
        one ("horse riders")."""
        words = obj.split()[: ANIMAL_REACH + 1]
        return any(
            w in self.animals and (i + 1 == len(words) or words[i + 1] not in self.people_by_animal)
            for i, w in enumerate(words[:ANIMAL_REACH])
        )

    def points_back(self, stems: Iterable[str]) -> bool:
        """Whether the clause asks only if the treatment helps with what the story said
        ("could acupuncture help with that?", "would it work for this"): what it is about
        is in the story, not in the clause."""
        stems = list(stems)
        if POINTING_BACK.isdisjoint(stems):
            return False
        clause = " ".join(stems)
        for shape in _HELP_SHAPES[:2]:
            match = shape.search(clause)
            if match is None:
                continue
            obj = (match.group("obj") or "").split()
            return bool(obj) and obj[0] in POINTING_BACK and not self._object_words(" ".join(obj))
        return False

    def practical_detail(self, stems: Iterable[str], story: Iterable[str] = ()) -> bool:
        """Whether the clause asks a practical detail the page does not give; `story` is the
        rest of the message, read when the clause only points back ("reflexology, do you
        offer it?")."""
        stems = list(stems)
        clause, words = " ".join(stems), set(stems)
        if any(
            not needs.isdisjoint(words) and shape.search(clause)
            for needs, shape in _PRACTICAL_SHAPES
        ):
            return True
        if _WHICH_ONE.search(clause) and (
            _TWO_OTHERS.search(said := " ".join(story))
            or _HOT_OR_COLD.search(said)
            or _TWO_PAINKILLERS.search(said)
            or _OTHER_OR_US.search(said)
        ):
            return True  # "chiropractor or osteopath, which is better?": the page compares none
        offer = (
            _OFFER_SHAPE.search(clause)
            or _GET_FROM_SHAPE.search(clause)
            or _SAME_AS_SHAPE.search(clause)
        )
        if offer is None:
            return False
        # What is offered ends where a relative clause or a preposition starts ("the cups
        # that leave circle marks", "acupuncture for sciatica").
        groups = offer.groupdict()
        obj = next(
            g
            for g in (
                groups.get(k)
                for k in ("obj", "other", "first", "third", "fourth", "fifth", "sixth")
            )
            if g is not None
        )
        offered = self._object_words(_OFFER_END.split(obj)[0])
        if not offered and obj.strip() in POINTING_BACK:
            # what "it" is, the story named: a few words, none of them the topics' own
            told = self._condition_words(w for w in story if w not in stems)
            if _NAMED_THERAPY.search(" ".join(told)):
                return True  # "whats dry needling, is it the same as acupuncture"
            if len(told) > NAMED_ONLY_WORDS or any(w in self.topic_words for w in told):
                told = []
            offered = told
        # "dry needling", "chinese herbal medicine": a word the topics never use makes it
        # another therapy or service, even beside words they do use.
        return any(w not in self.topic_words and not w.isdigit() for w in offered)

    @staticmethod
    def price(stems: Iterable[str]) -> bool:
        """Whether the clause asks what it costs (not whether it is good value over time)."""
        stems = list(stems)
        if _MONEY_WORDS.isdisjoint(stems):
            return False
        clause = _TRAILING_TIME_CLAUSE.sub("", " ".join(stems))
        return bool(_PRICE_SHAPE.search(clause)) and not _VALUE_OVER_TIME.search(clause)

    @staticmethod
    def sensation(stems: Iterable[str]) -> bool:
        """Whether the clause asks if having the treatment hurts, whether what one feels is
        normal, or whether something is safe to do around it."""
        clause = " ".join(stems)
        return bool(_SENSATION_SHAPE.search(clause) or _NORMAL_OR_SAFE_SHAPE.search(clause))

    def outside(self, stems: Iterable[str], story: Iterable[str] = ()) -> str | None:
        """The gap a clause falls in ("other-conditions", "practical-booking-questions",
        "safety-and-side-effects")."""
        stems = list(stems)
        if TRIGGER_WORDS.isdisjoint(stems):
            return None  # none of the shapes can match: skip the patterns
        if self.other_condition(stems, story):
            return OTHER_CONDITION
        if self.price(stems) and not _VALUE_OVER_TIME.search(" ".join(story)):
            # "Why keep paying for it? Seems expensive over time": value over time, named
            # anywhere in the message, is the cost topic.
            return FEES
        if self.practical_detail(stems, story):
            return PRACTICAL_DETAIL
        clause, told = " ".join(stems), " ".join(story)
        if _DIAGNOSIS_SHAPE.search(clause):
            return DIAGNOSIS
        if (
            self.sensation(stems)
            or (_SAFE_ASKED.search(clause) and _PREGNANT.search(told))
            or (_IS_IT_NORMAL.search(clause) and _AFTER_TREATMENT.search(told))
        ):
            return SIDE_EFFECTS
        return None


# "not back pain", "isnt my back", "no back problems": the back named only to say it is not
# what the question is about.
_DENIALS = frozenset("not no isnt arent nothing noth never".split())
_DENIAL_REACH = 3
# "nothing to do with my back": the denial reaches over "to do with"
_NOTHING_TO_DO_WITH = ("to", "do", "with")


def _told(story: Iterable[str], stems: list[str], clause: str, match: re.Match[str]) -> list[str]:
    """What the rest of the message said, and the clause before the question it asks."""
    return _around(list(story), stems) + clause[: match.start()].split()


def _around(story: list[str], clause: list[str]) -> list[str]:
    """The story without the clause itself (its last place in it), so a word the clause
    shares with the story ("nothing to DO with my back ... DO you treat that") stays there;
    a clause not found in it as a whole takes its words out wherever they are."""
    n = len(clause)
    for start in range(len(story) - n, -1, -1):
        if n and story[start : start + n] == clause:
            return story[:start] + story[start + n :]
    return [w for w in story if w not in clause]


def _not_denied(words: list[str]) -> list[str]:
    """The words, without those that a denial just before rules out ("not back pain")."""
    kept: list[str] = []
    denied_until = -1
    for i, word in enumerate(words):
        if word in _DENIALS:
            denied_until = i + _DENIAL_REACH
            if tuple(words[i + 1 : i + 4]) == _NOTHING_TO_DO_WITH:
                denied_until += len(_NOTHING_TO_DO_WITH)
        elif i > denied_until:
            kept.append(word)
    return kept
