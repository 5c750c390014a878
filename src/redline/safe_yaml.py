"""Parse YAML safely, with every problem reported as one located line.

Only plain YAML is accepted: the safe constructor (no Python tags), one document, no duplicate
keys. The node graph is composed here from the parser's event stream (libyaml's when PyYAML has
it, else the pure-Python one), so each limit is checked as the events arrive, before anything
large is built: the number of nodes, the nesting depth (also through aliases) and the size
aliases would expand to ("billion laughs"). A 10^6-element list or a 1,000-level nesting is
refused in well under a second, with a message that says which limit it hit.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from redline.errors import RedlineError
from redline.files import read_text

MAX_NODES = 200_000
"""Most values (scalars, lists, mappings) a document may hold; a scenario has a few thousand."""

MAX_EXPANDED_NODES = 200_000
"""Most nodes a document may expand to once its aliases are written out."""

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings (aliases included); a scenario nests about 6 deep."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Open:
    """A list or mapping being composed: its node, a pending key, the keys seen so far."""

    __slots__ = ("node", "key", "seen", "size", "depth")

    def __init__(self, node: yaml.Node) -> None:
        self.node = node
        self.key: yaml.Node | None = None
        self.seen: dict[tuple[str, str], Any] = {}
        self.size = 1
        self.depth = 1


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def compose(text: str, name: str, *, error: type[RedlineError] = RedlineError
            ) -> yaml.Node | None:
    """The node graph of the single YAML document in ``text`` (``None`` if there is none).

    Parameters
    ----------
    text
        The YAML text.
    name
        How error messages name the file.
    error
        The :class:`RedlineError` subclass to raise.

    Returns
    -------
    yaml.Node or None
        The root node; nodes carry their line marks.

    Raises
    ------
    RedlineError
        (of type ``error``) for invalid YAML or a control character (with its line), a second
        document, an undefined alias, a duplicate key (naming both lines), more than
        :data:`MAX_NODES` nodes, nesting deeper than :data:`MAX_DEPTH`, or aliases expanding
        to more than :data:`MAX_EXPANDED_NODES` nodes.
    """
    loader = None
    try:
        loader = _Loader(text)  # the pure-Python reader checks the characters here
        _scan(loader, name, error)
        loader.dispose()
        loader = _Loader(text)
        return _compose_events(loader, name, error)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(f"YAML syntax error: {problem}", file=name, line=_line(mark),
                    hint="check indentation and quoting on that line") from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, name, error) from None
    except yaml.YAMLError as exc:
        raise error(f"YAML error: {str(exc).splitlines()[0]}", file=name) from None
    finally:
        if loader is not None:
            loader.dispose()


def _reader_error(exc: Any, text: str, name: str, error: type[RedlineError]) -> RedlineError:
    """A ReaderError (a character YAML does not allow) as one line with its line number."""
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or
                                                                        "\x00")
    index = text.find(chr(code))
    line = text.count("\n", 0, index) + 1 if index >= 0 else None
    column = index - text.rfind("\n", 0, index) if index >= 0 else None
    at = f" at column {column}" if column is not None else ""
    return error(f"character U+{code:04X}{at} is not allowed in YAML (control characters "
                 "are not)", file=name, line=line,
                 hint="delete it, or save the file as plain UTF-8 text")


def _too_many(event: Any, name: str, error: type[RedlineError]) -> RedlineError:
    return error(f"the document has more than {MAX_NODES:,} values", file=name,
                 line=_line(event.start_mark),
                 hint="a scenario holds a few thousand values; check that this is the right file")


def _too_deep(event: Any, name: str, error: type[RedlineError]) -> RedlineError:
    return error(f"lists and mappings nest deeper than {MAX_DEPTH} levels", file=name,
                 line=_line(event.start_mark),
                 hint="check the brackets and indentation; a scenario nests about 6 levels deep")


def _scan(loader: Any, name: str, error: type[RedlineError]) -> None:
    """A quick pass over the events that refuses too many nodes or too deep a nesting before
    any node is built (a 10^6-element list is refused after :data:`MAX_NODES` events)."""
    count = depth = 0
    starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    while not loader.check_event(yaml.StreamEndEvent):
        event = loader.get_event()
        if isinstance(event, ends):
            depth -= 1
            continue
        if isinstance(event, (yaml.ScalarEvent, *starts)):
            count += 1
            if count > MAX_NODES:
                raise _too_many(event, name, error)
            if isinstance(event, starts):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(event, name, error)


def _compose_events(loader: Any, name: str, error: type[RedlineError]) -> yaml.Node | None:
    loader.get_event()  # StreamStartEvent
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # DocumentStartEvent
    anchors: dict[str, yaml.Node] = {}
    closed: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, depth)
    stack: list[_Open] = []
    root: yaml.Node | None = None
    resolved: dict[tuple[str, Any], str] = {}  # (plain scalar, implicit) -> tag
    count = 0

    def attach(node: yaml.Node, size: int, depth: int, mark: Any) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        parent.size += size
        parent.depth = max(parent.depth, depth + 1)
        if parent.size > MAX_EXPANDED_NODES:
            raise error(f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes", file=name,
                        line=_line(mark), hint="this looks like an alias bomb; write the values "
                        "out instead of nesting aliases")
        if parent.depth > MAX_DEPTH:
            raise error(f"aliases nest values deeper than {MAX_DEPTH} levels", file=name,
                        line=_line(mark), hint="write the values out instead of nesting aliases")
        if isinstance(parent.node, yaml.SequenceNode):
            parent.node.value.append(node)
        elif parent.key is None:
            if isinstance(node, yaml.ScalarNode) and node.tag != _MERGE_TAG:
                key = (node.tag, node.value)
                first = parent.seen.get(key)
                if first is not None:
                    raise error(f"duplicate key {node.value!r}: first at {_where(first)}, "
                                f"again at {_where(node.start_mark)}", file=name,
                                line=_line(node.start_mark),
                                hint="each key may appear once in a mapping; delete or "
                                "merge one of them")
                parent.seen[key] = node.start_mark
            parent.key = node
        else:
            parent.node.value.append((parent.key, node))
            parent.key = None


    while True:
        event = loader.get_event()
        if isinstance(event, yaml.DocumentEndEvent):
            break
        if isinstance(event, yaml.AliasEvent):
            node = anchors.get(event.anchor)
            if node is None:
                raise error(f"alias *{event.anchor} refers to no anchor", file=name,
                            line=_line(event.start_mark), hint="define &name before *name")
            size, depth = closed.get(id(node), (1, 1))  # a recursive alias counts once
            attach(node, size, depth, event.start_mark)
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            done = stack.pop()
            done.node.end_mark = event.end_mark
            closed[id(done.node)] = (done.size, done.depth)
            attach(done.node, done.size, done.depth, event.end_mark)
            continue
        count += 1
        if count > MAX_NODES:
            raise _too_many(event, name, error)
        tag = event.tag
        if isinstance(event, yaml.ScalarEvent):
            if tag is None or tag == "!":
                key = (event.value, event.implicit)
                tag = resolved.get(key)
                if tag is None:
                    tag = resolved[key] = loader.resolve(yaml.ScalarNode, *key)
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark,
                                   style=event.style)
        else:
            kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) \
                else yaml.MappingNode
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
        if event.anchor is not None:
            anchors[event.anchor] = node
        if isinstance(node, yaml.ScalarNode):
            attach(node, 1, 1, event.start_mark)
            continue
        if len(stack) >= MAX_DEPTH:
            raise _too_deep(event, name, error)
        stack.append(_Open(node))
    if not loader.check_event(yaml.StreamEndEvent):
        extra = loader.get_event()
        raise error("expected a single document in the stream, found another one", file=name,
                    line=_line(extra.start_mark), hint="remove the second '---' document")
    return root


def construct(root: yaml.Node, name: str, *, error: type[RedlineError] = RedlineError) -> Any:
    """Plain Python data (dicts, lists, scalars) from a node graph, with the safe constructor.

    Raises
    ------
    RedlineError
        (of type ``error``) for a tag the safe constructor refuses (e.g. ``!!python/...``)
        or a value it cannot build, with the line.
    """
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or "cannot construct value").split(" for the tag")[0]
        tag = ""
        if exc.problem and "tag" in exc.problem:
            tag = exc.problem.split("tag", 1)[1].strip().strip("'")
        message = f"unsupported YAML tag {tag}" if tag else problem
        raise error(message, file=name, line=_line(mark),
                    hint="only plain YAML is allowed (no Python tags)") from None
    except ValueError as exc:  # an impossible date such as 2026-02-30
        raise error(f"not a valid date ({exc})", file=name, line=_bad_timestamp_line(root),
                    hint="write a real date as YYYY-MM-DD, or quote the value") from None
    finally:
        loader.dispose()


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _bad_timestamp_line(root: yaml.Node) -> int | None:
    """The line of the first date-like scalar under ``root`` that is no real date."""
    loader = yaml.SafeLoader("")
    seen: set[int] = set()
    stack = [root]
    try:
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.ScalarNode):
                if node.tag == _TIMESTAMP:
                    try:
                        loader.construct_yaml_timestamp(node)
                    except ValueError:
                        return _line(node.start_mark)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(reversed(node.value))
            elif isinstance(node, yaml.MappingNode):
                for key, value in reversed(node.value):
                    stack.extend((value, key))
    finally:
        loader.dispose()
    return None


def load_yaml_file(path: str | os.PathLike[str], *, limit: int, name: str | None = None,
                   error: type[RedlineError] = RedlineError) -> Any:
    """Read a capped UTF-8 YAML file (:func:`redline.files.read_text`) and return its data.

    An empty document gives ``None``.
    """
    name = str(path) if name is None else name
    text = read_text(path, limit=limit, name=name, error=error)
    root = compose(text, name, error=error)
    return None if root is None else construct(root, name, error=error)
