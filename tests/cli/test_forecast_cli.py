"""`redline forecast` and `redline validate deu` end to end."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.forecast.validate import validate_deu
from redline.io.deu import read_deu

DATA = Path(__file__).resolve().parents[1] / "data"  # tests/data (see its NOTICE)
CAR = DATA / "bdm" / "eu_car_emissions_1994_actors.csv"
ROUNDS = DATA / "bdm" / "eu_car_emissions_1994_scholz_rounds.csv"
DEU = DATA / "deu3" / "deu3_synthetic.tsv"  # the DEU III layout; nice_voting_weights.csv beside

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def _one_error_line(result) -> str:
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    return lines[0]


def test_forecast_bdm_scholz_json_matches_reference():
    result = _run("forecast", CAR, "--model", "bdm-scholz", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"model", "actors", "dimensions", "turns", "positions", "forecast", "median", "mean",
            "timings", "options"} <= set(data)
    assert data["model"] == "bdm-scholz" and data["turns"] == 10
    assert data["actors"][0] == "Netherlands" and len(data["positions"]) == 11
    assert len(data["positions"][0]) == 10 and len(data["positions"][0][0]) == 1
    with ROUNDS.open() as handle:
        ref = list(csv.DictReader(handle))
    for t, row in enumerate(ref):
        assert data["median"][t][0] == pytest.approx(float(row["median"]), abs=5e-5)
        assert data["mean"][t][0] == pytest.approx(float(row["mean"]), abs=5e-5)
    assert data["forecast"] == [pytest.approx(7.0)]
    assert data["timings"]["model"] > 0


def test_forecast_rounds_option_and_table_output():
    result = _run("forecast", CAR, "-m", "bdm", "--rounds", "3", "--json")
    assert json.loads(result.stdout)["turns"] == 3
    result = _run("forecast", CAR, "--model", "bdm-scholz", "--format", "csv")
    assert result.exit_code == 0
    assert "median and mean per round" in result.stdout and "9.9620" in result.stdout
    result = _run("forecast", CAR, "--model", "compromise")
    assert result.exit_code == 0 and "forecast" in result.stdout


def test_forecast_deu_file_json():
    result = _run("forecast", DEU, "--model", "compromise", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["forecast"]) == len(data["observed"]) == len(data["dimensions"]) == 33
    assert data["observed"].count(None) == 3
    library = validate_deu(read_deu(DEU, DEU.parent / "nice_voting_weights.csv"), "compromise")
    assert data["n"] == library["n"] == 30 and data["mae"] == pytest.approx(library["mae"])


def test_validate_deu_one_model_and_all():
    deu = read_deu(DEU, DEU.parent / "nice_voting_weights.csv")
    result = _run("validate", "deu", DEU, "--model", "compromise", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data == validate_deu(deu, "compromise")
    assert data["ci95"][0] < data["mae"] < data["ci95"][1]
    result = _run("validate", "deu", DEU, "--model", "all", "--json", "--boot", "50")
    assert result.exit_code == 0, result.stderr
    rows = {row["model"]: row for row in json.loads(result.stdout)}
    assert {"compromise", "mean", "median", "nash", "bdm", "bdm-scholz", "best",
            "commission"} <= set(rows)
    for name, row in rows.items():
        assert row == validate_deu(deu, name, n_boot=50), name
    result = _run("validate", "deu", DEU, "--model", "mean")
    mean = validate_deu(deu, "mean")["mae"]
    assert result.exit_code == 0 and f"{mean:.2f}" in result.stdout


def test_validate_deu_on_the_public_file(originals):
    public = originals / "deu3" / "deu3_public.tsv"
    result = _run("forecast", public, "--model", "compromise", "--json")
    data = json.loads(result.stdout)
    assert len(data["forecast"]) == 237 and data["observed"].count(None) == 8
    assert data["n"] == 229 and round(data["mae"], 2) == 23.89
    result = _run("validate", "deu", public, "--model", "all", "--json", "--boot", "50")
    assert result.exit_code == 0, result.stderr
    rows = {row["model"]: row for row in json.loads(result.stdout)}
    assert round(rows["compromise"]["mae"], 2) == 23.89 and rows["compromise"]["n"] == 229
    assert round(rows["commission"]["mae"], 2) == 39.32 and rows["commission"]["n"] == 224
    assert rows["best"]["mae"] < rows["compromise"]["mae"]
    result = _run("validate", "deu", public, "--model", "mean")
    assert result.exit_code == 0 and "24.37" in result.stdout


def test_missing_file_is_one_line_exit_2(tmp_path):
    line = _one_error_line(_run("forecast", tmp_path / "nope.csv"))
    assert "nope.csv" in line
    _one_error_line(_run("validate", "deu", tmp_path / "nope.tsv"))


def test_bad_options_are_one_line_exit_2():
    assert "unknown model 'tea-leaves'" in _one_error_line(
        _run("forecast", CAR, "--model", "tea-leaves"))
    assert "--rounds" in _one_error_line(_run("forecast", CAR, "-m", "mean", "--rounds", "3"))
    _one_error_line(_run("validate", "deu", DEU, "--model", "tea-leaves"))


def test_malformed_actor_csv_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("actor,capability,position,salience\nA,1,10,0.5\nB,1,x,0.5\n",
                    encoding="utf-8")
    line = _one_error_line(_run("forecast", path, "--format", "csv"))
    assert f"{path}:3" in line and "position" in line


def test_deu_without_weights_beside_it(tmp_path):
    copy = tmp_path / "deu.tsv"
    shutil.copy(DEU, copy)
    assert "--weights" in _one_error_line(_run("validate", "deu", copy))
    result = _run("validate", "deu", copy, "--weights", DEU.parent / "nice_voting_weights.csv",
                  "--json", "--boot", "20")
    assert result.exit_code == 0 and json.loads(result.stdout)["n"] == 30


def test_every_model_forecasts_every_donbas_issue():
    from redline.forecast.registry import model_names

    path = Path(__file__).resolve().parents[2] / "examples" / "donbas-2026.yaml"
    for model in model_names():
        result = runner.invoke(app, ["forecast", str(path), "--model", model, "--json"])
        assert result.exit_code == 0, (model, result.output)
        data = json.loads(result.stdout)
        assert len(data["forecast"]) == 5, model
        assert all(0 <= x <= 100 for x in data["forecast"]), model


def test_forecast_in_a_claim_branch():
    path = Path(__file__).resolve().parents[2] / "examples" / "donbas-2026.yaml"
    public = runner.invoke(app, ["forecast", str(path), "--json", "--assume",
                                 "beyond-maximalist=false"])
    private = runner.invoke(app, ["forecast", str(path), "--json", "--assume",
                                  "beyond-maximalist=true"])
    assert public.exit_code == 0 and private.exit_code == 0, public.output
    # The private positions (Ukraine 35, Russia 80 on the Donbas) pull the compromise apart
    # from the public ones (Ukraine 0, Russia 100).
    a, b = json.loads(public.stdout), json.loads(private.stdout)
    assert a["positions"][0][0][0] == 0 and b["positions"][0][0][0] == 35
    assert a["forecast"][0] != b["forecast"][0]
    bad = runner.invoke(app, ["forecast", str(path), "--assume", "nope=true"])
    assert bad.exit_code == 2 and "unknown claim 'nope'" in bad.stderr
