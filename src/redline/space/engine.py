"""The agreement-space engine: every package, who accepts it, the frontier and the solutions.

The Pareto frontier comes from the issue-by-issue decomposition in :mod:`redline.space.frontier`
(no full scan needed). Then one pass over the package space in chunks (bounded memory) evaluates
every actor's utility, applies the constraints and outside options as masks (keeping which rule
rejected what), and keeps running optima for the bargaining solutions. The Kalai-Smorodinsky
solution needs each actor's ideal over the acceptable packages first, so when the space spans
several chunks it takes a second pass.

Solution definitions (over packages acceptable to every actor with a veto, ``u_i >= d_i``):

* Nash (1950): argmax of ``prod_i (u_i - d_i)``;
* Kalai-Smorodinsky (1975): argmax of ``min_i (u_i - d_i) / (ideal_i - d_i)``, where ``ideal_i``
  is actor i's best utility among the acceptable packages;
* utilitarian: argmax of ``sum_i u_i``;
* egalitarian (Kalai 1977): argmax of ``min_i (u_i - d_i)``.

Ties: every package within ``TIE_TOLERANCE`` of the optimum is reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from redline.errors import SpaceTooLargeError
from redline.space.blocks import blocks
from redline.space.domain import Domain, approximate, package_count
from redline.space.frontier import frontier_packages
from redline.space.packages import decode
from redline.space.search import at_least

TIE_TOLERANCE = 1e-12
MAX_TIES = 1000
CLOSEST_COUNT = 10
DEFAULT_MEMORY_MB = 512
# A full scan of 10^8 packages takes about 25 s with 3 actors (docs/benchmarks.md); beyond that
# the default refuses with a hint, and --max-packages raises it.
DEFAULT_MAX_PACKAGES = 100_000_000
SOLUTIONS = ("nash", "kalai_smorodinsky", "utilitarian", "egalitarian")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Solution:
    """The optimal packages of one bargaining solution (all ties)."""

    name: str
    value: float
    indices: np.ndarray  # (m,) package numbers, ascending
    utilities: np.ndarray  # (m, n_actors)
    count: int  # number of tied packages (may exceed len(indices) when truncated)


@dataclass(frozen=True)
class Blocker:
    """How often one rule (or one actor's outside option) rejects packages."""

    id: str
    kind: str  # red_line | linkage | ratification | outside_option
    actor: str
    description: str
    binding: bool  # held by an actor whose acceptance a deal needs
    rejects: int  # packages it rejects
    sole: int  # packages it alone rejects: lifting it would make them acceptable
    objects: int = 0  # advisory rules (no veto): acceptable packages it objects to


@dataclass(frozen=True)
class NearDeal:
    """A package that comes close when none is acceptable to all."""

    index: int
    utilities: np.ndarray
    violations: tuple[str, ...]  # ids of the rules and outside options it breaks
    shortfall: float  # total utility below outside options, over veto actors
    must_move: tuple[str, ...]  # actors who would have to give way


@dataclass(frozen=True)
class Analysis:
    """Everything ``analyze`` finds about a domain."""

    domain: Domain
    n_packages: int
    acceptable_count: int
    pareto_indices: np.ndarray
    pareto_utilities: np.ndarray
    pareto_acceptable: np.ndarray
    solutions: dict[str, Solution]
    blockers: tuple[Blocker, ...]
    closest: tuple[NearDeal, ...]
    ideal: np.ndarray  # (n_actors,) best utility among acceptable packages (nan if none)
    timings: dict[str, float] = field(default_factory=dict)
    advisory: tuple[Blocker, ...] = ()  # red lines and linkages of actors without a veto

    def options(self, index: int) -> np.ndarray:
        return decode(np.array([index]), self.domain.radices)[0]


def chunk_size_for(domain: Domain, memory_mb: float) -> int:
    """Packages per chunk so that one chunk's arrays stay within ``memory_mb``."""
    n_reasons = len(domain.constraints) + domain.n_actors
    per_package = 8 * (len(domain.issues) + 4 * domain.n_actors + 6) + 2 * n_reasons
    return int(max(1024, min(4_000_000, memory_mb * 2**20 / per_package)))


def check_size(domain: Domain, max_packages: int = DEFAULT_MAX_PACKAGES) -> None:
    """Refuse spaces too large to scan, with a hint on what to coarsen."""
    check_sizes([(issue.id, issue.size) for issue in domain.issues], max_packages)


def check_sizes(sizes: Sequence[tuple[str, int]],
                max_packages: int = DEFAULT_MAX_PACKAGES) -> None:
    """:func:`check_size` from the options per issue alone (before any table is built).

    Parameters
    ----------
    sizes
        ``(issue id, number of options)`` per issue.
    max_packages
        The largest package space accepted.

    Raises
    ------
    SpaceTooLargeError
        When the product of the sizes (an exact Python integer) exceeds ``max_packages``.
    """
    total = package_count(size for _, size in sizes)
    if total <= max_packages:
        return
    largest, options = max(sizes, key=lambda pair: pair[1])
    raise SpaceTooLargeError(
        f"the package space has {approximate(total)} packages, above the limit of "
        f"{approximate(max_packages)}",
        field=f"issues.{largest}",
        hint=f"coarsen the step of issue {largest!r} ({options:,} options) or merge "
        "options; or raise --max-packages",
    )


def evaluate(domain: Domain, options: np.ndarray) -> np.ndarray:
    """Utilities, shape ``(n_packages, n_actors)``, of option-index rows."""
    utilities = domain.tables[0][options[:, 0]].copy()
    for j in range(1, len(domain.tables)):
        utilities += domain.tables[j][options[:, j]]
    return utilities


def violations(domain: Domain, options: np.ndarray, utilities: np.ndarray) -> np.ndarray:
    """Boolean ``(n_packages, n_rules + n_actors)``: which rule rejects which package.

    The first columns follow ``domain.constraints``; the last ``n_actors`` columns mark packages
    worth less than each actor's outside option.
    """
    out = np.empty((options.shape[0], len(domain.constraints) + domain.n_actors), dtype=bool)
    for k, constraint in enumerate(domain.constraints):
        out[:, k] = constraint.violations(options, utilities)
    out[:, len(domain.constraints):] = utilities < domain.disagreement[None, :] - TIE_TOLERANCE
    return out


def rejection_columns(domain: Domain, options: np.ndarray, utilities: np.ndarray,
                      binding: np.ndarray) -> list[np.ndarray]:
    """The binding columns of :func:`violations`, one boolean array each (no 2-D copy)."""
    n_rules = len(domain.constraints)
    out = [domain.constraints[k].violations(options, utilities)
           for k in np.flatnonzero(binding[:n_rules])]
    for a in np.flatnonzero(binding[n_rules:]):
        out.append(utilities[:, a] < domain.disagreement[a] - TIE_TOLERANCE)
    return out


def binding_columns(domain: Domain) -> np.ndarray:
    """Which columns of :func:`violations` can block a deal: veto actors' rules and outside
    options, and every ratification step (:func:`redline.space.domain.binds`)."""
    veto = domain.party_mask
    rules = np.array([c.binds(veto) for c in domain.constraints], dtype=bool)
    return np.concatenate([rules, veto])


class _Best:
    """Running argmax with ties (within ``TIE_TOLERANCE``) over a stream of chunks."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.value = -np.inf
        self.count = 0
        self.indices = np.zeros(0, dtype=np.int64)
        self.utilities: np.ndarray | None = None
        self.values = np.zeros(0)

    def update(self, values: np.ndarray, indices: np.ndarray, utilities: np.ndarray) -> None:
        if values.size == 0:
            return
        self.value = max(self.value, float(values.max()))
        hit = values >= self.value - TIE_TOLERANCE
        stored = self.values >= self.value - TIE_TOLERANCE
        self.count = int(stored.sum()) + int(hit.sum()) if self.count == stored.size \
            else self.count + int(hit.sum())
        old_u = self.utilities[stored] if self.utilities is not None else utilities[:0]
        self.indices = np.concatenate([self.indices[stored], indices[hit]])[:MAX_TIES]
        self.utilities = np.concatenate([old_u, utilities[hit]])[:MAX_TIES]
        self.values = np.concatenate([self.values[stored], values[hit]])[:MAX_TIES]

    def result(self) -> Solution:
        if self.utilities is None or self.indices.size == 0:
            return Solution(self.name, float("nan"), np.zeros(0, dtype=np.int64),
                            np.zeros((0, 0)), 0)
        order = np.argsort(self.indices, kind="stable")
        return Solution(self.name, self.value, self.indices[order], self.utilities[order],
                        max(self.count, self.indices.size))


def _objectives(domain: Domain, ideal: np.ndarray | None) -> dict[str, Callable]:
    """The solutions' objectives. Each is non-decreasing in every utility wherever all veto
    actors reach their outside options, which :mod:`redline.space.search` relies on.

    They combine the veto actors' columns one at a time (a handful of actors): numpy reduces a
    short trailing axis slowly, elementwise operations on whole columns are fast.
    """
    cols = np.flatnonzero(domain.party_mask)
    d = domain.disagreement

    def gain(u: np.ndarray, c: int) -> np.ndarray:
        return u[:, c] - d[c]

    def nash(u: np.ndarray) -> np.ndarray:
        out = np.clip(gain(u, cols[0]), 0, None)
        for c in cols[1:]:
            out *= np.clip(gain(u, c), 0, None)
        return out

    def utilitarian(u: np.ndarray) -> np.ndarray:
        out = u[:, cols[0]].copy()
        for c in cols[1:]:
            out += u[:, c]
        return out

    def egalitarian(u: np.ndarray) -> np.ndarray:
        out = gain(u, cols[0])
        for c in cols[1:]:
            np.minimum(out, gain(u, c), out=out)
        return out

    out = {"nash": nash, "utilitarian": utilitarian, "egalitarian": egalitarian}
    if ideal is not None:
        span = ideal - d

        def ratio(u: np.ndarray, c: int) -> np.ndarray:
            if span[c] > 0:
                return gain(u, c) / span[c]
            return np.ones(u.shape[0])

        def kalai_smorodinsky(u: np.ndarray) -> np.ndarray:
            out = ratio(u, cols[0])
            for c in cols[1:]:
                np.minimum(out, ratio(u, c), out=out)
            return out

        out["kalai_smorodinsky"] = kalai_smorodinsky
    return out


def analyze(
    domain: Domain,
    *,
    memory_mb: float = DEFAULT_MEMORY_MB,
    max_packages: int = DEFAULT_MAX_PACKAGES,
    progress: Progress | None = None,
    chunk_size: int | None = None,
    force_scan: bool = False,
) -> Analysis:
    """Analyse the whole package space of ``domain``; see the module docstring.

    ``force_scan`` evaluates every package even when no rule can reject one (for testing the
    shortcut, and for timing).
    """
    check_size(domain, max_packages)
    total = domain.n_packages
    size = chunk_size or chunk_size_for(domain, memory_mb)
    radices = domain.radices
    veto = domain.party_mask
    binding = binding_columns(domain)
    n_cols = int(binding.sum())
    timings = {"build": 0.0, "frontier": 0.0, "solutions": 0.0}

    acceptable_count = 0
    rejects = np.zeros(n_cols, dtype=np.int64)
    sole = np.zeros(n_cols, dtype=np.int64)
    ideal = np.full(domain.n_actors, -np.inf)
    t0 = time.perf_counter()
    front_idx = frontier_packages(domain, veto)
    front_options = decode(front_idx, radices)
    front_u = evaluate(domain, front_options)
    front_ok = ~violations(domain, front_options, front_u)[:, binding].any(axis=1)
    timings["frontier"] = time.perf_counter() - t0
    fast = None if force_scan else _without_scan(domain, front_idx, front_u, front_ok, binding)
    if fast is not None:
        solutions, ideal = fast
        timings["solutions"] = time.perf_counter() - t0 - timings["frontier"]
        if progress is not None:
            progress(total, total)
        return Analysis(
            domain=domain, n_packages=total, acceptable_count=total,
            pareto_indices=front_idx, pareto_utilities=front_u, pareto_acceptable=front_ok,
            solutions=solutions, blockers=_blockers(domain, binding, rejects, sole), closest=(),
            ideal=ideal, timings=timings,
        )
    advisory = [k for k, c in enumerate(domain.constraints) if not c.binds(veto)]
    adv_rejects = np.zeros(len(advisory), dtype=np.int64)
    adv_objects = np.zeros(len(advisory), dtype=np.int64)
    objectives = _objectives(domain, None)
    best = {name: _Best(name) for name in objectives}
    near_key = np.zeros(0)
    near_idx = np.zeros(0, dtype=np.int64)
    single_chunk = size >= total  # then the KS pass reuses the acceptable packages kept
    kept_acceptable: tuple[np.ndarray, np.ndarray] | None = None

    scan = blocks(domain, size)
    while True:
        t0 = time.perf_counter()
        block = next(scan, None)
        if block is None:
            break
        utilities = block.utilities
        columns = rejection_columns(domain, block.options, utilities, binding)
        n_broken = np.zeros(utilities.shape[0], dtype=np.int32)
        for column in columns:
            n_broken += column
        ok = n_broken == 0
        n_ok = int(np.count_nonzero(ok))
        acceptable_count += n_ok
        if n_ok < ok.size:
            alone = n_broken == 1
            for c, column in enumerate(columns):
                rejects[c] += np.count_nonzero(column)
                sole[c] += np.count_nonzero(column & alone)
        for c, k in enumerate(advisory):
            objection = domain.constraints[k].violations(block.options, utilities)
            adv_rejects[c] += np.count_nonzero(objection)
            adv_objects[c] += np.count_nonzero(objection & ok)
        t2 = time.perf_counter()
        timings["build"] += t2 - t0
        if n_ok:
            indices = block.indices
            acc_idx, acc_u = (indices, utilities) if n_ok == ok.size else (indices[ok],
                                                                           utilities[ok])
            ideal = np.maximum(ideal, [acc_u[:, a].max() for a in range(acc_u.shape[1])])
            for name, objective in objectives.items():
                best[name].update(objective(acc_u), acc_idx, acc_u)
            if single_chunk:
                kept_acceptable = (acc_idx, acc_u)
        elif acceptable_count == 0:
            # Closest packages, only needed while none is acceptable: fewest broken rules,
            # then the smallest shortfall below outside options.
            shortfall = np.clip(domain.disagreement[veto] - utilities[:, veto], 0,
                                None).sum(axis=1)
            key = n_broken * (veto.sum() + 1.0) + shortfall
            take = min(CLOSEST_COUNT, key.size)
            part = np.argpartition(key, take - 1)[:take]
            near_key = np.concatenate([near_key, key[part]])
            near_idx = np.concatenate([near_idx, block.start + part])
            order = np.lexsort((near_idx, near_key))[:CLOSEST_COUNT]
            near_key, near_idx = near_key[order], near_idx[order]
        timings["solutions"] += time.perf_counter() - t2
        if progress is not None:
            progress(block.stop, total)

    ideal_or_none = np.where(np.isfinite(ideal), ideal, np.nan)
    if acceptable_count:
        t0 = time.perf_counter()
        ks_objective = _objectives(domain, ideal)["kalai_smorodinsky"]
        ks = _Best("kalai_smorodinsky")
        if kept_acceptable is not None:
            ks.update(ks_objective(kept_acceptable[1]), *kept_acceptable)
        else:
            for block in blocks(domain, size):
                u = block.utilities
                ok = np.ones(u.shape[0], dtype=bool)
                for column in rejection_columns(domain, block.options, u, binding):
                    ok &= ~column
                ks.update(ks_objective(u[ok]), block.indices[ok], u[ok])
        objectives["kalai_smorodinsky"] = ks_objective
        best["kalai_smorodinsky"] = ks
        timings["solutions"] += time.perf_counter() - t0

    solutions = {name: best.get(name, _Best(name)).result() for name in SOLUTIONS}

    blockers = _blockers(domain, binding, rejects, sole)
    closest = _closest(domain, binding, near_idx) if acceptable_count == 0 else ()
    return Analysis(
        domain=domain,
        n_packages=total,
        acceptable_count=acceptable_count,
        pareto_indices=front_idx,
        pareto_utilities=front_u,
        pareto_acceptable=front_ok,
        solutions=solutions,
        blockers=blockers,
        closest=closest,
        ideal=ideal_or_none,
        timings=timings,
        advisory=tuple(
            Blocker(id=domain.constraints[k].id, kind=domain.constraints[k].kind,
                    actor=domain.actors[domain.constraints[k].actor],
                    description=domain.constraints[k].description, binding=False,
                    rejects=int(r), sole=0, objects=int(o))
            for k, r, o in zip(advisory, adv_rejects, adv_objects, strict=True)),
    )


def nothing_rejected(domain: Domain, binding: np.ndarray) -> bool:
    """True when there is no rule (advisory rules need a scan too) and every package reaches
    every veto actor's outside option."""
    if domain.constraints:
        return False
    worst = sum(np.asarray(t, dtype=float).min(axis=0) for t in domain.tables)
    veto = domain.party_mask
    return bool((worst[veto] >= domain.disagreement[veto] - TIE_TOLERANCE / 2).all())


def _without_scan(domain: Domain, front_idx: np.ndarray, front_u: np.ndarray,
                  front_ok: np.ndarray, binding: np.ndarray
                  ) -> tuple[dict[str, Solution], np.ndarray] | None:
    """Solutions from the frontier plus a bounded search, when every package is acceptable.

    Then the acceptable set is the whole space, each objective's optimum is reached on the
    frontier (the objectives never decrease along dominance), and the ties are found by
    :func:`redline.space.search.at_least`. Returns ``None`` to ask for a full scan.
    """
    if not nothing_rejected(domain, binding) or front_idx.size == 0:
        return None
    ideal = sum(np.asarray(t, dtype=float).max(axis=0) for t in domain.tables)
    veto = domain.party_mask
    ideal[veto] = front_u[:, veto].max(axis=0)  # exact sums, as a scan would find them
    solutions = {}
    for name, objective in _objectives(domain, ideal).items():
        value = float(objective(front_u).max())
        found = at_least(domain, objective, value - TIE_TOLERANCE)
        if found is None:
            return None
        indices, utilities = found
        solutions[name] = Solution(name, value, indices[:MAX_TIES], utilities[:MAX_TIES],
                                   int(indices.size))
    return {name: solutions[name] for name in SOLUTIONS}, ideal


def _column_labels(domain: Domain) -> list[tuple[str, str, str, str]]:
    """(id, kind, actor id, description) for every column of :func:`violations`."""
    out = [(c.id, c.kind, domain.actors[c.actor], c.description) for c in domain.constraints]
    for a, actor in enumerate(domain.actors):
        out.append((f"{actor}:outside_option", "outside_option", actor,
                    f"worth less than {domain.names()[a]}'s outside option "
                    f"({domain.disagreement[a]:.3g})"))
    return out


def _blockers(domain: Domain, binding: np.ndarray, rejects: np.ndarray,
              sole: np.ndarray) -> tuple[Blocker, ...]:
    labels = [lab for lab, b in zip(_column_labels(domain), binding, strict=True) if b]
    rows = [
        Blocker(id=i, kind=k, actor=a, description=d, binding=True,
                rejects=int(r), sole=int(s))
        for (i, k, a, d), r, s in zip(labels, rejects, sole, strict=True)
    ]
    rows.sort(key=lambda b: (-b.sole, -b.rejects, b.id))
    return tuple(rows)


def _closest(domain: Domain, binding: np.ndarray, indices: np.ndarray) -> tuple[NearDeal, ...]:
    if indices.size == 0:
        return ()
    options = decode(indices, domain.radices)
    utilities = evaluate(domain, options)
    broken = violations(domain, options, utilities)[:, binding]
    labels = [lab for lab, b in zip(_column_labels(domain), binding, strict=True) if b]
    veto = domain.party_mask
    out = []
    for row, index in enumerate(indices):
        hit = [labels[k] for k in np.flatnonzero(broken[row])]
        shortfall = float(np.clip(domain.disagreement[veto] - utilities[row, veto], 0, None).sum())
        movers = tuple(dict.fromkeys(actor for _, _, actor, _ in hit))
        out.append(NearDeal(int(index), utilities[row], tuple(i for i, *_ in hit), shortfall,
                            movers))
    return tuple(out)


def package_labels(domain: Domain, index: int) -> dict[str, str]:
    """``{issue id: option label}`` of package ``index``."""
    options = decode(np.array([index]), domain.radices)[0]
    return {issue.id: issue.labels[o] for issue, o in zip(domain.issues, options, strict=True)}


def _entry(domain: Domain, index: int, utilities: np.ndarray) -> dict:
    return {
        "package": package_labels(domain, index),
        "utilities": {a: round(float(u), 12) for a, u in zip(domain.actors, utilities,
                                                            strict=True)},
    }


def analysis_to_dict(analysis: Analysis, *, pareto_limit: int | None = None) -> dict:
    """The JSON form of an analysis (the CLI's ``--json``)."""
    domain = analysis.domain
    pareto = []
    count = analysis.pareto_indices.size if pareto_limit is None else min(
        pareto_limit, analysis.pareto_indices.size)
    for k in range(count):
        entry = _entry(domain, int(analysis.pareto_indices[k]), analysis.pareto_utilities[k])
        entry["acceptable"] = bool(analysis.pareto_acceptable[k])
        pareto.append(entry)
    solutions = {}
    for name, sol in analysis.solutions.items():
        solutions[name] = [_entry(domain, int(i), u) for i, u in
                           zip(sol.indices, sol.utilities, strict=True)]
    return {
        "scenario": domain.name,
        "actors": [{"id": a, "name": n, "veto": bool(v), "outside_option": float(d)}
                   for a, n, v, d in zip(domain.actors, domain.names(), domain.party_mask,
                                         domain.disagreement, strict=True)],
        "issues": [{"id": i.id, "name": i.name, "options": list(i.labels)}
                   for i in domain.issues],
        "claims": domain.notes.get("claims", {}),
        "packages": analysis.n_packages,
        "acceptable_count": analysis.acceptable_count,
        "pareto_count": int(analysis.pareto_indices.size),
        "pareto": pareto,
        "solutions": solutions,
        "solution_values": {name: (None if not np.isfinite(s.value) else s.value)
                            for name, s in analysis.solutions.items()},
        "solution_ties": {name: s.count for name, s in analysis.solutions.items()},
        "blocking": [
            {"id": b.id, "kind": b.kind, "actor": b.actor, "description": b.description,
             "rejects": b.rejects, "sole": b.sole}
            for b in analysis.blockers
        ],
        "advisory": [
            {"id": b.id, "kind": b.kind, "actor": b.actor, "description": b.description,
             "rejects": b.rejects, "objects_to_acceptable": b.objects}
            for b in analysis.advisory
        ],
        "closest": [
            {**_entry(domain, d.index, d.utilities), "violations": list(d.violations),
             "shortfall": round(d.shortfall, 12), "must_move": list(d.must_move)}
            for d in analysis.closest
        ],
        "timings": dict(analysis.timings),
    }
