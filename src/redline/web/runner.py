"""One run of a scenario for the web app: the deal space, a forecast and a quick sweep.

Glue only: the run is :func:`redline.pipeline.run_study`, as for the HTML report; this module
checks the app's settings and gathers the JSON forms into the ``results`` dict that the app
shows and the store saves.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

from redline.errors import RedlineError
from redline.forecast.base import Forecast
from redline.forecast.registry import check_actor_count, model_conventions, model_names
from redline.pipeline import (
    DEFAULT_MODEL,
    EvaluationRun,
    Loaded,
    Study,
    StudySweep,
    add_sweep,
    load,
    run_evaluate,
    run_study,
    study_sweep,
)
from redline.report.summary import rounds_clause
from redline.scenario.load import parse_scenario
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
CACHE_RUNS = 16  # reruns of unchanged inputs kept per app
CACHE_MAX_PACKAGES = 200_000  # larger spaces are not kept (their arrays are large)
CACHE_SCENARIOS = 32  # parsed scenario texts kept per app
SWEEP_THREADS = 2  # sweeps run beside their analysis (start_sweep), at most this many at once
_SWEEPS: ThreadPoolExecutor | None = None
_SWEEPS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Settings:
    """How to run: the forecast model, the sweep's draws and seed, the deal-space plot's axes,
    and which of the scenario's rounds the sweep learns from (``prior``: none; ``until``: those
    dated on or before it, an ISO date; default all, as ``redline sweep``)."""

    model: str = DEFAULT_MODEL
    draws: int = DEFAULT_DRAWS
    seed: int = 0
    x_actor: str | None = None
    y_actor: str | None = None
    prior: bool = False
    until: str | None = None

    def checked(self, scenario: Scenario) -> Settings:
        """These settings, once each is valid for ``scenario``; else a RedlineError naming
        the field (model, draws, seed, x axis, y axis, until)."""
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
        if self.until is not None:
            from redline.uncertainty.rounds import check_until

            try:
                check_until(self.until)
            except RedlineError as error:
                raise RedlineError(error.message, field="until") from None
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
    loaded: Loaded | None = None  # the input the run read (proposals are judged in it)

    @property
    def summary(self) -> dict:
        """The headline numbers the page and the history show."""
        return self.results["summary"]

    @cached_property
    def proposals(self) -> list[dict]:
        """The scenario's proposals judged in this run (:func:`proposal_results`), worked out
        once per run: a rerun answered from the :class:`RunCache` does not judge them again."""
        return proposal_results(self)


@dataclass(frozen=True)
class Analysed:
    """The first part of a run (:func:`analyse`): the deal space and the forecast, before the
    sweep. The web app's rerun sends its figures while :func:`finish` runs the sweep."""

    scenario: Scenario
    settings: Settings
    study: Study  # run_study without draws

    @property
    def analysis(self) -> Analysis:
        """The deal space."""
        return self.study.analysis.analysis

    @property
    def forecast(self) -> Forecast:
        """The forecast of the settings' model."""
        return self.study.forecasts[self.settings.model].forecast


def analyse(scenario: Scenario, settings: Settings | None = None) -> Analysed:
    """The first part of :func:`run_scenario`: check the settings, analyse ``scenario`` in its
    assumed claim branch and forecast it (:func:`redline.pipeline.run_study` without draws).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    settings : Settings, optional
        How to run.

    Returns
    -------
    Analysed
        For :func:`finish`.

    Raises
    ------
    RedlineError
        For anything the user can fix (a setting, a model refused for the actor count).
    """
    settings = (settings or Settings()).checked(scenario)
    study = run_study(load(scenario), models=(settings.model,), draws=0, seed=settings.seed,
                      sweep_model=settings.sweep_model, branches=False,
                      max_packages=MAX_PACKAGES)
    if settings.model in study.refused:
        raise study.refused[settings.model]
    return Analysed(scenario, settings, study)


