"""``pipeline.run_advise`` and ``Negotiation.advise``: the mediator's next move, ranked, against
per-draw loops and an enumeration of the joint distribution of the draws and the answers."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest

import redline
from redline import AdviceResult, RedlineError, pipeline
from redline.space.packages import decode
from redline.uncertainty import advise as core
from redline.uncertainty.acceptance import acceptance
from redline.uncertainty.posterior import posterior

ROOT = Path(__file__).resolve().parents[1]
CEASEFIRE = ROOT / "tests" / "data" / "proposals" / "ceasefire.yaml"
DONBAS = ROOT / "examples" / "donbas-2026.yaml"
TOLERANCE = 1e-9
DRAWS = 300


@pytest.fixture(scope="module")
def loaded():
    return pipeline.load(CEASEFIRE)


@pytest.fixture(scope="module")
def every_draw(loaded):
    """The posterior's draws and the verdict on every package in each, by the core."""
    scenario = loaded.scenario
    post = posterior(scenario, draws=DRAWS, seed=4)
    domain = loaded.require_domain()
    options = decode(np.arange(domain.n_packages), domain.radices)
    return post, acceptance(scenario, post.draws, options)


def labels(loaded, index):
    from redline.space.engine import package_labels

    return package_labels(loaded.require_domain(), index)


def loop_shares(post, verdict):
    d, n = verdict.acceptable.shape
    return [sum(post.weights[i] for i in range(d) if verdict.acceptable[i, j]) for j in range(n)]


def loop_values(post, verdict, actor):
    a = verdict.actors.index(actor)
    d, n = verdict.acceptable.shape
    return [sum(post.weights[i] * (verdict.utilities[i, a, j] if verdict.acceptable[i, j]
                                   else verdict.outside[i, a]) for i in range(d))
            for j in range(n)]


def test_accept_ranks_packages_as_a_per_draw_loop_does(loaded, every_draw):
    post, verdict = every_draw
    n = verdict.acceptable.shape[1]
    p = loop_shares(post, verdict)
    value = loop_values(post, verdict, "monitor")
    # equally likely packages: the better one for the advised actor first
    expected = sorted(range(n), key=lambda j: (-p[j], -value[j], j))[:5]
    data = pipeline.run_advise(loaded, "monitor", draws=DRAWS, seed=4).to_dict()
    assert [r["package"] for r in data["ranked"]] == [labels(loaded, j) for j in expected]
    for row, j in zip(data["ranked"], expected, strict=True):
        assert row["score"] == pytest.approx(p[j], abs=TOLERANCE)
        assert row["p_acceptable"]["low"] <= row["score"] <= row["p_acceptable"]["high"]
    assert data["ess"] == pytest.approx(DRAWS)  # no rounds: equal weights


def test_value_ranks_by_the_actors_expected_outcome(loaded, every_draw):
    post, verdict = every_draw
    n = verdict.acceptable.shape[1]
    value = loop_values(post, verdict, "north")
    p = loop_shares(post, verdict)
    expected = sorted(range(n), key=lambda j: (-value[j], -p[j], j))[:3]
    data = pipeline.run_advise(loaded, "north", objective="value", top=3, draws=DRAWS,
                               seed=4).to_dict()
    assert [r["package"] for r in data["ranked"]] == [labels(loaded, j) for j in expected]
    assert [r["score"] for r in data["ranked"]] == pytest.approx([value[j] for j in expected],
                                                                 abs=TOLERANCE)
    assert all("expected value for North" in r["reason"] for r in data["ranked"])
    # the reasons' second pass gives the same expected value as the ranking's first
    assert [r["expected_value"] for r in data["ranked"]] == pytest.approx(
        [r["score"] for r in data["ranked"]], abs=TOLERANCE)


def enumerated_information(verdict, weights, respondents, eps, j):
    """I(draw; answers) for package j, summing over every draw and every answer vector."""
    joint = []
    for i in range(len(weights)):
        for y in itertools.product((False, True), repeat=len(respondents)):
            like = math.prod((1 - eps) if y[k] == bool(verdict.accepts[i, r, j]) else eps
                             for k, r in enumerate(respondents))
            joint.append((i, y, like))
    marginal: dict = {}
    for i, y, like in joint:
        marginal[y] = marginal.get(y, 0.0) + weights[i] * like
    return sum(weights[i] * like * math.log2(like / marginal[y])
               for i, y, like in joint if like > 0)


