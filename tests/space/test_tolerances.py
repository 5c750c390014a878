"""Answers that floating-point noise used to decide: each compared with the exact one.

The scenarios in tests/data/repro say in their first lines what the exact answer is and why a
float comparison got it wrong.
"""

from pathlib import Path

import numpy as np
import pytest

from redline.pipeline import load
from redline.scenario.compile import spatial_evaluation
from redline.space.domain import Domain, IssueSpace
from redline.space.engine import SOLUTIONS, analyze, evaluate, package_labels
from redline.space.packages import decode
from redline.space.tolerance import UTILITY_TOLERANCE, rounded

REPRO = Path(__file__).resolve().parents[1] / "data" / "repro"


def _solve(name: str):
    domain = load(REPRO / name).domain
    return domain, analyze(domain)


def _packages(domain, solution) -> list[tuple[str, ...]]:
    return [tuple(package_labels(domain, int(i)).values()) for i in solution.indices]


def test_an_actor_without_room_to_gain_does_not_decide_kalai_smorodinsky():
    domain, result = _solve("ks_float_noise.yaml")
    ks = result.solutions["kalai_smorodinsky"]
    assert _packages(domain, ks) == [("q", "q")]
    assert ks.value == 1.0  # A counts as satisfied, B gets its ideal
    # Exactly, every acceptable package gives A no gain: all Nash products and smallest gains
    # are 0, and x=p, y=p is dominated by x=q, y=q, so it is not a solution.
    for name in ("nash", "egalitarian"):
        assert _packages(domain, result.solutions[name]) == [("q", "q")], name
        assert result.solutions[name].value == 0.0


def test_an_ideal_point_midway_between_two_options_values_both_alike():
    domain, result = _solve("midpoint_equidistant_float.yaml")
    a = domain.actors.index("a")
    for table in domain.tables:
        assert table[:, a].tolist() == [0.5, 0.5]  # weight 1/2, both options worth 1
    for name in SOLUTIONS:  # A is indifferent, so B's favourite package alone is optimal
        assert _packages(domain, result.solutions[name]) == [("p", "p")], name


@pytest.mark.parametrize("ideal", [10.4, 10.4 + 1e-12, 10.4 - 1e-12])
def test_equal_distances_within_rounding_are_equal(ideal):
    assert spatial_evaluation(np.array([10.1, 10.7]), ideal).tolist() == [1.0, 1.0]


def test_spatial_evaluation_still_separates_distinct_distances():
    assert spatial_evaluation(np.array([0.0, 50.0, 100.0]), 25.0).tolist() == [1.0, 1.0, 0.0]
    assert spatial_evaluation(np.array([10.1, 10.7]), 10.41).tolist() == [0.0, 1.0]


def test_nash_ties_are_relative_so_small_gains_do_not_all_tie():
    domain, result = _solve("nash_small_gains.yaml")
    nash = result.solutions["nash"]
    assert nash.value == pytest.approx(0.003**5, rel=1e-9)
    assert _packages(domain, nash) == [("p", "p"), ("p", "q")]
    assert nash.count == 2


def test_no_reported_solution_is_dominated_in_the_repro_scenarios():
    for name in ("ks_float_noise.yaml", "midpoint_equidistant_float.yaml",
                 "nash_small_gains.yaml"):
        domain, result = _solve(name)
        veto = domain.party_mask
        everything = np.arange(domain.n_packages)
        u = evaluate(domain, decode(everything, domain.radices))
        ok = (u[:, veto] >= domain.disagreement[veto] - UTILITY_TOLERANCE).all(axis=1)
        acceptable = rounded(u[ok][:, veto])
        for solution in result.solutions.values():
            for row in rounded(solution.utilities[:, veto]):
                better = (acceptable >= row).all(axis=1) & (acceptable > row).any(axis=1)
                assert not better.any(), (name, solution.name)


def test_a_nash_optimum_of_zero_is_not_raised_by_noise():
    # A's utility 0.1 + 0.2 = 0.30000000000000004 meets its outside option 0.3 exactly, so the
    # true optimum of the Nash product is 0 and both packages tie; the noise (a product of
    # 5e-20) must not make the one where two other actors gain nothing lose the tie.
    tables = (np.array([[0.1, 0.1, 0.1, 0.1], [0.1, 0.2, 0.0, 0.0]]),
              np.array([[0.2, 0.0, 0.0, 0.0]]))
    issues = (IssueSpace("i0", "i0", ("a", "b"), np.array([0.0, 100.0])),
              IssueSpace("i1", "i1", ("a",), np.array([50.0])))
    domain = Domain(issues=issues, actors=("A", "B", "C", "D"), tables=tables,
                    disagreement=np.array([0.3, 0.0, 0.0, 0.0]))
    assert evaluate(domain, decode(np.arange(2), domain.radices))[:, 0].tolist() == [
        0.30000000000000004] * 2
    nash = analyze(domain).solutions["nash"]
    assert nash.value == 0.0
    assert nash.indices.tolist() == [0, 1] and nash.count == 2  # neither dominates the other


def test_sweep_kalai_smorodinsky_uses_the_same_room_rule():
    from redline.scenario.load import load_scenario
    from redline.uncertainty.sweep import sweep

    result = sweep(load_scenario(REPRO / "ks_float_noise.yaml"), draws=4, seed=1)
    assert result.ks.tolist() == [3, 3, 3, 3]  # x=q, y=q


@pytest.mark.parametrize("name", ["ks_float_noise.yaml", "midpoint_equidistant_float.yaml",
                                  "nash_small_gains.yaml"])
def test_sweep_solutions_are_among_the_analysis_ties(name):
    # Nothing is uncertain in these files: every draw's Nash and K-S package must be one of the
    # undominated ties that analyze lists (never a dominated package within an absolute 1e-12).
    from redline.scenario.load import load_scenario
    from redline.uncertainty.sweep import sweep

    domain, result = _solve(name)
    swept = sweep(load_scenario(REPRO / name), draws=3, seed=0)
    for picks, key in ((swept.nash, "nash"), (swept.ks, "kalai_smorodinsky")):
        listed = set(result.solutions[key].indices.tolist())
        assert set(picks.tolist()) <= listed, (key, picks, listed)
