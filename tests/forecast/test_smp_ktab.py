"""SMPModel reproduces KTAB's Spatial Model of Politics.

* Validation: KTAB's ``smpc`` (default options) runs on SOE-Pol-Comp and dummyData_3Dim, in
  tests/data/ktab: every position at every turn within 0.01 (0-100 scale), the same number of
  turns, win probabilities within 0.001, and the point/modal forecasts of its summary.
* A literal, loop-by-loop transcription of KTAB's algorithm (below, written from KTAB's C++) is
  matched bit for bit by the vectorised code on random scenarios.
* Properties: a lone actor never moves, a consensus never moves, and the positions do not depend
  on the order of the actors.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.errors import RedlineError
from redline.forecast.smp import SMPModel, _seq_prod, _seq_sum
from redline.io.ktab import read_ktab_csv

KTAB = Path(__file__).resolve().parents[1] / "data" / "ktab"  # tests/data/ktab
DATA_SETS = ["SOE-Pol-Comp", "dummyData_3Dim"]


def _reference(name: str, actors: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """KTAB's positions ``(turn, actor, dim)`` and win probabilities ``(turn, actor)``."""
    rows = list(csv.reader((KTAB / "reference" / f"{name}.csv").open(newline="")))[1:]
    turns = max(int(r[0]) for r in rows)
    d = len(rows[0]) - 3
    positions = np.full((turns + 1, len(actors), d), np.nan)
    win = np.full((turns + 1, len(actors)), np.nan)
    for r in rows:
        t, i = int(r[0]), actors.index(r[1])
        positions[t, i] = [float(v) for v in r[2 : 2 + d]]
        win[t, i] = float(r[2 + d])
    return positions, win


def _summary(name: str) -> dict:
    return json.loads((KTAB / "summary" / f"{name}.json").read_text())


@pytest.fixture(scope="module", params=DATA_SETS)
def ktab_case(request):
    name = request.param
    data = read_ktab_csv(KTAB / f"{name}.csv")
    forecast = SMPModel().run(
        data.capability,
        data.position,
        data.salience,
        actors=data.actors,
        dimensions=data.dimensions,
    )
    positions, win = _reference(name, data.actors)
    return name, data, forecast, positions, win


def test_same_number_of_turns(ktab_case):
    name, _, forecast, positions, _ = ktab_case
    summary = _summary(name)
    assert forecast.turns == positions.shape[0] - 1 == summary["steps"]
    assert forecast.positions.shape == positions.shape


def test_every_position_every_turn(ktab_case):
    _, _, forecast, positions, _ = ktab_case
    assert not np.isnan(positions).any()
    assert np.abs(forecast.positions - positions).max() <= 0.01


def test_win_probabilities(ktab_case):
    _, _, forecast, _, win = ktab_case
    assert not np.isnan(win).any()
    assert win.shape == forecast.win_probability.shape
    assert np.abs(forecast.win_probability[-1] - win[-1]).max() <= 0.001
    assert np.abs(forecast.win_probability - win).max() <= 0.001  # every turn, too


def test_first_and_final_turns(ktab_case):
    _, data, forecast, positions, win = ktab_case
    np.testing.assert_allclose(forecast.positions[0], data.position, rtol=0, atol=1e-9)
    np.testing.assert_allclose(positions[0], data.position, rtol=0, atol=1e-9)
    assert np.abs(forecast.positions[-1] - positions[-1]).max() <= 0.01
    assert np.abs(forecast.win_probability[-1] - win[-1]).max() <= 0.001


def test_point_and_modal_forecast(ktab_case):
    name, _, forecast, _, _ = ktab_case
    summary = _summary(name)
    # summary.json was computed from the rounded tables (2 and 4 decimals).
    assert np.abs(forecast.point - summary["prob_weighted_mean_outcome"]).max() <= 0.01
    assert np.abs(
        np.asarray(forecast.options["modal_position"]) - summary["modal_position"]
    ).max() <= 0.01
    assert abs(forecast.options["modal_probability"] - summary["modal_prob"]) <= 0.001
    assert forecast.options["modal_actors"] == summary["modal_actors"]
    distinct = forecast.options["final_distinct_probability"]
    assert len(distinct) == summary["unique_final_positions"]
    assert sum(distinct.values()) == pytest.approx(1.0)


