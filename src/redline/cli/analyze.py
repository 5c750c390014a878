"""`redline analyze`, `redline schema`, `redline export`, `redline divide`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from redline.cli import options
from redline.cli.common import app, as_options, print_json, user_errors, warn
from redline.cli.examples import ExampleOption, input_file
from redline.errors import RedlineError, listing
from redline.space.engine import DEFAULT_LIST_LIMIT, DEFAULT_MAX_PACKAGES, check_size
from redline.space.frontier import MAX_FRONTIER_POINTS
from redline.uncertainty.limits import DEFAULT_DRAWS

stderr = Console(stderr=True)


def parse_assume(values: list[str] | None) -> dict[str, bool]:
    """``["ft-report=true"]`` -> ``{"ft-report": True}``."""
    out: dict[str, bool] = {}
    for item in values or []:
        claim, sep, value = item.partition("=")
        truth = {"true": True, "false": False, "yes": True, "no": False}.get(value.lower())
        if not sep or not claim or truth is None:
            raise RedlineError(f"expected CLAIM=true or CLAIM=false (got {item!r})",
                               field="--assume")
        out[claim] = truth
    return out


@app.command()
@user_errors
def analyze(
    file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file or Genius XML folder.", show_default=False)] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    assume: Annotated[list[str] | None, typer.Option(
        "--assume", help="Analyse a claim branch: CLAIM=true|false (repeatable).")] = None,
    memory_mb: Annotated[float, typer.Option(help="Memory budget for one chunk (MB).")] = 512,
    max_packages: Annotated[
        int, typer.Option(help="Refuse larger package spaces.")] = DEFAULT_MAX_PACKAGES,
    pareto_rows: Annotated[int, typer.Option(
        help="Frontier rows shown in the terminal (0 hides the table).")] = 10,
    blocker_rows: Annotated[int, typer.Option(
        help="Rows of the blocking and objecting rules shown in the terminal.")] = 12,
    list_limit: Annotated[int, typer.Option(
        help="Tied packages listed per solution, and frontier points listed by --json "
             "(all are counted).")] = DEFAULT_LIST_LIMIT,
    max_frontier: Annotated[int, typer.Option(
        help="Distinct Pareto frontier points computed; larger frontiers are left out."
    )] = MAX_FRONTIER_POINTS,
    branches: Annotated[bool, typer.Option(help="Compare claim branches (small spaces).")] = True,
    example: ExampleOption = None,
) -> None:
    """Every package, who accepts it, the Pareto frontier, bargaining solutions and blockers."""
    file = input_file(file, example)
    from redline import pipeline

    options.memory_mb(memory_mb)
    options.int_in_range(max_packages, "--max-packages", low=1)
    options.int_in_range(pareto_rows, "--pareto-rows", low=0, hint="0 hides the table")
    options.int_in_range(blocker_rows, "--blocker-rows", low=0, hint="0 hides the tables")
    options.int_in_range(list_limit, "--list-limit", low=1)
    options.int_in_range(max_frontier, "--max-frontier", low=1)
    truths = parse_assume(assume)
    loaded = pipeline.load(file, assume=truths, max_packages=max_packages)
    for line in loaded.warnings:
        warn(line)
    domain = loaded.require_domain()
    check_size(domain, max_packages)  # before the progress bar
    total = domain.n_packages
    with Progress(TextColumn("scanning packages"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn(),
                  console=stderr, transient=True,
                  disable=total <= 2_000_000 or not stderr.is_terminal) as bar:
        task = bar.add_task("scan", total=total)
        run = pipeline.run_analysis(
            loaded, branches=branches, memory_mb=memory_mb, max_packages=max_packages,
            progress=lambda done, _total: bar.update(task, completed=done),
            list_limit=list_limit, max_frontier=max_frontier)
    if json_output:
        print_json(run.to_dict())
        return
    from redline.report.terminal import render_analysis

    console = Console()
    render_analysis(console, run.analysis, loaded.scenario, list(run.branches),
                    pareto_rows=pareto_rows, blocker_rows=blocker_rows)
    if run.branches_skipped:
        console.print(f"[dim]Claim branches not compared: the space has more than "
                      f"{pipeline.BRANCH_MAX_PACKAGES:,} packages.[/]")


@app.command()
@user_errors
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    from redline.scenario.model import Scenario

    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")


@app.command()
@user_errors
def check(
    file: Annotated[Path | None, typer.Argument(help="Scenario YAML file.", show_default=False)
                    ] = None,
    max_packages: Annotated[int, typer.Option(
        help="The package limit of 'analyze' to check against.")] = DEFAULT_MAX_PACKAGES,
    draws: Annotated[int, typer.Option(
        help="The number of draws of 'sweep' to check against.")] = DEFAULT_DRAWS,
    example: ExampleOption = None,
) -> None:
    """Check a scenario file and report the first problem (exit status 2) or 'ok'.

    A space that 'analyze' would refuse is a problem; one that only 'sweep' would refuse is
    reported after 'ok'.
    """
    from redline import pipeline
    from redline.uncertainty.limits import DRAWS_HINT, MAX_DRAWS

    file = input_file(file, example)
    options.int_in_range(max_packages, "--max-packages", low=1)
    options.int_in_range(draws, "--draws", low=1, high=MAX_DRAWS, hint=DRAWS_HINT)
    loaded = pipeline.load(file, "yaml")
    scenario, domain = loaded.scenario, loaded.require_domain()
    check_size(domain, max_packages)
    try:
        pipeline.check_sweep(loaded, draws)
        sweep_note = ""
    except RedlineError as error:
        sweep_note = f"; sweep would refuse it: {as_options(error)}"
    typer.echo(f"ok: {len(scenario.actors)} actors, {len(scenario.issues)} issues, "
               f"{domain.n_packages:,} packages, {len(domain.constraints)} active rules"
               + sweep_note)


# Spaces small enough to count the acceptable packages before and after an export (under 1 s).
EXPORT_COMPARE_PACKAGES = 1_000_000

export_app = typer.Typer(help="Write a scenario in another format.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("genius")
@user_errors
def export_genius(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write.")],
    file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (or Genius folder).", show_default=False)] = None,
    assume: Annotated[list[str] | None, typer.Option(
        "--assume", help="Export a claim branch: CLAIM=true|false (repeatable); other claims "
        "keep their 'assumed' value.")] = None,
    example: ExampleOption = None,
) -> None:
    """Write a Genius XML domain and one linear-additive profile per actor.

    Rules, roles (vetoes) and open claims have no Genius form: warnings on stderr say what is lost.
    """
    from redline.io.genius import genius_losses, genius_view, write_genius_folder
    from redline.pipeline import load
    from redline.space.engine import analyze as analyze_domain

    file = input_file(file, example)
    output = options.output_path(output, "--output", folder=True)
    loaded = load(file, assume=parse_assume(assume))
    domain = loaded.require_domain()
    for line in loaded.warnings:
        warn(line)
    written = write_genius_folder(domain, output)
    for path in written:
        typer.echo(str(path))
    for line in genius_losses(domain):
        warn(line)
    if loaded.scenario is not None:
        from redline.scenario.compile import uncertain_inputs

        open_claims = [k for k, v in domain.notes.get("claims", {}).items() if v is None]
        if open_claims:
            warn(f"{len(open_claims)} claims are open (no 'assumed' value and no --assume); "
                 "the rules and changes that depend on them are not applied: "
                 + listing(open_claims))
        uncertain = list(uncertain_inputs(loaded.scenario))
        if uncertain:
            warn(f"{len(uncertain)} uncertain inputs are written at their means")
    if genius_losses(domain) and domain.n_packages <= EXPORT_COMPARE_PACKAGES:
        before = analyze_domain(domain).acceptable_count
        after = analyze_domain(genius_view(domain)).acceptable_count
        if before != after:
            warn(f"{before:,} of {domain.n_packages:,} packages are acceptable to every actor "
                 f"with a veto here; {after:,} reach every profile's reservation value in the "
                 "Genius files")


@app.command()
@user_errors
def divide(
    file: Annotated[Path | None, typer.Argument(
        help="YAML: parties: [A, B]; items: {item: [a, b]}", show_default=False)] = None,
    json_output: Annotated[bool, typer.Option("--json")] = False,
    example: ExampleOption = None,
) -> None:
    """Adjusted Winner fair division of items between two parties (exact fractions)."""
    from redline.report.terminal import render_division
    from redline.scenario.points import load_points
    from redline.space.fair_division import adjusted_winner

    parties, items = load_points(input_file(file, example, "division"))
    result = adjusted_winner(items, parties)
    if json_output:
        print_json(result.to_dict())
    else:
        render_division(Console(), result)