def test_probe_is_the_enumerated_mutual_information(loaded, every_draw):
    post, verdict = every_draw
    respondents = [verdict.actors.index(a) for a in ("north", "south", "league")]
    n = verdict.acceptable.shape[1]
    bits = [enumerated_information(verdict, post.weights, respondents, 0.1, j)
            for j in range(n)]
    p = loop_shares(post, verdict)
    expected = sorted(range(n), key=lambda j: (-round(bits[j], 9), -p[j], j))[:4]
    data = pipeline.run_advise(loaded, "monitor", objective="probe", top=4, draws=DRAWS,
                               seed=4, tremble=0.1).to_dict()
    assert data["respondents"] == ["north", "south", "league"] and data["tremble"] == 0.1
    assert [r["package"] for r in data["ranked"]] == [labels(loaded, j) for j in expected]
    assert [r["information_bits"] for r in data["ranked"]] == pytest.approx(
        [bits[j] for j in expected], abs=TOLERANCE)
    top = data["ranked"][0]
    assert "bits expected about the uncertain inputs" in top["reason"]
    assert "splits the draws" in top["reason"]
    # each answer alone carries no more than all of them
    assert all(a["bits"] <= top["information_bits"] + TOLERANCE
               for a in top["answers"].values())


def test_probe_never_ranks_first_a_text_the_advised_actor_refuses(loaded, every_draw):
    """A text the advised actor rejects in every draw is no move it can table: such texts
    come after every other, whatever the others' answers would teach."""
    post, verdict = every_draw
    north = verdict.actors.index("north")
    respondents = [verdict.actors.index(a) for a in ("south", "monitor", "league")]
    n = verdict.acceptable.shape[1]
    own = [sum(post.weights[i] for i in range(verdict.acceptable.shape[0])
               if verdict.accepts[i, north, j]) for j in range(n)]
    assert 0 < sum(x == 0 for x in own) < n  # some texts north always refuses, some not
    bits = [enumerated_information(verdict, post.weights, respondents, 0.1, j)
            for j in range(n)]
    p = loop_shares(post, verdict)
    expected = sorted(range(n), key=lambda j: (own[j] == 0, -round(bits[j], 9), -p[j], j))
    data = pipeline.run_advise(loaded, "north", objective="probe", top=n, draws=DRAWS,
                               seed=4, tremble=0.1).to_dict()
    assert [r["package"] for r in data["ranked"]] == [labels(loaded, j) for j in expected]
    refused = [r["actors"]["north"]["p_accepts"] == 0 for r in data["ranked"]]
    assert refused == sorted(refused)  # every refused text after every other


def test_a_tremble_of_one_half_teaches_nothing(loaded):
    data = pipeline.run_advise(loaded, "monitor", objective="probe", draws=100,
                               tremble=0.5).to_dict()
    assert all(r["information_bits"] == pytest.approx(0, abs=TOLERANCE) for r in data["ranked"])


def test_listed_candidates_count_by_their_best_completion(loaded, every_draw):
    post, verdict = every_draw
    data = pipeline.run_advise(loaded, "monitor", proposals=["leak", "first-draft"],
                               packages=[{"line": "prewar"}], draws=DRAWS, seed=4).to_dict()
    assert data["candidates"] == {"count": 3, "packages": 2 + 1 + 6, "listed": True}
    by_name = {r["candidate"]["proposal"] or "prewar": r for r in data["ranked"]}
    assert by_name["leak"]["completions"] == 2 and by_name["first-draft"]["completions"] == 1
    assert by_name["prewar"]["candidate"]["package"] == {"line": "prewar"}
    # the leak's best completion is the one of its two with the higher P(acceptable)
    domain = loaded.require_domain()
    from redline.space.proposals import completions, fixed_options

    leak = completions(domain, fixed_options(domain, {"line": "halfway", "monitors": "unarmed"}))
    shares = [float(post.weights @ verdict.acceptable[:, j]) for j in leak]
    best = leak[int(np.argmax(shares))]
    assert by_name["leak"]["package"] == labels(loaded, best)
    assert by_name["leak"]["score"] == pytest.approx(max(shares), abs=TOLERANCE)
    scores = [r["score"] for r in data["ranked"]]
    assert scores == sorted(scores, reverse=True)


def test_accept_reasons_name_who_rejects_and_by_which_rule(loaded):
    data = pipeline.run_advise(loaded, "monitor", packages=[
        {"line": "prewar", "monitors": "armed", "sanctions": "lifted"}], draws=200).to_dict()
    (row,) = data["ranked"]
    assert row["score"] == 0.0  # North never returns to the prewar line
    assert row["actors"]["north"]["rejected_mostly_by"]["id"] == "north-no-prewar"
    assert "North rejects in 100% of draws, mostly by red line north-no-prewar" in row["reason"]


def test_same_seed_same_json_and_no_cut_when_all_are_listed(loaded):
    one = pipeline.run_advise(loaded, "south", objective="probe", draws=150, seed=9)
    two = pipeline.run_advise(loaded, "south", objective="probe", draws=150, seed=9)
    assert json.dumps(one.to_dict()) == json.dumps(two.to_dict())
    assert one.to_dict()["cuts"] == ["ranked: first 5 of 18 candidates"]
    every = pipeline.run_advise(loaded, "south", top=18, draws=50).to_dict()
    assert every["cuts"] == [] and len(every["ranked"]) == 18


