"""The library API: [`load`][redline.api.load] an input into a
[`Negotiation`][redline.api.Negotiation], then analyse, branch, forecast and sweep it from
Python.

Every method runs the same pipeline as the ``redline`` command, and every result's
``to_dict()`` is what the matching command prints with ``--json``:

```python
import redline
neg = redline.load("examples/donbas-2026.yaml")
res = neg.analyze()                                      # redline analyze FILE --json
branch = neg.assume({"ft-guarantees-for-donbas": True})  # a new Negotiation
fc = neg.forecast("smp")                                 # redline forecast FILE -m smp --json
sw = neg.sweep(draws=2000, seed=0)                       # redline sweep FILE -n 2000 --json
ev = neg.evaluate(package={"donbas": "freeze-contact-line"}, draws=500)  # redline evaluate
```

Packages are ``{issue id: option label}`` dicts and utilities ``{actor id: float}``. Results
print as a few lines, render as HTML tables in Jupyter and turn into pandas DataFrames with
``to_frame()`` (the ``pandas`` extra).
"""

from __future__ import annotations

import copy
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from redline.errors import RedlineError
from redline.forecast.registry import MAX_ROUNDS
from redline.uncertainty.limits import DEFAULT_DRAWS, SEED_MAX

if TYPE_CHECKING:  # pragma: no cover
    from redline.pipeline import Loaded

__all__ = ["AnalysisResult", "Deal", "EvaluationResult", "ForecastResult", "Negotiation",
           "SimulationResult", "SweepResult", "TournamentResult", "UpdateResult", "load",
           "tournament"]

PANDAS_HINT = "pip install 'redline[pandas]'"
REPR_WIDTH = 100  # characters of one line of a result's repr before it is cut
HTML_ROWS = 12  # rows of each table a result shows in a notebook
REPR_ROWS = 6  # issues a forecast's repr lists
_SCENARIO_FORMATS = ("yaml", "dict", "scenario")
_INPUTS = {"yaml": "a scenario file", "dict": "a scenario dict", "scenario": "a scenario",
           "genius": "a Genius folder", "ktab": "a KTAB CSV file", "csv": "an actor CSV file",
           "deu": "a DEU file"}


# --------------------------------------------------------------------------------- loading


def load(source: str | Path | Mapping[str, Any], format: str | None = None, *,
         weights: str | Path | None = None, max_packages: int | None = None) -> Negotiation:
    """Load a negotiation: a scenario YAML file, a Genius XML folder, forecast inputs (a KTAB
    CSV, an actor CSV or a DEU III TSV) or a scenario as a dict.

    Parameters
    ----------
    source
        A path, or a mapping with the fields of a scenario file (checked exactly as a file
        is), or a [`Scenario`][redline.scenario.model.Scenario].
    format
        ``"yaml"``, ``"genius"``, ``"ktab"``, ``"csv"`` or ``"deu"``; by default it follows
        the path as the CLI's does ([`guess_format`][redline.pipeline.guess_format]).
    weights
        DEU only: the voting-weights CSV (default: ``nice_voting_weights.csv`` beside it).
    max_packages
        A Genius folder whose package space is larger is refused before its tables are built
        (default: the ``analyze`` limit, 10^8).

    Returns
    -------
    Negotiation
        The input, checked. Bad input raises
        [`RedlineError`][redline.errors.RedlineError] naming the file, the line or field, and
        the fix.

    Examples
    --------
    >>> import redline
    >>> neg = redline.load("examples/donbas-2026.yaml")
    >>> neg.actors
    ('ukraine', 'russia', 'us', 'europe')
    """
    from redline import pipeline
    from redline.scenario.model import Scenario

    if not isinstance(source, str | Path | Mapping | Scenario):
        raise RedlineError(f"expected a path or a dict, got {type(source).__name__}",
                           parameter="source")
    if isinstance(source, Mapping | Scenario) and format not in (None, "yaml", "dict"):
        raise RedlineError(f"a scenario given as a Python object is not format {format!r}",
                           parameter="format", hint="leave format out")
    if isinstance(source, Mapping):
        source = copy.deepcopy(dict(source))  # the Negotiation keeps its own
    else:
        source = Path(source).expanduser() if isinstance(source, str | Path) else source
    limit = _count(pipeline.DEFAULT_MAX_PACKAGES if max_packages is None else max_packages,
                   "max_packages")
    if not isinstance(source, Path):
        format = None  # the pipeline tells a dict from a Scenario
    return Negotiation(pipeline.load(source, format, weights=weights, max_packages=limit))


# ----------------------------------------------------------------------------- the input


