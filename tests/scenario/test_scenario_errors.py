"""Every bad scenario file gets one clear, located error (and exit status 2 from the CLI)."""

import subprocess
import sys
from pathlib import Path

import pytest

from redline.errors import ScenarioError
from redline.scenario.load import load_scenario, parse_scenario

GOOD = """\
scenario: {id: tiny, title: Tiny}
sources:
  - {id: paper, name: A paper}
claims:
  - {id: rumour, text: "A rumour", reported_by: [paper]}
actors:
  - {id: a, name: A, capability: 1}
  - {id: b, name: B, capability: 2, outside_option: 0.2}
issues:
  - id: land
    name: Land
    options:
      - {label: none, value: 0}
      - {label: half, value: 50}
      - {label: all, value: 100}
  - id: money
    name: Money
    scale: {step: 25}
positions:
  a:
    land: {position: 100, salience: 1}
    money: {position: 0, salience: 0.5}
  b:
    land: {position: 0, salience: 1}
    money: {position: 100, salience: 0.5}
red_lines:
  - id: a-half
    actor: a
    never: {issue: land, is: none}
    claim: rumour
"""


def bad(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text.encode(), "bad.yaml")
    return info.value


def test_good_file_loads():
    scenario = parse_scenario(GOOD.encode(), "good.yaml")
    assert [a.id for a in scenario.actors] == ["a", "b"]
    assert [lab for lab, _ in scenario.issues[1].option_values()] == ["0", "25", "50", "75",
                                                                      "100"]


@pytest.mark.parametrize("text, line, words", [
    ("actors: [\n  {id: a\n", 3, "YAML syntax error"),
    ("", None, "empty"),
    ("# only a comment\n", None, "empty"),
    ("- a\n- b\n", 1, "mapping"),
    (GOOD.replace("capability: 2", "capability: -2"), 8, "capability must lie in [1e-09, 1e+15]"),
    (GOOD.replace("outside_option: 0.2", "outside_option: 1.5"), 8,
     "outside_option must lie in [0, 1], got 1.5"),
    (GOOD.replace("never: {issue: land, is: none}", "never: {issue: sea, is: none}"), 29,
     "unknown issue 'sea'"),
    (GOOD.replace("actor: a\n    never", "actor: zed\n    never"), 28, "unknown actor 'zed'"),
    (GOOD.replace("is: none}", "is: some}"), 29, "no option 'some'"),
    (GOOD.replace("claim: rumour", "claim: gossip"), 30, "unknown claim 'gossip'"),
    (GOOD.replace("reported_by: [paper]", "reported_by: [blog]"), 5, "unknown source 'blog'"),
    (GOOD.replace("{label: half, value: 50}", "{label: half, value: 120}"), 14, "less than or"),
    (GOOD.replace("position: 100, salience: 1}", "position: {uniform: [90, 80]}, salience: 1}"),
     21, "negative width"),
    (GOOD.replace("position: 100, salience: 1}", "position: {uniform: [90, 120]}, salience: 1}"),
     21, "position must lie in [0, 100], got support [90, 120]"),
    (GOOD.replace("position: 100, salience: 1}",
                  "position: {choice: {values: [10, 20], p: [0.5, 0.6]}}, salience: 1}"),
     21, "sum to 1.1, not 1"),
    (GOOD.replace("position: 100, salience: 1}",
                  "position: {normal: {mean: 50, sd: -3}}, salience: 1}"), 21, "sd must be"),
    (GOOD.replace("position: 100, salience: 1}", "position: {beta: [1, 2]}, salience: 1}"),
     21, "expected a number or one of"),
    (GOOD.replace("{label: half, value: 50}", "{label: half, value: 0}"), 10,
     "strictly increase"),
    (GOOD.replace("{id: b, name: B", "{id: a, name: B"), 8, "duplicate actor id 'a'"),
    (GOOD.replace("    money: {position: 100, salience: 0.5}\n", ""), 23,
     "no position on issue(s) money"),
    (GOOD.replace("salience: 0.5}\n  b:", "salience: 0.5, colour: red}\n  b:"), 22,
     "unknown field"),
    (GOOD.replace("never: {issue: land, is: none}", "never: {issue: land, at_least: 80, "
                  "at_most: 20}"), 29, "nothing can match"),
    (GOOD.replace("reported_by: [paper]", "reported_by: [paper], denied_by: [paper]"), 5,
     "both report and deny"),
    (GOOD.replace("scale: {step: 25}", "scale: {step: 25}\n    options: []"), 16,
     "exactly one of"),
    (GOOD.replace("scale: {step: 25}", "scale: {step: 0.00001}"), 18, "coarser step"),
])
def test_bad_files_give_located_errors(text, line, words):
    error = bad(text)
    assert words in str(error)
    assert error.file == "bad.yaml"
    if line is not None:
        assert error.line == line, str(error)


LINKAGE = """\
linkages:
  - id: swap
    actor: b
    gives: {issue: money, at_least: 50}
    only_if: {any: [{issue: land, not_in: [all, most]}]}
"""
RATIFY = """\
ratification:
  - id: vote
    actor: a
    when: {all: [{issue: land, is: half}]}
    requires: {issue: money, in: ["75", "99"]}
    claim_false: rumour
"""
OVERRIDE = "claims:\n  - {id: rumour, text: \"A rumour\", reported_by: [paper], if_true: [%s]}\n"


def _with_claim(override: str) -> str:
    return GOOD.replace('claims:\n  - {id: rumour, text: "A rumour", reported_by: [paper]}\n',
                        OVERRIDE % override)


