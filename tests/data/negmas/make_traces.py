"""Write NegMAS 0.16 reference traces of deterministic SAO matchups on the Genius domains.

Runs ONLY in the NegMAS virtual environment (it imports negmas, which Redline never does)::

    benchmarks/.negmas-venv/bin/python tests/data/negmas/make_traces.py
    benchmarks/.negmas-venv/bin/python tests/data/negmas/make_traces.py --strategies

For every two-party domain of ``tests/data/genius`` it writes ``tests/data/negmas/<domain>.json.gz``
(gzip with a zero timestamp, so a rerun on the same machine writes the same bytes). The format is
documented in ``tests/data/negmas/README.md``; in short:

* ``issues``: names and values in NegMAS's (= the XML's) order. Outcome ``k`` is the mixed-radix
  number of the value positions, the first issue most significant (``itertools.product`` order).
* ``ufuns``: NegMAS's own utility function of each profile as ``Scenario.load(folder,
  ignore_discount=True)`` builds it, as the recipe ``u = bias; u += w_i * table_i[v_i]`` for
  i = 0, 1, ... (exactly NegMAS's ``LinearAdditiveUtilityFunction.eval``, so replaying it with
  float64 additions in that order gives the same bits), its reservation value, and the full
  utility table of every outcome when the domain has at most ``FULL_TABLE_MAX`` outcomes. The
  script checks that the recipe reproduces NegMAS's values bit for bit.
* ``ufuns[p]["sorted"]``: the orders NegMAS's presorting inverter sorted the outcomes in
  (``rational``: those worth at least the reservation value, ``all``: every outcome), read from
  the inverter itself. ``numpy.argsort``'s default sort orders equal utilities by the CPU's
  instruction set, so the orders are recorded, compactly: only the permutation inside each
  group of equal utilities (``within_ties``, see :func:`tie_permutation`), with the leaders
  (``first_of_ties``) and a digest of the whole order (``sha256``) as checks.
* ``runs``: one per matchup, step budget and role order, with every offer (step, who, outcome),
  the agreement (outcome or null), the step it was reached at, and both utilities.

The matchups are the issue's: Boulware-Conceder, Boulware-Boulware, Linear-Conceder,
Aspiration-naive tit-for-tat, each with ``n_steps`` 100 and 1000, in every role order (which
strategy gets which profile x which profile moves first; duplicates of a symmetric matchup are
dropped).

``--strategies`` writes ``tests/data/negmas/strategies/<domain>.json.gz`` instead (same format):
the behaviour-dependent strategies NegMAS 0.16 has, MiCRO (``MiCRONegotiator``) and Nice Tit
for Tat (``NiceTitForTatNegotiator``, its default frequency opponent model), against themselves,
Boulware and Conceder (:data:`STRATEGY_MATCHUPS`). Nice Tit for Tat runs only on domains of at
most ``FULL_TABLE_MAX`` outcomes and with ``n_steps`` 100 (NegMAS rebuilds a Pareto frontier in
Python every round: minutes per negotiation beyond that). MiCRO repeats
a random earlier offer when it is not ready to concede (``random.choice`` of a set of outcomes),
so the script re-runs itself with ``PYTHONHASHSEED=0`` to make the set's order, and the
traces, reproducible; each run records which of MiCRO's offers were such random repeats
(``random_repeats``: indices into ``offers``, among two or more earlier offers).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import itertools
import json
import math
import os
import random
import sys
from pathlib import Path

import negmas
import numpy as np
from negmas.inout import Scenario
from negmas.preferences.inv_ufun import PresortingInverseUtilityFunction
from negmas.sao import SAOMechanism
from negmas.sao.negotiators import (
    AspirationNegotiator,
    BoulwareTBNegotiator,
    ConcederTBNegotiator,
    LinearTBNegotiator,
    MiCRONegotiator,
    NaiveTitForTatNegotiator,
    NiceTitForTatNegotiator,
)

HERE = Path(__file__).resolve().parent
GENIUS = HERE.parent / "genius"
# Domains above this many outcomes keep only the recipe (per-issue tables), not the full tables.
FULL_TABLE_MAX = 5000
STEP_BUDGETS = (100, 1000)
# Strategy name -> (NegMAS class, keyword arguments); all deterministic (no stochastic choice).
STRATEGIES = {
    "boulware": (BoulwareTBNegotiator, {}),
    "linear": (LinearTBNegotiator, {}),
    "conceder": (ConcederTBNegotiator, {}),
    "aspiration": (AspirationNegotiator, {}),
    "naive_tft": (NaiveTitForTatNegotiator, {}),
    "micro": (MiCRONegotiator, {}),
    "nice_tft": (NiceTitForTatNegotiator, {}),
}
MATCHUPS = (("boulware", "conceder"), ("boulware", "boulware"), ("linear", "conceder"),
            ("aspiration", "naive_tft"))
STRATEGY_MATCHUPS = (("micro", "micro"), ("micro", "boulware"), ("micro", "conceder"),
                     ("nice_tft", "nice_tft"), ("nice_tft", "boulware"),
                     ("nice_tft", "conceder"))
# Strategies NegMAS runs too slowly on large domains or long negotiations (a Pareto frontier
# per round, in Python): only domains of at most FULL_TABLE_MAX outcomes, and 100 steps.
SMALL_DOMAINS_ONLY = {"nice_tft"}


def outcome_index(outcome, positions: list[dict], radix: list[int]) -> int:
    """The index of ``outcome`` in the documented order (first issue most significant)."""
    index = 0
    for value, where, size in zip(outcome, positions, radix, strict=True):
        index = index * size + where[value]
    return index


def recipe(ufun, issues) -> dict:
    """NegMAS's linear-additive utility function as bias, weights and per-issue tables."""
    tables = [[float(fun(v)) for v in issue.all] for fun, issue in zip(ufun.values, issues,
                                                                     strict=True)]
    return {"name": ufun.name, "reserved_value": float(ufun.reserved_value),
            "bias": float(ufun._bias), "weights": [float(w) for w in ufun.weights],
            "tables": tables}


