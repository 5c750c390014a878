"""Redline's negotiation simulation side by side with NegMAS 0.16, in one run.

NegMAS runs in its own virtual environment (``benchmarks/.negmas-venv``; create it with
``python3 -m venv benchmarks/.negmas-venv && benchmarks/.negmas-venv/bin/pip install
negmas==0.16.0``) as a subprocess, ``benchmarks/negmas_simulate_side.py``, which measures the
same things on the same domains (``tests/data/genius``):

* SAO rounds per second: one Boulware-Boulware negotiation on CameraC (3,600 outcomes), 1000
  steps (setup excluded), and for Redline also a batch of 1,000 such negotiations at once, and
  a batch of 1,000 whose outside options differ (as a scenario's Monte Carlo draws do);
* setup on Travel (188,160 outcomes): reading the domain, building the negotiation and sorting
  both agents' outcomes (NegMAS: ``Scenario.load``, the mechanism and its first step);
* Nice Tit for Tat against Boulware on CameraC, 100 steps, rounds per second;
* one opponent-model update plus Nash re-targeting (rating every CameraC outcome), per round:
  Redline's three models (redline.simulate.opponents) against NegMAS's
  ``FrequencyLinearUFunModel`` learning one offer and rating every outcome;
* the 64-negotiation tournament (``tests/data/tournament/time-based.yaml``: 4 time-based
  agents x 2 domains, role rotation, 100 steps), when Redline has tournaments.

Usage: python benchmarks/bench_simulate.py [--repeat R] [--quick] [--skip-negmas]
       [--negmas-timeout S] [--negmas-python PATH]
Prints a markdown table: Redline's best and median of R runs, NegMAS's best, the ratio (best
against best) and the target; then where Travel's setup goes, and the load average before and
after (wall times: on a shared machine, rerun both sides on the same machine before comparing).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np

from redline.io.genius import read_genius_folder
from redline.simulate import from_domain, from_tables, parse, simulate
from redline.simulate.opponents import (
    BayesianPreferenceModel,
    BayesianReservationModel,
    FrequencyModel,
    nash_target,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENIUS = ROOT / "tests" / "data" / "genius"
NEGMAS_PYTHON = HERE / ".negmas-venv" / "bin" / "python"
TOURNAMENT = ROOT / "tests" / "data" / "tournament" / "time-based.yaml"
BATCH = 1000


def timings(fn, repeat: int) -> tuple[list[float], object]:
    """The wall times of ``repeat`` calls, and the last result."""
    times, out = [], None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def best_of(fn, repeat: int):
    """The minimum wall time of ``repeat`` calls, and the last result."""
    times, out = timings(fn, repeat)
    return min(times), out


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages (``uptime``'s), or ``-`` where unknown."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "-"


def negmas_side(python: Path, timeout: float, repeat: int, quick: bool) -> dict | None:
    """NegMAS's measurements (None without its environment)."""
    if not python.exists():
        return None
    cmd = [str(python), str(HERE / "negmas_simulate_side.py"), str(GENIUS),
           "--repeat", str(repeat)] + (["--quick"] if quick else [])
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if run.returncode != 0:
        return {"error": (run.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(run.stdout.strip().splitlines()[-1])


def sao_rounds(space, strategies, steps: int, repeat: int) -> tuple[list[float], int]:
    """Seconds of each simulate() call (the outcomes already sorted) and the rounds played."""
    simulate(space, strategies, steps=steps)  # warm: sorts the outcomes once
    times, result = timings(lambda: simulate(space, strategies, steps=steps), repeat)
    return times, int(np.asarray(result.step).sum())


SETUP_PARTS = ("reading the XML", "building the 188,160 x 2 utility table",
               "sorting both agents' outcomes", "one step")


def setup_seconds(repeat: int) -> tuple[list[float], dict[str, float]]:
    """Travel: read, build the negotiation, sort both agents' outcomes, play one step. Each
    run's total, and the best time of each part."""
    boulware = [parse("boulware"), parse("boulware")]
    parts = dict.fromkeys(SETUP_PARTS, float("inf"))
    totals = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        domain = read_genius_folder(GENIUS / "anac_y2010_Travel")
        t1 = time.perf_counter()
        space = from_domain(domain)
        t2 = time.perf_counter()
        _ = space.ranking
        t3 = time.perf_counter()
        simulate(space, boulware, steps=1)
        t4 = time.perf_counter()
        totals.append(t4 - t0)
        for name, seconds in zip(SETUP_PARTS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3),
                                 strict=True):
            parts[name] = min(parts[name], seconds)
    return totals, parts


def opponent_round(space, model, repeat: int, rounds: int = 100) -> float:
    """Seconds per round of one model update plus Nash re-targeting (one negotiation)."""
    own = np.asarray(space.utilities)[:, 0]
    r_own = np.asarray(space.reservation)[:, 0]
    rng = np.random.default_rng(0)
    offers = rng.integers(0, space.n_outcomes, size=(rounds, 1))

    def go():
        state = model.init(space)
        for k in range(rounds):
            t = (k + 1) / (rounds + 1)
            state = model.update(state, offers[k], t)
            estimate = model.estimate(state)
            r_opp = (model.reservation(state) if hasattr(model, "reservation")
                     else np.zeros(1))
            nash_target(own, r_own, estimate, r_opp, np.array([0.5 * own.max()]))
    return best_of(go, repeat)[0] / rounds


def tournament_seconds(repeat: int) -> tuple[list[float], int] | None:
    """The 64-negotiation tournament (the domains loaded once, before), if Redline has
    tournaments."""
    try:
        from redline import pipeline
        inputs = pipeline.load_tournament(TOURNAMENT)
    except (ImportError, AttributeError, OSError):
        return None
    times, result = timings(lambda: pipeline.run_tournament(inputs), repeat)
    return times, int(result.negotiations)


def best_median(times: list[float], scale: float = 1.0, form: str = "{:.3f}") -> str:
    """``best (median m)`` of wall times, each multiplied by ``scale`` first."""
    best, median = min(times) * scale, statistics.median(times) * scale
    return form.format(best) + " (median " + form.format(median) + ")"


def rates(times: list[float], rounds: int) -> str:
    """Rounds per second at the best and the median time."""
    return (f"{rounds / min(times):,.0f} (median {rounds / statistics.median(times):,.0f})")


def ratio(theirs: float | None, ours: float, higher_is_better: bool = False) -> str:
    """NegMAS over Redline (times) or Redline over NegMAS (rates), as ``N×``."""
    if theirs is None or not ours:
        return "-"
    value = ours / theirs if higher_is_better else theirs / ours
    return f"{value:,.0f}×" if value >= 10 else f"{value:.1f}×"


def main() -> None:
    """Print the side-by-side table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer NegMAS repeats")
    parser.add_argument("--skip-negmas", action="store_true")
    parser.add_argument("--negmas-timeout", type=float, default=1800)
    parser.add_argument("--negmas-python", type=Path, default=NEGMAS_PYTHON,
                        help="the NegMAS environment's python (default: %(default)s)")
    args = parser.parse_args()

    before = load_average()
    camera = from_domain(read_genius_folder(GENIUS / "anac_y2012_CameraC"))
    boulware = [parse("boulware"), parse("boulware")]
    rows = []
    single_t, single_rounds = sao_rounds(camera, boulware, 1000, args.repeat)
    batch = camera.repeated(BATCH)
    batch_t, batch_rounds = sao_rounds(batch, boulware, 1000, args.repeat)
    varied = from_tables(camera.utilities[0], np.random.default_rng(0).uniform(
        0.0, 0.6, size=(BATCH, 2)), camera.allowed[0])  # outside options as Monte Carlo draws
    varied_t, varied_rounds = sao_rounds(varied, boulware, 1000, args.repeat)
    nice = [parse("nice-tft"), parse("boulware")]
    nice_t, nice_rounds = sao_rounds(camera, nice, 100, args.repeat)
    nice_batch_t, nice_batch_rounds = sao_rounds(batch, nice, 100, max(1, args.repeat // 2))
    setup_t, setup_parts = setup_seconds(args.repeat)
    models = {"frequency (HardHeaded)": FrequencyModel(),
              "frequency (entropy, NegMAS's)": FrequencyModel(weighting="entropy"),
              "Bayesian preferences": BayesianPreferenceModel(),
              "Bayesian reservation": BayesianReservationModel(opponent=1)}
    model_s = {name: opponent_round(camera, m, args.repeat) for name, m in models.items()}
    tour = tournament_seconds(max(args.repeat, 5))
    after_redline = load_average()

    theirs = (None if args.skip_negmas
              else negmas_side(args.negmas_python, args.negmas_timeout, 3, args.quick))
    if theirs and "error" in theirs:
        print(f"NegMAS: {theirs['error']}")
        theirs = None
    t = theirs or {}

    def rate(key):
        return t[key]["rounds_per_second"] if key in t else None

    def negmas_rate(key, form="{:,.0f}"):
        return form.format(rate(key)) if key in t else "-"

    rows.append(("SAO rounds/s, one negotiation (CameraC, Boulware-Boulware, 1000 steps)",
                 rates(single_t, single_rounds), negmas_rate("sao"),
                 ratio(rate("sao"), single_rounds / min(single_t), True), "≥ 50,000"))
    rows.append((f"SAO rounds/s, batch of {BATCH:,} (the same)",
                 rates(batch_t, batch_rounds), negmas_rate("sao"),
                 ratio(rate("sao"), batch_rounds / min(batch_t), True), "≥ 1,000,000"))
    rows.append((f"SAO rounds/s, batch of {BATCH:,} with different outside options "
                 "(uniform 0-0.6)", rates(varied_t, varied_rounds), negmas_rate("sao"),
                 ratio(rate("sao"), varied_rounds / min(varied_t), True), "≥ 1,000,000"))
    rows.append(("setup on Travel (188,160 outcomes): read, build, sort, one step, s",
                 best_median(setup_t), f"{t['setup_seconds']:.2f}" if t else "-",
                 ratio(t.get("setup_seconds"), min(setup_t)), "< 0.050"))
    rows.append(("Nice TFT vs Boulware rounds/s, one negotiation (CameraC, 100 steps)",
                 rates(nice_t, nice_rounds), negmas_rate("nice_tft", "{:,.1f}"),
                 ratio(rate("nice_tft"), nice_rounds / min(nice_t), True), "-"))
    rows.append((f"Nice TFT vs Boulware rounds/s, batch of {BATCH:,}",
                 rates(nice_batch_t, nice_batch_rounds), negmas_rate("nice_tft", "{:,.1f}"),
                 ratio(rate("nice_tft"), nice_batch_rounds / min(nice_batch_t), True), "-"))
    for name, seconds in model_s.items():
        negmas_ms = t.get("opponent_seconds") if name.startswith("frequency (entropy") else None
        rows.append((f"opponent model update + Nash re-targeting, ms/round: {name}",
                     f"{seconds * 1e3:.3f}",
                     f"{negmas_ms * 1e3:.1f}" if negmas_ms else "-",
                     ratio(negmas_ms, seconds) if negmas_ms else "-", "< 1"))
    if tour is not None or "tournament" in t:
        ours = f"{best_median(tour[0])}, {tour[1]} negotiations" if tour else "-"
        nt = t.get("tournament")
        rows.append(("64-negotiation tournament (time-based.yaml), s", ours,
                     f"{nt['seconds']:.2f} ({nt['negotiations']})" if nt else "-",
                     ratio(nt["seconds"] if nt else None, min(tour[0])) if tour else "-",
                     "< 0.3"))

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    print(f"load average (1, 5, 15 min): {before} before, {after_redline} after Redline's "
          f"runs, {load_average()} at the end; Redline: best and median of {args.repeat} runs")
    print()
    print("| measure | Redline | NegMAS 0.16 | Redline vs NegMAS | target |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("Travel setup, best of each part (ms): " + ", ".join(
        f"{name} {seconds * 1e3:.1f}" for name, seconds in setup_parts.items()))


if __name__ == "__main__":
    main()
