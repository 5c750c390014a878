"""Terminal tables of a tournament (rich): the ranking, each scenario, the first negotiations.

Renders a :class:`redline.simulate.tournament.TournamentResult`; computes nothing (the metrics
and the ranking's intervals are :mod:`redline.simulate.metrics`'s and
:mod:`redline.simulate.ranking`'s).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

__all__ = ["NEGOTIATION_ROWS", "render_tournament"]

NEGOTIATION_ROWS = 10
"""Negotiations listed in the terminal by default (``--rows``); ``--json`` lists all."""


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def _mean(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None


def ranking_table(result: Any) -> Table:
    """The strategies, best first: mean advantage with its bootstrap interval."""
    table = Table(title="Ranking by mean advantage (u - r) / (max - r)", title_justify="left")
    for header, justify in (("#", "right"), ("strategy", "left"), ("mean", "right"),
                            ("95% interval", "right"), ("seats", "right"),
                            ("deals", "right")):
        table.add_column(header, justify=justify)
    for s in result.ranking:
        table.add_row(str(s.rank), s.strategy, _number(s.mean),
                      f"{_number(s.low)} – {_number(s.high)}", f"{s.seats:,}",
                      f"{100 * s.agreements:.0f}%")
    return table


def scenario_table(result: Any) -> Table:
    """Per scenario: negotiations, agreements, mean welfare and mean distances."""
    table = Table(title="Scenarios (means over negotiations)", title_justify="left")
    for header, justify in (("scenario", "left"), ("runs", "right"),
                            ("deals", "right"), ("welfare", "right"),
                            ("to Pareto", "right"), ("to Nash", "right"), ("to K-S", "right")):
        table.add_column(header, justify=justify)
    for t in result.tables:
        m = t.metrics
        table.add_row(short_name(t.name), f"{t.agreement.size:,}",
                      f"{100 * np.mean(t.agreement >= 0):.0f}%", _number(_mean(m.welfare)),
                      _number(_mean(m.pareto_distance)), _number(_mean(m.nash_distance)),
                      _number(_mean(m.ks_distance)))
    return table


def short_name(name: str) -> str:
    """A scenario's file or folder name without its folders and ``.yaml``."""
    return PurePath(name).name.removesuffix(".yaml").removesuffix(".yml") or name


def negotiations_table(rows: list[dict]) -> Table:
    """The first negotiations' metrics (``rows`` from ``TournamentResult.rows()``): the
    strategies in the scenario's actor order (``*``: moved first), the outcome, utilities,
    welfare and the distances to the Pareto frontier and the Nash point."""
    table = Table(title="Negotiations (strategies in actor order, * moved first)",
                  title_justify="left")
    for header, justify in (("id", "right"), ("scenario", "left"), ("strategies", "left"),
                            ("outcome", "left"), ("utilities", "right"), ("welfare", "right"),
                            ("to Pareto", "right"), ("to Nash", "right")):
        table.add_column(header, justify=justify)
    for row in rows:
        agents = row["agents"]
        strategies = " / ".join(a["strategy"] + ("*" if a["actor"] == row["first"] else "")
                                for a in agents)
        outcome = (f"deal, step {row['step']}" if row["agreement"] is not None
                   else f"{row['reason']}, step {row['step']}")
        table.add_row(str(row["id"]), short_name(row["scenario"]), strategies, outcome,
                      " / ".join(_number(a["utility"], 2) for a in agents),
                      _number(row["welfare"]), _number(row["pareto_distance"]),
                      _number(row["nash_distance"]))
    return table


def render_tournament(console: Console, result: Any, rows: int = NEGOTIATION_ROWS) -> None:
    """Print a tournament: a heading, the ranking, the scenarios and the first negotiations.

    Parameters
    ----------
    console
        Where to print.
    result
        A :class:`redline.simulate.tournament.TournamentResult`.
    rows
        Negotiations listed (``--rows``); a cut table says so.
    """
    config = result.config
    rotation = "role rotation" if config.rotate else "fixed roles"
    console.rule(f"[bold]Tournament: {result.negotiations:,} negotiations")
    console.print(f"{len(config.strategies)} strategies x {len(config.scenarios)} scenarios, "
                  f"{rotation}, {config.repetitions} repetition(s), {config.steps} steps, "
                  f"{config.protocol}, seed {config.seed}")
    console.print(ranking_table(result))
    console.print("[dim]Interval: percentile bootstrap of the mean over the strategy's seats "
                  "(seeded).[/]")
    console.print(scenario_table(result))
    shown = []
    for row in result.rows():
        if len(shown) == rows:
            break
        shown.append(row)
    console.print(negotiations_table(shown))
    if result.negotiations > len(shown):
        console.print(f"[dim]{len(shown)} of {result.negotiations:,} negotiations shown; "
                      "--rows N shows more, --json lists all.[/]")
    console.print(f"[dim]tournament {result.seconds:.2f}s[/]")
