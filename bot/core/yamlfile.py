"""Reading the practitioner's YAML with line numbers kept, so every problem can say where it is.

PyYAML's plain `safe_load` forgets lines and silently keeps the last of two duplicate keys;
composing the node tree ourselves keeps both facts for the validator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.core.errors import Problem


class LDict(dict[str, Any]):
    """A mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LList(list[Any]):
    """A list that remembers the line of itself and of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


def line_of(container: Any, key: Any = None, default: int = 1) -> int:
    """The line of a key (dict) or index (list) in a container read by `read_yaml`, or its own."""
    if key is not None:
        if isinstance(container, LDict) and key in container.key_lines:
            return container.key_lines[key]
        if isinstance(container, LList) and isinstance(key, int) and key < len(container):
            return container.item_lines[key]
    return getattr(container, "line", default) or default


def _build(node: yaml.Node, file: Path, problems: list[Problem], lines: list[str]) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode) and not node.style:  # plain (libyaml says "")
        _check_joined_lines(node, file, problems, lines)
    if isinstance(node, yaml.MappingNode):
        out = LDict()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            key = _build(key_node, file, problems, lines)
            key_line = key_node.start_mark.line + 1
            if isinstance(key, bool):
                # YAML reads an unquoted on/off/yes/no as true/false: "on: [pon]" would
                # quietly become "true: [pon]".
                problems.append(
                    Problem(
                        file,
                        key_line,
                        f"'{key_node.value}' is read as {str(key).lower()} here"
                        f' - put it in quotes: "{key_node.value}":',
                    )
                )
                key = key_node.value
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                problems.append(
                    Problem(
                        file,
                        key_line,
                        f"'{key}' appears twice here (first on line {out.key_lines[key]})"
                        " - keep one and delete the other",
                    )
                )
                continue
            out[key] = _build(value_node, file, problems, lines)
            out.key_lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList()
        seq.line, seq.item_lines = line, []
        for item in node.value:
            seq.append(_build(item, file, problems, lines))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq
    # Scalars: let PyYAML's safe constructor decide the type (str, int, bool, None...).
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _check_joined_lines(
    node: yaml.ScalarNode, file: Path, problems: list[Problem], lines: list[str]
) -> None:
    """A list item out of line with its neighbours is, in fact, joined to them: say where.

    YAML quietly reads "- a" followed by "   - b" as the one text "a - b", so nothing fails
    and a phrasing is lost. Two mistakes look alike to YAML: one item indented further than
    the one above (reported at that item), or the first item indented less than all the
    items below it, which are then joined to it (reported at the first item). Unquoted text
    wrapped onto the next line on purpose (which YAML allows, and which PyYAML writes) does
    not start its next line with "- ", and passes.
    """
    first, last = node.start_mark.line, node.end_mark.line
    if last == first:
        return
    joined = [n for n in range(first + 1, min(last, len(lines) - 1) + 1) if _is_item(lines[n])]
    if not joined:
        return
    here = _indent(lines[first])
    below = {_indent(lines[n]) for n in joined}
    if _is_item(lines[first]) and len(joined) >= 2 and len(below) == 1 and here not in below:
        wanted = below.pop()
        problems.append(
            Problem(
                file,
                first + 1,
                f"this item is indented less than the {len(joined)} items below it"
                f" ({_spaces(here)} instead of {_spaces(wanted)}), so YAML joined them all"
                f" into it - line it up with the items below it ({_spaces(wanted)})",
            )
        )
        return
    n = joined[0]
    problems.append(
        Problem(
            file,
            n + 1,
            f"this item is indented further than the one above it ({_spaces(_indent(lines[n]))}"
            f" instead of {_spaces(here)}), so YAML joined it to that one - line it up with"
            f" the items above it ({_spaces(here)})",
        )
    )


def _is_item(line: str) -> bool:
    return line.lstrip().startswith("- ")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _spaces(n: int) -> str:
    return f"{n} space{'s' if n != 1 else ''}"


# libyaml's parser, when PyYAML was built with it (its wheels are): the same nodes, lines and
# types as the pure-Python one in a twentieth of the time, which is most of the bot's start-up.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> yaml.Node | None:
    """The file's node tree; a file libyaml refuses is read again by the pure-Python parser,
    whose messages (the same wording, located the same way) the hints below are written for."""
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def read_yaml(file: Path, problems: list[Problem]) -> Any:
    """Parse one YAML file; on a syntax error add a located problem and return None."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(file, 1, f"the file is not UTF-8 text ({exc.reason}) - save it as UTF-8")
        )
        return None
    except OSError as exc:
        problems.append(Problem(file, 1, f"cannot read the file ({exc.strerror})"))
        return None
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = (exc.problem or "the YAML is not valid").replace("'\\t'", "a tab")
        if exc.context and "quoted scalar" in exc.context and exc.context_mark:
            # An unclosed quote is reported where the file ends; point at where it opened.
            mark, what = exc.context_mark, "a quote is opened and never closed"
        elif "could not find expected ':'" in what and exc.context_mark:
            # PyYAML notices the missing colon on the next line; the mistake is where the
            # key it was reading began.
            mark, what = exc.context_mark, "this line has no ':' after its name"
        elif "expected <block end>" in what:
            what = "this line is not lined up with the lines above it (indentation)"
        line = mark.line + 1 if mark else 1
        problems.append(Problem(file, line, f"YAML syntax error: {what} - {_syntax_hint(what)}"))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(file, 1, f"YAML syntax error: {exc} - check the file's layout"))
        return None
    if node is None:
        return None
    try:
        return _build(node, file, problems, text.splitlines())
    except yaml.YAMLError as exc:
        problems.append(Problem(file, 1, f"YAML could not be read: {exc}"))
        return None


def _syntax_hint(problem: str) -> str:
    """A plain-words fix for the syntax errors people actually make in a text editor."""
    p = problem.lower()
    if "tab" in p or "'\\t'" in p or "\t" in p:
        return "use spaces, not tabs, to indent (your editor may insert a tab)"
    if "indentation" in p or "lined up" in p or "expected <block end>" in p:
        return "line it up with the lines above it (the same number of spaces)"
    if "no ':' after its name" in p:
        return (
            "write the name, a colon and a space before the value (e.g. `title: Pain relief`);"
            " if it is a list item, start it with '- ' like the items above it"
        )
    if "mapping values are not allowed" in p:
        return "a line has a second ': ' in it; put the whole text in double quotes"
    if "found character" in p or "cannot start any token" in p:
        return "text starting with a special character (like @, ` or %) must be put in quotes"
    if "quote" in p or "scalar" in p:
        return "a quote is opened and never closed; check the quotes on this line"
    return "compare this line with a working one above it (indentation, quotes, dashes)"