@dataclass(frozen=True, eq=False)
class Negotiation:
    """One negotiation, loaded and checked; build it with [`load`][redline.api.load].

    Immutable: [`assume`][redline.api.Negotiation.assume] returns a new negotiation (a claim
    branch) and leaves this one as it was. Which methods apply depends on the input: a
    scenario (a YAML file or a dict) has them all; a Genius folder can be analysed; forecast
    inputs (KTAB, actor CSV, DEU) can be forecast.

    Attributes
    ----------
    loaded
        The pipeline's [`Loaded`][redline.pipeline.Loaded] input (scenario, domain and
        forecast arrays of this claim branch), as every shell runs it.
    """

    loaded: Loaded = field(repr=False)

    # -- what it holds

    @property
    def format(self) -> str:
        """``"yaml"``, ``"dict"``, ``"genius"``, ``"ktab"``, ``"csv"`` or ``"deu"``."""
        return self.loaded.format

    @property
    def source(self) -> str | None:
        """The file or folder it was read from (``None`` for a dict)."""
        return self.loaded.source

    @property
    def assumptions(self) -> Mapping[str, bool]:
        """The claims fixed by [`assume`][redline.api.Negotiation.assume]:
        ``{claim id: truth}``."""
        return MappingProxyType(dict(self.loaded.assume))

    @property
    def scenario(self) -> Any:
        """The validated [`Scenario`][redline.scenario.model.Scenario] (``None`` for other
        inputs)."""
        return self.loaded.scenario

    @property
    def domain(self) -> Any:
        """The agreement space of this claim branch
        ([`Domain`][redline.space.domain.Domain]; ``None`` for forecast inputs)."""
        return self.loaded.domain

    @property
    def name(self) -> str:
        """The scenario's id, the Genius domain's name, or the file's name."""
        if self.scenario is not None:
            return self.scenario.scenario.id
        if self.domain is not None:
            return self.domain.name
        return Path(self.source or "").stem

    @property
    def actors(self) -> tuple[str, ...]:
        """Actor ids, in the input's order (forecast inputs: the names the file gives)."""
        if self.scenario is not None:
            return tuple(a.id for a in self.scenario.actors)
        if self.domain is not None:
            return tuple(self.domain.actors)
        table = self.loaded.inputs if self.loaded.inputs is not None else self.loaded.deu
        return tuple(table.actors)

    @property
    def issues(self) -> tuple[str, ...]:
        """Issue ids, in the input's order (DEU: the issue numbers)."""
        if self.scenario is not None:
            return tuple(i.id for i in self.scenario.issues)
        if self.domain is not None:
            return tuple(i.id for i in self.domain.issues)
        if self.loaded.inputs is not None:
            return tuple(self.loaded.inputs.dimensions)
        return tuple(self.loaded.deu.issues)

    @property
    def claims(self) -> tuple[str, ...]:
        """Claim ids (a scenario's reported, contested facts); empty for other inputs."""
        return tuple(c.id for c in self.scenario.claims) if self.scenario is not None else ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """Remarks on the input that do not stop the work (e.g. Genius weights not summing to
        1)."""
        return tuple(self.loaded.warnings)

    # -- branching

    def assume(self, truths: Mapping[str, bool]) -> Negotiation:
        """A new negotiation in which the given claims are true or false.

        Parameters
        ----------
        truths
            ``{claim id: bool}``; claims fixed before keep their value unless named again.

        Returns
        -------
        Negotiation
            The claim branch (what ``--assume CLAIM=true`` analyses); this one is unchanged.
        """
        from redline import pipeline

        if self.scenario is None:
            raise RedlineError(f"{_INPUTS[self.format]} has no claims to assume",
                               file=self.source, hint="claims live in scenario files")
        if not isinstance(truths, Mapping):
            raise RedlineError(f"expected {{claim id: True or False}}, got "
                               f"{type(truths).__name__}", parameter="assume")
        for claim, truth in truths.items():
            if not isinstance(truth, bool | np.bool_):
                raise RedlineError(f"must be True or False (got {truth!r})",
                                   field=f"assume.{claim}")
        merged = {**self.loaded.assume, **{str(k): bool(v) for k, v in truths.items()}}
        branch = self._located(lambda: pipeline.load(self.scenario, assume=merged))
        return Negotiation(replace(branch, format=self.format, source=self.source,
                                   seconds=self.loaded.seconds))

    # -- running

    def analyze(self, *, list_limit: int | None = None, max_frontier: int | None = None,
                memory_mb: float | None = None, max_packages: int | None = None,
                branches: bool = True,
                progress: Callable[[int, int], None] | None = None) -> AnalysisResult:
        """Every package, who accepts it, the Pareto frontier, bargaining solutions, blockers.

        The same run as ``redline analyze FILE --json`` (with ``--assume`` for each assumed
        claim): [`pipeline.run_analysis`][redline.pipeline.run_analysis].

        Parameters
        ----------
        list_limit
            Tied packages listed per solution, and frontier points listed (all are counted;
            default 1,000).
        max_frontier
            Distinct frontier points computed; a larger frontier is left out.
        memory_mb
            Memory budget of one chunk of the scan (default 512).
        max_packages
            Refuse larger package spaces (default 10^8).
        branches
            Compare claim branches (small scenario spaces only).
        progress
            Called with ``(packages done, total)`` during the scan.

        Returns
        -------
        AnalysisResult
        """
        from redline import pipeline

        options = {"list_limit": list_limit, "max_frontier": max_frontier,
                   "max_packages": max_packages}
        checked = {k: _count(v, k) for k, v in options.items() if v is not None}
        if memory_mb is not None:
            checked["memory_mb"] = _positive(memory_mb, "memory_mb")
        run = pipeline.run_analysis(self.loaded, branches=branches, progress=progress,
                                    **checked)
        return AnalysisResult._from_json(run.to_dict(), run.analysis,
                                         warnings=self.loaded.warnings)

    def forecast(self, model: str | None = None, *, rounds: int | None = None,
                 max_actors: int | None = None, **options: Any) -> ForecastResult:
        """Forecast the outcome of each issue with one bargaining model.

        The same run as ``redline forecast FILE --model MODEL --json``:
        [`pipeline.run_forecast`][redline.pipeline.run_forecast].

        Parameters
        ----------
        model
            A registered model (default ``compromise``): ``compromise``, ``mean``,
            ``median``, ``median-unweighted``, ``nash``, ``bdm``, ``bdm-scholz``, ``best``,
            ``smp``.
        rounds
            Rounds for ``bdm``/``bdm-scholz`` or the most turns for ``smp``.
        max_actors
            Refuse runs with more actors (default: the model's own limit).
        **options
            Further keyword options of the model.

        Returns
        -------
        ForecastResult
        """
        from redline import pipeline

        model = _model(pipeline.DEFAULT_MODEL if model is None else model)
        if rounds is not None:
            _count(rounds, "rounds", low=0, high=MAX_ROUNDS)
        if max_actors is not None:
            _count(max_actors, "max_actors")
        run = pipeline.run_forecast(self.loaded, model, rounds=rounds, max_actors=max_actors,
                                    **options)
        if isinstance(run, pipeline.DEUForecast):
            return ForecastResult._from_json(run.to_dict(), run)
        return ForecastResult._from_json(run.to_dict(), run.forecast, notes=run.notes)

    def sweep(self, draws: int = DEFAULT_DRAWS, seed: int = 0, *, model: str | None = None,
              workers: int | None = None, scheduler: str | None = None,
              integrated: bool = True, prior: bool = False, until: str | None = None,
              progress: Callable[[str, int], None] | None = None) -> SweepResult:
        """Monte Carlo over the claims and uncertain inputs: P(agreement), blocking rules,
        the distributions of the solutions and the forecast, sensitivity.

        The same run as ``redline sweep FILE --draws DRAWS --seed SEED --json``:
        [`pipeline.run_sweep`][redline.pipeline.run_sweep]. In a claim branch (after
        [`assume`][redline.api.Negotiation.assume]) the branch is swept, and beside it the
        scenario with every claim at its probability (``SweepResult.integrated``), as the
        CLI does with ``--assume``.

        Parameters
        ----------
        draws
            Number of draws (1 to 1,000,000): the same seed and draws give the same numbers.
        seed
            Random seed, 0 to 2**31 - 1.
        model
            The forecast model run in every draw (default ``compromise``).
        workers, scheduler
            Run the chunks on a local Dask cluster of ``workers`` processes, or on the
            cluster at ``scheduler`` (the ``dask`` extra).
        integrated
            In a claim branch, also sweep the scenario without the assumptions (``False``:
            the branch alone, half the time).
        prior
            Ignore the scenario's rounds (``--prior``): without it a scenario with rounds is
            swept on their posterior ([`update`][redline.api.Negotiation.update]).
        until
            An ISO date (``"2026-02-01"`` or a ``datetime.date``): only the rounds dated on or
            before it count (``--until``; default all).
        progress
            Called with the branch (``"integrated"`` or ``"assumed"``) and the number of
            draws just finished.

        Returns
        -------
        SweepResult
        """
        from redline import pipeline
        from redline.uncertainty.limits import DRAWS_HINT, MAX_DRAWS

        _count(draws, "draws", high=MAX_DRAWS, hint=DRAWS_HINT)
        _count(seed, "seed", low=0, high=SEED_MAX)
        model = _model(pipeline.DEFAULT_MODEL if model is None else model)
        until = _until(until)
        pipeline.check_sweep(self.loaded, draws, model)  # before a cluster starts
        executor = None
        if _dask_options(workers, scheduler):
            from redline.uncertainty.executors import dask_executor

            executor = dask_executor(workers=workers, scheduler=scheduler)
        run = self._located(lambda: pipeline.run_sweep(
            self.loaded, draws=draws, seed=seed, model=model, executor=executor,
            progress=progress, integrated=integrated, prior=bool(prior), until=until))
        data = run.to_dict()
        beside = (SweepResult._from_json(data["integrated"], run.integrated)
                  if "integrated" in data else None)
        return SweepResult._from_json(data, run.main, integrated=beside,
                                      notes=[run.salience_note] if run.salience_note else [])

    def simulate(self, strategies: Mapping[str, str], *, protocol: str = "sao",
                 steps: int = 100, draws: int = 0, seed: int = 0,
                 mediator: str | None = None, bias: Mapping[str, float] | None = None,
                 breakdown: float = 0.0, prior: bool = False) -> SimulationResult:
        """Play the negotiation out between strategy agents, as a batch.

        The same run as ``redline simulate FILE --strategy ACTOR=NAME ... --json``:
        [`pipeline.run_simulate`][redline.pipeline.run_simulate].

        Parameters
        ----------
        strategies
            ``{actor id: strategy}`` for the negotiating actors, in the order they move
            (``"boulware"``, ``"aspiration:2@next"``; docs/simulate.md lists them).
        protocol
            ``"sao"`` (two parties), ``"stacked"`` or ``"single-text"``.
        steps
            The deadline, in steps.
        draws
            Negotiations, one per draw of the uncertain inputs (0: one at the point values).
        seed
            Random seed: the same seed gives the same result.
        mediator, bias
            ``single-text``: the actor whose interests the mediator has (or ``None``), and its
            weight on each party's utility.
        breakdown
            Probability that the talks break down before each step.
        prior
            Ignore the scenario's rounds. Otherwise, with draws, a scenario with rounds is
            simulated on its posterior, resampled by its weights (``inputs`` says which).

        Returns
        -------
        SimulationResult
        """
        from redline import pipeline

        _count(steps, "steps")
        _count(draws, "draws", low=0)
        _count(seed, "seed", low=0, high=SEED_MAX)
        if not isinstance(strategies, Mapping):
            raise RedlineError("must map actor ids to strategies", parameter="strategies",
                               hint='e.g. {"russia": "boulware", "ukraine": "conceder"}')
        run = self._located(lambda: pipeline.run_simulate(
            self.loaded, list(strategies.items()), protocol=protocol, steps=steps,
            draws=draws, seed=seed, mediator=mediator, bias=bias, breakdown=breakdown,
            prior=prior))
        return SimulationResult._from_json(run.to_dict(), run.result)

    def evaluate(self, proposal: str | None = None, *,
                 package: Mapping[str, str] | None = None, draws: int = DEFAULT_DRAWS,
                 seed: int = 0, list_limit: int | None = None,
                 prior: bool = False, until: str | None = None) -> EvaluationResult:
        """Judge one of the scenario's proposals, or a package: per completion, each actor's
        utility, whether it accepts and the rules that reject it; with draws, each actor's
        P(accepts) and P(every veto holder accepts) with 95% Wilson intervals; and the
        acceptable packages with the fewest changes, with who gains and who loses.

        The same run as ``redline evaluate FILE PROPOSAL --draws DRAWS --seed SEED --json``
        (or ``--package ISSUE=OPTION,...``):
        [`pipeline.run_evaluate`][redline.pipeline.run_evaluate], in this claim branch.

        Parameters
        ----------
        proposal
            The id of one of the scenario's ``proposals``.
        package
            Instead: ``{issue id: option label}``; issues left out are open (judged over their
            completions).
        draws
            Monte Carlo draws (0 to 1,000,000; 0: the deterministic judgment only).
        seed
            Random seed, 0 to 2**31 - 1: the same seed and draws give the same numbers.
        list_limit
            The fewest-changes packages listed (default 20; all are counted).
        prior
            Ignore the scenario's rounds (``--prior``): without it the draws of a scenario
            with rounds are their posterior's.
        until
            An ISO date (or a ``datetime.date``): only the rounds dated on or before it count
            (``--until``; default all).

        Returns
        -------
        EvaluationResult
        """
        from redline import pipeline
        from redline.uncertainty.limits import DRAWS_HINT, MAX_DRAWS

        _count(draws, "draws", low=0, high=MAX_DRAWS, hint=DRAWS_HINT)
        _count(seed, "seed", low=0, high=SEED_MAX)
        if list_limit is not None:
            _count(list_limit, "list_limit")
        if package is not None:
            if not isinstance(package, Mapping) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in package.items()):
                raise RedlineError("must be a dict of issue id to option label",
                                   parameter="package")
            package = dict(package)
        run = self._located(lambda: pipeline.run_evaluate(
            self.loaded, proposal, package, draws=draws, seed=seed, limit=list_limit,
            prior=bool(prior), until=_until(until)))
        return EvaluationResult._from_json(run.to_dict(), run)

    def update(self, *, until: str | None = None, draws: int = DEFAULT_DRAWS, seed: int = 0,
               prior: bool = False, workers: int | None = None,
               scheduler: str | None = None) -> UpdateResult:
        """The posterior given the scenario's rounds: every uncertain input and claim prior
        beside posterior, P(agreement), each package's P(acceptable), and the timeline after
        each round.

        The same run as ``redline update FILE --until UNTIL --draws DRAWS --seed SEED --json``:
        [`pipeline.run_update`][redline.pipeline.run_update], in this claim branch.

        Parameters
        ----------
        until
            Count only the rounds dated on or before this ISO date (``YYYY-MM-DD``).
        draws
            Particles (1 to 1,000,000): the same seed and draws give the same numbers.
        seed
            Random seed, 0 to 2**31 - 1.
        prior
            Ignore the rounds: the prior only.
        workers, scheduler
            Run the chunked passes (the likelihood, the move steps, the passes over every
            package) on a local Dask cluster of ``workers`` processes, or on the cluster at
            ``scheduler`` (the ``dask`` extra): the same numbers as in process.

        Returns
        -------
        UpdateResult
        """
        from redline import pipeline
        from redline.uncertainty.limits import DRAWS_HINT, MAX_DRAWS

        _count(draws, "draws", high=MAX_DRAWS, hint=DRAWS_HINT)
        _count(seed, "seed", low=0, high=SEED_MAX)
        until = _until(until)
        _dask_options(workers, scheduler)
        from redline.uncertainty.executors import chunk_map

        with chunk_map(workers=workers, scheduler=scheduler) as executor:
            run = self._located(lambda: pipeline.run_update(
                self.loaded, draws=draws, seed=seed, until=until, prior_only=bool(prior),
                executor=executor))
            data = run.to_dict()
        return UpdateResult._from_json(data, run)

    def advise(self, actor: str, *, objective: str = "accept", top: int = 5,
               packages: Sequence[Mapping[str, str]] = (), proposals: Sequence[str] = (),
               draws: int = DEFAULT_DRAWS, seed: int = 0, tremble: float | None = None,
               prior: bool = False, until: str | None = None, workers: int | None = None,
               scheduler: str | None = None) -> AdviceResult:
        """The mediator's next move: candidate packages ranked for ``actor``, each with its
        reason in words and numbers.

        The same run as ``redline advise FILE --for ACTOR --objective OBJECTIVE --top TOP
        --draws DRAWS --seed SEED --json`` (with ``--package`` / ``--proposal`` per listed
        candidate): [`pipeline.run_advise`][redline.pipeline.run_advise], in this claim
        branch; the draws are the posterior's when the scenario has rounds.

        Parameters
        ----------
        actor
            The id of the actor advised.
        objective
            ``accept`` (the highest P(every veto holder accepts)), ``value`` (``actor``'s
            expected utility: P(accept) u + (1 - P(accept)) outside option) or ``probe``
            (the expected information, in bits, the other actors' answers give about the
            uncertain inputs).
        top
            Ranked candidates listed (1 to 1,000).
        packages, proposals
            The candidates: ``{issue id: option label}`` packages (a partial one counts by its
            best completion) and ids of the scenario's proposals; both empty: every package.
        draws
            Monte Carlo draws (1 to 1,000,000).
        seed
            Random seed, 0 to 2**31 - 1: the same seed and draws give the same numbers.
        tremble
            ``probe``: the chance an answer is the opposite of the model's verdict, in
            [0, 0.5] (default: the rounds' default tremble).
        prior
            Ignore the scenario's rounds.
        until
            An ISO date: only the rounds dated on or before it count.
        workers, scheduler
            Run the chunked passes (the posterior's, the ranking and the reasons) on a local
            Dask cluster of ``workers`` processes, or on the cluster at ``scheduler`` (the
            ``dask`` extra): the same numbers as in process.

        Returns
        -------
        AdviceResult
        """
        from redline import pipeline
        from redline.uncertainty.limits import (
            ADVICE_OBJECTIVES,
            DRAWS_HINT,
            MAX_ADVICE_TOP,
            MAX_DRAWS,
        )

        if not isinstance(actor, str):
            raise RedlineError(f"must be an actor id (got {actor!r})", parameter="actor")
        if objective not in ADVICE_OBJECTIVES:
            raise RedlineError(f"unknown objective {objective!r}", parameter="objective",
                               hint=f"use one of {', '.join(ADVICE_OBJECTIVES)}")
        _count(top, "top", high=MAX_ADVICE_TOP)
        _count(draws, "draws", high=MAX_DRAWS, hint=DRAWS_HINT)
        _count(seed, "seed", low=0, high=SEED_MAX)
        if tremble is not None and (isinstance(tremble, bool) or not isinstance(
                tremble, int | float | np.number) or not 0 <= tremble <= 0.5):
            raise RedlineError(f"must be a number in [0, 0.5] (got {tremble!r})",
                               parameter="tremble")
        if isinstance(packages, Mapping) or not all(
                isinstance(p, Mapping) and all(isinstance(k, str) and isinstance(v, str)
                                               for k, v in p.items()) for p in packages):
            raise RedlineError("must be a list of dicts of issue id to option label",
                               parameter="packages")
        if isinstance(proposals, str) or not all(isinstance(p, str) for p in proposals):
            raise RedlineError("must be a list of proposal ids", parameter="proposals")
        _dask_options(workers, scheduler)
        from redline.uncertainty.executors import chunk_map

        with chunk_map(workers=workers, scheduler=scheduler) as executor:
            run = self._located(lambda: pipeline.run_advise(
                self.loaded, actor, objective=objective, top=top,
                packages=[dict(p) for p in packages], proposals=list(proposals), draws=draws,
                seed=seed, tremble=tremble, prior=prior, until=until, executor=executor))
            data = run.to_dict()
        return AdviceResult._from_json(data, run)

    # -- helpers

    def _located(self, run: Callable[[], Any]) -> Any:
        """``run()``, its errors naming this input's file when they name none."""
        try:
            return run()
        except RedlineError as error:
            raise self.loaded.located(error) from None

    def _repr_html_(self) -> str:
        """The negotiation in a notebook: its actors, issues and claims as tables."""
        tables = [_html_table("actors", ["id"], [[a] for a in self.actors]),
                  _html_table("issues", ["id"], [[i] for i in self.issues])]
        if self.claims:
            truths = self.loaded.assume  # else the file's 'assumed' (None: open)
            tables.append(_html_table("claims", ["id", "assumed"],
                                      [[c.id, truths.get(c.id, c.assumed)]
                                       for c in self.scenario.claims]))
        return (f"<div class='redline-negotiation'><strong>{html.escape(repr(self))}"
                f"</strong>{''.join(tables)}</div>")

    def __repr__(self) -> str:
        parts = [f"{len(self.actors)} actors", f"{len(self.issues)} issues"]
        if self.claims:
            parts.append(f"{len(self.claims)} claims")
        text = f"Negotiation({self.name!r}, {self.format}: {', '.join(parts)}"
        if self.assumptions:
            text += ", assume " + ", ".join(f"{k}={v}" for k, v in self.assumptions.items())
        return _cut(text) + ")"


