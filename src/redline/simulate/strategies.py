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
  bilateral negotiations", Complex Automated Negotiations, 2013): reciprocates the opponent's
  concession as a fraction of the way to the estimated Nash point.
* ``hardheaded`` (van Krimpen, Looije & Hajizadeh, "HardHeaded", ANAC 2011 winner, in
  Complex Automated Negotiations 2013): a very late Boulware (``e = 50``) with a floor.
* ``agentk`` (Kawaguchi, Fujita & Ito, "AgentK: compromising strategy based on estimated
  maximum utility", ANAC 2010 winner, 2012): the target falls toward the expected best offer
  estimated from the mean and spread of the opponent's offers.
* ``micro`` (de Jonge, "An analysis of the linear bilateral ANAC domains using the MiCRO
  benchmark strategy", IJCAI 2022): concedes one outcome at a time, only when the opponent has
  made at least as many distinct offers.

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
AGENTK_ALPHA = 3.0
NICE_TFT_NASH_MIN = 0.5  # Baarslag's floor of the Nash utility it aims for, normalised
NICE_TFT_DEFAULT_NASH = 0.7  # the Nash utility assumed without an opponent model
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
    """Nice tit-for-tat: concede the same fraction of the way to the (estimated) Nash point as
    the opponent has conceded, measured in the agent's own utility; AC_next or late time."""

    def __init__(self, ctx: Context, index: int, strategy: Strategy) -> None:
        super().__init__(ctx, index, strategy)
        size = ctx.space.size
        self.first = np.full(size, np.nan)
        self.best = np.full(size, -np.inf)

    def default_acceptance(self) -> ac.Condition:
        """Its authors' acceptance condition."""
        return ac.parse("next|time:0.98")

    def _nash(self) -> np.ndarray:
        if self.model is None:
            return np.full(self.ctx.space.size, NICE_TFT_DEFAULT_NASH)
        estimate = np.asarray(self.model.estimate(self.model_state), dtype=float)
        mine = self.normalised(np.broadcast_to(self.ctx.space.utilities[:, self.index],
                                               estimate.shape))
        ok = np.broadcast_to(self.ctx.space.allowed[:, self.index], estimate.shape)
        product = np.where(ok, np.clip(mine, 0, None) * np.clip(estimate, 0, None), -np.inf)
        at = np.argmax(product, axis=-1)
        return np.take_along_axis(mine, at[:, None], -1)[:, 0]

    def level(self, k: int) -> np.ndarray:
        """``(B,)`` its target utility at step ``k`` (see :meth:`Agent.level`)."""
        nash = np.maximum(self._nash(), NICE_TFT_NASH_MIN)
        first = np.where(np.isnan(self.first), 0.0, self.first)
        gap = nash - first
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = np.where(gap > 0, (self.best - first) / np.where(gap > 0, gap, 1), 1.0)
        fraction = np.where(np.isnan(self.first), 0.0, np.clip(fraction, 0.0, 1.0))
        return self.scaled(1.0 - fraction * (1.0 - nash))

    def propose(self, k: int) -> np.ndarray:
        """``(B,)`` its offer at step ``k`` (see :meth:`Agent.propose`)."""
        return self.offer_for(self.level(k))

    def observe(self, offers: np.ndarray, k: int, live: np.ndarray) -> None:
        """Record an offer made to it (see :meth:`Agent.observe`)."""
        super().observe(offers, k, live)
        u = self.normalised(utilities_of(self.ctx.space, self.index, offers[:, None])[:, 0])
        self.first = np.where(live & np.isnan(self.first), u, self.first)
        self.best = np.where(live, np.maximum(self.best, u), self.best)


class AgentKAgent(Agent):
    """AgentK-like: the target ``1 - (1 - e_max) t**alpha`` on the normalised scale, where
    ``e_max = mu + (1 - mu) * d`` is the best offer expected from the opponent's offers so far
    (mean ``mu``, spread ``d = sqrt(3) * sigma``, the half-width of a uniform distribution with
    that variance)."""

    def __init__(self, ctx: Context, index: int, strategy: Strategy, alpha: float) -> None:
        super().__init__(ctx, index, strategy)
        size = ctx.space.size
        self.alpha = alpha
        self.n = np.zeros(size)
        self.total = np.zeros(size)
        self.squares = np.zeros(size)

    def level(self, k: int) -> np.ndarray:
        """``(B,)`` its target utility at step ``k`` (see :meth:`Agent.level`)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = np.where(self.n > 0, self.total / np.maximum(self.n, 1), 0.0)
            var = np.where(self.n > 0, self.squares / np.maximum(self.n, 1) - mu * mu, 0.0)
        d = np.minimum(1.0, math.sqrt(3.0) * np.sqrt(np.clip(var, 0.0, None)))
        emax = np.clip(mu + (1.0 - mu) * d, 0.0, 1.0)
        t = float(self.ctx.times[k])
        return self.scaled(1.0 - (1.0 - emax) * t ** self.alpha)

    def propose(self, k: int) -> np.ndarray:
        """``(B,)`` its offer at step ``k`` (see :meth:`Agent.propose`)."""
        return self.offer_for(self.level(k))

    def observe(self, offers: np.ndarray, k: int, live: np.ndarray) -> None:
        """Record an offer made to it (see :meth:`Agent.observe`)."""
        super().observe(offers, k, live)
        u = np.clip(self.normalised(utilities_of(self.ctx.space, self.index,
                                                 offers[:, None])[:, 0]), 0.0, 1.0)
        self.n += live
        self.total += np.where(live, u, 0.0)
        self.squares += np.where(live, u * u, 0.0)


class MiCROAgent(Agent):
    """MiCRO: offer its outcomes best first, one new outcome only when it has made no more
    distinct offers than it received; otherwise repeat its last offer (de Jonge repeats a
    random earlier one: the repeat is deterministic here). Accepts an offer worth at least
    its next offer (when ready to concede) or its lowest offer so far."""

    def __init__(self, ctx: Context, index: int, strategy: Strategy) -> None:
        super().__init__(ctx, index, strategy)
        size, n = ctx.space.size, ctx.space.n_outcomes
        self.next = np.zeros(size, dtype=np.int64)  # outcomes conceded so far
        self.seen = np.zeros((size, n), dtype=bool)
        self.received = np.zeros(size, dtype=np.int64)
        self.last = np.full(size, -1, dtype=np.int64)

    def default_acceptance(self) -> ac.Condition:
        """Its authors' acceptance condition."""
        return ac.NEXT

    def _position(self, step: np.ndarray) -> np.ndarray:
        r = self.ctx.ranking
        return r.high[:, self.index] - step

    def _at(self, position: np.ndarray) -> np.ndarray:
        order = self.ctx.ranking.order[:, self.index]
        p = np.clip(position, 0, order.shape[-1] - 1)
        out = (np.take_along_axis(order, p[:, None], -1)[:, 0] if order.shape[0] > 1
               else order[0][p])
        return np.where(position >= self.ctx.ranking.low[:, self.index], out, -1)

    def _ready(self) -> np.ndarray:
        return self.next <= self.received

    def propose(self, k: int) -> np.ndarray:
        """``(B,)`` its offer at step ``k`` (see :meth:`Agent.propose`)."""
        fresh = self._at(self._position(self.next))
        return np.where(self._ready() & (fresh >= 0) | (self.last < 0), fresh, self.last)

    def level(self, k: int) -> np.ndarray:
        """``(B,)`` its target utility at step ``k`` (see :meth:`Agent.level`)."""
        fresh = self._at(self._position(self.next))
        mine = np.where(self._ready() & (fresh >= 0), fresh, self.last)
        return utilities_of(self.ctx.space, self.index, mine[:, None])[:, 0]

    def sent(self, offers: np.ndarray, k: int, live: np.ndarray) -> None:
        """Record its own offer (see :meth:`Agent.sent`)."""
        new = live & (offers != self.last) & (offers >= 0)
        self.next += new
        self.last = np.where(live, offers, self.last)

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
    "agentk": Bidding(lambda ctx, i, s, alpha: AgentKAgent(ctx, i, s, alpha), ("alpha",),
                      (AGENTK_ALPHA,), False, "AgentK-like: aims at the expected best offer"),
    "micro": Bidding(lambda ctx, i, s: MiCROAgent(ctx, i, s), (), (), False,
                     "MiCRO: concede one outcome per new distinct offer received"),
}
ALIASES = {"naive-tft": "tft", "titfortat": "tft", "nicetft": "nice-tft", "agent-k": "agentk",
           "time": "timebased"}
PARAM_RANGES = {"exponent": (0.0, math.inf), "floor": (0.0, 1.0), "kindness": (-1.0, 1.0),
                "alpha": (0.0, math.inf)}


def names() -> tuple[str, ...]:
    """The bidding rules' names."""
    return tuple(BIDDING)


def parse(text: str, models: Mapping[str, Any] | None = None,
          where: str = "--strategy") -> Strategy:
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
