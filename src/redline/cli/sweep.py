"""`redline sweep`: Monte Carlo over claims and uncertain inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from redline.cli import options
from redline.cli.analyze import parse_assume
from redline.cli.common import UntilOption, app, print_json, user_errors
from redline.cli.examples import ExampleOption, input_file
from redline.forecast.registry import DEFAULT_MODEL
from redline.uncertainty.limits import DEFAULT_DRAWS

stderr = Console(stderr=True)


@app.command()
@user_errors
def sweep(
    file: Annotated[Path | None, typer.Argument(help="Scenario YAML file.", show_default=False)
                    ] = None,
    draws: Annotated[int, typer.Option("--draws", "-n", help="Number of Monte Carlo draws.")
                     ] = DEFAULT_DRAWS,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same numbers."
                                      )] = 0,
    assume: Annotated[list[str] | None, typer.Option(
        "--assume", help="Fix a claim: CLAIM=true|false (repeatable); shown beside the "
        "integrated result.")] = None,
    model: Annotated[str, typer.Option("--model", "-m", help="Forecast model run in every draw.")
                     ] = DEFAULT_MODEL,
    workers: Annotated[int | None, typer.Option(
        help="Start a local Dask cluster with this many worker processes.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Use an existing Dask cluster, e.g. tcp://host:8786.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr (a terminal).")] = True,
    prior: Annotated[bool, typer.Option(
        "--prior", help="Ignore the scenario's rounds (default: sweep their posterior).")
    ] = False,
    until: UntilOption = None,
    rows: Annotated[int | None, typer.Option(
        help="Rows of the blocking, leading-package and sensitivity tables shown in the "
             "terminal (default 10, 8 and 10).", show_default=False)] = None,
    example: ExampleOption = None,
) -> None:
    """P(agreement), blocking red lines, solution and forecast distributions, sensitivity."""
    file = input_file(file, example)
    from redline import pipeline
    from redline.uncertainty.executors import dask_executor, in_process
    from redline.uncertainty.limits import DRAWS_HINT, MAX_DRAWS
    from redline.uncertainty.rounds import check_until

    options.int_in_range(draws, "--draws", low=1, high=MAX_DRAWS, hint=DRAWS_HINT)
    options.seed(seed)
    options.model_name(model)
    if rows is not None:
        options.int_in_range(rows, "--rows", low=1)
    options.dask_options(workers, scheduler)
    until = check_until(until)
    truths = parse_assume(assume)
    loaded = pipeline.load(file, "yaml", assume=truths)  # unknown claims, before any work
    pipeline.check_sweep(loaded, draws, model)  # before any progress bar or setup
    executor = (dask_executor(workers=workers, scheduler=scheduler)
                if workers is not None or scheduler is not None else in_process)
    note = pipeline.salience_note(model)
    if note is not None:
        typer.echo(f"note: {note}", err=True)
    # Ctrl-C: user_errors prints one line, exit status 130
    with Progress(TextColumn("sweep ({task.description})"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=stderr, transient=True,
                  disable=not (progress and stderr.is_interactive)) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(branch: str, done: int) -> None:
            if branch not in tasks:
                tasks[branch] = bar.add_task(branch, total=draws)
            bar.advance(tasks[branch], done)

        run = pipeline.run_sweep(loaded, draws=draws, seed=seed, model=model,
                                 executor=executor, progress=advance, prior=prior,
                                 until=until)
    if json_output:
        print_json(run.to_dict())
        return
    from redline.report.terminal import render_sweep

    render_sweep(Console(), run.results, rows=rows)
