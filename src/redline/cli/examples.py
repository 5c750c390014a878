"""`redline examples` (list and copy the bundled examples) and the ``--example NAME`` option.

A command that reads a scenario takes ``FILE`` or ``--example NAME``:

    file: OptionalFile = None, ..., example: ExampleOption = None
    file = input_file(file, example)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from redline import bundled
from redline.cli import options
from redline.cli.common import app, print_json, user_errors
from redline.errors import RedlineError

ExampleOption = Annotated[str | None, typer.Option(
    "--example", metavar="NAME", show_default=False,
    help="Run a bundled example instead of FILE ('redline examples' lists them).")]


def input_file(file: Path | None, example: str | None,
               kind: bundled.ExampleKind = "scenario") -> Path:
    """The file a command reads: ``file``, or the bundled example ``example`` (of ``kind``).

    Exactly one of them must be given; each other case is one clear error.
    """
    if file is not None and example is not None:
        raise RedlineError("cannot be combined with a FILE argument", field="--example",
                           hint="give a FILE or --example NAME, not both")
    if example is not None:
        return bundled.example_path(example, kind, option="example")
    if file is None:
        raise RedlineError("missing FILE", hint="give a file, or --example NAME; 'redline "
                           "examples' lists the bundled ones")
    return file


examples_app = typer.Typer(
    help="List the bundled examples, or copy one to edit it.", invoke_without_command=True)
app.add_typer(examples_app, name="examples")


@examples_app.callback()
@user_errors
def examples(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the bundled examples: name, what it is, and the command that runs it."""
    if ctx.invoked_subcommand is not None:
        return
    found = bundled.examples()
    if json_output:
        print_json([{"name": e.name, "kind": e.kind, "description": e.description,
                     "command": e.command} for e in found])
        return
    width = max((len(e.name) for e in found), default=0)
    for e in found:
        typer.echo(f"{e.name:<{width}}  {e.description}")
        typer.echo(f"{'':<{width}}  {e.command}")
    typer.echo("\nCopy one to edit it: redline examples copy NAME [DEST]")


@examples_app.command("copy")
@user_errors
def copy(
    name: Annotated[str, typer.Argument(help="The example's name ('redline examples').")],
    dest: Annotated[str | None, typer.Argument(
        help="File to write, or a folder (existing, or ending in /) to write NAME.yaml into "
        "(default: NAME.yaml here).",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a copy of a bundled example (never over an existing file without --force)."""
    from redline.io.atomic import write_text

    text = bundled.example_text(name)
    file_name = f"{name}{bundled.SUFFIX}"
    target = Path(dest or file_name).expanduser()
    if dest is not None and (dest.endswith(("/", os.sep)) or target.is_dir()):
        target = target / file_name
    target = options.output_path(target, "DEST")
    if not force and (target.exists() or target.is_symlink()):
        raise RedlineError("already exists", file=str(target),
                           hint="pass --force to replace it, or give another DEST")
    typer.echo(str(write_text(target, text)))
