"""`redline advise` timings: every Donbas package (512, 4 actors) ranked over N draws.

Each objective runs the whole command's work in process (`pipeline.run_advise`: the posterior's
particles, the chunked acceptance pass over every package, the leaders' reasons) and is timed
best of ``--repeat``, in wall time and in CPU time (the CPU time is what a shared machine's
load changes least). ``probe`` weighs the three other actors' answers (8 patterns per
package). The header names the processor and the load average; run before/after with
``PYTHONPATH`` at each ``src`` for a comparable table.

Usage: python benchmarks/bench_advise.py [--draws N] [--repeat R]
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from redline import pipeline

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    """The processor, its cores and the load average (timings on a shared machine vary)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {load:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    loaded = pipeline.load(ROOT / "examples" / "donbas-2026.yaml")
    print(f"Donbas, every package (512), {args.draws:,} draws; {machine()}")
    print("| objective | wall s | CPU s | best package's score |")
    print("|---|---|---|---|")
    for objective in ("accept", "value", "probe"):
        best, cpu = float("inf"), float("inf")
        data = None
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            data = pipeline.run_advise(loaded, "us", objective=objective, draws=args.draws,
                                       seed=2026).to_dict()
            best = min(best, time.perf_counter() - t0)
            cpu = min(cpu, time.process_time() - c0)
        assert data is not None
        print(f"| {objective} | {best:.2f} | {cpu:.2f} | {data['ranked'][0]['score']:.4f} |",
              flush=True)


if __name__ == "__main__":
    main()
