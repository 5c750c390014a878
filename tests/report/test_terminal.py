"""`redline analyze` and `redline sweep` print the same terminal text as before, table for
table, at 80 and 120 columns. For analyze: the bundled examples, a Genius folder, cut tables,
an uncomputed frontier, a negotiation with no acceptable package, ties and objections; for
sweep: the bundled examples, integrated and with a claim assumed.

The kept texts are in ``tests/data/terminal``; only the timings lines are masked. After an
intended change of the terminal output, rewrite them with
``PYTHONPATH=src python tests/report/test_terminal.py`` and read the diff.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from redline.cli import app

ROOT = Path(__file__).resolve().parents[2]
KEPT = ROOT / "tests" / "data" / "terminal"
EXAMPLES = ROOT / "examples"
WIDTHS = (80, 120)
TIMINGS = re.compile(r"load [0-9.]+s · build [0-9.]+s · frontier [0-9.]+s · solutions [0-9.]+s")
SWEEP_TIMING = re.compile(r"^sweep [0-9.]+s$", re.MULTILINE)
SWEEP = ["--draws", "200", "--seed", "3", "--no-progress"]


def _no_deal(folder: Path) -> Path:
    """Camp David with Egypt's outside option above every package: nothing is acceptable."""
    text = (EXAMPLES / "camp-david-1978.yaml").read_text(encoding="utf-8")
    egypt = "{id: egypt, name: Egypt, role: party, capability: 40, outside_option: 0.3}"
    assert egypt in text
    path = folder / "no-deal.yaml"
    path.write_text(text.replace(egypt, egypt.replace("0.3}", "0.99}")), encoding="utf-8")
    return path


def _ties_and_objections(folder: Path) -> Path:
    """Camp David where neither party cares about normalisation (so packages tie) and the
    mediator, who has no veto, holds a red line of its own (so it objects)."""
    text = (EXAMPLES / "camp-david-1978.yaml").read_text(encoding="utf-8")
    edits = {"normalisation: {position: 0, salience: 0.4}":
             "normalisation: {position: 0, salience: 0}",
             "normalisation: {position: 100, salience: 0.8}":
             "normalisation: {position: 100, salience: 0}"}
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new)
    text += ("  - id: us-full-peace\n    actor: us\n    description: \"Carter: full peace\"\n"
             "    require: {issue: normalisation, at_least: 100}\n")
    path = folder / "ties.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# name -> (input, given a scratch folder; the command's other arguments); "sweep-" names run
# `redline sweep`, the others `redline analyze`
CASES = {
    "donbas": (lambda _: EXAMPLES / "donbas-2026.yaml", []),
    "donbas-ft-true-cut": (lambda _: EXAMPLES / "donbas-2026.yaml",
                           ["--assume", "ft-guarantees-for-donbas=true", "--pareto-rows", "3",
                            "--blocker-rows", "2"]),
    "donbas-no-frontier": (lambda _: EXAMPLES / "donbas-2026.yaml",
                           ["--max-frontier", "1", "--no-branches"]),
    "camp-david": (lambda _: EXAMPLES / "camp-david-1978.yaml", []),
    "genius-travel": (lambda _: ROOT / "tests" / "data" / "genius" / "anac_y2010_Travel", []),
    "no-deal": (_no_deal, []),
    "ties-and-objections": (_ties_and_objections, []),
    "sweep-donbas": (lambda _: EXAMPLES / "donbas-2026.yaml", SWEEP),
    "sweep-donbas-assumed": (lambda _: EXAMPLES / "donbas-2026.yaml",
                             [*SWEEP, "--assume", "zelensky-referendum=false"]),
    "sweep-camp-david": (lambda _: EXAMPLES / "camp-david-1978.yaml", SWEEP),
}


