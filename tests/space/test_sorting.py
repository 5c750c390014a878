"""The core's stable sort (redline.space.sorting): numpy's stable permutation, whatever the keys."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from redline.space.sorting import stable_argsort


def _expected(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(key, axis=-1, kind="stable")
    return order, np.take_along_axis(key, order, axis=-1)


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.bool_]),
                  hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=30),
                  ))
def test_any_keys_sort_as_numpys_stable_sort(key):
    order, ranked = stable_argsort(key)
    expected_order, expected_ranked = _expected(key)
    np.testing.assert_array_equal(order, expected_order)
    np.testing.assert_array_equal(ranked, expected_ranked)
    assert order.dtype == np.int64 and ranked.dtype == key.dtype


@settings(max_examples=100, deadline=None)
@given(rows=st.integers(1, 6), n=st.integers(1, 50), seed=st.integers(0, 2**31 - 1),
       nan_row=st.booleans())
def test_rows_with_runs_of_ties_and_nans(rows, n, seed, nan_row):
    rng = np.random.default_rng(seed)
    key = rng.integers(0, 4, (rows, n)).astype(float)  # long runs of equal keys in every row
    key[rng.random((rows, n)) < 0.1] = -0.0
    if nan_row:
        key[rng.integers(rows), rng.integers(n)] = np.nan
    order, ranked = stable_argsort(key)
    expected_order, expected_ranked = _expected(key)
    np.testing.assert_array_equal(order, expected_order)
    np.testing.assert_array_equal(ranked, expected_ranked)


@pytest.mark.parametrize("heavy", [0.0, 1.0])
def test_both_ways_of_putting_ties_back_give_the_stable_order(monkeypatch, heavy):
    from redline.space import sorting

    monkeypatch.setattr(sorting, "HEAVY_TIES", heavy)  # 0: whole rows always; 1: never
    rng = np.random.default_rng(11)
    for key in (rng.integers(0, 5, (7, 300)).astype(float), rng.normal(size=(3, 500)),
                np.round(rng.normal(size=(2, 2, 400)), 1)):
        order, ranked = stable_argsort(key)
        expected_order, expected_ranked = _expected(key)
        np.testing.assert_array_equal(order, expected_order)
        np.testing.assert_array_equal(ranked, expected_ranked)


def test_a_scalar_is_refused():
    with pytest.raises(ValueError, match="last axis"):
        stable_argsort(np.float64(1.0))
