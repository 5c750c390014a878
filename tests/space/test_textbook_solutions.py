"""Bargaining solutions on textbook problems with known answers."""

import numpy as np
import pytest

from redline.space.domain import domain_from_outcomes
from redline.space.engine import analyze


def test_kalai_smorodinsky_1975_counterexample():
    # S2 = hull{(0,0), (1,0), (0,1), (1,0.7)}: its Pareto boundary is the segment from (0,1)
    # to (1,0.7). Nash(S2) = (1, 0.7); KS(S2) is where u1 = u2 meets it: 1/1.3 each.
    t = np.unique(np.concatenate([np.linspace(0, 1, 2001), [1 / 1.3]]))
    boundary = np.column_stack([t, 1 - 0.3 * t])
    inside = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.5], [0.2, 0.7]])
    result = analyze(domain_from_outcomes(np.vstack([boundary, inside])))
    nash = result.solutions["nash"].utilities
    assert nash.shape[0] == 1
    assert nash[0] == pytest.approx([1.0, 0.7])
    ks = result.solutions["kalai_smorodinsky"]
    assert ks.value == pytest.approx(1 / 1.3, abs=1e-12)
    assert ks.utilities[0] == pytest.approx([1 / 1.3, 1 / 1.3], abs=1e-12)


def test_split_the_dollar_with_concave_utility():
    # u1 = x, u2 = sqrt(1 - x): Nash at x = 2/3, KS at x = (sqrt(5) - 1) / 2.
    x = np.unique(np.concatenate([np.linspace(0, 1, 100_001), [2 / 3, (5**0.5 - 1) / 2]]))
    result = analyze(domain_from_outcomes(np.column_stack([x, np.sqrt(1 - x)])))
    nash_x = result.solutions["nash"].utilities[:, 0]
    ks_x = result.solutions["kalai_smorodinsky"].utilities[:, 0]
    assert nash_x == pytest.approx([2 / 3], abs=1e-12)
    assert ks_x == pytest.approx([(5**0.5 - 1) / 2], abs=1e-12)


def test_egalitarian_and_utilitarian_on_a_small_set():
    points = np.array([[0.9, 0.1], [0.75, 0.4], [0.55, 0.55], [0.2, 0.8]])
    result = analyze(domain_from_outcomes(points, disagreement=[0.1, 0.1]))
    assert result.solutions["utilitarian"].utilities.tolist() == [[0.75, 0.4]]
    assert result.solutions["egalitarian"].utilities.tolist() == [[0.55, 0.55]]
    # (0.9, 0.1) gives player 2 exactly its outside option: acceptable, but no Nash gain.
    assert result.acceptable_count == 4


def test_ties_are_all_reported():
    points = np.array([[0.5, 0.5], [0.5, 0.5], [0.4, 0.6], [0.6, 0.4]])
    result = analyze(domain_from_outcomes(points))
    assert result.solutions["utilitarian"].count == 4
    assert list(result.solutions["nash"].indices) == [0, 1]
    # The two equal packages are one frontier point standing for both.
    assert result.pareto_indices.tolist() == [0, 2, 3]
    assert result.pareto_counts.tolist() == [2, 1, 1]


def test_nothing_acceptable_reports_closest_packages():
    points = np.array([[0.2, 0.9], [0.45, 0.45], [0.9, 0.1]])
    result = analyze(domain_from_outcomes(points, disagreement=[0.5, 0.5]))
    assert result.acceptable_count == 0
    assert all(s.indices.size == 0 for s in result.solutions.values())
    # Fewest broken rules first, then the smallest shortfall below outside options.
    assert [near.index for near in result.closest] == [0, 2, 1]
    first, _, last = result.closest
    assert first.must_move == ("player1",) and first.shortfall == pytest.approx(0.3)
    assert set(last.must_move) == {"player1", "player2"}
    assert last.shortfall == pytest.approx(0.1)
