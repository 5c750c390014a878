"""Opponent models: hand-worked plays, brute-force Bayes, and learning on a conceding opponent.

References are written independently of ``redline.simulate.opponents``: Python loops over the
hypotheses and outcomes (the Bayesian updates by enumeration, the frequency counts as Genius's
``HardHeadedFrequencyModel`` and NegMAS's ``FrequencyLinearUFunModel`` count), and pair-by-pair
Kendall tau.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.io.genius import read_genius_folder
from redline.simulate import from_domain, parse, simulate
from redline.simulate.opponents import (
    MODELS,
    BayesianPreferenceModel,
    BayesianReservationModel,
    FrequencyModel,
    grid_of,
    kendall_optimality,
    kendall_tau,
    nash_target,
    rank_weights,
    reservation_rmse,
    triangle_shapes,
)
from redline.space.kernel import package_utilities

GENIUS = Path(__file__).resolve().parents[1] / "data" / "genius"
CLOSE = 1e-9  # vectorised against loop references: same sums, different order


def space(radices, batch=1, utilities=None):
    """A stand-in negotiation space: what the models read (size, outcomes, issues)."""
    n = math.prod(radices)
    issues = tuple(SimpleNamespace(size=r) for r in radices)
    if utilities is None:
        utilities = np.zeros((batch, 2, n))
    return SimpleNamespace(size=batch, n_outcomes=n, issues=issues, utilities=utilities)


def options_of(outcome, radices):
    """Option indices of an outcome (first issue most significant), by hand."""
    out = []
    for r in reversed(radices):
        out.append(outcome % r)
        outcome //= r
    return out[::-1]


def run(model, sp, offers, times=None):
    """Feed one offer per row per round: ``offers`` is (rounds, B)."""
    state = model.init(sp)
    offers = np.asarray(offers, dtype=np.int64).reshape(len(offers), sp.size)
    for k, row in enumerate(offers):
        t = (k + 1) / (len(offers) + 1) if times is None else times[k]
        state = model.update(state, row, t)
    return state


# ------------------------------------------------------------------ frequency

def hardheaded_reference(offers, radices, learn=0.2, addition=1.0):
    """Genius's HardHeadedFrequencyModel.updateModel, one bid at a time, then its utility."""
    n_issues = len(radices)
    golden = learn / n_issues
    weights = [1.0 / n_issues] * n_issues
    evals = [[1.0] * r for r in radices]
    history = []
    for outcome in offers:
        bid = options_of(outcome, radices)
        history.append(bid)
        if len(history) < 2:
            continue
        previous = history[-2]
        unchanged = [bid[i] == previous[i] for i in range(n_issues)]
        total = 1.0 + golden * sum(unchanged)
        maximum = 1.0 - n_issues * golden / total
        weights = [(w + golden) / total if unchanged[i] and w < maximum else w / total
                   for i, w in enumerate(weights)]
        for i in range(n_issues):
            evals[i][bid[i]] += addition
    utility = []
    for outcome in range(math.prod(radices)):
        o = options_of(outcome, radices)
        utility.append(sum(weights[i] * evals[i][o[i]] / max(evals[i])
                           for i in range(n_issues)))
    return np.array(utility)


def entropy_reference(offers, radices):
    """NegMAS 0.16's FrequencyLinearUFunModel: _observe for each offer, then eval."""
    counts = [dict() for _ in radices]
    for outcome in offers:
        for i, v in enumerate(options_of(outcome, radices)):
            counts[i][v] = counts[i].get(v, 0) + 1
    weights = []
    for c in counts:
        total = sum(c.values())
        h = -sum((x / total) * math.log(x / total) for x in c.values() if x > 0)
        if len(c) > 1:
            h /= math.log(len(c))
        weights.append(1.0 - h)
    utility = []
    for outcome in range(math.prod(radices)):
        if not offers:
            utility.append(0.5)
            continue
        o = options_of(outcome, radices)
        scores = [c.get(o[i], 0) / max(c.values()) for i, c in enumerate(counts)]
        wsum = sum(weights)
        utility.append(sum(s * w for s, w in zip(scores, weights, strict=True)) / wsum if wsum > 0
                       else sum(scores) / len(scores))
    return np.array(utility)


