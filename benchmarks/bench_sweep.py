"""Monte Carlo sweep timings: in-process and on a local Dask cluster with 1 and 2 workers.

1. The Donbas scenario: deal space (512 packages, 4 actors, every rule) plus the compromise
   forecast, over N draws (default 100,000).
2. KTAB's SMP on SOE-Pol-Comp (13 actors x 2 dimensions) over 10,000 perturbed draws
   (positions +-5, saliences x U(0.8, 1.2), capabilities x U(0.8, 1.2); fixed seed), run as one
   vectorised batch.

Usage: python benchmarks/bench_sweep.py [--draws N] [--smp-draws N] [--skip-dask]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from redline.scenario.load import load_scenario
from redline.uncertainty.executors import dask_executor, in_process
from redline.uncertainty.sweep import sweep

ROOT = Path(__file__).resolve().parents[1]


def donbas(draws: int, skip_dask: bool) -> None:
    scenario = load_scenario(ROOT / "examples" / "donbas-2026.yaml")
    runs = [("in-process", in_process)]
    if not skip_dask:
        runs += [("dask, 1 worker", dask_executor(workers=1)),
                 ("dask, 2 workers", dask_executor(workers=2))]
    reference = None
    print(f"Donbas, {draws:,} draws (deal space + compromise forecast)")
    print("| executor | seconds | P(agreement) | identical JSON |")
    print("|---|---|---|---|")
    for name, executor in runs:
        t0 = time.perf_counter()
        result = sweep(scenario, draws=draws, seed=2026, executor=executor)
        seconds = time.perf_counter() - t0
        data = result.to_dict()
        data.pop("timings")
        text = json.dumps(data, sort_keys=True)
        reference = reference or text
        print(f"| {name} | {seconds:.1f} | {result.p_agreement:.4f} | {text == reference} |",
              flush=True)


def smp(draws: int) -> None:
    from redline.forecast.smp import SMPModel
    from redline.io.ktab import read_ktab_csv

    data = read_ktab_csv(ROOT / "tests" / "data" / "ktab" / "SOE-Pol-Comp.csv")
    rng = np.random.default_rng(2026)
    n, d = data.position.shape
    position = np.clip(data.position + rng.uniform(-5, 5, (draws, n, d)), 0, 100)
    salience = np.clip(data.salience * rng.uniform(0.8, 1.2, (draws, n, d)), 0, 1)
    salience /= np.maximum(1.0, salience.sum(axis=2, keepdims=True))
    capability = data.capability * rng.uniform(0.8, 1.2, (draws, n))
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    result = SMPModel().run_batch(capability, position, salience)
    print(f"\nSMP on SOE-Pol-Comp, {draws:,} draws: {time.perf_counter() - t0:.1f} s wall, "
          f"{time.process_time() - cpu0:.1f} s CPU; median turns {np.median(result.turns):.0f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--smp-draws", type=int, default=10_000)
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, "
          f"python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    donbas(args.draws, args.skip_dask)
    if args.smp_draws:
        smp(args.smp_draws)


if __name__ == "__main__":
    main()
