"""Forecasts in the analyst's terms: every model side by side, read against the options.

For each model, :func:`compare_forecasts` reads the forecast point against the options of each
issue ("52.6: between freeze-contact-line and demilitarised-zone",
:func:`redline.space.options.place`) and judges the package it rounds to with the compiled
rules (:func:`redline.space.options.read_forecast`): whose red lines, conditional offers or
ratification steps it breaks. Where the models land more than :data:`MODEL_DISAGREEMENT`
apart on an issue, a note gives the gap, and the report says what the models involved assume
(each model declares it, ``ModelConventions.assumes``), so a reader knows why SMP and BDM
differ by 29 points on the guarantees. It computes nothing new and returns plain data: the
HTML report, the summary, the terminal and the web app show the same readings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from redline.errors import RedlineError
from redline.forecast.base import Forecast
from redline.forecast.registry import model_conventions
from redline.space.domain import Domain
from redline.space.options import ForecastPoint, read_forecast

MODEL_DISAGREEMENT = 10.0
"""Forecasts further apart than this on an issue (0-100 scale) get a note on what the models
assume."""


@dataclass(frozen=True)
class ModelReading:
    """One model's forecast read against the options.

    Attributes
    ----------
    model
        The model's name.
    turns
        The rounds it ran (0 or 1: a one-step forecast, no trajectory to draw).
    point
        The reading (:class:`~redline.space.options.ForecastPoint`): the placements, the
        rounded package and its verdict.
    assumes
        What the model assumes (``ModelConventions.assumes``).
    """

    model: str
    turns: int
    point: ForecastPoint
    assumes: str

    @property
    def has_trajectory(self) -> bool:
        """Whether the forecast moved over more than one round (worth drawing as a path)."""
        return self.turns > 1


@dataclass(frozen=True)
class Disagreement:
    """Models that land more than :data:`MODEL_DISAGREEMENT` apart on one issue.

    Attributes
    ----------
    issue, name
        The issue's id and name.
    low, high
        ``(model, value)`` of the lowest and the highest forecast.
    note
        The sentence to show: the gap ("smp and bdm differ by 29.0 points on ...");
        :attr:`ForecastComparison.assumptions` says what the models assume.
    """

    issue: str
    name: str
    low: tuple[str, float]
    high: tuple[str, float]
    note: str

    @property
    def spread(self) -> float:
        """The gap between the two forecasts."""
        return self.high[1] - self.low[1]


@dataclass(frozen=True)
class ForecastComparison:
    """Every model's reading, and the issues they disagree on."""

    readings: tuple[ModelReading, ...]
    disagreements: tuple[Disagreement, ...]

    @property
    def assumptions(self) -> dict[str, str]:
        """``{model: what it assumes}`` for the models named in a disagreement, in the order
        of the readings (empty when the models agree)."""
        named = {m for d in self.disagreements for m in (d.low[0], d.high[0])}
        return {r.model: r.assumes for r in self.readings if r.model in named and r.assumes}

    def to_dict(self, domain: Domain) -> dict:
        """The JSON form: per model, each issue's reading and the rounded package's verdict;
        the disagreements with their notes."""
        models = {}
        for r in self.readings:
            models[r.model] = {"turns": r.turns, **r.point.to_dict(domain),
                               "assumes": r.assumes}
        return {"threshold": MODEL_DISAGREEMENT, "models": models,
                "disagreements": [{"issue": d.issue, "low": list(d.low), "high": list(d.high),
                                   "spread": d.spread, "note": d.note}
                                  for d in self.disagreements],
                "assumptions": self.assumptions}


def _aligned(domain: Domain, forecast: Forecast) -> np.ndarray | None:
    """The forecast's point in the domain's issue order, or ``None`` when its dimensions are
    not the domain's issues."""
    ids = [issue.id for issue in domain.issues]
    if sorted(forecast.dimensions) != sorted(ids):
        return None
    by_id = forecast.point_by_id
    return np.array([by_id[i] for i in ids], dtype=float)


