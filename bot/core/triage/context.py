"""ConText rules: the words around a red flag that say it is negated, past, only talked about,
or someone else's (Harkema et al. 2009, as medspaCy implements it).

A trigger ("no", "years ago", "what warning signs", "my colleague") opens a scope: forward
over the words after it, backward over the words before it, or both; its scope reaches a set
number of words or the end of the sentence, and ends early at a termination ("but",
"however") or at one of its group's own `until` words. A red flag inside the scope gets the
trigger's axis. The trigger words are data (red_flags.yaml "context"), compiled here into the
same `PhraseIndex` as the red flags, so one reading of a clause finds both.

Negation groups with an `over` list keep a narrower, grammatical scope: only the listed small
words may stand between "no" and the sign ("no [real signs of] numbness"), and an "or" list
carries the negation on ("no numbness, tingling or weakness"); so a stray "no" can never
silence a sign a few words later ("no idea why but i wet myself").
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.model import AXES, DIRECTIONS, ContextRule, TriageContext
from bot.core.triage.patterns import Match, PatternError, PhraseIndex

NEGATION, HISTORICAL, HYPOTHETICAL, EXPERIENCER = AXES

# Grammar of a negated list, not vocabulary: these stay in code.
LIST_JOINERS = frozenset({"or", "nor"})  # "no numbness, tingling or weakness" negates all three
_LIST_FILLERS = frozenset({"any", "a", "an", "the", "my", "even", "both"})
# What a negated sign is of stays negated: "no loss of bladder control", "no numbness in my groin".
_OBJECT_LINKS = frozenset({"of", "with", "in", "on", "around", "from", "into"})
# "never had bladder problems until now": true only until now, so not negated at all.
_UNTIL = frozenset({"until", "till", "til", "untill"})
_UNTIL_REACH = 3
# Symptoms no red flag is about: a negation reaching one is spent on it ("no pain cant walk"),
# unless a list goes on ("no pain or numbness").
_GENERIC_SYMPTOMS = frozenset(
    {"pain", "pains", "ache", "aches", "aching", "discomfort", "stiffness"}
)
# ("from ANOTHER player": whom it came from, over "another")
_DETERMINERS = frozenset(
    {"my", "our", "the", "a", "an", "his", "her", "their", "your", "me", "another", "other"}
)
# Skipped, like determiners, on the way back to a `not_after` word: "the pain IS better now".
_LINKING_VERBS = frozenset({"is", "are", "was", "were", "has", "have", "had", "been", "all"})
# "a girl on MY ward", "one of MY clients": the writer's possessive inside another person's
# noun phrase, after one of these, names where that person is, not the writer's red flag.
_POSSESSIVE_WRITER = frozenset({"my", "our"})
# Not "of" ("one of MY legs"), and never before a part of the body ("pain in MY legs").
_PLACE_PREPOSITIONS = frozenset(
    {"on", "at", "in", "from", "across", "near", "by", "next", "opposite", "down", "up"}
)
_BODY = frozenset(
    """leg legs foot feet toe toes back spine bum bottom groin bladder bowel bowels chest
    thigh thighs knee knees hip hips calf calves ankle ankles arm arms hand hands body
    privates side neck head stomach tummy belly""".split()
)
# Who the writer is, in the sign's own words: "a guy ran into me" is the writer's fall.
FIRST_PERSON = frozenset({"i", "im", "ive", "id", "me", "my", "myself", "mine"})


@dataclass(frozen=True)
class TriggerHit:
    """A trigger found in a clause: which group, where, and the words as the message has them."""

    rule: int
    start: int
    end: int
    words: str


def check_rule(rule: ContextRule) -> str | None:
    """What is wrong with a context group as written, or None (used by `bot check`)."""
    if rule.axis not in AXES:
        return f"axis '{rule.axis}' is not one of: {', '.join(AXES)}"
    if rule.direction not in DIRECTIONS:
        return f"direction '{rule.direction}' is not one of: {', '.join(DIRECTIONS)}"
    if rule.scope is not None and (rule.scope < 0 or rule.scope > 30):
        return "scope should be a number of words from 0 to 30, or 'sentence'"
    if rule.over and rule.axis != NEGATION:
        return "'over' is only for negation groups - remove it, or set axis: negation"
    if rule.over and rule.direction == "both":
        return "a negation group with 'over' reads one way - direction: forward or backward"
    if rule.over and rule.scope is None:
        return "a negation group with 'over' needs a number as scope (e.g. scope: 4)"
    if not rule.triggers:
        return "the group has no triggers - add at least one under 'triggers:'"
    for phrase in (*rule.triggers, *rule.until, *rule.over, *rule.not_after, *rule.not_before):
        error = check_phrase(phrase)
        if error:
            return error
    return None


def check_phrase(phrase: str) -> str | None:
    """A trigger is one phrase or alternatives ("years ago | year ago"); no "+"."""
    if not isinstance(phrase, str):
        return f"a trigger must be text, not {type(phrase).__name__} {phrase!r}"
    if "+" in phrase:
        return (
            f'"{phrase}": a trigger is one phrase or alternatives joined by "|" - "+" is '
            "only used in red-flag patterns"
        )
    try:
        PhraseIndex().add(phrase, alone_ok=True)
    except PatternError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class ClauseContext:
    """What the context rules found in one clause."""

    hits: list[TriggerHit]
    stops: tuple[set[int], dict[int, set[int]]]  # see `ContextRules.stops`
    writer: str | None  # the writer's words turning to themselves, if any
    people: frozenset[int] = frozenset()  # where another person is named ("help HIM"), any role
    came_true: str | None = None  # words saying what was asked about is so now ("that's me")


class ContextRules:
    """The context groups of one knowledge base, in their own phrase index: a clause is read
    for them only when it holds a red flag (or when whose a flag is needs the whole message)."""

    def __init__(self, context: TriageContext) -> None:
        index = self.index = PhraseIndex()
        self.rules = context.rules
        self._by_pid: dict[int, list[int]] = {}
        self._until: list[frozenset[int]] = []
        self._over: list[frozenset[str]] = []
        self._not_after: list[frozenset[str]] = []
        self._not_before: list[frozenset[str]] = []
        words: set[str] = set()
        forward_negation_starts: set[str] = set()
        for r, rule in enumerate(context.rules):
            error = check_rule(rule)
            if error:
                raise PatternError(f"in the context rules ({rule.axis}): {error}")
            for trigger in rule.triggers:
                for pid in _pids(index, trigger):
                    self._by_pid.setdefault(pid, []).append(r)
                words.update(trigger.replace("|", " ").replace("*", "").split())
                if rule.axis == NEGATION and rule.direction == "forward":
                    forward_negation_starts.update(
                        alt.split()[0] for alt in trigger.split("|") if alt.strip()
                    )
            self._until.append(frozenset(p for u in rule.until for p in _pids(index, u)))
            self._over.append(frozenset(w for o in rule.over for w in o.split()))
            self._not_after.append(frozenset(w for o in rule.not_after for w in o.split()))
            self._not_before.append(frozenset(w for o in rule.not_before for w in o.split()))
            words.update(w for o in rule.over for w in o.split())
        # The groups whose own `until` words each phrase is, in the groups' order: a match
        # looks up its few instead of asking every group.
        until_of: dict[int, list[int]] = {}
        for r, until in enumerate(self._until):
            for pid in until:
                until_of.setdefault(pid, []).append(r)
        self._until_of = {pid: tuple(sorted(rs)) for pid, rs in until_of.items()}
        self._stops = frozenset(p for t in context.terminations for p in _pids(index, t))
        self._writer = frozenset(p for t in context.writer_markers for p in _pids(index, t))
        self._came_true = frozenset(p for t in context.come_true for p in _pids(index, t))
        self.negative_answers = frozenset(
            " ".join(answer.lower().split()) for answer in context.negative_answers
        )
        for phrase in (*context.terminations, *context.writer_markers, *context.come_true):
            words.update(phrase.replace("|", " ").replace("*", "").split())
        self.trigger_words = frozenset(words)  # never read as typos of a red-flag word
        # A "..." never steps over a negation's first word ("i have [never had] cancer") nor
        # over a one-word termination ("tingling [but] i cant pee" is no phrase of the two).
        single_stops = {
            alt.strip()
            for t in context.terminations
            for alt in t.split("|")
            if len(alt.split()) == 1 and "*" not in alt
        }
        self.no_gap = frozenset(forward_negation_starts | single_stops)
        index.freeze(typos=False)

    def read(
        self, tokens: list[str], covered: list[bool], segments: list[int] | None = None
    ) -> ClauseContext:
        """The triggers, terminations and writer's words of one clause. A phrase of several
        words is never read across a comma ("my father 80 years, back pain" says no "years
        back")."""
        matches = self.index.matches(tokens) if tokens else []
        if segments is not None:
            matches = [m for m in matches if segments[m[0]] == segments[m[1] - 1]]
        if not matches:
            return ClauseContext([], (set(), {}), None)
        people = frozenset(
            start
            for start, _, pid in matches
            for r in self._by_pid.get(pid, ())
            if self.rules[r].axis == EXPERIENCER
        )
        return ClauseContext(
            self.triggers(tokens, matches, covered),
            self.stops(matches, tokens),
            self.writer_marker(tokens, matches),
            people,
            next((" ".join(tokens[s:e]) for s, e, pid in matches if pid in self._came_true), None),
        )

    # -- finding triggers -----------------------------------------------------------------

    def triggers(
        self, tokens: list[str], matches: list[Match], covered: list[bool]
    ) -> list[TriggerHit]:
        """The triggers among a clause's matches; a trigger wholly inside a red-flag phrase is
        part of the sign ("no feeling", "never lets up"); a trigger inside a longer one is
        part of it ("no" in "no problems since")."""
        found = sorted(
            (start, end, r)
            for start, end, pid in matches
            for r in self._by_pid.get(pid, ())
            # A person is never part of a sign: "HER back" in a flag's phrase, "my DOG" in
            # an exception's, still say whose it is.
            if (self.rules[r].axis == EXPERIENCER or not all(covered[start:end]))
            and not self._after_pseudo(tokens, start, r)
            and not (tokens[end : end + 1] and tokens[end] in self._not_before[r])
        )
        found.sort(key=lambda h: (h[0], h[0] - h[1]))
        kept: list[TriggerHit] = []
        for start, end, r in found:
            # A longer trigger swallows one inside it, unless it shares words with a red flag
            # ("no problems" in "no problems peeing" is "no" + the flag's "problems peeing").
            if any(
                k.start <= start
                and end <= k.end
                and k.end - k.start > end - start
                and not any(covered[k.start : k.end])
                for k in kept
            ):
                continue
            kept.append(TriggerHit(r, start, end, " ".join(tokens[start:end])))
        return kept

    def _after_pseudo(self, tokens: list[str], start: int, rule: int) -> bool:
        """Whether a `not_after` word stands right before the trigger (over "my", "the"...):
        "bouncing with the kids" names the kids, who are not the ones who fell; but "a carer
        for my mum WHO can't walk" names the one who can't; and "ONE OF my clients" is one
        of them."""
        not_after = self._not_after[rule]
        if not not_after or tokens[start + 1 : start + 2] in (["who"], ["whos"]):
            return False
        i = start - 1
        while i >= 0 and (tokens[i] in _DETERMINERS or tokens[i] in _LINKING_VERBS):
            i -= 1
        if i >= 1 and tokens[i] == "of" and tokens[i - 1] == "one":
            return False
        return i >= 0 and tokens[i] in not_after

    def stops(
        self, matches: list[Match], tokens: list[str] | None = None
    ) -> tuple[set[int], dict[int, set[int]]]:
        """Where terminations stand: every group's, and each group's own `until` words.

        The writer's "my" inside the noun phrase that names another person does not end that
        person's reach: "a girl ON MY ward", "one OF MY clients", "a lad AT MY work"."""
        everyone: set[int] = set()
        own: dict[int, set[int]] = {}
        for start, _, pid in matches:
            if pid in self._stops:
                everyone.add(start)
            for r in self._until_of.get(pid, ()):
                if (
                    tokens is not None
                    and self.rules[r].axis == EXPERIENCER
                    and tokens[start] in _POSSESSIVE_WRITER
                    and start > 0
                    and tokens[start - 1] in _PLACE_PREPOSITIONS
                    and not _BODY.intersection(tokens[start + 1 : start + 3])
                ):
                    continue
                own.setdefault(r, set()).add(start)
        return everyone, own

    def writer_marker(self, tokens: list[str], matches: list[Match]) -> str | None:
        """The words by which the writer turns to themselves ("mine is", "my own back")."""
        for start, end, pid in matches:
            if pid in self._writer:
                return " ".join(tokens[start:end])
        return None

    # -- applying them --------------------------------------------------------------------

    def reaches(
        self,
        hit: TriggerHit,
        span: tuple[int, int],
        stops: tuple[set[int], dict[int, set[int]]],
    ) -> bool:
        """Whether a (window) trigger's scope covers a sign spanning words span[0]..span[1].

        A trigger may share words with the sign ("IF IVE HAD cancer" and "ive had cancer").
        """
        rule = self.rules[hit.rule]
        start, end = span
        everyone, own = stops
        own_stops = own.get(hit.rule, set())
        if rule.direction in ("forward", "both") and hit.start < start and hit.end <= end:
            between = range(min(hit.end, start), start)
            if (rule.scope is None or len(between) <= rule.scope) and not any(
                i in everyone or i in own_stops for i in between
            ):
                return True
        if rule.direction in ("backward", "both") and hit.end > end and hit.start >= start:
            between = range(end, max(hit.start, end))
            if (rule.scope is None or len(between) <= rule.scope) and not any(
                i in everyone or i in own_stops for i in between
            ):
                return True
        return False

    def negated(
        self,
        tokens: list[str],
        segments: list[int],
        signs: list[Match],
        hits: list[TriggerHit],
        alone: frozenset[int] = frozenset(),
    ) -> dict[int, TriggerHit]:
        """Which sign matches a grammatical negation ("over" groups) cancels, and by what.
        `alone`: the phrases that raise a flag on their own ("cant pee", not "loss")."""
        clause = _Clause(tokens, segments, signs, alone)
        negated: dict[int, TriggerHit] = {}
        for hit in hits:
            rule = self.rules[hit.rule]
            if rule.axis != NEGATION or not rule.over:
                continue
            assert rule.scope is not None
            over = self._over[hit.rule]
            if rule.direction == "backward":
                found = _negated_before(hit.start, clause, over, rule.scope)
            else:
                found = _negated_after(hit.end, clause, over, rule.scope)
            for m in found:
                negated.setdefault(m, hit)
        return negated

    def is_window(self, hit: TriggerHit) -> bool:
        """Whether a trigger reads by window (every group but the grammatical negations)."""
        rule = self.rules[hit.rule]
        return not (rule.axis == NEGATION and rule.over)

    def axis(self, hit: TriggerHit) -> str:
        return self.rules[hit.rule].axis


def _pids(index: PhraseIndex, phrase: str) -> frozenset[int]:
    parts = index.add(phrase, alone_ok=True)
    if len(parts) != 1:
        raise PatternError(f'"{phrase}": a trigger is one phrase or alternatives, without "+"')
    return parts[0]


class _Clause:
    """One clause's words and sign matches, indexed for the negation grammar."""

    def __init__(
        self,
        tokens: list[str],
        segments: list[int],
        matches: list[Match],
        alone: frozenset[int] = frozenset(),
    ) -> None:
        self.alone = alone
        self.tokens = tokens
        self.segments = segments
        self.matches = matches  # (start, end, phrase id), sorted by start
        self.starts: dict[int, list[int]] = {}
        self.ends: dict[int, list[int]] = {}
        for m, (start, end, _) in enumerate(matches):
            self.starts.setdefault(start, []).append(m)
            self.ends.setdefault(end, []).append(m)

    def span(self, start: int) -> tuple[set[int], int]:
        """The matches starting at `start` and those overlapping them ("a fall" and "fall")."""
        first = self.starts[start][0]
        members: set[int] = set()
        end = start + 1
        m = first
        while m < len(self.matches) and self.matches[m][0] < end:
            members.add(m)
            end = max(end, self.matches[m][1])
            m += 1
        return members, end


def _negated_after(cue_end: int, clause: _Clause, over: frozenset[str], scope: int) -> set[int]:
    """What a negation cancels after itself: "no [any] numbness[, tingling or weakness]"."""
    tokens, segments, starts = clause.tokens, clause.segments, clause.starts
    if cue_end >= len(tokens):
        return set()
    segment = segments[cue_end - 1]
    j, fillers, own_symptom = cue_end, 0, False
    while (
        j < len(tokens)
        and segments[j] == segment
        and (j not in starts or _filler_sign(j, clause, over))
    ):
        if tokens[j] not in over or fillers >= scope:
            return set()
        if tokens[j] in _GENERIC_SYMPTOMS:
            own_symptom = True  # "no pain ..." negates the pain
        elif tokens[j] in LIST_JOINERS:
            own_symptom = False  # "... or numbness": the list goes on
        j, fillers = j + 1, fillers + 1
    if j not in starts or segments[j] != segment or own_symptom:
        return set()  # "no pain cant walk": the negation was spent on "pain"
    negated, end = clause.span(j)
    # An "or" list carries the negation on: "no numbness, tingling or weakness".
    pending: set[int] = set()
    last = negated  # the item the list ended on
    while True:
        k, joined, linked = end, False, False
        while k < len(tokens) and k not in starts:
            if tokens[k] in LIST_JOINERS:
                joined = True
            elif tokens[k] in _OBJECT_LINKS and segments[k] == segments[end - 1]:
                linked = True
            elif not ((joined or linked) and tokens[k] in _LIST_FILLERS):
                break
            k += 1
        if k not in starts:
            break
        if linked and not joined:
            item, end = clause.span(k)
            negated |= item  # what the negated thing is of: "no loss of bladder control"
            last = negated
            continue
        if not joined and segments[k] == segments[end - 1]:
            item, item_end = clause.span(k)
            if any(clause.matches[m][2] in clause.alone for m in item):
                break  # "no numbness cant pee": a new statement, not a list item
            last |= item  # "weight LOSS": a word no flag stands on alone goes on the item
            end = item_end
            continue
        item, end = clause.span(k)
        if joined:
            negated |= pending | item
            pending = set()
            last = negated
        else:
            pending |= item
            last = pending
    if any(t in _UNTIL for t in tokens[end : end + _UNTIL_REACH]):
        return set()
    return negated


def _filler_sign(j: int, clause: _Clause, over: frozenset[str]) -> bool:
    """A one-word sign that is also a negation's filler, with another sign right after it:
    "not FEELING unwell" negates "unwell" ("feeling" is a word of some flag's phrases)."""
    _, end = clause.span(j)
    return (
        end == j + 1
        and clause.tokens[j] in over
        and end in clause.starts
        and clause.segments[end] == clause.segments[j]
    )


def _negated_before(cue_start: int, clause: _Clause, over: frozenset[str], scope: int) -> set[int]:
    """What a negation written after the sign cancels: "bowel control [is] fine"."""
    if cue_start == 0:
        return set()
    j, segment = cue_start, clause.segments[cue_start - 1]
    for _ in range(scope + 1):
        ending = clause.ends.get(j)
        if ending:
            return {m for m in ending if clause.segments[clause.matches[m][0]] == segment}
        if j == 0 or clause.tokens[j - 1] not in over or clause.segments[j - 1] != segment:
            return set()
        j -= 1
    return set()
