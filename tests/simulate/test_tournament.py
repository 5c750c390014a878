"""Tournaments (redline.simulate.tournament, pipeline.run_tournament, `redline tournament`).

The specification: the Cartesian product strategies^A x scenarios x rotations x repetitions,
each negotiation the same as a direct simulation of its match (role rotation as NegMAS's
``rotate_ufuns``), its metrics those of :mod:`redline.simulate.metrics` for that negotiation
alone, the ranking the mean advantage per strategy, and byte-identical JSON whatever runs it.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from redline import pipeline
from redline.errors import RedlineError
from redline.io.genius import read_genius_folder
from redline.simulate import parse, simulate
from redline.simulate.metrics import negotiation_metrics
from redline.simulate.space import from_domain
from redline.simulate.tournament import (
    MAX_MATCHES,
    TournamentConfig,
    dask_runner,
    matches,
    pairings,
    rotations,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "genius"
CONFIG = DATA.parent / "tournament" / "time-based.yaml"  # the docs' 64-negotiation tournament
DOMAINS = ("anac_y2012_CameraC", "anac_y2012_EnglandvsZimbabweA")
NAMES = tuple(f"../genius/{name}" for name in DOMAINS)  # as the configuration names them
TIME_BASED = ["boulware", "linear", "conceder", "aspiration"]


def write_config(folder: Path, text: str) -> Path:
    for name in DOMAINS:
        link = folder / name
        if not link.exists():
            link.symlink_to(DATA / name, target_is_directory=True)
    path = folder / "tournament.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASIC = """\
