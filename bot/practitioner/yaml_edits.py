"""Adding phrasings to the practitioner's YAML as text, so every comment and the layout stay.

Re-dumping a file through a YAML library would drop its comments (which explain every
field to the practitioner) and reflow it. Instead the node tree tells us where a list
ends, and new `- phrasing` lines are inserted there with the list's own indentation.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from bot.practitioner.proposals import yaml_scalar


class YamlEditError(ValueError):
    """The file is not laid out in a way that can be edited safely; the message says why."""


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlEditError(f"the file is not valid YAML ({exc})") from exc


def _value_of(mapping: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, value node) of `key` in a mapping node, or None."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def add_topic_phrasings(text: str, phrasings: Sequence[str]) -> str:
    """A topic file's text with `phrasings` appended to its `phrasings:` list."""
    found = _value_of(_compose(text), "phrasings")
    if found is None:
        raise YamlEditError("the file has no 'phrasings:' line")
    return _append(text, *found, phrasings)


def gap_ids(text: str) -> list[str]:
    """The ids of the gaps in not_on_page.yaml, in file order."""
    found = _value_of(_compose(text), "gaps")
    if found is None or not isinstance(found[1], yaml.SequenceNode):
        return []
    out = []
    for item in found[1].value:
        ident = _value_of(item, "id")
        if ident is not None and isinstance(ident[1], yaml.ScalarNode):
            out.append(ident[1].value)
    return out


def add_gap_phrasings(text: str, gap_id: str, phrasings: Sequence[str]) -> str:
    """not_on_page.yaml's text with `phrasings` appended to the gap `gap_id`."""
    found = _value_of(_compose(text), "gaps")
    if found is None or not isinstance(found[1], yaml.SequenceNode):
        raise YamlEditError("the file has no 'gaps:' list")
    for item in found[1].value:
        ident = _value_of(item, "id")
        if ident is not None and isinstance(ident[1], yaml.ScalarNode) and ident[1].value == gap_id:
            inner = _value_of(item, "phrasings")
            if inner is None:
                raise YamlEditError(f"the gap '{gap_id}' has no 'phrasings:' line")
            return _append(text, *inner, phrasings)
    raise YamlEditError(f"there is no gap '{gap_id}'")


def add_gap(text: str, gap_id: str, phrasings: Sequence[str]) -> str:
    """not_on_page.yaml's text with a new gap (id and phrasings; the general reply) at the end."""
    found = _value_of(_compose(text), "gaps")
    if found is None:
        raise YamlEditError("the file has no 'gaps:' line")
    key, gaps = found
    if isinstance(gaps, yaml.SequenceNode) and gaps.value and not gaps.flow_style:
        dash = _dash_column(text, gaps.value[0])
        end = _line_end_after(text, gaps.value[-1].end_mark)
    elif isinstance(gaps, yaml.ScalarNode) and gaps.tag.endswith(":null") and not gaps.value:
        dash = key.start_mark.column + 2  # "gaps:" with nothing under it yet
        end = _line_end_after(text, key.end_mark)
    else:
        raise YamlEditError("'gaps:' is not a list written one item a line")
    pad = " " * dash
    lines = [f"{pad}- id: {yaml_scalar(gap_id)}", f"{pad}  phrasings:"]
    lines += [f"{pad}    - {yaml_scalar(p)}" for p in phrasings]
    block = "\n".join(lines) + "\n"
    head = text[:end]
    if not head.endswith("\n"):
        head += "\n"
    # A blank line before the new gap, as between the others.
    return head + "\n" + block + text[end:]


def _dash_column(text: str, item: yaml.Node) -> int:
    """The column of the '-' that starts a block sequence item."""
    line_start = text.rfind("\n", 0, item.start_mark.index) + 1
    dash = text.rfind("-", line_start, item.start_mark.index)
    if dash < 0:
        raise YamlEditError("a list item does not start with '- '")
    return dash - line_start


def _line_end_after(text: str, mark: yaml.Mark) -> int:
    """The index just after the line on which `mark` is (or `mark` itself at a line start)."""
    if mark.column == 0:  # block scalars end at the start of the next line
        return mark.index
    newline = text.find("\n", mark.index)
    return len(text) if newline < 0 else newline + 1


def _append(text: str, key: yaml.Node, value: yaml.Node, phrasings: Sequence[str]) -> str:
    scalars = [yaml_scalar(p) for p in phrasings]
    if isinstance(value, yaml.SequenceNode) and value.flow_style:
        close = value.end_mark.index - 1  # the ']'
        if text[close] != "]":
            raise YamlEditError("the phrasings list in brackets could not be read")
        joined = ", ".join(scalars)
        return text[:close] + (", " if value.value else "") + joined + text[close:]
    if isinstance(value, yaml.SequenceNode):
        pad = " " * _dash_column(text, value.value[0])
        at = _line_end_after(text, value.value[-1].end_mark)
    elif isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null") and not value.value:
        pad = " " * (key.start_mark.column + 2)  # an empty "phrasings:" (a new topic's stub)
        at = _line_end_after(text, key.end_mark)
    else:
        raise YamlEditError("'phrasings:' is not a list of lines starting with '- '")
    block = "".join(f"{pad}- {s}\n" for s in scalars)
    head = text[:at]
    if not head.endswith("\n"):
        head += "\n"
    return head + block + text[at:]
