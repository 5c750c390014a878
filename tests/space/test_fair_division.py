"""Adjusted Winner (Brams & Taylor 1996)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redline.errors import RedlineError
from redline.space.fair_division import adjusted_winner


def test_carol_and_bob_textbook_case():
    points = {
        "retirement account": [50, 40],
        "home": [20, 30],
        "cottage": [15, 10],
        "investments": [10, 10],
        "other": [5, 10],
    }
    result = adjusted_winner(points, ["Carol", "Bob"])
    assert result.shares["cottage"] == (1, 0)
    assert result.shares["retirement account"] == (Fraction(5, 6), Fraction(1, 6))
    for item in ("home", "investments", "other"):
        assert result.shares[item] == (0, 1)
    assert result.totals == (Fraction(170, 3), Fraction(170, 3))
    assert result.split_item == "retirement account"


def test_tied_item_goes_to_the_party_that_trails():
    result = adjusted_winner({"x": [60, 40], "y": [10, 10], "z": [30, 50]}, ["A", "B"])
    # Untied: A has 60 from x, B has 50 from z, so B trails and gets y; then both have 60.
    assert result.shares["y"] == (0, 1)
    assert result.totals == (60, 60)
    assert result.split_item is None


def test_bad_points_are_refused():
    with pytest.raises(RedlineError, match="sum to"):
        adjusted_winner({"x": [50, 40], "y": [40, 60]})
    with pytest.raises(RedlineError, match="negative"):
        adjusted_winner({"x": [110, 40], "y": [-10, 60]})


@st.composite
def allocations(draw):
    n = draw(st.integers(2, 7))
    def spread():
        cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
        edges = [0, *cuts, 100]
        return [b - a for a, b in zip(edges, edges[1:], strict=False)]
    a, b = spread(), spread()
    return {f"item{i}": [a[i], b[i]] for i in range(n)}


@given(allocations())
def test_equitable_envy_free_and_at_most_one_split(points):
    result = adjusted_winner(points)
    ta, tb = result.totals
    assert ta == tb  # equitable
    assert ta >= 50  # envy-free for two parties: each gets at least half by its own count
    split = [item for item, (sa, _) in result.shares.items() if 0 < sa < 1]
    assert len(split) <= 1
    for sa, sb in result.shares.values():
        assert 0 <= sa <= 1 and sa + sb == 1