strategies: [boulware, linear, conceder, aspiration]
scenarios: [anac_y2012_CameraC, anac_y2012_EnglandvsZimbabweA]
steps: 100
"""


@pytest.fixture(scope="module")
def basic():
    return CONFIG, pipeline.run_tournament(CONFIG)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "redline", "tournament", *args],
                          capture_output=True, text=True, timeout=300)


def test_pairings_and_rotations_are_the_cartesian_product():
    assert pairings(3, 2) == list(itertools.product(range(3), repeat=2))
    assert pairings(3, 2, self_play=False) == [p for p in itertools.product(range(3), repeat=2)
                                               if p[0] != p[1]]
    assert rotations(3, True) == [(0, 1, 2), (2, 0, 1), (1, 2, 0)]  # NegMAS rotate_ufuns(k)
    assert rotations(3, False) == [(0, 1, 2)]


def test_the_64_negotiation_tournament(basic):
    path, result = basic
    # 4 time-based agents x 2 domains, role rotation: 4^2 pairings x 2 rotations x 2 = 64.
    assert result.negotiations == 64
    data = result.to_dict()
    assert [s["negotiations"] for s in data["scenarios"]] == [32, 32]
    assert len(data["results"]) == 64
    seen = {(r["scenario"], r["pairing"], r["rotation"]) for r in data["results"]}
    assert len(seen) == 64
    # Every strategy sits in every role of every domain, first and second.
    for strategy in TIME_BASED:
        for scenario in NAMES:
            seats = {(a["actor"], a["actor"] == r["first"]) for r in data["results"]
                     if r["scenario"] == scenario for a in r["agents"]
                     if a["strategy"] == strategy}
            assert len(seats) == 4


def test_each_negotiation_is_its_match_simulated_directly(basic):
    path, result = basic
    data = result.to_dict()
    for name, scenario in zip(DOMAINS, NAMES, strict=True):
        space = from_domain(read_genius_folder(DATA / name))
        rows = [r for r in data["results"] if r["scenario"] == scenario]
        for row in rows:
            first = space.actors.index(row["first"])
            order = [first, 1 - first]  # position 0 moves first
            by_actor = {a["actor"]: a["strategy"] for a in row["agents"]}
            strategies = [parse(by_actor[space.actors[a]]) for a in order]
            direct = simulate(space.select(order), strategies, steps=100)
            want = (space.package(int(direct.agreement[0])) if direct.agreement[0] >= 0
                    else None)
            assert row["agreement"] == want
            assert row["step"] == int(direct.step[0])
            utilities = [a["utility"] for a in row["agents"]]
            assert utilities == pytest.approx(direct.utilities[0][np.argsort(order)], abs=1e-12)
            alone = negotiation_metrics(space.utilities, space.reservation, space.allowed,
                                        np.array([-1 if want is None
                                                  else int(direct.agreement[0])])).row(0)
            for key in ("welfare", "pareto_distance", "nash_distance", "ks_distance"):
                assert row[key] == alone[key]
            assert [a["advantage"] for a in row["agents"]] == alone["advantage"]


def test_the_ranking_is_the_mean_advantage_per_strategy(basic):
    path, result = basic
    data = result.to_dict()
    means = {}
    for s in TIME_BASED:
        seats = [a["advantage"] for r in data["results"] for a in r["agents"]
                 if a["strategy"] == s]
        assert len(seats) == 32
        means[s] = float(np.mean(seats))
    ranking = data["ranking"]
    assert [r["strategy"] for r in ranking] == sorted(means, key=lambda s: -means[s])
    for r in ranking:
        assert r["mean"] == pytest.approx(means[r["strategy"]], abs=1e-12)
        assert r["low"] <= r["mean"] <= r["high"]
    assert ranking[-1]["strategy"] == "conceder"  # concedes most against every opponent


def test_same_seed_same_bytes_and_repetitions(tmp_path: Path, basic):
    path, result = basic
    again = pipeline.run_tournament(path)
    assert json.dumps(again.to_dict()) == json.dumps(result.to_dict())
    assert result.to_dict()["scenarios"][0]["name"] == NAMES[0]
    stochastic = write_config(tmp_path, BASIC + "repetitions: 3\nbreakdown: 0.02\nseed: 7\n")
    one = pipeline.run_tournament(stochastic).to_dict()
    two = pipeline.run_tournament(stochastic).to_dict()
    assert json.dumps(one) == json.dumps(two)
    assert one["negotiations"] == 192
    reasons = {r["reason"] for r in one["results"]}
    assert "breakdown" in reasons  # breakdown varies across repetitions and matches


@pytest.mark.parametrize("workers", [1, 2])
def test_dask_gives_the_same_bytes_as_in_process(basic, workers):
    pytest.importorskip("dask.distributed")
    path, result = basic
    on_dask = pipeline.run_tournament(path, executor=dask_runner(workers=workers))
    assert json.dumps(on_dask.to_dict()) == json.dumps(result.to_dict())


def test_cli_json_terminal_and_an_existing_cluster(basic):
    path, result = basic
    done = run_cli(str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(result.to_dict()))
    shown = run_cli(str(path), "--rows", "3")
    assert shown.returncode == 0, shown.stderr
    assert "Ranking by mean advantage" in shown.stdout
    assert "3 of 64 negotiations shown" in shown.stdout


def test_cli_on_an_existing_dask_cluster(basic):
    distributed = pytest.importorskip("dask.distributed")
    path, result = basic
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        done = pipeline.run_tournament(path, executor=dask_runner(
            scheduler=cluster.scheduler_address))
    assert json.dumps(done.to_dict()) == json.dumps(result.to_dict())


def test_named_agents_of_a_scenario(tmp_path: Path):
    examples = Path(__file__).resolve().parents[2] / "src" / "redline" / "examples"
    path = tmp_path / "t.yaml"
    path.write_text(f"strategies: [boulware, conceder]\nscenarios:\n"
                    f"  - path: {examples / 'donbas-2026.yaml'}\n"
                    f"    agents: [Ukraine, russia]\nrotate: false\n", encoding="utf-8")
    data = pipeline.run_tournament(path).to_dict()
    assert data["negotiations"] == 4
    assert data["scenarios"][0]["actors"] == ["ukraine", "russia"]  # the order given
    assert {r["first"] for r in data["results"]} == {"ukraine"}


BAD = [
    ("strategies: [boulware, bolware]\nscenarios: [anac_y2012_CameraC]\n",
     "tournament.yaml:1: strategies[1]: unknown strategy 'bolware'"),
    ("strategies: [boulware]\nscenarios: [anac_y2012_CameraC]\nstepz: 3\n",
     "tournament.yaml:3: stepz: unknown field"),
    ("strategies: [boulware]\nscenarios: [anac_y2012_CameraC]\nsteps: 0\n",
     "tournament.yaml:3: steps: Input should be greater than or equal to 1"),
    ("strategies: [boulware]\nscenarios:\n  - anac_y2012_CameraC\n  - 3\n",
     "tournament.yaml:4: scenarios[1]: must be a path, or a mapping"),
    ("strategies: [boulware]\nscenarios:\n  - path: anac_y2012_CameraC\n    agents: [a, b]\n",
     "tournament.yaml:4: scenarios[0].agents[0]: unknown actor 'a'"),
    ("strategies: [boulware]\nscenarios: [missing-folder]\n",
     "missing-folder: no such file or folder"),
    ("strategies: [boulware]\nstrategies: [linear]\nscenarios: [anac_y2012_CameraC]\n",
     "duplicate key"),
    ("- boulware\n", "expected a mapping with strategies: and scenarios:"),
    ("strategies: [boulware, linear]\nscenarios: [anac_y2012_CameraC]\nrepetitions: 10000\n"
     "steps: 100000\n", "tournament.yaml:4: steps: 16,000,000,000 negotiation turns, above "
     "the limit"),
    ("strategies: [boulware, linear, conceder, aspiration, timebased:2]\n"
     "scenarios: [anac_y2012_CameraC]\nrepetitions: 10000\n",
     "tournament.yaml:3: repetitions: 500,000 negotiations, above the limit of 200,000"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_configurations_are_one_located_line(tmp_path: Path, text: str, message: str):
    path = write_config(tmp_path, text)
    with pytest.raises(RedlineError) as caught:
        pipeline.load_tournament(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path):
    path = write_config(tmp_path, BAD[0][0])
    done = run_cli(str(path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "unknown strategy 'bolware'" in done.stderr
    assert done.stdout == ""
    assert run_cli(str(tmp_path / "none.yaml")).returncode == 2
    assert run_cli(str(path), "--workers", "1", "--scheduler", "tcp://x:1").returncode == 2


def test_too_many_pairings_are_refused_before_they_are_listed():
    many = TournamentConfig(strategies=[f"timebased:{e}" for e in range(1, 41)],
                            scenarios=["x"])
    with pytest.raises(RedlineError, match="matches") as caught:
        matches(many, [6])  # 40^6 pairings: refused from the count alone
    assert caught.value.hint and "fewer strategies" in caught.value.hint
    assert MAX_MATCHES < 40 ** 6


def test_library_api(basic):
    import redline

    path, result = basic
    got = redline.tournament(path)
    assert got.to_dict() == result.to_dict()
    assert "64 negotiations" in repr(got)
