"""What the CLI, the report and the web app print for the bundled examples, kept as files.

A redesign may move code between modules but must not change an answer. Each case below runs
one command (in-process) or one web run and normalises its output: timings are dropped (they
are the only part that varies between runs), and the report loses the plotly.js bundle (the
same 4.8 MB vendored file every time). ``tests/test_golden.py`` compares every case with the
file written from main before the redesign; ``python tests/golden.py`` rewrites the files,
which is only right when an answer is meant to change (say why in the commit).

Numbers compare within ``GOLDEN_RTOL`` (relative, or absolute below 1): the files were written
on one CPU, and BDM's exp/log may differ in the last bits on another (``bdm.ENGINE_RTOL``).
That includes the numbers plotly writes as base64 typed arrays (``{"dtype": "f8", "bdata":
...}``): they are decoded to numbers before the comparison, so one last bit of a float is not a
changed text.
"""

from __future__ import annotations

import base64
import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data"
GOLDEN_RTOL = 1e-9
DONBAS = EXAMPLES / "donbas-2026.yaml"
CAMP_DAVID = EXAMPLES / "camp-david-1978.yaml"
DIVORCE = EXAMPLES / "divorce-points.yaml"
GENIUS = DATA / "genius" / "anac_y2010_Travel"
KTAB = DATA / "ktab" / "dummyData_3Dim.csv"
DEU = DATA / "deu3" / "deu3_synthetic.tsv"
MODELS = ("compromise", "mean", "median", "median-unweighted", "nash", "bdm", "bdm-scholz",
          "best", "smp")


def _cli(*args: str | Path) -> str:
    from typer.testing import CliRunner

    from redline.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exit_code != 0:
        raise AssertionError(f"redline {' '.join(map(str, args))} exited {result.exit_code}: "
                             f"{result.output}")
    return result.stdout


def _without_timings(value):
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in ("timings",
                                                                                "seconds")}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def _json(*args: str | Path) -> Callable[[], object]:
    return lambda: _without_timings(json.loads(_cli(*args)))


def _report(*args: str | Path) -> Callable[[], str]:
    def run() -> str:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.html"
            _cli("report", *args, "-o", out)
            html = out.read_text(encoding="utf-8")
        html = re.sub(r"/\*\*\s*\* plotly\.js.*?</script>", "PLOTLY.JS</script>", html,
                      count=1, flags=re.S)
        return html.replace(str(ROOT), "ROOT")
    return run


def _web(path: Path, **settings) -> Callable[[], object]:
    def run() -> object:
        from redline.scenario.load import load_scenario
        from redline.web.runner import Settings, run_scenario

        return _without_timings(run_scenario(load_scenario(path), Settings(**settings)).results)
    return run


