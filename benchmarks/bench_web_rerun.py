"""The web app's rerun, click to every figure updated, for Donbas in headless Chromium.

Runs the browser test ``test_time_from_rerun_to_every_figure_updated_is_measured``
(tests/web/test_web_browser.py: 15 reruns with a changed salience, 15 with unchanged inputs) in
a fresh process for each checkout given, alternating the checkouts for ``--rounds`` rounds so
that each sees the same load, and prints a markdown table of the medians it wrote
(``web-rerun.json``): the total, the first part of the answer (the deal space and forecast
figures, which the page draws while the server sweeps), the whole answer (post, server,
JSON.parse) and the draw after it (swap and ``Plotly.react`` of the figures still to draw),
with the load average around each run. A checkout whose test predates a part shows "–".

Usage: python benchmarks/bench_web_rerun.py [CHECKOUT ...] [--rounds N]
(default: this checkout; e.g. a worktree of the commit before a change, then this one).
Needs Chromium at /usr/bin/chromium and playwright (the test extra).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = ("tests/web/test_web_browser.py::"
        "test_time_from_rerun_to_every_figure_updated_is_measured")


def run_once(checkout: Path) -> dict:
    """One run of the browser test in ``checkout`` (its own ``src`` first on the path)."""
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "PYTHONPATH": str(checkout / "src"), "REDLINE_BENCH_OUT": out}
        before = os.getloadavg()[0]
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               TEST], cwd=checkout, env=env, capture_output=True, text=True)
        after = os.getloadavg()[0]
        path = Path(out) / "web-rerun.json"
        if done.returncode != 0 or not path.exists():
            raise SystemExit(f"{checkout}: the browser test failed:\n{done.stdout[-2000:]}")
        result = json.loads(path.read_text(encoding="utf-8"))
    result["load"] = (before, after)
    return result


def cell(result: dict, key: str) -> str:
    value = result.get(key)
    return "–" if value is None else f"{value:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="*", type=Path, default=[ROOT])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for k in range(args.rounds):
        for checkout in args.checkouts:
            rows.append((checkout, k + 1, run_once(checkout.resolve())))
    print("| checkout | round | changed: total ms | first part | answer | draw "
          "| figures redrawn | unchanged: total ms | answer | draw | load average |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for checkout, k, r in rows:
        print(f"| {checkout.name} | {k} | {cell(r, 'median_ms_changed_input')} "
              f"| {cell(r, 'median_ms_first_changed')} "
              f"| {cell(r, 'median_ms_answer_changed')} | {cell(r, 'median_ms_draw_changed')} "
              f"| {cell(r, 'median_redrawn_changed')} | {cell(r, 'median_ms_unchanged_input')} "
              f"| {cell(r, 'median_ms_answer_unchanged')} "
              f"| {cell(r, 'median_ms_draw_unchanged')} "
              f"| {r['load'][0]:.1f}–{r['load'][1]:.1f} |")


if __name__ == "__main__":
    main()
