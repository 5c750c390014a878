"""The one orchestration layer: every shell (CLI, report, web app, library) calls these.

Load an input once, then run a task on it:

* :func:`load` reads a scenario YAML file, a plain dict (validated by the same pydantic
  model), a :class:`~redline.scenario.model.Scenario`, a Genius folder, a KTAB CSV, a plain
  actor CSV or a DEU III TSV into a :class:`Loaded`: the scenario (if any), the agreement-space
  :class:`~redline.space.domain.Domain` (if the format has one) and the forecast arrays (if it
  has those).
* :func:`run_analysis` (the deal space with the claim branches: ``analyze --json`` is
  :meth:`AnalysisRun.to_dict`), :func:`run_forecast` (one model: ``forecast --json`` is
  :meth:`ForecastRun.to_dict` or :meth:`DEUForecast.to_dict`), :func:`run_sweep` (Monte Carlo,
  integrated and in the assumed branch: ``sweep --json`` is :meth:`SweepRun.to_dict`) and
  :func:`run_study` (all of them at once, for the report and the web app).

Every number comes from the core (:func:`redline.space.engine.analyze`, the forecast models
through :mod:`redline.forecast.registry`, :func:`redline.uncertainty.sweep.sweep`); what a model
needs of its inputs (salience convention, rounds option, actor limit) it declares itself
(:func:`redline.forecast.base.conventions`), so nothing here names a model. Results are frozen
and never changed after creation. Errors are :class:`~redline.errors.RedlineError` located at
the input file.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from redline.errors import RedlineError, SpaceTooLargeError
from redline.forecast.base import (
    ATTENTION_SALIENCE,
    ISSUE_SALIENCE,
    Forecast,
    converts_salience,
    rescaled_actors,
    salience_for,
)
from redline.forecast.registry import (
    DEFAULT_MODEL,
    REPORT_MODELS,
    check_actor_count,
    get_model,
    model_conventions,
    model_names,
)
from redline.io import FILE_FORMATS
from redline.scenario.arrays import ForecastInputs, forecast_inputs
from redline.scenario.compile import to_domain
from redline.scenario.model import Scenario
from redline.space.domain import Domain
from redline.space.engine import (
    DEFAULT_LIST_LIMIT,
    DEFAULT_MAX_PACKAGES,
    DEFAULT_MEMORY_MB,
    Analysis,
    Progress,
    analysis_to_dict,
    analyze,
)
from redline.space.frontier import MAX_FRONTIER_POINTS

#: Input formats :func:`load` reads (``dict`` and ``scenario``: Python objects, not files).
FORMATS = (*FILE_FORMATS, "dict", "scenario")
#: The DEU voting weights :func:`load` looks for beside a DEU file when none are given.
DEU_WEIGHTS = "nice_voting_weights.csv"
BRANCH_MAX_PACKAGES = 2_000_000  # claim branches are compared only for spaces up to this size
_TIMING_KEYS = ("load", "build", "frontier", "solutions")  # analyze --json's timings
_SCENARIO_FORMATS = ("yaml", "dict", "scenario")


# ---------------------------------------------------------------- loading

def guess_format(path: str | os.PathLike[str]) -> str:
    """The format of the file or folder ``path`` from its name (and a CSV's header row).

    A folder is a Genius domain, ``.tsv`` a DEU III file; a ``.csv`` whose first row names
    the columns actor/name and position is a plain actor CSV (``csv``), any other ``.csv`` a
    KTAB file (``ktab``); everything else is a scenario (``yaml``).
    """
    from redline.files import read_head

    path = Path(path)
    try:
        if path.is_dir():
            return "genius"
    except OSError:  # an over-long name, say: the reader reports it
        pass
    suffix = path.suffix.lower()
    if suffix == ".tsv":
        return "deu"
    if suffix == ".csv":
        try:  # the header is in the first few kB; a FIFO or device is refused, not read
            head = read_head(path, 4096).decode("utf-8-sig", errors="replace")
            first = next(csv.reader(io.StringIO(head, newline="")), [])
        except (RedlineError, csv.Error):
            return "csv"  # the reader reports the problem
        names = {cell.strip().lower() for cell in first}
        if names & {"actor", "name"} and names & {"position", "pos", "x"}:
            return "csv"
        return "ktab"
    return "yaml"


@dataclass(frozen=True)
class Loaded:
    """An input made ready for every task.

    Attributes
    ----------
    format
        One of :data:`FORMATS`.
    source
        The file or folder name errors are located at (``None`` for a Python object).
    scenario
        The validated scenario (``yaml``, ``dict``, ``scenario``), else ``None``.
    assume
        The claim branch the domain and the arrays are in (``{claim id: truth}``).
    domain
        The agreement space (scenarios and Genius folders), else ``None``.
    inputs
        The forecast arrays (scenarios, KTAB and actor CSVs), else ``None``.
    deu
        The DEU issues with their voting weights (``deu``), else ``None``.
    salience_convention
        How ``inputs.salience`` is meant (:data:`~redline.forecast.base.ISSUE_SALIENCE`, or
        :data:`~redline.forecast.base.ATTENTION_SALIENCE` for KTAB's shares of attention).
    seconds
        Time taken to read and compile the input.
    """

    format: str
    source: str | None
    scenario: Scenario | None = None
    assume: Mapping[str, bool] = field(default_factory=dict)
    domain: Domain | None = None
    inputs: ForecastInputs | None = None
    deu: Any = None  # redline.io.deu.DEUData
    salience_convention: str = ISSUE_SALIENCE
    seconds: float = 0.0

    @property
    def path(self) -> Path:
        """The input's path (``<dict>`` style placeholders for Python objects)."""
        return Path(self.source or f"<{self.format}>")

    @property
    def warnings(self) -> list[str]:
        """One line per problem worth a word that does not stop the work."""
        return list(self.domain.notes.get("warnings", [])) if self.domain is not None else []

    def located(self, error: RedlineError) -> RedlineError:
        """``error`` with this input's file filled in where it names none."""
        return error.located(file=self.source)

    def require_domain(self) -> Domain:
        """The agreement space, or a clear error for formats without one."""
        if self.domain is None:
            raise RedlineError(f"a {_FORMAT_NAMES[self.format]} has no agreement space to "
                               "analyse", file=self.source,
                               hint="pass a scenario .yaml file or a Genius domain folder")
        return self.domain

    def require_scenario(self, task: str) -> Scenario:
        """The scenario, or a clear error naming ``task`` (e.g. "sweeps")."""
        if self.scenario is None:
            raise RedlineError(f"{task} need a scenario file; a {_FORMAT_NAMES[self.format]} "
                               "has no distributions or claims", file=self.source)
        return self.scenario


_FORMAT_NAMES = {"yaml": "scenario file", "dict": "scenario", "scenario": "scenario",
                 "genius": "Genius folder", "ktab": "KTAB CSV file", "csv": "actor CSV file",
                 "deu": "DEU file"}


def load(source: str | os.PathLike[str] | Mapping[str, Any] | Scenario,
         format: str | None = None, *, assume: Mapping[str, bool] | None = None,
         weights: str | os.PathLike[str] | None = None,
         max_packages: int = DEFAULT_MAX_PACKAGES) -> Loaded:
    """Load any input Redline reads, ready for every task.

    Parameters
    ----------
    source
        A file or folder path (a scenario YAML file, a Genius XML folder, a KTAB SMP CSV, a
        plain actor CSV or a DEU III TSV), a plain scenario mapping (validated exactly as a
        YAML file is) or a :class:`~redline.scenario.model.Scenario`.
    format
        One of :data:`FORMATS`; default: from the object, or :func:`guess_format` for a path.
    assume
        A claim branch ``{claim id: truth}`` (scenarios only); unknown claims are refused.
    weights
        DEU only: the voting-weights CSV (default: :data:`DEU_WEIGHTS` beside the file).
    max_packages
        A Genius folder whose package space exceeds this is refused before its tables are
        built.

    Returns
    -------
    Loaded
        The scenario, domain and forecast arrays the format has (``Loaded.warnings`` lists
        remarks on the input, e.g. Genius weights that do not sum to 1).

    Raises
    ------
    RedlineError
        One located line for any problem with the input.
    """
    start = time.perf_counter()
    assume = dict(assume or {})
    if isinstance(source, Scenario):
        return _scenario_loaded(source, "scenario", None, assume, start)
    if isinstance(source, Mapping):
        from redline.scenario.load import build_scenario

        return _scenario_loaded(build_scenario(dict(source), name="<dict>"), "dict", None,
                                assume, start)
    path = Path(source)
    name = str(path)
    fmt = format or guess_format(path)
    if fmt not in FORMATS or fmt in ("dict", "scenario"):
        raise RedlineError(f"unknown format {fmt!r}", parameter="format",
                           hint=f"use {', '.join(FILE_FORMATS[:-1])} or {FILE_FORMATS[-1]}")
    if not path.exists() and not path.is_symlink():  # a symlink loop: the reader says so
        raise RedlineError("no such file or folder", file=name)
    if weights is not None and fmt != "deu":
        raise RedlineError("applies to DEU files only", parameter="weights")
    if assume and fmt not in _SCENARIO_FORMATS:
        if fmt == "genius":
            raise RedlineError("applies to scenario files with claims, not Genius folders",
                               file=name, parameter="assume")
        raise RedlineError("applies to scenario files only", parameter="assume")
    if fmt == "yaml":
        from redline.scenario.load import load_scenario

        return _scenario_loaded(load_scenario(path), "yaml", name, assume, start)
    if fmt == "genius":
        from redline.io.genius import is_genius_folder, read_genius_folder

        if not path.is_dir() or not is_genius_folder(path):
            raise RedlineError("folder holds no Genius XML files", file=name,
                               hint="pass a scenario .yaml file or a Genius domain folder")
        domain = read_genius_folder(path, max_packages=max_packages)
        return Loaded("genius", name, domain=domain, seconds=time.perf_counter() - start)
    if fmt == "deu":
        return Loaded("deu", name, deu=_read_deu(path, weights),
                      seconds=time.perf_counter() - start)
    if fmt == "ktab":
        from redline.io.ktab import read_ktab_csv

        table = read_ktab_csv(path)
        convention = ATTENTION_SALIENCE  # KTAB's saliences are shares of attention
    else:
        from redline.io.actors_csv import read_actors_csv

        table = read_actors_csv(path)
        convention = ISSUE_SALIENCE
    inputs = ForecastInputs(actors=tuple(table.actors), dimensions=tuple(table.dimensions),
                            capability=table.capability, position=table.position,
                            salience=table.salience)
    return Loaded(fmt, name, inputs=inputs, salience_convention=convention,
                  seconds=time.perf_counter() - start)


def _scenario_loaded(scenario: Scenario, fmt: str, name: str | None,
                     assume: dict[str, bool], start: float) -> Loaded:
    try:
        domain = to_domain(scenario, assume)
        inputs = forecast_inputs(scenario, assume)
    except RedlineError as error:
        raise error.located(file=name) from None
    return Loaded(fmt, name, scenario=scenario, assume=assume, domain=domain, inputs=inputs,
                  seconds=time.perf_counter() - start)


def _read_deu(path: Path, weights: str | os.PathLike[str] | None) -> Any:
    """Read a DEU file, then the voting weights (given, or beside it)."""
    from redline.io.deu import capabilities, read_deu, read_voting_weights

    data = read_deu(path)  # format errors first
    if weights is None:
        weights = path.parent / DEU_WEIGHTS
        if not weights.exists():
            raise RedlineError(f"no voting weights: {DEU_WEIGHTS} is not next to the file",
                               file=str(path), parameter="weights",
                               hint="pass weights=PATH")
    table = read_voting_weights(weights)
    return replace(data, capability=capabilities(data.actors, table, source=str(weights)))


# ---------------------------------------------------------------- analysis

@dataclass(frozen=True)
class AnalysisRun:
    """The deal space of an input and, for scenarios with claims, the claim branches.

    Attributes
    ----------
    analysis
        The :class:`~redline.space.engine.Analysis` (its ``timings`` include ``load``).
    branches
        One row per claim (:func:`claim_branches`); empty when not compared.
    branches_skipped
        True when claim branches were asked for but the space is above
        :data:`BRANCH_MAX_PACKAGES`.
    scenario
        The scenario analysed (``None`` for a Genius folder).
    """

    analysis: Analysis
    branches: tuple[dict, ...] = ()
    branches_skipped: bool = False
    scenario: Scenario | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, exactly ``redline analyze --json``."""
        data = analysis_to_dict(self.analysis)
        data["claim_branches"] = [dict(row) for row in self.branches]
        if self.branches_skipped:
            data["cuts"].append(f"claim_branches: not compared, spaces above "
                                f"{BRANCH_MAX_PACKAGES:,} packages are not")
        data["timings"] = {k: self.analysis.timings.get(k, 0.0) for k in _TIMING_KEYS}
        return data


def run_analysis(
    loaded: Loaded,
    *,
    branches: bool = True,
    memory_mb: float = DEFAULT_MEMORY_MB,
    max_packages: int = DEFAULT_MAX_PACKAGES,
    list_limit: int = DEFAULT_LIST_LIMIT,
    max_frontier: int = MAX_FRONTIER_POINTS,
    progress: Progress | None = None,
) -> AnalysisRun:
    """Analyse the deal space of ``loaded`` (in its claim branch) and compare claim branches.

    Parameters
    ----------
    loaded
        From :func:`load`; a format without an agreement space is refused.
    branches
        Also compare each claim true and false (:func:`claim_branches`; scenarios with claims,
        spaces up to :data:`BRANCH_MAX_PACKAGES`).
    memory_mb, max_packages, list_limit, max_frontier, progress
        As :func:`redline.space.engine.analyze` takes them.

    Returns
    -------
    AnalysisRun
        Its ``to_dict()`` is ``redline analyze --json``.
    """
    domain = loaded.require_domain()
    try:
        analysis = analyze(domain, memory_mb=memory_mb, max_packages=max_packages,
                           progress=progress, list_limit=list_limit, max_frontier=max_frontier)
    except RedlineError as error:
        raise loaded.located(error) from None
    analysis = replace(analysis, timings={**analysis.timings, "load": loaded.seconds})
    scenario = loaded.scenario
    compare = branches and scenario is not None and bool(scenario.claims)
    rows = claim_branches(scenario, loaded.assume, list_limit=list_limit) if compare else []
    return AnalysisRun(analysis, tuple(rows), compare and not rows, scenario)


def claim_branches(
    scenario: Scenario, assume: Mapping[str, bool] | None = None, *,
    max_packages: int = BRANCH_MAX_PACKAGES, list_limit: int = DEFAULT_LIST_LIMIT,
) -> list[dict]:
    """For each claim, the acceptable packages and the Nash solution when it is true and false.

    Other claims stay as in ``assume`` (or their default). ``nash_if_true`` lists the first
    ``list_limit`` Nash packages (package numbers) and ``nash_ties_if_true`` counts them all.
    Skipped (an empty list) for spaces above ``max_packages``.
    """
    rows = []
    base = dict(assume or {})
    for claim in scenario.claims:
        row: dict = {"claim": claim.id}
        for truth, side in ((True, "true"), (False, "false")):
            domain = to_domain(scenario, {**base, claim.id: truth})
            if domain.n_packages > max_packages:
                return []
            result = analyze(domain, list_limit=list_limit)
            nash = result.solutions["nash"]
            row[f"acceptable_if_{side}"] = result.acceptable_count
            row[f"nash_if_{side}"] = nash.indices.tolist()
            row[f"nash_ties_if_{side}"] = nash.count
        rows.append(row)
    return rows


# ---------------------------------------------------------------- forecasts

def model_options(model: str, rounds: int | None = None, **options: Any) -> dict[str, Any]:
    """The options of ``model`` with the number of rounds under the name the model declares
    (its ``rounds_option``: ``rounds`` for BDM, ``max_turns`` for SMP).

    Raises
    ------
    RedlineError
        For an unknown model, or ``rounds`` for a model without rounds.
    """
    declared = model_conventions(model)
    if rounds is None:
        return dict(options)
    if declared.rounds_option is None:
        with_rounds = [name for name in model_names() if model_conventions(name).rounds_option]
        raise RedlineError(f"does not apply to model {model!r}", parameter="rounds",
                           hint=f"models with rounds: {', '.join(sorted(with_rounds))}")
    return {**options, declared.rounds_option: rounds}


@dataclass(frozen=True)
class ForecastRun:
    """One model's forecast of every issue of an input.

    Attributes
    ----------
    forecast
        The model's :class:`~redline.forecast.base.Forecast` (actors and dimensions by id,
        their names beside them).
    salience_note
        The model's note when the input's saliences were converted for it (shares of
        attention for SMP), else ``None``.
    rescaled
        The names of the actors whose saliences that conversion changed.
    nearest_options
        For a scenario, the forecast read against its options
        (:meth:`redline.space.options.ForecastPoint.to_dict`: each issue's nearest options, the
        package it rounds to and the rules that reject that package), else ``None``.
    """

    forecast: Forecast
    salience_note: str | None = None
    rescaled: tuple[str, ...] = ()
    nearest_options: dict[str, Any] | None = None

    @property
    def model(self) -> str:
        """The model's name."""
        return self.forecast.model

    @property
    def notes(self) -> list[str]:
        """What to tell the user about the run: the salience note, when it changed anything."""
        if not self.rescaled or self.salience_note is None:
            return []
        return [f"{self.salience_note} Rescaled: {', '.join(self.rescaled)}."]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, exactly ``redline forecast --json``: the forecast's, and for a
        scenario its ``nearest_options``."""
        out = self.forecast.to_dict()
        if self.nearest_options is not None:
            out["nearest_options"] = self.nearest_options
        return out


def _finite_or_none(values: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(values, dtype=float)]


@dataclass(frozen=True)
class DEUForecast:
    """One model's forecast of each DEU issue on its own, beside the observed outcome.

    ``point`` and ``observed`` are ``(n_issues,)`` with ``NaN`` where unknown; ``dimensions``
    are the issue ids (``isnr``), ``proposals`` their proposal ids.
    """

    model: str
    actors: tuple[str, ...]
    dimensions: tuple[str, ...]
    proposals: tuple[str, ...]
    turns: int
    point: np.ndarray
    observed: np.ndarray
    options: dict[str, Any]
    seconds: float = 0.0

    @property
    def scored(self) -> np.ndarray:
        """Which issues have both a forecast and an outcome."""
        return np.isfinite(self.point) & np.isfinite(self.observed)

    @property
    def mae(self) -> float | None:
        """The mean absolute error over the scored issues (``None`` if none)."""
        scored = self.scored
        return float(np.abs(self.point - self.observed)[scored].mean()) if scored.any() else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, exactly ``redline forecast --json`` on a DEU file."""
        return {
            "model": self.model,
            "actors": list(self.actors),
            "dimensions": list(self.dimensions),
            "proposals": list(self.proposals),
            "turns": self.turns,
            "forecast": _finite_or_none(self.point),
            "observed": _finite_or_none(self.observed),
            "mae": self.mae,
            "n": int(self.scored.sum()),
            "options": dict(self.options),
            "timings": {"model": self.seconds},
        }


def run_forecast(loaded: Loaded, model: str = DEFAULT_MODEL, *, rounds: int | None = None,
                 max_actors: int | None = None, **options: Any) -> ForecastRun | DEUForecast:
    """Forecast the outcome of every issue of ``loaded`` with ``model``.

    Parameters
    ----------
    loaded
        From :func:`load`: a scenario (in its claim branch), a KTAB or actor CSV, or a DEU file
        (each issue forecast on its own, with the actors that have a position on it).
    model
        A registered model name (:func:`redline.forecast.registry.model_names`).
    rounds
        The number of rounds, for models with rounds (see :func:`model_options`).
    max_actors
        Refuse runs with more actors (default: the limit the model declares).
    **options
        Further options of the model.

    Returns
    -------
    ForecastRun or DEUForecast
        Its ``to_dict()`` is ``redline forecast --json``. Saliences are given in the convention
        the model declares (:func:`redline.forecast.base.salience_for`).
    """
    opts = model_options(model, rounds, **options)
    if loaded.deu is not None:
        return _forecast_deu(loaded.deu, model, opts, max_actors)
    inputs = loaded.inputs
    if inputs is None:
        raise RedlineError(f"a {_FORMAT_NAMES[loaded.format]} has no capabilities, positions "
                           "and saliences to forecast", file=loaded.source,
                           hint="forecast a scenario file, a KTAB or actor CSV or a DEU file")
    check_actor_count(model, len(inputs.actors), max_actors)
    forecaster = get_model(model, **opts)
    given = loaded.salience_convention
    salience = salience_for(forecaster, inputs.salience, given=given)
    changed = rescaled_actors(forecaster, inputs.salience, given=given)
    names = inputs.actor_names or inputs.actors
    converted = converts_salience(forecaster, given=given)
    try:
        result = forecaster.run(inputs.capability, inputs.position, salience,
                                actors=inputs.actors, dimensions=inputs.dimensions)
    except RedlineError as error:
        raise loaded.located(error) from None
    result = replace(result, actor_names=tuple(names),
                     dimension_names=tuple(inputs.dimension_names or inputs.dimensions))
    nearest = None
    if loaded.scenario is not None and np.isfinite(result.point).all():
        from redline.space.options import read_forecast

        domain = loaded.require_domain()
        point = result.point_by_id
        nearest = read_forecast(domain, [point[i.id] for i in domain.issues]).to_dict(domain)
    return ForecastRun(
        result, model_conventions(model).salience_note if converted else None,
        tuple(name for name, over in zip(names, changed, strict=True) if over), nearest)


def _forecast_deu(data: Any, model: str, options: dict[str, Any],
                  max_actors: int | None) -> DEUForecast:
    from redline.forecast.validate import predict_deu

    check_actor_count(model, len(data.actors), max_actors)  # issues have at most these
    instance = get_model(model, **options)  # checks the options before the long run
    started = time.perf_counter()
    point = predict_deu(data, model, options=options, issues=np.arange(len(data.issues)))
    return DEUForecast(model=model, actors=tuple(data.actors), dimensions=tuple(data.issues),
                       proposals=tuple(data.proposals),
                       turns=int(getattr(instance, "rounds", 0)), point=point,
                       observed=np.asarray(data.outcomes, dtype=float), options=dict(options),
                       seconds=time.perf_counter() - started)


# ---------------------------------------------------------------- sweeps

@dataclass(frozen=True)
class SweepRun:
    """A Monte Carlo sweep integrated over the claims and, with ``assume``, in that branch.

    Attributes
    ----------
    integrated
        The :class:`~redline.uncertainty.sweep.SweepResult` over every claim's probability
        (``None`` only when a branch was swept alone).
    assumed
        The same sweep with the loaded claim branch fixed (``None`` without ``assume``).
    salience_note
        The model's note when it reads saliences in another convention than scenarios give.
    """

    integrated: Any = None  # SweepResult
    assumed: Any = None
    salience_note: str | None = None

    @property
    def main(self) -> Any:
        """The sweep to report first: the assumed branch if any, else the integrated one."""
        return self.assumed if self.assumed is not None else self.integrated

    @property
    def results(self) -> dict[str, Any]:
        """``{"integrated": ..., "assumed": ...}`` (the second only with a branch)."""
        out = {"integrated": self.integrated} if self.integrated is not None else {}
        if self.assumed is not None:
            out["assumed"] = self.assumed
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, exactly ``redline sweep --json``: the main sweep, and under
        ``integrated`` the integrated one when a branch is fixed."""
        data = self.main.to_dict()
        if self.assumed is not None and self.integrated is not None:
            data["integrated"] = self.integrated.to_dict()
        return data


def check_sweep(loaded: Loaded, draws: int, model: str | None = None) -> Scenario:
    """Refuse a sweep of ``loaded`` before any work: no scenario, or too large for memory or
    time with ``model``'s forecast in every draw
    (:func:`redline.uncertainty.sweep.check_sweep_size`); returns the scenario."""
    from redline.uncertainty.sweep import check_sweep_size

    scenario = loaded.require_scenario("sweeps")
    check_sweep_size(scenario, draws, model)
    return scenario


def run_sweep(loaded: Loaded, *, draws: int, seed: int = 0, model: str = DEFAULT_MODEL,
              executor: Callable | None = None,
              progress: Callable[[str, int], None] | None = None,
              integrated: bool = True, prior: bool = False, until: str | None = None
              ) -> SweepRun:
    """Sweep ``loaded``'s scenario: integrated over the claims, and in its claim branch if it
    was loaded with ``assume``.

    Parameters
    ----------
    loaded
        From :func:`load`, a scenario.
    draws, seed
        Monte Carlo draws and seed (the same seed gives the same numbers).
    model
        The forecast model run in every draw.
    executor
        Where chunks run (:mod:`redline.uncertainty.executors`; default in process).
    progress
        Called with the branch (``"integrated"`` or ``"assumed"``) and the draws just done.
    integrated
        With a claim branch, also sweep over every claim's probability (``False``: the branch
        only; without a branch the integrated sweep always runs).
    prior
        Ignore the scenario's rounds. Otherwise a scenario with rounds is swept on its
        posterior's weighted particles (:func:`rounds_posterior`).
    until
        An ISO date: only the rounds dated on or before it count (``None``: all).

    Returns
    -------
    SweepRun
        Its ``to_dict()`` is ``redline sweep --json``.
    """
    from redline.uncertainty.executors import in_process
    from redline.uncertainty.sweep import sweep

    scenario = check_sweep(loaded, draws, model)
    note = salience_note(model)
    results = {}
    branches = ([("integrated", {})] if integrated or not loaded.assume else []) + \
        ([("assumed", dict(loaded.assume))] if loaded.assume else [])
    for label, branch in branches:
        tick = None if progress is None else (lambda n, label=label: progress(label, n))
        weighted = rounds_posterior(scenario, draws=draws, seed=seed, assume=branch,
                                    prior=prior, until=until, source=loaded.source)
        results[label] = sweep(scenario, draws=draws, seed=seed, assume=branch, model=model,
                               executor=executor or in_process, progress=tick,
                               posterior=weighted)
    return SweepRun(results.get("integrated"), results.get("assumed"), note)


def rounds_posterior(scenario: Scenario, *, draws: int, seed: int,
                     assume: Mapping[str, bool] | None = None, prior: bool = False,
                     until: str | None = None, source: str | None = None) -> Any:
    """The posterior a sweep runs on: ``None`` (fresh prior draws) when the scenario has no
    rounds or ``prior`` is set, else :func:`redline.uncertainty.posterior.posterior` given its
    rounds up to ``until`` (an ISO date; ``None``: all), errors located at ``source``."""
    from redline.uncertainty.rounds import check_until

    until = check_until(until)  # a bad date is refused even where no round is counted
    if prior or not scenario.rounds:
        return None
    from redline.uncertainty.posterior import posterior

    try:
        return posterior(scenario, draws=draws, seed=seed, assume=dict(assume or {}),
                         until=until)
    except RedlineError as error:
        raise error.located(file=source) from None


def salience_note(model: str) -> str | None:
    """What to tell the user before running ``model`` on scenario saliences: the note the
    model declares if it converts them (SMP's shares of attention), else ``None``."""
    declared = model_conventions(model)
    return declared.salience_note if converts_salience(declared) else None


# ---------------------------------------------------------------- everything at once

@dataclass(frozen=True)
class ForecastRuns:
    """Several models' forecasts of one scenario (:func:`run_forecasts`).

    Attributes
    ----------
    forecasts
        ``{model: ForecastRun}`` for the models that ran, in the order asked.
    refused
        ``{model: error}`` for the models refused for too many actors.
    notes
        What to tell the reader, in the order of the models: each refusal and each salience
        convention note.
    seconds
        ``{model: seconds}`` each model took (refused ones included).
    """

    forecasts: dict[str, ForecastRun] = field(default_factory=dict)
    refused: dict[str, RedlineError] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)


