"""How expected each round was: the share of the prior's draws whose model gives every response
the round records (``prior_fit`` in ``redline update --json``). A round no draw reproduces moves
nothing, and the update says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from redline import pipeline
from redline.cli import app
from redline.uncertainty.acceptance import acceptance
from redline.uncertainty.posterior import posterior
from redline.uncertainty.rounds import evidence, reproduced

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = ROOT / "tests" / "data" / "rounds" / "ceasefire-rounds.yaml"
DONBAS = ROOT / "examples" / "donbas-2026.yaml"
DRAWS = 400


def test_reproduced_is_a_per_draw_check_of_every_response():
    loaded = pipeline.load(ROUNDS)
    scenario = loaded.scenario
    prior = posterior(scenario.model_copy(update={"rounds": []}), draws=DRAWS, seed=2)
    found = evidence(scenario)
    got = reproduced(scenario, prior.draws, found)
    verdict = acceptance(scenario, prior.draws, found.options)
    for d in range(0, DRAWS, 37):  # a loop over draws and observations, by hand
        for r in range(len(found.rounds)):
            expected = all(
                bool(verdict.accepts[d, obs.actor, obs.packages].any()) == obs.accepted
                for obs in found.observations if obs.round == r)
            assert got[d, r] == expected


def test_the_update_reports_each_rounds_prior_odds():
    data = pipeline.run_update(pipeline.load(ROUNDS), draws=DRAWS, seed=2).to_dict()
    scenario = pipeline.load(ROUNDS).scenario
    prior = posterior(scenario.model_copy(update={"rounds": []}), draws=DRAWS, seed=2)
    shares = reproduced(scenario, prior.draws, evidence(scenario)).mean(axis=0)
    fits = [event["prior_fit"] for event in data["rounds"] if event["counted"]]
    assert fits == pytest.approx(list(shares), abs=1e-12)
    assert all(0.0 <= f <= 1.0 for f in fits)


def test_a_round_no_draw_reproduces_moves_nothing_and_is_named():
    data = pipeline.run_update(pipeline.load(DONBAS), draws=2000, seed=0).to_dict()
    kyiv = next(e for e in data["rounds"] if e["id"] == "kyiv-red-line-entire-donbas")
    assert kyiv["prior_fit"] == 0.0
    after = next(s for s in data["timeline"] if s["round"] == kyiv["id"])
    assert after["ess"] == pytest.approx(data["draws"])  # the weights did not move
    result = CliRunner().invoke(app, ["update", str(DONBAS), "--draws", "2000"],
                                env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "kyiv-red-line-entire-donbas: no draw of the scenario gives this answer" in text


def test_prior_only_has_no_fits():
    data = pipeline.run_update(pipeline.load(ROUNDS), draws=DRAWS, seed=2,
                               prior_only=True).to_dict()
    assert all(event["prior_fit"] is None for event in data["rounds"])
    assert np.isfinite(data["p_agreement"]["prior"]["p"])


@pytest.mark.parametrize("tremble", [0.05, 0.45])
def test_the_posteriors_own_pass_gives_the_prior_fits(tremble):
    """The update takes each round's prior odds from the likelihood's pass over the prior
    particles (:func:`fits_of`), not from a second pass; both give the same numbers, whether
    the rounds are importance-weighted or resample-move runs."""
    from redline.uncertainty.update import fits_of, prior_fits

    scenario = pipeline.load(ROUNDS).scenario
    scenario = scenario.model_copy(update={"rounds": [
        r.model_copy(update={"tremble": tremble}) for r in scenario.rounds]})
    post = posterior(scenario, draws=DRAWS, seed=4)
    assert fits_of(post) == prior_fits(scenario, draws=DRAWS, seed=4)
    assert fits_of(posterior(scenario.model_copy(update={"rounds": []}), draws=DRAWS,
                             seed=4)) == {}
