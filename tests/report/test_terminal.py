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


if __name__ == "__main__":  # rewrite the kept texts
    import tempfile

    KEPT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for case in sorted(CASES):
            for columns in WIDTHS:
                out = KEPT / f"{case}-{columns}.txt"
                out.write_text(terminal_text(case, columns, Path(scratch)), encoding="utf-8")
                sys.stdout.write(f"{out}\n")
