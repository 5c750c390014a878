"""The NegMAS side of benchmarks/bench_simulate.py. Runs inside benchmarks/.negmas-venv (0.16).

Usage: python negmas_simulate_side.py GENIUS_DIR [--repeat R] [--quick]
Prints one JSON object of wall times (best of R), each measured as bench_simulate.py measures
Redline's:

* ``sao``: one Boulware-Boulware SAO negotiation on CameraC (3,600 outcomes), 1000 steps:
  seconds of ``mechanism.run()`` and the steps taken (setup excluded);
* ``setup``: Travel (188,160 outcomes): ``Scenario.load``, the mechanism with two Boulware
  negotiators, and the first step (which builds both negotiators' sorted outcomes);
* ``nice_tft``: Nice Tit for Tat against Boulware on CameraC, 100 steps;
* ``opponent``: NegMAS's ``FrequencyLinearUFunModel`` learning one offer and then rating every
  CameraC outcome (what re-targeting needs), per offer;
* ``tournament``: ``cartesian_tournament`` of 4 time-based agents (Boulware, Linear, Conceder,
  Aspiration) with self-play on 2 domains (CameraC, EnglandvsZimbabweA), role rotation, 100
  steps, serial: 64 negotiations.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from negmas.gb.components.models.ufun import FrequencyLinearUFunModel
from negmas.inout import Scenario
from negmas.sao import SAOMechanism
from negmas.sao.negotiators import (
    AspirationNegotiator,
    BoulwareTBNegotiator,
    ConcederTBNegotiator,
    LinearTBNegotiator,
    NiceTitForTatNegotiator,
)
from negmas.tournaments.neg import cartesian_tournament


def load(folder: Path) -> Scenario:
    return Scenario.load(folder, ignore_discount=True, load_stats=False, load_info=False)


def best_of(fn, repeat: int):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def mechanism(scenario: Scenario, first, second, n_steps: int) -> SAOMechanism:
    m = SAOMechanism(outcome_space=scenario.outcome_space, n_steps=n_steps, time_limit=None)
    m.add(first(name="a"), ufun=scenario.ufuns[0])
    m.add(second(name="b"), ufun=scenario.ufuns[1])
    return m


def timed_run(scenario: Scenario, first, second, n_steps: int, repeat: int) -> dict:
    best, steps = float("inf"), 0
    for _ in range(repeat):
        m = mechanism(scenario, first, second, n_steps)
        m.step()  # setup (sorting the outcomes) is not part of the rounds
        t0 = time.perf_counter()
        state = m.run()
        best = min(best, time.perf_counter() - t0)
        steps = int(state.step) - 1
    return {"seconds": best, "steps": steps, "rounds_per_second": steps / best}


def setup(genius: Path, repeat: int) -> float:
    def go():
        s = load(genius / "anac_y2010_Travel")
        m = mechanism(s, BoulwareTBNegotiator, BoulwareTBNegotiator, 1000)
        m.step()
    return best_of(go, repeat)[0]


def opponent(scenario: Scenario, repeat: int, offers: int = 50) -> float:
    outcomes = list(scenario.outcome_space.enumerate())
    holder = AspirationNegotiator(name="holder")
    m = SAOMechanism(outcome_space=scenario.outcome_space, n_steps=100, time_limit=None)
    m.add(holder, ufun=scenario.ufuns[0])
    m.add(BoulwareTBNegotiator(name="other"), ufun=scenario.ufuns[1])

    def go():
        model = FrequencyLinearUFunModel()
        model.set_negotiator(holder)
        model.on_preferences_changed([])
        for k in range(offers):
            model._observe(outcomes[(k * 7919) % len(outcomes)])
            [model.eval(o) for o in outcomes]
    return best_of(go, repeat)[0] / offers


def tournament(genius: Path, repeat: int) -> dict:
    scenarios = [load(genius / d) for d in ("anac_y2012_CameraC",
                                            "anac_y2012_EnglandvsZimbabweA")]
    agents = [BoulwareTBNegotiator, LinearTBNegotiator, ConcederTBNegotiator,
              AspirationNegotiator]

    def go():
        with tempfile.TemporaryDirectory() as tmp:
            results = cartesian_tournament(
                competitors=agents, scenarios=scenarios, n_steps=100, rotate_ufuns=True,
                self_play=True, n_repetitions=1, njobs=-1, path=Path(tmp) / "t",
                verbosity=0, save_stats=False, save_scenario_figs=False, plot_fraction=0.0,
                randomize_runs=False)
            return len(results.details)
    seconds, count = best_of(go, repeat)
    return {"seconds": seconds, "negotiations": count}


def main() -> None:
    genius = Path(sys.argv[1])
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    quick = "--quick" in sys.argv
    camera = load(genius / "anac_y2012_CameraC")
    out = {
        "sao": timed_run(camera, BoulwareTBNegotiator, BoulwareTBNegotiator, 1000, repeat),
        "nice_tft": timed_run(camera, NiceTitForTatNegotiator, BoulwareTBNegotiator, 100,
                              1 if quick else repeat),
        "opponent_seconds": opponent(camera, repeat),
        "setup_seconds": setup(genius, 1 if quick else repeat),
        "tournament": tournament(genius, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
