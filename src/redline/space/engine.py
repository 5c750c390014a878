"""The agreement-space engine: every package, who accepts it, the frontier and the solutions.

The Pareto frontier comes from the issue-by-issue decomposition in :mod:`redline.space.frontier`
(no full scan needed), as distinct utility vectors with how many packages share each. Then one
pass over the package space in chunks (bounded memory) evaluates every actor's utility, applies
the constraints and outside options as masks (keeping which rule rejected what), and keeps
running optima for the bargaining solutions. The Kalai-Smorodinsky solution needs each actor's
ideal over the acceptable packages first, so when the space spans several chunks it takes a
second pass. When no rule can reject a package, the solutions come from the frontier and a
bounded search instead (:func:`redline.space.search.at_least`), without a scan.

The masks, the rules that bind, the objectives and the tie rule are the kernel's
(:mod:`redline.space.kernel`), called with one draw: the Monte Carlo sweep calls the same
functions with many. Solution definitions (over packages acceptable to every actor with a veto,
``u_i >= d_i``), as the kernel computes them:

* Nash (1950): argmax of ``prod_i (u_i - d_i)``;
* Kalai-Smorodinsky (1975): argmax of ``min_i (u_i - d_i) / (ideal_i - d_i)``, where ``ideal_i``
  is actor i's best utility among the acceptable packages (an actor with no room,
  ``ideal_i = d_i``, counts as fully satisfied);
* utilitarian: argmax of ``sum_i u_i``;
* egalitarian (Kalai 1977): argmax of ``min_i (u_i - d_i)``.

Ties and caps: a package ties with the optimum when raising each veto actor's utility by
``UTILITY_TOLERANCE`` would make it optimal (:func:`redline.space.kernel.ties`); ties that
another tie Pareto-dominates are dropped, since they are not solutions. Every remaining tie is
counted; the first ``list_limit`` (by package number) are listed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from redline.errors import SpaceTooLargeError
from redline.space import kernel
from redline.space.blocks import Block, blocks
from redline.space.domain import Domain, approximate, package_count
from redline.space.frontier import MAX_FRONTIER_POINTS, FrontierTooLargeError, frontier_packages
from redline.space.kernel import SOLUTIONS, TIE_SHIFT, Objective, ties
from redline.space.packages import decode
from redline.space.pareto import pareto_mask
from redline.space.search import at_least
from redline.space.tolerance import UTILITY_DECIMALS, UTILITY_TOLERANCE, rounded

DEFAULT_LIST_LIMIT = 1000  # packages listed per solution, frontier points listed in JSON
MAX_TIE_POINTS = 100_000  # distinct utility vectors kept while looking for a solution's ties
MAX_LISTED = 5_000_000  # package numbers kept for listing ties, over all tied vectors
CLOSEST_COUNT = 10
DEFAULT_MEMORY_MB = 512
# A full scan of 10^8 packages takes about 25 s with 3 actors (docs/benchmarks.md); beyond that
# the default refuses with a hint, and --max-packages raises it.
DEFAULT_MAX_PACKAGES = 100_000_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Solution:
    """The optimal packages of one bargaining solution: its undominated ties, listed up to a cap.
    """

    name: str
    value: float
    indices: np.ndarray  # (m,) the first m optimal package numbers, ascending
    utilities: np.ndarray  # (m, n_actors)
    count: int  # every optimal package; more than m when the list is cut

    @property
    def listed_all(self) -> bool:
        """Whether every optimal package is listed."""
        return self.indices.size == self.count


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
    """Everything ``analyze`` finds about a domain.

    The frontier is listed as distinct utility vectors (over the actors with a veto): point
    ``v`` stands for ``pareto_counts[v]`` packages with the same utilities, of which
    ``pareto_acceptable_counts[v]`` are acceptable; ``pareto_indices[v]`` is the first
    acceptable one, or the first one when none is. When the frontier has more than
    ``max_frontier`` points it is not computed (``pareto_complete`` is false, the arrays empty).
    """

    domain: Domain
    n_packages: int
    acceptable_count: int
    pareto_indices: np.ndarray  # (V,) one package per frontier point, ascending
    pareto_utilities: np.ndarray  # (V, n_actors)
    pareto_acceptable: np.ndarray  # (V,) some package with these utilities is acceptable
    solutions: dict[str, Solution]
    blockers: tuple[Blocker, ...]
    closest: tuple[NearDeal, ...]
    ideal: np.ndarray  # (n_actors,) best utility among acceptable packages (nan if none)
    timings: dict[str, float] = field(default_factory=dict)
    advisory: tuple[Blocker, ...] = ()  # red lines and linkages of actors without a veto
    pareto_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pareto_acceptable_counts: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64))
    pareto_complete: bool = True
    list_limit: int = DEFAULT_LIST_LIMIT
    max_frontier: int = MAX_FRONTIER_POINTS

    @property
    def pareto_packages(self) -> int:
        """Packages on the frontier, duplicates included."""
        return int(self.pareto_counts.sum())

    def options(self, index: int) -> np.ndarray:
        """The option index on each issue of package ``index``."""
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
        "options; or raise max_packages=",
    )


def evaluate(domain: Domain, options: np.ndarray) -> np.ndarray:
    """Utilities, shape ``(n_packages, n_actors)``, of option-index rows."""
    utilities = domain.tables[0][options[:, 0]].copy()
    for j in range(1, len(domain.tables)):
        utilities += domain.tables[j][options[:, j]]
    return utilities


def columns(domain: Domain) -> tuple[kernel.Column, ...]:
    """The labelled rejection columns of ``domain`` (:func:`redline.space.kernel.columns`):
    its rules in order, then each actor's outside option."""
    return kernel.columns(domain.constraints, domain.actors, domain.party_mask, domain.names(),
                          domain.disagreement)


