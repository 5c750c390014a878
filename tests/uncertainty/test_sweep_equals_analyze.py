"""A sweep and ``analyze`` share one kernel, so where nothing varies they give the same answers.

Random scenarios (actors with and without a veto, outside options, red lines, linkages,
ratification steps, claims that gate rules and override outside options) are built here as
dicts. With nothing uncertain, every draw of a sweep is the deterministic analysis: agreement
in every draw exactly when ``analyze`` finds an acceptable package, and each draw's Nash and
Kalai-Smorodinsky package is one of ``analyze``'s undominated ties. With distributions, one draw
at the point values (the means of what a sweep draws from) is compared field by field.

The sweep records one package per draw where ``analyze`` lists every tie: the tie with the
largest rounded sum of the veto actors' utilities, then the lowest package number
(:func:`redline.space.kernel.undominated_tie`); the tests check exactly that pick.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline.scenario.compile import to_domain
from redline.scenario.load import build_scenario
from redline.space.engine import analyze, binding_columns, evaluate, violations
from redline.space.packages import decode
from redline.space.tolerance import rounded
from redline.uncertainty.sweep import in_process, sweep

LABELS = "abcd"
STEPS = [0, 10, 25, 40, 50, 60, 75, 90, 100]
SHARES = [0.0, 0.2, 0.25, 0.4, 0.5]


def _condition(draw, issues: list[dict]) -> dict:
    issue = draw(st.sampled_from(issues))
    labels = [o["label"] for o in issue["options"]]
    kind = draw(st.sampled_from(["is", "in", "at_least", "at_most"]))
    if kind == "is":
        return {"issue": issue["id"], "is": draw(st.sampled_from(labels))}
    if kind == "in":
        return {"issue": issue["id"],
                "in": draw(st.lists(st.sampled_from(labels), min_size=1, unique=True))}
    return {"issue": issue["id"], kind: draw(st.sampled_from(STEPS))}


@st.composite
def scenarios(draw, uncertain: bool = False) -> tuple[dict, dict[str, bool]]:
    """A scenario dict and a truth for each of its claims."""
    n_actors = draw(st.integers(2, 4))
    actors = [{"id": f"a{k}", "name": f"A{k}", "capability": draw(st.sampled_from([1, 2, 5])),
               "veto": draw(st.booleans()) if k >= 2 else True,
               "outside_option": draw(st.sampled_from(SHARES))} for k in range(n_actors)]
    issues = []
    for i in range(draw(st.integers(1, 3))):
        values = draw(st.lists(st.sampled_from(STEPS), min_size=2, max_size=4, unique=True))
        issues.append({"id": f"i{i}", "name": f"I{i}",
                       "options": [{"label": LABELS[j], "value": v}
                                   for j, v in enumerate(sorted(values))]})
    positions = {a["id"]: {i["id"]: {"position": draw(st.sampled_from(STEPS)),
                                     "salience": draw(st.sampled_from([0.25, 0.5, 1.0]))}
                           for i in issues} for a in actors}
    claims = [{"id": f"c{k}", "text": "t", "probability": 0.5,
               "if_true": [{"actor": draw(st.sampled_from(actors))["id"],
                            "outside_option": draw(st.sampled_from(SHARES))}]}
              for k in range(draw(st.integers(0, 2)))]
    truths = {c["id"]: draw(st.booleans()) for c in claims}

    def gate(rule: dict) -> dict:
        if claims and draw(st.booleans()):
            rule[draw(st.sampled_from(["claim", "claim_false"]))] = draw(
                st.sampled_from(claims))["id"]
        return rule

    actor_ids = st.sampled_from([a["id"] for a in actors])
    red_lines = [gate({"id": f"r{k}", "actor": draw(actor_ids),
                       draw(st.sampled_from(["never", "require"])): _condition(draw, issues)})
                 for k in range(draw(st.integers(0, 3)))]
    linkages = [gate({"id": f"l{k}", "actor": draw(actor_ids),
                      "gives": _condition(draw, issues), "only_if": _condition(draw, issues)})
                for k in range(draw(st.integers(0, 1)))]
    ratification = []
    for k in range(draw(st.integers(0, 2))):
        rule = {"id": f"q{k}", "actor": draw(actor_ids), "when": _condition(draw, issues)}
        kind = draw(st.sampled_from(["requires", "min_utility", "both"]))
        if kind in ("requires", "both"):
            rule["requires"] = _condition(draw, issues)
        if kind in ("min_utility", "both"):
            rule["min_utility"] = draw(st.sampled_from([0.3, 0.5, 0.7]))
        ratification.append(gate(rule))
    if uncertain:
        actors[0]["outside_option"] = {"uniform": [0, draw(st.sampled_from([0.2, 0.6]))]}
        cell = positions[actors[1]["id"]][issues[0]["id"]]
        cell["position"] = {"triangular": [0, draw(st.sampled_from(STEPS)), 100]}
        cell["salience"] = {"uniform": [0.2, 1]}
        for rule in ratification:
            if "min_utility" in rule:
                rule["min_utility"] = {"normal": {"mean": rule["min_utility"], "sd": 0.2}}
        for rule in red_lines:
            for condition in (rule.get("never"), rule.get("require")):
                for key in ("at_least", "at_most"):
                    if condition is not None and key in condition:
                        condition[key] = {"uniform": [0, condition[key]]}
    data = {"actors": actors, "issues": issues, "positions": positions, "claims": claims,
            "red_lines": red_lines, "linkages": linkages, "ratification": ratification}
    return data, truths


def _acceptable(domain) -> np.ndarray:
    """Every package's acceptability, by the engine's rules."""
    options = decode(np.arange(domain.n_packages), domain.radices)
    utilities = evaluate(domain, options)
    return ~violations(domain, options, utilities)[:, binding_columns(domain)].any(axis=1)


def _sweep_pick(domain, solution) -> int:
    """The sweep's documented pick among ``analyze``'s ties: the largest rounded sum of the
    veto actors' utilities, then the lowest package number."""
    assert solution.listed_all
    sums = rounded(solution.utilities[:, domain.party_mask].sum(axis=1))
    return int(solution.indices[np.flatnonzero(sums >= sums.max() - 5e-13)[0]])


