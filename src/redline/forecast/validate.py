"""Out-of-sample checks of the forecast models on the DEU III issues.

For every issue with an observed outcome, each model forecasts the outcome from the actors'
positions, saliences and capabilities; the score is the mean absolute error (MAE, 0-100 scale)
against the observed outcome.

How DEU data enter the models (:func:`issue_inputs`):

* **actors**: those with a position on the issue; an actor without a position is dropped;
* **salience**: the stated salience / 100. An actor with a position but no salience gets the
  neutral salience 50 (``missing_salience=50``, the midpoint of the DEU scale). This affects
  26 actor-issue cells of the public file. The reference numbers (compromise 23.89,
  salience-weighted mean 24.48) are reproduced with this rule; dropping those actors instead
  (``missing_salience=None``) gives 23.86 and 24.40;
* **capability**: the Council's Nice voting weight for a member state, 29 for the Commission
  and the Parliament (:func:`redline.io.deu.capabilities`);
* **status quo**: the reference point ``rp`` where the file has one, for a model that reads one
  (``takes_status_quo``: the Nash model with its default reference, as its disagreement point);
* **positive saliences**: a model that takes only positive saliences (``needs_positive_salience``:
  SMP, KTAB's model) gets the issue without the actors of salience 0 (they cast no votes there).
  The other models keep them: the unweighted mean and median baselines count them, as the
  reference numbers do.

Validation asks the model for these two needs (attributes of every model); it names no model.

Baselines besides the registered models: ``"salience-mean"`` (the compromise model with equal
capabilities) and ``"commission"`` (the Commission's position; issues where it has none are
left out, so its ``n`` is smaller).

The 95% interval is a percentile bootstrap that resamples *proposals* (with all their issues),
not issues: issues of one proposal are decided together and their errors are correlated, so
resampling issues would understate the uncertainty. Proposals are identified by their short
name (``prname``, 82 in the public file), which keeps related acts together
(:attr:`redline.io.deu.DEUData.groups`). ``seed`` seeds a
:class:`numpy.random.Generator`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from redline.errors import RedlineError
from redline.forecast.base import ForecastModel
from redline.forecast.registry import MODELS, get_model


class IssueTable(Protocol):
    """The arrays validation reads: one row per issue, one column per actor, ``NaN`` where the
    data have no value, 0-100 scales (:class:`redline.io.deu.DEUData` is one; reading the files
    is the shell's job)."""

    actors: Sequence[str]  # (n_actors,) actor codes, e.g. "com", "ep", "de"
    positions: np.ndarray  # (n_issues, n_actors)
    saliences: np.ndarray  # (n_issues, n_actors)
    capability: np.ndarray | None  # (n_actors,) voting weights, or None if not read
    reference_points: np.ndarray  # (n_issues,) status quo
    outcomes: np.ndarray  # (n_issues,) observed outcome

    @property
    def groups(self) -> Sequence[str]:  # (n_issues,) the unit of bootstrap resampling
        """``(n_issues,)`` the unit of bootstrap resampling (a proposal's name)."""

    @property
    def has_outcome(self) -> np.ndarray:  # (n_issues,) bool
        """``(n_issues,)`` whether the issue has an observed outcome."""


Inputs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _salience_mean(data: IssueTable, issues: np.ndarray, inputs: list[Inputs]) -> np.ndarray:
    """The salience-weighted mean position (the compromise model with equal capabilities)."""
    return np.array([np.average(x, weights=s) if s.sum() > 0 else x.mean()
                     for _, _, x, s in inputs])


def _commission(data: IssueTable, issues: np.ndarray, inputs: list[Inputs]) -> np.ndarray:
    """The Commission's position (``NaN`` on issues where it has none, or without it)."""
    if "com" not in data.actors:
        return np.full(issues.size, np.nan)
    return data.positions[issues, list(data.actors).index("com")]


BASELINES: dict[str, Callable[[IssueTable, np.ndarray, list[Inputs]], np.ndarray]] = {
    "salience-mean": _salience_mean,
    "commission": _commission,
}


def validation_names() -> list[str]:
    """Every name :func:`validate_deu` accepts."""
    return [*MODELS, *BASELINES]


def issue_inputs(data: IssueTable, issue: int, *, missing_salience: float | None = 50.0
                 ) -> Inputs:
    """``(actor_index, capability, position, salience 0-1)`` for one issue."""
    if data.capability is None:
        raise RedlineError("DEU validation needs the actors' voting weights",
                           parameter="weights", hint="pass weights=nice_voting_weights.csv")
    x = data.positions[issue]
    s = data.saliences[issue]
    if missing_salience is not None:
        s = np.where(np.isnan(s), missing_salience, s)
    keep = np.flatnonzero(np.isfinite(x) & np.isfinite(s))
    return keep, data.capability[keep], x[keep], s[keep] / 100.0


def _issues(data: IssueTable) -> np.ndarray:
    return np.flatnonzero(data.has_outcome)


def _model_points(model: ForecastModel, inputs: list[Inputs], status_quo: np.ndarray
                  ) -> np.ndarray:
    """Each issue's forecast by ``model``, asking the model what it needs: actors with a zero
    salience are left out where it takes positive saliences only (they cast no vote), a model
    that reads a status quo gets the issue's, and the others forecast all issues with the same
    number of actors in one batch (``predict``)."""
    if model.needs_positive_salience:
        inputs = [(k[s > 0], c[s > 0], x[s > 0], s[s > 0]) for k, c, x, s in inputs]
    out = np.full(len(inputs), np.nan)
    if model.takes_status_quo:
        for k, (_, c, x, s) in enumerate(inputs):
            if x.size:
                out[k] = model.run(c, x, s, status_quo=status_quo[k:k + 1]).point[0]
        return out
    sizes = np.array([x.size for _, _, x, _ in inputs])
    for n in np.unique(sizes[sizes > 0]):
        group = np.flatnonzero(sizes == n)
        c = np.stack([inputs[k][1] for k in group])
        x = np.stack([inputs[k][2] for k in group])[:, :, None]
        s = np.stack([inputs[k][3] for k in group])[:, :, None]
        out[group] = model.predict(c, x, s)[:, 0]
    return out


def predict_deu(data: IssueTable, model_name: str, *, missing_salience: float | None = 50.0,
                options: dict[str, Any] | None = None,
                issues: np.ndarray | None = None) -> np.ndarray:
    """Forecasts for ``issues`` (default: those with an outcome); ``NaN`` where none.

    Parameters
    ----------
    data
        The issues as arrays (:class:`IssueTable`), with the actors' capabilities.
    model_name
        A registered model or one of :data:`BASELINES`.
    missing_salience
        The salience (0-100) of an actor with a position but none stated; ``None`` drops it.
    options
        The model's options.
    issues
        Row indices into ``data``.

    Returns
    -------
    numpy.ndarray
        ``(len(issues),)`` forecasts on 0-100.
    """
    issues = _issues(data) if issues is None else np.asarray(issues, dtype=int)
    inputs = [issue_inputs(data, i, missing_salience=missing_salience) for i in issues]
    if model_name in BASELINES:
        return np.asarray(BASELINES[model_name](data, issues, inputs), dtype=float)
    model = get_model(model_name, **(options or {}))
    return _model_points(model, inputs, data.reference_points[issues])


def bootstrap_mae(errors: np.ndarray, groups: np.ndarray, *, n_boot: int = 2000,
                  seed: int = 0) -> tuple[float, float]:
    """Percentile 95% interval of the MAE, resampling whole groups with replacement."""
    labels, group_index = np.unique(groups, return_inverse=True)
    sums = np.bincount(group_index, weights=errors, minlength=labels.size)
    counts = np.bincount(group_index, minlength=labels.size).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, labels.size, size=(n_boot, labels.size))
    maes = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    low, high = np.percentile(maes, [2.5, 97.5])
    return float(low), float(high)


