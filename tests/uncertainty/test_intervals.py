"""Wilson's score interval (Wilson 1927) against hand computations."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redline.uncertainty.intervals import WILSON_Z, wilson_interval


def test_wilson_by_hand():
    # 8 of 10 at z = 1.96: centre (0.8 + 0.19208) / 1.38416, half 1.96 / 1.38416 *
    # sqrt(0.016 + 0.009604) = 0.7167379 -+ 0.2265810: (0.4902, 0.9433).
    low, high = wilson_interval(8, 10, 1.96)
    assert low == pytest.approx(0.4901568, abs=1e-7)
    assert high == pytest.approx(0.9433190, abs=1e-7)
    # 0 of 10: the interval starts at 0 and is not degenerate, high = z^2 / (n + z^2).
    low, high = wilson_interval(0, 10, WILSON_Z)
    assert low == 0.0
    assert high == pytest.approx(WILSON_Z**2 / (10 + WILSON_Z**2), rel=1e-12)


def test_z_is_the_normal_quantile_of_0975():
    assert math.erf(WILSON_Z / math.sqrt(2)) == pytest.approx(0.95, abs=1e-15)


@given(st.integers(1, 10_000), st.data())
def test_wilson_contains_the_estimate_and_is_symmetric(n, data):
    k = data.draw(st.integers(0, n))
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    mirror = wilson_interval(n - k, n)
    assert mirror[0] == pytest.approx(1 - high, abs=1e-12)
    assert mirror[1] == pytest.approx(1 - low, abs=1e-12)


def test_no_draws_is_the_whole_range_and_bad_counts_raise():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
