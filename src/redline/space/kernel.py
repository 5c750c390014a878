"""The agreement-space kernel: utilities, rejections, solution objectives and ties, per draw.

Every function here works on a batch of draws: arrays carry a leading draw axis ``D``, and
utilities are indexed as ``utilities[..., actor]``, giving one ``(D, N)`` array per actor over
``N`` packages. The deterministic analysis (:func:`redline.space.engine.analyze`) is the case
``D = 1``, called once per chunk of packages; a Monte Carlo sweep
(:func:`redline.uncertainty.sweep.run_chunk`) calls the same functions once per chunk of draws.
So the two compute utilities, rejections, the rules that bind, the solution objectives and
their ties with one piece of code.

* Utilities are linear-additive (:mod:`redline.space.domain`): :func:`combine` adds the issues'
  tables ``(D, options, actors)`` in issue order, by broadcasting, in package order.
* A package is rejected by a rule (:class:`redline.space.domain.Constraint`) or by an actor's
  outside option (``u < d - UTILITY_TOLERANCE``). Columns (:func:`columns`) are labelled from
  the compiled constraints themselves; the rules that bind (:func:`redline.space.domain.binds`)
  decide acceptability, the others are objections.
* Objectives (over packages acceptable to every veto actor; gains ``g_i = u_i - d_i``, with
  gains within the tolerance of 0 counted as 0, :func:`redline.space.tolerance.without_noise`):
  Nash (1950) ``prod_i max(g_i, 0)``; Kalai-Smorodinsky (1975) ``min_i g_i / (ideal_i - d_i)``,
  an actor with no room (``ideal_i = d_i``) counting as fully satisfied; utilitarian
  ``sum_i u_i``; egalitarian (Kalai 1977) ``min_i g_i``.
* Ties: a package ties with the optimum ``f*`` when raising each veto actor's utility by
  :data:`~redline.space.tolerance.UTILITY_TOLERANCE` would make it optimal,
  ``f(u + UTILITY_TOLERANCE) >= f*`` (:func:`ties`). Where one package per draw is wanted (the
  sweep), :func:`undominated_tie` picks, among the ties, the one with the largest rounded sum
  of veto actors' utilities, then the lowest package number: a tie that another tie dominates
  has a smaller sum, so the pick is never dominated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from redline.space.domain import Constraint, binds
from redline.space.tolerance import (
    UTILITY_TOLERANCE,
    no_room,
    rounded,
    top_rounded,
    without_noise,
)

SOLUTIONS = ("nash", "kalai_smorodinsky", "utilitarian", "egalitarian")
TIE_SHIFT = UTILITY_TOLERANCE
"""How much each veto actor's utility is raised when a package is tested for a tie."""

Objective = Callable[..., np.ndarray]  # f(utilities, shift=0.0, exact=True)


# ---------------------------------------------------------------- utilities

class ByActor:
    """Per-actor utility arrays ``(D, N)`` that index like ``utilities[..., actor]``.

    Parameters
    ----------
    columns
        One ``(D, N)`` array per actor.
    """

    def __init__(self, columns: Sequence[np.ndarray]) -> None:
        self.columns = list(columns)

    def __getitem__(self, key: tuple) -> np.ndarray:
        return self.columns[key[-1]]

    def __len__(self) -> int:
        return len(self.columns)


def combine(tables: Sequence[np.ndarray], start: np.ndarray | None = None) -> np.ndarray:
    """Every combination of the tables' options added up, in package order, per draw.

    Parameters
    ----------
    tables
        Per issue, ``(D, options_i, ...)``: the draw axis, the options, then any trailing axes
        (the actors, or none for one actor's column).
    start
        ``(D, P, ...)`` sums of the leading issues, already combined; ``None`` starts from the
        first table.

    Returns
    -------
    numpy.ndarray
        ``(D, P * prod(options_i), ...)``: entry ``p`` is ``start[p]`` plus the tables' rows
        of the trailing options, added in issue order (the last issue varies fastest), so the
        sums are the same, bit for bit, as adding the rows one issue at a time.
    """
    tables = list(tables)
    if start is None:
        start, tables = tables[0], tables[1:]
    out = start
    for table in tables:
        out = (out[:, :, None] + table[:, None]).reshape(
            out.shape[0], -1, *out.shape[2:])
    return out


