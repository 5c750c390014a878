"""The rounds of the talks as evidence: observations and their likelihood, per draw.

Each round (:class:`redline.scenario.model.Round`) gives one or more *observations*: an actor
was seen to accept or to reject a set of packages.

* A response to a text (a proposal, or a package) gives one observation per actor responding.
  The set is the text's completions (:func:`redline.space.proposals.completions`): a partial
  text leaves issues open, and "accepted" means the actor accepts *some* completion.
* A stated position (``actor`` rejects ``{issue: option}``) is the observation "rejected" on
  every package with those options: the model gives it when the actor accepts none of them.

An actor accepts a package in a draw when none of its own rules and not its outside option
rejects it (:mod:`redline.uncertainty.acceptance`).

Likelihood (a trembling-hand model, after Selten 1975): an observation has probability
``1 - eps`` in a draw whose model gives that response and ``eps`` otherwise; observations are
independent given the draw, so a draw's log-likelihood is the sum of ``log(1 - eps)`` and
``log(eps)`` terms (:func:`log_likelihoods`, kept per round so the posterior can add the rounds
one at a time).

The tremble ``eps``
    A round's own ``tremble`` if it gives one. Otherwise, when none of its sources states a
    reliability, :data:`DEFAULT_TREMBLE`. Otherwise the report itself may be wrong: the sources
    that state a reliability are combined as independent witnesses from even odds (as claims
    are, :mod:`redline.uncertainty.claims`) into ``r``, the probability the report is right;
    a wrong report shows the opposite response. Two independent binary errors (the actor's
    tremble ``eps0 = DEFAULT_TREMBLE``, then the report's ``1 - r``) compose to

        eps = eps0 r + (1 - eps0)(1 - r) = eps0 + (1 - 2 eps0)(1 - r),

    which is ``eps0`` for a perfectly reliable source and 0.5 (no evidence) for a coin flip;
    a source below 0.5 is counted as 0.5 (a report is never evidence for its opposite).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from redline.errors import RedlineError
from redline.scenario.compile import compile_batch, to_domain
from redline.scenario.model import MAX_TREMBLE, Round, Scenario
from redline.space.packages import decode
from redline.space.proposals import completions, fixed_options
from redline.uncertainty.acceptance import verdicts
from redline.uncertainty.claims import RELIABILITY_FLOOR

DEFAULT_TREMBLE = 0.05
"""The probability that an observed response is not the one the draw's model gives, when
nothing says otherwise. One observation then moves a draw's odds by ``(1 - eps) / eps = 19``,
as a report from a source of reliability 0.95 moves a claim's: strong evidence, yet no single
misreported or out-of-character answer can rule a draw out (with ``eps = 0`` one would)."""

EVIDENCE_CHUNK_BYTES = 256 * 2**20
"""One chunk of the likelihood's ``(draws, actors, packages)`` arrays stays within this."""
EVIDENCE_CHUNK_DRAWS = 4096
"""Draws compiled at a time for the likelihood and the update's summaries: a few thousand
draws' scenario arrays stay in the processor's cache (compiling 100,000 draws in one batch
takes half as long again)."""


@dataclass(frozen=True)
class Observation:
    """One actor's observed response to a set of packages.

    Attributes
    ----------
    round
        The position of its round in :attr:`Evidence.rounds`.
    actor
        The actor's index.
    accepted
        The observed response.
    packages
        Indices into :attr:`Evidence.options`: the packages the response is about.
    tremble
        The round's ``eps``.
    """

    round: int
    actor: int
    accepted: bool
    packages: np.ndarray
    tremble: float


@dataclass(frozen=True)
class Evidence:
    """A scenario's rounds up to a date, as observations on a set of packages.

    Attributes
    ----------
    rounds
        The rounds counted, in date order (rounds of one date in file order).
    observations
        Every observation, round by round.
    indices
        ``(M,)`` the package numbers the observations are about, ascending.
    options
        ``(M, I)`` their option indices.
    """

    rounds: tuple[Round, ...]
    observations: tuple[Observation, ...]
    indices: np.ndarray
    options: np.ndarray

    @property
    def ids(self) -> tuple[str, ...]:
        """The rounds' ids, in date order."""
        return tuple(r.id for r in self.rounds)


def tremble(event: Round, reliability: dict[str, float | None]) -> float:
    """The round's ``eps``: its own, or derived from its sources (see the module docstring)."""
    if event.tremble is not None:
        return float(event.tremble)
    stated = [reliability.get(s) for s in event.sources]
    stated = [r for r in stated if r is not None]
    if not stated:
        return DEFAULT_TREMBLE
    odds = 1.0
    for r in stated:
        r = min(max(r, 0.5), 1 - RELIABILITY_FLOOR)
        odds *= r / (1 - r)
    right = odds / (1 + odds)
    return min(MAX_TREMBLE, DEFAULT_TREMBLE + (1 - 2 * DEFAULT_TREMBLE) * (1 - right))


def in_date_order(rounds: Sequence[Round], until: str | None = None) -> tuple[Round, ...]:
    """The rounds dated on or before ``until`` (an ISO date; ``None``: all), by date, rounds of
    one date in file order."""
    chosen = [r for r in rounds if until is None or r.date <= until]
    return tuple(sorted(chosen, key=lambda r: r.date))


def check_until(until: str | None) -> str | None:
    """``until`` as an ISO date text, or a clear error."""
    import datetime

    if until is None:
        return None
    try:
        return datetime.date.fromisoformat(str(until)).isoformat()
    except ValueError:
        raise RedlineError(f"not an ISO date (YYYY-MM-DD): {until!r}", parameter="until") \
            from None