@pytest.mark.parametrize("text, field, words", [
    (GOOD.replace("  - {id: paper, name: A paper}\n",
                  "  - {id: paper, name: A paper}\n  - {id: paper, name: Again}\n"),
     "sources[1].id", "duplicate source id 'paper'"),
    (GOOD.replace("    money: {position: 100, salience: 0.5}\n",
                  "    money: {position: 100, salience: 0.5}\n" + LINKAGE).replace(
                      "  - id: swap", "  - id: a-half"),
     "linkages[0].id", "duplicate rule id 'a-half'"),
    (GOOD.replace("capability: 2,", "capability: 2, sources: [blog],"), "actors[1].sources[0]",
     "unknown source 'blog' (known: paper)"),
    (GOOD.replace("capability: 1}", "capability: 1, role: stakeholder}").replace(
        "capability: 2,", "capability: 2, role: stakeholder,"), "actors",
     "no actor has a veto"),
    (_with_claim("{actor: a, position: 40}"), "claims[0].if_true[0]",
     "position/salience overrides need an 'issue'"),
    (_with_claim("{actor: zed, outside_option: 0.1}"), "claims[0].if_true[0].actor",
     "unknown actor 'zed'"),
    (_with_claim("{actor: a, issue: sea, salience: 0.1}"), "claims[0].if_true[0].issue",
     "unknown issue 'sea'"),
    (GOOD.replace("  b:\n    land:", "  c:\n    land:"), "positions.c", "unknown actor 'c'"),
    (GOOD.replace("    money: {position: 100, salience: 0.5}\n",
                  "    money: {position: 100, salience: 0.5}\n    sea: {position: 1, "
                  "salience: 1}\n"), "positions.b.sea", "unknown issue 'sea'"),
    (GOOD.replace("land: {position: 100, salience: 1}",
                  "land: {position: 100, salience: 1, sources: [blog]}"),
     "positions.a.land.sources[0]", "unknown source 'blog'"),
    (GOOD.replace("land: {position: 100, salience: 1}", "land: {position: 100, salience: 1, "
                  "values: {none: 0, half: 0.5, all: 1, most: 1}}"),
     "positions.a.land.values.most", "unknown option 'most' (options: none, half, all)"),
    (GOOD.replace("land: {position: 100, salience: 1}",
                  "land: {position: 100, salience: 1, values: {none: 0, all: 1}}"),
     "positions.a.land.values", "values must cover every option; missing half"),
    (GOOD.replace("land: {position: 100, salience: 1}", "land: {position: 100, salience: 1, "
                  "values: {none: 0, half: 1.5, all: 1}}"),
     "positions.a.land.values.half", "utility 1.5 is outside [0, 1]"),
    (GOOD.replace("  b:\n    land: {position: 0, salience: 1}\n"
                  "    money: {position: 100, salience: 0.5}\n", ""),
     "positions", "no positions for actor 'b'"),
    (GOOD.replace("land: {position: 0, salience: 1}", "land: {position: 0, salience: 0}").replace(
        "money: {position: 100, salience: 0.5}", "money: {position: 100, salience: 0}"),
     "positions.b", "actor 'b' has zero salience on every issue"),
    (GOOD.replace("never: {issue: land, is: none}", "never: {not: {issue: land, in: [nix]}}"),
     "red_lines[0].never.not.in", "issue 'land' has no option 'nix'"),
    (GOOD.replace("    claim: rumour\n", "    sources: [paper, blog]\n"),
     "red_lines[0].sources[1]", "unknown source 'blog'"),
    (GOOD + LINKAGE, "linkages[0].only_if.any[0].not_in", "issue 'land' has no option 'most'"),
    (GOOD + RATIFY, "ratification[0].requires.in", "issue 'money' has no option '99'"),
    (GOOD + RATIFY.replace(", \"99\"", "").replace("is: half", "is: halve"),
     "ratification[0].when.all[0].is", "issue 'land' has no option 'halve'"),
    (GOOD + RATIFY.replace(", \"99\"", "").replace("rumour", "gossip"),
     "ratification[0].claim_false", "unknown claim 'gossip' (known: rumour)"),
    (GOOD.replace("claims:\n  - {id: rumour, text: \"A rumour\", reported_by: [paper]}\n", ""),
     "red_lines[0].claim", "unknown claim 'rumour' (known: none defined)"),
])
def test_every_reference_check_names_the_field(text, field, words):
    error = bad(text)
    assert error.field == field and words in str(error), str(error)
    assert error.file == "bad.yaml" and error.line is not None


def test_python_tags_are_refused():
    error = bad("actors: !!python/object/apply:os.system ['echo pwned']\n")
    assert "unsupported YAML tag" in str(error) and error.line == 1


def test_alias_bomb_is_refused_before_expansion():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for k in range(1, 10):
        prev = chr(ord("a") + k - 1)
        cur = chr(ord("a") + k)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},"
                     f"*{prev},*{prev}]")
    error = bad("\n".join(lines) + "\n")
    assert "alias" in str(error)


def test_non_utf8_bytes_are_reported_with_their_line():
    raw = GOOD.encode().replace(b"name: A paper", b"name: A pap\xe9r")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(raw, "latin1.yaml")
    assert info.value.line == 3 and "UTF-8" in str(info.value)


def test_missing_file_and_directory(tmp_path: Path):
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match="directory"):
        load_scenario(tmp_path)


def test_cli_prints_one_line_and_exits_2(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text(GOOD.replace("capability: 2", "capability: zero"))
    run = subprocess.run([sys.executable, "-m", "redline", "analyze", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "broken.yaml:8" in lines[0] and "actors[1].capability" in lines[0]
    assert "Traceback" not in run.stderr
