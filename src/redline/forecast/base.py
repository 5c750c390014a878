"""One interface for every forecast model.

Models take plain arrays, never scenario files:

* ``capability``: shape ``(n_actors,)``, positive clout;
* ``position``: shape ``(n_actors, n_dims)``, on a 0-100 scale;
* ``salience``: shape ``(n_actors, n_dims)``, in [0, 1] (or 0-100 for KTAB-style input; each
  model documents what it expects and normalises at its boundary).

Each model is a small class in the scikit-learn style: options go to ``__init__``, data goes to
``run``, and ``run`` returns a :class:`Forecast`. Models never print or read files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class Forecast:
    """Result of a forecast model.

    ``positions`` has shape ``(n_turns + 1, n_actors, n_dims)``; index 0 is the initial state.
    ``point`` has shape ``(n_dims,)``: the model's forecast outcome.
    """

    model: str
    actors: tuple[str, ...]
    dimensions: tuple[str, ...]
    positions: np.ndarray
    point: np.ndarray
    options: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    median: np.ndarray | None = None  # (n_turns + 1, n_dims), BDM only
    mean: np.ndarray | None = None  # (n_turns + 1, n_dims), BDM only
    win_probability: np.ndarray | None = None  # (n_turns + 1, n_actors), SMP only
    seconds: float = 0.0

    @property
    def turns(self) -> int:
        return int(self.positions.shape[0] - 1)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model,
            "actors": list(self.actors),
            "dimensions": list(self.dimensions),
            "turns": self.turns,
            "positions": self.positions.tolist(),
            "forecast": self.point.tolist(),
            "options": dict(self.options),
            "seed": self.seed,
        }
        if self.median is not None:
            out["median"] = self.median.tolist()
        if self.mean is not None:
            out["mean"] = self.mean.tolist()
        if self.win_probability is not None:
            out["win_probability"] = self.win_probability.tolist()
        out["timings"] = {"model": self.seconds}
        return out


class ForecastModel(Protocol):
    """What every model provides."""

    name: str

    def run(
        self,
        capability: np.ndarray,
        position: np.ndarray,
        salience: np.ndarray,
        *,
        actors: tuple[str, ...] | None = None,
        dimensions: tuple[str, ...] | None = None,
    ) -> Forecast: ...
