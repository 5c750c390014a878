"""The sweep on a posterior's weighted particles: one kernel path, weighted sums."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from redline.scenario.load import load_scenario
from redline.uncertainty.posterior import posterior
from redline.uncertainty.sweep import sweep
from redline.uncertainty.update import acceptability

ROOT = Path(__file__).resolve().parents[2]
DONBAS = load_scenario(ROOT / "examples" / "donbas-2026.yaml")
CEASEFIRE = load_scenario(ROOT / "tests" / "data" / "rounds" / "ceasefire-rounds.yaml")
# Equal weights through the weighted path add the same counts in another order (float sums
# of ones scaled by D / D): they agree to rounding.
ROUNDING = 1e-12


def _close(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _close(a[key], b[key])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _close(x, y)
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=ROUNDING, abs=ROUNDING)
    else:
        assert a == b


@pytest.mark.parametrize("scenario", [DONBAS, CEASEFIRE], ids=["donbas", "ceasefire"])
def test_equal_weights_through_the_weighted_path_give_the_plain_sweep(scenario):
    prior = posterior(scenario, draws=400, seed=3, until="1900-01-01")
    assert prior.is_prior
    plain = sweep(scenario, draws=400, seed=3).to_dict()
    same = sweep(scenario, draws=400, seed=3, posterior=prior).to_dict()
    assert same.pop("posterior")["method"] == "prior"
    # the same equal weights, summarised as weighted ones
    pretend = replace(prior, rounds=("pretend",))
    weighted = sweep(scenario, draws=400, seed=3, posterior=pretend).to_dict()
    weighted.pop("posterior")
    for data in (plain, same, weighted):
        data.pop("timings")
    assert same == plain
    # weighted quantiles invert the empirical CDF where numpy interpolates: compare the means
    for data in (plain, weighted):
        data["forecast"] = {k: v["mean"] for k, v in data.pop("forecast").items()}
        # inputs whose correlations tie to rounding may swap places: compare by input
        data["sensitivity"] = {row["input"]: row for row in data.pop("sensitivity")}
    _close(plain, weighted)


def test_a_posterior_sweep_weighs_every_share():
    post = posterior(CEASEFIRE, draws=600, seed=2)
    result = sweep(CEASEFIRE, draws=600, seed=2, posterior=post)
    agreement, acceptable = acceptability(CEASEFIRE, post.draws, post.weights[:, None])
    assert result.p_agreement == pytest.approx(agreement[0], abs=ROUNDING)
    np.testing.assert_allclose(result.acceptable / 600, acceptable[:, 0], atol=ROUNDING)
    data = result.to_dict()
    assert data["posterior"]["rounds"] == list(post.rounds)
    assert data["posterior"]["ess"] == pytest.approx(post.ess)
    low, high = result.p_agreement_interval
    assert low <= result.p_agreement <= high
    total = sum(row["probability"] for row in result.solution_distribution(result.nash, 10**6))
    assert total == pytest.approx(1.0)


def test_a_posterior_sweep_on_dask_gives_the_same_json():
    pytest.importorskip("dask.distributed")
    import json

    from redline.uncertainty.executors import dask_executor

    post = posterior(CEASEFIRE, draws=500, seed=8)
    local = sweep(CEASEFIRE, draws=500, seed=8, posterior=post, chunk_size=125).to_dict()
    remote = sweep(CEASEFIRE, draws=500, seed=8, posterior=post, chunk_size=125,
                   executor=dask_executor(workers=2)).to_dict()
    local.pop("timings")
    remote.pop("timings")
    assert json.dumps(local, sort_keys=True) == json.dumps(remote, sort_keys=True)
