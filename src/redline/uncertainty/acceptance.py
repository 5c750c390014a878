"""Who accepts a few given packages, draw by draw: the kernel on just those packages.

A sweep (:func:`redline.uncertainty.sweep.run_chunk`) evaluates every package of the space and
keeps counts over the draws; the posterior (:mod:`redline.uncertainty.posterior`) and the
mediator's advice need the opposite: a handful of packages (the texts that were tabled, the
candidates for the next move) and the verdict in *every* draw. :func:`acceptance` compiles the
draws (:func:`redline.scenario.compile.compile_batch`) and runs the agreement-space kernel
(:mod:`redline.space.kernel`) on those packages only:

* an actor *accepts* a package when none of its own rules (binding or not) and not its outside
  option rejects it (:func:`actor_rejections`, which the sweep's per-package counts use too);
* a package is *acceptable* when no binding column rejects it: every veto actor accepts and
  every ratification step passes (:func:`redline.space.domain.binds`).

Utilities are added over the issues in issue order, as :func:`redline.space.kernel.combine`
adds them, so they are the sweep's bit for bit.

:func:`verdicts` computes only what its caller asks for (the acceptable mask, some actors'
acceptance, some utilities): only the rejection columns and the actors' utilities those need,
in blocks of draws that stay in the processor's cache, with the draws varying fastest in
memory (numpy's inner loops then run over the draws, not over an issue's few options). The
posterior's likelihood, the update's summaries and the mediator's advice use it;
:func:`acceptance` is every verdict at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from redline.scenario.compile import BatchDomain, Draws, compile_batch
from redline.scenario.model import Scenario
from redline.space import kernel
from redline.space.domain import Condition, package_count
from redline.space.packages import decode
from redline.space.tolerance import UTILITY_TOLERANCE


@dataclass(frozen=True)
class Acceptance:
    """The verdicts on ``M`` packages in ``D`` draws.

    Attributes
    ----------
    accepts
        ``(D, A, M)`` bool: the actor accepts the package (none of its own rules, binding or
        not, nor its outside option rejects it).
    acceptable
        ``(D, M)`` bool: no binding column rejects it.
    utilities
        ``(D, A, M)`` each actor's utility of each package.
    outside
        ``(D, A)`` each actor's outside option (its utility of no deal).
    actors
        The actor ids, in the scenario's order.
    veto
        ``(A,)`` bool: the actors whose acceptance a deal needs.
    """

    accepts: np.ndarray
    acceptable: np.ndarray
    utilities: np.ndarray
    outside: np.ndarray
    actors: tuple[str, ...]
    veto: np.ndarray


def package_utilities(tables: Sequence[np.ndarray], options: np.ndarray) -> kernel.ByActor:
    """Each actor's utility of the packages ``options``, per draw.

    Parameters
    ----------
    tables
        Per issue, ``(D, O_i, A)`` weighted evaluations
        (:attr:`redline.scenario.compile.BatchDomain.tables`).
    options
        ``(M, I)`` option indices.

    Returns
    -------
    redline.space.kernel.ByActor
        Per actor, ``(D, M)`` utilities: the issues' rows added in issue order, as
        :func:`redline.space.kernel.combine` adds them for the whole space.
    """
    options = np.asarray(options)
    n_actors = tables[0].shape[-1]
    total = tables[0][:, options[:, 0], :]  # (D, M, A): one gather per issue, all actors
    for i in range(1, len(tables)):
        total = total + tables[i][:, options[:, i], :]
    return kernel.ByActor([total[:, :, a] for a in range(n_actors)])


def actor_rejections(labels: Sequence[kernel.Column], rejected: Sequence[np.ndarray],
                     shape: tuple[int, int], n_actors: int) -> Iterator[np.ndarray]:
    """Per actor, ``(D, N)`` bool: some column the actor holds (a rule, binding or not, or its
    outside option) rejects the package. The complement is "the actor accepts".

    Parameters
    ----------
    labels
        The columns (:func:`redline.space.kernel.columns`).
    rejected
        One ``(D, N)`` bool array per column (:func:`redline.space.kernel.rejections` of every
        column).
    shape
        ``(D, N)``.
    n_actors
        The number of actors.

    Yields
    ------
    numpy.ndarray
        One actor's mask at a time, so a caller that counts holds one mask.
    """
    for a in range(n_actors):
        mine = np.zeros(shape, dtype=bool)
        for column, hit in zip(labels, rejected, strict=True):
            if column.actor == a:
                mine |= hit
        yield mine


@dataclass(frozen=True)
class Verdicts:
    """Only the verdicts a caller asked :func:`verdicts` for, on ``M`` packages in ``D`` draws.

    Attributes
    ----------
    acceptable
        ``(D, M)`` bool: no binding column rejects the package; ``None`` if not asked for.
    accepts
        ``{actor index: (D, M) bool}``: the actor accepts the package.
    utilities
        ``{actor index: (D, M)}``: the utilities of the actors asked for.
    outside
        ``(D, A)`` the outside options.
    """

    acceptable: np.ndarray | None
    accepts: dict[int, np.ndarray]
    utilities: dict[int, np.ndarray]
    outside: np.ndarray


def _utilities(batch: BatchDomain, options: np.ndarray, whole: bool, actor: int
               ) -> np.ndarray:
    """``(D, M)`` one actor's utility of the packages: the issues' rows added in issue order,
    by broadcasting over every package (``whole``, :func:`redline.space.kernel.combine`'s
    sums) or gathered per package; the same sums either way. Computed with the draws on the
    last axis (:func:`redline.space.kernel.combine_draws_last`) and returned as a transposed
    view."""
    tables = [t[:, :, actor] for t in batch.tables]
    if whole:
        return kernel.combine_draws_last(tables, block=batch.size)
    rows = [np.ascontiguousarray(t.T) for t in tables]  # (O_i, D)
    total = rows[0][options[:, 0]]
    for i in range(1, len(rows)):
        total = total + rows[i][options[:, i]]
    return total.T


BLOCK_ELEMENTS = 1 << 18
"""Draws x packages per block of :func:`verdicts`: a block's float arrays (2 MB) stay in the
processor's cache, where numpy's elementwise passes run several times faster than over a
whole chunk of draws."""


def verdicts(batch: BatchDomain, options: np.ndarray, whole: bool = False, *,
             acceptable: bool = True, accepting: Sequence[int] = (),
             utilities: Sequence[int] = ()) -> Verdicts:
    """The verdicts a caller needs on the packages ``options`` in every draw of ``batch``, and
    no more: only the rejection columns they depend on are evaluated, and only the utilities
    those columns (or the caller) need are added up; in blocks of draws of
    :data:`BLOCK_ELEMENTS`.

    Parameters
    ----------
    batch
        The compiled draws (:func:`redline.scenario.compile.compile_batch`).
    options
        ``(M, I)`` option indices.
    whole
        ``options`` is every package in package order: utilities by broadcasting.
    acceptable
        Compute the acceptable mask (every binding column, :func:`redline.space.domain.binds`).
    accepting
        The actors whose own acceptance is wanted (each of its columns, binding or not).
    utilities
        The actors whose utilities are wanted besides.

    Returns
    -------
    Verdicts
        The rule is the module docstring's: an actor accepts when none of its columns rejects;
        a package is acceptable when no binding column does.
    """
    options = np.asarray(options)
    labels = kernel.columns(batch.constraints, batch.actors, batch.parties)
    accepting = tuple(sorted({int(a) for a in accepting}))
    needed = [k for k, column in enumerate(labels)
              if (acceptable and column.binding) or column.actor in accepting]
    users = {int(a) for a in utilities}
    for k in needed:
        column = labels[k]
        if column.rule is None or batch.constraints[column.rule].min_utility is not None:
            users.add(column.actor)
    shape = (batch.size, int(options.shape[0]))
    # Laid out with the draws varying fastest, as the blocks compute them.
    mask = np.empty(shape, dtype=bool, order="F") if acceptable else None
    accepts = {a: np.empty(shape, dtype=bool, order="F") for a in accepting}
    kept = {a: np.empty(shape, order="F") for a in sorted(int(a) for a in utilities)}
    size = max(1, BLOCK_ELEMENTS // max(1, shape[1]))
    for start in range(0, shape[0], size):
        stop = min(shape[0], start + size)
        block = batch if (start, stop) == (0, shape[0]) else batch.rows(start, stop)
        found = _block_verdicts(block, options, whole, labels, needed, sorted(users),
                                acceptable, accepting)
        if mask is not None:
            mask[start:stop] = found.acceptable
        for a in accepting:
            accepts[a][start:stop] = found.accepts[a]
        for a in kept:
            kept[a][start:stop] = found.utilities[a]
    return Verdicts(mask, accepts, kept, np.asarray(batch.disagreement, float))


def _block_verdicts(batch: BatchDomain, options: np.ndarray, whole: bool,
                    labels: Sequence[kernel.Column], needed: Sequence[int],
                    users: Sequence[int], acceptable: bool, accepting: Sequence[int]
                    ) -> Verdicts:
    """:func:`verdicts` on one block of draws, with its columns and utilities chosen."""
    n_actors = len(batch.actors)
    computed = {a: _utilities(batch, options, whole, a) for a in users}
    by_actor = kernel.ByActor([computed.get(a) for a in range(n_actors)])
    rejected = dict(zip(needed, kernel.rejections(batch.constraints, options, by_actor,
                                                  batch.disagreement, needed,
                                                  active=batch.active, draws_last=True),
                        strict=True))
    shape = (batch.size, int(options.shape[0]))

    def none_of(ks: Sequence[int]) -> np.ndarray:
        hit = np.zeros(shape, dtype=bool, order="F")  # the utilities' layout
        for k in ks:
            np.logical_or(hit, rejected[k], out=hit)
        return ~hit

    mask = none_of([k for k in needed if labels[k].binding]) if acceptable else None
    accepts = {a: none_of([k for k in needed if labels[k].actor == a]) for a in accepting}
    return Verdicts(mask, accepts, computed, batch.disagreement)


MAX_RULE_GROUPS = 64
"""At most this many groups of draws for :func:`acceptable_packages` (beyond it the rules
differ in too many ways between draws, and every column is evaluated on every package)."""


def _per_draw_masks(condition: Condition | None) -> Iterator[np.ndarray]:
    """The ``(D, O)`` option masks of a condition tree (its uncertain thresholds')."""
    if condition is None:
        return
    if condition.allowed is not None and condition.allowed.ndim == 2:
        yield condition.allowed
    for child in condition.children:
        yield from _per_draw_masks(child)


def acceptable_blocks(batch: BatchDomain, options: np.ndarray, whole: bool = False
                      ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The packages ``options`` no binding column rejects, in every draw of ``batch``, as
    blocks: :func:`verdicts`' acceptable mask, bit for bit, with the utilities added up only
    where the rules leave a package standing (:func:`acceptable_packages` assembles it).

    The binding rules without a utility threshold (red lines, linkages, approvals) depend on
    a draw only through which of them apply and their per-draw option masks (uncertain
    thresholds): draws alike in those form a group, and the rules are evaluated once per
    group. The utility columns (the veto actors' outside options, ratification thresholds)
    are then evaluated per draw on the packages the group's rules leave, with the same sums
    and comparisons as :func:`verdicts` (so the same verdicts). With more than
    :data:`MAX_RULE_GROUPS` groups it is :func:`verdicts` itself.

    Parameters
    ----------
    batch
        The compiled draws.
    options
        ``(M, I)`` option indices.
    whole
        ``options`` is every package in package order (passed on to :func:`verdicts`).

    Yields
    ------
    rows, cols, fine
        Draw indices ``(n,)``, package indices ``(m,)`` and ``(n, m)`` bool: whether each of
        those packages is acceptable in each of those draws. Each draw is in at most one
        block; every package outside a draw's block is not acceptable in it.
    """
    options = np.asarray(options)
    labels = kernel.columns(batch.constraints, batch.actors, batch.parties)
    binding = [k for k, column in enumerate(labels) if column.binding]
    plain = [k for k in binding if labels[k].rule is not None
             and batch.constraints[labels[k].rule].min_utility is None]
    weighed = [k for k in binding if k not in plain]
    size, n_packages = batch.size, int(options.shape[0])
    parts = [batch.active[:, [labels[k].rule for k in binding if labels[k].rule is not None]]]
    for k in binding:
        if labels[k].rule is not None:
            rule = batch.constraints[labels[k].rule]
            parts += [m for c in (rule.violated_if, rule.unless) for m in _per_draw_masks(c)]
    signature = np.packbits(np.concatenate(parts, axis=1).astype(bool), axis=1)
    if signature.shape[1] <= 8:  # one integer per draw: a fast unique
        key = np.zeros(size, dtype=np.uint64)
        for j in range(signature.shape[1]):
            key |= signature[:, j].astype(np.uint64) << np.uint64(8 * j)
        _, first, group = np.unique(key, return_index=True, return_inverse=True)
    else:
        _, first, group = np.unique(signature, axis=0, return_index=True, return_inverse=True)
    group = group.reshape(-1)
    if first.size > MAX_RULE_GROUPS:
        found = verdicts(batch, options, whole)
        assert found.acceptable is not None
        yield np.arange(size), np.arange(n_packages), found.acceptable
        return
    if size == 0:
        return
    groups = batch.take(first)  # one draw per group: its rules are the group's
    standing = np.ones((first.size, n_packages), dtype=bool)
    for hit in kernel.rejections(groups.constraints, options, None, groups.disagreement,
                                 plain, active=groups.active):
        standing &= ~hit
    # The draws sorted by group, so that each group's draws are one run of rows.
    members = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[members], np.arange(first.size + 1))
    widths = np.count_nonzero(standing, axis=1)  # (G,) the packages each group leaves
    cells = _Cells(members, group[members], standing, widths)
    fine = np.ones(cells.total, dtype=bool)
    if weighed:
        for lo, hi in cells.spans(CELL_BLOCK):
            fine[cells.start[lo]:cells.stop(hi)] = _weighed_cells(
                batch, groups, options, labels, weighed, cells, lo, hi)
    offset = 0
    for g in range(first.size):
        lo, hi = int(bounds[g]), int(bounds[g + 1])
        width = int(widths[g])
        if not width or hi == lo:
            continue
        size = (hi - lo) * width
        yield members[lo:hi], np.flatnonzero(standing[g]), \
            fine[offset:offset + size].reshape(hi - lo, width)
        offset += size


CELL_BLOCK = 1 << 18
"""Cells (a draw and a package its rules leave) whose utilities :func:`acceptable_blocks`
computes at a time: the arrays of one block stay in the processor's cache, and memory stays
bounded whatever the number of cells."""


@dataclass(frozen=True)
class _Cells:
    """The cells of :func:`acceptable_blocks`: every draw with every package its group's
    rules leave standing, laid out group by group, draw by draw (in the order of
    ``members``), then package by package: the blocks it yields, one after another.

    Attributes
    ----------
    members
        ``(D,)`` the draws, sorted by group (stable).
    groups
        ``(D,)`` the group of each of ``members``.
    standing
        ``(G, N)`` the packages each group's rules leave.
    widths
        ``(G,)`` how many packages each group leaves.
    """

    members: np.ndarray
    groups: np.ndarray
    standing: np.ndarray
    widths: np.ndarray

    @cached_property
    def per_row(self) -> np.ndarray:
        """``(D,)`` the cells of each sorted draw."""
        return self.widths[self.groups]

    @cached_property
    def start(self) -> np.ndarray:
        """``(D + 1,)`` where each sorted draw's cells start (the last entry: the total)."""
        out = np.zeros(self.groups.size + 1, dtype=np.int64)
        np.cumsum(self.per_row, out=out[1:])
        return out

    @cached_property
    def listed(self) -> tuple[np.ndarray, np.ndarray]:
        """Each group's packages one after another, and where each group's list begins."""
        first = np.zeros(self.widths.size, dtype=np.int64)
        np.cumsum(self.widths[:-1], out=first[1:])
        return np.nonzero(self.standing)[1], first

    @property
    def total(self) -> int:
        """The number of cells."""
        return int(self.start[-1])

    def stop(self, hi: int) -> int:
        """Where the cells of the sorted draws before ``hi`` end."""
        return int(self.start[hi])

    def spans(self, block: int) -> list[tuple[int, int]]:
        """Runs ``(lo, hi)`` of sorted draws with about ``block`` cells each (at least one
        draw each; a run exceeds ``block`` by less than one draw's cells)."""
        start = self.start
        total = int(start[-1])
        if total == 0:
            return []
        cuts = np.searchsorted(start, np.arange(block, total, block), side="left")
        edges = np.unique(np.concatenate([[0], cuts, [self.groups.size]]))
        return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]

    def locate(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The cells of sorted draws ``lo:hi``: each cell's draw (an index into the batch),
        its package (an index into the options) and its group."""
        counts = self.per_row[lo:hi]
        start = self.start
        listed, first = self.listed
        within = np.arange(start[lo], start[hi], dtype=np.int64)
        within += np.repeat(first[self.groups[lo:hi]] - start[lo:hi], counts)
        return (np.repeat(self.members[lo:hi], counts), listed[within],
                np.repeat(self.groups[lo:hi], counts))


def _weighed_cells(batch: BatchDomain, groups: BatchDomain, options: np.ndarray,
                   labels: Sequence[kernel.Column], weighed: Sequence[int], cells: _Cells,
                   lo: int, hi: int) -> np.ndarray:
    """Whether no utility column (an outside option, a ratification threshold) rejects the
    cells of sorted draws ``lo:hi`` (:class:`_Cells`), all at once: the same sums (the
    issues' rows added in issue order, as :func:`verdicts` adds them) and the same
    comparisons as :func:`verdicts`, cell by cell. Every lookup is a gather from a flat
    array (numpy's fastest), by flat indices built once for all the columns."""
    draw, package, group = cells.locate(lo, hi)
    n_rules, n_packages = len(batch.constraints), int(options.shape[0])
    flat = []  # per issue, each cell's (draw, option) in the issue's (D, O_i) table
    for i, table in enumerate(batch.tables):
        index = draw * table.shape[1]
        index += np.ascontiguousarray(options[:, i]).take(package)
        flat.append(index)
    utilities: dict[int, np.ndarray] = {}

    def utility(a: int) -> np.ndarray:
        if a not in utilities:
            total = batch.tables[0][:, :, a].ravel().take(flat[0])
            for i in range(1, len(batch.tables)):
                total += batch.tables[i][:, :, a].ravel().take(flat[i])
            utilities[a] = total
        return utilities[a]

    fine = np.ones(draw.size, dtype=bool)
    for k in weighed:
        column = labels[k]
        if column.rule is None:
            a = k - n_rules
            floor = batch.disagreement[:, a] - UTILITY_TOLERANCE  # per draw, as verdicts
            fine &= ~(utility(a) < floor.take(draw))
            continue
        on = groups.active[:, column.rule]
        if not on.any():
            continue
        rule = groups.constraints[column.rule]  # the group's draw: its rules are the group's
        when = rule.violated_if.evaluate(options)
        if rule.unless is not None:
            when = when & ~rule.unless.evaluate(options)
        when = np.broadcast_to(when & on[:, None], (groups.size, n_packages)).ravel()
        threshold = batch.constraints[column.rule].min_utility
        if isinstance(threshold, np.ndarray) and threshold.ndim == 2:
            limit = (threshold[:, 0] - UTILITY_TOLERANCE).take(draw)
        else:
            limit = threshold - UTILITY_TOLERANCE
        fine &= ~(when.take(group * n_packages + package) & (utility(column.actor) < limit))
    return fine


def acceptable_packages(batch: BatchDomain, options: np.ndarray, whole: bool = False
                        ) -> np.ndarray:
    """``(D, M)`` bool: :func:`acceptable_blocks` as one mask (:func:`verdicts`' acceptable
    mask, bit for bit)."""
    options = np.asarray(options)
    out = np.zeros((batch.size, int(options.shape[0])), dtype=bool)
    for rows, cols, fine in acceptable_blocks(batch, options, whole):
        out[rows[:, None], cols[None, :]] = fine
    return out


def judge(batch: BatchDomain, options: np.ndarray, whole: bool = False) -> Acceptance:
    """The verdicts on the packages ``options`` in every draw of a compiled ``batch``;
    ``whole``: ``options`` is every package in package order, whose utilities
    :func:`redline.space.kernel.combine` adds by broadcasting (the same sums)."""
    options = np.asarray(options)
    n_actors = len(batch.actors)
    every = range(n_actors)
    found = verdicts(batch, options, whole, accepting=every, utilities=every)
    shape = (batch.size, int(options.shape[0]))
    accepts = np.empty((shape[0], n_actors, shape[1]), dtype=bool)
    utilities = np.empty((shape[0], n_actors, shape[1]))
    for a in every:
        accepts[:, a, :] = found.accepts[a]
        utilities[:, a, :] = found.utilities[a]
    assert found.acceptable is not None
    return Acceptance(accepts, found.acceptable, utilities, found.outside,
                      tuple(batch.actors), np.asarray(batch.parties, dtype=bool))


def acceptance(scenario: Scenario, draws: Draws, options: np.ndarray | None) -> Acceptance:
    """Who accepts each of the packages ``options`` in each of ``draws``.

    Parameters
    ----------
    scenario
        The scenario.
    draws
        The values of its uncertain inputs and the truths of its claims, per draw
        (:class:`redline.scenario.compile.Draws`; e.g. a sweep's or a posterior's particles).
    options
        ``(M, I)`` int option indices of ``M`` packages, one column per issue in the
        scenario's order; ``None``: every package of the space, in package order.

    Returns
    -------
    Acceptance
        ``accepts (D, A, M)``, ``acceptable (D, M)``, ``utilities (D, A, M)``,
        ``outside (D, A)``; see the module docstring for the definitions.

    Raises
    ------
    ValueError
        When ``options`` is not ``(M, I)`` or names an option an issue does not have.
    """
    radices = np.array([len(i.option_values()) for i in scenario.issues])
    if options is None:
        every = decode(np.arange(package_count(radices), dtype=np.int64), radices)
        return judge(compile_batch(scenario, draws), every, whole=True)
    options = np.asarray(options)
    n_issues = len(scenario.issues)
    if options.ndim != 2 or options.shape[1] != n_issues or options.dtype.kind not in "iu":
        raise ValueError(f"options must be (M, {n_issues}) integers, got {options.shape} "
                         f"{options.dtype}")
    if options.size and ((options < 0).any() or (options >= radices).any()):
        raise ValueError("options name an option outside an issue's range")
    return judge(compile_batch(scenario, draws), options)
