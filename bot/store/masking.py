"""Masking what patients type about themselves before any of it is written.

E-mail addresses, @usernames, phone-like numbers and names are replaced by [email],
[username], [number] and [name]. Names are found by how people introduce themselves ("my
name is ...", "I'm ...", "this is ...", "call me ...") and sign off ("Thanks, Margaret",
"Regards,\\nJohn Smith", "- Priya", "x Sue"). Capital letters are no guide on a phone, so
after "I'm" a word is kept only when it is a common non-name word (common_words.py), and
after "my name is", "call me" and a sign-off it is masked when in doubt. A name found once is
masked wherever else it appears in the message.
"""

from __future__ import annotations

import re

from bot.store.common_words import (
    COMMON_WORDS,
    NON_NAME_SUFFIXES,
    SUFFIX_MIN_LENGTH,
    TITLES,
)

MAX_TEXT_CHARS = 1000  # a question is a few lines; longer stories are cut, never stored whole
NAME_MASK = "[name]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{3,}")
# Seven or more digits, possibly split by spaces, dots, dashes, brackets, with a leading +:
# phone numbers and chat ids, but not "2 weeks" or "since 2019".
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s().-]{0,2}\d){6,}")
_SPACES = re.compile(r"\s+")

# A name word: letters, possibly joined by an apostrophe or hyphen (O'Brien, Mary-Jane).
_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"
_NEXT_WORD = re.compile(rf"[ \t]*({_WORD})\.?")
_SEPARATOR_THEN_WORD = re.compile(rf"[ \t]+({_WORD})\.?")

# Words that only follow a "sure" introduction when no name follows ("call me back",
# "my name is not important"): the function words, and a few more.
_NOT_AFTER_SURE = frozenset(
    {
        "a", "an", "the", "not", "on", "at", "in", "back", "when", "if", "and", "or", "but",
        "so", "asap", "later", "now", "please", "anytime", "any", "after", "before", "about",
        "is", "was", "what", "whatever", "whenever", "crazy", "old", "fashioned",
    }
)  # fmt: skip
# Names that are also everyday words: masked after "I'm" / "this is" when written with a
# capital ("I'm Grace" but "I'm hoping").
_WORD_NAMES = frozenset(
    """
    hope grace will rose joy june may april august bill pat mark dawn faith jack frank sue
    sunny summer autumn holly ivy daisy lily ruby amber heather iris violet hazel rusty bob
    ray rob art victor sandy ginger patience charity penny robin crystal jade pearl skye
    river chase chance hunter drew max dean earl guy gene lance miles norman sterling
    warren wade bud carol faye rich sky star angel honey precious
    """.split()
)

# After "I am <word>": the word describes the writer rather than naming them.
_ROLE_AFTER = re.compile(
    r"(?i)[ \t]+(?:person|people|guy|man|woman|lady|girl|boy|type|kind|fan|worker|engineer"
    r"|developer|user)\b"
)

_SURE = "sure"
_SELF = "self"
_THIS = "this"
_INTRODUCTION = re.compile(
    r"(?i)(?<![\w'’])(?:"
    r"(?P<sure>my\s+name\s+is|my\s+names?|(?:my\s+)?name['’]s|name\s*[:=]|names?\s+is"
    r"|(?:i\s+am|i['’]?m|i\s+m)\s+called|call\s+me|known\s+as)"
    r"|(?P<self>i['’]m|i\s+am|im|i\s+m)"
    r"|(?P<this>this\s+is|it['’]s|its|it\s+is|here\s+is|here['’]s)"
    r")[ \t]+"
)
_SIGN_OFF = re.compile(
    r"(?i)(?<![\w'’])(?:many\s+thanks|thanks\s+(?:so\s+much|a\s+lot|again|in\s+advance)"
    r"|thank\s+you(?:\s+(?:so|very)\s+much)?|thanks|thx|ty|cheers|ta"
    r"|(?:kind|best|warm|warmest|many)\s+regards|regards|best\s+wishes|all\s+the\s+best|best"
    r"|(?:lots\s+of\s+)?love(?:\s+from)?|take\s+care|yours(?:\s+(?:sincerely|faithfully|truly))?"
    r"|sincerely|bye)"
    r"[ \t]*[,.!:;-]*\s+"
)
_DASH_SIGN_OFF = re.compile(r"(?:^|(?<=\s))(?:[-–—~]+|x{1,3})[ \t]*(?=[^\W\d_])", re.IGNORECASE)
_MASKS_AT_END = re.compile(r"(?:[\s,;:/|-]*\[(?:email|username|number)\][\W_]*)+$")
_KISSES_AT_END = re.compile(r"\s+x{1,3}[\W_]*$", re.IGNORECASE)
_END = re.compile(r"[\W_]*$")  # what may follow a sign-off name: punctuation, emoji, spaces
_LAST_SEGMENT = re.compile(r"(?:^|[\n.!?])[ \t]*((?:[^\W\d_][^\s]*[ \t]*){1,3})[\W_]*$")
_HERE_AT_START = re.compile(
    rf"(?i)^(?:(?:hi|hello|hey|hiya)(?:[ \t]+there)?[ \t]*[,!.]?[ \t]*)?({_WORD}(?:[ \t]+{_WORD})?)[ \t]+"
    r"(?:here|speaking)\b"
)
_RELATIVE = re.compile(
    r"(?i)\bmy\s+(?:wife|husband|partner|son|daughter|mum|mom|mother|dad|father|sister|brother"
    r"|friend|boyfriend|girlfriend|fianc[eé]e?|grandson|granddaughter|nan|grandma|grandad"
    r"|aunt|uncle|colleague|neighbou?r|child|baby)[ \t]*,?[ \t]+"
)


