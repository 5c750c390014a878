"""A point on the issues' 0-100 scales read in the analyst's terms: the nearest options.

A forecast lands at a number per issue (56.2 on the Donbas); an analyst reads it against the
options on the table: "56.2: between freeze-contact-line and demilitarised-zone", or "at
demilitarised-zone" when it is within :data:`AT_OPTION_TOLERANCE` of one. Rounding the point to
the nearest option on every issue gives a package, and that package is judged by the compiled
rules themselves (:func:`redline.space.proposals.judge`, the engine's ``evaluate`` and
``violations``): whose red lines, conditional offers or ratification steps reject it, and
whether it is acceptable. So the forecast's reading cannot disagree with ``analyze`` about a
package.

Nearest means the smallest distance on the issue's scale, distances compared after rounding
(:func:`redline.space.tolerance.rounded_distance`); a point exactly midway goes to the lower
option (the first in the issue's order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from redline.space.domain import Domain, IssueSpace
from redline.space.packages import encode
from redline.space.proposals import Verdict, judge
from redline.space.tolerance import rounded_distance

AT_OPTION_TOLERANCE = 0.05
"""A point within this of an option on the 0-100 scale is read as *at* that option: half the
0.1 the readings print, so "at" never hides a printed difference."""


@dataclass(frozen=True)
class Placement:
    """Where a value lies among one issue's options.

    Attributes
    ----------
    issue
        The issue's id.
    value
        The point on the issue's 0-100 scale.
    nearest
        The index of the nearest option (the lower one at a tie).
    below, above
        The indices of the options next below and above ``value`` (``None`` beyond the first
        or the last option); both are ``nearest`` when the point is at an option.
    at
        Whether ``value`` is within :data:`AT_OPTION_TOLERANCE` of the ``nearest`` option.
    labels
        The issue's option labels.
    """

    issue: str
    value: float
    nearest: int
    below: int | None
    above: int | None
    at: bool
    labels: tuple[str, ...]

    @property
    def nearest_label(self) -> str:
        """The nearest option's label."""
        return self.labels[self.nearest]

    def describe(self) -> str:
        """The reading as a phrase: "at X", "between X and Y", "below X" or "above Y"."""
        if self.at:
            return f"at {self.labels[self.nearest]}"
        if self.below is None:
            return f"below {self.labels[self.above]}"  # type: ignore[index]
        if self.above is None:
            return f"above {self.labels[self.below]}"
        return f"between {self.labels[self.below]} and {self.labels[self.above]}"

    def text(self, digits: int = 1) -> str:
        """The value and its reading: "56.2: between freeze-contact-line and
        demilitarised-zone"."""
        return f"{self.value:.{digits}f}: {self.describe()}"

    def to_dict(self) -> dict:
        """The JSON form: the value, the nearest option, the neighbours by label, the reading."""
        return {
            "value": float(self.value),
            "nearest": self.nearest_label,
            "below": None if self.below is None else self.labels[self.below],
            "above": None if self.above is None else self.labels[self.above],
            "at": self.at,
            "reading": self.describe(),
        }


def place(issue: IssueSpace, value: float,
          tolerance: float = AT_OPTION_TOLERANCE) -> Placement:
    """Where ``value`` lies among ``issue``'s options (see :class:`Placement`).

    Raises
    ------
    ValueError
        When ``value`` is not a finite number.
    """
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"a forecast value must be finite, got {value!r}")
    values = np.asarray(issue.values, dtype=float)
    distance = rounded_distance(np.abs(values - value))
    nearest = int(np.argmin(distance))  # the first minimum: the lower option at a tie
    at = bool(distance[nearest] <= tolerance)
    if at:
        below = above = nearest
    else:
        lower = np.flatnonzero(values < value)
        higher = np.flatnonzero(values > value)
        below = int(lower[-1]) if lower.size else None
        above = int(higher[0]) if higher.size else None
    return Placement(issue.id, value, nearest, below, above, at, tuple(issue.labels))


@dataclass(frozen=True)
class ForecastPoint:
    """A forecast point read against the options, and its rounded package judged.

    Attributes
    ----------
    placements
        One :class:`Placement` per issue, in the domain's order.
    package
        The package number of the point rounded to the nearest option on every issue.
    verdict
        That package judged by the compiled rules (:func:`redline.space.proposals.judge`).
    rules
        Per actor, the ids of its rules (red lines, conditional offers, ratification steps)
        that reject the package; its outside option is left out (see ``below_outside``).
    below_outside
        ``(A,)`` bool: the package is worth less to the actor than its outside option.
    """

    placements: tuple[Placement, ...]
    package: int
    verdict: Verdict
    rules: tuple[tuple[str, ...], ...]
    below_outside: np.ndarray

    @property
    def breaks_red_line(self) -> bool:
        """Whether some actor's rule rejects the rounded package."""
        return any(self.rules)

    @property
    def labels(self) -> dict[str, str]:
        """``{issue id: nearest option label}``: the rounded package."""
        return {p.issue: p.nearest_label for p in self.placements}

    def to_dict(self, domain: Domain) -> dict:
        """The JSON form: each issue's reading (:meth:`Placement.to_dict`), the rounded
        package, whether it is acceptable, the rules that reject it by actor id, and the actors
        it leaves below their outside option."""
        return {
            "issues": {p.issue: p.to_dict() for p in self.placements},
            "package": self.labels,
            "acceptable": bool(self.verdict.acceptable),
            "breaks": {a: list(rules) for a, rules in zip(domain.actors, self.rules, strict=True)
                       if rules},
            "below_outside_option": [a for a, below in zip(domain.actors, self.below_outside,
                                                           strict=True) if below],
        }


def read_forecast(domain: Domain, values: Sequence[float] | np.ndarray,
                  tolerance: float = AT_OPTION_TOLERANCE) -> ForecastPoint:
    """Read a forecast point (one value per issue of ``domain``, on the 0-100 scales) against
    the options, and judge the package it rounds to.

    Parameters
    ----------
    domain
        The agreement space (the one-draw analysis of a claim branch).
    values
        ``(I,)`` the forecast on each issue, in the domain's issue order.
    tolerance
        Within this of an option the point is *at* it (:data:`AT_OPTION_TOLERANCE`).

    Returns
    -------
    ForecastPoint

    Raises
    ------
    ValueError
        When ``values`` has not one finite value per issue.
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (len(domain.issues),):
        raise ValueError(f"expected {len(domain.issues)} forecast values, got shape "
                         f"{values.shape}")
    placements = tuple(place(issue, v, tolerance)
                       for issue, v in zip(domain.issues, values, strict=True))
    options = np.array([[p.nearest for p in placements]], dtype=np.int64)
    index = int(encode(options, domain.radices)[0])
    verdict = judge(domain, np.array([index]))[0]
    rule_ids = {c.id for c in domain.constraints}
    rules = tuple(tuple(r for r in rejected if r in rule_ids) for rejected in verdict.rejected_by)
    below = np.array([len(rules[a]) < len(verdict.rejected_by[a])
                      for a in range(domain.n_actors)], dtype=bool)
    return ForecastPoint(placements, index, verdict, rules, below)
