"""The scenario's ``proposals`` section: checked references, one located line per mistake."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from redline.errors import ScenarioError
from redline.scenario.load import parse_scenario
from redline.scenario.model import Scenario

BASE = """\
scenario: {id: tiny}
sources:
  - {id: paper, name: A paper}
actors:
  - {id: a, name: A, capability: 1}
  - {id: b, name: B, capability: 2}
issues:
  - id: land
    name: Land
    options:
      - {label: none, value: 0}
      - {label: all, value: 100}
  - id: money
    name: Money
    scale: {step: 50}
positions:
  a: {land: {position: 100, salience: 1}, money: {position: 0, salience: 1}}
  b: {land: {position: 0, salience: 1}, money: {position: 100, salience: 1}}
proposals:
"""


def parsed(proposals: str) -> Scenario:
    return parse_scenario((BASE + proposals).encode(), "p.yaml")


def error(proposals: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parsed(proposals)
    text = str(info.value)
    assert "\n" not in text
    return text


def test_a_partial_proposal_loads():
    scenario = parsed('  - {id: t1, title: T, date: "2026-11-30", tabled_by: paper,'
                      ' sources: [paper], package: {land: all}}\n')
    (proposal,) = scenario.proposals
    assert (proposal.id, proposal.date, proposal.tabled_by) == ("t1", "2026-11-30", "paper")
    assert dict(proposal.package) == {"land": "all"}
    assert parsed("  - {id: t1, title: T, tabled_by: b, package: {money: '50'}}\n")
    # An unquoted date (YAML reads it as a date) is kept as its ISO text.
    assert parsed("  - {id: t1, title: T, date: 2026-11-30, package: {land: all}}\n"
                  ).proposals[0].date == "2026-11-30"


@pytest.mark.parametrize("entry, words", [
    ("{id: t, title: T, package: {sea: all}}", ["proposals[0].package.sea", "unknown issue 'sea'",
                                               "land, money"]),
    ("{id: t, title: T, package: {land: half}}", ["proposals[0].package.land",
                                                  "no option 'half'", "none, all"]),
    ("{id: t, title: T, package: {money: '25'}}", ["no option '25'", "0, 50, 100"]),
    ("{id: t, title: T, tabled_by: c, package: {land: all}}", ["proposals[0].tabled_by",
                                                              "unknown actor or source 'c'"]),
    ("{id: t, title: T, sources: [x], package: {land: all}}", ["proposals[0].sources[0]",
                                                              "unknown source 'x'"]),
    ("{id: t, title: T, date: 30/11/2026, package: {land: all}}", ["ISO date"]),
    # YAML itself reads an unquoted date: an impossible one is one located line, too.
    ("{id: t, title: T, date: 2026-02-30, package: {land: all}}", ["p.yaml:20",
                                                                  "not a valid date"]),
    ("{id: t, title: T, date: 7, package: {land: all}}", ["proposals[0].date"]),
    ("{id: t, title: T, package: {}}", ["proposals[0].package"]),
    ("{id: t, package: {land: all}}", ["title"]),
])
def test_bad_proposals_get_one_located_line(entry, words):
    text = error(f"  - {entry}\n")
    for word in words:
        assert word in text


def test_proposal_ids_are_unique():
    text = error("  - {id: t, title: T, package: {land: all}}\n"
                 "  - {id: t, title: U, package: {land: none}}\n")
    assert "duplicate proposal id 't'" in text


def test_schema_has_proposals():
    out = subprocess.run([sys.executable, "-m", "redline", "schema"], capture_output=True,
                         text=True, check=True).stdout
    schema = json.loads(out)
    assert "proposals" in schema["properties"]
    assert set(schema["$defs"]["Proposal"]["required"]) == {"id", "title", "package"}
