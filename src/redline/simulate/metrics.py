"""Per-negotiation metrics of simulated negotiations, over a whole batch at once.

These are the outcome measures NegMAS reports for every negotiation of a tournament (the
``details`` and ``scores`` tables of ``negmas.tournaments.neg.cartesian_tournament``), on
Redline's arrays. A batch is ``B`` negotiations between ``A`` agents over ``N`` packages:
``utilities (B, A, N)``, reservation values ``reservation (B, A)``, which packages each agent may
accept at all ``allowed (B, A, N)`` (its hard red lines), and the agreed package ``agreement
(B,)`` (``-1``: none). Per negotiation:

* ``utility (B, A)``: each agent's utility of the agreement, its reservation value when there is
  none (NegMAS's ``ufun(None)``, "Score(all)" of Lewis et al. 2017);
* ``advantage (B, A)``: ``(u - r) / (max - r)``, where ``max`` is the agent's best utility over
  every package; ``0`` when ``max <= r`` (no room; NegMAS gives 0 when ``max == r``);
* ``welfare (B,)``: the sum of the agents' utilities (NegMAS's ``max_welfare`` distance field;
  its per-negotiator ``welfare`` score is this divided by ``A``);
* ``pareto_distance (B,)``: the Euclidean distance in utility space from ``utility`` to the
  nearest point of the Pareto frontier of all packages (NegMAS ``pareto_dist``);
* ``nash_distance``, ``ks_distance (B,)``: the distance to the Nash (1950) point and to the
  Kalai-Smorodinsky (1975) point.

One home for the solutions
--------------------------
The frontier is :func:`redline.space.pareto.pareto_mask` over every package; the Nash and
Kalai-Smorodinsky points are the agreement-space kernel's (:mod:`redline.space.kernel`), exactly
as the Monte Carlo sweep computes them per draw: over the packages every agent may accept (no
agent's ``allowed`` is false and ``u_a >= r_a`` within
:data:`redline.space.tolerance.UTILITY_TOLERANCE`), gains ``g_a = u_a - r_a``,

* Nash: the package maximising ``prod_a g_a``;
* Kalai-Smorodinsky: the package maximising ``min_a g_a / (ideal_a - r_a)``, ``ideal_a`` the
  agent's best utility over those packages;

with the kernel's tie rule and its undominated pick among ties
(:func:`redline.space.kernel.undominated_tie`). When no package is acceptable to every agent
there is neither point and both distances are ``nan``.

Where NegMAS differs
--------------------
* Its Kalai-Smorodinsky point (``negmas.preferences.ops.ks_points``) minimises the spread
  ``max_a - min_a`` of the advantages ``(u_a - r_a) / (max_a - r_a)`` over its frontier, with
  ``max_a`` over *all* outcomes; Redline's maximises the smallest ratio with the ideal over the
  acceptable packages (the textbook definition, Kalai & Smorodinsky 1975, and the one every
  other Redline command reports). The two agree when the frontier crosses the line from the
  disagreement point to the ideal.
* Where several packages tie for a solution NegMAS measures the distance to the nearest of
  them; Redline to the kernel's one undominated pick (the sweep's convention).
* NegMAS's ``*_optimality`` columns are ``max(0, 1 - d / D)`` with ``D`` the diagonal of the
  utility ranges (``estimate_max_dist``); :func:`optimality` gives the same from a distance.

Cost
----
Negotiations on the same space (the same utilities, reservation values and red lines, as in a
tournament's repetitions and strategy pairings) share one frontier and one pair of solution
points: the distinct spaces are found first (no loop over negotiations), the kernel runs once
over them as a batch, and each distinct space costs one frontier. Distances are computed in
blocks of at most :data:`DISTANCE_BLOCK` utility vectors.

References
----------
Nash, J. (1950). The bargaining problem. *Econometrica* 18(2), 155-162.
Kalai, E. & Smorodinsky, M. (1975). Other solutions to Nash's bargaining problem.
*Econometrica* 43(3), 513-518.
Lewis, M., Yarats, D., Dauphin, Y., Parikh, D. & Batra, D. (2017). Deal or no deal? End-to-end
learning for negotiation dialogues. *EMNLP*.
Mohammad, Y., Nakadai, S. & Greenwald, A. (2021). NegMAS: A platform for automated negotiations.
*PRIMA 2020*, LNCS 12568, 343-351.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redline.space import kernel
from redline.space.pareto import pareto_mask, pareto_masks
from redline.space.tolerance import UTILITY_TOLERANCE

__all__ = [
    "DISTANCE_BLOCK",
    "METRIC_NAMES",
    "Metrics",
    "References",
    "negotiation_metrics",
    "optimality",
    "outcome_utilities",
    "references",
]

DISTANCE_BLOCK = 2**22
"""Pairs of (negotiation, frontier point) whose distances are held in memory at once."""

_FINGERPRINT_SEED = 0x4D455452  # fixed multipliers of the spaces' fingerprints

SOLUTION_BLOCK = 2**23
"""Utilities (spaces x agents x packages) the solution points are computed on at once."""

METRIC_NAMES = ("agreement", "utility", "advantage", "welfare", "pareto_distance",
                "nash_distance", "ks_distance")
"""The per-negotiation metrics, in the order tables and JSON list them."""


@dataclass(frozen=True)
class References:
    """What the metrics measure against, per distinct space of a batch.

    Attributes
    ----------
    group
        ``(B,)`` the distinct space of each negotiation (indices into the other fields).
    best
        ``(G, A)`` each agent's best utility over every package.
    frontier
        ``(F, A)`` utility vectors of the Pareto frontier of every package (duplicates kept, as
        :func:`redline.space.pareto.pareto_mask` keeps them): one for the whole batch when the
        negotiations share their utilities, else one per distinct space.
    frontier_of
        ``(G,)`` each distinct space's frontier (an index into ``frontier``).
    nash, ks
        ``(G,)`` the kernel's Nash and Kalai-Smorodinsky package (``-1``: no package is
        acceptable to every agent).
    nash_utilities, ks_utilities
        ``(G, A)`` their utilities (``nan`` without one).
    """

    group: np.ndarray
    best: np.ndarray
    frontier: tuple[np.ndarray, ...]
    frontier_of: np.ndarray
    nash: np.ndarray
    ks: np.ndarray
    nash_utilities: np.ndarray
    ks_utilities: np.ndarray


@dataclass(frozen=True)
class Metrics:
    """The per-negotiation metrics of a batch (see the module docstring for each).

    Attributes
    ----------
    agreement
        ``(B,)`` bool: the negotiation ended in an agreement.
    utility, advantage
        ``(B, A)``.
    welfare, pareto_distance, nash_distance, ks_distance
        ``(B,)`` (the last two ``nan`` where the space has no such point).
    references
        The frontier and solution points the distances are measured to.
    """

    agreement: np.ndarray
    utility: np.ndarray
    advantage: np.ndarray
    welfare: np.ndarray
    pareto_distance: np.ndarray
    nash_distance: np.ndarray
    ks_distance: np.ndarray
    references: References

    def row(self, b: int) -> dict:
        """Negotiation ``b``'s metrics as plain JSON values (``nan`` as ``None``).

        Returns
        -------
        dict
            ``{name: value}`` for :data:`METRIC_NAMES`; ``utility`` and ``advantage`` are lists
            over the agents.
        """
        return {
            "agreement": bool(self.agreement[b]),
            "utility": [_number(v) for v in self.utility[b]],
            "advantage": [_number(v) for v in self.advantage[b]],
            "welfare": _number(self.welfare[b]),
            "pareto_distance": _number(self.pareto_distance[b]),
            "nash_distance": _number(self.nash_distance[b]),
            "ks_distance": _number(self.ks_distance[b]),
        }


def _number(value: float) -> float | None:
    """A finite float, or ``None`` (JSON has no NaN)."""
    value = float(value)
    return value if np.isfinite(value) else None


def _check(utilities: np.ndarray, reservation: np.ndarray, allowed: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The batch arrays as float/bool arrays of shape ``(B, A, N)``, ``(B, A)``, ``(B, A, N)``,
    or ``ValueError``. A leading axis of length 1 (outcomes shared by every negotiation, as
    :class:`redline.simulate.space.NegotiationSpace` keeps them) is broadcast, not copied."""
    utilities = np.asarray(utilities, dtype=float)
    reservation = np.asarray(reservation, dtype=float)
    allowed = np.asarray(allowed, dtype=bool)
    if utilities.ndim != 3 or utilities.shape[1] < 1 or utilities.shape[2] < 1:
        raise ValueError(f"utilities must be (B, A, N) with A, N >= 1; got {utilities.shape}")
    if reservation.ndim != 2 or reservation.shape[1] != utilities.shape[1]:
        raise ValueError(f"reservation must be (B, {utilities.shape[1]}); got "
                         f"{reservation.shape}")
    shape = (reservation.shape[0],) + utilities.shape[1:]
    for name, array in (("utilities", utilities), ("allowed", allowed)):
        if array.ndim != 3 or array.shape[1:] != shape[1:] or array.shape[0] not in (1, shape[0]):
            raise ValueError(f"{name} must be {shape} or (1, ...); got {array.shape}")
    if not (np.isfinite(utilities).all() and np.isfinite(reservation).all()):
        raise ValueError("utilities and reservation values must be finite")
    return (np.broadcast_to(utilities, shape), reservation, np.broadcast_to(allowed, shape))


