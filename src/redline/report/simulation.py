"""The figure of a simulated negotiation: offers in utility space, step by step.

Two agents' utilities span the plane (``u_a`` across, ``u_b`` up); every package is a grey
point, the Pareto frontier a line, the Nash and Kalai-Smorodinsky points and the agreement
markers, each agent's reservation value a dotted line. Each agent's offers are a path in its
colour, in the order it made them, so a Boulware agent's path stays near its own axis until late
and a conceder's runs to the frontier's middle early (the picture of Baarslag et al. 2014,
Fig. 2.3, and NegMAS's ``Mechanism.plot``). A slider shows the offers up to a step. The figure
is plotly's figure JSON built with :mod:`redline.report.figures`' helpers, like every other
figure (``go.Figure(fig)`` changes nothing). Renders results; computes nothing: the frontier
and the solution points are :mod:`redline.simulate.metrics`'s (the agreement-space kernel's).

Every trace carries ``meta={"role": ...}`` (``packages``, ``frontier``, ``offers`` with the
``agent``, ``solution`` with its name, ``agreement``) as in :mod:`redline.report.figures`, so
:func:`redline.report.png.write_pngs` re-draws it as a PNG (without the slider). Names, not ids:
the axes, legend and hover text use the agents' and options' names, HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from redline.errors import RedlineError
from redline.report.figures import (
    FRONTIER,
    SOLUTION_STYLE,
    UNACCEPTABLE,
    Figure,
    add_trace,
    colour,
    esc,
    new_figure,
    reference_line,
    template,
    update_axes,
    update_layout,
)
from redline.report.figures import trace as plot_trace

__all__ = ["MAX_SLIDER_POSITIONS", "MAX_SPACE_POINTS", "OfferTrace", "offer_trace",
           "offers_figure", "simulation_figure", "simulation_html"]

MAX_SPACE_POINTS = 20_000
"""Packages drawn as the grey cloud; larger spaces show a fixed-seed sample of this many."""

MAX_SLIDER_POSITIONS = 100
"""Slider positions at most (long negotiations step through evenly spaced steps)."""

AGREEMENT_COLOUR = "#2a9d8f"


@dataclass(frozen=True)
class OfferTrace:
    """One negotiation's offers, as the figure needs them (plain arrays and names).

    Attributes
    ----------
    agents
        The agents' names, one per column of the utilities; a mediator, when there is one,
        comes last (it has no column).
    step
        ``(T,)`` the step of each offer, from 1 (non-decreasing).
    proposer
        ``(T,)`` who made each offer (an index into ``agents``).
    utilities
        ``(T, A)`` every agent's utility of each offer.
    labels
        ``(T,)`` each offer's package in words (``"issue: option, ..."``), or empty.
    agreement
        ``(A,)`` the agreement's utilities, or ``None`` when the talks failed.
    agreement_step
        The step of the agreement (or of the end).
    reservation
        ``(A,)`` reservation values.
    """

    agents: tuple[str, ...]
    step: np.ndarray
    proposer: np.ndarray
    utilities: np.ndarray
    labels: tuple[str, ...]
    agreement: np.ndarray | None
    agreement_step: int
    reservation: np.ndarray


def _sample(points: np.ndarray, limit: int) -> tuple[np.ndarray, bool]:
    """At most ``limit`` rows of ``points`` (a fixed-seed sample), and whether it is one."""
    if points.shape[0] <= limit:
        return points, False
    keep = np.sort(np.random.default_rng(0).choice(points.shape[0], limit, replace=False))
    return points[keep], True


def offers_figure(trace: OfferTrace, *, space: np.ndarray | None = None,
                  frontier: np.ndarray | None = None,
                  solutions: dict[str, np.ndarray | None] | None = None,
                  x: int = 0, y: int = 1, title: str | None = None) -> Figure:
    """Offers in utility space, step by step, for two of a negotiation's agents.

    Parameters
    ----------
    trace
        The negotiation's offers (:class:`OfferTrace`).
    space
        ``(N, A)`` every package's utilities, drawn as the background (sampled above
        :data:`MAX_SPACE_POINTS`); ``None`` leaves it out.
    frontier
        ``(F, A)`` the Pareto frontier's utility vectors.
    solutions
        ``{"nash": (A,), "kalai_smorodinsky": (A,)}`` solution points (``None`` or ``nan``
        entries are left out).
    x, y
        The agents on the horizontal and vertical axes.
    title
        The figure's title (escaped); by default "Offers: A vs B".

    Returns
    -------
    Figure
        Plotly figure JSON (:mod:`redline.report.figures`), with a slider over the steps when
        there are offers.
    """
    names = [esc(name) for name in trace.agents]
    fig = new_figure()
    if space is not None and space.size:
        cloud, sampled = _sample(np.asarray(space, float), MAX_SPACE_POINTS)
        note = (f" (a fixed-seed sample of {cloud.shape[0]:,} of {space.shape[0]:,})"
                if sampled else "")
        add_trace(fig, plot_trace(
            "scattergl", x=cloud[:, x], y=cloud[:, y], mode="markers",
            name="packages" + note, hoverinfo="skip",
            marker={"color": UNACCEPTABLE, "size": 4, "opacity": 0.5},
            meta={"role": "packages"}))
    if frontier is not None and np.size(frontier):
        front = np.asarray(frontier, float)
        order = np.lexsort((-front[:, y], front[:, x]))
        add_trace(fig, plot_trace(
            "scatter", x=front[order, x], y=front[order, y], mode="lines+markers",
            name="Pareto frontier",
            hovertemplate="<b>Pareto frontier</b><br>%{x:.3f}, %{y:.3f}<extra></extra>",
            line={"color": FRONTIER, "width": 1}, marker={"color": FRONTIER, "size": 5},
            meta={"role": "frontier"}))
    for name, point in (solutions or {}).items():
        if point is None or not np.isfinite(point).all():
            continue
        label, symbol, fill = SOLUTION_STYLE[name]
        add_trace(fig, _point(point, x, y, label, label,
                              {"symbol": symbol, "size": 15, "color": fill,
                               "line": {"width": 1, "color": "white"}},
                              {"role": "solution", "solution": name}))
    offer_traces = _offer_traces(fig, trace, names, x, y)
    if trace.agreement is not None:
        add_trace(fig, _point(trace.agreement, x, y, f"agreement (step {trace.agreement_step})",
                              "agreement",
                              {"symbol": "x", "size": 16, "color": AGREEMENT_COLOUR},
                              {"role": "agreement"}))
    for k, axis in ((x, "x"), (y, "y")):
        reference_line(fig, float(trace.reservation[k]), axis, name="reservation value")
    outcome = (f"agreement at step {trace.agreement_step}" if trace.agreement is not None
               else f"no agreement (ended at step {trace.agreement_step})")
    heading = esc(title) if title else f"Offers: {names[x]} vs {names[y]}"
    update_layout(fig, title={"text": f"{heading}<br><sub>{outcome}</sub>"},
                  template=template(), margin={"l": 60, "r": 20, "t": 70, "b": 50},
                  height=600, legend={"itemsizing": "constant"})
    update_axes(fig, "x", title={"text": f"utility to {names[x]}"}, range=[-0.02, 1.02])
    update_axes(fig, "y", title={"text": f"utility to {names[y]}"}, range=[-0.02, 1.02])
    if offer_traces:
        _slider(fig, trace, offer_traces, x, y)
    return fig


def _offer_traces(fig: Figure, trace: OfferTrace, names: Sequence[str], x: int, y: int
                  ) -> list[tuple[int, np.ndarray]]:
    """Add each agent's path of offers; returns (trace number, rows of its offers)."""
    out = []
    labels = np.array([esc(label) for label in trace.labels] if trace.labels
                      else [""] * trace.step.size, dtype=object)
    for agent, name in enumerate(names):
        rows = np.flatnonzero(trace.proposer == agent)
        if rows.size == 0:
            continue
        text = [f"step {int(trace.step[r])}" + (f"<br>{labels[r]}" if labels[r] else "")
                for r in rows]
        out.append((len(fig["data"]), rows))
        add_trace(fig, plot_trace(
            "scatter", x=trace.utilities[rows, x], y=trace.utilities[rows, y],
            mode="lines+markers", name=f"offers by {name}", text=text,
            hovertemplate=f"<b>{name} offers</b><br>%{{text}}<br>%{{x:.3f}}, %{{y:.3f}}"
                          "<extra></extra>",
            line={"color": colour(agent), "width": 1},
            marker={"color": colour(agent), "size": 6},
            meta={"role": "offers", "agent": agent}))
    return out


