"""Load a scenario file safely and report every problem as one located line.

YAML is parsed with PyYAML's safe loader only (no Python tags), after checks on size, encoding and
alias expansion (a "billion laughs" file is refused before it is expanded). pydantic validation
errors and cross-reference errors are mapped back to the YAML line of the offending field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from redline.errors import ScenarioError
from redline.scenario.model import ReferenceError_, Scenario, check_references

MAX_FILE_BYTES = 5_000_000
MAX_EXPANDED_NODES = 200_000


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario YAML file."""
    path = Path(path)
    name = str(path)
    if path.is_dir():
        raise ScenarioError("is a directory, expected a scenario YAML file", file=name,
                            hint="for a Genius domain folder use `redline analyze DIR`")
    raw = path.read_bytes()
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
        loc = tuple(first["loc"])
        raise ScenarioError(
            _message(first), file=name, line=_line(root, loc), field=_dotted(loc),
            hint=_hint(first),
        ) from None
    try:
        check_references(scenario)
    except ReferenceError_ as error:
        raise ScenarioError(
            str(error), file=name, line=_line(root, error.path), field=_dotted(error.path)
        ) from None
    return scenario


def _decode(raw: bytes | str, name: str) -> str:
    if isinstance(raw, str):
        text = raw
    else:
        if len(raw) > MAX_FILE_BYTES:
            raise ScenarioError(
                f"file is {len(raw):,} bytes, above the {MAX_FILE_BYTES:,}-byte limit", file=name,
                hint="a scenario is a few kilobytes; check that this is the right file",
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise ScenarioError(
                f"byte 0x{raw[error.start]:02x} at offset {error.start} is not valid UTF-8",
                file=name, line=line, hint="save the file as UTF-8",
            ) from None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise ScenarioError("the file is empty", file=name,
                            hint="start from examples/donbas-2026.yaml or `redline schema`")
    return text


def _compose(text: str, name: str) -> yaml.Node:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or "invalid YAML"
        raise ScenarioError(f"YAML syntax error: {problem}", file=name, line=line,
                            hint="check indentation and quoting on that line") from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"YAML error: {error}", file=name) from None
    if root is None:
        raise ScenarioError("the file is empty", file=name)
    _check_expansion(root, name)
    return root


def _check_expansion(root: yaml.Node, name: str) -> None:
    """Refuse documents whose aliases would expand to a huge tree (billion laughs)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1  # guards against recursive aliases
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(v) for v in node.value)
        else:
            total = 1
        sizes[key] = min(total, MAX_EXPANDED_NODES + 1)
        return sizes[key]

    if size(root) > MAX_EXPANDED_NODES:
        raise ScenarioError(
            f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes", file=name,
            line=root.start_mark.line + 1,
            hint="this looks like an alias bomb; write the values out instead of nesting aliases",
        )


def _construct(root: yaml.Node, name: str) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = (error.problem or "cannot construct value").split(" for the tag")[0]
        tag = ""
        if error.problem and "tag" in error.problem:
            tag = error.problem.split("tag", 1)[1].strip().strip("'")
        message = f"unsupported YAML tag {tag}" if tag else problem
        raise ScenarioError(message, file=name, line=line,
                            hint="only plain YAML is allowed (no Python tags)") from None
    finally:
        loader.dispose()


def _dotted(loc: tuple) -> str:
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
    value = err.get("input")
    short = isinstance(value, (int, float, str)) and len(str(value)) < 60
    if kind != "model_type" and short:
        return f"{msg} (got {value!r})"
    return msg


def _hint(err: dict) -> str | None:
    if err.get("type") == "extra_forbidden":
        return "check the spelling; `redline schema` lists the allowed fields"
    return None


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
