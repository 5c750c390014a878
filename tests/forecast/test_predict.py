"""The batched interface: ``predict`` on many runs equals ``run`` on each, for every model."""

import numpy as np
import pytest

from redline.errors import RedlineError
from redline.forecast.base import ATTENTION_SALIENCE, ISSUE_SALIENCE, salience_for
from redline.forecast.compromise import issue_runs
from redline.forecast.registry import get_model, model_names
from redline.scenario.arrays import attention_shares

# BDM's two engines agree within 1e-10 of the scale, not bit for bit (on CPUs where numpy has
# its own SIMD exp/log), and `auto` picks one by batch size; 1e-8 on the 0-100 scale. Every
# other model is computed by the same operations whatever the batch: exactly equal.
BDM_TOLERANCE = 1e-8
BATCH_DEPENDENT = {"bdm", "bdm-scholz"}


def batch(seed: int, runs: int = 30, n: int = 5, d: int = 3):
    rng = np.random.default_rng(seed)
    c = rng.uniform(0.5, 3.0, (runs, n))
    x = rng.uniform(0.0, 100.0, (runs, n, d))
    x[:, :, 0] = np.round(x[:, :, 0], -1)  # ties on the first dimension
    s = rng.uniform(0.05, 1.0, (runs, n, d))
    return c, x, s


def assert_same(model: str, actual, expected):
    if model in BATCH_DEPENDENT:
        np.testing.assert_allclose(actual, expected, rtol=0, atol=BDM_TOLERANCE)
    else:
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("model", model_names())
@pytest.mark.parametrize("seed", [0, 1])
def test_predict_equals_run_on_each_run(model: str, seed: int):
    m = get_model(model)
    c, x, s = batch(seed)
    s = salience_for(m, s)
    points = m.predict(c, x, s)
    assert points.shape == (30, 3)
    expected = np.stack([m.run(c[r], x[r], s[r]).point for r in range(30)])
    assert_same(model, points, expected)


@pytest.mark.parametrize("model", model_names())
def test_a_run_does_not_depend_on_the_rest_of_its_batch(model: str):
    m = get_model(model)
    c, x, s = batch(7, runs=40)
    s = salience_for(m, s)
    whole = m.predict(c, x, s)
    parts = np.concatenate([m.predict(c[i:i + 9], x[i:i + 9], s[i:i + 9])
                            for i in range(0, 40, 9)])
    assert_same(model, whole, parts)


@pytest.mark.parametrize("model", model_names())
def test_shared_capability_and_salience_broadcast_over_runs(model: str):
    m = get_model(model)
    c, x, s = batch(3, runs=4)
    s = salience_for(m, s)
    shared = m.predict(c[0], x, s[0])
    each = m.predict(np.broadcast_to(c[0], (4, 5)), x, np.broadcast_to(s[0], (4, 5, 3)))
    np.testing.assert_array_equal(shared, each)


@pytest.mark.parametrize("model", model_names())
def test_predict_refuses_bad_shapes_and_values(model: str):
    m = get_model(model)
    c, x, s = batch(4, runs=2)
    s = salience_for(m, s)
    with pytest.raises(RedlineError):
        m.predict(c, x[0], s)  # no run axis
    with pytest.raises(RedlineError):
        m.predict(c[:, :3], x, s)
    bad = x.copy()
    bad[1, 2, 0] = np.nan
    with pytest.raises(RedlineError):
        m.predict(c, bad, s)


def test_issue_runs_are_run_major():
    x = np.arange(2 * 3 * 4, dtype=float).reshape(2, 3, 4)  # (runs, actors, dims)
    rows = issue_runs(x)
    assert rows.shape == (8, 3) and rows.flags.c_contiguous
    for r in range(2):
        for k in range(4):
            np.testing.assert_array_equal(rows[r * 4 + k], x[r, :, k])


def test_each_model_declares_how_it_reads_saliences():
    s = np.array([[[0.9, 0.6], [0.3, 0.2]]])  # the first actor's sum to 1.5
    for name in model_names():
        m = get_model(name)
        assert m.salience_convention in (ISSUE_SALIENCE, ATTENTION_SALIENCE)
        expected = attention_shares(s) if name == "smp" else s
        np.testing.assert_array_equal(salience_for(m, s), expected)
    assert get_model("smp").salience_convention == ATTENTION_SALIENCE


def test_smp_predicts_all_dimensions_together():
    # SMP is multi-dimensional: moving an actor on one dimension can change the other's
    # forecast, which no issue-by-issue model does.
    m = get_model("smp")
    c, x, s = batch(5, runs=1, n=4, d=2)
    s = salience_for(m, s)
    moved = x.copy()
    moved[0, 0, 1] = 100.0 if moved[0, 0, 1] < 50 else 0.0  # one actor, far on dimension 1
    assert m.predict(c, x, s)[0, 0] != m.predict(c, moved, s)[0, 0]
    compromise = get_model("compromise")
    assert compromise.predict(c, x, s)[0, 0] == compromise.predict(c, moved, s)[0, 0]
