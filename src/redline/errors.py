"""Errors users can act on.

Every error that bad input can cause is a :class:`RedlineError`. It carries where the problem is
(file, line, field, or the function's parameter) and a hint; the CLI prints it as one line and
exits with status 2. Anything else is a bug and is allowed to raise.

The library names a bad argument by its Python name (``parameter="draws"``, hint
``"use draws=1000 or more"``), never by a command-line spelling, so that a notebook user reads
what they typed; the CLI's ``user_errors`` names the option of the running command instead
(``--draws``, ``use --draws 1000 or more``). A test scans the library's error messages for
option spellings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_PART_CHARS = {"file": 200, "field": 120, "message": 600, "hint": 300}
"""How many characters of each part of an error line are shown; longer parts are cut in the
middle so that one line stays readable even for a 100 kB message or a 5,000-character path."""

MAX_LISTED = 5
"""How many names an error message lists before "and N more"."""

_BREAKS = re.compile(r"\s*[\t\r\n\v\f\x85\u2028\u2029]+\s*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(text: object, limit: int = MAX_PART_CHARS["message"]) -> str:
    """``text`` as one printable line of at most about ``limit`` characters.

    Line breaks and tabs become a space, other control and bidirectional-override characters are
    escaped (``\\x01``), and a longer text keeps its start and end around
    ``… (N characters cut) …``.
    """
    flat = _BREAKS.sub(" ", str(text))
    flat = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", flat)
    if len(flat) <= limit:
        return flat
    keep = max(limit - 40, 10)
    head, tail = flat[: keep * 2 // 3], flat[len(flat) - keep // 3:]
    return f"{head} … ({len(flat) - len(head) - len(tail):,} characters cut) … {tail}"


def listing(names: Iterable[object], limit: int = MAX_LISTED) -> str:
    """``"a, b, c"``, or ``"a, b, c, d, e and 995 more"`` for long lists (for messages)."""
    items = [str(n) for n in names]
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit:,} more"


class RedlineError(Exception):
    """A problem with the user's input, reported as one clear line.

    Parameters
    ----------
    message
        What is wrong, e.g. ``"must be at least 1 (got 0)"``.
    file, line
        Where in an input file, when the problem is in one.
    field
        The field of the file (``"rounds[0].proposal"``) or of a form.
    parameter
        The library function's parameter that has the bad value, by its Python name
        (``"draws"``); it is the error's field unless one is given. The CLI shows the option
        that sets it instead (:func:`redline.cli.common.as_options`), and rewrites
        ``NAME=VALUE`` in the message and the hint as ``--OPTION VALUE``.
    hint
        How to fix it, naming parameters as ``draws=1000``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        parameter: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field if field is not None else parameter
        self.parameter = parameter
        self.hint = hint

    def about(self, parameter: str) -> RedlineError:
        """Return the same error as one about the function's ``parameter`` (raised by a helper
        that names the value by a field of its own, such as ``strategies.0``)."""
        if self.field is None or self.field == self.parameter:
            self.field = parameter
        self.parameter = parameter
        return self

    def located(self, *, file: str | None = None) -> RedlineError:
        """Return the same error with a file filled in where it had none."""
        if file is not None and self.file is None:
            self.file = file
        return self

    def __str__(self) -> str:
        """One line: ``file:line: field: message (hint: ...)``, each part bounded."""
        where = ""
        if self.file:
            where = one_line(self.file, MAX_PART_CHARS["file"])
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"{one_line(self.field, MAX_PART_CHARS['field'])}: " if self.field else ""
        hint = f" (hint: {one_line(self.hint, MAX_PART_CHARS['hint'])})" if self.hint else ""
        return f"{where}{field}{one_line(self.message)}{hint}"


class ScenarioError(RedlineError):
    """The scenario file is malformed or contradicts itself."""


class FormatError(RedlineError):
    """A file in another format (Genius XML, KTAB CSV, DEU TSV) cannot be read."""


class SpaceTooLargeError(RedlineError):
    """The package space exceeds the configured size or memory budget."""