def _count(value: int, name: str, *, low: int = 1, high: int | None = None,
           hint: str | None = None) -> int:
    """``value`` if it is a whole number in ``[low, high]``; else one clear error."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise RedlineError(f"must be a whole number (got {value!r})", parameter=name)
    if value < low or (high is not None and value > high):
        bounds = f"at least {low:,}" if high is None else f"between {low:,} and {high:,}"
        raise RedlineError(f"must be {bounds} (got {value})", parameter=name, hint=hint)
    return int(value)


def _until(until) -> str | None:
    """``until`` (an ISO date text or a ``datetime.date``) as an ISO date text, or a
    RedlineError naming ``until``."""
    from redline.uncertainty.rounds import check_until

    if until is not None and not isinstance(until, str):
        until = str(until)
    return check_until(until)


def _dask_options(workers: int | None, scheduler: str | None) -> bool:
    """Check ``workers`` and ``scheduler`` (at most one); whether the run goes to Dask."""
    if workers is not None and scheduler is not None:
        raise RedlineError("cannot be combined with scheduler", parameter="workers",
                           hint="one starts a local cluster, the other uses a running one")
    if workers is not None:
        _count(workers, "workers")
    if scheduler is not None and not isinstance(scheduler, str):
        raise RedlineError(f"must be an address text, e.g. tcp://host:8786 (got {scheduler!r})",
                           parameter="scheduler")
    return workers is not None or scheduler is not None


def _positive(value: float, name: str) -> float:
    """``value`` if it is a finite number above 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number) \
            or not np.isfinite(value) or value <= 0:
        raise RedlineError(f"must be a number above 0 (got {value!r})", parameter=name)
    return float(value)