def violations(domain: Domain, options: np.ndarray, utilities: np.ndarray) -> np.ndarray:
    """Boolean ``(n_packages, n_rules + n_actors)``: which rule rejects which package.

    The first columns follow ``domain.constraints``; the last ``n_actors`` columns mark packages
    worth less than each actor's outside option (the columns of :func:`columns`).
    """
    n_columns = len(domain.constraints) + domain.n_actors
    rejected = kernel.rejections(domain.constraints, options, np.asarray(utilities)[None],
                                 domain.disagreement[None], np.arange(n_columns))
    out = np.empty((options.shape[0], n_columns), dtype=bool)
    for k, column in enumerate(rejected):
        out[:, k] = column[0]
    return out


def binding_columns(domain: Domain) -> np.ndarray:
    """Which columns of :func:`violations` can block a deal: veto actors' rules and outside
    options, and every ratification step (:func:`redline.space.domain.binds`)."""
    return kernel.binding_mask(domain.constraints, domain.party_mask)


class _Optimum:
    """Running optimum of one objective over a stream of acceptable packages, with its ties.

    A package ties when ``objective(u, TIE_SHIFT) >= best`` (:func:`redline.space.kernel.ties`:
    raising each veto actor's utility by the tolerance would make it optimal; gains within the
    tolerance of 0 count as 0, so noise cannot lift an optimum of 0). Ties are kept as distinct
    rounded vectors over the veto actors, each with its package count and its first ``limit``
    package numbers; ties that another tie dominates are dropped along the way. That is safe: if
    ``q`` dominates ``p`` and later stops tying, so does ``p`` (the objectives never decrease
    along dominance).
    """

    def __init__(self, name: str, objective: Objective, domain: Domain, limit: int,
                 slack: float = np.inf) -> None:
        self.name = name
        self.objective = objective
        self.slack = slack  # the most raising every utility by the tolerance can add
        self.cols = np.flatnonzero(domain.party_mask)
        self.limit = limit
        self.best = -np.inf
        self.rows = np.zeros((0, domain.n_actors))  # utilities of each vector's first package
        self.counts = np.zeros(0, dtype=np.int64)
        self.listed = np.zeros(0, dtype=np.int64)  # package numbers, ascending per vector
        self.owner = np.zeros(0, dtype=np.int64)  # the vector each listed package has
        self.filtered = 0  # vectors after the last dominance filter

    def update(self, indices: np.ndarray, utilities: np.ndarray) -> None:
        """Add acceptable packages; ``indices`` must be above every number added before."""
        if indices.size == 0:
            return
        # A cheap estimate first: the exact objective, raised or not, is within the slack of
        # it, so only packages within three slacks of the best estimate can tie.
        rough = self.objective(utilities, 0.0, False)
        slack = 1.000001 * self.slack
        floor = max(self.best, float(rough.max()) - slack) - 2 * slack
        near = np.flatnonzero(rough >= floor - 1e-15 * abs(floor))
        if near.size == 0:
            return
        candidates = utilities[near]
        self.best = max(self.best, float(self.objective(candidates, 0.0).max()))
        hit = near[ties(self.objective(candidates, TIE_SHIFT), self.best)]
        self._merge(indices[hit], utilities[hit])
        keep = ties(self.objective(self.rows, TIE_SHIFT), self.best)
        if not keep.all():
            self._keep(keep)
        if self.rows.shape[0] > 2 * self.filtered + 256 or self.listed.size > MAX_LISTED:
            self._drop_dominated()
        if self.listed.size > MAX_LISTED:
            raise SpaceTooLargeError(
                f"too many tied packages to list for the {self.name} solution "
                f"({self.rows.shape[0]:,} tied utility vectors)", parameter="list_limit",
                hint="lower list_limit= or coarsen the issues")

    def _merge(self, indices: np.ndarray, rows: np.ndarray) -> None:
        if indices.size == 0:
            return
        key = rounded(rows[:, self.cols])
        if (key == key[0]).all():  # one vector (tied spaces): no sorting needed
            self._merge_one(indices, rows[0])
            return
        n_old = self.rows.shape[0]
        rows = np.concatenate([self.rows, rows])
        counts = np.concatenate([self.counts, np.ones(indices.size, dtype=np.int64)])
        key = rounded(rows[:, self.cols])
        order = np.lexsort(key.T[::-1])  # stable: stored vectors and earlier packages first
        key = key[order]
        new = np.ones(order.size, dtype=bool)
        new[1:] = (key[1:] != key[:-1]).any(axis=1)
        group = np.empty(order.size, dtype=np.int64)
        group[order] = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        self.rows = rows[order[starts]]
        self.counts = np.add.reduceat(counts[order], starts)
        listed = np.concatenate([self.listed, indices])
        owner = np.concatenate([group[:n_old][self.owner], group[n_old:]])
        # Keep each vector's first `limit` packages: later ones can never be listed.
        by_owner = np.lexsort((listed, owner))
        listed, owner = listed[by_owner], owner[by_owner]
        first = np.r_[0, np.flatnonzero(owner[1:] != owner[:-1]) + 1]
        rank = np.arange(owner.size) - np.repeat(first, np.diff(np.r_[first, owner.size]))
        keep = rank < self.limit
        self.listed, self.owner = listed[keep], owner[keep]

    def _merge_one(self, indices: np.ndarray, row: np.ndarray) -> None:
        match = np.flatnonzero(
            (rounded(self.rows[:, self.cols]) == rounded(row[self.cols])).all(axis=1))
        if match.size:
            point = int(match[0])
            self.counts[point] += indices.size
        else:
            point = self.rows.shape[0]
            self.rows = np.vstack([self.rows, row])
            self.counts = np.append(self.counts, indices.size)
        room = max(0, self.limit - int(np.count_nonzero(self.owner == point)))
        self.listed = np.concatenate([self.listed, indices[:room]])
        self.owner = np.concatenate([self.owner, np.full(min(room, indices.size), point)])

    def _keep(self, keep: np.ndarray) -> None:
        renumber = np.cumsum(keep) - 1
        self.rows, self.counts = self.rows[keep], self.counts[keep]
        listed = keep[self.owner]
        self.listed, self.owner = self.listed[listed], renumber[self.owner[listed]]

    def _drop_dominated(self) -> None:
        if self.rows.shape[0] > 1:
            self._keep(pareto_mask(self.rows[:, self.cols]))
        self.filtered = self.rows.shape[0]
        if self.filtered > MAX_TIE_POINTS:
            raise SpaceTooLargeError(
                f"more than {MAX_TIE_POINTS:,} distinct utility vectors tie for the "
                f"{self.name} solution", field="issues",
                hint="coarsen the issues or merge options")

    def result(self, domain: Domain) -> Solution:
        """The undominated ties as a :class:`Solution`, the first ``limit`` listed."""
        self._drop_dominated()
        if self.counts.size == 0:
            return _no_solution(self.name, domain)
        indices = np.sort(self.listed)[:self.limit]
        utilities = evaluate(domain, decode(indices, domain.radices))
        # The optimum over the solutions (a dominated tie may score up to the tolerance higher).
        value = float(self.objective(self.rows, 0.0).max())
        return Solution(self.name, value, indices, utilities, int(self.counts.sum()))


