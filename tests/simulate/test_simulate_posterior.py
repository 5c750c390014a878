"""Simulations on the posterior: with draws, a scenario with rounds is simulated on the
posterior given them (its particles resampled by their weights), ``--prior`` / ``prior=True``
ignores them, and a scenario without rounds simulates exactly as before; the output says which
draws it used."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from redline import pipeline
from redline.cli import app
from redline.scenario.compile import compile_batch
from redline.simulate import parse, simulate
from redline.simulate.space import from_batch, from_scenario
from redline.uncertainty.posterior import Posterior, posterior, resampled

ROOT = Path(__file__).resolve().parents[2]
DONBAS = ROOT / "examples" / "donbas-2026.yaml"
CAMP_DAVID = ROOT / "examples" / "camp-david-1978.yaml"
STRATEGIES = [("russia", "boulware"), ("ukraine", "conceder")]
DRAWS, SEED = 300, 7
# P(agreement) of the resampled negotiations against the posterior's own weighted share over its
# particles: systematic resampling moves each particle's count by less than one draw, so the two
# differ by a few draws in a few hundred.
RESAMPLING_TOLERANCE = 0.03


def talks(space):
    """Russia and Ukraine's negotiation (the order they move)."""
    return space.select([space.actors.index("russia"), space.actors.index("ukraine")])


def arrays(run) -> tuple[np.ndarray, ...]:
    r = run.result
    return r.agreement, r.step, r.utilities, r.reason


def test_donbas_is_simulated_on_the_posterior_of_its_rounds_unless_told_prior():
    loaded = pipeline.load(DONBAS)
    post = posterior(loaded.scenario, draws=DRAWS, seed=SEED)
    assert post.rounds and not np.allclose(post.weights, 1 / DRAWS)  # the rounds weigh draws
    run = pipeline.run_simulate(loaded, STRATEGIES, draws=DRAWS, seed=SEED)
    assert run.to_dict()["inputs"] == {"from": "posterior", "rounds": list(post.rounds),
                                       "method": post.method, "ess": post.ess}
    # exactly the negotiations of the posterior's resampled particles
    chosen, keep = resampled(post)
    space = talks(from_batch(compile_batch(loaded.scenario, chosen)))
    alone = simulate(space, [parse("boulware"), parse("conceder")], steps=100, seed=SEED,
                     trace=True)
    for got, want in zip(arrays(run), (alone.agreement, alone.step, alone.utilities,
                                       alone.reason), strict=True):
        np.testing.assert_array_equal(got, want)
    # --prior: the prior's draws, as a scenario without rounds is simulated
    prior = pipeline.run_simulate(loaded, STRATEGIES, draws=DRAWS, seed=SEED, prior=True)
    assert prior.to_dict()["inputs"]["from"] == "prior"
    bare = loaded.scenario.model_copy(update={"rounds": []})
    before = simulate(talks(from_scenario(bare, DRAWS, seed=SEED)),
                      [parse("boulware"), parse("conceder")], steps=100, seed=SEED, trace=True)
    np.testing.assert_array_equal(prior.result.agreement, before.agreement)
    np.testing.assert_array_equal(prior.result.utilities, before.utilities)
    # the two differ, as the posterior's weights say: the resampled share of agreements is the
    # posterior's weighted share over its own particles
    particles = talks(from_batch(compile_batch(loaded.scenario, post.draws)))
    weighted = simulate(particles, [parse("boulware"), parse("conceder")], steps=100,
                        seed=SEED)
    predicted = float(np.sum(post.weights * (weighted.agreement >= 0)))
    unweighted = float(np.mean(weighted.agreement >= 0))
    got = float(np.mean(run.result.agreement >= 0))
    assert abs(got - predicted) <= RESAMPLING_TOLERANCE
    assert not np.array_equal(run.result.agreement, prior.result.agreement)
    assert predicted != unweighted  # the weights move the prediction


def test_a_scenario_without_rounds_simulates_exactly_as_before():
    loaded = pipeline.load(CAMP_DAVID)
    assert not loaded.scenario.rounds
    ids = [a.id for a in loaded.scenario.actors]
    pairs = [(ids[0], "boulware"), (ids[1], "conceder")]
    run = pipeline.run_simulate(loaded, pairs, protocol="stacked", draws=40, seed=3)
    assert run.to_dict()["inputs"] == {"from": "prior"}
    space = from_scenario(loaded.scenario, 40, seed=3).select([0, 1])
    before = simulate(space, [parse("boulware"), parse("conceder")], protocol="stacked",
                      steps=100, seed=3, trace=True)
    np.testing.assert_array_equal(run.result.agreement, before.agreement)
    np.testing.assert_array_equal(run.result.utilities, before.utilities)
    np.testing.assert_array_equal(run.result.step, before.step)


def test_point_values_say_so_and_that_the_rounds_need_draws():
    inputs = pipeline.run_simulate(pipeline.load(DONBAS), STRATEGIES).to_dict()["inputs"]
    assert inputs["from"] == "point values" and "--draws" in inputs["note"]


def test_the_cli_says_which_draws_it_used_and_takes_prior():
    runner = CliRunner()
    base = ["simulate", str(DONBAS), "-s", "russia=boulware", "-s", "ukraine=conceder",
            "--draws", "60", "--seed", "2"]
    text = runner.invoke(app, base).output
    assert "inputs: the posterior given 2 round(s)" in " ".join(text.split())
    data = json.loads(runner.invoke(app, [*base, "--prior", "--json"]).stdout)
    assert data["inputs"] == {"from": "prior", "note": "--prior: the rounds are ignored"}
    assert "inputs: the prior" in runner.invoke(app, [*base, "--prior"]).output


def test_the_library_takes_prior_too():
    import redline

    neg = redline.load(DONBAS)
    assert neg.simulate(dict(STRATEGIES), draws=30).inputs["from"] == "posterior"
    assert neg.simulate(dict(STRATEGIES), draws=30, prior=True).inputs["from"] == "prior"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60), st.integers(0, 2**31 - 1))
def test_resampling_keeps_each_particle_floor_or_ceil_of_its_share(raw, seed):
    weights = np.asarray(raw) + 1e-3
    weights = weights / weights.sum()
    from redline.scenario.compile import Draws

    n = weights.size
    draws = Draws(n, {"x": np.arange(n, dtype=float)}, {})
    post = Posterior(scenario=None, draws=draws, uniforms=np.zeros((n, 1)),  # type: ignore
                     inputs=np.zeros((n, 1)), input_names=("x",), weights=weights,
                     ess=1.0, seed=seed, rounds=("r",), method="importance")
    chosen, keep = resampled(post)
    counts = np.bincount(keep, minlength=n)
    assert counts.sum() == n and chosen.size == n
    assert np.all(counts >= np.floor(n * weights - 1e-9))
    assert np.all(counts <= np.ceil(n * weights + 1e-9))
    np.testing.assert_array_equal(chosen.values["x"], keep.astype(float))
    assert np.all(np.diff(keep) >= 0)  # in particle order
