"""Words that follow "I'm", "this is" or "thanks," in patients' messages and are not names.

The name masker (masking.py) masks the word after "I'm" unless it is listed here (or has a
suffix names rarely have): capital letters are no guide on phones, and when in doubt a word
is masked, because a lost adjective costs the report little and a kept name costs a patient
their privacy. Add a word here when the report shows it masked for no reason.
"""

from __future__ import annotations

_FUNCTION = """
a about above across actually after again against ago all almost already also although always
am an and another any anybody anyone anything anyway anywhere are around as at away back be
because been before behind being below beside besides between both but by can cannot could
did do does doing done down during each either else enough even ever every everybody
everyone everything exactly for from further had has have having he her here hers herself
him himself his how however i if in indeed instead into is it its itself just least less
like likely literally many maybe me might mine more most mostly much must my myself near
nearly neither never next no nobody none nor not nothing now of off often on once one only
onto or other otherwise our ours out over own perhaps please pretty probably quite rather
really same seriously she should since so some somebody someone something sometimes somewhat
soon still such than that the their theirs them then there these they this those though
through thus till to together too totally toward towards truly under unless until up upon
us very via was we well were what whatever when where whether which while who whom whose
why will with within without would yet you your yours yourself
"""

_GREETINGS_AND_REPLIES = """
hi hello hey hiya morning afternoon evening night yes yeah yep yup no nope nah ok okay oki
thanks thank thx ty cheers regards wishes best love take care bye goodbye sorry apologies
sure fine great good alright cool lovely perfect brilliant wonderful fab fantastic awesome
amazing excellent interesting curious again advance lot lots loads everyone all both team
sir madam mate pal dear folks guys there anyway whoever doc doctor dr mr mrs ms miss prof
professor nurse
"""

_PEOPLE_AND_ROLES = """
man woman guy girl boy lady gentleman gent person patient client customer mum mom mother
dad father parent parents wife husband partner son daughter child children kid kids baby
toddler twins grandma grandmother grandad grandfather grandparent nan nana granny grandson
granddaughter sister brother sibling aunt uncle cousin niece nephew friend friends colleague
neighbour neighbor carer caregiver student teacher nurse builder runner cyclist golfer
swimmer dancer athlete footballer player driver pensioner retiree veteran mother-to-be
mum-to-be grandmother-to-be father-to-be office worker desk labourer plumber electrician
chef cleaner farmer gardener mechanic engineer programmer developer lawyer accountant
midwife physio physiotherapist chiropractor osteopath therapist acupuncturist practitioner
receptionist manager owner member newbie beginner first-timer regular vegan vegetarian
diabetic asthmatic epileptic smoker nonsmoker non-smoker human bot robot real new old
young older younger elderly middle-aged teen teenager adult senior single divorced widowed
widow widower
"""

_STATES = """
afraid allergic alone anxious ashamed asleep awake bad bedbound bedridden better
bored broke busy calm careful certain clumsy cold concerned confused crippled curious
deaf depressed desperate determined diagnosed different disabled dizzy done down drained
drowsy due eager embarrassed exhausted faint fine fit frail free frightened frustrated
full glad grateful gutted happy healthy heavy helpless hesitant hopeful hopeless hot hungry
hurt ill immobile impatient injured interested itchy knackered late lazy limping lonely
lost low married menopausal miserable nauseous needle-phobic nervous new normal numb obese
old ok okay open overweight pain-free pregnant ready relieved retired sad scared sceptical
skeptical self-employed shattered shy sick skinny sleepless slim sore sorry stiff stressed
strong stuck sure suspicious swollen tense terrified thankful tired uncomfortable unable
uncertain unemployed unfit unhappy unsure unwell upset useless vulnerable wary weak weary
well wiped woozy worried worse worst wrecked young able unable aware unaware keen fed
allergic pregnant postnatal postpartum breastfeeding nursing immune immunocompromised
housebound wheelchair chronic acute constant desperate stiff sore achy aching limp half
"""

_VERBS = """
ask asked asking attend attending book booked booking call calling came come coming
consider considering contact contacting get gets getting got gotten go goes going gone
had has have having hear heard hearing help helped helping hope hoped hoping keep keeping
know knew known look looked looking make made making mean meant need needed needing
planning read reading reply replying say said saying see seeing seen send sending sent
struggle struggled struggling suffer suffered suffering take taken taking tell telling
think thinking thought try tried trying use used using visit visiting wait waiting want
wanted wanting wonder wondered wondering work worked working write writing wrote
feel feeling felt find finding found live living lived sit sitting stand standing walk
walking run running sleep sleeping lie lying lay bend bending lift lifting lifted recover
recovering recovered heal healing healed manage managing managed cope coping coped
afraid told quoted referred prescribed scheduled booked treated seen waiting
"""

