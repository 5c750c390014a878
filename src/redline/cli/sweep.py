"""`redline sweep`: Monte Carlo over claims and uncertain inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from redline.cli import options
from redline.cli.analyze import parse_assume
from redline.cli.common import DEFAULT_DRAWS, app, print_json, user_errors
from redline.cli.examples import ExampleOption, input_file
from redline.errors import RedlineError

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
                     ] = "compromise",
    workers: Annotated[int | None, typer.Option(
        help="Start a local Dask cluster with this many worker processes.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Use an existing Dask cluster, e.g. tcp://host:8786.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr (a terminal).")] = True,
    example: ExampleOption = None,
) -> None:
    """P(agreement), blocking red lines, solution and forecast distributions, sensitivity."""
    file = input_file(file, example)
    from redline.scenario.compile import claim_codes
    from redline.scenario.load import load_scenario
    from redline.uncertainty.executors import dask_executor, in_process
    from redline.uncertainty.sweep import DRAWS_HINT, MAX_DRAWS, check_sweep_size
    from redline.uncertainty.sweep import sweep as run_sweep

    options.int_in_range(draws, "--draws", low=1, high=MAX_DRAWS, hint=DRAWS_HINT)
    options.seed(seed)
    options.model_name(model)
    if workers is not None and scheduler is not None:
        raise RedlineError("cannot be combined with --scheduler", field="--workers",
                           hint="one starts a local cluster, the other uses a running one")
    if workers is not None:
        options.workers(workers)
    if scheduler is not None:
        options.scheduler_address(scheduler)
    truths = parse_assume(assume)
    scenario = load_scenario(file)
    check_sweep_size(scenario, draws)  # before any progress bar or setup
    try:
        claim_codes(scenario, truths)  # unknown claims, before any work
    except RedlineError as error:
        raise error.located(file=str(file)) from None
    executor = (dask_executor(workers=workers, scheduler=scheduler)
                if workers is not None or scheduler is not None else in_process)
    if model == "smp":
        from redline.scenario.arrays import ATTENTION_NOTE

        typer.echo(f"note: {ATTENTION_NOTE}", err=True)
    branches = [("integrated", {})] + ([("assumed", truths)] if truths else [])
    results = {}
    for label, branch in branches:  # Ctrl-C: user_errors prints one line, exit status 130
        with Progress(TextColumn(f"sweep ({label})"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=stderr, transient=True,
                      disable=not (progress and stderr.is_interactive)) as bar:
            task = bar.add_task("draws", total=draws)
            results[label] = run_sweep(scenario, draws=draws, seed=seed, assume=branch,
                                       model=model, executor=executor,
                                       progress=lambda n, t=task: bar.advance(t, n))
    main = results["assumed"] if truths else results["integrated"]
    if json_output:
        data = main.to_dict()
        if truths:
            data["integrated"] = results["integrated"].to_dict()
        print_json(data)
        return
    from redline.report.terminal import render_sweep

    render_sweep(Console(), results)