def _veto_sums(domain, indices: np.ndarray) -> np.ndarray:
    utilities = evaluate(domain, decode(indices, domain.radices))
    return rounded(sum(utilities[:, c] for c in np.flatnonzero(domain.party_mask)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_without_uncertainty_a_sweep_is_the_analysis_in_every_draw(case):
    data, truths = case
    scenario = build_scenario(data, name="random.yaml")
    analysis = analyze(to_domain(scenario, truths))
    result = sweep(scenario, draws=5, seed=1, assume=truths)
    found = analysis.acceptable_count > 0
    assert result.p_agreement == (1.0 if found else 0.0)
    for name, picks in (("nash", result.nash), ("kalai_smorodinsky", result.ks)):
        solution = analysis.solutions[name]
        if not found:
            assert (picks == -1).all()
            continue
        assert set(picks.tolist()) <= set(solution.indices.tolist()), name
        assert (picks == _sweep_pick(analysis.domain, solution)).all(), name


@st.composite
def uncertain_scenarios(draw):
    return draw(scenarios(uncertain=True))


def _at_the_point_values(plan, seed, chunks, progress=None):
    """An executor whose draws give every uncertain input its point value (the mean of what a
    sweep draws from): the compiler uses the point value of inputs that were not drawn."""
    return in_process(dataclasses.replace(plan, inputs=()), seed, chunks, progress)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(uncertain_scenarios())
def test_one_draw_at_the_means_equals_the_analysis_field_by_field(case):
    data, truths = case
    scenario = build_scenario(data, name="random.yaml")
    domain = to_domain(scenario, truths)
    analysis = analyze(domain)
    result = sweep(scenario, draws=1, seed=0, assume=truths, executor=_at_the_point_values)

    # Agreement and the acceptable set.
    acceptable = _acceptable(domain)
    assert acceptable.sum() == analysis.acceptable_count
    assert bool(result.agreement[0]) == (analysis.acceptable_count > 0)
    np.testing.assert_array_equal(result.acceptable == 1, acceptable)

    # Each binding rule: the share of packages it rejects, whether it alone rejects some,
    # whether it blocks every deal.
    # Rules switched off in this claim branch are not compiled into the domain; in the sweep
    # they are columns that reject nothing.
    rows = {row["id"]: row for row in result.blocking}
    blockers = {b.id: b for b in analysis.blockers}
    assert set(blockers) <= set(rows)
    for rule_id, row in rows.items():
        blocker = blockers.get(rule_id)
        rejects, sole = (blocker.rejects, blocker.sole) if blocker else (0, 0)
        assert row["rejects"] == rejects / domain.n_packages, rule_id
        assert row["frees_packages"] == float(sole > 0), rule_id
        assert row["blocks"] == float(sole > 0 and analysis.acceptable_count == 0), rule_id
        if blocker:
            assert (row["kind"], row["actor"]) == (blocker.kind, blocker.actor)

    # Nash and Kalai-Smorodinsky: the sweep's pick among analyze's ties.
    for name, picks in (("nash", result.nash), ("kalai_smorodinsky", result.ks)):
        solution = analysis.solutions[name]
        if analysis.acceptable_count == 0:
            assert picks[0] == -1 and solution.count == 0
            continue
        assert picks[0] in solution.indices, name
        assert picks[0] == _sweep_pick(domain, solution), name
        assert _veto_sums(domain, picks[:1])[0] == _veto_sums(domain, solution.indices).max()
