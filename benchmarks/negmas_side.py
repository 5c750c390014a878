"""The NegMAS side of the benchmarks. Runs inside benchmarks/.negmas-venv (negmas 0.16).

Usage: python negmas_side.py FOLDER [--raw]
Prints JSON: seconds for pareto_frontier and nash_points, and the frontier's outcome indices.

By default each linear-additive ufun is rebuilt with Genius semantics (discrete evaluations
divided by the issue's maximum) as in tests/data/genius/README.md, so the utilities match
Redline's; --raw keeps NegMAS's own loading.
"""

import json
import sys
import time

from negmas.inout import Scenario
from negmas.preferences import LinearAdditiveUtilityFunction
from negmas.preferences.ops import nash_points, pareto_frontier
from negmas.preferences.value_fun import TableFun


def genius_semantics(ufun, issues):
    values = []
    for fun, issue in zip(ufun.values, issues, strict=True):
        table = {v: float(fun(v)) for v in issue.all}
        top = max(table.values())
        values.append(TableFun({k: (x / top if top >= 1e-5 else 0.0) for k, x in table.items()}))
    return LinearAdditiveUtilityFunction(values=values, weights=ufun.weights, issues=issues,
                                         reserved_value=ufun.reserved_value)


def main() -> None:
    folder = sys.argv[1]
    raw = "--raw" in sys.argv
    scenario = Scenario.load(folder, ignore_discount=True, load_stats=False, load_info=False)
    issues = scenario.outcome_space.issues
    ufuns = list(scenario.ufuns)
    if not raw:
        ufuns = [genius_semantics(u, issues) for u in ufuns]
    t0 = time.perf_counter()
    frontier, indices = pareto_frontier(ufuns, issues=issues)
    t1 = time.perf_counter()
    nash = nash_points(ufuns, frontier, issues=issues)
    t2 = time.perf_counter()
    print(json.dumps({
        "pareto_seconds": t1 - t0,
        "nash_seconds": t2 - t1,
        "frontier_size": len(indices),
        "frontier_indices": sorted(int(i) for i in indices),
        "nash": [list(p[0]) for p in nash],
    }))


if __name__ == "__main__":
    main()
