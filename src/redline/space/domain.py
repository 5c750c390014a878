"""The numeric form of a negotiation that the agreement-space engine works on.

A :class:`Domain` is what every input format compiles to (scenario YAML, Genius XML):

* issues, each a finite list of options with labels and a position on the common 0-100 scale;
* actors, each with a linear-additive utility: ``u_a(p) = sum_i tables[i][p_i, a]``, so
  ``tables[i]`` already holds weight x evaluation for issue ``i``
  (shape ``(n_options_i, n_actors)``);
* a disagreement point (each actor's outside option / reservation value);
* constraints (red lines, linkages, ratification steps) that reject packages, each with a reason.

Packages are indexed in mixed radix with the first issue most significant, which is the order of
``itertools.product`` over the options (and the order Genius and NegMAS use).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from redline.space.tolerance import UTILITY_TOLERANCE


@dataclass(frozen=True)
class IssueSpace:
    """One issue: option labels and their positions on the 0-100 scale."""

    id: str
    name: str
    labels: tuple[str, ...]
    values: np.ndarray  # (n_options,) float positions on 0-100

    @property
    def size(self) -> int:
        """The number of options."""
        return len(self.labels)


@dataclass(frozen=True)
class Condition:
    """A predicate on packages, as a tree.

    A leaf (``op == "in"``) holds for a package whose option on ``issue`` has ``allowed[option]``
    true. ``all``/``any``/``not`` combine children. ``true`` always holds. In a batch of draws
    ``allowed`` may have a leading draw axis, and so does the result.
    """

    op: str  # "in" | "all" | "any" | "not" | "true"
    issue: int = -1
    allowed: np.ndarray | None = None  # (n_options,) bool, for "in"
    children: tuple[Condition, ...] = ()

    def evaluate(self, options: np.ndarray, draws_last: bool = False) -> np.ndarray:
        """Evaluate on an ``(n_packages, n_issues)`` array of option indices.

        ``draws_last``: per-draw masks give ``(draws, n_packages)`` results laid out with the
        draws varying fastest (a transposed view), to combine with arrays in that layout
        without a strided pass; the values are the same.
        """
        if self.op == "in":
            assert self.allowed is not None
            if draws_last and self.allowed.ndim == 2:
                return self.allowed.T[options[:, self.issue]].T
            return self.allowed[..., options[:, self.issue]]
        if self.op == "all":
            out = np.ones(options.shape[0], dtype=bool)
            for child in self.children:
                out = out & child.evaluate(options, draws_last)
            return out
        if self.op == "any":
            out = np.zeros(options.shape[0], dtype=bool)
            for child in self.children:
                out = out | child.evaluate(options, draws_last)
            return out
        if self.op == "not":
            return ~self.children[0].evaluate(options, draws_last)
        if self.op == "true":
            return np.ones(options.shape[0], dtype=bool)
        raise ValueError(f"unknown condition op {self.op!r}")


TRUE = Condition("true")


def binds(kind: str, holder_has_veto: bool) -> bool:
    """Whether a rule of ``kind`` decides acceptability, or is only reported as an objection.

    Every rule of an actor with a veto binds. A ratification step binds whoever holds it: voters
    or a parliament do not sit at the table, but they can reject the text. Red lines and
    linkages of an actor without a veto are objections.
    """
    return holder_has_veto or kind == "ratification"


@dataclass(frozen=True)
class Constraint:
    """A rule that rejects packages, kept with its reason.

    A package violates the constraint when ``violated_if`` holds and ``unless`` does not, or, for
    a ratification step, when ``violated_if`` holds and the ratifying actor's utility is below
    ``min_utility``.
    """

    id: str
    kind: str  # "red_line" | "linkage" | "ratification"
    actor: int  # index of the actor who holds it
    description: str
    violated_if: Condition
    unless: Condition | None = None
    # ratification: the ratifier's acceptance threshold; in a batch of draws it may be (D, 1)
    min_utility: float | np.ndarray | None = None

    def binds(self, veto: np.ndarray) -> bool:
        """Whether this rule decides acceptability, given the actors' veto mask (:func:`binds`)."""
        return binds(self.kind, bool(veto[self.actor]))

    def violations(self, options: np.ndarray, utilities: np.ndarray,
                   draws_last: bool = False) -> np.ndarray:
        """Boolean ``(n_packages,)`` (or ``(draws, n_packages)``): which packages it rejects
        (``draws_last``: see :meth:`Condition.evaluate`)."""
        hit = self.violated_if.evaluate(options, draws_last)
        if self.unless is not None:
            hit = hit & ~self.unless.evaluate(options, draws_last)
        if self.min_utility is not None:
            hit = hit & (utilities[..., self.actor] < self.min_utility - UTILITY_TOLERANCE)
        return hit


@dataclass(frozen=True)
class Domain:
    """Everything the engine needs; see the module docstring."""

    issues: tuple[IssueSpace, ...]
    actors: tuple[str, ...]  # ids
    tables: tuple[np.ndarray, ...]  # per issue: (n_options_i, n_actors) weighted evaluations
    disagreement: np.ndarray  # (n_actors,)
    actor_names: tuple[str, ...] = ()
    parties: np.ndarray | None = None  # (n_actors,) bool: whose acceptance a deal needs
    constraints: tuple[Constraint, ...] = ()
    name: str = ""
    notes: dict = field(default_factory=dict)

    @property
    def radices(self) -> np.ndarray:
        """The number of options of each issue (the mixed radix of package indices)."""
        return np.array([issue.size for issue in self.issues], dtype=np.int64)

    @property
    def n_packages(self) -> int:
        """The number of packages (an exact integer)."""
        return package_count(issue.size for issue in self.issues)

    @property
    def n_actors(self) -> int:
        """The number of actors."""
        return len(self.actors)

    @property
    def party_mask(self) -> np.ndarray:
        """Which actors must accept a deal (all when ``parties`` is not given)."""
        if self.parties is None:
            return np.ones(self.n_actors, dtype=bool)
        return self.parties

    def names(self) -> tuple[str, ...]:
        """The actors' display names (their ids where none are given)."""
        return self.actor_names or self.actors


def package_count(sizes: Iterable[int]) -> int:
    """The number of packages of issues with ``sizes`` options: their product.

    An exact Python integer: numpy's fixed-width products wrap around silently (64 binary
    issues give 2**64, which is 0 in int64), so every size check goes through this.
    """
    total = 1
    for size in sizes:
        total *= int(size)
    return total


def approximate(count: int) -> str:
    """``count`` to 3 significant digits (``2.06e+44``), also beyond the float range."""
    if count < 10**300:
        return f"{float(count):.3g}"
    return f"about 10^{math.floor(math.log10(count))}"


def domain_from_outcomes(
    utilities: np.ndarray,
    disagreement: np.ndarray | None = None,
    *,
    labels: list[str] | None = None,
    actors: tuple[str, ...] | None = None,
) -> Domain:
    """A one-issue domain whose options are given utility vectors (rows of ``utilities``).

    Handy for textbook bargaining problems defined by a set of outcomes.
    """
    utilities = np.asarray(utilities, dtype=float)
    n, k = utilities.shape
    labels = labels or [str(i) for i in range(n)]
    actors = actors or tuple(f"player{i + 1}" for i in range(k))
    issue = IssueSpace("outcome", "outcome", tuple(labels),
                       np.linspace(0, 100, n) if n > 1 else np.array([50.0]))
    d = np.zeros(k) if disagreement is None else np.asarray(disagreement, dtype=float)
    return Domain(issues=(issue,), actors=actors, tables=(utilities,), disagreement=d)
