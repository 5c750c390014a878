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
    """What a forecast model reads, with the ids and names of its rows and columns.

    ``actors`` and ``dimensions`` are ids (the scenario's actor and issue ids); ``actor_names``
    and ``dimension_names`` the names to show. Saliences rate each issue on its own 0-1 scale.
    """

    actors: tuple[str, ...]
    dimensions: tuple[str, ...]
    capability: np.ndarray  # (n,)
    position: np.ndarray  # (n, d), 0-100
    salience: np.ndarray  # (n, d), 0-1
    actor_names: tuple[str, ...] = ()
    dimension_names: tuple[str, ...] = ()


def forecast_inputs(scenario: Scenario, assume: Mapping[str, bool] | None = None
                    ) -> ForecastInputs:
    """Capability, position and salience arrays in the claim branch ``assume``."""
    batch = compile_batch(scenario, deterministic_draws(scenario, assume))
    return ForecastInputs(
        actors=tuple(a.id for a in scenario.actors),
        dimensions=tuple(i.id for i in scenario.issues),
        capability=batch.capability[0],
        position=batch.position[0],
        salience=batch.salience[0],
        actor_names=tuple(a.name for a in scenario.actors),
        dimension_names=tuple(i.name for i in scenario.issues),
    )


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
