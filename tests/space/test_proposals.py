"""Proposals judged against a brute force over every package (plain loops, no numpy masks):
who accepts each completion and why, and the acceptable packages with the fewest changes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.errors import RedlineError
from redline.space.domain import Condition, Constraint, Domain, IssueSpace
from redline.space.proposals import (
    completions,
    evaluate_proposal,
    fewest_changes,
    fixed_options,
)
from redline.space.tolerance import UTILITY_TOLERANCE


def random_domain(seed: int) -> Domain:
    """2-4 issues of 2-3 options, 2-4 actors (some without a veto), red lines of the form
    "never these options of an issue", and maybe a ratification threshold."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 4, size=rng.integers(2, 5))
    n_actors = int(rng.integers(2, 5))
    issues = tuple(IssueSpace(f"i{k}", f"issue {k}", tuple(f"o{j}" for j in range(s)),
                              np.linspace(0, 100, s)) for k, s in enumerate(sizes))
    tables = tuple(rng.integers(0, 9, size=(s, n_actors)) / (8.0 * len(sizes)) for s in sizes)
    parties = rng.random(n_actors) < 0.7
    parties[0] = True
    constraints = []
    for r in range(int(rng.integers(0, 5))):
        issue = int(rng.integers(len(sizes)))
        allowed = rng.random(sizes[issue]) < 0.4
        constraints.append(Constraint(f"r{r}", "red_line", int(rng.integers(n_actors)),
                                      "", Condition("in", issue=issue, allowed=allowed)))
    if rng.random() < 0.5:
        constraints.append(Constraint("rat", "ratification", int(rng.integers(n_actors)), "",
                                      Condition("true"), min_utility=float(rng.random() * 0.6)))
    return Domain(issues=issues, actors=tuple(f"a{k}" for k in range(n_actors)),
                  tables=tables, disagreement=rng.random(n_actors) * 0.5, parties=parties,
                  constraints=tuple(constraints))


def brute_force(domain: Domain) -> dict[tuple[int, ...], dict]:
    """Every package: utilities, the ids of the columns rejecting it per actor, acceptable."""
    out = {}
    sizes = [issue.size for issue in domain.issues]
    for package in itertools.product(*(range(s) for s in sizes)):
        u = [sum(float(domain.tables[i][o, a]) for i, o in enumerate(package))
             for a in range(domain.n_actors)]
        rejected: list[list[str]] = [[] for _ in range(domain.n_actors)]
        blocking = []
        for rule in domain.constraints:
            if rule.violated_if.op == "true":
                hit = u[rule.actor] < rule.min_utility - UTILITY_TOLERANCE
            else:
                hit = bool(rule.violated_if.allowed[package[rule.violated_if.issue]])
            if hit:
                rejected[rule.actor].append(rule.id)
                if domain.parties[rule.actor] or rule.kind == "ratification":
                    blocking.append(rule.id)
        for a in range(domain.n_actors):
            if u[a] < domain.disagreement[a] - UTILITY_TOLERANCE:
                rejected[a].append(f"a{a}:outside_option")
                if domain.parties[a]:
                    blocking.append(f"a{a}:outside_option")
        out[package] = {"u": u, "rejected": rejected, "acceptable": not blocking,
                        "blocking": blocking}
    return out


def random_package(domain: Domain, seed: int) -> dict[str, str]:
    """A package fixing a random non-empty subset of the issues."""
    rng = np.random.default_rng(seed + 1)
    keep = rng.random(len(domain.issues)) < 0.6
    keep[int(rng.integers(len(domain.issues)))] = True
    return {issue.id: issue.labels[int(rng.integers(issue.size))]
            for issue, k in zip(domain.issues, keep, strict=True) if k}