_BODY_AND_HEALTH = """
pain back backache ache aches neck shoulder shoulders hip hips leg legs knee knees foot
feet spine spinal lumbar disc discs slipped herniated bulging prolapsed sciatica sciatic
lumbago arthritis osteoarthritis spondylosis stenosis scoliosis fibromyalgia sprain strain
spasm spasms cramp cramps injury injuries surgery operation op physio physiotherapy massage
acupuncture needles needle cupping moxa moxibustion treatment treatments session sessions
appointment appointments consultation clinic hospital gp nhs a&e ambulance medication
medicine meds painkillers ibuprofen paracetamol codeine tramadol naproxen gabapentin
pregabalin steroid steroids injection injections scan mri xray x-ray results diagnosis
migraine migraines headache headaches tension stress anxiety depression insomnia
inflammation swelling stiffness mobility numbness tingling weakness fever temperature
cancer tumour bladder bowel bowels incontinence pins agony agonising excruciating
unbearable killing crippling awful terrible horrible dreadful severe mild chronic acute
bad worse better constant sharp dull shooting burning throbbing stabbing nagging
pregnancy period periods menopause endometriosis ibs covid flu cold virus
"""

_TIME_AND_NUMBERS = """
today tonight tomorrow yesterday week weeks month months year years day days hour hours
minute minutes time times morning mornings night nights weekend weekends monday tuesday
wednesday thursday friday saturday sunday january february march july
september october november december zero one two three four five six seven eight
nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty
thirty forty fifty sixty seventy eighty ninety hundred first second third fourth fifth
last previous recent recently currently finally now yo yrs y/o
"""

_OTHER = """
here there this that it what which home work office abroad away visiting local nearby
interested booking booked calling writing messaging texting asking enquiring inquiring
referring wondering trying hoping planning thinking looking going getting having doing
also just still only even really very so too quite pretty rather totally completely
absolutely definitely kind sort bit little lot much more less most least way thing things
stuff question questions query message enquiry inquiry info information help advice
worth possible impossible true false right wrong correct same similar different
unclear useful useless normal safe unsafe legit real fake important serious urgent
ridiculous painful helpful hopeless worse worst best better bad good great fine fun free
cheap expensive costly affordable available busy full open closed late early
"""

_ADVERBS_AND_MORE_STATES = """
honestly seriously genuinely currently actually basically literally definitely probably
absolutely completely totally finally usually normally generally constantly slowly quickly
properly badly barely hardly nearly mostly mainly simply certainly obviously clearly
apparently unfortunately luckily hopefully personally physically mentally emotionally
recently lately increasingly extremely incredibly terribly awfully fairly slightly
convinced intrigued sold tempted persuaded keen game open skeptical sceptical impressed
disappointed annoyed angry cross fuming furious livid pleased delighted excited thrilled
nervy jittery twitchy queasy squeamish needle-shy phobic petrified wiped broken battered
bruised crippled crocked laid signed registered insured covered eligible entitled
allowed permitted supposed meant expected about likely unlikely unable desperate
proud lucky blessed confident positive negative optimistic pessimistic motivated active
sporty tall short big small fat thin underweight intolerant sensitive fragile petite large
average typical skint poor rich software tech it office desk shift factory warehouse
construction care retail farm hospital night day full-time part-time freelance sorted
"""

COMMON_WORDS: frozenset[str] = frozenset(
    word
    for block in (
        _FUNCTION,
        _GREETINGS_AND_REPLIES,
        _PEOPLE_AND_ROLES,
        _STATES,
        _VERBS,
        _BODY_AND_HEALTH,
        _TIME_AND_NUMBERS,
        _OTHER,
        _ADVERBS_AND_MORE_STATES,
    )
    for word in block.split()
)

# Endings that English adjectives and verb forms have and given names rarely do.
NON_NAME_SUFFIXES: tuple[str, ...] = (
    "ing",
    "ful",
    "ous",
    "less",
    "able",
    "ible",
    "ness",
    "ment",
    "tion",
    "sion",
    "ically",
    "ied",
    "ated",
    "ened",
    "ized",
    "ised",
)
# A suffix counts only on words at least this long ("Ming", "Sing" stay possible names).
SUFFIX_MIN_LENGTH = 6

# Words that introduce a name rather than being one ("I'm Dr Patel", "this is Mrs Jones",
# "Lots of love, Nan Betty").
TITLES: frozenset[str] = frozenset(
    """
    mr mrs ms miss mx dr doctor prof professor sir dame rev nan nana granny grandma grandpa
    grandad auntie aunty aunt uncle mum mom dad
    """.split()
)
