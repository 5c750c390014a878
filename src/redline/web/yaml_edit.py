"""Change values in YAML text in place, so that everything else stays as written.

The web editor changes a few numbers of a scenario file. Dumping the edited data again would
lose the file's comments, turn ``30`` into ``30.0`` and re-wrap its long strings, so that a diff
of two saved versions shows the whole file; a round-tripping YAML library (ruamel.yaml) keeps the
comments but still re-flows every multi-line string and writes ``null`` as nothing. Instead, the
text is composed with :func:`redline.safe_yaml.compose` (the loader's own safe composer, with its
limits and its refusal of duplicate keys), each node's position in the text is read from its
marks, and only the characters of the changed values are replaced: a scalar by the new scalar,
a missing key inserted after its mapping's last entry, a removed key cut with its line.

Nothing here validates the result; :func:`redline.web.edits.edited_scenario` parses the new
text again and checks that it holds exactly the edited data (it would not when a value is
shared through an alias, say), and writes the data out in full otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import yaml

from redline import safe_yaml
from redline.errors import ScenarioError

REMOVE = object()
"""The value of a change that deletes its key."""
COMPOSED_TEXTS = 8  # node graphs of the last texts patched, kept (a rerun patches the last)

Path = tuple[str | int, ...]
Splice = tuple[int, int, str]  # replace text[start:end] by the string


def scalar_text(value: Any) -> str:
    """``value`` (``None``, a bool, an int or a finite float) as a plain YAML scalar that
    PyYAML's safe loader reads back as the same value (``1e-05`` would be read as a string, so
    the mantissa gets a ``.0``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        text = f"{mantissa}e{exponent}"
    return text


@lru_cache(maxsize=COMPOSED_TEXTS)
def _composed(text: str, name: str) -> yaml.Node | None:
    """The node graph of ``text``, kept for the last few texts: a rerun patches the text the
    last run patched into (only read here, never changed). A bad text is not kept."""
    return safe_yaml.compose(text, name, error=ScenarioError)


def patch(text: str, changes: Sequence[tuple[Path, Any]], name: str) -> str | None:
    """``text`` with each ``(path, value)`` of ``changes`` written in place (``value`` may be
    :data:`REMOVE`); ``None`` when a path cannot be found or two changes overlap.

    A path names mapping keys and list positions from the top (``("positions", "ukraine",
    "donbas", "salience")``); every part but the last must exist.
    """
    root = _composed(text, name)
    splices: list[Splice] = []
    for path, value in changes:
        splice = _splice(text, root, path, value)
        if splice is None:
            return None
        splices.append(splice)
    splices.sort(key=lambda s: (s[0], s[1]))
    for before, after in zip(splices, splices[1:], strict=False):
        if after[0] < before[1]:
            return None
    for start, end, new in reversed(splices):
        text = text[:start] + new + text[end:]
    return text


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    """``(key node, value node)`` of ``part`` in a mapping, ``(None, item)`` in a list."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key, value
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        if 0 <= part < len(node.value):
            return None, node.value[part]
    return None


def _end(text: str, node: yaml.Node) -> int:
    """Where ``node``'s own characters end (a block collection's end mark lies past the
    comments and blank lines that follow it)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False) or not node.value:
        end = node.end_mark.index
        while end > node.start_mark.index and text[end - 1] in " \t\r\n":
            end -= 1
        return end
    last = node.value[-1]
    return _end(text, last[1] if isinstance(node, yaml.MappingNode) else last)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def _splice(text: str, root: yaml.Node | None, path: Path, value: Any) -> Splice | None:
    parent = root
    for part in path[:-1]:
        found = _child(parent, part)
        if found is None:
            return None
        parent = found[1]
    if not isinstance(parent, yaml.MappingNode):
        return None
    found = _child(parent, path[-1])
    if value is REMOVE:
        if found is None:
            return (0, 0, "")  # nothing to remove
        return _removal(text, parent, found[0])
    new = scalar_text(value)
    if found is None:
        return _insertion(text, parent, str(path[-1]), new)
    key, node = found
    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        return node.start_mark.index, node.end_mark.index, new
    # a block list or mapping (a distribution written out) becomes a scalar after the colon
    return key.end_mark.index, _end(text, node), ": " + new


def _insertion(text: str, mapping: yaml.MappingNode, key: str, new: str) -> Splice | None:
    if not mapping.value:
        return None
    if mapping.flow_style:
        at = _end(text, mapping.value[-1][1])
        return at, at, f", {key}: {new}"
    column = mapping.value[0][0].start_mark.column
    at = _line_end(text, _end(text, mapping.value[-1][1]))  # after its comment, if any
    return at, at, "\n" + " " * column + f"{key}: {new}"


def _removal(text: str, mapping: yaml.MappingNode, key: yaml.Node) -> Splice | None:
    items = mapping.value
    i = next(k for k, (node, _) in enumerate(items) if node is key)
    value_end = _end(text, items[i][1])
    if len(items) == 1:
        return None  # a mapping left empty would change its meaning; write it out instead
    if mapping.flow_style:
        if i > 0:
            return _end(text, items[i - 1][1]), value_end, ""  # ", key: value"
        return key.start_mark.index, items[1][0].start_mark.index, ""
    start = _line_start(text, key.start_mark.index)
    if text[start:key.start_mark.index].strip():  # "- key: value": the next key moves up
        if i > 0:
            return None
        return key.start_mark.index, items[1][0].start_mark.index, ""
    end = _line_end(text, value_end)
    return start, min(end + 1, len(text)), ""
