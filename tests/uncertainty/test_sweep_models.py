"""Every registered forecast model runs in a sweep, through the registry, reproducibly."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import RedlineError
from redline.forecast.registry import model_names
from redline.scenario.compile import compile_batch
from redline.scenario.load import parse_scenario
from redline.uncertainty.sweep import in_process, make_plan, merge_parts, run_chunk, sample, sweep

runner = CliRunner()

# How far a one-draw sweep may be from `redline forecast`, on the 0-100 scale. Only BDM can
# differ at all: a sweep batches more one-issue runs, so its numba engine may run where the
# single forecast runs the numpy one, and they agree within 1e-10 of the scale (4e-12
# measured), i.e. 1e-8 here; every other model gives the same numbers bit for bit.
ONE_DRAW_TOLERANCE = 1e-8
# How far a forecast may leave the actors' position range: SMP rounds its bargains to 0.01 on
# the 0-100 scale (as KTAB does), so by at most half of that; every other model stays inside
# up to rounding.
RANGE_SLACK = 0.005 + 1e-9

# Nothing uncertain: no distributions, no claims. A's saliences sum to 1.5, so SMP (which
# reads shares of attention) gets them divided by 1.5, in the sweep as in `redline forecast`.
FIXED = """\
scenario: {id: fixed}
actors:
  - {id: a, name: A, capability: 3}
  - {id: b, name: B, capability: 1}
  - {id: c, name: C, capability: 2}
  - {id: d, name: D, capability: 1.5}
issues:
  - id: x
    name: X
    options: [{label: lo, value: 0}, {label: mid, value: 50}, {label: hi, value: 100}]
  - {id: y, name: Y, scale: {step: 10}}
positions:
  a: {x: {position: 10, salience: 0.9}, y: {position: 80, salience: 0.6}}
  b: {x: {position: 90, salience: 0.3}, y: {position: 20, salience: 0.5}}
  c: {x: {position: 55, salience: 0.6}, y: {position: 45, salience: 0.2}}
  d: {x: {position: 35, salience: 0.4}, y: {position: 65, salience: 0.4}}
"""

# The same negotiation with uncertain capabilities, positions and saliences, and a claim that
# moves an actor.
UNCERTAIN = """\
scenario: {id: uncertain}
sources:
  - {id: s, name: S}
claims:
  - id: b-moves
    text: "B softens on Y"
    reported_by: [s]
    probability: 0.4
    if_true:
      - {actor: b, issue: y, position: 60}
actors:
  - {id: a, name: A, capability: {uniform: [1, 4]}}
  - {id: b, name: B, capability: 1}
  - {id: c, name: C, capability: {triangular: [1, 2, 3]}}
  - {id: d, name: D, capability: 1.5}
issues:
  - id: x
    name: X
    options: [{label: lo, value: 0}, {label: mid, value: 50}, {label: hi, value: 100}]
  - {id: y, name: Y, scale: {step: 10}}
positions:
  a: {x: {position: {uniform: [0, 30]}, salience: 0.9}, y: {position: 80, salience: 0.6}}
  b: {x: {position: 90, salience: {uniform: [0.1, 0.9]}}, y: {position: 20, salience: 0.5}}
  c: {x: {position: 55, salience: 0.6}, y: {position: {triangular: [30, 45, 70]},
                                          salience: 0.2}}
  d: {x: {position: 35, salience: 0.4}, y: {position: 65, salience: {uniform: [0.2, 1]}}}
