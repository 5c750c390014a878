"""The docs say what the commands do: every command shown runs as written, and the tutorial's
numbers are the ones the commands print.

When a change moves a number, this fails: update docs/tutorial.md with the new output.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TUTORIAL = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
TEXT = " ".join(TUTORIAL.split())  # line breaks do not matter
DONBAS = str(ROOT / "examples" / "donbas-2026.yaml")
PLACEHOLDER = re.compile(r"\bFILE\b|\bM\b|~|SECRET|\||\[|deu3_public")

runner = CliRunner()


def shown_commands() -> list[tuple[str, str]]:
    """``(doc, command line)`` for every ``redline ...`` line in a fenced block of the docs."""
    out = []
    for doc in DOCS:
        inside, pending = False, ""
        for line in doc.read_text(encoding="utf-8").splitlines():
            if line.startswith("```"):
                inside = not inside
                continue
            if not inside:
                continue
            line = pending + line.split("  #")[0].strip()
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            pending = ""
            if line.startswith("redline ") and not PLACEHOLDER.search(line):
                out.append((doc.name, line.split(" > ")[0]))
    return out


COMMANDS = shown_commands()


def test_the_docs_show_the_main_commands():
    shown = {shlex.split(line)[1] for _, line in COMMANDS}
    assert {"analyze", "sweep", "forecast", "export", "divide", "report", "check",
            "schema"} <= shown


@pytest.mark.parametrize(("doc", "line"), COMMANDS, ids=[f"{d}: {c}" for d, c in COMMANDS])
def test_every_command_shown_parses_and_its_files_exist(doc, line):
    args = shlex.split(line)[1:]
    for arg in args:
        if arg.startswith(("examples/", "tests/")):
            assert (ROOT / arg).exists(), f"{doc} names {arg}, which a clone does not have"
    result = runner.invoke(app, [*args, "--help"])  # options are parsed; nothing runs
    assert result.exit_code == 0, f"{doc}: {line}: {result.output}"


def table(heading: str) -> list[list[str]]:
    """The rows (cells) of the first markdown table after ``heading`` in the tutorial."""
    text = TUTORIAL[TUTORIAL.index(heading):]
    rows = []
    for line in text.splitlines()[1:]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not set(cells[0]) <= set("-") and cells[0] not in ("rule", "claim", "model"):
                rows.append(cells)
        elif rows:
            break
    return rows


def run_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_tutorial_deal_space_numbers():
    data = run_json("analyze", DONBAS)
    acceptable, total = data["acceptable_count"], data["packages"]
    assert f"{acceptable} of {total} packages are acceptable" in TEXT
    frontier_ok = sum(1 for p in data["pareto"] if p.get("acceptable"))
    assert f"frontier has {data['pareto_count']} packages, {frontier_ok} of them" in TEXT
    names = {"Russia": "russia", "Ukraine": "ukraine", "US": "us"}
    blocking = {b["id"]: (b["rejects"], b["sole"]) for b in data["blocking"]}
    rows = table("## 3. Which red line blocks a deal?")
    assert rows
    for rule, rejects, alone in rows:
        ident = re.search(r"`([^`]+)`", rule)
        key = ident.group(1) if ident else f"{names[rule.split(chr(39))[0]]}:outside_option"
        assert blocking[key] == (int(rejects), int(alone)), rule
    branches = {r["claim"]: r for r in data["claim_branches"]}
    rows = table("The summary's *claim branches* table")
    assert rows
    for claim, if_true, if_false in rows:
        row = branches[claim.strip("`")]
        assert (row["acceptable_if_true"], row["acceptable_if_false"]) == (int(if_true),
                                                                           int(if_false))
    ft = run_json("analyze", DONBAS, "--assume", "ft-guarantees-for-donbas=true")
    assert f"Acceptable packages fall from {acceptable} to {ft['acceptable_count']}" in TEXT


MODEL_ROWS = {"compromise (weighted mean)": ["compromise"], "KTAB's SMP": ["smp"],
              "Nash (issue level) / `best`": ["nash", "best"], "BDM 2002": ["bdm"],
              "weighted median": ["median"]}


def test_tutorial_forecast_table():
    rows = table("## 5. Where will the talks land?")
    assert len(rows) == len(MODEL_ROWS)
    for label, *values in rows:
        models = next(m for key, m in MODEL_ROWS.items() if label.startswith(key))
        rounds = re.search(r"\((\d+) rounds\)", label)
        for model in models:
            data = run_json("forecast", DONBAS, "--model", model)
            assert [f"{v:.1f}" for v in data["forecast"]] == values, label
            if rounds:
                assert data["turns"] == int(rounds.group(1)), label


def test_tutorial_sweep_numbers():
    integrated = run_json("sweep", DONBAS, "--draws", "20000", "--no-progress", "--prior")
    true = run_json("sweep", DONBAS, "--draws", "20000", "--no-progress", "--prior",
                    "--assume", "ft-guarantees-for-donbas=true")
    false = run_json("sweep", DONBAS, "--draws", "20000", "--no-progress", "--prior",
                     "--assume", "ft-guarantees-for-donbas=false")
    for words, result in (("about **{} %** integrated", integrated),
                          ("**{} %** if the FT report is true", true),
                          ("**{} %** if it is false", false)):
        assert words.format(f"{100 * result['p_agreement']:.0f}") in TEXT, words
    blocks = {b["id"]: b["blocks"] for b in integrated["blocking"]}
    share = f"{100 * blocks['us-guarantees-only-for-donbas']:.0f}"
    assert f"(`us-guarantees-only-for-donbas`, {share} %)" in TEXT
    ranked = [row["input"] for row in integrated["sensitivity"][:3]]
    assert ranked == ["claim:us-neutral-broker", "actors.ukraine.outside_option",
                      "claim:beyond-maximalist"]
    assert "first the claim that the US is only a neutral broker (`us-neutral-broker`" in TEXT
    assert "then Ukraine's outside option (ρ = −0.51 with agreement), then the claim" in TEXT
    rho = {row["input"]: row["rho"] for row in integrated["sensitivity"]}
    assert f"{rho['claim:us-neutral-broker']['forecast.donbas']:+.2f}" == "-0.85"
    assert f"{rho['actors.ukraine.outside_option']['agreement']:+.2f}" == "-0.51"
    assert f"{rho['claim:beyond-maximalist']['forecast.donbas']:+.2f}" == "+0.51"
    assert f"{rho['actors.russia.outside_option']['agreement']:+.2f}" == "-0.32"
    assert f"{rho['claim:ft-guarantees-for-donbas']['agreement']:+.2f}" == "-0.28"


def test_tutorial_update_numbers():
    """Section 7: what the rounds change, and the sweeps on the posterior."""
    update = run_json("update", DONBAS)
    assert update["draws"] == 10000 and update["seed"] == 0
    inputs = {row["input"]: row for row in update["inputs"]}
    russia = inputs["red_lines.ru-ukraine-out-of-donbas.require.at_least"]
    assert (f"rises from {russia['prior']['mean']:.1f} to {russia['posterior']['mean']:.1f}"
            in TEXT)
    claims = {row["id"]: row for row in update["claims"]}
    moved = claims["beyond-maximalist"]
    assert (f"falls from {100 * moved['prior']:.0f} % to {100 * moved['posterior']:.0f} %"
            in TEXT)
    p = update["p_agreement"]
    assert (f"({100 * p['prior']['p']:.1f} % to {100 * p['posterior']['p']:.1f} %)" in TEXT)
    first = update["timeline"][1]
    assert first["round"] == "kyiv-red-line-entire-donbas"
    assert first["ess"] == pytest.approx(update["draws"])  # Kyiv's statement moves nothing
    sweeps = [run_json("sweep", DONBAS, "--draws", "20000", "--no-progress", *extra)
              for extra in ((), ("--assume", "ft-guarantees-for-donbas=true"),
                            ("--assume", "ft-guarantees-for-donbas=false"))]
    shares = [f"{100 * s['p_agreement']:.0f}" for s in sweeps]
    assert ("P(agreement) **{} %** integrated, **{} %** if the FT report is true, **{} %** "
            "if false".format(*shares)) in TEXT


def test_tutorial_advise_numbers():
    """Section 8: the mediator's next move, on the posterior."""
    accept = run_json("advise", DONBAS, "--for", "us", "--top", "1")["ranked"][0]
    p = accept["p_acceptable"]
    assert f"**{p['p']:.2f}** [{p['low']:.2f}, {p['high']:.2f}]" in TEXT
    shares = {a: f"{100 * (1 - row['p_accepts']):.0f} %" for a, row in accept["actors"].items()}
    assert (f"Ukraine rejects it in {shares['ukraine']} of the draws (by its outside option) and "
            f"Russia in {shares['russia']}") in TEXT
    probe = run_json("advise", DONBAS, "--for", "us", "--objective", "probe", "--top", "1")
    best = probe["ranked"][0]
    assert f"({best['information_bits']:.2f} bits)" in TEXT
    russia = best["actors"]["russia"]["p_accepts"]
    assert f"splits the draws {100 * russia:.0f}/{100 * (1 - russia):.0f}" in TEXT
    tied = best["answers"]["russia"]["tied_to"]
    assert f"(r = {tied['correlation']:.2f})".replace("-", "\u2212") in TEXT