def terminal_text(name: str, width: int, folder: Path) -> str:
    """What the command prints for case ``name`` at ``width`` columns, timings masked."""
    make_input, extra = CASES[name]
    command = "sweep" if name.startswith("sweep-") else "analyze"
    result = CliRunner().invoke(app, [command, str(make_input(folder)), *extra],
                                env={"COLUMNS": str(width), "NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    text = TIMINGS.sub("load _s · build _s · frontier _s · solutions _s", result.stdout)
    return SWEEP_TIMING.sub("sweep _s", text)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_analyze_prints_the_kept_text(name: str, width: int, tmp_path: Path) -> None:
    expected = (KEPT / f"{name}-{width}.txt").read_text(encoding="utf-8")
    assert terminal_text(name, width, tmp_path) == expected


def test_the_cases_show_every_table() -> None:
    texts = "\n".join(p.read_text(encoding="utf-8") for p in KEPT.glob("*-120.txt"))
    for title in ("Actors", "Issues", "Claims (the branch analysed)", "Bargaining solutions",
                  "Tied packages", "Pareto frontier (first 3 of", "packages alike",
                  "Pareto frontier: not computed", "What blocks a deal", "; first 2 of",
                  "Objections", "No package is acceptable", "closest packages",
                  "Claim branches", "load _s", "Probability of agreement",
                  "assumed zelensky-referendum=false", "Claims: probability of being true",
                  "Which red line blocks most often", "Leading packages",
                  "Forecast (compromise) per issue", "Sensitivity", "sweep _s"):
        assert title in texts, title


NARROW = 80
GENIUS = sorted(p for p in (ROOT / "tests" / "data" / "genius").glob("anac_*") if p.is_dir())
SCENARIOS = sorted(p for p in EXAMPLES.glob("*.yaml") if "actors:" in p.read_text("utf-8"))
CUT_NOTE = re.compile(r"(--[a-z-]+) ([0-9,]+) shows all")


def _run(args: list[str], width: int = NARROW) -> str:
    result = CliRunner().invoke(app, args,
                                env={"COLUMNS": str(width), "NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    return result.stdout


def _legend(text: str) -> dict[str, str]:
    """The compact layout's legend: abbreviation -> the rest of its first line."""
    start = text.index("Issues (abbreviations used below)")
    rows = {}
    for line in text[start:].splitlines()[4:]:
        if line.startswith("└"):
            return rows
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[0]:
            rows[cells[0]] = cells[1]
    raise AssertionError("the legend table does not end")


def _package_headers(text: str) -> list[list[str]]:
    """The issue abbreviations named by every compact package header, in order."""
    return [m.split("/") for m in re.findall(r"\((\w+(?:/\w+)*)\)", text.replace("\n┃", ""))
            if "/" in m]


@pytest.mark.parametrize("path", [*SCENARIOS, *GENIUS], ids=lambda p: p.name)
def test_no_line_is_wider_than_a_narrow_terminal(path: Path) -> None:
    commands = [["analyze", str(path)]]
    if path.suffix == ".yaml":
        commands.append(["sweep", str(path), *SWEEP])
    for command in commands:
        text = _run(command)
        wide = [line for line in text.splitlines() if len(line) > NARROW]
        assert not wide, (command, wide)
        assert "Issues (abbreviations used below)" in text


@pytest.mark.parametrize("path", [*SCENARIOS, *GENIUS], ids=lambda p: p.name)
def test_the_legend_names_every_abbreviation_used(path: Path) -> None:
    from redline import pipeline
    from redline.report.terminal import issue_abbreviations

    domain = pipeline.load(path).require_domain()
    expected = issue_abbreviations([i.id for i in domain.issues])
    text = _run(["analyze", str(path)])
    legend = _legend(text)
    assert list(legend) == list(expected.values())
    for issue in domain.issues:  # each abbreviation stands for its issue's name
        assert legend[expected[issue.id]].startswith(issue.name.split()[0])
    headers = _package_headers(text)
    assert headers, "no compact package column"
    for used in headers:
        assert used == list(expected.values())


def test_the_wide_layout_keeps_full_labels_and_no_legend() -> None:
    text = _run(["analyze", str(EXAMPLES / "donbas-2026.yaml")], width=120)
    assert "Issues (abbreviations used below)" not in text
    assert "package (donbas / guarantees / weapons / zaporizhzhia / referendum)" in text


@given(st.lists(st.text(alphabet="abcdeABC-_1 .", min_size=1, max_size=12), min_size=1,
                max_size=30, unique=True))
def test_issue_abbreviations_are_unique_and_short(ids: list[str]) -> None:
    from redline.report.terminal import issue_abbreviations

    short = issue_abbreviations(ids)
    assert list(short) == ids
    assert len(set(short.values())) == len(ids)
    assert all(len(a) <= 6 for a in short.values()) or len(ids) > 10
    assert issue_abbreviations(ids) == short  # deterministic


@given(st.lists(st.text(alphabet="ab-c ", min_size=1, max_size=10), min_size=1, max_size=12,
                unique=True), st.integers(2, 12))
def test_short_labels_never_make_two_options_alike(labels: list[str], chars: int) -> None:
    from redline.report.terminal import short_labels

    shown = short_labels(labels, chars)
    assert len(set(shown.values())) == len(labels)
    for label, text in shown.items():  # a prefix of the label, or the label itself
        assert text == label or (text.endswith("…") and label.startswith(text[:-1]))


def _one_line(text: str) -> str:
    """``text`` with every run of white space as one space (titles wrap)."""
    return re.sub(r"\s+", " ", text)


def _flags(command: str) -> set[str]:
    return set(re.findall(r"--[a-z][a-z-]+", _run([command, "--help"], width=200)))


@pytest.mark.parametrize("width", WIDTHS)
def test_every_cut_table_says_so_and_names_a_flag_that_shows_all(width: int) -> None:
    donbas = str(EXAMPLES / "donbas-2026.yaml")
    runs = {"analyze": [["analyze", donbas, "--pareto-rows", "1", "--blocker-rows", "1"]],
            "sweep": [["sweep", donbas, *SWEEP, "--rows", "1"]]}
    for command, argument_lists in runs.items():
        flags = _flags(command)
        for args in argument_lists:
            text = _run(args, width)
            notes = CUT_NOTE.findall(_one_line(text))
            assert len(notes) >= (2 if command == "analyze" else 3), text
            for flag, count in notes:
                assert flag in flags, flag
                # the flag with the count named shows that table whole: its note is gone
                index = args.index(flag) if flag in args else None
                again = list(args)
                if index is None:
                    again += [flag, count.replace(",", "")]
                else:
                    again[index + 1] = count.replace(",", "")
                assert f"{flag} {count} shows all" not in _one_line(_run(again, width))


def test_the_sweep_tables_are_cut_by_rows_and_it_is_checked() -> None:
    donbas = str(EXAMPLES / "donbas-2026.yaml")
    text = _run(["sweep", donbas, *SWEEP, "--rows", "2"], width=120)
    assert "first 2 of 12 rules; --rows 12 shows all" in text
    result = CliRunner().invoke(app, ["sweep", donbas, *SWEEP, "--rows", "0"])
    assert result.exit_code == 2
    assert "--rows" in result.output and "Traceback" not in result.output


if __name__ == "__main__":  # rewrite the kept texts
    import tempfile

    KEPT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for case in sorted(CASES):
            for columns in WIDTHS:
                out = KEPT / f"{case}-{columns}.txt"
                out.write_text(terminal_text(case, columns, Path(scratch)), encoding="utf-8")
                sys.stdout.write(f"{out}\n")
