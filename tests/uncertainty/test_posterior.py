"""``uncertainty.posterior``: weighted particles over the uncertain inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.errors import RedlineError
from redline.scenario.load import load_scenario
from redline.uncertainty.posterior import effective_sample_size, posterior
from redline.uncertainty.sweep import sweep

ROOT = Path(__file__).resolve().parents[2]
DONBAS = load_scenario(ROOT / "examples" / "donbas-2026.yaml")


def test_without_rounds_the_posterior_is_the_prior_the_sweep_draws():
    scenario = DONBAS.model_copy(update={"rounds": []})  # the example records rounds
    post = posterior(scenario, draws=300, seed=4)
    assert post.is_prior and post.size == 300
    np.testing.assert_array_equal(post.weights, np.full(300, 1 / 300))
    assert post.ess == pytest.approx(300)
    result = sweep(scenario, draws=300, seed=4)
    assert post.input_names == result.input_names
    np.testing.assert_array_equal(post.inputs, result.inputs)


def test_effective_sample_size():
    assert effective_sample_size(np.full(4, 0.25)) == pytest.approx(4)
    assert effective_sample_size(np.array([1.0, 0, 0])) == pytest.approx(1)


def test_bad_draws_and_claims_are_one_line():
    with pytest.raises(RedlineError, match="between 1"):
        posterior(DONBAS, draws=0)
    with pytest.raises(RedlineError, match="unknown claim"):
        posterior(DONBAS, draws=10, assume={"nope": True})


# ---------------------------------------------------------------- conditioning on rounds

from redline.scenario.compile import Draws  # noqa: E402
from redline.scenario.load import parse_scenario  # noqa: E402
from redline.uncertainty.acceptance import acceptance  # noqa: E402
from redline.uncertainty.rounds import DEFAULT_TREMBLE, evidence, log_likelihoods, tremble  # noqa: E402

ROUNDS = ROOT / "tests" / "data" / "rounds" / "ceasefire-rounds.yaml"
CEASEFIRE = load_scenario(ROUNDS)

# Monte Carlo tolerances, in standard errors of the estimate (the tests use fixed seeds; 4 se
# is exceeded with probability 6e-5 per comparison for an unbiased estimator).
STANDARD_ERRORS = 4.0
# The grid of the exact posterior: midpoints per uniform input (its discretisation error in a
# posterior mean is below 1e-4 of the range, far inside the Monte Carlo tolerance).
GRID = 240


def _trembling(eps: str):
    """The fixture with every round's tremble set to ``eps``."""
    return parse_scenario(_trembling_text(eps))


def _trembling_text(eps: str) -> str:
    return (ROUNDS.read_text().replace("tremble: 0.1", f"tremble: {eps}")
                          .replace("    illustrative: true\n",
                                   f"    illustrative: true\n    tremble: {eps}\n")
                          .replace("    sources: [wire]\n    proposal: leak",
                                   f"    sources: [wire]\n    tremble: {eps}\n    proposal: leak"))


def _exact_posterior(scenario):
    """Posterior means of the outside option and threshold and P(claim), by summing the
    likelihood over a grid of the prior (both inputs uniform, the claim Bernoulli)."""
    (o_path, o_dist, *_), (t_path, t_dist, *_) = [
        (p, d, lo, hi) for p, d, lo, hi in
        __import__("redline.scenario.compile", fromlist=["x"]).uncertain_inputs(scenario)]
    mid = (np.arange(GRID) + 0.5) / GRID
    o = o_dist.quantile(mid)
    t = t_dist.quantile(mid)
    oo, tt, cc = np.meshgrid(o, t, [1, 0], indexing="ij")
    prior_c = np.where(cc == 1, 0.6, 0.4)
    draws = Draws(oo.size, {o_path: oo.ravel(), t_path: tt.ravel()},
                  {"deal-leaked": cc.ravel()})
    found = evidence(scenario)
    weight = np.exp(log_likelihoods(scenario, draws, found).sum(axis=1)) * prior_c.ravel()
    weight /= weight.sum()
    return {"o": weight @ oo.ravel(), "t": weight @ tt.ravel(), "c": weight @ cc.ravel()}


