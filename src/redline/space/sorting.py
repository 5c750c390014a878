"""The stable sort the numerical core uses: numpy's stable order, computed on its fast sort.

numpy's stable sort of floats is a merge sort (timsort); its default sort is a SIMD quicksort
where the processor has one (x86-64 with AVX2 or AVX-512), several times faster, but it leaves
equal keys in an order that depends on the instruction set. :func:`stable_argsort` sorts with
the fast one and then puts each run of equal keys back in index order, so the permutation is
the stable sort's, element for element, on every processor. The simulation's outcome rankings
(:mod:`redline.simulate.space`) and the posterior's weighted quantiles
(:mod:`redline.uncertainty.weighted`) both sort with it.
"""

from __future__ import annotations

import numpy as np

HEAVY_TIES = 0.5
"""Share of keys equal to the one before them in sorted order above which each tied row is
re-sorted whole (sorting rows of integers is then faster than gathering most of the keys and
sorting them as one list); below it only the tied positions are re-sorted."""


def stable_argsort(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``numpy.argsort(key, axis=-1, kind="stable")`` and the sorted keys, computed faster.

    The keys are sorted along the last axis by numpy's default sort. Where a row has equal
    keys (none for continuous draws, a few per cent of a resampled posterior's), only those
    positions are re-sorted (whole rows when more than :data:`HEAVY_TIES` of the keys are
    tied): each is keyed by its run of equal values, counted across all
    rows in sorted order, times ``N`` plus its index, so that one integer sort puts each run's
    indices in ascending order, as a stable sort does. The sorted keys are the same either
    way (a run's keys are equal). Keys with a NaN, and keys that are not floats, take numpy's
    stable sort itself.

    Parameters
    ----------
    key : numpy.ndarray
        ``(..., N)`` keys (``+inf`` and ``-0.0`` allowed; ``-0.0`` ties with ``0.0``).

    Returns
    -------
    tuple of numpy.ndarray
        ``(..., N)`` int64 positions, the same as the stable sort's, and ``(..., N)`` the keys
        in that order.
    """
    key = np.asarray(key)
    if key.ndim == 0:
        raise ValueError("stable_argsort sorts along the last axis: give an array")
    n = key.shape[-1]
    if key.size == 0:
        return np.zeros(key.shape, dtype=np.int64), np.zeros(key.shape, dtype=key.dtype)
    flat = np.ascontiguousarray(key).reshape(-1, n)
    if flat.dtype.kind != "f":
        order = np.argsort(flat, axis=-1, kind="stable")
        return _unflatten(order, flat, key.shape)
    order = np.argsort(flat, axis=-1)
    if flat.shape[0] == 1:
        ranked = flat[0][order[0]][None]
    else:  # one flat gather (numpy's take_along_axis is several times slower on long rows)
        ranked = flat.reshape(-1)[order + np.arange(flat.shape[0], dtype=np.int64)[:, None] * n]
    if np.isnan(ranked[:, -1]).any():  # NaNs sort last: leave their order to the stable sort
        order = np.argsort(flat, axis=-1, kind="stable")
        return _unflatten(order, flat, key.shape)
    if n >= 2:
        same = ranked[:, 1:] == ranked[:, :-1]  # (rows, N - 1): equal to the one before
        ties = int(np.count_nonzero(same))
        if ties > flat.size * HEAVY_TIES:  # many ties: re-sort each tied row whole
            _resort_rows(order, same)
        elif ties:
            tied = np.zeros(flat.shape, dtype=bool)
            tied[:, 1:] = same
            tied[:, :-1] |= same
            starts = np.ones(flat.shape, dtype=bool)  # each row starts a run
            starts[:, 1:] = ~same
            run = np.cumsum(starts.reshape(-1)) - 1  # runs counted across the rows in order
            at = np.flatnonzero(tied.reshape(-1))
            flat_order = order.reshape(-1)
            # < rows * N**2 <= (rows * N)**2: within int64 for any array that fits in memory
            composite = run[at].astype(np.int64) * n + flat_order[at]
            composite.sort()
            flat_order[at] = composite % n
    return order.reshape(key.shape), ranked.reshape(key.shape)


def _resort_rows(order: np.ndarray, same: np.ndarray) -> None:
    """Put the equal keys of each row with ties back in index order, in place: the row's runs
    numbered in sorted order (``g``, non-decreasing along the row), then the integers
    ``g * N + index`` sorted, which keeps the runs in place and orders each run's indices."""
    n = order.shape[-1]
    rows = np.flatnonzero(same.any(axis=-1))
    runs = np.zeros((rows.size, n), dtype=np.int64)
    np.cumsum(~same[rows], axis=-1, out=runs[:, 1:])
    composite = runs * n + order[rows]  # < N**2 <= (rows * N)**2: within int64
    composite.sort(axis=-1)
    order[rows] = composite % n


def _unflatten(order: np.ndarray, flat: np.ndarray, shape: tuple[int, ...]
               ) -> tuple[np.ndarray, np.ndarray]:
    """The positions and the sorted keys of rows ``flat``, in ``shape``."""
    ranked = np.take_along_axis(flat, order, axis=-1)
    return order.astype(np.int64).reshape(shape), ranked.reshape(shape)
