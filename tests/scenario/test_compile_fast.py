"""The scenario compiler's shortcuts give numpy's own numbers, bit for bit: issue sums added
one issue at a time, and the spatial evaluation's extremes taken one option at a time."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from redline.scenario.compile import issue_sum, spatial_evaluation
from redline.space.tolerance import rounded_distance

FINITE = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(float, hnp.array_shapes(min_dims=1, max_dims=3, max_side=12), elements=FINITE))
def test_issue_sum_is_numpys_sum_bit_for_bit(values):
    np.testing.assert_array_equal(issue_sum(values), values.sum(axis=-1))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=1, max_size=7),
       hnp.arrays(float, st.integers(1, 9), elements=st.floats(0, 100)))
def test_spatial_evaluation_is_the_min_max_rescale_of_the_distances(options, ideal):
    values = np.array(options)
    distance = rounded_distance(np.abs(values - ideal[:, None]))
    far = distance.max(axis=-1, keepdims=True)
    near = distance.min(axis=-1, keepdims=True)
    spread = far - near
    expected = np.where(spread > 0, (far - distance) / np.where(spread > 0, spread, 1.0), 1.0)
    np.testing.assert_array_equal(spatial_evaluation(values, ideal), expected)


def _arrays(batch, options):
    """A one-draw batch's numbers, its rules' thresholds and masks on ``options`` included."""
    out = [np.asarray(t) for t in batch.tables]
    out += [batch.disagreement, batch.active, batch.capability, batch.position, batch.salience]
    for rule in batch.constraints:
        out.append(np.asarray(rule.min_utility if rule.min_utility is not None else np.nan))
        for condition in (rule.violated_if, rule.unless):
            if condition is not None:
                out.append(condition.evaluate(options))
    return out


def test_a_draw_compiles_the_same_alone_as_in_any_batch():
    """The compiler keeps the draw-invariant parts once per scenario and rebuilds only what
    the drawn inputs and claims change: each draw of a batch (claims and uncertain thresholds
    included) is, bit for bit, that draw compiled on its own."""
    from pathlib import Path

    from redline.scenario.compile import Draws, compile_batch
    from redline.scenario.load import load_scenario
    from redline.space.packages import decode
    from redline.uncertainty.posterior import prior_particles

    root = Path(__file__).resolve().parents[2] / "examples"
    for name in ("donbas-2026.yaml", "colombia-2016.yaml"):
        scenario = load_scenario(root / name)
        draws, *_ = prior_particles(scenario, 24, 3)
        batch = compile_batch(scenario, draws)
        radices = np.array([len(i.option_values()) for i in scenario.issues])
        options = decode(np.arange(int(np.prod(radices))), radices)
        for d in (0, 7, 23):
            alone = compile_batch(scenario, Draws(
                1, {k: v[d:d + 1] for k, v in draws.values.items()},
                {k: v[d:d + 1] for k, v in draws.claims.items()}))
            for mine, own in zip(_arrays(batch.rows(d, d + 1), options), _arrays(alone, options),
                                 strict=True):
                np.testing.assert_array_equal(np.asarray(mine).reshape(-1),
                                              np.asarray(own).reshape(-1))
        # A changed copy of the scenario is compiled afresh, not from the first one's parts.
        changed = scenario.model_copy(update={"actors": [
            a.model_copy(update={"capability": 0.123}) for a in scenario.actors]})
        assert (compile_batch(changed, draws).capability == 0.123).all()


def _some_actors_cases():
    """Scenarios with their prior particles: both examples and the rounds fixtures."""
    from pathlib import Path

    from redline.scenario.load import load_scenario
    from redline.uncertainty.posterior import prior_particles

    root = Path(__file__).resolve().parents[2]
    paths = [root / "examples" / "donbas-2026.yaml", root / "examples" / "colombia-2016.yaml",
             *sorted((root / "tests" / "data" / "rounds").glob("*.yaml"))]
    for path in paths:
        scenario = load_scenario(path)
        draws, *_ = prior_particles(scenario, 64, 5)
        yield scenario, draws


def test_some_actors_compile_to_their_part_of_the_whole_compile_bit_for_bit():
    """``compile_batch(..., actors=...)`` (the likelihood's compile of the responders only):
    each actor's utilities, outside option, inputs and rules, and so its verdicts, are the
    whole compile's, bit for bit, whichever actors are compiled beside it."""
    from itertools import combinations

    from redline.scenario.compile import compile_batch
    from redline.space.packages import decode
    from redline.uncertainty.acceptance import verdicts

    for scenario, draws in _some_actors_cases():
        ids = [a.id for a in scenario.actors]
        whole = compile_batch(scenario, draws)
        radices = np.array([len(i.option_values()) for i in scenario.issues])
        options = decode(np.arange(int(np.prod(radices))), radices)
        every = verdicts(whole, options, acceptable=False, accepting=range(len(ids)),
                         utilities=range(len(ids)))
        subsets = [(a,) for a in ids] + list(combinations(ids, 2))[:6]
        for subset in subsets:
            part = compile_batch(scenario, draws, list(reversed(subset)))
            where = [ids.index(a) for a in subset]  # the scenario's order, whatever was asked
            assert part.actors == tuple(ids[k] for k in sorted(where))
            where = sorted(where)
            for mine, all_ in zip(part.tables, whole.tables, strict=True):
                np.testing.assert_array_equal(mine, all_[:, :, where])
            for name in ("disagreement", "capability", "position", "salience"):
                np.testing.assert_array_equal(getattr(part, name),
                                              getattr(whole, name)[:, where])
            assert part.actor_names == tuple(whole.actor_names[k] for k in where)
            np.testing.assert_array_equal(part.parties, whole.parties[where])
            theirs = [k for k, rule in enumerate(whole.constraints) if rule.actor in where]
            assert [r.id for r in part.constraints] == [whole.constraints[k].id
                                                        for k in theirs]
            assert [where[r.actor] for r in part.constraints] == [
                whole.constraints[k].actor for k in theirs]
            np.testing.assert_array_equal(part.active, whole.active[:, theirs])
            got = verdicts(part, options, acceptable=False, accepting=range(len(where)),
                           utilities=range(len(where)))
            for k, a in enumerate(where):
                np.testing.assert_array_equal(got.accepts[k], every.accepts[a])
                np.testing.assert_array_equal(got.utilities[k], every.utilities[a])


def test_the_responses_likelihood_is_the_whole_compiles_verdicts():
    """``observation_hits`` compiles only the responders: the same hits as the responders'
    verdicts in the whole compile."""
    from redline.scenario.compile import compile_batch
    from redline.uncertainty.acceptance import verdicts
    from redline.uncertainty.rounds import evidence, observation_hits

    checked = 0
    for scenario, draws in _some_actors_cases():
        found = evidence(scenario)
        if not found.observations:
            continue
        actors = sorted({obs.actor for obs in found.observations})
        accepts = verdicts(compile_batch(scenario, draws), found.options, acceptable=False,
                           accepting=actors).accepts
        expected = np.column_stack([accepts[obs.actor][:, obs.packages].any(axis=1)
                                    == obs.accepted for obs in found.observations])
        np.testing.assert_array_equal(observation_hits(scenario, draws, found), expected)
        checked += 1
    assert checked >= 3


def test_compiling_an_unknown_actor_is_refused():
    import pytest

    from redline.scenario.compile import compile_batch

    scenario, draws = next(_some_actors_cases())
    with pytest.raises(ValueError, match="no actor 'nobody'"):
        compile_batch(scenario, draws, ["nobody"])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.integers(1, 6), st.booleans(), st.integers(0, 2**31 - 1))
