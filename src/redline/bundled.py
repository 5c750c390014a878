"""The example files that ship inside the package (``redline/examples/*.yaml``).

A ``pip install`` user has no clone of the repository, so the examples are package data, found
with :mod:`importlib.resources`; in a clone, ``examples/`` at the top is a link to the same
folder. An example is a scenario (``redline analyze --example NAME``) or a fair-division points
file (``redline divide --example NAME``); which one is read from its top-level keys.
"""

from __future__ import annotations

import atexit
import contextlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from redline.errors import RedlineError

ExampleKind = Literal["scenario", "division"]
SUFFIX = ".yaml"
COMMANDS: dict[ExampleKind, str] = {"scenario": "analyze", "division": "divide"}
"""The command that runs each kind of example."""
KIND_NAMES: dict[ExampleKind, str] = {"scenario": "a scenario",
                                      "division": "a fair-division points file"}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_on_disk = contextlib.ExitStack()  # examples extracted from a zipped install, removed at exit
atexit.register(_on_disk.close)


@dataclass(frozen=True)
class Example:
    """One bundled example: its name (the file name without ``.yaml``), kind and a one-line
    description (a scenario's title, else the first sentence of the file's opening comment)."""

    name: str
    kind: ExampleKind
    description: str

    @property
    def command(self) -> str:
        """The command line that runs the example, e.g. ``redline analyze --example NAME``."""
        return f"redline {COMMANDS[self.kind]} --example {self.name}"


def _folder() -> resources.abc.Traversable:
    return resources.files("redline") / "examples"


def example_names() -> list[str]:
    """The bundled examples' names.

    Returns
    -------
    list of str
        The file names without ``.yaml``, sorted (``["camp-david-1978", ...]``).
    """
    folder = _folder()
    if not folder.is_dir():
        return []
    return sorted(item.name.removesuffix(SUFFIX) for item in folder.iterdir()
                  if item.name.endswith(SUFFIX) and item.is_file())


def _resource(name: str, option: str) -> resources.abc.Traversable:
    names = example_names()
    if name not in names:
        raise RedlineError(f"unknown example {name!r}", parameter=option,
                           hint=f"use one of {', '.join(names)}" if names else
                           "this installation has no examples: reinstall redline")
    return _folder() / f"{name}{SUFFIX}"


def example_text(name: str, option: str = "name") -> str:
    """The text of a bundled example.

    Parameters
    ----------
    name
        The example's name (:func:`example_names`).
    option
        The parameter an error names (the CLI names its option instead).

    Returns
    -------
    str
        The file's text, comments included.

    Raises
    ------
    RedlineError
        For an unknown name, listing the valid ones.
    """
    return _resource(name, option).read_text(encoding="utf-8")


def example_path(name: str, kind: ExampleKind | None = None, option: str = "name") -> Path:
    """The path of a bundled example, for anything that reads a file
    (``redline.load(redline.example_path("donbas-2026"))``).

    Parameters
    ----------
    name
        The example's name (:func:`example_names`).
    kind
        When given, an example of another kind is refused with a hint naming the command that
        runs it (``divorce-points`` is a points file for ``redline divide``).
    option
        The parameter an error names (the CLI names its option instead).

    Returns
    -------
    Path
        A file inside the installed package (or a temporary copy, removed at exit, when the
        package is imported from a zip file). Read it; do not edit it in place: copy it first
        (``redline examples copy NAME``).

    Raises
    ------
    RedlineError
        For an unknown name (listing the valid ones) or an example of another kind.
    """
    resource = _resource(name, option)
    if kind is not None:
        found = describe(name)
        if found.kind != kind:
            raise RedlineError(f"{name} is {KIND_NAMES[found.kind]}, not {KIND_NAMES[kind]}",
                               field=option, hint=f"run '{found.command}'")
    if isinstance(resource, Path):
        return resource
    return _on_disk.enter_context(resources.as_file(resource))  # pragma: no cover - zipped


def describe(name: str) -> Example:
    """What a bundled example is.

    Parameters
    ----------
    name
        The example's name (:func:`example_names`).

    Returns
    -------
    Example
        Its name, kind and one-line description.
    """
    text = example_text(name)
    where = f"{name}{SUFFIX}"
    from redline.safe_yaml import compose, construct  # only when an example is described

    root = compose(text, where)
    data = construct(root, where) if root is not None else None
    if isinstance(data, dict) and isinstance(data.get("scenario"), dict):
        title = data["scenario"].get("title") or data["scenario"].get("id") or name
        return Example(name, "scenario", " ".join(str(title).split()))
    kind: ExampleKind = "division" if isinstance(data, dict) and "items" in data else "scenario"
    return Example(name, kind, _opening_sentence(text) or name)


def examples() -> list[Example]:
    """Every bundled example.

    Returns
    -------
    list of Example
        Sorted by name.
    """
    return [describe(name) for name in example_names()]


def _opening_sentence(text: str) -> str:
    """The first sentence of the comment block a file opens with."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        words = line.lstrip("#").strip()
        if not words:
            break
        lines.append(words)
    return _SENTENCE_END.split(" ".join(lines), maxsplit=1)[0]