def run_forecasts(loaded: Loaded, models: Sequence[str]) -> ForecastRuns:
    """Forecast a scenario with each of ``models`` (:func:`run_forecast`); a model refused for
    too many actors is left out with a note, so that the others still run.

    Parameters
    ----------
    loaded
        From :func:`load`: a scenario (in its claim branch).
    models
        Registered model names (:func:`redline.forecast.registry.model_names`).

    Returns
    -------
    ForecastRuns
    """
    forecasts: dict[str, ForecastRun] = {}
    refused: dict[str, RedlineError] = {}
    notes: list[str] = []
    seconds: dict[str, float] = {}
    for name in models:
        t = time.perf_counter()
        try:
            run = run_forecast(loaded, name)
        except SpaceTooLargeError as error:  # too many actors for this model: others run
            refused[name] = error
            notes.append(f"{name} was not run: {error}")
            continue
        finally:
            seconds[name] = time.perf_counter() - t
        assert isinstance(run, ForecastRun)
        if run.salience_note is not None:
            notes.append(run.salience_note)
        forecasts[name] = run
    return ForecastRuns(forecasts, refused, tuple(notes), seconds)



@dataclass(frozen=True)
class Study:
    """Everything the report and the web app show about one input.

    Attributes
    ----------
    loaded
        The input.
    analysis
        Its :class:`AnalysisRun` (deal space and claim branches).
    forecasts
        ``{model: ForecastRun}`` for the models that ran, in the order asked.
    refused
        ``{model: error}`` for the models refused for too many actors.
    sweep
        The :class:`SweepRun`, or ``None`` (no draws, no scenario, or ``sweep_error``).
    sweep_error
        Why the sweep could not run (e.g. a space too large to sweep), else ``None``.
    notes
        Remarks per topic: ``"forecasts"`` (models not run, salience conventions) and
        ``"uncertainty"`` (no sweep for inputs without a scenario).
    timings
        Seconds per step: ``load``, ``analysis``, ``forecast``, ``sweep``, ``total``.
    """

    loaded: Loaded
    analysis: AnalysisRun
    forecasts: dict[str, ForecastRun] = field(default_factory=dict)
    refused: dict[str, RedlineError] = field(default_factory=dict)
    sweep: SweepRun | None = None
    sweep_error: RedlineError | None = None
    notes: dict[str, list[str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def run_study(loaded: Loaded, *, models: Sequence[str] = REPORT_MODELS,
              draws: int | None = None, seed: int = 0, sweep_model: str = DEFAULT_MODEL,
              branches: bool = True, max_packages: int = DEFAULT_MAX_PACKAGES,
              prior: bool = False, until: str | None = None) -> Study:
    """Analyse ``loaded``, forecast it with each of ``models`` and sweep it: the one run behind
    the HTML report and the web app.

    Parameters
    ----------
    loaded
        From :func:`load`: a scenario or a Genius folder (which gets the analysis only).
    models
        Forecast models to run; one refused for too many actors is left out with a note (its
        error is in ``Study.refused``) so the others still run.
    draws, seed, sweep_model
        A Monte Carlo sweep with this many draws (none when 0 or ``None``), its seed and its
        model; integrated over the claims, and in ``loaded``'s claim branch when it has one.
        A sweep refused as too large is reported in ``Study.sweep_error``.
    branches
        Compare the claim branches (:func:`claim_branches`).
    max_packages
        Refuse larger package spaces.
    prior
        Ignore the scenario's rounds (else the sweep runs on their posterior).
    until
        An ISO date: only the rounds dated on or before it count (``None``: all).

    Returns
    -------
    Study
    """
    from redline.uncertainty.rounds import check_until

    until = check_until(until)  # before the long work (a sweep's errors are kept, not raised)
    start = time.perf_counter()
    timings = {"load": loaded.seconds}
    analysis = run_analysis(loaded, branches=branches, max_packages=max_packages)
    timings["analysis"] = time.perf_counter() - start
    notes: dict[str, list[str]] = {}
    forecasts: dict[str, ForecastRun] = {}
    refused: dict[str, RedlineError] = {}
    sweep: SweepRun | None = None
    sweep_error: RedlineError | None = None
    if loaded.scenario is None:
        if draws:
            notes["uncertainty"] = ["Sweeps need a scenario file; a Genius folder has no "
                                    "distributions or claims."]
    else:
        t = time.perf_counter()
        ran = run_forecasts(loaded, models)
        forecasts, refused = ran.forecasts, ran.refused
        notes["forecasts"] = list(ran.notes)
        timings["forecast"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - start
    study = Study(loaded, analysis, forecasts, refused, sweep, sweep_error, notes, timings)
    if draws and loaded.scenario is not None:
        study = add_sweep(study, draws=draws, seed=seed, sweep_model=sweep_model, prior=prior,
                          until=until)
    return study


@dataclass(frozen=True)
class StudySweep:
    """The sweep of a :class:`Study` (:func:`study_sweep`): the run, or why it could not run,
    and the seconds it took."""

    sweep: SweepRun | None
    error: RedlineError | None
    seconds: float


def study_sweep(loaded: Loaded, *, draws: int, seed: int = 0, sweep_model: str = DEFAULT_MODEL,
                prior: bool = False, until: str | None = None) -> StudySweep:
    """The sweep :func:`run_study` runs, on its own: it needs only the input, so a caller may
    run it beside the analysis (the web app's rerun starts it first, in a second thread) and
    hand it to :func:`add_sweep`. A sweep refused (a space too large to sweep) is kept as its
    error. The same sweep, the same numbers.

    Parameters
    ----------
    loaded
        From :func:`load`, the input the study analyses.
    draws, seed, sweep_model, prior, until
        As for :func:`run_study`.

    Returns
    -------
    StudySweep
    """
    t = time.perf_counter()
    sweep, sweep_error = None, None
    try:
        sweep = run_sweep(loaded, draws=draws, seed=seed, model=sweep_model, prior=prior,
                          until=until)
    except RedlineError as error:
        sweep_error = error
    return StudySweep(sweep, sweep_error, time.perf_counter() - t)


def add_sweep(study: Study, *, draws: int, seed: int = 0, sweep_model: str = DEFAULT_MODEL,
              prior: bool = False, until: str | None = None,
              swept: StudySweep | None = None) -> Study:
    """``study`` (of a scenario, run without draws) with its sweep: the last step of
    :func:`run_study`, apart so that a caller can show the analysis and the forecasts while
    the sweep runs (the web app's rerun). The same sweep, the same numbers.

    Parameters
    ----------
    study
        From :func:`run_study` with ``draws=0``.
    draws, seed, sweep_model, prior, until
        As for :func:`run_study`.
    swept
        The sweep already run (:func:`study_sweep` of the same input and settings); ``None``
        runs it here.

    Returns
    -------
    Study
        A copy with ``sweep`` (or ``sweep_error``) and ``timings["sweep"]`` set.
    """
    if swept is None:
        swept = study_sweep(study.loaded, draws=draws, seed=seed, sweep_model=sweep_model,
                            prior=prior, until=until)
    timings = {k: v for k, v in study.timings.items() if k != "total"}
    timings.update(sweep=swept.seconds, total=study.timings.get("total", 0.0) + swept.seconds)
    return replace(study, sweep=swept.sweep, sweep_error=swept.error, timings=timings)


# ---------------------------------------------------------------- proposals

@dataclass(frozen=True)
class EvaluationRun:
    """A proposal (or a package) judged in ``loaded``'s claim branch and, with draws, under its
    uncertainty.

    Attributes
    ----------
    evaluation
        The deterministic judgment (:class:`~redline.space.proposals.ProposalEvaluation`).
    package
        The package as given, ``{issue id: option label}``.
    proposal
        The scenario's :class:`~redline.scenario.model.Proposal`, or ``None`` for a package.
    odds
        Per completion, the sweep's counts (:class:`~redline.uncertainty.proposals.ProposalOdds`),
        or ``None`` with no draws.
    scenario
        The scenario's id.
    """

    evaluation: Any  # ProposalEvaluation
    package: Mapping[str, str]
    proposal: Any = None  # Proposal
    odds: Any = None  # ProposalOdds
    scenario: str = ""
    rounds: tuple[str, ...] = ()  # the rounds the draws are weighted by (empty: the prior)
    illustrative: tuple[str, ...] = ()  # those of them that are an analyst's illustrations

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, exactly ``redline evaluate --json``."""
        from redline.space.engine import package_labels
        from redline.space.proposals import gainers
        from redline.space.tolerance import UTILITY_DECIMALS
        from redline.uncertainty.intervals import WILSON_Z

        ev = self.evaluation
        domain = ev.domain
        actors = domain.actors

        def utilities(values: np.ndarray) -> dict[str, float]:
            return {a: round(float(u), UTILITY_DECIMALS) for a, u in zip(actors, values,
                                                                          strict=True)}

        proposal = None
        if self.proposal is not None:
            p = self.proposal
            proposal = {"id": p.id, "title": p.title, "date": p.date, "tabled_by": p.tabled_by,
                        "sources": list(p.sources), "illustrative": p.illustrative}
        rows = [{
            "package": package_labels(domain, v.index),
            "acceptable": v.acceptable,
            "blocking": list(v.blocking),
            "actors": [{"actor": a, "utility": round(float(v.utilities[k]), UTILITY_DECIMALS),
                        "accepts": bool(v.accepts[k]), "rejected_by": list(v.rejected_by[k])}
                       for k, a in enumerate(actors)],
        } for v in ev.completions]
        closest = []
        for change in ev.closest:
            gain, loss = gainers(change)
            closest.append({
                "package": package_labels(domain, change.index),
                "changes": [domain.issues[i].id for i in change.changed],
                "compared_with": package_labels(domain, change.reference),
                "utility_change": utilities(change.delta),
                "gains": [a for a, g in zip(actors, gain, strict=True) if g],
                "losses": [a for a, g in zip(actors, loss, strict=True) if g],
            })
        cuts = []
        if ev.closest_count > len(ev.closest):
            cuts.append(f"what_it_takes: first {len(ev.closest):,} of {ev.closest_count:,} "
                        "packages")
        uncertainty = None
        if self.odds is not None:
            odds = self.odds
            uncertainty = {
                "draws": odds.draws, "seed": odds.seed, "interval": "wilson", "z": WILSON_Z,
                "completions": [{
                    "package": package_labels(domain, int(index)),
                    "p_acceptable": odds.interval(odds.acceptable[m]),
                    "p_accepts": {a: odds.interval(odds.accepts[k, m])
                                  for k, a in enumerate(actors)},
                } for m, index in enumerate(odds.indices)],
                "best_completion": package_labels(domain, int(odds.indices[odds.best])),
            }
            if odds.ess is not None:  # a posterior's weighted draws
                uncertainty["posterior"] = {"rounds": list(self.rounds), "ess": odds.ess,
                                            "illustrative": list(self.illustrative),
                                            "interval": "wilson at the effective sample size"}
        return {
            "scenario": self.scenario,
            "proposal": proposal,
            "package": dict(self.package),
            "open_issues": [domain.issues[i].id for i in ev.open_issues],
            "completions": rows,
            "what_it_takes": {"changes": ev.changes, "count": ev.closest_count,
                              "packages": closest},
            "uncertainty": uncertainty,
            "cuts": cuts,
        }


def run_evaluate(loaded: Loaded, proposal: str | None = None,
                 package: Mapping[str, str] | None = None, *, draws: int = 0, seed: int = 0,
                 model: str = DEFAULT_MODEL, executor: Callable | None = None,
                 max_completions: int | None = None, limit: int | None = None,
                 max_packages: int = DEFAULT_MAX_PACKAGES, prior: bool = False,
                 until: str | None = None) -> EvaluationRun:
    """Judge one of the scenario's proposals, or a package, in ``loaded``'s claim branch.

    Parameters
    ----------
    loaded
        From :func:`load`, a scenario (a proposal id) or any input with an agreement space
        (a package).
    proposal, package
        Exactly one: the id of one of the scenario's ``proposals``, or ``{issue id: option
        label}`` (partial packages are judged over their completions).
    draws, seed
        With ``draws > 0``, a sweep of the scenario (in ``loaded``'s claim branch when it has
        one, else integrated over the claims) gives each completion's P(accepts) per actor
        and P(acceptable), with 95% Wilson intervals; the same seed gives the same numbers.
    model
        The sweep's forecast model (the sweep runs it in every draw).
    executor
        Where the sweep's chunks run (default in process).
    max_completions, limit, max_packages
        As :func:`redline.space.proposals.evaluate_proposal` takes them (``None``: its
        defaults).
    prior
        Ignore the scenario's rounds; otherwise a scenario with rounds is judged on its
        posterior's weighted draws (intervals at the effective sample size).
    until
        An ISO date: only the rounds dated on or before it count (``None``: all).

    Returns
    -------
    EvaluationRun
        Its ``to_dict()`` is ``redline evaluate --json``.
    """
    from redline.space import proposals as core
    from redline.uncertainty.rounds import check_until

    until = check_until(until)
    if (proposal is None) == (package is None):
        raise RedlineError("give exactly one of a proposal id or a package",
                           parameter="proposal", hint="name a proposal of the scenario, or "
                           "give package= with an option for each issue")
    domain = loaded.require_domain()
    chosen = None
    if proposal is not None:
        scenario = loaded.require_scenario("proposals")
        ids = [p.id for p in scenario.proposals]
        if proposal not in ids:
            from redline.errors import listing

            raise RedlineError(f"unknown proposal {proposal!r}", file=loaded.source,
                               field="proposals", parameter="proposal",
                               hint=f"proposals: {listing(ids)}" if ids else
                               "the scenario has no proposals; give package= with an option "
                               "for each issue")
        chosen = scenario.proposals[ids.index(proposal)]
        package = dict(chosen.package)
    assert package is not None
    options: dict[str, Any] = {"max_packages": max_packages}
    if max_completions is not None:
        options["max_completions"] = max_completions
    if limit is not None:
        options["limit"] = limit
    if draws:
        check_sweep(loaded, draws)  # before the deterministic work
    try:
        evaluation = core.evaluate_proposal(domain, package, **options)
    except RedlineError as error:
        if chosen is None and (error.field or "").split(".")[0] == "package":
            error.about("package")  # the caller's package, not a proposal of the file
        raise loaded.located(error) from None
    odds = None
    weighted = None
    if draws:
        from redline.uncertainty.executors import in_process
        from redline.uncertainty.proposals import proposal_odds
        from redline.uncertainty.sweep import sweep

        scenario = loaded.require_scenario("sweeps")
        weighted = rounds_posterior(scenario, draws=draws, seed=seed,
                                    assume=dict(loaded.assume), prior=prior,
                                    until=until, source=loaded.source)
        result = sweep(scenario, draws=draws, seed=seed, assume=dict(loaded.assume),
                       model=model, executor=executor or in_process, posterior=weighted)
        odds = proposal_odds(result, [v.index for v in evaluation.completions])
    name = loaded.scenario.scenario.id if loaded.scenario is not None else domain.name
    rounds = tuple(weighted.rounds) if draws and weighted is not None else ()
    shown = {r.id for r in loaded.scenario.rounds if r.illustrative} \
        if loaded.scenario is not None else set()
    return EvaluationRun(evaluation, dict(package), chosen, odds, name, rounds,
                         tuple(r for r in rounds if r in shown))


# ---------------------------------------------------------------- the mediator's next move

@dataclass(frozen=True)
class AdviceRun:
    """Candidates ranked for the mediator's next move.

    Attributes
    ----------
    advice
        The ranking (:class:`~redline.uncertainty.advise.Advice`).
    domain
        The agreement space the packages are labelled in.
    names
        The actors' names, in order.
    veto
        ``(A,)`` bool: the actors whose acceptance a deal needs.
    scenario, seed
        The scenario's id and the seed.
    top
        How many ranked candidates are listed.
    rounds
        The ids of the rounds the draws are weighted by (empty: the prior).
    illustrative
        The ids of those rounds that are an analyst's illustration, not a reported fact.
    labels
        ``{input path: readable name}`` (:func:`redline.scenario.labels.input_labels`).
    """

    advice: Any  # Advice
    domain: Domain
    names: tuple[str, ...]
    veto: np.ndarray
    scenario: str
    seed: int
    top: int
    rounds: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    illustrative: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, exactly ``redline advise --json``."""
        from redline.space.engine import package_labels
        from redline.uncertainty.advise import reason_text, scores
        from redline.uncertainty.intervals import WILSON_Z

        adv = self.advice
        actors = adv.actors
        cand = adv.candidates
        t = adv.tallies
        probing = t.histogram is not None
        bits = scores(t, "probe", len(adv.respondents), adv.tremble) if probing else None
        ranked = []
        for rank, (g, reason) in enumerate(zip(adv.order[:self.top], adv.reasons,
                                               strict=False), start=1):
            row = int(adv.best[g])
            index = int(cand.indices[row])
            listed = None if cand.listed is None else cand.listed[int(g)]
            low, high = reason["interval"]
            rules = reason["rule"]
            ranked.append({
                "rank": rank,
                "candidate": listed,
                "package": package_labels(self.domain, index),
                "completions": int(np.count_nonzero(cand.groups == g)),
                "score": _rounded(float(adv.scores[g])),
                "p_acceptable": {"p": _rounded(reason["p_acceptable"]),
                                 "low": _rounded(low), "high": _rounded(high)},
                "expected_value": _rounded(reason["expected_value"]),
                "information_bits": None if bits is None else _rounded(float(bits[row])),
                "actors": {a: {"p_accepts": _rounded(float(reason["accepts"][k])),
                               "rejected_mostly_by": None if rules[k] is None else
                               {"id": rules[k][0], "kind": rules[k][1],
                                "share": _rounded(rules[k][2])}}
                           for k, a in enumerate(actors)},
                "answers": {actors[a]: {
                    "bits": _rounded(float(reason["answer_bits"][r])),
                    "tied_to": None if reason["tied_to"][r] is None else
                    {"input": reason["tied_to"][r][0],
                     "label": self.labels.get(reason["tied_to"][r][0],
                                              reason["tied_to"][r][0]),
                     "correlation": _rounded(reason["tied_to"][r][1])}}
                    for r, a in enumerate(adv.respondents)} if probing else None,
                "reason": reason_text(adv.objective, reason, names=self.names,
                                      veto=self.veto, actor=adv.actor,
                                      respondents=adv.respondents,
                                      score=float(adv.scores[g]), labels=self.labels),
            })
        cuts = []
        if cand.count > len(ranked):
            cuts.append(f"ranked: first {len(ranked):,} of {cand.count:,} candidates")
        return {
            "scenario": self.scenario,
            "for": actors[adv.actor],
            "objective": adv.objective,
            "draws": adv.n_draws,
            "seed": self.seed,
            "ess": _rounded(adv.ess),
            "rounds": list(self.rounds),
            "illustrative_rounds": list(self.illustrative),
            "interval": "wilson", "z": WILSON_Z,
            "tremble": adv.tremble if probing else None,
            "respondents": [actors[a] for a in adv.respondents] if probing else None,
            "candidates": {"count": cand.count, "packages": int(cand.indices.size),
                           "listed": cand.listed is not None},
            "issues": {issue.id: list(issue.labels) for issue in self.domain.issues},
            "ranked": ranked,
            "cuts": cuts,
        }


ADVICE_LABEL_WIDTH = 60
"""Readable input names in the reasons are cut to about this many characters."""
ADVICE_DECIMALS = 12
"""Probabilities, bits and correlations in ``advise --json`` are rounded to this many
decimals, so sums in another order (another executor) print the same."""


def _rounded(x: float) -> float:
    return round(float(x), ADVICE_DECIMALS)


def run_advise(loaded: Loaded, actor: str, *, objective: str = "accept", top: int = 5,
               packages: Sequence[Mapping[str, str]] = (), proposals: Sequence[str] = (),
               draws: int = 10_000, seed: int = 0, tremble: float | None = None,
               prior: bool = False, until: str | None = None,
               executor: Callable | None = None) -> AdviceRun:
    """Rank candidate packages for the mediator advising ``actor``; see
    :mod:`redline.uncertainty.advise`.

    Parameters
    ----------
    loaded
        From :func:`load`, a scenario.
    actor
        The id of the actor advised (``value`` is its expected utility; ``probe`` weighs the
        answers of every other actor).
    objective
        ``accept`` (P(every veto holder accepts)), ``value`` or ``probe`` (expected
        information, in bits).
    top
        How many ranked candidates are listed, with their reasons.
    packages, proposals
        The candidates: packages ``{issue id: option label}`` (partial ones stand for their
        completions; the best completion counts) and ids of the scenario's proposals. Both
        empty: every package of the space.
    draws, seed
        The posterior's particles (the prior's when the scenario has no rounds) and seed.
    tremble
        ``probe``'s chance that an answer is the opposite of the draw's verdict (default
        :data:`~redline.uncertainty.rounds.DEFAULT_TREMBLE`, the rounds' own).
    prior
        Ignore the scenario's rounds: the prior's draws, equally weighted.
    until
        An ISO date: only the rounds dated on or before it weigh the draws (the advice as it
        stood then); ``None``: all.
    executor
        Where the chunked passes run (the posterior's likelihood and move steps, the ranking
        and the reasons): a chunk map of :mod:`redline.uncertainty.executors` (default in
        process; :func:`~redline.uncertainty.executors.chunk_map` gives one on Dask). The
        same JSON on any.

    Returns
    -------
    AdviceRun
        Its ``to_dict()`` is ``redline advise --json``.
    """
    from redline.errors import listing
    from redline.uncertainty import advise as core
    from redline.uncertainty.posterior import posterior

    scenario = loaded.require_scenario("advice")
    ids = [a.id for a in scenario.actors]
    if actor not in ids:
        raise RedlineError(f"unknown actor {actor!r}", parameter="actor",
                           hint=f"actors: {listing(ids)}")
    if objective not in core.OBJECTIVES:
        raise RedlineError(f"unknown objective {objective!r}", parameter="objective",
                           hint=f"use one of {', '.join(core.OBJECTIVES)}")
    from redline.scenario.model import MAX_TREMBLE
    from redline.uncertainty.rounds import DEFAULT_TREMBLE

    eps = DEFAULT_TREMBLE if tremble is None else float(tremble)
    if not 0.0 <= eps <= MAX_TREMBLE:  # NaN fails too
        raise RedlineError(f"must lie in [0, {MAX_TREMBLE}] (got {tremble})", parameter="tremble",
                           hint="the chance that an answer is the opposite of the verdict")
    domain = loaded.require_domain()
    by_id = {p.id: p for p in scenario.proposals}
    listed: list[tuple[str | None, dict[str, str]]] = []
    for pid in proposals:
        if pid not in by_id:
            raise RedlineError(f"unknown proposal {pid!r}", file=loaded.source,
                               parameter="proposals",
                               hint=f"proposals: {listing(list(by_id))}" if by_id else
                               "the scenario has no proposals; give packages= with an option "
                               "for each issue")
        listed.append((pid, dict(by_id[pid].package)))
    listed += [(None, dict(p)) for p in packages]
    try:
        candidates = core.candidate_set(domain, listed)
        core.check_candidates(int(candidates.indices.size), draws,
                              core._column_count(scenario))
        if objective == "probe":
            core.check_respondents(len(ids) - 1, int(candidates.indices.size))
    except RedlineError as error:
        raise loaded.located(error) from None
    source = scenario
    if prior and "rounds" in type(scenario).model_fields:
        source = scenario.model_copy(update={"rounds": []})
    from redline.uncertainty.executors import map_in_process

    executor = executor or map_in_process
    try:
        post = posterior(source, draws=draws, seed=seed, until=until,
                         assume=dict(loaded.assume), executor=executor)
    except RedlineError as error:
        raise loaded.located(error) from None
    advice = core.advise(scenario, post.draws, post.weights, candidates,
                         actor=ids.index(actor), objective=objective, top=top, tremble=eps,
                         ess=post.ess, inputs=post.inputs, input_names=post.input_names,
                         executor=executor)
    from redline.scenario.labels import input_labels

    labels = dict(zip(post.input_names, input_labels(scenario, post.input_names,
                                                     width=ADVICE_LABEL_WIDTH), strict=True))
    illustrative = tuple(r.id for r in scenario.rounds if r.id in post.rounds and r.illustrative)
    return AdviceRun(advice, domain, tuple(a.name or a.id for a in scenario.actors),
                     np.array([a.has_veto for a in scenario.actors], dtype=bool),
                     scenario.scenario.id, seed, top, tuple(post.rounds), labels, illustrative)


# ---------------------------------------------------------------- the rounds: posterior

#: How many packages ``update --json`` lists (all of them up to this many).
UPDATE_MAX_PACKAGES = 1024
UPDATE_INTERVAL_NOTE = (
    "Inputs: weighted mean and 5%-95% weighted quantiles. P(agreement) and P(acceptable): "
    "Wilson's 95% interval with the effective sample size as the number of draws (exact for "
    "equal weights; an approximation for weighted draws).")


@dataclass(frozen=True)
class UpdateRun:
    """The posterior given a scenario's rounds, beside the prior, and the timeline.

    Attributes
    ----------
    loaded
        The input.
    steps
        The prior, then the posterior after each counted round
        (:class:`redline.uncertainty.update.Step`).
    posterior
        The final :class:`redline.uncertainty.posterior.Posterior`.
    draws, seed, until, prior_only
        As :func:`run_update` was called.
    fits
        Per counted round, the share of the prior's draws that reproduce it
        (:func:`redline.uncertainty.update.prior_fits`).
    """

    loaded: Loaded
    steps: tuple
    posterior: Any
    draws: int
    seed: int
    until: str | None = None
    prior_only: bool = False
    fits: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, exactly ``redline update --json``."""
        from redline.scenario.labels import claim_label, input_labels
        from redline.space.engine import packages_labels
        from redline.space.tolerance import rounded
        from redline.uncertainty.intervals import WILSON_Z
        from redline.uncertainty.rounds import in_date_order, tremble
        from redline.uncertainty.update import RULE_GROUPS, weighted_interval

        scenario = self.loaded.require_scenario("updates")
        domain = self.loaded.require_domain()
        prior, last = self.steps[0], self.steps[-1]
        post = self.posterior
        counted = set(post.rounds)
        reliability = {s.id: s.reliability for s in scenario.sources}
        rounds = []
        for event in in_date_order(scenario.rounds):
            rounds.append({
                "id": event.id, "date": event.date, "title": event.title,
                "kind": "stated_position" if event.rejects is not None else "responses",
                "proposal": event.proposal, "package": event.package,
                "responses": event.responses, "actor": event.actor, "rejects": event.rejects,
                "sources": list(event.sources), "tremble": tremble(event, reliability),
                "illustrative": event.illustrative, "counted": event.id in counted,
                "prior_fit": self.fits.get(event.id)})
        names = [n for n in post.input_names if not n.startswith("claim:")]
        labels = input_labels(scenario, names)
        inputs = [{"input": n, "label": label, "rule": n.startswith(RULE_GROUPS),
                   "prior": prior.inputs[n], "posterior": last.inputs[n]}
                  for n, label in zip(names, labels, strict=True)]
        claims = [{"id": c.id, "label": claim_label(scenario, c.id).render(),
                   "prior": prior.claims[c.id], "posterior": last.claims[c.id]}
                  for c in scenario.claims]
        n = last.p_acceptable.size
        # Shares that differ only in the last bits (the same draws summed in another order)
        # are ties, broken by the prior, then by package number.
        order = np.lexsort((np.arange(n), -rounded(prior.p_acceptable),
                            -rounded(last.p_acceptable)))
        listed = order[:UPDATE_MAX_PACKAGES]
        packages = [{"package": labels,
                     "prior": weighted_interval(prior.p_acceptable[i], prior.ess),
                     "posterior": weighted_interval(last.p_acceptable[i], last.ess)}
                    for i, labels in zip(listed, packages_labels(domain, listed), strict=True)]
        cuts = [] if n <= UPDATE_MAX_PACKAGES else [
            f"packages: the first {UPDATE_MAX_PACKAGES:,} of {n:,} by posterior P(acceptable)"]
        diagnostics = {k: v for k, v in post.diagnostics.items() if k != "rates"}
        return {
            "scenario": scenario.scenario.id,
            "title": scenario.scenario.title or scenario.scenario.id,
            "draws": self.draws, "seed": self.seed, "until": self.until,
            "assume": dict(self.loaded.assume), "prior_only": self.prior_only,
            "method": post.method, "ess": post.ess, "diagnostics": diagnostics,
            "counted": len(post.rounds),
            "illustrative": [r["id"] for r in rounds if r["illustrative"] and r["counted"]],
            "rounds": rounds,
            "inputs": inputs,
            "claims": claims,
            "p_agreement": {"prior": prior.p_agreement, "posterior": last.p_agreement},
            "package_count": n,
            "packages": packages,
            "timeline": [step.to_dict() for step in self.steps],
            "interval": "wilson", "z": WILSON_Z, "interval_note": UPDATE_INTERVAL_NOTE,
            "cuts": cuts,
        }


def run_update(loaded: Loaded, *, draws: int, seed: int = 0, until: str | None = None,
               prior_only: bool = False, executor: Callable | None = None) -> UpdateRun:
    """The posterior over ``loaded``'s uncertain inputs given its rounds (in its claim branch
    when it has one), the prior beside it, and the timeline after each round.

    Parameters
    ----------
    loaded
        From :func:`load`: a scenario.
    draws, seed
        Particles and seed (the same seed gives the same numbers).
    until
        Count only the rounds dated on or before this ISO date.
    prior_only
        Ignore the rounds (``--prior``).
    executor
        Where the chunked passes run (the likelihood, the move steps, the passes over every
        package): a chunk map of :mod:`redline.uncertainty.executors` (default in process;
        :func:`~redline.uncertainty.executors.chunk_map` gives one on Dask). The same JSON
        on any.

    Returns
    -------
    UpdateRun
        Its ``to_dict()`` is ``redline update --json``.
    """
    from redline.uncertainty.update import fits_of, timeline

    scenario = loaded.require_scenario("updates")
    try:
        from redline.uncertainty.executors import map_in_process

        steps, post = timeline(scenario, draws=draws, seed=seed, until=until,
                               assume=dict(loaded.assume), prior_only=prior_only,
                               executor=executor or map_in_process)
        fits = {} if prior_only else fits_of(post)  # the likelihood's own pass
    except RedlineError as error:
        raise loaded.located(error) from None
    return UpdateRun(loaded, tuple(steps), post, draws, seed, until, prior_only, fits)


# ---------------------------------------------------------------- simulated negotiations

@dataclass(frozen=True)
class SimulationRun:
    """A batch of simulated negotiations (:func:`redline.simulate.protocols.simulate`).

    Attributes
    ----------
    result
        The :class:`~redline.simulate.result.SimulationResult`.
    seed
        The seed it ran with.
    draws
        Draws of the uncertain inputs (0: the point values).
    inputs
        Where the draws came from (scenarios only): ``{"from": "point values" | "prior" |
        "posterior"}``, with the posterior's ``rounds``, ``method`` and ``ess`` (resampled by
        its weights, :func:`redline.uncertainty.posterior.resampled`); empty for a Genius
        domain.
    """

    result: Any
    seed: int = 0
    draws: int = 0
    inputs: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, exactly ``redline simulate --json``."""
        from redline.simulate.summary import summarize

        data = {"scenario": self.result.space.name, "seed": self.seed, "draws": self.draws}
        if self.inputs:
            data["inputs"] = dict(self.inputs)
        data.update(summarize(self.result))
        return data


