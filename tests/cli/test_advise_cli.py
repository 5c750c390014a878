"""`redline advise`: JSON is the pipeline run, the table fits 80 columns, bad input is one
line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from redline import pipeline
from redline.cli import app
from redline.report.advice import render_advice

ROOT = Path(__file__).resolve().parents[2]
CEASEFIRE = str(ROOT / "tests" / "data" / "proposals" / "ceasefire.yaml")
DONBAS = str(ROOT / "examples" / "donbas-2026.yaml")
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["advise", *args])


def test_json_is_the_pipeline_run():
    result = run(CEASEFIRE, "--for", "monitor", "--objective", "probe", "--top", "3",
                 "--draws", "200", "--seed", "5", "--tremble", "0.1", "--json")
    assert result.exit_code == 0, result.output
    expected = pipeline.run_advise(pipeline.load(CEASEFIRE), "monitor", objective="probe",
                                   top=3, draws=200, seed=5, tremble=0.1).to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected))


def test_listed_candidates_on_the_command_line():
    data = json.loads(run(CEASEFIRE, "--for", "north", "--proposal", "leak", "--package",
                          "line=current,monitors=none", "--package", "line=prewar",
                          "--draws", "100", "--json").stdout)
    assert data["candidates"]["count"] == 3
    listed = [r["candidate"] for r in data["ranked"]]
    assert {"proposal": "leak", "package": {"line": "halfway", "monitors": "unarmed"}} in listed
    assert {"proposal": None, "package": {"line": "prewar"}} in listed


@pytest.mark.parametrize("objective", ["accept", "value", "probe"])
def test_the_table_fits_80_columns(objective):
    data = pipeline.run_advise(pipeline.load(DONBAS), "us", objective=objective,
                               draws=300).to_dict()
    console = Console(width=80, record=True, color_system=None)
    render_advice(console, data)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "1. " in text and data["ranked"][0]["reason"].split(";")[0][:30] in \
        " ".join(text.split())
    assert "first 5 of 512 candidates" in text


def test_partial_candidates_say_which_completion():
    result = run(CEASEFIRE, "--for", "monitor", "--proposal", "leak", "--draws", "50")
    assert result.exit_code == 0, result.output
    assert "proposal leak: best of its 2 completions" in " ".join(result.stdout.split())


@pytest.mark.parametrize("args, words", [
    ([CEASEFIRE], "--for: is required"),
    ([CEASEFIRE, "--for", "nobody"], "unknown actor 'nobody' (hint: actors: north, south"),
    ([CEASEFIRE, "--for", "north", "--objective", "win"], "unknown objective 'win'"),
    ([CEASEFIRE, "--for", "north", "--tremble", "0.9"], "--tremble: must lie in [0, 0.5]"),
    ([CEASEFIRE, "--for", "north", "--tremble", "nan"], "--tremble"),
    ([CEASEFIRE, "--for", "north", "--top", "0"], "--top: must be between 1"),
    ([CEASEFIRE, "--for", "north", "--draws", "0"], "--draws: must be between 1"),
    ([CEASEFIRE, "--for", "north", "--proposal", "nope"], "unknown proposal 'nope'"),
    ([CEASEFIRE, "--for", "north", "--package", "sea=calm"], "unknown issue 'sea'"),
    ([CEASEFIRE, "--for", "north", "--package", "line"], "expected ISSUE=OPTION"),
    (["missing.yaml", "--for", "north"], "missing.yaml"),
    ([CEASEFIRE, "--for", "north", "--until", "someday"],
     "error: --until: not an ISO date (YYYY-MM-DD): 'someday'"),
])
def test_bad_input_is_one_line(args, words):
    result = subprocess.run([sys.executable, "-m", "redline", "advise", *args],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert words in lines[0]
    assert "Traceback" not in result.stderr
