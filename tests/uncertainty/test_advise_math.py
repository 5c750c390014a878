"""The mediator's objectives against independent references.

``probe``'s information gain is checked against the joint distribution of (draw, answers)
enumerated directly, answer vector by answer vector, draw by draw; ``accept`` and ``value``
against plain per-draw loops; and hypothesis checks the invariants of mutual information.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from redline.errors import RedlineError
from redline.uncertainty import advise as core

TOLERANCE = 1e-9  # bits, or probability: sums of a few dozen terms in float64


def brute_force_information(accepts: np.ndarray, weights: np.ndarray, eps: float) -> list:
    """I(draw; answers) per candidate from the joint distribution, enumerated.

    ``accepts`` is (D, R, M). For every answer vector y and draw d,
    p(y | d) = prod_r (1 - eps if y_r == verdict else eps); then
    I = sum_{d, y} w_d p(y|d) log2(p(y|d) / p(y)).
    """
    n_draws, n_resp, n_cand = accepts.shape
    out = []
    for m in range(n_cand):
        joint = {}
        for d in range(n_draws):
            for y in itertools.product((False, True), repeat=n_resp):
                like = 1.0
                for r in range(n_resp):
                    like *= (1 - eps) if y[r] == bool(accepts[d, r, m]) else eps
                joint[(d, y)] = like
        marginal = {}
        for (d, y), like in joint.items():
            marginal[y] = marginal.get(y, 0.0) + weights[d] * like
        total = 0.0
        for (d, y), like in joint.items():
            if weights[d] > 0 and like > 0:
                total += weights[d] * like * math.log2(like / marginal[y])
        out.append(total)
    return out


def information(accepts: np.ndarray, weights: np.ndarray, eps: float) -> np.ndarray:
    r = accepts.shape[1]
    histogram = core.pattern_histogram(core.pattern_codes(accepts), weights, r)
    return core.information_bits(histogram, r, eps)


def test_information_equals_the_enumerated_joint_distribution():
    rng = np.random.default_rng(7)
    for n_resp in (1, 2, 3):
        accepts = rng.random((9, n_resp, 5)) < 0.5
        weights = rng.random(9)
        weights /= weights.sum()
        for eps in (0.0, 0.05, 0.2, 0.5):
            expected = brute_force_information(accepts, weights, eps)
            assert information(accepts, weights, eps) == pytest.approx(expected,
                                                                       abs=TOLERANCE)


def test_one_exact_answer_splitting_the_draws_evenly_is_one_bit():
    accepts = np.array([[[True]], [[False]]])  # two draws, one respondent, one candidate
    assert information(accepts, np.array([0.5, 0.5]), 0.0) == pytest.approx([1.0])
    # a tremble of 0.1 leaves 1 - h(0.1) = 0.531 bits
    assert information(accepts, np.array([0.5, 0.5]), 0.1) == pytest.approx(
        [1 - float(core.binary_entropy(0.1))])


def test_answers_that_repeat_each_other_add_nothing_without_noise():
    # Two respondents who always answer alike teach as much as one, when answers are exact.
    one = np.array([[[True]], [[False]], [[False]]])
    both = np.concatenate([one, one], axis=1)
    w = np.array([0.2, 0.3, 0.5])
    assert information(both, w, 0.0) == pytest.approx(information(one, w, 0.0))
    # With noise, the second answer is a second witness: it adds information.
    assert information(both, w, 0.1)[0] > information(one, w, 0.1)[0]


patterns = st.integers(1, 4).flatmap(lambda r: st.tuples(
    hnp.arrays(bool, st.tuples(st.integers(1, 12), st.just(r), st.integers(1, 4))),
    st.floats(0, 1)))


def normalised(raw: np.ndarray) -> np.ndarray:
    w = np.asarray(raw, dtype=float) + 1e-3
    return w / w.sum()


@settings(max_examples=150, deadline=None)
@given(patterns, st.floats(0.0, 0.5), st.data())
def test_information_is_bounded_by_the_inputs_and_the_answers(case, eps, data):
    accepts, _ = case
    d, r, _ = accepts.shape
    weights = normalised(data.draw(hnp.arrays(float, d, elements=st.floats(0, 1))))
    bits = information(accepts, weights, eps)
    assert np.all(bits >= 0)
    assert np.all(bits <= min(float(core.entropy_bits(weights)), r) + TOLERANCE)


@settings(max_examples=100, deadline=None)
@given(patterns, st.floats(0.0, 0.5))
def test_information_is_zero_when_draws_agree_or_answers_are_coin_flips(case, eps):
    accepts, _ = case
    d = accepts.shape[0]
    weights = np.full(d, 1.0 / d)
    agreeing = np.broadcast_to(accepts[:1], accepts.shape)
    assert information(agreeing, weights, eps) == pytest.approx(0.0, abs=TOLERANCE)
    assert information(accepts, weights, 0.5) == pytest.approx(0.0, abs=TOLERANCE)


@settings(max_examples=100, deadline=None)
@given(patterns)
def test_exact_answers_reveal_the_entropy_of_the_verdict_patterns(case):
    accepts, _ = case
    d, r, m = accepts.shape
    weights = np.full(d, 1.0 / d)
    histogram = core.pattern_histogram(core.pattern_codes(accepts), weights, r)
    assert information(accepts, weights, 0.0) == pytest.approx(
        core.entropy_bits(histogram), abs=TOLERANCE)


def test_more_tremble_means_less_information():
    rng = np.random.default_rng(3)
    accepts = rng.random((30, 3, 4)) < 0.4
    w = np.full(30, 1 / 30)
    gains = [information(accepts, w, eps) for eps in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)]
    for before, after in zip(gains, gains[1:], strict=False):
        assert np.all(after <= before + TOLERANCE)


def test_one_answer_alone_matches_the_pattern_formula():
    rng = np.random.default_rng(5)
    accepts = rng.random((20, 1, 6)) < 0.3
    w = normalised(rng.random(20))
    shares = core.weighted_share(accepts[:, 0, :], w)
    assert core.answer_information(shares, 0.15) == pytest.approx(
        information(accepts, w, 0.15), abs=TOLERANCE)


def test_accept_and_value_equal_per_draw_loops():
    rng = np.random.default_rng(11)
    d, a, m = 40, 3, 7
    accepts = rng.random((d, a, m)) < 0.6
    acceptable = accepts[:, :2, :].all(axis=1)  # actors 0 and 1 hold vetoes
    utility = rng.random((d, m))
    outside = rng.random(d)
    w = normalised(rng.random(d))
    p = [sum(w[i] for i in range(d) if acceptable[i, j]) for j in range(m)]
    value = [sum(w[i] * (utility[i, j] if acceptable[i, j] else outside[i]) for i in range(d))
             for j in range(m)]
    t = core.tally(accepts, acceptable, w, utility=utility, outside=outside,
                   respondents=np.array([0, 2]))
    assert core.scores(t, "accept") == pytest.approx(p, abs=TOLERANCE)
    assert core.scores(t, "value") == pytest.approx(value, abs=TOLERANCE)
    assert core.scores(t, "probe", 2, 0.1) == pytest.approx(
        brute_force_information(accepts[:, [0, 2], :], w, 0.1), abs=TOLERANCE)
    # the rankings are the loops' orders (best first, ties in candidate order)
    assert list(core.ranking(core.scores(t, "accept"))) == sorted(
        range(m), key=lambda j: (-p[j], j))
    assert list(core.ranking(core.scores(t, "value"))) == sorted(
        range(m), key=lambda j: (-value[j], j))


def test_chunks_of_draws_add_up_to_the_whole():
    rng = np.random.default_rng(13)
    d, a, m = 50, 3, 5
    accepts = rng.random((d, a, m)) < 0.5
    acceptable = accepts.all(axis=1)
    utility, outside = rng.random((d, m)), rng.random(d)
    w = normalised(rng.random(d))
    whole = core.tally(accepts, acceptable, w, utility=utility, outside=outside,
                       respondents=np.arange(a))
    parts = [core.tally(accepts[s], acceptable[s], w[s], utility=utility[s],
                        outside=outside[s], respondents=np.arange(a))
             for s in (slice(0, 17), slice(17, 40), slice(40, 50))]
    folded = parts[0].plus(parts[1]).plus(parts[2])
    for objective in core.OBJECTIVES:
        assert core.scores(folded, objective, a, 0.1) == pytest.approx(
            core.scores(whole, objective, a, 0.1), abs=TOLERANCE)


def test_best_in_groups_takes_the_first_of_ties():
    values = np.array([0.2, 0.5, 0.5, 0.9, 0.1, 0.9])
    groups = np.array([0, 0, 0, 1, 2, 1])
    assert list(core.best_in_groups(values, groups)) == [1, 3, 4]


def test_interval_at_the_effective_sample_size():
    low, high = core._interval(0.8, 10)
    assert (low, high) == pytest.approx((0.4901568, 0.9433190), abs=2e-3)  # z 1.96 vs 1.95996
    assert core._interval(0.0, 50)[0] == 0.0
    assert core._interval(1.0, 50)[1] == 1.0


def test_too_many_respondents_are_refused_with_a_hint():
    with pytest.raises(RedlineError, match="at most 12"):
        core.check_respondents(core.MAX_RESPONDENTS + 1)
    with pytest.raises(RedlineError, match="histogram cells"):
        core.check_respondents(12, candidates=core.MAX_HISTOGRAM_CELLS)
    core.check_respondents(core.MAX_RESPONDENTS, candidates=10)


def test_ties_are_broken_by_the_second_objective_then_by_order():
    values = np.array([0.5, 0.9, 0.5, 0.9])
    second = np.array([0.1, 0.2, 0.7, 0.3])
    assert list(core.ranking(values, second)) == [3, 1, 2, 0]
    assert list(core.ranking(values)) == [1, 3, 0, 2]
    assert list(core.best_in_groups(values, np.array([0, 0, 0, 0]), second)) == [3]
