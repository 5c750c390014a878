"""Redline's vectorised SMP against KTAB's ``smpc``: timings, and agreement with KTAB's results.

For each of KTAB's shipped SMP data sets (input CSVs in ``tests/data/ktab``, MIT-licensed
data from KAPSARC's KTAB, see the README there) this runs ``SMPModel`` (default options, best of
``--repeat`` runs) and prints a markdown table beside KTAB's published timings (peers.md: KTAB
``smpc --logmin`` on this machine kind). Wall-clock and CPU time are both given: on a
shared machine the CPU time is the steadier of the two.

Agreement: where ``tests/data/ktab/reference/<data set>.csv`` exists (positions per turn
from KTAB's SQLite output and win probabilities from its log, 4 decimals) the table also gives
the turns of both and the largest differences. Those references come from running KTAB's
``smpc`` (lsyaseen/KTAB at 3b5b063, built with g++ -O2) with default options; the build
reproduces KTAB's own 2017 reference logs for SOE-Pol-Comp and dummyData_3Dim exactly. (KTAB's
2017 logs for the larger data sets are listed in its repository but were not in the mirror.)

``--mc N`` also times ``run_batch`` on N perturbed draws of SOE-Pol-Comp (the Monte Carlo path).

Usage: python benchmarks/bench_smp.py [--repeat R] [--mc N] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import csv
import platform
import time
from pathlib import Path

import numpy as np

from redline.forecast.smp import SMPModel
from redline.io.ktab import read_ktab_csv

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data" / "ktab"
REFERENCE = DATA / "reference"

# KTAB smpc --logmin on this machine kind, from the project's notes (peers.md).
KTAB_SECONDS = {
    "dummyData_3Dim": 0.06,
    "SOE-Pol-Comp": 0.53,
    "SOE-Policy": 1.75,
    "dummyData_6Dim": 3.15,
    "dummyData-a040": 7.6,
    "SOE-Competitive": 7.8,
    "dummyData-a080": 91.9,
}


def best_of(fn, repeat: int):
    """Best wall-clock and best CPU time (this process) over ``repeat`` runs, and the result."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu, result


def reference(name: str, actors: tuple[str, ...], dims: tuple[str, ...]):
    path = REFERENCE / f"{name}.csv"
    if not path.exists():
        return None
    rows = list(csv.reader(path.open(newline="")))[1:]  # turn, actor, dims..., win_prob
    turns = max(int(r[0]) for r in rows)
    pos = np.full((turns + 1, len(actors), len(dims)), np.nan)
    win = np.full((turns + 1, len(actors)), np.nan)
    for r in rows:
        t, i = int(r[0]), actors.index(r[1])
        pos[t, i] = [float(v) for v in r[2 : 2 + len(dims)]]
        win[t, i] = float(r[2 + len(dims)])
    return pos, win


def compare(forecast, ref) -> dict[str, object]:
    if ref is None:
        return {"ktab_turns": "n/a", "dpos": "n/a", "dwin": "n/a"}
    pos, win = ref
    t = min(forecast.turns, pos.shape[0] - 1)
    dpos = np.abs(forecast.positions[: t + 1] - pos[: t + 1]).max()
    dwin = np.abs(forecast.win_probability[: t + 1] - win[: t + 1]).max()
    return {"ktab_turns": pos.shape[0] - 1, "dpos": f"{dpos:.4f}", "dwin": f"{dwin:.5f}"}


def monte_carlo(draws: int) -> str:
    data = read_ktab_csv(DATA / "SOE-Pol-Comp.csv")
    rng = np.random.default_rng(0)
    pos = np.clip(data.position + rng.normal(0.0, 5.0, (draws, *data.position.shape)), 0, 100)
    cap = data.capability * rng.lognormal(0.0, 0.1, (draws, data.n_actors))
    t0, c0 = time.perf_counter(), time.process_time()
    result = SMPModel().run_batch(cap, pos, data.salience)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return (
        f"Monte Carlo: {draws} perturbed draws of SOE-Pol-Comp (positions ± N(0, 5), capability "
        f"× lognormal(0, 0.1)) with run_batch: {wall:.1f} s wall, {cpu:.1f} s CPU, "
        f"{1000 * cpu / draws:.2f} ms CPU per run; mean {result.turns.mean():.1f} turns, "
        f"{int((result.turns == 100).sum())} runs reach 100."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mc", type=int, default=0, help="also time N Monte Carlo draws")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()

    names = args.only or list(KTAB_SECONDS)
    print(f"Machine: {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}, numpy {np.__version__}\n")
    print("| data set | actors × dims | turns (ours / KTAB) | ours, wall (s) | ours, CPU (s) "
          "| KTAB (s) | speed-up (wall) | max Δ position | max Δ win prob |")
    print("|---|---|---|---|---|---|---|---|---|")
    model = SMPModel()
    for name in names:
        path = DATA / f"{name}.csv"
        if not path.exists():
            print(f"| {name} | missing | | | | | | | |")
            continue
        data = read_ktab_csv(path)
        seconds, cpu, forecast = best_of(
            lambda data=data: model.run(
                data.capability, data.position, data.salience,
                actors=data.actors, dimensions=data.dimensions,
            ),
            args.repeat,
        )
        ktab = KTAB_SECONDS.get(name)
        cmp = compare(forecast, reference(name, data.actors, data.dimensions))
        speed = f"{ktab / seconds:.0f}×" if ktab else "n/a"
        print(
            f"| {name} | {data.n_actors} × {data.n_dims} | {forecast.turns} / {cmp['ktab_turns']} "
            f"| {seconds:.3f} | {cpu:.3f} | {ktab if ktab is not None else 'n/a'} | {speed} "
            f"| {cmp['dpos']} "
            f"| {cmp['dwin']} |"
        )
    if args.mc:
        print()
        print(monte_carlo(args.mc))


if __name__ == "__main__":
    main()
