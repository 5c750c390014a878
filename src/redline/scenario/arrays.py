"""Arrays for the forecast models, taken from a scenario.

Forecast models work on the common 0-100 scale: each actor's ideal point per issue is its
position, its salience is the stated salience (0-1), and its capability is its clout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from redline.scenario.compile import claim_truths, effective_stances
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
    stances = effective_stances(scenario, claim_truths(scenario, assume))
    actors = [a.id for a in scenario.actors]
    issues = [i.id for i in scenario.issues]
    position = np.array([[stances[a][i].position for i in issues] for a in actors], dtype=float)
    salience = np.array([[stances[a][i].salience for i in issues] for a in actors], dtype=float)
    return ForecastInputs(
        actors=tuple(a.name for a in scenario.actors),
        dimensions=tuple(i.name for i in scenario.issues),
        capability=np.array([a.capability for a in scenario.actors], dtype=float),
        position=position,
        salience=salience,
    )