def mask_personal_details(text: str) -> str:
    """Replace e-mails, @usernames, phone-like numbers and names; collapse whitespace."""
    text = _EMAIL.sub("[email]", text)
    text = _HANDLE.sub("[username]", text)
    text = _LONG_NUMBER.sub("[number]", text)
    text = mask_names(text)
    return _SPACES.sub(" ", text).strip()


def stored_text(text: str) -> str:
    """What is written for a message: masked, then cut at MAX_TEXT_CHARS.

    Text that cannot be encoded as UTF-8 (a lone surrogate half from a broken client) has
    those characters replaced, so one odd message can always be stored.
    """
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    masked = mask_personal_details(text)
    if len(masked) > MAX_TEXT_CHARS:
        masked = masked[: MAX_TEXT_CHARS - 1] + "…"
    return masked


# -- names ----------------------------------------------------------------------------------


def mask_names(text: str) -> str:
    """`text` with the names people give for themselves (and sign with) replaced by [name]."""
    spans: list[tuple[int, int]] = []
    spans += _introduced_names(text)
    spans += _signed_names(text)
    spans += _relatives_names(text)
    if not spans:
        return text
    names = {text[start:end].lower() for start, end in spans}
    for name in names:
        for word in re.findall(_WORD, name):
            if len(word) >= 2 and word not in COMMON_WORDS:
                pattern = rf"(?i)(?<![\w'’-]){re.escape(word)}(?=['’]s\b|(?![\w'’-]))"
                spans += [m.span() for m in re.finditer(pattern, text)]
    return _replace(text, spans)


def _is_common(word: str) -> bool:
    lower = word.lower().replace("’", "'")
    if lower in COMMON_WORDS:
        return True
    return len(lower) >= SUFFIX_MIN_LENGTH and lower.endswith(NON_NAME_SUFFIXES)


def _looks_like_name(word: str) -> bool:
    """A word that may be a name: not a common word, or a capitalised word-name ("Grace").

    A capitalised word is judged by the list alone: "I'm Aisling" but "I'm struggling".
    """
    lower = word.lower().replace("’", "'")
    if word[:1].isupper():
        return lower in _WORD_NAMES or lower not in COMMON_WORDS
    return not _is_common(word)


def _skip_title(text: str, match: re.Match[str] | None) -> re.Match[str] | None:
    """The word after a title ("Dr Patel", "Nan Betty"), or `match` itself."""
    if match is None or match.group(1).lower() not in TITLES:
        return match
    after = _SEPARATOR_THEN_WORD.match(text, match.end())
    return after if after is not None and after.group(1).lower() not in _NOT_AFTER_SURE else None