@pytest.mark.parametrize("kwargs, words", [
    ({"actor": "nobody"}, "unknown actor 'nobody'"),
    ({"objective": "win"}, "unknown objective 'win'"),
    ({"tremble": 0.7}, "must lie in [0, 0.5]"),
    ({"proposals": ["nope"]}, "unknown proposal 'nope'"),
    ({"packages": [{"sea": "calm"}]}, "unknown issue 'sea'"),
])
def test_bad_requests_are_one_clear_error(loaded, kwargs, words):
    args = {"actor": "monitor", **kwargs}
    with pytest.raises(RedlineError, match=None) as caught:
        pipeline.run_advise(loaded, args.pop("actor"), draws=10, **args)
    assert words in str(caught.value)


def test_too_many_candidates_or_respondents_are_refused(loaded, monkeypatch):
    monkeypatch.setattr(core, "MAX_CANDIDATES", 10)
    with pytest.raises(RedlineError, match="advise ranks at most 10 candidates") as caught:
        pipeline.run_advise(loaded, "monitor", draws=10)
    assert "packages=" in str(caught.value) and "--" not in str(caught.value)
    monkeypatch.setattr(core, "MAX_RESPONDENTS", 2)
    with pytest.raises(RedlineError, match="2\\^3 answer patterns"):
        pipeline.run_advise(loaded, "monitor", objective="probe", proposals=["leak"], draws=10)


def test_the_library_call_is_the_pipeline_run():
    neg = redline.load(CEASEFIRE)
    result = neg.advise("monitor", objective="value", top=2, draws=120, seed=3)
    assert isinstance(result, AdviceResult)
    expected = pipeline.run_advise(pipeline.load(CEASEFIRE), "monitor", objective="value",
                                   top=2, draws=120, seed=3).to_dict()
    assert result.to_dict() == expected
    text = repr(result)
    assert text.startswith("AdviceResult: next move for monitor, by value")
    assert "expected value for Monitor" in text
    assert "<table>" in result._repr_html_()
    assert [r["rank"] for r in result.ranked] == [1, 2]
    with pytest.raises(RedlineError, match="top"):
        neg.advise("monitor", top=0)
    with pytest.raises(RedlineError, match="packages"):
        neg.advise("monitor", packages={"line": "prewar"})


def test_donbas_probe_names_readable_inputs():
    data = pipeline.run_advise(pipeline.load(DONBAS), "us", objective="probe", top=1,
                               draws=400).to_dict()
    (row,) = data["ranked"]
    assert data["respondents"] == ["ukraine", "russia", "europe"]
    ties = [a["tied_to"] for a in row["answers"].values() if a["tied_to"]]
    assert ties and all(t["label"] != t["input"] for t in ties)
    assert row["reason"].count("splits the draws") >= 1


ROUNDS = ROOT / "tests" / "data" / "rounds" / "ceasefire-rounds.yaml"


def test_rounds_weight_the_draws_and_prior_ignores_them():
    loaded = pipeline.load(ROUNDS)
    post = posterior(loaded.scenario, draws=400, seed=2)
    assert post.rounds
    domain = loaded.require_domain()
    verdict = acceptance(loaded.scenario, post.draws,
                         decode(np.arange(domain.n_packages), domain.radices))
    p = post.weights @ verdict.acceptable
    data = pipeline.run_advise(loaded, "monitor", draws=400, seed=2, top=18).to_dict()
    assert data["rounds"] == list(post.rounds)
    assert data["illustrative_rounds"] == ["north-needs-relief"]
    assert data["ess"] == pytest.approx(post.ess)
    from redline.space.engine import package_labels

    expected = {tuple(package_labels(domain, j).values()): p[j] for j in range(p.size)}
    for row in data["ranked"]:
        assert row["score"] == pytest.approx(expected[tuple(row["package"].values())],
                                             abs=TOLERANCE)
    prior = pipeline.run_advise(loaded, "monitor", draws=400, seed=2, top=18,
                                prior=True).to_dict()
    assert prior["rounds"] == [] and prior["ess"] == pytest.approx(400)
    assert prior["illustrative_rounds"] == []
    from rich.console import Console

    from redline.report.advice import render_advice

    console = Console(width=80, record=True, color_system=None)
    render_advice(console, data)
    text = " ".join(console.export_text().split())
    assert "analyst's illustration, not a reported fact: north-needs-relief" in text
    assert f"posterior after {len(post.rounds)} round(s)" in text
    assert [r["score"] for r in prior["ranked"]] != [r["score"] for r in data["ranked"]]


def test_the_default_tremble_is_the_rounds_default(loaded):
    from redline.uncertainty.rounds import DEFAULT_TREMBLE

    data = pipeline.run_advise(loaded, "monitor", objective="probe", draws=50).to_dict()
    assert data["tremble"] == DEFAULT_TREMBLE


def test_until_counts_only_the_rounds_up_to_that_date():
    loaded = pipeline.load(ROUNDS)
    data = pipeline.run_advise(loaded, "monitor", draws=200, until="2026-11-22").to_dict()
    assert data["rounds"] == ["leak-answered"] and data["illustrative_rounds"] == []
    with pytest.raises(RedlineError, match="until"):
        pipeline.run_advise(loaded, "monitor", draws=20, until="someday")