def test_hardheaded_by_hand():
    """Issues of 3 and 2 options; offers (0,1), (0,0), (0,1): issue 0 never changes."""
    radices = (3, 2)
    state = run(FrequencyModel(), space(radices), [[1], [0], [1]])
    # The first offer teaches nothing; then twice (w + 0.1) / 1.1 for issue 0, w / 1.1 for 1.
    w0 = ((0.5 + 0.1) / 1.1 + 0.1) / 1.1
    w1 = 0.5 / 1.1 / 1.1
    np.testing.assert_allclose(state.weights, [[w0, w1]], rtol=1e-12)
    # counts: issue 0 option 0 seen twice (+1 start), issue 1 options 0 and 1 once each (+1)
    np.testing.assert_allclose(state.counts, [[3, 1, 1, 2, 2]])
    expected = [w0 * [1, 1 / 3, 1 / 3][a] + w1 * 1.0 for a in range(3) for _ in range(2)]
    np.testing.assert_allclose(FrequencyModel().estimate(state), [expected], rtol=1e-12)


def test_entropy_by_hand():
    """Offers (0,1), (0,0): issue 0 is certain (weight 1), issue 1 uniform (weight 0)."""
    model = FrequencyModel(weighting="entropy")
    sp = space((3, 2))
    assert (model.estimate(model.init(sp)) == 0.5).all()
    state = run(model, sp, [[1], [0]])
    np.testing.assert_allclose(state.weights, [[1.0, 0.0]], atol=1e-15)
    np.testing.assert_allclose(model.estimate(state), [[1, 1, 0, 0, 0, 0]], atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(2, 4), min_size=1, max_size=3).flatmap(
    lambda radices: st.tuples(st.just(tuple(radices)),
                              st.lists(st.integers(0, math.prod(radices) - 1), max_size=12))))
def test_frequency_models_count_as_genius_and_negmas_do(case):
    radices, offers = case
    rounds = [[o] for o in offers]
    hard = FrequencyModel()
    np.testing.assert_allclose(hard.estimate(run(hard, space(radices), rounds))[0],
                               hardheaded_reference(offers, radices), rtol=CLOSE, atol=CLOSE)
    ent = FrequencyModel(weighting="entropy")
    np.testing.assert_allclose(ent.estimate(run(ent, space(radices), rounds))[0],
                               entropy_reference(offers, radices), rtol=CLOSE, atol=CLOSE)


# ------------------------------------------------------------------ Bayesian preferences

def test_hypothesis_tables():
    np.testing.assert_allclose(rank_weights(2), [[1 / 3, 2 / 3], [2 / 3, 1 / 3]])
    np.testing.assert_allclose(rank_weights(4).sum(axis=1), 1.0)
    np.testing.assert_allclose(triangle_shapes(3), [[1, 0.5, 0], [0, 1, 0], [0, 0.5, 1]])
    assert (triangle_shapes(1) == 1).all()
    with pytest.raises(ValueError, match="at most 8"):
        rank_weights(9)


