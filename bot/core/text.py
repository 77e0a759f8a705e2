"""Text normalisation shared by matching and safety: how a patient's message becomes words.

Patients type on phones: capitals, curly apostrophes, accents, emoji, "sooo", no punctuation.
Both the knowledge (phrasings, patterns) and the message go through the same steps, so they
meet in the middle.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

MAX_MESSAGE_CHARS = 4000  # beyond this, matching looks at the start only; safety reads it all

_APOSTROPHES = "'’‘`´ʼ"
_DROP_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)
_NON_WORD = re.compile(r"[^a-z0-9]+")
_NOUN_WILL = re.compile(
    r"\b(?!(?:i|you|he|she|it|we|they|that|there|this|who|what|where|how)\b)([a-z]{3,})['’]ll\b"
)
# "sooo" -> "soo" (letters only: "1000" stays); run after _NON_WORD, which leaves a-z0-9.
_STRETCH = re.compile(r"([a-z])\1\1+")
# Question words that open a clause of their own after a comma ("..., how does it work").
_QUESTION_OPENERS = (
    r"what|whats|how|hows|can|could|will|would|does|do|did|is|are|should|why|whys|when|whens"
    r"|where|wheres|who|whos|whose"
    r"|which|any|anyone"
)
# "From a Chinese point of view, what ...", "In simple terms, how ...": a lead-in that frames
# the question (opening with one of these words, and short) stays part of it.
FRAMING_OPENERS = frozenset("from in according as for regarding speaking medically".split())
FRAMING_WORDS = 9  # a lead-in shorter than this before ", <question word>" is part of the question
_SENTENCE_BREAK = re.compile(
    # a comma before a conjunction ends the clause; the conjunction opens the next one ("...,
    # BUT that has gone now" reads back over what it resolves)
    # ("so" and "because" go with the break: ", so I'll ask" is no "so ill")
    r"[.!?;\n\r]+|\s[-–—]\s|,\s*(?:so|because|cos|coz)\s|,\s*(?=(?:but|and|although)\s)"
)
# The matcher's clauses: the same breaks, plus a colon and a comma before a question word,
# kept (the capturing group) so a clause knows whether a "?" ended it.
_CLAUSE_BREAK = re.compile(
    # Every break starts with one of these characters: the look-ahead turns every other
    # position away with one test, instead of trying each alternative there (same breaks).
    r"(?=[.!?;:,\n\r\s\U0001F300-\U0001FAFF\u2600-\u27BF])"
    # an emoji ends a clause as a full stop does ("since my breakup 🙃 can emotional ...")
    r"([.!?;:\n\r]+|\s*[\U0001F300-\U0001FAFF\u2600-\u27BF][\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F\u200D\s]*|\s[-–—]\s|,\s*(?:but|and|so|because|cos|coz|although)\s"
    rf"|,\s*(?=(?:{_QUESTION_OPENERS})\b)"
    # dictated run-ons without punctuation: "... and i was wondering where ...",
    # "... but i dont know how it works like what do the needles do"
    r"|\s(?=(?:i was wondering|i am wondering|im wondering|i wonder|can you tell me|"
    r"could you tell me|i would like to know|id like to know|i want to know|i wanted to know|"
    r"i just want to know|i just wanted to know|i need to know)\b)"
    rf"|\s(?:and|but|so|like)\s(?=(?:{_QUESTION_OPENERS})\s)"
    # a request, then the story: "can you book me in please my back is stiff"
    r"|(?:(?<=\splease)|(?<=\spls)|(?<=\splz))\s+(?=(?:my|i|im|ive|its|it|the|me)\b)"
    # a comma, then the story: "please get me booked in, my back went at work"
    r"|,\s*(?=(?:my|i['’]?m|i['’]?ve|i)\s)"
    # a comma, then a request: "Dear Sir/Madam, kindly advise ...", "hello, please ..."
    r"|,\s*(?=(?:kindly|please|pls|plz)\s))",
    re.IGNORECASE,
)
# A clause asks when it ends with "?" or opens with a question word, or when it asks whether
# something helps ("... acupuncture can help?", "would needles help with that").
# Small openers and courtesies before the question word: "thanks how much is it",
# "hi there who does it", "cheers and how long".
_OPENERS = (
    r"^(?:(?:so|and|but|ok|okay|also|then|just|please|pls|thanks|thank you|thx|ta|cheers"
    r"|hi|hey|hello|hiya|yo|there|right|great|cool|lovely|sorry|um|erm|hmm)\s+)*"
)
_OPENING = re.compile(_OPENERS)
# A question passed on: "wife asks how many times she must come", "my father is asking
# whether the needles go in his back", "for me i just want to know about rick".
_REPORTED = (
    r"(?:\w+\s+){1,3}(?:asks|asked|is asking|was asking|keeps asking|wants to know|"
    r"wanted to know|would like to know|wonders|is wondering|was wondering)\s+"
    rf"(?:{_QUESTION_OPENERS}|whether|if)"
    # a request: "book me in", "sign me up"
    r"|(?:book|sign|put|squeeze|fit|pencil) me\b"
    # a wish to book said as a statement: "(I) just want to book", "need to make an appointment"
    r"|(?:i\s+)?(?:just\s+|only\s+|really\s+)?(?:want|wanted|would like|d like|wanna|need)\s+"
    r"to\s+(?:book|make an appointment|get an appointment|get booked)\b"
    r"|(?:(?:for me|as for me|and)\s+)?i\s+(?:just\s+|only\s+|really\s+)?"
    r"(?:want|wanted|would like|d like|wanna)\s+to\s+know"
)
_ASKS_OPENING = re.compile(
    _OPENERS + rf"(?:{_REPORTED}|{_QUESTION_OPENERS}|whether|wondering|tell me|i was wondering|"
    r"i am wondering|im wondering|i wonder|i would like to know|id like to know|i want to know|"
    r"i wanted to know|i just want to know|i just wanted to know|i need to know)\b"
)
# A question at the end of a run-on clause: "... can acupuncture help", "... it will work?".
_HELP_VERBS = (
    *("help", "work", "fix", "sort", "ease", "relieve", "give"),
    *("do anything", "be good", "be worth"),
)
_HELP_WORDS = f"(?:{'|'.join(_HELP_VERBS)})"
# The treatment as the subject: "it", "acupuncture", "the needles", "needling", and said
# loosely ("the needle thing", Jamaican "di needle ting", "this acupuncture stuff").
_SUBJECTS = (
    r"(?:(?:the|di|this|that|these|those) )?"
    r"(?:it|acupuncture|acupuntura|needles?|needling|this|that|treatment)"
    r"(?: (?:thing|things|ting|tings|stuff|treatment))?"
)
_INNER_QUESTION = re.compile(
    rf"\b(?:can|could|will|would|does|do|might|is)\s+{_SUBJECTS}\s+(?:\w+\s+){{0,4}}?{_HELP_WORDS}\b"
    rf"|\b{_SUBJECTS}\s+(?:can|could|will|would|might)\s+(?:\w+\s+){{0,2}}?{_HELP_WORDS}\b"
)
# A question asked in statement order, with the question mark the only sign ("my father is
# 70, the acupuncture is good for him?"): the same, when the clause ends with "?".
_INNER_STATEMENT_QUESTION = re.compile(
    rf"\b{_SUBJECTS}\s+(?:is|are|will be|would be|can be)\s+(?:\w+\s+){{0,2}}?"
    r"(?:good|ok|okay|right|suitable|useful|helpful|safe|worth)\b"
)
# A dictated run-on whose question starts mid-clause with no mark before it ("just a dull ache
# in my lower back can I book", "sore since the weekend do you think acupuncture would help"):
# a modal or auxiliary and a subject, after a story that does not ask.
_INNER_RUN_ON_QUESTION = re.compile(
    r"\b(?:can|could|may|should|shall|will|would|do|does|did|is|are)\s+"
    r"(?:i|we|you|u|it|acupuncture|the needles|needles|rick|he|they)\b"
)
# "..., which is fine." after a comma, with no question mark: a relative clause, not a question
_RELATIVE_WHICH = re.compile(
    r"which (?:is|was|are|were|has|had|means|meant|makes|made|helps|helped|seems|isnt|wasnt)\b"
    r"(?! (?:the )?(?:better|best|worse|worst|one|more|less|cheaper|quicker|safer)\b)"
)
INNER_STORY_WORDS = 4  # the story before such a question has at least this many words
RUN_ON_STORY_WORDS = 6  # ... and before one that only a modal and a subject start
_ASKS_HELP_WORDS = ("help", "work", "worth", "good", "fix", "sort", "ease", "relieve")
_ASKS_HELP = re.compile(
    # (not a denial: "my English is NOT so good" tells, it does not ask)
    r"\b(?:can|could|will|would|does|do|is|are|might)\b(?!\s+not\b)(?:\s+\w+){0,4}?\s+"
    rf"(?:{'|'.join(_ASKS_HELP_WORDS)})\b"
)

# A request asks as a question does: "please ..." first, or "... please" last.
_REQUEST_WORDS = ("pl", "kindly", "grateful", "appreciate", "so kind")
_REQUEST = re.compile(
    r"^(?:please|pls|plz|kindly)\b|\b(?:please|pls|plz)$"
    # a letter's request: "I would be grateful if you could explain ...", "I would appreciate
    # it if you could tell me ...", "would you kindly ..."
    r"|\b(?:would|should|id|wed|youd) be (?:\w+ )?grateful if\b"
    r"|\bi(?: would|d) appreciate (?:it )?if\b"
    r"|\bwould you (?:kindly|be so kind)\b"
)


def fold(text: str) -> str:
    """Lower-case, strip accents and drop characters that are not letters, digits or spaces."""
    if text.isascii():
        return _fold_ascii(text)
    # Most messages are plain ASCII: only the others need the per-character work.
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    if "ll" in text:  # "needles'll sort it": a noun's "'ll" is "will" (I'll, it'll stay words)
        text = _NOUN_WILL.sub(r"\1 will", text)
    text = _NON_WORD.sub(" ", text.translate(_DROP_APOSTROPHES))
    return _STRETCH.sub(r"\1\1", text).strip()


# The same steps for ASCII text, as bytes: one table turns every character but a-z0-9 into a
# space (and drops the apostrophes), and splitting on those spaces leaves single ones, as
# _NON_WORD's runs and strip() do. A message is folded several times (whole, clause by
# clause, by the triage): this is 3 us a clause instead of 9-14.
_ASCII_SPACES = bytes(
    c if chr(c).isascii() and (chr(c).islower() or chr(c).isdigit()) else ord(" ")
    for c in range(256)
)
_ASCII_APOSTROPHES = "".join(a for a in _APOSTROPHES if a.isascii()).encode()
_STRETCH_BYTES = re.compile(rb"([a-z])\1\1+")


def _fold_ascii(text: str) -> str:
    text = text.lower()
    if "'ll" in text:  # _NOUN_WILL needs an apostrophe before "ll"; ASCII has only this one
        text = _NOUN_WILL.sub(r"\1 will", text)
    folded = text.encode().translate(_ASCII_SPACES, _ASCII_APOSTROPHES)
    if _STRETCH_BYTES.search(folded):  # rare: the search is cheaper than a sub that finds none
        folded = _STRETCH_BYTES.sub(rb"\1\1", folded)
    return " ".join(folded.decode().split())


def script_words(text: str) -> str:
    """The words of a text in any script ("안녕하세요", "Γεια σας", "नमस्ते"), lower-cased, one
    space between them: what `fold` cannot spell in a-z. Letters and their combining marks
    (the vowel signs of Indian scripts and Thai) are kept; everything else separates."""
    kept = (
        ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " "
        for ch in unicodedata.normalize("NFC", text).casefold()
    )
    return " ".join("".join(kept).split())


def words(text: str) -> list[str]:
    """The folded words of a text."""
    folded = fold(text)
    return folded.split() if folded else []


SENTENCE_BREAK = _SENTENCE_BREAK  # shared with bot.core.prepared, which keeps the "?" too


def sentences(text: str) -> list[str]:
    """Split a message into sentences/clauses (raw, not folded), dropping empty ones."""
    parts = _SENTENCE_BREAK.split(text)
    return [p.strip() for p in parts if p and p.strip()]


def without_openers(folded: str) -> str:
    """A folded clause without the small words and courtesies before what it says ("hi
    there who does it" is "who does it"); the clause itself when nothing else is left."""
    rest = _OPENING.sub("", folded, count=1)
    return rest or folded


def _names_any(text: str, needles: tuple[str, ...]) -> bool:
    """Whether any of these strings is in the text: a few substring tests cost less than
    a search for a pattern that needs one of them (tried at every position of the text):
    _ASKS_HELP needs one of _ASKS_HELP_WORDS, _INNER_QUESTION one of _HELP_VERBS, and
    _REQUEST one of _REQUEST_WORDS."""
    for needle in needles:  # noqa: SIM110 - a loop, not any(): no generator per clause
        if needle in text:
            return True
    return False


def asks(raw: str, folded: str) -> bool:
    """Whether a clause asks: a question mark, a question word first, "can it help", or a
    request ("please get me booked in", "sign me up please")."""
    return raw.rstrip().endswith("?") or bool(
        _ASKS_OPENING.match(folded)
        or (_names_any(folded, _ASKS_HELP_WORDS) and _ASKS_HELP.search(folded))
        or (_names_any(folded, _REQUEST_WORDS) and _REQUEST.search(folded))
    )


def clauses(text: str, folded_text: str | None = None) -> list[tuple[str, str, bool]]:
    """The matcher's clauses of a text: (raw, folded, whether it asks), empty ones dropped.

    Finer than `sentences`: a colon, a comma before a question word and a dictated run-on's
    "... and i was wondering" also start a clause, so the question in a story stands alone;
    a short framing lead-in ("From a Chinese point of view, what ...") stays with its question.
    `folded_text` is `fold(text)`, when the caller has it: a text of one clause is not
    folded again.
    """
    text = text or ""
    found: list[tuple[str, str, bool]] = []
    parts = _CLAUSE_BREAK.split(text)
    lead = ""  # a short framing before a comma and a question ("From a Chinese view, what ...")
    opened = ""  # the break before this part
    for raw, ended in itertools.zip_longest(parts[::2], parts[1::2], fillvalue=""):
        opened, after_comma = ended, opened.strip() == ","
        raw = f"{lead} {raw}" if lead else raw
        framing = fold(lead) if lead else "\0"  # the lead-in's words (none: matches nothing)
        folded = folded_text if folded_text is not None and raw == text else fold(raw)
        lead = ""
        if not folded:
            continue
        if (
            (ended or "").strip() == ","
            and len(folded.split()) < FRAMING_WORDS
            and folded.split()[0] in FRAMING_OPENERS
        ):
            lead = raw  # stays with the question it frames
            continue
        asked = "?" in (ended or "") or (
            asks(raw, folded) and not (after_comma and _RELATIVE_WHICH.match(folded))
        )
        inner = _INNER_QUESTION.search(folded) if _names_any(folded, _HELP_VERBS) else None
        if inner is None and "?" in (ended or ""):
            inner = _INNER_STATEMENT_QUESTION.search(folded)
            if inner and asks(folded[: inner.start()], folded[: inner.start()]):
                inner = None  # "how do I know if acupuncture is right for me?" is one question
        if inner is None:
            # The first such words only: a story with a question of its own earlier ("so for
            # back pain are the needles in the back or do they go in my feet") is one question.
            inner = _INNER_RUN_ON_QUESTION.search(folded)
            story = folded[: inner.start()] if inner else ""
            # after a framing lead-in ("For budgeting purposes, what ... should I expect?")
            framed = story[len(framing) :].lstrip() if story.startswith(framing) else story
            if inner and (
                len(story.split()) < RUN_ON_STORY_WORDS
                or asks(story, story)
                or asks(framed, framed)
            ):
                inner = None
        if inner and len(folded[: inner.start()].split()) >= INNER_STORY_WORDS:
            # "my back is very pain since two weeks acupuncture can help me": the question
            # at the end of a run-on stands alone, as if a full stop came before it.
            story, question = folded[: inner.start()].strip(), folded[inner.start() :]
            found.append((story, story, asks(story, story)))
            found.append((question, question, True))
            continue
        found.append((raw.strip(), folded, asked))
    if lead:
        found.append((lead.strip(), fold(lead), asks(lead, fold(lead))))
    return found
