"""`redline evaluate`: a proposal or a package, as JSON and as tables; bad input is one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline import pipeline
from redline.cli import app

ROOT = Path(__file__).resolve().parents[2]
CEASEFIRE = str(ROOT / "tests" / "data" / "proposals" / "ceasefire.yaml")
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["evaluate", *args])


def test_json_is_the_pipeline_run():
    result = run(CEASEFIRE, "leak", "--draws", "100", "--seed", "3", "--json")
    assert result.exit_code == 0, result.output
    expected = pipeline.run_evaluate(pipeline.load(CEASEFIRE), "leak", draws=100,
                                     seed=3).to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected))


def test_a_package_on_the_command_line_equals_the_same_proposal():
    by_id = json.loads(run(CEASEFIRE, "first-draft", "--draws", "0", "--json").stdout)
    by_package = json.loads(run(CEASEFIRE, "--package", "line=current,monitors=armed",
                                "--package", "sanctions=lifted", "--draws", "0",
                                "--json").stdout)
    assert by_package["proposal"] is None and by_id["proposal"]["id"] == "first-draft"
    assert by_package["completions"] == by_id["completions"]
    assert by_package["what_it_takes"] == by_id["what_it_takes"]
    assert by_id["uncertainty"] is None


def test_tables_name_the_rules_and_the_changes():
    result = run(CEASEFIRE, "prewar-offer", "--draws", "50")
    assert result.exit_code == 0, result.output
    for words in ("north-no-prewar", "What would it take: 1 change(s)", "P(accepts) [95%]",
                  "line: prewar ->"):
        assert words in result.stdout


def test_assume_fixes_a_claim_branch():
    data = json.loads(run(CEASEFIRE, "--package", "line=halfway,monitors=armed,sanctions=lifted",
                          "--assume", "deal-leaked=false", "--draws", "0", "--json").stdout)
    assert data["completions"][0]["blocking"] == ["north-armed"]


@pytest.mark.parametrize("args, words", [
    ([CEASEFIRE], "give exactly one of PROPOSAL_ID or --package"),
    ([CEASEFIRE, "leak", "--package", "line=current"], "exactly one"),
    ([CEASEFIRE, "nope"], "unknown proposal 'nope' (hint: proposals: first-draft, "
                          "prewar-offer, leak)"),
    ([CEASEFIRE, "--package", "line"], "--package: expected ISSUE=OPTION (got 'line')"),
    ([CEASEFIRE, "--package", "line=current,line=prewar"], "issue 'line' is given twice"),
    ([CEASEFIRE, "--package", "sea=calm"], "unknown issue 'sea' (hint: issues: line, "
                                           "monitors, sanctions)"),
    ([CEASEFIRE, "--package", "line=far"], "package.line: issue 'line' has no option 'far' "
                                           "(hint: options: current, halfway, prewar)"),
    ([CEASEFIRE, "leak", "--draws", "-1"], "--draws: must be between 0"),
    ([CEASEFIRE, "leak", "--seed", "-2"], "--seed: must be between 0"),
    ([CEASEFIRE, "leak", "--list-limit", "0"], "--list-limit: must be between 1"),
    ([CEASEFIRE, "leak", "--assume", "nope=true"], "nope"),
    (["missing.yaml", "leak"], "missing.yaml"),
])
def test_bad_input_is_one_line(args, words):
    result = subprocess.run([sys.executable, "-m", "redline", "evaluate", *args],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert words in lines[0]
    assert "Traceback" not in result.stderr


def test_example_runs_with_a_package():
    result = run("--example", "camp-david-1978", "--package", "sinai=100", "--draws", "0",
                 "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["open_issues"] == ["demilitarisation", "normalisation"]
    assert len(data["completions"]) == 6


def test_example_takes_the_proposal_as_its_one_argument():
    result = run("--example", "camp-david-1978", "no-such-proposal", "--draws", "0")
    assert result.exit_code == 2
    assert "unknown proposal 'no-such-proposal'" in result.output
    assert "the scenario has no proposals" in result.output
