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

Input conventions: besides ``salience_convention``, a model class declares what a caller needs
to run it without naming it (:class:`ModelConventions`): ``rounds_option`` (the name of its
option for the number of rounds, or ``None``), ``max_actors`` and ``cost_growth`` (the most
actors a run takes by default, and how its time grows with them), ``salience_note`` (what to
tell the user when scenario saliences are converted for it), ``quick_sweep`` (a closed form
that sweeps thousands of draws in no time) and ``assumes`` (one sentence on what the model
assumes about the talks, shown beside forecasts that disagree). Read them with :func:`conventions`.
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

    ``actors`` and ``dimensions`` are ids (a scenario's actor and issue ids; the labels a table
    file gives where it has no ids); ``actor_names`` and ``dimension_names`` are the names to
    show, the ids themselves when not given.
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
    actor_names: tuple[str, ...] = ()  # () at creation: the ids
    dimension_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Frozen: completed once at creation, never changed afterwards.
        for names, ids in (("actor_names", self.actors), ("dimension_names", self.dimensions)):
            given = tuple(getattr(self, names)) or tuple(ids)
            if len(given) != len(ids):
                raise ValueError(f"{names} has {len(given)} entries for {len(ids)} ids")
            object.__setattr__(self, names, given)

    @property
    def turns(self) -> int:
        """The number of rounds (turns) the model ran; 0 for models without rounds."""
        return int(self.positions.shape[0] - 1)

    @property
    def point_by_id(self) -> dict[str, float]:
        """The forecast outcome as ``{dimension id: value}``."""
        return {d: float(v) for d, v in zip(self.dimensions, self.point, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``redline forecast --json``): arrays as lists, actors and dimensions
        by id with their names beside them."""
        out: dict[str, Any] = {
            "model": self.model,
            "actors": list(self.actors),
            "actor_names": list(self.actor_names),
            "dimensions": list(self.dimensions),
            "dimension_names": list(self.dimension_names),
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
    needs_positive_salience: bool  # every salience must be > 0 (SMP): leave out the zeros
    takes_status_quo: bool  # run(..., status_quo=) reads a status quo per dimension

    def run(
        self,
        capability: np.ndarray,
        position: np.ndarray,
        salience: np.ndarray,
        *,
        actors: tuple[str, ...] | None = None,
        dimensions: tuple[str, ...] | None = None,
    ) -> Forecast:
        """Forecast one scenario: ``capability (n,)``, ``position`` and ``salience (n, d)``."""

    def predict(self, capability: np.ndarray, position: np.ndarray,
                salience: np.ndarray) -> np.ndarray:
        """Each run's forecast point: ``(runs, n, d)`` inputs in, ``(runs, d)`` out."""


def salience_for(model: ForecastModel, salience: np.ndarray, *,
                 given: str = ISSUE_SALIENCE) -> np.ndarray:
    """Saliences in the convention ``model`` reads (its ``salience_convention``).

    Parameters
    ----------
    model
        A forecast model (an instance or its class).
    salience
        Saliences ``(..., n_actors, n_dims)`` in the convention ``given``.
    given
        The convention of ``salience``: :data:`ISSUE_SALIENCE` (a scenario: each issue's
        importance on its own 0-1 scale, the default) or :data:`ATTENTION_SALIENCE` (a KTAB
        file: shares of attention, which every model reads as they are).

    Returns
    -------
    numpy.ndarray
        ``salience`` itself, except issue saliences for an :data:`ATTENTION_SALIENCE` model:
        each actor's saliences as shares of attention
        (:func:`redline.scenario.arrays.attention_shares`).
    """
    if converts_salience(model, given=given):
        from redline.scenario.arrays import attention_shares  # the scenario side's convention

        return attention_shares(salience)
    return salience


def converts_salience(model: Any, *, given: str = ISSUE_SALIENCE) -> bool:
    """Whether :func:`salience_for` converts saliences in convention ``given`` for ``model``
    (an instance, its class or its :class:`ModelConventions`): issue saliences for a model
    that reads shares of attention."""
    convention = (model if isinstance(model, ModelConventions) else conventions(model)
                  ).salience_convention
    if convention not in (ISSUE_SALIENCE, ATTENTION_SALIENCE):
        raise ValueError(f"model {getattr(model, 'name', model)!r} declares an unknown salience "
                         f"convention {convention!r}")
    return convention == ATTENTION_SALIENCE and given == ISSUE_SALIENCE


def rescaled_actors(model: ForecastModel, salience: np.ndarray, *,
                    given: str = ISSUE_SALIENCE) -> np.ndarray:
    """Which actors' saliences :func:`salience_for` changes for ``model``: ``(..., n_actors)``
    booleans (all false when it passes them on as they are)."""
    if converts_salience(model, given=given):
        from redline.scenario.arrays import over_attention

        return over_attention(salience)
    return np.zeros(salience.shape[:-1], dtype=bool)


@dataclass(frozen=True)
class DrawCost:
    """A model's estimated time per sweep draw, in microseconds on this project's machine kind
    (2-core x86_64, numpy engine): ``(fixed + per_issue * n_actors ** actor_power) * n_issues``.

    Fitted to timings of ``predict`` on batches of 400 draws at 3 to 24 actors and 1 to 5
    issues (2026-12-01, machine shared with other jobs, so an upper estimate). The sweep adds it
    to its own work before it runs (:func:`redline.uncertainty.sweep.check_sweep_size`), so a
    slow model on many draws is refused with a hint instead of running for hours. The closed
    forms cost nothing next to the packages' evaluation and declare no cost.
    """

    fixed: float = 0.0
    per_issue: float = 0.0
    actor_power: float = 1.0

    def microseconds(self, n_actors: int, n_issues: int) -> float:
        """The estimated time of one draw's forecast, in microseconds."""
        return (self.fixed + self.per_issue * n_actors ** self.actor_power) * n_issues


NO_DRAW_COST = DrawCost()


@dataclass(frozen=True)
class ModelConventions:
    """What a caller needs to know to run a model, declared by the model class itself.

    Attributes
    ----------
    name
        The model's name.
    salience_convention
        :data:`ISSUE_SALIENCE` or :data:`ATTENTION_SALIENCE`.
    rounds_option
        The name of the option that sets the number of rounds (``"rounds"``, ``"max_turns"``),
        or ``None`` for models without rounds.
    max_actors
        The most actors a run takes by default (``None``: any number).
    cost_growth
        How the run time grows with the number of actors, for the message when a run is
        refused (e.g. ``"the cube"``).
    salience_note
        One sentence for the user when scenario saliences are converted for the model
        (``None`` when they never are).
    quick_sweep
        A closed form, so a sweep of thousands of draws with it takes no noticeable time (the
        web app sweeps with such models only).
    assumes
        One sentence on what the model assumes about how the talks work, for readers comparing
        forecasts that disagree (``""`` when the model declares none).
    draw_cost
        The model's estimated time per sweep draw (:class:`DrawCost`).
    """

    name: str
    salience_convention: str = ISSUE_SALIENCE
    rounds_option: str | None = None
    max_actors: int | None = None
    cost_growth: str = "a power"
    salience_note: str | None = None
    quick_sweep: bool = False
    assumes: str = ""
    draw_cost: DrawCost = NO_DRAW_COST


def conventions(model: Any) -> ModelConventions:
    """The :class:`ModelConventions` a model (instance or class) declares as class attributes;
    a model that declares none gets the defaults (issue saliences, no rounds, no limit)."""
    return ModelConventions(
        name=str(getattr(model, "name", type(model).__name__)),
        salience_convention=getattr(model, "salience_convention", ISSUE_SALIENCE),
        rounds_option=getattr(model, "rounds_option", None),
        max_actors=getattr(model, "max_actors", None),
        cost_growth=getattr(model, "cost_growth", "a power"),
        salience_note=getattr(model, "salience_note", None),
        quick_sweep=bool(getattr(model, "quick_sweep", False)),
        assumes=str(getattr(model, "assumes", "")),
        draw_cost=getattr(model, "draw_cost", NO_DRAW_COST),
    )