def _estimates(post):
    w = post.weights
    names = post.input_names
    o = post.inputs[:, names.index("actors.north.outside_option")]
    t = post.inputs[:, names.index("red_lines.south-monitors.require.at_least")]
    c = post.inputs[:, names.index("claim:deal-leaked")]
    return {"o": (w @ o, o), "t": (w @ t, t), "c": (w @ c, c)}


def test_smc_and_importance_weights_match_the_exact_posterior():
    exact = _exact_posterior(CEASEFIRE)
    post = posterior(CEASEFIRE, draws=4000, seed=2)
    assert post.method == "smc" and post.diagnostics["resamples"] >= 1
    assert post.weights.sum() == pytest.approx(1.0)
    for key, (mean, values) in _estimates(post).items():
        # resample-move particles are correlated: the ESS of the importance step bounds
        # their information from below, so its standard error is the conservative one
        se = values.std() / np.sqrt(post.diagnostics["importance_ess"])
        assert abs(mean - exact[key]) <= STANDARD_ERRORS * se + 1e-12, key


def test_plain_importance_weights_match_the_exact_posterior_when_the_evidence_is_weak():
    weak = _trembling("0.45")
    exact = _exact_posterior(weak)
    post = posterior(weak, draws=4000, seed=3)
    assert post.method == "importance"
    for key, (mean, values) in _estimates(post).items():
        se = np.sqrt(post.weights @ (values - mean) ** 2 / post.ess)
        assert abs(mean - exact[key]) <= STANDARD_ERRORS * se + 1e-12, key


def test_the_order_of_the_rounds_in_the_file_changes_nothing():
    text = ROUNDS.read_text()
    head, rounds = text.split("\nrounds:\n")
    items = ["  - id:" + chunk for chunk in rounds.split("  - id:")[1:]]
    reordered = parse_scenario(head + "\nrounds:\n" + "".join(reversed(items)))
    a = posterior(CEASEFIRE, draws=500, seed=9)
    b = posterior(reordered, draws=500, seed=9)
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.inputs, b.inputs)


def test_rounds_on_one_date_in_any_order_give_the_same_importance_weights():
    text = _trembling_text("0.45")
    for day in ("2026-11-21", '"2026-11-23"', '"2026-11-25"'):
        text = text.replace(f"date: {day}", "date: 2026-11-30")
    head, rounds = text.split("\nrounds:\n")
    items = ["  - id:" + chunk for chunk in rounds.split("  - id:")[1:]]
    weak = [parse_scenario(head + "\nrounds:\n" + "".join(order))
            for order in (items, items[::-1], items[1:] + items[:1])]
    results = [posterior(s, draws=400, seed=5) for s in weak]
    assert [r.method for r in results] == ["importance"] * 3
    for other in results[1:]:
        np.testing.assert_allclose(other.weights, results[0].weights, rtol=1e-12)


def test_rounds_in_any_order_give_the_same_posterior_under_resample_move():
    """SMC adds the rounds one at a time: another order is another Monte Carlo path to the
    same posterior."""
    text = ROUNDS.read_text()
    days = ["2026-11-21", '"2026-11-23"', '"2026-11-25"']
    for day, new in zip(days, ["2026-11-25", "2026-11-24", "2026-11-21"], strict=True):
        text = text.replace(f"date: {day}", f"date: {new}")
    a = posterior(CEASEFIRE, draws=3000, seed=5)
    b = posterior(parse_scenario(text), draws=3000, seed=5)
    assert a.method == b.method == "smc"
    for key, (mean, values) in _estimates(a).items():
        other = _estimates(b)[key][0]
        se = values.std() / np.sqrt(min(a.diagnostics["importance_ess"],
                                        b.diagnostics["importance_ess"]))
        assert abs(mean - other) <= STANDARD_ERRORS * np.sqrt(2) * se, key


def test_with_no_tremble_no_weighted_draw_contradicts_a_response():
    strict = _trembling("0")
    post = posterior(strict, draws=2000, seed=1)
    found = evidence(strict)
    accepts = acceptance(strict, post.draws, found.options).accepts
    live = post.weights > 0
    assert live.any()
    for obs in found.observations:
        model = accepts[:, obs.actor, obs.packages].any(axis=1)
        assert (model[live] == obs.accepted).all()


