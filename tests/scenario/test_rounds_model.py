"""The scenario's ``rounds``: dated events, their kinds and their cross-references, each bad
one refused with one located line."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.errors import RedlineError
from redline.scenario.load import parse_scenario

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "tests" / "data" / "rounds" / "ceasefire-rounds.yaml").read_text()


def test_the_fixture_reads_with_both_kinds_and_unquoted_dates():
    scenario = parse_scenario(TEXT)
    first, second, third = scenario.rounds
    assert first.date == "2026-11-21" and first.proposal == "leak"
    assert second.package == {"line": "halfway", "monitors": "armed", "sanctions": "lifted"}
    assert third.illustrative and third.actor == "north" and third.rejects is not None


@pytest.mark.parametrize(("old", "new", "message"), [
    ("proposal: leak", "proposal: nope", r"rounds\[0\].proposal: unknown proposal 'nope'"),
    ("responses: {south: accepted}", "responses: {nobody: accepted}",
     r"rounds\[0\].responses.nobody: unknown actor 'nobody'"),
    ("responses: {south: accepted}", "responses: {south: maybe}", r"rounds\[0\].responses"),
    ("rejects: {line: halfway, sanctions: kept}", "rejects: {line: far}",
     r"rounds\[2\].rejects.line: issue 'line' has no option 'far'"),
    ("sources: [wire]\n    proposal: leak", "sources: [nowhere]\n    proposal: leak",
     r"rounds\[0\].sources\[0\]: unknown source 'nowhere'"),
    ("    illustrative: true\n", "", r"rounds\[2\]: a reported round needs its 'sources'"),
    ('date: "2026-11-23"', 'date: "2026-11-31"', r"rounds\[1\].date: date must be an ISO date"),
    ("tremble: 0.1", "tremble: 0.6", r"rounds\[1\].tremble"),
    ("    actor: north\n    rejects", "    rejects", r"rounds\[2\]: .*stated position needs both"),
    ("    proposal: leak\n", "    proposal: leak\n    actor: north\n",
     r"rounds\[0\]: .*either responses to a text"),
    ("    proposal: leak\n", "    proposal: leak\n    package: {line: current}\n",
     r"rounds\[0\]: .*exactly one of 'proposal' or 'package'"),
    ("id: armed-accepted", "id: leak-answered", r"duplicate round id 'leak-answered'"),
])
def test_a_bad_round_is_one_located_line(old, new, message):
    assert old in TEXT
    with pytest.raises(RedlineError, match=message) as error:
        parse_scenario(TEXT.replace(old, new, 1), name="talks.yaml")
    assert "\n" not in str(error.value)
    assert str(error.value).startswith("talks.yaml:")