CASES: dict[str, Callable[[], object]] = {
    "analyze-donbas.json": _json("analyze", DONBAS, "--json"),
    "analyze-donbas-ft-true.json": _json("analyze", DONBAS, "--json", "--assume",
                                         "ft-guarantees-for-donbas=true"),
    "analyze-camp-david.json": _json("analyze", CAMP_DAVID, "--json"),
    "analyze-genius-travel.json": _json("analyze", GENIUS, "--json"),
    **{f"forecast-donbas-{m}.json": _json("forecast", DONBAS, "--model", m, "--json")
       for m in MODELS},
    **{f"forecast-camp-david-{m}.json": _json("forecast", CAMP_DAVID, "--model", m, "--json")
       for m in MODELS},
    "forecast-ktab-smp.json": _json("forecast", KTAB, "--model", "smp", "--json"),
    "forecast-ktab-bdm.json": _json("forecast", KTAB, "--model", "bdm", "--json"),
    "forecast-deu-compromise.json": _json("forecast", DEU, "--model", "compromise", "--json"),
    # The Donbas sweeps on the prior (--prior ignores the rounds): the answers kept before the
    # example had rounds, unchanged. sweep-donbas-posterior.json is the same sweep on the rounds.
    "sweep-donbas.json": _json("sweep", DONBAS, "--draws", "400", "--seed", "7", "--json",
                               "--no-progress", "--prior"),
    "sweep-donbas-ft-false-mean.json": _json(
        "sweep", DONBAS, "--draws", "300", "--seed", "3", "--assume",
        "ft-guarantees-for-donbas=false", "--model", "mean", "--json", "--no-progress",
        "--prior"),
    "sweep-donbas-smp.json": _json("sweep", DONBAS, "--draws", "40", "--seed", "1", "--model",
                                   "smp", "--json", "--no-progress", "--prior"),
    "sweep-donbas-posterior.json": _json("sweep", DONBAS, "--draws", "400", "--seed", "7",
                                         "--json", "--no-progress"),
    "sweep-camp-david.json": _json("sweep", CAMP_DAVID, "--draws", "300", "--json",
                                   "--no-progress"),
    "divide-divorce.json": _json("divide", DIVORCE, "--json"),
    "report-donbas.html": _report(DONBAS, "--draws", "200"),
    "report-genius-laptop.html": _report(DATA / "genius" / "anac_y2012_LaptopA"),
    "web-donbas.json": _web(DONBAS),
    "web-donbas-smp.json": _web(DONBAS, model="smp", draws=200, seed=5),
    "web-camp-david.json": _web(CAMP_DAVID, model="bdm"),
}


def serialise(value: object) -> str:
    """The file form of a case's output."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=1, sort_keys=True, allow_nan=True) + "\n"


_NUMBER = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?|-?\d+[eE][-+]?\d+")


_TYPED_ARRAY = re.compile(r'\{"dtype":\s*"([a-z]\d)",\s*"bdata":\s*"([A-Za-z0-9+/=]*)"')


def _decoded_arrays(text: str) -> str:
    """``text`` with plotly's base64 typed arrays written out as numbers (``repr`` of each)."""
    import numpy as np

    def numbers(match: re.Match) -> str:
        values = np.frombuffer(base64.b64decode(match.group(2)), dtype="<" + match.group(1))
        kind = "float" if values.dtype.kind == "f" else "int"
        return '{"dtype": "' + match.group(1) + '", "' + kind + 's": [' + \
            ", ".join(repr(float(v)) if kind == "float" else str(int(v)) for v in values) + "]"
    return _TYPED_ARRAY.sub(numbers, text)


def differences(expected: str, actual: str, limit: int = 5) -> list[str]:
    """Where ``actual`` differs from ``expected``: text exactly, numbers within GOLDEN_RTOL
    (plotly's typed arrays decoded to numbers first)."""
    out = []
    expected, actual = _decoded_arrays(expected), _decoded_arrays(actual)
    exp_parts, act_parts = _NUMBER.split(expected), _NUMBER.split(actual)
    exp_nums, act_nums = _NUMBER.findall(expected), _NUMBER.findall(actual)
    if exp_parts != act_parts or len(exp_nums) != len(act_nums):
        for k, (e, a) in enumerate(zip(exp_parts, act_parts, strict=False)):
            if e != a:
                return [f"text differs near {expected[:sum(map(len, exp_parts[:k])) + 1][-80:]!r}"
                        f": expected {e[:120]!r}, got {a[:120]!r}"]
        return [f"different length: expected {len(exp_parts)} parts, got {len(act_parts)}"]
    for k, (e, a) in enumerate(zip(exp_nums, act_nums, strict=True)):
        x, y = float(e), float(a)
        if not math.isclose(x, y, rel_tol=GOLDEN_RTOL, abs_tol=GOLDEN_RTOL):
            context = exp_parts[k][-60:]
            out.append(f"number {k}: expected {e}, got {a} (after {context!r})")
            if len(out) >= limit:
                break
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    GOLDEN.mkdir(parents=True, exist_ok=True)
    names = sys.argv[1:] or list(CASES)
    for name in names:
        (GOLDEN / name).write_text(serialise(CASES[name]()), encoding="utf-8")
        print("wrote", name)
