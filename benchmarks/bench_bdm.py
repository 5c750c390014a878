"""Time Bueno de Mesquita's model on many random runs (Monte Carlo style).

Usage::

    python benchmarks/bench_bdm.py [--runs 10000] [--actors 30] [--rounds 10] [--repeat 3]
                                   [--workers 1,2] [--dtypes float64,float32]
                                   [--engines numpy,numba]

Each configuration runs ``run_batch`` on ``runs`` independent issues of ``actors`` actors
(capability, salience uniform on [0, 1], positions uniform on [0, 100], seed 0) for ``rounds``
rounds, ``repeat`` times, and prints the best wall time, the mean, the process CPU time of the
best repeat (all threads; on a shared machine it is steadier than the wall time) and the wall
time per run. Also prints the per-dimension ``run`` call on the EC car-emissions example.

``--engines`` picks the engines (``numpy``, ``numba``; the numba engine is float64 only, other
dtypes are skipped for it). Numba timings are warm: before the timed repeats each numba
configuration runs once on a few issues, and the time of the first such call in the process
(importing numba, then compiling the kernel or loading it from numba's on-disk cache) is
printed separately.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from redline.forecast.bdm import BDM2002Model, BDMScholzModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--actors", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--chunk-size", type=int, default=64)
    parser.add_argument("--engines", default="numpy")
    args = parser.parse_args()
    engines = args.engines.split(",")

    rng = np.random.default_rng(0)
    shape = (args.runs, args.actors)
    c, s, x = rng.random(shape), rng.random(shape), 100.0 * rng.random(shape)
    print(f"BDM run_batch: {args.runs} runs x {args.actors} actors x {args.rounds} rounds; "
          f"numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    if "numba" in engines:
        start = time.perf_counter()
        BDMScholzModel(rounds=1, engine="numba").run_batch(c[:2], x[:2], s[:2])
        serial = time.perf_counter() - start
        start = time.perf_counter()
        BDMScholzModel(rounds=1, engine="numba", workers=2).run_batch(c[:2], x[:2], s[:2])
        print(f"numba first calls: {serial:.2f} s serial kernel (numba import + compile or "
              f"cache load), {time.perf_counter() - start:.2f} s parallel kernel")
    print(f"| {'model':11s} | {'engine':6s} | {'dtype':7s} | {'workers':>7s} | {'best s':>7s} | "
          f"{'mean s':>7s} | {'CPU s':>7s} | {'us/run':>7s} |")
    print(f"|{'-' * 13}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    for model_cls in (BDMScholzModel, BDM2002Model):
        for engine, dtype in ((e, d) for e in engines for d in args.dtypes.split(",")):
            if engine == "numba" and dtype != "float64":
                continue
            for workers in (int(w) for w in args.workers.split(",")):
                model = model_cls(rounds=args.rounds, dtype=dtype, workers=workers,
                                  chunk_size=args.chunk_size, engine=engine)
                if engine == "numba":  # warm-up: keep compilation out of the timings
                    model.run_batch(c[:4], x[:4], s[:4])
                times, cpu = [], []
                for _ in range(args.repeat):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    model.run_batch(c, x, s)
                    times.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - start_cpu)
                best = min(times)
                print(f"| {model.name:11s} | {engine:6s} | {dtype:7s} | {workers:7d} | "
                      f"{best:7.2f} | "
                      f"{np.mean(times):7.2f} | {cpu[times.index(best)]:7.2f} | "
                      f"{1e6 * best / args.runs:7.0f} |", flush=True)
    # The small published case, through the per-issue entry point.
    cap = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
    pos = np.array([4, 7, 4, 4, 10, 10, 10, 7, 4, 7], dtype=float)
    sal = np.array([0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7])
    for engine in engines:
        model = BDMScholzModel(rounds=10, engine=engine)
        model.run(cap, pos, sal)
        start = time.perf_counter()
        for _ in range(100):
            model.run(cap, pos, sal)
        print(f"EC car emissions (10 actors, 10 rounds), BDMScholzModel.run, {engine}: "
              f"{(time.perf_counter() - start) * 10:.2f} ms per call")


if __name__ == "__main__":
    main()
