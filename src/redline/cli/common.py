"""Shared pieces of the command-line shell."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from redline.errors import RedlineError, one_line

app = typer.Typer(
    name="redline",
    help="Analyse and forecast multi-party, multi-issue negotiations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DRAWS = 10_000  # Monte Carlo draws of `sweep` (and what `check` checks against)


def fail(error: RedlineError | str, code: int = 2) -> None:
    """Print one line on stderr and exit with ``code`` (2 for bad input)."""
    typer.echo(f"error: {error if isinstance(error, RedlineError) else one_line(error)}",
               err=True)
    raise typer.Exit(code)


def _named(error: RedlineError, kwargs: dict[str, Any]) -> RedlineError:
    """The error, naming the command's input ``file`` if it names no file and is not about
    a command-line option (``--draws``)."""
    if kwargs.get("file") is not None and not (error.field or "").startswith("--"):
        error.located(file=str(kwargs["file"]))
    return error


def warn(message: str) -> None:
    """Print one ``warning:`` line on stderr (the run goes on)."""
    typer.echo(f"warning: {one_line(message)}", err=True)


def user_errors(func: F) -> F:
    """Turn :class:`RedlineError` (and unreadable files) into one line and exit status 2.

    The line names the input file even when the error was raised far from it (during a sweep,
    say).
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RedlineError as error:
            fail(_named(error, kwargs))
        except OSError as error:  # symlink loops, over-long names, I/O errors, ...
            file = None if error.filename is None else str(error.filename)
            fail(_named(RedlineError(error.strerror or str(error), file=file), kwargs))

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    """Write ``data`` as JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