def evidence(scenario: Scenario, until: str | None = None) -> Evidence:
    """The observations of ``scenario``'s rounds up to ``until`` (see the module docstring).

    Raises
    ------
    RedlineError
        When ``until`` is not an ISO date, or a text has too many completions.
    """
    until = check_until(until)
    rounds = in_date_order(scenario.rounds, until)
    domain = to_domain(scenario)
    reliability = {s.id: s.reliability for s in scenario.sources}
    actors = [a.id for a in scenario.actors]
    texts = {p.id: dict(p.package) for p in scenario.proposals}
    raw: list[tuple[int, int, bool, np.ndarray, float]] = []
    for k, event in enumerate(rounds):
        eps = tremble(event, reliability)
        if event.rejects is not None:
            package, answers = dict(event.rejects), {event.actor: "rejected"}
            where = f"rounds.{event.id}.rejects"
        else:
            package = texts[event.proposal] if event.proposal is not None else \
                dict(event.package or {})
            answers = dict(event.responses or {})
            where = f"rounds.{event.id}"
        try:
            packages = completions(domain, fixed_options(domain, package, where))
        except RedlineError as error:
            error.field = error.field or where
            raise
        for actor, answer in answers.items():
            raw.append((k, actors.index(actor), answer == "accepted", packages, eps))
    if raw:
        indices = np.unique(np.concatenate([packages for *_, packages, _ in raw]))
    else:
        indices = np.zeros(0, dtype=np.int64)
    observations = tuple(Observation(k, a, accepted, np.searchsorted(indices, packages), eps)
                         for k, a, accepted, packages, eps in raw)
    return Evidence(rounds, observations, indices,
                    decode(indices, domain.radices).astype(np.int64))


def evidence_chunk(scenario: Scenario, n_packages: int) -> int:
    """Draws per chunk of :func:`log_likelihoods`, within :data:`EVIDENCE_CHUNK_BYTES` and at
    most :data:`EVIDENCE_CHUNK_DRAWS`."""
    n_actors = len(scenario.actors)
    n_columns = len(scenario.red_lines) + len(scenario.linkages) \
        + 2 * len(scenario.ratification) + n_actors
    per_draw = max(1, n_packages) * (8 * (n_actors + 2) + 2 * n_actors + n_columns + 8)
    return int(max(1, min(EVIDENCE_CHUNK_DRAWS, EVIDENCE_CHUNK_BYTES // per_draw)))


def observation_hits(scenario: Scenario, draws, found: Evidence) -> np.ndarray:
    """``(D, O)`` bool: whether each draw's model gives each observation's response (for a set
    of packages: the actor accepts some of them)."""
    out = np.ones((draws.size, len(found.observations)), dtype=bool)
    if not found.observations:
        return out
    # Only the responding actors are compiled (their utilities and rules: their verdicts are
    # the whole compile's, bit for bit); ``local`` maps an actor to its place in the batch.
    responders = sorted({obs.actor for obs in found.observations})
    local = {a: k for k, a in enumerate(responders)}
    batch = compile_batch(scenario, draws, [scenario.actors[a].id for a in responders])
    accepts = verdicts(batch, found.options, acceptable=False,
                       accepting=range(len(responders))).accepts  # {local actor: (D, M)}
    for j, obs in enumerate(found.observations):
        out[:, j] = accepts[local[obs.actor]][:, obs.packages].any(axis=1) == obs.accepted
    return out


def likelihood_terms(found: Evidence, hits: np.ndarray) -> np.ndarray:
    """``(D, R)`` per round the log-likelihood of its observations, from
    :func:`observation_hits` (see :func:`log_likelihoods`)."""
    out = np.zeros((hits.shape[0], len(found.rounds)))
    with np.errstate(divide="ignore"):
        for j, obs in enumerate(found.observations):
            out[:, obs.round] += np.where(hits[:, j], np.log1p(-obs.tremble),
                                          np.log(obs.tremble))
    return out


def reproduced_rounds(found: Evidence, hits: np.ndarray) -> np.ndarray:
    """``(D, R)`` per round whether every one of its observations is reproduced, from
    :func:`observation_hits` (see :func:`reproduced`)."""
    out = np.ones((hits.shape[0], len(found.rounds)), dtype=bool)
    for j, obs in enumerate(found.observations):
        out[:, obs.round] &= hits[:, j]
    return out


def log_likelihoods(scenario: Scenario, draws, found: Evidence) -> np.ndarray:
    """``(D, R)`` each draw's log-likelihood of each round's observations.

    Parameters
    ----------
    scenario
        The scenario.
    draws
        The draws (:class:`redline.scenario.compile.Draws`) of one chunk.
    found
        The evidence (:func:`evidence`).

    Returns
    -------
    numpy.ndarray
        ``(D, R)``: per round, the sum over its observations of ``log(1 - eps)`` where the
        draw's model gives the observed response and ``log(eps)`` where not (``-inf`` for
        ``eps = 0``).
    """
    return likelihood_terms(found, observation_hits(scenario, draws, found))


def reproduced(scenario: Scenario, draws, found: Evidence) -> np.ndarray:
    """``(D, R)`` bool: whether each draw's model gives every response each round records.

    A round no draw reproduces carries no evidence about the inputs (its likelihood is the
    same ``eps`` in every draw): the scenario cannot produce what was observed, and only its
    tremble explains it.
    """
    return reproduced_rounds(found, observation_hits(scenario, draws, found))
