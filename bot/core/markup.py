"""The small HTML subset replies are written in: checked at load, stripped for plain text.

Telegram's HTML parse mode rejects a whole message for one stray `<` or `&`, so the
validator finds those before a patient ever sees a failed message.
"""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code"})
TELEGRAM_MESSAGE_LIMIT = 4096

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_HREF = re.compile(r"""^\s+href\s*=\s*"([^"]*)"\s*$""")


def escape(text: str) -> str:
    """Make patient-typed text safe to place inside a reply."""
    return html.escape(text, quote=False)


def markup_problems(text: str) -> list[str]:
    """Everything Telegram would reject in `text`, each as 'what is wrong - how to fix it'."""
    problems: list[str] = []
    open_tags: list[str] = []
    pos = 0
    for m in _TAG.finditer(text):
        problems.extend(_stray(text[pos : m.start()]))
        pos = m.end()
        closing, name, attrs = m.group(1) == "/", m.group(2).lower(), m.group(3) or ""
        if name not in ALLOWED_TAGS:
            problems.append(
                f'the tag <{name}> is not allowed - use only <b>, <i>, <u>, <a href="...">,'
                " or write &lt; for a plain <"
            )
            continue
        if closing:
            if not open_tags or open_tags[-1] != name:
                problems.append(
                    f"</{name}> closes a tag that is not open - remove it or add <{name}>"
                )
            else:
                open_tags.pop()
            continue
        if name == "a":
            href = _HREF.match(attrs)
            if not href or not href.group(1).startswith(("https://", "http://", "tg://")):
                problems.append('a link must look like <a href="https://..."> - check its quotes')
        elif attrs.strip():
            problems.append(f"<{name}> takes no attributes - write just <{name}>")
        open_tags.append(name)
    problems.extend(_stray(text[pos:]))
    for name in open_tags:
        problems.append(f"<{name}> is never closed - add </{name}> where it should end")
    return problems


def _stray(chunk: str) -> list[str]:
    out = []
    if "<" in chunk or ">" in chunk:
        out.append("a stray < or > - write &lt; or &gt; for the characters themselves")
    if "&" in _ENTITY.sub("", chunk):
        out.append("a plain & - write &amp; (or the word 'and')")
    return out


def to_plain(text: str) -> str:
    """The text without tags and with entities decoded (for the terminal and logs)."""
    text = re.sub(r'<a\s+href="([^"]*)"\s*>(.*?)</a>', r"\2 (\1)", text, flags=re.S)
    return html.unescape(_TAG.sub("", text))