def combine_draws_last(tables: Sequence[np.ndarray], block: int = 512) -> np.ndarray:
    """:func:`combine` for one actor, computed with the draws on the last axis.

    Parameters
    ----------
    tables
        Per issue, ``(D, options_i)``: one actor's column of each table.
    block
        Draws per block: a block's sums stay in the processor's cache.

    Returns
    -------
    numpy.ndarray
        ``(D, N)`` the same sums as ``combine(tables)``, bit for bit (each package's rows
        added in issue order), as a transposed view of an ``(N, D)`` array. With the draws
        last the innermost loop runs over the draws, not over an issue's few options, which
        numpy handles several times faster.
    """
    n_draws = tables[0].shape[0]
    columns = [np.ascontiguousarray(np.asarray(t).T) for t in tables]  # (O_i, D)

    def summed(start: int, stop: int) -> np.ndarray:
        total = columns[0][:, start:stop]
        for t in columns[1:]:
            total = (total[:, None, :] + t[None, :, start:stop]).reshape(-1, stop - start)
        return total

    if n_draws <= block:
        return summed(0, n_draws).T
    n_packages = 1
    for t in columns:
        n_packages *= t.shape[0]
    out = np.empty((n_packages, n_draws))
    for start in range(0, n_draws, block):
        out[:, start:start + block] = summed(start, min(n_draws, start + block))
    return out.T


def package_utilities(tables: Sequence[np.ndarray]) -> ByActor:
    """Every package's utility to every actor, per draw, kept per actor.

    Parameters
    ----------
    tables
        Per issue, ``(D, options_i, A)`` weighted evaluations
        (:attr:`redline.scenario.compile.BatchDomain.tables`).

    Returns
    -------
    ByActor
        Per actor, ``(D, N)`` utilities of the ``N`` packages in package order. Kept per actor
        so that everything across actors is an elementwise operation on whole arrays.
    """
    n_actors = tables[0].shape[-1]
    return ByActor([combine([t[:, :, a] for t in tables]) for a in range(n_actors)])


# ---------------------------------------------------------------- rejection columns

@dataclass(frozen=True)
class Column:
    """One reason a package can be rejected: a compiled rule, or an actor's outside option."""

    id: str
    kind: str  # red_line | linkage | ratification | outside_option
    actor: int  # index of the actor who holds it
    actor_id: str
    description: str
    binding: bool  # decides acceptability (:func:`redline.space.domain.binds`)
    rule: int | None  # index into the constraints; None for an outside option


def columns(constraints: Sequence[Constraint], actors: Sequence[str], parties: np.ndarray,
            names: Sequence[str] | None = None,
            disagreement: np.ndarray | None = None) -> tuple[Column, ...]:
    """The rejection columns: one per compiled rule, in order, then one per actor.

    Parameters
    ----------
    constraints
        The compiled rules; their ids, kinds, holders and descriptions label the columns.
    actors
        Actor ids.
    parties
        ``(A,)`` bool: the actors with a veto.
    names
        Actor names for the outside options' descriptions (default: the ids).
    disagreement
        ``(A,)`` outside options quoted in the descriptions; ``None`` (they vary by draw)
        leaves the value out.

    Returns
    -------
    tuple of Column
        ``len(constraints) + len(actors)`` columns.
    """
    names = list(names or actors)
    out = [Column(c.id, c.kind, c.actor, actors[c.actor], c.description, c.binds(parties), k)
           for k, c in enumerate(constraints)]
    for a, actor in enumerate(actors):
        value = "" if disagreement is None else f" ({float(disagreement[a]):.3g})"
        out.append(Column(f"{actor}:outside_option", "outside_option", a, actor,
                          f"worth less than {names[a]}'s outside option{value}",
                          binds("outside_option", bool(parties[a])), None))
    return tuple(out)


def binding_mask(constraints: Sequence[Constraint], parties: np.ndarray) -> np.ndarray:
    """Which columns of :func:`columns` decide acceptability, as a bool array: every rule of
    an actor with a veto, every ratification step, and the veto actors' outside options."""
    rules = np.array([c.binds(parties) for c in constraints], dtype=bool)
    return np.concatenate([rules, np.asarray(parties, dtype=bool)])


