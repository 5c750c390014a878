"""Tournament timings: the 64-negotiation tournament in-process and on Dask (1 and 2 workers).

The tournament of ``tests/data/tournament/time-based.yaml``: Boulware, linear, conceder and
aspiration (4^2 pairings) on two Genius domains (CameraC, 3,600 outcomes, and
EnglandvsZimbabweA, 576), role rotation, 100 steps: 64 negotiations, the size NegMAS 0.16 runs
in about 7 s on this kind of machine (issue target: under 0.3 s). Reported: loading the two
domains, then the tournament itself (every negotiation, its metrics and the ranking) as the
minimum and median of ``--repeat`` runs; on Dask the cluster start is included once.

Each scenario's outcomes are sorted once (per agent, both roles), not once per match.

Usage: python benchmarks/bench_tournament.py [--repeat N] [--skip-dask]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from redline import pipeline
from redline.simulate.tournament import dask_runner

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tests" / "data" / "tournament" / "time-based.yaml"


def main() -> None:
    """Print a markdown table of the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    inputs = pipeline.load_tournament(CONFIG)
    load = time.perf_counter() - t0
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}, load average "
          f"(1, 5, 15 min) {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"loading the configuration and both domains: {load * 1000:.1f} ms")
    print("| executor | negotiations | min s | median s | identical JSON |")
    print("|---|---|---|---|---|")
    reference = None
    runs = [("in-process", None, args.repeat)]
    if not args.skip_dask:
        runs += [("dask, 1 worker (cluster start included)", dask_runner(workers=1), 1),
                 ("dask, 2 workers (cluster start included)", dask_runner(workers=2), 1)]
    for name, executor, repeat in runs:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = pipeline.run_tournament(inputs, executor=executor)
            times.append(time.perf_counter() - t0)
        text = json.dumps(result.to_dict())
        reference = reference or text
        print(f"| {name} | {result.negotiations} | {min(times):.3f} | "
              f"{statistics.median(times):.3f} | {text == reference} |")


if __name__ == "__main__":
    main()