def _model(name: str) -> str:
    """``name`` if it is a registered forecast model."""
    from redline.forecast.registry import model_names

    if name not in model_names():
        raise RedlineError(f"unknown model {name!r}", parameter="model",
                           hint=f"use one of {', '.join(model_names())}")
    return name


# ------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Deal:
    """One package and what it is worth to each actor.

    Attributes
    ----------
    package
        ``{issue id: option label}``.
    utilities
        ``{actor id: utility}`` (0-1).
    """

    package: Mapping[str, str]
    utilities: Mapping[str, float]

    def __repr__(self) -> str:
        return _cut(f"Deal({_package_text(self.package)})")


class _Result:
    """What every result shares: the JSON form, a readable repr, HTML and DataFrames."""

    _json: dict

    def to_dict(self) -> dict:
        """The JSON form: what the CLI prints with ``--json`` for the same call (a copy)."""
        return copy.deepcopy(self._json)

    def to_frame(self, table: str | None = None) -> Any:
        """One of the result's tables as a pandas DataFrame.

        Parameters
        ----------
        table
            Which table (see ``TABLES``); the first by default.

        Raises
        ------
        RedlineError
            When pandas is not installed (``pip install 'redline[pandas]'``) or ``table``
            is unknown.
        """
        pandas = _pandas()
        names = tuple(self._tables())
        table = names[0] if table is None else table
        if table not in names:
            raise RedlineError(f"unknown table {table!r}", parameter="table",
                               hint=f"use one of {', '.join(names)}")
        columns, rows = self._tables()[table]
        return pandas.DataFrame(rows, columns=columns)

    def _tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        raise NotImplementedError

    def _summary(self) -> list[str]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return "\n".join(_cut(line) for line in self._summary())

    def _repr_html_(self) -> str:
        lines = self._summary()
        out = [f"<div class='redline-result'><strong>{html.escape(lines[0])}</strong>"]
        out += [f"<br>{html.escape(line.strip())}" for line in lines[1:]]
        for name, (columns, rows) in self._tables().items():
            out.append(_html_table(name, columns, rows))
        return "\n".join(out) + "</div>"