def _no_solution(name: str, domain: Domain) -> Solution:
    return Solution(name, float("nan"), np.zeros(0, dtype=np.int64),
                    np.zeros((0, domain.n_actors)), 0)


def _objectives(domain: Domain, ideal: np.ndarray | None) -> dict[str, Objective]:
    """The kernel's objectives (:func:`redline.space.kernel.objectives`) for ``domain``."""
    return kernel.objectives(domain.party_mask, domain.disagreement, ideal)


def _slacks(domain: Domain, ideal: np.ndarray | None) -> dict[str, float]:
    """The kernel's bounds on the tie shift (:func:`redline.space.kernel.objective_slacks`)."""
    top = sum(np.asarray(t, dtype=float).max(axis=0) for t in domain.tables)
    return kernel.objective_slacks(top, domain.party_mask, domain.disagreement, ideal)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (Steele, Lea & Flood 2014), in place on ``uint64``: every input bit
    reaches every output bit, so floats with few mantissa bits (1/8, 2.5, ...) hash apart."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


class _SharedPoints:
    """Acceptable packages among the frontier points that several packages share.

    When rules decide acceptability, packages with the same utilities may differ in it, so the
    scan matches acceptable packages to those points: by a hash of their rounded utilities
    (distinct for the points; another seed is tried otherwise), checked exactly. The points'
    rounded vectors are distinct (the frontier merged equal ones), so only a 64-bit collision
    under every seed could fail. (A multiply-xor hash without a finaliser collided on round
    utilities such as multiples of 1/8, and the analysis failed.)
    """

    _NONE = np.iinfo(np.int64).max
    SEEDS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)

    def __init__(self, rows: np.ndarray, cols: np.ndarray) -> None:
        self.cols = cols
        self.vectors = rounded(rows[:, cols])
        for seed in self.SEEDS:
            self.seed = np.uint64(seed)
            keys = self._hash(self.vectors)
            self.order = np.argsort(keys, kind="stable")
            self.keys = keys[self.order]
            if (self.keys[1:] != self.keys[:-1]).all():
                break
        else:  # pragma: no cover - four seeds of a 64-bit hash colliding
            raise RuntimeError("could not hash the frontier points")
        self.acceptable = np.zeros(rows.shape[0], dtype=np.int64)
        self.first = np.full(rows.shape[0], self._NONE, dtype=np.int64)

    def _hash(self, vectors: np.ndarray) -> np.ndarray:
        bits = np.ascontiguousarray(vectors).view(np.uint64).reshape(vectors.shape)
        out = np.full(bits.shape[0], self.seed, dtype=np.uint64)
        for j in range(bits.shape[1]):
            out ^= bits[:, j]
            _splitmix64(out)
            out += self.seed
        return out

    def update(self, indices: np.ndarray, utilities: np.ndarray) -> None:
        """Count the acceptable packages ``indices`` (with ``utilities``) that match a point."""
        vectors = rounded(utilities[:, self.cols])
        keys = self._hash(vectors)
        pos = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
        rows = np.flatnonzero(self.keys[pos] == keys)
        point = self.order[pos[rows]]
        same = (self.vectors[point] == vectors[rows]).all(axis=1)
        rows, point = rows[same], point[same]
        np.add.at(self.acceptable, point, 1)
        np.minimum.at(self.first, point, indices[rows])

    def representatives(self, lowest: np.ndarray) -> np.ndarray:
        """Each point's first acceptable package, else its lowest-numbered one."""
        return np.where(self.first != self._NONE, self.first, lowest)

