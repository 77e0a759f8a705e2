"""bench/RESULTS.md: each benchmark owns one marked section and rewrites only that one."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def write_section(section: str, begin: str, end: str, *, at_top: bool = False) -> None:
    """Replace the text between `begin` and `end` (markers included in `section`); when the
    markers are not there yet, put it under the title (`at_top`) or at the end."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else "# Benchmark results\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    elif at_top:
        title, _, body = text.partition("\n")
        text = title + "\n\n" + section + "\n" + body
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")
