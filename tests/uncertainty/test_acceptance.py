"""``uncertainty.acceptance``: the kernel on a few given packages, draw by draw, agrees with the
sweep's per-package counts (every package of the space) and with ``analyze`` at point values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.scenario.compile import deterministic_draws, to_domain
from redline.scenario.load import load_scenario
from redline.space.packages import decode
from redline.space.proposals import judge
from redline.uncertainty.acceptance import acceptance
from redline.uncertainty.sweep import make_plan, run_chunk, sample

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = [ROOT / "examples" / "donbas-2026.yaml", ROOT / "examples" / "camp-david-1978.yaml",
             ROOT / "tests" / "data" / "proposals" / "ceasefire.yaml"]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_counts_over_draws_equal_the_sweeps_per_package_counts(path):
    scenario = load_scenario(path)
    plan = make_plan(scenario, chunk_size=64)
    draws, _ = sample(plan, 11, 0, 64)
    part = run_chunk(plan, 11, 0, 64)
    result = acceptance(scenario, draws, plan.options)
    assert result.accepts.shape == (64, len(scenario.actors), plan.n_packages)
    np.testing.assert_array_equal(result.accepts.sum(axis=0), part["accepts"])
    np.testing.assert_array_equal(result.acceptable.sum(axis=0), part["acceptable"])
    # some package acceptable in a draw <=> the sweep's agreement indicator
    np.testing.assert_array_equal(result.acceptable.any(axis=1), part["agreement"])
    assert result.actors == tuple(a.id for a in scenario.actors)
    np.testing.assert_array_equal(result.veto, [a.has_veto for a in scenario.actors])


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_point_values_agree_with_the_deterministic_judgment(path):
    scenario = load_scenario(path)
    domain = to_domain(scenario)
    indices = np.arange(domain.n_packages)
    verdicts = judge(domain, indices)
    result = acceptance(scenario, deterministic_draws(scenario),
                        decode(indices, domain.radices))
    np.testing.assert_array_equal(result.accepts[0].T, [v.accepts for v in verdicts])
    np.testing.assert_array_equal(result.acceptable[0], [v.acceptable for v in verdicts])
    np.testing.assert_allclose(result.utilities[0].T, [v.utilities for v in verdicts],
                               rtol=0, atol=1e-12)
    np.testing.assert_array_equal(result.outside[0], domain.disagreement)


DONBAS = load_scenario(SCENARIOS[0])
DONBAS_PLAN = make_plan(DONBAS, chunk_size=32)
DONBAS_DRAWS, _ = sample(DONBAS_PLAN, 5, 0, 32)
DONBAS_ALL = acceptance(DONBAS, DONBAS_DRAWS, DONBAS_PLAN.options)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, DONBAS_PLAN.n_packages - 1), min_size=1, max_size=12))
def test_any_subset_in_any_order_gives_the_same_verdicts(picked):
    """A package's verdict depends on that package alone: repeats and order change nothing."""
    result = acceptance(DONBAS, DONBAS_DRAWS, DONBAS_PLAN.options[picked])
    np.testing.assert_array_equal(result.accepts, DONBAS_ALL.accepts[:, :, picked])
    np.testing.assert_array_equal(result.acceptable, DONBAS_ALL.acceptable[:, picked])
    np.testing.assert_array_equal(result.utilities, DONBAS_ALL.utilities[:, :, picked])


def test_acceptable_means_every_veto_actor_accepts_and_ratification_passes():
    veto_all = DONBAS_ALL.accepts[:, DONBAS_ALL.veto, :].all(axis=1)
    # acceptable implies every veto holder accepts (ratification can only reject more)
    assert not (DONBAS_ALL.acceptable & ~veto_all).any()


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="integers"):
        acceptance(DONBAS, DONBAS_DRAWS, np.zeros((2, 1), dtype=int))
    with pytest.raises(ValueError, match="outside"):
        acceptance(DONBAS, DONBAS_DRAWS, np.full((1, len(DONBAS.issues)), 99))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_package_at_once_is_the_same_as_listing_them(path):
    scenario = load_scenario(path)
    plan = make_plan(scenario, chunk_size=16)
    draws, _ = sample(plan, 2, 0, 16)
    every = acceptance(scenario, draws, None)
    listed = acceptance(scenario, draws, plan.options)
    np.testing.assert_array_equal(every.accepts, listed.accepts)
    np.testing.assert_array_equal(every.acceptable, listed.acceptable)
    np.testing.assert_array_equal(every.utilities, listed.utilities)


