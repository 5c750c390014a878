"""Redline's negotiation simulation side by side with NegMAS 0.16, in one run.

NegMAS runs in its own virtual environment (``benchmarks/.negmas-venv``; create it with
``python3 -m venv benchmarks/.negmas-venv && benchmarks/.negmas-venv/bin/pip install
negmas==0.16.0``) as a subprocess, ``benchmarks/negmas_simulate_side.py``, which measures the
same things on the same domains (``tests/data/genius``):

* SAO rounds per second: one Boulware-Boulware negotiation on CameraC (3,600 outcomes), 1000
  steps (setup excluded), and for Redline also a batch of 1,000 such negotiations at once;
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
Prints a markdown table (wall times, best of R, on a shared machine: rerun both sides on the
same machine before comparing).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

from redline.io.genius import read_genius_folder
from redline.simulate import from_domain, parse, simulate
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


def best_of(fn, repeat: int):
    """The minimum wall time of ``repeat`` calls, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


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


def sao_rounds(space, strategies, steps: int, repeat: int) -> tuple[float, int]:
    """Seconds of one simulate() call (the outcomes already sorted) and the rounds played."""
    simulate(space, strategies, steps=steps)  # warm: sorts the outcomes once
    seconds, result = best_of(lambda: simulate(space, strategies, steps=steps), repeat)
    return seconds, int(np.asarray(result.step).sum())


def setup_seconds(repeat: int) -> float:
    """Travel: read, build the negotiation, sort both agents' outcomes, play one step."""
    boulware = [parse("boulware"), parse("boulware")]

    def go():
        space = from_domain(read_genius_folder(GENIUS / "anac_y2010_Travel"))
        simulate(space, boulware, steps=1)
    return best_of(go, repeat)[0]


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


def tournament_seconds(repeat: int) -> tuple[float, int] | None:
    """The 64-negotiation tournament, if Redline has tournaments."""
    try:
        from redline import pipeline
        inputs = pipeline.load_tournament(TOURNAMENT)
    except (ImportError, AttributeError, OSError):
        return None
    seconds, result = best_of(lambda: pipeline.run_tournament(inputs), repeat)
    return seconds, int(result.negotiations)


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

    camera = from_domain(read_genius_folder(GENIUS / "anac_y2012_CameraC"))
    boulware = [parse("boulware"), parse("boulware")]
    rows = []
    single_s, single_rounds = sao_rounds(camera, boulware, 1000, args.repeat)
    batch = camera.repeated(BATCH)
    batch_s, batch_rounds = sao_rounds(batch, boulware, 1000, max(1, args.repeat // 2))
    nice = [parse("nice-tft"), parse("boulware")]
    nice_s, nice_rounds = sao_rounds(camera, nice, 100, args.repeat)
    nice_batch_s, nice_batch_rounds = sao_rounds(batch, nice, 100, 1)
    setup_s = setup_seconds(args.repeat)
    models = {"frequency (HardHeaded)": FrequencyModel(),
              "frequency (entropy, NegMAS's)": FrequencyModel(weighting="entropy"),
              "Bayesian preferences": BayesianPreferenceModel(),
              "Bayesian reservation": BayesianReservationModel(opponent=1)}
    model_s = {name: opponent_round(camera, m, args.repeat) for name, m in models.items()}
    tour = tournament_seconds(args.repeat)

    theirs = (None if args.skip_negmas
              else negmas_side(args.negmas_python, args.negmas_timeout, 3, args.quick))
    if theirs and "error" in theirs:
        print(f"NegMAS: {theirs['error']}")
        theirs = None
    t = theirs or {}

    def rate(key):
        return t[key]["rounds_per_second"] if key in t else None

    rows.append(("SAO rounds/s, one negotiation (CameraC, Boulware-Boulware, 1000 steps)",
                 f"{single_rounds / single_s:,.0f}", f"{rate('sao'):,.0f}" if t else "-",
                 ratio(rate("sao"), single_rounds / single_s, True)))
    rows.append((f"SAO rounds/s, batch of {BATCH:,} (the same)",
                 f"{batch_rounds / batch_s:,.0f}", f"{rate('sao'):,.0f}" if t else "-",
                 ratio(rate("sao"), batch_rounds / batch_s, True)))
    rows.append(("setup on Travel (188,160 outcomes), s", f"{setup_s:.3f}",
                 f"{t['setup_seconds']:.2f}" if t else "-",
                 ratio(t.get("setup_seconds"), setup_s)))
    rows.append(("Nice TFT vs Boulware rounds/s, one negotiation (CameraC, 100 steps)",
                 f"{nice_rounds / nice_s:,.0f}", f"{rate('nice_tft'):,.1f}" if t else "-",
                 ratio(rate("nice_tft"), nice_rounds / nice_s, True)))
    rows.append((f"Nice TFT vs Boulware rounds/s, batch of {BATCH:,}",
                 f"{nice_batch_rounds / nice_batch_s:,.0f}",
                 f"{rate('nice_tft'):,.1f}" if t else "-",
                 ratio(rate("nice_tft"), nice_batch_rounds / nice_batch_s, True)))
    for name, seconds in model_s.items():
        negmas_ms = t.get("opponent_seconds") if name.startswith("frequency (entropy") else None
        rows.append((f"opponent model update + Nash re-targeting, ms/round: {name}",
                     f"{seconds * 1e3:.3f}",
                     f"{negmas_ms * 1e3:.1f}" if negmas_ms else "-",
                     ratio(negmas_ms, seconds) if negmas_ms else "-"))
    if tour is not None or "tournament" in t:
        ours = f"{tour[0]:.3f} ({tour[1]})" if tour else "-"
        nt = t.get("tournament")
        rows.append(("64-negotiation tournament, s (negotiations)", ours,
                     f"{nt['seconds']:.2f} ({nt['negotiations']})" if nt else "-",
                     ratio(nt["seconds"] if nt else None, tour[0]) if tour else "-"))

    print(f"machine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    print("| measure | Redline | NegMAS 0.16 | Redline vs NegMAS |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
