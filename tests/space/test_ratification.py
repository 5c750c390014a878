"""Ratification binds whoever holds it: voters do not sit at the table, but they can reject the
text. Red lines and linkages of actors without a veto stay objections (advisory)."""

import numpy as np
import pytest

from redline.errors import ScenarioError
from redline.scenario.compile import to_domain
from redline.scenario.load import parse_scenario
from redline.space.engine import analysis_to_dict, analyze
from redline.uncertainty.sweep import sweep

# The government and the rebels can only agree on x = 50 (each needs utility 0.5). The voters
# (a stakeholder: no veto) value x = 50 at 0.5; the referendum needs 0.6, so it sinks the deal.
REFERENDUM = """\
actors:
  - {id: gov, name: Government, capability: 1, outside_option: 0.5}
  - {id: reb, name: Rebels, capability: 1, outside_option: 0.5}
  - {id: voters, name: Voters, role: stakeholder, capability: 1}
issues:
  - {id: x, name: Autonomy, scale: {step: 25}}
positions:
  gov: {x: {position: 0, salience: 1}}
  reb: {x: {position: 100, salience: 1}}
  voters: {x: {position: 100, salience: 1}}
red_lines:
  - {id: voters-dislike-low, actor: voters, never: {issue: x, at_most: 25}}
ratification:
  - id: referendum
    actor: voters
    when: {issue: x, at_least: 0}
    min_utility: MIN_UTILITY
"""


def scenario(min_utility="0.6", text=REFERENDUM):
    return parse_scenario(text.replace("MIN_UTILITY", min_utility), "referendum.yaml")


def brute_force_acceptable(domain):
    """Packages acceptable by the rule: every veto actor's outside option and rules, and every
    ratification step (checked one package at a time)."""
    veto = domain.party_mask
    out = []
    for p in range(domain.n_packages):
        options = np.array([[p]])
        u = domain.tables[0][p]
        ok = all(u[a] >= domain.disagreement[a] for a in np.flatnonzero(veto))
        for c in domain.constraints:
            if veto[c.actor] or c.kind == "ratification":
                ok &= not bool(c.violations(options, u[None, :])[0])
        out.append(ok)
    return np.flatnonzero(out).tolist()


def test_a_referendum_rejects_the_only_otherwise_acceptable_package():
    without = analyze(to_domain(scenario(text=REFERENDUM.split("ratification:")[0])))
    assert without.acceptable_count == 1  # x = 50 alone
    domain = to_domain(scenario())
    assert not domain.party_mask[2]
    result = analyze(domain)
    assert brute_force_acceptable(domain) == []
    assert result.acceptable_count == 0
    (blocker,) = [b for b in result.blockers if b.id == "referendum"]
    assert blocker.binding and blocker.sole == 1  # lifting it frees x = 50
    assert [b.id for b in result.advisory] == ["voters-dislike-low"]
    assert "referendum" in result.closest[0].violations
    assert "voters" in result.closest[0].must_move
    data = analysis_to_dict(result)
    assert [row["id"] for row in data["advisory"]] == ["voters-dislike-low"]
    assert "referendum" in [row["id"] for row in data["blocking"]]


def test_a_passing_referendum_leaves_the_deal():
    domain = to_domain(scenario("0.5"))
    assert brute_force_acceptable(domain) == [2]
    assert analyze(domain).acceptable_count == 1


def test_the_sweep_lets_the_referendum_sink_the_deal_too():
    result = sweep(scenario(), draws=50, seed=0)
    assert result.p_agreement == 0.0
    rows = {row["id"]: row for row in result.blocking}
    assert rows["referendum"]["blocks"] == 1.0
    assert "voters-dislike-low" not in rows


def test_an_uncertain_threshold_is_drawn_in_sweeps_and_its_mean_used_in_analyze():
    # min_utility ~ U(0.3, 0.8): the referendum passes x = 50 when the draw is <= 0.5 (P = 0.4);
    # analyze uses the mean, 0.55, and finds no deal.
    uncertain = scenario("{uniform: [0.3, 0.8]}")
    assert analyze(to_domain(uncertain)).acceptable_count == 0
    result = sweep(uncertain, draws=4000, seed=1)
    assert abs(result.p_agreement - 0.4) < 4 * np.sqrt(0.24 / 4000)
    names = [row["input"] for row in result.sensitivity()]
    assert "ratification.referendum.min_utility" in names


def test_a_required_domestic_step_of_an_actor_without_a_veto_binds():
    text = REFERENDUM.replace("    min_utility: MIN_UTILITY\n",
                              "    requires: {issue: x, at_least: 75}\n")
    result = analyze(to_domain(parse_scenario(text, "step.yaml")))
    assert result.acceptable_count == 0


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "{uniform: [0.5, 1.2]}"])
def test_min_utility_stays_on_the_utility_scale(bad):
    with pytest.raises(ScenarioError, match="min_utility must lie in \\[0, 1\\]"):
        scenario(bad)
