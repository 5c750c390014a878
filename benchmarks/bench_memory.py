"""Peak memory and time of a 10^8-package, 3-party analysis (bounded-memory chunked scan).

Usage: python benchmarks/bench_memory.py [--packages N] [--memory-mb MB]
Prints packages, seconds, peak resident memory (MB), frontier size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_domain  # noqa: E402

from redline.space.engine import _analyze  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=10**8)
    parser.add_argument("--parties", type=int, default=3)
    parser.add_argument("--memory-mb", type=float, default=512)
    parser.add_argument("--scan", action="store_true",
                        help="evaluate every package (as when rules or outside options bind)")
    args = parser.parse_args()
    domain = synthetic_domain(args.packages, args.parties, seed=7)
    t0 = time.perf_counter()
    result = _analyze(domain, memory_mb=args.memory_mb, scan=args.scan)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"packages={domain.n_packages:,} parties={args.parties} scan={args.scan} "
          f"seconds={seconds:.1f} "
          f"peak_rss_mb={peak_mb:.0f} frontier={result.pareto_packages:,} "
          f"acceptable={result.acceptable_count:,}")


if __name__ == "__main__":
    main()
