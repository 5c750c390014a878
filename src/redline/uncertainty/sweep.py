"""Monte Carlo sweeps: the agreement-space analysis and a forecast over many draws.

Each draw picks a truth for every claim (with its probability; see :mod:`.claims`) and a value
for every uncertain input (see :mod:`redline.scenario.distributions`), compiles the scenario for
the whole batch at once (:func:`redline.scenario.compile.compile_batch`), and evaluates every
package in every draw with the agreement-space kernel (:mod:`redline.space.kernel`), the code
``analyze`` runs with one draw: utilities ``(draws, packages)`` per actor, the rejections of the
compiled rules and outside options (labelled by the rules themselves), the rules that bind, the
Nash and Kalai-Smorodinsky objectives and their tie rule. The forecast is the registry's model
(:mod:`redline.forecast.registry`) on the whole chunk.

Where ``analyze`` lists every undominated tie of a solution, a draw records one of them
(:func:`redline.space.kernel.undominated_tie`; docs/concepts.md, "Tolerances and caps").

Reproducibility: draws are made in chunks of a fixed size that depends only on the scenario, and
chunk ``k`` draws from ``numpy.random.default_rng([seed, k])`` — a counter-based stream. The
result is therefore identical whatever executor or number of workers runs the chunks.

Outputs (see :class:`SweepResult`): the probability that some package is acceptable to every
actor with a veto; how often each rule blocks a deal; the distribution of the Nash and
Kalai-Smorodinsky packages; each leading package's probability of being acceptable, overall and
to each actor; forecast quantiles per issue; and a sensitivity ranking of the uncertain inputs
(Spearman rank correlation with the agreement indicator and with each issue's forecast).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from numpy.random import default_rng  # see sample()

from redline.errors import RedlineError
from redline.forecast.base import salience_for
from redline.forecast.registry import (
    DEFAULT_MODEL,
    check_actor_count,
    get_model,
    model_conventions,
)
from redline.scenario.compile import (
    FALSE,
    TRUE,
    BatchDomain,
    Draws,
    claim_codes,
    compile_batch,
    uncertain_inputs,
)
from redline.scenario.distributions import as_sampled
from redline.scenario.labels import input_labels
from redline.scenario.model import Scenario
from redline.space import kernel
from redline.space.domain import approximate, package_count
from redline.space.packages import strides
from redline.uncertainty.acceptance import actor_rejections
from redline.uncertainty.claims import claim_probabilities
from redline.uncertainty.intervals import wilson_interval
from redline.uncertainty.limits import DRAWS_HINT, MAX_DRAWS
from redline.uncertainty.weighted import (
    weighted_interval,
    weighted_quantile,
    weighted_share,
    weighted_sum,
)

MAX_PACKAGES = 2_000_000
# One chunk's (draws x packages) arrays stay within this; see chunk_bytes_per_draw.
CHUNK_MEMORY_BYTES = 512 * 2**20
MAX_CHUNK_DRAWS = 2000
# Evaluations in one sweep, draws x packages x (actors + rules): about 20 s at this limit on an
# idle 2-core machine (docs/benchmarks.md). Beyond it the sweep is refused with a hint.
MAX_SWEEP_WORK = 1_000_000_000
# A forecast model's microsecond per draw, in those evaluations (about 20 ns each).
EVALUATIONS_PER_MICROSECOND = 50
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class SweepPlan:
    """Everything a chunk needs; picklable, so Dask workers can run chunks."""

    scenario: Scenario
    assume: Mapping[str, bool]
    model: str
    inputs: tuple[tuple[str, object, float, float], ...]
    probabilities: Mapping[str, float]
    options: np.ndarray  # (N, I) every package's options
    chunk_size: int
    particles: np.ndarray | None = None  # (D, inputs + claims) given draws as prior quantiles
    weights: np.ndarray | None = None  # (D,) their weights, scaled to mean 1 (None: equal)

    @property
    def n_packages(self) -> int:
        """Packages in the space (every one is evaluated in every draw)."""
        return int(self.options.shape[0])


def chunk_bytes_per_draw(n_packages: int, n_actors: int, n_rules: int) -> int:
    """Peak bytes one draw adds to a chunk: float64 utilities and gains per actor, the solution
    values and their temporaries, and a boolean mask per rule and per actor, per package."""
    return n_packages * (8 * (2 * n_actors + 8) + n_rules + 2 * n_actors + 8)


def check_sweep_size(scenario: Scenario, draws: int | None = None,
                     model: str | None = None) -> tuple[int, int]:
    """Refuse sweeps too large for memory or time; return ``(packages, chunk draws)``.

    Cheap (issue sizes and counts only), so it runs before anything is built.

    Parameters
    ----------
    scenario
        The scenario to sweep.
    draws
        The number of draws; ``None`` checks the package space and memory only.
    model
        The forecast model the sweep runs in every draw; its estimated time per draw
        (:class:`redline.forecast.base.DrawCost`) counts towards the work, at
        ``EVALUATIONS_PER_MICROSECOND``. ``None``: the packages' evaluation only.

    Raises
    ------
    RedlineError
        When the package space exceeds ``MAX_PACKAGES``, one draw exceeds
        ``CHUNK_MEMORY_BYTES``, or ``draws x (packages x (actors + rules) + the model's
        forecast)`` exceeds ``MAX_SWEEP_WORK``; the hint says what to coarsen or how many draws
        fit.
    """
    total = package_count(len(i.option_values()) for i in scenario.issues)
    if total > MAX_PACKAGES:
        raise RedlineError(
            f"the package space has {approximate(total)} packages; sweeps enumerate every "
            f"package in every draw and accept at most {MAX_PACKAGES:,}", field="issues",
            hint="coarsen the issues' steps or merge options for the sweep")
    n_actors = len(scenario.actors)
    n_rules = len(scenario.red_lines) + len(scenario.linkages) + 2 * len(scenario.ratification)
    per_draw = chunk_bytes_per_draw(total, n_actors, n_rules)
    if per_draw > CHUNK_MEMORY_BYTES:
        raise RedlineError(
            f"one draw needs about {per_draw / 2**20:,.0f} MB ({total:,} packages x "
            f"{n_actors} actors), above the sweep's budget of {CHUNK_MEMORY_BYTES / 2**20:,.0f} MB",
            field="issues", hint="coarsen the issues' steps, merge options or drop actors")
    evaluations = total * (n_actors + n_rules)
    forecast_us = 0.0 if model is None else model_conventions(model).draw_cost.microseconds(
        n_actors, len(scenario.issues))
    work = evaluations + math.ceil(EVALUATIONS_PER_MICROSECOND * forecast_us)
    if draws is not None and draws * work > MAX_SWEEP_WORK:
        fit = MAX_SWEEP_WORK // work
        what = f"{total:,} packages x {n_actors + n_rules} actors and rules"
        if forecast_us:
            what = f"({what} + the {model} model's forecast, about {forecast_us / 1000:,.1f} ms)"
        raise RedlineError(
            f"{draws:,} draws x {what} is {approximate(draws * work)} evaluations, above the "
            f"sweep's limit of {approximate(MAX_SWEEP_WORK)}", parameter="draws",
            hint=(f"use draws={fit:,} or fewer, or " if fit >= 1 else "")
            + ("a closed-form model such as compromise or median, or "
               if forecast_us > evaluations / EVALUATIONS_PER_MICROSECOND else "")
            + "coarsen the issues' steps")
    return total, int(max(1, min(MAX_CHUNK_DRAWS, CHUNK_MEMORY_BYTES // per_draw)))


def make_plan(scenario: Scenario, *, assume: Mapping[str, bool] | None = None,
              model: str = DEFAULT_MODEL, chunk_size: int | None = None,
              draws: int | None = None) -> SweepPlan:
    """Everything the chunks need; sizes are checked first (:func:`check_sweep_size`)."""
    get_model(model)  # an unknown name lists the valid ones, before any work
    total, size = check_sweep_size(scenario, draws, model)
    check_actor_count(model, len(scenario.actors))  # SMP's and BDM's cubic cost, per draw
    assume = dict(assume or {})
    claim_codes(scenario, assume)  # validates the claim ids
    radices = np.array([len(i.option_values()) for i in scenario.issues], dtype=np.int64)
    size = chunk_size or size
    return SweepPlan(
        scenario=scenario,
        assume=assume,
        model=model,
        inputs=tuple(uncertain_inputs(scenario)),
        probabilities=claim_probabilities(scenario),
        options=_all_options(total, radices),
        chunk_size=size,
    )


def _all_options(total: int, radices: np.ndarray) -> np.ndarray:
    """Every package's options, ``(total, n_issues)`` int32: :func:`decode` of every package,
    built a column at a time so the temporaries stay one column wide."""
    out = np.empty((total, radices.size), dtype=np.int32)
    numbers = np.arange(total, dtype=np.int64)
    for j, stride in enumerate(strides(radices)):
        out[:, j] = (numbers // stride) % radices[j]
    return out


def prior_uniforms(n_columns: int, seed: int, chunk: int, size: int) -> np.ndarray:
    """``(size, n_columns)`` uniform numbers of chunk ``chunk``: the prior quantiles of its draws.

    Column ``k`` is the ``k``-th ``rng.random(size)`` of ``numpy.random.default_rng([seed,
    chunk])``: one column per uncertain input, then one per claim (the order of
    :func:`draws_from_uniforms`), so the stream of chunk ``k`` is the same whoever draws it.
    """
    # default_rng is imported with this module, not as np.random on first use: numpy loads
    # numpy.random lazily, and a Ctrl-C during that import (C-extension set-up) can be lost.
    rng = default_rng([seed, chunk])
    return rng.random((n_columns, size)).T


def draws_from_uniforms(scenario: Scenario, inputs: Sequence[tuple[str, object, float, float]],
                        probabilities: Mapping[str, float], assume: Mapping[str, bool],
                        uniforms: np.ndarray, matrix: bool = True
                        ) -> tuple[Draws, np.ndarray | None]:
    """The draws at prior quantiles ``uniforms`` ``(D, len(inputs) + n_claims)``, and the drawn
    inputs as columns ``(D, n_inputs)`` (claims as 0/1).

    Each uncertain input is its distribution's inverse CDF at its column (clipped to the
    field's range); claim ``c`` is true where its column is below its probability, unless
    ``assume`` fixes it. Every draw is thus a point of the unit cube, under the prior uniform:
    the space the posterior's moves work in (:mod:`redline.uncertainty.posterior`).
    ``matrix=False`` skips the columns (``None``), for callers that only compile the draws.
    """
    uniforms = np.asarray(uniforms, dtype=float)
    size = uniforms.shape[0]
    values = {}
    columns = []
    for k, (path, dist, low, high) in enumerate(inputs):
        # The distribution whose mean the deterministic analysis uses (its point value).
        drawn = as_sampled(dist, low, high)  # type: ignore[arg-type]
        x = np.clip(drawn.quantile(uniforms[:, k]), low, high)  # type: ignore[union-attr]
        values[path] = x
        columns.append(x)
    claims = {}
    for j, claim in enumerate(scenario.claims):
        u = uniforms[:, len(inputs) + j]
        if claim.id in assume:
            claims[claim.id] = np.full(size, TRUE if assume[claim.id] else FALSE)
        else:
            claims[claim.id] = np.where(u < probabilities[claim.id], TRUE, FALSE)
        columns.append((claims[claim.id] == TRUE).astype(float))
    if not matrix:
        return Draws(size, values, claims), None
    return Draws(size, values, claims), (np.column_stack(columns) if columns
                                         else np.zeros((size, 0)))


def sample(plan: SweepPlan, seed: int, chunk: int, size: int) -> tuple[Draws, np.ndarray]:
    """Draws for chunk ``chunk``, and the sampled inputs as columns ``(size, n_inputs)``.

    With ``plan.particles`` (a posterior's particles, as prior quantiles) the chunk's rows of
    those are used instead of fresh prior draws.
    """
    if plan.particles is not None:
        start = chunk * plan.chunk_size
        uniforms = plan.particles[start:start + size]
    else:
        uniforms = prior_uniforms(len(plan.inputs) + len(plan.scenario.claims), seed, chunk,
                                  size)
    return draws_from_uniforms(plan.scenario, plan.inputs, plan.probabilities, plan.assume,
                               uniforms)


def _forecast(plan: SweepPlan, batch: BatchDomain) -> np.ndarray:
    """Forecast per draw and issue, ``(D, I)``: the registry's model on the whole batch.

    The model gets the draws as one batch (``predict``) and the saliences in the convention it
    declares (:func:`redline.forecast.base.salience_for`); what it does with them (one-issue
    runs, or SMP's multi-dimensional runs in lock-step) is its own business.
    """
    model = get_model(plan.model)
    salience = salience_for(model, batch.salience)
    return np.asarray(model.predict(batch.capability, batch.position, salience), dtype=float)


def run_chunk(plan: SweepPlan, seed: int, chunk: int, size: int) -> dict:
    """Evaluate one chunk of draws with the agreement-space kernel; returns plain arrays (sums
    and per-draw values) and the labels of the binding columns.

    Everything a package's acceptability and the solutions need comes from
    :mod:`redline.space.kernel`, the code :func:`redline.space.engine.analyze` runs with one
    draw: utilities kept per actor as ``(draws, packages)`` arrays, the rejection columns of the
    compiled rules (gated per draw by their claims) and outside options, the columns that bind,
    the Nash and Kalai-Smorodinsky objectives and the tie rule. Per draw, the Nash and K-S
    package is :func:`redline.space.kernel.undominated_tie` (-1 when there is no deal).
    """
    draws, inputs = sample(plan, seed, chunk, size)
    batch = compile_batch(plan.scenario, draws)
    utility = kernel.package_utilities(batch.tables)
    shape = (size, plan.n_packages)
    labels = kernel.columns(batch.constraints, batch.actors, batch.parties)
    rejected = kernel.rejections(batch.constraints, plan.options, utility, batch.disagreement,
                                 np.arange(len(labels)), active=batch.active)
    binding = [k for k, column in enumerate(labels) if column.binding]
    blocking = [rejected[k] for k in binding]
    broken = kernel.broken_counts(blocking, shape)
    ok = broken == 0  # (D, N)
    agreement = ok.any(axis=1)
    rejects, sole = kernel.rejection_counts(blocking, broken)  # (C, D)
    frees = sole > 0  # lifting the column would free some package in that draw
    nash, ks = _solutions(batch, utility, ok)
    out = {
        "inputs": inputs,
        "agreement": agreement,
        "forecast": _forecast(plan, batch),
        "nash": np.where(agreement, nash, -1),
        "ks": np.where(agreement, ks, -1),
        "columns": tuple((labels[k].id, labels[k].kind, labels[k].actor_id) for k in binding),
    }
    if plan.weights is None:
        out.update({
            "acceptable": np.count_nonzero(ok, axis=0),  # (N,) draws where each is acceptable
            "accepts": _accepts(labels, rejected, shape, len(batch.actors)),  # (A, N)
            "pivotal": np.count_nonzero(frees & ~agreement, axis=1),
            "freeing": np.count_nonzero(frees, axis=1),
            "rejected": rejects.sum(axis=1) / shape[1],
        })
        return out
    # Weighted draws: the same sums, each draw counted with its weight (mean 1), so that
    # dividing by the number of draws gives weighted shares.
    start = chunk * plan.chunk_size
    v = plan.weights[start:start + size]
    accepts = np.zeros((len(batch.actors), shape[1]))
    for a, mine in enumerate(actor_rejections(labels, rejected, shape, len(batch.actors))):
        accepts[a] = weighted_sum(v, ~mine)
    out.update({
        "acceptable": weighted_sum(v, ok),
        "accepts": accepts,
        "pivotal": weighted_sum(v, (frees & ~agreement).T),
        "freeing": weighted_sum(v, frees.T),
        "rejected": weighted_sum(v, rejects.T) / shape[1],
    })
    return out


def _accepts(labels: Sequence[kernel.Column], rejected: Sequence[np.ndarray],
             shape: tuple[int, int], n_actors: int) -> np.ndarray:
    """``(A, N)`` in how many draws each actor accepts each package: none of its own rules
    (binding or not) and not its outside option rejects it
    (:func:`redline.uncertainty.acceptance.actor_rejections`, one home for the rule)."""
    out = np.zeros((n_actors, shape[1]), dtype=np.int64)
    for a, mine in enumerate(actor_rejections(labels, rejected, shape, n_actors)):
        out[a] = shape[0] - np.count_nonzero(mine, axis=0)
    return out


def _solutions(batch: BatchDomain, utility: kernel.ByActor, ok: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Per draw, the kernel's pick of the Nash and of the Kalai-Smorodinsky package."""
    parties = batch.parties
    gains = kernel.veto_gains(utility, batch.disagreement, parties)
    sums = kernel.veto_sum(utility, parties)
    nash = kernel.undominated_tie(kernel.nash_product(gains),
                                  kernel.nash_product(gains, kernel.TIE_SHIFT), ok, sums)
    ideal = kernel.acceptable_ideal(utility, ok, np.flatnonzero(parties), len(batch.actors))
    spans = kernel.ks_spans(ideal, batch.disagreement, parties)
    ks = kernel.undominated_tie(kernel.ks_ratio(gains, spans),
                                kernel.ks_ratio(gains, spans, kernel.TIE_SHIFT), ok, sums)
    return nash, ks


@dataclass(frozen=True)
class SweepResult:
    """Aggregated sweep results; ``to_dict`` is the JSON form (``timings`` apart, it depends
    only on the scenario, the seed and the number of draws)."""

    plan: SweepPlan
    draws: int
    seed: int
    agreement: np.ndarray
    forecast: np.ndarray  # (draws, I)
    inputs: np.ndarray  # (draws, P)
    input_names: tuple[str, ...]
    nash: np.ndarray
    ks: np.ndarray
    acceptable: np.ndarray  # (N,)
    accepts: np.ndarray  # (A, N)
    blocking: list[dict]
    timings: dict[str, float] = field(default_factory=dict)
    posterior: object = None  # the Posterior whose weighted particles were swept, if any

    @property
    def weights(self) -> np.ndarray | None:
        """The draws' normalised weights (``None``: equal weights, the prior's draws, which are
        summarised exactly as a plain sweep's)."""
        post = self.posterior
        return None if post is None or post.is_prior else post.weights  # type: ignore

    @property
    def ess(self) -> float:
        """The effective sample size (the number of draws for equal weights)."""
        return float(self.draws) if self.posterior is None else float(self.posterior.ess)  # type: ignore

    def _share(self, mask: np.ndarray) -> float:
        """The (weighted) share of draws where ``mask`` holds."""
        w = self.weights
        return float(mask.mean()) if w is None else weighted_share(mask, w)

    @property
    def p_agreement(self) -> float:
        """The share of draws where some package is acceptable to every veto actor."""
        if not self.draws:
            return float("nan")
        return self._share(self.agreement)

    @property
    def p_agreement_interval(self) -> tuple[float, float]:
        """The 95% Wilson score interval of :attr:`p_agreement`
        (:func:`redline.uncertainty.intervals.wilson_interval`; for weighted draws with the
        effective sample size as the number of trials)."""
        if self.weights is not None:
            cell = weighted_interval(self.p_agreement, self.ess)
            return cell["low"], cell["high"]
        return wilson_interval(int(np.count_nonzero(self.agreement)), self.draws)

    def package(self, index: int) -> dict[str, str]:
        """``{issue id: option label}`` of package ``index``."""
        issues = self.plan.scenario.issues
        return {issue.id: issue.option_values()[int(o)][0]
                for issue, o in zip(issues, self.plan.options[index], strict=True)}

    def solution_distribution(self, which: np.ndarray, top: int = 10) -> list[dict]:
        """The ``top`` most frequent packages of per-draw picks ``which`` (-1: no deal), with
        their probabilities; most frequent first, then by package number."""
        values, inverse, counts = np.unique(which, return_inverse=True, return_counts=True)
        if self.weights is not None:  # weighted: each draw counts its weight
            mass = np.bincount(inverse.ravel(), weights=self.weights, minlength=values.size)
            order = np.lexsort((values, -mass))[:top]
            return [{"package": None if int(values[k]) < 0 else self.package(int(values[k])),
                     "probability": float(mass[k])} for k in order]
        order = np.lexsort((values, -counts))[:top]
        out = []
        for k in order:
            index = int(values[k])
            out.append({"package": None if index < 0 else self.package(index),
                        "probability": counts[k] / self.draws})
        return out

    def leading_packages(self, top: int = 5) -> list[dict]:
        """The ``top`` most frequent Nash and K-S packages: P(acceptable to all), each actor's
        P(accepts), and how often each is the Nash and the K-S package."""
        seen: list[int] = []
        for which in (self.nash, self.ks):
            values, inverse, counts = np.unique(which[which >= 0], return_inverse=True,
                                                return_counts=True)
            if self.weights is not None:
                counts = np.bincount(inverse.ravel(), weights=self.weights[which >= 0],
                                     minlength=values.size)
            for k in np.lexsort((values, -counts))[:top]:
                if int(values[k]) not in seen:
                    seen.append(int(values[k]))
        actors = [a.id for a in self.plan.scenario.actors]
        return [{
            "package": self.package(i),
            "p_acceptable": self.acceptable[i] / self.draws,
            "p_accepts": {a: self.accepts[k, i] / self.draws for k, a in enumerate(actors)},
            "p_nash": self._share(self.nash == i),
            "p_kalai_smorodinsky": self._share(self.ks == i),
        } for i in seen]

    def forecast_quantiles(self) -> dict[str, dict[str, float]]:
        """Per issue, the forecast's quantiles (:data:`QUANTILES`) and mean over draws."""
        out = {}
        w = self.weights
        for i, issue in enumerate(self.plan.scenario.issues):
            column = self.forecast[:, i]
            if w is not None:  # weighted quantiles (the inverse of the weighted ECDF)
                qs = weighted_quantile(column, w, QUANTILES)
                row = {f"q{int(q * 100):02d}": float(x) for q, x in zip(QUANTILES, qs,
                                                                        strict=True)}
                row["mean"] = float(weighted_sum(w, column))
            else:
                row = {f"q{int(q * 100):02d}": float(np.quantile(column, q))
                       for q in QUANTILES}
                row["mean"] = float(column.mean())
            out[issue.id] = row
        return out

    def sensitivity(self) -> list[dict]:
        """Spearman rank correlation of each uncertain input with each output (for weighted
        draws, the weighted Pearson correlation of the ranks); each row names the input by its
        path (``input``) and readable name (``label``,
        :func:`redline.scenario.labels.input_labels`). Worked out once per result (the JSON
        and the tornado figure both read it); each call returns fresh rows."""
        return [{**row, "rho": dict(row["rho"])} for row in self._sensitivity]

    @cached_property
    def _sensitivity(self) -> list[dict]:
        names = ["agreement"] + [f"forecast.{issue.id}" for issue in self.plan.scenario.issues]
        outputs = np.column_stack([self.agreement.astype(float), self.forecast])
        rho = rank_correlations(self.inputs, outputs, self.weights)
        labels = input_labels(self.plan.scenario, self.input_names)
        rows = []
        for j, name in enumerate(self.input_names):
            by_output = {k: float(rho[j, c]) for c, k in enumerate(names)}
            rows.append({"input": name, "label": labels[j], "rho": by_output,
                         "max_abs_rho": max((abs(v) for v in by_output.values()), default=0.0)})
        rows.sort(key=lambda r: (-r["max_abs_rho"], r["input"]))
        return rows

    def to_dict(self) -> dict:
        """The JSON form (the CLI's ``sweep --json``)."""
        return {
            "scenario": self.plan.scenario.scenario.id,
            "draws": self.draws,
            "seed": self.seed,
            "model": self.plan.model,
            "assume": dict(self.plan.assume),
            "claim_probabilities": {k: (1.0 if self.plan.assume.get(k) else 0.0)
                                    if k in self.plan.assume else v
                                    for k, v in self.plan.probabilities.items()},
            "p_agreement": self.p_agreement,
            "blocking": self.blocking,
            "solutions": {"nash": self.solution_distribution(self.nash),
                          "kalai_smorodinsky": self.solution_distribution(self.ks)},
            "leading_packages": self.leading_packages(),
            "forecast": self.forecast_quantiles(),
            "sensitivity": self.sensitivity(),
            "timings": dict(self.timings),
            **({} if self.posterior is None else {"posterior": _posterior_note(self)}),
        }


def _posterior_note(result: SweepResult) -> dict:
    """How the weighted draws were made: the rounds, the method and the ESS."""
    post = result.posterior
    shown = {r.id for r in result.plan.scenario.rounds if r.illustrative}
    return {"rounds": list(post.rounds), "method": post.method,  # type: ignore[attr-defined]
            "illustrative": [r for r in post.rounds if r in shown],  # type: ignore[attr-defined]
            "ess": result.ess, "interval": "wilson at the effective sample size"}


RANK_BLOCK_CELLS = 1 << 22
"""Most (draw, input) cells whose ranks :func:`rank_correlations` holds at once (32 MB of
float64), so a million-draw sweep's correlations stay in bounded memory."""


def average_ranks(x: np.ndarray) -> np.ndarray:
    """The average ranks of each column of ``x`` ``(D, K)``, from 0 (ties share the mean of
    their ranks, as Spearman's coefficient takes them), all columns at once.

    Parameters
    ----------
    x : numpy.ndarray
        ``(D, K)`` values, no NaN.

    Returns
    -------
    numpy.ndarray
        ``(D, K)`` float ranks: ``(first + last) / 2`` of each run of equal values in the
        column's stable sort, exact in floating point.
    """
    d, k = x.shape
    if d == 0:
        return np.zeros((0, k))
    order = np.argsort(x, axis=0, kind="stable")
    ranked = np.take_along_axis(x, order, axis=0)
    starts = np.ones((d, k), dtype=bool)
    starts[1:] = ranked[1:] != ranked[:-1]
    ends = np.ones((d, k), dtype=bool)
    ends[:-1] = starts[1:]
    index = np.arange(d)[:, None]
    first = np.maximum.accumulate(np.where(starts, index, 0), axis=0)
    last = np.minimum.accumulate(np.where(ends, index, d - 1)[::-1], axis=0)[::-1]
    ranks = np.empty((d, k))
    np.put_along_axis(ranks, order, (first + last) / 2.0, axis=0)
    return ranks


def rank_correlations(inputs: np.ndarray, outputs: np.ndarray,
                      weights: np.ndarray | None = None) -> np.ndarray:
    """Spearman's rank correlation of every input column with every output column: the
    Pearson correlation of their average ranks (Spearman 1904), weighted by ``weights`` when
    the draws are a posterior's (the weighted Pearson correlation of the ranks); exactly 0
    where either column is constant (an input fixed in a claim branch, say).

    Parameters
    ----------
    inputs : numpy.ndarray
        ``(D, J)`` the draws' inputs.
    outputs : numpy.ndarray
        ``(D, K)`` the draws' outputs.
    weights : numpy.ndarray, optional
        ``(D,)`` normalised weights; ``None``: equal weights.

    Returns
    -------
    numpy.ndarray
        ``(J, K)`` correlations in [-1, 1]. The inputs are ranked in blocks of columns
        (:data:`RANK_BLOCK_CELLS` cells at a time).
    """
    d, j = inputs.shape
    w = None if weights is None else np.asarray(weights, dtype=float)[:, None]

    def centred(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ranks = average_ranks(values)
        varies = (ranks != ranks[:1]).any(axis=0) if d else np.zeros(ranks.shape[1], bool)
        ranks -= ranks.mean(axis=0) if w is None else np.einsum("dc,dk->k", w, ranks)
        weighted = ranks if w is None else ranks * w
        return ranks, weighted, varies

    y, wy, y_varies = centred(outputs)
    y_scale = np.einsum("dk,dk->k", wy, y)
    out = np.zeros((j, outputs.shape[1]))
    step = max(1, RANK_BLOCK_CELLS // max(d, 1))
    for lo in range(0, j, step):
        x, wx, x_varies = centred(inputs[:, lo:lo + step])
        cross = np.einsum("dj,dk->jk", wx, y)
        scale = np.sqrt(np.outer(np.einsum("dj,dj->j", wx, x), y_scale))
        keep = np.outer(x_varies, y_varies) & (scale > 0)
        out[lo:lo + step] = np.where(keep, cross / np.where(keep, scale, 1.0), 0.0)
    return np.clip(out, -1.0, 1.0)


Executor = Callable[[SweepPlan, int, Sequence[tuple[int, int]], Callable[[int], None] | None],
                    list[dict]]


PER_DRAW_KEYS = ("inputs", "agreement", "forecast", "nash", "ks")
SUMMED_KEYS = ("acceptable", "accepts", "pivotal", "freeing", "rejected")
LABEL_KEY = "columns"  # (id, kind, actor id) of each binding column, in the summed arrays' order


def merge_parts(parts: Iterable[dict]) -> dict:
    """Fold chunk results in chunk order: per-draw arrays are joined, counts summed.

    It consumes ``parts`` one at a time, so only one chunk's per-package arrays are held beside
    the running sums (memory does not grow with the number of chunks). The sums run in the same
    order whatever the executor, so the numbers are identical.
    """
    per_draw: dict[str, list[np.ndarray]] = {key: [] for key in PER_DRAW_KEYS}
    sums: dict[str, np.ndarray] = {}
    labels: tuple = ()
    for part in parts:
        labels = part[LABEL_KEY]  # the same in every chunk: the compiled rules'
        for key in PER_DRAW_KEYS:
            per_draw[key].append(part[key])
        for key in SUMMED_KEYS:
            sums[key] = sums[key] + part[key] if key in sums else 0 + part[key]
    return {**{key: np.concatenate(arrays) for key, arrays in per_draw.items()}, **sums,
            LABEL_KEY: labels}


def in_process(plan: SweepPlan, seed: int, chunks: Sequence[tuple[int, int]],
               progress: Callable[[int], None] | None = None) -> list[dict]:
    """Run the chunks here, one after another; returns their merged result (one part)."""
    def results() -> Iterator[dict]:
        for chunk, size in chunks:
            yield run_chunk(plan, seed, chunk, size)
            if progress is not None:
                progress(size)

    return [merge_parts(results())]


def sweep(scenario: Scenario, *, draws: int, seed: int = 0,
          assume: Mapping[str, bool] | None = None, model: str = DEFAULT_MODEL,
          executor: Executor = in_process, progress: Callable[[int], None] | None = None,
          chunk_size: int | None = None, posterior=None) -> SweepResult:
    """Run ``draws`` Monte Carlo draws of ``scenario``; see the module docstring.

    ``draws`` lies in ``[1, MAX_DRAWS]``: every draw's inputs and results are kept. With
    ``posterior`` (a :class:`redline.uncertainty.posterior.Posterior` of ``scenario`` with
    ``draws`` particles) its weighted particles are swept instead of fresh prior draws (in its
    claim branch), through the same kernel; every share and quantile is then weighted.
    """
    if not 1 <= draws <= MAX_DRAWS:
        raise RedlineError(f"must be between 1 and {MAX_DRAWS:,} (got {draws})",
                           parameter="draws", hint=DRAWS_HINT)
    start = time.perf_counter()
    if posterior is not None:
        if posterior.size != draws:
            raise ValueError(f"the posterior has {posterior.size} particles, not {draws}")
        assume = posterior.assume
    plan = make_plan(scenario, assume=assume, model=model, chunk_size=chunk_size, draws=draws)
    if posterior is not None:
        plan = replace(plan, particles=posterior.uniforms,
                       weights=None if posterior.is_prior
                       else np.asarray(posterior.weights) * draws)
    chunks = [(k, min(plan.chunk_size, draws - k * plan.chunk_size))
              for k in range(-(-draws // plan.chunk_size))]
    merged = merge_parts(executor(plan, seed, chunks, progress))
    acceptable, accepts = merged["acceptable"], merged["accepts"]
    pivotal, freeing, rejected = merged["pivotal"], merged["freeing"], merged["rejected"]
    names = [path for path, *_ in plan.inputs] + [f"claim:{c.id}" for c in scenario.claims]
    blocking = _blocking_rows(merged["columns"], draws, pivotal, freeing, rejected)
    return SweepResult(
        plan=plan, draws=draws, seed=seed, agreement=merged["agreement"],
        forecast=merged["forecast"], inputs=merged["inputs"], input_names=tuple(names),
        nash=merged["nash"], ks=merged["ks"], acceptable=acceptable, accepts=accepts,
        blocking=blocking, timings={"sweep": time.perf_counter() - start},
        posterior=posterior,
    )


def _blocking_rows(columns: Sequence[tuple[str, str, str]], draws: int, pivotal: np.ndarray,
                  freeing: np.ndarray, rejected: np.ndarray) -> list[dict]:
    """One row per binding column (labelled by :func:`run_chunk` from the compiled rules): the
    share of draws it blocks every deal in, frees some package in, and the packages it
    rejects per draw on average."""
    rows = [{"id": i, "kind": k, "actor": a, "blocks": float(p) / draws,
             "frees_packages": float(f) / draws, "rejects": float(r) / draws}
            for (i, k, a), p, f, r in zip(columns, pivotal, freeing, rejected, strict=True)]
    rows.sort(key=lambda r: (-r["blocks"], -r["frees_packages"], -r["rejects"], r["id"]))
    return rows