def run_simulate(loaded: Loaded, strategies: Sequence[tuple[str, str]] | Mapping[str, str], *,
                 protocol: str = "sao", steps: int = 100, draws: int = 0, seed: int = 0,
                 mediator: str | None = None, bias: Mapping[str, float] | None = None,
                 breakdown: float = 0.0, trace: bool = True,
                 models: Mapping[str, Callable[[], Any]] | None = None,
                 prior: bool = False) -> SimulationRun:
    """Simulate negotiations on ``loaded`` (a scenario or a Genius folder).

    Parameters
    ----------
    loaded
        From :func:`load`.
    strategies
        ``(actor id, strategy text)`` per negotiating actor, in the order they move (the first
        offers first); see :func:`redline.simulate.strategies.parse`.
    protocol
        ``sao``, ``stacked`` or ``single-text``.
    steps
        The deadline in steps.
    draws
        Negotiations, one per draw of the scenario's uncertain inputs (0: one at the point
        values; scenarios only).
    seed
        Seeds the draws and every random choice.
    mediator
        ``single-text``: an actor id whose utility the mediator has, or ``None``/``"none"``.
    bias
        ``single-text``: the mediator's weight on each party's utility, by actor id.
    breakdown
        Probability that the talks break down before each step after the first.
    trace
        Keep the offers of the first negotiation (only while negotiations x turns stays within
        :data:`redline.simulate.space.MAX_TRACE_CELLS`).
    models
        Opponent-model factories by name (default: :mod:`redline.simulate.opponents` when
        installed).
    prior
        Ignore the scenario's rounds. Otherwise, with draws, a scenario with rounds is
        simulated on its posterior (:func:`rounds_posterior`, as the sweep runs on), its
        particles resampled by their weights into equally weighted negotiations.

    Returns
    -------
    SimulationRun
        Its ``to_dict()`` is ``redline simulate --json``; ``inputs`` says which draws it used.
    """
    from redline.errors import listing
    from redline.simulate import protocols, space
    from redline.simulate import strategies as strat

    pairs = list(strategies.items()) if isinstance(strategies, Mapping) else list(strategies)
    if models is None:
        models = _opponent_models()
    inputs: dict[str, Any] = {}
    try:
        if loaded.scenario is not None:
            full, inputs = _simulated_space(loaded, draws, seed, prior)
        else:
            if draws:
                raise RedlineError("applies to scenario files: a Genius domain has no "
                                   "uncertain inputs to draw", parameter="draws")
            full = space.from_domain(loaded.require_domain())
        ids = list(full.actors)
        if len(pairs) < 2:
            raise RedlineError("give a strategy for at least two negotiating actors",
                               parameter="strategies", hint=f"give strategies= with a "
                               f"strategy for each, e.g. {ids[0]}: boulware and {ids[-1]}: "
                               f"conceder; the actors are {listing(ids)}")
        seen: set[str] = set()
        agents, parsed = [], []
        for actor, text in pairs:
            if actor not in ids:
                raise RedlineError(f"unknown actor {actor!r}", parameter="strategies",
                                   hint=f"the actors are {listing(ids)}")
            if actor in seen:
                raise RedlineError(f"actor {actor!r} has two strategies",
                                   parameter="strategies")
            seen.add(actor)
            agents.append(ids.index(actor))
            try:
                parsed.append(strat.parse(text, models))
            except RedlineError as error:
                raise error.about("strategies") from None
        chosen = full.select(agents)
        options: dict[str, Any] = {}
        if protocol == "single-text":
            if mediator not in (None, "none"):
                if mediator not in ids:
                    raise RedlineError(f"unknown actor {mediator!r}", parameter="mediator",
                                       hint=f"the actors are {listing(ids)}, or none")
                options["mediator"] = full.utilities[:, ids.index(mediator)]
                options["mediator_name"] = mediator
            weights = {}
            for actor, w in (bias or {}).items():
                if actor not in chosen.actors:
                    raise RedlineError(f"{actor!r} is not a negotiating party", parameter="bias",
                                       hint=f"the parties are {listing(chosen.actors)}")
                weights[chosen.actors.index(actor)] = float(w)
            options["bias"] = weights
        elif mediator not in (None, "none") or bias:
            raise RedlineError("applies to the single-text protocol only",
                               parameter="mediator" if mediator not in (None, "none")
                               else "bias", hint="use protocol=single-text")
        turns = steps * (chosen.n_agents if protocol != "single-text" else 1)
        trace = trace and chosen.size * turns <= space.MAX_TRACE_CELLS
        result = protocols.simulate(chosen, parsed, protocol=protocol, steps=steps, seed=seed,
                                    breakdown=breakdown, trace=trace, models=models,
                                    **options)
    except RedlineError as error:
        raise loaded.located(error) from None
    return SimulationRun(result, seed, draws, inputs)