def test_batch_matches_single_runs():
    data = read_ktab_csv(KTAB / "SOE-Pol-Comp.csv")
    rng = np.random.default_rng(7)
    pos = np.clip(data.position + rng.normal(0.0, 5.0, (6, *data.position.shape)), 0.0, 100.0)
    cap = data.capability * rng.lognormal(0.0, 0.1, (6, data.n_actors))
    model = SMPModel()
    batch = model.run_batch(cap, pos, data.salience, history=True, chunk=4)
    for b in range(6):
        single = model.run(cap[b], pos[b], data.salience)
        assert batch.turns[b] == single.turns
        t = single.turns
        assert np.array_equal(batch.positions[b, : t + 1], single.positions)
        assert np.array_equal(batch.positions[b, t:], np.repeat(single.positions[-1:],
                                                                batch.positions.shape[1] - t, 0))
        assert np.array_equal(batch.win_probability[b, : t + 1], single.win_probability)
        assert np.array_equal(batch.point[b], single.point)
    short = model.run_batch(cap, pos, data.salience)
    assert short.positions.shape[1] == 2
    assert np.array_equal(short.positions[:, -1], batch.positions[:, -1])


@pytest.mark.parametrize(
    "name",
    ["SOE-Policy", "dummyData_6Dim", "dummyData-a040", "SOE-Competitive", "dummyData-a080"],
)
def test_larger_ktab_examples(name):
    """KTAB's other shipped data sets, against KTAB's results (tests/data/ktab/README.md)."""
    data = read_ktab_csv(KTAB / f"{name}.csv")
    pos, win = _reference(name, data.actors)
    forecast = SMPModel().run(data.capability, data.position, data.salience)
    assert forecast.turns == pos.shape[0] - 1
    assert np.abs(forecast.positions - pos).max() <= 0.01
    assert np.abs(forecast.win_probability - win).max() <= 0.0001  # KTAB prints 4 decimals


@pytest.mark.parametrize("name", DATA_SETS)
def test_shipped_reference_matches_the_original_runs(originals, name):
    # tests/data/originals/ktab/<name> holds the same KTAB run as tables of another layout.
    folder = originals / "ktab" / name
    data = read_ktab_csv(KTAB / f"{name}.csv")
    assert (folder / f"{name}.csv").read_bytes() == (KTAB / f"{name}.csv").read_bytes()
    assert json.loads((folder / "summary.json").read_text()) == _summary(name)
    positions, win = _reference(name, data.actors)
    for r in csv.DictReader((folder / "positions_history.csv").open(newline="")):
        k = data.dimensions.index(r["dim"])
        assert positions[int(r["turn"]), data.actors.index(r["actor"]), k] == float(
            r["position"])
    table = list(csv.reader((folder / "win_prob_history.csv").open(newline="")))
    assert len(table[0]) - 1 == win.shape[0]
    for r in table[1:]:
        assert win[:, data.actors.index(r[0])].tolist() == [float(v) for v in r[1:]]
    for r in csv.DictReader((folder / "final_forecast.csv").open(newline="")):
        i = data.actors.index(r["actor"])
        assert [positions[-1, i, k] for k in range(data.n_dims)] == [
            float(r[f"final_{dim}"]) for dim in data.dimensions]
        assert win[-1, i] == float(r["final_win_prob"])


# ---------------------------------------------------------------------------------------------
# A literal transcription of KTAB's loops (smp.cpp, smpbcn.cpp, kmodel.cpp), to pin the
# vectorised arithmetic down to the last bit.


def _bs_util(d, r):
    return (1 - d) * (1 + d * r) if d <= 1 else (1 - d) * (1 + r)


def _bv_diff(a, b, s):
    ds2 = ss2 = 0.0
    for k in range(len(a)):
        ds = (a[k] - b[k]) * s[k]
        ds2 = ds2 + ds * ds
        ss2 = ss2 + s[k] * s[k]
    return math.sqrt(ds2 / ss2)


def _norm(a, b):
    total = 0.0
    for k in range(len(a)):
        total = total + (a[k] - b[k]) * (a[k] - b[k])
    return math.sqrt(total)