def _introduced_names(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _INTRODUCTION.finditer(text):
        kind = match.lastgroup
        pos = match.end()
        first = _NEXT_WORD.match(text, pos)
        if first is None:
            continue
        if first.group(1).lower() in TITLES:  # "I'm Dr Patel", "this is Mrs Jones"
            first, kind = _skip_title(text, first), _SURE
            if first is None:
                continue
        word = first.group(1)
        if kind == _SURE:
            if word.lower() in _NOT_AFTER_SURE:
                continue
        elif not _looks_like_name(word):
            continue
        elif kind == _THIS and not (word[:1].isupper() or _introduces(text, first.end())):
            continue  # "this is killing me", "before its sorted": lower case is no name
        elif kind == _SELF and _ROLE_AFTER.match(text, first.end()):
            continue  # "I am software person": a word describing, not a name
        end = _extend_run(text, _word_end(first))
        spans.append((first.start(1), end))
    return spans


def _word_end(match: re.Match[str]) -> int:
    """Where a matched name word ends: after an initial's dot ("K. Patel"), before a
    possessive ("Dave's mum" keeps its 's)."""
    word = match.group(1)
    if len(word) == 1:
        return match.end()
    if word.lower().endswith(("'s", "’s")):
        return match.end(1) - 2
    return match.end(1)


def _introduces(text: str, pos: int) -> bool:
    """True before a comma, "here" or "speaking": "this is sarah, ...", "its jo here"."""
    rest = text[pos:].lstrip(" \t")
    return rest[:1] == "," or re.match(r"(?i)(here|speaking|again)\b", rest) is not None


def _extend_run(text: str, end: int, limit: int = 2) -> int:
    """The end of a name that may go on with up to `limit` more words (a surname)."""
    for _ in range(limit):
        nxt = _SEPARATOR_THEN_WORD.match(text, end)
        if nxt is None or _is_common(nxt.group(1)):
            break
        end = _word_end(nxt)
    return end


def _name_run_to_end(text: str, pos: int) -> tuple[int, int] | None:
    """A 1-3 word name starting at `pos` that ends the message (then only punctuation)."""
    first = _skip_title(text, _NEXT_WORD.match(text, pos))
    if first is None or not _looks_like_name(first.group(1)):
        return None
    end = _word_end(first)
    for _ in range(2):
        if _END.fullmatch(text, end):
            break
        nxt = _SEPARATOR_THEN_WORD.match(text, end)
        if nxt is None or not _looks_like_name(nxt.group(1)):
            return None
        end = _word_end(nxt)
    if not _END.fullmatch(text, end):
        return None
    return first.start(1), end


def _signed_names(text: str) -> list[tuple[int, int]]:
    spans = []
    # Contact details after a signature ("- Priya Ramaswamy @priya_ram") are already masked.
    body = _MASKS_AT_END.sub("", text.rstrip())
    kisses = _KISSES_AT_END.search(body)
    if kisses:  # "Sue x" / "Sue xx": the kisses are not part of the name
        body = body[: kisses.start()]
    for pattern in (_SIGN_OFF, _DASH_SIGN_OFF):
        for match in pattern.finditer(body):
            run = _name_run_to_end(body, match.end())
            if run:
                spans.append(run)
    last = _LAST_SEGMENT.search(body)
    if last and last.start(1) > 0:
        words = last.group(1).split()
        on_own_line = "\n" in body[: last.start(1)].rstrip(" \t")[-1:]
        capitalised = all(w[:1].isupper() for w in words)
        after_sentence = kisses is not None or on_own_line or capitalised
        names_only = all(re.fullmatch(_WORD, w) and _looks_like_name(w) for w in words)
        if after_sentence and names_only:
            spans.append((last.start(1), last.start(1) + len(last.group(1).rstrip())))
    here = _HERE_AT_START.match(text)
    if here and all(_looks_like_name(w) for w in here.group(1).split()):
        spans.append(here.span(1))
    return spans


def _relatives_names(text: str) -> list[tuple[int, int]]:
    """ "my wife Jane", "my son, Tom": a capitalised non-common word after a relative."""
    spans = []
    for match in _RELATIVE.finditer(text):
        nxt = _NEXT_WORD.match(text, match.end())
        if nxt and nxt.group(1)[:1].isupper() and _looks_like_name(nxt.group(1)):
            spans.append((nxt.start(1), _extend_run(text, _word_end(nxt), limit=1)))
    return spans


def _replace(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace the (possibly overlapping) spans by one [name] each."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1 and not text[merged[-1][1] : start].strip():
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(text[pos:start])
        out.append(NAME_MASK)
        pos = end
    out.append(text[pos:])
    return "".join(out)
