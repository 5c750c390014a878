"""`redline simulate`: JSON is the pipeline run, on scenario files and Genius folders; bad input
is one line with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline import pipeline
from redline.cli import app

ROOT = Path(__file__).resolve().parents[2]
DONBAS = str(ROOT / "examples" / "donbas-2026.yaml")
CAMERA = str(ROOT / "tests" / "data" / "genius" / "anac_y2012_CameraC")
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["simulate", *args])


def test_json_is_the_pipeline_run():
    result = run(DONBAS, "-s", "russia=boulware", "-s", "ukraine=conceder", "--draws", "50",
                 "--seed", "4", "--json")
    assert result.exit_code == 0, result.output
    expected = pipeline.run_simulate(pipeline.load(DONBAS), [("russia", "boulware"),
                                                             ("ukraine", "conceder")],
                                     draws=50, seed=4).to_dict()
    data = json.loads(result.stdout)
    assert data == json.loads(json.dumps(expected))
    assert data["negotiations"] == 50
    low, high = data["interval"]
    assert low <= data["p_agreement"] <= high
    assert sum(data["reasons"].values()) == 50
    assert data["reasons"].get("agreement", 0) == round(50 * data["p_agreement"])
    for row in data["agreements"]:  # packages are {issue: option}
        assert set(row["package"]) == {"donbas", "guarantees", "weapons", "zaporizhzhia",
                                       "referendum"}
    assert [a["id"] for a in data["agents"]] == ["russia", "ukraine"]


def test_a_trace_of_the_first_negotiation_alternates_between_the_parties():
    data = json.loads(run(DONBAS, "-s", "russia=boulware", "-s", "ukraine=conceder",
                          "--steps", "20", "--json").stdout)
    offers = data["trace"]["offers"]
    assert [o["by"] for o in offers[:4]] == ["russia", "ukraine", "russia", "ukraine"]
    assert all(set(o["utilities"]) == {"russia", "ukraine"} for o in offers)


def test_genius_folders_and_the_terminal_view():
    result = run(CAMERA, "-s", "prof1=linear", "-s", "prof2=conceder", "--steps", "100")
    assert result.exit_code == 0, result.output
    assert "P(agreement by the deadline) = 100.0%" in result.output
    data = json.loads(run(CAMERA, "-s", "prof1=linear", "-s", "prof2=conceder", "--json"
                          ).stdout)
    assert data["steps_taken"]["max"] == 12  # NegMAS 0.16 agrees at step 12 too


def test_single_text_with_a_biased_mediator():
    result = run(DONBAS, "-p", "single-text", "-s", "russia=boulware", "-s",
                 "ukraine=conceder", "--mediator", "us", "--bias", "russia=0.5", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["mediator"] == "us"
    assert data["protocol"] == "single-text"


@pytest.mark.parametrize(("args", "message"), [
    (["-s", "russia=boulware"], "give a strategy for at least two negotiating actors"),
    (["-s", "russia=boulware", "-s", "kremlin=conceder"], "unknown actor 'kremlin'"),
    (["-s", "russia=boulware", "-s", "ukraine=softie"], "unknown strategy 'softie'"),
    (["-s", "russia=boulware", "-s", "ukraine:conceder"], "is not ACTOR=VALUE"),
    (["-s", "russia=boulware", "-s", "ukraine=conceder", "-p", "auction"],
     "unknown protocol 'auction'"),
    (["-s", "russia=boulware", "-s", "ukraine=conceder", "-s", "us=linear"],
     "alternating offers (sao) is for two parties"),
    (["-s", "russia=boulware", "-s", "ukraine=conceder", "--mediator", "us"],
     "applies to the single-text protocol only"),
    (["-s", "russia=boulware", "-s", "ukraine=conceder", "--steps", "0"], "--steps"),
    (["-s", "russia=boulware", "-s", "ukraine=conceder", "--breakdown", "1.5"],
     "--breakdown"),
    (["-s", "russia=boulware", "-s", "ukraine=conceder", "-p", "single-text", "--bias",
      "us=2"], "'us' is not a negotiating party"),
    (["-s", "russia=boulware", "-s", "ukraine=conceder", "--draws", "100000000"],
     "--draws"),
])
def test_bad_input_is_one_line(args, message):
    result = run(DONBAS, *args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_draws_on_a_genius_folder_are_refused():
    result = run(CAMERA, "-s", "prof1=linear", "-s", "prof2=conceder", "--draws", "5")
    assert result.exit_code == 2
    assert "a Genius domain has no uncertain inputs" in result.output