def run_scenario(scenario: Scenario, settings: Settings | None = None) -> Outcome:
    """Analyse ``scenario`` in its assumed claim branch, forecast it and run a quick sweep
    (:func:`redline.pipeline.run_study`): :func:`finish` of :func:`analyse`.

    Raises :class:`RedlineError` for anything the user can fix. A sweep that cannot run (a space
    too large to sweep) is reported in ``sweep_error`` instead, so the analysis still shows.
    """
    return finish(analyse(scenario, settings))


def start_sweep(scenario: Scenario, settings: Settings) -> Future[StudySweep] | None:
    """Start the sweep of a run in a second thread, so that it runs beside :func:`analyse`
    (the web app's rerun: the sweep takes the longest, and needs nothing the analysis makes).
    Hand the future to :func:`finish`. The same sweep, the same numbers
    (:func:`redline.pipeline.study_sweep`).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    settings : Settings
        Settings already checked for ``scenario`` (:meth:`Settings.checked`).

    Returns
    -------
    concurrent.futures.Future or None
        The sweep to come; ``None`` with no draws.
    """
    global _SWEEPS
    if not settings.draws:
        return None
    with _SWEEPS_LOCK:
        if _SWEEPS is None:
            _SWEEPS = ThreadPoolExecutor(SWEEP_THREADS, thread_name_prefix="redline-sweep")
    return _SWEEPS.submit(study_sweep, load(scenario), draws=settings.draws,
                          seed=settings.seed, sweep_model=settings.sweep_model,
                          prior=settings.prior, until=settings.until)


def finish(analysed: Analysed, swept: Future[StudySweep] | None = None) -> Outcome:
    """The rest of :func:`run_scenario` after :func:`analyse`: the sweep
    (:func:`redline.pipeline.add_sweep`, the sweep ``run_study`` runs) and the results.

    Parameters
    ----------
    analysed : Analysed
        From :func:`analyse`.
    swept : Future, optional
        The sweep started by :func:`start_sweep` for the same scenario and settings (waited
        for here); ``None`` runs it here.

    Returns
    -------
    Outcome
        The run.
    """
    scenario, settings, study = analysed.scenario, analysed.settings, analysed.study
    if settings.draws:
        study = add_sweep(study, draws=settings.draws, seed=settings.seed,
                          sweep_model=settings.sweep_model, prior=settings.prior,
                          until=settings.until,
                          swept=swept.result() if swept is not None else None)
    loaded = study.loaded
    analysis = analysed.analysis
    forecast = analysed.forecast
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
        # the trials behind P(agreement)'s interval: the posterior's effective sample size
        # when the scenario's rounds weight the draws (None: the draws themselves)
        "ess": result.ess if result is not None and result.posterior is not None else None,
        "seed": settings.seed,
        "sweep_model": settings.sweep_model,
        "sweep_forecast": ({k: {q: row[q] for q in ("q05", "q50", "q95")}
                            for k, row in sweep_dict["forecast"].items()}
                           if sweep_dict is not None else {}),
        "sweep_error": sweep_error,
        # whether P(agreement) learned from the rounds (redline.report.summary.rounds_clause)
        "rounds_note": (rounds_clause(scenario, result).removeprefix(", ")
                        if result is not None else ""),
    }
    results = json_safe({
        "summary": summary,
        "settings": {"model": settings.model, "draws": settings.draws, "seed": settings.seed,
                     "sweep_model": settings.sweep_model,
                     **({"prior": True} if settings.prior else {}),
                     **({"until": settings.until} if settings.until else {})},
        "analysis": analysis_dict,
        "forecast": forecast.to_dict(),
        "sweep": sweep_dict,
        "timings": timings,
    })
    return Outcome(scenario=scenario, settings=settings, analysis=analysis, forecast=forecast,
                   sweep=result, sweep_error=sweep_error, results=results, seconds=seconds,
                   timings=timings, loaded=loaded)


