"""One interface for every forecast model.

Models take plain arrays, never scenario files:

* ``capability``: shape ``(n_actors,)``, positive clout;
* ``position``: shape ``(n_actors, n_dims)``, on a 0-100 scale;
* ``salience``: shape ``(n_actors, n_dims)``, in [0, 1] (or 0-100 for KTAB-style input; each
  model documents what it expects and normalises at its boundary).

Each model is a small class in the scikit-learn style: options go to ``__init__``, data goes to
``run``, and ``run`` returns a :class:`Forecast`. Models never print or read files.

Every model computes in float64 on numbers within :data:`MAX_MAGNITUDE` in size; SMP also needs
positive saliences of at least :data:`MIN_POSITIVE` (see :func:`scale_problem`). Readers refuse
other numbers with their line, and the models that multiply them check again
(:func:`check_scale`).

Batches: ``predict`` takes many independent runs at once (Monte Carlo draws) with a leading run
axis, ``capability (runs, n_actors)``, ``position`` and ``salience (runs, n_actors, n_dims)``,
and returns the forecast point of each run, ``(runs, n_dims)``. A run's numbers depend only on
its own inputs, not on the other runs of the batch (BDM's apart, at rounding level: its
``auto`` engine is chosen by batch size). Models that forecast each issue on their own (all but
SMP) reshape the batch into ``runs x n_dims`` one-issue runs of ``(n_actors,)``
(:class:`redline.forecast.compromise.IssueByIssue`).

Saliences: a scenario rates each issue's importance on its own 0-1 scale
(:data:`ISSUE_SALIENCE`). A model that reads them otherwise declares it in its
``salience_convention`` (SMP reads shares of attention, :data:`ATTENTION_SALIENCE`), and callers
convert scenario saliences with :func:`salience_for`, so no caller needs to know which model
reads what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from redline.errors import RedlineError

# The largest capability or position (on any scale) the models take: sums and products of them
# over thousands of actors stay far from float64's 1.8e308 (two capabilities of 1e308 overflow).
MAX_MAGNITUDE = 1e100
# The smallest positive salience (a fraction of 1) SMP takes: it divides by the sum of squared
# saliences, and a salience of 1e-320 squares to 0. Readers refuse smaller positive saliences.
MIN_POSITIVE = 1e-100

_SCALE_HINTS = {
    "capability": "capabilities are relative: divide them all by a common factor",
    "position": "positions are on one scale: rescale them (e.g. to 0-100)",
    "salience": "write 0 for an issue that does not matter",
}


def scale_problem(value: float, what: str, written: str | None = None) -> str | None:
    """Why a finite ``value`` of ``what`` (capability, position, salience) is out of scale, or
    ``None``: above :data:`MAX_MAGNITUDE` in size, or a positive salience below
    :data:`MIN_POSITIVE`. ``written`` is the number as the file wrote it (for the message)."""
    size = abs(value)
    shown = written if written is not None else f"{value:g}"
    if size > MAX_MAGNITUDE:
        return f"{what} {shown} is above {MAX_MAGNITUDE:g} in size"
    if what == "salience" and 0 < size < MIN_POSITIVE:
        return f"{what} {shown} is too small to compute with (below {MIN_POSITIVE:g})"
    return None


def scale_hint(what: str) -> str:
    """How to fix an out-of-scale ``what`` (for the error's hint)."""
    return _SCALE_HINTS.get(what, "rescale the numbers")


def check_scale(capability: np.ndarray, position: np.ndarray, salience: np.ndarray, *,
                squares_salience: bool = False) -> None:
    """Refuse finite model inputs that would overflow, or (``squares_salience``: SMP) positive
    saliences whose squares underflow; see :func:`scale_problem`.

    Raises
    ------
    RedlineError
        Naming the first offending value and how to fix it.
    """
    for what, values in (("capability", capability), ("position", position),
                         ("salience", salience)):
        flat = np.asarray(values, dtype=float).ravel()
        size = np.abs(flat)
        bad = size > MAX_MAGNITUDE
        if what == "salience" and squares_salience:
            bad |= (size > 0) & (size < MIN_POSITIVE)
        if bad.any():
            raise RedlineError(str(scale_problem(float(flat[np.argmax(bad)]), what)),
                               field=what, hint=scale_hint(what))


#: Each issue's importance on its own 0-1 scale, as scenarios give saliences.
ISSUE_SALIENCE = "issue"
#: Shares of attention summing to at most 1 per actor (KTAB's convention, read by SMP).
ATTENTION_SALIENCE = "attention"


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
    salience_convention: str  # ISSUE_SALIENCE or ATTENTION_SALIENCE

    def run(
        self,
        capability: np.ndarray,
        position: np.ndarray,
        salience: np.ndarray,
        *,
        actors: tuple[str, ...] | None = None,
        dimensions: tuple[str, ...] | None = None,
    ) -> Forecast: ...

    def predict(self, capability: np.ndarray, position: np.ndarray,
                salience: np.ndarray) -> np.ndarray: ...


def salience_for(model: ForecastModel, salience: np.ndarray) -> np.ndarray:
    """Scenario saliences in the convention ``model`` reads (its ``salience_convention``).

    Parameters
    ----------
    model
        A forecast model.
    salience
        Saliences as a scenario gives them, ``(..., n_actors, n_dims)``: each issue's
        importance on its own 0-1 scale.

    Returns
    -------
    numpy.ndarray
        ``salience`` itself for :data:`ISSUE_SALIENCE` models; for :data:`ATTENTION_SALIENCE`
        models each actor's saliences as shares of attention
        (:func:`redline.scenario.arrays.attention_shares`).
    """
    convention = getattr(model, "salience_convention", ISSUE_SALIENCE)
    if convention == ATTENTION_SALIENCE:
        from redline.scenario.arrays import attention_shares  # the scenario side's convention

        return attention_shares(salience)
    if convention != ISSUE_SALIENCE:
        raise ValueError(f"model {model.name!r} declares an unknown salience convention "
                         f"{convention!r}")
    return salience

