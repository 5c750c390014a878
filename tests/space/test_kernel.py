"""The agreement-space kernel: a batch of draws gives, draw by draw, what one draw gives.

``analyze`` calls the kernel with one draw, a sweep with many; these tests check that the draw
axis changes nothing, bit for bit, and that the sweep's pick among ties is a tie that no other
tie dominates (brute force over all pairs).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.space import kernel
from redline.space.domain import Condition, Constraint
from redline.space.packages import decode
from redline.space.tolerance import UTILITY_TOLERANCE, rounded


@st.composite
def batches(draw):
    """Tables ``(D, O_i, A)`` on a coarse grid (so utilities tie), outside options ``(D, A)``
    and a veto mask."""
    n_draws = draw(st.integers(1, 4))
    n_actors = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    tables = [rng.integers(0, 5, (n_draws, size, n_actors)) / 10 for size in sizes]
    disagreement = rng.integers(0, 4, (n_draws, n_actors)) / 10
    parties = np.array([True] + [draw(st.booleans()) for _ in range(n_actors - 1)])
    return tables, disagreement, parties


@settings(max_examples=60, deadline=None)
@given(batches())
def test_utilities_are_the_rows_added_one_issue_at_a_time(batch):
    tables, _, _ = batch
    radices = np.array([t.shape[1] for t in tables])
    options = decode(np.arange(int(np.prod(radices))), radices)
    utilities = kernel.package_utilities(tables)
    for a in range(tables[0].shape[-1]):
        expected = tables[0][:, options[:, 0], a]
        for i in range(1, len(tables)):
            expected = expected + tables[i][:, options[:, i], a]
        assert np.array_equal(utilities[..., a], expected)  # bit for bit


@settings(max_examples=60, deadline=None)
@given(batches())
def test_a_batch_is_each_of_its_draws_alone(batch):
    tables, disagreement, parties = batch
    utilities = kernel.package_utilities(tables)
    n_actors = len(utilities)
    radices = np.array([t.shape[1] for t in tables])
    options = decode(np.arange(int(np.prod(radices))), radices)
    rule = Constraint("r", "ratification", 0, "", Condition("true"), min_utility=0.3)
    which = np.arange(1 + n_actors)
    ok = kernel.broken_counts(
        kernel.rejections([rule], options, utilities, disagreement, which),
        utilities[..., 0].shape) == 0
    gains = kernel.veto_gains(utilities, disagreement, parties)
    ideal = kernel.acceptable_ideal(utilities, ok, np.flatnonzero(parties), n_actors)
    spans = kernel.ks_spans(ideal, disagreement, parties)
    together = {"nash": kernel.nash_product(gains, kernel.TIE_SHIFT),
                "ks": kernel.ks_ratio(gains, spans, kernel.TIE_SHIFT)}
    for d in range(disagreement.shape[0]):
        one = kernel.ByActor([utilities[..., a][d:d + 1] for a in range(n_actors)])
        alone = kernel.rejections([rule], options, one, disagreement[d:d + 1], which)
        ok_d = kernel.broken_counts(alone, (1, options.shape[0])) == 0
        assert np.array_equal(ok_d[0], ok[d])
        gains_d = kernel.veto_gains(one, disagreement[d:d + 1], parties)
        spans_d = kernel.ks_spans(ideal[d], disagreement[d], parties)  # one draw: numbers
        assert np.array_equal(kernel.nash_product(gains_d, kernel.TIE_SHIFT)[0],
                              together["nash"][d])
        if ok[d].any():
            assert np.array_equal(kernel.ks_ratio(gains_d, spans_d, kernel.TIE_SHIFT)[0],
                                  together["ks"][d])


@settings(max_examples=80, deadline=None)
@given(batches())
def test_the_pick_is_a_tie_that_no_other_tie_dominates(batch):
    tables, disagreement, parties = batch
    utilities = kernel.package_utilities(tables)
    n_packages = utilities[..., 0].shape[1]
    ok = kernel.broken_counts(
        kernel.rejections([], np.zeros((n_packages, 1), dtype=int), utilities, disagreement,
                          np.arange(len(utilities))), (disagreement.shape[0], n_packages)) == 0
    gains = kernel.veto_gains(utilities, disagreement, parties)
    value = kernel.nash_product(gains)
    raised = kernel.nash_product(gains, kernel.TIE_SHIFT)
    pick = kernel.undominated_tie(value, raised, ok, kernel.veto_sum(utilities, parties))
    veto = np.flatnonzero(parties)
    for d in range(disagreement.shape[0]):
        if not ok[d].any():
            continue
        best = value[d][ok[d]].max()
        ties = [p for p in range(n_packages) if ok[d, p] and raised[d, p] >= best]
        assert pick[d] in ties
        mine = rounded(np.array([utilities[..., a][d, pick[d]] for a in veto]))
        for p in ties:
            other = rounded(np.array([utilities[..., a][d, p] for a in veto]))
            assert not ((other >= mine).all() and (other > mine).any())
        # The documented rule: the largest rounded sum of veto utilities, then the lowest number.
        sums = {p: rounded(sum(utilities[..., a][d, p] for a in veto)) for p in ties}
        top = max(sums.values())
        assert pick[d] == min(p for p in ties if sums[p] >= top - UTILITY_TOLERANCE / 2)


def test_columns_are_labelled_by_the_compiled_rules():
    rules = [Constraint("keep-x", "red_line", 1, "no x", Condition("true")),
             Constraint("vote", "ratification", 1, "a vote", Condition("true"))]
    labels = kernel.columns(rules, ("a", "b"), np.array([True, False]), ("A", "B"),
                            np.array([0.25, 0.5]))
    assert [(c.id, c.kind, c.actor_id, c.binding) for c in labels] == [
        ("keep-x", "red_line", "b", False),  # b has no veto: an objection
        ("vote", "ratification", "b", True),  # ratification binds whoever holds it
        ("a:outside_option", "outside_option", "a", True),
        ("b:outside_option", "outside_option", "b", False)]
    assert labels[2].description == "worth less than A's outside option (0.25)"
    assert list(kernel.binding_mask(rules, np.array([True, False]))) == [
        c.binding for c in labels]
    assert [c.rule for c in labels] == [0, 1, None, None]
