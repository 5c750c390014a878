"""How Redline compares numbers: every tolerance of the agreement-space analysis, named once.

Utilities are sums of a few products of numbers on a 0-1 scale, so a utility computed in floating
point is off by a few units of 1e-16 (``0.5 * 0.2 + 0.5 * 0.4 == 0.30000000000000004``). Inputs
carry at most a handful of significant digits. So two utilities closer than
:data:`UTILITY_TOLERANCE` are the same number, and every decision that depends on equality goes
through this module:

* **Equal and dominated utilities.** Utilities are rounded to :data:`UTILITY_DECIMALS` decimals
  (:func:`rounded`) before they are compared for Pareto dominance or grouped as equal vectors.
  Rounding, unlike a comparison within a tolerance, keeps dominance a strict partial order.
* **Acceptability.** A package is below an outside option (or a ratification threshold) ``d``
  when ``u < d - UTILITY_TOLERANCE``.
* **Gains.** A gain over an outside option within :data:`UTILITY_TOLERANCE` of 0 is 0
  (:func:`without_noise`), so noise cannot make a Nash product or a smallest gain positive. An
  actor whose best acceptable utility is within the tolerance of its outside option has no gain
  to share out (Kalai-Smorodinsky counts it as fully satisfied, :func:`no_room`).
* **Ties of the bargaining solutions.** A package ties with the optimum ``f*`` of an objective
  ``f`` when raising each veto actor's utility by :data:`UTILITY_TOLERANCE` would make it
  optimal: ``f(u + UTILITY_TOLERANCE) >= f*`` (:func:`redline.space.kernel.ties`, for
  ``analyze`` and sweeps alike). This is relative where it has to be: for the
  Nash product, gains of a few thousandths give products near 1e-13, and a package whose
  product is 6 times smaller does not tie however small both numbers are. (The objectives are
  scored on unrounded utilities: rounding moves a utility by up to half the tolerance, which
  would eat into it.)
* **Thresholds.** An option within :data:`THRESHOLD_SLACK` of an ``at_least``/``at_most``
  threshold on an issue's 0-100 scale meets it (:mod:`redline.scenario.compile`).
* **Positions.** Distances on the 0-100 scale of an issue are rounded to
  :data:`POSITION_DECIMALS` decimals before the spatial evaluation compares them, so an ideal
  point midway between two options is equally far from both (``10.4 - 10.1 != 10.7 - 10.4``
  in binary).

The rules are documented for users in docs/concepts.md ("Tolerances and caps").
"""

from __future__ import annotations

import numpy as np

UTILITY_DECIMALS = 12
"""Decimals kept when utilities are compared for dominance or equality (0-1 scale)."""

UTILITY_TOLERANCE = 1e-12
"""Utilities (0-1 scale) closer than this are the same number; see the module docstring."""

POSITION_DECIMALS = 9
"""Decimals kept of a distance on an issue's 0-100 scale before distances are compared."""

THRESHOLD_SLACK = 1e-9
"""An option within this of an ``at_least``/``at_most`` threshold (0-100 scale) meets it."""


def rounded(utilities: np.ndarray) -> np.ndarray:
    """``utilities`` rounded to :data:`UTILITY_DECIMALS` decimals, with ``-0.0`` made ``0.0``.

    Equal rounded vectors are equal byte for byte, so they can be grouped with ``np.unique``.
    """
    return np.round(np.asarray(utilities, dtype=float), UTILITY_DECIMALS) + 0.0


def without_noise(gains: np.ndarray) -> np.ndarray:
    """``gains`` with the values within :data:`UTILITY_TOLERANCE` of 0 set to 0 (a new array)."""
    gains = np.array(gains, dtype=float)
    gains[np.abs(gains) <= UTILITY_TOLERANCE] = 0.0
    return gains


def no_room(span: np.ndarray | float) -> np.ndarray | bool:
    """Whether a range of utilities (best minus outside option) is empty within tolerance."""
    return np.asarray(span) <= UTILITY_TOLERANCE


def top_rounded(values: np.ndarray, top: np.ndarray | float) -> np.ndarray:
    """Whether rounded ``values`` (:func:`rounded`) equal their maximum ``top``.

    Rounded numbers that differ, differ by about 1e-12 or more, so half the tolerance
    separates them whatever the rounding of the comparison.
    """
    return values >= top - UTILITY_TOLERANCE / 2


def rounded_distance(distance: np.ndarray) -> np.ndarray:
    """Distances on a 0-100 scale rounded to :data:`POSITION_DECIMALS` decimals."""
    return np.round(distance, POSITION_DECIMALS)
