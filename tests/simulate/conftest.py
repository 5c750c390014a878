"""Brute-force references the protocol tests share (test_alternating_offers, test_stacked).

They play the strategies the slow, obvious way, as docs/simulate.md specifies them (NegMAS
0.16's semantics): each offer is found by scanning every outcome (no sorting, no binary search).
The tests import them as ``tests.simulate.conftest``, with the replay of a NegMAS trace
(test_negmas_reference, test_negmas_strategies).
"""

from __future__ import annotations

EXPONENTS = {"boulware": 4.0, "linear": 1.0, "conceder": 0.25}
"""Faratin et al.'s concession exponents of the named time-based strategies."""
EPS = 1e-4
"""How far below its target a time-based agent offers (NegMAS's ``eps``)."""
NEAR = 1e-6
"""How far below the target the inverter still takes a nearer outcome (NegMAS's ``EPS``)."""


def reference_offer(u, ok, r, target):
    """The lowest allowed outcome at or above ``target`` (lowest index among equals), or a
    nearer one up to NEAR below it; -1 when nothing is allowed and worth the outside option."""
    cands = [o for o in range(len(u)) if ok[o] and u[o] >= r]
    if not cands:
        return -1
    above = [o for o in cands if u[o] >= target]
    i = min(above, key=lambda o: (u[o], o)) if above else max(cands, key=lambda o: (u[o], -o))
    below = [o for o in cands if target - NEAR <= u[o] < target]
    if below:
        best = max(u[o] for o in below)
        j = min(o for o in below if u[o] == best)
        if target - u[j] < u[i] - target:
            return j
    return i


def reference_target(u, ok, r, exponent, k, steps):
    """A time-based agent's target at step ``k`` of ``steps``: from its best allowed utility
    down toward the larger of its worst allowed one and its outside option ``r``."""
    allowed = [o for o in range(len(u)) if ok[o]]
    top = max(u[o] for o in allowed)
    bottom = max(min(u[o] for o in allowed), r)
    t = (k + 1) / (steps + 1)
    level = (top - bottom) * (1.0 - t ** exponent) + bottom - EPS
    return min(max(level, bottom), top)


def negmas_sort(u, reserved: float, kind: str):
    """The order NegMAS's inverter sorts in, by this machine's ``np.argsort``
    (tests/data/negmas/README.md): of the outcomes worth at least ``reserved``
    (``kind="rational"``) or of all of them (``"all"``)."""
    import numpy as np

    kept = np.nonzero(u >= reserved)[0] if kind == "rational" else np.arange(u.shape[0])
    return kept[np.argsort(u[kept])]


def order_digest(order) -> str:
    """SHA-256 of an outcome order (int64, little-endian), as the traces' ``sha256``."""
    import hashlib

    import numpy as np

    return hashlib.sha256(np.asarray(order).astype("<i8").tobytes()).hexdigest()


def recorded_orders(ufun: dict, u) -> dict:
    """``{"rational": order, "all": order}``: the orders NegMAS's inverters sorted profile
    ``ufun``'s outcomes in, decoded from the trace (tests/data/negmas/README.md): the outcomes
    sorted by utility then index, each group of equal utilities permuted by ``within_ties``
    (``within_ties_as``: another kind's, the same sort)."""
    import base64

    import numpy as np

    out = {}
    for kind in ("rational", "all"):
        entry = ufun["sorted"][kind]
        source = ufun["sorted"][entry.get("within_ties_as", kind)]
        kept = (np.flatnonzero(u >= ufun["reserved_value"]) if kind == "rational"
                else np.arange(u.shape[0]))
        stable = kept[np.argsort(u[kept], kind="stable")]
        values = u[stable]
        starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
        sizes = np.diff(np.append(starts, values.size))
        tied = np.repeat(sizes > 1, sizes)
        perm = np.frombuffer(base64.b64decode(source["within_ties"]),
                             dtype=source["within_ties_dtype"]).astype(np.int64)
        if perm.size != tied.sum():
            raise ValueError(f"{ufun['name']} {kind}: {perm.size} tie positions recorded for "
                             f"{tied.sum()} tied outcomes")
        positions = np.arange(values.size)
        positions[tied] = np.repeat(starts, sizes)[tied] + perm
        out[kind] = stable[positions]
    return out


def ties_sorted_as_in_trace(data: dict, utilities) -> bool:
    """Whether this machine's numpy sorts equal utilities as the one that wrote the trace
    ``data`` did (the digest of every order NegMAS used matches). numpy's default sort is a
    SIMD quicksort whose order among equal keys depends on the instruction set (AVX-512 and
    AVX2 differ), so ``ties="negmas"`` without the recorded orders can only replay a trace
    written on a machine that sorts alike. Where no utilities tie, the order cannot matter."""
    for ufun, u in zip(data["ufuns"], utilities, strict=True):
        for kind, entry in ufun["sorted"].items():
            if not entry["first_of_ties"]:
                continue
            if order_digest(negmas_sort(u, ufun["reserved_value"], kind)) != entry["sha256"]:
                return False
    return True


TIES_ELSEWHERE = ("this machine's numpy sorts equal utilities in another order than the one "
                  "that wrote the trace (tests/data/negmas/README.md): only a replay with the "
                  "recorded orders can match it")
"""Why the replay with this machine's own sort is skipped on a machine that sorts otherwise."""


def replay_negmas_run(run: dict, utilities, reservations, strategy_names: dict, tolerance: float,
                      issues=(), orders=None) -> tuple[bool, str]:
    """Replay one NegMAS trace's negotiation in Redline: (same ending as NegMAS, what differs).

    ``orders``: per negotiator (in the order of moving), NegMAS's recorded sort orders
    (:func:`recorded_orders`), replayed verbatim; ``None``: this machine's ``argsort``.
    The ending is the agreement, the step and the utilities (within ``tolerance`` relative to
    the largest); the offers on the way are compared too and reported, not counted.
    """
    import numpy as np

    from redline.simulate import from_tables, parse, simulate

    space = from_tables(utilities, reservations, ties="negmas", issues=issues,
                        negmas_orders=orders)
    strategies = [parse(strategy_names[n["strategy"]]) for n in run["negotiators"]]
    result = simulate(space, strategies, protocol="sao", steps=run["n_steps"], trace=True)
    agreement = -1 if run["agreement"] is None else run["agreement"]
    got = (int(result.agreement[0]), int(result.step[0]))
    if got != (agreement, run["final_step"]):
        return False, f"agreement/step {got} vs NegMAS {(agreement, run['final_step'])}"
    scale = np.abs(np.asarray(run["utilities"])).max()
    if np.abs(result.utilities[0] - run["utilities"]).max() > tolerance * scale:
        return False, f"utilities {result.utilities[0]} vs NegMAS {run['utilities']}"
    offers = [int(o) for o in result.trace[0] if o >= 0]
    if offers != [o[2] for o in run["offers"]]:
        return True, "same ending, different offers on the way"
    return True, ""
