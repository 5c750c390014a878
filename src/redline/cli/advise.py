"""`redline advise`: rank the packages the mediator could table next."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from redline.cli import options
from redline.cli.analyze import parse_assume
from redline.cli.common import app, print_json, user_errors
from redline.cli.evaluate import parse_package
from redline.cli.examples import ExampleOption, input_file
from redline.errors import RedlineError
from redline.uncertainty.limits import (
    ADVICE_OBJECTIVES,
    DEFAULT_ADVICE_TOP,
    DEFAULT_DRAWS,
    MAX_ADVICE_TOP,
)


@app.command()
@user_errors
def advise(
    file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (with --example, leave it out).", show_default=False)] = None,
    actor: Annotated[str | None, typer.Option(
        "--for", help="The actor advised: 'value' is its expected utility; 'probe' weighs "
        "every other actor's answer.", show_default=False)] = None,
    objective: Annotated[str, typer.Option(
        "--objective", help="accept: P(every veto holder accepts); value: ACTOR's expected "
        "utility; probe: expected information (bits) about the uncertain inputs.")
    ] = "accept",
    top: Annotated[int, typer.Option("--top", "-k", help="Ranked candidates listed.")
                   ] = DEFAULT_ADVICE_TOP,
    package: Annotated[list[str] | None, typer.Option(
        "--package", help="A candidate: ISSUE=OPTION,... (issues left out are open: its best "
        "completion counts; repeatable). Without --package or --proposal: every package.")
    ] = None,
    proposal: Annotated[list[str] | None, typer.Option(
        "--proposal", help="A candidate: the id of one of the scenario's proposals "
        "(repeatable).")] = None,
    draws: Annotated[int, typer.Option("--draws", "-n", help="Monte Carlo draws.")
                     ] = DEFAULT_DRAWS,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same numbers."
                                      )] = 0,
    tremble: Annotated[float | None, typer.Option(
        "--tremble", help="probe: the chance an answer is the opposite of the model's "
        "verdict, in [0, 0.5] (default: the rounds' default tremble).", show_default=False)
    ] = None,
    prior: Annotated[bool, typer.Option(
        "--prior", help="Ignore the scenario's rounds: the prior's draws.")] = False,
    until: Annotated[str | None, typer.Option(
        "--until", help="Only the rounds dated on or before this ISO date (YYYY-MM-DD) count.",
        show_default=False)] = None,
    assume: Annotated[list[str] | None, typer.Option(
        "--assume", help="Advise in a claim branch: CLAIM=true|false (repeatable).")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Start a local Dask cluster with this many worker processes.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Use an existing Dask cluster, e.g. tcp://host:8786.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    example: ExampleOption = None,
) -> None:
    """The mediator's next move: candidate packages ranked, with the reason for each."""
    file = input_file(file, example)
    if actor is None:
        raise RedlineError("is required: the actor advised", field="--for",
                           hint="e.g. --for us (the scenario's actor ids)")
    if objective not in ADVICE_OBJECTIVES:
        raise RedlineError(f"unknown objective {objective!r}", field="--objective",
                           hint=f"use one of {', '.join(ADVICE_OBJECTIVES)}")
    from redline.uncertainty.limits import DRAWS_HINT, MAX_DRAWS

    options.int_in_range(draws, "--draws", low=1, high=MAX_DRAWS, hint=DRAWS_HINT)
    options.seed(seed)
    options.int_in_range(top, "--top", low=1, high=MAX_ADVICE_TOP)
    packages = [parse_package([value]) for value in package or []]
    from redline import pipeline
    from redline.uncertainty.rounds import check_until

    until = check_until(until)
    options.dask_options(workers, scheduler)

    loaded = pipeline.load(file, "yaml", assume=parse_assume(assume))
    from redline.uncertainty.executors import chunk_map

    with chunk_map(workers=workers, scheduler=scheduler) as executor:
        run = pipeline.run_advise(loaded, actor, objective=objective, top=top,
                                  packages=[p for p in packages if p],
                                  proposals=proposal or [], draws=draws, seed=seed,
                                  tremble=tremble, prior=prior, until=until,
                                  executor=executor)
    if json_output:
        print_json(run.to_dict())
        return
    from redline.report.advice import render_advice

    render_advice(Console(), run.to_dict())
