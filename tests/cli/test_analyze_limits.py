"""`redline analyze` keeps every list bounded and says wherever it cuts one short.

Tied utilities put a whole space on the frontier and make every package a solution; the
analysis must then count them all, keep one frontier point for all of them, list only up to the
cap, and name the option that lists more.
"""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app

runner = CliRunner()


def tied_scenario(path: Path, *, issues: int, step: int, red_line: bool = False,
                  claim: bool = False) -> Path:
    """Two actors to whom every option of every issue is worth 0.5 (all packages tie)."""
    labels = [str(v) for v in range(0, 101, step)]
    values = "{" + ", ".join(f"'{v}': 0.5" for v in labels) + "}"
    lines = ["actors:", "  - {id: a, name: A, capability: 1}",
             "  - {id: b, name: B, capability: 1}", "issues:"]
    lines += [f"  - {{id: i{k}, name: I{k}, scale: {{step: {step}}}}}" for k in range(issues)]
    lines.append("positions:")
    for actor in "ab":
        lines.append(f"  {actor}:")
        lines += [f"    i{k}: {{position: 0, salience: 1, values: {values}}}"
                  for k in range(issues)]
    if claim:
        lines += ["sources:", "  - {id: x, name: X, kind: press, reliability: 0.5}",
                  "claims:", "  - {id: c, text: a report, reported_by: [x]}"]
    if red_line:
        gate = ", claim: c" if claim else ""
        lines += ["red_lines:",
                  f"  - {{id: no-zero, actor: a{gate}, never: {{issue: i0, is: '0'}}}}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def run(*args: str):
    return runner.invoke(app, list(args))


def run_json(*args: str) -> tuple[dict, int]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), len(result.stdout)


def test_every_tie_is_counted_and_the_first_thousand_listed(tmp_path: Path):
    # 51 x 51 = 2,601 packages, every one worth 0.5 to both actors.
    path = tied_scenario(tmp_path / "ties.yaml", issues=2, step=2)
    data, _ = run_json("analyze", str(path))
    for name, listed in data["solutions"].items():
        assert data["solution_ties"][name] == 2601
        assert len(listed) == 1000
        assert [e["package"] for e in listed[:2]] == [{"i0": "0", "i1": "0"},
                                                       {"i0": "0", "i1": "2"}]
        assert (f"solutions.{name}: first 1,000 of 2,601 tied packages "
                "(--list-limit 2601 lists all)") in data["cuts"]
    assert data["list_limit"] == 1000
    everything, _ = run_json("analyze", str(path), "--list-limit", "2601")
    assert all(len(v) == 2601 for v in everything["solutions"].values())
    assert everything["cuts"] == []


def test_a_tied_space_is_one_frontier_point_and_the_json_stays_small(tmp_path: Path):
    # 11^4 = 14,641 packages, all on the frontier (nothing dominates an equal vector).
    path = tied_scenario(tmp_path / "tied.yaml", issues=4, step=10)
    data, size = run_json("analyze", str(path), "--list-limit", "5")
    assert data["pareto_count"] == 14641 and data["pareto_points"] == 1
    (point,) = data["pareto"]
    assert point["packages"] == point["acceptable_packages"] == 14641
    assert point["package"] == {"i0": "0", "i1": "0", "i2": "0", "i3": "0"}
    assert all(len(v) == 5 for v in data["solutions"].values())
    assert size < 20_000  # was 3.9 MB for the whole frontier and every tie


def test_rules_split_a_shared_frontier_point_into_acceptable_and_not(tmp_path: Path):
    # A refuses i0 = 0: 11^3 of the 11^4 packages that share the one utility vector.
    path = tied_scenario(tmp_path / "rule.yaml", issues=4, step=10, red_line=True)
    data, _ = run_json("analyze", str(path), "--list-limit", "3")
    (point,) = data["pareto"]
    assert point["packages"] == 14641
    assert point["acceptable_packages"] == 14641 - 1331 == data["acceptable_count"]
    assert point["package"]["i0"] == "10"  # the first acceptable package stands for the point
    assert data["solution_ties"]["nash"] == 14641 - 1331


def test_claim_branches_list_every_nash_tie_up_to_the_cap(tmp_path: Path):
    path = tied_scenario(tmp_path / "claim.yaml", issues=2, step=50, red_line=True,
                         claim=True)
    data, _ = run_json("analyze", str(path), "--list-limit", "4")
    (row,) = data["claim_branches"]
    assert row["nash_ties_if_true"] == 6 and len(row["nash_if_true"]) == 4  # i0 = 0 refused
    assert row["nash_ties_if_false"] == 9 and row["nash_if_false"] == [0, 1, 2, 3]
    terminal = run("analyze", str(path))
    assert terminal.exit_code == 0
    assert "(+8 tied)" in terminal.stdout and "(+5 tied)" in terminal.stdout


def test_the_terminal_says_how_many_tie_and_how_to_list_them(tmp_path: Path):
    path = tied_scenario(tmp_path / "ties.yaml", issues=2, step=2)
    result = run("analyze", str(path))
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Nash (+2,600" in text  # the header may wrap inside its cell
    assert "Tied packages: Nash 2,601" in text and "--list-limit" in text
    assert "2,601 packages (2,601 of them acceptable) at 1 point" in text


@pytest.mark.parametrize("option", ["--pareto-rows", "--blocker-rows", "--list-limit",
                                    "--max-frontier"])
def test_negative_counts_are_one_clean_line(option: str, examples: Path):
    result = run("analyze", str(examples / "donbas-2026.yaml"), option, "-1")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {option}: must be ")


def test_cut_tables_say_so_and_name_the_option_that_shows_all(examples: Path):
    result = run("analyze", str(examples / "donbas-2026.yaml"), "--blocker-rows", "2",
                 "--pareto-rows", "1")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    blockers = run_json("analyze", str(examples / "donbas-2026.yaml"))[0]["blocking"]
    shown = [b for b in blockers if b["rejects"]]
    assert f"first 2 of {len(shown)}, --blocker-rows {len(shown)} shows all" in text
    points = run_json("analyze", str(examples / "donbas-2026.yaml"))[0]["pareto_points"]
    assert f"first 1 of {points} points, --pareto-rows {points} shows all" in text
    full = run("analyze", str(examples / "donbas-2026.yaml"), "--blocker-rows", "100")
    assert "shows all" not in " ".join(full.stdout.split()).split("Pareto frontier (")[0]


def test_a_frontier_above_the_cap_is_left_out_with_a_note(tmp_path: Path, examples: Path):
    data, _ = run_json("analyze", str(examples / "donbas-2026.yaml"), "--max-frontier", "2")
    assert data["pareto_complete"] is False and data["pareto"] == []
    assert "pareto: not computed, more than 2 distinct points (--max-frontier)" in data["cuts"]
    assert data["solutions"]["nash"]  # the solutions do not need the frontier
    result = run("analyze", str(examples / "donbas-2026.yaml"), "--max-frontier", "2")
    assert "not computed, more than 2 distinct points (--max-frontier raises the cap)" in \
        " ".join(result.stdout.split())
