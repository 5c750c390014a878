"""`redline update`: what the rounds of the talks say about the red lines, and the timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from redline.cli import options
from redline.cli.analyze import parse_assume
from redline.cli.common import app, print_json, user_errors
from redline.cli.examples import ExampleOption, input_file
from redline.uncertainty.limits import DEFAULT_DRAWS, MAX_DRAWS


@app.command()
@user_errors
def update(
    file: Annotated[Path | None, typer.Argument(help="Scenario YAML file with rounds.",
                                                show_default=False)] = None,
    until: Annotated[str | None, typer.Option(
        help="Count only the rounds dated on or before this day (YYYY-MM-DD).")] = None,
    draws: Annotated[int, typer.Option("--draws", "-n", help="Particles (Monte Carlo draws).")
                     ] = DEFAULT_DRAWS,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same numbers."
                                      )] = 0,
    prior: Annotated[bool, typer.Option("--prior", help="Ignore the rounds: the prior only.")
                     ] = False,
    assume: Annotated[list[str] | None, typer.Option(
        "--assume", help="Update in a claim branch: CLAIM=true|false (repeatable).")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Start a local Dask cluster with this many worker processes.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Use an existing Dask cluster, e.g. tcp://host:8786.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    example: ExampleOption = None,
) -> None:
    """The posterior given the rounds: inputs, claims, P(agreement), packages, timeline."""
    file = input_file(file, example)
    from redline import pipeline
    from redline.uncertainty.limits import DRAWS_HINT
    from redline.uncertainty.rounds import check_until

    options.int_in_range(draws, "--draws", low=1, high=MAX_DRAWS, hint=DRAWS_HINT)
    options.seed(seed)
    until = check_until(until)
    options.dask_options(workers, scheduler)
    loaded = pipeline.load(file, "yaml", assume=parse_assume(assume))
    from redline.uncertainty.executors import chunk_map

    with chunk_map(workers=workers, scheduler=scheduler) as executor:
        run = pipeline.run_update(loaded, draws=draws, seed=seed, until=until,
                                  prior_only=prior, executor=executor)
        data = run.to_dict()
    if json_output:
        print_json(data)
        return
    from redline.report.posterior import render_update

    render_update(Console(), data)