COLOMBIA = str(ROOT / "examples" / "colombia-2016.yaml")


def test_tutorial_evaluate_numbers():
    """Section 8: a text on the table judged, and what it would take."""
    judged = run_json("evaluate", DONBAS, "freeze-with-european-force")
    rows = judged["completions"]
    odds = judged["uncertainty"]
    best = next(r for r in odds["completions"] if r["package"] == odds["best_completion"])
    assert (f"none of its {len(rows)} completions is acceptable" in TEXT
            and not any(r["acceptable"] for r in rows))
    assert (f"passes them all in **{100 * best['p_acceptable']['p']:.1f} %** of the "
            f"{odds['draws']:,} draws") in TEXT
    takes = judged["what_it_takes"]
    first = takes["packages"][0]
    assert first["changes"] == ["donbas"] and first["package"]["donbas"] == "demilitarised-zone"
    delta = {a: f"{v:+.2f}".replace("-", "\u2212") for a, v in first["utility_change"].items()}
    assert (f"it take: {takes['changes']} change, the Donbas made a demilitarised zone "
            f"({takes['count']} acceptable packages), which Russia ({delta['russia']}) and the "
            f"US ({delta['us']}) gain from and Ukraine ({delta['ukraine']}) and Europe "
            f"({delta['europe']}) lose") in TEXT
    assert first["gains"] == ["russia", "us"] and first["losses"] == ["ukraine", "europe"]


