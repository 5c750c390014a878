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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from redline.errors import RedlineError
from redline.scenario.compile import Draws, claim_codes, uncertain_inputs
from redline.scenario.model import Scenario
from redline.uncertainty.claims import claim_probabilities
from redline.uncertainty.limits import DRAWS_HINT, MAX_DRAWS
from redline.uncertainty.sweep import (
    MAX_CHUNK_DRAWS,
    check_sweep_size,
    draws_from_uniforms,
    prior_uniforms,
)


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

    @property
    def size(self) -> int:
        """The number of particles."""
        return int(self.weights.size)

    @property
    def is_prior(self) -> bool:
        """Whether no round conditions it (the weights are uniform)."""
        return not self.rounds


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``1 / sum w^2`` of normalised weights ``w`` (``D`` for equal
    weights, 1 when one particle carries all the weight)."""
    w = np.asarray(weights, dtype=float)
    return float(1.0 / np.dot(w, w))


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


def posterior(scenario: Scenario, *, draws: int, seed: int = 0, until: str | None = None,
              assume: Mapping[str, bool] | None = None) -> Posterior:
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

    Returns
    -------
    Posterior
    """
    if not 1 <= draws <= MAX_DRAWS:
        raise RedlineError(f"must be between 1 and {MAX_DRAWS:,} (got {draws})",
                           field="--draws", hint=DRAWS_HINT)
    assume = dict(assume or {})
    claim_codes(scenario, assume)  # validates the claim ids
    sampled, uniforms, matrix, names = prior_particles(scenario, draws, seed, assume)
    weights = np.full(draws, 1.0 / draws)
    return Posterior(scenario, sampled, uniforms, matrix, names, weights,
                     effective_sample_size(weights), seed, assume)