def preference_reference(offers, times, radices, concession, sigma):
    """Hindriks & Tykhonov's factorised update by enumeration: every ranking and every shape
    hypothesis scored with the other factors at their current posterior means."""
    n = len(radices)
    rankings = list(itertools.permutations(range(1, n + 1)))
    p_rank = {r: 1.0 / len(rankings) for r in rankings}
    p_shape = [{k: 1.0 / m for k in range(m)} for m in radices]

    def shape(m, k, j):
        if m == 1:
            return 1.0
        if j <= k:
            return j / k if k > 0 else 1.0
        return (m - 1 - j) / (m - 1 - k) if m - 1 - k > 0 else 1.0

    def likelihood(u, t):
        return math.exp(-0.5 * ((u - (1 - concession * t)) / sigma) ** 2)

    for outcome, t in zip(offers, times, strict=True):
        bid = options_of(outcome, radices)
        w_mean = [sum(p * 2 * r[i] / (n * (n + 1)) for r, p in p_rank.items())
                  for i in range(n)]
        e_mean = [sum(p * shape(radices[i], k, bid[i]) for k, p in p_shape[i].items())
                  for i in range(n)]
        new_rank = {r: p * likelihood(sum(2 * r[i] / (n * (n + 1)) * e_mean[i]
                                          for i in range(n)), t)
                    for r, p in p_rank.items()}
        new_shape = []
        for i in range(n):
            rest = sum(w_mean[j] * e_mean[j] for j in range(n) if j != i)
            new_shape.append({k: p * likelihood(w_mean[i] * shape(radices[i], k, bid[i]) + rest,
                                                t)
                              for k, p in p_shape[i].items()})
        z = sum(new_rank.values())
        p_rank = {r: p / z for r, p in new_rank.items()}
        p_shape = [{k: p / sum(d.values()) for k, p in d.items()} for d in new_shape]
    return [p_rank[r] for r in rankings], [p for d in p_shape for p in d.values()]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(2, 4), min_size=1, max_size=3).flatmap(
    lambda radices: st.tuples(st.just(tuple(radices)),
                              st.lists(st.integers(0, math.prod(radices) - 1), min_size=1,
                                       max_size=8))))
