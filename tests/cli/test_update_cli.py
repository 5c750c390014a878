"""`redline update`, and the rounds' posterior behind `sweep`, `evaluate` and the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import redline
from redline import pipeline
from redline.cli import app

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = str(ROOT / "tests" / "data" / "rounds" / "ceasefire-rounds.yaml")
NO_ROUNDS = str(ROOT / "tests" / "data" / "proposals" / "ceasefire.yaml")
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_json_is_the_pipeline_run_and_the_same_seed_gives_the_same_bytes():
    first = run("update", ROUNDS, "--draws", "600", "--seed", "4", "--json")
    assert first.exit_code == 0, first.output
    again = run("update", ROUNDS, "--draws", "600", "--seed", "4", "--json")
    assert first.stdout == again.stdout
    expected = pipeline.run_update(pipeline.load(ROUNDS), draws=600, seed=4).to_dict()
    data = json.loads(first.stdout)
    assert data == json.loads(json.dumps(expected))
    assert [step["round"] for step in data["timeline"]] == \
        [None, "leak-answered", "armed-accepted", "north-needs-relief"]
    assert data["illustrative"] == ["north-needs-relief"]
    assert data["timeline"][-1]["illustrative"] is True
    claim = {c["id"]: c for c in data["claims"]}["deal-leaked"]
    assert claim["posterior"] > claim["prior"]  # North accepted armed monitors
    assert len(data["packages"]) == data["package_count"] == 18
    posterior_p = [row["posterior"]["p"] for row in data["packages"]]
    assert posterior_p == sorted(posterior_p, reverse=True)


def test_the_library_gives_the_same_json():
    result = redline.load(ROUNDS).update(draws=600, seed=4)
    assert result.to_dict() == json.loads(
        run("update", ROUNDS, "--draws", "600", "--seed", "4", "--json").stdout)
    assert "UpdateResult: 3 of 3 rounds" in repr(result)
    assert "illustrative rounds" in repr(result)
    assert result.posterior.size == 600


def test_until_and_prior():
    early = json.loads(run("update", ROUNDS, "-n", "300", "--until", "2026-11-22",
                           "--json").stdout)
    assert early["counted"] == 1 and len(early["timeline"]) == 2
    assert [r["counted"] for r in early["rounds"]] == [True, False, False]
    prior = json.loads(run("update", ROUNDS, "-n", "300", "--prior", "--json").stdout)
    assert prior["prior_only"] and prior["counted"] == 0 and prior["method"] == "prior"
    assert len(prior["timeline"]) == 1
    for row in prior["inputs"]:
        assert row["prior"] == row["posterior"]


def test_the_terminal_tables_mark_illustrations():
    result = run("update", ROUNDS, "-n", "300")
    assert result.exit_code == 0, result.output
    for text in ("Rounds", "Uncertain inputs", "Claims", "Probability of agreement",
                 "Leading packages", "Timeline", "an analyst's illustration"):
        assert text in result.stdout
    assert "north-needs-relief †" in result.stdout


def test_a_scenario_without_rounds_updates_to_its_prior():
    data = json.loads(run("update", NO_ROUNDS, "-n", "200", "--json").stdout)
    assert data["method"] == "prior" and data["rounds"] == [] and data["ess"] == \
        pytest.approx(200)


@pytest.mark.parametrize(("args", "message"), [
    (["--until", "next week"], "--until: not an ISO date"),
    (["--draws", "0"], "--draws"),
    (["--assume", "nope=true"], "unknown claim"),
])
def test_bad_input_is_one_line(args, message):
    result = run("update", ROUNDS, *args)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_sweep_and_evaluate_use_the_posterior_unless_prior():
    swept = json.loads(run("sweep", ROUNDS, "-n", "300", "--json", "--no-progress").stdout)
    assert swept["posterior"]["rounds"] == ["leak-answered", "armed-accepted",
                                            "north-needs-relief"]
    plain = json.loads(run("sweep", ROUNDS, "-n", "300", "--json", "--prior",
                           "--no-progress").stdout)
    assert "posterior" not in plain
    assert swept["posterior"]["illustrative"] == ["north-needs-relief"]
    update = json.loads(run("update", ROUNDS, "-n", "300", "--json").stdout)
    assert swept["p_agreement"] == pytest.approx(update["p_agreement"]["posterior"]["p"])
    judged = json.loads(run("evaluate", ROUNDS, "leak", "-n", "300", "--json").stdout)
    assert judged["uncertainty"]["posterior"]["ess"] == pytest.approx(update["ess"])
    assert judged["uncertainty"]["posterior"]["illustrative"] == ["north-needs-relief"]
    prior = json.loads(run("evaluate", ROUNDS, "leak", "-n", "300", "--prior",
                           "--json").stdout)
    assert "posterior" not in prior["uncertainty"]
    # the posterior's P(acceptable) of a package is the update's
    by_package = {tuple(r["package"].items()): r for r in update["packages"]}
    for row in judged["uncertainty"]["completions"]:
        assert row["p_acceptable"]["p"] == pytest.approx(
            by_package[tuple(row["package"].items())]["posterior"]["p"])


def test_sweep_evaluate_and_the_library_count_the_rounds_until_a_date_as_update_does():
    """``--until`` is one rule for every command that weighs draws by the rounds: only those
    dated on or before the day count, and the odds are the update's after them."""
    update = json.loads(run("update", ROUNDS, "-n", "300", "--until", "2026-11-22",
                            "--json").stdout)
    swept = json.loads(run("sweep", ROUNDS, "-n", "300", "--until", "2026-11-22", "--json",
                           "--no-progress").stdout)
    assert swept["posterior"]["rounds"] == ["leak-answered"]
    assert swept["p_agreement"] == pytest.approx(update["p_agreement"]["posterior"]["p"])
    judged = json.loads(run("evaluate", ROUNDS, "leak", "-n", "300", "--until", "2026-11-22",
                            "--json").stdout)
    assert judged["uncertainty"]["posterior"]["rounds"] == ["leak-answered"]
    assert judged["uncertainty"]["posterior"]["ess"] == pytest.approx(update["ess"])
    negotiation = redline.load(ROUNDS)
    import datetime

    assert negotiation.sweep(300, until=datetime.date(2026, 11, 22)).p_agreement == \
        pytest.approx(swept["p_agreement"])
    assert negotiation.evaluate("leak", draws=300, until="2026-11-22").to_dict() == judged