def analyze(
    domain: Domain,
    *,
    memory_mb: float = DEFAULT_MEMORY_MB,
    max_packages: int = DEFAULT_MAX_PACKAGES,
    progress: Progress | None = None,
    chunk_size: int | None = None,
    list_limit: int = DEFAULT_LIST_LIMIT,
    max_frontier: int = MAX_FRONTIER_POINTS,
) -> Analysis:
    """Analyse the whole package space of ``domain``; see the module docstring.

    Parameters
    ----------
    domain
        The compiled negotiation.
    memory_mb
        The memory one chunk of the scan may use (sets the chunk size).
    max_packages
        The largest package space accepted (:func:`check_size`).
    progress
        Called with ``(packages done, packages)`` after each chunk.
    chunk_size
        Packages per chunk, instead of the size ``memory_mb`` gives.
    list_limit
        Packages listed per solution (all are counted).
    max_frontier
        Distinct frontier points computed; beyond it the frontier is left out and
        ``pareto_complete`` says so.

    Returns
    -------
    Analysis
        The acceptable packages, the frontier, the solutions, blockers and closest deals.
    """
    return _analyze(domain, memory_mb=memory_mb, max_packages=max_packages, progress=progress,
                    chunk_size=chunk_size, list_limit=list_limit, max_frontier=max_frontier)