def _simulated_space(loaded: Loaded, draws: int, seed: int, prior: bool
                     ) -> tuple[Any, dict[str, Any]]:
    """The negotiations a scenario's simulation plays, and where their draws came from: the
    point values (no draws), the prior's draws, or the posterior given the rounds, resampled
    by its weights."""
    from redline.scenario.compile import compile_batch
    from redline.simulate import space
    from redline.uncertainty.posterior import resampled

    scenario = loaded.scenario
    assert scenario is not None
    if not draws:
        note = {"from": "point values"}
        if scenario.rounds and not prior:
            note["note"] = "the rounds weight draws: give --draws to simulate on the posterior"
        return space.from_scenario(scenario, 0, seed=seed, assume=loaded.assume), note
    post = rounds_posterior(scenario, draws=draws, seed=seed, assume=dict(loaded.assume),
                            prior=prior, source=loaded.source)
    if post is None:
        note = {"from": "prior"}
        if scenario.rounds:
            note["note"] = "--prior: the rounds are ignored"
        return space.from_scenario(scenario, draws, seed=seed, assume=loaded.assume), note
    chosen, _ = resampled(post)
    return space.from_batch(compile_batch(scenario, chosen)), {
        "from": "posterior", "rounds": list(post.rounds), "method": post.method,
        "ess": float(post.ess)}


