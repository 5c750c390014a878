"""The batched negotiation space: what every protocol and strategy of a simulation reads.

For ``B`` negotiations, ``A`` agents and ``N`` outcomes (packages):

* ``utilities (B, A, N)``: each agent's utility of each outcome;
* ``reservation (B, A)``: each agent's outside option, the utility of no deal;
* ``allowed (B, A, N)`` bool: the agent's hard red lines. An outcome its own rules reject is
  never offered nor accepted by it.

The leading axis of ``utilities`` and ``allowed`` may have length 1: the outcomes are then the
same in every negotiation (repetitions, strategy pairings, a Genius domain), and nothing is
copied ``B`` times. ``reservation`` always has all ``B`` rows.

Three builders: :func:`from_scenario` (a scenario, one negotiation per draw of its uncertain
inputs, through :func:`redline.scenario.compile.compile_batch` and the agreement-space kernel),
:func:`from_domain` (a compiled :class:`~redline.space.domain.Domain`, e.g. a Genius folder) and
:func:`from_tables` (raw utility tables, so another tool's utility values can be replayed).

Each agent's outcomes are sorted once (:class:`Ranking`): offers for a target utility are then
binary searches, never scans.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from redline.errors import RedlineError
from redline.scenario.compile import BatchDomain, compile_batch, deterministic_draws
from redline.scenario.model import Scenario
from redline.space import kernel
from redline.space.domain import Domain, IssueSpace
from redline.space.packages import decode
from redline.space.sorting import stable_argsort

MAX_CELLS = 50_000_000
"""Largest ``B x A x N`` the simulation builds (float64 utilities: 400 MB); beyond it the
builders refuse with a hint."""
MAX_TRACE_CELLS = 5_000_000
"""Largest ``B x turns`` the pipeline keeps a trace of (it shows the first negotiation's)."""


@dataclass(frozen=True)
class Rule:
    """A hard limit of one agent, kept so a failed negotiation can name what stopped it.

    ``rejects`` is ``(B or 1, N)`` bool: the outcomes the rule rejects.
    """

    id: str
    kind: str  # red_line | linkage | ratification
    agent: int
    description: str
    rejects: np.ndarray


@dataclass(frozen=True)
class NegotiationSpace:
    """A batch of negotiations over the same outcomes and agents (see the module docstring).

    Attributes
    ----------
    utilities
        ``(B or 1, A, N)`` float64.
    reservation
        ``(B, A)`` outside options.
    allowed
        ``(B or 1, A, N)`` bool: outcomes each agent's own rules let it offer or accept.
    actors, actor_names
        Ids and display names of the ``A`` agents.
    issues
        The issues (to decode an outcome into ``{issue: option}``); empty for raw tables.
    rules
        The hard limits behind ``allowed``, to explain failures.
    name
        The scenario or domain name.
    ties
        How outcomes of equal utility are ordered when agents pick offers: ``"index"`` (by
        outcome index, a stable sort: the default), or ``"negmas"`` to replay NegMAS 0.16,
        whose inverters sort with ``numpy.argsort``'s default (unstable) quicksort over the
        outcomes at or above the reservation value (``"negmas-all"``: over all outcomes, as its
        ``AspirationNegotiator`` does). See :func:`rank`.
    negmas_orders
        With ``ties="negmas"``, optionally the orders NegMAS's inverters actually sorted in, to
        replay verbatim instead of this machine's ``argsort``: one mapping per agent (empty
        mapping: none for that agent), ``{"rational": order, "all": order}``, each an int array
        of outcome indices by ascending utility (``"rational"``: the outcomes the ``"negmas"``
        mode keeps, ``"all"``: those of ``"negmas-all"``). NegMAS's unstable sort orders equal
        utilities by the CPU's instruction set, so a run recorded on one machine replays
        exactly on any other only with its orders (see :func:`rank`).
    """

    utilities: np.ndarray
    reservation: np.ndarray
    allowed: np.ndarray
    actors: tuple[str, ...]
    actor_names: tuple[str, ...] = ()
    issues: tuple[IssueSpace, ...] = ()
    rules: tuple[Rule, ...] = ()
    name: str = ""
    ties: str = "index"
    negmas_orders: tuple[Mapping[str, np.ndarray], ...] = ()

    def __post_init__(self) -> None:
        u, r, ok = self.utilities, self.reservation, self.allowed
        if u.ndim != 3 or r.ndim != 2 or ok.shape[1:] != u.shape[1:] or r.shape[1] != u.shape[1]:
            raise ValueError(f"inconsistent shapes: utilities {u.shape}, reservation {r.shape}, "
                             f"allowed {ok.shape}")
        if self.negmas_orders:
            if self.ties != "negmas":
                raise ValueError('negmas_orders replay NegMAS\'s sort: use ties="negmas"')
            if len(self.negmas_orders) != u.shape[1]:
                raise ValueError(f"negmas_orders has {len(self.negmas_orders)} entries for "
                                 f"{u.shape[1]} agents: give one mapping per agent")
            for a, orders in enumerate(self.negmas_orders):
                unknown = set(orders) - set(NEGMAS_KINDS)
                if unknown:
                    raise ValueError(f"negmas_orders[{a}] has {sorted(unknown)}: the kinds are "
                                     f"{NEGMAS_KINDS}")
        for arr in (u, ok):
            if arr.shape[0] not in (1, r.shape[0]):
                raise ValueError(f"batch axis {arr.shape[0]} is neither 1 nor {r.shape[0]}")
        if not (np.isfinite(u).all() and np.isfinite(r).all()):
            raise RedlineError("utilities and outside options must be finite numbers",
                               hint="remove NaN and infinite values")

    @cached_property
    def ranking(self) -> Ranking:
        """Each agent's outcomes sorted once (:func:`rank`), kept for later runs."""
        return rank(self, self.ties)

    @cached_property
    def ranking_all(self) -> Ranking:
        """With ``ties="negmas"``: the order NegMAS's ``AspirationNegotiator`` sorts in
        (``"negmas-all"``); otherwise :attr:`ranking`."""
        return rank(self, "negmas-all") if self.ties == "negmas" else self.ranking

    @property
    def size(self) -> int:
        """``B``, the number of negotiations."""
        return int(self.reservation.shape[0])

    @property
    def n_agents(self) -> int:
        """``A``."""
        return int(self.utilities.shape[1])

    @property
    def n_outcomes(self) -> int:
        """``N``."""
        return int(self.utilities.shape[2])

    @property
    def shared(self) -> bool:
        """Whether utilities and red lines are the same in every negotiation."""
        return self.utilities.shape[0] == 1 and self.allowed.shape[0] == 1

    def names(self) -> tuple[str, ...]:
        """Display names (ids where there are none)."""
        return self.actor_names or self.actors

    def repeated(self, times: int) -> NegotiationSpace:
        """The same negotiations ``times`` over (``B * times`` rows, row ``b`` of repetition
        ``k`` at ``k * B + b``); shared arrays stay shared, and outcomes already sorted are not
        sorted again (:meth:`Ranking.repeated`)."""
        def rep(a: np.ndarray) -> np.ndarray:
            return a if a.shape[0] == 1 else np.concatenate([a] * times)
        out = NegotiationSpace(rep(self.utilities), np.concatenate([self.reservation] * times),
                               rep(self.allowed), self.actors, self.actor_names, self.issues,
                               tuple(Rule(x.id, x.kind, x.agent, x.description, rep(x.rejects))
                                     for x in self.rules), self.name, self.ties,
                               self.negmas_orders)
        self._pass_rankings(out, lambda r: r.repeated(times))
        return out

    def select(self, agents: Sequence[int]) -> NegotiationSpace:
        """The negotiation among ``agents`` only (in that order). Each agent's sorted outcomes
        depend on its own utilities alone, so those already sorted are reused
        (:meth:`Ranking.select`): a tournament sorts once per scenario, not per match."""
        idx = list(agents)
        where = {a: k for k, a in enumerate(idx)}
        out = NegotiationSpace(self.utilities[:, idx], self.reservation[:, idx],
                               self.allowed[:, idx], tuple(self.actors[a] for a in idx),
                               tuple(self.names()[a] for a in idx), self.issues,
                               tuple(Rule(x.id, x.kind, where[x.agent], x.description,
                                          x.rejects) for x in self.rules if x.agent in where),
                               self.name, self.ties,
                               tuple(self.negmas_orders[a] for a in idx)
                               if self.negmas_orders else ())
        self._pass_rankings(out, lambda r: r.select(idx))
        return out

    def _pass_rankings(self, other: NegotiationSpace,
                       derive: Callable[[Ranking], Ranking]) -> None:
        """Give ``other`` (derived from this space) the rankings this space has computed."""
        for name in ("ranking", "ranking_all"):
            if name in self.__dict__:  # computed (functools.cached_property stores it here)
                other.__dict__[name] = derive(self.__dict__[name])

    def package(self, outcome: int) -> dict[str, str]:
        """Outcome ``outcome`` as ``{issue id: option label}`` (``{"outcome": "k"}`` for raw
        tables)."""
        if not self.issues:
            return {"outcome": str(int(outcome))}
        radices = np.array([i.size for i in self.issues], dtype=np.int64)
        options = decode(np.array([outcome]), radices)[0]
        return {i.id: i.labels[int(o)] for i, o in zip(self.issues, options, strict=True)}


def check_size(batch: int, agents: int, outcomes: int, steps: int = 1) -> None:
    """Refuse a simulation whose arrays would exhaust memory (``B x A x N`` cells), with a hint."""
    cells = batch * agents * outcomes
    if cells > MAX_CELLS:
        fit = max(1, MAX_CELLS // max(1, agents * outcomes))
        raise RedlineError(
            f"{batch:,} negotiations x {agents} agents x {outcomes:,} outcomes is {cells:,} "
            f"utility cells, above the simulation's limit of {MAX_CELLS:,}", parameter="draws",
            hint=f"use draws={fit:,} or fewer, or coarsen the issues' steps")
    if batch * steps > MAX_CELLS:
        raise RedlineError(f"{batch:,} negotiations x {steps:,} steps is too many to trace",
                           parameter="steps", hint="use fewer steps= or draws=")


def from_tables(utilities: np.ndarray, reservation: np.ndarray | Sequence[float] | None = None,
                allowed: np.ndarray | None = None, *, actors: Sequence[str] | None = None,
                issues: Sequence[IssueSpace] = (), name: str = "",
                ties: str = "index",
                negmas_orders: Sequence[Mapping[str, Sequence[int] | np.ndarray]] | None = None,
                ) -> NegotiationSpace:
    """A space from raw utility tables.

    Parameters
    ----------
    utilities
        ``(A, N)`` for one negotiation or ``(B, A, N)``.
    reservation
        ``(A,)`` or ``(B, A)``; default 0 for everyone. With ``(A, N)`` utilities and
        ``(B, A)`` reservations the ``B`` negotiations share the utilities.
    allowed
        Same shape as ``utilities``; default everything allowed.
    actors
        Agent ids (default ``agent1``, ``agent2``, ...).
    issues
        Issues whose packages the outcomes are (optional).
    name
        A label.
    ties
        ``"index"`` or ``"negmas"`` (see :class:`NegotiationSpace`).
    negmas_orders
        With ``ties="negmas"``: per agent, NegMAS's recorded sort orders
        ``{"rational": ..., "all": ...}`` (see :class:`NegotiationSpace`), used verbatim;
        without them this machine's ``numpy.argsort`` breaks the ties.

    Examples
    --------
    Replaying a NegMAS run exactly, on any machine, with the orders its inverters sorted in:

    >>> u = np.array([[0.5, 0.5, 1.0], [1.0, 0.5, 0.5]])
    >>> space = from_tables(u, [0.0, 0.0], ties="negmas",
    ...                     negmas_orders=[{"all": [1, 0, 2]}, {"all": [2, 1, 0]}])
    >>> space.ranking_all.order[0, 0].tolist()
    [1, 0, 2]
    """
    u = np.asarray(utilities, dtype=float)
    if u.ndim == 2:
        u = u[None]
    if u.ndim != 3:
        raise ValueError("utilities must be (A, N) or (B, A, N)")
    r = np.zeros(u.shape[:2]) if reservation is None else np.asarray(reservation, dtype=float)
    r = r if r.ndim == 2 else r[None]
    r = np.broadcast_to(r, (max(r.shape[0], u.shape[0]), u.shape[1])).copy()
    ok = np.ones((1,) + u.shape[1:], dtype=bool) if allowed is None else np.asarray(allowed,
                                                                                   dtype=bool)
    if ok.ndim == 2:
        ok = ok[None]
    ids = tuple(actors) if actors is not None else tuple(f"agent{a + 1}"
                                                         for a in range(u.shape[1]))
    orders = tuple({kind: np.asarray(order, dtype=np.int64) for kind, order in dict(o).items()}
                   for o in negmas_orders or ())
    return NegotiationSpace(u, r, ok, ids, (), tuple(issues), (), name, ties, orders)


def from_domain(domain: Domain) -> NegotiationSpace:
    """One negotiation over a compiled domain (a Genius folder, or a scenario's claim branch).

    Every actor is an agent; its binding rules (:meth:`~redline.space.domain.Constraint.binds`)
    are its red lines, and a binding rule held by an actor outside the talks (a ratification
    step) limits every agent (each knows the text must pass it).
    """
    n = domain.n_packages
    check_size(1, domain.n_actors, n)
    tables = tuple(t[None] for t in domain.tables)
    utility = kernel.package_utilities(tables)
    utilities = np.stack([utility.columns[a][0] for a in range(domain.n_actors)])[None]
    radices = domain.radices
    options = decode(np.arange(n), radices) if domain.constraints else None
    rules = []
    for c in domain.constraints:
        if not c.binds(domain.party_mask):
            continue
        hit = np.broadcast_to(c.violations(options, utilities[0].T), (n,))[None]
        rules.append(Rule(c.id, c.kind, c.actor, c.description, np.array(hit)))
    allowed = _allowed(rules, 1, domain.n_actors, n, domain.party_mask)
    return NegotiationSpace(utilities, np.asarray(domain.disagreement, dtype=float)[None].copy(),
                            allowed, tuple(domain.actors), tuple(domain.names()),
                            tuple(domain.issues), tuple(rules), domain.name)


def from_scenario(scenario: Scenario, draws: int = 0, *, seed: int = 0,
                  assume: Mapping[str, bool] | None = None) -> NegotiationSpace:
    """A batch of negotiations from a scenario, one per draw of its uncertain inputs.

    Parameters
    ----------
    scenario
        The scenario.
    draws
        ``0``: one negotiation at the point values (claims as assumed). ``D > 0``: ``D`` draws
        of the private red lines, outside options and other uncertain inputs, made as the
        Monte Carlo sweep makes them (:func:`redline.uncertainty.sweep.sample`, chunk 0 of
        ``seed``), so the same seed gives the same draws.
    seed
        The random seed of the draws.
    assume
        A claim branch ``{claim id: truth}``.
    """
    from redline.uncertainty.sweep import make_plan, sample

    n_issues = [len(i.option_values()) for i in scenario.issues]
    n = int(np.prod(n_issues, dtype=object))
    check_size(max(draws, 1), len(scenario.actors), n)
    if draws:
        plan = make_plan(scenario, assume=assume, chunk_size=draws)
        sampled, _ = sample(plan, seed, 0, draws)
        batch = compile_batch(scenario, sampled)
    else:
        batch = compile_batch(scenario, deterministic_draws(scenario, assume))
    return from_batch(batch)


def from_batch(batch: BatchDomain) -> NegotiationSpace:
    """A batch of negotiations from a compiled :class:`~redline.scenario.compile.BatchDomain`
    (see :func:`from_scenario`; rules gated off by a claim in a draw reject nothing there)."""
    size, n_actors = batch.disagreement.shape
    radices = np.array([i.size for i in batch.issues], dtype=np.int64)
    n = int(np.prod(radices))
    utility = kernel.package_utilities(batch.tables)
    utilities = np.stack(utility.columns, axis=1)  # (D, A, N)
    rules = []
    if batch.constraints:
        options = decode(np.arange(n), radices)
        binding = [k for k, c in enumerate(batch.constraints) if c.binds(batch.parties)]
        hits = kernel.rejections(batch.constraints, options, utility, batch.disagreement,
                                 binding, active=batch.active)
        for k, hit in zip(binding, hits, strict=True):
            c = batch.constraints[k]
            rules.append(Rule(c.id, c.kind, c.actor, c.description,
                              np.ascontiguousarray(np.broadcast_to(hit, (size, n)))))
    allowed = _allowed(rules, size, n_actors, n, batch.parties)
    return NegotiationSpace(utilities, np.array(batch.disagreement, dtype=float), allowed,
                            batch.actors, batch.actor_names, batch.issues, tuple(rules),
                            batch.name)


def _allowed(rules: Sequence[Rule], size: int, n_actors: int, n: int,
             parties: np.ndarray) -> np.ndarray:
    """``(B or 1, A, N)``: each agent's own binding rules; a rule of an actor without a veto
    (a ratifier outside the talks) limits every agent."""
    rows = max([size if r.rejects.shape[0] > 1 else 1 for r in rules], default=1)
    out = np.ones((rows, n_actors, n), dtype=bool)
    for rule in rules:
        if parties[rule.agent]:
            out[:, rule.agent] &= ~rule.rejects
        else:
            out &= ~rule.rejects[:, None]
    return out


# ---------------------------------------------------------------- sorted outcomes

@dataclass(frozen=True)
class Ranking:
    """Each agent's allowed outcomes sorted by its utility, once.

    ``order[b, a]`` lists outcomes by ascending utility to agent ``a`` (ties by outcome index:
    a stable sort), the allowed ones first; ``values[b, a]`` their utilities, ``+inf`` past the
    allowed ones. ``low[b, a]`` is the first position at or above the outside option and
    ``high[b, a]`` the last allowed position, so the agent's candidate offers are positions
    ``low..high`` (none when ``low > high``). The leading axis is 1 when the space is shared.
    ``top``/``bottom (B, A)`` are the utility range NegMAS's inverter scales targets to: the best
    allowed utility, and the larger of the worst allowed utility and the outside option.
    """

    order: np.ndarray
    values: np.ndarray
    low: np.ndarray
    high: np.ndarray
    top: np.ndarray
    bottom: np.ndarray

    @property
    def empty(self) -> np.ndarray:
        """``(B, A)``: agents with nothing they may offer (every outcome below the outside
        option or across a red line)."""
        return self.low > self.high

    def select(self, agents: Sequence[int]) -> Ranking:
        """The ranking of ``agents`` only, in that order (what :func:`rank` gives the space's
        :meth:`NegotiationSpace.select`)."""
        idx = list(agents)
        return Ranking(*(np.ascontiguousarray(a[:, idx]) for a in (
            self.order, self.values, self.low, self.high, self.top, self.bottom)))

    def repeated(self, times: int) -> Ranking:
        """The ranking of the space's :meth:`NegotiationSpace.repeated` ``(times)``."""
        def rep(a: np.ndarray) -> np.ndarray:
            return a if a.shape[0] == 1 else np.concatenate([a] * times)
        return Ranking(rep(self.order), rep(self.values), *(
            np.concatenate([a] * times) for a in (self.low, self.high, self.top, self.bottom)))


TIES = ("index", "negmas", "negmas-all")
NEGMAS_KINDS = ("rational", "all")
"""The two orders NegMAS 0.16's inverters sort in: of the outcomes at or above the reservation
value (its time-based negotiators, ``rational_only``) and of all of them (``ufun.invert()``)."""


def rank(space: NegotiationSpace, ties: str = "index") -> Ranking:
    """Sort each agent's outcomes once (see :class:`Ranking`).

    ``ties="index"`` orders equal utilities by outcome index (a stable sort, vectorised over
    the batch). The NegMAS modes reproduce NegMAS 0.16's presorting inverter for replaying its
    runs: ``numpy.argsort`` (default kind) of the utilities of the allowed outcomes at or above
    the reservation value, in outcome order (``"negmas"``; those below, which NegMAS never
    offers, come first by utility and index), or of every allowed outcome
    (``"negmas-all"``). They sort row by row (a compatibility mode, not a hot path).

    numpy's default sort is a SIMD quicksort whose order among equal utilities depends on the
    CPU's instruction set (AVX-512 and AVX2 differ), so where the space carries
    :attr:`NegotiationSpace.negmas_orders`, the agent's recorded order of the kind
    (``"rational"`` for ``"negmas"``, ``"all"`` for ``"negmas-all"``) is used verbatim instead:
    it must list exactly the outcomes that mode sorts, by non-decreasing utility, else a
    ``ValueError`` names the agent and kind.
    """
    if ties not in TIES:
        raise ValueError(f"unknown ties {ties!r}: use one of {TIES}")
    kind = "rational" if ties == "negmas" else "all"
    u, ok, r = space.utilities, space.allowed, space.reservation
    rows = max(u.shape[0], ok.shape[0])
    key = u if ok.all() else np.where(ok, u, np.inf)
    if key.shape[0] != rows:
        key = np.broadcast_to(key, (rows,) + key.shape[1:])
    if ties == "index":
        order, values = stable_argsort(key)
    else:
        rows = r.shape[0] if ties == "negmas" else rows
        order = np.empty((rows,) + key.shape[1:], dtype=np.int64)
        for b in range(rows):
            for a in range(key.shape[1]):
                row = key[min(b, key.shape[0] - 1), a]
                allowed = np.isfinite(row)
                if ties == "negmas":
                    top = np.flatnonzero(allowed & (row >= r[b, a]))
                    low = np.flatnonzero(allowed & (row < r[b, a]))
                    low = low[np.argsort(row[low], kind="stable")]
                else:
                    top, low = np.flatnonzero(allowed), np.zeros(0, dtype=np.int64)
                recorded = (space.negmas_orders[a].get(kind) if space.negmas_orders else None)
                top = (top[np.argsort(row[top])] if recorded is None
                       else _recorded_order(recorded, top, row, f"negmas_orders[{a}][{kind!r}]"))
                order[b, a] = np.concatenate([low, top, np.flatnonzero(~allowed)])
        key = np.broadcast_to(key, (rows,) + key.shape[1:]) if key.shape[0] != rows else key
        values = np.take_along_axis(key, order, axis=-1)
    n_allowed = ok.sum(axis=-1)  # (rows, A)
    high = np.broadcast_to(n_allowed - 1, r.shape).astype(np.int64)
    low = search(values, r[..., None], np.zeros_like(high), high + 1)[..., 0]
    with np.errstate(invalid="ignore"):
        worst = np.where(n_allowed > 0, values[..., 0], np.inf)
        best = np.take_along_axis(values, np.maximum(n_allowed - 1, 0)[..., None], -1)[..., 0]
    top = np.broadcast_to(np.where(n_allowed > 0, best, -np.inf), r.shape).copy()
    bottom = np.maximum(np.broadcast_to(worst, r.shape), r)
    return Ranking(order, values, low, high, top, bottom)


def _recorded_order(order: np.ndarray, kept: np.ndarray, row: np.ndarray,
                    field: str) -> np.ndarray:
    """``order`` itself, once checked to sort exactly the outcomes ``kept`` (ascending
    indices) by non-decreasing utility ``row``; a ``ValueError`` naming ``field`` otherwise."""
    order = np.asarray(order, dtype=np.int64)
    if order.shape != kept.shape or not np.array_equal(np.sort(order), kept):
        raise ValueError(f"{field} lists {order.size} outcomes, not the {kept.size} this mode "
                         f"sorts: record NegMAS's order of the same outcomes (same utilities, "
                         f"reservation value and red lines)")
    if order.size > 1 and not (row[order[1:]] >= row[order[:-1]]).all():
        raise ValueError(f"{field} is not sorted by ascending utility: give the order of the "
                         f"same utilities NegMAS sorted")
    return order


def search(values: np.ndarray, targets: np.ndarray, lo: np.ndarray, hi: np.ndarray
           ) -> np.ndarray:
    """Per row, the first position in ``[lo, hi]`` whose value is at least the target (``hi``
    when none is): ``numpy.searchsorted(side="left")`` clamped, batched over rows.

    Parameters
    ----------
    values
        ``(R or 1, A, N)`` sorted ascending along the last axis.
    targets
        ``(B, A, K)``.
    lo, hi
        ``(B, A)`` int bounds.

    Returns
    -------
    numpy.ndarray
        ``(B, A, K)`` int64 positions. A binary search with exact comparisons, vectorised over
        all rows and targets (no per-row loop).
    """
    targets = np.asarray(targets, dtype=float)
    lo = np.broadcast_to(lo[..., None], targets.shape).astype(np.int64)
    hi = np.broadcast_to(hi[..., None], targets.shape).astype(np.int64)
    if values.shape[0] == 1:
        out = np.empty(targets.shape, dtype=np.int64)
        for a in range(values.shape[1]):  # one sorted row per agent: numpy's own search
            out[:, a] = np.searchsorted(values[0, a], targets[:, a], side="left")
        return np.clip(out, lo, np.maximum(hi, lo))
    left, right = lo.copy(), hi + 1
    rows = np.arange(targets.shape[0])[:, None, None]
    agents = np.arange(targets.shape[1])[None, :, None]
    n = values.shape[-1]
    for _ in range(max(1, int(np.ceil(np.log2(n + 1))) + 1)):
        active = left < right
        if not active.any():
            break
        mid = (left + right) // 2
        below = values[rows, agents, np.minimum(mid, n - 1)] < targets
        left = np.where(active & below, mid + 1, left)
        right = np.where(active & ~below, mid, right)
    return np.minimum(left, np.maximum(hi, lo))
