"""The weighted median and the plain median.

Weighted median (:class:`WeightedMedianModel`), per issue, with weights ``w_i = c_i s_i``:

* sort the positions ascending (equal positions are merged, their weights added);
* the forecast is the **first** position at which the cumulative weight reaches half of the
  total weight, ``W_k >= W / 2``.

When the cumulative weight equals exactly half at some position ``x_(k)`` every point of
``[x_(k), x_(k+1)]`` minimises ``sum_i w_i |x - x_i|``; this rule takes the lower end,
``x_(k)`` (the *lower weighted median*), so the forecast is always one of the actors'
positions. Floating-point sums are compared with a relative tolerance of ``1e-9`` so that an
exact half stays a tie after rounding. With zero total weight on an issue the rule is applied
with equal weights.

In one dimension with absolute-distance utilities the weighted median is the position that no
other position beats in a capability x salience weighted vote (Black 1948); it is also the
"median" that Bueno de Mesquita's model reports each round (see :mod:`redline.forecast.bdm`).

:class:`MedianModel` is the ordinary unweighted median (``numpy.median``: the mean of the two
middle positions when the number of actors is even). It is the DEU "median" baseline.
"""

from __future__ import annotations

import numpy as np

from redline.forecast.compromise import IssueByIssue, scaled_by_power_of_two

TIE_TOLERANCE = 1e-9


def lower_weighted_median(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Lower weighted median along the last axis.

    ``values`` and ``weights`` have the same shape ``(..., n)``; returns shape ``(...)``.
    Rows whose weights sum to zero use equal weights.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    total = weights.sum(axis=-1, keepdims=True)
    weights = np.where(total > 0, weights, 1.0)
    total = weights.sum(axis=-1, keepdims=True)
    order = np.argsort(values, axis=-1, kind="stable")
    sorted_values = np.take_along_axis(values, order, axis=-1)
    cumulative = np.cumsum(np.take_along_axis(weights, order, axis=-1), axis=-1)
    reached = cumulative >= 0.5 * total * (1.0 - TIE_TOLERANCE)
    first = np.argmax(reached, axis=-1)
    return np.take_along_axis(sorted_values, first[..., None], axis=-1)[..., 0]


class WeightedMedianModel(IssueByIssue):
    """The capability x salience weighted (lower) median per issue."""

    name = "median"
    assumes = ("the position that a capability-times-salience weighted majority prefers wins "
               "each issue (Black 1948): the centre decides, outliers have no pull")

    def issue_points(self, capability, position, salience, n_dims) -> np.ndarray:
        """The ``c s``-weighted (lower) median position of each one-issue run."""
        weight = scaled_by_power_of_two(capability) * scaled_by_power_of_two(salience)
        return lower_weighted_median(position, weight)  # exact rescaling: the same median


class MedianModel(IssueByIssue):
    """The unweighted median of the positions per issue (``numpy.median``)."""

    name = "median-unweighted"
    assumes = "the median actor decides each issue, every actor counting the same"

    def issue_points(self, capability, position, salience, n_dims) -> np.ndarray:
        """The unweighted median position of each one-issue run."""
        return np.median(position, axis=-1)
