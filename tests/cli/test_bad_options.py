"""Every bad option value of every command: one line on stderr, exit status 2, no traceback.

The line names the option and what to give instead, says the bad value at most once, and comes
before any work starts (the checks run before the scenario is analysed).
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.cli.options import MAX_BOOT, SEED_MAX
from redline.forecast.registry import MAX_ROUNDS
from redline.uncertainty.limits import MAX_DRAWS

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DONBAS = str(EXAMPLES / "donbas-2026.yaml")
NO_TSV = "missing-deu.tsv"  # validate deu checks its options before it looks for the file

# (arguments, the option the line must name, words the line must contain)
CASES = [
    # counts, sizes and budgets
    (["analyze", DONBAS, "--memory-mb", "-5"], "--memory-mb", "must be a number above 0"),
    (["analyze", DONBAS, "--memory-mb", "0"], "--memory-mb", "above 0"),
    (["analyze", DONBAS, "--memory-mb", "nan"], "--memory-mb", "(got nan)"),
    (["analyze", DONBAS, "--memory-mb", "inf"], "--memory-mb", "(got inf)"),
    (["analyze", DONBAS, "--memory-mb", "1e15"], "--memory-mb", "at most"),
    (["analyze", DONBAS, "--max-packages", "0"], "--max-packages", "must be at least 1"),
    (["analyze", DONBAS, "--max-packages", "-7"], "--max-packages", "(got -7)"),
    (["sweep", DONBAS, "--draws", "0"], "--draws", f"between 1 and {MAX_DRAWS:,}"),
    (["sweep", DONBAS, "--draws", "-5"], "--draws", "(got -5)"),
    (["sweep", DONBAS, "--draws", str(MAX_DRAWS + 1)], "--draws", "sampling error"),
    (["sweep", DONBAS, "--workers", "0"], "--workers", "must be between 1 and"),
    (["sweep", DONBAS, "--workers", "100000"], "--workers", "CPU cores"),
    (["report", DONBAS, "-o", "r.html", "--draws", "0"], "--draws", "between 1 and"),
    (["report", DONBAS, "-o", "r.html", "--max-packages", "0"], "--max-packages", "at least 1"),
    (["forecast", DONBAS, "-m", "bdm", "--rounds", "-1"], "--rounds", "between 0 and"),
    (["forecast", DONBAS, "-m", "smp", "--rounds", str(MAX_ROUNDS + 1)], "--rounds",
     f"between 0 and {MAX_ROUNDS:,}"),
    (["validate", "deu", NO_TSV, "--boot", "0"], "--boot", "between 1 and"),
    (["validate", "deu", NO_TSV, "--boot", str(MAX_BOOT + 1)], "--boot", f"{MAX_BOOT:,}"),
    (["serve", "--port", "0"], "--port", "between 1 and 65,535"),
    (["serve", "--host", "no such host!"], "--host", "cannot resolve"),
    (["serve", "--host", "192.0.2.1"], "--host", "an address of this machine"),
    (["serve", "--port", "70000"], "--port", "(got 70000)"),
    # seeds
    (["sweep", DONBAS, "--seed", "-1"], "--seed", f"between 0 and {SEED_MAX:,}"),
    (["sweep", DONBAS, "--seed", str(2**64)], "--seed", "between 0 and"),
    (["report", DONBAS, "-o", "r.html", "--draws", "5", "--seed", "-1"], "--seed", "(got -1)"),
    (["validate", "deu", NO_TSV, "--seed", "-3"], "--seed", "(got -3)"),
    # names: models, actors, claims
    (["sweep", DONBAS, "--model", "nope"], "--model", "unknown model 'nope'"),
    (["forecast", DONBAS, "--model", "nope"], "--model", "use one of compromise"),
    (["report", DONBAS, "-o", "r.html", "-m", "smp", "-m", "nope"], "--model", "'nope'"),
    (["validate", "deu", NO_TSV, "--model", "nope"], "--model", "use all or one of"),
    (["report", DONBAS, "-o", "r.html", "--x", "nobody"], "--x", "unknown actor 'nobody'"),
    (["report", DONBAS, "-o", "r.html", "--y", "nobody"], "--y", "use one of ukraine"),
    (["report", DONBAS, "-o", "r.html", "--x", "russia", "--y", "Russia"], "--y",
     "names the same actor"),
    (["analyze", DONBAS, "--assume", "nope=true"], "--assume", "unknown claim 'nope'"),
    (["sweep", DONBAS, "--assume", "nope=true"], "--assume", "the claims are"),
    (["forecast", DONBAS, "--assume", "nope=true"], "--assume", "unknown claim"),
    # --assume syntax
    (["analyze", DONBAS, "--assume", "ft-guarantees-for-donbas"], "--assume", "CLAIM=true"),
    (["sweep", DONBAS, "--assume", "=yes"], "--assume", "CLAIM=true or CLAIM=false"),
    (["report", DONBAS, "-o", "r.html", "--assume", "x=maybe"], "--assume", "(got 'x=maybe')"),
    # options that do not go together, or do not apply
    (["sweep", DONBAS, "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"], "--workers",
     "cannot be combined with --scheduler"),
    (["sweep", DONBAS, "--scheduler", "nonsense"], "--scheduler", "PROTOCOL://HOST:PORT"),
    (["sweep", DONBAS, "--scheduler", "tcp://host:99999"], "--scheduler",
     "not a scheduler address"),
    (["forecast", DONBAS, "-m", "mean", "--rounds", "3"], "--rounds",
     "does not apply to model 'mean'"),
    (["forecast", DONBAS, "--weights", "w.csv"], "--weights", "applies to DEU files only"),
    (["serve", "--workspace", "no-such-folder"], "--workspace", "not a folder"),
    (["history", "--workspace", "no-such-folder"], "--workspace", "not a folder"),
    # values the parser rejects
    (["sweep", DONBAS, "--draws", "many"], "--draws", "valid integer"),
    (["forecast", DONBAS, "--format", "xml"], "--format", "'xml' is not one of"),
    (["analyze", DONBAS, "--memory-mb", "lots"], "--memory-mb", "valid number"),
    (["report", DONBAS], "--output", "Missing option"),
    (["sweep", DONBAS, "--drawz", "5"], "--drawz", "No such option"),
]


def one_error_line(stderr: str, stdout: str = "") -> str:
    """The single line of a refused command (nothing else on stderr, no traceback)."""
    assert "Traceback" not in stderr + stdout
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def _bad_value(args: list[str], option: str) -> str | None:
    """The value given to ``option`` on the command line, if any."""
    names = {option, {"--output": "-o", "--model": "-m"}.get(option, option)}
    values = [args[k + 1] for k, a in enumerate(args[:-1]) if a in names]
    return values[-1] if values else None


@pytest.mark.parametrize(("args", "option", "words"), CASES,
                         ids=[" ".join(a[:1] + a[2:]) for a, _, _ in CASES])
def test_bad_option_is_one_line_naming_it(args, option, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    line = one_error_line(result.stderr, result.stdout)
    assert option in line and words in line, line
    assert line.count(option) == 1, f"the option is named twice: {line}"
    value = _bad_value(args, option)
    if value is not None and len(value) > 2:
        assert line.count(value) <= 1, f"the value is repeated: {line}"
    assert list(tmp_path.iterdir()) == []  # refused before writing anything


SUBPROCESS_CASES = [  # one per kind of check, through the installed entry point
    ["sweep", DONBAS, "--draws", "0"],
    ["sweep", DONBAS, "--seed", "-1"],
    ["forecast", DONBAS, "--model", "nope"],
    ["analyze", DONBAS, "--assume", "maybe"],
    ["sweep", DONBAS, "--workers", "0"],
    ["sweep", DONBAS, "--draws", "many"],
    ["export", "genius", DONBAS, "-o", DONBAS],
]


@pytest.mark.parametrize("args", SUBPROCESS_CASES, ids=" ".join)
def test_bad_option_in_a_real_process(args, tmp_path):
    run = subprocess.run([sys.executable, "-m", "redline", *args], capture_output=True,
                         text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 2
    one_error_line(run.stderr, run.stdout)
    assert run.stdout == ""


def test_serve_refuses_a_busy_port_in_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = runner.invoke(app, ["serve", "--port", port])
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert f"--port: cannot listen on 127.0.0.1:{port}: address already in use" in line


def test_help_shows_brackets_as_written():
    result = runner.invoke(app, ["divide", "--help"])
    assert result.exit_code == 0
    assert "parties: [A, B]; items: {item: [a, b]}" in " ".join(result.stdout.split())


def test_report_takes_max_packages_as_its_size_hint_says(tmp_path):
    result = runner.invoke(app, ["report", DONBAS, "-o", str(tmp_path / "r.html"),
                                 "--max-packages", "100"])
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert "above the limit of 100" in line and "raise --max-packages" in line
    assert not (tmp_path / "r.html").exists()


def test_cli_size_defaults_are_the_engines():
    import inspect

    from redline.cli.analyze import analyze
    from redline.cli.report import report
    from redline.space.engine import DEFAULT_MAX_PACKAGES

    for command in (analyze, report):
        option = inspect.signature(command).parameters["max_packages"]
        assert option.default == DEFAULT_MAX_PACKAGES


def test_scenario_messages_give_the_value_once(tmp_path):
    text = (EXAMPLES / "donbas-2026.yaml").read_text()
    assert "capability: 30" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("capability: 30", "capability: -5", 1))
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert "capability" in line and line.count("got") == 1 and line.endswith("got -5"), line


def test_smp_forecast_says_it_rescales_saliences():
    result = runner.invoke(app, ["forecast", DONBAS, "--model", "smp", "--json"])
    assert result.exit_code == 0
    note = result.stderr.strip()
    assert note.startswith("note: SMP reads saliences as shares of attention")
    assert "Ukraine" in note and "divided by their sum" in note
    quiet = runner.invoke(app, ["forecast", DONBAS, "--model", "compromise", "--json"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
