"""One run of a scenario for the web app: the deal space, a forecast and a quick sweep.

Glue only: the run is :func:`redline.pipeline.run_study`, as for the HTML report; this module
checks the app's settings and gathers the JSON forms into the ``results`` dict that the app
shows and the store saves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from redline.errors import RedlineError
from redline.forecast.base import Forecast
from redline.forecast.registry import check_actor_count, model_conventions, model_names
from redline.pipeline import DEFAULT_MODEL, load, run_study
from redline.scenario.model import Scenario
from redline.space.engine import Analysis, analysis_to_dict
from redline.uncertainty.limits import SEED_MAX
from redline.uncertainty.sweep import SweepResult
from redline.web.store import json_safe

DEFAULT_DRAWS = 500
MAX_DRAWS = 5_000
MAX_SEED = SEED_MAX  # one range of seeds for every shell
MAX_PACKAGES = 5_000_000  # the app answers within seconds; larger spaces belong to the CLI
PARETO_ROWS = 200


@dataclass(frozen=True)
class Settings:
    """How to run: the forecast model, the sweep's draws and seed, the deal-space plot's axes."""

    model: str = DEFAULT_MODEL
    draws: int = DEFAULT_DRAWS
    seed: int = 0
    x_actor: str | None = None
    y_actor: str | None = None

    def checked(self, scenario: Scenario) -> Settings:
        """These settings, once each is valid for ``scenario``; else a RedlineError naming
        the field (model, draws, seed, x axis, y axis)."""
        if self.model not in model_names():
            raise RedlineError(f"unknown model {self.model!r}; valid models: "
                               f"{', '.join(model_names())}", field="model")
        if not 0 <= self.draws <= MAX_DRAWS:
            raise RedlineError(f"draws must lie in [0, {MAX_DRAWS}], got {self.draws}",
                               field="draws")
        if not 0 <= self.seed <= MAX_SEED:
            raise RedlineError(f"seed must lie in [0, {MAX_SEED}], got {self.seed}", field="seed")
        check_actor_count(self.model, len(scenario.actors))  # before any work
        actors = {a.id for a in scenario.actors}
        for name, actor in (("x axis", self.x_actor), ("y axis", self.y_actor)):
            if actor is not None and actor not in actors:
                raise RedlineError(f"unknown actor {actor!r}", field=name)
        return self

    @property
    def sweep_model(self) -> str:
        """The sweep's model: the chosen one if it sweeps quickly (its class's
        ``quick_sweep``), else :data:`redline.pipeline.DEFAULT_MODEL`."""
        quick = self.model in model_names() and model_conventions(self.model).quick_sweep
        return self.model if quick else DEFAULT_MODEL


@dataclass(frozen=True)
class Outcome:
    """A run's core results and their JSON form (``results``, what the store keeps)."""

    scenario: Scenario
    settings: Settings
    analysis: Analysis
    forecast: Forecast
    sweep: SweepResult | None
    sweep_error: str | None
    results: dict
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def summary(self) -> dict:
        """The headline numbers the page and the history show."""
        return self.results["summary"]


def run_scenario(scenario: Scenario, settings: Settings | None = None) -> Outcome:
    """Analyse ``scenario`` in its assumed claim branch, forecast it and run a quick sweep
    (:func:`redline.pipeline.run_study`).

    Raises :class:`RedlineError` for anything the user can fix. A sweep that cannot run (a space
    too large to sweep) is reported in ``sweep_error`` instead, so the analysis still shows.
    """
    settings = (settings or Settings()).checked(scenario)
    study = run_study(load(scenario), models=(settings.model,), draws=settings.draws,
                      seed=settings.seed, sweep_model=settings.sweep_model, branches=False,
                      max_packages=MAX_PACKAGES)
    if settings.model in study.refused:
        raise study.refused[settings.model]
    analysis = study.analysis.analysis
    forecast = study.forecasts[settings.model].forecast
    result = study.sweep.integrated if study.sweep is not None else None
    sweep_error = str(study.sweep_error) if study.sweep_error is not None else None
    seconds = study.timings["total"]
    timings = {"analysis": study.timings["load"] + study.timings["analysis"],
               "forecast": study.timings["forecast"]}
    if "sweep" in study.timings:
        timings["sweep"] = study.timings["sweep"]
    timings["total"] = seconds

    analysis_dict = analysis_to_dict(analysis, pareto_limit=PARETO_ROWS)
    sweep_dict = result.to_dict() if result is not None else None
    summary = {
        "scenario": scenario.scenario.id,
        "title": scenario.scenario.title,
        "packages": analysis.n_packages,
        "acceptable_count": analysis.acceptable_count,
        "nash": analysis_dict["solutions"].get("nash", [])[:3],
        "nash_ties": analysis_dict["solution_ties"].get("nash", 0),
        "model": settings.model,
        "forecast": forecast.point_by_id,
        "p_agreement": result.p_agreement if result is not None else None,
        "draws": settings.draws,
        "seed": settings.seed,
        "sweep_model": settings.sweep_model,
        "sweep_forecast": ({k: {q: row[q] for q in ("q05", "q50", "q95")}
                            for k, row in sweep_dict["forecast"].items()}
                           if sweep_dict is not None else {}),
        "sweep_error": sweep_error,
    }
    results = json_safe({
        "summary": summary,
        "settings": {"model": settings.model, "draws": settings.draws, "seed": settings.seed,
                     "sweep_model": settings.sweep_model},
        "analysis": analysis_dict,
        "forecast": forecast.to_dict(),
        "sweep": sweep_dict,
        "timings": timings,
    })
    return Outcome(scenario=scenario, settings=settings, analysis=analysis, forecast=forecast,
                   sweep=result, sweep_error=sweep_error, results=results, seconds=seconds,
                   timings=timings)
