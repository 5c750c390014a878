"""Shared pieces of the command-line shell."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from redline.entry import EXIT_INTERRUPTED, INTERRUPTED
from redline.errors import RedlineError, one_line

try:  # typer >= 0.20 vendors click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer
    from click.exceptions import ClickException


class OneLineUsageErrors(TyperGroup):
    """The ``redline`` group: a usage error (an unknown option, a value of the wrong type, a
    missing argument) is one line on stderr with exit status 2, like every other bad input."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Run the command; a usage error (unknown option, bad value): one line, exit 2."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except ClickException as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # the help text itself
                error.show()
            else:
                typer.echo(f"error: {usage_message(error)}", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def usage_message(error: ClickException) -> str:
    """Click's message for ``error`` on one line, with where to find the command's help."""
    text = " ".join(error.format_message().split()).replace("Value error, ", "").rstrip(".")
    ctx = getattr(error, "ctx", None)
    if ctx is None:
        return text
    return f"{text} (hint: see '{ctx.command_path} --help')"


app = typer.Typer(
    name="redline",
    cls=OneLineUsageErrors,
    help="Analyse and forecast multi-party, multi-issue negotiations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts show brackets as written: [A, B]
)



def _print_version(value: bool) -> None:
    if value:
        from redline import __version__

        typer.echo(f"redline {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """Analyse and forecast multi-party, multi-issue negotiations."""


F = TypeVar("F", bound=Callable[..., Any])



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
    """Turn :class:`RedlineError` (and unreadable files) into one line and exit status 2;
    Ctrl-C into one line (``interrupted``) and exit status 130.

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
        except KeyboardInterrupt:
            typer.echo(INTERRUPTED, err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    """Write ``data`` as JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
