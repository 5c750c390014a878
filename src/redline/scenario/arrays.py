"""Arrays for the forecast models, taken from a scenario.

Forecast models work on the common 0-100 scale: each actor's ideal point per issue (its private
position when the scenario gives one), its salience (0-1) and its capability (clout).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from redline.scenario.compile import compile_batch, deterministic_draws
from redline.scenario.model import Scenario


@dataclass(frozen=True)
class ForecastInputs:
    actors: tuple[str, ...]
    dimensions: tuple[str, ...]
    capability: np.ndarray  # (n,)
    position: np.ndarray  # (n, d), 0-100
    salience: np.ndarray  # (n, d), 0-1


def forecast_inputs(scenario: Scenario, assume: Mapping[str, bool] | None = None
                    ) -> ForecastInputs:
    """Capability, position and salience arrays in the claim branch ``assume``."""
    batch = compile_batch(scenario, deterministic_draws(scenario, assume))
    return ForecastInputs(
        actors=tuple(a.name for a in scenario.actors),
        dimensions=tuple(i.name for i in scenario.issues),
        capability=batch.capability[0],
        position=batch.position[0],
        salience=batch.salience[0],
    )


ATTENTION_NOTE = ("SMP reads saliences as shares of attention: an actor's saliences summing to "
                  "more than 1 were divided by their sum.")


def over_attention(salience: np.ndarray) -> np.ndarray:
    """Which actors' saliences sum to more than 1, so :func:`attention_shares` rescales them."""
    return salience.sum(axis=-1) > 1.0


def attention_shares(salience: np.ndarray) -> np.ndarray:
    """Saliences as shares of attention summing to at most 1 per actor (KTAB's convention).

    A scenario rates each issue's importance on its own 0-1 scale, so an actor's saliences may
    add up to more than 1; they are then divided by their sum (the same weights the utilities
    use). Sums of 1 or less are kept: the rest is attention to issues outside the model.
    """
    total = salience.sum(axis=-1, keepdims=True)
    return salience / np.maximum(total, 1.0)
