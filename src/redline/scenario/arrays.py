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
