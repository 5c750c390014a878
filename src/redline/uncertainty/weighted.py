"""Statistics of weighted draws: shares, quantiles, the effective sample size and intervals.

A posterior (:mod:`redline.uncertainty.posterior`) is a set of particles with normalised
weights ``w``; every summary of it is a weighted one. Equal weights give the plain statistics.

* :func:`weighted_sum`: ``sum_d w_d x_d`` (by ``einsum``);
* :func:`effective_sample_size`: Kish's (1965) ``1 / sum w^2``;
* :func:`share`: a weighted share computed from the weight for and against, so that a share
  every particle agrees on is exactly 0 or 1;
* :func:`weighted_quantile`: the inverse of the weighted empirical CDF (equal weights give
  numpy's ``inverted_cdf``); :func:`weighted_quantiles`: the same under several weightings;
  :func:`stable_order`: the stable sort both use (numpy's, faster);
* :func:`weighted_interval`: Wilson's 95% interval with the effective sample size as the number
  of trials, an approximation for weighted draws that is exact for equal weights and widens as
  the weights spread.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from redline.space.sorting import stable_argsort
from redline.uncertainty.intervals import WILSON_Z, wilson_interval


def weighted_sum(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``sum_d w_d values[d, ...]``: the weighted sum along the first axis.

    By ``einsum``, not BLAS: for one vector BLAS's thread start-up costs more than the sum
    (tens of milliseconds on a loaded machine, against microseconds).
    """
    return np.einsum("d,d...->...", np.asarray(weights, dtype=float),
                     np.asarray(values, dtype=float))


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``1 / sum w^2`` of normalised weights ``w`` (``D`` for equal
    weights, 1 when one particle carries all the weight)."""
    w = np.asarray(weights, dtype=float)
    return float(1.0 / weighted_sum(w, w))


def share(yes: np.ndarray | float, no: np.ndarray | float) -> np.ndarray:
    """``yes / (yes + no)``: exactly 1 where ``no`` is 0 and 0 where ``yes`` is (0 where both
    are)."""
    yes, no = np.asarray(yes, dtype=float), np.asarray(no, dtype=float)
    total = yes + no
    return np.where(total > 0, yes / np.where(total > 0, total, 1.0), 0.0)


def weighted_share(mask: np.ndarray, weights: np.ndarray) -> float:
    """The weight of the draws where ``mask`` holds (:func:`share`)."""
    mask = np.asarray(mask, dtype=bool)
    return float(share(weighted_sum(weights, mask), weighted_sum(weights, ~mask)))


def stable_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")``, the same permutation, on numpy's faster default
    sort (:func:`redline.space.sorting.stable_argsort`: 5 ms against 18 ms for 100,000 values
    on x86-64 with AVX2)."""
    return stable_argsort(values)[0]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float | Sequence[float],
                      order: np.ndarray | None = None) -> np.ndarray:
    """The ``q`` quantiles of ``values`` under ``weights``: the smallest value whose cumulative
    weight reaches ``q`` (the inverse of the weighted empirical CDF).

    Parameters
    ----------
    values, weights
        ``(D,)`` each; weights need not be normalised but must not all be 0.
    q
        One quantile or several, in [0, 1].
    order
        ``np.argsort(values, kind="stable")`` (:func:`stable_order`) if already known
        (several weightings of the same values sort them once).
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if order is None:
        order = stable_order(values)
    cumulative = np.cumsum(weights[order])
    index = np.searchsorted(cumulative, np.asarray(q, dtype=float) * cumulative[-1],
                            side="left")
    return values[order][np.minimum(index, values.size - 1)]


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, q: float | Sequence[float],
                       order: np.ndarray | None = None) -> np.ndarray:
    """:func:`weighted_quantile` under several weightings of the same values at once, bit for
    bit.

    Parameters
    ----------
    values
        ``(D,)``.
    weights
        ``(k, D)``: one weighting per row (rows: each row is gathered and summed as one
        contiguous array, the same sequence of additions as the one-column cumulative sum).
    q
        One quantile or several, in [0, 1].
    order
        ``np.argsort(values, kind="stable")`` (:func:`stable_order`) if already known.

    Returns
    -------
    numpy.ndarray
        ``(k, len(q))``.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if order is None:
        order = stable_order(values)
    cumulative = np.cumsum(np.take(weights, order, axis=1), axis=1)  # (k, D)
    sorted_values = values[order]
    q = np.atleast_1d(np.asarray(q, dtype=float))
    out = np.empty((weights.shape[0], q.size))
    for c, row in enumerate(cumulative):
        index = np.searchsorted(row, q * row[-1], side="left")
        out[c] = sorted_values[np.minimum(index, values.size - 1)]
    return out


def weighted_interval(p: float, ess: float, z: float = WILSON_Z) -> dict[str, float]:
    """``{"p", "low", "high"}``: a weighted share ``p`` and Wilson's interval with the effective
    sample size ``ess`` as the number of trials (see the module docstring)."""
    p = min(max(float(p), 0.0), 1.0)
    low, high = wilson_interval(p * ess, ess, z)  # type: ignore[arg-type]
    return {"p": p, "low": low, "high": high}
