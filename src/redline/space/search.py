"""Find every package whose objective reaches a threshold, without scanning the whole space.

Branch and bound over issues (Land & Doig 1960), level by level and vectorised: a partial
package fixes the first ``j`` issues; its *optimistic completion* adds each actor's best
remaining utility, issue by issue (``sum_{i >= j} max_o T_i[o, a]``). For an objective that never
decreases when any utility grows (all four bargaining objectives do, on the acceptable set), the
objective of the optimistic completion bounds every real completion, so partial packages whose
bound falls below the threshold are dropped. What remains at the last level is checked exactly.
Optimistic sums are added in another order than exact ones, so they may be a rounding error
short; the caller passes a ``bound`` that is more generous than ``objective`` (the engine raises
every utility by a tolerance) so that no package that passes the exact check is pruned.

Used for the ties of the bargaining solutions when no rule can reject a package: then the optimum
is known from the Pareto frontier, and only the packages near it need to be listed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from redline.space.domain import Domain
from redline.space.packages import encode


def at_least(
    domain: Domain,
    objective: Callable[[np.ndarray], np.ndarray],
    threshold: float,
    *,
    bound: Callable[[np.ndarray], np.ndarray] | None = None,
    limit: int = 2_000_000,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Packages (sorted numbers, utilities) with ``objective(u) >= threshold``.

    ``objective`` maps utilities ``(n, n_actors)`` to values and must be non-decreasing in every
    utility. Partial packages are pruned when ``bound`` (default ``objective``; it must be at
    least ``objective`` plus any rounding error of the optimistic sums) of their optimistic
    completion is below ``threshold``. Returns ``None`` when more than ``limit`` partial packages
    would have to be kept (the caller then falls back to a full scan).
    """
    bound = objective if bound is None else bound
    tables = [np.asarray(t, dtype=float) for t in domain.tables]
    n_actors = domain.n_actors
    best_rest = np.zeros((len(tables) + 1, n_actors))
    for j in range(len(tables) - 1, -1, -1):
        best_rest[j] = best_rest[j + 1] + tables[j].max(axis=0)
    sums = np.zeros((1, n_actors))
    options = np.zeros((1, len(tables)), dtype=np.int64)
    for j, table in enumerate(tables):
        size = table.shape[0]
        if sums.shape[0] * size > limit:
            return None
        sums = (sums[:, None, :] + table[None, :, :]).reshape(-1, n_actors)
        options = np.repeat(options, size, axis=0)
        options[:, j] = np.tile(np.arange(size), options.shape[0] // size)
        keep = bound(sums + best_rest[j + 1]) >= threshold
        sums, options = sums[keep], options[keep]
        if sums.shape[0] == 0:
            break
    exact = np.zeros((options.shape[0], n_actors))
    for j, table in enumerate(tables):
        exact += table[options[:, j]]
    hit = objective(exact) >= threshold
    indices = encode(options[hit], domain.radices)
    order = np.argsort(indices, kind="stable")
    return indices[order], exact[hit][order]