@dataclass(frozen=True, repr=False, eq=False)
class AnalysisResult(_Result):
    """What [`Negotiation.analyze`][redline.api.Negotiation.analyze] finds.

    Attributes
    ----------
    name
        The scenario or domain.
    actors, issues
        Their ids.
    packages
        Size of the package space.
    acceptable_count
        Packages every actor whose acceptance a deal needs accepts.
    solutions
        ``{"nash" | "kalai_smorodinsky" | "utilitarian" | "egalitarian": (Deal, ...)}``: each
        solution's optimal packages (ties listed up to ``list_limit``); empty when no package
        is acceptable.
    pareto
        One [`Deal`][redline.api.Deal] per distinct point of the Pareto frontier.
    blocking
        Rows ``{id, kind, actor, description, rejects, sole}`` of the rules that block.
    closest
        When nothing is acceptable: the packages that come closest.
    claim_branches
        Per claim, acceptable packages and Nash when it is true and when it is false.
    analysis
        The engine's [`Analysis`][redline.space.engine.Analysis] (arrays, package numbers).
    warnings
        Problems with the input that did not stop the analysis.
    """

    name: str
    actors: tuple[str, ...]
    issues: tuple[str, ...]
    packages: int
    acceptable_count: int
    solutions: Mapping[str, tuple[Deal, ...]]
    pareto: tuple[Deal, ...]
    blocking: tuple[Mapping[str, Any], ...]
    closest: tuple[Deal, ...]
    claim_branches: tuple[Mapping[str, Any], ...]
    analysis: Any = field(repr=False)
    warnings: tuple[str, ...] = ()
    _json: dict = field(default_factory=dict, repr=False)

    TABLES = ("solutions", "pareto", "blocking", "claim_branches")

    @classmethod
    def _from_json(cls, data: dict, analysis: Any, *, warnings: Iterable[str] = ()
                   ) -> AnalysisResult:
        return cls(
            name=data["scenario"], actors=tuple(a["id"] for a in data["actors"]),
            issues=tuple(i["id"] for i in data["issues"]), packages=data["packages"],
            acceptable_count=data["acceptable_count"],
            solutions=MappingProxyType({name: tuple(_deal(e) for e in entries)
                                        for name, entries in data["solutions"].items()}),
            pareto=tuple(_deal(e) for e in data["pareto"]),
            blocking=_frozen_rows(data["blocking"]),
            closest=tuple(_deal(e) for e in data["closest"]),
            claim_branches=_frozen_rows(data["claim_branches"]),
            analysis=analysis, warnings=tuple(warnings), _json=data)

    @property
    def ties(self) -> dict[str, int]:
        """``{solution: number of optimal packages}`` (all counted, some maybe not listed)."""
        return dict(self._json["solution_ties"])

    def _summary(self) -> list[str]:
        d = self._json
        pareto = ("not computed" if d["pareto_points"] is None
                  else f"{d['pareto_points']:,} points")
        lines = [f"AnalysisResult {self.name!r}: {len(self.actors)} actors, "
                 f"{len(self.issues)} issues, {self.packages:,} packages",
                 f"  acceptable {self.acceptable_count:,}; Pareto frontier {pareto}"]
        for name, deals in self.solutions.items():
            if deals:
                more = self.ties[name] - 1
                lines.append(f"  {name}: {_package_text(deals[0].package)}"
                             + (f" (+{more:,} tied)" if more else ""))
        if not self.acceptable_count:
            lines.append("  no acceptable package; closest: "
                         + (_package_text(self.closest[0].package) if self.closest else "-"))
        top = [b["id"] for b in self.blocking[:3]]
        if top:
            lines.append(f"  blocking most: {', '.join(top)}")
        return lines

    def _tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        solutions = [[name, k, *_cells(deal, self.issues, self.actors)]
                     for name, deals in self.solutions.items() for k, deal in enumerate(deals)]
        pareto = [[*_cells(_deal(e), self.issues, self.actors), e["acceptable"], e["packages"]]
                  for e in self._json["pareto"]]
        blocking_cols = ["id", "kind", "actor", "rejects", "sole", "description"]
        branch_cols = ["claim", "acceptable_if_true", "acceptable_if_false",
                       "nash_ties_if_true", "nash_ties_if_false"]
        return {
            "solutions": (["solution", "rank", *self.issues, *self.actors], solutions),
            "pareto": ([*self.issues, *self.actors, "acceptable", "packages"], pareto),
            "blocking": (blocking_cols, [[b[c] for c in blocking_cols] for b in self.blocking]),
            "claim_branches": (branch_cols, [[r[c] for c in branch_cols]
                                             for r in self.claim_branches]),
        }


@dataclass(frozen=True, repr=False, eq=False)
class ForecastResult(_Result):
    """What [`Negotiation.forecast`][redline.api.Negotiation.forecast] predicts.

    Attributes
    ----------
    model
        The model's name.
    point
        ``{issue id: forecast value}`` (0-100 for scenarios; ``None`` where a DEU issue has
        no forecast).
    positions
        ``{actor id: {issue id: position}}`` after the last round (the starting positions
        for one-shot models); empty for DEU files.
    rounds
        Rounds (turns) the model ran; 0 for one-shot models.
    observed
        DEU only: ``{issue id: observed outcome}``; else empty.
    forecast
        The model's [`Forecast`][redline.forecast.base.Forecast] (every round's positions as an
        array); for DEU files the pipeline's [`DEUForecast`][redline.pipeline.DEUForecast].
    notes
        What the run changed in the inputs (SMP's attention shares).
    """

    model: str
    point: Mapping[str, float | None]
    positions: Mapping[str, Mapping[str, float]]
    rounds: int
    observed: Mapping[str, float | None]
    forecast: Any = field(repr=False)
    notes: tuple[str, ...] = ()
    _json: dict = field(default_factory=dict, repr=False)

    TABLES = ("point", "positions")

    @classmethod
    def _from_json(cls, data: dict, forecast: Any, *, notes: Iterable[str] = ()
                   ) -> ForecastResult:
        issues = tuple(data["dimensions"])
        point = dict(zip(issues, data["forecast"], strict=True))
        positions: dict[str, dict[str, float]] = {}
        if "positions" in data:
            last = data["positions"][-1]
            positions = {a: dict(zip(issues, row, strict=True))
                         for a, row in zip(data["actors"], last, strict=True)}
        observed = dict(zip(issues, data["observed"], strict=True)) if "observed" in data else {}
        return cls(model=data["model"], point=MappingProxyType(point),
                   positions=MappingProxyType(positions), rounds=int(data.get("turns", 0)),
                   observed=MappingProxyType(observed), forecast=forecast, notes=tuple(notes),
                   _json=data)

    def _summary(self) -> list[str]:
        rounds = f", {self.rounds} rounds" if self.rounds else ""
        lines = [f"ForecastResult {self.model}{rounds}: {len(self.point)} issues"
                 + (f", {len(self.positions)} actors" if self.positions else "")]
        shown = list(self.point.items())[:REPR_ROWS]
        lines += [f"  {issue}: {_number(value)}" for issue, value in shown]
        if len(self.point) > len(shown):
            lines.append(f"  ... {len(self.point) - len(shown)} more issues")
        if self._json.get("mae") is not None:
            lines.append(f"  MAE {self._json['mae']:.2f} over {self._json['n']} issues")
        return lines

    def _tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        actors = list(self.positions)
        point_cols = ["issue", "forecast"] + (["observed"] if self.observed else [])
        point = [[issue, value] + ([self.observed[issue]] if self.observed else [])
                 for issue, value in self.point.items()]
        positions = [[issue, *(self.positions[a][issue] for a in actors)] for issue in self.point]
        return {"point": (point_cols, point), "positions": (["issue", *actors], positions)}


