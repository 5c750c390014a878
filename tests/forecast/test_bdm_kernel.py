"""The compiled (numba) BDM engine against the numpy engine and the published rounds."""

from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from redline.errors import RedlineError
from redline.forecast import bdm
from redline.forecast.bdm import BDM2002Model, BDMScholzModel
from redline.io.actors_csv import read_actors_csv

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed")

BDM_DIR = Path(__file__).resolve().parents[1] / "data" / "bdm"  # tests/data/bdm


# Where numpy's exp/log are the C library's (which the kernel calls), the engines must agree
# bit for bit; elsewhere (numpy's own AVX-512 exp/log) within bdm.ENGINE_RTOL of the scale.
EXACT = bdm.numpy_exp_log_match_math()

VARIANTS = [
    (BDMScholzModel, {}),
    (BDMScholzModel, {"capitulation_bug": False}),
    (BDMScholzModel, {"q": 0.6}),  # Scholz probabilities with the U_b / U_w terms
    (BDM2002Model, {}),
    (BDM2002Model, {"q": 0.3, "t": 0.8}),
    (BDM2002Model, {"q": 1.0}),
]


def _batch(seed: int, n: int, runs: int = 12):
    rng = np.random.default_rng(seed)
    c = rng.random((runs, n)) + 0.01
    s = rng.random((runs, n))
    x = 100.0 * rng.random((runs, n))
    grid = rng.random(runs) < 0.5  # ties and equal distances on half of the runs
    x[grid] = rng.choice([0.0, 25.0, 50.0, 75.0, 100.0], (int(grid.sum()), n))
    s[rng.random((runs, n)) < 0.15] = 0.0  # zero saliences
    s[0] = 0.0  # a run with no weight at all
    c[1] = 0.0
    x[2] = 42.0  # everybody agrees
    x[3, : n // 2] = x[3, 0]  # one block of identical positions
    x[4, -1] = x[4, 0]  # a late duplicate of the first actor
    s[4, -1], c[4, -1] = s[4, 0], c[4, 0]
    return c, x, s


def _assert_same(got: bdm.BDMBatchResult, want: bdm.BDMBatchResult) -> None:
    """The engines' contract: equal bits where the probe says so, else ENGINE_RTOL."""
    if EXACT:
        for name in ("positions", "risk", "median", "mean"):
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
        return
    scale = np.abs(want.positions[:, 0]).max(axis=1)  # the starting positions
    for name in ("positions", "median", "mean"):
        a, b = getattr(got, name), getattr(want, name)
        gap = np.abs(a - b).reshape(len(scale), -1).max(axis=1)
        worst = int(np.argmax(gap - bdm.ENGINE_RTOL * scale))
        assert np.all(gap <= bdm.ENGINE_RTOL * scale), (
            f"{name}: run {worst} differs by {gap[worst]:.3g} on a scale of {scale[worst]:.3g}")
    # The first risk stage takes no exp/log; later risk exponents carry no promised tolerance.
    np.testing.assert_array_equal(got.risk[:, :1], want.risk[:, :1])


def test_the_exp_log_probe_agrees_with_a_direct_comparison():
    # Other arguments than the probe's own: numpy on an array, math one value at a time.
    rng = np.random.default_rng(7)
    cases = [(np.exp, math.exp, -40.0 * rng.random(3000)), (np.log, math.log, rng.random(3000)),
             (np.exp2, math.exp2, -2.0 * rng.random(3000))]
    same = all(np.array_equal(vectorised(args), [scalar(a) for a in args])
               for vectorised, scalar, args in cases)
    assert bdm.numpy_exp_log_match_math() == same


@needs_numba
@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 8, 9, 16, 17, 23, 31, 40])
@pytest.mark.parametrize("model_cls, kwargs", VARIANTS)
def test_numba_engine_equals_numpy_engine(n, model_cls, kwargs):
    c, x, s = _batch(1000 + n, n)
    fast = model_cls(rounds=10, engine="numba", chunk_size=5, **kwargs)
    slow = model_cls(rounds=10, engine="numpy", chunk_size=5, **kwargs)
    quick, plain = fast.run_batch(c, x, s), slow.run_batch(c, x, s)
    assert quick.engine == "numba" and plain.engine == "numpy"
    _assert_same(quick, plain)