def _pce(u, w, opts):
    m = len(opts)
    pv = [[0.5] * m for _ in range(m)]
    for a in range(m):
        for b in range(a):
            cab = cba = 1e-8
            for k in range(len(w)):
                v = w[k] * (u[k][opts[a]] - u[k][opts[b]])
                if v > 0:
                    cab = cab + v
                if v < 0:
                    cba = cba - v
            pv[a][b] = cab / (cab + cba)
            pv[b][a] = cba / (cab + cba)
    p = []
    for a in range(m):
        pa = 1.0
        for b in range(m):
            pa = pa * pv[a][b]
        p.append(pa)
    total = 0.0
    for v in p:
        total = total + v
    return [v / total for v in p]


def _loop_assess(x, s, cap):
    n = len(x)
    dist = [[_bv_diff(x[i], x[j], s[i]) for j in range(n)] for i in range(n)]
    p = _pce([[_bs_util(dist[i][j], 0.0) for j in range(n)] for i in range(n)], cap,
             list(range(n)))
    lo, hi = min(p), max(p)
    r = [(3 * q - (hi + 2 * lo)) / (2 * (hi - lo)) for q in p] if hi > lo else [0.0] * n
    est = [[[_bs_util(dist[a][b], ((2.0 * r[h]) + r[a]) / 3.0) for b in range(n)]
            for a in range(n)] for h in range(n)]
    uniq = []
    for i in range(n):
        if not any(_norm(x[i], x[k]) < 1e-3 for k in uniq):
            uniq.append(i)
    pu = _pce([[est[i][i][j] for j in range(n)] for i in range(n)], cap, uniq)
    win = []
    for i in range(n):
        last = None
        for j, u in enumerate(uniq):
            if _norm(x[i], x[u]) < 1e-3:
                last = j
        win.append(pu[last])
    return r, est, win


def _loop_step(x, s, cap, r, est):
    n, d = len(x), len(x[0])
    tot = []
    for i in range(n):
        t = 0.0
        for k in range(d):
            t = t + s[i][k]
        tot.append(t)
    bargains = []
    for i in range(n):
        best_j, best_p, best = -1, 0.0, -1.0
        for j in range(n):
            if j == i:
                continue
            u = est[i]
            ci = (tot[i] * cap[i]) * (u[i][i] - u[i][j])
            cj = (tot[j] * cap[j]) * (u[j][i] - u[j][j])
            chij = chji = 1e-10
            if ci > 0:
                chij = chij + ci
            if ci < 0:
                chji = chji - ci
            if cj > 0:
                chij = chij + cj
            if cj < 0:
                chji = chji - cj
            ci0, cj0 = chij, chji
            for m in range(n):
                if m in (i, j):
                    continue
                wm = tot[m] * cap[m]
                umi, umj, umm = u[m][i], u[m][j], u[m][m]
                cm = wm * (umi - umj)
                cmi = ci0 + cm if cm > 0 else ci0
                cmj = cj0 - cm if cm < 0 else cj0
                pin = cmi / (cmi + cmj)
                pjn = 1.0 - pin
                v = wm * ((pin * (umi + umi + umm) + pjn * (umj + umj + umj))
                          - (pin * (umi + umi + umi) + pjn * (umj + umj + umm)))
                if v > 0:
                    chij = chij + v
                if v < 0:
                    chji = chji - v
            phij, phji = chij / (chij + chji), chji / (chij + chji)
            win2, lose2 = u[i][i] + u[i][i], u[i][j] + u[i][j]
            eu = (1 - tot[j]) * win2 + tot[j] * (phij * win2 + phji * lose2)
            gain = eu - (u[i][i] + u[i][j])
            if gain > 1e-5 and best < gain:
                best_j, best_p, best = j, phij, gain
        if best_j >= 0:
            j, bi, bj = best_j, [], []
            for k in range(d):
                wi = (s[i][k] * s[i][k]) * (best_p * best_p)
                wj = (s[j][k] * s[j][k]) * ((1 - best_p) * (1 - best_p))
                den = wi + 1e-6 + wj
                bi.append(math.floor(0.5 + (((wi + 1e-6) * x[i][k] + wj * x[j][k]) / den)
                                     * 10000.0) / 10000.0)
                bj.append(math.floor(0.5 + ((wi * x[i][k] + (1e-6 + wj) * x[j][k]) / den)
                                     * 10000.0) / 10000.0)
            bargains.append((i, j, bi, bj))
    sq = []
    for a in range(n):
        t = 0.0
        for m in range(n):
            t = t + est[a][a][m]
        sq.append(t / n)
    values = []
    for i, j, bi, bj in bargains:
        col = []
        for a in range(n):
            t = 0.0
            t = t + _bs_util(_bv_diff(x[a], bi, s[a]), r[a])
            t = t + _bs_util(_bv_diff(x[a], bj, s[a]), r[a])
            for m in range(n):
                if m not in (i, j):
                    t = t + est[a][a][m]
            col.append(t / n)
        values.append(col)
    new = [list(row) for row in x]
    for k in range(n):
        queue = [b for b in range(len(bargains)) if k in bargains[b][:2]]
        u = [[sq[a]] + [values[b][a] for b in queue] for a in range(n)]
        p = _pce(u, cap, list(range(len(queue) + 1)))
        best = 0
        for o in range(len(p)):
            if p[o] > p[best]:
                best = o
        if best > 0:
            i, _, bi, bj = bargains[queue[best - 1]]
            new[k] = list(bi) if k == i else list(bj)
    return new