def test_rows_where_is_numpys_where_row_by_row(size, options, drawn, seed):
    from redline.scenario.compile import _rows_where

    rng = np.random.default_rng(seed)
    on = rng.random(size) < 0.5
    at = rng.random((1, options))
    before = rng.random((size if drawn else 1, options))
    expected = np.where(on[:, None], at, before)
    got = _rows_where(on, at, before)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_weights_no_draw_changes_compile_as_each_draw_alone():
    """A batch whose saliences no draw changes computes its weights, and the tables of the
    issues no draw re-evaluates, on one row copied to every draw: each draw is, bit for bit,
    that draw compiled alone (where every salience is its own). Both ways are exercised."""
    from redline.scenario.compile import Draws, compile_batch

    ways = set()
    for scenario, draws in _some_actors_cases():
        for actors in (None, *[[a.id] for a in scenario.actors]):
            batch = compile_batch(scenario, draws, actors)
            ways.add(bool((batch.salience == batch.salience[:1]).all()))
            for d in (0, 31, 63):
                alone = compile_batch(scenario, Draws(
                    1, {k: v[d:d + 1] for k, v in draws.values.items()},
                    {k: v[d:d + 1] for k, v in draws.claims.items()}), actors)
                for mine, own in zip(batch.tables, alone.tables, strict=True):
                    np.testing.assert_array_equal(mine[d:d + 1], own)
    assert ways == {True, False}
