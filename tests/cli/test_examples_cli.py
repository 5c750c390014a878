"""`redline examples` and ``--example NAME``: the bundled examples run without a clone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline import bundled
from redline.cli import app

runner = CliRunner()
NAMES = ["camp-david-1978", "colombia-2016", "divorce-points", "donbas-2026"]


def run(*args: str):
    return runner.invoke(app, list(args))


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def without_timings(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "timings"}


def test_examples_lists_each_example_with_a_description_and_its_command():
    result = run("examples")
    assert result.exit_code == 0, result.output
    for name in NAMES:
        assert name in result.stdout
    assert "US-Russia-Ukraine talks, Abu Dhabi (2026)" in result.stdout
    assert "redline analyze --example donbas-2026" in result.stdout
    assert "redline divide --example divorce-points" in result.stdout


def test_examples_json_names_kind_description_and_command():
    result = run("examples", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert sorted(rows) == NAMES
    assert rows["camp-david-1978"] == {
        "name": "camp-david-1978", "kind": "scenario",
        "description": "Camp David (1978): Sinai for peace",
        "command": "redline analyze --example camp-david-1978"}
    assert rows["divorce-points"]["kind"] == "division"
    assert rows["divorce-points"]["description"].startswith("Adjusted Winner")
    assert all(row["description"] for row in rows.values())


@pytest.mark.parametrize("name", ["donbas-2026", "camp-david-1978"])
def test_analyze_example_is_analyze_of_the_file(name: str, examples: Path):
    by_name = run("analyze", "--example", name, "--json")
    by_file = run("analyze", str(examples / f"{name}.yaml"), "--json")
    assert by_name.exit_code == 0 and by_file.exit_code == 0, by_name.output
    assert without_timings(json.loads(by_name.stdout)) == without_timings(
        json.loads(by_file.stdout))


def test_the_other_commands_take_an_example(tmp_path: Path, examples: Path):
    assert run("check", "--example", "donbas-2026").stdout.startswith("ok: 4 actors")
    forecast = run("forecast", "--example", "camp-david-1978", "--json")
    assert without_timings(json.loads(forecast.stdout)) == without_timings(json.loads(
        run("forecast", str(examples / "camp-david-1978.yaml"), "--json").stdout))
    sweep = run("sweep", "--example", "camp-david-1978", "-n", "50", "--json")
    assert sweep.exit_code == 0 and 0 <= json.loads(sweep.stdout)["p_agreement"] <= 1
    divide = run("divide", "--example", "divorce-points", "--json")
    assert json.loads(divide.stdout) == json.loads(
        run("divide", str(examples / "divorce-points.yaml"), "--json").stdout)
    folder = tmp_path / "genius"
    assert run("export", "genius", "--example", "camp-david-1978", "-o", str(folder)
               ).exit_code == 0
    assert (folder / "camp-david-1978-domain.xml").is_file()


def test_an_unknown_example_is_one_line_listing_the_valid_ones():
    line = one_error_line(run("analyze", "--example", "donbas"))
    assert "unknown example 'donbas'" in line and "--example" in line
    assert ", ".join(NAMES) in line


def test_an_example_of_the_wrong_kind_names_the_command_that_runs_it():
    line = one_error_line(run("analyze", "--example", "divorce-points"))
    assert "redline divide --example divorce-points" in line
    line = one_error_line(run("divide", "--example", "donbas-2026"))
    assert "redline analyze --example donbas-2026" in line


def test_a_file_and_an_example_together_is_one_error(examples: Path):
    line = one_error_line(run("analyze", str(examples / "donbas-2026.yaml"),
                              "--example", "donbas-2026"))
    assert "cannot be combined with a FILE" in line


@pytest.mark.parametrize("command", [["analyze"], ["check"], ["sweep"], ["forecast"],
                                     ["divide"], ["report", "-o", "out.html"]])
def test_neither_a_file_nor_an_example_is_one_error(command: list[str]):
    line = one_error_line(run(*command))
    assert "missing FILE" in line and "--example NAME" in line


def test_copy_writes_the_example_where_asked(tmp_path: Path, examples: Path,
                                             monkeypatch: pytest.MonkeyPatch):
    expected = (examples / "donbas-2026.yaml").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("examples", "copy", "donbas-2026").exit_code == 0
    assert (tmp_path / "donbas-2026.yaml").read_text(encoding="utf-8") == expected
    assert run("examples", "copy", "donbas-2026", "mine.yaml").exit_code == 0
    assert (tmp_path / "mine.yaml").read_text(encoding="utf-8") == expected
    result = run("examples", "copy", "camp-david-1978", "new/")  # a folder to create
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "camp-david-1978.yaml").is_file()
    assert run("examples", "copy", "divorce-points", "new").exit_code == 0  # an existing folder
    assert (tmp_path / "new" / "divorce-points.yaml").is_file()
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "camp-david-1978.yaml", "divorce-points.yaml", "donbas-2026.yaml", "mine.yaml", "new"]


def test_copy_never_replaces_a_file_without_force(tmp_path: Path, examples: Path):
    target = tmp_path / "mine.yaml"
    target.write_text("my edits\n", encoding="utf-8")
    line = one_error_line(run("examples", "copy", "donbas-2026", str(target)))
    assert "already exists" in line and "--force" in line
    assert target.read_text(encoding="utf-8") == "my edits\n"
    assert run("examples", "copy", "donbas-2026", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8") == bundled.example_text("donbas-2026")


def test_copy_of_an_unknown_example_writes_nothing(tmp_path: Path):
    line = one_error_line(run("examples", "copy", "nope", str(tmp_path / "x.yaml")))
    assert "unknown example 'nope'" in line and ", ".join(NAMES) in line
    assert list(tmp_path.iterdir()) == []
