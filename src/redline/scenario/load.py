"""Load a scenario file safely and report every problem as one located line.

The file is read with :mod:`redline.files` (regular files only, size cap, UTF-8) and parsed with
:mod:`redline.safe_yaml` (safe constructor, no duplicate keys, bounded nodes, depth and alias
expansion). pydantic validation errors and cross-reference errors are mapped back to the YAML
line of the offending field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from redline import safe_yaml
from redline.errors import ScenarioError
from redline.files import decode_text, read_bytes
from redline.scenario.distributions import KINDS
from redline.scenario.model import FIELD_RANGES, ReferenceError_, Scenario, check_references

MAX_FILE_BYTES = 5_000_000
_SIZE_HINT = "a scenario is a few kilobytes; check that this is the right file"


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario YAML file.

    The file is read with :func:`redline.files.read_bytes` (regular files only, at most
    :data:`MAX_FILE_BYTES`).
    """
    path = Path(path)
    name = str(path)
    try:
        folder = path.is_dir()
    except OSError:  # an over-long name, say: read_bytes reports it
        folder = False
    if folder:
        raise ScenarioError("is a directory, expected a scenario YAML file", file=name,
                            hint="for a Genius domain folder use `redline analyze DIR`")
    raw = read_bytes(path, limit=MAX_FILE_BYTES, name=name, hint=_SIZE_HINT, error=ScenarioError)
    return parse_scenario(raw, name)


def parse_scenario(raw: bytes | str, name: str = "<scenario>") -> Scenario:
    """Parse scenario text (bytes or str) named ``name`` in error messages."""
    text = _decode(raw, name)
    root = _compose(text, name)
    data = _construct(root, name)
    return build_scenario(data, name=name, root=root)


def build_scenario(
    data: Any, *, name: str = "<scenario>", root: yaml.Node | None = None
) -> Scenario:
    """Validate plain data (a dict) into a checked :class:`Scenario`."""
    if not isinstance(data, dict):
        raise ScenarioError(
            f"expected a mapping at the top level, got {type(data).__name__}",
            file=name, line=_line(root, ()),
            hint="a scenario starts with keys such as 'actors:' and 'issues:'",
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = _field_path(tuple(first["loc"]))
        raise ScenarioError(
            _message(first), file=name, line=_line(root, loc), field=dotted(loc),
            hint=_hint(first),
        ) from None
    try:
        check_references(scenario)
    except ReferenceError_ as error:
        raise ScenarioError(
            str(error), file=name, line=_line(root, error.path), field=dotted(error.path)
        ) from None
    return scenario


def _decode(raw: bytes | str, name: str) -> str:
    if isinstance(raw, str):
        text = raw
    else:
        if len(raw) > MAX_FILE_BYTES:
            raise ScenarioError(
                f"file is {len(raw):,} bytes, above the {MAX_FILE_BYTES:,}-byte limit", file=name,
                hint=_SIZE_HINT,
            )
        text = decode_text(raw, name, error=ScenarioError)
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise ScenarioError("the file is empty", file=name,
                            hint="start from examples/donbas-2026.yaml or `redline schema`")
    return text


def _compose(text: str, name: str) -> yaml.Node:
    root = safe_yaml.compose(text, name, error=ScenarioError)
    if root is None:
        raise ScenarioError("the file is empty", file=name)
    return root


def _construct(root: yaml.Node, name: str) -> Any:
    return safe_yaml.construct(root, name, error=ScenarioError)


def _field_path(loc: tuple) -> tuple:
    """``loc`` without the tags pydantic adds inside a number-or-distribution field: ``number``
    or ``distribution``, then the distribution's kind (which the YAML key repeats)."""
    out: list = []
    for part in loc:
        if part in ("number", "distribution") and out and out[-1] in FIELD_RANGES:
            continue
        if part in KINDS and out and out[-1] == part:
            continue
        out.append(part)
    return tuple(out)


def dotted(loc: tuple) -> str:
    """A pydantic error location as the dotted path the messages show (``actors[2].name``)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: dict) -> str:
    kind = err.get("type", "")
    msg = err.get("msg", "invalid value")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "finite_number":
        msg = "must be a finite number"
    value = err.get("input")
    short = isinstance(value, (int, float, str)) and len(str(value)) < 60
    if kind != "model_type" and short and ", got " not in msg:
        return f"{msg} (got {value!r})"
    return msg


def _hint(err: dict) -> str | None:
    if err.get("type") == "extra_forbidden":
        return "check the spelling; `redline schema` lists the allowed fields"
    if err.get("type") == "finite_number":
        return "NaN and infinity are not allowed; write a finite value"
    return None


def field_line(root: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based YAML line of the field at ``loc`` (a pydantic error location) in the node
    tree ``root``, or of its nearest existing parent; ``None`` without a tree. Other YAML
    files with a pydantic model (a tournament configuration) locate their errors with it."""
    return _line(root, loc)


def _line(root: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the field at ``loc``, or of its nearest existing parent."""
    if root is None:
        return None
    node = root
    for depth, part in enumerate(loc):
        last = depth == len(loc) - 1
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = key if last else value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                child = node.value[part]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1