def _loop_run(cap, pos, sal):
    x = [[v / 100.0 for v in row] for row in pos]
    r, est, win = _loop_assess(x, sal, cap)
    history, wins, first, t = [x], [win], None, 0
    while t < 100:
        new = _loop_step(x, sal, cap, r, est)
        t += 1
        moved = 0.0
        for i in range(len(x)):
            moved = moved + _norm(new[i], x[i])
        if t == 1:
            first = moved + 1e-4
        r, est, win = _loop_assess(new, sal, cap)
        history.append(new)
        wins.append(win)
        x = new
        if t >= 2 and moved / first < 0.02:
            break
    return np.array(history) * 100.0, np.array(wins)


def _scenario(rng: np.random.Generator, n: int, d: int, twins: bool = False):
    cap = np.round(rng.uniform(1, 200, n), 2)
    pos = np.round(rng.uniform(0, 100, (n, d)), 2)
    if twins:
        pos[rng.integers(0, n, max(1, n // 2))] = pos[0]
    sal = rng.uniform(0.05, 1.0, (n, d))
    sal = sal / sal.sum(axis=1, keepdims=True) * rng.uniform(0.5, 1.0, (n, 1))
    return cap, pos, np.round(sal * 100.0, 2) / 100.0


@pytest.mark.parametrize("seed", range(6))
def test_bit_exact_against_literal_loops(seed):
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(2, 9)), int(rng.integers(1, 4))
    cap, pos, sal = _scenario(rng, n, d, twins=seed % 2 == 1)
    forecast = SMPModel().run(cap, pos, sal)
    positions, wins = _loop_run(cap.tolist(), pos.tolist(), sal.tolist())
    assert forecast.positions.shape == positions.shape
    assert np.array_equal(forecast.positions, positions)
    assert np.array_equal(forecast.win_probability, wins)


def test_sequential_reductions_match_plain_loops():
    rng = np.random.default_rng(3)
    for shape in [(50,), (50, 1), (50, 1, 1), (50, 2), (50, 3, 1), (40, 7, 9)]:
        a = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8, shape)
        total, prod = a[0].copy(), np.abs(a[0]) + 0.5
        for row in a[1:]:
            total = total + row
            prod = prod * (np.abs(row) + 0.5)
        assert np.array_equal(_seq_sum(a, axis=0), total)
        assert np.array_equal(_seq_prod(np.abs(a) + 0.5, axis=0), prod)
        if a.ndim > 1:
            assert np.array_equal(_seq_sum(np.moveaxis(a, 0, -1), axis=-1), total)


# ---------------------------------------------------------------------------------------------
# Properties


def test_single_actor_never_moves():
    forecast = SMPModel().run([50.0], [[30.0, 70.0]], [[0.4, 0.5]])
    assert forecast.turns >= 1
    assert np.all(forecast.positions == forecast.positions[0])
    assert np.all(forecast.win_probability == 1.0)
    assert np.allclose(forecast.point, [30.0, 70.0])


@given(
    n=st.integers(1, 9),
    d=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=25, deadline=None)
def test_consensus_never_moves(n, d, seed):
    rng = np.random.default_rng(seed)
    cap, _, sal = _scenario(rng, n, d)
    pos = np.repeat(rng.uniform(0, 100, (1, d)), n, axis=0)
    forecast = SMPModel().run(cap, pos, sal)
    assert np.all(forecast.positions == forecast.positions[0])
    assert np.allclose(forecast.win_probability, 1.0)
    assert forecast.turns == 2  # KTAB's minimum number of turns


@given(
    n=st.integers(2, 9),
    d=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=25, deadline=None)
def test_positions_do_not_depend_on_actor_order(n, d, seed):
    # Generic scenarios: distinct actors, no ties. (KTAB breaks exact ties, such as two identical
    # actors, by index; and it reports a group of positions closer than 0.1 through the first of
    # them, so the reported win probabilities can depend on the order. See docs/smp.md.)
    rng = np.random.default_rng(seed)
    cap = rng.uniform(1, 200, n)
    pos = rng.uniform(0, 100, (n, d))
    sal = rng.uniform(0.05, 1.0, (n, d))
    sal = sal / sal.sum(axis=1, keepdims=True) * rng.uniform(0.5, 1.0, (n, 1))
    perm = rng.permutation(n)
    model = SMPModel()
    base = model.run(cap, pos, sal)
    shuffled = model.run(cap[perm], pos[perm], sal[perm])
    assert shuffled.turns == base.turns
    assert np.allclose(shuffled.positions, base.positions[:, perm], rtol=0.0, atol=1e-9)
    assert np.allclose(shuffled.point, base.point, rtol=0.0, atol=1e-6) or _near_groups(
        base.positions[-1]
    )
    for t in range(base.turns + 1):
        if not _near_groups(base.positions[t]):
            assert np.allclose(shuffled.win_probability[t], base.win_probability[t, perm],
                               rtol=0.0, atol=1e-12)


def _near_groups(x: np.ndarray) -> bool:
    """True when two positions are within KTAB's 0.1 tolerance without being identical."""
    gap = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2)
    return bool(np.any((gap > 0.0) & (gap < 0.1 + 1e-9)))


