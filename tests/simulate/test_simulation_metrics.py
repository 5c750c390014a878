"""Per-negotiation metrics (redline.simulate.metrics) against brute force.

Every definition is re-derived here with plain Python loops over the packages: the outcome's
utilities, the advantage ``(u - r) / (max - r)``, the welfare, the Pareto frontier by pairwise
dominance, and the Nash and Kalai-Smorodinsky optima over the packages every agent may accept.
Utilities are drawn from a coarse grid so that ties (of utilities, of products, of ratios) are
frequent: the kernel's pick must then be one of the brute-force optima that no other optimum
dominates.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.simulate.metrics import (
    METRIC_NAMES,
    negotiation_metrics,
    optimality,
    outcome_utilities,
    references,
)

# Differences between distinct products or ratios on the grid below are far above this.
GRID_TIE = 1e-9
DISTANCE_TOLERANCE = 1e-12


@st.composite
def batches(draw, max_negotiations: int = 4):
    """A batch of small negotiations on a 0.1 grid, some sharing one space."""
    n_agents = draw(st.integers(2, 3))
    n_packages = draw(st.integers(1, 9))
    n_spaces = draw(st.integers(1, 3))
    grid = st.integers(0, 10)
    spaces = []
    for _ in range(n_spaces):
        u = np.array(draw(st.lists(st.lists(grid, min_size=n_packages, max_size=n_packages),
                                   min_size=n_agents, max_size=n_agents)), float) / 10
        r = np.array(draw(st.lists(st.integers(0, 6), min_size=n_agents,
                                   max_size=n_agents)), float) / 10
        allowed = np.array(draw(st.lists(
            st.lists(st.sampled_from([True, True, True, False]),
                     min_size=n_packages, max_size=n_packages),
            min_size=n_agents, max_size=n_agents)), bool)
        spaces.append((u, r, allowed))
    b = draw(st.integers(1, max_negotiations))
    which = draw(st.lists(st.integers(0, n_spaces - 1), min_size=b, max_size=b))
    utilities = np.stack([spaces[k][0] for k in which])
    reservation = np.stack([spaces[k][1] for k in which])
    allowed = np.stack([spaces[k][2] for k in which])
    agreement = np.array(draw(st.lists(st.integers(-1, n_packages - 1), min_size=b,
                                       max_size=b)), np.int64)
    return utilities, reservation, allowed, agreement


def dominates(x, y) -> bool:
    pairs = list(zip(x, y, strict=True))
    return all(a >= b for a, b in pairs) and any(a > b for a, b in pairs)


def brute_frontier(u):
    """Utility vectors (A-tuples) no package dominates; ``u`` is (A, N)."""
    points = [tuple(u[:, n]) for n in range(u.shape[1])]
    return [p for p in points if not any(dominates(q, p) for q in points)]


def brute_acceptable(u, r, allowed):
    n_agents, n = u.shape
    return [p for p in range(n)
            if all(allowed[a, p] and u[a, p] >= r[a] for a in range(n_agents))]


def brute_optima(u, r, allowed, kind: str):
    """The acceptable packages that maximise the Nash product or the K-S ratio."""
    ok = brute_acceptable(u, r, allowed)
    if not ok:
        return []
    n_agents = u.shape[0]
    ideal = [max(u[a, p] for p in ok) for a in range(n_agents)]

    def score(p):
        gains = [u[a, p] - r[a] for a in range(n_agents)]
        if kind == "nash":
            return math.prod(max(g, 0.0) for g in gains)
        ratios = [1.0 if ideal[a] - r[a] <= 0 else gains[a] / (ideal[a] - r[a])
                  for a in range(n_agents)]
        return min(ratios)

    best = max(score(p) for p in ok)
    return [p for p in ok if score(p) >= best - GRID_TIE]


def distance(x, y) -> float:
    return math.sqrt(sum((a - b) ** 2 for a, b in zip(x, y, strict=True)))


@settings(max_examples=150, deadline=None)
@given(batches())
def test_metrics_match_brute_force(batch):
    utilities, reservation, allowed, agreement = batch
    m = negotiation_metrics(utilities, reservation, allowed, agreement)
    for b in range(utilities.shape[0]):
        u, r, ok = utilities[b], reservation[b], allowed[b]
        n_agents = u.shape[0]
        outcome = [u[a, agreement[b]] if agreement[b] >= 0 else r[a] for a in range(n_agents)]
        assert m.agreement[b] == (agreement[b] >= 0)
        assert m.utility[b].tolist() == outcome
        assert m.welfare[b] == pytest.approx(sum(outcome), abs=DISTANCE_TOLERANCE)
        for a in range(n_agents):
            best = max(u[a])
            want = (outcome[a] - r[a]) / (best - r[a]) if best > r[a] else 0.0
            assert m.advantage[b, a] == pytest.approx(want, abs=DISTANCE_TOLERANCE)
        front = brute_frontier(u)
        assert m.pareto_distance[b] == pytest.approx(
            min(distance(outcome, p) for p in front), abs=DISTANCE_TOLERANCE)
        for kind, dist, picks in (("nash", m.nash_distance, m.references.nash),
                                  ("ks", m.ks_distance, m.references.ks)):
            optima = brute_optima(u, r, ok, kind)
            pick = int(picks[m.references.group[b]])
            if not optima:
                assert pick == -1 and math.isnan(dist[b])
                continue
            vectors = [tuple(u[:, p]) for p in optima]
            chosen = tuple(u[:, pick])
            assert pick in optima, kind
            assert not any(dominates(v, chosen) for v in vectors), kind
            assert dist[b] == pytest.approx(distance(outcome, chosen), abs=DISTANCE_TOLERANCE)


@settings(max_examples=60, deadline=None)
@given(batches(max_negotiations=6))
def test_a_batch_equals_its_negotiations_one_by_one(batch):
    utilities, reservation, allowed, agreement = batch
    whole = negotiation_metrics(utilities, reservation, allowed, agreement)
    for b in range(utilities.shape[0]):
        one = negotiation_metrics(utilities[b:b + 1], reservation[b:b + 1], allowed[b:b + 1],
                                  agreement[b:b + 1])
        assert whole.row(b) == one.row(0)


def test_negotiations_on_one_space_share_its_references():
    rng = np.random.default_rng(3)
    u = rng.random((2, 40))
    r = np.array([0.2, 0.3])
    allowed = rng.random((2, 40)) < 0.9
    shared = references(np.broadcast_to(u, (5, 2, 40)), np.broadcast_to(r, (5, 2)),
                        np.broadcast_to(allowed, (5, 2, 40)))
    copies = references(np.repeat(u[None], 5, 0), np.repeat(r[None], 5, 0),
                        np.repeat(allowed[None], 5, 0))
    for refs in (shared, copies):
        assert refs.group.tolist() == [0] * 5
        assert len(refs.frontier) == 1
    mixed = references(np.stack([u, u[::-1], u]), np.stack([r, r[::-1], r]),
                       np.stack([allowed, allowed[::-1], allowed]))
    assert mixed.group.tolist() == [0, 1, 0]
    assert mixed.nash_utilities[1].tolist() == mixed.nash_utilities[0][::-1].tolist()


def test_a_hand_computed_negotiation():
    # Three packages on the line u_a + u_b = 1 and one dominated package.
    u = np.array([[[1.0, 0.6, 0.0, 0.3], [0.0, 0.4, 1.0, 0.3]]])
    r = np.array([[0.1, 0.2]])
    allowed = np.ones((1, 2, 4), bool)
    m = negotiation_metrics(u, r, allowed, np.array([3]))
    # Nash: gains (0.5, 0.2) -> 0.10 beats (0.9, -) and (-, 0.8): package 1.
    assert m.references.nash.tolist() == [1]
    assert m.utility[0].tolist() == [0.3, 0.3]
    assert m.advantage[0] == pytest.approx([0.2 / 0.9, 0.1 / 0.8])
    assert m.welfare[0] == pytest.approx(0.6)
    assert m.pareto_distance[0] == pytest.approx(math.hypot(0.3, 0.1))  # to (0.6, 0.4)
    assert m.nash_distance[0] == pytest.approx(math.hypot(0.3, 0.1))
    failed = negotiation_metrics(u, r, allowed, np.array([-1]))
    assert not failed.agreement[0]
    assert failed.utility[0].tolist() == [0.1, 0.2]
    assert failed.advantage[0].tolist() == [0.0, 0.0]
    row = failed.row(0)
    assert list(row) == list(METRIC_NAMES)


def test_no_acceptable_package_has_no_solution_points():
    u = np.array([[[0.9, 0.1], [0.1, 0.9]]])
    m = negotiation_metrics(u, np.array([[0.5, 0.5]]), np.ones((1, 2, 2), bool),
                            np.array([-1]))
    assert m.references.nash.tolist() == [-1] and m.references.ks.tolist() == [-1]
    assert math.isnan(m.nash_distance[0]) and math.isnan(m.ks_distance[0])
    assert m.row(0)["nash_distance"] is None
    assert m.pareto_distance[0] == pytest.approx(math.hypot(0.4, 0.4))


def test_red_lines_limit_the_solutions_not_the_frontier():
    u = np.array([[[0.5, 0.9, 0.1], [0.5, 0.8, 0.1]]])
    allowed = np.ones((1, 2, 3), bool)
    allowed[0, 1, 1] = False  # agent b may not accept package 1
    m = negotiation_metrics(u, np.zeros((1, 2)), allowed, np.array([0]))
    assert m.references.nash.tolist() == [0]
    assert m.references.frontier[0].tolist() == [[0.9, 0.8]]
    assert m.pareto_distance[0] == pytest.approx(math.hypot(0.4, 0.3))


def test_bad_arrays_are_refused():
    u = np.zeros((1, 2, 3))
    with pytest.raises(ValueError, match="reservation"):
        negotiation_metrics(u, np.zeros((1, 3)), np.ones((1, 2, 3), bool), np.array([0]))
    with pytest.raises(ValueError, match="finite"):
        negotiation_metrics(u + np.nan, np.zeros((1, 2)), np.ones((1, 2, 3), bool),
                            np.array([0]))
    with pytest.raises(ValueError, match="agreement"):
        outcome_utilities(u, np.zeros((1, 2)), np.array([3]))


def test_optimality_is_negmas_normalisation():
    best, worst = np.array([[1.0, 1.0]]), np.array([[0.0, 0.0]])
    assert optimality(np.array([0.0]), best, worst).tolist() == [1.0]
    assert optimality(np.array([math.sqrt(2) / 2]), best, worst) == pytest.approx([0.5])
    assert optimality(np.array([5.0]), best, worst).tolist() == [0.0]
    assert math.isnan(optimality(np.array([0.0]), worst, worst)[0])


def test_shared_outcomes_with_drawn_reservation_values():
    # The simulation keeps outcomes shared by every negotiation as one row: (1, A, N).
    rng = np.random.default_rng(5)
    u = rng.random((1, 2, 30))
    allowed = np.ones((1, 2, 30), bool)
    r = np.array([[0.1, 0.1], [0.4, 0.2], [0.1, 0.1], [0.3, 0.6]])
    agreement = np.array([3, -1, 7, 29])
    shared = negotiation_metrics(u, r, allowed, agreement)
    copied = negotiation_metrics(np.repeat(u, 4, 0), r, np.repeat(allowed, 4, 0), agreement)
    assert shared.references.group.tolist() == [0, 1, 0, 2]
    assert len(shared.references.frontier) == 1  # one frontier: the utilities are shared
    for b in range(4):
        assert shared.row(b) == copied.row(b)
