"""Time and peak memory at the default size limits (the numbers behind them in benchmarks.md).

Usage: python benchmarks/bench_limits.py [--only smp,bdm,sweep]

* smp: KTAB's SMP on random one-dimensional data with 50, 100 and 200 actors (the default
  ``--max-actors`` for smp is 200);
* bdm: both BDM variants, 10 rounds, 250, 500 and 1,000 actors (their default limit);
* sweep: 2 actors on 5^9 packages, the largest number of draws the work limit lets through
  (``MAX_SWEEP_WORK``), the compromise forecast.

Each case runs in its own process, so the peak resident memory is that case's alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

CASE = r"""
import resource, sys, time
import numpy as np
kind, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(n)
start = time.perf_counter()
if kind in ("smp", "bdm", "bdm-scholz"):
    from redline.forecast.registry import get_model
    c = rng.uniform(1, 100, n)
    x = rng.uniform(0, 100, (n, 1))
    s = rng.uniform(0.05, 1, (n, 1))
    result = get_model(kind).run(c, x, s)
    detail = f"turns={result.turns}"
else:
    from redline.scenario.load import parse_scenario
    from redline.uncertainty.sweep import MAX_SWEEP_WORK, sweep
    options = ", ".join(f"{{label: o{k}, value: {25 * k}}}" for k in range(5))
    text = "actors:\n  - {id: a, name: A, capability: 1}\n  - {id: b, name: B, capability: 1}\n"
    text += "issues:\n" + "".join(f"  - {{id: i{i}, name: I{i}, options: [{options}]}}\n"
                                  for i in range(9))
    text += "positions:\n" + "".join(
        f"  {a}:\n" + "".join(f"    i{i}: {{position: {100 * ((k + i) % 2)}, salience: 1}}\n"
                              for i in range(9)) for k, a in enumerate("ab"))
    draws = MAX_SWEEP_WORK // (5**9 * 2)
    result = sweep(parse_scenario(text.encode(), "grid.yaml"), draws=draws)
    detail = f"draws={draws} chunk={result.plan.chunk_size}"
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{kind:<10} n={n:<6,} {detail:<22} seconds={seconds:7.2f} peak_rss_mb={peak:6.0f}")
"""

CASES = {
    "smp": [("smp", 50), ("smp", 100), ("smp", 200)],
    "bdm": [(m, n) for n in (250, 500, 1000) for m in ("bdm", "bdm-scholz")],
    "sweep": [("sweep", 5**9)],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=",".join(CASES))
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f}")
    for group in args.only.split(","):
        for kind, n in CASES[group]:
            subprocess.run([sys.executable, "-c", CASE, kind, str(n)], check=True)


if __name__ == "__main__":
    main()
