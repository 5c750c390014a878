"""The tutorial's simulated continuation of the Donbas talks prints the numbers it quotes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from redline.cli import app

ROOT = Path(__file__).resolve().parents[2]
TEXT = " ".join((ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8").split())
DONBAS = str(ROOT / "examples" / "donbas-2026.yaml")
runner = CliRunner()


def run(*args: str) -> dict:
    result = runner.invoke(app, ["simulate", DONBAS, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_alternating_offers_numbers():
    one = run("-s", "russia=boulware", "-s", "ukraine=conceder")
    assert one["agreements"][0]["package"] == {
        "donbas": "demilitarised-zone", "guarantees": "european-force",
        "weapons": "caps-and-embargo", "zaporizhzhia": "us-operated", "referendum": "held"}
    assert f"agree at step **{one['steps_taken']['max']}**" in TEXT
    u = one["agreements"][0]["utilities"]
    assert f"worth **{u['russia']:.2f}** to Russia and **{u['ukraine']:.2f}** to Ukraine" in TEXT
    swapped = run("-s", "russia=conceder", "-s", "ukraine=boulware")
    assert f"Ukraine gets {swapped['agreements'][0]['utilities']['ukraine']:.2f}" in TEXT
    many = run("-s", "russia=boulware", "-s", "ukraine=conceder", "--draws", "1000")
    low, high = many["interval"]
    assert (f"P(agreement by the deadline) is **{100 * many['p_agreement']:.0f} %** "
            f"({100 * low:.0f}-{100 * high:.0f} %)") in TEXT
    top = many["blockers"][0]
    assert top["id"] == "ua-no-land-without-referendum"
    assert f"**{100 * top['share']:.0f} %** of the draws" in TEXT


def test_mediated_numbers():
    plain = run("-p", "single-text", "-s", "russia=boulware", "-s", "ukraine=conceder",
                "--mediator", "us", "--draws", "1000")
    leaning = run("-p", "single-text", "-s", "russia=boulware", "-s", "ukraine=conceder",
                  "--mediator", "us", "--bias", "russia=3", "--draws", "1000")
    assert f"finds a deal in **{100 * plain['p_agreement']:.0f} %**" in TEXT
    ru = [d["utilities"]["russia"]["mean_when_agreed"] for d in (leaning, plain)]
    ua = [d["utilities"]["ukraine"]["mean_when_agreed"] for d in (leaning, plain)]
    assert (f"gives Russia **{ru[0]:.3f}** on average when they agree (**{ru[1]:.3f}** with the "
            f"plain US mediator) and Ukraine **{ua[0]:.3f}** (**{ua[1]:.3f}**)") in TEXT
    assert ru[0] > ru[1] and ua[0] < ua[1]