def label_tuple(domain: Domain, package: tuple[int, ...]) -> dict[str, str]:
    return {issue.id: issue.labels[o] for issue, o in zip(domain.issues, package, strict=True)}


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_completions_match_brute_force(seed):
    domain = random_domain(seed)
    package = random_package(domain, seed)
    truth = brute_force(domain)
    result = evaluate_proposal(domain, package)
    fixed = {[i.id for i in domain.issues].index(k): domain.issues[
        [i.id for i in domain.issues].index(k)].labels.index(v) for k, v in package.items()}
    expected = [p for p in truth if all(p[i] == o for i, o in fixed.items())]
    assert len(result.completions) == len(expected)
    for verdict, package_options in zip(result.completions, expected, strict=True):
        want = truth[package_options]
        np.testing.assert_allclose(verdict.utilities, want["u"], atol=1e-12)
        assert [list(r) for r in verdict.rejected_by] == want["rejected"]
        assert list(verdict.accepts) == [not r for r in want["rejected"]]
        assert verdict.acceptable == want["acceptable"]
        assert sorted(verdict.blocking) == sorted(want["blocking"])


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_fewest_changes_match_brute_force(seed):
    domain = random_domain(seed)
    package = random_package(domain, seed)
    fixed = fixed_options(domain, package)
    truth = brute_force(domain)
    distance = {p: sum(p[i] != o for i, o in fixed.items()) for p in truth}
    ok = [p for p, row in truth.items() if row["acceptable"]]
    changes, closest, count = fewest_changes(domain, fixed, limit=3, chunk=5)
    if not ok:
        assert (changes, closest, count) == (None, (), 0)
        return
    least = min(distance[p] for p in ok)
    nearest = [p for p in ok if distance[p] == least]  # itertools order = package order
    assert changes == least
    assert count == len(nearest)
    assert [label_tuple(domain, p) for p in nearest[:3]] == [
        label_tuple(domain, tuple(int(x) for x in np.unravel_index(c.index, domain.radices)))
        for c in closest]
    for change, p in zip(closest, nearest, strict=False):
        reference = tuple(fixed.get(i, o) for i, o in enumerate(p))
        assert change.changed == tuple(i for i in sorted(fixed) if p[i] != fixed[i])
        np.testing.assert_allclose(change.delta, np.subtract(truth[p]["u"],
                                                             truth[reference]["u"]), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_a_full_acceptable_package_needs_no_change(seed):
    domain = random_domain(seed)
    truth = brute_force(domain)
    for p, row in truth.items():
        if row["acceptable"]:
            result = evaluate_proposal(domain, label_tuple(domain, p))
            assert result.changes == 0
            assert [c.index for c in result.closest] == [result.completions[0].index]
            assert not result.closest[0].delta.any()
            break


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_listed_packages_are_acceptable_and_none_is_closer(seed):
    domain = random_domain(seed)
    package = random_package(domain, seed)
    result = evaluate_proposal(domain, package, limit=1000)
    truth = brute_force(domain)
    fixed = result.fixed
    for change in result.closest:
        p = tuple(int(x) for x in np.unravel_index(change.index, domain.radices))
        assert truth[p]["acceptable"]
        assert len(change.changed) == result.changes
    if result.changes is not None:
        assert all(sum(p[i] != o for i, o in fixed.items()) >= result.changes
                   for p, row in truth.items() if row["acceptable"])
        assert result.closest_count == len(result.closest)


def test_too_many_completions_are_refused_with_a_hint():
    domain = random_domain(3)
    first = domain.issues[0]
    with pytest.raises(RedlineError) as caught:
        completions(domain, {0: 0}, max_completions=1)
    assert "completions, above the limit of 1" in str(caught.value)
    assert "fix more issues" in str(caught.value)
    assert first.id not in str(caught.value).split("e.g.")[1]  # the hint names an open issue


def test_unknown_issue_and_option_name_the_choices():
    domain = random_domain(3)
    with pytest.raises(RedlineError, match=r"unknown issue 'nope'.*issues: i0, i1"):
        fixed_options(domain, {"nope": "o0"})
    with pytest.raises(RedlineError, match=r"package.i0: issue 'i0' has no option 'x'.*o0, o1"):
        fixed_options(domain, {"i0": "x"})
    with pytest.raises(RedlineError, match="names no issue"):
        fixed_options(domain, {})
