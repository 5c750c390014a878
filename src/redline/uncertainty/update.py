"""What the rounds changed: weighted summaries of a posterior beside the prior, and the timeline.

Every number here is a weighted average over particles (:class:`redline.uncertainty.posterior
.Posterior`; the prior is the same particles with equal weights):

* each uncertain input's mean and 90% interval, from weighted quantiles
  (:func:`redline.uncertainty.weighted.weighted_quantile`);
* each claim's probability (the weighted share of particles where it is true);
* P(agreement) (the weighted share of particles where some package is acceptable to every veto
  holder) and each package's P(acceptable), with Wilson's 95% interval. For weighted particles
  the interval uses the effective sample size as the number of trials (Kish 1965): an
  approximation that is exact for equal weights and widens the interval as the weights spread
  (:func:`redline.uncertainty.weighted.weighted_interval`);
* the timeline: the same after each dated round, in date order
  (:func:`redline.uncertainty.posterior.history`).

Acceptability is the kernel's, on every package of the space
(:func:`redline.uncertainty.acceptance.acceptance`), in chunks of draws of bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from redline.scenario.compile import Draws, compile_batch
from redline.scenario.model import Scenario
from redline.space.packages import decode
from redline.uncertainty.acceptance import acceptable_blocks
from redline.uncertainty.executors import ChunkMap, map_in_process
from redline.uncertainty.posterior import Posterior, history
from redline.uncertainty.rounds import evidence, evidence_chunk, reproduced
from redline.uncertainty.sweep import check_sweep_size
from redline.uncertainty.weighted import (
    share,
    stable_order,
    weighted_interval,
    weighted_quantile,
    weighted_quantiles,
    weighted_sum,
)

INTERVAL = (0.05, 0.95)
"""The inputs' interval: 90%, between these weighted quantiles."""
RULE_GROUPS = ("red_lines.", "linkages.", "ratification.")
"""The paths of the rules' thresholds: the timeline's red-line intervals."""


def input_summary(post: Posterior, orders: dict[int, np.ndarray] | None = None
                  ) -> dict[str, dict[str, float]]:
    """Per uncertain input (not the claims), ``{"mean", "low", "high"}``: the weighted mean and
    the :data:`INTERVAL` quantiles; ``orders``: each input's stable argsort, kept across
    posteriors on the same particles (filled in here)."""
    out = {}
    orders = {} if orders is None else orders
    for j, name in enumerate(post.input_names):
        if name.startswith("claim:"):
            continue
        column = post.inputs[:, j]
        if j not in orders:
            orders[j] = stable_order(column)
        low, high = weighted_quantile(column, post.weights, INTERVAL, orders[j])
        out[name] = {"mean": float(weighted_sum(post.weights, column)), "low": float(low),
                     "high": float(high)}
    return out


def input_summaries(group: Sequence[Posterior]) -> list[dict[str, dict[str, float]]]:
    """:func:`input_summary` of posteriors on the same particles (one sort and one pass of
    the weights per input for the whole group; the same numbers, bit for bit)."""
    out: list[dict[str, dict[str, float]]] = [{} for _ in group]
    if not group:
        return out
    first = group[0]
    weights = np.stack([post.weights for post in group])  # (k, D): one row per posterior
    for j, name in enumerate(first.input_names):
        if name.startswith("claim:"):
            continue
        column = first.inputs[:, j]
        bounds = weighted_quantiles(column, weights, INTERVAL, stable_order(column))
        for k, post in enumerate(group):
            out[k][name] = {"mean": float(weighted_sum(post.weights, column)),
                            "low": float(bounds[k, 0]), "high": float(bounds[k, 1])}
    return out


def claim_summary(post: Posterior) -> dict[str, float]:
    """Each claim's probability under the weights."""
    return claim_summaries([post])[0]


def claim_summaries(group: Sequence[Posterior]) -> list[dict[str, float]]:
    """:func:`claim_summary` of posteriors on the same particles (each claim's column
    complemented once for the whole group; the same numbers, bit for bit)."""
    out: list[dict[str, float]] = [{} for _ in group]
    if not group:
        return out
    first = group[0]
    for j, name in enumerate(first.input_names):
        if not name.startswith("claim:"):
            continue
        column = first.inputs[:, j]
        against = 1 - column
        for k, post in enumerate(group):
            out[k][name[len("claim:"):]] = float(share(weighted_sum(post.weights, column),
                                                       weighted_sum(post.weights, against)))
    return out


