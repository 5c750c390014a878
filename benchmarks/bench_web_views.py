"""What the web app's "every model" section and Simulate view cost, per bundled scenario.

Each forecast model is timed alone (``pipeline.run_forecast``, best of ``--repeat``, wall and
CPU time), then the whole comparison (``web.models.models_view``: every model, read against the
options) beside one rerun of the editor (``web.runner.run_scenario`` with its default 500-draw
sweep), which is what the comparison would add to every rerun were it not asked for on its own.
Then the Simulate view's defaults (Boulware against a conceder, 100 steps, 200 draws): the
simulation with its numbers (``pipeline.run_simulate(...).to_dict()``) and the offers figure
(``report.simulation.simulation_figure`` to JSON).

Usage: python benchmarks/bench_web_views.py [--repeat R]
Prints markdown tables and the load average (timings on a shared machine are loaded).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

from redline import pipeline
from redline.forecast.registry import model_names
from redline.scenario.load import parse_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("donbas-2026", "colombia-2016", "camp-david-1978")


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, float]:
    """The best wall and CPU milliseconds of ``repeat`` runs of ``work``."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        work()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return 1000 * wall, 1000 * cpu


def main() -> None:
    from redline.report.simulation import simulation_figure
    from redline.web.models import models_view
    from redline.web.runner import run_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{platform.processor() or '?'}; load average {os.getloadavg()[0]:.2f}; "
          f"best of {args.repeat}")
    scenarios = {name: parse_scenario((ROOT / "examples" / f"{name}.yaml").read_bytes(),
                                      f"{name}.yaml") for name in SCENARIOS}
    print("\n| model | " + " | ".join(f"{n} ms (CPU)" for n in SCENARIOS) + " |")
    print("|---|" + "---|" * len(SCENARIOS))
    loaded = {name: pipeline.load(s) for name, s in scenarios.items()}
    for model in model_names():
        cells = []
        for name in SCENARIOS:
            wall, cpu = best_of(args.repeat, lambda m=model, n=name: pipeline.run_forecast(
                loaded[n], m))
            cells.append(f"{wall:.1f} ({cpu:.1f})")
        print(f"| {model} | " + " | ".join(cells) + " |", flush=True)
    print("\n| scenario | every model, read: ms (CPU) | one rerun, 500 draws: ms (CPU) |")
    print("|---|---|---|")
    for name, scenario in scenarios.items():
        every = best_of(args.repeat, lambda s=scenario: models_view(s))
        rerun = best_of(args.repeat, lambda s=scenario: run_scenario(s))
        print(f"| {name} | {every[0]:.0f} ({every[1]:.0f}) | {rerun[0]:.0f} ({rerun[1]:.0f}) |",
              flush=True)
    donbas = loaded["donbas-2026"]
    pairs = [("ukraine", "boulware"), ("russia", "conceder")]
    run = pipeline.run_simulate(donbas, pairs, steps=100, draws=200)
    sim = best_of(args.repeat, lambda: pipeline.run_simulate(
        donbas, pairs, steps=100, draws=200).to_dict())
    fig = best_of(args.repeat, lambda: simulation_figure(run.result).to_json(validate=False))
    print("\n| Simulate view, Donbas defaults | ms (CPU) |")
    print("|---|---|")
    print(f"| simulation and its numbers | {sim[0]:.0f} ({sim[1]:.0f}) |")
    print(f"| offers figure to JSON | {fig[0]:.0f} ({fig[1]:.0f}) |")


if __name__ == "__main__":
    main()
