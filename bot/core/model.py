"""The knowledge base as plain values: what the loader builds from `knowledge/*.yaml`.

Everything here is frozen: a loaded knowledge base never changes; a reload builds a new one
and swaps it in whole, so a message is always answered from one consistent version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Topic:
    """One thing patients ask about, answered from the clinic's page."""

    id: str
    title: str  # short label for buttons
    answer: str  # the reply text (HTML subset, see bot.core.reply)
    phrasings: tuple[str, ...]  # ways patients ask it
    keywords: tuple[str, ...] = ()  # words or short phrases that point strongly here
    related: tuple[str, ...] = ()  # topic ids offered as follow-up buttons
    source: Path | None = None  # the YAML file it came from


@dataclass(frozen=True)
class RedFlag:
    """One emergency sign (PRODUCT.md red flags), described in the triage's pattern language."""

    id: str
    name: str  # plain words used in the urgent reply, e.g. "loss of bladder control"
    when: tuple[str, ...]  # patterns; any one matching raises the flag
    unless: tuple[str, ...] = ()  # narrow exceptions: patterns that cancel it in the same sentence
    past_counts: bool = False  # a past one still counts ("a history of cancer")
    # patterns that keep it standing beside an exception ("WITHOUT CHANGING ANYTHING, thought
    # it was stress": the writer cannot explain it)
    despite: tuple[str, ...] = ()


AXES = ("negation", "historical", "hypothetical", "experiencer")
DIRECTIONS = ("forward", "backward", "both")


@dataclass(frozen=True)
class ContextRule:
    """A group of ConText trigger words: on which axis they set a red flag aside, in which
    direction and how far they reach (red_flags.yaml, "context")."""

    axis: str  # one of AXES
    direction: str  # one of DIRECTIONS: the sign comes after, before, or either side
    scope: int | None  # how many words away the sign may be; None: anywhere in the sentence
    triggers: tuple[str, ...]  # phrases in the pattern language ("years ago | year ago")
    over: tuple[str, ...] = ()  # when set, only these words may stand between trigger and sign
    until: tuple[str, ...] = ()  # words that end this group's reach, besides `terminations`
    not_after: tuple[str, ...] = ()  # words right before a trigger that make it none ("with")
    not_before: tuple[str, ...] = ()  # words right after a trigger that make it none ("here")


@dataclass(frozen=True)
class TriageContext:
    """Everything the triage reads around a red flag, from red_flags.yaml."""

    rules: tuple[ContextRule, ...] = ()
    terminations: tuple[str, ...] = ()  # end every trigger's reach ("but", "however")
    negative_answers: tuple[str, ...] = ()  # "chest pain? no." rules out what was asked
    writer_markers: tuple[str, ...] = ()  # the writer turns to their own back ("mine is")
    # what was asked about as if it might happen has happened ("... - well it's started")
    come_true: tuple[str, ...] = ()
    # Regional and non-native spellings read as a pattern word: ("cannae", "cant").
    respellings: tuple[tuple[str, str], ...] = ()
    # `concepts:` families ("legs", "leg | legs | feet") that chains in patterns name.
    concepts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SmalltalkIntent:
    """Greetings, thanks, goodbyes, "are you a bot?", "can I talk to a person?"."""

    id: str
    phrasings: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Gap:
    """A question the clinic's page does not answer (prices, parking...): recognised so the
    bot says so kindly instead of guessing a near topic."""

    id: str
    phrasings: tuple[str, ...]
    reply: str = ""  # optional; the fallback message is used when empty


@dataclass(frozen=True)
class Clinic:
    """Who and where: the facts the fixed messages are filled in with."""

    name: str
    practitioner: str
    booking_url: str
    contact: str
    emergency_number: str = "999"
    urgent_number: str = "NHS 111"


@dataclass(frozen=True)
class Messages:
    """Every fixed sentence the bot says, so wording changes never need code."""

    welcome: str
    disclaimer: str
    help: str
    menu: str
    booking: str
    booking_button: str
    menu_button: str
    did_you_mean: str
    fallback: str
    urgent: str
    not_text: str
    unknown_topic: str
    error: str
    # "Was this helpful?" under each answer (Telegram): the two button labels, the short
    # thank-you shown after a tap, the reply to a second tap, and the hand-off after a "no".
    feedback_yes: str
    feedback_no: str
    feedback_thanks: str
    feedback_already: str
    not_helpful: str
    # /forget could not delete the chat's rows (the database failed).
    forget_failed: str
    # What patients read about storage: /privacy ({retention_days} is filled in from the
    # settings), the /forget reply ({records}: "1 record", "5 records") and the reply when
    # nothing was stored. Every claim in them is checked against the files on disk by
    # tests/store/test_privacy_claims.py.
    privacy: str
    forget_done: str
    forget_nothing: str
    # A tap on a button whose message Telegram no longer attaches (plain text, short).
    button_gone: str


@dataclass(frozen=True)
class MatchingSettings:
    """Where confident becomes an answer, and close becomes a suggestion (0-100)."""

    answer_score: int = 50
    answer_margin: int = 6
    suggest_score: int = 40
    clear_margin: int = 15  # a lower score is still answered when no other topic comes close
    max_suggestions: int = 3


@dataclass(frozen=True)
class Knowledge:
    """A whole, validated knowledge base."""

    clinic: Clinic
    messages: Messages
    topics: tuple[Topic, ...]
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    red_flags: tuple[RedFlag, ...] = ()
    triage_context: TriageContext = TriageContext()
    smalltalk: tuple[SmalltalkIntent, ...] = ()
    gaps: tuple[Gap, ...] = ()
    matching: MatchingSettings = MatchingSettings()
    directory: Path | None = None

    def topic(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None."""
        return next((t for t in self.topics if t.id == topic_id), None)