def test_tutorial_colombia_numbers():
    """Section 8, on Colombia: what the plebiscite teaches, and the two accords compared."""
    update = run_json("update", COLOMBIA, "--until", "2016-10-05")
    plebiscite = next(r for r in update["rounds"] if r["id"] == "plebiscite")
    assert f"Only {100 * plebiscite['prior_fit']:.1f} % of the prior's draws" in TEXT
    inputs = {row["input"]: row for row in update["inputs"]}

    def moved(name: str, digits: int) -> str:
        row = inputs[name]
        return f"from {row['prior']['mean']:.{digits}f} to {row['posterior']['mean']:.{digits}f}"

    assert f"crimes rises {moved('positions.voters.justice.position', 1)}" in TEXT
    assert f"participation falls {moved('positions.voters.politics.position', 1)}" in TEXT
    assert (f"vote Yes rises {moved('ratification.plebiscite-majority.min_utility', 2)}"
            in TEXT)
    (claim,) = update["claims"]
    assert (f"justice terms falls from {100 * claim['prior']:.0f} % to "
            f"{100 * claim['posterior']:.0f} %") in TEXT
    assert f"P(agreement) stays {update['p_agreement']['posterior']['p']:.3f}" in TEXT

    accords = ("--proposal", "august-final-accord", "--proposal", "november-accord")
    before, after = (
        {r["candidate"]["proposal"]: r for r in run_json(
            "advise", COLOMBIA, "--for", "government", "--until", until, *accords)["ranked"]}
        for until in ("2016-09-30", "2016-10-05"))
    august = after["august-final-accord"]["p_acceptable"]
    assert f"in **{100 * before['august-final-accord']['p_acceptable']['p']:.0f} %**" in TEXT
    assert f"in **{100 * august['p']:.0f} %** [{august['low']:.2f}, {august['high']:.2f}]" in TEXT
    assert after["november-accord"]["p_acceptable"]["p"] == pytest.approx(1.0)
    values = {pid: row["expected_value"] for pid, row in after.items()}  # as --objective value
    assert (f"worth {values['november-accord']:.2f} to the government against "
            f"{values['august-final-accord']:.2f} for the August text") in TEXT
    top = run_json("advise", COLOMBIA, "--for", "government", "--until", "2016-10-05",
                   "--top", "3")
    assert f"Ranked over all {top['candidates']['count']} packages" in TEXT
    for row in top["ranked"]:
        assert row["package"]["politics"] == "reserved-seats"
        assert row["package"]["reparations"] == "asset-inventory"
        assert row["package"]["justice"].startswith("restorative")
