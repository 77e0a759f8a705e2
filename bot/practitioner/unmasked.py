"""A patient's wording without what the store masked, so the question itself can be taught.

The store replaces names, phone numbers, e-mails and @usernames by "[name]", "[number]",
"[email]" and "[username]". Those marks, and the words that frame them ("hi, I'm [name],",
"my name is [name] and", "thanks, [name]"), say nothing about what was asked: they must
never become a phrasing, a topic id or a reason to group two questions together.
"""

from __future__ import annotations

import re

MASKS = ("[name]", "[number]", "[email]", "[username]")
_MASK = r"\[(?:name|number|email|username)\]"
_MASK_RUN = rf"{_MASK}(?:[ \t]+{_MASK})*"
_GREETING = r"(?:(?:hi|hello|hey|hiya|dear|good\s+(?:morning|afternoon|evening))\b[\s,!.-]*)?"
_INTRODUCTION = re.compile(
    rf"(?i){_GREETING}(?<![\w'’])(?:my\s+name\s+is|my\s+names?|(?:my\s+)?name['’]?s"
    r"|name\s*[:=]|(?:i\s+am|i['’]?m|i\s+m)(?:\s+called)?|this\s+is|it['’]?s|it\s+is"
    rf"|here\s+is|call\s+me|known\s+as)[ \t]+{_MASK_RUN}(?:[ \t]*[,.!;:-]+|[ \t]+(?:and|here)\b)?\s*"
)
# "thanks, [name]", "regards [name] [name]", "- [name]", "x [name]" at the end.
_SIGN_OFF = re.compile(
    r"(?i)[\s,.!;:-]*(?:(?:many\s+)?thanks(?:\s+(?:so\s+much|a\s+lot|again|in\s+advance))?"
    r"|thank\s+you(?:\s+(?:so|very)\s+much)?|thx|ty|cheers|ta|(?:kind|best|warm|many)\s+regards"
    r"|regards|best\s+wishes|all\s+the\s+best|best|love|take\s+care|yours(?:\s+\w+)?|x+|-)"
    rf"[\s,!.-]*{_MASK_RUN}[\s.!]*$"
)
# A greeting that addresses someone: "hi [name]," / "dear [name]".
_ADDRESS = re.compile(rf"(?i)^\s*(?:hi|hello|hey|hiya|dear)[ \t]+{_MASK_RUN}[\s,.!:-]*")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*|[.!?\n]+")
_HAS_MASK = re.compile(_MASK)


def has_mask(text: str) -> bool:
    """Whether `text` still holds one of the store's masks."""
    return bool(_HAS_MASK.search(text))


def without_masked(text: str) -> str:
    """`text` without introductions, addresses and sign-offs of a masked name, and without
    any sentence or clause that still holds a mask ("You can call me on [number]."): what is left is
    the question itself ("Hi, I'm [name]. Do you treat sciatica?" -> "Do you treat
    sciatica?")."""
    if not has_mask(text):
        return text
    text = _ADDRESS.sub("", text)
    text = _INTRODUCTION.sub("", text)
    text = _SIGN_OFF.sub("", text)
    kept = []
    for sentence in _SENTENCE.findall(text):
        if has_mask(sentence):  # keep the clauses that hold no mask ("..., my email is [email]")
            sentence = ",".join(c for c in sentence.split(",") if not has_mask(c))
        kept.append(sentence)
    return " ".join(" ".join(kept).split()).strip(" ,;:-")
