"""A batch of simulated negotiations in numbers a reader wants: the JSON of ``redline
simulate``.

P(agreement by the deadline) with Wilson's interval (:mod:`redline.uncertainty.intervals`), the
distribution of agreements (each as ``{issue: option}``), each actor's utility, the steps taken,
why failed talks failed (the red line or outside option that stopped them) and, for the first
negotiation of the batch, the offers step by step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from redline.simulate.result import REASONS, SimulationResult
from redline.uncertainty.intervals import wilson_interval

TOP_AGREEMENTS = 10
"""Agreements listed (the most frequent first); the rest are counted together."""
MAX_TRACE_ROWS = 2000
"""Offers of the traced negotiation listed at most (the rest are counted)."""
UTILITY_QUANTILES = (0.05, 0.5, 0.95)


def _number(x: float) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def summarize(result: SimulationResult, *, top: int = TOP_AGREEMENTS,
              trace_rows: int = MAX_TRACE_ROWS) -> dict[str, Any]:
    """The JSON-ready summary of ``result`` (see the module docstring).

    Parameters
    ----------
    result
        A batch of negotiations.
    top
        How many distinct agreements to list.
    trace_rows
        At most this many offers of negotiation 0 (when the result has a trace).

    Returns
    -------
    dict
        ``protocol``, ``steps``, ``negotiations``, ``agents`` (id, name, strategy),
        ``p_agreement`` with ``interval``, ``agreements`` (package, count, share, utilities),
        ``utilities`` per actor (mean, mean when agreed, quantiles), ``steps_taken`` (mean,
        median, min, max), ``reasons`` (counts), ``blockers`` (id, count), ``distances``
        (mean distance to the Pareto frontier, Nash and Kalai-Smorodinsky points, and welfare,
        when :mod:`redline.simulate.metrics` is installed) and ``trace``.
    """
    space = result.space
    size = result.size
    agreed = result.agreed
    k = int(agreed.sum())
    low, high = wilson_interval(k, size)
    values, counts = np.unique(result.agreement[agreed], return_counts=True)
    order = np.lexsort((values, -counts))
    listed = []
    for j in order[:top]:
        outcome = int(values[j])
        listed.append({
            "outcome": outcome,
            "package": space.package(outcome),
            "count": int(counts[j]),
            "share": float(counts[j]) / size,
            "utilities": {a: float(v) for a, v in zip(
                space.actors, result.utilities[result.agreement == outcome][0], strict=True)},
        })
    utilities = {}
    for a, actor in enumerate(space.actors):
        column = result.utilities[:, a]
        utilities[actor] = {
            "mean": float(column.mean()),
            "mean_when_agreed": _number(column[agreed].mean()) if k else None,
            "quantiles": {f"{q:g}": float(np.quantile(column, q)) for q in UTILITY_QUANTILES},
        }
    reasons = {name: int((result.reason == c).sum()) for c, name in enumerate(REASONS)
               if (result.reason == c).any()}
    blocked = result.blocker[result.blocker >= 0]
    ids, times = np.unique(blocked, return_counts=True)
    descriptions = {r.id: r.description for r in space.rules}
    blockers = [{"id": result.blockers[int(i)], "count": int(c), "share": float(c) / size,
                 "description": descriptions.get(result.blockers[int(i)],
                                                 "an outside option")}
                for i, c in sorted(zip(ids, times, strict=True), key=lambda x: (-x[1], x[0]))]
    names = space.names()
    data: dict[str, Any] = {
        "protocol": result.protocol,
        "steps": result.steps,
        "negotiations": size,
        "agents": [{"id": a, "name": names[i],
                    "strategy": result.strategies[i] if i < len(result.strategies) else None}
                   for i, a in enumerate(space.actors)],
        "p_agreement": k / size,
        "interval": [low, high],
        "agreements": listed,
        "other_agreements": int(k - sum(x["count"] for x in listed)),
        "utilities": utilities,
        "steps_taken": {"mean": float(result.step.mean()),
                        "median": float(np.median(result.step)),
                        "min": int(result.step.min()), "max": int(result.step.max())},
        "reasons": reasons,
        "blockers": blockers,
    }
    distances = _distances(result)
    if distances is not None:
        data["distances"] = distances
    if len(result.strategies) > space.n_agents:
        data["mediator"] = result.strategies[-1].removeprefix("mediator=")
    if result.trace is not None:
        data["trace"] = trace_rows_of(result, 0, trace_rows)
    return data


def _distances(result: SimulationResult) -> dict[str, Any] | None:
    """Mean distances of the outcomes (the agreement, or the outside options) to the Pareto
    frontier, the Nash point and the Kalai-Smorodinsky point, from
    :mod:`redline.simulate.metrics` (NegMAS's per-negotiation metrics) when it is installed."""
    try:
        from redline.simulate import metrics  # type: ignore[attr-defined]
    except ImportError:
        return None
    space = result.space
    shape = (space.size,) + space.utilities.shape[1:]
    m = metrics.negotiation_metrics(np.broadcast_to(space.utilities, shape),
                                    space.reservation, np.broadcast_to(space.allowed, shape),
                                    result.agreement)
    out = {}
    for name, values in (("pareto", m.pareto_distance), ("nash", m.nash_distance),
                         ("kalai_smorodinsky", m.ks_distance)):
        values = np.asarray(values, dtype=float)
        finite = values[np.isfinite(values)]
        out[name] = float(finite.mean()) if finite.size else None
    out["welfare"] = float(np.mean(m.welfare))
    return out


def trace_rows_of(result: SimulationResult, row: int = 0,
                  limit: int = MAX_TRACE_ROWS) -> dict[str, Any]:
    """Negotiation ``row``'s offers in order: turn, step, who moved (an actor id, or
    ``mediator`` for a single text), the outcome, its package and every agent's utility."""
    space = result.space
    assert result.trace is not None and result.offerer is not None
    offers = result.trace[row]
    turns = np.flatnonzero(offers >= 0)
    per_step = max(1, offers.shape[0] // max(result.steps, 1))
    u = space.utilities[0 if space.utilities.shape[0] == 1 else row]
    rows = []
    for turn in turns[:limit]:
        o = int(offers[turn])
        mover = int(result.offerer[turn])
        rows.append({"turn": int(turn), "step": int(turn // per_step) + 1,
                     "by": space.actors[mover] if mover >= 0 else "mediator",
                     "outcome": o, "package": space.package(o),
                     "utilities": {a: float(u[i, o]) for i, a in enumerate(space.actors)}})
    return {"negotiation": row, "offers": rows, "more": int(max(0, turns.size - limit))}