def sort_fingerprint(order: np.ndarray) -> str:
    """SHA-256 of an outcome order (int64, little-endian)."""
    return hashlib.sha256(order.astype("<i8").tobytes()).hexdigest()


def inverter_order(ufun, rational_only: bool, positions, radix) -> np.ndarray:
    """The outcomes (indices) in the order NegMAS's presorting inverter sorted them: of those
    worth at least the reservation value when ``rational_only`` (the TB negotiators'
    inverter), else of all (``ufun.invert()``'s)."""
    inverter = PresortingInverseUtilityFunction(ufun, rational_only=rational_only)
    inverter.init()
    kept = inverter.outcomes[:inverter._last_rational + 1]
    return np.array([outcome_index(o, positions, radix) for o in kept], dtype=np.int64)


def tie_permutation(order: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``order`` (of outcomes sorted by ``u``) as the permutation inside its ties.

    With ``stable`` the same outcomes sorted by utility then index, and the groups of two or
    more equal utilities taken by ascending utility, entry ``j`` of a group starting at position
    ``s`` says that ``order[s + j] == stable[s + perm[j]]``; outcomes without a tie are left
    out (their place is their utility's). Concatenated over the groups.
    """
    stable = np.sort(order)[np.argsort(u[np.sort(order)], kind="stable")]
    values = u[stable]
    if not (u[order] == values).all():
        raise AssertionError("the order is not sorted by utility")
    starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
    sizes = np.diff(np.append(starts, len(values)))
    where = np.empty(u.shape[0], dtype=np.int64)
    where[stable] = np.arange(len(stable))
    perm = where[order] - np.repeat(starts, sizes)
    return perm[np.repeat(sizes > 1, sizes)]


def negmas_sort(u: np.ndarray, reserved: float, order: np.ndarray,
                rational_only: bool) -> dict:
    """How NegMAS's presorting inverter ordered the outcomes (``order``, read from it).

    The inverter sorts ``u[kept]`` (``kept``: the outcomes worth at least the reservation value,
    in grid order; all of them when not ``rational_only``) with ``np.argsort``'s default,
    unstable sort, which the script checks. Among outcomes of equal utility it always offers
    the first in that order (its cycling among ties is a no-op in 0.16), but MiCRO and the
    tit-for-tat walk it further, and the order among equal keys depends on the CPU's
    instruction set; so the whole order is recorded as its permutation inside the ties
    (``within_ties``: base64 of little-endian unsigned integers of ``within_ties_dtype``, see
    :func:`tie_permutation`). ``first_of_ties`` lists the leading outcome of every group of two
    or more equal utilities and ``sha256`` fingerprints the whole order (int64), as checks.
    """
    kept = np.nonzero(u >= reserved)[0] if rational_only else np.arange(u.shape[0])
    if not np.array_equal(order, kept[np.argsort(u[kept])]):
        raise AssertionError("NegMAS's inverter did not sort as np.argsort of the recipe")
    values = u[order]
    starts = np.concatenate([[True], values[1:] != values[:-1]])
    sizes = np.diff(np.append(np.nonzero(starts)[0], len(values)))
    leaders = order[np.nonzero(starts)[0][sizes > 1]]
    perm = tie_permutation(order, u)
    dtype = "<u2" if sizes.max(initial=0) <= np.iinfo(np.uint16).max + 1 else "<u4"
    return {"first_of_ties": sorted(int(k) for k in leaders), "sha256": sort_fingerprint(order),
            "within_ties_dtype": dtype,
            "within_ties": base64.b64encode(perm.astype(dtype).tobytes()).decode("ascii")}


def negmas_sorts(ufun, u: np.ndarray, reserved: float, positions, radix) -> dict:
    """Both of NegMAS's orders of one profile; ``rational``'s recorded once, as
    ``within_ties_as: "all"``, when it keeps every outcome (then it is the same sort)."""
    out = {kind: negmas_sort(u, reserved, inverter_order(ufun, kind == "rational", positions,
                                                          radix), kind == "rational")
           for kind in ("rational", "all")}
    if (u >= reserved).all():
        if out["rational"]["within_ties"] != out["all"]["within_ties"]:
            raise AssertionError("the same sort gave two orders")
        del out["rational"]["within_ties"], out["rational"]["within_ties_dtype"]
        out["rational"]["within_ties_as"] = "all"
    return out


def replay(entry: dict, radix: list[int]) -> np.ndarray:
    """Every outcome's utility from the recipe, with float64 additions in NegMAS's order."""
    grids = np.indices(radix).reshape(len(radix), -1)
    u = np.full(grids.shape[1], entry["bias"])
    for weight, table, grid in zip(entry["weights"], entry["tables"], grids, strict=True):
        u = u + weight * np.asarray(table)[grid]
    return u


class RecordingSAO(SAOMechanism):
    """NegMAS's SAO mechanism, recording every round's new offers with the round's step.

    ``full_trace`` is not used: when an agreement is the previous round's offer, it reports the
    offer under the accepting round's step.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recorded: list[tuple[int, str, tuple]] = []

    def __call__(self, state, action=None):
        result = super().__call__(state, action)
        step = self._current_state.step
        self.recorded.extend((step, nid, offer) for nid, offer in self._current_state.new_offers)
        return result


def load(folder: Path):
    """The domain as NegMAS loads it (raw evaluations, no discounting)."""
    return Scenario.load(folder, ignore_discount=True, load_stats=False, load_info=False)


def run(folder: Path, order: list[tuple[str, int]], n_steps: int, positions, radix) -> dict:
    """One SAO negotiation; ``order`` lists (strategy, profile) in the order of moving.

    Every run loads the domain afresh: a NegMAS utility function caches its inverter
    (``ufun.invert()``), and the tit-for-tat's minimal concession walks that inverter with
    ``next_worse()``, so a utility function shared between runs would carry one run's walk into
    the next.
    """
    random.seed(0)
    np.random.seed(0)
    scenario = load(folder)
    ufuns = list(scenario.ufuns)
    mechanism = RecordingSAO(outcome_space=scenario.outcome_space, n_steps=n_steps,
                             time_limit=None)
    ids = []
    for k, (strategy, profile) in enumerate(order):
        cls, kwargs = STRATEGIES[strategy]
        negotiator = cls(name=f"n{k}", **kwargs)
        mechanism.add(negotiator, ufun=ufuns[profile])
        ids.append(negotiator.id)
    state = mechanism.run()
    offers = [[int(step), ids.index(nid), outcome_index(offer, positions, radix)]
              for step, nid, offer in mechanism.recorded]
    agreement = state.agreement
    if agreement is None:
        utilities = [float(ufuns[p].reserved_value) for _, p in order]
        agreement_index = agreement_step = None
    else:
        utilities = [float(ufuns[p](agreement)) for _, p in order]
        agreement_index = outcome_index(agreement, positions, radix)
        agreement_step = int(state.step) - 1  # the round it was reached in
        if offers[-1][2] != agreement_index:
            raise AssertionError("the agreement is not the last offer")
    repeats = []
    for k, (_, who, outcome) in enumerate(offers):
        if order[who][0] != "micro":
            continue
        earlier = {o for _, w, o in offers[:k] if w == who}
        if outcome in earlier and len(earlier) >= 2:
            repeats.append(k)
    return {
        "id": f"{'-'.join(f'{s}@{p}' for s, p in order)}/{n_steps}",
        "n_steps": n_steps,
        "negotiators": [{"strategy": s, "profile": p,
                         "negmas_class": STRATEGIES[s][0].__name__} for s, p in order],
        "offers": offers,
        "agreement": agreement_index,
        "agreement_step": agreement_step,
        "final_step": int(state.step),
        "timedout": bool(state.timedout),
        "broken": bool(state.broken),
        "utilities": utilities,
        "random_repeats": repeats,
    }


def role_orders(first: str, second: str) -> list[list[tuple[str, int]]]:
    """Every (strategy, profile) order: who gets which profile x which profile moves first."""
    orders = []
    for p, q in ((0, 1), (1, 0)):
        assigned = [(first, p), (second, q)]
        for mover in (0, 1):
            order = sorted(assigned, key=lambda sp: sp[1] != mover)
            if order not in orders:
                orders.append(order)
    return orders


def domain_traces(folder: Path, matchups=MATCHUPS) -> dict | None:
    """All runs on one domain, or None when it is not a two-party linear-additive domain."""
    scenario = load(folder)
    ufuns = list(scenario.ufuns)
    if len(ufuns) != 2 or not all(type(u).__name__ == "LinearAdditiveUtilityFunction"
                                  for u in ufuns):
        return None
    issues = scenario.outcome_space.issues
    values = [list(issue.all) for issue in issues]
    radix = [len(v) for v in values]
    positions = [{v: k for k, v in enumerate(vs)} for vs in values]
    n_outcomes = math.prod(radix)
    entries = [recipe(u, issues) for u in ufuns]
    # The recipe must be NegMAS's utility, bit for bit (all outcomes, or a fixed sample).
    check = range(n_outcomes) if n_outcomes <= 20_000 else range(0, n_outcomes, 97)
    for entry, ufun in zip(entries, ufuns, strict=True):
        table = replay(entry, radix)
        for k, outcome in enumerate(itertools.product(*values)):
            if k in check and float(ufun(outcome)) != float(table[k]):
                raise AssertionError(f"{folder.name}: the recipe differs from NegMAS at {k}")
        ordered = [outcome_index(o, positions, radix) for o in
                   itertools.islice(scenario.outcome_space.enumerate(), 1000)]
        if ordered != list(range(len(ordered))):
            raise AssertionError(f"{folder.name}: NegMAS's enumeration is not the grid order")
        entry["sorted"] = negmas_sorts(ufun, table, entry["reserved_value"], positions, radix)
        if n_outcomes <= FULL_TABLE_MAX:
            entry["utilities"] = [float(x) for x in table]
    runs = []
    for first, second in matchups:
        if n_outcomes > FULL_TABLE_MAX and SMALL_DOMAINS_ONLY & {first, second}:
            continue
        for n_steps in STEP_BUDGETS:
            if n_steps > min(STEP_BUDGETS) and SMALL_DOMAINS_ONLY & {first, second}:
                continue
            for order in role_orders(first, second):
                runs.append(run(folder, order, n_steps, positions, radix))
                print(f"  {runs[-1]['id']}: agreement {runs[-1]['agreement']} at step "
                      f"{runs[-1]['agreement_step']}", file=sys.stderr)
    return {
        "domain": folder.name,
        "source": f"tests/data/genius/{folder.name}",
        "negmas_version": negmas.__version__,
        "numpy_version": np.__version__,
        "machine": machine(),
        "loading": "Scenario.load(folder, ignore_discount=True, load_stats=False, "
                   "load_info=False); NegMAS's own raw evaluations (not Genius's normalisation)",
        "outcome_order": "itertools.product of the issues' values as listed; first issue most "
                         "significant",
        "issues": [{"name": issue.name, "values": [str(v) for v in vs]}
                   for issue, vs in zip(issues, values, strict=True)],
        "n_outcomes": n_outcomes,
        "ufuns": entries,
        "runs": runs,
    }


def machine() -> str:
    """The CPU and the SIMD extensions numpy dispatches to (its sort's order among equal keys
    depends on them), e.g. ``"AMD EPYC ...; AVX2"``."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from numpy._core._multiarray_umath import __cpu_features__ as features

    simd = "AVX512_SKX" if features.get("AVX512_SKX") else "AVX2" if features.get("AVX2") else (
        "baseline")
    return f"{model}; numpy dispatches {simd}"


def write_gzip_json(path: Path, data: dict) -> None:
    """Compact JSON, gzip-compressed with a zero timestamp (reproducible bytes)."""
    raw = json.dumps(data, separators=(",", ":"), allow_nan=False).encode()
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)


def main() -> None:
    """Write one trace file per two-party domain (names on the command line: only those;
    ``--strategies``: the behaviour-dependent strategies' traces)."""
    args = sys.argv[1:]
    strategies = "--strategies" in args
    if strategies and os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv],
                  {**os.environ, "PYTHONHASHSEED": "0"})
    wanted = {a for a in args if not a.startswith("--")}
    out = HERE / "strategies" if strategies else HERE
    out.mkdir(exist_ok=True)
    for folder in sorted(GENIUS.iterdir()):
        if not (folder / "reference.json").exists() or (wanted and folder.name not in wanted):
            continue
        print(folder.name, file=sys.stderr)
        data = domain_traces(folder, STRATEGY_MATCHUPS if strategies else MATCHUPS)
        if data is None:
            print("  skipped (not two-party linear-additive)", file=sys.stderr)
            continue
        write_gzip_json(out / f"{folder.name}.json.gz", data)


if __name__ == "__main__":
    main()
