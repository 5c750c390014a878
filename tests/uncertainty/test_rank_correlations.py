"""The sweep's sensitivity: Spearman's rank correlation of every input with every output, all
pairs at once (``sweep.rank_correlations``), against its definition pair by pair."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from redline import pipeline
from redline.uncertainty import sweep as sweep_module
from redline.uncertainty.sweep import average_ranks, rank_correlations

AGREES = 1e-12
"""Absolute difference allowed between the correlations summed all at once and pair by pair
(the same terms added in another order; correlations lie in [-1, 1])."""


def one_column_ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks by definition: each value's rank is the mean of the positions (from 0)
    its equal values take in sorted order."""
    ordered = np.sort(x)
    return np.array([np.flatnonzero(ordered == v).mean() for v in x])


def pair_correlation(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """The weighted Pearson correlation of two rank vectors, 0 if either is constant."""
    rx, ry = one_column_ranks(x), one_column_ranks(y)
    if np.all(rx == rx[0]) or np.all(ry == ry[0]):
        return 0.0
    rx, ry = rx - w @ rx, ry - w @ ry
    return float((w @ (rx * ry)) / np.sqrt((w @ (rx * rx)) * (w @ (ry * ry))))


# few distinct values, so that ties are common
_TIED = st.integers(0, 4).map(float)
_COLUMNS = st.integers(2, 40).flatmap(lambda d: st.tuples(
    hnp.arrays(float, (d, 3), elements=st.one_of(_TIED, st.floats(-1e6, 1e6))),
    hnp.arrays(float, (d, 2), elements=st.one_of(_TIED, st.floats(-1e6, 1e6))),
    hnp.arrays(float, (d,), elements=st.floats(0.01, 1.0)),
    st.booleans()))


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(float, st.tuples(st.integers(1, 30), st.integers(1, 4)),
                  elements=st.one_of(_TIED, st.floats(-1e9, 1e9))))
def test_average_ranks_are_the_mean_sorted_position_of_equal_values(x):
    expected = np.column_stack([one_column_ranks(x[:, k]) for k in range(x.shape[1])])
    np.testing.assert_array_equal(average_ranks(x), expected)


@settings(max_examples=150, deadline=None)
@given(_COLUMNS)
def test_every_pair_is_its_rank_correlation(case):
    inputs, outputs, raw, weighted = case
    weights = raw / raw.sum() if weighted else None
    w = weights if weighted else np.full(inputs.shape[0], 1.0 / inputs.shape[0])
    expected = np.array([[pair_correlation(inputs[:, j], outputs[:, k], w)
                          for k in range(outputs.shape[1])] for j in range(inputs.shape[1])])
    got = rank_correlations(inputs, outputs, weights)
    np.testing.assert_allclose(got, expected, rtol=0, atol=AGREES)
    assert np.all(np.abs(got) <= 1.0)


def test_without_ties_it_is_spearmans_formula():
    # rho = 1 - 6 sum(d^2) / (n (n^2 - 1)) for distinct values (Spearman 1904)
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(50, 1)), rng.normal(size=(50, 1))
    d = one_column_ranks(x[:, 0]) - one_column_ranks(y[:, 0])
    spearman = 1 - 6 * (d @ d) / (50 * (50 ** 2 - 1))
    assert rank_correlations(x, y)[0, 0] == pytest.approx(spearman, abs=AGREES)


def test_constant_columns_and_monotone_ones():
    x = np.column_stack([np.full(6, 3.0), np.arange(6.0), -np.arange(6.0) ** 3])
    y = np.column_stack([np.arange(6.0) * 2 + 1, np.zeros(6)])
    rho = rank_correlations(x, y, np.full(6, 1 / 6))
    assert rho[0].tolist() == [0.0, 0.0]  # a constant input: exactly 0, not rounding noise
    assert rho[1, 0] == pytest.approx(1.0) and rho[2, 0] == pytest.approx(-1.0)
    assert rho[:, 1].tolist() == [0.0, 0.0, 0.0]  # a constant output


def test_blocks_of_inputs_give_the_same_correlations(monkeypatch):
    rng = np.random.default_rng(3)
    inputs, outputs = rng.integers(0, 5, size=(40, 9)).astype(float), rng.normal(size=(40, 3))
    whole = rank_correlations(inputs, outputs)
    monkeypatch.setattr(sweep_module, "RANK_BLOCK_CELLS", 80)  # two inputs per block
    np.testing.assert_array_equal(rank_correlations(inputs, outputs), whole)


def test_the_sweeps_sensitivity_is_worked_out_once_and_handed_out_fresh(examples):
    result = pipeline.run_sweep(pipeline.load(examples / "donbas-2026.yaml"), draws=200,
                                seed=5).integrated
    first = result.sensitivity()
    first[0]["rho"]["agreement"] = 99.0
    first.pop()
    again = result.sensitivity()
    assert len(again) == len(first) + 1 and again[0]["rho"]["agreement"] != 99.0
    # the rows are the pairs' correlations, the most telling input first
    names = [r["input"] for r in again]
    assert again == sorted(again, key=lambda r: (-r["max_abs_rho"], r["input"]))
    assert len(set(names)) == len(names)