@pytest.mark.parametrize("command", [["sweep", "--no-progress"], ["evaluate", "leak"],
                                     ["report", "-o", "never.html"]])
def test_a_bad_until_is_one_line_before_any_work(command, tmp_path):
    result = run(command[0], ROUNDS, *command[1:], "--until", "2026-02-30")
    assert result.exit_code == 2, result.output
    assert result.output.strip() == "error: --until: not an ISO date (YYYY-MM-DD): '2026-02-30'"


def test_the_library_names_a_bad_until_by_its_parameter():
    with pytest.raises(redline.RedlineError, match="until"):
        redline.load(ROUNDS).sweep(100, until="soon")


def test_the_report_learns_from_the_rounds_until_a_date_or_ignores_them(tmp_path):
    """The report's P(agreement) line says which draws it stands on; ``--until`` counts the
    rounds up to a day (the later ones listed as not counted), ``--prior`` none."""
    import re

    def summary_line(*extra: str) -> tuple[str, str]:
        out = tmp_path / "report.html"
        result = run("report", ROUNDS, "-n", "300", "-o", str(out), *extra)
        assert result.exit_code == 0, result.output
        html = out.read_text(encoding="utf-8")
        line = re.search(r'data-summary="agreement">(.*?)</li>', html).group(1)
        return re.sub(r"<[^>]+>", "", line), html

    update = json.loads(run("update", ROUNDS, "-n", "300", "--until", "2026-11-22",
                            "--json").stdout)
    line, html = summary_line("--until", "2026-11-22")
    assert f"{update['p_agreement']['posterior']['p']:.3f}" in line and "after 1 round " in line
    assert "Only the rounds dated on or before 2026-11-22 are counted" in html
    line, html = summary_line("--prior")
    prior = json.loads(run("sweep", ROUNDS, "-n", "300", "--prior", "--json",
                           "--no-progress").stdout)
    assert f"{prior['p_agreement']:.3f}" in line and "on the prior (the rounds ignored)" in line
    assert "this report ignores them (--prior)" in html
    line, _ = summary_line()
    assert "after 3 rounds" in line