def rejections(constraints: Sequence[Constraint], options: np.ndarray, utilities,
               disagreement: np.ndarray, which: Sequence[int] | np.ndarray,
               active: np.ndarray | None = None, draws_last: bool = False
               ) -> list[np.ndarray]:
    """Which packages each chosen column rejects, per draw.

    Parameters
    ----------
    constraints
        The compiled rules (the first columns).
    options
        ``(N, I)`` option indices of the packages (or anything indexing as ``options[:, i]``).
    utilities
        ``utilities[..., a]`` is ``(D, N)``: an ``(D, N, A)`` array or a :class:`ByActor`.
    disagreement
        ``(D, A)`` outside options.
    which
        Column numbers (rules first, then one per actor), or a bool mask over the columns.
    active
        ``(D, n_rules)`` whether each rule applies in each draw; ``None``: all apply.
    draws_last
        The utilities are laid out with the draws varying fastest; the rules' per-draw masks
        are built in that layout too (:meth:`redline.space.domain.Condition.evaluate`).

    Returns
    -------
    list of numpy.ndarray
        One bool array per chosen column, each of shape ``(D, N)`` (possibly a read-only
        broadcast view).
    """
    which = np.asarray(which)
    if which.dtype == bool:
        which = np.flatnonzero(which)
    n_rules = len(constraints)
    shape = (disagreement.shape[0], options.shape[0])
    out = []
    for k in which:
        k = int(k)
        if k < n_rules:
            if active is not None and not active[:, k].any():
                hit = np.zeros(shape, dtype=bool)
            else:
                hit = np.broadcast_to(constraints[k].violations(options, utilities,
                                                                 draws_last), shape)
                if active is not None and not active[:, k].all():
                    hit = np.logical_and(hit, active[:, k][:, None],
                                         order="F" if draws_last else "K")
        else:
            a = k - n_rules
            hit = utilities[..., a] < disagreement[:, a][:, None] - UTILITY_TOLERANCE
        out.append(hit)
    return out