def test_bayesian_preference_update_is_the_enumerated_one(case):
    radices, offers = case
    times = [(k + 1) / (len(offers) + 1) for k in range(len(offers))]
    model = BayesianPreferenceModel(concession=0.5, sigma=0.3)
    state = run(model, space(radices), [[o] for o in offers], times)
    ranks, shapes = preference_reference(offers, times, radices, 0.5, 0.3)
    np.testing.assert_allclose(np.exp(state.log_rankings[0]), ranks, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(np.exp(state.log_shapes[0]), shapes, rtol=1e-7, atol=1e-12)


def test_one_issue_is_exact_bayes():
    """With one issue the factorised update is Bayes' rule over the shapes, by enumeration:
    P(k | offers) is proportional to the product of the Gaussian likelihoods."""
    offers, times = [3, 3, 2, 4], [0.1, 0.3, 0.5, 0.7]
    model = BayesianPreferenceModel(concession=0.5, sigma=0.2)
    state = run(model, space((5,)), [[o] for o in offers], times)
    shapes = triangle_shapes(5)
    joint = np.array([math.prod(math.exp(-0.5 * ((shapes[k, o] - (1 - 0.5 * t)) / 0.2) ** 2)
                                for o, t in zip(offers, times, strict=True))
                      for k in range(5)])
    np.testing.assert_allclose(np.exp(state.log_shapes[0]), joint / joint.sum(), rtol=1e-9)


# ------------------------------------------------------------------ Bayesian reservation

def reservation_reference(values, times, lo, hi, candidates, sigma):
    """Zeng & Sycara's update by enumeration (probabilities, not logs)."""
    grid = [lo + (hi - lo) * k / (candidates - 1) for k in range(candidates)]
    p = [1.0 / candidates] * candidates
    first = values[0]
    for u, t in zip(values, times, strict=True):
        like = [0.0 if v > u + 1e-9 else
                math.exp(-0.5 * ((u - (v + (first - v) * (1 - t))) / (sigma * (hi - lo))) ** 2)
                for v in grid]
        p = [a * b for a, b in zip(p, like, strict=True)]
        z = sum(p)
        p = [a / z for a in p]
    return np.array(grid), np.array(p)


def test_bayesian_reservation_update_is_the_enumerated_one():
    rng = np.random.default_rng(3)
    utilities = rng.uniform(0.0, 1.0, size=(1, 2, 30))
    opp = utilities[0, 1]
    order = np.argsort(-opp)
    offers = order[[0, 1, 3, 6, 10]]  # conceding
    times = [0.1, 0.2, 0.3, 0.4, 0.5]
    model = BayesianReservationModel(opponent=1, candidates=11, sigma=0.2)
    state = run(model, space((30,), utilities=utilities), [[o] for o in offers], times)
    grid, p = reservation_reference(list(opp[offers]), times, opp.min(), opp.max(), 11, 0.2)
    np.testing.assert_allclose(state.hypotheses[0], grid, rtol=1e-12)
    np.testing.assert_allclose(model.posterior(state)[0], p, rtol=1e-7, atol=1e-12)
    assert model.reservation(state)[0] == pytest.approx((grid * p).sum())
    # never above what the opponent offered
    assert (model.posterior(state)[0][grid > opp[offers].min() + 1e-9] < 1e-300).all()
    np.testing.assert_array_equal(model.estimate(state), utilities[:, 1])


def test_reservation_is_learned_from_a_linear_conceder():
    """Opponents conceding linearly from 1 to their true reservation by the deadline: the
    posterior mean finds each within a grid step (RMSE over the batch)."""
    n = 201
    values = np.linspace(0.0, 1.0, n)
    true = np.array([0.2, 0.45, 0.7])
    utilities = np.broadcast_to(values, (3, 2, n)).copy()
    model = BayesianReservationModel(opponent=1, candidates=21)
    state = model.init(space((n,), batch=3, utilities=utilities))
    for t in np.linspace(0.02, 0.9, 45):
        target = true + (1 - true) * (1 - t)
        offers = np.searchsorted(values, target)  # the least outcome worth the target
        state = model.update(state, offers, t)
    assert reservation_rmse(model.reservation(state), true) < 0.05


# ------------------------------------------------------------------ learning in play

def time_based_offers(utility, rounds, exponent=1.0):
    """A time-based opponent's offers: the least outcome worth ``1 - t**e`` of its range."""
    order = np.argsort(utility, kind="stable")
    lo, hi = utility.min(), utility.max()
    out = []
    for k in range(rounds):
        t = (k + 1) / (rounds + 1)
        level = lo + (1 - t ** exponent) * (hi - lo)
        out.append(order[min(np.searchsorted(utility[order], level), len(order) - 1)])
    return out


@pytest.mark.parametrize("profile", [0, 1])
@pytest.mark.parametrize("model", [FrequencyModel(), FrequencyModel(weighting="entropy"),
                                   BayesianPreferenceModel()], ids=["hardheaded", "entropy",
                                                                    "bayesian"])
def test_tau_improves_with_more_offers_of_a_time_based_opponent(model, profile):
    """A linear conceder on CameraC (3,600 outcomes), over the first half of a 100-round
    deadline (past it, its offers sink into what it likes least and mislead every model)."""
    domain = read_genius_folder(GENIUS / "anac_y2012_CameraC")
    true = package_utilities([t[None] for t in domain.tables])[(0, profile)][0]
    sp = from_domain(domain)  # the simulation's own negotiation space
    np.testing.assert_array_equal(sp.utilities[0, profile], true)
    offers = time_based_offers(true, 100)
    taus = []
    for k in (5, 50):
        state = run(model, sp, [[o] for o in offers[:k]], [(j + 1) / 101 for j in range(k)])
        taus.append(kendall_tau(model.estimate(state), true[None])[0])
    assert taus[1] > taus[0] + 0.05 and taus[1] > 0.6, taus


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_a_batch_equals_single_runs(seed):
    rng = np.random.default_rng(seed)
    radices = (3, 2, 2)
    n = math.prod(radices)
    offers = rng.integers(-1, n, size=(6, 4))  # -1: no offer this round in that row
    utilities = rng.uniform(0, 1, size=(4, 2, n))
    for model in (FrequencyModel(), FrequencyModel(weighting="entropy"),
                  BayesianPreferenceModel(), BayesianReservationModel()):
        batch = model.estimate(run(model, space(radices, 4, utilities), offers))
        for b in range(4):
            single = model.estimate(run(model, space(radices, 1, utilities[b:b + 1]),
                                        offers[:, b:b + 1]))
            np.testing.assert_allclose(batch[b], single[0], rtol=1e-12, atol=1e-15)
    model = BayesianReservationModel()
    batch = run(model, space(radices, 4, utilities), offers)
    for b in range(4):
        single = run(model, space(radices, 1, utilities[b:b + 1]), offers[:, b:b + 1])
        assert model.reservation(batch)[b] == pytest.approx(model.reservation(single)[0])


def test_rows_without_an_offer_are_unchanged():
    model = BayesianPreferenceModel()
    sp = space((3, 3), batch=2)
    state = model.update(model.init(sp), [4, -1], 0.3)
    np.testing.assert_array_equal(state.log_rankings[1], model.init(sp).log_rankings[1])
    assert not np.array_equal(state.log_shapes[0], state.log_shapes[1])


def test_grid_is_package_order():
    grid = grid_of(space((2, 3)))
    assert [list(o) for o in grid.options] == [options_of(k, (2, 3)) for k in range(6)]
    raw = SimpleNamespace(size=1, n_outcomes=5, issues=())
    assert grid_of(raw).radices == (5,)


# ------------------------------------------------------------------ scores

def tau_b_reference(x, y):
    """Kendall's tau-b pair by pair."""
    n = len(x)
    c = d = tx = ty = 0
    for i in range(n):
        for j in range(i + 1, n):
            a, b = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
            tx += a == 0
            ty += b == 0
            c += a * b > 0
            d += a * b < 0
    pairs = n * (n - 1) / 2
    den = math.sqrt((pairs - tx) * (pairs - ty))
    return (c - d) / den if den > 0 else -1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=2, max_size=40))