def _opponent_models() -> dict[str, Callable[[], Any]]:
    """The opponent models of :mod:`redline.simulate.opponents` by name, when it is there."""
    try:
        from redline.simulate import opponents  # type: ignore[attr-defined]
    except ImportError:
        return {}
    return dict(getattr(opponents, "MODELS", {}))
# ---------------------------------------------------------------- tournaments

TOURNAMENT_MAX_BYTES = 1_000_000  # a tournament configuration is a few lines


@dataclass(frozen=True)
class TournamentInputs:
    """A tournament configuration with its scenarios loaded.

    Attributes
    ----------
    config
        The validated configuration (:class:`redline.simulate.tournament.TournamentConfig`).
    spaces
        One negotiation space per scenario, with its negotiating agents.
    names
        The scenarios as the configuration names them.
    source
        The configuration file (``None`` for a mapping or a config object).
    """

    config: Any
    spaces: tuple[Any, ...]
    names: tuple[str, ...]
    source: str | None


def load_tournament(source: str | os.PathLike[str] | Mapping[str, Any] | Any
                    ) -> TournamentInputs:
    """Read a tournament configuration and load every scenario it lists.

    Parameters
    ----------
    source
        A YAML file (scenario paths relative to its folder), a mapping of the same fields
        (paths relative to the working folder) or a ``TournamentConfig``.

    Returns
    -------
    TournamentInputs

    Raises
    ------
    RedlineError
        One located line: the configuration's file, line and field, or the scenario's own.
    """
    from pydantic import ValidationError

    from redline.scenario.load import dotted, field_line
    from redline.simulate.tournament import TournamentConfig

    root = None
    name, base = None, Path.cwd()
    if isinstance(source, TournamentConfig):
        config = source
    else:
        if isinstance(source, Mapping):
            data = dict(source)
        else:
            from redline import safe_yaml
            from redline.files import read_text

            name, base = str(source), Path(source).parent
            if Path(source).is_dir():
                raise RedlineError("is a folder, expected a tournament YAML file", file=name)
            text = read_text(source, limit=TOURNAMENT_MAX_BYTES, name=name,
                             hint="a tournament configuration is a few lines")
            root = safe_yaml.compose(text, name)
            data = None if root is None else safe_yaml.construct(root, name)
        if not isinstance(data, dict):
            raise RedlineError("expected a mapping with strategies: and scenarios:", file=name,
                               hint="see docs/simulate.md, 'Tournaments'")
        try:
            config = TournamentConfig.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            loc = tuple(first["loc"])
            message = first["msg"].removeprefix("Value error, ")
            if first["type"] == "extra_forbidden":
                message = "unknown field"
            elif first["type"] == "missing":
                message = "required field is missing"
            elif first["type"] == "model_type" and loc[:1] == ("scenarios",):
                message = "must be a path, or a mapping with path: and agents:"
            raise RedlineError(message, file=name, line=field_line(root, loc),
                               field=dotted(loc)) from None
    spaces, names = [], []
    for k, entry in enumerate(config.scenarios):
        path = Path(entry.path)
        space = _tournament_space(base / path if not path.is_absolute() else path,
                                  entry.agents, k, name, root)
        if config.protocol == "sao" and space.n_agents != 2:
            raise RedlineError(f"alternating offers (sao) is for two agents; this scenario has "
                               f"{space.n_agents}", file=name,
                               line=field_line(root, ("scenarios", k)),
                               field=f"scenarios[{k}]",
                               hint="name two with agents: [A, B], or use protocol: stacked")
        spaces.append(space)
        names.append(entry.path)
    from redline.simulate.tournament import matches

    try:  # a tournament too large is refused here, before anything runs
        matches(config, [space.n_agents for space in spaces])
    except RedlineError as error:
        error.line = field_line(root, (error.field,)) if error.field else None
        raise error.located(file=name) from None
    return TournamentInputs(config, tuple(spaces), tuple(names), name)