def _assumes(model: str) -> str:
    """What ``model`` declares it assumes; ``""`` for a name the registry does not know."""
    try:
        return model_conventions(model).assumes
    except RedlineError:
        return ""


def compare_forecasts(domain: Domain, forecasts: Mapping[str, Forecast],
                      threshold: float = MODEL_DISAGREEMENT) -> ForecastComparison:
    """Read every forecast against ``domain``'s options and find where the models disagree.

    Parameters
    ----------
    domain
        The agreement space the forecasts are read in (the analysis's claim branch).
    forecasts
        ``{model: Forecast}``; a forecast whose dimensions are not the domain's issues (or
        whose point is not finite) is left out.
    threshold
        Forecasts further apart than this on an issue get a note (:data:`MODEL_DISAGREEMENT`).

    Returns
    -------
    ForecastComparison
    """
    readings = []
    for model, forecast in forecasts.items():
        point = _aligned(domain, forecast)
        if point is None or not np.isfinite(point).all():
            continue
        readings.append(ModelReading(model, forecast.turns, read_forecast(domain, point),
                                     _assumes(model)))
    disagreements = []
    for i, issue in enumerate(domain.issues):
        values = [(r.model, r.point.placements[i].value) for r in readings]
        if len(values) < 2:
            continue
        low = min(values, key=lambda v: v[1])
        high = max(values, key=lambda v: v[1])
        if high[1] - low[1] <= threshold:
            continue
        note = (f"{low[0]} and {high[0]} differ by {high[1] - low[1]:.1f} points on "
                f"{issue.name} ({low[1]:.1f} vs {high[1]:.1f}).")
        disagreements.append(Disagreement(issue.id, issue.name, low, high, note))
    return ForecastComparison(tuple(readings), tuple(disagreements))


WHY_THEY_DIFFER = "Why they differ: what each model assumes."
"""The heading of the list of what the disagreeing models assume."""


def disagreement_lead(threshold: float = MODEL_DISAGREEMENT) -> str:
    """The sentence before the list of disagreements, in every face that shows them (the
    HTML report, the web app).

    Parameters
    ----------
    threshold
        The gap above which forecasts disagree (:data:`MODEL_DISAGREEMENT`).

    Returns
    -------
    str
        E.g. "The models disagree by more than 10 points:".
    """
    return f"The models disagree by more than {threshold:g} points:"


def assumes_clause(assumes: str) -> str:
    """What a model assumes, as the clause after its name: "assumes every actor pulls ...".

    Parameters
    ----------
    assumes
        The model's ``ModelConventions.assumes`` sentence.

    Returns
    -------
    str
        ``"assumes <assumes>."``
    """
    return f"assumes {assumes}."


KIND_WORDS = {"red_line": "red line", "linkage": "conditional offer",
              "ratification": "ratification step"}


def verdict_text(domain: Domain, point: ForecastPoint) -> str:
    """Whether the rounded package breaks anyone's rule, in words: "breaks Ukraine's red line
    “No occupied land given up without a referendum”" or "breaks no red line", then who would
    rather have no deal."""
    names = domain.names()
    rules = {c.id: c for c in domain.constraints}

    def rule_words(rule_id: str) -> str:
        rule = rules[rule_id]
        what = KIND_WORDS.get(rule.kind, rule.kind.replace("_", " "))
        return f"{what} “{rule.description}”" if rule.description else f"{what} {rule_id}"

    broken = [f"{names[a]}'s " + ", ".join(rule_words(r) for r in ids)
              for a, ids in enumerate(point.rules) if ids]
    text = "breaks " + ("; ".join(broken) if broken else "no red line")
    below = [names[a] for a in np.flatnonzero(point.below_outside)]
    if below:
        text += f"; worth less than the outside option to {', '.join(below)}"
    return text
