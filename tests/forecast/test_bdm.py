"""Bueno de Mesquita's expected-utility model: reference rounds, oracle, properties."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.errors import RedlineError
from redline.forecast.bdm import BDM2002Model, BDMScholzModel
from redline.forecast.median import lower_weighted_median
from redline.io.actors_csv import read_actors_csv

# The car-emissions inputs (published facts) and the Scholz rounds, written by ``_oracle`` below;
# tests/data/NOTICE says where they come from.
BDM_DIR = Path(__file__).resolve().parents[1] / "data" / "bdm"

CAR = {  # BDM (1994) EC car emissions case, as in the actors file
    "capability": [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08],
    "position": [4, 7, 4, 4, 10, 10, 10, 7, 4, 7],
    "salience": [0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7],
}


def _car() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.array(CAR["capability"]), np.array(CAR["position"], dtype=float),
            np.array(CAR["salience"]))


def test_scholz_reproduces_reference_rounds_to_4_decimals():
    table = read_actors_csv(BDM_DIR / "eu_car_emissions_1994_actors.csv")
    c, x, s = table.capability, table.position[:, 0], table.salience[:, 0]
    with (BDM_DIR / "eu_car_emissions_1994_scholz_rounds.csv").open() as handle:
        ref = list(csv.DictReader(handle))
    forecast = BDMScholzModel().run(c, x, s, actors=table.actors)
    assert forecast.turns == 10 == len(ref) - 1
    assert forecast.median.shape == forecast.mean.shape == (11, 1)
    np.testing.assert_allclose(forecast.median[:, 0], [float(r["median"]) for r in ref],
                               atol=5e-5)
    np.testing.assert_allclose(forecast.mean[:, 0], [float(r["mean"]) for r in ref], atol=5e-5)
    assert forecast.point[0] == pytest.approx(float(ref[-1]["median"]), abs=5e-5)
    assert forecast.options["capitulation_bug"] is True


def _rounds(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["round"]) for r in rows] == list(range(len(rows)))
    return (np.array([float(r["median"]) for r in rows]),
            np.array([float(r["mean"]) for r in rows]))


def _plain_lower_weighted_median(x, w) -> float:
    """The first position, in ascending order, where the running weight reaches half."""
    total, half = 0.0, sum(w) / 2
    for i in sorted(range(len(x)), key=lambda k: x[k]):
        total += w[i]
        if total >= half:
            return float(x[i])
    raise AssertionError("no weight")


def test_rounds_file_is_the_loop_oracle_on_the_car_case():
    # The rounds file is ours: the independent loop implementation below, run on the published
    # inputs, with the median and mean taken by plain loops (written with 12 digits).
    table = read_actors_csv(BDM_DIR / "eu_car_emissions_1994_actors.csv")
    c, x, s = table.capability, table.position[:, 0], table.salience[:, 0]
    np.testing.assert_array_equal(np.stack([c, x, s]), np.stack(_car()))
    history = _oracle(c, x, s, 10, scholz=True, q=1.0, t=1.0, bug=True)
    w = c * s
    median, mean = _rounds(BDM_DIR / "eu_car_emissions_1994_scholz_rounds.csv")
    np.testing.assert_allclose(median, [_plain_lower_weighted_median(r, w) for r in history],
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(mean, [sum(w * r) / sum(w) for r in history], rtol=0, atol=1e-9)


def test_car_case_matches_the_published_scholz_rounds(originals):
    # tests/data/originals/bdm: the same inputs, and the rounds the jmckib implementation of
    # Scholz, Calbert & Smith (2011) printed (tests/data/NOTICE).
    original = originals / "bdm"
    ours = read_actors_csv(BDM_DIR / "eu_car_emissions_1994_actors.csv")
    theirs = read_actors_csv(original / "eu_car_emissions_1994_actors.csv")
    assert ours.actors == theirs.actors
    for field in ("capability", "position", "salience"):
        np.testing.assert_array_equal(getattr(ours, field), getattr(theirs, field))
    for got, published in zip(_rounds(BDM_DIR / "eu_car_emissions_1994_scholz_rounds.csv"),
                              _rounds(original / "eu_car_emissions_1994_scholz_rounds.csv"),
                              strict=True):
        np.testing.assert_allclose(got, published, rtol=0, atol=1e-8)  # they print 10 digits


def test_reference_medians_are_independent_of_the_data_file():
    # Rounds 1 and 10 of the published run, from the inline copy of the inputs.
    forecast = BDMScholzModel().run(*_car())
    assert forecast.median[1, 0] == pytest.approx(8.415932315, abs=1e-6)
    assert forecast.median[10, 0] == pytest.approx(7.0, abs=1e-9)


def test_capitulation_fix_is_an_option_and_matters_elsewhere():
    # In the car case no actor is ever in the capitulation octant: the fix changes nothing.
    buggy = BDMScholzModel().run(*_car())
    fixed = BDMScholzModel(capitulation_bug=False).run(*_car())
    assert fixed.options["capitulation_bug"] is False
    np.testing.assert_array_equal(buggy.positions, fixed.positions)
    # In this game someone capitulates once the test is fixed.
    c = np.array([0.521, 0.986, 0.091, 0.617, 0.386, 0.812])
    x = np.array([100.0, 0.0, 75.0, 100.0, 100.0, 100.0])
    s = np.array([0.175, 0.872, 0.544, 0.902, 0.477, 0.43])
    buggy = BDMScholzModel(rounds=3).run(c, x, s)
    fixed = BDMScholzModel(rounds=3, capitulation_bug=False).run(c, x, s)
    assert not np.allclose(buggy.positions, fixed.positions)


# -- an independent loop implementation of the documented rules -----------------------------

def _oracle_probability(x, w, delta, r, scholz):
    n = len(x)
    votes = np.zeros((n, n, n))
    for i in range(n):
        for j in range(n):
            for k in range(n):
                votes[i, j, k] = w[k] * ((abs(x[k] - x[j]) / delta) ** r[k]
                                         - (abs(x[k] - x[i]) / delta) ** r[k])
    p = np.zeros((n, n))
    everything = np.abs(votes).sum()
    for i in range(n):
        for j in range(n):
            if x[i] == x[j]:
                continue
            top = np.maximum(votes[i, j], 0).sum()
            if scholz:
                p[i, j] = top / everything
            else:
                bottom = np.abs(votes[i, j]).sum()
                p[i, j] = top / bottom if bottom > 0 else 0.5
    return p


def _oracle_eu(a, b, p, r, *, x, s, mu, delta, q, t):
    """EU of a challenging b, seen with risk exponent r."""
    dd = abs(x[a] - x[b]) / delta
    e = (abs(x[a] - mu) + abs(x[b] - mu)) / delta
    u_s, u_f = 2 - 4 * (0.5 - 0.5 * dd) ** r, 2 - 4 * (0.5 + 0.5 * dd) ** r
    u_b, u_w = 2 - 4 * (0.5 - 0.25 * e) ** r, 2 - 4 * (0.5 + 0.25 * e) ** r
    return (s[b] * (p[a, b] * u_s + (1 - p[a, b]) * u_f) + (1 - s[b]) * u_s
            - q * (2 - 4 * 0.5**r) - (1 - q) * (t * u_b + (1 - t) * u_w))


def _oracle(c, x, s, rounds, *, scholz, q, t, bug):
    """Pair-by-pair loops over the rules in the bdm module docstring."""
    x = np.asarray(x, dtype=float).copy()
    n = len(x)
    w = c * s
    delta = x.max() - x.min()
    history = [x.copy()]
    if delta == 0:
        return np.array(history * (rounds + 1))
    for _ in range(rounds):
        env = dict(x=x, s=s, mu=lower_weighted_median(x, w), delta=delta, q=q, t=t)
        p1 = _oracle_probability(x, w, delta, np.ones(n), scholz)
        danger = np.array([sum(_oracle_eu(j, i, p1, 1.0, **env) for j in range(n) if j != i)
                           for i in range(n)])
        spread = danger.max() - danger.min()
        big_r = (2 * danger - danger.max() - danger.min()) / spread if spread else np.zeros(n)
        r = (1 - big_r / 3) / (1 + big_r / 3)
        p = _oracle_probability(x, w, delta, r, scholz)
        new = x.copy()
        for i in range(n):
            offers = {"confront": [], "compromise": [], "capitulate": []}
            for j in range(n):
                if x[i] == x[j]:
                    continue
                e_ij = _oracle_eu(i, j, p, r[i], **env)
                e_ji = _oracle_eu(j, i, p, r[i], **env)
                if e_ji > e_ij > 0:
                    offers["confront"].append((abs(x[j] - x[i]), j, x[j]))
                elif e_ji > 0 > e_ij and e_ji > abs(e_ij):
                    spot = x[i] + (x[j] - x[i]) * abs(e_ij / e_ji)
                    key = ((abs(e_ij) * x[i] + abs(e_ji) * x[j]) / (abs(e_ij) + abs(e_ji))
                           if scholz else abs(spot - x[i]))
                    offers["compromise"].append((key, j, spot))
                elif e_ji > 0 > e_ij and e_ji < abs(e_ij) and not bug:
                    offers["capitulate"].append((abs(x[j] - x[i]), j, x[j]))
            for kind in ("confront", "compromise", "capitulate"):
                if offers[kind]:
                    new[i] = min(offers[kind])[2]
                    break
        x = new
        history.append(x.copy())
    return np.array(history)


def _random_game(rng, n):
    c = rng.random(n) + 0.01
    s = rng.random(n)
    if rng.random() < 0.5:
        x = rng.choice([0.0, 25.0, 50.0, 75.0, 100.0], n)  # ties and equal distances
    else:
        x = 100.0 * rng.random(n)
    return c, x, s


@pytest.mark.parametrize("seed", range(12))
def test_vectorised_engine_matches_loop_oracle(seed):
    rng = np.random.default_rng(seed)
    c, x, s = _random_game(rng, int(rng.integers(2, 7)))
    cases = [
        (BDMScholzModel(rounds=4), dict(scholz=True, q=1.0, t=1.0, bug=True)),
        (BDMScholzModel(rounds=4, capitulation_bug=False),
         dict(scholz=True, q=1.0, t=1.0, bug=False)),
        (BDM2002Model(rounds=4), dict(scholz=False, q=0.5, t=0.5, bug=False)),
        (BDM2002Model(rounds=4, q=0.3, t=0.8), dict(scholz=False, q=0.3, t=0.8, bug=False)),
    ]
    for model, spec in cases:
        got = model.run_batch(c[None], x[None], s[None]).positions[0]
        np.testing.assert_allclose(got, _oracle(c, x, s, 4, **spec), atol=1e-8)


# -- properties ----------------------------------------------------------------------------

games = st.integers(min_value=1, max_value=9).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n),
    st.lists(st.sampled_from([0.0, 10.0, 33.0, 50.0, 90.0, 100.0]) | st.floats(0.0, 100.0),
             min_size=n, max_size=n),
    st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n),
))


@settings(max_examples=60, deadline=None)
@given(games)
def test_2002_positions_stay_in_initial_range(game):
    c, x, s = (np.array(v, dtype=float) for v in game)
    out = BDM2002Model(rounds=6).run_batch(c[None], x[None], s[None])
    assert np.all(out.positions >= x.min() - 1e-9)
    assert np.all(out.positions <= x.max() + 1e-9)
    assert np.all((out.risk >= 0.5 - 1e-12) & (out.risk <= 2 + 1e-12))


@settings(max_examples=40, deadline=None)
@given(games)
def test_identical_actors_stay_together(game):
    c, x, s = (np.array(v, dtype=float) for v in game)
    # Duplicate actor 0 at the end: same capability, position and salience.
    c, x, s = np.append(c, c[0]), np.append(x, x[0]), np.append(s, s[0])
    for model in (BDM2002Model(rounds=5), BDMScholzModel(rounds=5)):
        pos = model.run_batch(c[None], x[None], s[None]).positions[0]
        np.testing.assert_array_equal(pos[:, 0], pos[:, -1])


def test_a_single_actor_never_moves():
    for model in (BDM2002Model(), BDMScholzModel()):
        f = model.run([1.0], [[42.0, 7.0]], [[0.5, 1.0]])
        assert f.positions.shape == (11, 1, 2)
        np.testing.assert_array_equal(f.positions, np.broadcast_to([[42.0, 7.0]], (11, 1, 2)))
        np.testing.assert_array_equal(f.point, [42.0, 7.0])


def test_everyone_agreeing_never_moves():
    out = BDM2002Model().run_batch(np.ones((1, 4)), np.full((1, 4), 30.0), np.full((1, 4), 0.5))
    np.testing.assert_array_equal(out.positions, 30.0)


def test_batched_equals_per_run_and_per_dimension():
    rng = np.random.default_rng(7)
    b, n = 9, 12
    c, x, s = rng.random((b, n)) + 0.01, 100 * rng.random((b, n)), rng.random((b, n))
    x[::3, :4] = 50.0  # some ties
    for cls in (BDMScholzModel, BDM2002Model):
        batch = cls(rounds=5, chunk_size=4).run_batch(c, x, s)
        for k in range(b):
            one = cls(rounds=5).run_batch(c[k:k + 1], x[k:k + 1], s[k:k + 1])
            np.testing.assert_array_equal(batch.positions[k], one.positions[0])
            np.testing.assert_array_equal(batch.median[k], one.median[0])
        threaded = cls(rounds=5, chunk_size=2, workers=2).run_batch(c, x, s)
        np.testing.assert_array_equal(threaded.positions, batch.positions)
        # run(): dimensions are the batch axis, one capability per actor.
        cap = c[0]
        f = cls(rounds=5).run(cap, x.T, s.T)
        again = cls(rounds=5).run_batch(np.broadcast_to(cap, (b, n)), x, s)
        np.testing.assert_array_equal(f.positions, again.positions.transpose(1, 2, 0))
        np.testing.assert_array_equal(f.median, again.median.T)
        np.testing.assert_array_equal(f.point, again.median[:, -1])


def test_float32_stays_close_on_the_car_case():
    f64 = BDMScholzModel().run(*_car())
    f32 = BDMScholzModel(dtype="float32").run(*_car())
    np.testing.assert_allclose(f32.median, f64.median, atol=1e-3)


def test_median_and_mean_are_recomputed_from_positions():
    rng = np.random.default_rng(3)
    c, x, s = rng.random((4, 8)) + 0.1, 100 * rng.random((4, 8)), rng.random((4, 8))
    out = BDM2002Model(rounds=3).run_batch(c, x, s)
    w = c * s
    for t in range(4):
        np.testing.assert_allclose(out.mean[:, t], (w * out.positions[:, t]).sum(1) / w.sum(1))
        np.testing.assert_allclose(out.median[:, t], lower_weighted_median(out.positions[:, t], w))


@pytest.mark.parametrize("bad", [
    dict(salience=[[1.5, 0.2]]),
    dict(salience=[[-0.1, 0.2]]),
    dict(capability=[[-1.0, 1.0]]),
    dict(position=[[np.nan, 1.0]]),
])
def test_bad_inputs_raise_redline_errors(bad):
    args = dict(capability=[[1.0, 1.0]], position=[[0.0, 10.0]], salience=[[0.5, 0.5]])
    args.update(bad)
    with pytest.raises(RedlineError):
        BDMScholzModel().run_batch(**args)


def test_bad_options_raise_redline_errors():
    with pytest.raises(RedlineError):
        BDMScholzModel(rounds=-1)
    with pytest.raises(RedlineError):
        BDM2002Model(q=2.0)
    with pytest.raises(RedlineError):
        BDM2002Model(dtype="float16")