def _analyze(domain: Domain, *, memory_mb: float = DEFAULT_MEMORY_MB,
             max_packages: int = DEFAULT_MAX_PACKAGES, progress: Progress | None = None,
             chunk_size: int | None = None, list_limit: int = DEFAULT_LIST_LIMIT,
             max_frontier: int = MAX_FRONTIER_POINTS, scan: bool = False) -> Analysis:
    """:func:`analyze`; ``scan=True`` evaluates every package even when no rule can reject one
    (the shortcut's reference, in tests and timings)."""
    if list_limit < 1 or max_frontier < 1:
        raise ValueError("list_limit and max_frontier must be at least 1")
    check_size(domain, max_packages)
    timings = {"build": 0.0, "frontier": 0.0, "solutions": 0.0}
    binding = binding_columns(domain)
    t0 = time.perf_counter()
    front = _frontier(domain, binding, max_frontier)
    timings["frontier"] = time.perf_counter() - t0
    shortcut = None if scan or not front.complete else _without_scan(
        domain, front.utilities, front.counts, binding, list_limit)
    if shortcut is not None:
        solutions, ideal = shortcut
        timings["solutions"] = time.perf_counter() - t0 - timings["frontier"]
        if progress is not None:
            progress(domain.n_packages, domain.n_packages)
        n_binding = int(binding.sum())
        zeros = np.zeros(n_binding, dtype=np.int64)
        return _assemble(domain, front, solutions, _blockers(domain, binding, zeros, zeros), (),
                         (), domain.n_packages, ideal, timings, list_limit, max_frontier)
    size = chunk_size or chunk_size_for(domain, memory_mb)
    totals = _scan(domain, binding, front.shared, size, list_limit, progress, timings)
    if totals.acceptable_count:
        t0 = time.perf_counter()
        totals.optima["kalai_smorodinsky"] = _ks_optimum(domain, binding, totals, size,
                                                          list_limit)
        timings["solutions"] += time.perf_counter() - t0
    solutions = {name: totals.optima[name].result(domain) if name in totals.optima
                 else _no_solution(name, domain) for name in SOLUTIONS}
    closest = _closest(domain, binding, totals.near_idx) if totals.acceptable_count == 0 else ()
    return _assemble(domain, front, solutions,
                     _blockers(domain, binding, totals.rejects, totals.sole), closest,
                     _advisory_blockers(domain, totals), totals.acceptable_count,
                     totals.ideal, timings, list_limit, max_frontier)


@dataclass
class _Frontier:
    """The frontier points found before the scan (:func:`frontier_packages`), with which of
    them are acceptable; ``shared`` counts, during the scan, the acceptable packages among the
    points that several packages share (only needed when rules decide acceptability)."""

    complete: bool
    indices: np.ndarray  # (V,) one package per point
    counts: np.ndarray  # (V,) packages with the point's utilities
    utilities: np.ndarray  # (V, n_actors)
    ok: np.ndarray  # (V,) the listed package is acceptable
    shared_points: np.ndarray  # (V,) bool: counts > 1
    shared: _SharedPoints | None


def _frontier(domain: Domain, binding: np.ndarray, max_frontier: int) -> _Frontier:
    """The frontier over the veto actors, or an empty one when it has too many points."""
    veto = domain.party_mask
    try:
        front = frontier_packages(domain, veto, max_points=max_frontier)
    except FrontierTooLargeError:
        front = None
    indices = front.indices if front is not None else np.zeros(0, dtype=np.int64)
    counts = front.counts if front is not None else np.zeros(0, dtype=np.int64)
    options = decode(indices, domain.radices)
    utilities = evaluate(domain, options)
    ok = ~violations(domain, options, utilities)[:, binding].any(axis=1)
    shared_points = counts > 1
    # Without rules of veto actors, acceptability depends on their utilities alone, so packages
    # with the same utilities are all acceptable or none is; otherwise the scan counts them.
    shared = (_SharedPoints(utilities[shared_points], np.flatnonzero(veto))
              if binding[:len(domain.constraints)].any() and shared_points.any() else None)
    return _Frontier(front is not None, indices, counts, utilities, ok, shared_points, shared)


def _assemble(domain: Domain, front: _Frontier, solutions: dict[str, Solution],
              blockers: tuple[Blocker, ...], closest: tuple[NearDeal, ...],
              advisory: tuple[Blocker, ...], acceptable_count: int, ideal: np.ndarray,
              timings: dict[str, float], list_limit: int, max_frontier: int) -> Analysis:
    """The :class:`Analysis`, with each frontier point's acceptable packages counted and
    represented by its first acceptable package when there is one."""
    indices, utilities, ok, counts = front.indices, front.utilities, front.ok, front.counts
    accepted = np.where(ok, counts, 0)
    if front.shared is not None:
        accepted[front.shared_points] = front.shared.acceptable
        indices = indices.copy()
        indices[front.shared_points] = front.shared.representatives(
            indices[front.shared_points])
        order = np.argsort(indices, kind="stable")
        indices, accepted, counts = indices[order], accepted[order], counts[order]
        utilities = evaluate(domain, decode(indices, domain.radices))
        ok = accepted > 0
    return Analysis(
        domain=domain, n_packages=domain.n_packages, acceptable_count=acceptable_count,
        pareto_indices=indices, pareto_utilities=utilities, pareto_acceptable=ok,
        solutions=solutions, blockers=blockers, closest=closest,
        ideal=np.where(np.isfinite(ideal), ideal, np.nan), timings=timings,
        advisory=advisory, pareto_counts=counts, pareto_acceptable_counts=accepted,
        pareto_complete=front.complete, list_limit=list_limit, max_frontier=max_frontier)


