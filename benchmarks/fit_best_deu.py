"""Choose the "best" forecast model on the public DEU III split, by grouped cross-validation.

Usage::

    python benchmarks/fit_best_deu.py [DEU_TSV] [WEIGHTS_CSV] [--repeats 20] [--folds 10]

The DEU III file is not redistributed with Redline (tests/data/NOTICE); the default is the copy
in the sibling folder ``../shared/data/deu3``. ``tests/data/deu3`` has a synthetic file of the
same layout, and the Nice voting weights.

Candidate families (every parameter is a hyperparameter on a small grid; none is estimated
in any other way):

* ``compromise``: Achen's model (no parameter);
* ``compromise-ab``: weights ``c**a * s**b``;
* ``nash-variant``: the Nash bargaining solution, choosing utility (linear / quadratic) and
  disagreement point (status quo ``rp`` where known / each actor's worst point);
* ``nash-ab``: the linear, worst-point Nash solution with weights ``c**a * s**b``;
* ``blend``: ``a * nash + b * compromise + (1 - a - b) * weighted median``;
* ``shrink``: ``l * compromise + (1 - l) * midpoint of the position range``.

Evaluation is *nested*: proposals (``prname``, 82 groups) are split into ``folds`` folds,
``repeats`` times; on each training part the family's hyperparameter with the lowest training
MAE is chosen (for models without fitted coefficients the inner cross-validated MAE of a fixed
hyperparameter equals its training MAE), and it is scored on the held-out proposals. The family
with the lowest nested MAE wins; its hyperparameters are then chosen on all public issues and
copied into ``src/redline/forecast/best.py``. A paired bootstrap over proposals gives the
interval of the gain over the compromise model.
"""

from __future__ import annotations

import argparse
import collections
import itertools
from pathlib import Path

import numpy as np

from redline.forecast.median import lower_weighted_median
from redline.forecast.nash import nash_solution
from redline.io.deu import read_deu

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "deu3"  # optional: not part of a clone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", nargs="?", default=DATA / "deu3_public.tsv")
    parser.add_argument("weights", nargs="?",
                        default=ROOT / "tests" / "data" / "deu3" / "nice_voting_weights.csv")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not Path(args.tsv).is_file():
        parser.error(f"{args.tsv} not found: pass the DEU III file (deu3_public.tsv)")

    data = read_deu(args.tsv, args.weights)
    issues = np.flatnonzero(data.has_outcome)
    x = data.positions[issues]
    present = np.isfinite(x)
    x0 = np.where(present, x, 0.0)
    s = np.where(np.isnan(data.saliences[issues]), 50.0, data.saliences[issues]) / 100.0
    s = np.where(present, s, 0.0)
    c = np.broadcast_to(data.capability, x.shape)
    sq = data.reference_points[issues]
    y = data.outcomes[issues]
    groups = np.asarray(data.groups, dtype=object)[issues]

    def weights(a: float, b: float) -> np.ndarray:
        return np.where(present, c**a * s**b, 0.0)

    def compromise(a: float = 1.0, b: float = 1.0) -> np.ndarray:
        w = weights(a, b)
        return (w * x0).sum(axis=1) / w.sum(axis=1)

    def nash(a: float = 1.0, b: float = 1.0, utility: str = "linear",
             status_quo: bool = False) -> np.ndarray:
        return nash_solution(x0.T, weights(a, b).T, sq if status_quo else None,
                             utility=utility)

    low = np.where(present, x, np.inf).min(axis=1)
    high = np.where(present, x, -np.inf).max(axis=1)
    p_comp, p_nash, p_med = compromise(), nash(), lower_weighted_median(x0, weights(1, 1))
    tenths = [float(round(v, 1)) for v in np.arange(0.0, 1.01, 0.1)]
    ab = list(itertools.product([0.0, 0.5, 1.0, 1.5, 2.0], [0.0, 0.5, 1.0, 2.0]))
    families: dict[str, dict[object, np.ndarray]] = {
        "compromise": {(): p_comp},
        "compromise-ab": {k: compromise(*k) for k in ab},
        "nash-variant": {(u, q): nash(utility=u, status_quo=q)
                         for u in ("linear", "quadratic") for q in (False, True)},
        "nash-ab": {k: nash(*k) for k in ab},
        "blend": {(a, b): a * p_nash + b * p_comp + (1 - a - b) * p_med
                  for a in tenths for b in tenths if a + b <= 1.0 + 1e-9},
        "shrink": {lam: lam * p_comp + (1 - lam) * 0.5 * (low + high) for lam in tenths},
    }

    labels = np.unique(groups)
    rng = np.random.default_rng(args.seed)
    errors: dict[str, list[np.ndarray]] = {k: [] for k in families}
    picks: dict[str, collections.Counter] = {k: collections.Counter() for k in families}
    for _ in range(args.repeats):
        for fold in np.array_split(rng.permutation(labels), args.folds):
            test = np.isin(groups, fold)
            for name, grid in families.items():
                key = min(grid, key=lambda k: np.abs(grid[k][~test] - y[~test]).mean())
                picks[name][key] += 1
                errors[name].append(np.abs(grid[key][test] - y[test]))

    print(f"DEU public split: {issues.size} issues with an outcome, {labels.size} proposals; "
          f"{args.folds}-fold grouped CV x {args.repeats}")
    print(f"{'family':15s} {'nested CV MAE':>13s} {'in-sample best':>14s}  most chosen")
    nested = {}
    for name, grid in families.items():
        nested[name] = float(np.concatenate(errors[name]).mean())
        best_in = min(float(np.abs(v - y).mean()) for v in grid.values())
        top = ", ".join(f"{k}x{n}" for k, n in picks[name].most_common(2))
        print(f"{name:15s} {nested[name]:13.3f} {best_in:14.3f}  {top}")
    winner = min(nested, key=nested.get)
    grid = families[winner]
    final = min(grid, key=lambda k: np.abs(grid[k] - y).mean())
    print(f"\nwinner: {winner} {final} (nested CV MAE {nested[winner]:.3f}; "
          f"compromise {nested['compromise']:.3f})")

    # Paired bootstrap over proposals of MAE(compromise) - MAE(winner).
    gain = np.abs(p_comp - y) - np.abs(grid[final] - y)
    index = np.unique(groups, return_inverse=True)[1]
    sums = np.bincount(index, weights=gain)
    counts = np.bincount(index).astype(float)
    draws = np.random.default_rng(args.seed).integers(0, labels.size, (4000, labels.size))
    boot = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    print(f"gain over compromise (in-sample, paired bootstrap by proposal): "
          f"{gain.mean():.3f} [95% {lo:.3f}, {hi:.3f}]; "
          f"better on {(gain > 0).sum()} issues, worse on {(gain < 0).sum()}")


if __name__ == "__main__":
    main()
