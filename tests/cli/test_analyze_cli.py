"""`redline analyze`, `schema`, `check`, `export genius` and `divide`, end to end."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.io.genius import read_genius_folder
from redline.pipeline import load

runner = CliRunner()


def run_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_donbas_json_has_the_promised_fields(examples: Path):
    data = run_json("analyze", str(examples / "donbas-2026.yaml"))
    for key in ("pareto", "solutions", "acceptable_count", "blocking", "timings"):
        assert key in data
    assert set(data["solutions"]) == {"nash", "kalai_smorodinsky", "utilitarian", "egalitarian"}
    assert set(data["timings"]) == {"load", "build", "frontier", "solutions"}
    assert data["packages"] == 4 * 4 * 4 * 4 * 2
    assert data["acceptable_count"] > 0
    entry = data["solutions"]["nash"][0]
    assert set(entry["package"]) == {"donbas", "guarantees", "weapons", "zaporizhzhia",
                                     "referendum"}
    assert set(entry["utilities"]) == {"ukraine", "russia", "us", "europe"}
    # Zelensky's red line holds in the default branch: any cession comes with a referendum.
    for sol in data["solutions"].values():
        for item in sol:
            if item["package"]["donbas"] in ("demilitarised-zone", "cede-entire-donbas"):
                assert item["package"]["referendum"] == "held"
    assert all(0 <= u <= 1 for e in data["pareto"] for u in e["utilities"].values())
    assert {b["id"] for b in data["blocking"]} >= {"ua-needs-guarantees",
                                                   "ru-no-nato-style-guarantee"}


def test_the_ft_claim_changes_the_deal(examples: Path):
    path = str(examples / "donbas-2026.yaml")
    base = run_json("analyze", path, "--assume", "ft-guarantees-for-donbas=false")
    ft = run_json("analyze", path, "--assume", "ft-guarantees-for-donbas=true")
    assert ft["claims"]["ft-guarantees-for-donbas"] is True
    assert ft["acceptable_count"] < base["acceptable_count"]
    # If the report is true, every acceptable deal with guarantees cedes the entire Donbas.
    for item in ft["solutions"]["nash"]:
        assert item["package"]["donbas"] == "cede-entire-donbas"
    assert any(b["id"] == "us-guarantees-only-for-donbas" for b in ft["blocking"])
    branches = {row["claim"]: row for row in base["claim_branches"]}
    assert branches["ft-guarantees-for-donbas"]["acceptable_if_true"] == ft["acceptable_count"]


def test_terminal_summary_names_the_solutions_and_blockers(examples: Path):
    result = runner.invoke(app, ["analyze", str(examples / "donbas-2026.yaml")])
    assert result.exit_code == 0, result.output
    for words in ("Nash", "Kalai-Smorodinsky", "Pareto frontier", "What blocks a deal",
                  "acceptable to every actor"):
        assert words in result.stdout


def test_unknown_claim_in_assume_is_a_clear_error(examples: Path):
    result = runner.invoke(app, ["analyze", str(examples / "donbas-2026.yaml"), "--assume",
                                 "no-such-claim=true"])
    assert result.exit_code == 2
    assert "unknown claim 'no-such-claim'" in result.stderr
    result = runner.invoke(app, ["analyze", str(examples / "donbas-2026.yaml"), "--assume",
                                 "ft-guarantees-for-donbas=maybe"])
    assert result.exit_code == 2 and "CLAIM=true" in result.stderr


def test_space_too_large_is_refused_with_a_hint(tmp_path: Path, examples: Path):
    text = (examples / "camp-david-1978.yaml").read_text().replace("step: 25", "step: 0.01")
    path = tmp_path / "huge.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["analyze", str(path), "--max-packages", "10000"])
    assert result.exit_code == 2
    assert "huge.yaml" in result.stderr and "coarsen the step of issue 'sinai'" in result.stderr


def test_genius_folder_analysis(reference_data: Path):
    folder = reference_data / "genius" / "anac_y2012_LaptopA"
    data = run_json("analyze", str(folder))
    reference = json.loads((folder / "reference.json").read_text())
    assert data["packages"] == reference["n_outcomes"]
    assert data["pareto_count"] == reference["pareto_size"]
    assert data["solution_values"]["nash"] == pytest.approx(reference["nash"]["value"])


def test_unsupported_genius_profile_is_one_line(reference_data: Path):
    result = runner.invoke(app, ["analyze", str(reference_data / "genius" /
                                                "unsupported_anac_y2014_10issues")])
    assert result.exit_code == 2
    assert "unsupported profile type" in result.stderr


def test_export_genius_round_trips_utilities(tmp_path: Path, examples: Path):
    source = examples / "donbas-2026.yaml"
    out = tmp_path / "genius"
    result = runner.invoke(app, ["export", "genius", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    back = read_genius_folder(out)
    original = load(source).domain
    order = [back.actors.index(a) for a in original.actors]
    for table_a, table_b in zip(original.tables, back.tables, strict=True):
        assert np.allclose(table_a, table_b[:, order])
    # Genius has no roles: an actor without a veto is written with reservation 0.
    expected = np.where(original.party_mask, original.disagreement, 0.0)
    assert np.allclose(back.disagreement[order], expected)


def test_schema_is_json_schema():
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "Redline scenario"
    assert {"actors", "issues", "positions", "red_lines", "claims"} <= set(schema["properties"])


def test_check_command(examples: Path):
    result = runner.invoke(app, ["check", str(examples / "camp-david-1978.yaml")])
    assert result.exit_code == 0 and result.stdout.startswith("ok:")


def test_divide_command(examples: Path):
    data = run_json("divide", str(examples / "divorce-points.yaml"))
    assert data["totals"] == {"Carol": "170/3", "Bob": "170/3"}
    assert data["allocation"]["retirement account"] == {"Carol": "5/6", "Bob": "1/6"}


def test_module_entry_point_runs():
    run = subprocess.run([sys.executable, "-m", "redline", "--help"], capture_output=True,
                         text=True)
    assert run.returncode == 0 and "analyze" in run.stdout