def score(data: IssueTable, predictions: np.ndarray, *, n_boot: int = 2000, seed: int = 0
          ) -> tuple[float, int, list[float]]:
    """MAE, number of issues scored and bootstrap interval for given predictions."""
    issues = _issues(data)
    ok = np.isfinite(predictions)
    errors = np.abs(predictions[ok] - data.outcomes[issues][ok])
    if errors.size == 0:
        raise RedlineError("no issue with both an outcome and a forecast")
    groups = np.asarray(data.groups, dtype=object)[issues][ok]
    low, high = bootstrap_mae(errors, groups, n_boot=n_boot, seed=seed)
    return float(errors.mean()), int(errors.size), [low, high]


def validate_deu(data: IssueTable, model_name: str, *, n_boot: int = 2000, seed: int = 0,
                 missing_salience: float | None = 50.0,
                 options: dict[str, Any] | None = None) -> dict[str, Any]:
    """MAE of ``model_name`` on the DEU issues with an outcome, with a bootstrap 95% CI.

    Returns ``{"model", "mae", "n", "ci95": [low, high]}``.
    """
    if model_name not in validation_names():
        raise RedlineError(f"unknown model {model_name!r}; valid: "
                           f"{', '.join(validation_names())}", field="model")
    if n_boot < 1:
        raise RedlineError("n_boot must be >= 1", field="n_boot")
    predictions = predict_deu(data, model_name, missing_salience=missing_salience,
                              options=options)
    mae, n, ci = score(data, predictions, n_boot=n_boot, seed=seed)
    return {"model": model_name, "mae": mae, "n": n, "ci95": ci}
