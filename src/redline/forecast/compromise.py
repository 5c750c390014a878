"""Achen's compromise model and the unweighted mean.

The compromise model (Achen 2006, "Institutional realism and bargaining models", ch. 4 of
Thomson et al., *The European Union Decides*) forecasts each issue at the capability x salience
weighted mean of the actors' positions::

    x* = sum_i c_i s_i x_i / sum_i c_i s_i

Achen derives it as an approximation to the asymmetric Nash bargaining solution with quadratic
losses. It is the model to beat on the DEU data (Thomson et al. 2006; Leinaweaver & Thomson
2014; see ``docs/models.md``).

If the total weight of an issue is zero (every actor has zero capability or zero salience on it)
the forecast falls back to the unweighted mean of the positions on that issue.

This module also holds the small input checks that every one-issue-at-a-time model shares
(:func:`prepare_inputs`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from redline.errors import RedlineError
from redline.forecast.base import Forecast


@dataclass(frozen=True)
class ModelInputs:
    """Checked model inputs: ``capability (n,)``, ``position (n, d)``, ``salience (n, d)``."""

    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    actors: tuple[str, ...]
    dimensions: tuple[str, ...]


def prepare_inputs(
    capability: Any,
    position: Any,
    salience: Any,
    *,
    actors: tuple[str, ...] | None = None,
    dimensions: tuple[str, ...] | None = None,
    salience_max: float | None = None,
) -> ModelInputs:
    """Check shapes and values and return float arrays.

    ``position`` may be 1-D (one issue); ``salience`` may be 1-D (one salience per actor, used
    on every issue). Capability and salience must be finite and non-negative, positions finite.
    With ``salience_max`` set, saliences above it are an error (BDM treats salience as a
    probability, so it needs ``salience_max=1``).
    """
    try:
        c = np.asarray(capability, dtype=float)
        x = np.asarray(position, dtype=float)
        s = np.asarray(salience, dtype=float)
    except (TypeError, ValueError) as error:
        raise RedlineError(f"model inputs must be numbers: {error}") from None
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise RedlineError(f"position must have shape (n_actors, n_dims), got {x.shape}",
                           field="position")
    n, d = x.shape
    if n == 0 or d == 0:
        raise RedlineError("a forecast needs at least one actor and one dimension",
                           field="position")
    if c.shape != (n,):
        raise RedlineError(f"capability must have shape ({n},), got {c.shape}",
                           field="capability")
    if s.ndim == 1 and s.shape == (n,):
        s = np.repeat(s[:, None], d, axis=1)
    if s.shape != (n, d):
        raise RedlineError(f"salience must have shape ({n}, {d}), got {s.shape}",
                           field="salience")
    for name, arr in (("capability", c), ("position", x), ("salience", s)):
        if not np.all(np.isfinite(arr)):
            raise RedlineError(f"{name} contains a missing or infinite value", field=name)
    if np.any(c < 0):
        raise RedlineError("capability must be >= 0", field="capability")
    if np.any(s < 0):
        raise RedlineError("salience must be >= 0", field="salience")
    if salience_max is not None and np.any(s > salience_max):
        raise RedlineError(f"salience must be in [0, {salience_max:g}]", field="salience",
                           hint="saliences on 0-100 must be divided by 100")
    if actors is None:
        actors = tuple(f"actor{i + 1}" for i in range(n))
    if dimensions is None:
        dimensions = tuple(f"dim{k + 1}" for k in range(d))
    actors, dimensions = tuple(actors), tuple(dimensions)
    if len(actors) != n:
        raise RedlineError(f"{len(actors)} actor names for {n} actors", field="actors")
    if len(dimensions) != d:
        raise RedlineError(f"{len(dimensions)} dimension names for {d} dimensions",
                           field="dimensions")
    return ModelInputs(c, x, s, actors, dimensions)


def weighted_mean(position: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Column-wise weighted mean of ``position (n, d)``; zero-weight columns get the plain mean.

    The result is kept within the column's positions, which rounding could otherwise leave by
    an ulp.
    """
    total = weight.sum(axis=0)
    plain = position.mean(axis=0)
    safe = np.where(total > 0, total, 1.0)
    mean = np.where(total > 0, (weight * position).sum(axis=0) / safe, plain)
    return np.clip(mean, position.min(axis=0), position.max(axis=0))


def _scaled_by_power_of_two(values: np.ndarray) -> np.ndarray:
    """``values`` (non-negative) divided by the power of two above their maximum, per column."""
    top = values.max(axis=0)
    exponent = np.frexp(np.where(top > 0, top, 1.0))[1]
    return np.ldexp(values, -exponent)


def static_forecast(model: str, inputs: ModelInputs, point: np.ndarray, options: dict,
                    started: float) -> Forecast:
    """A :class:`Forecast` for a model without rounds (``positions`` has one slice)."""
    return Forecast(
        model=model,
        actors=inputs.actors,
        dimensions=inputs.dimensions,
        positions=inputs.position[None, :, :].copy(),
        point=np.asarray(point, dtype=float),
        options=dict(options),
        seconds=time.perf_counter() - started,
    )


class CompromiseModel:
    """Achen's compromise model: ``sum c s x / sum c s`` per issue.

    ``capability_power`` and ``salience_power`` (default 1, Achen's model) raise the weights to
    a power: ``w = c**a * s**b``. Zero total weight on an issue gives the unweighted mean.
    """

    name = "compromise"

    def __init__(self, capability_power: float = 1.0, salience_power: float = 1.0) -> None:
        self.capability_power = float(capability_power)
        self.salience_power = float(salience_power)

    def weights(self, capability: np.ndarray, salience: np.ndarray) -> np.ndarray:
        """Weights ``c**a * s**b`` per actor and issue, up to a power of two per issue.

        Capabilities, and each issue's saliences, are first divided by the power of two just
        above their largest value: exact, so the default weights equal ``c * s`` up to a
        common factor, yet a tiny or subnormal salience no longer underflows to 0 in the
        product and a huge capability does not overflow. Multiplying every capability by a
        constant therefore changes nothing but rounding. Only weights below about 1e-308 of
        an issue's largest are lost (they count as 0).
        """
        c = _scaled_by_power_of_two(capability)[:, None] ** self.capability_power
        s = _scaled_by_power_of_two(salience) ** self.salience_power
        return c * s

    def run(self, capability, position, salience, *, actors=None, dimensions=None) -> Forecast:
        started = time.perf_counter()
        inputs = prepare_inputs(capability, position, salience, actors=actors,
                                dimensions=dimensions)
        w = self.weights(inputs.capability, inputs.salience)
        point = weighted_mean(inputs.position, w)
        options = {"capability_power": self.capability_power,
                   "salience_power": self.salience_power}
        return static_forecast(self.name, inputs, point, options, started)


class MeanModel:
    """The unweighted mean of the positions on each issue."""

    name = "mean"

    def run(self, capability, position, salience, *, actors=None, dimensions=None) -> Forecast:
        started = time.perf_counter()
        inputs = prepare_inputs(capability, position, salience, actors=actors,
                                dimensions=dimensions)
        return static_forecast(self.name, inputs, inputs.position.mean(axis=0), {}, started)
