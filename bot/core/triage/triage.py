"""The triage: does a patient's message describe a current red flag of the person it is about?

Each clause is read once against the red flags' patterns and the context triggers. Every red
flag found is resolved on the four ConText axes (negated? historical? hypothetical? whose?)
and becomes a `Finding` that says why it fired or why it was set aside. The rule (PRODUCT.md
"Safety"): a current red flag of the writer, or of the relative they are asking for, is
urgent; a bystander's, a past and resolved one, or one only named or ruled out, is not. When
in doubt, urgent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from bot.core.model import Knowledge, RedFlag, TriageContext
from bot.core.prepared import Clause, PreparedMessage
from bot.core.triage.context import (
    EXPERIENCER,
    FIRST_PERSON,
    HISTORICAL,
    HYPOTHETICAL,
    NEGATION,
    ClauseContext,
    ContextRules,
    TriggerHit,
)
from bot.core.triage.patterns import Match, PatternError, PhraseIndex, Respellings, tokenize

# A clause that starts like this asks something, even without a "?".
QUESTION_WORDS = frozenset(
    """is are can could will would should does do did how what when where who why which
    shall may might""".split()
)

Parts = tuple[frozenset[int], ...]
QUESTION_RUN = 4  # "numbness? incontinence? fever? nope": questions one answer may close
# Another person's back, a few words after them: "she has BACK pain", "his SPINE aches".
BACK_WORDS = frozenset("back backs backache spine lumbar sciatica coccyx tailbone".split())
BACK_REACH = 4
# The back asked about, said of another person as "it": "What does Chinese medicine say about
# back pain? My daughter HAS IT" - then a history of theirs is the patient's history.
HAS_IT = tuple(
    phrase.split()
    for phrase in (
        "has it", "has that", "has the same", "gets it", "suffers from it", "suffers with it",
        "has had it", "has been getting it", "is the one with it",
    )
)  # fmt: skip
# The writer speaking of their own self (not "we", which may be a family asking for one).
WRITER_SELF = frozenset("i im ive id ill me my mine myself".split())
# Another person's, inside a flag's own words: "losing control of HIS bladder".
OTHERS_POSSESSIVE = frozenset("his her their".split())
# Linking words that may open a sentence before a trigger reading back into the one before:
# "- AND THANKFULLY I have none of them", "- ALL gone now".
LEAD_IN = frozenset(
    """and but so thankfully luckily happily fortunately thank god goodness though i im ive
    it its thats that they theyre theyve has have is was all which now since well oh just
    curious""".split()
)


# Someone who asked the writer to write: "my mum ASKED ME TO find out ...".
ASKED_BY = tuple(
    phrase.split()
    for phrase in (
        "asked me to",
        "has asked me",
        "wants me to",
        "wanted me to",
        "asked us to",
        "begged me to",
        "told me to ask",
        # the person is asking, through the writer: "HE IS ASKING what happens at the first visit"
        "is asking",
        "wants to know",
        "would like to know",
        "is wondering",
        # the writer says whom they ask for: "it's HER I'M ASKING FOR"
        "im asking for",
        "i am asking for",
        "im asking about",
        "i am asking about",
    )
)

# The writer asks for someone named just after: "I am writing ON BEHALF OF MY wife".
FOR_WHOM = tuple(
    phrase.split()
    for phrase in (
        "on behalf of my",
        "on behalf of",
        "writing for my",
        "asking for my",
        "enquiring for my",
        "inquiring for my",
        "messaging for my",
        "texting for my",
        "writing about my",
        # "the appointment is not for me, IT'S FOR her"
        "its for",
        "it is for",
    )
)

# The writer has the other person's red flag as well.
SHARED_WORDS = frozenset({"too", "also", "either", "aswell"})
SHARED_PHRASES = (
    "as well",
    "so do i",
    "so have i",
    "so am i",
    "same here",
    "same with me",
    "same for me",
    "me too",
    "same thing",
    "the same",
)


@dataclass(frozen=True)
class RedFlagHit:
    """The red flag that makes a message urgent: which one, in plain words, and where."""

    flag_id: str
    name: str  # RedFlag.name, plain words for the urgent reply
    sentence: str  # the (raw) sentence that raised it


@dataclass(frozen=True)
class Finding:
    """One red flag found in a message, and why it counts or was set aside."""

    flag_id: str
    name: str
    sentence: str
    words: str  # the message's words that raised it ("numb ... groin")
    urgent: bool
    reason: str

    @property
    def hit(self) -> RedFlagHit:
        return RedFlagHit(self.flag_id, self.name, self.sentence)

    def explain(self) -> str:
        """One line for the practitioner: `python -m bot ask --explain`."""
        verdict = "URGENT" if self.urgent else "set aside"
        return f"{verdict}: {self.flag_id} on '{self.words}' - {self.reason}"


@dataclass(frozen=True)
class Assessment:
    """A message's triage: the red flag that makes it urgent, or None, and whether one of its
    questions asks about a red flag in general (only when none is urgent)."""

    hit: RedFlagHit | None
    asked_in_general: bool


@dataclass(frozen=True)
class _Rules:
    """One red flag, compiled: each pattern as a tuple of parts, each part a set of phrase ids."""

    flag: RedFlag
    when: tuple[Parts, ...]
    unless: tuple[tuple[str, Parts], ...]
    leads: frozenset[int]  # the phrases of every `when` pattern's first part
    phrases: frozenset[int] = frozenset()  # every phrase of its `when` patterns
    despite: tuple[Parts, ...] = ()  # patterns that keep it standing beside an exception

    def firing(self, found: set[int]) -> Parts | None:
        """The first `when` pattern whose every part is among `found`."""
        if self.leads.isdisjoint(found):
            return None  # the usual case, told cheaply
        for parts in self.when:
            if all(not part.isdisjoint(found) for part in parts):
                return parts
        return None

    def exception(self, found: set[int]) -> Parts | None:
        """The practitioner's `unless` pattern present, if any, and no `despite` pattern."""
        for _, parts in self.unless:
            if all(not part.isdisjoint(found) for part in parts):
                if any(all(not p.isdisjoint(found) for p in d) for d in self.despite):
                    return None
                return parts
        return None


