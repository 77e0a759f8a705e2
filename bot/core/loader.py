"""Load and validate `knowledge/`: every problem at once, as `file:line: what - how to fix`.

One function, `load_knowledge`, is both the `check` command and start-up: a knowledge base
with any error is refused whole (KnowledgeError), never half-loaded.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.core.errors import KnowledgeError, Problem
from bot.core.markup import TELEGRAM_MESSAGE_LIMIT, markup_problems, to_plain
from bot.core.model import (
    Clinic,
    ContextRule,
    Gap,
    Knowledge,
    MatchingSettings,
    Messages,
    RedFlag,
    SmalltalkIntent,
    Topic,
    TriageContext,
)
from bot.core.text import fold
from bot.core.yamlfile import LDict, LList, line_of, read_yaml

CLINIC_FILE = "clinic.yaml"
TOPICS_DIR = "topics"
SYNONYMS_FILE = "synonyms.yaml"
RED_FLAGS_FILE = "red_flags.yaml"
SMALLTALK_FILE = "smalltalk.yaml"
GAPS_FILE = "not_on_page.yaml"

TOPIC_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TOPIC_ID = 40  # keeps Telegram callback data ("feedback:<id>:yes") under 64 bytes
MAX_TITLE = 40  # a button label that fits a phone screen
SHARED_PLACEHOLDERS = frozenset(
    {"clinic", "practitioner", "booking_url", "contact", "emergency_number", "urgent_number"}
)
_PLACEHOLDER = re.compile(r"\{([a-zA-Z_]+)\}")
# The shipped example values' web addresses: fine for trying the bot, not for patients.
EXAMPLE_HOSTS = frozenset({"example.com", "www.example.com", "example.org", "www.example.org"})
# clinic.contact is put into sentences ("contact the clinic: {contact}"), so it must be the
# detail itself: a phone number, an e-mail address or a web address.
_CONTACT_DETAIL = re.compile(
    r"\+?\d[\d ().-]{5,}\d|[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+|\bwww\.\S+", re.IGNORECASE
)
# "contact the contact details": a sentence that says "contact" twice once it is filled in
# (an address like contact@... or .../contact is fine).
_DOUBLED_CONTACT = re.compile(
    r"\bcontact\b[^\w@/]+(?:\w+[^\w@/]+){0,2}?contact\b(?![@./\w-])", re.IGNORECASE
)

CLINIC_KEYS = {
    "name": True,
    "practitioner": True,
    "booking_url": True,
    "contact": True,
    "emergency_number": False,
    "urgent_number": False,
}
TOPIC_KEYS = {
    "id": True,
    "title": True,
    "answer": True,
    "phrasings": True,
    "keywords": False,
    "related": False,
}
MATCHING_KEYS = {name: False for name in MatchingSettings.__dataclass_fields__}
MESSAGE_KEYS = {name: True for name in Messages.__dataclass_fields__}
MESSAGE_PLACEHOLDERS = {
    "urgent": {"flag"},
    "privacy": {"retention_days"},
    "forget_done": {"records"},
}
# Placeholders a message must keep: the privacy notice must say the real retention period
# (from RETENTION_DAYS) and how to delete; the /forget reply must say what went.
REQUIRED_IN_MESSAGE = {
    "privacy": ("{retention_days}", "/forget"),
    "forget_done": ("{records}",),
}


class _Checker:
    """Collects problems while turning located YAML values into typed values."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # Topic files that could not be read (their problem is reported): references to
        # them by file name are not reported again, so one broken file is one problem.
        self.unreadable_topics: set[str] = set()

    def add(self, file: Path, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def mapping(
        self, value: Any, file: Path, where: str, keys: dict[str, bool], line: int = 1
    ) -> LDict | None:
        """Check a mapping's type and keys (unknown and missing), reporting each."""
        if not isinstance(value, dict):
            self.add(
                file, line_of(value, default=line), f"{where} should be a set of 'key: value' lines"
            )
            return None
        for key in value:
            if key not in keys:
                close = _closest(key, keys)
                hint = f"did you mean '{close}'?" if close else f"allowed: {', '.join(keys)}"
                self.add(file, line_of(value, key), f"unknown key '{key}' in {where} - {hint}")
        for key, required in keys.items():
            if required and key not in value:
                self.add(
                    file, line_of(value), f"{where} is missing '{key}' - add a line '{key}: ...'"
                )
        return value  # type: ignore[return-value]

    def text(self, parent: Any, key: str, file: Path, where: str, *, required: bool = True) -> str:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            if required and isinstance(parent, dict) and key in parent:
                self.add(
                    file, line_of(parent, key), f"'{key}' in {where} is empty - write some text"
                )
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(
                file,
                line_of(parent, key),
                f"'{key}' in {where} should be text, not a list or mapping",
            )
            return ""
        text = str(value).strip()
        if required and not text:
            self.add(file, line_of(parent, key), f"'{key}' in {where} is empty - write some text")
        return text

    def text_list(
        self, parent: Any, key: str, file: Path, where: str, *, required: bool = False
    ) -> list[tuple[str, int]]:
        """A list of texts with their lines; a single text is accepted as a one-item list."""
        if not isinstance(parent, dict) or parent.get(key) is None:
            if required and isinstance(parent, dict) and key in parent:
                self.add(
                    file,
                    line_of(parent, key),
                    f"'{key}' in {where} is empty - add at least one line",
                )
            return []
        value = parent[key]
        if isinstance(value, str):
            return [(value.strip(), line_of(parent, key))] if value.strip() else []
        if not isinstance(value, list):
            self.add(
                file,
                line_of(parent, key),
                f"'{key}' in {where} should be a list of lines starting with '- '",
            )
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.add(
                    file,
                    line_of(value, i),
                    f"an item of '{key}' in {where} should be text - put it in quotes",
                )
            elif str(item).strip():
                out.append((str(item).strip(), line_of(value, i)))
            else:
                self.add(
                    file,
                    line_of(value, i),
                    f"an empty item in '{key}' in {where} - delete the line",
                )
        if required and not out:
            self.add(
                file, line_of(parent, key), f"'{key}' in {where} is empty - add at least one line"
            )
        return out

    def placeholders(
        self, text: str, file: Path, line: int, allowed: set[str] | frozenset[str]
    ) -> None:
        for name in _PLACEHOLDER.findall(text):
            if name not in allowed:
                choices = ", ".join("{" + n + "}" for n in sorted(allowed))
                self.add(file, line, f"unknown placeholder {{{name}}} - use one of {choices}")

    def wording(self, text: str, values: dict[str, str], file: Path, line: int, where: str) -> None:
        """A sentence must still read well once its placeholders are filled in."""
        doubled = _DOUBLED_CONTACT.search(to_plain(fill(text, values)))
        if doubled:
            self.add(
                file,
                line,
                f'{where} reads "{doubled.group(0)}" once {{contact}} is filled in - reword it,'
                ' e.g. "contact the clinic: {contact}"',
            )

    def markup(self, text: str, file: Path, line: int, where: str) -> None:
        for message in dict.fromkeys(markup_problems(text)):
            self.add(file, line, f"{where}: {message}")
        if len(text) > TELEGRAM_MESSAGE_LIMIT:
            self.add(
                file,
                line,
                f"{where} is {len(text)} characters, over Telegram's {TELEGRAM_MESSAGE_LIMIT}"
                " - shorten it or split it into two topics",
            )


def _closest(key: str, keys: dict[str, bool]) -> str | None:
    from rapidfuzz import process

    found = process.extractOne(key, list(keys), score_cutoff=70)
    return found[0] if found else None


def fill(template: str, values: dict[str, str]) -> str:
    """Replace known {placeholders}; leave any other braces as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def load_knowledge(directory: Path | str) -> Knowledge:
    """Read and validate a knowledge folder; raise KnowledgeError listing every problem."""
    directory = Path(directory)
    checker = _Checker()
    if not directory.is_dir():
        raise KnowledgeError(
            [
                Problem(
                    directory,
                    0,
                    "the knowledge folder does not exist - check --knowledge or KNOWLEDGE_DIR",
                )
            ]
        )
    clinic, messages, matching = _load_clinic(directory / CLINIC_FILE, checker)
    values = {
        "clinic": clinic.name,
        "practitioner": clinic.practitioner,
        "booking_url": clinic.booking_url,
        "contact": clinic.contact,
        "emergency_number": clinic.emergency_number,
        "urgent_number": clinic.urgent_number,
    }
    topics = _load_topics(directory / TOPICS_DIR, checker, values)
    synonyms = _load_synonyms(directory / SYNONYMS_FILE, checker)
    red_flags, triage_context = _load_red_flags(directory / RED_FLAGS_FILE, checker)
    smalltalk = _load_smalltalk(directory / SMALLTALK_FILE, checker, values)
    gaps = _load_gaps(directory / GAPS_FILE, checker, values)
    topics = _order_topics(
        topics, _menu_order(directory / CLINIC_FILE, checker), directory / CLINIC_FILE, checker
    )
    if checker.problems:
        raise KnowledgeError(checker.problems)
    filled = Messages(**{k: fill(getattr(messages, k), values) for k in MESSAGE_KEYS})
    return Knowledge(
        clinic=clinic,
        messages=filled,
        topics=tuple(topics),
        synonyms=synonyms,
        red_flags=tuple(red_flags),
        triage_context=triage_context,
        smalltalk=tuple(smalltalk),
        gaps=tuple(gaps),
        matching=matching,
        directory=directory,
    )


def advice(knowledge: Knowledge) -> list[str]:
    """What `check` notes about a knowledge base that loads but is not ready to go live.

    Not problems (the bot runs, e.g. to try it out), but a patient would be misled: the
    shipped example booking page and contact, or a contact that is no phone number, e-mail
    or web page ("contact the clinic: our website" tells a patient nothing).
    """
    clinic = knowledge.clinic
    notes = []
    if urlsplit(clinic.booking_url).hostname in EXAMPLE_HOSTS:
        notes.append(
            "booking_url is still the example address - put the clinic's real booking page"
            " there before going live"
        )
    if any(host in clinic.contact.lower() for host in EXAMPLE_HOSTS):
        notes.append(
            "contact is still the example - put the clinic's real phone number, e-mail or"
            " contact page there before going live"
        )
    elif not _CONTACT_DETAIL.search(clinic.contact):
        notes.append(
            f"contact should be how to reach the clinic (got {clinic.contact!r}) - write a phone"
            " number, an e-mail address or a web page, e.g. 01234 567890, hello@yourclinic.co.uk"
            ' or https://yourclinic.co.uk/contact (sentences read "contact the clinic:'
            ' {contact}")'
        )
    return notes


def check_knowledge(directory: Path | str) -> list[Problem]:
    """Every problem in a knowledge folder (empty when it loads cleanly)."""
    try:
        load_knowledge(directory)
    except KnowledgeError as exc:
        return exc.problems
    return []


def _read_required(file: Path, checker: _Checker) -> Any:
    if not file.is_file():
        checker.add(file, 0, f"{file.name} is missing - restore it from the project's copy")
        return None
    return read_yaml(file, checker.problems)


def _menu_order(file: Path, checker: _Checker) -> list[tuple[str, int]]:
    """The optional `menu:` list of topic ids in clinic.yaml, in the order buttons appear."""
    data = read_yaml(file, []) if file.is_file() else None
    if not isinstance(data, dict) or data.get("menu") is None:
        return []
    return checker.text_list(data, "menu", file, "menu")


def _order_topics(
    topics: list[Topic], order: list[tuple[str, int]], file: Path, checker: _Checker
) -> list[Topic]:
    """Topics in the menu's order; those not listed keep their file order after them."""
    known = {t.id for t in topics}
    rank: dict[str, int] = {}
    for topic_id, line in order:
        if topic_id not in known and topic_id not in checker.unreadable_topics:
            close = _closest(topic_id, dict.fromkeys(known, True))
            hint = f"did you mean '{close}'?" if close else "use the id of an existing topic"
            checker.add(file, line, f"menu lists '{topic_id}', which is not a topic - {hint}")
        rank.setdefault(topic_id, len(rank))
    return sorted(topics, key=lambda t: rank.get(t.id, len(rank)))


def _load_clinic(file: Path, checker: _Checker) -> tuple[Clinic, Messages, MatchingSettings]:
    data = _read_required(file, checker)
    top = (
        checker.mapping(
            data,
            file,
            file.name,
            {"clinic": True, "messages": True, "matching": False, "menu": False},
        )
        if data is not None
        else None
    )
    top = top or LDict()
    section = (
        checker.mapping(top.get("clinic"), file, "clinic", CLINIC_KEYS, line_of(top, "clinic"))
        if "clinic" in top
        else None
    )
    section = section or LDict()
    c = {
        k: checker.text(section, k, file, "clinic", required=req) for k, req in CLINIC_KEYS.items()
    }
    contact = c["contact"]
    url = c["booking_url"]
    if url and not re.match(r"^https://[^\s/]+\.[^\s]+$", url):
        checker.add(
            file,
            line_of(section, "booking_url"),
            f"booking_url must be a full https:// address (got {url!r}) - e.g. https://www.example.com/book",
        )
    clinic = Clinic(
        name=c["name"],
        practitioner=c["practitioner"],
        booking_url=url,
        contact=c["contact"],
        emergency_number=c["emergency_number"] or "999",
        urgent_number=c["urgent_number"] or "NHS 111",
    )

    msgs = (
        checker.mapping(
            top.get("messages"), file, "messages", MESSAGE_KEYS, line_of(top, "messages")
        )
        if "messages" in top
        else None
    )
    msgs = msgs or LDict()
    texts = {}
    for key in MESSAGE_KEYS:
        texts[key] = checker.text(msgs, key, file, "messages", required=key in msgs)
        if key in msgs and texts[key]:
            line = line_of(msgs, key)
            checker.placeholders(
                texts[key], file, line, SHARED_PLACEHOLDERS | MESSAGE_PLACEHOLDERS.get(key, set())
            )
            checker.markup(texts[key], file, line, f"message '{key}'")
            for needed in REQUIRED_IN_MESSAGE.get(key, ()):
                if needed not in texts[key]:
                    checker.add(
                        file,
                        line,
                        f"message '{key}' must contain {needed} - put it back where it was",
                    )
            checker.wording(texts[key], {"contact": contact}, file, line, f"message '{key}'")
    messages = Messages(**texts)

    matching = MatchingSettings()
    if top.get("matching") is not None:
        m = checker.mapping(
            top["matching"], file, "matching", MATCHING_KEYS, line_of(top, "matching")
        )
        numbers = {}
        for key in MATCHING_KEYS:
            if m is not None and key in m:
                value = m[key]
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                    checker.add(
                        file,
                        line_of(m, key),
                        f"matching '{key}' must be a whole number from 0 to 100",
                    )
                else:
                    numbers[key] = value
        matching = MatchingSettings(**numbers)
        if matching.suggest_score > matching.answer_score:
            checker.add(
                file,
                line_of(top, "matching"),
                "matching suggest_score is above answer_score - suggestions must need a lower score than answers",
            )
        if numbers.get("max_suggestions", 3) < 1 or numbers.get("max_suggestions", 3) > 8:
            checker.add(
                file, line_of(m, "max_suggestions"), "matching max_suggestions must be from 1 to 8"
            )
    return clinic, messages, matching


def _load_topics(folder: Path, checker: _Checker, values: dict[str, str]) -> list[Topic]:
    if not folder.is_dir():
        checker.add(folder, 0, "the topics folder is missing - it holds one .yaml file per topic")
        return []
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        checker.add(folder, 0, "there are no topic files - add one .yaml file per topic")
    topics: list[Topic] = []
    seen_ids: dict[str, tuple[Path, int]] = {}
    seen_phrasings: dict[str, tuple[str, Path, int]] = {}
    related_refs: list[tuple[str, Path, int]] = []
    for file in files:
        data = read_yaml(file, checker.problems)
        if data is None:
            checker.unreadable_topics.add(file.stem)
            if file.read_bytes().strip() == b"":
                checker.add(file, 1, "the topic file is empty - write the topic or delete the file")
            continue
        topic = checker.mapping(data, file, "the topic", TOPIC_KEYS)
        if topic is None:
            checker.unreadable_topics.add(file.stem)
            continue
        topic_id = checker.text(topic, "id", file, "the topic")
        where = f"topic '{topic_id}'" if topic_id else "the topic"
        if topic_id:
            if not TOPIC_ID.match(topic_id) or len(topic_id) > MAX_TOPIC_ID:
                checker.add(
                    file,
                    line_of(topic, "id"),
                    f"id '{topic_id}' should be lower-case words joined by hyphens, at most"
                    f" {MAX_TOPIC_ID} characters (e.g. how-many-sessions)",
                )
            if topic_id in seen_ids:
                other, other_line = seen_ids[topic_id]
                checker.add(
                    file,
                    line_of(topic, "id"),
                    f"id '{topic_id}' is also used in {other}:{other_line} - give each topic its own id",
                )
            else:
                seen_ids[topic_id] = (file, line_of(topic, "id"))
            if topic_id != file.stem:
                checker.add(
                    file,
                    line_of(topic, "id"),
                    f"id '{topic_id}' is not the file's name ({file.name}) - keep them the same:"
                    f" rename the file to {topic_id}{file.suffix} (or, for a new topic nobody"
                    f" has used yet, set id: {file.stem})",
                )
        title = checker.text(topic, "title", file, where)
        if len(title) > MAX_TITLE:
            checker.add(
                file,
                line_of(topic, "title"),
                f"title is {len(title)} characters - keep it to {MAX_TITLE} so it fits a button",
            )
        answer = checker.text(topic, "answer", file, where)
        if answer:
            checker.placeholders(answer, file, line_of(topic, "answer"), SHARED_PLACEHOLDERS)
            checker.markup(answer, file, line_of(topic, "answer"), f"the answer of {where}")
            checker.wording(
                answer, values, file, line_of(topic, "answer"), f"the answer of {where}"
            )
        phrasings = checker.text_list(
            topic, "phrasings", file, where, required="phrasings" in topic
        )
        mine: dict[str, int] = {}
        for phrasing, line in phrasings:
            key = fold(phrasing)
            if not key:
                checker.add(
                    file, line, "a phrasing with no letters or digits - write the question in words"
                )
            elif key in mine:
                checker.add(
                    file,
                    line,
                    f"the phrasing '{phrasing}' is already on line {mine[key]} - delete one",
                )
            elif key in seen_phrasings and seen_phrasings[key][0] != topic_id:
                other_id, other_file, other_line = seen_phrasings[key]
                checker.add(
                    file,
                    line,
                    f"the phrasing '{phrasing}' is also under topic '{other_id}' ({other_file}:{other_line})"
                    " - keep it under the one topic that answers it",
                )
            else:
                mine[key] = line
                seen_phrasings[key] = (topic_id, file, line)
        keywords = checker.text_list(topic, "keywords", file, where)
        related = checker.text_list(topic, "related", file, where)
        related_refs.extend((r, file, line) for r, line in related)
        if topic_id and related and topic_id in {r for r, _ in related}:
            checker.add(
                file, line_of(topic, "related"), f"{where} lists itself under related - remove it"
            )
        topics.append(
            Topic(
                id=topic_id,
                title=title,
                answer=fill(answer, values),
                phrasings=tuple(p for p, _ in phrasings),
                keywords=tuple(k for k, _ in keywords),
                related=tuple(r for r, _ in related),
                source=file,
            )
        )
    for ref, file, line in related_refs:
        if ref not in seen_ids and ref not in checker.unreadable_topics:
            close = _closest(ref, dict.fromkeys(seen_ids, True))
            hint = f"did you mean '{close}'?" if close else "use the id of an existing topic"
            checker.add(file, line, f"related topic '{ref}' does not exist - {hint}")
    return topics


def _load_synonyms(file: Path, checker: _Checker) -> dict[str, tuple[str, ...]]:
    if not file.is_file():
        return {}
    data = read_yaml(file, checker.problems)
    if data is None:
        return {}
    top = checker.mapping(data, file, file.name, {"synonyms": True})
    table = top.get("synonyms") if top else None
    if table is None:
        return {}
    if not isinstance(table, dict):
        checker.add(
            file, line_of(top, "synonyms"), "synonyms should be lines of 'word: [other words]'"
        )
        return {}
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for canonical in table:
        variants = checker.text_list(table, canonical, file, f"synonyms of '{canonical}'")
        key = fold(canonical)
        if not key:
            checker.add(
                file, line_of(table, canonical), f"'{canonical}' has no letters - use a word"
            )
            continue
        kept = []
        for variant, line in variants:
            v = fold(variant)
            if v in owner and owner[v] != key:
                checker.add(
                    file,
                    line,
                    f"'{variant}' is listed under both '{owner[v]}' and '{canonical}' - keep it under one",
                )
            elif v and v != key and re.search(rf"\b{re.escape(v)}\b", key):
                checker.add(
                    file,
                    line,
                    f"'{variant}' is part of '{canonical}' itself, so '{canonical}' would keep"
                    " growing when replaced - remove it or list a longer phrase",
                )
            elif v and v != key:
                owner[v] = key
                kept.append(v)
        out[key] = tuple(kept)
    return out


def _load_red_flags(file: Path, checker: _Checker) -> tuple[list[RedFlag], TriageContext]:
    data = _read_required(file, checker)
    if data is None:
        return [], TriageContext()
    keys = {
        "terminations": False,
        "negative_answers": False,
        "writer_markers": False,
        "come_true": False,
        "respellings": False,
        "concepts": False,
        "context": False,
        "flags": True,
    }
    top = checker.mapping(data, file, file.name, keys)
    if top is None:
        return [], TriageContext()
    context = _load_triage_context(top, file, checker)
    flags_value = top.get("flags")
    if not isinstance(flags_value, list) or not flags_value:
        checker.add(
            file,
            line_of(top, "flags"),
            "'flags' should be a list of red flags, each starting with '- id:'",
        )
        return [], context
    compile_pattern = _pattern_compiler()
    concepts = _load_concepts(top, file, checker)
    context = dataclasses.replace(context, concepts=tuple(concepts.items()))
    flags: list[RedFlag] = []
    seen: set[str] = set()
    keys = {"id": True, "name": True, "when": True, "unless": False, "past_counts": False,
            "despite": False}  # fmt: skip
    for i, item in enumerate(flags_value):
        flag = checker.mapping(item, file, "a red flag", keys, line_of(flags_value, i))
        if flag is None:
            continue
        flag_id = checker.text(flag, "id", file, "the red flag")
        where = f"red flag '{flag_id}'"
        if flag_id in seen:
            checker.add(
                file, line_of(flag, "id"), f"red flag id '{flag_id}' is used twice - rename one"
            )
        seen.add(flag_id)
        name = checker.text(flag, "name", file, where)
        when = checker.text_list(flag, "when", file, where, required=True)
        unless = checker.text_list(flag, "unless", file, where)
        despite = checker.text_list(flag, "despite", file, where)
        when = [(_expanded(p, line, concepts, file, where, checker), line) for p, line in when]
        unless = [(_expanded(p, line, concepts, file, where, checker), line) for p, line in unless]
        despite = [
            (_expanded(p, line, concepts, file, where, checker), line) for p, line in despite
        ]
        for pattern, line in [*when, *unless, *despite]:
            error = compile_pattern(pattern)
            if error:
                checker.add(file, line, f"in {where}: {error}")
        past_counts = flag.get("past_counts", False)
        if not isinstance(past_counts, bool):
            checker.add(
                file,
                line_of(flag, "past_counts"),
                f"'past_counts' in {where} should be true or false",
            )
            past_counts = False
        flags.append(
            RedFlag(
                flag_id,
                name,
                tuple(p for p, _ in when),
                tuple(p for p, _ in unless),
                past_counts,
                tuple(p for p, _ in despite),
            )
        )
    return flags, context


def _load_concepts(top: LDict, file: Path, checker: _Checker) -> dict[str, str]:
    """`concepts:` in red_flags.yaml: named families of words ("legs: leg | legs | feet")
    that flags' patterns use as "@legs"."""
    from bot.core.triage.patterns import check_concept

    value = top.get("concepts")
    if value is None:
        return {}
    if not isinstance(value, dict):
        checker.add(
            file,
            line_of(top, "concepts"),
            "'concepts' should be lines like 'legs: \"leg | legs | feet\"' - a name, a colon, "
            "then the ways of saying it joined by ' | '",
        )
        return {}
    concepts: dict[str, str] = {}
    for name, words in value.items():
        line = line_of(value, name)
        if not isinstance(words, str) or not words.strip():
            checker.add(
                file,
                line,
                f"in 'concepts': after '{name}:' write the ways of saying it in quotes, "
                "joined by ' | ' (e.g. \"leg | legs | feet\")",
            )
            continue
        error = check_concept(str(name), words)
        if error:
            checker.add(file, line, f"in 'concepts': {error}")
            continue
        concepts[str(name)] = " ".join(words.split())
    return concepts


def _expanded(
    pattern: str, line: int, concepts: dict[str, str], file: Path, where: str, checker: _Checker
) -> str:
    """The pattern with its "@concept" names replaced by their words (a wrong name reported
    at its line, and the pattern kept as written so its other errors are reported too)."""
    from bot.core.triage.patterns import PatternError, expand_concepts

    try:
        return expand_concepts(pattern, concepts)
    except PatternError as exc:
        checker.add(file, line, f"in {where}: {exc}")
        return pattern.replace("@", "")


def _load_triage_context(top: LDict, file: Path, checker: _Checker) -> TriageContext:
    """The ConText groups and word lists of red_flags.yaml, each checked where it is written."""
    from bot.core.triage import context as triage_context

    lists = {}
    for key in ("terminations", "negative_answers", "writer_markers", "come_true"):
        items = checker.text_list(top, key, file, "red flags")
        for phrase, line in items:
            error = triage_context.check_phrase(phrase)
            if error:
                checker.add(file, line, f"in '{key}': {error}")
        lists[key] = tuple(phrase for phrase, _ in items)
    groups = top.get("context")
    rules: list[ContextRule] = []
    if groups is not None and not isinstance(groups, list):
        checker.add(
            file,
            line_of(top, "context"),
            "'context' should be a list of trigger groups, each starting with '- axis:'",
        )
        groups = []
    keys = {"axis": True, "direction": True, "scope": True, "triggers": True, "over": False,
            "until": False, "not_after": False, "not_before": False}  # fmt: skip
    for i, item in enumerate(groups or []):
        group = checker.mapping(item, file, "a context group", keys, line_of(groups, i))
        if group is None:
            continue
        axis = checker.text(group, "axis", file, "the context group")
        where = f"the context group '{axis}'"
        direction = checker.text(group, "direction", file, where)
        scope_value = group.get("scope")
        if scope_value == "sentence":
            scope = None
        elif isinstance(scope_value, int) and not isinstance(scope_value, bool):
            scope = scope_value
        else:
            checker.add(
                file,
                line_of(group, "scope", default=line_of(group)),
                f"'scope' in {where} should be a number of words (e.g. 4) or 'sentence'",
            )
            continue
        triggers = checker.text_list(group, "triggers", file, where, required=True)
        over = checker.text_list(group, "over", file, where)
        until = checker.text_list(group, "until", file, where)
        not_after = checker.text_list(group, "not_after", file, where)
        not_before = checker.text_list(group, "not_before", file, where)
        rule = ContextRule(
            axis,
            direction,
            scope,
            tuple(t for t, _ in triggers),
            tuple(o for o, _ in over),
            tuple(u for u, _ in until),
            tuple(n for n, _ in not_after),
            tuple(n for n, _ in not_before),
        )
        for phrase, line in [*triggers, *over, *until, *not_after, *not_before]:
            error = triage_context.check_phrase(phrase)
            if error:
                checker.add(file, line, f"in {where}: {error}")
        error = triage_context.check_rule(rule)
        if error and triggers:
            checker.add(file, line_of(group), f"in {where}: {error}")
        elif not error:
            rules.append(rule)
    return TriageContext(
        rules=tuple(rules),
        terminations=lists["terminations"],
        negative_answers=lists["negative_answers"],
        writer_markers=lists["writer_markers"],
        come_true=lists["come_true"],
        respellings=_load_respellings(top, file, checker),
    )


_ONE_WORD = re.compile(r"[a-z]+")


def _load_respellings(top: LDict, file: Path, checker: _Checker) -> tuple[tuple[str, str], ...]:
    """`respellings:` in red_flags.yaml: each pattern word and the spellings read as it
    ("cant: cannae cyaan"), as (spelling, word) pairs."""
    value = top.get("respellings")
    if value is None:
        return ()
    if not isinstance(value, dict):
        checker.add(
            file,
            line_of(top, "respellings"),
            "'respellings' should be lines like 'cant: cannae cyaan' - the word the patterns "
            "use, a colon, then the spellings read as it",
        )
        return ()
    pairs: list[tuple[str, str]] = []
    owner: dict[str, str] = {}
    for word, spellings in value.items():
        line = line_of(value, word)
        if not isinstance(word, str) or not _ONE_WORD.fullmatch(word):
            checker.add(
                file,
                line,
                f"in 'respellings': '{word}' should be one lower-case word without "
                "apostrophes (cant, dont, my)",
            )
            continue
        words = spellings.split() if isinstance(spellings, str) else []
        if not words or not all(_ONE_WORD.fullmatch(w) for w in words):
            checker.add(
                file,
                line,
                f"in 'respellings': after '{word}:' write the spellings read as it, lower-case "
                "words separated by spaces, without apostrophes (e.g. 'cant: cannae cyaan')",
            )
            continue
        for spelling in words:
            if spelling in owner and owner[spelling] != word:
                checker.add(
                    file,
                    line,
                    f"in 'respellings': '{spelling}' is read as both '{owner[spelling]}' and "
                    f"'{word}' - keep it under one word only",
                )
                continue
            owner[spelling] = word
            pairs.append((spelling, word))
    return tuple(pairs)


def _pattern_compiler() -> Callable[[str], str | None]:
    """The triage's own pattern check, so `check` and the runtime agree exactly."""
    from bot.core.triage import PatternError, compile_pattern

    def check(pattern: str) -> str | None:
        try:
            compile_pattern(pattern)
        except PatternError as exc:
            return str(exc)
        return None

    return check


def _load_phrased(
    file: Path,
    checker: _Checker,
    values: dict[str, str],
    section: str,
    what: str,
    *,
    reply_required: bool,
) -> list[tuple[str, tuple[str, ...], str]]:
    """(id, phrasings, reply) of each item of a `section:` list: smalltalk intents and gaps
    share this shape, and the file itself is optional."""
    if not file.is_file():
        return []
    data = read_yaml(file, checker.problems)
    if data is None:
        return []
    top = checker.mapping(data, file, file.name, {section: True})
    items = top.get(section) if top else None
    if not isinstance(items, list):
        if top is not None and section in top:
            checker.add(
                file,
                line_of(top, section),
                f"'{section}' should be a list, each item starting with '- id:'",
            )
        return []
    out = []
    keys = {"id": True, "phrasings": True, "reply": reply_required}
    for i, raw in enumerate(items):
        item = checker.mapping(raw, file, f"a {what}", keys, line_of(items, i))
        if item is None:
            continue
        item_id = checker.text(item, "id", file, f"the {what}")
        where = f"{what} '{item_id}'"
        phrasings = checker.text_list(item, "phrasings", file, where, required=True)
        reply = checker.text(item, "reply", file, where, required=reply_required)
        if reply:
            checker.placeholders(reply, file, line_of(item, "reply"), SHARED_PLACEHOLDERS)
            checker.markup(reply, file, line_of(item, "reply"), f"the reply of {where}")
            checker.wording(reply, values, file, line_of(item, "reply"), f"the reply of {where}")
        out.append((item_id, tuple(p for p, _ in phrasings), fill(reply, values)))
    return out


def _load_smalltalk(file: Path, checker: _Checker, values: dict[str, str]) -> list[SmalltalkIntent]:
    found = _load_phrased(file, checker, values, "intents", "smalltalk intent", reply_required=True)
    return [SmalltalkIntent(*item) for item in found]


def _load_gaps(file: Path, checker: _Checker, values: dict[str, str]) -> list[Gap]:
    found = _load_phrased(file, checker, values, "gaps", "gap", reply_required=False)
    return [Gap(*item) for item in found]


__all__ = ["LList", "advice", "check_knowledge", "fill", "load_knowledge"]
