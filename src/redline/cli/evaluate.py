"""`redline evaluate`: judge a proposal of the scenario, or a package given on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from redline.cli import options
from redline.cli.analyze import parse_assume
from redline.cli.common import UntilOption, app, print_json, user_errors
from redline.cli.examples import ExampleOption, input_file
from redline.errors import RedlineError
from redline.uncertainty.limits import MAX_DRAWS

DEFAULT_EVALUATE_DRAWS = 1000
MAX_LIST_LIMIT = 100_000


def parse_package(values: list[str] | None) -> dict[str, str] | None:
    """``["line=halfway,monitors=armed"]`` (commas or repeated options) ->
    ``{"line": "halfway", "monitors": "armed"}``; ``None`` when none is given."""
    if not values:
        return None
    out: dict[str, str] = {}
    for value in values:
        for item in value.split(","):
            issue, sep, option = (part.strip() for part in item.partition("="))
            if not sep or not issue or not option:
                raise RedlineError(f"expected ISSUE=OPTION (got {item.strip()!r})",
                                   field="--package", hint="e.g. --package line=halfway,"
                                   "monitors=armed")
            if issue in out:
                raise RedlineError(f"issue {issue!r} is given twice", field="--package")
            out[issue] = option
    return out


@app.command()
@user_errors
def evaluate(
    file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (with --example, leave it out).", show_default=False)] = None,
    proposal: Annotated[str | None, typer.Argument(
        help="The id of one of the scenario's proposals.", show_default=False)] = None,
    package: Annotated[list[str] | None, typer.Option(
        "--package", help="Judge this package instead: ISSUE=OPTION,... (issues left out are "
        "open; repeatable).")] = None,
    draws: Annotated[int, typer.Option(
        "--draws", "-n", help="Monte Carlo draws for P(accepts) (0: deterministic only).")
    ] = DEFAULT_EVALUATE_DRAWS,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same numbers."
                                      )] = 0,
    assume: Annotated[list[str] | None, typer.Option(
        "--assume", help="Judge in a claim branch: CLAIM=true|false (repeatable).")] = None,
    list_limit: Annotated[int, typer.Option(
        help="Fewest-changes packages listed (all are counted).")] = 20,
    prior: Annotated[bool, typer.Option(
        "--prior", help="Ignore the scenario's rounds (default: the odds are their "
        "posterior's).")] = False,
    until: UntilOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    example: ExampleOption = None,
) -> None:
    """Who accepts a proposal and which rules reject it, its odds, and what would it take."""
    if example is not None and file is not None and proposal is None:
        file, proposal = None, str(file)  # with --example the one argument is the proposal
    file = input_file(file, example)
    if (proposal is None) == (package is None):
        raise RedlineError("give exactly one of PROPOSAL_ID or --package",
                           hint="name a proposal of the scenario, or give --package "
                           "ISSUE=OPTION,...")
    from redline import pipeline
    from redline.uncertainty.limits import DRAWS_HINT
    from redline.uncertainty.rounds import check_until

    options.int_in_range(draws, "--draws", low=0, high=MAX_DRAWS, hint=DRAWS_HINT)
    options.seed(seed)
    options.int_in_range(list_limit, "--list-limit", low=1, high=MAX_LIST_LIMIT)
    until = check_until(until)
    chosen = parse_package(package)
    loaded = pipeline.load(file, "yaml", assume=parse_assume(assume))
    run = pipeline.run_evaluate(loaded, proposal, chosen, draws=draws, seed=seed,
                                limit=list_limit, prior=prior, until=until)
    if json_output:
        print_json(run.to_dict())
        return
    from redline.report.terminal import render_evaluation

    render_evaluation(Console(), run.to_dict())
