"""The posterior over a scenario's uncertain inputs: weighted particles.

A *particle* is one draw of every uncertain input and every claim, kept as its prior quantiles:
a point ``u`` of the unit cube, one coordinate per input (its distribution's inverse CDF at
``u_k``, :meth:`redline.scenario.distributions._Dist.quantile`) and one per claim (true where
``u_k`` is below its probability). Under the prior ``u`` is uniform, so the prior draws are
exactly a sweep's (:func:`redline.uncertainty.sweep.prior_uniforms`: chunk ``k`` from
``default_rng([seed, k])``, chunks of the sweep's size), and a sweep on the particles
(:class:`redline.uncertainty.sweep.SweepPlan` ``particles``) evaluates the same draws.

Without rounds the posterior is the prior: every particle has weight ``1 / D`` and the
effective sample size (Kish 1965) ``ESS = 1 / sum w^2`` is ``D``.

With rounds (:mod:`redline.uncertainty.rounds`: the observations and their trembling-hand
likelihood) the prior particles are first importance-weighted, ``w_d ∝ L(rounds | u_d)``. When
that leaves an ESS of at least :data:`ESS_THRESHOLD` of the draws, that is the posterior.
Otherwise it runs data-sequential Monte Carlo with resample-move steps (Gilks & Berzuini 2001;
Chopin 2002, "A sequential particle filter method for static models", Biometrika 89; Del
Moral, Doucet & Jasra 2006, "Sequential Monte Carlo samplers", JRSS B 68): the rounds are
added in date order; after each the particles are reweighted by its likelihood, and when the
ESS falls below the threshold they are resampled (systematic resampling, Kitagawa 1996) and
moved by Metropolis-Hastings steps that leave the current posterior ``prior x L(rounds so
far)`` invariant: at least :data:`MIN_MOVE_STEPS`, at most :data:`MOVE_STEPS`, and no more once
:data:`MOVED_SHARE` of the particles have moved at least once (each resampled copy has then
left its twins with that probability: the adaptive number of steps of Drovandi & Pettitt 2011,
"Estimation of parameters for macroparasite population evolution using approximate Bayesian
computation", Biometrics 67, who choose it so that each particle moves with probability
``1 - c``; South, Pettitt & Drovandi 2019). The moves do not change the distribution the
resampled particles target (each step leaves it invariant); they only undo the duplicates, so
fewer steps cost precision, not bias. The steps work in the prior-quantile cube, where the
prior is uniform, so a symmetric proposal is accepted with probability
``min(1, L(u') / L(u))``:

* the inputs take a Gaussian random-walk step reflected at 0 and 1 (the reflected kernel is
  symmetric), per coordinate :data:`RW_SCALE` ``/ sqrt(P)`` times the particles' spread
  (Roberts, Gelman & Gilks 1997), at least :data:`MIN_STEP`;
* each claim is redrawn from its prior with probability :data:`CLAIM_REFRESH` (a symmetric
  independence proposal: the claim flips with its prior odds).

When a round leaves fewer than :data:`MIN_ESS` effective particles there is too little to
resample from, and the update fails with one line saying how many draws would be needed.

Reproducibility: the prior particles are the sweep's; resampling round ``t`` draws from
``default_rng([seed, SMC_STREAM, t])`` and move step ``j`` of round ``t`` on chunk ``k`` of the
particles from ``default_rng([seed, SMC_STREAM, t, j, k])`` (counter-based streams), with
chunks of a size fixed by the scenario, so the result does not depend on how it is run.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from redline.errors import RedlineError
from redline.scenario.compile import Draws, claim_codes, uncertain_inputs
from redline.scenario.model import Scenario
from redline.uncertainty.claims import claim_probabilities
from redline.uncertainty.executors import ChunkMap, map_in_process
from redline.uncertainty.limits import DRAWS_HINT, MAX_DRAWS
from redline.uncertainty.rounds import (
    Evidence,
    evidence,
    evidence_chunk,
    likelihood_terms,
    observation_hits,
    reproduced_rounds,
)
from redline.uncertainty.sweep import (
    MAX_CHUNK_DRAWS,
    check_sweep_size,
    default_rng,
    draws_from_uniforms,
    prior_uniforms,
)
from redline.uncertainty.weighted import effective_sample_size

ESS_THRESHOLD = 0.5
"""Importance weighting suffices while the ESS is at least this share of the draws; below it,
resample-move (the usual choice, Del Moral, Doucet & Jasra 2006, sec. 3.3.2)."""
MIN_ESS = 20.0
"""Below this many effective particles (or a tenth of the draws, if fewer) a round leaves too
little to resample from: the update fails and says how many draws it needs."""
MOVE_STEPS = 8
"""At most this many Metropolis-Hastings steps per move (each a full pass over the
particles)."""
MIN_MOVE_STEPS = 3
"""At least this many Metropolis-Hastings steps per move."""
MOVED_SHARE = 0.95
"""A move stops once this share of the particles has moved at least once since the resampling
(``1 - c`` with ``c = 0.05``; Drovandi & Pettitt take ``c = 0.01`` of a pilot step's mean
acceptance rate, which overstates how many particles move when the rate varies between
them). Over 2,000 calibration replications (the fixture of
``tests/uncertainty/test_posterior_calibration.py``, 90% of them resample-move) the 90%
intervals cover the truth as often as with 8 steps every time: 89.4-91.9% against
89.6-91.9% per kind of input and the claim (docs/benchmarks.md)."""
RW_SCALE = 2.38
"""The random walk's step per coordinate, over ``sqrt(P)``, in units of the particles' spread
(Roberts, Gelman & Gilks 1997, the optimal scale for Gaussian targets)."""
MIN_STEP = 0.01
"""The smallest random-walk step in the prior-quantile cube."""
CLAIM_REFRESH = 0.25
"""The probability that a move step redraws a claim from its prior."""
SMC_STREAM = 1_000_003
"""Tags the SMC's random streams apart from the prior's ``[seed, chunk]``."""
RESAMPLE_STREAM = 1_000_033
"""Tags the stream of :func:`resampled` apart from the prior's and the SMC's."""


@dataclass(frozen=True)
class Posterior:
    """Weighted particles: the posterior over the uncertain inputs (see the module docstring).

    Attributes
    ----------
    scenario
        The scenario.
    draws
        Every particle's inputs and claim truths (:class:`redline.scenario.compile.Draws`).
    uniforms
        ``(D, K)`` the particles as prior quantiles (inputs, then claims).
    inputs
        ``(D, P)`` the uncertain inputs' values, claims as 0/1, in :attr:`input_names` order.
    input_names
        The inputs' paths, then ``claim:<id>`` per claim (as a sweep names them).
    weights
        ``(D,)`` normalised weights, summing to 1.
    ess
        The effective sample size ``1 / sum w^2``.
    seed
        The seed.
    assume
        The claim branch ``{claim id: truth}`` (empty: integrated over the claims).
    rounds
        The ids of the rounds the posterior is conditioned on, in date order (empty: the
        prior).
    method
        ``"prior"`` (no rounds), ``"importance"`` (importance weights of the prior draws) or
        ``"smc"`` (resample-move).
    log_likelihood
        ``(D, R)`` each particle's log-likelihood of each round (``None`` without rounds).
    diagnostics
        ``resamples`` (how many), ``acceptance`` (the move steps' mean acceptance rate),
        ``move_steps`` (the Metropolis-Hastings steps of every move so far),
        ``distinct`` (distinct particles at the end), ``importance_ess`` (the ESS of plain
        importance weighting).
    prior_fits
        ``(D_prior, R)`` bool: whether each *prior* particle reproduces every response of each
        round (from the likelihood's own pass; ``None`` without rounds), for
        :func:`redline.uncertainty.update.prior_fits`.
    """

    scenario: Scenario
    draws: Draws
    uniforms: np.ndarray
    inputs: np.ndarray
    input_names: tuple[str, ...]
    weights: np.ndarray
    ess: float
    seed: int
    assume: Mapping[str, bool] = field(default_factory=dict)
    rounds: tuple[str, ...] = ()
    method: str = "prior"
    log_likelihood: np.ndarray | None = None
    diagnostics: Mapping[str, object] = field(default_factory=dict)
    prior_fits: np.ndarray | None = None

    @property
    def size(self) -> int:
        """The number of particles."""
        return int(self.weights.size)

    @property
    def is_prior(self) -> bool:
        """Whether no round conditions it (the weights are uniform)."""
        return not self.rounds


def draw_chunk_size(scenario: Scenario) -> int:
    """The draws per chunk of the prior stream: the sweep's chunk size where the space can be
    swept (so the prior particles are the sweep's draws), else :data:`MAX_CHUNK_DRAWS`."""
    try:
        return check_sweep_size(scenario)[1]
    except RedlineError:
        return MAX_CHUNK_DRAWS


def prior_particles(scenario: Scenario, draws: int, seed: int,
                    assume: Mapping[str, bool] | None = None
                    ) -> tuple[Draws, np.ndarray, np.ndarray, tuple[str, ...]]:
    """``draws`` prior particles: the draws, their prior quantiles ``(D, K)``, the inputs
    ``(D, P)`` and the inputs' names; the sweep's draws for the same seed."""
    assume = dict(assume or {})
    inputs = uncertain_inputs(scenario)
    width = len(inputs) + len(scenario.claims)
    size = draw_chunk_size(scenario)
    blocks = [prior_uniforms(width, seed, k, min(size, draws - k * size))
              for k in range(-(-draws // size))]
    uniforms = np.concatenate(blocks) if blocks else np.zeros((0, width))
    sampled, matrix = draws_from_uniforms(scenario, inputs, claim_probabilities(scenario),
                                          assume, uniforms)
    names = tuple([path for path, *_ in inputs] + [f"claim:{c.id}" for c in scenario.claims])
    return sampled, uniforms, matrix, names




@dataclass(frozen=True)
class _Target:
    """What the likelihood needs, fixed for one update."""

    scenario: Scenario
    inputs: tuple
    probabilities: Mapping[str, float]
    assume: Mapping[str, bool]
    found: Evidence
    chunk: int  # particles per chunk of the moves (the prior stream's)

    def log_likelihoods(self, uniforms: np.ndarray, executor: ChunkMap = map_in_process
                        ) -> np.ndarray:
        """``(D, R)`` per particle and round, computed in chunks of bounded memory."""
        return self.likelihoods_and_fits(uniforms, executor)[0]

    def likelihoods_and_fits(self, uniforms: np.ndarray, executor: ChunkMap = map_in_process
                             ) -> tuple[np.ndarray, np.ndarray]:
        """``(D, R)`` log-likelihoods and ``(D, R)`` whether each particle reproduces every
        response of each round (:func:`redline.uncertainty.rounds.reproduced_rounds`), from
        one pass of the kernel, in chunks of bounded memory mapped over ``executor``
        (:mod:`redline.uncertainty.executors`) and put together in chunk order."""
        size = evidence_chunk(self.scenario, int(self.found.indices.size))
        shape = (uniforms.shape[0], len(self.found.rounds))
        out, fits = np.empty(shape), np.empty(shape, dtype=bool)
        starts = range(0, uniforms.shape[0], size)
        parts = executor(_likelihood_chunk, self, [uniforms[s:s + size] for s in starts])
        for start, (terms, reproduced) in zip(starts, parts, strict=True):
            out[start:start + size] = terms
            fits[start:start + size] = reproduced
        return out, fits


def _likelihood_chunk(target: _Target, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One chunk of :meth:`_Target.likelihoods_and_fits`: ``(d, R)`` log-likelihoods and
    reproduced rounds of the particles ``uniforms``."""
    draws, _ = draws_from_uniforms(target.scenario, target.inputs, target.probabilities,
                                   target.assume, uniforms, matrix=False)
    hits = observation_hits(target.scenario, draws, target.found)
    return likelihood_terms(target.found, hits), reproduced_rounds(target.found, hits)


def normalised(log_weights: np.ndarray) -> np.ndarray:
    """Weights ``exp(log_weights)`` normalised to sum 1 (all zero if every one is ``-inf``)."""
    top = np.max(log_weights) if log_weights.size else -np.inf
    if not np.isfinite(top):
        return np.zeros_like(log_weights)
    w = np.exp(log_weights - top)
    return w / w.sum()


def systematic_resample(weights: np.ndarray, u: float) -> np.ndarray:
    """Systematic resampling (Kitagawa 1996): indices of ``D`` particles, particle ``d`` taken
    ``floor`` or ``ceil`` of ``D w_d`` times, from one uniform number ``u`` in [0, 1)."""
    n = weights.size
    cumulative = np.cumsum(weights)
    cumulative[-1] = 1.0
    return np.minimum(np.searchsorted(cumulative, (np.arange(n) + u) / n, side="right"), n - 1)


def resampled(post: Posterior) -> tuple[Draws, np.ndarray]:
    """The posterior's particles as equally weighted draws, for runs that take unweighted
    draws (a simulation's batch of negotiations): systematic resampling by the weights
    (:func:`systematic_resample`), from a stream of the posterior's seed.

    Parameters
    ----------
    post
        The posterior.

    Returns
    -------
    tuple
        The draws (``post.size`` of them; particle ``d`` appears ``floor`` or ``ceil`` of
        ``D w_d`` times, in particle order) and ``(D,)`` the particle each one is.
    """
    if post.is_prior:
        keep = np.arange(post.size)
    else:
        u = float(default_rng([post.seed, RESAMPLE_STREAM]).random())
        keep = systematic_resample(post.weights, u)
    draws = post.draws
    return Draws(int(keep.size),
                 {k: np.asarray(v)[keep] for k, v in draws.values.items()},
                 {k: np.asarray(v)[keep] for k, v in draws.claims.items()}), keep


def distinct_rows(x: np.ndarray) -> int:
    """The number of distinct rows of ``x`` (``np.unique(x, axis=0)``'s, rows compared as
    numbers), from a sort of one 64-bit hash per row; rows whose hashes tie are compared in
    full, and a tie of different rows falls back to ``np.unique``."""
    x = np.ascontiguousarray(x, dtype=float) + 0.0  # -0.0 as 0.0, as numbers compare
    if x.shape[0] < 2:
        return int(x.shape[0])
    bits = x.view(np.uint64)
    digest = np.zeros(x.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(bits.shape[1]):  # a polynomial hash over the columns, wrapping
            digest = digest * np.uint64(0x100000001B3) + bits[:, k]
    order = np.argsort(digest, kind="stable")
    tie = digest[order][1:] == digest[order][:-1]
    if not tie.any():
        return int(x.shape[0])
    first, second = order[:-1][tie], order[1:][tie]
    if not (bits[first] == bits[second]).all():  # a collision: count the slow way
        return int(np.unique(x, axis=0).shape[0])
    return int(x.shape[0] - np.count_nonzero(tie))


def reflect(x: np.ndarray) -> np.ndarray:
    """``x`` folded into [0, 1] by reflection at 0 and 1 (period 2), kept below 1."""
    y = np.mod(x, 2.0)
    y = np.where(y > 1.0, 2.0 - y, y)
    return np.minimum(y, np.nextafter(1.0, 0.0))


def _move(target: _Target, uniforms: np.ndarray, loglik: np.ndarray, upto: int, seed: int,
          t: int, executor: ChunkMap = map_in_process
          ) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Metropolis-Hastings steps leaving ``prior x L(rounds[:upto])`` invariant, until
    :data:`MOVED_SHARE` of the particles have moved (between :data:`MIN_MOVE_STEPS` and
    :data:`MOVE_STEPS` steps; see the module docstring); returns the particles, their ``(D, R)``
    log-likelihoods, the mean acceptance rate and the number of steps. The decision to stop
    is taken on the whole population after each step, so it does not depend on the chunks."""
    n, width = uniforms.shape
    n_inputs = len(target.inputs)
    claims = np.arange(n_inputs, width)
    spread = uniforms[:, :n_inputs].std(axis=0) if n_inputs else np.zeros(0)
    step = np.maximum(RW_SCALE / math.sqrt(max(n_inputs, 1)) * spread, MIN_STEP)
    rates = []
    moved = np.zeros(n, dtype=bool)
    for j in range(MOVE_STEPS):
        proposal = uniforms.copy()
        log_u = np.empty(n)
        for k, start in enumerate(range(0, n, target.chunk)):
            rows = slice(start, min(n, start + target.chunk))
            m = rows.stop - rows.start
            rng = default_rng([seed, SMC_STREAM, t, j, k])
            z = rng.standard_normal((m, n_inputs))
            proposal[rows, :n_inputs] = reflect(uniforms[rows, :n_inputs] + step * z)
            fresh = rng.random((m, claims.size))
            redraw = rng.random((m, claims.size)) < CLAIM_REFRESH
            proposal[rows, n_inputs:] = np.where(redraw, fresh, uniforms[rows, n_inputs:])
            log_u[rows] = np.log(rng.random(m))
        proposed = target.log_likelihoods(proposal, executor)
        with np.errstate(invalid="ignore"):
            ratio = proposed[:, :upto].sum(axis=1) - loglik[:, :upto].sum(axis=1)
        accept = log_u < np.nan_to_num(ratio, nan=-np.inf)
        uniforms = np.where(accept[:, None], proposal, uniforms)
        loglik = np.where(accept[:, None], proposed, loglik)
        rates.append(float(accept.mean()))
        moved |= accept
        if j + 1 >= MIN_MOVE_STEPS and np.count_nonzero(moved) >= MOVED_SHARE * n:
            break
    return uniforms, loglik, float(np.mean(rates)), len(rates)


def _too_few(found: Evidence, t: int, ess: float, draws: int, floor: float) -> RedlineError:
    """The error of a round that leaves fewer than ``floor`` effective particles."""
    event = found.rounds[t]
    if not ess > 0:
        return RedlineError(
            f"no draw of {draws:,} reproduces the rounds up to {event.id!r} ({event.date})",
            field=f"rounds.{event.id}",
            hint="a round with tremble 0 rules out every draw that disagrees with it; give it "
            "a tremble above 0, or use more draws")
    needed = int(math.ceil(draws * floor / ess))
    if needed <= MAX_DRAWS:
        more = f"use draws={needed} or more"
    else:
        more = (f"about {needed:,} draws would be needed, above the limit of {MAX_DRAWS:,}; "
                "widen the priors or raise the rounds' tremble")
    return RedlineError(
        f"the rounds up to {event.id!r} ({event.date}) leave an effective sample of "
        f"{ess:.1f} of {draws:,} draws, below {floor:g}", parameter="draws", hint=more)


def _filter(target: _Target, uniforms: np.ndarray, loglik: np.ndarray, seed: int,
            stats: dict, executor: ChunkMap = map_in_process
            ) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Data-sequential SMC: yields ``(t, uniforms, weights, loglik)`` after each round ``t``."""
    n = uniforms.shape[0]
    floor = min(MIN_ESS, 0.1 * n)
    log_w = np.zeros(n)
    for t in range(loglik.shape[1]):
        log_w = log_w + loglik[:, t]
        weights = normalised(log_w)
        ess = effective_sample_size(weights) if weights.any() else 0.0
        if ess < floor:
            raise _too_few(target.found, t, ess, n, floor)
        if ess < ESS_THRESHOLD * n:
            u = float(default_rng([seed, SMC_STREAM, t]).random())
            keep = systematic_resample(weights, u)
            uniforms, loglik = uniforms[keep], loglik[keep]
            uniforms, loglik, rate, steps = _move(target, uniforms, loglik, t + 1, seed, t,
                                                  executor)
            stats["resamples"] += 1
            stats["rates"].append(rate)
            stats["move_steps"].append(steps)
            log_w = np.zeros(n)
            weights = np.full(n, 1.0 / n)
        yield t, uniforms, weights, loglik


def _target(scenario: Scenario, until: str | None, assume: Mapping[str, bool]) -> _Target:
    return _Target(scenario, tuple(uncertain_inputs(scenario)), claim_probabilities(scenario),
                   dict(assume), evidence(scenario, until), draw_chunk_size(scenario))


def _particles(target: _Target, uniforms: np.ndarray, weights: np.ndarray, seed: int,
               method: str, loglik: np.ndarray | None, diagnostics: dict,
               drawn: tuple[Draws, np.ndarray] | None = None,
               fits: np.ndarray | None = None) -> Posterior:
    sampled, matrix = drawn or draws_from_uniforms(target.scenario, target.inputs,
                                                   target.probabilities, target.assume,
                                                   uniforms)
    names = tuple([path for path, *_ in target.inputs]
                  + [f"claim:{c.id}" for c in target.scenario.claims])
    return Posterior(target.scenario, sampled, uniforms, matrix, names, weights,
                     effective_sample_size(weights), seed, dict(target.assume),
                     target.found.ids, method, loglik, diagnostics, fits)


def _check(scenario: Scenario, draws: int, assume: Mapping[str, bool] | None) -> dict:
    if not 1 <= draws <= MAX_DRAWS:
        raise RedlineError(f"must be between 1 and {MAX_DRAWS:,} (got {draws})",
                           parameter="draws", hint=DRAWS_HINT)
    assume = dict(assume or {})
    claim_codes(scenario, assume)  # validates the claim ids
    return assume


def history(scenario: Scenario, *, draws: int, seed: int = 0, until: str | None = None,
            assume: Mapping[str, bool] | None = None,
            executor: ChunkMap = map_in_process) -> Iterator[Posterior]:
    """The posterior after each round in date order (up to ``until``), then nothing more: the
    last one is :func:`posterior`'s. The prior comes first.

    Parameters and errors are those of :func:`posterior`.
    """
    assume = _check(scenario, draws, assume)
    target = _target(scenario, until, assume)
    sampled, uniforms, matrix, _ = prior_particles(scenario, draws, seed, assume)
    drawn = (sampled, matrix)  # importance weights keep the prior's particles
    uniform = np.full(draws, 1.0 / draws)
    prior = _particles(replace_rounds(target, 0), uniforms, uniform, seed, "prior", None,
                       {}, drawn)
    yield prior
    if not target.found.rounds:
        return
    loglik, fits = target.likelihoods_and_fits(uniforms, executor)
    importance = normalised(loglik.sum(axis=1))
    ess = effective_sample_size(importance) if importance.any() else 0.0
    if ess >= ESS_THRESHOLD * draws:
        for t in range(loglik.shape[1]):
            weights = normalised(loglik[:, :t + 1].sum(axis=1))
            yield _particles(replace_rounds(target, t + 1), uniforms, weights, seed,
                             "importance", loglik, {"importance_ess": ess, "resamples": 0},
                             drawn, fits)
        return
    stats: dict = {"resamples": 0, "rates": [], "move_steps": []}
    for t, moved, weights, moved_loglik in _filter(target, uniforms, loglik, seed, stats,
                                                   executor):
        if stats.get("distinct_of") is not moved:  # distinct particles change only when moved
            stats["distinct"] = distinct_rows(moved)
            stats["distinct_of"] = moved
            # the particles' draws, once per set of particles
            stats["drawn"] = drawn if moved is uniforms else None
        diagnostics = {"importance_ess": ess, "resamples": stats["resamples"],
                       "acceptance": float(np.mean(stats["rates"])) if stats["rates"] else None,
                       "distinct": stats["distinct"],
                       "move_steps": sum(stats["move_steps"])}
        post = _particles(replace_rounds(target, t + 1), moved, weights, seed, "smc",
                          moved_loglik, diagnostics, stats["drawn"], fits=fits)
        stats["drawn"] = (post.draws, post.inputs)
        yield post


def replace_rounds(target: _Target, count: int) -> _Target:
    """``target`` with only its first ``count`` rounds (for the history's labels)."""
    found = target.found
    kept = Evidence(found.rounds[:count], tuple(o for o in found.observations
                                                if o.round < count),
                    found.indices, found.options)
    return _Target(target.scenario, target.inputs, target.probabilities, target.assume, kept,
                   target.chunk)


def posterior(scenario: Scenario, *, draws: int, seed: int = 0, until: str | None = None,
              assume: Mapping[str, bool] | None = None,
              executor: ChunkMap = map_in_process) -> Posterior:
    """The posterior over ``scenario``'s uncertain inputs given its rounds up to ``until``.

    Parameters
    ----------
    scenario
        The scenario.
    draws
        The number of particles, in ``[1, MAX_DRAWS]``.
    seed
        The seed: the same seed gives the same particles and weights.
    until
        An ISO date: only rounds dated on or before it count (``None``: all).
    assume
        A claim branch ``{claim id: truth}``; unknown claims are refused.
    executor
        Where the likelihood's chunks of particles run (:mod:`redline.uncertainty.executors`,
        a chunk map; default in process): the same numbers on any.

    Returns
    -------
    Posterior
        Importance weights of the prior draws, or resample-move particles (see the module
        docstring).

    Raises
    ------
    RedlineError
        For bad draws, claims or dates, and when a round leaves fewer than :data:`MIN_ESS`
        effective particles (the line says how many draws are needed).
    """
    (last,) = deque(history(scenario, draws=draws, seed=seed, until=until, assume=assume,
                            executor=executor), maxlen=1)
    return last
