"""`redline report FILE -o report.html`: one self-contained HTML report (and PNGs for slides)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redline.cli import options
from redline.cli.analyze import parse_assume
from redline.cli.common import UntilOption, app, user_errors
from redline.cli.examples import ExampleOption, input_file
from redline.errors import RedlineError
from redline.forecast.registry import REPORT_MODELS
from redline.space.engine import DEFAULT_MAX_PACKAGES

INSTALL_HINT = "pip install 'redline[report]'"


def _require(module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        raise RedlineError(f"the report needs {module}, which is not installed",
                           hint=INSTALL_HINT) from None


@app.command()
@user_errors
def report(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")],
    file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file or Genius XML folder.", show_default=False)] = None,
    assume: Annotated[list[str] | None, typer.Option(
        "--assume", help="Analyse a claim branch: CLAIM=true|false (repeatable).")] = None,
    draws: Annotated[int | None, typer.Option(
        "--draws", "-n", help="Add a Monte Carlo sweep with this many draws.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sweep.")] = 0,
    png: Annotated[Path | None, typer.Option(
        "--png", help="Also write every figure as a PNG into this folder.")] = None,
    x_actor: Annotated[str | None, typer.Option(
        "--x", help="Actor (id or name) on the deal-space plot's x axis.")] = None,
    y_actor: Annotated[str | None, typer.Option(
        "--y", help="Actor (id or name) on the deal-space plot's y axis.")] = None,
    models: Annotated[list[str] | None, typer.Option(
        "--model", "-m", help="Forecast model to show (repeatable; default "
        f"{' and '.join(REPORT_MODELS)}).")
                      ] = None,
    max_packages: Annotated[
        int, typer.Option(help="Refuse larger package spaces (as in analyze).")
    ] = DEFAULT_MAX_PACKAGES,
    advise_for: Annotated[str | None, typer.Option(
        "--advise-for", help="Add the mediator's next move for this actor (id): the top "
        "packages by each objective, as redline advise ranks them (over --draws, or "
        "advise's default draws).", show_default=False)] = None,
    prior: Annotated[bool, typer.Option(
        "--prior", help="Ignore the scenario's rounds: the sweep, the proposals' odds and the "
        "advice use the prior's draws (default: the rounds' posterior).")] = False,
    until: UntilOption = None,
    example: ExampleOption = None,
) -> None:
    """Write an HTML report that works offline: scenario, deal space, blockers, forecasts."""
    file = input_file(file, example)
    output = options.output_path(output, "--output")
    if png is not None:
        png = options.output_path(png, "--png", folder=True)
        if png.absolute() == output.absolute():
            raise RedlineError("names the same path as --output", field="--png",
                               hint="give the PNGs their own folder")
    from redline.uncertainty.limits import DRAWS_HINT, MAX_DRAWS

    if draws is not None:
        options.int_in_range(draws, "--draws", low=1, high=MAX_DRAWS, hint=DRAWS_HINT)
    options.seed(seed)
    for name in models or ():
        options.model_name(name)
    options.int_in_range(max_packages, "--max-packages", low=1)
    from redline.uncertainty.rounds import check_until

    until = check_until(until)
    truths = parse_assume(assume)
    _require("plotly")
    if png is not None:
        _require("matplotlib")
    from redline.io.atomic import write_text
    from redline.report.html import collect, render
    from redline.report.png import write_pngs

    data = collect(file, assume=truths, draws=draws, seed=seed,
                   models=tuple(models or REPORT_MODELS), x_actor=x_actor, y_actor=y_actor,
                   max_packages=max_packages, advise_for=advise_for, prior=prior,
                   until=until)
    typer.echo(str(write_text(output, render(data))))
    if png is not None:
        for path in write_pngs(data.figures, png):
            typer.echo(str(path))
