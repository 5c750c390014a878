"""The tournament's ranking (redline.simulate.ranking): means, ranks and bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.simulate.ranking import (
    BOOTSTRAP_RESAMPLES,
    bootstrap_interval,
    rank_strategies,
)


def reference_interval(scores, rng, resamples=BOOTSTRAP_RESAMPLES):
    """The percentile bootstrap one resample at a time, with the same random stream."""
    means = [scores[rng.integers(0, scores.size, size=(1, scores.size))].mean()
             for _ in range(resamples)]
    return tuple(np.quantile(means, [0.025, 0.975]))


def test_bootstrap_is_the_percentile_bootstrap():
    scores = np.random.default_rng(1).random(37)
    got = bootstrap_interval(scores, np.random.default_rng(9))
    want = reference_interval(scores, np.random.default_rng(9))
    assert got == pytest.approx(want, abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=1, max_size=40), st.integers(0, 2**31 - 1))
def test_the_interval_holds_the_mean_and_lies_within_the_scores(scores, seed):
    scores = np.array(scores)
    low, high = bootstrap_interval(scores, np.random.default_rng(seed))
    assert scores.min() - 1e-12 <= low <= high <= scores.max() + 1e-12
    if (scores == scores[0]).all():
        assert low == high == scores[0]


def test_ranking_orders_by_mean_and_shares_ranks():
    names = ["boulware", "linear", "conceder", "idle"]
    strategy = np.array([0, 0, 1, 1, 2, 2, 0, 1])
    score = np.array([0.9, 0.7, 0.5, 0.7, 0.6, 0.6, 0.8, 0.6])
    agreed = np.array([True, False, True, True, True, True, True, True])
    table = rank_strategies(names, strategy, score, agreed, seed=4)
    assert [s.strategy for s in table] == ["boulware", "conceder", "linear"]  # idle: no seat
    assert [s.rank for s in table] == [1, 2, 2]  # conceder and linear both average 0.6
    top = table[0]
    assert top.mean == pytest.approx(0.8) and top.seats == 3
    assert top.agreements == pytest.approx(2 / 3)
    assert top.low <= top.mean <= top.high
    assert table[1].low == table[1].high == pytest.approx(0.6)  # every score equal
    again = rank_strategies(names, strategy, score, agreed, seed=4)
    assert again == table
    assert list(top.to_dict()) == ["rank", "strategy", "mean", "low", "high", "seats",
                                   "agreements"]


def test_a_strategy_interval_does_not_depend_on_the_others():
    rng = np.random.default_rng(0)
    score = rng.random(30)
    strategy = np.repeat([0, 1, 2], 10)
    agreed = np.ones(30, bool)
    alone = rank_strategies(["a", "b", "c"], strategy, score, agreed, seed=1)
    fewer = rank_strategies(["a", "b", "c"], strategy[:20], score[:20], agreed[:20], seed=1)
    by_name = {s.strategy: s for s in alone}
    for s in fewer:
        assert (s.low, s.high) == (by_name[s.strategy].low, by_name[s.strategy].high)