def _tournament_space(path: Path, agents: Sequence[str] | None, k: int,
                      config_file: str | None, root: Any) -> Any:
    """Scenario ``k`` of a tournament as a negotiation space of its negotiating agents."""
    from redline.scenario.load import field_line
    from redline.simulate.space import from_domain, from_scenario

    loaded = load(path)
    if loaded.scenario is not None:
        try:
            space = from_scenario(loaded.scenario)
        except RedlineError as error:
            raise loaded.located(error) from None
    elif loaded.domain is not None:
        space = from_domain(loaded.domain)
    else:
        raise RedlineError(f"{path} has no agreement space to negotiate over", file=config_file,
                           line=field_line(root, ("scenarios", k)), field=f"scenarios[{k}]",
                           hint="list scenario .yaml files or Genius folders")
    if agents is None:
        return space
    index: dict[str, int] = {}
    for a, (ident, display) in enumerate(zip(space.actors, space.names(), strict=True)):
        index.setdefault(ident, a)
        index.setdefault(display, a)
    chosen: list[int] = []
    for j, actor in enumerate(agents):
        where = {"file": config_file, "line": field_line(root, ("scenarios", k, "agents", j)),
                 "field": f"scenarios[{k}].agents[{j}]"}
        if actor not in index:
            raise RedlineError(f"unknown actor {actor!r}", **where,
                               hint=f"use one of {', '.join(space.actors)}")
        if index[actor] in chosen:
            raise RedlineError(f"actor {actor!r} is listed twice", **where)
        chosen.append(index[actor])
    return space.select(chosen)


def run_tournament(source: str | os.PathLike[str] | Mapping[str, Any] | Any, *,
                   executor: Callable | None = None) -> Any:
    """Load a tournament (:func:`load_tournament`) and run it.

    Parameters
    ----------
    source
        A YAML file, a mapping, a ``TournamentConfig`` or :class:`TournamentInputs`.
    executor
        :func:`redline.simulate.tournament.in_process` (default) or
        :func:`redline.simulate.tournament.dask_runner`.

    Returns
    -------
    redline.simulate.tournament.TournamentResult
        Its ``to_dict()`` is ``redline tournament --json``.
    """
    from redline.simulate.tournament import run_tournament as run

    inputs = source if isinstance(source, TournamentInputs) else load_tournament(source)
    try:
        return run(inputs.config, inputs.spaces, inputs.names, executor=executor)
    except RedlineError as error:
        raise error.located(file=inputs.source) from None