def test_kendall_tau_is_tau_b(pairs):
    x = np.array([p[0] for p in pairs], dtype=float)
    y = np.array([p[1] for p in pairs], dtype=float)
    assert kendall_tau(x, y)[0] == pytest.approx(tau_b_reference(x, y), abs=1e-12)


def test_kendall_tau_extremes_and_blocks():
    x = np.arange(1500, dtype=float)  # more than one block of pairs
    assert kendall_tau(x, 2 * x + 1)[0] == pytest.approx(1.0)
    assert kendall_tau(x, -x)[0] == pytest.approx(-1.0)
    assert kendall_tau(np.ones(5), x[:5])[0] == -1.0  # constant: NegMAS's -1
    assert kendall_optimality(x, -x)[0] == pytest.approx(0.0)
    assert reservation_rmse([0.1, 0.5], [0.2, 0.2]) == pytest.approx(math.sqrt(0.05))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_nash_target_is_the_brute_force_best(seed):
    rng = np.random.default_rng(seed)
    own = rng.integers(0, 6, size=(3, 12)) / 5  # ties on purpose
    est = rng.integers(0, 6, size=(3, 12)) / 5
    r_own, r_opp = rng.uniform(0, 0.5, 3), rng.uniform(0, 0.5, 3)
    level = rng.uniform(0, 1.2, 3)
    got = nash_target(own, r_own, est, r_opp, level)
    for b in range(3):
        reachable = [k for k in range(12) if own[b, k] >= level[b]]
        if not reachable:
            assert got[b] == int(np.argmax(own[b]))
            continue
        score = {k: max(own[b, k] - r_own[b], 0) * max(est[b, k] - r_opp[b], 0)
                 for k in reachable}
        best = max(score.values())
        assert got[b] == min(k for k in reachable if score[k] == best)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_named_model_plays_in_a_boa_agent(name):
    """``linear~NAME`` runs on CameraC through the simulation, batched, as the same agent without
    a model would, and never accepts below its outside option."""
    sp = from_domain(read_genius_folder(GENIUS / "anac_y2012_CameraC")).repeated(3)
    agents = [parse(f"linear~{name}", MODELS), parse("conceder", MODELS)]
    result = simulate(sp, agents, steps=60, models=MODELS)
    assert result.size == 3 and result.agreed.all()
    assert (result.utilities >= sp.reservation).all()
    np.testing.assert_array_equal(result.agreement, result.agreement[0])  # same rows, same run
