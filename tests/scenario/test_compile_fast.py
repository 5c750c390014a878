"""The scenario compiler's shortcuts give numpy's own numbers, bit for bit: issue sums added
one issue at a time, and the spatial evaluation's extremes taken one option at a time."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from redline.scenario.compile import issue_sum, spatial_evaluation
from redline.space.tolerance import rounded_distance

FINITE = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(float, hnp.array_shapes(min_dims=1, max_dims=3, max_side=12), elements=FINITE))
def test_issue_sum_is_numpys_sum_bit_for_bit(values):
    np.testing.assert_array_equal(issue_sum(values), values.sum(axis=-1))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=1, max_size=7),
       hnp.arrays(float, st.integers(1, 9), elements=st.floats(0, 100)))
def test_spatial_evaluation_is_the_min_max_rescale_of_the_distances(options, ideal):
    values = np.array(options)
    distance = rounded_distance(np.abs(values - ideal[:, None]))
    far = distance.max(axis=-1, keepdims=True)
    near = distance.min(axis=-1, keepdims=True)
    spread = far - near
    expected = np.where(spread > 0, (far - distance) / np.where(spread > 0, spread, 1.0), 1.0)
    np.testing.assert_array_equal(spatial_evaluation(values, ideal), expected)
