"""`redline tournament`: every strategy against every other, on every scenario and role."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from redline.cli import options
from redline.cli.common import app, print_json, user_errors
from redline.errors import RedlineError


@app.command()
@user_errors
def tournament(
    file: Annotated[Path, typer.Argument(
        help="Tournament YAML file: strategies, scenarios, rotate, repetitions, steps, seed.",
        show_default=False)],
    workers: Annotated[int | None, typer.Option(
        help="Start a local Dask cluster with this many worker processes.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Use an existing Dask cluster, e.g. tcp://host:8786.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    rows: Annotated[int, typer.Option(
        help="Negotiations listed in the terminal (--json lists all).")] = 10,
) -> None:
    """NegMAS's per-negotiation metrics and a ranking of strategies with 95% intervals."""
    from redline import pipeline
    from redline.simulate.tournament import dask_runner

    if workers is not None and scheduler is not None:
        raise RedlineError("cannot be combined with --scheduler", field="--workers",
                           hint="one starts a local cluster, the other uses a running one")
    if workers is not None:
        options.workers(workers)
    if scheduler is not None:
        options.scheduler_address(scheduler)
    options.int_in_range(rows, "--rows", low=0)
    inputs = pipeline.load_tournament(file)  # every bad input before any work starts
    executor = (dask_runner(workers=workers, scheduler=scheduler)
                if workers is not None or scheduler is not None else None)
    result = pipeline.run_tournament(inputs, executor=executor)
    if json_output:
        print_json(result.to_dict())
        return
    from redline.report.tournament import render_tournament

    render_tournament(Console(), result, rows=rows)
