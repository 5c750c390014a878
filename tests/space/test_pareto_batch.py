"""The batched Pareto frontier (space.pareto.pareto_masks) equals pareto_mask set by set."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from redline.space.pareto import pareto_mask, pareto_masks


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5), st.integers(0, 40), st.integers(1, 3), st.data())
def test_batched_equals_one_set_at_a_time(sets, rows, parties, data):
    # A coarse grid, so that ties of one coordinate and repeated vectors are frequent.
    grid = data.draw(arrays(np.int64, (sets, rows, parties), elements=st.integers(0, 6)))
    u = grid / 6.0
    got = pareto_masks(u)
    for s in range(sets):
        assert got[s].tolist() == pareto_mask(u[s]).tolist()


def test_rounding_and_bad_input():
    noisy = np.array([[[0.1 + 0.2, 0.5], [0.3, 0.5]]])  # equal after rounding: both kept
    assert pareto_masks(noisy).tolist() == [[True, True]]
    with pytest.raises(ValueError, match="3-D"):
        pareto_masks(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="finite"):
        pareto_masks(np.array([[[np.nan, 0.0]]]))
