"""The Colombia 2016 example: a real process whose outcomes are public record.

The file's rounds are what happened (the August text signed, the plebiscite's No, the revised
text signed and endorsed by Congress). These tests pin what the example is for: the scenario
loads and checks, every round is sourced (none is an illustration), the posterior moves after
the plebiscite in the direction the vote implies, and the revised accord is acceptable where
the August one was not.
"""

from __future__ import annotations

import numpy as np
import pytest

import redline
from redline.bundled import example_path
from redline.scenario.load import load_scenario
from redline.uncertainty.acceptance import acceptance
from redline.uncertainty.posterior import posterior

DRAWS = 2000


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(example_path("colombia-2016"))


def _options(scenario, package):
    """Option indices of a full package {issue: label}."""
    return np.array([[next(k for k, (label, _) in enumerate(issue.option_values())
                           if label == package[issue.id]) for issue in scenario.issues]])


def _p_accepts(scenario, post, proposal_id, actor):
    """Posterior P(actor accepts the proposal) (weighted over the particles)."""
    proposal = next(p for p in scenario.proposals if p.id == proposal_id)
    verdict = acceptance(scenario, post.draws, _options(scenario, proposal.package))
    a = verdict.actors.index(actor)
    return float(np.sum(post.weights * verdict.accepts[:, a, 0]))


def test_every_round_is_sourced_and_dated_in_order(scenario):
    dates = [r.date for r in scenario.rounds]
    assert dates == sorted(dates)
    assert all(r.sources and not r.illustrative for r in scenario.rounds)
    assert [r.id for r in scenario.rounds][:2] == ["accord-signed", "plebiscite"]


def test_the_plebiscite_lowers_the_odds_that_voters_accept_the_august_text(scenario):
    before = posterior(scenario, draws=DRAWS, seed=1, until="2016-10-01")
    after = posterior(scenario, draws=DRAWS, seed=1, until="2016-10-02")
    p_before = _p_accepts(scenario, before, "august-final-accord", "voters")
    p_after = _p_accepts(scenario, after, "august-final-accord", "voters")
    assert 0.6 < p_before < 0.95  # the accord was expected to pass
    assert p_after < 0.25  # the No is strong evidence, trembling only as its sources allow


def test_after_the_plebiscite_the_vote_threshold_rises(scenario):
    before = posterior(scenario, draws=DRAWS, seed=1, until="2016-10-01")
    after = posterior(scenario, draws=DRAWS, seed=1, until="2016-10-02")
    name = "ratification.plebiscite-majority.min_utility"

    def mean(post):
        j = post.input_names.index(name)
        return float(np.sum(post.weights * post.inputs[:, j]))

    assert mean(after) > mean(before) + 0.02


def test_the_revised_accord_passes_where_the_august_text_now_fails(scenario):
    """After every round, the November text (ratified by Congress) is acceptable in nearly
    every posterior draw; the August text, put to the vote again, in far fewer than before."""
    post = posterior(scenario, draws=DRAWS, seed=1)
    texts = {p.id: p.package for p in scenario.proposals}
    options = np.vstack([_options(scenario, texts["august-final-accord"]),
                         _options(scenario, texts["november-accord"])])
    verdict = acceptance(scenario, post.draws, options)
    august, november = post.weights @ verdict.acceptable
    prior = posterior(scenario, draws=DRAWS, seed=1, until="2016-10-01")
    august_before = prior.weights @ acceptance(scenario, prior.draws, options).acceptable[:, 0]
    assert november > 0.95
    assert august < 0.4 < 0.6 < august_before


def test_the_library_evaluates_the_revised_accord_at_the_point_values():
    revised = redline.load(example_path("colombia-2016")).evaluate("november-accord", draws=0)
    assert revised.to_dict()["completions"][0]["acceptable"] is True
