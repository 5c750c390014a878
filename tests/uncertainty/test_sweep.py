"""Monte Carlo sweeps: known answers, reproducibility across executors, clear errors."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import RedlineError
from redline.scenario.compile import to_domain
from redline.scenario.load import parse_scenario
from redline.space.engine import analyze
from redline.uncertainty.claims import claim_probability
from redline.uncertainty.sweep import sweep

runner = CliRunner()

# One claim decides everything: if true, A refuses every package.
CLAIM_DECIDES = """\
scenario: {id: decides}
sources:
  - {id: s, name: S}
claims:
  - {id: veto, text: "A walks away", reported_by: [s], probability: 0.3}
actors:
  - {id: a, name: A, capability: 1}
  - {id: b, name: B, capability: 1}
issues:
  - id: x
    name: X
    options: [{label: lo, value: 0}, {label: hi, value: 100}]
positions:
  a: {x: {position: 0, salience: 1}}
  b: {x: {position: 100, salience: 1}}
red_lines:
  - {id: a-walks, actor: a, claim: veto, require: {issue: x, in: []}}
"""


def scenario_from(text: str):
    return parse_scenario(text.encode(), "test.yaml")


def test_claim_with_probability_0_3_gives_agreement_0_7():
    # P(agreement) = P(claim false) = 0.7; 4,000 draws: binomial sd is 0.0072.
    result = sweep(scenario_from(CLAIM_DECIDES.replace("in: []", "not_in: [lo, hi]")),
                   draws=4000, seed=3)
    assert abs(result.p_agreement - 0.7) < 4 * np.sqrt(0.21 / 4000)
    rows = {row["id"]: row for row in result.blocking}
    assert abs(rows["a-walks"]["blocks"] - 0.3) < 4 * np.sqrt(0.21 / 4000)


def test_claim_that_alone_allows_agreement():
    text = CLAIM_DECIDES.replace("claim: veto,", "claim_false: veto,").replace(
        "in: []", "not_in: [lo, hi]")
    result = sweep(scenario_from(text), draws=4000, seed=5)
    assert abs(result.p_agreement - 0.3) < 4 * np.sqrt(0.21 / 4000)


def test_degenerate_distributions_equal_the_deterministic_analysis(examples: Path):
    text = (examples / "donbas-2026.yaml").read_text()
    # Every distribution collapsed to a point; every claim made certain (its assumed branch).
    text = text.replace("{triangular: [0.35, 0.45, 0.65]}", "{uniform: [0.45, 0.45]}")
    text = text.replace("{uniform: [0, 40]}", "{choice: {values: [20]}}")
    text = text.replace("{triangular: [25, 60, 65]}", "{normal: {mean: 60, sd: 0}}")
    text = text.replace("{uniform: [30, 65]}", "{triangular: [60, 60, 60]}")
    scenario = scenario_from(text)
    assume = {"ft-guarantees-for-donbas": True, "ft-weapons-for-withdrawal": False,
              "us-neutral-broker": False, "zelensky-referendum": True,
              "beyond-maximalist": True, "testing-red-lines": True}
    result = sweep(scenario, draws=50, seed=1, assume=assume)
    point = analyze(to_domain(scenario, assume))
    assert result.p_agreement == 1.0
    assert (result.nash == point.solutions["nash"].indices[0]).all()
    assert (result.ks == point.solutions["kalai_smorodinsky"].indices[0]).all()
    acceptable = np.flatnonzero(result.acceptable == result.draws)
    assert acceptable.size == point.acceptable_count


def test_same_seed_same_numbers_and_chunking_does_not_matter(examples: Path):
    scenario = scenario_from((examples / "donbas-2026.yaml").read_text())
    one = sweep(scenario, draws=700, seed=11).to_dict()
    two = sweep(scenario, draws=700, seed=11).to_dict()
    other = sweep(scenario, draws=700, seed=12).to_dict()
    for d in (one, two, other):
        d.pop("timings")
    assert json.dumps(one) == json.dumps(two)
    assert json.dumps(one) != json.dumps(other)


def test_dask_local_cluster_gives_identical_numbers(examples: Path):
    pytest.importorskip("dask.distributed")
    from redline.uncertainty.executors import dask_executor

    scenario = scenario_from((examples / "donbas-2026.yaml").read_text())
    plan_chunk = 250
    local = sweep(scenario, draws=1000, seed=7, chunk_size=plan_chunk).to_dict()
    remote = sweep(scenario, draws=1000, seed=7, chunk_size=plan_chunk,
                   executor=dask_executor(workers=2)).to_dict()
    local.pop("timings")
    remote.pop("timings")
    assert json.dumps(local, sort_keys=True) == json.dumps(remote, sort_keys=True)


def test_reliability_gives_documented_probabilities():
    from redline.scenario.model import Claim

    rel = {"good": 0.8, "bad": 0.2, "even": 0.5, "unknown": None}
    assert claim_probability(Claim(id="c", text="t", reported_by=["good"]), rel) == \
        pytest.approx(0.8)
    # A reporter and a denier of equal reliability cancel out.
    assert claim_probability(Claim(id="c", text="t", reported_by=["good"],
                                   denied_by=["good2"]), {**rel, "good2": 0.8}) == \
        pytest.approx(0.5)
    # Two independent reporters at 0.8: odds 4 x 4 = 16, P = 16/17.
    assert claim_probability(Claim(id="c", text="t", reported_by=["good", "good3"]),
                             {**rel, "good3": 0.8}) == pytest.approx(16 / 17)
    assert claim_probability(Claim(id="c", text="t", reported_by=["unknown", "even"]),
                             rel) == pytest.approx(0.5)
    assert claim_probability(Claim(id="c", text="t", reported_by=["good"], probability=0.1),
                             rel) == pytest.approx(0.1)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.01, 0.99), st.floats(0.01, 0.99))
def test_more_reliable_reporters_raise_the_probability(r1, r2):
    from redline.scenario.model import Claim

    claim = Claim(id="c", text="t", reported_by=["s"])
    lo, hi = sorted([r1, r2])
    assert claim_probability(claim, {"s": lo}) <= claim_probability(claim, {"s": hi}) + 1e-12
    denied = Claim(id="c", text="t", denied_by=["s"])
    assert claim_probability(denied, {"s": hi}) <= claim_probability(denied, {"s": lo}) + 1e-12


def test_sensitivity_ranks_the_input_that_decides(examples: Path):
    text = CLAIM_DECIDES.replace("in: []", "not_in: [lo, hi]").replace(
        "capability: 1}\n  - {id: b", "capability: {uniform: [1, 2]}}\n  - {id: b")
    result = sweep(scenario_from(text), draws=2000, seed=2)
    rows = {row["input"]: row["rho"] for row in result.sensitivity()}
    assert rows["claim:veto"]["agreement"] < -0.9
    assert abs(rows["actors.a.capability"]["agreement"]) < 0.1
    # Capability moves the compromise forecast instead.
    assert abs(rows["actors.a.capability"]["forecast.x"]) > 0.9


def test_cli_json_keys_and_branches(examples: Path):
    result = runner.invoke(app, ["sweep", str(examples / "donbas-2026.yaml"), "--draws", "300",
                                 "--seed", "4", "--json", "--no-progress", "--assume",
                                 "ft-guarantees-for-donbas=true"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("draws", "seed", "p_agreement", "blocking", "forecast", "sensitivity",
                "timings", "integrated"):
        assert key in data
    assert data["draws"] == 300 and data["seed"] == 4
    assert data["claim_probabilities"]["ft-guarantees-for-donbas"] == 1.0
    assert set(data["forecast"]) == {"donbas", "guarantees", "weapons", "zaporizhzhia",
                                     "referendum"}
    assert data["p_agreement"] <= data["integrated"]["p_agreement"]


@pytest.mark.parametrize("args, words", [
    (["--assume", "nope=true"], "unknown claim 'nope'"),
    (["--draws", "0"], "--draws: must be between 1 and 1,000,000 (got 0)"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "cannot be combined"),
])
def test_cli_bad_options(examples: Path, args, words):
    result = runner.invoke(app, ["sweep", str(examples / "donbas-2026.yaml"), "--no-progress",
                                 *args])
    assert result.exit_code == 2
    assert words in result.stderr


def test_huge_space_is_refused_for_sweeps():
    text = """\
