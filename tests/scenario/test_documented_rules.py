"""The rules docs/concepts.md ("Rules the engine follows") writes down, one test each."""

import numpy as np
import pytest

from redline.scenario.compile import THRESHOLD_SLACK, to_domain
from redline.scenario.load import parse_scenario
from redline.scenario.model import Issue
from redline.space.engine import analysis_to_dict, analyze

TWO = """\
claims:
  - {id: first, text: F, assumed: true, if_true: [{actor: a, issue: x, position: 20}]}
  - {id: second, text: S, assumed: true, if_true: [{actor: a, issue: x, position: 60},
                                                   {actor: a, issue: x, position: 80}]}
actors:
  - {id: a, name: A, capability: 1, outside_option: OUT_A}
  - {id: b, name: B, capability: 1}
  - {id: s, name: S, role: stakeholder, capability: 1}
issues:
  - {id: x, name: X, scale: {step: 25}}
positions:
  a: {x: {position: 100, private: 90, salience: 1}}
  b: {x: {position: 0, salience: 1}}
  s: {x: {position: 50, salience: 1}}
RULES
"""


def scenario(rules="", out_a="0", claims=True):
    text = TWO.replace("RULES", rules).replace("OUT_A", out_a)
    if not claims:
        text = text.replace("assumed: true", "assumed: false")
    return parse_scenario(text, "rules.yaml")


def values(scale):
    return [v for _, v in Issue(id="i", name="I", scale=scale).option_values()]


def test_a_step_that_does_not_divide_the_scale_ends_on_high():
    assert values({"step": 25}) == [0, 25, 50, 75, 100]
    assert values({"step": 30}) == [0, 30, 60, 90, 100]  # a shorter last step
    assert values({"step": 28}) == [0, 28, 56, 84, 100]
    assert values({"step": 40, "low": 10, "high": 95}) == [10, 50, 90, 95]
    # high too close to the last grid point to print differently replaces it
    assert values({"step": 25, "high": 75.0000025}) == [0, 25, 50, 75.0000025]
    assert values({"step": 100 / 3})[-1] == 100.0
    labels = [lab for lab, _ in Issue(id="i", name="I", scale={"step": 0.1}).option_values()]
    assert len(labels) == len(set(labels)) == 1001


def test_overrides_apply_in_file_order_and_replace_the_private_position():
    # Both claims are true: the second claim's last override wins over the first's.
    domain = to_domain(scenario())
    a = domain.tables[0][:, 0]
    assert a.argmax() == 3  # ideal 80: option 75 is best, not 90 (private) or 20 (first)
    domain = to_domain(scenario(), {"second": False})
    assert domain.tables[0][:, 0].argmax() == 1  # only the first: ideal 20
    domain = to_domain(scenario(claims=False))
    assert domain.tables[0][:, 0].argmax() == 4  # no override: the private 90


def test_hard_false_is_a_label_the_red_line_binds_all_the_same():
    rule = "red_lines:\n  - {id: r, actor: a, never: {issue: x, at_most: 25}, hard: HARD}\n"
    hard = analysis_to_dict(analyze(to_domain(scenario(rule.replace("HARD", "true")))))
    soft = analysis_to_dict(analyze(to_domain(scenario(rule.replace("HARD", "false")))))
    hard.pop("timings"), soft.pop("timings")
    assert hard == soft and hard["acceptable_count"] == 3


@pytest.mark.parametrize("threshold, acceptable", [
    (50, 3), (50 + THRESHOLD_SLACK / 2, 3), (50 + 1e-6, 2), (75 - THRESHOLD_SLACK / 2, 2)])
def test_thresholds_hold_within_the_slack(threshold, acceptable):
    rule = f"red_lines:\n  - {{id: r, actor: b, require: {{issue: x, at_least: {threshold!r}}}}}\n"
    assert analyze(to_domain(scenario(rule))).acceptable_count == acceptable


def test_a_package_worth_exactly_the_outside_option_is_acceptable():
    # With ideal 80 (the second claim) A values option 100 at (80 - 20) / (80 - 5) = 0.8.
    domain = to_domain(scenario(out_a="0.8"))
    assert domain.tables[0][4, 0] == 0.8
    assert analyze(domain).acceptable_count == 2  # 75 and 100
    assert analyze(to_domain(scenario(out_a="0.8000001"))).acceptable_count == 1


def test_solutions_and_the_frontier_count_veto_actors_only():
    result = analyze(to_domain(scenario()))
    # A (ideal 80) and B (ideal 0) alone decide; the stakeholder's ideal 50 plays no part.
    nash = result.solutions["nash"]
    u = nash.utilities[0]
    brute = max(range(5), key=lambda p: result.domain.tables[0][p, 0] * result.domain.tables[0][
        p, 1])
    assert nash.indices.tolist() == [brute]
    assert u[2] == result.domain.tables[0][brute, 2]
    stake = parse_scenario(TWO.replace("RULES", "").replace("OUT_A", "0").replace(
        "s: {x: {position: 50", "s: {x: {position: 100"), "rules.yaml")
    assert analyze(to_domain(stake)).solutions["nash"].indices.tolist() == [brute]
    tables = result.domain.tables[0]
    undominated = [p for p in range(5) if not any(
        (tables[q, :2] >= tables[p, :2]).all() and (tables[q, :2] > tables[p, :2]).any()
        for q in range(5))]
    assert result.pareto_indices.tolist() == undominated == [0, 1, 2, 3]


def test_an_ideal_equidistant_from_every_option_values_each_at_1():
    text = TWO.replace("RULES", "").replace("OUT_A", "0").replace(
        "{id: x, name: X, scale: {step: 25}}",
        "{id: x, name: X, options: [{label: lo, value: 0}, {label: hi, value: 100}]}")
    domain = to_domain(parse_scenario(text, "mid.yaml"))
    assert np.array_equal(domain.tables[0][:, 2], [1.0, 1.0])  # the stakeholder at 50


def test_an_actor_who_gains_nothing_counts_1_in_kalai_smorodinsky_and_ties_nash():
    # B values every option at 0.5, its outside option: over the acceptable packages its ideal
    # equals its outside option (0/0), so its ratio counts as 1 and KS is A's best package;
    # every Nash product is 0, so every acceptable package ties, and the one no other dominates
    # (A's best) is the solution.
    text = TWO.replace("RULES", "").replace("OUT_A", "0").replace(
        "{id: b, name: B, capability: 1}", "{id: b, name: B, capability: 1, outside_option: 0.5}")
    text = text.replace("b: {x: {position: 0, salience: 1}}", "b: {x: {position: 0, salience: 1, "
                        "values: {'0': 0.5, '25': 0.5, '50': 0.5, '75': 0.5, '100': 0.5}}}")
    result = analyze(to_domain(parse_scenario(text, "ks.yaml")))
    assert result.acceptable_count == 5
    ks = result.solutions["kalai_smorodinsky"]
    assert ks.indices.tolist() == [3] and ks.value == 1.0
    nash = result.solutions["nash"]
    assert nash.value == 0.0 and nash.indices.tolist() == [3] and nash.count == 1