def proposal_results(outcome: Outcome) -> list[dict]:
    """The scenario's proposals judged in the run: each as ``redline evaluate --json`` gives it
    (:meth:`redline.pipeline.EvaluationRun.to_dict`).

    The deterministic judgment is :func:`redline.pipeline.run_evaluate`'s; the odds are read
    from the run's own sweep (:func:`redline.uncertainty.proposals.proposal_odds`), which is
    the sweep ``run_evaluate`` would draw with the same draws, seed and model, so the page
    runs one sweep for the run and all its proposals.

    Parameters
    ----------
    outcome : Outcome
        The run.

    Returns
    -------
    list of dict
        One per proposal, in the scenario's order; empty without proposals.
    """
    from redline.uncertainty.proposals import proposal_odds

    if outcome.loaded is None or not outcome.scenario.proposals:
        return []
    out = []
    for proposal in outcome.scenario.proposals:
        judged = run_evaluate(outcome.loaded, proposal.id, max_packages=MAX_PACKAGES)
        if outcome.sweep is not None:
            odds = proposal_odds(outcome.sweep, [v.index for v in judged.evaluation.completions])
            judged = EvaluationRun(judged.evaluation, judged.package, judged.proposal, odds,
                                   judged.scenario)
        out.append(judged.to_dict())
    return out


class ScenarioCache:
    """The last few scenario texts the app parsed, by their text and name, so that the text a
    rerun starts from (the last run's, sent back by the page) and the saved version it is
    compared with are not parsed again on every rerun.

    :func:`redline.scenario.load.parse_scenario` depends on nothing but the text and the name,
    and a :class:`~redline.scenario.model.Scenario` is frozen, so a kept scenario is exactly
    the one a new parse would give. Bad texts are not kept (their error is raised each time).
    At most :data:`CACHE_SCENARIOS` are kept, least recently used first out. Thread-safe.
    """

    def __init__(self, size: int = CACHE_SCENARIOS) -> None:
        self.size = size
        self._items: OrderedDict[tuple[bytes | str, str], Scenario] = OrderedDict()
        self._lock = threading.Lock()

    def parse(self, raw: bytes | str, name: str) -> Scenario:
        """``parse_scenario(raw, name)``, from the cache when that text was parsed before."""
        with self._lock:
            found = self._items.get((raw, name))
            if found is not None:
                self._items.move_to_end((raw, name))
                return found
        return self.put(raw, name, parse_scenario(raw, name))

    def put(self, raw: bytes | str, name: str, scenario: Scenario) -> Scenario:
        """Keep ``scenario`` as the parse of ``raw`` named ``name``; returns it."""
        if self.size <= 0:
            return scenario
        with self._lock:
            self._items[(raw, name)] = scenario
            self._items.move_to_end((raw, name))
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return scenario


class RunCache:
    """The last few runs of the app, by their scenario text and settings, so that a rerun of
    unchanged inputs (the same values again, or back to earlier ones) is answered at once.

    A run is fully determined by its scenario text and :class:`Settings` (the sweep's seed is
    one of them), so a kept run is exactly the run that would be computed again. At most
    :data:`CACHE_RUNS` runs are kept, least recently used first out, and only runs of spaces
    of at most :data:`CACHE_MAX_PACKAGES` packages. Thread-safe: the app's routes run in a
    thread pool.
    """

    def __init__(self, size: int = CACHE_RUNS) -> None:
        self.size = size
        self._items: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    @staticmethod
    def key(yaml_text: str, settings: Settings) -> str:
        """The cache key of a run: a SHA-256 of the scenario text and the settings."""
        digest = hashlib.sha256(yaml_text.encode("utf-8"))
        digest.update(repr(settings).encode("utf-8"))
        return digest.hexdigest()

    def get(self, key: str):
        """The value kept under ``key``, or ``None``."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return value

    def put(self, key: str, value, packages: int) -> None:
        """Keep ``value`` (a run of a space of ``packages`` packages) under ``key``."""
        if packages > CACHE_MAX_PACKAGES or self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