def acceptability(scenario: Scenario, draws: Draws, weights: np.ndarray,
                  per_package: Sequence[int] | None = None,
                  executor: ChunkMap = map_in_process) -> tuple[np.ndarray, np.ndarray]:
    """Weighted P(agreement) and every package's P(acceptable), for several weightings at once.

    Parameters
    ----------
    scenario
        The scenario (its space must be small enough to sweep,
        :func:`redline.uncertainty.sweep.check_sweep_size`).
    draws
        The particles.
    weights
        ``(D, k)``: ``k`` weightings of the same particles (each column sums to 1).
    per_package
        The weightings (columns of ``weights``) whose per-package shares are wanted
        (``None``: all); P(agreement) is computed for every one.
    executor
        Where the chunks of particles run (a chunk map, :mod:`redline.uncertainty.executors`);
        their sums are added in chunk order, so any executor gives the same numbers.

    Returns
    -------
    p_agreement, p_acceptable : numpy.ndarray
        ``(k,)`` and ``(N, len(per_package))``.
    """
    total, _ = check_sweep_size(scenario)
    weights = np.asarray(weights, dtype=float)
    columns = np.arange(weights.shape[1]) if per_package is None else \
        np.asarray(per_package, dtype=np.intp)
    radices = [len(issue.option_values()) for issue in scenario.issues]
    every = decode(np.arange(total, dtype=np.int64), np.array(radices))
    # Weight for and against, so that a share every particle agrees on is exactly 0 or 1.
    agreement = np.zeros((2, weights.shape[1]))
    acceptable = np.zeros((2, total, columns.size))
    size = evidence_chunk(scenario, total)
    chunks = [(Draws(stop - start, {k: v[start:stop] for k, v in draws.values.items()},
                     {k: v[start:stop] for k, v in draws.claims.items()}), weights[start:stop])
              for start in range(0, draws.size, size)
              for stop in (min(draws.size, start + size),)]
    for agree, yes, no in executor(_acceptability_chunk, (scenario, every, columns), chunks):
        agreement += agree
        acceptable[0] += yes
        acceptable[1] += no
    return share(*agreement), share(*acceptable)


