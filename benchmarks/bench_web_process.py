"""The web app's process views: time to answer the Rounds and Advise pages of a saved version.

The Donbas and Colombia examples are saved as versions in a temporary workspace (through the
app itself, FastAPI's TestClient, in-process: no network), then each page is requested
``--repeat`` times at ``--draws`` draws; the pipeline call alone
(:func:`redline.pipeline.run_update` / :func:`redline.pipeline.run_advise`) is timed beside
it, so the difference is the app's own share (parsing, templates, figure JSON).

Usage: python benchmarks/bench_web_process.py [--draws N] [--repeat R]
Prints a markdown table (best of R, milliseconds).
"""

from __future__ import annotations

import argparse
import html
import os
import platform
import re
import shutil
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from redline.pipeline import load, run_advise, run_update
from redline.scenario.load import parse_scenario
from redline.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
CASES = (("donbas-2026", "ukraine"), ("colombia-2016", "government"))


def best_ms(call, repeat: int) -> float:
    """The fastest of ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        ws.mkdir()
        for name, _ in CASES:
            shutil.copy(ROOT / "examples" / f"{name}.yaml", ws)
        with TestClient(create_app(ws, f"sqlite:///{tmp}/history.sqlite3"),
                        base_url="http://127.0.0.1") as client:
            for name, actor in CASES:
                page = client.get("/open", params={"path": f"{name}.yaml"}).text
                fields = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                  page).group(1),
                          "source": f"{name}.yaml", "note": "bench", "draws": str(args.draws),
                          "yaml_text": html.unescape(re.search(
                              r'<textarea name="yaml_text" hidden>\n(.*?)</textarea>', page,
                              re.S).group(1))}
                client.post("/save", data=fields)
                version = re.findall(r'href="/versions/(\d+)"',
                                     client.get(f"/history/{name}").text)[-1]
                loaded = load(parse_scenario(fields["yaml_text"].encode("utf-8"), name))
                views = [("rounds", f"/versions/{version}/rounds",
                          lambda loaded=loaded: run_update(loaded, draws=args.draws,
                                                           seed=0).to_dict())]
                for objective in ("accept", "value", "probe"):
                    views.append((f"advise {objective}",
                                  f"/versions/{version}/advise?actor={actor}"
                                  f"&objective={objective}",
                                  lambda o=objective, loaded=loaded, actor=actor: run_advise(
                                      loaded, actor, objective=o, draws=args.draws,
                                      seed=0).to_dict()))
                for view, url, pipeline_call in views:
                    def get(url=url):
                        assert client.get(url).status_code == 200, url

                    rows.append((name, view, best_ms(get, args.repeat),
                                 best_ms(pipeline_call, args.repeat)))
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Process views, {args.draws:,} draws, best of {args.repeat} "
          f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {load_avg:.1f})\n")
    print("| scenario | view | page (ms) | pipeline alone (ms) |")
    print("|---|---|---:|---:|")
    for name, view, page_ms, core_ms in rows:
        print(f"| {name} | {view} | {page_ms:,.0f} | {core_ms:,.0f} |")


if __name__ == "__main__":
    main()
