"""Negotiation strategies: how an agent bids, and the acceptance condition it uses by default.

A strategy is a frozen description (:class:`Strategy`: a bidding rule, its parameters, an
acceptance condition and an optional opponent model), parsed from ``NAME[:p1[:p2]][@ACCEPT]
[~MODEL]`` (:func:`parse`). :meth:`Strategy.bind` makes the agent that plays it in one batch of
negotiations. An agent works on whole batches: it proposes one outcome per negotiation, as a
``(B,)`` array.

Bidding rules (docs/simulate.md lists them with their sources):

* Time-based concession (Faratin, Sierra & Jennings, "Negotiation decision functions for
  autonomous agents", Robotics and Autonomous Systems 24, 1998), as NegMAS 0.16 parametrises
  it (``PolyAspiration``): at relative time ``t`` the target is
  ``bottom + (top - bottom) * (1 - t**e) - eps`` (clipped to ``[bottom, top]``), where ``top`` is
  the agent's best allowed utility and ``bottom`` the larger of its worst allowed utility and
  its outside option. ``boulware`` is ``e = 4``, ``linear`` ``e = 1``, ``conceder``
  ``e = 0.25`` (``eps = 1e-4``, NegMAS's ``TimeBasedConcedingNegotiator``); ``aspiration``
  takes ``e`` (default 4) with ``eps = 1e-3`` (NegMAS's ``AspirationNegotiator``). The offer is
  the allowed outcome just above the target (NegMAS's presorting inverter, ``worst_in``).
  These agents never look at the opponent, so a whole negotiation's offers are computed at
  once (:meth:`Agent.plan`).
* ``tft`` (naive tit-for-tat, NegMAS's ``NaiveTitForTatNegotiator``; Axelrod 1984): mirrors the
  opponent's concession measured in the agent's own normalised utility.
* ``nice-tft`` (Baarslag, Hindriks & Jonker, "A tit for tat negotiation strategy for real-time
  bilateral negotiations", Complex Automated Negotiations, 2013; Genius's ``NiceTitForTat`` as
  NegMAS 0.16's ``NiceTitForTatNegotiator`` ports it): mirrors the opponent's concession,
  measured in its own utility, as a share of the way to the Nash point of its opponent model's
  estimate, offers the estimated-frontier outcome best for the opponent, and accepts by
  AC_combi (:class:`NiceTitForTatAgent`).
* ``hardheaded`` (van Krimpen, Looije & Hajizadeh, "HardHeaded", ANAC 2011 winner, in
  Complex Automated Negotiations 2013): a very late Boulware (``e = 50``) with a floor.
* ``agentk`` (Kawaguchi, Fujita & Ito, "AgentK: compromising strategy based on estimated
  maximum utility", ANAC 2010 winner, 2012; Genius's ``Agent_K``): targets from the mean and
  variance of the opponent's offers, a probabilistic acceptance (:class:`AgentKAgent`).
* ``micro`` (de Jonge, "An analysis of the linear bilateral ANAC domains using the MiCRO
  benchmark strategy", IJCAI 2022; NegMAS 0.16's ``MiCRONegotiator``): concedes one outcome at
  a time, only when the opponent has made at least as many distinct offers, and accepts what is
  worth at least its next offer (:class:`MiCROAgent`).

BOA (Baarslag, Hindriks, Hendrikx, Dirkzwager & Jonker, "Decoupling negotiating agents to
explore the space of negotiation strategies", Novel Insights in Agent-based Complex Automated
Negotiation, 2014): any bidding rule takes any acceptance condition (``@``,
:mod:`redline.simulate.acceptance`) and any opponent model (``~``). With a model, among the
outcomes within :data:`MODEL_WINDOW` of its target the agent offers the one the model rates
best for the opponent (which makes even a time-based agent responsive).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from redline.errors import RedlineError
from redline.simulate import acceptance as ac
from redline.simulate.space import NegotiationSpace, Ranking, search

NEAR = 1e-6
"""NegMAS's inverter also takes an outcome up to this far below the target when it is nearer
(``negmas.preferences.inv_ufun._common.EPS``)."""
TIME_BASED_EPS = 1e-4
"""How far below its target a time-based agent still offers and accepts (NegMAS's ``eps``)."""
ASPIRATION_EPS = 1e-3
"""The same for ``aspiration`` (NegMAS's ``AspirationNegotiator(tolerance=0.001)``)."""
MODEL_WINDOW = 0.05
"""With an opponent model, offers are picked among outcomes within this share of the agent's
utility range above its target."""
NAMED_EXPONENTS = {"boulware": 4.0, "linear": 1.0, "conceder": 0.25}
HARDHEADED_EXPONENT = 50.0  # Faratin's e = 0.02, as t**(1/e)
HARDHEADED_FLOOR = 0.585  # van Krimpen et al.'s minimum bid utility, normalised
AGENTK_TREMOR = 2.0  # Kawaguchi et al.'s tremor (Genius's Agent_K)
AGENTK_MIN_P = 0.1  # AgentK never accepts with a probability below this
AGENTK_BID_STEP = 0.01  # how far AgentK lowers its bid target when nothing meets it
NICE_TFT_NASH_MIN = 0.5  # Baarslag's floor of the Nash utility it aims for, normalised
NICE_TFT_DEFAULT_NASH = 0.7  # the Nash utility assumed without a frontier (Baarslag's)
NICE_TFT_MULTIPLIER_BASE = 1.4  # Baarslag's Nash multiplier 1.4 - 0.6 * initial gap
NICE_TFT_MULTIPLIER_GAP = 0.6
NICE_TFT_DISCOUNT_BONUS = 0.1  # Baarslag's 0.5 - 0.4 * discount factor, undiscounted
NICE_TFT_BONUS_START = 0.91  # when the time bonus starts (0.85 on big domains)
NICE_TFT_BONUS_START_BIG = 0.85
NICE_TFT_BONUS_RATE = 20.0
NICE_TFT_BIG_DOMAIN = 3000  # outcomes above which a domain is big (Baarslag's)
NICE_TFT_NASH_EPS = 1e-12  # NegMAS's nash_points eps: products this close are tied
NICE_TFT_GAP_EPS = 1e-9  # below this gap to the Nash utility, nothing is mirrored (NegMAS)
TFT_GAP_EPS = 1e-12  # NegMAS's KindConcessionRecommender(min_concession_eps)


@dataclass(frozen=True)
class Context:
    """What agents see when a batch of negotiations starts.

    ``times[k]`` is the relative time of step ``k``: ``(k + 1) / (steps + 1)``, NegMAS's
    ``relative_time``. ``models`` maps opponent-model names to factories (see
    :data:`redline.simulate.opponents`).
    """

    space: NegotiationSpace
    ranking: Ranking
    steps: int
    rng: np.random.Generator
    models: Mapping[str, Callable[[], Any]] = field(default_factory=dict)

    @cached_property
    def times(self) -> np.ndarray:
        """``(steps,)`` relative times."""
        return relative_times(self.steps)


def relative_times(steps: int) -> np.ndarray:
    """``(k + 1) / (steps + 1)`` for ``k = 0 .. steps - 1`` (NegMAS's relative time)."""
    return (np.arange(steps) + 1.0) / (steps + 1.0)


def offers_for(ctx: Context, agent: int, target: np.ndarray,
               ranking: Ranking | None = None) -> np.ndarray:
    """The outcome an agent offers for each target utility: the lowest allowed outcome at or
    above it, or a nearer one up to :data:`NEAR` below it (NegMAS's ``worst_in``).

    Parameters
    ----------
    ctx
        The batch.
    agent
        Which agent.
    target
        ``(B, K)`` target utilities (already clipped to the agent's range).
    ranking
        The sorted outcomes to search (default the batch's).

    Returns
    -------
    numpy.ndarray
        ``(B, K)`` outcome indices, ``-1`` where the agent has nothing to offer.
    """
    r = ranking or ctx.ranking
    if r.values.shape[0] == 1:  # the same sorted outcomes in every negotiation
        return _shared_offers_for(r, agent, np.asarray(target, dtype=float))
    values = r.values[:, agent: agent + 1]
    low, high = r.low[:, agent: agent + 1], r.high[:, agent: agent + 1]
    target = np.asarray(target, dtype=float)[:, None]
    last = values.shape[-1] - 1
    i = np.minimum(search(values, target, low, high)[:, 0], last)  # empty agents: masked below
    vals = values[:, 0]
    at = vals[0][i] if vals.shape[0] == 1 else np.take_along_axis(vals, i, axis=-1)
    k = np.maximum(i - 1, 0)
    below = vals[0][k] if vals.shape[0] == 1 else np.take_along_axis(vals, k, axis=-1)
    t = target[:, 0]
    with np.errstate(invalid="ignore"):  # inf - inf for agents with nothing allowed (masked)
        nearer = (i - 1 >= low) & (below >= t - NEAR) & (t - below < at - t)
    if nearer.any():
        first = np.minimum(search(values, below[:, None], low, high)[:, 0], last)
        i = np.where(nearer, first, i)
    order = r.order[:, agent]
    out = order[0][i] if order.shape[0] == 1 else np.take_along_axis(order, i, axis=-1)
    return np.where(r.empty[:, agent][:, None], -1, out)


def _shared_offers_for(r: Ranking, agent: int, target: np.ndarray) -> np.ndarray:
    """:func:`offers_for` when every negotiation has the same sorted outcomes (a leading axis
    of 1): one ``numpy.searchsorted`` over all targets and a few whole-array passes; the
    nearer-below correction is worked out only for the rare targets within :data:`NEAR` above
    an outcome."""
    vals, order = r.values[0, agent], r.order[0, agent]
    last = vals.shape[-1] - 1
    low = r.low[:, agent][:, None]
    top = np.minimum(np.maximum(r.high[:, agent], r.low[:, agent]), last)[:, None]
    i = np.searchsorted(vals, target, side="left")
    np.clip(i, low, top, out=i)  # the candidates low..high (empty agents: masked below)
    below = np.concatenate([[-np.inf], vals])[i]  # the value one position down
    near = below >= target - NEAR
    if near.any():
        rows, cols = np.nonzero(near)
        at, t, b, lo = i[rows, cols], target[rows, cols], below[rows, cols], low[rows, 0]
        nearer = (at - 1 >= lo) & (t - b < vals[at] - t)
        first = np.clip(np.searchsorted(vals, b, side="left"), lo, top[rows, 0])
        i[rows, cols] = np.where(nearer, first, at)
    out = order[i]
    empty = r.empty[:, agent]
    return np.where(empty[:, None], -1, out) if empty.any() else out


def utilities_of(space: NegotiationSpace, agent: int, outcomes: np.ndarray) -> np.ndarray:
    """``(B, K)`` agent's utility of outcomes ``(B, K)`` (``-inf`` for ``-1``)."""
    u = space.utilities[:, agent]
    outcomes = np.asarray(outcomes)
    if outcomes.size and outcomes.min() >= 0:  # every one a real outcome: a gather alone
        return u[0][outcomes] if u.shape[0] == 1 else np.take_along_axis(u, outcomes, -1)
    idx = np.maximum(outcomes, 0)
    got = u[0][idx] if u.shape[0] == 1 else np.take_along_axis(u, idx, -1)
    return np.where(outcomes >= 0, got, -np.inf)


def allowed_of(space: NegotiationSpace, agent: int, outcomes: np.ndarray) -> np.ndarray:
    """``(B, K)`` whether the agent's red lines allow outcomes ``(B, K)``."""
    ok = space.allowed[:, agent]
    idx = np.maximum(outcomes, 0)
    got = ok[0][idx] if ok.shape[0] == 1 else np.take_along_axis(ok, idx, -1)
    return got & (outcomes >= 0)


# ---------------------------------------------------------------- agents

class Agent:
    """One side of a batch of negotiations, playing a :class:`Strategy`.

    The protocol calls :meth:`propose` (the offer it would make now, ``(B,)``) and
    :meth:`level` (its target utility now) at each of its turns, and :meth:`observe` with every
    offer made to it. Agents whose offers never depend on the opponent set ``fixed`` and answer
    :meth:`plan` with the whole negotiation at once.
    """

    fixed = False

    def __init__(self, ctx: Context, index: int, strategy: Strategy) -> None:
        self.ctx, self.index, self.strategy = ctx, index, strategy
        self.acceptance = strategy.acceptance or self.default_acceptance()
        self.ranking = r = ctx.ranking
        self.top, self.bottom = r.top[:, index], r.bottom[:, index]
        self.span = np.where(self.top > self.bottom, self.top - self.bottom, 0.0)
        self.model = None
        self.model_state = None
        if strategy.model:
            self.model = ctx.models[strategy.model]()
            self.model_state = self.model.init(ctx.space)

    def default_acceptance(self) -> ac.Condition:
        """The acceptance condition the strategy's authors use."""
        return ac.CURVE

    def plan(self) -> tuple[np.ndarray, np.ndarray]:
        """``(offers (B, S), levels (B, S))`` for a fixed agent."""
        raise NotImplementedError

    def propose(self, k: int) -> np.ndarray:
        """``(B,)`` the outcome it offers at step ``k``."""
        raise NotImplementedError

    def level(self, k: int) -> np.ndarray:
        """``(B,)`` its target utility at step ``k`` (what ``curve`` acceptance compares to)."""
        raise NotImplementedError

    def observe(self, offers: np.ndarray, k: int, live: np.ndarray) -> None:
        """An offer ``(B,)`` was made to it at step ``k`` (only rows where ``live`` count)."""
        if self.model is not None:
            self.model_state = self.model.update(self.model_state, offers,
                                                 float(self.ctx.times[k]))

    def sent(self, offers: np.ndarray, k: int, live: np.ndarray) -> None:
        """It offered ``offers (B,)`` at step ``k``."""

    # helpers
    def scaled(self, normalised: np.ndarray) -> np.ndarray:
        """A normalised target (0 worst, 1 best) in the agent's utility."""
        return self.bottom + self.span * normalised

    def normalised(self, u: np.ndarray) -> np.ndarray:
        """The agent's utility on its own 0-1 scale (1 where it has no range)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.span > 0, (u - self.bottom) / np.where(self.span > 0,
                                                                        self.span, 1), 1.0)

    def offer_for(self, target: np.ndarray) -> np.ndarray:
        """``(B,)`` the offer for a target utility ``(B,)``: the inverter's, or with an
        opponent model the outcome within :data:`MODEL_WINDOW` best for the opponent."""
        target = np.clip(target, self.bottom, self.top)
        base = offers_for(self.ctx, self.index, target[:, None], self.ranking)[:, 0]
        if self.model is None:
            return base
        estimate = np.asarray(self.model.estimate(self.model_state), dtype=float)  # (B, N)
        r = self.ctx.ranking
        a = self.index
        values, order = r.values[:, a], r.order[:, a]
        lo = search(r.values[:, a: a + 1], target[:, None, None], r.low[:, a: a + 1],
                    r.high[:, a: a + 1])[:, 0, 0]
        hi = search(r.values[:, a: a + 1], (target + MODEL_WINDOW * self.span)[:, None, None],
                    r.low[:, a: a + 1], r.high[:, a: a + 1] + 1)[:, 0, 0]
        n = values.shape[-1]
        pos = np.arange(n)
        inside = (pos >= lo[:, None]) & (pos < np.maximum(hi, lo + 1)[:, None])
        ranked = np.take_along_axis(estimate, np.broadcast_to(order, estimate.shape), -1)
        best = np.argmax(np.where(inside, ranked, -np.inf), axis=-1)
        picked = np.take_along_axis(np.broadcast_to(order, estimate.shape), best[:, None],
                                    -1)[:, 0]
        return np.where(base >= 0, picked, -1)


class TimeBasedAgent(Agent):
    """Faratin et al.'s time-dependent concession (see the module docstring)."""

    def __init__(self, ctx: Context, index: int, strategy: Strategy, exponent: float,
                 eps: float, floor: float = 0.0) -> None:
        super().__init__(ctx, index, strategy)
        if eps == ASPIRATION_EPS:  # NegMAS's AspirationNegotiator sorts every outcome
            self.ranking = ctx.space.ranking_all
        self.exponent, self.eps, self.floor = exponent, eps, floor
        self.fixed = self.model is None
        self._levels = self._targets(ctx.times)  # (B, S)
        self._offers = None

    def _targets(self, t: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            aspiration = np.maximum(1.0 - np.power(t, self.exponent), self.floor)
        raw = np.multiply(self.span[:, None], aspiration[None, :])  # in place from here on
        raw += self.bottom[:, None]
        raw -= self.eps
        return np.clip(raw, self.bottom[:, None], np.maximum(self.top, self.bottom)[:, None],
                       out=raw)

    def plan(self) -> tuple[np.ndarray, np.ndarray]:
        """The offers and targets of every step, computed at once."""
        if self._offers is None:
            self._offers = offers_for(self.ctx, self.index, self._levels, self.ranking)
        return self._offers, self._levels

    def propose(self, k: int) -> np.ndarray:
        """``(B,)`` its offer at step ``k`` (see :meth:`Agent.propose`)."""
        if self.fixed:
            return self.plan()[0][:, k]
        return self.offer_for(self._levels[:, k])

    def level(self, k: int) -> np.ndarray:
        """``(B,)`` its target utility at step ``k`` (see :meth:`Agent.level`)."""
        return self._levels[:, k]


class HardHeadedAgent(TimeBasedAgent):
    """HardHeaded: a very late concession with a floor, and AC_next."""

    def default_acceptance(self) -> ac.Condition:
        """Its authors' acceptance condition."""
        return ac.NEXT


class TitForTatAgent(Agent):
    """Naive tit-for-tat (NegMAS's ``NaiveTitForTatNegotiator``, its ``ZeroSumModel`` and
    ``KindConcessionRecommender``). On the agent's normalised scale (0 at the larger of its worst
    allowed utility and its outside option, 1 at its best) the opponent's concession is the
    normalised utility ``c`` of the opponent's last offer (a zero-sum view); it accepts an offer
    worth at least ``1 - c`` and offers at ``1 - c`` (plus ``kindness``) from step 3 on. At step 0
    it does not concede; at steps 1 and 2 it concedes a minimal step instead: each call (its
    response, then its offer) takes the gap between the next two of its outcomes walked down
    from its best, as NegMAS's stateful inverter does. Its offers' targets are scaled to its
    whole utility range, as NegMAS's ``worst_in(normalized=True)`` does, but never below its
    outside option."""

    def __init__(self, ctx: Context, index: int, strategy: Strategy, kindness: float) -> None:
        super().__init__(ctx, index, strategy)
        self.kindness = kindness
        self.last = np.full(ctx.space.size, -1, dtype=np.int64)
        self.ranking = ctx.space.ranking_all  # NegMAS's ufun.invert() sorts every outcome
        r = self.ranking
        vals = r.values[:, index]
        self.worst = np.broadcast_to(vals[:, 0], self.top.shape)
        self.full = np.where(self.top > self.worst, self.top - self.worst, 0.0)
        self.high = r.high[:, index]

    def _value(self, position: np.ndarray) -> np.ndarray:
        vals = self.ranking.values[:, self.index]
        p = np.clip(position, 0, vals.shape[-1] - 1)
        return vals[0][p] if vals.shape[0] == 1 else np.take_along_axis(vals, p[:, None],
                                                                        -1)[:, 0]

    def _concession(self, offers: np.ndarray, k: int, call: int) -> np.ndarray:
        if k <= 0:
            return np.zeros(self.ctx.space.size)
        if k >= 3:
            seen = offers >= 0
            u = utilities_of(self.ctx.space, self.index, offers[:, None])[:, 0]
            pc = np.where(seen, np.maximum(self.normalised(u), 0.0), 0.0)
            return pc + self.kindness
        c = 2 * (k - 1) + call  # the c-th call walks outcomes 2c and 2c + 1 down from the best
        first = self._value(np.maximum(self.high - 2 * c, 0))
        second = self._value(np.maximum(self.high - 2 * c - 1, 0))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.full > 0, (first - second + TFT_GAP_EPS)
                            / np.where(self.full > 0, self.full, 1), 0.0)

    def level(self, k: int) -> np.ndarray:
        """``(B,)`` the utility it accepts at step ``k`` (its response's concession)."""
        c = np.clip(self._concession(self.last, k, 0), 0.0, 1.0)
        return self.scaled(1.0 - c)

    def propose(self, k: int) -> np.ndarray:
        """``(B,)`` its offer at step ``k`` (its offer's concession)."""
        c = np.clip(self._concession(self.last, k, 1), 0.0, 1.0)
        return self.offer_for(self.worst + self.full * (1.0 - c))

    def observe(self, offers: np.ndarray, k: int, live: np.ndarray) -> None:
        """Record an offer made to it (see :meth:`Agent.observe`)."""
        super().observe(offers, k, live)
        self.last = np.where(live, offers, self.last)


class NiceTitForTatAgent(Agent):
    """Nice Tit for Tat (Baarslag, Hindriks & Jonker 2013; Genius's ``NiceTitForTat`` as
    NegMAS 0.16's ``NiceTitForTatNegotiator`` ports it, deterministically).

    On its own utility scaled to ``[0, 1]`` over its allowed outcomes (``x``), with an opponent
    model's estimate ``v`` (default NegMAS's, the entropy-weighted frequency model):

    1. the Nash point of the estimated Pareto frontier of the outcomes it may offer (its
       estimated Nash product, each utility measured from its lowest value on the frontier, or
       from the agent's own outside option) gives ``x_N``; ``my_nash = x_N * max(0, 1.4 -
       0.6 * (1 - f))`` clipped to ``[max(0.5, r), 1]``, where ``f`` is its utility of the
       opponent's first offer and ``r`` its outside option on this scale;
    2. the opponent's concession, measured in its own utility, ``(best - f) / (my_nash - f)``
       (``best``: the best offer received), clipped to ``[0, 1]``, is mirrored: the target is
       ``1 - factor * (1 - my_nash)``;
    3. a bonus pulls the target toward ``my_nash``: ``0.1`` always (Baarslag's discount bonus
       without discounting), rising as ``20 (t - t_0)`` after ``t_0 = 0.91`` (``0.85`` on
       domains of more than :data:`NICE_TFT_BIG_DOMAIN` outcomes);
    4. it offers the frontier outcome worth at least the target that the model rates best for
       the opponent, or the best offer the opponent has made when that is worth at least as
       much to it (Baarslag's ``makeAppropriate``).

    It accepts an offer worth at least its next offer, or anything acceptable from ``t = 0.98``
    (AC_combi, ``next|time:0.98``).
    """

    def __init__(self, ctx: Context, index: int, strategy: Strategy) -> None:
        super().__init__(ctx, index, strategy)
        if self.model is None:
            from redline.simulate.opponents import FrequencyModel

            self.model = FrequencyModel(weighting="entropy")
            self.model_state = self.model.init(ctx.space)
        space, r = ctx.space, ctx.ranking
        size = space.size
        self.candidates = space.allowed[:, index] & (
            space.utilities[:, index] >= space.reservation[:, index][:, None])  # (B, N)
        self.lowest = np.broadcast_to(r.values[:, index, 0], (size,))
        span = r.top[:, index] - self.lowest
        self.range = np.where(span > 0, span, 1.0)
        self.own = ((space.utilities[:, index] - self.lowest[:, None])
                    / self.range[:, None])  # (B, N) on its [0, 1] scale
        self.reserve = np.clip((space.reservation[:, index] - self.lowest) / self.range,
                               0.0, None)
        self.bonus_start = (NICE_TFT_BONUS_START_BIG if space.n_outcomes > NICE_TFT_BIG_DOMAIN
                            else NICE_TFT_BONUS_START)
        self.first = np.full(size, np.nan)
        self.best = np.full(size, -np.inf)
        self.best_offer = np.full(size, -1, dtype=np.int64)
        self._planned: tuple[int, np.ndarray, np.ndarray] | None = None
        self._presort = None

    def default_acceptance(self) -> ac.Condition:
        """Its authors' acceptance condition (AC_combi)."""
        return ac.parse("next|time:0.98")

    @staticmethod
    def _presort_positions(total: np.ndarray) -> np.ndarray:
        """``(B, N)`` with ``ties="negmas"``: each outcome's place in the order NegMAS's Pareto
        search visits them, the reversed ``numpy.argsort`` of ``x + v``
        (``pareto_frontier_numpy``), which decides among equal points. numpy's default sort
        orders equal keys as the processor's SIMD sort does (AVX-512 and AVX2 differ), so this
        order, like NegMAS's own, is the machine's: the default ``ties="index"`` is the same
        everywhere."""
        order = np.argsort(total, axis=-1)[:, ::-1]
        pos = np.empty_like(order)
        np.put_along_axis(pos, order, np.arange(order.shape[-1])[None, :], axis=-1)
        return pos

    def _first(self, mask: np.ndarray, key: np.ndarray, pos: np.ndarray | None) -> np.ndarray:
        """``(B,)`` per row, among ``mask``, the outcome of largest ``key``, ties to the first
        in NegMAS's visiting order (``pos``; by outcome index without it); ``-1`` if none."""
        keyed = np.where(mask, key, -np.inf)
        top = keyed.max(axis=-1, keepdims=True)
        tied = mask & (keyed == top)
        if pos is None:
            at = np.argmax(tied, axis=-1)
        else:
            at = np.argmin(np.where(tied, pos, np.iinfo(np.int64).max), axis=-1)
        return np.where(mask.any(-1), at, -1)

    def _plan(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(offer (B,), target (B,))`` at step ``k`` (computed once per step).

        No sort: every frontier question is a masked maximum over the outcomes. The outcome of
        largest estimate among those worth at least ``y`` to it (highest own utility among
        ties) is on the estimated Pareto frontier; so are the ends of the frontier and, in the
        box they span, the largest Nash product and the largest ``x + v`` (any dominated point
        scores lower).
        """
        if self._planned is not None and self._planned[0] == k:
            return self._planned[1], self._planned[2]
        size = self.ctx.space.size
        rows = np.arange(size)
        v = np.asarray(self.model.estimate(self.model_state), dtype=float)
        x = np.broadcast_to(self.own, v.shape)
        cand = np.broadcast_to(self.candidates, v.shape)
        total = x + v
        pos = self._presort_positions(total) if self.ctx.space.ties == "negmas" else None

        def best_for_opponent(mask: np.ndarray) -> np.ndarray:
            # the largest estimate, then the largest own utility: a frontier point
            keyed = np.where(mask, v, -np.inf)
            top = mask & (keyed == keyed.max(axis=-1, keepdims=True))
            return self._first(top, x, pos)

        def pick(index: np.ndarray, values: np.ndarray, default: float) -> np.ndarray:
            return np.where(index >= 0, values[rows, np.maximum(index, 0)], default)

        # the frontier's ends: most for it (x_high, v_low), most for the opponent (x_low, v_high)
        mine_end = self._first(cand & (np.where(cand, x, -np.inf) == np.where(
            cand, x, -np.inf).max(axis=-1, keepdims=True)), v, pos)
        theirs_end = best_for_opponent(cand)
        x_high, v_low = pick(mine_end, x, np.nan), pick(mine_end, v, np.nan)
        x_low, v_high = pick(theirs_end, x, np.nan), pick(theirs_end, v, np.nan)
        x_low = np.maximum(x_low, self.reserve)
        # the Nash point (NegMAS's nash_points over the frontier: the first, in its visiting
        # order, within NICE_TFT_NASH_EPS of the largest product; with a flat frontier, its
        # first point, the largest x + v)
        box = cand & (x >= x_low[:, None]) & (v >= v_low[:, None])
        product = np.where(box, (x - x_low[:, None]) * (v - v_low[:, None]), -np.inf)
        best_product = product.max(axis=-1, keepdims=True)
        flat = ((x_high - x_low <= NICE_TFT_NASH_EPS)
                | (v_high - v_low <= NICE_TFT_NASH_EPS))[:, None]
        near = box & (flat | (product >= best_product - NICE_TFT_NASH_EPS))
        at = self._first(near, total, pos)
        x_nash = pick(at, x, NICE_TFT_DEFAULT_NASH)
        # Baarslag's reciprocation in its own utility
        seen = ~np.isnan(self.first)
        first = np.where(seen, self.first, 1.0)
        best = np.where(seen, self.best, first)
        multiplier = np.maximum(0.0, NICE_TFT_MULTIPLIER_BASE
                                - NICE_TFT_MULTIPLIER_GAP * (1.0 - first))
        my_nash = np.minimum(1.0, np.maximum(np.maximum(NICE_TFT_NASH_MIN, self.reserve),
                                             x_nash * multiplier))
        denom = my_nash - first
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(denom > NICE_TFT_GAP_EPS,
                              np.clip((best - first) / np.where(denom > 0, denom, 1.0), 0, 1),
                              0.0)
        target = 1.0 - factor * (1.0 - my_nash)
        t = float(self.ctx.times[k])
        ramp = min(1.0, NICE_TFT_BONUS_RATE * (t - self.bonus_start)) if t > self.bonus_start \
            else 0.0
        bonus = min(1.0, max(0.0, max(NICE_TFT_DISCOUNT_BONUS, ramp)))
        target = target - bonus * np.maximum(0.0, target - my_nash)
        target = np.clip(target, self.reserve, 1.0)
        # the frontier outcome worth at least the target that is best for the opponent
        offer = best_for_opponent(cand & (x >= target[:, None]))
        # makeAppropriate: the opponent's best offer when it is worth at least as much
        mine = pick(offer, x, -np.inf)
        usable = (self.best_offer >= 0) & cand[rows, np.maximum(self.best_offer, 0)]
        offer = np.where(usable & (self.best >= mine), self.best_offer, offer)
        self._planned = (k, offer, target)
        return offer, target

    def level(self, k: int) -> np.ndarray:
        """``(B,)`` its target utility at step ``k`` (see :meth:`Agent.level`)."""
        return self.lowest + self.range * self._plan(k)[1]

    def propose(self, k: int) -> np.ndarray:
        """``(B,)`` its offer at step ``k`` (see :meth:`Agent.propose`)."""
        return self._plan(k)[0]

    def observe(self, offers: np.ndarray, k: int, live: np.ndarray) -> None:
        """Record an offer made to it: the model learns, and its utility of the opponent's
        first and best offers (see :meth:`Agent.observe`)."""
        super().observe(offers, k, live)
        rows = np.arange(offers.shape[0])
        got = live & (offers >= 0)
        own = np.broadcast_to(self.own, (offers.shape[0], self.own.shape[-1]))
        u = np.where(got, own[rows, np.maximum(offers, 0)], -np.inf)
        self.first = np.where(got & np.isnan(self.first), u, self.first)
        better = got & (u > self.best)
        self.best = np.where(better, u, self.best)
        self.best_offer = np.where(better, offers, self.best_offer)
        self._planned = None


class AgentKAgent(Agent):
    """AgentK (Kawaguchi, Fujita & Ito 2011/2012; Genius's ``Agent_K``, ANAC 2010's winner),
    on its utility scaled to ``[0, 1]`` (0 at the larger of its worst allowed utility and its
    outside option).

    From the utilities ``u`` of the offers received so far, with mean ``mu`` and variance
    ``s2``: the expected best offer ``e = mu + (1 - mu) * sqrt(12 s2)``; with the tremor ``tau``
    (default 2), ``alpha = 1 + tau + 10 mu - 2 tau mu`` and ``beta = alpha + tau (U - 1/2)``
    (``U`` uniform); ``p_a = 1 - t**alpha (1 - e)``, ``p_b`` the same with ``beta``; the target
    ``ratio * p_a + 1 - ratio`` with ``ratio = min(2, (sqrt(12 s2) + 0.1) / (1 - p_a))``, then
    pulled toward ``e`` (by ``r f / m`` with ``r`` the excess, ``f = min(1 / r**2, m)``,
    ``m = 400 - 300 t**3``), and never below ``e``; the bid target likewise from ``p_b``.

    It accepts an offer worth ``u`` with probability ``p = t**alpha / 5 + (u - e) + (u - target)``
    (none below 0.1). Otherwise it offers one of the opponent's earlier offers worth more than
    the target, at random, or else a random outcome worth at least the bid target (Genius
    samples random outcomes and lowers the bid target by 0.01 after every 500 misses; here the
    draw is uniform among the outcomes above it, lowered in steps of
    :data:`AGENTK_BID_STEP` until one exists). Its acceptance is that probability, so its
    default condition is ``curve`` against :meth:`level`, the utility at which ``p`` exceeds
    this turn's draw.
    """

    def __init__(self, ctx: Context, index: int, strategy: Strategy, tremor: float) -> None:
        super().__init__(ctx, index, strategy)
        size = ctx.space.size
        self.tremor = tremor
        self.n = np.zeros(size)
        self.total = np.zeros(size)
        self.squares = np.zeros(size)
        self.target = np.ones(size)
        self.bid_target = np.ones(size)
        self.history = np.full((size, max(ctx.steps, 1)), -1, dtype=np.int64)  # distinct offers
        self.distinct = np.zeros(size, dtype=np.int64)
        self.seen = np.zeros((size, ctx.space.n_outcomes), dtype=bool)
        self._turn: tuple[int, np.ndarray, np.ndarray] | None = None

    def _own(self, outcomes: np.ndarray) -> np.ndarray:
        u = utilities_of(self.ctx.space, self.index, outcomes)
        return np.clip(self.normalised(u.T).T if u.ndim == 2 else self.normalised(u), 0, 1)

    def _prepare(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(offer (B,), acceptance level (B,))`` at step ``k``, drawn once per turn."""
        if self._turn is not None and self._turn[0] == k:
            return self._turn[1], self._turn[2]
        size, rng = self.ctx.space.size, self.ctx.rng
        t = float(self.ctx.times[k])
        got = self.n > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = np.where(got, self.total / np.maximum(self.n, 1), 0.0)
            var = np.where(got, self.squares / np.maximum(self.n, 1) - mu * mu, 0.0)
            deviation = np.sqrt(np.clip(var, 0.0, None) * 12.0)
            e = mu + (1.0 - mu) * deviation
            tau = self.tremor
            alpha = 1.0 + tau + 10.0 * mu - 2.0 * tau * mu
            beta = alpha + rng.random(size) * tau - tau / 2.0
            pre_a = 1.0 - np.power(t, alpha) * (1.0 - e)
            pre_b = 1.0 - np.power(t, beta) * (1.0 - e)
            ratio_a = (deviation + 0.1) / (1.0 - pre_a)
            ratio_b = (deviation + 0.1) / (1.0 - pre_b)
        ratio_a = np.where(np.isnan(ratio_a) | (ratio_a > 2.0), 2.0, ratio_a)
        ratio_b = np.where(np.isnan(ratio_b) | (ratio_b > 2.0), 2.0, ratio_b)
        m = 400.0 - 300.0 * t ** 3
        target = _agentk_pull(ratio_a * pre_a + 1.0 - ratio_a, e, m)
        bid_target = _agentk_pull(ratio_b * pre_b + 1.0 - ratio_b, e, m)
        self.target = np.where(got, target, self.target)
        self.bid_target = np.where(got, bid_target, self.bid_target)
        # acceptance: p = t**alpha / 5 + (u - e) + (u - target) > draw, and p >= 0.1
        draw = np.maximum(rng.random(size), AGENTK_MIN_P)
        with np.errstate(invalid="ignore"):
            level = (draw - np.power(t, alpha) / 5.0 + e + self.target) / 2.0
        level = np.where(got, self.scaled(np.clip(level, 0.0, None)), np.inf)
        offer = self._bid(rng)
        self._turn = (k, offer, level)
        return offer, level

    def _bid(self, rng: np.random.Generator) -> np.ndarray:
        """``(B,)`` its offer (see the class docstring)."""
        size = self.ctx.space.size
        width = int(self.distinct.max()) if size else 0
        history = self.history[:, :max(width, 1)]
        worth = self._own(history)
        good = (history >= 0) & (worth > self.target[:, None])
        good &= allowed_of(self.ctx.space, self.index, history)
        keys = np.where(good, rng.random(history.shape), -1.0)
        earlier = history[np.arange(size), np.argmax(keys, axis=-1)]
        r, a = self.ranking, self.index
        low, high = r.low[:, a], r.high[:, a]
        # the lowest bid target at or below the current one (in steps) that some outcome meets
        best = self.normalised(r.top[:, a])
        steps = np.maximum(0.0, np.ceil((self.bid_target - best) / AGENTK_BID_STEP))
        bar = self.scaled(np.minimum(self.bid_target - steps * AGENTK_BID_STEP, best))
        first = search(r.values[:, a: a + 1], bar[:, None, None], low[:, None],
                       high[:, None] + 1)[:, 0, 0]
        first = np.minimum(first, high)
        count = np.maximum(high - first + 1, 1)
        position = first + np.minimum((rng.random(size) * count).astype(np.int64), count - 1)
        order = r.order[:, a]
        fresh = (order[0][np.clip(position, 0, order.shape[-1] - 1)] if order.shape[0] == 1
                 else np.take_along_axis(order, np.clip(position, 0, order.shape[-1] - 1)[:, None],
                                         -1)[:, 0])
        fresh = np.where(r.empty[:, a], -1, fresh)
        return np.where(good.any(-1), earlier, fresh)

    def level(self, k: int) -> np.ndarray:
        """``(B,)`` the utility above which it accepts at step ``k`` (this turn's draw)."""
        return self._prepare(k)[1]

    def propose(self, k: int) -> np.ndarray:
        """``(B,)`` its offer at step ``k`` (see :meth:`Agent.propose`)."""
        return self._prepare(k)[0]

    def observe(self, offers: np.ndarray, k: int, live: np.ndarray) -> None:
        """Record an offer made to it (see :meth:`Agent.observe`)."""
        super().observe(offers, k, live)
        got = live & (offers >= 0)
        u = np.where(got, self._own(offers[:, None])[:, 0], 0.0)
        self.n += got
        self.total += u
        self.squares += u * u
        rows = np.flatnonzero(got)
        new = rows[~self.seen[rows, offers[rows]]]
        self.seen[new, offers[new]] = True
        slot = np.minimum(self.distinct[new], self.history.shape[1] - 1)
        self.history[new, slot] = offers[new]
        self.distinct[new] += 1
        self._turn = None


def _agentk_pull(target: np.ndarray, e: np.ndarray, m: float) -> np.ndarray:
    """AgentK's pull of a target above the expected best offer ``e`` toward it (and never
    below it): ``target - r f / m`` with ``r = target - e``, ``f = min(1 / r**2, m)``."""
    r = target - e
    with np.errstate(divide="ignore", invalid="ignore"):
        f = 1.0 / (r * r)
    f = np.where(np.isnan(f) | (f > m), m, f)
    return np.where(target > e, target - r * f / m, e)


class MiCROAgent(Agent):
    """MiCRO (de Jonge 2022; NegMAS 0.16's ``MiCRONegotiator``).

    Its acceptable outcomes (allowed and worth at least its outside option) in descending order
    of its utility, ``w_0, w_1, ...``; ``m`` of them offered so far. At its turn it offers the
    next one, ``w_m``, when it is *ready to concede*: it has made no more distinct offers than
    it has received (``m <= |received|``, de Jonge's rule; NegMAS's ``ready_to_concede``).
    Otherwise, or when none is left, it repeats one of ``w_0 .. w_{m-1}`` drawn uniformly at
    random (seeded, from the batch's generator), as de Jonge's MiCRO does. It accepts an offer
    worth at least the offer it would make next without repeating: ``w_m`` when ready,
    ``w_{m-1}`` (its lowest offer so far) otherwise, and anything acceptable when it has no such
    outcome (de Jonge's acceptance, NegMAS's ``MiCROAcceptancePolicy(accept_same=True)``); that
    threshold is :meth:`level`, so its default condition is ``curve``.
    """

    def __init__(self, ctx: Context, index: int, strategy: Strategy) -> None:
        super().__init__(ctx, index, strategy)
        size, n = ctx.space.size, ctx.space.n_outcomes
        self.conceded = np.zeros(size, dtype=np.int64)  # m: outcomes offered so far
        self.seen = np.zeros((size, n), dtype=bool)
        self.received = np.zeros(size, dtype=np.int64)  # distinct offers received
        self._fresh_offer = np.full(size, -1, dtype=np.int64)

    def _at(self, rank: np.ndarray) -> np.ndarray:
        """``(B,)`` its ``rank``-th best acceptable outcome ``w_rank`` (``-1`` when none)."""
        r = self.ctx.ranking
        position = r.high[:, self.index] - rank
        order = r.order[:, self.index]
        p = np.clip(position, 0, order.shape[-1] - 1)
        out = (np.take_along_axis(order, p[:, None], -1)[:, 0] if order.shape[0] > 1
               else order[0][p])
        return np.where((rank >= 0) & (position >= r.low[:, self.index]), out, -1)

    def _ready(self) -> np.ndarray:
        return self.conceded <= self.received

    def propose(self, k: int) -> np.ndarray:
        """``(B,)`` its offer at step ``k`` (see :meth:`Agent.propose`)."""
        fresh = self._at(self.conceded)
        concede = self._ready() & (fresh >= 0)
        draw = self.ctx.rng.random(self.ctx.space.size)
        repeat = self._at(np.minimum((draw * self.conceded).astype(np.int64),
                                     self.conceded - 1))
        self._fresh_offer = np.where(concede, fresh, -1)
        return np.where(concede, fresh, repeat)

    def level(self, k: int) -> np.ndarray:
        """``(B,)`` the utility it accepts at step ``k``: that of ``w_m`` when ready to
        concede, else of ``w_{m-1}``; ``-inf`` when it has no such outcome."""
        mine = self._at(np.where(self._ready(), self.conceded, self.conceded - 1))
        return utilities_of(self.ctx.space, self.index, mine[:, None])[:, 0]

    def sent(self, offers: np.ndarray, k: int, live: np.ndarray) -> None:
        """Record its own offer (see :meth:`Agent.sent`)."""
        self.conceded += live & (offers == self._fresh_offer) & (offers >= 0)

    def observe(self, offers: np.ndarray, k: int, live: np.ndarray) -> None:
        """Record an offer made to it (see :meth:`Agent.observe`)."""
        super().observe(offers, k, live)
        rows = np.flatnonzero(live & (offers >= 0))
        fresh = ~self.seen[rows, offers[rows]]
        self.seen[rows, offers[rows]] = True
        self.received[rows] += fresh


# ---------------------------------------------------------------- strategies

@dataclass(frozen=True)
class Strategy:
    """A strategy: a bidding rule with parameters, an acceptance condition (``None``: the
    rule's own) and an opponent model name (``None``: none). See :func:`parse`."""

    name: str
    params: tuple[float, ...] = ()
    acceptance: ac.Condition | None = None
    model: str | None = None

    def bind(self, ctx: Context, index: int) -> Agent:
        """The agent playing this strategy as agent ``index`` of the batch ``ctx``."""
        spec = BIDDING[self.name]
        values = list(self.params) + list(spec.defaults[len(self.params):])
        return spec.make(ctx, index, self, *values)

    def __str__(self) -> str:
        text = self.name + "".join(f":{p:g}" for p in self.params)
        if self.acceptance is not None:
            text += f"@{self.acceptance}"
        if self.model:
            text += f"~{self.model}"
        return text

    @property
    def responsive(self) -> bool:
        """Whether its offers depend on the opponent's."""
        return self.model is not None or not BIDDING[self.name].fixed


@dataclass(frozen=True)
class Bidding:
    """A bidding rule in the registry: how to make its agent, its parameters and defaults."""

    make: Callable[..., Agent]
    params: tuple[str, ...]
    defaults: tuple[float, ...]
    fixed: bool
    description: str


def _time_based(exponent: float | None, eps: float) -> Callable[..., Agent]:
    def make(ctx, index, strategy, *values):
        e = values[0] if exponent is None else exponent
        return TimeBasedAgent(ctx, index, strategy, e, eps)
    return make


BIDDING: dict[str, Bidding] = {
    "boulware": Bidding(_time_based(NAMED_EXPONENTS["boulware"], TIME_BASED_EPS), (), (), True,
                        "time-based, concedes late (e = 4)"),
    "linear": Bidding(_time_based(NAMED_EXPONENTS["linear"], TIME_BASED_EPS), (), (), True,
                      "time-based, concedes steadily (e = 1)"),
    "conceder": Bidding(_time_based(NAMED_EXPONENTS["conceder"], TIME_BASED_EPS), (), (), True,
                        "time-based, concedes early (e = 0.25)"),
    "timebased": Bidding(_time_based(None, TIME_BASED_EPS), ("exponent",), (4.0,), True,
                         "time-based with exponent e (e > 1 Boulware, e < 1 conceder)"),
    "aspiration": Bidding(_time_based(None, ASPIRATION_EPS), ("exponent",), (4.0,), True,
                          "NegMAS's AspirationNegotiator, exponent e"),
    "hardheaded": Bidding(
        lambda ctx, i, s, e, floor: HardHeadedAgent(ctx, i, s, e, TIME_BASED_EPS, floor),
        ("exponent", "floor"), (HARDHEADED_EXPONENT, HARDHEADED_FLOOR), True,
        "HardHeaded-like: very late concession to a floor, AC_next"),
    "tft": Bidding(lambda ctx, i, s, kind: TitForTatAgent(ctx, i, s, kind), ("kindness",),
                   (0.0,), False, "naive tit-for-tat (NegMAS's NaiveTitForTatNegotiator)"),
    "nice-tft": Bidding(lambda ctx, i, s: NiceTitForTatAgent(ctx, i, s), (), (), False,
                        "Nice Tit for Tat: reciprocate toward the estimated Nash point"),
    "agentk": Bidding(lambda ctx, i, s, tremor: AgentKAgent(ctx, i, s, tremor), ("tremor",),
                      (AGENTK_TREMOR,), False,
                      "AgentK: targets the expected best offer, accepts with a probability"),
    "micro": Bidding(lambda ctx, i, s: MiCROAgent(ctx, i, s), (), (), False,
                     "MiCRO: concede one outcome per new distinct offer received"),
}
ALIASES = {"naive-tft": "tft", "titfortat": "tft", "nicetft": "nice-tft", "agent-k": "agentk",
           "time": "timebased"}
PARAM_RANGES = {"exponent": (0.0, math.inf), "floor": (0.0, 1.0), "kindness": (-1.0, 1.0),
                "tremor": (0.0, math.inf)}


def names() -> tuple[str, ...]:
    """The bidding rules' names."""
    return tuple(BIDDING)


def parse(text: str, models: Mapping[str, Any] | None = None,
          where: str = "strategies") -> Strategy:
    """A strategy from ``NAME[:p1[:p2]][@ACCEPT][~MODEL]``.

    ``boulware``, ``aspiration:2``, ``timebased:0.5@next``, ``linear@next|time:0.9~frequency``.

    Raises
    ------
    RedlineError
        One line for an unknown name, a bad parameter, acceptance condition or model.
    """
    text = text.strip()
    body, _, model = text.partition("~")
    body, _, accept = body.partition("@")
    name, *raw = body.split(":")
    name = name.strip().lower()
    name = ALIASES.get(name, name)
    if name not in BIDDING:
        raise RedlineError(f"unknown strategy {name!r}", field=where,
                           hint=f"use one of {', '.join(BIDDING)}")
    spec = BIDDING[name]
    if len(raw) > len(spec.params):
        takes = (f"takes {', '.join(spec.params)}" if spec.params else "takes no parameter")
        raise RedlineError(f"strategy {name} {takes}, got {':'.join(raw)!r}", field=where,
                           hint=f"write {name}" + "".join(f"[:{p}]" for p in spec.params))
    params = []
    for label, value in zip(spec.params, raw, strict=False):
        try:
            number = float(value)
        except ValueError:
            raise RedlineError(f"strategy {name}: {label} must be a number, got {value!r}",
                               field=where) from None
        low, high = PARAM_RANGES[label]
        if not (math.isfinite(number) and low < number <= high
                or label in ("floor", "kindness") and low <= number <= high):
            raise RedlineError(f"strategy {name}: {label} {value} is out of range",
                               field=where, hint=f"{label} lies in ({low:g}, {high:g}]")
        params.append(number)
    condition = ac.parse(accept, where) if accept else None
    model = model.strip() or None
    if model is not None:
        known = dict(models or {})
        if model not in known:
            listed = ", ".join(known) or "none installed"
            raise RedlineError(f"unknown opponent model {model!r}", field=where,
                               hint=f"the opponent models are {listed}")
    return Strategy(name, tuple(params), condition, model)
