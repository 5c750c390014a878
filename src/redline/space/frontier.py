"""The Pareto frontier of an additive package space, without scanning every package.

With additive utilities ``u(p) = sum_i T_i[p_i]``, a package is dominated as soon as one of its
parts is: if option ``o`` of issue ``i`` is dominated by ``o'`` (``T_i[o'] >= T_i[o]`` for every
actor, ``>`` for one), swapping it in gives a package that dominates the original. The same holds
for any partial package over a subset of issues. So the frontier of the whole space is found by
folding the issues in one at a time, keeping only undominated partial packages:

    F_1 = frontier(T_1),   F_j = frontier(F_{j-1} (+) frontier(T_j)),

where (+) is the Minkowski sum (every pairing). This is the classic decomposition of multi-
objective knapsack-style problems (e.g. Bazgan, Hugot & Vanderpooten 2009, "Solving efficiently
the 0-1 multi-objective knapsack problem"); the frontier of a Minkowski sum lies inside the sum of
the frontiers. The intermediate sets stay small in practice, so spaces of 10^8 packages and more
are solved in milliseconds to seconds instead of a full scan.

Equal utility vectors never dominate each other, so when utilities tie a whole space can lie on
the frontier. Every set is therefore kept as *distinct* vectors (rounded as in
:mod:`redline.space.tolerance`), each with the number of packages that share it and the lowest of
their package numbers: package numbers are sums over issues (option times stride), so the lowest
number of a pairing is the sum of the lowest numbers of its parts, and counts multiply. Memory is
bounded by the number of distinct points, which is capped (:class:`FrontierTooLargeError`).

A final :func:`pareto_mask` over the representatives, with utilities summed in issue order as the
full scan would, makes the result identical to the brute-force definition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redline.errors import SpaceTooLargeError
from redline.space.domain import Domain
from redline.space.packages import decode, strides
from redline.space.pareto import pareto_mask
from redline.space.tolerance import rounded

MAX_CANDIDATES = 4_000_000  # pairings built at once while folding (bounds memory)
DIRECT_LIMIT = 20_000  # below this, comparing all packages at once is faster than folding
MAX_FRONTIER_POINTS = 250_000  # distinct frontier points kept (memory and time stay bounded)


class FrontierTooLargeError(SpaceTooLargeError):
    """The frontier (or a partial frontier while folding) has more distinct points than allowed."""


@dataclass(frozen=True)
class Frontier:
    """The Pareto frontier as distinct utility vectors.

    ``indices[v]`` is the lowest package number whose utilities are the ``v``-th vector and
    ``counts[v]`` the number of packages with those utilities (over the actors compared).
    """

    indices: np.ndarray  # (V,) int64, ascending
    counts: np.ndarray  # (V,) int64

    @property
    def packages(self) -> int:
        """Packages on the frontier, duplicates included."""
        return int(self.counts.sum())


def frontier_packages(domain: Domain, columns: np.ndarray | None = None, *,
                      max_points: int = MAX_FRONTIER_POINTS) -> Frontier:
    """The Pareto frontier over the actors in ``columns`` (default: those with a veto).

    Raises :class:`FrontierTooLargeError` when it has more than ``max_points`` distinct points.
    """
    columns = domain.party_mask if columns is None else columns
    if domain.n_packages >= 2**62:
        raise SpaceTooLargeError(f"the package space has {domain.n_packages:.3g} packages, too "
                                 "many to count", field="issues",
                                 hint="coarsen the issues or merge options")
    tables = [np.asarray(t, dtype=float)[:, columns] for t in domain.tables]
    radices = domain.radices
    if domain.n_packages <= DIRECT_LIMIT:
        everything = np.arange(domain.n_packages, dtype=np.int64)
        options = decode(everything, radices)
        exact = sum(table[options[:, i]] for i, table in enumerate(tables))
        mask = pareto_mask(exact)
        _, numbers, counts = _collapse(exact[mask], everything[mask],
                                       np.ones(int(mask.sum()), dtype=np.int64))
        _check(numbers.size, max_points)
        order = np.argsort(numbers)
        return Frontier(numbers[order], counts[order])
    step = strides(radices)
    # Each issue's undominated options, equal rows merged: (sums, lowest number, count).
    parts = []
    for i, table in enumerate(tables):
        keep = np.flatnonzero(pareto_mask(table))
        parts.append(_collapse(table[keep], keep * step[i], np.ones(keep.size, dtype=np.int64)))
    # Fold the issues with the fewest distinct undominated options first: small sets.
    order = sorted(range(len(tables)), key=lambda i: parts[i][0].shape[0])
    sums, numbers, counts = parts[order[0]]
    for i in order[1:]:
        sums, numbers, counts = _fold(sums, numbers, counts, parts[i], max_points)
    # Re-sum the representatives in issue order (as a full scan would) and filter once more.
    options = decode(numbers, radices)
    exact = np.zeros((numbers.size, int(np.count_nonzero(columns))))
    for i, table in enumerate(tables):
        exact += table[options[:, i]]
    mask = pareto_mask(exact)
    _, numbers, counts = _collapse(exact[mask], numbers[mask], counts[mask])
    order = np.argsort(numbers)
    return Frontier(numbers[order], counts[order])


def _check(size: int, max_points: int) -> None:
    if size > max_points:
        raise FrontierTooLargeError(
            f"the Pareto frontier has more than {max_points:,} distinct points",
            parameter="max_frontier", hint="raise max_frontier=, coarsen the issues, or give "
            "fewer actors a veto")


def _collapse(sums: np.ndarray, numbers: np.ndarray, counts: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge rows whose rounded sums are equal: the lowest-numbered row stands for its group,
    whose count is the sum of the counts."""
    if sums.shape[0] <= 1:
        return sums, numbers, counts
    key = rounded(sums)
    order = np.lexsort((numbers, *key.T[::-1]))
    key = key[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (key[1:] != key[:-1]).any(axis=1)
    starts = np.flatnonzero(new)
    first = order[starts]
    return sums[first], numbers[first], np.add.reduceat(counts[order], starts)


def _fold(sums, numbers, counts, part, max_points):
    """One fold step (every pairing of the running set with an issue's options), in slices of
    at most ``MAX_CANDIDATES`` pairings, merging frontiers as it goes."""
    part_sums, part_numbers, part_counts = part
    n_part = part_sums.shape[0]
    rows = max(1, MAX_CANDIDATES // max(1, n_part))
    best = (np.zeros((0, sums.shape[1])), np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64))
    for start in range(0, sums.shape[0], rows):
        stop = start + rows
        combined = (sums[start:stop, None, :] + part_sums[None, :, :]).reshape(-1, sums.shape[1])
        paired = (numbers[start:stop, None] + part_numbers[None, :]).reshape(-1)
        weight = (counts[start:stop, None] * part_counts[None, :]).reshape(-1)
        local = pareto_mask(combined)
        cand = (np.concatenate([best[0], combined[local]]),
                np.concatenate([best[1], paired[local]]),
                np.concatenate([best[2], weight[local]]))
        mask = pareto_mask(cand[0]) if best[0].shape[0] else np.ones(cand[0].shape[0], bool)
        best = _collapse(cand[0][mask], cand[1][mask], cand[2][mask])
        _check(best[0].shape[0], max_points)
    return best
