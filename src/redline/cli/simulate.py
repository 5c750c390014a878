"""`redline simulate`: negotiations played out by strategy agents, as a batch."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from redline.cli import options
from redline.cli.analyze import parse_assume
from redline.cli.common import app, print_json, user_errors
from redline.cli.examples import ExampleOption, input_file
from redline.errors import RedlineError

MAX_SIMULATED_DRAWS = 100_000


def parse_pairs(values: list[str] | None, option: str) -> list[tuple[str, str]]:
    """``ACTOR=VALUE`` items, in order; one clear line for a malformed one."""
    out = []
    for item in values or []:
        actor, sep, value = item.partition("=")
        if not sep or not actor.strip() or not value.strip():
            raise RedlineError(f"{item!r} is not ACTOR=VALUE", field=option,
                               hint=f"write e.g. {option} russia=boulware")
        out.append((actor.strip(), value.strip()))
    return out


def parse_bias(values: list[str] | None) -> dict[str, float]:
    """``ACTOR=WEIGHT`` items as numbers."""
    out = {}
    for actor, value in parse_pairs(values, "--bias"):
        try:
            weight = float(value)
        except ValueError:
            raise RedlineError(f"weight {value!r} is not a number", field="--bias") from None
        if not math.isfinite(weight):
            raise RedlineError(f"weight {value!r} is not a finite number", field="--bias")
        out[actor] = weight
    return out


@app.command()
@user_errors
def simulate(
    file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file or Genius domain folder.", show_default=False)] = None,
    protocol: Annotated[str, typer.Option(
        "--protocol", "-p", help="sao (two parties), stacked (n parties) or single-text "
        "(a mediator amends one text).")] = "sao",
    strategy: Annotated[list[str] | None, typer.Option(
        "--strategy", "-s", help="ACTOR=NAME[:param][@ACCEPT][~MODEL], one per negotiating "
        "actor, in the order they move (e.g. russia=boulware, ukraine=aspiration:0.5@next).")
    ] = None,
    mediator: Annotated[str | None, typer.Option(
        help="single-text: the actor whose interests the mediator has, or none.")] = None,
    bias: Annotated[list[str] | None, typer.Option(
        help="single-text: ACTOR=W, the mediator's weight on a party's utility (repeatable).")
    ] = None,
    steps: Annotated[int, typer.Option("--steps", help="The deadline, in steps.")] = 100,
    draws: Annotated[int, typer.Option(
        "--draws", "-n", help="Negotiations, one per draw of the uncertain inputs (0: one at "
        "the point values).")] = 0,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same numbers."
                                      )] = 0,
    breakdown: Annotated[float, typer.Option(
        help="Probability that the talks break down before each step.")] = 0.0,
    assume: Annotated[list[str] | None, typer.Option(
        "--assume", help="Simulate in a claim branch: CLAIM=true|false (repeatable).")] = None,
    prior: Annotated[bool, typer.Option(
        "--prior", help="Ignore the scenario's rounds (default: with --draws, simulate on "
        "their posterior).")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write the first negotiation's offers, step by step, as a "
        "self-contained HTML page.", show_default=False)] = None,
    example: ExampleOption = None,
) -> None:
    """P(agreement by the deadline), the agreements, utilities, steps and what stopped the
    talks."""
    file = input_file(file, example)
    from redline import pipeline
    from redline.simulate.protocols import MAX_STEPS, PROTOCOLS

    if protocol not in PROTOCOLS:
        raise RedlineError(f"unknown protocol {protocol!r}", field="--protocol",
                           hint=f"use one of {', '.join(PROTOCOLS)}")
    options.int_in_range(steps, "--steps", low=1, high=MAX_STEPS)
    options.int_in_range(draws, "--draws", low=0, high=MAX_SIMULATED_DRAWS)
    options.seed(seed)
    if not (math.isfinite(breakdown) and 0.0 <= breakdown < 1.0):
        raise RedlineError(f"must lie in [0, 1) (got {breakdown:g})", field="--breakdown")
    figure = None
    if report is not None:
        report = options.output_path(report, "--report")
        figure = offers_figure()
    pairs = parse_pairs(strategy, "--strategy")
    weights = parse_bias(bias)
    truths = parse_assume(assume)
    loaded = pipeline.load(file, assume=truths)
    run = pipeline.run_simulate(loaded, pairs, protocol=protocol, steps=steps, draws=draws,
                                seed=seed, mediator=mediator, bias=weights,
                                breakdown=breakdown, prior=prior)
    data = run.to_dict()
    if report is not None and figure is not None:
        from redline.io.atomic import write_text

        write_text(report, figure(run.result))
    if json_output:
        print_json(data)
        return
    render(Console(), data)


def offers_figure() -> Any:
    """The report's page of a simulated negotiation's offers (``simulation_html(result)``), or
    one clear error where this installation has none."""
    try:
        from redline.report.simulation import simulation_html  # type: ignore[import-not-found]
    except ImportError:
        raise RedlineError("this installation has no offers figure (redline.report.simulation)",
                           field="--report") from None
    return simulation_html


def inputs_line(inputs: dict[str, Any]) -> str:
    """Which draws of the uncertain inputs the negotiations used, in one line."""
    source = inputs["from"]
    if source == "posterior":
        rounds = inputs["rounds"]
        text = (f"inputs: the posterior given {len(rounds)} round(s) ({', '.join(rounds)}), "
                f"resampled by weight; effective sample size {inputs['ess']:.0f}")
    else:
        text = f"inputs: the {source}" if source == "prior" else f"inputs: {source}"
    return text + (f" ({inputs['note']})" if "note" in inputs else "")


def render(console: Console, data: dict[str, Any]) -> None:
    """The terminal view of ``redline simulate --json``'s data."""
    low, high = data["interval"]
    agents = ", ".join(f"{a['name']} {a['strategy']}" for a in data["agents"])
    extra = f", mediator {data['mediator']}" if "mediator" in data else ""
    console.print(f"[bold]{data['protocol']}[/bold] over {data['steps']} steps, "
                  f"{data['negotiations']:,} negotiation(s): {agents}{extra}")
    if "inputs" in data:
        console.print(inputs_line(data["inputs"]))
    console.print(f"P(agreement by the deadline) = {data['p_agreement']:.1%} "
                  f"(95% interval {low:.1%}-{high:.1%}); steps taken: mean "
                  f"{data['steps_taken']['mean']:.1f}, median {data['steps_taken']['median']:g}")
    if data["agreements"]:
        table = Table(title="Agreements")
        table.add_column("share", justify="right")
        table.add_column("package")
        for a in data["agents"]:
            table.add_column(a["name"], justify="right")
        for row in data["agreements"]:
            table.add_row(f"{row['share']:.1%}",
                          ", ".join(f"{k}={v}" for k, v in row["package"].items()),
                          *[f"{row['utilities'][a['id']]:.3f}" for a in data["agents"]])
        console.print(table)
    table = Table(title="Utilities (outside option without a deal)")
    for column in ("actor", "mean", "when agreed", "5%", "median", "95%"):
        table.add_column(column, justify="left" if column == "actor" else "right")
    for a in data["agents"]:
        u = data["utilities"][a["id"]]
        q = u["quantiles"]
        agreed = "-" if u["mean_when_agreed"] is None else f"{u['mean_when_agreed']:.3f}"
        table.add_row(a["name"], f"{u['mean']:.3f}", agreed, f"{q['0.05']:.3f}",
                      f"{q['0.5']:.3f}", f"{q['0.95']:.3f}")
    console.print(table)
    if "distances" in data:
        d = data["distances"]
        shown = ", ".join(f"{label} {d[key]:.3f}" for key, label in (
            ("pareto", "Pareto frontier"), ("nash", "Nash point"),
            ("kalai_smorodinsky", "Kalai-Smorodinsky point")) if d.get(key) is not None)
        console.print(f"Mean distance to the {shown}")
    reasons = ", ".join(f"{k} {v:,}" for k, v in data["reasons"].items())
    console.print(f"Ended by: {reasons}")
    for b in data["blockers"]:
        console.print(f"  stopped by {b['id']} ({b['share']:.1%}): {b['description']}")