def _shared(array: np.ndarray) -> bool:
    """Whether every row of a batch array is the same memory (a broadcast or one row)."""
    return array.shape[0] == 1 or array.strides[0] == 0


def _first_of_each(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct row of ``keys`` (``uint64``, in order of appearance) and
    each row's group number.

    Rows are grouped by an exact integer fingerprint (a wrapping ``uint64`` dot product with
    fixed odd multipliers: equal rows give equal fingerprints), then checked whole against
    their group's first row; only a fingerprint collision falls back to sorting whole rows.
    """
    multipliers = (np.random.default_rng(_FINGERPRINT_SEED)
                   .integers(0, 2**63, size=keys.shape[1], dtype=np.uint64) * np.uint64(2)
                   + np.uint64(1))
    with np.errstate(over="ignore"):
        fingerprint = (keys * multipliers).sum(axis=1, dtype=np.uint64)
    _, first, group = np.unique(fingerprint, return_index=True, return_inverse=True)
    group = group.reshape(-1)
    if not (keys == keys[first[group]]).all():  # pragma: no cover - a 64-bit collision
        _, first, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        group = group.reshape(-1)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return first[order].astype(np.int64), rank[group].astype(np.int64)


def _distinct(utilities: np.ndarray, reservation: np.ndarray, allowed: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """The distinct spaces of a batch: the first negotiation of each, and each one's space.

    Shared outcomes (broadcast utilities and red lines, the usual case) are told apart by the
    reservation values alone; otherwise negotiations are compared whole, by value.
    """
    b = reservation.shape[0]
    bits = (reservation + 0.0).view(np.uint64)  # -0.0 and 0.0 as one number
    if (_shared(utilities) and _shared(allowed)) and (bits == bits[:1]).all():
        return np.zeros(1, dtype=np.int64), np.zeros(b, dtype=np.int64)
    parts = [bits]
    if not _shared(utilities):
        parts.append((utilities.reshape(b, -1) + 0.0).view(np.uint64))
    if not _shared(allowed):
        parts.append(np.packbits(allowed.reshape(b, -1), axis=1).astype(np.uint64))
    return _first_of_each(np.concatenate(parts, axis=1))


def references(utilities: np.ndarray, reservation: np.ndarray, allowed: np.ndarray
               ) -> References:
    """The Pareto frontier and the Nash and Kalai-Smorodinsky points of each distinct space.

    Parameters
    ----------
    utilities
        ``(B, A, N)`` every package's utility to every agent, per negotiation (or ``(1, A, N)``
        when every negotiation has the same).
    reservation
        ``(B, A)`` reservation values.
    allowed
        ``(B, A, N)`` (or ``(1, A, N)``) bool: the packages each agent may accept (its red
        lines).

    Returns
    -------
    References
        Per distinct space (see the module docstring for the definitions).
    """
    utilities, reservation, allowed = _check(utilities, reservation, allowed)
    first, group = _distinct(utilities, reservation, allowed)
    n_spaces, (n_agents, n) = first.size, utilities.shape[1:]
    best = np.empty((n_spaces, n_agents))
    nash = np.empty(n_spaces, dtype=np.int64)
    ks = np.empty(n_spaces, dtype=np.int64)
    nash_u, ks_u = np.empty((n_spaces, n_agents)), np.empty((n_spaces, n_agents))
    rows = max(1, SOLUTION_BLOCK // (n_agents * n))
    for s in range(0, n_spaces, rows):  # blocks of spaces, bounded memory
        pick = first[s:s + rows]
        u = np.ascontiguousarray(utilities[pick])
        best[s:s + rows] = u.max(axis=2)
        nash[s:s + rows], ks[s:s + rows] = _solutions(u, reservation[pick], allowed[pick])
        nash_u[s:s + rows] = _at(u, nash[s:s + rows])
        ks_u[s:s + rows] = _at(u, ks[s:s + rows])
    if _shared(utilities):  # one frontier for the whole batch
        frontier = (_frontier(utilities[0]),)
        frontier_of = np.zeros(n_spaces, dtype=np.int64)
    else:
        frontier = _frontiers(utilities, first)
        frontier_of = np.arange(n_spaces, dtype=np.int64)
    return References(group=group, best=best, frontier=frontier, frontier_of=frontier_of,
                      nash=nash, ks=ks, nash_utilities=nash_u, ks_utilities=ks_u)


def _frontier(u: np.ndarray) -> np.ndarray:
    """``(F, A)`` the Pareto frontier of the packages of one space ``u (A, N)``."""
    points = np.ascontiguousarray(u.T)
    return points[pareto_mask(points)]


def _frontiers(utilities: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, ...]:
    """The frontier of each space ``first`` of ``utilities (B, A, N)``, in blocks of spaces
    (:func:`redline.space.pareto.pareto_masks`: one vectorised sweep with two agents)."""
    out: list[np.ndarray] = []
    n_agents, n = utilities.shape[1:]
    rows = max(1, SOLUTION_BLOCK // (n_agents * n))
    for s in range(0, first.size, rows):
        points = np.ascontiguousarray(np.swapaxes(utilities[first[s:s + rows]], 1, 2))
        masks = pareto_masks(points)
        out.extend(p[m] for p, m in zip(points, masks, strict=True))
    return tuple(out)


def _solutions(u: np.ndarray, r: np.ndarray, allowed: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's Nash and Kalai-Smorodinsky packages of a block of spaces (``-1``: none).

    The kernel's functions with the spaces as its draw axis, as the sweep calls them
    (:func:`redline.uncertainty.sweep.run_chunk`); every agent has a veto.
    """
    n_agents = u.shape[1]
    by_agent = kernel.ByActor([u[:, a] for a in range(n_agents)])
    parties = np.ones(n_agents, dtype=bool)
    ok = allowed.all(axis=1)  # (G, N)
    for a in range(n_agents):  # the kernel's outside-option column
        ok &= ~(by_agent.columns[a] < r[:, a, None] - UTILITY_TOLERANCE)
    some = ok.any(axis=1)
    gains = kernel.veto_gains(by_agent, r, parties)
    sums = kernel.veto_sum(by_agent, parties)
    nash = kernel.undominated_tie(kernel.nash_product(gains),
                                  kernel.nash_product(gains, kernel.TIE_SHIFT), ok, sums)
    ideal = kernel.acceptable_ideal(by_agent, ok, range(n_agents), n_agents)
    spans = kernel.ks_spans(ideal, r, parties)
    ks = kernel.undominated_tie(kernel.ks_ratio(gains, spans),
                                kernel.ks_ratio(gains, spans, kernel.TIE_SHIFT), ok, sums)
    return np.where(some, nash, -1), np.where(some, ks, -1)