def test_an_impossible_round_with_no_tremble_is_one_clear_line():
    impossible = parse_scenario(ROUNDS.read_text() + """\
  - id: prewar-accepted
    date: 2026-11-28
    sources: [wire]
    tremble: 0
    package: {line: prewar}
    responses: {north: accepted}
""")
    with pytest.raises(RedlineError, match="no draw of 300 reproduces the rounds up to "
                       "'prewar-accepted'") as error:
        posterior(impossible, draws=300, seed=1)
    assert "tremble" in error.value.hint


def test_too_few_draws_for_strong_evidence_says_how_many_are_needed():
    strong = ROUNDS.read_text() + "".join(f"""\
  - id: again-{k}
    date: 2026-11-2{k}
    sources: [wire]
    tremble: 0.001
    package: {{line: halfway, monitors: none, sanctions: kept}}
    responses: {{north: accepted}}
""" for k in range(6, 9))
    with pytest.raises(RedlineError, match="effective sample") as error:
        posterior(parse_scenario(strong), draws=60, seed=1)
    assert "draws=" in error.value.hint and error.value.field == "draws"


def test_tremble_defaults_and_derives_from_the_sources():
    event = CEASEFIRE.rounds[0]
    assert tremble(event, {}) == DEFAULT_TREMBLE
    assert tremble(event, {"wire": None}) == DEFAULT_TREMBLE
    assert tremble(event, {"wire": 1.0}) == pytest.approx(DEFAULT_TREMBLE, abs=1e-3)
    assert tremble(event, {"wire": 0.5}) == pytest.approx(0.5)
    assert tremble(event, {"wire": 0.2}) == pytest.approx(0.5)  # never evidence backwards
    # reliability 0.6: the report is wrong 40% of the time, composed with the actor's tremble
    assert tremble(event, {"wire": 0.6}) == pytest.approx(0.05 + 0.9 * 0.4)
    assert CEASEFIRE.rounds[1].tremble == 0.1 and tremble(CEASEFIRE.rounds[1], {}) == 0.1


def test_until_keeps_the_earlier_rounds_and_the_same_seed_gives_the_same_posterior():
    early = posterior(CEASEFIRE, draws=300, seed=7, until="2026-11-22")
    assert early.rounds == ("leak-answered",)
    again = posterior(CEASEFIRE, draws=300, seed=7, until="2026-11-22")
    np.testing.assert_array_equal(early.weights, again.weights)
    assert posterior(CEASEFIRE, draws=300, seed=7, until="2026-01-01").is_prior
    with pytest.raises(RedlineError, match="ISO date"):
        posterior(CEASEFIRE, draws=300, until="soon")


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 60), st.integers(1, 6), st.integers(0, 2**16))
def test_distinct_rows_counts_as_numpys_unique(n, width, seed):
    from redline.uncertainty.posterior import distinct_rows

    rng = np.random.default_rng(seed)
    x = rng.choice([0.0, -0.0, 0.25, 1.0 - 2**-53, rng.random()], size=(n, width))
    x = x[rng.integers(0, max(n, 1), n)] if n else x
    assert distinct_rows(x) == np.unique(x, axis=0).shape[0]


def test_a_move_stops_once_nearly_every_particle_has_moved(monkeypatch):
    from redline.uncertainty import posterior as smc

    post = posterior(CEASEFIRE, draws=4000, seed=2)
    resamples, steps = post.diagnostics["resamples"], post.diagnostics["move_steps"]
    assert resamples >= 1
    assert smc.MIN_MOVE_STEPS * resamples <= steps < smc.MOVE_STEPS * resamples
    # a share no move can reach: every move runs to its maximum, and the first steps are the
    # same random numbers (counter-based streams), so the particles differ only after them
    monkeypatch.setattr(smc, "MOVED_SHARE", 1.01)
    longest = posterior(CEASEFIRE, draws=4000, seed=2)
    assert longest.diagnostics["move_steps"] == smc.MOVE_STEPS * resamples
    assert longest.diagnostics["distinct"] >= post.diagnostics["distinct"]
