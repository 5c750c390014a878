"""Tournaments: every strategy against every other, on every scenario, in every role.

A tournament is the Cartesian product (NegMAS's ``cartesian_tournament``; the ANAC
competitions, Baarslag et al. 2013)

    strategies^A x scenarios x role rotations x repetitions

for ``A`` negotiating agents per scenario: each *pairing* gives position ``p`` (``p = 0`` moves
first) the strategy ``pairing[p]``; the *rotation* ``k`` gives position ``p`` the actor
``(p - k) mod A`` of the scenario (NegMAS's ``Scenario.rotate_ufuns(k)``: utility functions
rotate across the positions, the order of moves does not), so with rotation every strategy
plays every role both first and second. ``self_play: false`` drops the pairings of one strategy
with itself. ``repetitions`` runs each match several times (different random streams: it
matters for breakdown and for random strategies only).

Running it
----------
Each (scenario, pairing, rotation) is one batch of ``repetitions`` negotiations for
:func:`redline.simulate.protocols.simulate`, with its own seed (:func:`match_seeds`). Batches
are grouped into tasks of one scenario (at most :data:`TASK_MATCHES` matches each) and run by
an executor: in this process (:func:`in_process`) or on Dask (:func:`dask_runner`); results
are put back in match order. So the same seed gives byte-identical results whatever runs it
and however many workers.

Scoring
-------
Every negotiation gets NegMAS's per-negotiation metrics (:mod:`redline.simulate.metrics`:
agreement, each agent's utility and advantage ``(u - r) / (max - r)``, welfare, distances to the
Pareto frontier and to the Nash and Kalai-Smorodinsky points), measured in the scenario's own
actor order; each scenario's frontier and solution points are computed once. The ranking
(:mod:`redline.simulate.ranking`) is by mean advantage over every seat a strategy took, with a
seeded percentile-bootstrap 95% interval.

Limits
------
Configurations that would take too long are refused before anything runs, with a hint:
at most :data:`MAX_NEGOTIATIONS` negotiations, :data:`MAX_MATCHES` batches and
:data:`MAX_TURNS` negotiation-steps in all.

References
----------
Baarslag, T., Fujita, K., Gerding, E. H., Hindriks, K., Ito, T., Jennings, N. R., Jonker, C.,
Kraus, S., Lin, R., Robu, V. & Williams, C. R. (2013). Evaluating practical negotiating agents:
Results and analysis of the 2011 international competition. *Artificial Intelligence* 198,
73-103.
Mohammad, Y., Nakadai, S. & Greenwald, A. (2021). NegMAS: A platform for automated negotiations.
*PRIMA 2020*, LNCS 12568, 343-351.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)

from redline.errors import RedlineError
from redline.simulate import metrics as negotiation_metrics
from redline.simulate.protocols import MAX_STEPS, simulate
from redline.simulate.ranking import Standing, rank_strategies
from redline.simulate.result import REASONS
from redline.simulate.space import NegotiationSpace
from redline.simulate.strategies import Strategy, parse

__all__ = ["MAX_MATCHES", "MAX_NEGOTIATIONS", "MAX_TURNS", "TASK_MATCHES", "Match",
           "ScenarioEntry", "TournamentConfig", "TournamentResult", "dask_runner",
           "in_process", "matches", "run_tournament"]

MAX_STRATEGIES = 64
MAX_SCENARIOS = 64
MAX_REPETITIONS = 10_000
MAX_NEGOTIATIONS = 200_000
"""Negotiations in one tournament (each is a row of the metrics table)."""
MAX_MATCHES = 20_000
"""Batches (scenario x pairing x rotation): each is one call of the simulation."""
MAX_TURNS = 200_000_000
"""Negotiations x steps x agents in one tournament (a few minutes at worst)."""
TASK_MATCHES = 256
"""Matches per task an executor runs (a Dask task is a scenario's matches, in such pieces)."""
_SEED_MAX = 2**31 - 1


def opponent_models() -> dict[str, Any]:
    """The opponent models strategies may name (``~MODEL``), where the package has them."""
    try:
        from redline.simulate.opponents import MODELS
    except ImportError:  # pragma: no cover - before opponent models exist
        return {}
    return dict(MODELS)


def _known_strategy(text: str) -> str:
    """``text`` if :func:`redline.simulate.strategies.parse` reads it."""
    try:
        parse(text, opponent_models())
    except RedlineError as error:
        raise ValueError(error.message + (f" ({error.hint})" if error.hint else "")) from None
    return text


class ScenarioEntry(BaseModel):
    """One scenario of a tournament: a scenario file or a Genius folder, and its agents."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: StrictStr = Field(min_length=1, max_length=4096)
    """The scenario YAML file or Genius domain folder, relative to the configuration file."""
    agents: tuple[StrictStr, ...] | None = Field(default=None, min_length=2, max_length=16)
    """The negotiating actors (ids or names) in order of moves; default: every actor."""


class TournamentConfig(BaseModel):
    """What a tournament runs (the YAML file's fields; see docs/simulate.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    strategies: tuple[Annotated[StrictStr, AfterValidator(_known_strategy)], ...] = Field(
        min_length=1, max_length=MAX_STRATEGIES)
    """Strategies as ``redline simulate --strategy`` takes them (``NAME[:p][@AC][~MODEL]``)."""
    scenarios: tuple[ScenarioEntry, ...] = Field(min_length=1, max_length=MAX_SCENARIOS)
    """Scenario files or Genius folders: a path, or ``{path: ..., agents: [A, B]}``."""
    protocol: Literal["sao", "stacked"] = "sao"
    rotate: StrictBool = True
    self_play: StrictBool = True
    repetitions: StrictInt = Field(default=1, ge=1, le=MAX_REPETITIONS)
    steps: StrictInt = Field(default=100, ge=1, le=MAX_STEPS)
    seed: StrictInt = Field(default=0, ge=0, le=_SEED_MAX)
    breakdown: float = Field(default=0.0, ge=0.0, lt=1.0, allow_inf_nan=False)

    @field_validator("scenarios", mode="before")
    @classmethod
    def _paths_as_entries(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [{"path": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("strategies")
    @classmethod
    def _once_each(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            twice = next(s for s in value if value.count(s) > 1)
            raise ValueError(f"strategy {twice!r} is listed twice")
        return value

    def parsed(self) -> tuple[Strategy, ...]:
        """The strategies, parsed."""
        models = opponent_models()
        return tuple(parse(text, models) for text in self.strategies)


@dataclass(frozen=True)
class Match:
    """One batch: a pairing of strategies on a scenario in one rotation of the roles.

    ``strategies[p]`` plays position ``p``; ``actors[p]`` is the scenario's actor in that
    position; ``seed`` seeds its simulation (:func:`match_seeds`).
    """

    scenario: int
    pairing: int
    rotation: int
    strategies: tuple[int, ...]
    actors: tuple[int, ...]
    seed: int = 0


def pairings(n_strategies: int, n_agents: int, self_play: bool = True
             ) -> list[tuple[int, ...]]:
    """Every assignment of strategies to the ``n_agents`` positions (``itertools.product``
    order), without the all-equal ones unless ``self_play``."""
    out = list(itertools.product(range(n_strategies), repeat=n_agents))
    return out if self_play else [p for p in out if len(set(p)) > 1]


def rotations(n_agents: int, rotate: bool) -> list[tuple[int, ...]]:
    """The actor in each position, per rotation: ``(p - k) mod A`` for ``k = 0..A-1``."""
    if not rotate:
        return [tuple(range(n_agents))]
    return [tuple((p - k) % n_agents for p in range(n_agents)) for k in range(n_agents)]


def matches(config: TournamentConfig, agents_per_scenario: Sequence[int]) -> list[Match]:
    """Every match of the tournament, scenario by scenario, then pairing, then rotation.

    Raises
    ------
    RedlineError
        When the tournament is larger than the limits (module docstring), with a hint.
    """
    out: list[Match] = []
    n_strategies = len(config.strategies)
    for s, n_agents in enumerate(agents_per_scenario):
        count = n_strategies ** n_agents - (0 if config.self_play else n_strategies)
        _check_size(config, len(out) + count * (n_agents if config.rotate else 1),
                    agents_per_scenario)  # before the pairings are listed: S ** A grows fast
        here = [(p, pairing, k, actors)
                for p, pairing in enumerate(pairings(len(config.strategies), n_agents,
                                                     config.self_play))
                for k, actors in enumerate(rotations(n_agents, config.rotate))]
        seeds = match_seeds(config.seed, s, len(here))
        out.extend(Match(s, p, k, pairing, actors, int(seed))
                   for (p, pairing, k, actors), seed in zip(here, seeds, strict=True))
    _check_size(config, len(out), agents_per_scenario, out)
    return out


def _check_size(config: TournamentConfig, count: int, agents_per_scenario: Sequence[int],
                found: Sequence[Match] | None = None) -> None:
    """Refuse tournaments beyond the limits (``found``: all matches, once they are known)."""
    hint = "use fewer strategies, scenarios or repetitions, fewer steps, or rotate: false"
    if count > MAX_MATCHES:
        raise RedlineError(f"more than {MAX_MATCHES:,} matches (scenario x pairing x "
                           "rotation)", field="strategies", hint=hint)
    if found is None:
        return
    if not found:
        raise RedlineError("the tournament has no negotiation", field="self_play",
                           hint="list two strategies or more, or set self_play: true")
    negotiations = len(found) * config.repetitions
    if negotiations > MAX_NEGOTIATIONS:
        raise RedlineError(f"{negotiations:,} negotiations, above the limit of "
                           f"{MAX_NEGOTIATIONS:,}", field="repetitions", hint=hint)
    turns = sum(config.repetitions * config.steps * agents_per_scenario[m.scenario]
                for m in found)
    if turns > MAX_TURNS:
        raise RedlineError(f"{turns:,} negotiation turns, above the limit of {MAX_TURNS:,}",
                           field="steps", hint=hint)


def match_seeds(seed: int, scenario: int, count: int) -> np.ndarray:
    """The simulation seeds of a scenario's ``count`` matches, in match order.

    Drawn from ``numpy.random.default_rng([seed, scenario])`` in the main process, so they do
    not depend on who runs the matches or how they are split into tasks.
    """
    return np.random.default_rng([seed, scenario]).integers(0, _SEED_MAX, size=count,
                                                            endpoint=True)


# ---------------------------------------------------------------- running matches

@dataclass(frozen=True)
class Task:
    """Matches of one scenario that one executor call runs."""

    scenario: int
    matches: tuple[Match, ...]


@dataclass(frozen=True)
class Settings:
    """What every match of a tournament shares."""

    strategies: tuple[Strategy, ...]
    protocol: str
    steps: int
    seed: int
    repetitions: int
    breakdown: float


def run_task(space: NegotiationSpace, task: Task, settings: Settings) -> dict[str, np.ndarray]:
    """Run a task's matches; the rows are in match order, ``repetitions`` rows per match, and
    utilities in the scenario's actor order.

    Returns
    -------
    dict
        ``agreement``, ``step``, ``reason``, ``blocker`` ``(M,)`` and ``strategy`` ``(M, A)``
        (the strategy of each actor).
    """
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("agreement", "step", "reason",
                                                          "blocker", "strategy")}
    reps = settings.repetitions
    _ = space.ranking  # sorted once per scenario; each rotation reuses its agents' (select)
    rotations: dict[tuple[int, ...], NegotiationSpace] = {}
    for match in task.matches:  # batches, each of all its repetitions at once
        order = list(match.actors)
        rotated = rotations.get(match.actors)
        if rotated is None:  # each rotation built once, whatever the pairing
            rotated = space.select(order)
            rotated = rotations[match.actors] = rotated.repeated(reps) if reps > 1 else rotated
        result = simulate(rotated, [settings.strategies[s] for s in match.strategies],
                          protocol=settings.protocol, steps=settings.steps,
                          seed=match.seed, breakdown=settings.breakdown,
                          models=opponent_models())
        strategy = np.empty(len(order), dtype=np.int64)
        strategy[order] = match.strategies
        blocker = result.blocker
        labels = result.blockers
        parts["agreement"].append(result.agreement)
        parts["step"].append(result.step)
        parts["reason"].append(result.reason)
        parts["blocker"].append(_relabel(blocker, labels, space, order))
        parts["strategy"].append(np.broadcast_to(strategy, (result.size, len(order))))
    return {k: np.concatenate(v) for k, v in parts.items()}


def blocker_names(space: NegotiationSpace) -> tuple[str, ...]:
    """The labels of what can stop talks on ``space``: its rules, then each actor's outside
    option (in the scenario's actor order)."""
    return tuple(r.id for r in space.rules) + tuple(f"{a}:outside_option" for a in space.actors)


def _relabel(blocker: np.ndarray, labels: Sequence[str], space: NegotiationSpace,
             order: Sequence[int]) -> np.ndarray:
    """Blocker indices of a rotated space as indices into :func:`blocker_names` of ``space``."""
    names = blocker_names(space)
    where = {name: k for k, name in enumerate(names)}
    table = np.array([where.get(label, -1) for label in labels] + [-1], dtype=np.int64)
    return table[np.where(blocker >= 0, blocker, len(labels))]


Executor = Callable[[Sequence[NegotiationSpace], Sequence[Task], Settings],
                    Iterator[dict[str, np.ndarray]]]


def in_process(spaces: Sequence[NegotiationSpace], tasks: Sequence[Task], settings: Settings
               ) -> Iterator[dict[str, np.ndarray]]:
    """Run the tasks here, in order."""
    for task in tasks:
        yield run_task(spaces[task.scenario], task, settings)


def dask_runner(*, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """An executor that runs the tasks on a local Dask cluster (``workers`` processes) or an
    existing one (``scheduler``), yielding their results in task order.

    The cluster comes from :func:`redline.uncertainty.executors.dask_client` (workers ignore
    Ctrl-C, which cancels the work and closes the cluster); each space is sent once.
    """
    from redline.uncertainty.executors import dask_client

    def run(spaces: Sequence[NegotiationSpace], tasks: Sequence[Task], settings: Settings
            ) -> Iterator[dict[str, np.ndarray]]:
        futures: list = []
        with dask_client(workers=workers, scheduler=scheduler, cancel=futures) as client:
            remote = [client.scatter(space, broadcast=True) for space in spaces]
            remote_settings = client.scatter(settings, broadcast=True)
            futures.extend(client.submit(run_task, remote[t.scenario], t, remote_settings,
                                         pure=False) for t in tasks)
            for future in futures:  # in task order: the results do not depend on timing
                yield future.result()
                future.release()

    return run


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class ScenarioTable:
    """The negotiations of one scenario, in match order, with their metrics.

    Attributes
    ----------
    name
        The scenario's name (its file or folder as the configuration gives it).
    space
        The negotiation space, in the scenario's actor order.
    matches
        Its matches; rows ``k * repetitions ... (k + 1) * repetitions - 1`` are match ``k``.
    strategy
        ``(M, A)`` the strategy (index into the configuration's) each actor played.
    agreement, step, reason, blocker
        ``(M,)`` as :class:`redline.simulate.result.SimulationResult` has them (blockers index
        :func:`blocker_names`).
    metrics
        :class:`redline.simulate.metrics.Metrics` of the rows.
    """

    name: str
    space: NegotiationSpace
    matches: tuple[Match, ...]
    strategy: np.ndarray
    agreement: np.ndarray
    step: np.ndarray
    reason: np.ndarray
    blocker: np.ndarray
    metrics: negotiation_metrics.Metrics


@dataclass(frozen=True)
class TournamentResult:
    """A tournament's negotiations, their metrics and the ranking of the strategies.

    ``to_dict()`` is ``redline tournament --json``: it depends only on the configuration and
    the scenarios (no timings), byte for byte.
    """

    config: TournamentConfig
    tables: tuple[ScenarioTable, ...]
    ranking: tuple[Standing, ...]
    seconds: float = field(default=0.0, compare=False)

    @property
    def negotiations(self) -> int:
        """How many negotiations ran."""
        return sum(int(t.agreement.size) for t in self.tables)

    def rows(self) -> Iterator[dict[str, Any]]:
        """The per-negotiation metrics table, one plain dict per negotiation, in order."""
        reps = self.config.repetitions
        number = 0
        for table in self.tables:
            space = table.space
            names = space.names()
            blockers = blocker_names(space)
            for b in range(table.agreement.size):
                match = table.matches[b // reps]
                values = table.metrics.row(b)
                agreed = int(table.agreement[b])
                yield {
                    "id": number,
                    "scenario": table.name,
                    "pairing": match.pairing,
                    "rotation": match.rotation,
                    "repetition": b % reps,
                    "first": space.actors[match.actors[0]],
                    "agents": [{"actor": space.actors[a], "name": names[a],
                                "strategy": self.config.strategies[int(table.strategy[b, a])],
                                "utility": values["utility"][a],
                                "advantage": values["advantage"][a]}
                               for a in range(space.n_agents)],
                    "agreement": space.package(agreed) if agreed >= 0 else None,
                    "step": int(table.step[b]),
                    "reason": REASONS[int(table.reason[b])],
                    "blocker": (blockers[int(table.blocker[b])] if table.blocker[b] >= 0
                                else None),
                    "welfare": values["welfare"],
                    "pareto_distance": values["pareto_distance"],
                    "nash_distance": values["nash_distance"],
                    "ks_distance": values["ks_distance"],
                }
                number += 1

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the configuration, the ranking and every negotiation's metrics."""
        return {
            "config": self.config.model_dump(mode="json"),
            "negotiations": self.negotiations,
            "ranking": [s.to_dict() for s in self.ranking],
            "scenarios": [{"name": t.name, "actors": list(t.space.actors),
                           "names": list(t.space.names()),
                           "negotiations": int(t.agreement.size),
                           "agreements": int(np.count_nonzero(t.agreement >= 0))}
                          for t in self.tables],
            "results": list(self.rows()),
        }

    def __repr__(self) -> str:
        top = self.ranking[0].strategy if self.ranking else "-"
        return (f"<TournamentResult {self.negotiations} negotiations, "
                f"{len(self.ranking)} strategies, best {top}>")


def run_tournament(config: TournamentConfig, spaces: Sequence[NegotiationSpace],
                   names: Sequence[str], *, executor: Executor | None = None
                   ) -> TournamentResult:
    """Run a tournament on already-built negotiation spaces.

    Parameters
    ----------
    config
        The tournament.
    spaces
        One per entry of ``config.scenarios``, each with exactly its negotiating agents in the
        scenario's order (one negotiation: a leading axis of 1).
    names
        The scenarios' names for the tables.
    executor
        :func:`in_process` (default) or :func:`dask_runner`.

    Returns
    -------
    TournamentResult
    """
    import time

    start = time.perf_counter()
    if len(spaces) != len(config.scenarios) or len(names) != len(spaces):
        raise ValueError("one space and one name per scenario of the configuration")
    for s, space in enumerate(spaces):
        if space.size != 1:
            raise ValueError(f"scenario {s}: one negotiation per space, got {space.size}")
        if config.protocol == "sao" and space.n_agents != 2:
            raise RedlineError(f"alternating offers (sao) is for two agents; this scenario "
                               f"has {space.n_agents}", field=f"scenarios[{s}]",
                               hint="name two with agents: [A, B], or use protocol: stacked")
    found = matches(config, [space.n_agents for space in spaces])
    settings = Settings(config.parsed(), config.protocol, config.steps, config.seed,
                        config.repetitions, config.breakdown)
    tasks = [Task(s, tuple(chunk)) for s, chunk in _chunks(found)]
    run = executor or in_process
    gathered: dict[int, list[dict[str, np.ndarray]]] = {s: [] for s in range(len(spaces))}
    for task, part in zip(tasks, run(spaces, tasks, settings), strict=True):
        gathered[task.scenario].append(part)
    tables = []
    for s, space in enumerate(spaces):
        parts = gathered[s]
        columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        size = columns["agreement"].size
        reservation = np.broadcast_to(space.reservation, (size, space.n_agents))
        found_here = tuple(m for m in found if m.scenario == s)
        tables.append(ScenarioTable(
            name=names[s], space=space, matches=found_here, strategy=columns["strategy"],
            agreement=columns["agreement"], step=columns["step"], reason=columns["reason"],
            blocker=columns["blocker"],
            metrics=negotiation_metrics.negotiation_metrics(
                space.utilities, reservation, space.allowed, columns["agreement"])))
    ranking = rank_strategies(
        config.strategies,
        np.concatenate([t.strategy.reshape(-1) for t in tables]),
        np.concatenate([t.metrics.advantage.reshape(-1) for t in tables]),
        np.concatenate([np.repeat(t.agreement >= 0, t.space.n_agents) for t in tables]),
        config.seed)
    return TournamentResult(config, tuple(tables), ranking, time.perf_counter() - start)


def _chunks(found: Sequence[Match]) -> Iterator[tuple[int, list[Match]]]:
    """Each scenario's matches in pieces of at most :data:`TASK_MATCHES`."""
    for s, group in itertools.groupby(found, key=lambda m: m.scenario):
        items = list(group)
        for start in range(0, len(items), TASK_MATCHES):
            yield s, items[start:start + TASK_MATCHES]
