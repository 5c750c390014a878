"""Opponent models: what an agent learns about the other side from the offers it receives.

Every model is batched over ``B`` negotiations and has the same interface:

* ``model.init(space) -> state``: an empty belief for each negotiation of a
  :class:`~redline.simulate.space.NegotiationSpace` (anything with ``size``, ``n_outcomes``,
  ``issues`` and, for the reservation model, ``utilities (B or 1, A, N)``);
* ``model.update(state, offers, t) -> state``: the opponent's offers ``(B,)`` (outcome indices;
  ``-1`` where a negotiation has no new offer, which leaves that row as it was) at relative time
  ``t`` (a number or ``(B,)``);
* ``model.estimate(state) -> (B, N)``: the estimated opponent utility of every outcome;
* :meth:`BayesianReservationModel.reservation` ``(state) -> (B,)``: the estimated outside option.

States are frozen; ``update`` returns a new one. No loop runs over negotiations or outcomes: an
update is a few array operations on ``(B, options)`` tables, and an estimate adds the per-issue
tables with :func:`redline.space.kernel.combine` (the same sum, in the same order, as every other
utility in Redline).

Models
------
:class:`FrequencyModel`
    Counts how often each option is offered. ``weighting="hardheaded"`` is HardHeaded's model
    (van Krimpen, Looije & Hajizadeh 2013, "HardHeaded", in *Complex Automated
    Negotiations*, Springer; Genius's ``HardHeadedFrequencyModel``): an issue whose option the
    opponent keeps from one offer to the next gains weight. ``weighting="entropy"`` is NegMAS
    0.16's ``FrequencyLinearUFunModel``: an issue's weight is one minus the normalised entropy of
    its counts.
:class:`BayesianPreferenceModel`
    Hindriks & Tykhonov (2008), "Opponent modelling in automated multi-issue negotiation using
    Bayesian learning", AAMAS: hypotheses on the ranking of the issues (weights by rank) and,
    per issue, on the shape of the evaluation (a triangle peaking at one option; the ends are
    the downhill and uphill shapes); the opponent is assumed to concede in time, so an offer
    made at ``t`` is worth about ``1 - concession * t`` to it; each factor's posterior is updated
    with the others at their posterior means (their scalable, factorised update).
:class:`BayesianReservationModel`
    Zeng & Sycara (1998), "Bayesian learning in negotiation", *Int. J. Human-Computer Studies*
    48: a grid of hypotheses on the opponent's reservation value, its utility known, and a
    Gaussian likelihood around a linear concession from its first offer to the hypothesis by the
    deadline (as NegMAS's ``BayesianReservationValueModel``); a hypothesis above an offer the
    opponent made is impossible.

Scores (as NegMAS's ``compare_ufuns`` and its tournaments report them)
----------------------------------------------------------------------
:func:`kendall_tau` (Kendall's tau-b of an estimate against the true utilities; -1 when either
ranking is constant, NegMAS's convention), :func:`kendall_optimality` (``(tau + 1) / 2``) and
:func:`reservation_rmse`.

:data:`MODELS` names the preference models for strategies (``boulware~frequency``).
:func:`nash_target` re-targets an offer with a model: the outcome the agent can offer (worth at
least its current target) that maximises the estimated Nash product.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np

from redline.space import kernel
from redline.space.packages import decode

MAX_RANKED_ISSUES = 8
"""The Bayesian preference model enumerates every ranking of the issues (8! = 40,320)."""
RESERVATION_TOLERANCE = 1e-9
"""A reservation hypothesis counts as above an offer only beyond this (utility units)."""
IMPOSSIBLE = -1e12
"""The log-likelihood given to a hypothesis the evidence rules out."""
PAIR_BLOCK = 512
"""Rows of outcome pairs compared at a time in :func:`kendall_tau` (bounds its memory)."""


# ------------------------------------------------------------------ the outcome grid

@dataclass(frozen=True)
class Grid:
    """The issue structure of the outcomes: ``options (N, I)`` and ``radices (I,)``.

    Raw utility tables (no issues) are one issue whose options are the outcomes.
    """

    options: np.ndarray
    radices: tuple[int, ...]

    @property
    def offsets(self) -> np.ndarray:
        """Where each issue's options start in a flat ``(sum radices,)`` table."""
        return np.concatenate([[0], np.cumsum(self.radices)[:-1]]).astype(np.int64)


