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
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from redline.scenario.compile import BatchDomain, Draws, compile_batch
from redline.scenario.model import Scenario
from redline.space import kernel
from redline.space.domain import package_count
from redline.space.packages import decode


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


def judge(batch: BatchDomain, options: np.ndarray, whole: bool = False) -> Acceptance:
    """The verdicts on the packages ``options`` in every draw of a compiled ``batch``;
    ``whole``: ``options`` is every package in package order, whose utilities
    :func:`redline.space.kernel.package_utilities` adds by broadcasting (the same sums)."""
    options = np.asarray(options)
    utility = kernel.package_utilities(batch.tables) if whole else \
        package_utilities(batch.tables, options)
    labels = kernel.columns(batch.constraints, batch.actors, batch.parties)
    rejected = kernel.rejections(batch.constraints, options, utility, batch.disagreement,
                                 np.arange(len(labels)), active=batch.active)
    shape = (batch.size, int(options.shape[0]))
    n_actors = len(batch.actors)
    accepts = np.empty((shape[0], n_actors, shape[1]), dtype=bool)
    for a, mine in enumerate(actor_rejections(labels, rejected, shape, n_actors)):
        accepts[:, a, :] = ~mine
    binding = [rejected[k] for k, column in enumerate(labels) if column.binding]
    acceptable = kernel.broken_counts(binding, shape) == 0
    utilities = np.stack(utility.columns, axis=1) if n_actors else np.zeros((*shape[:1], 0,
                                                                              shape[1]))
    return Acceptance(accepts, acceptable, utilities, np.asarray(batch.disagreement, float),
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