def _slider(fig: Figure, trace: OfferTrace, offers: list[tuple[int, np.ndarray]],
            x: int, y: int) -> None:
    """A slider whose position ``s`` shows every offer made up to step ``s``."""
    last = int(trace.step.max())
    first = int(trace.step.min())
    positions = np.unique(np.linspace(first, last, min(MAX_SLIDER_POSITIONS,
                                                       last - first + 1)).round().astype(int))
    indices = [k for k, _ in offers]
    steps = []
    for s in positions:
        xs, ys = [], []
        for _, rows in offers:
            shown = rows[trace.step[rows] <= s]
            xs.append(trace.utilities[shown, x].tolist())
            ys.append(trace.utilities[shown, y].tolist())
        steps.append({"method": "restyle", "label": str(int(s)),
                      "args": [{"x": xs, "y": ys}, indices]})
    update_layout(fig, sliders=[{"active": len(steps) - 1, "steps": steps,
                                 "currentvalue": {"prefix": "offers up to step "},
                                 "pad": {"t": 40}}])


def _point(point: np.ndarray, x: int, y: int, name: str, label: str, marker: dict,
           meta: dict) -> dict:
    """One marked point of the plane (a solution or the agreement), hovering its label."""
    return plot_trace(
        "scatter", x=[float(point[x])], y=[float(point[y])], mode="markers", name=name,
        hovertemplate=f"<b>{label}</b><br>%{{x:.3f}}, %{{y:.3f}}<extra></extra>",
        marker=marker, meta=meta)


