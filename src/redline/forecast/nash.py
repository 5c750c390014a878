"""The (asymmetric) Nash bargaining solution, one issue at a time.

Definition (Nash 1950; the weighted form used in the DEU literature: Achen 2006; Schneider,
Finke & Bailer 2010)::

    x* = argmax_x  prod_i (U_i(x) - U_i(d)) ** w_i      over x with U_i(x) >= U_i(d) for all i

Choices made here, and why:

* **Bargaining weights** ``w_i = c_i * s_i``. The Nash product is invariant to a positive
  rescaling of each U_i, so a salience that only *scales* the utility
  (``U_i = -s_i |x - x_i|``) cancels out of the solution. Salience can only matter as a
  bargaining weight; this is the "salience-weighted" NBS that Schneider, Finke & Bailer (2010)
  found the most accurate on 66 EU decisions, here combined with capability the way the
  compromise model combines them (Achen 2006).
* **Utility**: linear loss ``U_i(x) = -|x - x_i|`` by default (``utility="linear"``), the
  usual spatial assumption in the DEU studies; ``utility="quadratic"`` uses
  ``-(x - x_i)**2``, the form under which Achen (2006) shows the compromise model approximates
  the NBS.
* **Disagreement point**: the status quo (DEU's reference point) when one is given, either as
  the option ``status_quo`` or the ``run(..., status_quo=...)`` keyword (one value per
  dimension; ``NaN`` means unknown). Otherwise (``reference="worst"``) each actor's
  disagreement utility is its *worst* outcome on the position range ``[min_i x_i, max_i x_i]``,
  the point worst for everyone in utility terms. With a status quo, if some actor with positive
  weight already has its ideal point at the status quo, no move leaves everyone at least as well
  off and the solution *is* the status quo.

Search: the objective ``sum_i w_i log(U_i(x) - U_i(d))`` is concave, so a grid of 257 points
over the feasible part of the position range is evaluated for every dimension at once (arrays
of shape ``(d, grid, n)``), the grid is refined once around the best point, and the optimum is
then polished by bisection on the sign of the objective's derivative (60 steps), which is exact
to rounding error where a comparison of objective values would stop at about ``1e-8`` of the
range. Actors with zero weight are ignored; an issue
where every weight is zero falls back to equal weights.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from redline.errors import RedlineError
from redline.forecast.base import DrawCost, Forecast, check_scale
from redline.forecast.compromise import (
    IssueByIssue,
    prepare_inputs,
    scaled_by_power_of_two,
    static_forecast,
)

GRID = 257
REFINEMENTS = 1
BISECTIONS = 60


def _loss(distance: np.ndarray, utility: str) -> np.ndarray:
    return distance if utility == "linear" else distance * distance


def nash_solution(
    position: np.ndarray,
    weight: np.ndarray,
    status_quo: np.ndarray | None = None,
    *,
    utility: str = "linear",
) -> np.ndarray:
    """Nash bargaining solution for each column of ``position (n, d)``.

    ``weight (n, d)`` are the exponents; ``status_quo (d,)`` (``NaN`` = none) the
    disagreement outcome. Returns shape ``(d,)``.
    """
    x = np.asarray(position, dtype=float).T  # (d, n)
    w = np.asarray(weight, dtype=float).T
    d, n = x.shape
    w = np.where(w.sum(axis=1, keepdims=True) > 0, w, 1.0)
    active = w > 0
    big = np.finfo(float).max
    lo = np.where(active, x, big).min(axis=1)
    hi = np.where(active, x, -big).max(axis=1)
    sq = np.full(d, np.nan) if status_quo is None else np.asarray(status_quo, dtype=float)
    has_sq = np.isfinite(sq)
    # Disagreement losses: the status quo's, or each actor's worst point on [lo, hi].
    worst = np.maximum(np.abs(lo[:, None] - x), np.abs(hi[:, None] - x))
    sq_dist = np.abs(np.where(has_sq, sq, 0.0)[:, None] - x)
    reference = _loss(np.where(has_sq[:, None], sq_dist, worst), utility)  # (d, n)
    # Feasible interval: every active actor at least as well off as at the disagreement point.
    radius = np.where(has_sq[:, None], sq_dist, worst)
    a = np.maximum(lo, np.where(active, x - radius, -big).max(axis=1))
    b = np.minimum(hi, np.where(active, x + radius, big).min(axis=1))
    single = hi <= lo
    blocked = has_sq & np.any(active & (radius <= 0), axis=1)
    narrow = b - a <= 1e-12 * np.maximum(1.0, hi - lo)
    left, right = a.copy(), b.copy()
    best = 0.5 * (a + b)
    steps = np.linspace(0.0, 1.0, GRID)
    # log(0) and x/0 are expected (a zero gain); so is overflow in -w slope / gain when the gain
    # is tiny: the bisection only uses the derivative's sign.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(REFINEMENTS + 1):
            grid = left[:, None] + (right - left)[:, None] * steps  # (d, G)
            gain = reference[:, None, :] - _loss(np.abs(grid[:, :, None] - x[:, None, :]),
                                                 utility)
            terms = np.where(active[:, None, :], w[:, None, :] * np.log(gain), 0.0)
            value = np.where(np.isnan(terms), -np.inf, terms).sum(axis=2)  # (d, G)
            k = np.argmax(value, axis=1)
            best = grid[np.arange(d), k]
            spacing = (right - left) / (GRID - 1)
            left = np.maximum(a, best - spacing)
            right = np.minimum(b, best + spacing)
        # Polish: bisection on the sign of the (right) derivative of the concave objective.
        left = np.maximum(a, best - spacing)
        right = np.minimum(b, best + spacing)
        for _ in range(BISECTIONS):
            mid = 0.5 * (left + right)
            delta = mid[:, None] - x
            slope = np.where(delta >= 0, 1.0, -1.0) if utility == "linear" else 2.0 * delta
            gain = reference - _loss(np.abs(delta), utility)
            derivative = np.where(active, -w * slope / gain, 0.0).sum(axis=1)
            up = derivative > 0
            left = np.where(up, mid, left)
            right = np.where(up, right, mid)
        best = 0.5 * (left + right)
    best = np.where(narrow, 0.5 * (a + b), best)
    best = np.where(blocked, sq, best)
    return np.where(single, lo, best)


class NashModel(IssueByIssue):
    """Asymmetric Nash bargaining solution per issue (see the module docstring).

    Options: ``utility`` ("linear" or "quadratic"), ``status_quo`` (a value per dimension, or
    ``None``), ``reference`` ("status_quo": use a status quo where one is known, else the
    worst point; "worst": ignore any status quo).
    """

    name = "nash"
    draw_cost = DrawCost(fixed=100.0, per_issue=16.0, actor_power=1.0)  # a search per issue
    assumes = ("each issue is a bargain all actors strike together, weighted by capability "
               "times salience (asymmetric Nash 1950): the outcome maximises their weighted "
               "joint gain, no trades across issues")

    def __init__(self, utility: str = "linear", status_quo: Any = None,
                 reference: str = "status_quo") -> None:
        if utility not in ("linear", "quadratic"):
            raise RedlineError(f"unknown Nash utility {utility!r}",
                               hint="use 'linear' or 'quadratic'")
        if reference not in ("status_quo", "worst"):
            raise RedlineError(f"unknown Nash reference {reference!r}",
                               hint="use 'status_quo' or 'worst'")
        self.utility = utility
        self.status_quo = status_quo
        self.reference = reference

    @property
    def takes_status_quo(self) -> bool:  # type: ignore[override]
        """Whether ``run(..., status_quo=)`` is used: with ``reference="status_quo"``."""
        return self.reference == "status_quo"

    def _reference_point(self, n_dims: int, status_quo: Any = None) -> np.ndarray | None:
        """The status quo per dimension ``(n_dims,)`` that is used, or None (worst points)."""
        sq = self.status_quo if status_quo is None else status_quo
        if sq is None or self.reference != "status_quo":
            return None
        return np.broadcast_to(np.asarray(sq, dtype=float), (n_dims,))

    def issue_points(self, capability, position, salience, n_dims, status_quo=None
                     ) -> np.ndarray:
        """The Nash bargaining solution of each one-issue run, weights ``c s``; ``status_quo``
        ``(n_dims,)`` is the disagreement point where given."""
        check_scale(capability, position, salience)  # the objective multiplies them
        sq = self._reference_point(n_dims, status_quo)
        runs_sq = None if sq is None else np.tile(sq, position.shape[0] // n_dims)
        # Exponents scaled exactly by a power of two per run: the maximiser is unchanged, and a
        # subnormal salience stays a positive weight instead of underflowing to 0.
        weight = scaled_by_power_of_two(capability) * scaled_by_power_of_two(salience)
        return nash_solution(position.T, weight.T, runs_sq,
                             utility=self.utility)

    def run(self, capability, position, salience, *, actors=None, dimensions=None,
            status_quo: Any = None) -> Forecast:
        """Forecast each dimension; ``status_quo`` (one value per dimension) overrides the
        option of the same name."""
        started = time.perf_counter()
        inputs = prepare_inputs(capability, position, salience, actors=actors,
                                dimensions=dimensions)
        n, d = inputs.position.shape
        sq = self._reference_point(d, status_quo)
        point = self.issue_points(np.broadcast_to(inputs.capability, (d, n)).copy(),
                                  np.ascontiguousarray(inputs.position.T),
                                  np.ascontiguousarray(inputs.salience.T), d, sq)
        options = {"utility": self.utility, "reference": self.reference,
                   "status_quo": None if sq is None else sq.tolist()}
        return static_forecast(self.name, inputs, point, options, started)
