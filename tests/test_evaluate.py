"""``pipeline.run_evaluate``: a named proposal or a package, judged in the claim branch and
under the scenario's uncertainty (a sweep's per-package counts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline import pipeline
from redline.errors import RedlineError

ROOT = Path(__file__).resolve().parents[1]
CEASEFIRE = ROOT / "tests" / "data" / "proposals" / "ceasefire.yaml"
CAMP_DAVID = ROOT / "examples" / "camp-david-1978.yaml"


def test_a_full_proposal_is_one_completion_with_reasons():
    data = pipeline.run_evaluate(pipeline.load(CEASEFIRE), "first-draft").to_dict()
    assert data["proposal"]["tabled_by"] == "monitor"
    assert data["open_issues"] == []
    (row,) = data["completions"]
    assert row["acceptable"] is True
    by_actor = {r["actor"]: r for r in row["actors"]}
    # The League has no veto: it rejects (its red line) but does not block.
    assert by_actor["league"]["accepts"] is False
    assert by_actor["league"]["rejected_by"] == ["league-sanctions"]
    assert row["blocking"] == []
    assert data["what_it_takes"]["changes"] == 0
    assert data["uncertainty"] is None


def test_a_rejected_partial_proposal_says_what_it_would_take():
    data = pipeline.run_evaluate(pipeline.load(CEASEFIRE), "prewar-offer").to_dict()
    assert data["open_issues"] == ["monitors", "sanctions"]
    assert len(data["completions"]) == 6
    assert all("north-no-prewar" in r["blocking"] for r in data["completions"])
    takes = data["what_it_takes"]
    assert takes["changes"] == 1
    for row in takes["packages"]:
        assert row["changes"] == ["line"]
        assert row["package"]["line"] != "prewar"
        assert row["compared_with"]["line"] == "prewar"
        assert {k: v for k, v in row["compared_with"].items() if k != "line"} == \
            {k: v for k, v in row["package"].items() if k != "line"}
        assert "north" in row["gains"] and "south" in row["losses"]


def test_same_seed_same_numbers_and_intervals_hold_the_estimate():
    loaded = pipeline.load(CEASEFIRE)
    one = pipeline.run_evaluate(loaded, "leak", draws=300, seed=7).to_dict()
    two = pipeline.run_evaluate(loaded, "leak", draws=300, seed=7).to_dict()
    assert json.dumps(one) == json.dumps(two)
    odds = one["uncertainty"]
    assert odds["draws"] == 300 and len(odds["completions"]) == 2
    for row in odds["completions"]:
        for cell in [row["p_acceptable"], *row["p_accepts"].values()]:
            assert cell["low"] <= cell["p"] <= cell["high"]
    best = max(odds["completions"], key=lambda r: r["p_acceptable"]["p"])
    assert odds["best_completion"] == best["package"]
    other = pipeline.run_evaluate(loaded, "leak", draws=300, seed=8).to_dict()
    assert other["uncertainty"] != odds


def test_with_nothing_uncertain_the_odds_are_the_verdicts():
    loaded = pipeline.load(CAMP_DAVID)
    package = {"sinai": "100", "demilitarisation": "full-with-observers"}
    data = pipeline.run_evaluate(loaded, package=package, draws=20, seed=0).to_dict()
    for row, odds in zip(data["completions"], data["uncertainty"]["completions"], strict=True):
        assert odds["package"] == row["package"]
        assert odds["p_acceptable"]["p"] == float(row["acceptable"])
        for actor in row["actors"]:
            assert odds["p_accepts"][actor["actor"]]["p"] == float(actor["accepts"])


def test_claim_branch_changes_the_verdict():
    free = pipeline.run_evaluate(pipeline.load(CEASEFIRE), package={
        "line": "halfway", "monitors": "armed", "sanctions": "lifted"}).to_dict()
    gated = pipeline.run_evaluate(pipeline.load(CEASEFIRE, assume={"deal-leaked": False}),
                                  package={"line": "halfway", "monitors": "armed",
                                           "sanctions": "lifted"}).to_dict()
    assert free["completions"][0]["acceptable"] is True
    assert gated["completions"][0]["blocking"] == ["north-armed"]


@pytest.mark.parametrize("args, words", [
    ({}, "exactly one of a proposal id or a package"),
    ({"proposal": "leak", "package": {"line": "current"}}, "exactly one"),
    ({"proposal": "nope"}, "unknown proposal 'nope'"),
    ({"package": {"line": "nowhere"}}, "has no option 'nowhere'"),
])
def test_bad_requests_are_one_line(args, words):
    with pytest.raises(RedlineError) as info:
        pipeline.run_evaluate(pipeline.load(CEASEFIRE), **args)
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_odds_are_the_sweeps_own_counts_for_the_completions():
    from redline.uncertainty.sweep import sweep

    loaded = pipeline.load(CEASEFIRE)
    run = pipeline.run_evaluate(loaded, "prewar-offer", draws=250, seed=4)
    result = sweep(loaded.scenario, draws=250, seed=4)
    indices = [v.index for v in run.evaluation.completions]
    data = run.to_dict()["uncertainty"]["completions"]
    for row, index in zip(data, indices, strict=True):
        assert row["p_acceptable"]["p"] == result.acceptable[index] / 250
        for k, actor in enumerate(loaded.scenario.actors):
            assert row["p_accepts"][actor.id]["p"] == result.accepts[k, index] / 250
