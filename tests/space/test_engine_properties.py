"""Invariants of the agreement-space engine, checked on random additive domains."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.space.domain import Condition, Constraint, Domain, IssueSpace
from redline.space.engine import _analyze, analyze, evaluate, violations
from redline.space.packages import decode, encode


@st.composite
def domains(draw, max_actors=4):
    n_issues = draw(st.integers(1, 4))
    sizes = [draw(st.integers(2, 5)) for _ in range(n_issues)]
    n_actors = draw(st.integers(2, max_actors))
    # Values on a grid of eighths: sums are exact in binary floating point, so ties are real.
    tables = tuple(
        np.array(draw(st.lists(st.lists(st.integers(0, 8), min_size=n_actors,
                                        max_size=n_actors), min_size=s, max_size=s))) / 8.0
        for s in sizes
    )
    issues = tuple(IssueSpace(f"i{k}", f"i{k}", tuple(f"o{j}" for j in range(s)),
                              np.linspace(0, 100, s)) for k, s in enumerate(sizes))
    d = np.array(draw(st.lists(st.integers(0, 8), min_size=n_actors, max_size=n_actors))) / 8.0
    constraints = []
    for c in range(draw(st.integers(0, 2))):
        k = draw(st.integers(0, n_issues - 1))
        allowed = np.array(draw(st.lists(st.booleans(), min_size=sizes[k], max_size=sizes[k])))
        constraints.append(Constraint(f"rule{c}", "red_line", draw(st.integers(0, n_actors - 1)),
                                      "", Condition("in", issue=k, allowed=allowed)))
    return Domain(issues=issues, actors=tuple(f"a{i}" for i in range(n_actors)), tables=tables,
                  disagreement=d, constraints=tuple(constraints))


def _all_utilities(domain):
    idx = np.arange(domain.n_packages)
    options = decode(idx, domain.radices)
    utilities = evaluate(domain, options)
    ok = ~violations(domain, options, utilities).any(axis=1)
    return utilities, ok


def _dominated_by(u, others):
    return ((others >= u).all(axis=1) & (others > u).any(axis=1)).any()


@settings(max_examples=60, deadline=None)
@given(domains())
def test_frontier_is_exactly_the_undominated_packages(domain):
    result = analyze(domain)
    utilities, ok = _all_utilities(domain)
    undominated = [i for i, u in enumerate(utilities) if not _dominated_by(u, utilities)]
    # One point per distinct utility vector, standing for every package that has it.
    points = {tuple(utilities[i]): i for i in result.pareto_indices}
    assert len(points) == result.pareto_indices.size
    assert sorted(i for i in undominated) == sorted(
        i for i in range(domain.n_packages) if tuple(utilities[i]) in points)
    assert result.pareto_packages == len(undominated)
    # Every acceptable package off the frontier is dominated by a frontier package.
    front_u = utilities[result.pareto_indices]
    frontier = set(undominated)
    for i in np.flatnonzero(ok):
        if i not in frontier:
            assert _dominated_by(utilities[i], front_u)
    for k, i in enumerate(result.pareto_indices):
        alike = [j for j in undominated if (utilities[j] == utilities[i]).all()]
        assert result.pareto_counts[k] == len(alike)
        assert result.pareto_acceptable_counts[k] == int(ok[alike].sum())
    assert result.acceptable_count == int(ok.sum())


@settings(max_examples=60, deadline=None)
@given(domains(), st.integers(1, 7))
def test_chunked_and_one_shot_agree(domain, chunk):
    whole = analyze(domain)
    parts = analyze(domain, chunk_size=chunk)
    assert parts.acceptable_count == whole.acceptable_count
    assert np.array_equal(parts.pareto_indices, whole.pareto_indices)
    assert np.array_equal(parts.pareto_acceptable, whole.pareto_acceptable)
    assert np.array_equal(parts.pareto_counts, whole.pareto_counts)
    assert np.array_equal(parts.pareto_acceptable_counts, whole.pareto_acceptable_counts)
    for name, sol in whole.solutions.items():
        other = parts.solutions[name]
        assert np.array_equal(sol.indices, other.indices), name
        assert sol.count == other.count
    assert [(b.id, b.rejects, b.sole) for b in parts.blockers] == \
        [(b.id, b.rejects, b.sole) for b in whole.blockers]


@settings(max_examples=80, deadline=None)
@given(domains(), st.booleans())
def test_shortcut_without_scan_matches_the_full_scan(domain, drop_rules):
    if drop_rules:  # with no rules and low outside options the engine skips the full scan
        domain = Domain(issues=domain.issues, actors=domain.actors, tables=domain.tables,
                        disagreement=domain.disagreement * 0, constraints=())
    fast, full = analyze(domain), _analyze(domain, scan=True)
    assert fast.acceptable_count == full.acceptable_count
    for name, sol in full.solutions.items():
        other = fast.solutions[name]
        assert np.array_equal(sol.indices, other.indices), name
        assert sol.count == other.count, name
        assert np.allclose(sol.utilities, other.utilities)
        if sol.indices.size:
            assert abs(sol.value - other.value) <= 1e-12
    assert np.allclose(fast.ideal, full.ideal, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(domains(), st.integers(0, 3), st.sampled_from([0.5, 2.0, 4.0]), st.integers(-4, 4))
def test_frontier_invariant_under_positive_affine_transform(domain, which, scale, shift):
    which = which % domain.n_actors
    tables = []
    for k, table in enumerate(domain.tables):
        table = table.copy()
        table[:, which] *= scale
        if k == 0:
            table[:, which] += shift / 8.0
        tables.append(table)
    d = domain.disagreement.copy()
    d[which] = d[which] * scale + shift / 8.0
    moved = Domain(issues=domain.issues, actors=domain.actors, tables=tuple(tables),
                   disagreement=d, constraints=domain.constraints)
    assert np.array_equal(analyze(moved).pareto_indices, analyze(domain).pareto_indices)
    assert analyze(moved).acceptable_count == analyze(domain).acceptable_count


@given(st.lists(st.integers(1, 6), min_size=1, max_size=5), st.data())
def test_mixed_radix_round_trip(radices, data):
    radices = np.array(radices)
    total = int(np.prod(radices))
    idx = np.array(data.draw(st.lists(st.integers(0, total - 1), min_size=1, max_size=20)))
    options = decode(idx, radices)
    assert (options < radices).all() and (options >= 0).all()
    assert np.array_equal(encode(options, radices), idx)


@settings(max_examples=100, deadline=None)
@given(domains(max_actors=5))
def test_issue_by_issue_frontier_equals_the_direct_one(domain):
    from redline.space import frontier

    saved = frontier.DIRECT_LIMIT
    try:
        frontier.DIRECT_LIMIT = 0  # force the fold over issues
        folded = frontier.frontier_packages(domain)
    finally:
        frontier.DIRECT_LIMIT = saved
    direct = frontier.frontier_packages(domain)
    assert np.array_equal(folded.indices, direct.indices)
    assert np.array_equal(folded.counts, direct.counts)
    utilities, _ = _all_utilities(domain)
    brute = [i for i, u in enumerate(utilities) if not _dominated_by(u, utilities)]
    first = {}
    for i in brute:
        first.setdefault(tuple(utilities[i]), []).append(i)
    assert folded.indices.tolist() == sorted(group[0] for group in first.values())
    assert folded.counts.tolist() == [len(first[tuple(utilities[i])]) for i in folded.indices]


def test_rules_of_actors_without_a_veto_are_objections_not_blockers():
    tables = (np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.5, 0.5, 1.0]]),)
    issue = IssueSpace("x", "x", ("a", "b", "c"), np.array([0.0, 50.0, 100.0]))
    never_c = Constraint("no-c", "red_line", 2, "stakeholder dislikes c",
                         Condition("in", issue=0, allowed=np.array([False, False, True])))
    never_a = Constraint("no-a", "red_line", 0, "party 0 refuses a",
                         Condition("in", issue=0, allowed=np.array([True, False, False])))
    domain = Domain(issues=(issue,), actors=("p0", "p1", "stake"), tables=tables,
                    disagreement=np.zeros(3), parties=np.array([True, True, False]),
                    constraints=(never_c, never_a))
    result = analyze(domain)
    assert result.acceptable_count == 2  # b and c: the stakeholder's objection does not bind
    assert [b.id for b in result.blockers if b.kind == "red_line"] == ["no-a"]
    (objection,) = result.advisory
    assert (objection.id, objection.rejects, objection.objects) == ("no-c", 1, 1)


def test_the_labels_of_many_packages_at_once_are_each_packages_own():
    """``packages_labels`` (one decode for the ``update`` JSON's package list) gives, package
    by package, what ``package_labels`` gives one at a time, with the option labels decoded
    from the package number."""
    from pathlib import Path

    from redline.pipeline import load
    from redline.space.engine import package_labels, packages_labels
    from redline.space.packages import decode

    root = Path(__file__).resolve().parents[2] / "examples"
    for name in ("donbas-2026.yaml", "colombia-2016.yaml"):
        domain = load(root / name).domain
        total = int(np.prod(domain.radices))
        indices = np.random.default_rng(3).permutation(total)
        every = packages_labels(domain, indices)
        assert len(every) == total
        for index, labels in zip(indices, every, strict=True):
            assert labels == package_labels(domain, int(index))
            options = decode(np.array([index]), domain.radices)[0]
            assert list(labels) == [issue.id for issue in domain.issues]
            assert list(labels.values()) == [issue.labels[o]
                                             for issue, o in zip(domain.issues, options,
                                                                 strict=True)]
        assert packages_labels(domain, []) == []
