"""Tests for the exact Pareto frontier (redline.space.pareto).

The reference is a brute-force O(n^2) check written here from the definition. The fast code only
switches to its blocked/bitset/filter paths on large inputs, so most properties are also run
with every size threshold shrunk (``tiny_thresholds``), which sends small hypothesis matrices
through all of those paths.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from redline.space import pareto
from redline.space.pareto import _pareto_mask_2d, _pareto_mask_kd, pareto_indices, pareto_mask

# --------------------------------------------------------------------------------------------
# reference and helpers


def brute_mask(u: np.ndarray) -> np.ndarray:
    """Row i is kept iff no row j is >= it everywhere and > it somewhere (the definition)."""
    u = np.asarray(u, dtype=float)
    keep = np.ones(len(u), dtype=bool)
    for i in range(len(u)):
        dominators = np.all(u >= u[i], axis=1) & np.any(u > u[i], axis=1)
        keep[i] = not dominators.any()
    return keep


def dominated_by_any(rows: np.ndarray, by: np.ndarray) -> np.ndarray:
    """For each row of ``rows``: is some row of ``by`` >= it everywhere and > it somewhere?"""
    out = np.zeros(len(rows), dtype=bool)
    for s in range(0, len(rows), 512):
        r = rows[s : s + 512]
        geq = np.ones((len(r), len(by)), dtype=bool)
        same = np.ones((len(r), len(by)), dtype=bool)
        for j in range(rows.shape[1]):
            geq &= by[None, :, j] >= r[:, j, None]
            same &= by[None, :, j] == r[:, j, None]
        out[s : s + 512] = (geq & ~same).any(axis=1)
    return out


def sorted_rows(u: np.ndarray) -> np.ndarray:
    return u[np.lexsort(u.T[::-1])] if len(u) else u


def additive_utilities(sizes: list[int], parties: int, seed: int) -> np.ndarray:
    """Linear-additive utilities over the full grid of options (first issue most significant).

    Per party: random evaluations per option, scaled so each issue's best option is 1, and
    weights summing to 1; utility = sum over issues of weight x evaluation.
    """
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(len(sizes)), size=parties)  # (parties, issues)
    grid = np.indices(sizes).reshape(len(sizes), -1)
    u = np.zeros((grid.shape[1], parties))
    for i, size in enumerate(sizes):
        evaluation = rng.random((size, parties))
        evaluation /= evaluation.max(axis=0)
        u += weights[:, i] * evaluation[grid[i]]
    return u


@contextmanager
def tiny_thresholds(**overrides):
    """Shrink every size threshold so that small inputs take the large-input code paths."""
    tiny = {
        "_BASE": 2,
        "_CHUNK": 5,
        "_BRUTE_PAIRS": 0,
        "_BRUTE_MAX_POINTS": 0,
        "_LOOKUP_MIN_VALUES": 2,
        "_BUCKETS": 2,
        "_FILTER_MIN_ROWS": 1,
        "_FILTER_POOL": 4,
        "_FILTER_SAMPLE": 8,
        **overrides,
    }
    saved = {name: getattr(pareto, name) for name in tiny}
    for name, value in tiny.items():
        setattr(pareto, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(pareto, name, value)


# --------------------------------------------------------------------------------------------
# strategies: few distinct values (ties everywhere), and few distinct rows (duplicates)

TIE_VALUES = st.sampled_from([0.0, 0.25, 0.5, 1.0])


@st.composite
def tie_matrices(draw, min_k: int = 1, max_k: int = 6, max_rows: int = 40) -> np.ndarray:
    k = draw(st.integers(min_k, max_k))
    n = draw(st.integers(0, max_rows))
    return draw(hnp.arrays(np.float64, (n, k), elements=TIE_VALUES))


@st.composite
def duplicate_matrices(draw, min_k: int = 1, max_k: int = 6, max_rows: int = 40) -> np.ndarray:
    k = draw(st.integers(min_k, max_k))
    distinct = draw(hnp.arrays(np.float64, (draw(st.integers(1, 6)), k), elements=TIE_VALUES))
    picks = draw(st.lists(st.integers(0, len(distinct) - 1), max_size=max_rows))
    return distinct[np.array(picks, dtype=np.intp)].reshape(len(picks), k)


@st.composite
def float_matrices(draw, min_k: int = 1, max_k: int = 6, max_rows: int = 40) -> np.ndarray:
    k = draw(st.integers(min_k, max_k))
    n = draw(st.integers(0, max_rows))
    values = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
    return draw(hnp.arrays(np.float64, (n, k), elements=values))


def matrices(min_k: int = 1, max_k: int = 6, max_rows: int = 40):
    return st.one_of(
        tie_matrices(min_k, max_k, max_rows),
        duplicate_matrices(min_k, max_k, max_rows),
        float_matrices(min_k, max_k, max_rows),
    )


EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------------------------
# against the brute force


@EXAMPLES
@given(matrices())
def test_matches_brute_force(u):
    original = u.copy()
    expected = brute_mask(np.round(u, 12))
    np.testing.assert_array_equal(pareto_mask(u), expected)
    np.testing.assert_array_equal(pareto_mask(u, decimals=None), brute_mask(u))
    np.testing.assert_array_equal(pareto_mask(np.asfortranarray(u), decimals=None), brute_mask(u))
    np.testing.assert_array_equal(u, original)  # the input is not modified


@EXAMPLES
@given(matrices(), st.sampled_from([2**30, 3000, 0]))
def test_matches_brute_force_through_the_large_input_paths(u, index_bytes):
    # index_bytes: all chunks may build an index / only the first few may / none may
    expected = brute_mask(u)
    with tiny_thresholds(_INDEX_BYTES=index_bytes):
        np.testing.assert_array_equal(pareto_mask(u, decimals=None), expected)
        if len(u):
            np.testing.assert_array_equal(_pareto_mask_kd(u), expected)


@EXAMPLES
@given(matrices(min_k=2, max_k=2, max_rows=60))
def test_two_party_sweep_and_k_party_algorithm_agree(u):
    expected = brute_mask(u)
    np.testing.assert_array_equal(_pareto_mask_2d(u), expected)
    np.testing.assert_array_equal(_pareto_mask_kd(u), expected)
    with tiny_thresholds():
        np.testing.assert_array_equal(_pareto_mask_2d(u), expected)
        np.testing.assert_array_equal(_pareto_mask_kd(u), expected)


@pytest.mark.parametrize(
    ("sizes", "parties", "seed"),
    [([4, 5, 6, 7], 3, 0), ([3, 4, 5, 6], 4, 1), ([2, 3, 4, 5, 6], 5, 2), ([6, 7, 8], 2, 3)],
)
def test_additive_domain_with_duplicates_matches_brute_force(sizes, parties, seed):
    u = additive_utilities(sizes, parties, seed)
    u = np.vstack([u, u[::7], np.round(u[::5], 2)])  # exact duplicates and near-ties
    np.testing.assert_array_equal(pareto_mask(u), brute_mask(np.round(u, 12)))


@pytest.mark.parametrize(("sizes", "parties"), [([3, 4, 5, 5, 8, 10], 5), ([10, 10, 10, 30], 3)])
def test_large_additive_domain_is_exactly_the_frontier(sizes, parties):
    """On sizes that use the filter, the chunk indexes and the recursion with default settings,
    check the two properties that characterise the frontier, against every row."""
    u = np.round(additive_utilities(sizes, parties, seed=7), 12)
    u = np.vstack([u, u[:3000]])  # duplicates, some of them on the frontier
    mask = pareto_mask(u)
    front = u[mask]
    assert 0 < mask.sum() < len(u)
    assert not dominated_by_any(front, u).any()
    assert dominated_by_any(u[~mask], front).all()


def test_large_two_party_domain_is_exactly_the_frontier():
    u = np.round(additive_utilities([10, 10, 10, 20, 5], 2, seed=3), 12)
    u = np.vstack([u, u[:500]])
    mask = pareto_mask(u)
    front = u[mask]
    assert not dominated_by_any(front, u).any()
    assert dominated_by_any(u[~mask], front).all()
    np.testing.assert_array_equal(_pareto_mask_kd(u), mask)


# --------------------------------------------------------------------------------------------
# properties


@EXAMPLES
@given(matrices())
def test_frontier_rows_are_undominated_and_the_rest_are_dominated_by_the_frontier(u):
    for tiny in (False, True):
        with tiny_thresholds() if tiny else _nothing():
            mask = pareto_mask(u, decimals=None)
        assert not dominated_by_any(u[mask], u).any()
        assert dominated_by_any(u[~mask], u[mask]).all()


@contextmanager
def _nothing():
    yield


@EXAMPLES
@given(
    tie_matrices(),
    st.data(),
    st.sampled_from([0.125, 0.5, 2.0, 8.0]),
    st.sampled_from([-3.0, -0.25, 0.0, 1.5]),
)
def test_invariant_under_positive_affine_transform_of_one_column(u, data, a, b):
    # A general a*u + b rounds in floating point, which can turn a near-tie into a tie (or back)
    # and so change the frontier legitimately. Entries in {0, .25, .5, 1} with a a power of two
    # and b a multiple of 1/4 keep every result exact, so the transform preserves all order
    # relations; decimals=None then compares exactly those exact values.
    if u.shape[0] == 0:
        return
    column = data.draw(st.integers(0, u.shape[1] - 1))
    v = u.copy()
    v[:, column] = a * v[:, column] + b
    np.testing.assert_array_equal(pareto_mask(v, decimals=None), pareto_mask(u, decimals=None))
    with tiny_thresholds():
        np.testing.assert_array_equal(pareto_mask(v, decimals=None), pareto_mask(u, decimals=None))


@EXAMPLES
@given(matrices(), st.randoms(use_true_random=False))
def test_permuting_rows_permutes_the_mask(u, rnd):
    perm = np.array(rnd.sample(range(len(u)), len(u)), dtype=np.intp)
    np.testing.assert_array_equal(pareto_mask(u[perm]), pareto_mask(u)[perm])
    with tiny_thresholds():
        np.testing.assert_array_equal(pareto_mask(u[perm]), pareto_mask(u)[perm])


@EXAMPLES
@given(st.integers(1, 6).flatmap(lambda k: st.tuples(*[tie_matrices(k, k)] * 2)))
def test_frontier_of_union_is_frontier_of_union_of_frontiers(pair):
    # What chunked evaluation relies on: front(A | B) == front(front(A) | front(B)), as multisets
    # of rows (duplicates included).
    a, b = pair
    whole = np.vstack([a, b])
    merged = np.vstack([a[pareto_mask(a)], b[pareto_mask(b)]])
    np.testing.assert_array_equal(
        sorted_rows(whole[pareto_mask(whole)]), sorted_rows(merged[pareto_mask(merged)])
    )


# --------------------------------------------------------------------------------------------
# helpers of the fast path, directly


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.integers(1, 300),
        elements=st.one_of(
            TIE_VALUES,
            st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
            st.floats(-1e-9, 1e-9, allow_nan=False, allow_infinity=False),
        ),
    ),
    hnp.arrays(np.float64, 50, elements=st.floats(-2e6, 2e6, allow_nan=False)),
)
def test_count_at_least_matches_binary_search(values, queries):
    values = np.sort(values)
    queries = np.concatenate([queries, values, np.nextafter(values, np.inf)])
    expected = values.size - np.searchsorted(values, queries, side="left")
    with tiny_thresholds():
        counter = pareto._CountAtLeast(values)
    np.testing.assert_array_equal(counter(queries), expected)


@pytest.mark.parametrize("size", [1, 33, 64, 512, 600, 1024])
@pytest.mark.parametrize("k", [2, 5])
def test_chunk_index_answers_like_direct_comparison(size, k):
    rng = np.random.default_rng(size * k)
    points = np.round(rng.random((k, size)), 2)  # many ties per column
    queries = np.round(rng.random((k, 3000)) * 1.1, 2)  # some above every point
    queries[:, : min(size, 3000)] = points[:, : min(size, 3000)]  # queries equal to points
    expected = pareto._covers_brute(points, queries)
    chunk = pareto._Chunk(points, 0)
    chunk._index()
    np.testing.assert_array_equal(chunk.covers(queries), expected)
    assert expected.any() and not expected.all()


# --------------------------------------------------------------------------------------------
# API and edge cases


def test_rounding_removes_float_noise_and_decimals_none_keeps_it():
    u = np.array([[0.1 + 0.2, 0.5], [0.3, 0.5]])  # 0.30000000000000004 vs 0.3
    np.testing.assert_array_equal(pareto_mask(u), [True, True])  # identical after rounding
    np.testing.assert_array_equal(pareto_mask(u, decimals=None), [True, False])
    np.testing.assert_array_equal(pareto_mask(u, decimals=0), [True, True])


def test_pareto_indices_are_sorted_int64():
    u = np.array([[0.0, 1.0], [0.5, 0.5], [0.4, 0.4], [1.0, 0.0], [0.5, 0.5]])
    idx = pareto_indices(u)
    assert idx.dtype == np.int64
    np.testing.assert_array_equal(idx, [0, 1, 3, 4])
    np.testing.assert_array_equal(pareto_indices(np.zeros((0, 3))), np.zeros(0, np.int64))


@pytest.mark.parametrize("k", [0, 1, 2, 3, 7])
def test_empty_input(k):
    mask = pareto_mask(np.zeros((0, k)))
    assert mask.shape == (0,) and mask.dtype == bool


@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_single_row(k):
    np.testing.assert_array_equal(pareto_mask(np.full((1, k), 0.3)), [True])


@pytest.mark.parametrize("k", [1, 2, 3, 7])
@pytest.mark.parametrize("n", [2, 50, 5000])
def test_all_rows_identical_are_all_kept(k, n):
    assert pareto_mask(np.full((n, k), 0.7)).all()


def test_zero_columns_keeps_every_row():
    assert pareto_mask(np.zeros((4, 0))).all()


def test_one_column_keeps_the_maxima():
    np.testing.assert_array_equal(
        pareto_mask(np.array([[0.2], [0.9], [0.9], [0.1]])), [False, True, True, False]
    )


def test_accepts_lists_and_integers():
    np.testing.assert_array_equal(pareto_mask([[1, 0], [0, 1], [0, 0]]), [True, True, False])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_non_finite_input_raises(bad, k):
    u = np.zeros((4, k))
    u[2, k - 1] = bad
    word = "NaN" if np.isnan(bad) else "infinite"
    with pytest.raises(ValueError, match=rf"finite.*{word}.*row 2, column {k - 1}"):
        pareto_mask(u)


@pytest.mark.parametrize("shape", [(3,), (2, 2, 2), ()])
def test_wrong_shape_raises(shape):
    with pytest.raises(ValueError, match="2-D"):
        pareto_mask(np.zeros(shape))


def test_bad_decimals_raise():
    with pytest.raises(ValueError, match="decimals"):
        pareto_mask(np.zeros((2, 2)), decimals=400)
    with pytest.raises(TypeError):
        pareto_mask(np.zeros((2, 2)), decimals=1.5)


def test_huge_values_survive_rounding():
    u = np.array([[1e300, 0.0], [1e299, 1.0], [-1e300, 0.5]])
    np.testing.assert_array_equal(pareto_mask(u), [True, True, False])