@dataclass(frozen=True, repr=False, eq=False)
class SweepResult(_Result):
    """What [`Negotiation.sweep`][redline.api.Negotiation.sweep] finds over its draws.

    Attributes
    ----------
    draws, seed, model
        How it was run.
    p_agreement
        Share of draws in which some package is acceptable.
    blocking
        Rows ``{id, kind, actor, blocks, frees_packages, rejects}``: how often each binding
        rule alone stands in the way (``blocks``), per draw.
    solutions
        ``{"nash" | "kalai_smorodinsky": [{package, probability}, ...]}``, most likely first
        (``package`` is ``None`` for draws without agreement).
    leading_packages
        The likeliest solution packages, with each actor's chance of accepting them.
    forecast
        ``{issue id: {q05, q25, q50, q75, q95, mean}}`` of the model's forecast.
    sensitivity
        Spearman correlation of each uncertain input with agreement and the forecast.
    integrated
        In a claim branch: the sweep with every claim at its probability; else ``None``.
    notes
        What the model changes in the inputs (SMP's attention shares), as the CLI's
        ``note:`` line says.
    sweep
        The kernel's [`uncertainty.sweep.SweepResult`][redline.uncertainty.sweep.SweepResult]
        (every draw's arrays).
    """

    draws: int
    seed: int
    model: str
    p_agreement: float
    blocking: tuple[Mapping[str, Any], ...]
    solutions: Mapping[str, tuple[Mapping[str, Any], ...]]
    leading_packages: tuple[Mapping[str, Any], ...]
    forecast: Mapping[str, Mapping[str, float]]
    sensitivity: tuple[Mapping[str, Any], ...]
    assumptions: Mapping[str, bool]
    sweep: Any = field(repr=False)
    integrated: SweepResult | None = field(default=None, repr=False)
    notes: tuple[str, ...] = ()
    _json: dict = field(default_factory=dict, repr=False)

    TABLES = ("blocking", "solutions", "forecast", "sensitivity")

    @classmethod
    def _from_json(cls, data: dict, sweep: Any, *, integrated: SweepResult | None = None,
                   notes: Iterable[str] = ()) -> SweepResult:
        return cls(
            draws=data["draws"], seed=data["seed"], model=data["model"],
            p_agreement=data["p_agreement"], blocking=_frozen_rows(data["blocking"]),
            solutions=MappingProxyType({k: _frozen_rows(v)
                                        for k, v in data["solutions"].items()}),
            leading_packages=_frozen_rows(data["leading_packages"]),
            forecast=MappingProxyType({k: MappingProxyType(dict(v))
                                       for k, v in data["forecast"].items()}),
            sensitivity=_frozen_rows(data["sensitivity"]),
            assumptions=MappingProxyType(dict(data["assume"])), sweep=sweep,
            integrated=integrated, notes=tuple(notes), _json=data)

    def _summary(self) -> list[str]:
        branch = (" assuming " + ", ".join(f"{k}={v}" for k, v in self.assumptions.items())
                  if self.assumptions else "")
        lines = [f"SweepResult: {self.draws:,} draws, seed {self.seed}, model "
                 f"{self.model}{branch}",
                 f"  P(agreement) {self.p_agreement:.3f}"
                 + (f" (integrated {self.integrated.p_agreement:.3f})"
                    if self.integrated is not None else "")]
        for row in self.blocking[:3]:
            lines.append(f"  {row['id']} blocks in {row['blocks']:.1%} of draws")
        nash = [s for s in self.solutions.get("nash", ()) if s["package"] is not None]
        if nash:
            lines.append(f"  likeliest Nash ({nash[0]['probability']:.1%}): "
                         f"{_package_text(nash[0]['package'])}")
        return lines

    def _tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        blocking_cols = ["id", "kind", "actor", "blocks", "frees_packages", "rejects"]
        issues = list(self.forecast)
        solutions = [[name, s["probability"], *((s["package"] or {}).get(i) for i in issues)]
                     for name, rows in self.solutions.items() for s in rows]
        quantiles = list(next(iter(self.forecast.values()), {}))
        outputs = list(self.sensitivity[0]["rho"]) if self.sensitivity else []
        return {
            "blocking": (blocking_cols, [[b[c] for c in blocking_cols] for b in self.blocking]),
            "solutions": (["solution", "probability", *issues], solutions),
            "forecast": (["issue", *quantiles],
                         [[i, *(row[q] for q in quantiles)] for i, row in self.forecast.items()]),
            "sensitivity": (["input", *outputs],
                            [[r["input"], *(r["rho"][o] for o in outputs)]
                             for r in self.sensitivity]),
        }


@dataclass(frozen=True, repr=False, eq=False)
class EvaluationResult(_Result):
    """What [`Negotiation.evaluate`][redline.api.Negotiation.evaluate] finds.

    Attributes
    ----------
    proposal
        ``{id, title, date, tabled_by, sources, illustrative}`` of the scenario's proposal,
        or ``None`` for a package.
    package
        The package judged, ``{issue id: option label}`` (possibly partial).
    open_issues
        The issues it leaves open.
    completions
        Rows ``{package, acceptable, blocking, actors: [{actor, utility, accepts,
        rejected_by}]}``, one per completion, in package order.
    what_it_takes
        ``{changes, count, packages}``: the fewest changes to an acceptable package
        (``None``: none is acceptable), how many packages need that many, and the first ones,
        each ``{package, changes, compared_with, utility_change, gains, losses}``.
    uncertainty
        With draws: ``{draws, seed, interval, z, completions: [{package, p_acceptable,
        p_accepts}], best_completion}``, each probability ``{p, low, high}``; else ``None``.
    run
        The pipeline's [`EvaluationRun`][redline.pipeline.EvaluationRun].
    """

    proposal: Mapping[str, Any] | None
    package: Mapping[str, str]
    open_issues: tuple[str, ...]
    completions: tuple[Mapping[str, Any], ...]
    what_it_takes: Mapping[str, Any]
    uncertainty: Mapping[str, Any] | None
    run: Any = field(repr=False)
    _json: dict = field(default_factory=dict, repr=False)

    TABLES = ("completions", "what_it_takes")

    @classmethod
    def _from_json(cls, data: dict, run: Any) -> EvaluationResult:
        frozen = copy.deepcopy(data)
        return cls(
            proposal=None if frozen["proposal"] is None else MappingProxyType(frozen["proposal"]),
            package=MappingProxyType(frozen["package"]),
            open_issues=tuple(frozen["open_issues"]),
            completions=_frozen_rows(frozen["completions"]),
            what_it_takes=MappingProxyType(frozen["what_it_takes"]),
            uncertainty=None if frozen["uncertainty"] is None
            else MappingProxyType(frozen["uncertainty"]),
            run=run, _json=data)

    def _odds(self) -> dict[tuple, Mapping[str, Any]]:
        if self.uncertainty is None:
            return {}
        return {tuple(r["package"].items()): r for r in self.uncertainty["completions"]}

    def _summary(self) -> list[str]:
        name = self.proposal["id"] if self.proposal is not None else _package_text(self.package)
        ok = sum(1 for r in self.completions if r["acceptable"])
        lines = [f"EvaluationResult: {name}",
                 f"  {len(self.completions):,} completion(s), {ok:,} acceptable"
                 + (f" (open: {', '.join(self.open_issues)})" if self.open_issues else "")]
        if self.uncertainty is not None:
            best = self._odds()[tuple(self.uncertainty["best_completion"].items())]
            cell = best["p_acceptable"]
            lines.append(f"  best P(every veto holder accepts) {cell['p']:.3f} "
                         f"[{cell['low']:.3f}, {cell['high']:.3f}], "
                         f"{self.uncertainty['draws']:,} draws")
        changes = self.what_it_takes["changes"]
        lines.append("  no package is acceptable" if changes is None else
                     f"  what it takes: {changes} change(s), "
                     f"{self.what_it_takes['count']:,} package(s)")
        return lines

    def _tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        issues = list(self.completions[0]["package"]) if self.completions else []
        odds = self._odds()
        columns = [*issues, "acceptable", "actor", "utility", "accepts", "rejected_by"]
        if odds:
            columns += ["p_accepts", "p_accepts_low", "p_accepts_high"]
        rows = []
        for row in self.completions:
            chance = odds.get(tuple(row["package"].items()))
            for actor in row["actors"]:
                cells = [*(row["package"][i] for i in issues), row["acceptable"],
                         actor["actor"], actor["utility"], actor["accepts"],
                         list(actor["rejected_by"])]
                if chance is not None:
                    cell = chance["p_accepts"][actor["actor"]]
                    cells += [cell["p"], cell["low"], cell["high"]]
                rows.append(cells)
        changes = [[*(c["package"][i] for i in issues), list(c["changes"]), list(c["gains"]),
                    list(c["losses"])] for c in self.what_it_takes["packages"]]
        return {"completions": (columns, rows),
                "what_it_takes": ([*issues, "changes", "gains", "losses"], changes)}


