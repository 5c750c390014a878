"""Shared pieces of the command-line shell."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from redline.errors import RedlineError

app = typer.Typer(
    name="redline",
    help="Analyse and forecast multi-party, multi-issue negotiations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def fail(error: RedlineError | str, code: int = 2) -> None:
    """Print one line on stderr and exit with ``code`` (2 for bad input)."""
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(code)


def user_errors(func: F) -> F:
    """Turn :class:`RedlineError` (and unreadable files) into one line and exit status 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RedlineError as error:
            fail(error)
        except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
            fail(f"{error.filename}: {error.strerror}")

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    """Write ``data`` as JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