class _ScanTotals:
    """What the chunked scan accumulates: acceptable packages, each binding column's rejections,
    the advisory rules' objections, the running optima, the ideal point, and the closest
    packages while none is acceptable."""

    def __init__(self, domain: Domain, binding: np.ndarray, list_limit: int,
                 keep_acceptable: bool) -> None:
        self.binding = binding
        self.advisory = [k for k, c in enumerate(domain.constraints) if not c.binds(
            domain.party_mask)]
        self.acceptable_count = 0
        self.rejects = np.zeros(int(binding.sum()), dtype=np.int64)
        self.sole = np.zeros_like(self.rejects)
        self.adv_rejects = np.zeros(len(self.advisory), dtype=np.int64)
        self.adv_objects = np.zeros(len(self.advisory), dtype=np.int64)
        self.ideal = np.full(domain.n_actors, -np.inf)
        slacks = _slacks(domain, None)
        self.optima = {name: _Optimum(name, f, domain, list_limit, slacks[name])
                       for name, f in _objectives(domain, None).items()}
        self.near_key = np.zeros(0)
        self.near_idx = np.zeros(0, dtype=np.int64)
        self.keep_acceptable = keep_acceptable  # one chunk: the KS pass reuses its packages
        self.kept: tuple[np.ndarray, np.ndarray] | None = None


def _scan(domain: Domain, binding: np.ndarray, shared: _SharedPoints | None, size: int,
          list_limit: int, progress: Progress | None, timings: dict[str, float]
          ) -> _ScanTotals:
    """One pass over the package space in chunks of ``size``: the kernel's rejections
    (:mod:`redline.space.kernel`, one draw), and every solution but Kalai-Smorodinsky."""
    total = domain.n_packages
    totals = _ScanTotals(domain, binding, list_limit, keep_acceptable=size >= total)
    chunks = blocks(domain, size)
    while True:
        t0 = time.perf_counter()
        block = next(chunks, None)
        if block is None:
            break
        broken, ok = _tally(domain, totals, block)
        t1 = time.perf_counter()
        timings["build"] += t1 - t0
        _track_solutions(domain, totals, shared, block, broken, ok)
        timings["solutions"] += time.perf_counter() - t1
        if progress is not None:
            progress(block.stop, total)
    return totals


def _tally(domain: Domain, totals: _ScanTotals, block: Block) -> tuple[np.ndarray, np.ndarray]:
    """Count one chunk's rejections and objections; return how many binding columns reject
    each package and which packages are acceptable."""
    utilities = block.utilities[None]  # one draw
    disagreement = domain.disagreement[None]
    rejected = kernel.rejections(domain.constraints, block.options, utilities, disagreement,
                                 totals.binding)
    broken = kernel.broken_counts(rejected, (1, block.stop - block.start))
    rejects, sole = kernel.rejection_counts(rejected, broken)
    broken, ok = broken[0], broken[0] == 0
    totals.rejects += rejects[:, 0]
    totals.sole += sole[:, 0]
    totals.acceptable_count += int(np.count_nonzero(ok))
    objections = kernel.rejections(domain.constraints, block.options, utilities, disagreement,
                                   totals.advisory)
    for c, objection in enumerate(objections):
        totals.adv_rejects[c] += np.count_nonzero(objection)
        totals.adv_objects[c] += np.count_nonzero(objection[0] & ok)
    return broken, ok


def _track_solutions(domain: Domain, totals: _ScanTotals, shared: _SharedPoints | None,
                     block: Block, broken: np.ndarray, ok: np.ndarray) -> None:
    """Feed one chunk's acceptable packages to the running optima (or, while none is
    acceptable, keep the closest packages)."""
    n_ok = int(np.count_nonzero(ok))
    utilities = block.utilities
    if n_ok:
        indices = block.indices
        acc_idx, acc_u = ((indices, utilities) if n_ok == ok.size
                          else (indices[ok], utilities[ok]))
        totals.ideal = np.maximum(totals.ideal,
                                  [acc_u[:, a].max() for a in range(acc_u.shape[1])])
        for optimum in totals.optima.values():
            optimum.update(acc_idx, acc_u)
        if shared is not None:
            shared.update(acc_idx, acc_u)
        if totals.keep_acceptable:
            totals.kept = (acc_idx, acc_u)
    elif totals.acceptable_count == 0:
        # Closest packages, only needed while none is acceptable: fewest broken rules, then
        # the smallest shortfall below outside options.
        veto = domain.party_mask
        shortfall = np.clip(domain.disagreement[veto] - utilities[:, veto], 0,
                            None).sum(axis=1)
        key = broken * (veto.sum() + 1.0) + shortfall
        take = min(CLOSEST_COUNT, key.size)
        part = np.argpartition(key, take - 1)[:take]
        near_key = np.concatenate([totals.near_key, key[part]])
        near_idx = np.concatenate([totals.near_idx, block.start + part])
        order = np.lexsort((near_idx, near_key))[:CLOSEST_COUNT]
        totals.near_key, totals.near_idx = near_key[order], near_idx[order]


