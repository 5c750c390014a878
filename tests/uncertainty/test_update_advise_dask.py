"""``update`` and ``advise`` on Dask: the same seed gives byte-identical JSON in process and on
a Dask cluster of 1 and 2 worker processes (issue 10, section 6).

Every chunked pass of both commands goes through one chunk map
(:mod:`redline.uncertainty.executors`): the posterior's likelihood over chunks of particles
(the first pass and every resample-move step), the pass of the kernel over every package and
``advise``'s ranking and reasons. The draws here are chosen so that every pass has several
chunks (above the likelihood's 4,096 particles per chunk and ``advise``'s per-chunk draws),
and Colombia's rounds take the resample-move path, so the move steps run on the workers too.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import redline
from redline.cli import app
from redline.scenario.load import load_scenario
from redline.uncertainty.executors import chunk_map, map_in_process
from redline.uncertainty.posterior import posterior

runner = CliRunner()
DRAWS = "9000"  # three chunks of particles in every pass


@pytest.fixture(scope="module", params=[1, 2], ids=["1-worker", "2-workers"])
def scheduler(request):
    """The address of a local Dask cluster of worker processes (as the sweep tests start one,
    with processes: every chunk crosses a pickle)."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=request.param, threads_per_worker=1,
                                  processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _cli(*args: str) -> str:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_update_json_is_byte_identical_on_dask(examples: Path, scheduler: str):
    args = ("update", str(examples / "colombia-2016.yaml"), "--draws", DRAWS, "--seed", "5")
    local = _cli(*args)
    data = json.loads(local)
    assert data["method"] == "smc" and data["diagnostics"]["resamples"] >= 1
    assert data["diagnostics"]["move_steps"] >= 1
    assert _cli(*args, "--scheduler", scheduler) == local


@pytest.mark.parametrize("file, actor, objective", [
    ("donbas-2026.yaml", "us", "accept"),  # every package of the space
    ("colombia-2016.yaml", "government", "probe"),  # on the resample-move posterior
])
def test_advise_json_is_byte_identical_on_dask(examples: Path, scheduler: str, file, actor,
                                               objective):
    args = ("advise", str(examples / file), "--for", actor, "--objective", objective,
            "--draws", DRAWS, "--seed", "3")
    assert _cli(*args, "--scheduler", scheduler) == _cli(*args)


def test_the_library_api_takes_the_same_executor(examples: Path, scheduler: str):
    neg = redline.load(examples / "colombia-2016.yaml")
    for run in (lambda **kw: neg.update(draws=5000, seed=2, **kw),
                lambda **kw: neg.advise("government", draws=5000, seed=2, top=3, **kw)):
        local = json.dumps(run().to_dict())
        assert json.dumps(run(scheduler=scheduler).to_dict()) == local


def _shuffled(order_seed: int):
    """A chunk map that computes the chunks in a random order (as workers finish in any
    order) and hands them back in item order, as every chunk map must."""
    def run(function, shared, items):
        items = list(items)
        order = np.random.default_rng(order_seed).permutation(len(items))
        done = {int(k): function(shared, items[k]) for k in order}
        return iter([done[k] for k in range(len(items))])
    return run


def test_the_chunks_are_pure_so_their_order_of_computation_changes_nothing(examples: Path):
    scenario = load_scenario(examples / "colombia-2016.yaml")
    here = posterior(scenario, draws=9000, seed=1)
    there = posterior(scenario, draws=9000, seed=1, executor=_shuffled(4))
    assert here.method == "smc"
    np.testing.assert_array_equal(here.uniforms, there.uniforms)
    np.testing.assert_array_equal(here.weights, there.weights)


def test_without_workers_or_scheduler_the_map_is_in_process():
    with chunk_map() as run:
        assert run is map_in_process
    assert list(map_in_process(lambda shared, item: shared + item, 10, [1, 2])) == [11, 12]


@pytest.mark.parametrize("command", [
    ["update", "colombia-2016.yaml"],
    ["advise", "colombia-2016.yaml", "--for", "government"],
])
def test_workers_and_scheduler_together_are_one_clear_line(examples: Path, command):
    file = str(examples / command[1])
    result = runner.invoke(app, [command[0], file, *command[2:], "--workers", "1",
                                 "--scheduler", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2
    assert "--workers" in result.stderr and "cannot be combined" in result.stderr
    assert "Traceback" not in result.output


def test_the_api_refuses_workers_and_scheduler_together(examples: Path):
    neg = redline.load(examples / "colombia-2016.yaml")
    with pytest.raises(redline.RedlineError, match="cannot be combined"):
        neg.update(draws=10, workers=1, scheduler="tcp://127.0.0.1:8786")
