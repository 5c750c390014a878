"""Redline's agreement-space analysis side by side with NegMAS 0.16, in one run.

For each domain: Redline's ``analyze`` (utilities, masks, exact Pareto frontier and all four
solutions) against NegMAS's ``pareto_frontier`` plus ``nash_points``, run in its own virtual
environment (``benchmarks/.negmas-venv``; create it with ``python3 -m venv
benchmarks/.negmas-venv && benchmarks/.negmas-venv/bin/pip install negmas==0.16.0``).

Frontiers are compared on the synthetic domains, where the two definitions coincide (every
outcome is rational and ties are improbable): the sets of frontier outcomes must be identical.

The Genius domains are those in ``tests/data/genius`` (``--genius DIR`` for another folder of
domain folders; a domain is a folder with a ``reference.json``).

Usage: python benchmarks/bench_analyze.py [--quick] [--skip-negmas] [--negmas-timeout S]
       [--genius DIR]
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import synthetic_domain  # noqa: E402

from redline.io.genius import read_genius_folder, write_genius_folder  # noqa: E402
from redline.space.engine import analyze  # noqa: E402

NEGMAS_PYTHON = HERE / ".negmas-venv" / "bin" / "python"
GENIUS = ROOT / "tests" / "data" / "genius"


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def negmas(folder: Path, timeout: float) -> dict | None:
    if not NEGMAS_PYTHON.exists():
        return None
    try:
        run = subprocess.run([str(NEGMAS_PYTHON), str(HERE / "negmas_side.py"), str(folder)],
                             capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if run.returncode != 0:
        return {"error": run.stderr.strip().splitlines()[-1]}
    return json.loads(run.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small synthetic sizes only")
    parser.add_argument("--skip-negmas", action="store_true")
    parser.add_argument("--negmas-timeout", type=float, default=600)
    parser.add_argument("--genius", type=Path, default=GENIUS,
                        help="folder of Genius domain folders (default: tests/data/genius)")
    args = parser.parse_args()

    cases: list[tuple[str, Path, bool]] = []
    tmp = Path(tempfile.mkdtemp(prefix="redline-bench-"))
    if args.genius.is_dir():
        for folder in sorted(args.genius.iterdir()):
            if (folder / "reference.json").exists():
                cases.append((folder.name, folder, False))
    sizes = [10**4, 10**5] if args.quick else [10**4, 10**5, 10**6, 10**7]
    for parties in (2, 3, 5):
        for size in sizes:
            domain = synthetic_domain(size, parties, seed=parties * 1000 + len(str(size)))
            folder = tmp / domain.name
            write_genius_folder(domain, folder)
            cases.append((f"synthetic {parties}p 1e{len(str(size)) - 1}", folder, True))

    print(f"machine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    print("| domain | parties | packages | frontier | Redline s | NegMAS s | speed-up | "
          "same frontier |")
    print("|---|---|---|---|---|---|---|---|")
    for name, folder, compare in cases:
        domain = read_genius_folder(folder)
        repeat = 3 if domain.n_packages <= 10**6 else 1
        ours_s, result = best_of(lambda d=domain: analyze(d), repeat)
        theirs = None if args.skip_negmas else negmas(folder, args.negmas_timeout)
        if theirs is None:
            neg_s, speed, same = "-", "-", "-"
        elif "timeout" in theirs:
            neg_s, speed, same = f"> {theirs['timeout']:.0f}", \
                f"> {theirs['timeout'] / ours_s:.0f}×", "-"
        elif "error" in theirs:
            neg_s, speed, same = "error", "-", theirs["error"][:40]
        else:
            total = theirs["pareto_seconds"] + theirs["nash_seconds"]
            neg_s, speed = f"{total:.3f}", f"{total / ours_s:.0f}×"
            same = (str(sorted(result.pareto_indices.tolist()) == theirs["frontier_indices"])
                    if compare else "see note")
        print(f"| {name} | {domain.n_actors} | {domain.n_packages:,} | "
              f"{result.pareto_packages:,} | {ours_s:.3f} | {neg_s} | {speed} | {same} |",
              flush=True)


if __name__ == "__main__":
    main()