@dataclass(frozen=True, repr=False, eq=False)
class AdviceResult(_Result):
    """What [`Negotiation.advise`][redline.api.Negotiation.advise] finds.

    Attributes
    ----------
    actor
        The actor advised.
    objective
        ``accept``, ``value`` or ``probe``.
    ranked
        Rows ``{rank, candidate, package, completions, score, p_acceptable, expected_value,
        information_bits, actors, answers, reason}``, best first (``redline advise --json``'s
        ``ranked``).
    draws, seed, ess
        The draws, the seed and their effective sample size.
    run
        The pipeline's [`AdviceRun`][redline.pipeline.AdviceRun].
    """

    actor: str
    objective: str
    ranked: tuple[Mapping[str, Any], ...]
    draws: int
    seed: int
    ess: float
    run: Any = field(repr=False)
    _json: dict = field(default_factory=dict, repr=False)

    TABLES = ("ranked",)

    @classmethod
    def _from_json(cls, data: dict, run: Any) -> AdviceResult:
        frozen = copy.deepcopy(data)
        return cls(actor=frozen["for"], objective=frozen["objective"],
                   ranked=_frozen_rows(frozen["ranked"]), draws=frozen["draws"],
                   seed=frozen["seed"], ess=frozen["ess"], run=run, _json=data)

    def _summary(self) -> list[str]:
        lines = [f"AdviceResult: next move for {self.actor}, by {self.objective} "
                 f"({self.draws:,} draws, ESS {self.ess:,.0f})"]
        for row in self.ranked:
            lines.append(f"  {row['rank']}. {_package_text(row['package'])}")
            lines.append(f"     {row['reason']}")
        return lines

    def _tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        issues = list(self.ranked[0]["package"]) if self.ranked else []
        columns = ["rank", *issues, "score", "p_acceptable", "p_low", "p_high",
                   "expected_value", "information_bits", "reason"]
        rows = [[r["rank"], *(r["package"][i] for i in issues), r["score"],
                 r["p_acceptable"]["p"], r["p_acceptable"]["low"], r["p_acceptable"]["high"],
                 r["expected_value"], r["information_bits"], r["reason"]] for r in self.ranked]
        return {"ranked": (columns, rows)}


@dataclass(frozen=True, repr=False, eq=False)
class UpdateResult(_Result):
    """What [`Negotiation.update`][redline.api.Negotiation.update] finds.

    Attributes
    ----------
    method
        ``prior`` (no rounds counted), ``importance`` (importance weights of the prior draws)
        or ``smc`` (resample-move).
    ess
        The posterior's effective sample size.
    draws, seed
        The particles and the seed.
    rounds
        Rows ``{id, date, title, kind, proposal, package, responses, actor, rejects, sources,
        tremble, illustrative, counted}``, in date order.
    inputs
        Rows ``{input, label, rule, prior, posterior}``, each side ``{mean, low, high}`` (a
        90% interval).
    claims
        Rows ``{id, label, prior, posterior}``: each claim's probability.
    p_agreement
        ``{prior, posterior}``, each ``{p, low, high}``.
    packages
        Rows ``{package, prior, posterior}`` (P(acceptable) with intervals), by posterior.
    timeline
        Rows ``{round, date, illustrative, method, ess, p_agreement, claims, inputs}``: the
        prior, then after each counted round.
    posterior
        The [`Posterior`][redline.uncertainty.posterior.Posterior] itself (its particles and
        weights).
    run
        The pipeline's [`UpdateRun`][redline.pipeline.UpdateRun].
    """

    method: str
    ess: float
    draws: int
    seed: int
    rounds: tuple[Mapping[str, Any], ...]
    inputs: tuple[Mapping[str, Any], ...]
    claims: tuple[Mapping[str, Any], ...]
    p_agreement: Mapping[str, Any]
    packages: tuple[Mapping[str, Any], ...]
    timeline: tuple[Mapping[str, Any], ...]
    posterior: Any = field(repr=False)
    run: Any = field(repr=False)
    _json: dict = field(default_factory=dict, repr=False)

    TABLES = ("inputs", "claims", "timeline", "packages")

    @classmethod
    def _from_json(cls, data: dict, run: Any) -> UpdateResult:
        frozen = copy.deepcopy(data)
        return cls(method=frozen["method"], ess=frozen["ess"], draws=frozen["draws"],
                   seed=frozen["seed"], rounds=_frozen_rows(frozen["rounds"]),
                   inputs=_frozen_rows(frozen["inputs"]), claims=_frozen_rows(frozen["claims"]),
                   p_agreement=MappingProxyType(frozen["p_agreement"]),
                   packages=_frozen_rows(frozen["packages"]),
                   timeline=_frozen_rows(frozen["timeline"]), posterior=run.posterior,
                   run=run, _json=data)

    def _summary(self) -> list[str]:
        counted = sum(1 for r in self.rounds if r["counted"])
        prior, post = self.p_agreement["prior"], self.p_agreement["posterior"]
        lines = [f"UpdateResult: {counted} of {len(self.rounds)} rounds, {self.method}, "
                 f"ESS {self.ess:,.0f} of {self.draws:,} draws",
                 f"  P(agreement): {prior['p']:.1%} -> {post['p']:.1%} "
                 f"[{post['low']:.1%}, {post['high']:.1%}]"]
        lines += [f"  {c['id']}: {c['prior']:.1%} -> {c['posterior']:.1%}" for c in self.claims]
        lines += [f"  {r['label']}: {r['prior']['mean']:.3g} -> {r['posterior']['mean']:.3g} "
                  f"[{r['posterior']['low']:.3g}, {r['posterior']['high']:.3g}]"
                  for r in self.inputs[:REPR_ROWS]]
        illustrative = [r["id"] for r in self.rounds if r["illustrative"] and r["counted"]]
        if illustrative:
            lines.append(f"  illustrative rounds (not reported facts): {', '.join(illustrative)}")
        return lines

    def _tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        sides = ("prior", "posterior")
        inputs = (["input", "label"] + [f"{s}_{k}" for s in sides for k in ("mean", "low", "high")],
                  [[r["input"], r["label"], *(r[s][k] for s in sides
                                               for k in ("mean", "low", "high"))]
                   for r in self.inputs])
        claims = (["claim", "prior", "posterior"],
                  [[c["id"], c["prior"], c["posterior"]] for c in self.claims])
        ids = [c["id"] for c in self.claims]
        timeline = (["round", "date", "illustrative", "ess", "p_agreement", *ids],
                    [[t["round"], t["date"], t["illustrative"], t["ess"], t["p_agreement"]["p"],
                      *(t["claims"][c] for c in ids)] for t in self.timeline])
        issues = list(self.packages[0]["package"]) if self.packages else []
        packages = ([*issues, "prior", "posterior", "posterior_low", "posterior_high"],
                    [[*(r["package"][i] for i in issues), r["prior"]["p"], r["posterior"]["p"],
                      r["posterior"]["low"], r["posterior"]["high"]] for r in self.packages])
        return {"inputs": inputs, "claims": claims, "timeline": timeline, "packages": packages}


# ------------------------------------------------------------------------------- helpers


