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
from redline.forecast.base import ISSUE_SALIENCE, Forecast


@dataclass(frozen=True)
class ModelInputs:
    """Checked model inputs: ``capability (n,)``, ``position (n, d)``, ``salience (n, d)``."""

    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    actors: tuple[str, ...]
    dimensions: tuple[str, ...]


def _float_arrays(*values) -> tuple[np.ndarray, ...]:
    """``values`` as float arrays; anything that is not numbers is a :class:`RedlineError`."""
    try:
        return tuple(np.asarray(v, dtype=float) for v in values)
    except (TypeError, ValueError) as error:
        raise RedlineError(f"model inputs must be numbers: {error}") from None


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
    c, x, s = _float_arrays(capability, position, salience)
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
    _check_values(c, x, s, salience_max)
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


def _check_values(c: np.ndarray, x: np.ndarray, s: np.ndarray,
                  salience_max: float | None) -> None:
    """Finite numbers, capability and salience >= 0, salience <= ``salience_max``."""
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


def prepare_batch(capability: Any, position: Any, salience: Any, *,
                  salience_max: float | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check a batch of runs and return float arrays ``(runs, n)``, ``(runs, n, d)`` twice.

    Parameters
    ----------
    capability
        ``(runs, n)``, or ``(n,)`` shared by every run.
    position
        ``(runs, n, d)``.
    salience
        ``(runs, n, d)``, or ``(n, d)`` shared by every run.
    salience_max
        Largest accepted salience (``None``: no limit), as in :func:`prepare_inputs`.

    Returns
    -------
    tuple of numpy.ndarray
        Capability, position and salience with the run axis first (broadcast views).

    Raises
    ------
    RedlineError
        On shapes that do not match, missing or infinite values, negative capability or
        salience, or saliences above ``salience_max``.
    """
    c, x, s = _float_arrays(capability, position, salience)
    if x.ndim != 3 or 0 in x.shape[1:]:
        raise RedlineError(f"position must have shape (runs, n_actors, n_dims), got {x.shape}",
                           field="position")
    runs, n, d = x.shape
    if c.shape not in ((n,), (runs, n)):
        raise RedlineError(f"capability must have shape ({runs}, {n}), got {c.shape}",
                           field="capability")
    if s.shape not in ((n, d), (runs, n, d)):
        raise RedlineError(f"salience must have shape ({runs}, {n}, {d}), got {s.shape}",
                           field="salience")
    c = np.broadcast_to(c, (runs, n))
    s = np.broadcast_to(s, (runs, n, d))
    _check_values(c, x, s, salience_max)
    return c, x, s


def issue_runs(batch: np.ndarray) -> np.ndarray:
    """``(runs, n_actors, n_dims)`` as ``(runs * n_dims, n_actors)`` one-issue runs.

    Run ``r``'s dimension ``k`` becomes row ``r * n_dims + k``. The result is C-contiguous, so
    reductions over the actors run in the same order whatever the number of runs.
    """
    runs, n, d = batch.shape
    return np.ascontiguousarray(batch.transpose(0, 2, 1)).reshape(runs * d, n)


class IssueByIssue:
    """``run`` and a batched ``predict`` for models that forecast each issue on its own.

    A subclass implements ``issue_points(capability, position, salience, n_dims)`` on
    ``(m, n)`` one-issue runs (contiguous rows, run-major: row ``r * n_dims + k`` is dimension
    ``k`` of run ``r``), returning the ``(m,)`` forecasts; ``run`` and ``predict`` both call
    it, so a one-scenario forecast and a sweep cannot drift apart.
    """

    name = "issue-by-issue"
    salience_convention = ISSUE_SALIENCE
    salience_note: str | None = None  # issue saliences are read as they are
    rounds_option: str | None = None  # no rounds (the round models override these four)
    max_actors: int | None = None  # cost linear in the number of actors: no limit
    cost_growth = "a power"
    quick_sweep = False  # True: a closed form, so sweeps of thousands of draws take no time
    #: Largest accepted salience (None: no limit); BDM reads saliences as probabilities.
    salience_max: float | None = None
    #: Whether every salience must be positive (no: a zero salience is a weight of 0).
    needs_positive_salience = False
    #: Whether ``run`` reads a status quo per dimension (``status_quo=``).
    takes_status_quo = False

    def issue_points(self, capability: np.ndarray, position: np.ndarray, salience: np.ndarray,
                     n_dims: int) -> np.ndarray:  # pragma: no cover - overridden
        """The forecast of each one-issue run: ``(m, n)`` arrays in, ``(m,)`` out."""
        raise NotImplementedError

    def options(self) -> dict[str, Any]:
        """The model's options, as :attr:`Forecast.options` reports them."""
        return {}

    def run(self, capability, position, salience, *, actors=None, dimensions=None) -> Forecast:
        """Forecast each dimension of one scenario (see :func:`prepare_inputs` for shapes)."""
        started = time.perf_counter()
        inputs = prepare_inputs(capability, position, salience, actors=actors,
                                dimensions=dimensions, salience_max=self.salience_max)
        n, d = inputs.position.shape
        point = self.issue_points(np.broadcast_to(inputs.capability, (d, n)).copy(),
                                  np.ascontiguousarray(inputs.position.T),
                                  np.ascontiguousarray(inputs.salience.T), d)
        return static_forecast(self.name, inputs, point, self.options(), started)

    def predict(self, capability: Any, position: Any, salience: Any) -> np.ndarray:
        """The forecast point of each of ``runs`` independent runs.

        Parameters
        ----------
        capability
            ``(runs, n_actors)``, or ``(n_actors,)`` shared by every run.
        position
            ``(runs, n_actors, n_dims)`` on the 0-100 scale.
        salience
            ``(runs, n_actors, n_dims)``, or ``(n_actors, n_dims)`` shared by every run.

        Returns
        -------
        numpy.ndarray
            ``(runs, n_dims)``: each run's forecast, computed as ``runs * n_dims`` one-issue
            runs in one vectorised call.

        Raises
        ------
        RedlineError
            On shapes that do not match or values outside the model's ranges.
        """
        c, x, s = prepare_batch(capability, position, salience, salience_max=self.salience_max)
        runs, n, d = x.shape
        c_runs = np.repeat(c, d, axis=0)  # row r * d + k holds run r's capabilities
        points = self.issue_points(c_runs, issue_runs(x), issue_runs(s), d)
        return np.asarray(points, dtype=float).reshape(runs, d)


def weighted_mean(position: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted mean along the last axis (the actors); zero total weight gives the plain mean.

    ``position`` and ``weight`` have shape ``(..., n)``; returns ``(...)``. The result is kept
    within the row's positions, which rounding could otherwise leave by an ulp.
    """
    total = weight.sum(axis=-1)
    plain = position.mean(axis=-1)
    safe = np.where(total > 0, total, 1.0)
    mean = np.where(total > 0, (weight * position).sum(axis=-1) / safe, plain)
    return np.clip(mean, position.min(axis=-1), position.max(axis=-1))


def scaled_by_power_of_two(values: np.ndarray) -> np.ndarray:
    """``values`` (non-negative) divided by the power of two above their maximum, per row (the
    last axis holds the actors)."""
    top = values.max(axis=-1, keepdims=True)
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


class CompromiseModel(IssueByIssue):
    """Achen's compromise model: ``sum c s x / sum c s`` per issue.

    ``capability_power`` and ``salience_power`` (default 1, Achen's model) raise the weights to
    a power: ``w = c**a * s**b``. Zero total weight on an issue gives the unweighted mean.
    """

    name = "compromise"
    assumes = ("every actor pulls the outcome towards its position in proportion to its "
               "capability times salience, issue by issue (Achen 2006): no vetoes, no trades")
    quick_sweep = True  # a weighted mean per issue: thousands of draws in milliseconds

    def __init__(self, capability_power: float = 1.0, salience_power: float = 1.0) -> None:
        self.capability_power = float(capability_power)
        self.salience_power = float(salience_power)

    def weights(self, capability: np.ndarray, salience: np.ndarray) -> np.ndarray:
        """Weights ``c**a * s**b`` of one-issue runs ``(m, n)``, up to a power of two per run.

        Each run's capabilities and saliences are first divided by the power of two just above
        their largest value: exact, so the default weights equal ``c * s`` up to a common
        factor, yet a tiny or subnormal salience no longer underflows to 0 in the product and a
        huge capability does not overflow. Multiplying every capability by a constant therefore
        changes nothing but rounding. Only weights below about 1e-308 of a run's largest are
        lost (they count as 0).
        """
        c = scaled_by_power_of_two(capability) ** self.capability_power
        s = scaled_by_power_of_two(salience) ** self.salience_power
        return c * s

    def issue_points(self, capability, position, salience, n_dims) -> np.ndarray:
        """The weighted mean position of each one-issue run, weights ``c^a s^b``."""
        return weighted_mean(position, self.weights(capability, salience))

    def options(self) -> dict[str, Any]:
        """The model's options: the exponents of capability and salience."""
        return {"capability_power": self.capability_power,
                "salience_power": self.salience_power}


class MeanModel(IssueByIssue):
    """The unweighted mean of the positions on each issue."""

    name = "mean"
    assumes = "every actor counts the same, issue by issue: clout and salience do not matter"
    quick_sweep = True  # a mean per issue: thousands of draws in milliseconds

    def issue_points(self, capability, position, salience, n_dims) -> np.ndarray:
        """The unweighted mean position of each one-issue run."""
        return position.mean(axis=-1)
