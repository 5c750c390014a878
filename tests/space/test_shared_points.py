"""The scan matches acceptable packages to shared frontier points by a hash of their rounded
utilities: round numbers (multiples of 1/8, as scaled and shifted tables give) must hash apart,
and every match must be exact."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.space.engine import _SharedPoints

ROUND_VALUES = sorted({k / 8 * s + h / 8 for k in range(33) for s in (0.5, 1, 2, 4)
                       for h in range(-4, 5)})


def test_round_utilities_that_collided_under_the_old_hash_get_distinct_keys():
    # 2,916 distinct pairs of multiples of 1/16: the multiply-xor hash gave ~100 duplicate keys
    # under each of its four multipliers, and the analysis raised "could not hash".
    points = np.array(list(itertools.product(ROUND_VALUES[::3], repeat=2)))
    shared = _SharedPoints(points, np.array([0, 1]))
    assert np.unique(shared.keys).size == points.shape[0]
    shared.update(np.arange(points.shape[0]), points)
    assert (shared.acceptable == 1).all()
    assert np.array_equal(shared.first, np.arange(points.shape[0]))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.data())
def test_each_package_is_counted_at_the_point_with_its_exact_utilities(k, data):
    values = st.sampled_from(ROUND_VALUES)
    vectors = data.draw(st.lists(st.tuples(*[values] * k), min_size=1, max_size=40, unique=True))
    points = np.array(vectors, dtype=float)
    extra = np.array(data.draw(st.lists(st.tuples(*[values] * k), max_size=40)),
                     dtype=float).reshape(-1, k)
    chosen = data.draw(st.lists(st.integers(0, len(vectors) - 1), max_size=60))
    queries = np.concatenate([points[chosen], extra])
    indices = np.arange(queries.shape[0]) + 100
    shared = _SharedPoints(np.concatenate([points, np.zeros((len(points), 1))], axis=1),
                           np.arange(k))
    shared.update(indices, np.concatenate([queries, np.ones((len(queries), 1))], axis=1))
    # Brute force: a query counts at the point whose vector equals it exactly.
    same = (queries[:, None, :] == points[None, :, :]).all(axis=2)
    assert np.array_equal(shared.acceptable, same.sum(axis=0))
    none = np.iinfo(np.int64).max
    first = np.where(same, indices[:, None], none).min(axis=0, initial=none)
    assert np.array_equal(shared.first, first)