def grid_of(space) -> Grid:
    """The :class:`Grid` of a negotiation space (its issues, or one issue of raw outcomes)."""
    n = int(space.n_outcomes)
    radices = tuple(int(i.size) for i in getattr(space, "issues", ())) or (n,)
    if math.prod(radices) != n:
        raise ValueError(f"the issues have {math.prod(radices)} packages, not {n} outcomes")
    return Grid(decode(np.arange(n), np.array(radices)), radices)


def _rows(offers, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The offers as ``(B,)`` int64 and the mask of rows that have one."""
    offers = np.asarray(offers, dtype=np.int64).reshape(-1)
    if offers.shape != (size,):
        raise ValueError(f"offers must have shape ({size},), not {offers.shape}")
    return offers, offers >= 0


def _times(t, size: int) -> np.ndarray:
    """Relative time as ``(B,)``."""
    return np.broadcast_to(np.asarray(t, dtype=float), (size,))


def _split(flat: np.ndarray, grid: Grid) -> list[np.ndarray]:
    """A flat ``(B, sum radices)`` table as one ``(B, radix_i)`` table per issue."""
    return np.split(flat, np.cumsum(grid.radices)[:-1], axis=1)


def _additive(grid: Grid, weights: np.ndarray, evaluations: list[np.ndarray]) -> np.ndarray:
    """``(B, N)``: ``sum_i weights[:, i] * evaluations[i][:, option_i]`` in package order."""
    return kernel.combine([weights[:, i, None] * e for i, e in enumerate(evaluations)])


# ------------------------------------------------------------------ frequency

@dataclass(frozen=True)
class FrequencyState:
    """Counts ``(B, sum radices)``, issue weights ``(B, I)``, the last offer and the number
    of offers seen ``(B,)``."""

    grid: Grid
    counts: np.ndarray
    weights: np.ndarray
    last: np.ndarray
    seen: np.ndarray


@dataclass(frozen=True)
class FrequencyModel:
    """A frequency model of the opponent's preferences (see the module docstring).

    Parameters
    ----------
    weighting
        ``"hardheaded"`` or ``"entropy"``.
    learning_rate
        HardHeaded's ``learnCoef`` (0.2): an issue whose option did not change gains
        ``learning_rate / I`` before the weights are renormalised.
    value_addition
        HardHeaded's ``learnValueAddition`` (1): what an offered option adds to its count.
    """

    weighting: str = "hardheaded"
    learning_rate: float = 0.2
    value_addition: float = 1.0

    def __post_init__(self) -> None:
        if self.weighting not in ("hardheaded", "entropy"):
            raise ValueError(f"unknown weighting {self.weighting!r}: hardheaded or entropy")

    def init(self, space) -> FrequencyState:
        """No offer seen: HardHeaded counts 1 for every option and equal weights; the entropy
        model counts 0 (and estimates 0.5 everywhere until the first offer)."""
        grid = grid_of(space)
        b, n_issues = int(space.size), len(grid.radices)
        start = 1.0 if self.weighting == "hardheaded" else 0.0
        return FrequencyState(grid, np.full((b, sum(grid.radices)), start),
                              np.full((b, n_issues), 1.0 / n_issues),
                              np.full(b, -1, dtype=np.int64), np.zeros(b, dtype=np.int64))

    def update(self, state: FrequencyState, offers, t=None) -> FrequencyState:
        """Learn from one offer per negotiation (``t`` is not used by this model)."""
        grid = state.grid
        offers, has = _rows(offers, state.last.shape[0])
        options = grid.options[np.where(has, offers, 0)]  # (B, I)
        cells = options + grid.offsets
        rows = np.arange(offers.shape[0])[:, None]
        counts, weights = state.counts.copy(), state.weights
        if self.weighting == "hardheaded":
            # Genius's HardHeadedFrequencyModel learns nothing from the first offer.
            learn = has & (state.seen >= 1)
            previous = grid.options[np.where(learn, state.last, 0)]
            unchanged = (options == previous) & learn[:, None]
            n_issues = len(grid.radices)
            golden = self.learning_rate / n_issues
            total = 1.0 + golden * unchanged.sum(axis=1, keepdims=True)
            ceiling = 1.0 - n_issues * golden / total
            raised = unchanged & (weights < ceiling)
            weights = np.where(learn[:, None], (weights + golden * raised) / total, weights)
            counts[rows, cells] += self.value_addition * learn[:, None]
        else:
            counts[rows, cells] += has[:, None]
            weights = np.where(has[:, None], self._entropy_weights(counts, grid), weights)
        return FrequencyState(grid, counts, weights, np.where(has, offers, state.last),
                              state.seen + has)

    @staticmethod
    def _entropy_weights(counts: np.ndarray, grid: Grid) -> np.ndarray:
        """NegMAS's ``1 - H(counts_i) / log(number of options offered)`` per issue."""
        offsets = grid.offsets
        issue = np.repeat(np.arange(len(grid.radices)), grid.radices)
        total = np.add.reduceat(counts, offsets, axis=1)  # (B, I)
        per = total[:, issue]
        p = np.divide(counts, per, out=np.zeros_like(counts), where=per > 0)
        h = -np.add.reduceat(p * np.log(np.where(p > 0, p, 1.0)), offsets, axis=1)
        distinct = np.add.reduceat((counts > 0).astype(float), offsets, axis=1)
        h = np.where(distinct > 1, h / np.log(np.maximum(distinct, 2)), h)
        return 1.0 - h

    def estimate(self, state: FrequencyState) -> np.ndarray:
        """``(B, N)`` estimated opponent utility in [0, 1]."""
        grid = state.grid
        top = np.maximum.reduceat(state.counts, grid.offsets, axis=1)
        top = np.repeat(top, grid.radices, axis=1)
        flat = np.divide(state.counts, top, out=np.zeros_like(state.counts), where=top > 0)
        scores = _split(flat, grid)
        if self.weighting == "hardheaded":
            return _additive(grid, state.weights, scores)
        # NegMAS: weighted mean of the scores; a plain mean when every weight is 0; 0.5 before
        # any offer.
        wsum = state.weights.sum(axis=1, keepdims=True)
        uniform = np.full_like(state.weights, 1.0 / len(grid.radices))
        weights = np.where(wsum > 0, state.weights / np.where(wsum > 0, wsum, 1.0), uniform)
        u = _additive(grid, weights, scores)
        return np.where((state.seen > 0)[:, None], u, 0.5)


# ------------------------------------------------------------------ Bayesian preferences

def rank_weights(n_issues: int) -> np.ndarray:
    """``(I!, I)``: the weights of every ranking of the issues, Hindriks & Tykhonov's
    ``w = 2 r / (I (I + 1))`` for the issue of rank ``r`` (1 the least important)."""
    if n_issues > MAX_RANKED_ISSUES:
        raise ValueError(f"{n_issues} issues: the Bayesian preference model ranks at most "
                         f"{MAX_RANKED_ISSUES} ({MAX_RANKED_ISSUES}! rankings)")
    ranks = np.array(list(itertools.permutations(range(1, n_issues + 1))), dtype=float)
    return 2.0 * ranks / (n_issues * (n_issues + 1))


def triangle_shapes(n_options: int) -> np.ndarray:
    """``(m, m)``: row ``k`` is the evaluation of the ``m`` options peaking at option ``k``,
    rising linearly from 0 at the first option and falling to 0 at the last (``k = 0`` is the
    downhill shape, ``k = m - 1`` the uphill one; one option is worth 1)."""
    m = n_options
    if m == 1:
        return np.ones((1, 1))
    j = np.arange(m, dtype=float)[None, :]
    k = np.arange(m, dtype=float)[:, None]
    up = np.divide(j, k, out=np.ones((m, m)), where=k > 0)
    down = np.divide(m - 1 - j, m - 1 - k, out=np.ones((m, m)), where=(m - 1 - k) > 0)
    return np.where(j <= k, up, down)


def _normalised(log_p: np.ndarray) -> np.ndarray:
    """Log-probabilities shifted to sum (in probability) to 1 along the last axis."""
    top = log_p.max(axis=-1, keepdims=True)
    return log_p - (top + np.log(np.exp(log_p - top).sum(axis=-1, keepdims=True)))


@dataclass(frozen=True)
class PreferenceState:
    """The hypotheses and their log-posteriors.

    ``rankings (I!, I)`` are the weights of every ranking; ``shapes (M, M)``, with ``M`` the
    options of all issues, is block-diagonal: row ``h`` is shape hypothesis ``h`` of its issue
    evaluated at each of that issue's options (issue ``i`` has ``radix_i`` hypotheses).
    ``log_rankings (B, I!)`` and ``log_shapes (B, M)`` are the log-posteriors (the shapes'
    normalised within each issue).
    """

    grid: Grid
    rankings: np.ndarray
    shapes: np.ndarray
    log_rankings: np.ndarray
    log_shapes: np.ndarray


def _block_shapes(radices: tuple[int, ...]) -> np.ndarray:
    """``(M, M)``: each issue's :func:`triangle_shapes` on the diagonal."""
    total = sum(radices)
    out = np.zeros((total, total))
    start = 0
    for r in radices:
        out[start:start + r, start:start + r] = triangle_shapes(r)
        start += r
    return out


def _normalised_within(log_p: np.ndarray, grid: Grid) -> np.ndarray:
    """Log-probabilities shifted to sum to 1 within each issue's block of columns."""
    issue = np.repeat(np.arange(len(grid.radices)), grid.radices)
    top = np.maximum.reduceat(log_p, grid.offsets, axis=1)[:, issue]
    shifted = log_p - top
    total = np.add.reduceat(np.exp(shifted), grid.offsets, axis=1)
    return shifted - np.log(total)[:, issue]


@dataclass(frozen=True)
class BayesianPreferenceModel:
    """Hindriks & Tykhonov's Bayesian model of the opponent's preferences.

    Parameters
    ----------
    concession
        The opponent is expected to offer what is worth ``1 - concession * t`` to it at
        relative time ``t``.
    sigma
        The standard deviation of that expectation (the Gaussian likelihood's).
    """

    concession: float = 0.5
    sigma: float = 0.15

    def init(self, space) -> PreferenceState:
        """Uniform priors over the rankings and the shapes."""
        grid = grid_of(space)
        rankings = rank_weights(len(grid.radices))
        b, n_rankings = int(space.size), rankings.shape[0]
        shapes = np.concatenate([np.full(r, -math.log(r)) for r in grid.radices])
        return PreferenceState(grid, rankings, _block_shapes(grid.radices),
                               np.full((b, n_rankings), -math.log(n_rankings)),
                               np.tile(shapes, (b, 1)))

    def means(self, state: PreferenceState) -> tuple[np.ndarray, np.ndarray]:
        """Posterior-mean weights ``(B, I)`` and evaluations of every option ``(B, M)``."""
        return np.exp(state.log_rankings) @ state.rankings, np.exp(state.log_shapes) @ state.shapes

    def _log_likelihood(self, u: np.ndarray, expected: np.ndarray) -> np.ndarray:
        return -0.5 * ((u - expected) / self.sigma) ** 2

    def update(self, state: PreferenceState, offers, t) -> PreferenceState:
        """One Bayesian update of every factor, the others at their posterior means."""
        grid = state.grid
        offers, has = _rows(offers, state.log_rankings.shape[0])
        t = _times(t, offers.shape[0])
        expected = (1.0 - self.concession * t)[:, None]
        cells = grid.options[np.where(has, offers, 0)] + grid.offsets  # (B, I)
        w_mean, e_mean = self.means(state)
        offered = np.take_along_axis(e_mean, cells, axis=1)  # (B, I): E[e_i(offered option)]
        # rankings: u_r = sum_i w_i(r) * E[e_i(offered option)]
        log_r = state.log_rankings + self._log_likelihood(offered @ state.rankings.T, expected)
        # shape h of issue i: u = w_i * shape_h(offered option) + the other issues at their means
        issue = np.repeat(np.arange(len(grid.radices)), grid.radices)  # (M,)
        contribution = w_mean * offered
        others = contribution.sum(axis=1, keepdims=True) - contribution
        value = state.shapes[np.arange(issue.shape[0])[None, :], cells[:, issue]]  # (B, M)
        u = w_mean[:, issue] * value + others[:, issue]
        log_s = _normalised_within(state.log_shapes + self._log_likelihood(u, expected), grid)
        log_r = np.where(has[:, None], _normalised(log_r), state.log_rankings)
        log_s = np.where(has[:, None], log_s, state.log_shapes)
        return replace(state, log_rankings=log_r, log_shapes=log_s)

    def estimate(self, state: PreferenceState) -> np.ndarray:
        """``(B, N)``: the posterior-mean weights times the posterior-mean evaluations."""
        w, e = self.means(state)
        return _additive(state.grid, w, _split(e, state.grid))


# ------------------------------------------------------------------ Bayesian reservation

@dataclass(frozen=True)
class ReservationState:
    """The opponent's utilities ``(B or 1, N)``, the hypotheses ``(B, K)`` with their
    log-posterior, its first offer's utility and the offers seen ``(B,)``."""

    utilities: np.ndarray
    hypotheses: np.ndarray
    log_posterior: np.ndarray
    first: np.ndarray
    seen: np.ndarray


@dataclass(frozen=True)
class BayesianReservationModel:
    """Zeng & Sycara's Bayesian model of the opponent's reservation value.

    Parameters
    ----------
    opponent
        Which agent of the space is the opponent (its utilities are known to the model).
    candidates
        Hypotheses, evenly spaced from the opponent's worst to its best utility.
    sigma
        The likelihood's standard deviation, as a share of that range (NegMAS: 0.15 on [0, 1]).
    """

    opponent: int = 1
    candidates: int = 21
    sigma: float = 0.15

    def init(self, space) -> ReservationState:
        """A uniform prior over the hypotheses."""
        u = np.asarray(space.utilities)[:, self.opponent]  # (B or 1, N)
        b = int(space.size)
        lo, hi = u.min(axis=1), u.max(axis=1)
        share = np.linspace(0.0, 1.0, self.candidates)
        hypotheses = np.broadcast_to(lo[:, None] + (hi - lo)[:, None] * share,
                                     (b, self.candidates)).copy()
        return ReservationState(u, hypotheses,
                                np.full((b, self.candidates), -math.log(self.candidates)),
                                np.zeros(b), np.zeros(b, dtype=np.int64))

    def update(self, state: ReservationState, offers, t) -> ReservationState:
        """Expect ``v + (u_first - v)(1 - t)`` from hypothesis ``v``; rule out ``v`` above
        the offer."""
        offers, has = _rows(offers, state.seen.shape[0])
        t = _times(t, offers.shape[0])
        rows = np.arange(offers.shape[0]) if state.utilities.shape[0] > 1 else 0
        value = state.utilities[rows, np.where(has, offers, 0)]  # (B,)
        first = np.where(has & (state.seen == 0), value, state.first)
        v = state.hypotheses
        expected = v + (first[:, None] - v) * (1.0 - t)[:, None]
        span = v[:, -1:] - v[:, :1]
        scale = self.sigma * np.where(span > 0, span, 1.0)
        log_l = -0.5 * ((value[:, None] - expected) / scale) ** 2
        log_l = np.where(v > value[:, None] + RESERVATION_TOLERANCE, IMPOSSIBLE, log_l)
        log_p = np.where(has[:, None], _normalised(state.log_posterior + log_l),
                         state.log_posterior)
        return replace(state, log_posterior=log_p, first=first, seen=state.seen + has)

    def posterior(self, state: ReservationState) -> np.ndarray:
        """``(B, K)`` probabilities of the hypotheses."""
        return np.exp(state.log_posterior)

    def reservation(self, state: ReservationState) -> np.ndarray:
        """``(B,)`` the posterior-mean reservation value."""
        return (self.posterior(state) * state.hypotheses).sum(axis=1)

    def estimate(self, state: ReservationState) -> np.ndarray:
        """``(B, N)``: the opponent's utilities, which this model takes as known."""
        return np.broadcast_to(state.utilities, (state.seen.shape[0], state.utilities.shape[1]))


MODELS = {
    "frequency": FrequencyModel,
    "entropy": lambda: FrequencyModel(weighting="entropy"),
    "bayesian": BayesianPreferenceModel,
}
"""Opponent models of preferences by the name a strategy gives after ``~`` (factories, called
with no argument). The reservation model is not here: it needs to know which agent is the
opponent (``BayesianReservationModel(opponent=a)``)."""


# ------------------------------------------------------------------ scores and re-targeting

def kendall_tau(estimate: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """``(B,)`` Kendall's tau-b between estimated and true utilities over all outcomes.

    ``(n_c - n_d) / sqrt((n_0 - t_e)(n_0 - t_t))`` with ``n_0`` the pairs and ``t`` the pairs tied
    in each ranking, as ``scipy.stats.kendalltau`` (which NegMAS's ``compare_ufuns`` calls).
    A constant ranking gives -1, NegMAS's value for that case. Exact: every pair is compared,
    :data:`PAIR_BLOCK` rows at a time.
    """
    x = np.atleast_2d(np.asarray(estimate, dtype=float))
    y = np.atleast_2d(np.asarray(truth, dtype=float))
    x, y = np.broadcast_arrays(x, y)
    b, n = x.shape
    concordance = np.zeros(b)
    tied_x = np.zeros(b)
    tied_y = np.zeros(b)
    for start in range(0, n, PAIR_BLOCK):
        stop = min(n, start + PAIR_BLOCK)
        # pairs (i, j) with i in the block and j > i
        j = np.arange(n)[None, :]
        upper = j > np.arange(start, stop)[:, None]  # (block, N)
        sx = np.sign(x[:, start:stop, None] - x[:, None, :])
        sy = np.sign(y[:, start:stop, None] - y[:, None, :])
        concordance += (sx * sy * upper).sum(axis=(1, 2))
        tied_x += ((sx == 0) & upper).sum(axis=(1, 2))
        tied_y += ((sy == 0) & upper).sum(axis=(1, 2))
    pairs = n * (n - 1) / 2
    denominator = np.sqrt((pairs - tied_x) * (pairs - tied_y))
    return np.where(denominator > 0,
                    concordance / np.where(denominator > 0, denominator, 1.0), -1.0)


def kendall_optimality(estimate: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """``(B,)`` NegMAS's ``kendall_optimality``: ``(tau + 1) / 2``, in [0, 1]."""
    return (kendall_tau(estimate, truth) + 1.0) / 2.0


def reservation_rmse(estimated: np.ndarray, true: np.ndarray) -> float:
    """The root-mean-square error of estimated reservation values over a batch."""
    diff = np.asarray(estimated, dtype=float) - np.asarray(true, dtype=float)
    return float(np.sqrt(np.mean(diff ** 2)))


def nash_target(own: np.ndarray, own_reservation: np.ndarray, estimate: np.ndarray,
                opponent_reservation: np.ndarray, level: np.ndarray) -> np.ndarray:
    """``(B,)`` the offer worth at least ``level`` to the agent that maximises the estimated
    Nash product ``(u_own - r_own)(u_opp_est - r_opp_est)``.

    Parameters
    ----------
    own, estimate
        ``(B, N)`` the agent's utilities and its estimate of the opponent's.
    own_reservation, opponent_reservation, level
        ``(B,)``. When no outcome reaches ``level``, the agent's best outcome is offered.

    Ties go to the lowest outcome index (``argmax``).
    """
    own = np.asarray(own, dtype=float)
    gains = [own - np.asarray(own_reservation, dtype=float)[:, None],
             np.asarray(estimate, dtype=float)
             - np.asarray(opponent_reservation, dtype=float)[:, None]]
    product = kernel.nash_product(gains)
    reachable = own >= np.asarray(level, dtype=float)[:, None]
    # Outcomes below the level never win; among reachable ones the product decides, and a
    # reachable outcome with a zero product still beats an unreachable one.
    score = np.where(reachable, product, -1.0)
    best = np.argmax(score, axis=1)
    return np.where(reachable.any(axis=1), best, np.argmax(own, axis=1))
