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