def _ks_optimum(domain: Domain, binding: np.ndarray, totals: _ScanTotals, size: int,
                list_limit: int) -> _Optimum:
    """Kalai-Smorodinsky over the acceptable packages, once their ideal point is known: from
    the packages kept by a one-chunk scan, else by a second pass."""
    optimum = _Optimum("kalai_smorodinsky",
                       _objectives(domain, totals.ideal)["kalai_smorodinsky"], domain,
                       list_limit, _slacks(domain, totals.ideal)["kalai_smorodinsky"])
    if totals.kept is not None:
        optimum.update(*totals.kept)
        return optimum
    for block in blocks(domain, size):
        rejected = kernel.rejections(domain.constraints, block.options, block.utilities[None],
                                     domain.disagreement[None], binding)
        ok = kernel.broken_counts(rejected, (1, block.stop - block.start))[0] == 0
        optimum.update(block.indices[ok], block.utilities[ok])
    return optimum


def _advisory_blockers(domain: Domain, totals: _ScanTotals) -> tuple[Blocker, ...]:
    """The advisory rules (red lines and linkages of actors without a veto) as objections."""
    labels = columns(domain)
    return tuple(Blocker(id=labels[k].id, kind=labels[k].kind, actor=labels[k].actor_id,
                         description=labels[k].description, binding=False, rejects=int(r),
                         sole=0, objects=int(o))
                 for k, r, o in zip(totals.advisory, totals.adv_rejects, totals.adv_objects,
                                    strict=True))


def nothing_rejected(domain: Domain, binding: np.ndarray) -> bool:
    """True when there is no rule (advisory rules need a scan too) and every package reaches
    every veto actor's outside option."""
    if domain.constraints:
        return False
    worst = sum(np.asarray(t, dtype=float).min(axis=0) for t in domain.tables)
    veto = domain.party_mask
    # Half the tolerance: the worst sum is added in another order than a package's.
    return bool((worst[veto] >= domain.disagreement[veto] - UTILITY_TOLERANCE / 2).all())


def _without_scan(domain: Domain, front_u: np.ndarray, front_counts: np.ndarray,
                  binding: np.ndarray, list_limit: int
                  ) -> tuple[dict[str, Solution], np.ndarray] | None:
    """Solutions from the frontier plus a bounded search, when every package is acceptable.

    Then the acceptable set is the whole space, each objective's optimum is reached on the
    frontier (the objectives never decrease along dominance), and the ties are found by
    :func:`redline.space.search.at_least`. When every package shares one frontier point, every
    package is every solution. Returns ``None`` to ask for a full scan.
    """
    if not nothing_rejected(domain, binding) or front_u.shape[0] == 0:
        return None
    ideal = sum(np.asarray(t, dtype=float).max(axis=0) for t in domain.tables)
    veto = domain.party_mask
    ideal[veto] = front_u[:, veto].max(axis=0)  # exact sums, as a scan would find them
    solutions = {}
    slacks = _slacks(domain, ideal)
    for name, objective in _objectives(domain, ideal).items():
        value = float(objective(front_u, 0.0).max())
        if front_counts.size == 1 and int(front_counts[0]) == domain.n_packages:
            indices = np.arange(min(list_limit, domain.n_packages), dtype=np.int64)
            solutions[name] = Solution(name, value, indices,
                                       evaluate(domain, decode(indices, domain.radices)),
                                       domain.n_packages)
            continue
        # Every tie reaches `value` once raised by the tie shift (a superset is fine).
        found = at_least(domain, lambda u, f=objective: f(u, 2 * TIE_SHIFT), value,
                         bound=lambda u, f=objective: f(u, 3 * TIE_SHIFT))
        if found is None:
            return None
        optimum = _Optimum(name, objective, domain, list_limit, slacks[name])
        optimum.best = value
        indices, utilities = found
        step = 1 << 20
        for start in range(0, indices.size, step):
            optimum.update(indices[start:start + step], utilities[start:start + step])
        solutions[name] = optimum.result(domain)
    return {name: solutions[name] for name in SOLUTIONS}, ideal


def _blockers(domain: Domain, binding: np.ndarray, rejects: np.ndarray,
              sole: np.ndarray) -> tuple[Blocker, ...]:
    """The binding columns as :class:`Blocker` rows, the most often sole rejecter first."""
    labels = [c for c, b in zip(columns(domain), binding, strict=True) if b]
    rows = [
        Blocker(id=c.id, kind=c.kind, actor=c.actor_id, description=c.description,
                binding=True, rejects=int(r), sole=int(s))
        for c, r, s in zip(labels, rejects, sole, strict=True)
    ]
    rows.sort(key=lambda b: (-b.sole, -b.rejects, b.id))
    return tuple(rows)


