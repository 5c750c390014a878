"""`redline update` timings: the Donbas scenario with 20 observations, over N particles.

Ten illustrative rounds are added to the Donbas example: ten random packages, each answered by
Ukraine and Russia as one prior draw's model answers them (20 observations). The posterior
(:func:`redline.uncertainty.posterior.posterior`: the likelihood of every particle, importance
weights and, when their ESS is below half the draws, resample-move SMC) and the whole command
(:func:`redline.pipeline.run_update` and its JSON: also the timeline's pass of the kernel over
all 512 packages for every group of steps on the same particles) are timed, best of
``--repeat``, in wall and CPU seconds, for a weak tremble (importance weights suffice) and a
strong one (SMC runs). The header names the processor and the load average: on a shared
machine compare CPU seconds. Before/after: run it with ``PYTHONPATH`` at each ``src`` (or
``--compare OTHER_SRC``, which runs the same script on the other tree in a subprocess and prints
its rows first); the ``src`` column says which tree a row timed.

Usage: python benchmarks/bench_update.py [--draws N] [--repeat R] [--compare OTHER_SRC]
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import redline
from redline import pipeline
from redline.scenario.load import load_scenario
from redline.scenario.model import Round
from redline.uncertainty.acceptance import acceptance
from redline.uncertainty.posterior import posterior, prior_particles
from redline.uncertainty.sweep import make_plan

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 10
RESPONDENTS = ("ukraine", "russia")


def with_rounds(tremble: float):
    """The Donbas scenario with ten illustrative rounds answered by one prior draw."""
    scenario = load_scenario(ROOT / "examples" / "donbas-2026.yaml")
    plan = make_plan(scenario)
    rng = np.random.default_rng(2026)
    picks = rng.choice(plan.n_packages, ROUNDS, replace=False)
    truth, *_ = prior_particles(scenario, 1, 3)
    verdicts = acceptance(scenario, truth, plan.options[picks]).accepts[0]
    actors = [a.id for a in scenario.actors]
    labels = [[label for label, _ in issue.option_values()] for issue in scenario.issues]
    rounds = []
    for k, p in enumerate(picks):
        package = {issue.id: labels[i][plan.options[p, i]]
                   for i, issue in enumerate(scenario.issues)}
        answers = {a: "accepted" if verdicts[actors.index(a), k] else "rejected"
                   for a in RESPONDENTS}
        rounds.append(Round(id=f"r{k}", date=f"2026-02-{k + 10}", illustrative=True,
                            tremble=tremble, package=package, responses=answers))
    return scenario.model_copy(update={"rounds": rounds})


def best_of(repeat: int, work):
    """``(best wall s, best CPU s, last result)`` of ``repeat`` runs of ``work()``."""
    best, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = work()
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return best, cpu, out


def machine() -> str:
    """The processor, its cores and the load average (timings on a shared machine vary)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {load:.1f}"


def source() -> str:
    """The ``src`` directory the timed ``redline`` was imported from (before/after rows)."""
    return str(Path(redline.__file__).resolve().parents[1])


def rows(draws: int, repeat: int) -> None:
    """Print one table row per tremble: the posterior and the whole update."""
    for tremble in (0.4, 0.3):
        scenario = with_rounds(tremble)
        seconds, cpu, post = best_of(repeat, lambda s=scenario: posterior(
            s, draws=draws, seed=1))
        loaded = pipeline.load(scenario)
        whole, whole_cpu, _ = best_of(repeat, lambda loaded=loaded: pipeline.run_update(
            loaded, draws=draws, seed=1).to_dict())
        print(f"| {source()} | {tremble} | {post.method} | {post.ess:,.0f} | {seconds:.2f} | "
              f"{cpu:.2f} | {whole:.2f} | {whole_cpu:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", metavar="OTHER_SRC", default=None,
                        help="also time the redline in this src directory (rows first)")
    parser.add_argument("--rows-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.rows_only:
        print(f"Donbas, 20 observations, {args.draws:,} particles; {machine()}")
        print("| src | tremble | method | ESS | posterior s | CPU s | whole update s | CPU s |")
        print("|---|---|---|---|---|---|---|---|", flush=True)
    if args.compare:
        env = dict(os.environ, PYTHONPATH=str(Path(args.compare).resolve()))
        subprocess.run([sys.executable, __file__, "--draws", str(args.draws), "--repeat",
                        str(args.repeat), "--rows-only"], env=env, check=True)
    rows(args.draws, args.repeat)


if __name__ == "__main__":
    main()
