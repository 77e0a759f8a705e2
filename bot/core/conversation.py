"""The conversation: an event in a chat (and the chat's state) in, a `Reply` out.

`Engine.handle` is the one entry point both adapters call, for free text, commands (deep
links included), button taps and feedback taps; `Engine.respond` is its free-text part, what
`python -m bot ask` prints.

The message is prepared once (`bot.core.prepared.PreparedMessage`) and read by every step. Order of
decisions, safety first: a red flag anywhere in the message wins; a study or a word an answer
itself cites ("Komori 2009", "經絡") leads to that answer; a question the page cannot answer
by its shape (another condition, a practical detail) gets the kind "not on the page" reply;
smalltalk wins only when nothing in the message asks about the treatment, the clinic or the
practitioner; then topics and "not on the page" gaps compete in one matcher, and the best
topic is answered only when it is both confident and clearly ahead of the next (a short
follow-up leans on the last answer's related topics), otherwise the patient is offered choices
("Did you mean ...?") or the menu and the clinic's contact.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, replace
from pathlib import Path

from bot.core.answer_terms import AnswerTerms
from bot.core.events import ChatRecords, Command, Event, Tap, Text
from bot.core.loader import load_knowledge
from bot.core.markup import escape, to_plain
from bot.core.matching import STOPWORDS, Entry, Matcher, Reading, Scored
from bot.core.model import Knowledge, Topic
from bot.core.prepared import PreparedMessage
from bot.core.reply import ACTION_FEEDBACK, ACTION_MENU, ACTION_TOPIC, Button, Kind, Reply
from bot.core.scope import OTHER_BODY_AND_CONDITIONS, OTHER_CONDITION, ScopeReader
from bot.core.shorthand import Shorthand
from bot.core.text import fold, script_words, without_openers
from bot.core.triage import RedFlagHit, Triage

TOPIC, GAP, SMALLTALK = "topic:", "gap:", "smalltalk:"
GREETING = "greeting"
SOCIAL_INTENTS = frozenset({GREETING, "thanks", "goodbye"})  # lose to any real question
SMALLTALK_SCORE = 65  # a smalltalk phrasing must match at least this well
SMALLTALK_LEAST = 40  # a question about the assistant (not a greeting) fits at least this well
SMALLTALK_NEAR = 50  # ... or this well, with a word only smalltalk uses ("cheers", "bot")
SIGNATURE_WORDS = 3  # a name under a letter's closing is this short
JOINING_WORDS = frozenset("and or plus also".split())  # "relieve pain AND reduce inflammation"
COURTESY_WORDS = 4  # a greeting in the page's words is short ("good evening to you")
SMALLTALK_TIE = 3  # two smalltalk intents this close fit alike: the first piece decides
FOLLOW_UP_WORDS = 3  # a message with this few content words may lean on the last answer
FOLLOW_UP_BONUS = 8  # what the last answer's related topics gain in a follow-up
SHORT_QUESTION_WORDS = 1  # "does it work?": this few content words ...
SHORT_QUESTION_MARGIN = 16  # ... need this lead over the second topic to be answered
ADDRESSED = "practitioner doctor sir madam"  # "thank you doctor": whom it is said to
WRITTEN_SCORE = 95  # a topic matched this well was written for this very question
# A modest best score (a long message, or words the phrasings do not quite use) is answered
# only when clearly ahead: a "did you mean" with both costs a tap, a wrong answer costs trust.
MODEST_SCORE = 50
MODEST_MARGIN = 6
# "Your page says ... which study?": the answer whose own sentence the message quotes, when
# it matches this well and this far ahead of any other answer's sentences.
CLAIM_SCORE = 40
CLAIM_MARGIN = 15
CLAIM_RESCUE_WORDS = 5  # ... and, when the phrasings are unsure, with this many content words
# ... or, when it is one of the first two choices the phrasings offer, this far ahead.
CLAIM_TIE_MARGIN = 10
# A claim decides only with a top of CLAIM_SCORE and a second that far behind: an answer's
# sentences scoring no more than this cannot change that, so they are not scored (a whole
# point below the margins, as the scores compared are rounded; Engine._claims).
CLAIM_FLOOR = CLAIM_SCORE - max(CLAIM_MARGIN, CLAIM_TIE_MARGIN) - 1
TIE_CHOICES = 2
WARNING_SIGNS = "warning-signs"  # the gap (not_on_page.yaml) that lists the red flags
OUTSIDE_SCORE = 80  # the score reported for "another condition" / "a practical detail"
# "..., is this possible?": words that ask only whether what was said can be done (stems)
ONLY_WHETHER = frozenset("possibl ok okay allow avail option doabl".split())
# Skin tones, variation selectors and joiners that decorate an emoji.
EMOJI_MODIFIERS = frozenset("\ufe0f\ufe0e\u200d\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")
MAX_MENU_BUTTONS = 40  # a phone screen of buttons; Telegram allows 100 per message
BOOKING_TOPIC = "booking"
ABOUT_TOPIC = "about-practitioner"
BOOKING_DEEP_LINKS = frozenset({"book", "booking"})  # t.me/<bot>?start=book
# A fallback offers at most 6 buttons: these few topics, "All topics" and booking.
MAX_LIKELY_TOPICS = 4
LIKELY_TOPIC_SCORE = 35  # a topic resembling a message less than this is no help
# The commands a patient has, on Telegram and in the terminal alike.
PATIENT_COMMANDS = ("start", "topics", "book", "about", "help", "privacy", "forget")


@dataclass
class ChatState:
    """What the conversation remembers about one chat (kept by the adapter, per chat)."""

    disclaimer_shown: bool = False
    last_topic: str | None = None


@dataclass(frozen=True)
class Decision:
    """What a message is, before any wording: the `ask --json` view of a reply."""

    kind: Kind
    topic_id: str | None = None
    score: int = 0
    suggestions: tuple[str, ...] = ()
    red_flag: RedFlagHit | None = None
    intent: str | None = None  # smalltalk intent or gap id
    # An answer to a message that asks two things or more ("who is the acupuncturist? and
    # how do I book"): the other topics asked, answered after `topic_id`, in the order asked.
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class NothingKept:
    """`ChatRecords` for a conversation that keeps nothing (no store): nothing to forget."""

    retention_days: int = 90

    def forget(self) -> int | None:
        return 0

    def record_feedback(self, topic_id: str, helpful: bool, answer_ref: str) -> bool:
        return True  # thanked; there is nowhere to keep it


NOTHING_KEPT = NothingKept()


# A clause in which the writer says who they are: "my name is Ama", "I work as a receptionist",
# "I'm a retired postman".
_INTRODUCTION = re.compile(r"^(?:and )?(?:my name is|my names|name is|i am|im|i m|i work|i live)\b")
# ... which is about the page only when it tells of the back or a pain
_COMPLAINT = frozenset("pain ach hurt sore stiff agoni".split())


def _question(reading: Reading) -> Reading | None:
    """The clauses that ask, read alone, when the message also tells a story beside them;
    None when nothing asks or everything does."""
    asked = [tokens for tokens, asks in reading.clauses if asks]
    if not asked or len(asked) == len(reading.clauses):
        return None
    return Reading(reading.message, tuple(t for tokens in asked for t in tokens), ())


class Engine:
    """Answers messages from one loaded knowledge base. Immutable once built."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.triage = Triage.from_knowledge(knowledge)
        self.shorthand = Shorthand.from_knowledge(knowledge)
        entries = [
            Entry(TOPIC + t.id, p) for t in knowledge.topics for p in (t.title, *t.phrasings)
        ]
        entries += [Entry(GAP + g.id, p) for g in knowledge.gaps for p in g.phrasings]
        entries += [Entry(SMALLTALK + s.id, p) for s in knowledge.smalltalk for p in s.phrasings]
        keywords = {TOPIC + t.id: t.keywords for t in knowledge.topics if t.keywords}
        self.matcher = Matcher(
            entries, knowledge.synonyms, keywords, known_words=[OTHER_BODY_AND_CONDITIONS]
        )
        self._topics = {t.id: t for t in knowledge.topics}
        self._gaps = {g.id: g for g in knowledge.gaps}
        self._smalltalk = {s.id: s for s in knowledge.smalltalk}
        self._smalltalk_labels = frozenset(SMALLTALK + s.id for s in knowledge.smalltalk)
        self._smalltalk_words = frozenset(self.matcher.words_of_labels(self._smalltalk_labels))
        topic_labels = [TOPIC + t.id for t in knowledge.topics]
        page_labels = [*topic_labels, *(GAP + g.id for g in knowledge.gaps)]
        self._page_words = frozenset(self.matcher.words_of_labels(page_labels))
        self._smalltalk_only = frozenset(
            self.matcher.tokens_of_labels(self._smalltalk_labels)
            - self.matcher.tokens_of_labels(page_labels)
        )
        self._emoji = {
            ch: s.id
            for s in knowledge.smalltalk
            for p in s.phrasings
            if not fold(p) and not script_words(p)
            for ch in p
            if not ch.isspace() and ch not in EMOJI_MODIFIERS
        }
        # Greetings and thanks in scripts other than a-z ("안녕하세요", "شكرا"): matched as
        # whole words, never letter by letter as an emoji is.
        self._in_script = {
            script_words(p): s.id
            for s in knowledge.smalltalk
            for p in s.phrasings
            if not fold(p) and script_words(p)
        }
        self.terms = AnswerTerms(knowledge.topics, knowledge.synonyms)
        # Words that name whom a greeting or a thank-you is said to, not what it asks about.
        self._addressed = (
            frozenset(self.matcher.normal_words(f"{knowledge.clinic.practitioner} {ADDRESSED}"))
            - STOPWORDS
        )
        self.scope = ScopeReader(
            self.matcher.normal_words, self.matcher.words_of_labels(topic_labels), STOPWORDS
        )
        self._menu = tuple(
            self._topic_button(t.id) for t in knowledge.topics if t.id != BOOKING_TOPIC
        )[:MAX_MENU_BUTTONS]

    @classmethod
    def from_directory(cls, directory: Path | str) -> Engine:
        """Load, validate and index a knowledge folder (raises KnowledgeError if broken)."""
        return cls(load_knowledge(directory))

    # -- deciding -----------------------------------------------------------------------
    def decide(self, text: str, *, previous_topic: str | None = None) -> Decision:
        """Classify a message: urgent, answer, suggest, fallback or smalltalk.

        `previous_topic` is the topic answered just before in the same chat: a short message
        that leans on it ("and how often?", "is that on the NHS?") is read in its context.
        Without it (as `ask --json` calls it) every message stands alone.
        """
        return self._decide(text, previous_topic)[0]

    def _decide(
        self, text: str, previous_topic: str | None
    ) -> tuple[Decision, list[Scored] | None]:
        """The decision, and the message's ranking as written when it was worked out on the
        way (a fallback's likely topics are that ranking: not worked out twice)."""
        written = text or ""
        text = self.shorthand.expand(written)
        message = PreparedMessage.of(text)
        if not message.folded:
            intent = self._in_script_intent(text) or self._emoji_intent(text)
            if intent:
                return Decision(Kind.SMALLTALK, score=100, intent=intent), None
            written_in = self.terms.topics(text, [])  # the page's own word alone ("經絡")
            if len(written_in) == 1:
                score = self.knowledge.matching.answer_score
                return Decision(Kind.ANSWER, topic_id=written_in[0], score=score), None
            return Decision(Kind.FALLBACK), None
        triaged = self.triage.assess(message)
        hit = triaged.hit
        if hit is None and text != written:  # a red flag in the words as written counts too
            hit = self.triage.check(written)
        if hit is not None:
            return Decision(Kind.URGENT, score=100, red_flag=hit), None
        heard = self.shorthand.by_ear(text)  # the matcher's reading only (see `by_ear`)
        if heard != text:
            text, message = heard, PreparedMessage.of(heard)
        as_written = self.matcher.read(message)
        reading = self._story_for_pointers(self._without_courtesies(as_written))
        ranked = self.matcher.rank(reading)
        decision = self._classify(text, message, reading, ranked, previous_topic)
        if triaged.asked_in_general and self._warning_signs_asked(decision, reading):
            decision = Decision(Kind.FALLBACK, score=OUTSIDE_SCORE, intent=WARNING_SIGNS)
        return decision, ranked if reading is as_written else None

    def _warning_signs_asked(self, decision: Decision, reading: Reading) -> bool:
        """A question about a red flag in general ("can back problems cause bladder issues?",
        "if someone had numbness in their groin, would you treat them?") is answered with the
        warning signs, not with the topic its other words fit - unless the practitioner wrote
        it as a topic's phrasing, or it names a topic ("do you check for numbness at the FIRST
        CONSULTATION?")."""
        return (
            WARNING_SIGNS in self._gaps
            and decision.kind is Kind.ANSWER
            and decision.score < WRITTEN_SCORE
            and not self.matcher.named_keywords(reading.whole)
        )

    def _classify(
        self,
        text: str,
        message: PreparedMessage,
        reading: Reading,
        ranked: list[Scored],
        previous_topic: str | None,
    ) -> Decision:
        """What a message with no red flag is, from its reading and its ranking."""
        settings = self.knowledge.matching
        # What the message itself scores, before a follow-up's context: the context only
        # breaks ties between topics, never outweighs a gap ("do you take insurance?").
        best_alone = next((s for s in ranked if s.label.startswith(TOPIC)), Scored("", 0))
        context: frozenset[str] = frozenset()
        if previous_topic in self._topics and len(reading.content) <= FOLLOW_UP_WORDS:
            context = frozenset(self._topics[previous_topic].related)
            ranked = self._in_context(ranked, context)
        topics = [s for s in ranked if s.label.startswith(TOPIC)]
        best_topic = topics[0] if topics else Scored("", 0)

        cited = self.terms.topics(text, message.words)
        if cited:
            score = max(best_topic.score, settings.answer_score)
            if len(cited) == 1:
                return Decision(Kind.ANSWER, topic_id=cited[0], score=score)
            return Decision(
                Kind.SUGGEST, score=score, suggestions=cited[: settings.max_suggestions]
            )

        claimed = (
            self._claims(message.words, research_only=True)
            if best_topic.score < WRITTEN_SCORE
            else []
        )
        if self._clear_claim(claimed) and self._claim_fits(claimed[0], topics, best_topic):
            score = max(best_topic.score, settings.answer_score)
            return Decision(Kind.ANSWER, topic_id=claimed[0].label, score=score)

        # A question the practitioner wrote (or taught) as a topic's phrasing is that topic's,
        # whatever its shape: the recognisers below only read what nobody wrote.
        # ... when that phrasing is what the message asks, not the story beside the question
        # ("I'm terrified of needles, will it hurt?" asks whether it hurts).
        written = best_alone.score >= WRITTEN_SCORE and self._asks_first(best_alone.label, reading)
        outside = None if written else self._outside_the_page(reading)
        if outside is not None:
            return outside

        small = self._smalltalk_intent(reading, ranked)
        if small is not None:
            return small

        gap = next((s for s in ranked if s.label.startswith(GAP)), None)
        if gap and gap.label == GAP + OTHER_CONDITION and self._about_the_back(reading):
            gap = None  # "my knee is fine but my back is killing me, can you help"
        # A one-word question ("needles?") fits a gap's phrasing ("do the needles sting") no
        # better than a topic's: the gap must then be clearly ahead, as a topic would.
        short = len(reading.content) <= SHORT_QUESTION_WORDS
        shared = short and not self.matcher.unexplained(reading, [best_topic.label])
        lead = SHORT_QUESTION_MARGIN if shared else 0
        if (
            gap
            and gap.score >= settings.suggest_score
            and gap.score >= best_alone.score + lead
            and self._asked_about(gap.label, reading)
        ):
            return Decision(Kind.FALLBACK, score=gap.score, intent=gap.label.removeprefix(GAP))
        decision = self._topic_decision(topics, reading, context)
        if decision.kind is not Kind.FALLBACK:
            # Topics that fit the message well enough to be offered are what it may ask.
            offered = {
                s.label.removeprefix(TOPIC) for s in topics if s.score >= settings.suggest_score
            }
            asked = self._each_question(reading, offered) or self._named_pair(
                reading, decision, offered
            )
            if asked and decision.topic_id is None:
                return replace(decision, kind=Kind.ANSWER, topic_id=asked[0], also=asked[1:])
            if decision.topic_id in asked:  # the answer stands, and the others follow it
                return replace(decision, also=tuple(t for t in asked if t != decision.topic_id))
        if decision.kind is Kind.ANSWER or len(reading.content) < CLAIM_RESCUE_WORDS:
            return decision  # a short question fits a sentence by one word: offer choices
        # Unsure from the phrasings: a message that says what one answer says in its own
        # words ("how do needles in specific points restore normal function?") is that one.
        claimed = self._claims(reading.message.words)
        if self._clear_claim(claimed) or self._claim_breaks_the_tie(claimed, decision):
            return Decision(Kind.ANSWER, topic_id=claimed[0].label, score=claimed[0].score)
        return decision

    def _claims(self, words: list[str], research_only: bool = False) -> list[Scored]:
        """The answers' sentences the message says, as far as a claim's decision reads them:
        whether one reaches CLAIM_SCORE, and only then every one above CLAIM_FLOOR. Most
        messages say none that well, and the sentences that cannot reach it are then not
        scored. `research_only`: only for a message asking for the research behind it."""
        claims = self.terms.claimed if research_only else self.terms.claims
        found = claims(words, CLAIM_SCORE - 1)
        if found and found[0].score >= CLAIM_SCORE:
            found = claims(words, CLAIM_FLOOR)
        return found

    def _claim_fits(self, claim: Scored, topics: list[Scored], best: Scored) -> bool:
        """A research question's claim decides when the phrasings are unsure, or when they
        rank its topic among the choices: "how does acupuncture work and what's the evidence?"
        says "acupuncture can work alongside conventional care" too, but is not about that."""
        settings = self.knowledge.matching
        if best.score < settings.answer_score:
            return True
        ranked = next((s.score for s in topics if s.label == TOPIC + claim.label), 0)
        return ranked >= settings.suggest_score

    @staticmethod
    def _clear_claim(claimed: list[Scored]) -> bool:
        """One answer's sentences fit the message well and clearly better than any other's."""
        if not claimed or claimed[0].score < CLAIM_SCORE:
            return False
        second = claimed[1].score if len(claimed) > 1 else 0
        return claimed[0].score - second >= CLAIM_MARGIN

    @staticmethod
    def _claim_breaks_the_tie(claimed: list[Scored], decision: Decision) -> bool:
        """Two of the choices offered are near tie on the phrasings, and the message says
        what one of them says in its own words, clearly more than any other answer: two
        independent readings agree ("is it true back pain is about less blood circulating?")."""
        if decision.kind is not Kind.SUGGEST or not claimed or claimed[0].score < CLAIM_SCORE:
            return False
        second = claimed[1].score if len(claimed) > 1 else 0
        return (
            claimed[0].label in decision.suggestions[:TIE_CHOICES]
            and claimed[0].score - second >= CLAIM_TIE_MARGIN
        )

    def _asked_about(self, label: str, reading: Reading) -> bool:
        """Whether what the message asks fits this label, not only the story around the
        question ("my GP referred me to physio. Can acupuncture be done at the same time?"
        asks about the two together, not about the NHS)."""
        question = _question(reading)
        if question is None:
            return True
        needed = self.knowledge.matching.suggest_score
        # Only whether this label reaches `needed` counts: what scores a point below it
        # (rounded) is not worked out.
        ranked = self.matcher.rank(question, floor=needed - 1)
        score = next((s.score for s in ranked if s.label == label), 0)
        return score >= needed

    def _asks_first(self, label: str, reading: Reading) -> bool:
        """Whether what the message asks, read without the story beside it, fits this label
        best (of every label, gaps and smalltalk too)."""
        question = _question(reading)
        if question is None:
            return True
        ranked = self.matcher.rank(question, limit=1)
        return not ranked or ranked[0].label == label

    def _without_courtesies(self, reading: Reading) -> Reading:
        """The reading without a letter's opening and closing ("Dear Sir,", "Kind regards,
        Arthur"): clauses with a word only smalltalk uses, no word of the page, and no
        question. A message that is nothing but courtesies is kept whole (it is smalltalk)."""
        if len(reading.clauses) < 2:
            return reading
        kept = [
            (tokens, asks)
            for tokens, asks in reading.clauses
            if asks or not self._courtesy(reading, tokens)
        ]
        if len(kept) < len(reading.clauses):
            # the name under a letter's closing ("Regards, M. Fenwick") goes with it
            kept = [(tokens, asks) for tokens, asks in kept if asks or not self._signed(tokens)]
        if not kept or len(kept) == len(reading.clauses):
            return reading
        if not any(asks for _, asks in kept) and not any(
            self._tells_the_page(tokens) for tokens, _ in kept
        ):
            # "Hello, good day, I am new in the UK from Ghana", "Good evening, my name is
            # Teodora": the rest only introduces the writer - no question, no word of the
            # page - so the message is its courtesies, read without the introduction.
            kept = [clause for clause in reading.clauses if clause not in kept]
        whole = tuple(t for tokens, _ in kept for t in tokens)
        return replace(reading, whole=whole, clauses=tuple(kept) if len(kept) > 1 else ())

    def _story_for_pointers(self, reading: Reading) -> Reading:
        """A question that only points back at the story ("I take co-codamol and want to cut
        down. Could acupuncture help with that?") is about what the story named: it is read
        with the story's telling words, not alone, where it looks like "can acupuncture help?"."""
        if len(reading.clauses) < 2:
            return reading
        pointing = [asks and self.scope.points_back(tokens) for tokens, asks in reading.clauses]
        if not any(pointing):
            return reading
        named = self.matcher.named_keywords(reading.whole)
        if not named:
            return reading
        clauses = tuple(
            (tokens + tuple(sorted(named - set(tokens))), asks) if points else (tokens, asks)
            for (tokens, asks), points in zip(reading.clauses, pointing, strict=True)
        )
        return replace(reading, clauses=clauses)

    def _signed(self, tokens: tuple[str, ...]) -> bool:
        """A few words the knowledge does not know at all: a name signing a letter."""
        words = set(tokens) - STOPWORDS
        return len(tokens) <= SIGNATURE_WORDS and not words & (
            self._page_words | self._smalltalk_words
        )

    def _tells_the_page(self, tokens: tuple[str, ...]) -> bool:
        """Whether a clause that does not ask says something of the page; an introduction
        ("I work as a receptionist", "my name is Ama") only when it tells of the back or a
        pain ("name" and "work" are words of the page too)."""
        if _INTRODUCTION.match(" ".join(tokens)):
            # ("I live with fibromyalgia" tells of a condition: not an introduction)
            return bool(set(tokens) & (self.scope.back_words | self.scope.other_body | _COMPLAINT))
        return self._of_the_page(tokens)

    def _of_the_page(self, tokens: tuple[str, ...]) -> bool:
        """Whether a clause uses a word of the page that smalltalk does not ("back", "needles")."""
        return bool((set(tokens) - STOPWORDS) & self._page_words - self._smalltalk_words)

    def _courtesy(self, reading: Reading, tokens: tuple[str, ...]) -> bool:
        """A clause with a word only smalltalk uses and none of the page's ("Kind regards"),
        or one that is a greeting or a thank-you in words the page also uses ("Good
        evening": the hours are asked about in the evening too)."""
        if set(tokens) & self._smalltalk_only:
            return not self._of_the_page(tokens)
        content = set(tokens) - STOPWORDS
        if not content <= self._smalltalk_words or len(tokens) > COURTESY_WORDS:
            return False
        clause = Reading(reading.message, tokens, ())
        ranked = self.matcher.rank(clause, limit=1, floor=SMALLTALK_SCORE - 1)
        return (
            bool(ranked)
            and ranked[0].label.startswith(SMALLTALK)
            and (ranked[0].score >= SMALLTALK_SCORE)
        )

    def _topic_decision(
        self, topics: list[Scored], reading: Reading, context: frozenset[str] = frozenset()
    ) -> Decision:
        """Answer the best topic when it is confident and clearly ahead, else offer choices;
        `context` holds the topics a follow-up to the last answer may lean on."""
        settings = self.knowledge.matching
        best_topic = topics[0] if topics else Scored("", 0)
        second = topics[1].score if len(topics) > 1 else 0
        margin = best_topic.score - second
        # A short question that fits two topics ("does it work?") is not guessed at, unless
        # it follows an answer whose related topic it fits best.
        leans = best_topic.label.removeprefix(TOPIC) in context
        short = len(reading.content) <= SHORT_QUESTION_WORDS and not leans
        answer_margin, clear_margin = settings.answer_margin, settings.clear_margin
        if short:
            answer_margin = max(answer_margin, SHORT_QUESTION_MARGIN)
            clear_margin = max(clear_margin, SHORT_QUESTION_MARGIN)
        if best_topic.score < MODEST_SCORE:
            answer_margin = max(answer_margin, MODEST_MARGIN)
        confident = best_topic.score >= settings.answer_score and margin >= answer_margin
        unrivalled = best_topic.score >= settings.suggest_score and margin >= clear_margin
        if confident or unrivalled:
            return Decision(
                Kind.ANSWER, topic_id=best_topic.label.removeprefix(TOPIC), score=best_topic.score
            )
        if best_topic.score >= settings.suggest_score:
            floor = max(settings.suggest_score, best_topic.score - 25)
            choices = tuple(
                s.label.removeprefix(TOPIC)
                for s in topics[: settings.max_suggestions]
                if s.score >= floor
            )
            return Decision(Kind.SUGGEST, score=best_topic.score, suggestions=choices)
        return Decision(Kind.FALLBACK, score=best_topic.score)

    def _each_question(self, reading: Reading, offered: set[str]) -> tuple[str, ...]:
        """The topics of a message that asks two things or more, in the order asked, when
        each question on its own is clearly one of the topics offered and no two are the
        same ("who is the acupuncturist? and how do I book"); else nothing (choices stand)."""
        asked = [tokens for tokens, asks in reading.clauses if asks]
        if len(asked) < 2:
            return ()
        found: list[str] = []
        for tokens in asked:
            alone = Reading(reading.message, tokens, ())
            ranked = self.matcher.rank(alone)
            if not ranked or not ranked[0].label.startswith(TOPIC):
                return ()  # a gap or smalltalk asked beside: the choices stand
            decision = self._topic_decision([s for s in ranked if s.label.startswith(TOPIC)], alone)
            if decision.kind is not Kind.ANSWER or decision.topic_id not in offered:
                return ()
            found.append(decision.topic_id)
        return tuple(dict.fromkeys(found)) if len(set(found)) == len(found) else ()

    def _named_pair(
        self, reading: Reading, decision: Decision, offered: set[str]
    ) -> tuple[str, ...]:
        """Two topics one question names by their keywords, both fitting well enough to be
        offered ("does it relieve pain and reduce inflammation?"): both are asked, in the
        order named."""
        asked = [t for tokens, asks in reading.clauses if asks for t in tokens] or list(
            reading.whole
        )
        if JOINING_WORDS.isdisjoint(asked):
            return ()  # the usual case: nothing joins two things asked
        named = [
            (at, label.removeprefix(TOPIC))
            for at, label in self.matcher.labels_named(asked)
            if label.startswith(TOPIC) and label.removeprefix(TOPIC) in offered
        ]
        if decision.kind is Kind.SUGGEST:
            named = [(at, t) for at, t in named if t in decision.suggestions[:TIE_CHOICES]]
        if len(named) != TIE_CHOICES:
            return ()
        # named as two things asked: "X and Y", "X or just Y"
        (first, a), (second, b) = named
        return (a, b) if JOINING_WORDS.intersection(asked[first + 1 : second]) else ()

    @staticmethod
    def _in_context(ranked: list[Scored], context: frozenset[str]) -> list[Scored]:
        """A short follow-up: the last answer's related topics gain a little, so a tie
        between a related topic and an unrelated one goes to the related one."""
        related = {TOPIC + r for r in context}
        boosted = [
            Scored(s.label, min(100, s.score + FOLLOW_UP_BONUS)) if s.label in related else s
            for s in ranked
        ]
        return sorted(boosted, key=lambda s: (-s.score, s.label))

    def _smalltalk_intent(self, reading: Reading, ranked: list[Scored]) -> Decision | None:
        """Smalltalk, unless something in the message asks about the treatment, the clinic
        or the practitioner: a short question is a question ("how much is it?")."""
        # "Hi Rick", "Dear Doctor", "legend, thanks": a greeting or a thank-you and only whom
        # it is said to (a name, a word the knowledge does not know) is read without them.
        aside = reading.content - self._page_words - self._smalltalk_words | self._addressed
        if reading.content and reading.content <= aside and not reading.message.asking:
            bare = " ".join(t for t in reading.whole if t not in aside)
            ranked = self.matcher.rank(bare) if bare else []
        small = next((s for s in ranked if s.label.startswith(SMALLTALK)), None)
        if small is None:
            return None
        small = self._first_said(reading, ranked, small)
        settings = self.knowledge.matching
        intent = small.label.removeprefix(SMALLTALK)
        # Words only smalltalk uses ("cheers", "bot", "speak"), and the message's content
        # words that the topics or gaps use and smalltalk does not ("sessions", "price").
        ours = set(reading.whole) & self._smalltalk_only
        page = (reading.content & self._page_words) - self._smalltalk_words
        if intent in SOCIAL_INTENTS:
            page -= self._addressed  # "Hi Rick", "thank you doctor": whom it is said to
        best_other = max((s.score for s in ranked if not s.label.startswith(SMALLTALK)), default=0)
        # A weaker match still counts with a word only smalltalk uses ("cheers", "sorry"),
        # when it is near enough or nothing else in the knowledge fits at all.
        near = small.score >= SMALLTALK_NEAR or best_other < settings.suggest_score
        # A question about the assistant itself ("are you a real person?") shares few words
        # with anything else, but must still fit one of its phrasings a little: "can you read
        # my MRI report" shares only "read" with "is someone actually reading this".
        least = 0 if intent in SOCIAL_INTENTS else SMALLTALK_LEAST
        if small.score < SMALLTALK_SCORE and not (ours and near and small.score >= least):
            return None
        if small.score < SMALLTALK_NEAR and len(page) > len(ours):
            # "I'd love to bend down without my back locking": one word smalltalk uses
            # ("love") in a sentence about the back is not a thank-you.
            return None
        if intent in SOCIAL_INTENTS:
            # A question besides the greeting or thanks is answered instead; one that is
            # itself social ("how are you?") is not a question about us.
            asking = list(reading.message.asking)
            if asking and not all(self._is_social(c.folded) for c in asking):
                return None
            if page and best_other >= settings.suggest_score:
                return None
        else:
            # "Are you a bot?", "can I speak to Rick": about the assistant or a person, in
            # words the topics do not use, or fitting at least as well as any topic.
            # A greeting before the question says nothing of the assistant ("hi who does it").
            ours &= set(without_openers(" ".join(reading.whole)).split())
            if small.score < best_other and len(ours) < max(1, len(page)):
                return None
            # "Is poor circulation behind my back ache, is that a real thing?": another
            # question that fits a topic is what is asked, not whether the bot is real.
            # "Hi, are you a real person? How many sessions": the other question is answered.
            asked = [tokens for tokens, asks in reading.clauses if asks]
            if len(asked) >= 2 and any(
                self._asks_a_topic(Reading(reading.message, tokens, ())) for tokens in asked
            ):
                return None
        return Decision(Kind.SMALLTALK, score=small.score, intent=intent)

    def _first_said(self, reading: Reading, ranked: list[Scored], small: Scored) -> Scored:
        """Of two smalltalk intents that fit a message alike ("thank you so much, sorry for
        all my questions"), the one its first piece says: what is said first is meant."""
        tied = [
            s.label
            for s in ranked
            if s.label.startswith(SMALLTALK) and s.score >= small.score - SMALLTALK_TIE
        ]
        first = fold(reading.message.text.split(",", 1)[0])
        if len(tied) < 2 or not first or first == reading.message.folded:
            return small
        alone = next((s for s in self.matcher.rank(first) if s.label in tied), None)
        return replace(small, label=alone.label) if alone else small

    def _asks_a_topic(self, clause: Reading) -> bool:
        """Whether one clause on its own fits a topic best, well enough to be offered."""
        ranked = self.matcher.rank(clause, limit=1)
        return (
            bool(ranked)
            and ranked[0].label.startswith(TOPIC)
            and (ranked[0].score >= self.knowledge.matching.suggest_score)
        )

    def _is_social(self, folded: str) -> bool:
        """Whether a clause is itself smalltalk ("how are you", "is anyone there")."""
        # Only a greeting at SMALLTALK_NEAR counts: what scores a point below it (rounded),
        # and so cannot be that greeting, is not worked out.
        # What follows a greeting is what is asked: "hi, who does it?" is not "hi there".
        ranked = self.matcher.rank(without_openers(folded), limit=1, floor=SMALLTALK_NEAR - 1)
        # Only a greeting is asked ("how are you?", "anyone there?"): a thank-you or a
        # goodbye is never a question, so "how soon can I get seen?" is not "see you soon".
        return (
            bool(ranked)
            and ranked[0].label == SMALLTALK + GREETING
            and ranked[0].score >= SMALLTALK_NEAR
        )

    def _outside_the_page(self, reading: Reading) -> Decision | None:
        """Another condition, or a practical detail the page does not give, decided by what
        the asking clauses ask (every one of them, so a second real question still counts)."""
        if reading.clauses:
            # "I would prefer a lady practitioner, is this possible?": a question that only
            # asks whether what was said can be done is read with what was said.
            parts = [
                reading.whole if self._asks_only_whether(tokens) else tokens
                for tokens, asks in reading.clauses
                if asks
            ]
        else:
            parts = [reading.whole] if reading.message.asking else []
        found = [self.scope.outside(tokens, reading.whole) for tokens in parts]
        if not found or None in found:
            return None
        gap_id = found[0]
        if gap_id not in self._gaps:
            return None
        return Decision(Kind.FALLBACK, score=OUTSIDE_SCORE, intent=gap_id)

    @staticmethod
    def _asks_only_whether(tokens: tuple[str, ...]) -> bool:
        """Whether a clause asks only if something can be done ("is this possible?",
        "would that be ok?"), naming nothing itself."""
        words = set(tokens)
        return bool(words & ONLY_WHETHER) and words - STOPWORDS <= ONLY_WHETHER

    def _about_the_back(self, reading: Reading) -> bool:
        """The message names the back, and what it asks names no other part or condition."""
        asked = [t for tokens, asks in reading.clauses if asks for t in tokens] or reading.whole
        return bool(self.scope.back_words & set(reading.whole)) and not (
            self.scope.other_body & set(asked)
        )

    def _in_script_intent(self, text: str) -> str | None:
        """A greeting or a thank-you written in another script ("안녕하세요!", "Спасибо 🙏"):
        the intent of the whole, or of its first piece when every piece is one."""
        said = script_words(text)
        if not said:
            return None
        if said in self._in_script:
            return self._in_script[said]
        pieces = [script_words(p) for p in re.split(r"[.,!?;:\n]+", text)]
        pieces = [p for p in pieces if p]
        if pieces and all(p in self._in_script for p in pieces):
            return self._in_script[pieces[0]]
        return None

    def _emoji_intent(self, text: str) -> str | None:
        """An emoji-only message ("🙏", "👍👍"): the smalltalk intent whose phrasings list it."""
        marks = [ch for ch in text if not ch.isspace() and ch not in EMOJI_MODIFIERS]
        for ch in marks:
            if ch in self._emoji:
                return self._emoji[ch]
        return None

    # -- replying -----------------------------------------------------------------------

    # -- the one entry point ------------------------------------------------------------
    def handle(self, event: Event, state: ChatState, records: ChatRecords | None = None) -> Reply:
        """The reply to anything that happens in a chat: what every adapter calls.

        `state` is the chat's memory (kept by the adapter, one per chat); `records` is what
        the store keeps about this chat (None: nothing is kept). Answers carry "Helpful" /
        "Not helpful" buttons: a tap names the message it sat under, so it counts once per
        answer. Never raises for any text.
        """
        kept = records if records is not None else NOTHING_KEPT
        if isinstance(event, Text):
            return self._with_feedback(self.respond(event.text, state))
        if isinstance(event, Command):
            return self._command(event, state, kept)
        if isinstance(event, Tap):
            return self._tap(event, state, kept)
        return self.not_text()

    def _command(self, command: Command, state: ChatState, records: ChatRecords) -> Reply:
        name = command.name
        if name == "start":
            payload = command.args[0] if command.args else ""
            if payload in BOOKING_DEEP_LINKS:
                return self.booking()
            if payload in self._topics:
                return self._with_feedback(self.answer_topic(payload, state))
            return self.welcome(state)
        if name == "about":
            return self._with_feedback(self.about(state))
        if name == "privacy":
            return self.privacy(records.retention_days)
        if name == "forget":
            deleted = records.forget()
            if deleted is None:
                return self.forget_failed()
            state.disclaimer_shown, state.last_topic = False, None  # its memory goes too
            return self.forgotten(deleted)
        simple = {"help": self.help, "topics": self.menu, "book": self.booking}
        return simple.get(name, self.help)()  # an unknown command: how to use the assistant

    def _tap(self, tap: Tap, state: ChatState, records: ChatRecords) -> Reply:
        if tap.message_ref is None:  # the message it sat under is gone: one polite notice
            return Reply(Kind.SMALLTALK, "", toast=to_plain(self.knowledge.messages.button_gone))
        action, _, value = tap.data.partition(":")
        if action == ACTION_TOPIC:
            return self._with_feedback(self.answer_topic(value, state))
        if action == ACTION_MENU and not value:
            return self.menu()
        topic_id, _, verdict = value.partition(":")
        if action == ACTION_FEEDBACK and verdict in ("yes", "no"):
            return self._feedback(topic_id, verdict == "yes", tap.message_ref, records)
        # Data we never sent (forged, or from an old version): the menu, politely.
        return self.answer_topic(tap.data, state)

    def _feedback(
        self, topic_id: str, helpful: bool, answer_ref: str, records: ChatRecords
    ) -> Reply:
        """Kept once per answer, thanked; a "no" gets the way to a person."""
        messages = self.knowledge.messages
        if topic_id not in self._topics:  # a topic since removed (or forged data): not kept
            return Reply(
                Kind.SMALLTALK, "", toast=to_plain(messages.feedback_thanks), clear_feedback=True
            )
        kept = records.record_feedback(topic_id, helpful, answer_ref)
        toast = to_plain(messages.feedback_thanks if kept else messages.feedback_already)
        if kept and not helpful:
            return dataclasses.replace(self.not_helpful(), toast=toast, clear_feedback=True)
        return Reply(Kind.SMALLTALK, "", toast=toast, clear_feedback=True)

    def _with_feedback(self, reply: Reply) -> Reply:
        """An answer with "Helpful" / "Not helpful" under it; any other reply unchanged."""
        if reply.kind is not Kind.ANSWER or not reply.topic_id:
            return reply
        buttons = (*reply.buttons, *self.feedback_buttons(reply.topic_id))
        return dataclasses.replace(reply, buttons=buttons)

    # -- replies ------------------------------------------------------------------------
    def respond(self, text: str, state: ChatState | None = None) -> Reply:
        """The reply to one free-text message (no feedback buttons: see `handle`)."""
        state = state if state is not None else ChatState()
        decision, ranked = self._decide(text, state.last_topic)
        if decision.kind is Kind.URGENT:
            assert decision.red_flag is not None
            body = self.knowledge.messages.urgent.replace("{flag}", escape(decision.red_flag.name))
            return Reply(Kind.URGENT, body, score=100)
        if decision.kind is Kind.ANSWER and decision.topic_id:
            if decision.also:
                return self._answers(decision, state)
            return self._answer(self._topics[decision.topic_id], state, decision.score)
        if decision.kind is Kind.SUGGEST:
            buttons = tuple(self._topic_button(t) for t in decision.suggestions)
            return Reply(
                Kind.SUGGEST,
                self.knowledge.messages.did_you_mean,
                score=decision.score,
                suggestions=decision.suggestions,
                buttons=(*buttons, self._menu_button()),
            )
        if decision.kind is Kind.SMALLTALK and decision.intent:
            return self._smalltalk_reply(decision)
        gap = self._gaps.get(decision.intent or "")
        text_out = gap.reply if gap and gap.reply else self.knowledge.messages.fallback
        likely_ids = self.likely_topics(text) if ranked is None else self._likely(ranked)
        likely = tuple(self._topic_button(t) for t in likely_ids)
        return Reply(
            Kind.FALLBACK,
            text_out,
            score=decision.score,
            buttons=(*likely, self._menu_button(), self._booking_button()),
        )

    def likely_topics(self, text: str) -> tuple[str, ...]:
        """The topics a message that got no answer most resembles, best first (a few at most).

        A fallback offers these and "All topics" instead of the whole menu: a short list the
        patient can read on a phone, with the rest one tap away.
        """
        if not text.strip():
            return ()
        return self._likely(self.matcher.rank(text))

    @staticmethod
    def _likely(ranked: list[Scored]) -> tuple[str, ...]:
        """The likely topics among a message's ranking (see `likely_topics`)."""
        return tuple(
            s.label.removeprefix(TOPIC)
            for s in ranked
            if s.label.startswith(TOPIC)
            and s.score >= LIKELY_TOPIC_SCORE
            and s.label != TOPIC + BOOKING_TOPIC  # booking is its own button
        )[:MAX_LIKELY_TOPICS]

    def answer_topic(self, topic_id: str, state: ChatState | None = None) -> Reply:
        """A topic chosen by a button or a deep link; an unknown id gets the menu kindly."""
        state = state if state is not None else ChatState()
        topic = self._topics.get(topic_id)
        if topic is None:
            return Reply(
                Kind.FALLBACK,
                self.knowledge.messages.unknown_topic,
                buttons=(*self._menu_buttons(), self._booking_button()),
            )
        return self._answer(topic, state, 100)

    def welcome(self, state: ChatState | None = None) -> Reply:
        """/start: who this is, the disclaimer, the topic menu and booking."""
        state = state if state is not None else ChatState()
        notes = self._disclaimer(state)
        return Reply(
            Kind.SMALLTALK,
            self.knowledge.messages.welcome,
            buttons=(*self._menu_buttons(), self._booking_button()),
            notes=notes,
        )

    def menu(self) -> Reply:
        """/topics: every topic as a button, and booking."""
        return Reply(
            Kind.SMALLTALK,
            self.knowledge.messages.menu,
            buttons=(*self._menu_buttons(), self._booking_button()),
        )

    def booking(self) -> Reply:
        """/book: how to book, with the booking link as a button."""
        return Reply(
            Kind.ANSWER,
            self.knowledge.messages.booking,
            topic_id=BOOKING_TOPIC if BOOKING_TOPIC in self._topics else None,
            score=100,
            buttons=(self._booking_button(),),
        )

    def help(self) -> Reply:
        """/help: how to use the assistant."""
        return Reply(
            Kind.SMALLTALK,
            self.knowledge.messages.help,
            buttons=(self._menu_button(), self._booking_button()),
        )

    def about(self, state: ChatState | None = None) -> Reply:
        """/about: the practitioner."""
        return self.answer_topic(ABOUT_TOPIC, state)

    def not_text(self) -> Reply:
        """Stickers, photos, voice notes, files: kindly ask for text."""
        return Reply(
            Kind.FALLBACK, self.knowledge.messages.not_text, buttons=(self._menu_button(),)
        )

    def error(self) -> Reply:
        """Something failed inside the bot: say so and how to reach the clinic."""
        return Reply(
            Kind.FALLBACK, self.knowledge.messages.error, buttons=(self._booking_button(),)
        )

    def feedback_buttons(self, topic_id: str) -> tuple[Button, ...]:
        """ "Helpful" / "Not helpful" for one topic's answer.

        Not part of the answer itself: only an adapter that can tell which answer a tap
        belongs to (Telegram, by message) shows them.
        """
        messages = self.knowledge.messages
        return (
            Button(messages.feedback_yes, action=ACTION_FEEDBACK, value=f"{topic_id}:yes"),
            Button(messages.feedback_no, action=ACTION_FEEDBACK, value=f"{topic_id}:no"),
        )

    def not_helpful(self) -> Reply:
        """After a "not helpful" tap: sorry, and the way to a person (booking and contact)."""
        return Reply(
            Kind.FALLBACK,
            self.knowledge.messages.not_helpful,
            buttons=(self._booking_button(), self._menu_button()),
        )

    def forget_failed(self) -> Reply:
        """/forget could not delete the chat's rows: say so kindly and how else to get it done."""
        return Reply(
            Kind.FALLBACK,
            self.knowledge.messages.forget_failed,
            buttons=(self._booking_button(),),
        )

    def privacy(self, retention_days: int) -> Reply:
        """/privacy: what is stored, why, for how long, and how to delete it."""
        text = self.knowledge.messages.privacy.replace("{retention_days}", str(retention_days))
        return Reply(Kind.SMALLTALK, text)

    def forgotten(self, deleted: int) -> Reply:
        """The /forget reply, saying plainly how many records were removed."""
        messages = self.knowledge.messages
        if deleted == 0:
            return Reply(Kind.SMALLTALK, messages.forget_nothing)
        records = "1 record" if deleted == 1 else f"{deleted} records"
        return Reply(Kind.SMALLTALK, messages.forget_done.replace("{records}", records))

    # -- pieces -------------------------------------------------------------------------
    def _answer(self, topic: Topic, state: ChatState, score: int) -> Reply:
        state.last_topic = topic.id
        # The booking link is always offered as a button, so a "booking" topic button would repeat it.
        related = tuple(
            self._topic_button(r) for r in topic.related if r in self._topics and r != BOOKING_TOPIC
        )
        return Reply(
            Kind.ANSWER,
            topic.answer,
            topic_id=topic.id,
            score=score,
            buttons=(*related, self._booking_button()),
            notes=self._disclaimer(state),
        )

    def _answers(self, decision: Decision, state: ChatState) -> Reply:
        """One reply to a message that asks several things: each answer under its title."""
        assert decision.topic_id is not None
        topics = [self._topics[t] for t in (decision.topic_id, *decision.also)]
        first = self._answer(topics[0], state, decision.score)
        text = "\n\n".join(f"<b>{escape(t.title)}</b>\n{t.answer}" for t in topics)
        state.last_topic = topics[-1].id
        asked = {t.id for t in topics}
        related = dict.fromkeys(
            r for t in topics for r in t.related if r in self._topics and r not in asked
        )
        buttons = tuple(self._topic_button(r) for r in related if r != BOOKING_TOPIC)
        return dataclasses.replace(first, text=text, buttons=(*buttons, self._booking_button()))

    def _smalltalk_reply(self, decision: Decision) -> Reply:
        intent = self._smalltalk[decision.intent or ""]
        if intent.id == "greeting":
            buttons: tuple[Button, ...] = (self._menu_button(), self._booking_button())
        elif intent.id in ("human", "bot"):
            buttons = (self._booking_button(),)
        else:
            buttons = ()
        return Reply(Kind.SMALLTALK, intent.reply, score=decision.score, buttons=buttons)

    def _disclaimer(self, state: ChatState) -> tuple[str, ...]:
        if state.disclaimer_shown:
            return ()
        state.disclaimer_shown = True
        return (self.knowledge.messages.disclaimer,)

    def _topic_button(self, topic_id: str) -> Button:
        return Button(self._topics[topic_id].title, action=ACTION_TOPIC, value=topic_id)

    def _menu_buttons(self) -> tuple[Button, ...]:
        return self._menu

    def _menu_button(self) -> Button:
        return Button(self.knowledge.messages.menu_button, action=ACTION_MENU)

    def _booking_button(self) -> Button:
        return Button(self.knowledge.messages.booking_button, url=self.knowledge.clinic.booking_url)