@dataclass
class _Reading:
    """One clause as read: its words, the red-flag phrases in it, what it asks, and (read
    when needed) its context."""

    clause: Clause
    tokens: list[str]
    segments: list[int]
    signs: list[Match]
    covered: list[bool]
    asks: bool
    context: ClauseContext | None = None


@dataclass(frozen=True)
class _Pending:
    """A red flag before the message-level question of whose it is is settled. The words and
    reason are worked out only for `findings` (`check` needs neither)."""

    rules: _Rules
    sentence: str
    words: Callable[[], str]
    urgent: bool
    reason: str | Callable[[], str]
    hypothetical: bool = False  # set aside only as asked about, not had
    other: str | None = None  # someone else's, named by these words


class Triage:
    """Finds and resolves red flags in messages. Built once per knowledge base; cheap per call."""

    def __init__(self, red_flags: Sequence[RedFlag], context: TriageContext | None = None) -> None:
        context = context or TriageContext()
        self._context = ContextRules(context)
        self.respellings = Respellings.of(context.respellings)
        self._index = PhraseIndex(context.concepts)
        rules = []
        for flag in red_flags:
            try:
                when = tuple(self._index.add(p, others=True) for p in flag.when)
                unless = tuple((p, self._index.add(p, others=True)) for p in flag.unless)
                despite = tuple(self._index.add(p, others=True) for p in flag.despite)
            except PatternError as exc:
                raise PatternError(f"in red flag '{flag.id}': {exc}") from None
            leads = frozenset().union(*(parts[0] for parts in when)) if when else frozenset()
            phrases = frozenset(pid for parts in when for part in parts for pid in part)
            rules.append(_Rules(flag, when, unless, leads, phrases, despite))
        self._rules = tuple(rules)
        # The phrases of red flags themselves: only they hide a context word under them ("no"
        # in "no feeling"); an exception's words ("no bump" of a fall) must not hide the "no"
        # that denies another flag's sign ("no bump on my back").
        self._flag_phrases = frozenset().union(*(r.phrases for r in rules))
        # Phrases that raise a flag on their own ("cant pee"); others ("loss") need company.
        self._alone = frozenset(
            pid for r in rules for parts in r.when if len(parts) == 1 for pid in parts[0]
        )
        self._index.freeze(self._context.trigger_words, self._context.no_gap)

    @classmethod
    def from_knowledge(cls, knowledge: Knowledge) -> Triage:
        """The triage of a loaded knowledge base."""
        return cls(knowledge.red_flags, knowledge.triage_context)

    # -- public ---------------------------------------------------------------------------

    def check(self, message: str | PreparedMessage) -> RedFlagHit | None:
        """The red flag that makes the message urgent, or None. Never raises on any text."""
        return self.assess(message).hit

    def assess(self, message: str | PreparedMessage) -> Assessment:
        """The red flag that makes the message urgent, if any, and whether a question of the
        message asks about a red flag in general ("what does it mean if back pain comes with
        a fever?"): the warning signs are its answer, not a topic. Never raises on any text."""
        readings = self._readings(message)
        asking = {r.clause.text for r in readings if r.clause.asks}
        in_general = False
        for pending in self._pending(readings):
            if pending.urgent and (pending.other is None or self._whose(pending, readings).urgent):
                hit = RedFlagHit(pending.rules.flag.id, pending.rules.flag.name, pending.sentence)
                return Assessment(hit, False)
            in_general = in_general or (pending.hypothetical and pending.sentence in asking)
        return Assessment(None, in_general)

    def explain(self, message: str | PreparedMessage) -> str:
        """Why the message is or is not urgent, one finding a line (for the practitioner)."""
        found = self.findings(message)
        if not found:
            return "triage: no red-flag words found"
        return "\n".join(f"triage: {finding.explain()}" for finding in found)

    def findings(self, message: str | PreparedMessage) -> list[Finding]:
        """Every red flag the message mentions, each resolved: urgent or set aside, and why."""
        readings = self._readings(message)
        return [self._whose(p, readings) for p in self._pending(readings)]

    def _readings(self, message: str | PreparedMessage) -> list[_Reading]:
        if not isinstance(message, PreparedMessage):
            message = PreparedMessage.of(message if isinstance(message, str) else "")
        return [self._read(clause) for clause in message.clauses]

    def _pending(self, readings: list[_Reading]) -> Iterator[_Pending]:
        """Every red flag of the message, clause by clause, resolved as far as a clause can."""
        seen: dict[int, set[str]] = {}
        for k, reading in enumerate(readings):
            if not reading.signs:
                continue
            answered = self._answered_no(readings, k)
            back = self._reads_back(readings[k + 1]) if k + 1 < len(readings) else None
            for pending in self._resolve(reading, answered, back):
                seen.setdefault(k, set()).add(pending.rules.flag.id)
                yield self._come_true(pending, readings[k:])
        # A sign split over two neighbouring clauses: "numbness in my leg, and it's getting worse".
        for k in range(len(readings) - 1):
            a, b = readings[k], readings[k + 1]
            if not a.signs or not b.signs:
                continue
            if not self._only_together(a, b):
                continue
            already = seen.get(k, set()) | seen.get(k + 1, set())
            joined = Clause(f"{a.clause.text} {b.clause.text}", b.clause.asks)
            for pending in self._resolve(self._read(joined), False):
                if pending.rules.flag.id not in already:
                    yield pending

    def _come_true(self, pending: _Pending, after: list[_Reading]) -> _Pending:
        """A flag asked about as if it might happen, or told of someone else, that the writer
        then says has happened to them ("if you get numbness in the saddle area - well it's
        started today", "my friend said numbness there is bad. I have exactly that"): urgent
        after all."""
        if not pending.hypothetical and pending.other is None:
            return pending
        said = next((c for r in after if (c := self._context_of(r).came_true)), None)
        if said is None:
            return pending
        told = "asked about as if it might happen" if pending.hypothetical else "told of another"
        reason = f"{told}, then said to be the writer's own: '{said}'"
        return replace(pending, urgent=True, reason=reason, hypothetical=False, other=None)

    def _asks_about_someone(self, reading: _Reading) -> bool:
        """Whether the clause asks about another person: "..., can SHE come in?". Only the
        asking part counts (after the last comma of a clause ending in "?", or up to the first
        comma of one opening with a question word): "my friend had cancer and it helped her,
        can it help my back?" asks about the writer."""
        if not reading.tokens:
            return False
        segments, tokens = reading.segments, reading.tokens
        asking = set()
        if reading.clause.asks:
            asking.add(segments[-1])
        elif reading.asks:
            asking.add(segments[0])
        # A part that opens with a question word asks too: "..., is it safe for her".
        asking.update(
            segments[i]
            for i in range(1, len(tokens))
            if segments[i] != segments[i - 1] and tokens[i] in QUESTION_WORDS
        )
        people = self._context_of(reading).people
        if any(segments[i] in asking for i in people):
            return True
        # Sent on their behalf: "SHE ASKED ME to find out", "he wants me to ask", "I am
        # writing ON BEHALF OF my wife".
        return any(
            " ".join(tokens[p + 1 : p + 1 + len(said)]) == " ".join(said)
            for p in people
            for said in ASKED_BY
        ) or any(
            tokens[max(0, p - len(said)) : p] == list(said) for p in people for said in FOR_WHOM
        )

    def _writer_too(self, readings: list[_Reading]) -> bool:
        """Whether the writer says they have it as well: "a girl on my ward had numb legs and
        now mine are going numb TOO", "... and SO DO I". Then the writer's turn to themselves
        sets nothing aside: when in doubt, urgent."""
        for reading in readings:
            tokens = reading.tokens
            if SHARED_WORDS.intersection(tokens):
                return True
            text = f" {' '.join(tokens)} "
            if any(f" {p} " in text for p in SHARED_PHRASES):
                return True
        return False

    def _their_back(self, readings: list[_Reading]) -> bool:
        """Whether another person's back is what the message tells of ("my mum had cancer and
        now SHE HAS BACK PAIN"): then a history of theirs is the patient's history."""
        for reading in readings:
            tokens, segments = reading.tokens, reading.segments
            for p in self._context_of(reading).people:
                if any(
                    t in BACK_WORDS and segments[p + i] == segments[p]
                    for i, t in enumerate(tokens[p : p + BACK_REACH])
                ) or any(tokens[p + 1 : p + 1 + len(said)] == list(said) for said in HAS_IT):
                    return True
        # A message that never speaks of the writer's own self ("Mum had bone cancer years
        # ago and now has terrible back pain; we wondered about acupuncture") tells of theirs.
        words = {t for r in readings for t in r.tokens}
        return bool(words & BACK_WORDS) and not words & WRITER_SELF

    def _only_together(self, a: _Reading, b: _Reading) -> bool:
        """Whether some flag needs both clauses' phrases (cheap: before reading them joined)."""
        in_a = {pid for _, _, pid in a.signs}
        in_b = {pid for _, _, pid in b.signs}
        both = in_a | in_b
        return any(
            r.firing(both) is not None and r.firing(in_a) is None and r.firing(in_b) is None
            for r in self._rules
        )

    # -- one clause -----------------------------------------------------------------------

    def _read(self, clause: Clause) -> _Reading:
        tokens, segments = tokenize(clause.text, self.respellings)
        signs = self._index.matches(tokens, segments) if tokens else []
        # A phrase is never read across a comma: "no bladder PROBLEMS, WALKING fine".
        signs = [m for m in signs if segments[m[0]] == segments[m[1] - 1] or m[1] - m[0] > 3]
        covered = [False] * len(tokens)
        for start, end, pid in signs:
            if pid in self._flag_phrases:
                for j in range(start, end):
                    covered[j] = True
        asks = clause.asks or bool(tokens and tokens[0] in QUESTION_WORDS)
        return _Reading(clause, tokens, segments, signs, covered, asks)

    def _context_of(self, reading: _Reading) -> ClauseContext:
        if reading.context is None:
            reading.context = self._context.read(reading.tokens, reading.covered, reading.segments)
        return reading.context

    def _answered_no(self, readings: list[_Reading], k: int) -> bool:
        """Whether question k is answered no, at once or after a run of questions answered
        together: "numbness? incontinence? fever? nope"."""
        for j in range(k + 1, min(k + 1 + QUESTION_RUN, len(readings))):
            if self._answers_no(readings[j - 1], readings[j]):
                return True
            if not readings[j].clause.asks:
                return False
        return False

    def _answers_no(self, question: _Reading, answer: _Reading) -> bool:
        """ "chest pain? no." - a question answered with a bare no, alone or before a comma
        ("fever? thankfully not, just a sore back")."""
        if not question.clause.asks or not answer.tokens or answer.clause.asks:
            return False  # "can I come with a fever? no?" asks again, answers nothing
        first = [t for t, seg in zip(answer.tokens, answer.segments, strict=True) if seg == 0]
        # "nope nope nope", "no no": one answer, said again.
        said = [t for i, t in enumerate(first) if i == 0 or t != first[i - 1]]
        return " ".join(said) in self._context.negative_answers

    def _reads_back(self, reading: _Reading) -> tuple[str, str] | None:
        """A sentence that opens by ruling out or resolving what the one before said ("bladder
        trouble, numb bum - and thankfully I have none of them", "a temp last week. All gone
        now"): the axis and the trigger's words, or None. Only linking words may stand before
        the trigger, so "... the pain is better now" resolves nothing before it."""
        if not reading.tokens or (
            reading.tokens[0] not in LEAD_IN and not self._might_read_back(reading)
        ):
            return None
        ctx = self._context
        first = [t for t, seg in zip(reading.tokens, reading.segments, strict=True) if seg == 0]
        if len(first) > 1 and " ".join(first) in ctx.negative_answers:
            return NEGATION, " ".join(first)  # "numb bum, bladder trouble - none of these, phew"
        for hit in self._context_of(reading).hits:
            rule = ctx.rules[hit.rule]
            if (
                (
                    rule.axis in (NEGATION, HISTORICAL)
                    or (rule.axis == HYPOTHETICAL and not rule.until)
                )
                and rule.direction in ("backward", "both")
                and rule.scope is None
                and ctx.is_window(hit)
                and all(t in LEAD_IN for t in reading.tokens[: hit.start])
                and not any(start < hit.start for start, _, _ in reading.signs)
            ):
                return rule.axis, hit.words
        return None

    def _might_read_back(self, reading: _Reading) -> bool:
        """Cheap: whether the first word could begin a trigger (most sentences cannot)."""
        return reading.tokens[0] in self._context.trigger_words

    def _resolve(
        self, reading: _Reading, answered_no: bool, back: tuple[str, str] | None = None
    ) -> list[_Pending]:
        """Every red flag of one clause, resolved on the axes one clause can tell."""
        ctx = self._context
        around = self._context_of(reading)
        negated: dict[int, TriggerHit | None] = dict(
            ctx.negated(reading.tokens, reading.segments, reading.signs, around.hits, self._alone)
        )
        present_all = {pid for _, _, pid in reading.signs}
        present = {pid for i, (_, _, pid) in enumerate(reading.signs) if i not in negated}
        stops = around.stops
        sentence = reading.clause.text
        out: list[_Pending] = []
        base_negated, base_present = negated, present
        for rules in self._rules:
            if rules.leads.isdisjoint(present_all):
                continue
            negated, present = base_negated, base_present
            parts = rules.firing(present)
            if parts is None:
                parts = rules.firing(present_all)
                if parts is not None:
                    by = next(
                        (
                            hit.words
                            for i, hit in negated.items()
                            if hit is not None  # None: set aside by an exception, not negated
                            and any(reading.signs[i][2] in part for part in parts)
                        ),
                        "a negation",
                    )
                    words = self._words_of(reading, parts, frozenset())
                    out.append(_Pending(rules, sentence, words, False, f"negated by '{by}'"))
                continue
            words = self._words_of(reading, parts, frozenset(negated))
            if answered_no:
                out.append(
                    _Pending(rules, sentence, words, False, "ruled out: asked, then answered 'no'")
                )
                continue
            if back is not None and not (back[0] == HISTORICAL and rules.flag.past_counts):
                back_axis, back_words = back
                why = {NEGATION: "negated", HYPOTHETICAL: "hypothetical"}.get(
                    back_axis, "historical"
                )
                out.append(
                    _Pending(
                        rules,
                        sentence,
                        words,
                        False,
                        f"{why} by the next sentence: '{back_words}'",
                        hypothetical=back_axis == HYPOTHETICAL,
                    )
                )
                continue
            exception = rules.exception(present)
            if exception and self._turned_after(reading, exception, parts):
                # "fell down the stairs, wasnt hurt at first BUT now my back is agony": what
                # the sentence turns to after the exception is not excused by it.
                exception = None
            if exception:
                # An exception over the flag's own words is another sense of them ("fell
                # THROUGH"): only those words are set aside, and the flag may still stand on
                # others ("... and landed on my back"). One elsewhere in the sentence (a reason:
                # "on purpose") sets the whole flag aside.
                other_sense = self._overlapped(reading, rules, exception, negated, parts)
                if other_sense:
                    negated = {**negated, **{i: None for i in other_sense}}
                    present = {
                        pid for i, (_, _, pid) in enumerate(reading.signs) if i not in negated
                    }
                    still = rules.firing(present)
                    if still is not None:
                        parts, exception = still, None
                        words = self._words_of(reading, parts, frozenset(negated))
            if exception:
                said = self._words_of(reading, exception, frozenset(negated))
                out.append(
                    _Pending(
                        rules,
                        sentence,
                        words,
                        False,
                        _exception_reason(said),
                    )
                )
                continue
            candidates = [
                self._judge(reading, rules, span, lead, words, stops)
                for span, lead in self._spans(reading, parts, set(negated))
            ]
            out.append(next((c for c in candidates if c.urgent or c.other), candidates[0]))
        return out

    def _overlapped(
        self,
        reading: _Reading,
        rules: _Rules,
        exception: Parts,
        negated: dict[int, TriggerHit | None],
        firing: Parts,
    ) -> set[int]:
        """The flag's phrases an exception's words lie over ("fell" in "fell through"); none
        when some of its words stand apart from the phrases that raised the flag."""
        pids = frozenset().union(*exception)
        own = rules.phrases
        spans = [(s, e) for s, e, pid in reading.signs if pid in pids]
        raised = frozenset().union(*firing)
        own_spans = [
            (s, e)
            for i, (s, e, pid) in enumerate(reading.signs)
            if i not in negated and pid in raised
        ]
        if any(not any(s < end and start < e for s, e in own_spans) for start, end in spans):
            # Some of the exception's words stand apart from the flag's ("got straight up"
            # after a trip): a reason the writer gives, which sets the whole flag aside.
            return set()
        return {
            i
            for i, (s, e, pid) in enumerate(reading.signs)
            if i not in negated
            and pid in own
            and any(s < end and start < e for start, end in spans)
        }

    def _spans(
        self, reading: _Reading, parts: Parts, negated: set[int]
    ) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Where the flag stands: one span per occurrence of its first part, each joined with
        the nearest occurrence of its other parts; and where that first part stands."""
        live = [m for i, m in enumerate(reading.signs) if i not in negated]
        spans = []
        for start, end, pid in live:
            if pid not in parts[0]:
                continue
            lo, hi = start, end
            for part in parts[1:]:
                near = min((m for m in live if m[2] in part), key=lambda m: abs(m[0] - start))
                lo, hi = min(lo, near[0]), max(hi, near[1])
            spans.append(((lo, hi), (start, end)))
        return spans

    def _turned_after(self, reading: _Reading, exception: Parts, parts: Parts) -> bool:
        """Whether the flag goes on after a termination ("but", "however") that follows the
        exception's words: "fell down the stairs, wasnt hurt at first BUT now MY BACK is
        agony"; not "lost a stone on purpose, but my back aches" (the flag is all before)."""
        said = [(s, e) for s, e, pid in reading.signs if any(pid in part for part in exception)]
        flag = [(s, e) for s, e, pid in reading.signs if any(pid in part for part in parts)]
        if not said or any(fs <= e and s <= fe for s, e in said for fs, fe in flag):
            return False  # another sense of the flag's own words ("a bulging DISC"): it stands
        everyone, _ = self._context_of(reading).stops
        turns = [i for i in everyone if i >= min(s for s, _ in said)]
        return any(start > turn for turn in turns for start, _ in flag)

    def _words_of(
        self, reading: _Reading, parts: Parts, negated: frozenset[int]
    ) -> Callable[[], str]:
        """The flag's words, worked out when asked for."""
        return lambda: self._words(reading, parts, negated)

    def _words(self, reading: _Reading, parts: Parts, negated: frozenset[int]) -> str:
        """The message's words that make up the flag, in order ("numb ... groin")."""
        found = sorted(
            m
            for i, m in enumerate(reading.signs)
            if i not in negated and any(m[2] in part for part in parts)
        )
        pieces: list[str] = []
        last = -1
        for start, end, _ in found:
            if start < last:
                continue
            pieces.append(" ".join(reading.tokens[start:end]))
            last = end
        return " ... ".join(dict.fromkeys(pieces))

    def _judge(
        self,
        reading: _Reading,
        rules: _Rules,
        span: tuple[int, int],
        lead: tuple[int, int],
        words: Callable[[], str],
        stops: tuple[set[int], dict[int, set[int]]],
    ) -> _Pending:
        """One occurrence on the window axes: negated, hypothetical, historical, whose."""
        ctx = self._context
        # The writer in the flag's own words, or just after it: "someone went into the back of ME".
        own = (
            FIRST_PERSON.intersection(reading.tokens[span[0] : span[1]])
            or (
                reading.tokens[span[1] : span[1] + 1] in (["me"], ["myself"])
                # not a new comma piece: "my colleague has a fever, ME i just have ..."
                and reading.segments[span[1]] == reading.segments[span[1] - 1]
            )
            or reading.tokens[max(span[0] - 1, 0) : span[0]] == ["my"]  # "MY back ... they're"
        )
        by_axis: dict[str, list[str]] = {}
        for hit in self._context_of(reading).hits:
            if not ctx.is_window(hit):
                continue
            # A flag of several parts is judged by its whole span, or by its first part alone
            # ("CHEST infection last month, all cleared now, my back is SORE").
            # A trigger over the flag's own words is said of it ("a harmless FATTY LUMP").
            inside = hit.start < lead[1] and lead[0] < hit.end
            # Whose the flag is may be said between its words, just before one of them
            # ("losing control of HIS bladder", not "numb sitting in HER car ... saddle area");
            # the writer's own words there ("my back") still make it theirs (`own`).
            inside = inside or (
                ctx.axis(hit) == EXPERIENCER
                and hit.words in OTHERS_POSSESSIVE
                and span[0] < hit.start < span[1]
                and any(
                    start == hit.end and pid in rules.phrases for start, _, pid in reading.signs
                )
            )
            if (
                not inside
                and not ctx.reaches(hit, span, stops)
                and not ctx.reaches(hit, lead, stops)
            ):
                continue
            if own and ctx.axis(hit) == HYPOTHETICAL and hit.start >= span[1]:
                continue  # "is numbness in MY groin a warning sign?": asked about, and had
            if ctx.axis(hit) == HYPOTHETICAL and hit.end <= span[0]:
                # A fear told in words that say it has begun is had: "i dont want my legs
                # getting ANY weaker" (the group's `until:` words, inside the sign too).
                ends = stops[1].get(hit.rule, set())
                if any(i in ends for i in range(hit.end, span[1])):
                    continue
            by_axis.setdefault(ctx.axis(hit), []).append(hit.words)
        sentence = reading.clause.text

        def quoted(axis: str) -> str:
            return ", ".join(f"'{w}'" for w in dict.fromkeys(by_axis[axis]))

        if NEGATION in by_axis:
            return _Pending(rules, sentence, words, False, f"negated by {quoted(NEGATION)}")
        if HYPOTHETICAL in by_axis:
            reason = f"hypothetical: {quoted(HYPOTHETICAL)}"
            return _Pending(rules, sentence, words, False, reason, hypothetical=True)
        if HISTORICAL in by_axis and not rules.flag.past_counts:
            return _Pending(rules, sentence, words, False, f"historical: {quoted(HISTORICAL)}")
        if EXPERIENCER in by_axis and not own:
            return _Pending(rules, sentence, words, True, "", other=quoted(EXPERIENCER))
        reason = "current, and about the writer"
        if HISTORICAL in by_axis:
            reason += f" (in the past: {quoted(HISTORICAL)}, which still counts for this flag)"
        return _Pending(rules, sentence, words, True, reason)

    # -- the whole message ----------------------------------------------------------------

    def _whose(self, pending: _Pending, readings: list[_Reading]) -> Finding:
        """Settle a flag of someone else's: the person asked about, or a bystander in passing."""
        flag = pending.rules.flag
        reason, urgent = pending.reason, pending.urgent
        if pending.other is not None:
            asked = next((r for r in readings if self._asks_about_someone(r)), None)
            writer = next(
                (self._context_of(r).writer for r in readings if self._context_of(r).writer), None
            )
            if asked is not None:
                reason = f"about {pending.other}, the person the question is for"
            elif writer is not None and not self._writer_too(readings):
                urgent = False
                reason = (
                    f"about a bystander: {pending.other}; the writer asks about themselves "
                    f"('{writer}')"
                )
            elif flag.past_counts and self._their_back(readings):
                reason = (
                    f"about {pending.other}, whose back the message is about: urgent when in doubt"
                )
            elif flag.past_counts:
                urgent = False  # a relative's old illness is not an emergency of theirs today
                reason = (
                    f"about {pending.other}, a history that counts only for the person the "
                    "question is about, and nothing asks about them"
                )
            else:
                reason = (
                    f"about {pending.other}, and nothing says the question is not for them: "
                    "urgent when in doubt"
                )
        if not isinstance(reason, str):
            reason = reason()
        return Finding(flag.id, flag.name, pending.sentence, pending.words(), urgent, reason)


def _exception_reason(said: Callable[[], str]) -> Callable[[], str]:
    """The reason a flag was set aside by its exception, worked out when asked for."""
    return lambda: f"an exception written for this flag: '{said()}'"
