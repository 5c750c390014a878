"""The update's weighted summaries over every package against a brute-force count, and the
timeline's shortcuts (per-package shares only where they are reported)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from redline.scenario.load import load_scenario
from redline.uncertainty.acceptance import acceptance
from redline.uncertainty.posterior import prior_particles
from redline.uncertainty.update import acceptability, timeline

ROOT = Path(__file__).resolve().parents[2]
SUMS = 1e-12
"""Weighted sums added in another order agree to this (absolute, on shares in [0, 1])."""


def test_weighted_shares_are_the_brute_force_sums_and_exact_where_all_agree():
    scenario = load_scenario(ROOT / "examples" / "donbas-2026.yaml")
    draws, *_ = prior_particles(scenario, 900, 4)
    ok = acceptance(scenario, draws, None).acceptable  # (D, N): every package, every draw
    rng = np.random.default_rng(0)
    weights = rng.random((900, 3))
    weights[rng.random(900) < 0.3, 2] = 0.0  # a weighting that ignores some draws
    weights /= weights.sum(axis=0)
    agreement, acceptable = acceptability(scenario, draws, weights)
    np.testing.assert_allclose(agreement, ok.any(axis=1).astype(float) @ weights, atol=SUMS)
    np.testing.assert_allclose(acceptable, ok.astype(float).T @ weights, atol=SUMS)
    counted = weights[:, 2] > 0
    everywhere = ok[counted].all(axis=0)
    nowhere = ~ok[counted].any(axis=0)
    assert (acceptable[everywhere, 2] == 1.0).all()
    assert (acceptable[nowhere, 2] == 0.0).all()
    # Only some weightings' per-package shares: the same numbers.
    _, some = acceptability(scenario, draws, weights, per_package=[2, 0])
    np.testing.assert_allclose(some, acceptable[:, [2, 0]], atol=SUMS)


def test_the_timeline_reports_every_package_for_the_prior_and_the_last_step():
    scenario = load_scenario(ROOT / "tests" / "data" / "rounds" / "ceasefire-rounds.yaml")
    steps, post = timeline(scenario, draws=400, seed=2)
    assert len(steps) > 2
    assert all(step.p_acceptable is None for step in steps[1:-1])
    first, last = steps[0], steps[-1]
    ok = acceptance(scenario, post.draws, None).acceptable
    np.testing.assert_allclose(last.p_acceptable, ok.astype(float).T @ post.weights,
                               atol=SUMS)
    assert first.p_acceptable is not None and first.p_acceptable.shape == ok.shape[1:]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from redline.uncertainty.weighted import (  # noqa: E402
    stable_order,
    weighted_quantile,
    weighted_quantiles,
)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 300), k=st.integers(1, 5), ties=st.booleans(),
       seed=st.integers(0, 2**31 - 1))
def test_quantiles_under_several_weightings_are_each_weightings_own_bit_for_bit(n, k, ties,
                                                                                 seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 5, n).astype(float) if ties else rng.normal(size=n)
    weights = rng.random((n, k)) * (rng.random((n, k)) < 0.7)
    weights[0] += 1e-3  # no weighting all zero
    weights /= weights.sum(axis=0)
    got = weighted_quantiles(values, weights.T, (0.05, 0.5, 0.95))
    for c in range(k):
        np.testing.assert_array_equal(got[c], weighted_quantile(values, weights[:, c],
                                                                (0.05, 0.5, 0.95)))


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 400), distinct=st.integers(1, 400), signed_zeros=st.booleans(),
       nans=st.integers(0, 3), seed=st.integers(0, 2**31 - 1))
def test_the_fast_stable_order_is_numpys_stable_argsort(n, distinct, signed_zeros, nans, seed):
    rng = np.random.default_rng(seed)
    pool = rng.normal(size=distinct)  # few distinct values: long runs of ties
    values = pool[rng.integers(0, distinct, n)]
    if signed_zeros and n:
        values[rng.random(n) < 0.2] = rng.choice([0.0, -0.0])
    if nans and n:
        values[rng.integers(0, n, nans)] = np.nan
    np.testing.assert_array_equal(stable_order(values), np.argsort(values, kind="stable"))


def test_the_fast_stable_order_is_numpys_on_draws_with_and_without_resampled_copies():
    rng = np.random.default_rng(7)
    draws = rng.normal(size=100_000)
    resampled = draws[rng.integers(0, draws.size, draws.size)]
    for values in (draws, resampled, draws.astype(np.float32), np.round(draws, 1)):
        np.testing.assert_array_equal(stable_order(values), np.argsort(values, kind="stable"))


def test_a_groups_summaries_are_each_posteriors_own_bit_for_bit():
    """``input_summaries`` and ``claim_summaries`` (one sort, one complement per column for
    posteriors on the same particles) give each posterior what ``input_summary`` and
    ``claim_summary`` give it alone."""
    from redline.uncertainty.posterior import history
    from redline.uncertainty.update import (
        claim_summaries,
        claim_summary,
        input_summaries,
        input_summary,
    )

    scenario = load_scenario(ROOT / "examples" / "donbas-2026.yaml")
    posts = list(history(scenario, draws=3000, seed=5))
    groups: list[list] = []
    for post in posts:
        if groups and post.uniforms is groups[-1][0].uniforms:
            groups[-1].append(post)
        else:
            groups.append([post])
    assert max(len(g) for g in groups) > 1
    for group in groups:
        assert input_summaries(group) == [input_summary(p) for p in group]
        assert claim_summaries(group) == [claim_summary(p) for p in group]
    assert claim_summaries([]) == [] and input_summaries([]) == []