@dataclass(frozen=True, repr=False, eq=False)
class SimulationResult(_Result):
    """What [`Negotiation.simulate`][redline.api.Negotiation.simulate] finds.

    Attributes
    ----------
    protocol, steps, negotiations
        How it was run.
    p_agreement, interval
        Share of negotiations that agreed by the deadline, with Wilson's 95% interval.
    agreements
        Rows ``{outcome, package, count, share, utilities}``, the most frequent first.
    utilities
        ``{actor id: {mean, mean_when_agreed, quantiles}}``.
    reasons
        ``{reason: count}`` (agreement, deadline, ended, breakdown, red_line, outside_option).
    blockers
        Rows ``{id, count, share, description}``: the red lines or outside options that
        stopped the failed talks.
    trace
        The first negotiation's offers step by step (``{negotiation, offers, more}``).
    inputs
        Where the draws came from: ``{"from": "point values" | "prior" | "posterior", ...}``
        (the posterior's ``rounds``, ``method`` and ``ess``); empty for a Genius domain.
    result
        The core [`SimulationResult`][redline.simulate.result.SimulationResult] (every
        negotiation's arrays).
    """

    protocol: str
    steps: int
    negotiations: int
    p_agreement: float
    interval: tuple[float, float]
    agreements: tuple[Mapping[str, Any], ...]
    utilities: Mapping[str, Mapping[str, Any]]
    reasons: Mapping[str, int]
    blockers: tuple[Mapping[str, Any], ...]
    trace: Mapping[str, Any] | None = field(default=None, repr=False)
    inputs: Mapping[str, Any] = field(default_factory=dict)
    result: Any = field(default=None, repr=False)
    _json: dict = field(default_factory=dict, repr=False)

    TABLES = ("agreements", "utilities", "trace")

    @classmethod
    def _from_json(cls, data: dict, result: Any) -> SimulationResult:
        return cls(
            protocol=data["protocol"], steps=data["steps"], negotiations=data["negotiations"],
            p_agreement=data["p_agreement"], interval=tuple(data["interval"]),
            agreements=_frozen_rows(data["agreements"]),
            utilities=MappingProxyType({k: MappingProxyType(dict(v))
                                        for k, v in data["utilities"].items()}),
            reasons=MappingProxyType(dict(data["reasons"])),
            blockers=_frozen_rows(data["blockers"]),
            trace=MappingProxyType(dict(data["trace"])) if "trace" in data else None,
            inputs=MappingProxyType(copy.deepcopy(data.get("inputs", {}))),
            result=result, _json=copy.deepcopy(data))

    def _summary(self) -> list[str]:
        low, high = self.interval
        agents = ", ".join(f"{a['id']}={a['strategy']}" for a in self._json["agents"])
        lines = [f"SimulationResult: {self.protocol}, {self.negotiations:,} negotiation(s) of "
                 f"{self.steps} steps ({agents})",
                 f"  P(agreement by the deadline) {self.p_agreement:.1%} "
                 f"[{low:.1%}, {high:.1%}]"]
        for row in self.agreements[:3]:
            lines.append(f"  {row['share']:.1%}  {_package_text(row['package'])}")
        lines.append("  ended by: " + ", ".join(f"{k} {v}" for k, v in self.reasons.items()))
        return lines

    def _tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        actors = [a["id"] for a in self._json["agents"]]
        issues = sorted({k for row in self.agreements for k in row["package"]})
        agreements = [[row["share"], row["count"], *[row["package"].get(i) for i in issues],
                       *[row["utilities"][a] for a in actors]] for row in self.agreements]
        utilities = [[a, u["mean"], u["mean_when_agreed"]] for a, u in self.utilities.items()]
        offers = [] if self.trace is None else [
            [o["turn"], o["step"], o["by"], _package_text(o["package"]),
             *[o["utilities"][a] for a in actors]] for o in self.trace["offers"]]
        return {"agreements": (["share", "count", *issues, *actors], agreements),
                "utilities": (["actor", "mean", "mean_when_agreed"], utilities),
                "trace": (["turn", "step", "by", "package", *actors], offers)}
def tournament(config: str | Path | Mapping[str, Any], *, workers: int | None = None,
               scheduler: str | None = None) -> TournamentResult:
    """Run a tournament: every strategy against every other, on every scenario and role.

    Parameters
    ----------
    config
        A tournament YAML file (scenario paths relative to it) or a mapping of the same
        fields (``strategies``, ``scenarios``, ``rotate``, ``self_play``, ``repetitions``,
        ``steps``, ``seed``, ``protocol``, ``breakdown``; docs/simulate.md, "Tournaments").
    workers, scheduler
        Run on a local Dask cluster of ``workers`` processes, or on a running one; the
        numbers are the same.

    Returns
    -------
    TournamentResult
        Its ``to_dict()`` is ``redline tournament CONFIG --json``.

    Examples
    --------
    >>> res = redline.tournament({"strategies": ["boulware", "conceder"],
    ...                           "scenarios": ["examples/donbas-2026.yaml"]})  # doctest: +SKIP
    """
    from redline import pipeline
    from redline.simulate.tournament import dask_runner

    if workers is not None and scheduler is not None:
        raise RedlineError("give workers or scheduler, not both", parameter="workers")
    if workers is not None:
        _count(workers, "workers", high=1024)
    executor = (dask_runner(workers=workers, scheduler=scheduler)
                if workers is not None or scheduler is not None else None)
    run = pipeline.run_tournament(config, executor=executor)
    return TournamentResult._from_run(run)


@dataclass(frozen=True, repr=False, eq=False)
class TournamentResult(_Result):
    """What [`tournament`][redline.api.tournament] finds.

    Attributes
    ----------
    negotiations
        How many negotiations ran.
    ranking
        Rows ``{rank, strategy, mean, low, high, seats, agreements}``, best first: mean
        advantage over the strategy's seats with its seeded bootstrap 95% interval.
    results
        One row per negotiation: scenario, pairing, rotation, repetition, who moved first,
        each agent's strategy, utility and advantage, the agreement, step, reason and the
        welfare and distances to the Pareto frontier, Nash and Kalai-Smorodinsky points.
    run
        The core's [`TournamentResult`][redline.simulate.tournament.TournamentResult] (every
        negotiation's arrays).
    """

    negotiations: int
    ranking: tuple[Mapping[str, Any], ...]
    results: tuple[Mapping[str, Any], ...]
    run: Any = field(repr=False)
    _json: dict = field(default_factory=dict, repr=False)

    TABLES = ("ranking", "negotiations")

    @classmethod
    def _from_run(cls, run: Any) -> TournamentResult:
        data = run.to_dict()
        return cls(negotiations=data["negotiations"], ranking=_frozen_rows(data["ranking"]),
                   results=_frozen_rows(data["results"]), run=run, _json=data)

    def _summary(self) -> list[str]:
        lines = [f"TournamentResult: {self.negotiations:,} negotiations, "
                 f"{len(self.ranking)} strategies"]
        for row in self.ranking[:5]:
            lines.append(f"  {row['rank']}. {row['strategy']}: mean advantage "
                         f"{row['mean']:.3f} [{row['low']:.3f}, {row['high']:.3f}]")
        return lines

    def _tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        ranking_cols = ["rank", "strategy", "mean", "low", "high", "seats", "agreements"]
        width = max((len(r["agents"]) for r in self.results), default=0)
        agent_cols = [f"{k}{a + 1}" for a in range(width) for k in ("strategy", "utility")]
        metric_cols = ["welfare", "pareto_distance", "nash_distance", "ks_distance"]
        rows = []
        for r in self.results:
            agents = [x for a in r["agents"] for x in (a["strategy"], a["utility"])]
            rows.append([r["id"], r["scenario"], r["first"], *agents,
                         *[None] * (len(agent_cols) - len(agents)), r["agreement"] is not None,
                         r["step"], *(r[c] for c in metric_cols)])
        return {
            "ranking": (ranking_cols, [[s[c] for c in ranking_cols] for s in self.ranking]),
            "negotiations": (["id", "scenario", "first", *agent_cols, "agreement", "step",
                              *metric_cols], rows),
        }


def _deal(entry: Mapping[str, Any]) -> Deal:
    return Deal(package=MappingProxyType(dict(entry["package"])),
                utilities=MappingProxyType(dict(entry["utilities"])))


def _frozen_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(MappingProxyType(copy.deepcopy(dict(row))) for row in rows)


def _cells(deal: Deal, issues: Sequence[str], actors: Sequence[str]) -> list[Any]:
    return [*(deal.package[i] for i in issues), *(deal.utilities[a] for a in actors)]


def _package_text(package: Mapping[str, str]) -> str:
    return ", ".join(f"{issue}={label}" for issue, label in package.items())


def _number(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}"


def _cut(line: str, width: int = REPR_WIDTH) -> str:
    return line if len(line) <= width else line[:width - 3] + "..."


def _html_cell(value: Any) -> str:
    if isinstance(value, float):
        text = f"{value:.4g}"
    elif isinstance(value, list | tuple):
        text = ", ".join(map(str, value))
    else:
        text = "" if value is None else str(value)
    return html.escape(text)


def _html_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An escaped HTML table of the first :data:`HTML_ROWS` rows, saying how many are left."""
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_html_cell(v)}</td>" for v in row) + "</tr>"
                   for row in rows[:HTML_ROWS])
    more = (f"<caption style='caption-side:bottom'>{len(rows) - HTML_ROWS:,} more rows "
            "(to_frame)</caption>" if len(rows) > HTML_ROWS else "")
    return (f"<details open><summary>{html.escape(title)}</summary><table>{more}"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>")


def _pandas() -> Any:
    """The pandas module, or one clear error naming the extra that installs it."""
    try:
        import pandas
    except ImportError:
        raise RedlineError("to_frame needs pandas, which is not installed",
                           hint=PANDAS_HINT) from None
    return pandas