def _at(u: np.ndarray, package: np.ndarray) -> np.ndarray:
    """``(G, A)`` the utilities of one package per space (``nan`` where it is ``-1``)."""
    picked = np.take_along_axis(u, np.maximum(package, 0)[:, None, None], axis=2)[:, :, 0]
    return np.where((package >= 0)[:, None], picked, np.nan)


def outcome_utilities(utilities: np.ndarray, reservation: np.ndarray,
                      agreement: np.ndarray) -> np.ndarray:
    """``(B, A)`` each agent's utility of the outcome: of the agreement, else its reservation.

    Parameters
    ----------
    utilities
        ``(B, A, N)`` package utilities (or ``(1, A, N)``, shared).
    reservation
        ``(B, A)`` reservation values.
    agreement
        ``(B,)`` the agreed package, ``-1`` for none.
    """
    reservation = np.asarray(reservation, dtype=float)
    utilities = np.asarray(utilities, dtype=float)
    utilities = np.broadcast_to(utilities, reservation.shape[:1] + utilities.shape[1:])
    agreement = np.asarray(agreement, dtype=np.int64)
    n = utilities.shape[2]
    if agreement.shape != reservation.shape[:1]:
        raise ValueError(f"agreement must be ({reservation.shape[0]},); got {agreement.shape}")
    if ((agreement < -1) | (agreement >= n)).any():
        raise ValueError(f"agreement must be -1 or a package number below {n}")
    agreed = np.take_along_axis(utilities, np.maximum(agreement, 0)[:, None, None],
                                axis=2)[:, :, 0]
    return np.where((agreement >= 0)[:, None], agreed, reservation)