actors:
  - {id: a, name: A, capability: 1}
  - {id: b, name: B, capability: 1}
issues:
  - {id: x, name: X, scale: {step: 0.01}}
  - {id: y, name: Y, scale: {step: 0.01}}
positions:
  a: {x: {position: 0, salience: 1}, y: {position: 0, salience: 1}}
  b: {x: {position: 100, salience: 1}, y: {position: 100, salience: 1}}
"""
    with pytest.raises(RedlineError, match="sweeps enumerate every package"):
        sweep(scenario_from(text), draws=10)


def test_cli_on_an_existing_dask_cluster_matches_in_process(examples: Path):
    distributed = pytest.importorskip("dask.distributed")
    args = ["sweep", str(examples / "donbas-2026.yaml"), "--draws", "400", "--seed", "9",
            "--json", "--no-progress"]
    local = runner.invoke(app, args)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = runner.invoke(app, [*args, "--scheduler", cluster.scheduler_address])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    a, b = json.loads(local.stdout), json.loads(remote.stdout)
    a.pop("timings")
    b.pop("timings")
    assert a == b


def test_unreachable_scheduler_is_one_clear_line(examples: Path):
    pytest.importorskip("dask.distributed")
    result = runner.invoke(app, ["sweep", str(examples / "donbas-2026.yaml"), "--draws", "10",
                                 "--no-progress", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler" in result.stderr