def broken_counts(rejected: Sequence[np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """``(D, N)``: how many of the ``rejected`` columns reject each package (0: acceptable)."""
    out = np.zeros(shape, dtype=np.int16 if len(rejected) < 2**15 else np.int32)
    for column in rejected:
        out += column
    return out


def rejection_counts(rejected: Sequence[np.ndarray], broken: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Per column and draw, the packages it rejects and those it alone rejects.

    Parameters
    ----------
    rejected
        The binding columns, each ``(D, N)`` bool.
    broken
        ``(D, N)`` :func:`broken_counts` of those columns.

    Returns
    -------
    rejects, sole : numpy.ndarray
        ``(C, D)`` int64 each. Lifting a column would make its ``sole`` packages acceptable.
    """
    rejects = np.zeros((len(rejected), broken.shape[0]), dtype=np.int64)
    sole = np.zeros_like(rejects)
    if not broken.any():
        return rejects, sole
    alone = broken == 1
    for c, column in enumerate(rejected):
        rejects[c] = np.count_nonzero(column, axis=1)
        sole[c] = np.count_nonzero(column & alone, axis=1)
    return rejects, sole


# ---------------------------------------------------------------- objectives

def veto_gains(utilities, disagreement: np.ndarray, parties: np.ndarray,
               exact: bool = True) -> list[np.ndarray]:
    """Each veto actor's gain over its outside option, ``u_i - d_i``.

    Parameters
    ----------
    utilities
        ``utilities[..., a]`` is ``(..., N)``.
    disagreement
        ``(..., A)`` outside options: ``(A,)`` for one draw, ``(D, A)`` for a batch.
    parties
        ``(A,)`` bool: the veto actors.
    exact
        Count gains within the tolerance of 0 as 0; ``False`` skips that (a cheaper estimate).
    """
    return list(_each_gain(utilities, disagreement, parties, exact))


def _each_gain(utilities, disagreement: np.ndarray, parties: np.ndarray,
               exact: bool) -> Iterator[np.ndarray]:
    """:func:`veto_gains` one actor at a time (an objective then holds one gain at a time)."""
    d = np.asarray(disagreement, dtype=float)
    for c in np.flatnonzero(parties):
        gain = utilities[..., c] - (d[c] if d.ndim == 1 else d[..., c, None])
        yield without_noise(gain) if exact else gain


def _shifted(gain: np.ndarray, shift: float) -> np.ndarray:
    return gain + shift if shift else gain


def nash_product(gains: Iterable[np.ndarray], shift: float = 0.0) -> np.ndarray:
    """Nash's objective ``prod_i max(g_i + shift, 0)`` over the veto actors' gains."""
    out = None
    for g in gains:
        if out is None:
            out = np.clip(_shifted(g, shift), 0, None)
        else:
            out *= np.clip(_shifted(g, shift), 0, None)
    return out


def smallest_gain(gains: Iterable[np.ndarray], shift: float = 0.0) -> np.ndarray:
    """The egalitarian objective ``min_i (g_i + shift)``."""
    out, fresh = None, False
    for g in gains:
        if out is None:
            out = _shifted(g, shift)
        else:
            out = np.minimum(out, _shifted(g, shift), out=out if fresh else None)
            fresh = True
    return out


def utility_sum(utilities, parties: np.ndarray, shift: float = 0.0) -> np.ndarray:
    """The utilitarian objective ``sum_i (u_i + shift)`` over the veto actors."""
    cols = np.flatnonzero(parties)
    out = utilities[..., cols[0]] + shift
    for c in cols[1:]:
        out += utilities[..., c] + shift if shift else utilities[..., c]
    return out


def ks_spans(ideal: np.ndarray, disagreement: np.ndarray, parties: np.ndarray
             ) -> list[np.ndarray]:
    """Each veto actor's room, ``ideal_i - d_i``, shaped to divide its gains.

    ``ideal`` and ``disagreement`` are ``(A,)`` for one draw (each span is then a number) or
    ``(D, A)`` for a batch (each span is ``(D, 1)``).
    """
    span = np.asarray(ideal, dtype=float) - np.asarray(disagreement, dtype=float)
    return [span[..., c, None] if span.ndim > 1 else span[c] for c in np.flatnonzero(parties)]


def ks_ratio(gains: Iterable[np.ndarray], spans: Sequence[np.ndarray],
             shift: float = 0.0) -> np.ndarray:
    """Kalai-Smorodinsky's objective ``min_i (g_i + shift) / (ideal_i - d_i)``.

    An actor with no room (:func:`redline.space.tolerance.no_room`) counts as fully
    satisfied (ratio 1), in the draws where it has none.
    """
    out = None
    for g, span in zip(gains, spans, strict=True):
        flat = no_room(span)
        gain = _shifted(g, shift)
        if np.ndim(span) == 0 or flat.all() or not flat.any():
            ratio = np.ones(np.shape(gain)) if flat.all() else gain / span
        else:
            ratio = gain / np.where(flat, 1.0, span)
            np.copyto(ratio, 1.0, where=flat)
        out = ratio if out is None else np.minimum(out, ratio, out=out)
    return out


def objectives(parties: np.ndarray, disagreement: np.ndarray,
               ideal: np.ndarray | None = None) -> dict[str, Objective]:
    """The solutions' objectives ``f(utilities, shift=0.0, exact=True)``.

    Each raises every veto actor's utility by ``shift`` (:data:`TIE_SHIFT` tests a tie) and is
    non-decreasing in every utility wherever all veto actors reach their outside options, which
    :mod:`redline.space.search` and the tie rule rely on. ``exact=False`` skips counting gains
    within the tolerance of 0 as 0 (a cheaper estimate). They combine the veto actors' columns
    one at a time: numpy reduces a short trailing axis slowly, whole columns fast.

    Parameters
    ----------
    parties
        ``(A,)`` bool: the veto actors.
    disagreement
        ``(A,)`` or ``(D, A)`` outside options.
    ideal
        Each actor's best utility over the acceptable packages, shaped like ``disagreement``;
        without it there is no Kalai-Smorodinsky objective.

    Returns
    -------
    dict
        Name (of :data:`SOLUTIONS`) to objective.
    """

    def nash(u, shift: float = 0.0, exact: bool = True) -> np.ndarray:
        """:func:`nash_product` of the veto actors' gains."""
        return nash_product(_each_gain(u, disagreement, parties, exact), shift)

    def utilitarian(u, shift: float = 0.0, exact: bool = True) -> np.ndarray:
        """:func:`utility_sum` over the veto actors (``exact`` changes nothing)."""
        return utility_sum(u, parties, shift)

    def egalitarian(u, shift: float = 0.0, exact: bool = True) -> np.ndarray:
        """:func:`smallest_gain` of the veto actors' gains."""
        return smallest_gain(_each_gain(u, disagreement, parties, exact), shift)

    out: dict[str, Objective] = {"nash": nash, "utilitarian": utilitarian,
                                 "egalitarian": egalitarian}
    if ideal is not None:
        spans = ks_spans(ideal, disagreement, parties)

        def kalai_smorodinsky(u, shift: float = 0.0, exact: bool = True) -> np.ndarray:
            """:func:`ks_ratio` of the veto actors' gains and room."""
            return ks_ratio(_each_gain(u, disagreement, parties, exact), spans, shift)

        out["kalai_smorodinsky"] = kalai_smorodinsky
    return out


# ---------------------------------------------------------------- ties

def ties(raised: np.ndarray, best: np.ndarray | float) -> np.ndarray:
    """The tie rule: a package ties with the optimum ``best`` when its objective with every veto
    actor's utility raised by :data:`TIE_SHIFT` (``raised``) reaches it."""
    return raised >= best


def acceptable_ideal(utilities, ok: np.ndarray, actors: Sequence[int],
                     n_actors: int) -> np.ndarray:
    """``(D, n_actors)`` each of ``actors``' best utility over the acceptable packages.

    ``-inf`` in draws without an acceptable package, and for the actors not asked for
    (Kalai-Smorodinsky needs the veto actors' only).
    """
    out = np.full((ok.shape[0], n_actors), -np.inf)
    for a in actors:
        out[:, a] = np.where(ok, utilities[..., a], -np.inf).max(axis=1)
    return out


def veto_sum(utilities, parties: np.ndarray) -> np.ndarray:
    """``(D, N)`` the rounded sum of the veto actors' utilities: the tie-break of
    :func:`undominated_tie`."""
    return rounded(sum(utilities[..., c] for c in np.flatnonzero(parties)))


def undominated_tie(value: np.ndarray, raised: np.ndarray, ok: np.ndarray,
                    sums: np.ndarray) -> np.ndarray:
    """Per draw, one package among those that tie with the best acceptable ``value``.

    Parameters
    ----------
    value, raised
        ``(D, N)`` an objective, and the same with every veto actor's utility raised by
        :data:`TIE_SHIFT`.
    ok
        ``(D, N)`` bool: the acceptable packages.
    sums
        ``(D, N)`` :func:`veto_sum`.

    Returns
    -------
    numpy.ndarray
        ``(D,)`` package numbers: among the ties (:func:`ties`), the largest ``sums`` (a tie
        dominated by another has a smaller sum, so the pick is never dominated), then the
        lowest package number. Meaningless in draws without an acceptable package.
    """
    best = np.where(ok, value, -np.inf).max(axis=1, keepdims=True)
    tied = ok & ties(raised, best)
    top = np.where(tied, sums, -np.inf).max(axis=1, keepdims=True)
    return np.argmax(tied & top_rounded(sums, top), axis=1)


def objective_slacks(top: np.ndarray, parties: np.ndarray, disagreement: np.ndarray,
                     ideal: np.ndarray | None = None) -> dict[str, float]:
    """How much raising every veto actor's utility by :data:`TIE_SHIFT` can add to each
    objective of :func:`objectives`, at most, anywhere in the space; also a bound on the change
    from counting gains within the tolerance of 0 as 0 (so a scan can skip packages that cannot
    tie, from the cheaper ``exact=False`` estimate).

    Parameters
    ----------
    top
        ``(A,)`` each actor's best utility anywhere in the space.
    parties, disagreement, ideal
        As for :func:`objectives`, for one draw.
    """
    cols = np.flatnonzero(parties)
    gains = np.clip(top[cols] - disagreement[cols], 0, None) + TIE_SHIFT
    # prod(g + t) - prod(g) <= t * sum_i prod_{j != i} (g_j + t), by telescoping.
    nash = TIE_SHIFT * sum(float(np.prod(np.delete(gains, i))) for i in range(cols.size))
    out = {"nash": nash, "utilitarian": TIE_SHIFT * cols.size, "egalitarian": TIE_SHIFT}
    if ideal is not None:
        span = (ideal - disagreement)[cols]
        room = span[~no_room(span)]
        out["kalai_smorodinsky"] = TIE_SHIFT / room.min() if room.size else 0.0
    return out