def _nearest(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``(m,)`` each point's Euclidean distance to the nearest of ``targets`` ``(f, A)``."""
    m, f = points.shape[0], targets.shape[0]
    out = np.full(m, np.inf)
    if f == 0 or m == 0:
        return out
    rows = max(1, DISTANCE_BLOCK // f)
    for s in range(0, m, rows):  # blocks of points, not negotiations one by one
        block = points[s:s + rows]
        d2 = np.zeros((block.shape[0], f))
        for a in range(points.shape[1]):
            d2 += (block[:, a, None] - targets[None, :, a]) ** 2
        out[s:s + rows] = np.sqrt(d2.min(axis=1))
    return out


def negotiation_metrics(utilities: np.ndarray, reservation: np.ndarray, allowed: np.ndarray,
                        agreement: np.ndarray, refs: References | None = None) -> Metrics:
    """NegMAS's per-negotiation metrics for a batch of negotiations.

    Parameters
    ----------
    utilities
        ``(B, A, N)`` every package's utility to every agent.
    reservation
        ``(B, A)`` reservation values (a failed negotiation is worth these).
    allowed
        ``(B, A, N)`` bool: the packages each agent may accept.
    agreement
        ``(B,)`` the agreed package, ``-1`` for none.
    refs
        :func:`references` of the same arrays, when already computed.

    Returns
    -------
    Metrics
        Agreement, utilities, advantages, welfare and the distances to the Pareto frontier, the
        Nash point and the Kalai-Smorodinsky point (module docstring).

    Examples
    --------
    >>> u = np.array([[[1.0, 0.6, 0.0], [0.0, 0.6, 1.0]]])  # one negotiation, 2 agents
    >>> m = negotiation_metrics(u, np.zeros((1, 2)), np.ones((1, 2, 3), bool), np.array([0]))
    >>> float(m.welfare[0]), float(m.nash_distance[0].round(6))
    (1.0, 0.72111)
    """
    utilities, reservation, allowed = _check(utilities, reservation, allowed)
    refs = references(utilities, reservation, allowed) if refs is None else refs
    utility = outcome_utilities(utilities, reservation, agreement)
    group = refs.group
    room = refs.best[group] - reservation
    with np.errstate(divide="ignore", invalid="ignore"):
        advantage = np.where(room > UTILITY_TOLERANCE, (utility - reservation) / room, 0.0)
    pareto = np.empty(utility.shape[0])
    which = refs.frontier_of[group]
    for f, front in enumerate(refs.frontier):  # one frontier per distinct set of utilities
        members = np.flatnonzero(which == f)
        pareto[members] = _nearest(utility[members], front)
    return Metrics(
        agreement=np.asarray(agreement) >= 0,
        utility=utility,
        advantage=advantage,
        welfare=utility.sum(axis=1),
        pareto_distance=pareto,
        nash_distance=np.linalg.norm(utility - refs.nash_utilities[group], axis=1),
        ks_distance=np.linalg.norm(utility - refs.ks_utilities[group], axis=1),
        references=refs,
    )


def optimality(distance: np.ndarray, best: np.ndarray, worst: np.ndarray) -> np.ndarray:
    """NegMAS's ``*_optimality`` of a distance: ``max(0, 1 - d / D)``.

    Parameters
    ----------
    distance
        ``(B,)`` distances in utility space.
    best, worst
        ``(B, A)`` each agent's highest and lowest utility over every package; ``D`` is the
        length of the diagonal ``||best - worst||`` (``negmas.preferences.ops.estimate_max_dist``).

    Returns
    -------
    numpy.ndarray
        ``(B,)`` in ``[0, 1]``, 1 at the point itself; ``nan`` where ``D`` is 0 or the distance
        is ``nan``.
    """
    diagonal = np.linalg.norm(np.asarray(best, float) - np.asarray(worst, float), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.maximum(0.0, 1.0 - np.asarray(distance, float) / diagonal)
    return np.where(diagonal > UTILITY_TOLERANCE, out, np.nan)
