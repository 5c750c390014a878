"""Shared pieces of the command-line shell."""

from __future__ import annotations

import json
import re
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
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - older typer
    from click import get_current_context
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


UntilOption = Annotated[str | None, typer.Option(
    "--until", metavar="YYYY-MM-DD", show_default=False,
    help="Count only the rounds dated on or before this day (default: all).")]
"""The ``--until`` option of the commands that weigh draws by the scenario's rounds."""

F = TypeVar("F", bound=Callable[..., Any])



def fail(error: RedlineError | str, code: int = 2) -> None:
    """Print one line on stderr and exit with ``code`` (2 for bad input)."""
    typer.echo(f"error: {error if isinstance(error, RedlineError) else one_line(error)}",
               err=True)
    raise typer.Exit(code)


LIBRARY_NAMES = {"strategies": "strategy", "packages": "package", "proposals": "proposal",
                 "format": "input_format", "prior_only": "prior",
                 "url": "db"}
"""Library parameters whose command-line parameter has another Python name (``run_simulate``'s
``strategies`` is ``redline simulate``'s repeated ``--strategy``)."""


def command_spellings() -> dict[str, str]:
    """How the running command spells each of its parameters: ``{"draws": "--draws",
    "actor": "--for", "proposal": "PROPOSAL", ...}``, from click's own parameter objects (the
    first long option, or an argument's metavar); empty outside a command."""
    ctx = get_current_context(silent=True)
    if ctx is None:
        return {}
    spelled: dict[str, str] = {}
    for param in ctx.command.params:
        if param.name is None:
            continue
        if param.param_type_name == "argument":
            spelled[param.name] = (getattr(param, "metavar", None) or param.name).upper()
        else:
            opts = list(getattr(param, "opts", ())) or [param.name]
            spelled[param.name] = next((o for o in opts if o.startswith("--")), opts[0])
    for library, own in LIBRARY_NAMES.items():
        if own in spelled and library not in spelled:
            spelled[library] = spelled[own]
    return spelled


def as_options(error: RedlineError, spelled: dict[str, str] | None = None) -> RedlineError:
    """``error`` in the command line's words.

    The library names a bad argument by its Python name (``parameter="draws"``, hint ``use
    draws=1000 or more``); the command line names the option that sets it (``--draws``, ``use
    --draws 1000 or more``). A parameter the command has no option for keeps its name. The
    field is replaced only for an error about a parameter (a file's field ``draws`` stays);
    ``NAME=`` in the message and the hint is replaced for every error.

    Parameters
    ----------
    error
        The library's error (changed in place and returned).
    spelled
        Parameter name to option, as :func:`command_spellings` gives for the running command.
    """
    spelled = command_spellings() if spelled is None else spelled
    if not spelled:
        return error
    name, field = error.parameter, error.field or ""
    if name is not None and name in spelled and (field == name or field.startswith(f"{name}.")):
        error.field = spelled[name] + field[len(name):]
    names = "|".join(re.escape(n) for n in sorted(spelled, key=len, reverse=True))
    assigned = re.compile(rf"(?<![\w.\-])({names})=(\S?)")

    def option(match: re.Match[str]) -> str:  # "draws=10": "--draws 10"; "package= ": "--package "
        value = match.group(2)
        return spelled[match.group(1)] + (f" {value}" if value.strip(",;:)") else value)

    def spell(text: str | None) -> str | None:
        return None if text is None else assigned.sub(option, text)

    error.message = spell(error.message) or ""
    error.hint = spell(error.hint)
    return error


def _named(error: RedlineError, kwargs: dict[str, Any]) -> RedlineError:
    """The error, naming the command's input ``file`` if it names no file and is not about
    a parameter (``--draws``)."""
    if (kwargs.get("file") is not None and error.parameter is None
            and not (error.field or "").startswith("--")):
        error.located(file=str(kwargs["file"]))
    return error


def warn(message: str) -> None:
    """Print one ``warning:`` line on stderr (the run goes on)."""
    typer.echo(f"warning: {one_line(message)}", err=True)


def user_errors(func: F) -> F:
    """Turn :class:`RedlineError` (and unreadable files) into one line and exit status 2;
    Ctrl-C into one line (``interrupted``) and exit status 130.

    The line names the input file even when the error was raised far from it (during a sweep,
    say), and the options of the command where the library names its parameters
    (:func:`as_options`).
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RedlineError as error:
            fail(_named(as_options(error), kwargs))
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
