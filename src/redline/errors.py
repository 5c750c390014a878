"""Errors users can act on.

Every error that bad input can cause is a :class:`RedlineError`. It carries where the problem is
(file, line, field) and a hint; the CLI prints it as one line and exits with status 2. Anything
else is a bug and is allowed to raise.
"""

from __future__ import annotations


class RedlineError(Exception):
    """A problem with the user's input, reported as one clear line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.hint = hint

    def located(self, *, file: str | None = None) -> RedlineError:
        """Return the same error with a file filled in where it had none."""
        if file is not None and self.file is None:
            self.file = file
        return self

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"


class ScenarioError(RedlineError):
    """The scenario file is malformed or contradicts itself."""


class FormatError(RedlineError):
    """A file in another format (Genius XML, KTAB CSV, DEU TSV) cannot be read."""


class SpaceTooLargeError(RedlineError):
    """The package space exceeds the configured size or memory budget."""