def test_permuting_shipped_data_permutes_positions():
    data = read_ktab_csv(KTAB / "SOE-Pol-Comp.csv")
    perm = np.random.default_rng(11).permutation(data.n_actors)
    model = SMPModel()
    base = model.run(data.capability, data.position, data.salience)
    shuffled = model.run(data.capability[perm], data.position[perm], data.salience[perm])
    assert shuffled.turns == base.turns
    assert np.array_equal(shuffled.positions, base.positions[:, perm])


# ---------------------------------------------------------------------------------------------
# Input checks


@pytest.mark.parametrize(
    ("cap", "pos", "sal", "field"),
    [
        ([1.0, 0.0], [[10.0], [20.0]], [[0.5], [0.5]], "capability"),
        ([1.0, 2.0], [[10.0], [120.0]], [[0.5], [0.5]], "position"),
        ([1.0, 2.0], [[10.0], [20.0]], [[50.0], [0.5]], "salience"),
        ([1.0, 2.0], [[10.0, 5.0], [20.0, 5.0]], [[0.7, 0.7], [0.5, 0.1]], "salience"),
        ([1.0, 2.0], [[10.0], [20.0]], [[0.0], [0.5]], "salience"),
        ([1.0, 2.0], [[10.0], [np.nan]], [[0.5], [0.5]], "position"),
        ([1.0, 2.0, 3.0], [[10.0], [20.0]], [[0.5], [0.5]], "capability"),
    ],
)
def test_bad_input_is_a_redline_error(cap, pos, sal, field):
    with pytest.raises(RedlineError) as info:
        SMPModel().run(cap, pos, sal)
    assert info.value.field == field


def test_names_must_fit():
    with pytest.raises(RedlineError):
        SMPModel().run([1.0, 2.0], [[10.0], [20.0]], [[0.5], [0.5]], actors=("a",))