def _closest(domain: Domain, binding: np.ndarray, indices: np.ndarray) -> tuple[NearDeal, ...]:
    """The closest packages as :class:`NearDeal` rows: the rules they break, by whom."""
    if indices.size == 0:
        return ()
    options = decode(indices, domain.radices)
    utilities = evaluate(domain, options)
    broken = violations(domain, options, utilities)[:, binding]
    labels = [c for c, b in zip(columns(domain), binding, strict=True) if b]
    veto = domain.party_mask
    out = []
    for row, index in enumerate(indices):
        hit = [labels[k] for k in np.flatnonzero(broken[row])]
        shortfall = float(np.clip(domain.disagreement[veto] - utilities[row, veto], 0, None).sum())
        movers = tuple(dict.fromkeys(c.actor_id for c in hit))
        out.append(NearDeal(int(index), utilities[row], tuple(c.id for c in hit), shortfall,
                            movers))
    return tuple(out)


def package_labels(domain: Domain, index: int) -> dict[str, str]:
    """``{issue id: option label}`` of package ``index``."""
    return packages_labels(domain, [index])[0]


def packages_labels(domain: Domain, indices: Sequence[int] | np.ndarray
                    ) -> list[dict[str, str]]:
    """:func:`package_labels` of several packages, decoded at once (a list of hundreds of
    packages: one ``decode``, not one per package)."""
    rows = decode(np.asarray(indices, dtype=np.int64).reshape(-1), domain.radices).tolist()
    return [{issue.id: issue.labels[o] for issue, o in zip(domain.issues, options, strict=True)}
            for options in rows]


def _entry(domain: Domain, index: int, utilities: np.ndarray) -> dict:
    return {
        "package": package_labels(domain, index),
        "utilities": {a: round(float(u), UTILITY_DECIMALS)
                      for a, u in zip(domain.actors, utilities, strict=True)},
    }


def cuts(analysis: Analysis, *, pareto_limit: int | None = None) -> list[str]:
    """One line for every list that is cut short (``first N of M``) and how to see it all."""
    limit = analysis.list_limit if pareto_limit is None else pareto_limit
    out = []
    points = analysis.pareto_indices.size
    if not analysis.pareto_complete:
        out.append(f"pareto: not computed, more than {analysis.max_frontier:,} distinct points "
                   f"(--max-frontier)")
    elif points > limit:
        out.append(f"pareto: first {limit:,} of {points:,} points (--list-limit {points} "
                   "lists all)")
    for name, sol in analysis.solutions.items():
        if not sol.listed_all:
            out.append(f"solutions.{name}: first {sol.indices.size:,} of {sol.count:,} tied "
                       f"packages (--list-limit {sol.count} lists all)")
    return out


def analysis_to_dict(analysis: Analysis, *, pareto_limit: int | None = None) -> dict:
    """The JSON form of an analysis (the CLI's ``--json``); every list is bounded.

    The frontier lists its first ``pareto_limit`` points (default: the analysis's list limit),
    each with the number of packages that share its utilities; solutions list the tied packages
    kept by the analysis. ``cuts`` says which lists are cut short.
    """
    domain = analysis.domain
    limit = analysis.list_limit if pareto_limit is None else pareto_limit
    pareto = []
    for k in range(min(limit, analysis.pareto_indices.size)):
        entry = _entry(domain, int(analysis.pareto_indices[k]), analysis.pareto_utilities[k])
        entry["acceptable"] = bool(analysis.pareto_acceptable[k])
        entry["packages"] = int(analysis.pareto_counts[k])
        entry["acceptable_packages"] = int(analysis.pareto_acceptable_counts[k])
        pareto.append(entry)
    solutions = {}
    for name, sol in analysis.solutions.items():
        solutions[name] = [_entry(domain, int(i), u) for i, u in
                           zip(sol.indices, sol.utilities, strict=True)]
    complete = analysis.pareto_complete
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
        "pareto_count": analysis.pareto_packages if complete else None,
        "pareto_acceptable_count": (int(analysis.pareto_acceptable_counts.sum())
                                    if complete else None),
        "pareto_points": int(analysis.pareto_indices.size) if complete else None,
        "pareto_complete": complete,
        "pareto": pareto,
        "solutions": solutions,
        "solution_values": {name: (None if not np.isfinite(s.value) else s.value)
                            for name, s in analysis.solutions.items()},
        "solution_ties": {name: s.count for name, s in analysis.solutions.items()},
        "list_limit": limit,
        "cuts": cuts(analysis, pareto_limit=limit),
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
             "shortfall": round(d.shortfall, UTILITY_DECIMALS), "must_move": list(d.must_move)}
            for d in analysis.closest
        ],
        "timings": dict(analysis.timings),
    }