def offer_trace(result: Any, negotiation: int = 0) -> OfferTrace:
    """One negotiation of a :class:`redline.simulate.result.SimulationResult` (run with
    ``trace=True``) as the figure's :class:`OfferTrace`, with names and packages in words.

    Raises
    ------
    RedlineError
        When the result kept no trace.
    """
    if result.trace is None or result.offerer is None:
        raise RedlineError("the simulation kept no trace of the offers",
                           hint="run it with trace=True")
    space = result.space
    offers = np.asarray(result.trace[negotiation])
    made = np.flatnonzero(offers >= 0)
    outcomes = offers[made]
    per_step = max(1, offers.shape[0] // max(int(result.steps), 1))  # turns in a step
    u = space.utilities[0 if space.utilities.shape[0] == 1 else negotiation]  # (A, N)
    labels = tuple(", ".join(f"{issue}: {option}" for issue, option in
                             space.package(int(o)).items()) for o in outcomes)
    mover = np.asarray(result.offerer)[made]
    agents = tuple(space.names())
    if (mover < 0).any():  # a mediator's texts (the single-text protocol)
        mover = np.where(mover < 0, len(agents), mover)
        agents = agents + ("the mediator",)
    agreed = int(result.agreement[negotiation])
    return OfferTrace(
        agents=agents, step=made // per_step + 1, proposer=mover, utilities=u[:, outcomes].T,
        labels=labels, agreement=u[:, agreed] if agreed >= 0 else None,
        agreement_step=int(result.step[negotiation]),
        reservation=np.asarray(space.reservation[negotiation], dtype=float))


def simulation_figure(result: Any, negotiation: int = 0, *, x: int = 0, y: int = 1,
                      references: Any = None) -> Figure:
    """The offers figure of one simulated negotiation, with its space's frontier and points.

    Parameters
    ----------
    result
        A :class:`redline.simulate.result.SimulationResult` run with ``trace=True``.
    negotiation
        Which negotiation of the batch.
    x, y
        The agents on the axes.
    references
        :func:`redline.simulate.metrics.references` of the result's space, when computed
        already (it is the one home of the frontier and the solution points).

    Returns
    -------
    Figure
        Plotly figure JSON (:func:`offers_figure`).
    """
    from redline.simulate.metrics import references as solve

    space = result.space
    if space.n_agents < 2:
        raise RedlineError("the offers figure needs two agents", parameter="report")
    row = 0 if space.utilities.shape[0] == 1 else negotiation
    refs = references or solve(space.utilities[row:row + 1],
                               space.reservation[negotiation:negotiation + 1],
                               space.allowed[0 if space.allowed.shape[0] == 1
                                             else negotiation][None])
    group = int(refs.group[0]) if references is None else int(refs.group[negotiation])
    frontier = refs.frontier[int(refs.frontier_of[group])]
    return offers_figure(
        offer_trace(result, negotiation), space=space.utilities[row].T, frontier=frontier,
        solutions={"nash": refs.nash_utilities[group],
                   "kalai_smorodinsky": refs.ks_utilities[group]}, x=x, y=y,
        title=f"{space.name or 'Negotiation'}: offers, step by step")


def simulation_html(result: Any, negotiation: int = 0, *, x: int = 0, y: int = 1) -> str:
    """A self-contained HTML page with the offers figure of one simulated negotiation
    (``redline simulate --report OUT.html``): plotly.js embedded once, no external URL.

    Parameters
    ----------
    result
        A :class:`redline.simulate.result.SimulationResult` run with ``trace=True``.
    negotiation
        Which negotiation of the batch.
    x, y
        The agents on the axes.

    Returns
    -------
    str
        The HTML document.
    """
    from plotly.offline import get_plotlyjs

    from redline import __version__
    from redline.report.html import CSS
    from redline.report.markup import esc as escape
    from redline.report.markup import figure_html

    fig = simulation_figure(result, negotiation, x=x, y=y)
    space = result.space
    title = escape(f"{space.name or 'Negotiation'}: a simulated negotiation")
    strategies = ", ".join(f"{name} plays {strategy}" for name, strategy
                           in zip(space.names(), result.strategies, strict=True))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{title}</title>\n<style>{CSS}</style>\n"
        f"<script type=\"text/javascript\">{get_plotlyjs()}</script>\n</head>\n<body>\n"
        f"<header><h1>{title}</h1><p class=\"muted\">{escape(result.protocol)}, "
        f"{result.steps} steps: {escape(strategies)}</p></header>\n<main>\n"
        f"{figure_html('offers', fig)}\n</main>\n"
        f"<footer>Made by redline {escape(__version__)}. Works offline: everything it needs "
        "is in this file.</footer>\n</body>\n</html>\n")