@needs_numba
@pytest.mark.parametrize("seed", range(8))
def test_numba_engine_equals_numpy_engine_on_mixed_batches(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 41))
    c, x, s = _batch(seed, n, runs=40)
    for model_cls, kwargs in VARIANTS:
        for chunk in (7, 64):
            fast = model_cls(rounds=8, engine="numba", chunk_size=chunk, **kwargs)
            slow = model_cls(rounds=8, engine="numpy", chunk_size=chunk, **kwargs)
            _assert_same(fast.run_batch(c, x, s), slow.run_batch(c, x, s))


@needs_numba
def test_numba_threads_give_the_same_numbers():
    c, x, s = _batch(5, 25, runs=30)
    for model_cls, kwargs in VARIANTS[:4]:
        one = model_cls(rounds=6, engine="numba", **kwargs).run_batch(c, x, s)
        two = model_cls(rounds=6, engine="numba", workers=2, **kwargs).run_batch(c, x, s)
        np.testing.assert_array_equal(one.positions, two.positions)
        np.testing.assert_array_equal(one.risk, two.risk)


@needs_numba
def test_numba_engine_broadcasts_capability_and_salience_rows():
    c, x, s = _batch(9, 10)
    fast = BDM2002Model(rounds=4, engine="numba").run_batch(c[5], x, s[5])
    slow = BDM2002Model(rounds=4, engine="numpy").run_batch(c[5], x, s[5])
    _assert_same(fast, slow)


@needs_numba
def test_numba_engine_reproduces_the_published_scholz_rounds():
    table = read_actors_csv(BDM_DIR / "eu_car_emissions_1994_actors.csv")
    c, x, s = table.capability, table.position[:, 0], table.salience[:, 0]
    with (BDM_DIR / "eu_car_emissions_1994_scholz_rounds.csv").open() as handle:
        ref = list(csv.DictReader(handle))
    forecast = BDMScholzModel(engine="numba").run(c, x, s, actors=table.actors)
    assert forecast.options["engine"] == "numba"
    assert forecast.turns == 10 == len(ref) - 1
    np.testing.assert_allclose(forecast.median[:, 0], [float(r["median"]) for r in ref],
                               atol=5e-5)
    np.testing.assert_allclose(forecast.mean[:, 0], [float(r["mean"]) for r in ref], atol=5e-5)


@needs_numba
def test_auto_engine_picks_numba_for_large_float64_batches_only():
    rng = np.random.default_rng(0)
    big = (rng.random((bdm.AUTO_NUMBA_RUNS, 5)), 100 * rng.random((bdm.AUTO_NUMBA_RUNS, 5)),
           rng.random((bdm.AUTO_NUMBA_RUNS, 5)))
    model = BDMScholzModel(rounds=2)
    assert model.options()["engine"] == "auto"
    assert model.run_batch(*big).engine == "numba"
    small = model.run_batch(*(a[:3] for a in big))  # numpy is quicker than numba's load here
    assert small.engine == "numpy"
    assert model.options()["engine"] == "auto"  # the result says which ran, not the model
    float32 = BDM2002Model(rounds=2, dtype="float32")
    assert float32.run_batch(*big).engine == "numpy"
    assert BDM2002Model(engine="numpy").options()["engine"] == "numpy"
    with pytest.raises(RedlineError):
        BDMScholzModel(engine="numba", dtype="float32")


def test_engine_option_errors(monkeypatch):
    with pytest.raises(RedlineError):
        BDMScholzModel(engine="cuda")
    monkeypatch.setattr(bdm, "_numba_kernel", lambda: None)  # as if numba were missing
    with pytest.raises(RedlineError) as info:
        BDM2002Model(engine="numba")
    assert "redline[fast]" in str(info.value.hint)
    model = BDMScholzModel()
    out = model.run_batch(np.ones((300, 2)), np.tile([0.0, 10.0], (300, 1)), 0.5)
    assert out.engine == "numpy"  # auto falls back to numpy without numba
    assert out.positions.shape == (300, 11, 2)


def test_a_forecast_reports_the_engine_that_ran_and_the_model_keeps_no_state():
    model = BDM2002Model(rounds=3)
    before = dict(vars(model))
    forecast = model.run([1.0, 2.0, 1.5], [[0.0], [60.0], [100.0]], [[0.5], [0.9], [0.4]])
    assert forecast.options["engine"] == "numpy"  # one issue: numpy (numba only pays off later)
    assert forecast.to_dict()["options"]["engine"] == "numpy"
    assert vars(model) == before and model.options()["engine"] == "auto"