def _reference_verdicts(scenario, draws, options):
    """Every column of the kernel, one draw and one package at a time: the definitions,
    written out (an actor accepts when none of its columns rejects; acceptable when no binding
    column does)."""
    from redline.scenario.compile import compile_batch
    from redline.space import kernel

    batch = compile_batch(scenario, draws)
    labels = kernel.columns(batch.constraints, batch.actors, batch.parties)
    n_actors = len(batch.actors)
    accepts = np.zeros((draws.size, n_actors, len(options)), dtype=bool)
    acceptable = np.zeros((draws.size, len(options)), dtype=bool)
    for d in range(draws.size):
        one = batch.rows(d, d + 1)
        for m, package in enumerate(options):
            row = np.asarray(package)[None, :]
            utility = np.array([[sum(float(one.tables[i][0, o, a])
                                     for i, o in enumerate(package))]
                                for a in range(n_actors)]).T[None]  # (1, 1, A)
            hits = [bool(np.asarray(h).ravel()[0]) for h in kernel.rejections(
                one.constraints, row, utility, one.disagreement, np.arange(len(labels)),
                active=one.active)]
            pairs = list(zip(hits, labels, strict=True))
            for a in range(n_actors):
                accepts[d, a, m] = not any(h for h, c in pairs if c.actor == a)
            acceptable[d, m] = not any(h for h, c in pairs if c.binding)
    return accepts, acceptable


@settings(max_examples=15, deadline=None)
@given(block=st.integers(1, 200), whole=st.booleans(),
       asked=st.lists(st.integers(0, 3), max_size=3, unique=True))
def test_lean_verdicts_in_any_blocks_equal_every_verdict(block, whole, asked):
    """``verdicts`` computes only what it is asked for, in blocks of draws; whatever it
    computes equals :func:`acceptance`'s full verdicts, bit for bit, for any block size."""
    from unittest import mock

    from redline.scenario.compile import compile_batch
    from redline.uncertainty import acceptance as module

    batch = compile_batch(DONBAS, DONBAS_DRAWS)
    with mock.patch.object(module, "BLOCK_ELEMENTS", block * DONBAS_PLAN.n_packages):
        lean = module.verdicts(batch, DONBAS_PLAN.options, whole, acceptable=bool(asked),
                               accepting=asked, utilities=asked[:1])
    if asked:
        np.testing.assert_array_equal(lean.acceptable, DONBAS_ALL.acceptable)
    else:
        assert lean.acceptable is None
    assert sorted(lean.accepts) == sorted(asked)
    for a in asked:
        np.testing.assert_array_equal(lean.accepts[a], DONBAS_ALL.accepts[:, a, :])
    for a in asked[:1]:
        np.testing.assert_array_equal(lean.utilities[a], DONBAS_ALL.utilities[:, a, :])


def test_verdicts_agree_with_the_definitions_one_draw_and_package_at_a_time():
    """Brute force on a few draws and packages: the batched, blocked kernel gives the verdicts
    the column definitions give package by package."""
    picked = DONBAS_PLAN.options[::37]
    draws = type(DONBAS_DRAWS)(6, {k: v[:6] for k, v in DONBAS_DRAWS.values.items()},
                               {k: v[:6] for k, v in DONBAS_DRAWS.claims.items()})
    accepts, acceptable = _reference_verdicts(DONBAS, draws, picked)
    result = acceptance(DONBAS, draws, picked)
    np.testing.assert_array_equal(result.accepts, accepts)
    np.testing.assert_array_equal(result.acceptable, acceptable)


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(SCENARIOS + [ROOT / "examples" / "colombia-2016.yaml"]),
       st.integers(0, 2**16), st.booleans())
def test_the_grouped_acceptable_mask_is_the_full_kernels(path, seed, every):
    """``acceptable_packages`` evaluates the rules once per group of alike draws and the
    utilities only where they leave a package: the full kernel's mask, bit for bit (on every
    package, or on a few), also where there are too many groups and it is the kernel itself."""
    import redline.uncertainty.acceptance as acc
    from redline.scenario.compile import compile_batch
    from redline.uncertainty.posterior import prior_particles

    scenario = load_scenario(path)
    radices = np.array([len(i.option_values()) for i in scenario.issues])
    options = decode(np.arange(int(np.prod(radices))), radices)
    if not every:
        options = options[np.random.default_rng(seed).permutation(len(options))[:7]]
    batch = compile_batch(scenario, prior_particles(scenario, 300, seed)[0])
    expected = acc.verdicts(batch, options, every).acceptable
    np.testing.assert_array_equal(acc.acceptable_packages(batch, options, every), expected)
    block = acc.CELL_BLOCK
    try:  # the cells in many small blocks (a block ends within a draw's cells)
        acc.CELL_BLOCK = 7
        np.testing.assert_array_equal(acc.acceptable_packages(batch, options, every),
                                      expected)
    finally:
        acc.CELL_BLOCK = block
    before = acc.MAX_RULE_GROUPS
    try:
        acc.MAX_RULE_GROUPS = 0
        np.testing.assert_array_equal(acc.acceptable_packages(batch, options, every),
                                      expected)
    finally:
        acc.MAX_RULE_GROUPS = before
