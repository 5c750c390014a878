"""Confidence intervals for the probabilities a sweep estimates from counts.

Wilson's score interval (E. B. Wilson, "Probable inference, the law of succession, and
statistical inference", JASA 22, 1927): for ``k`` successes in ``n`` draws, ``p = k / n``,

    centre = (p + z^2 / 2n) / (1 + z^2 / n)
    half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)

It stays inside [0, 1] and is not degenerate at ``k = 0`` or ``k = n``, unlike the normal
approximation ``p +- z sqrt(p (1 - p) / n)``.
"""

from __future__ import annotations

import math

WILSON_Z = 1.959963984540054
"""The standard normal quantile of 0.975: a two-sided 95% interval."""


def wilson_interval(successes: int, n: int, z: float = WILSON_Z) -> tuple[float, float]:
    """Wilson's score interval ``(low, high)`` for ``successes`` out of ``n`` (see the module
    docstring); ``(0, 1)`` when ``n`` is 0."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in [0, {n}], got {successes}")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends, no rounding noise
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high