"""

MODELS = model_names()


def scenario_from(text: str):
    return parse_scenario(text.encode(), "test.yaml")


def test_every_registered_model_is_tested():
    assert {"compromise", "mean", "median", "median-unweighted", "nash", "bdm", "bdm-scholz",
            "best", "smp"} <= set(MODELS)


@pytest.mark.parametrize("model", MODELS)
def test_one_draw_of_a_fixed_scenario_equals_redline_forecast(tmp_path: Path, model: str):
    path = tmp_path / "fixed.yaml"
    path.write_text(FIXED)
    single = runner.invoke(app, ["forecast", str(path), "--model", model, "--json"])
    assert single.exit_code == 0, single.output
    expected = np.array(json.loads(single.stdout)["forecast"])
    result = sweep(scenario_from(FIXED), draws=3, seed=5, model=model)
    assert result.forecast.shape == (3, 2)
    # Every draw is the same scenario, so every draw gives the one forecast.
    np.testing.assert_allclose(result.forecast, np.broadcast_to(expected, (3, 2)), rtol=0,
                               atol=ONE_DRAW_TOLERANCE)


@pytest.mark.parametrize("model", MODELS)
def test_forecasts_are_finite_and_within_the_positions_of_their_draw(model: str):
    plan = make_plan(scenario_from(UNCERTAIN), model=model)
    size = 40
    draws, _ = sample(plan, seed=3, chunk=0, size=size)
    position = compile_batch(plan.scenario, draws).position  # (draws, actors, issues)
    forecast = run_chunk(plan, 3, 0, size)["forecast"]
    assert forecast.shape == (size, 2)
    assert np.all(np.isfinite(forecast))
    assert np.all(forecast >= position.min(axis=1) - RANGE_SLACK)
    assert np.all(forecast <= position.max(axis=1) + RANGE_SLACK)
    # The draws differ, and so do the forecasts (no draw is silently given another's).
    assert np.unique(forecast, axis=0).shape[0] > 1


def _reversed_workers(plan, seed, chunks, progress=None):
    """An executor that runs the chunks last first, each on its own copy of the plan (as
    separate workers would), and folds them in chunk order."""
    import pickle

    done = {}
    for chunk, size in reversed(chunks):
        done[chunk] = run_chunk(pickle.loads(pickle.dumps(plan)), seed, chunk, size)
    return [merge_parts(done[chunk] for chunk, _ in chunks)]


@pytest.mark.parametrize("model", MODELS)
def test_same_seed_same_numbers_whatever_the_order_and_workers_of_chunks(model: str):
    scenario = scenario_from(UNCERTAIN)
    # 5 chunks of 7 draws and one of 2.
    runs = [sweep(scenario, draws=37, seed=21, model=model, chunk_size=7, executor=executor)
            for executor in (in_process, in_process, _reversed_workers)]
    other = sweep(scenario, draws=37, seed=22, model=model, chunk_size=7)
    texts = []
    for result in [*runs, other]:
        data = result.to_dict()
        data.pop("timings")
        texts.append(json.dumps(data, sort_keys=True))
    assert texts[0] == texts[1] == texts[2]
    assert texts[0] != texts[3]
    assert np.array_equal(runs[0].forecast, runs[2].forecast)


@pytest.fixture(scope="module")
def dask_scheduler():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("model", MODELS)
def test_dask_workers_give_the_in_process_numbers(dask_scheduler, model: str):
    from redline.uncertainty.executors import dask_executor

    scenario = scenario_from(UNCERTAIN)
    local = sweep(scenario, draws=30, seed=8, model=model, chunk_size=8)
    remote = sweep(scenario, draws=30, seed=8, model=model, chunk_size=8,
                   executor=dask_executor(scheduler=dask_scheduler))
    assert np.array_equal(local.forecast, remote.forecast)
    a, b = local.to_dict(), remote.to_dict()
    a.pop("timings")
    b.pop("timings")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.parametrize("model", MODELS)
def test_cli_sweep_runs_every_model(examples: Path, model: str):
    result = runner.invoke(app, ["sweep", str(examples / "donbas-2026.yaml"), "--draws", "20",
                                 "--model", model, "--json", "--no-progress"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == model
    assert set(data["forecast"]) == {"donbas", "guarantees", "weapons", "zaporizhzhia",
                                     "referendum"}
    for row in data["forecast"].values():
        assert all(np.isfinite(v) and -RANGE_SLACK <= v <= 100 + RANGE_SLACK
                   for v in row.values())


def test_an_unknown_model_is_refused_before_any_work():
    with pytest.raises(RedlineError, match="unknown model 'nope'"):
        make_plan(scenario_from(FIXED), model="nope")


def test_cli_sweep_unknown_model_is_one_line(examples: Path):
    result = runner.invoke(app, ["sweep", str(examples / "donbas-2026.yaml"), "--draws", "5",
                                 "--model", "nope", "--no-progress"])
    assert result.exit_code == 2
    assert "nope" in result.stderr and "Traceback" not in result.stderr
