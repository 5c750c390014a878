"""Time the exact Pareto frontier (redline.space.pareto) against a straightforward baseline.

Usage: python benchmarks/bench_pareto_core.py [--repeat R] [--no-baseline] [--all]

Data are synthetic linear-additive utilities over a full grid of options (as in Genius domains):
per party, random evaluations per option scaled so each issue's best option is 1, Dirichlet
weights summing to 1, utility = sum over issues. This gives the many near-ties and duplicate
vectors of real domains. "killer-robot-like" uses the issue sizes of ANAC 2015 KillerRobot
(3 x 4 x 10 x 5 x 8 x 50 = 240,000 outcomes, 5 parties) with synthetic profiles.

The baseline is the first version of the module: for k >= 3, presort by sum (lexsort tie-break),
deduplicate, then a block-nested loop with numpy broadcasting against the frontier found so far
(window chunks of 2048, dominated rows dropped after each chunk), i.e. Sort-Filter-Skyline with
no elimination filter and no bitset index; for k = 2, lexsort and sweep with no staircase
prefilter. Both must return the same mask. Times are the minimum wall-clock seconds of
``--repeat`` runs (the baseline: of max(1, repeat - 2) runs); rounding to 12 decimals included.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from redline.space.pareto import pareto_mask


def additive_utilities(sizes: list[int], parties: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(len(sizes)), size=parties)  # (parties, issues)
    grid = np.indices(sizes).reshape(len(sizes), -1)  # first issue most significant
    u = np.zeros((grid.shape[1], parties))
    for i, size in enumerate(sizes):
        evaluation = rng.random((size, parties))
        evaluation /= evaluation.max(axis=0)
        u += weights[:, i] * evaluation[grid[i]]
    return u


def baseline_mask(utilities: np.ndarray, block: int = 512) -> np.ndarray:
    """Presort + block-nested loop by broadcasting (k >= 3) or lexsort + sweep (k == 2)."""
    u = np.round(utilities, 12)
    n, k = u.shape
    keys = tuple(-u[:, j] for j in range(k - 1, -1, -1))
    if k == 2:
        order = np.lexsort(keys)  # u0 descending, then u1 descending
        ys = u[order, 1]
        best_before = np.maximum.accumulate(np.r_[-np.inf, ys[:-1]])
        # sorted by (u0, u1) descending: dominated iff an earlier row has u1 >= it, unless that
        # row is identical (then it is not dominated by it; identical rows are adjacent)
        xs = u[order, 0]
        same_as_prev = np.r_[False, (xs[1:] == xs[:-1]) & (ys[1:] == ys[:-1])]
        run_start = np.maximum.accumulate(np.where(same_as_prev, 0, np.arange(n)))
        on = ys > best_before[run_start]
        mask = np.zeros(n, dtype=bool)
        mask[order[on]] = True
        return mask
    # Sum descending, ties lexicographic: a linear extension of dominance with identical rows
    # adjacent; deduplicate, then scan. A row is final once no earlier frontier row is >= it.
    order = np.lexsort((*keys, -u.sum(axis=1)))
    x = u[order]
    new = np.r_[True, np.any(x[1:] != x[:-1], axis=1)]
    x = x[new]
    m = len(x)
    front = np.empty((m, k))
    size = 0
    keep = np.zeros(m, dtype=bool)
    for s in range(0, m, block):
        rows = np.arange(s, min(s + block, m))
        for c in range(0, size, 2048):  # window chunks; dominated rows drop out early
            f = front[c : min(c + 2048, size)]
            geq = f[None, :, 0] >= x[rows, 0, None]
            for j in range(1, k):
                geq &= f[None, :, j] >= x[rows, j, None]
            rows = rows[~geq.any(axis=1)]
            if rows.size == 0:
                break
        b = x[rows]
        geq = np.tri(len(b), len(b), -1, dtype=bool)  # earlier rows of the block
        for j in range(k):
            geq &= b[None, :, j] >= b[:, j, None]
        rows = rows[~geq.any(axis=1)]
        front[size : size + rows.size] = x[rows]
        size += rows.size
        keep[rows] = True
    mask = np.zeros(n, dtype=bool)
    mask[order[keep[np.cumsum(new) - 1]]] = True
    return mask


CASES = [
    # name, issue sizes, parties, run the baseline by default
    ("killer-robot-like", [3, 4, 10, 5, 8, 50], 5, True),
    ("3 parties, 10^6", [10] * 6, 3, True),
    ("2 parties, 10^7", [10] * 7, 2, True),
    ("5 parties, 10^6", [10] * 6, 5, False),
    ("7 parties, 46,656", [6] * 6, 7, True),
    ("10 parties, 10^5", [10] * 5, 10, False),
]


def best_time(fn, repeat: int) -> tuple[float, np.ndarray]:
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="time the new code only")
    parser.add_argument("--all", action="store_true", help="also run the slow baselines")
    args = parser.parse_args()
    header = f"{'case':<20} {'k':>2} {'rows':>10} {'frontier':>9} {'baseline s':>11} "
    header += f"{'pareto_mask s':>14} {'speedup':>8}"
    print(header)
    print("-" * len(header))
    for name, sizes, parties, default_baseline in CASES:
        u = additive_utilities(sizes, parties, seed=0)
        fast, mask = best_time(lambda u=u: pareto_mask(u), args.repeat)
        base = ""
        speed = ""
        if not args.no_baseline and (default_baseline or args.all):
            slow, expected = best_time(lambda u=u: baseline_mask(u), max(1, args.repeat - 2))
            if not np.array_equal(mask, expected):
                raise SystemExit(f"{name}: pareto_mask and the baseline disagree")
            base, speed = f"{slow:.3f}", f"{slow / fast:.0f}x"
        print(
            f"{name:<20} {parties:>2} {len(u):>10,} {int(mask.sum()):>9,} {base:>11} "
            f"{fast:>14.3f} {speed:>8}"
        )


if __name__ == "__main__":
    main()