def _acceptability_chunk(shared: tuple[Scenario, np.ndarray, np.ndarray],
                         chunk: tuple[Draws, np.ndarray]
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One chunk of :func:`acceptability`: ``(2, k)`` the weight for and against an agreement,
    and ``(N, c)`` each package's weight for and against."""
    scenario, every, columns = shared
    draws, w = chunk
    total = every.shape[0]
    picked = np.ascontiguousarray(w[:, columns])
    weighed = (picked > 0).astype(float)
    some = np.zeros(draws.size, dtype=bool)
    yes = np.zeros((total, columns.size))
    count = np.zeros((total, columns.size))  # the weighed draws that accept
    for rows, cols, fine in acceptable_blocks(compile_batch(scenario, draws), every,
                                              whole=True):
        some[rows] = fine.any(axis=1)
        if columns.size:
            mask = fine.T.astype(float)
            yes[cols] += mask @ picked[rows]
            count[cols] += mask @ weighed[rows]
    agree = np.stack([np.einsum("d,dk->k", some.astype(float), w),
                      np.einsum("d,dk->k", (~some).astype(float), w)])
    # Against: the chunk's weight less the weight for; exactly 0 where every draw of the
    # chunk with a weight accepts (and the weight for is exactly 0 where none does).
    no = np.maximum(picked.sum(axis=0)[None, :] - yes, 0.0)
    no[count == weighed.sum(axis=0)[None, :]] = 0.0
    return agree, yes, no


@dataclass(frozen=True)
class Step:
    """The posterior after one round (or the prior), summarised.

    Attributes
    ----------
    round
        The round's id (``None``: the prior, before any round).
    date
        Its date.
    illustrative
        Whether it is an analyst's illustration.
    method, ess
        How the posterior was computed and its effective sample size.
    p_agreement
        ``{"p", "low", "high"}`` (:func:`weighted_interval`).
    claims
        Each claim's probability.
    inputs
        Each uncertain input's ``{"mean", "low", "high"}``.
    p_acceptable
        ``(N,)`` every package's P(acceptable); ``None`` where it was not asked for (the
        timeline computes it for the prior and the last step, the two ``update`` reports).
    """

    round: str | None
    date: str | None
    illustrative: bool
    method: str
    ess: float
    p_agreement: dict[str, float]
    claims: dict[str, float]
    inputs: dict[str, dict[str, float]]
    p_acceptable: np.ndarray | None

    def to_dict(self) -> dict:
        """The JSON form of a timeline row (without the per-package array)."""
        return {"round": self.round, "date": self.date, "illustrative": self.illustrative,
                "method": self.method, "ess": self.ess, "p_agreement": dict(self.p_agreement),
                "claims": dict(self.claims), "inputs": {k: dict(v) for k, v in
                                                        self.inputs.items()}}


def _steps(scenario: Scenario, group: list[Posterior], per_package: Sequence[int] | None,
           executor: ChunkMap = map_in_process) -> list[Step]:
    """Summaries of posteriors that share their particles (one acceptability pass); the
    per-package shares of the posteriors ``per_package`` (positions in ``group``; ``None``:
    all)."""
    weights = np.column_stack([p.weights for p in group])
    wanted = list(range(len(group))) if per_package is None else list(per_package)
    agreement, acceptable = acceptability(scenario, group[0].draws, weights, wanted, executor)
    rounds = {r.id: r for r in scenario.rounds}
    inputs = input_summaries(group)  # the group's particles are sorted once per input
    claims = claim_summaries(group)
    out = []
    for k, post in enumerate(group):
        last = rounds[post.rounds[-1]] if post.rounds else None
        out.append(Step(
            last.id if last else None, last.date if last else None,
            bool(last.illustrative) if last else False, post.method, post.ess,
            weighted_interval(agreement[k], post.ess), claims[k], inputs[k],
            acceptable[:, wanted.index(k)] if k in wanted else None))
    return out


def summarise(scenario: Scenario, posteriors: Iterable[Posterior], *,
              ends_only: bool = False, executor: ChunkMap = map_in_process) -> list[Step]:
    """A :class:`Step` per posterior, in order; posteriors on the same particles (importance
    weights) share one pass of the kernel over the space.

    ``ends_only``: every package's P(acceptable) only for the first and the last posterior
    (what ``update`` reports beside each other); the others' :attr:`Step.p_acceptable` is
    ``None``.
    """
    posteriors = list(posteriors)
    ends = {0, len(posteriors) - 1}
    out: list[Step] = []
    start = 0
    for end in range(1, len(posteriors) + 1):
        if end < len(posteriors) and posteriors[end].uniforms is posteriors[start].uniforms:
            continue
        per_package = None if not ends_only else [k - start for k in range(start, end)
                                                  if k in ends]
        out.extend(_steps(scenario, posteriors[start:end], per_package, executor))
        start = end
    return out


def timeline(scenario: Scenario, *, draws: int, seed: int = 0, until: str | None = None,
             assume: Mapping[str, bool] | None = None, prior_only: bool = False,
             executor: ChunkMap = map_in_process) -> tuple[list[Step], Posterior]:
    """The prior, then the posterior after each round up to ``until`` (date order), summarised;
    and the last posterior.

    Parameters
    ----------
    scenario, draws, seed, until, assume
        As :func:`redline.uncertainty.posterior.posterior` takes them.
    prior_only
        Ignore the rounds (``--prior``): the one step is the prior.
    executor
        Where the chunked passes run (a chunk map, :mod:`redline.uncertainty.executors`):
        the likelihood and the move steps, and the passes over every package.

    Returns
    -------
    steps, posterior
        The steps (the prior first) and the final :class:`Posterior`.
    """
    check_sweep_size(scenario, None)  # every package is judged in every particle
    last = None

    def posteriors():
        nonlocal last
        for post in history(scenario, draws=draws, seed=seed, until=until, assume=assume,
                            executor=executor):
            last = post
            yield post
            if prior_only:
                return

    steps = summarise(scenario, posteriors(), ends_only=True, executor=executor)
    assert last is not None
    return steps, last


def prior_fits(scenario: Scenario, *, draws: int, seed: int = 0, until: str | None = None,
               assume: Mapping[str, bool] | None = None) -> dict[str, float]:
    """Per counted round, the share of the prior's draws whose model gives every response the
    round records: how expected the round was before any evidence. 0 means no draw
    reproduces it, so it moves nothing (:func:`redline.uncertainty.rounds.reproduced`).

    Parameters are those of :func:`timeline` (the prior is the timeline's first step). A
    posterior at hand gives the same from its own pass, :func:`fits_of`.
    """
    prior = next(history(scenario, draws=draws, seed=seed, until=until, assume=assume))
    found = evidence(scenario, until)
    if not found.rounds:
        return {}
    return _shares(found.ids, prior.weights, reproduced(scenario, prior.draws, found))


def fits_of(post: Posterior) -> dict[str, float]:
    """:func:`prior_fits` of the rounds ``post`` is conditioned on, from the reproduced
    responses its likelihood pass kept (:attr:`Posterior.prior_fits`); empty for the prior."""
    if post.prior_fits is None or not post.rounds:
        return {}
    n = post.prior_fits.shape[0]
    return _shares(post.rounds, np.full(n, 1.0 / n), post.prior_fits)


def _shares(ids, weights: np.ndarray, hits: np.ndarray) -> dict[str, float]:
    shares = weights @ hits.astype(float)
    return {r: float(x) for r, x in zip(ids, shares, strict=True)}
