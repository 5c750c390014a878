"""The engine against an exact brute-force reading of docs/concepts.md.

The reference enumerates every package with ``itertools.product`` and computes utilities in exact
rational arithmetic (``fractions.Fraction``), then applies the definitions word for word:

* acceptable: no rule of an actor with a veto rejects it, and every veto actor gets at least its
  outside option;
* ``a`` dominates ``b``: at least as good for every veto actor, better for one; the frontier is
  every package of the whole space that nothing dominates;
* a solution is every acceptable package that maximises the objective and that no acceptable
  package dominates (Nash: product of the gains over outside options; Kalai-Smorodinsky: the
  smallest share of the ideal gain, an actor whose ideal is its outside option counting as fully
  satisfied; utilitarian: the sum; egalitarian: the smallest gain).

Utility tables are on grids of 1/3, 1/7, 1/8 and 1/10: sums of tenths and thirds are not exact in
binary (``0.1 + 0.2 != 0.3``), so the engine only agrees with the exact answer if it compares
within its tolerances, while genuinely different values stay far apart.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.space.domain import Condition, Constraint, Domain, IssueSpace
from redline.space.engine import SOLUTIONS, _analyze, analysis_to_dict, analyze, evaluate
from redline.space.packages import decode
from redline.space.tolerance import UTILITY_TOLERANCE, rounded

# --------------------------------------------------------------------------------------------
# the exact reference


class Reference:
    """Every package of a grid domain, evaluated exactly, and the definitions applied."""

    def __init__(self, sizes, numerators, denominator, outside, veto, rules):
        self.packages = list(itertools.product(*[range(s) for s in sizes]))
        n_actors = len(outside)
        self.veto = [a for a in range(n_actors) if veto[a]]
        self.d = [Fraction(x, denominator) for x in outside]
        self.u = [tuple(sum(Fraction(numerators[i][o][a], denominator)
                            for i, o in enumerate(p)) for a in range(n_actors))
                  for p in self.packages]
        self.ok = [all(not (holder in self.veto and rejects(p)) for holder, rejects in rules)
                   and all(self.u[k][a] >= self.d[a] for a in self.veto)
                   for k, p in enumerate(self.packages)]
        self.acceptable = [k for k, ok in enumerate(self.ok) if ok]

    def vector(self, k):
        return tuple(self.u[k][a] for a in self.veto)

    def dominates(self, a, b):
        va, vb = self.vector(a), self.vector(b)
        return all(x >= y for x, y in zip(va, vb, strict=True)) and va != vb

    def frontier(self):
        """{veto utility vector: ascending package numbers} over the whole space."""
        everything = range(len(self.packages))
        groups: dict = {}
        for k in everything:
            if not any(self.dominates(j, k) for j in everything):
                groups.setdefault(self.vector(k), []).append(k)
        return groups

    def objective(self, name):
        veto, d = self.veto, self.d
        if name == "nash":
            return lambda u: math.prod(max(u[a] - d[a], 0) for a in veto)
        if name == "utilitarian":
            return lambda u: sum(u[a] for a in veto)
        if name == "egalitarian":
            return lambda u: min(u[a] - d[a] for a in veto)
        ideal = {a: max(self.u[k][a] for k in self.acceptable) for a in veto}
        return lambda u: min((u[a] - d[a]) / (ideal[a] - d[a]) if ideal[a] > d[a] else 1
                             for a in veto)

    def solution(self, name):
        """(optimal value, ascending package numbers)."""
        if not self.acceptable:
            return None, []
        f = self.objective(name)
        best = max(f(self.u[k]) for k in self.acceptable)
        optimal = [k for k in self.acceptable if f(self.u[k]) == best]
        return best, [k for k in optimal
                      if not any(self.dominates(j, k) for j in self.acceptable)]


# --------------------------------------------------------------------------------------------
# random grid domains, as the engine sees them and as the reference does


@st.composite
def grid_cases(draw, max_actors=4):
    n_issues = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 4)) for _ in range(n_issues)]
    n_actors = draw(st.integers(2, max_actors))
    denominator = draw(st.sampled_from([3, 7, 8, 10]))
    top = denominator // n_issues  # keep utilities in [0, 1]
    numerators = [[[draw(st.integers(0, top)) for _ in range(n_actors)] for _ in range(s)]
                  for s in sizes]
    outside = [draw(st.integers(0, denominator // 2)) for _ in range(n_actors)]
    veto = [True] + [draw(st.booleans()) or a == 1 for a in range(1, n_actors)]
    veto = veto if draw(st.booleans()) else [True] * n_actors
    rules, constraints = [], []
    for c in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, n_issues - 1))
        banned = draw(st.sets(st.integers(0, sizes[i] - 1), max_size=sizes[i]))
        holder = draw(st.integers(0, n_actors - 1))
        rules.append((holder, lambda p, i=i, banned=frozenset(banned): p[i] in banned))
        allowed = np.array([o in banned for o in range(sizes[i])])
        constraints.append(Constraint(f"rule{c}", "red_line", holder, "",
                                      Condition("in", issue=i, allowed=allowed)))
    tables = tuple(np.array(rows, dtype=float) / denominator for rows in numerators)
    issues = tuple(IssueSpace(f"i{i}", f"i{i}", tuple(f"o{o}" for o in range(s)),
                              np.linspace(0, 100, s)) for i, s in enumerate(sizes))
    domain = Domain(issues=issues, actors=tuple(f"a{a}" for a in range(n_actors)), tables=tables,
                    disagreement=np.array(outside, dtype=float) / denominator,
                    parties=np.array(veto), constraints=tuple(constraints))
    return domain, Reference(sizes, numerators, denominator, outside, veto, rules)


def _close(value, exact):
    return abs(value - float(exact)) <= 1e-9 * max(1.0, abs(float(exact)))


# --------------------------------------------------------------------------------------------
# solutions


@settings(max_examples=300, deadline=None)
@given(grid_cases(), st.sampled_from([None, 1, 2, 5]), st.booleans())
def test_solutions_are_exactly_the_undominated_optima(case, chunk, force_scan):
    domain, ref = case
    result = _analyze(domain, chunk_size=chunk, scan=force_scan)
    assert result.acceptable_count == len(ref.acceptable)
    for name in SOLUTIONS:
        best, expected = ref.solution(name)
        sol = result.solutions[name]
        assert sol.indices.tolist() == expected, name
        assert sol.count == len(expected), name
        if expected:
            assert _close(sol.value, best), (name, sol.value, best)


@settings(max_examples=150, deadline=None)
@given(grid_cases(), st.integers(1, 3), st.sampled_from([None, 2]))
def test_ties_are_listed_up_to_the_cap_and_counted_in_full(case, limit, chunk):
    domain, ref = case
    result = analyze(domain, list_limit=limit, chunk_size=chunk)
    data = analysis_to_dict(result)
    for name in SOLUTIONS:
        _, expected = ref.solution(name)
        sol = result.solutions[name]
        assert sol.indices.tolist() == expected[:limit]
        assert sol.count == len(expected)
        assert sol.listed_all == (len(expected) <= limit)
        assert len(data["solutions"][name]) == min(limit, len(expected))
        assert data["solution_ties"][name] == len(expected)
        cut = [line for line in data["cuts"] if line.startswith(f"solutions.{name}:")]
        if len(expected) > limit:
            assert cut == [f"solutions.{name}: first {limit:,} of {len(expected):,} tied "
                           f"packages (--list-limit {len(expected)} lists all)"]
        else:
            assert cut == []


# --------------------------------------------------------------------------------------------
# the frontier


@settings(max_examples=200, deadline=None)
@given(grid_cases(max_actors=5), st.sampled_from([None, 3]))
def test_frontier_points_are_the_undominated_vectors_with_their_counts(case, chunk):
    domain, ref = case
    result = analyze(domain, chunk_size=chunk)
    groups = ref.frontier()
    assert result.pareto_complete
    assert result.pareto_indices.size == len(groups)
    assert result.pareto_packages == sum(len(g) for g in groups.values())
    assert result.pareto_indices.tolist() == sorted(result.pareto_indices.tolist())
    seen = set()
    for k, index in enumerate(result.pareto_indices.tolist()):
        vector = ref.vector(index)
        members = groups[vector]
        accepted = [m for m in members if ref.ok[m]]
        assert index == (accepted[0] if accepted else members[0])
        assert result.pareto_counts[k] == len(members)
        assert result.pareto_acceptable_counts[k] == len(accepted)
        assert bool(result.pareto_acceptable[k]) == bool(accepted)
        seen.add(vector)
    assert seen == set(groups)


def test_frontier_cap_leaves_the_frontier_out_and_says_so():
    # Constant-sum utilities: every package is on the frontier, at 64 distinct points.
    share = np.array([[0.0, 1.0], [1 / 3, 2 / 3], [2 / 3, 1 / 3], [1.0, 0.0]]) / 3
    issues = tuple(IssueSpace(f"i{i}", f"i{i}", ("a", "b", "c", "d"), np.linspace(0, 100, 4))
                   for i in range(3))
    domain = Domain(issues=issues, actors=("x", "y"), tables=(share, share * 1.01, share * 1.1),
                    disagreement=np.zeros(2))
    full = analyze(domain)
    assert full.pareto_indices.size == 64 and full.pareto_complete
    capped = analyze(domain, max_frontier=10)
    assert not capped.pareto_complete and capped.pareto_indices.size == 0
    for name in SOLUTIONS:  # the solutions do not depend on the frontier being listed
        assert capped.solutions[name].indices.tolist() == full.solutions[name].indices.tolist()
    data = analysis_to_dict(capped)
    assert data["pareto_count"] is None and data["pareto"] == []
    assert data["cuts"] == ["pareto: not computed, more than 10 distinct points (--max-frontier)"]
    listed = analysis_to_dict(full, pareto_limit=5)
    assert len(listed["pareto"]) == 5 and listed["pareto_points"] == 64
    assert listed["cuts"] == ["pareto: first 5 of 64 points (--list-limit 64 lists all)"]


# --------------------------------------------------------------------------------------------
# arbitrary floats: the tie rule of docs/concepts.md, by brute force


@st.composite
def float_domains(draw):
    n_issues = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 4)) for _ in range(n_issues)]
    n_actors = draw(st.integers(2, 3))
    value = st.floats(0, 1 / n_issues, allow_nan=False, allow_subnormal=False)
    tables = tuple(np.array([[draw(value) for _ in range(n_actors)] for _ in range(s)])
                   for s in sizes)
    outside = np.array([draw(st.floats(0, 0.5)) for _ in range(n_actors)])
    issues = tuple(IssueSpace(f"i{i}", f"i{i}", tuple(f"o{o}" for o in range(s)),
                              np.linspace(0, 100, s)) for i, s in enumerate(sizes))
    return Domain(issues=issues, actors=tuple(f"a{a}" for a in range(n_actors)), tables=tables,
                  disagreement=outside)


def _dominated(u, others):
    """Rows of ``others`` that dominate ``u`` after rounding (the engine's dominance)."""
    u, others = rounded(u), rounded(others)
    return (others >= u).all(axis=1) & (others > u).any(axis=1)


@settings(max_examples=300, deadline=None)
@given(float_domains(), st.booleans())
def test_no_solution_is_dominated_and_every_tie_is_counted(domain, force_scan):
    result = _analyze(domain, scan=force_scan)
    everything = np.arange(domain.n_packages)
    u = evaluate(domain, decode(everything, domain.radices))
    ok = (u >= domain.disagreement - UTILITY_TOLERANCE).all(axis=1)
    acceptable = u[ok]
    assert result.acceptable_count == int(ok.sum())
    for name in SOLUTIONS:
        sol = result.solutions[name]
        if not ok.any():
            assert sol.count == 0
            continue
        for row in sol.utilities:
            assert not _dominated(row, acceptable).any(), name
        # Brute force of the tie rule: reaching the optimum once raised by the tolerance.
        f = _objective(name, domain, acceptable)
        best = f(acceptable, 0.0).max()
        ties = everything[ok][f(acceptable, UTILITY_TOLERANCE) >= best]
        tie_u = u[ties]
        undominated = [k for k, row in zip(ties, tie_u, strict=True)
                       if not _dominated(row, tie_u).any()]
        assert sol.indices.tolist() == undominated, name
        assert sol.count == len(undominated)


def _objective(name, domain, acceptable):
    """Objective ``f(u, s)`` with every utility raised by ``s``; gains within the tolerance of
    0 count as 0 (docs/concepts.md, "Tolerances and caps")."""
    d = domain.disagreement

    def gain(u, s):
        g = u - d
        return np.where(np.abs(g) <= UTILITY_TOLERANCE, 0.0, g) + s

    if name == "nash":
        return lambda u, s: np.prod(np.clip(gain(u, s), 0, None), axis=1)
    if name == "utilitarian":
        return lambda u, s: (u + s).sum(axis=1)
    if name == "egalitarian":
        return lambda u, s: gain(u, s).min(axis=1)
    span = acceptable.max(axis=0) - d
    flat = span <= UTILITY_TOLERANCE
    return lambda u, s: np.where(flat, 1.0, gain(u, s) / np.where(flat, 1.0, span)).min(axis=1)
