"""A named text on the table: who accepts it, which rules reject it, and what would it take.

A proposal fixes one option on some issues (a *partial* package leaves the others open). Its
*completions* are the full packages that agree with it on every issue it fixes; a full
proposal has one. For each completion, :func:`evaluate_proposal` gives every actor's utility
and whether it accepts: an actor accepts a package when none of its own rules (binding or not)
and not its outside option rejects it, the definition the sweep counts
(:func:`redline.uncertainty.sweep.run_chunk`). A package is *acceptable* when no binding column
rejects it (every veto actor accepts and every ratification step passes,
:func:`redline.space.domain.binds`). Utilities and rejections are the engine's
(:func:`redline.space.engine.evaluate`, :func:`redline.space.engine.violations`), so this
module has no rule logic of its own.

"What would it take": the acceptable packages with the fewest *changes*, where a change is an
issue the proposal fixes whose option differs (the Hamming distance over the fixed issues; the
issues a partial proposal leaves open are free). Each is compared with the proposal's
completion that agrees with it on the open issues, and every actor's utility change is given
(gains and losses beyond :data:`~redline.space.tolerance.UTILITY_TOLERANCE`). Ties are listed
by package number up to a cap and all counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from redline.errors import RedlineError, SpaceTooLargeError, listing
from redline.space.domain import Domain, approximate, package_count
from redline.space.engine import (
    DEFAULT_MAX_PACKAGES,
    binding_columns,
    check_size,
    columns,
    evaluate,
    violations,
)
from redline.space.packages import chunks, decode, encode, strides
from redline.space.tolerance import UTILITY_TOLERANCE

MAX_COMPLETIONS = 10_000
"""A partial proposal with more completions than this is refused (fix more issues)."""
DEFAULT_CHANGES_LIMIT = 20
"""The fewest-changes packages listed (all are counted)."""
SCAN_CHUNK = 1 << 16
"""Packages per chunk of the fewest-changes scan (bounded memory)."""


@dataclass(frozen=True)
class Verdict:
    """One completion of a proposal, judged.

    Attributes
    ----------
    index
        The package number.
    utilities
        ``(A,)`` each actor's utility.
    accepts
        ``(A,)`` bool: no rule of the actor and not its outside option rejects the package.
    rejected_by
        Per actor, the ids of its columns (rules, ``<actor>:outside_option``) that reject it.
    acceptable
        No binding column rejects it.
    blocking
        The ids of the binding columns that reject it.
    """

    index: int
    utilities: np.ndarray
    accepts: np.ndarray
    rejected_by: tuple[tuple[str, ...], ...]
    acceptable: bool
    blocking: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """An acceptable package reachable from the proposal with the fewest changes.

    Attributes
    ----------
    index
        The acceptable package's number.
    reference
        The number of the proposal's completion it is compared with (the same options on the
        issues the proposal leaves open).
    changed
        Indices of the issues whose option differs from the proposal's.
    delta
        ``(A,)`` each actor's utility in the package minus in the reference.
    """

    index: int
    reference: int
    changed: tuple[int, ...]
    delta: np.ndarray


@dataclass(frozen=True)
class ProposalEvaluation:
    """A proposal judged (see the module docstring).

    Attributes
    ----------
    domain
        The domain judged in (point values, one claim branch).
    fixed
        ``{issue index: option index}`` the proposal settles.
    completions
        One :class:`Verdict` per completion, in package order.
    changes
        The fewest changes to an acceptable package (0: a completion is acceptable), or
        ``None`` when no package is acceptable at all.
    closest
        The first ``limit`` such packages, by package number.
    closest_count
        How many there are.
    """

    domain: Domain
    fixed: dict[int, int]
    completions: tuple[Verdict, ...]
    changes: int | None
    closest: tuple[Change, ...]
    closest_count: int

    @property
    def open_issues(self) -> tuple[int, ...]:
        """Indices of the issues the proposal leaves open."""
        return tuple(i for i in range(len(self.domain.issues)) if i not in self.fixed)


def fixed_options(domain: Domain, package: Mapping[str, str],
                  field: str = "package") -> dict[int, int]:
    """``{issue index: option index}`` of a package given as ``{issue id: option label}``.

    Raises
    ------
    RedlineError
        One line naming the unknown issue or option and the valid choices (``field``), or
        when the package names no issue.
    """
    ids = [issue.id for issue in domain.issues]
    if not package:
        raise RedlineError("the package names no issue", field=field,
                           hint=f"give issue=option pairs; issues: {', '.join(ids)}")
    out: dict[int, int] = {}
    for issue_id, label in package.items():
        if issue_id not in ids:
            raise RedlineError(f"unknown issue {issue_id!r}", field=field,
                               hint=f"issues: {_few(ids)}")
        i = ids.index(issue_id)
        labels = domain.issues[i].labels
        if label not in labels:
            raise RedlineError(f"issue {issue_id!r} has no option {label!r}",
                               field=f"{field}.{issue_id}", hint=f"options: {_few(labels)}")
        out[i] = labels.index(label)
    return out


def _few(names) -> str:
    return listing(names, limit=12)


def completions(domain: Domain, fixed: Mapping[int, int],
                max_completions: int = MAX_COMPLETIONS) -> np.ndarray:
    """The package numbers of every completion of ``fixed``, ascending.

    Raises
    ------
    SpaceTooLargeError
        When there are more than ``max_completions``; the hint names the open issue with the
        most options.
    """
    radices = domain.radices
    open_issues = [i for i in range(radices.size) if i not in fixed]
    count = package_count(int(radices[i]) for i in open_issues)
    if count > max_completions:
        widest = max(open_issues, key=lambda i: int(radices[i]))
        raise SpaceTooLargeError(
            f"the package leaves {len(open_issues)} issues open: {approximate(count)} "
            f"completions, above the limit of {max_completions:,}", field="package",
            hint=f"fix more issues in the package, e.g. {domain.issues[widest].id!r} "
            f"({int(radices[widest]):,} options)")
    grid = np.zeros((count, radices.size), dtype=np.int64)
    for i, option in fixed.items():
        grid[:, i] = option
    if open_issues:
        sub = decode(np.arange(count), radices[open_issues])
        grid[:, open_issues] = sub
    return np.sort(encode(grid, radices))


def judge(domain: Domain, indices: np.ndarray) -> tuple[Verdict, ...]:
    """Each package of ``indices`` judged: utilities, who accepts, the rules that reject it."""
    indices = np.asarray(indices, dtype=np.int64)
    options = decode(indices, domain.radices)
    utilities = evaluate(domain, options)
    hits = violations(domain, options, utilities)
    labels = columns(domain)
    binding = binding_columns(domain)
    holders = np.array([c.actor for c in labels])
    out = []
    for row, index in enumerate(indices):
        rejected = tuple(tuple(labels[k].id for k in np.flatnonzero(hits[row] & (holders == a)))
                         for a in range(domain.n_actors))
        blocking = tuple(labels[k].id for k in np.flatnonzero(hits[row] & binding))
        out.append(Verdict(int(index), utilities[row].copy(),
                           np.array([not r for r in rejected], dtype=bool), rejected,
                           not blocking, blocking))
    return tuple(out)


def fewest_changes(domain: Domain, fixed: Mapping[int, int], *,
                   limit: int = DEFAULT_CHANGES_LIMIT,
                   max_packages: int = DEFAULT_MAX_PACKAGES,
                   chunk: int = SCAN_CHUNK) -> tuple[int | None, tuple[Change, ...], int]:
    """The acceptable packages with the fewest changes to the issues ``fixed`` settles.

    One scan of the package space in chunks (spaces above ``max_packages`` are refused by
    :func:`redline.space.engine.check_size`).

    Returns
    -------
    changes, closest, count
        The fewest changes (``None``: nothing is acceptable), the first ``limit`` packages
        with that many, by package number, and how many there are.
    """
    check_size(domain, max_packages)
    radices = domain.radices
    cols = np.array(sorted(fixed), dtype=np.int64)
    wanted = np.array([fixed[i] for i in sorted(fixed)], dtype=np.int64)
    binding = binding_columns(domain)
    best: int | None = None
    found: list[np.ndarray] = []
    count = 0
    for start, stop in chunks(domain.n_packages, chunk):
        indices = np.arange(start, stop, dtype=np.int64)
        options = decode(indices, radices)
        hits = violations(domain, options, evaluate(domain, options))
        ok = ~hits[:, binding].any(axis=1)
        if not ok.any():
            continue
        distance = np.count_nonzero(options[:, cols] != wanted, axis=1) if cols.size else \
            np.zeros(indices.size, dtype=np.int64)
        least = int(distance[ok].min())
        if best is None or least < best:
            best, found, count = least, [], 0
        if least == best:
            hit = indices[ok & (distance == best)]
            count += hit.size
            kept = sum(a.size for a in found)
            if kept < limit:
                found.append(hit[: limit - kept])
    if best is None:
        return None, (), 0
    listed = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    return best, changes_from(domain, listed, cols, wanted), count


def changes_from(domain: Domain, indices: np.ndarray, cols: np.ndarray, wanted: np.ndarray
                 ) -> tuple[Change, ...]:
    """Each package of ``indices`` compared with the proposal's completion that shares its
    open issues (the proposal fixes issues ``cols`` to options ``wanted``): all at once, one
    evaluation of the packages and their references."""
    indices = np.asarray(indices, dtype=np.int64)
    if not indices.size:
        return ()
    options = decode(indices, domain.radices)
    reference = options.copy()
    reference[:, cols] = wanted
    u = evaluate(domain, np.concatenate([options, reference]))
    delta = u[:indices.size] - u[indices.size:]
    numbers = reference @ strides(domain.radices)
    differs = options[:, cols] != wanted
    return tuple(Change(int(index), int(numbers[k]), tuple(int(i) for i in cols[differs[k]]),
                        delta[k]) for k, index in enumerate(indices))


def gainers(change: Change) -> tuple[np.ndarray, np.ndarray]:
    """Bool masks ``(A,)`` of the actors who gain and who lose utility in ``change``, beyond
    :data:`~redline.space.tolerance.UTILITY_TOLERANCE`."""
    return change.delta > UTILITY_TOLERANCE, change.delta < -UTILITY_TOLERANCE


def evaluate_proposal(domain: Domain, package: Mapping[str, str], *,
                      max_completions: int = MAX_COMPLETIONS,
                      limit: int = DEFAULT_CHANGES_LIMIT,
                      max_packages: int = DEFAULT_MAX_PACKAGES) -> ProposalEvaluation:
    """Judge a (possibly partial) package in ``domain``; see the module docstring.

    Parameters
    ----------
    domain
        The agreement space (point values, one claim branch).
    package
        ``{issue id: option label}``; issues left out are open.
    max_completions
        Refuse partial packages with more completions (:func:`completions`).
    limit
        The fewest-changes packages listed.
    max_packages
        Refuse larger spaces for the fewest-changes scan.

    Returns
    -------
    ProposalEvaluation
    """
    fixed = fixed_options(domain, package)
    verdicts = judge(domain, completions(domain, fixed, max_completions))
    changes, closest, count = fewest_changes(domain, fixed, limit=limit,
                                             max_packages=max_packages)
    return ProposalEvaluation(domain, fixed, verdicts, changes, closest, count)
