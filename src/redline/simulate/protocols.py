"""Negotiation protocols, run on a whole batch of negotiations at once.

* **Alternating offers** (``sao``; Rubinstein 1982, as NegMAS 0.16's ``SAOMechanism`` runs it)
  and its n-party form, **stacked alternating offers** (``stacked``; Aydoğan, Festen, Hindriks
  & Jonker, "Alternating offers protocols for multilateral negotiation", Modern Approaches to
  Agent-based Complex Automated Negotiation, 2017). Agents move in turn, agent 0 first; a step
  (round) gives every agent one turn, and every turn of step ``k`` happens at relative time
  ``(k + 1) / (steps + 1)``. At its turn an agent responds to the offer on the table: it
  accepts, or it rejects and makes its own offer (which counts as its acceptance of that offer).
  An offer stands when every other agent has accepted it in turn. The talks end at the deadline
  (``steps`` steps), or when an agent has nothing it may offer.
* **Mediated single negotiating text** (``single-text``; Raiffa, *The Art and Science of
  Negotiation*, 1982, the Camp David method): see :mod:`redline.simulate.mediation`.
* **Probabilistic breakdown**: before each step after the first, the talks break down with
  probability ``breakdown`` (seeded), in every protocol.

Hard limits hold in every protocol: an agent accepts only outcomes its red lines allow and that
are worth at least its outside option, and offers only such outcomes.

Speed: when every agent's offers are independent of the others' (time-based agents) and there
are two of them, the whole run is array arithmetic: the offer curves for all steps come from one
batched search of the sorted outcomes, and the step of agreement is an ``argmax`` over all
turns. Otherwise a loop runs over the turns, vectorised over the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from redline.errors import RedlineError
from redline.simulate.result import (
    AGREED,
    BREAKDOWN,
    ENDED,
    SimulationResult,
    blocker_labels,
    explain,
    settle,
)
from redline.simulate.space import NegotiationSpace, check_size
from redline.simulate.strategies import Agent, Context, Strategy, allowed_of, utilities_of

PROTOCOLS = ("sao", "stacked", "single-text")
MAX_STEPS = 1_000_000


def simulate(space: NegotiationSpace, strategies: Sequence[Strategy], *,
             protocol: str = "sao", steps: int = 100, seed: int = 0, breakdown: float = 0.0,
             trace: bool = False, models: Mapping[str, Callable[[], Any]] | None = None,
             **options: Any) -> SimulationResult:
    """Run a batch of negotiations.

    Parameters
    ----------
    space
        The negotiations (:mod:`redline.simulate.space`); agent ``a`` plays ``strategies[a]``.
    strategies
        One per agent (:func:`redline.simulate.strategies.parse`).
    protocol
        ``sao`` (two agents), ``stacked`` (any number) or ``single-text`` (a mediator;
        ``options`` are those of :func:`redline.simulate.mediation.single_text`).
    steps
        The deadline, in steps.
    seed
        Seeds every random choice (breakdown, random strategies, the first text): the same seed
        gives the same result, byte for byte.
    breakdown
        Probability that the talks break down before each step after the first.
    trace
        Keep every offer (``SimulationResult.trace``).
    models
        Opponent-model factories by name, for strategies with ``~MODEL``.

    Returns
    -------
    SimulationResult
    """
    if protocol not in PROTOCOLS:
        raise RedlineError(f"unknown protocol {protocol!r}", parameter="protocol",
                           hint=f"use one of {', '.join(PROTOCOLS)}")
    if not 1 <= steps <= MAX_STEPS:
        raise RedlineError(f"steps must lie between 1 and {MAX_STEPS:,}, got {steps}",
                           parameter="steps")
    if not 0.0 <= breakdown < 1.0:
        raise RedlineError(f"breakdown probability must lie in [0, 1), got {breakdown}",
                           parameter="breakdown")
    if len(strategies) != space.n_agents:
        raise RedlineError(f"{len(strategies)} strategies for {space.n_agents} agents",
                           parameter="strategies", hint="give one strategy per negotiating actor")
    if protocol == "sao" and space.n_agents != 2:
        raise RedlineError(f"alternating offers (sao) is for two parties; this negotiation "
                           f"has {space.n_agents}", parameter="protocol",
                           hint="use protocol=stacked or single-text")
    check_size(space.size, space.n_agents, 1, steps * space.n_agents if trace else 1)
    rng = np.random.default_rng(seed)
    broken_at = _breakdown_steps(rng, space.size, breakdown)
    if protocol == "single-text":
        from redline.simulate.mediation import single_text

        result = single_text(space, strategies, steps=steps, rng=rng, trace=trace,
                             models=models, **options)
    else:
        if options:
            raise RedlineError(f"{sorted(options)[0]} applies to the single-text protocol only",
                               parameter="protocol")
        ctx = Context(space, space.ranking, steps, rng, dict(models or {}))
        agents = [s.bind(ctx, a) for a, s in enumerate(strategies)]
        if space.n_agents == 2 and all(a.fixed for a in agents):
            result = _alternating_fixed(ctx, agents, trace, protocol)
        else:
            result = _alternating(ctx, agents, trace, protocol)
    return _with_breakdown(result, broken_at)


def _breakdown_steps(rng: np.random.Generator, size: int, p: float) -> np.ndarray | None:
    """``(B,)`` the first step (0-based) not played because the talks broke down before it."""
    if p <= 0:
        return None
    return rng.geometric(p, size=size).astype(np.int64)  # >= 1: step 0 is always played


def _with_breakdown(result: SimulationResult, broken_at: np.ndarray | None) -> SimulationResult:
    """``result`` with the talks that broke down before their end marked so."""
    if broken_at is None:
        return result
    lost = result.step > broken_at  # the step that ended them was not played
    if not lost.any():
        return result
    agreement = np.where(lost, -1, result.agreement)
    trace = result.trace
    if trace is not None:
        per_step = trace.shape[1] // result.steps
        turn = np.arange(trace.shape[1])[None, :]
        trace = np.where(lost[:, None] & (turn >= (broken_at * per_step)[:, None]), -1, trace)
    return SimulationResult(
        agreement=agreement, step=np.where(lost, broken_at, result.step),
        utilities=settle(result.space, agreement),
        reason=np.where(lost, BREAKDOWN, result.reason),
        blocker=np.where(lost, -1, result.blocker), blockers=result.blockers,
        protocol=result.protocol, strategies=result.strategies, steps=result.steps,
        space=result.space, trace=trace, offerer=result.offerer)


def _ended_blockers(ctx: Context, agent: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For talks an agent ended (nothing to offer): its outside option when some outcome is
    allowed to it, else its first rule."""
    space, r = ctx.space, ctx.ranking
    out = np.full(space.size, -1, dtype=np.int64)
    first_rule = {}
    for k, rule in enumerate(space.rules):
        first_rule.setdefault(rule.agent, k)
    for a in range(space.n_agents):
        mine = rows & (agent == a)
        if not mine.any():
            continue
        some = np.broadcast_to(r.high[:, a] >= 0, (space.size,))
        out = np.where(mine & some, len(space.rules) + a, out)
        out = np.where(mine & ~some, first_rule.get(a, len(space.rules) + a), out)
    return out


def _finish(ctx: Context, agents: Sequence[Agent], protocol: str, agreement: np.ndarray,
            end_turn: np.ndarray, ended: np.ndarray, last: np.ndarray,
            trace: np.ndarray | None) -> SimulationResult:
    space, n = ctx.space, ctx.space.n_agents
    agreed = agreement >= 0
    step = np.where(agreed | ended, end_turn // n + 1, ctx.steps)
    reason, blocker = explain(space, last, ~agreed & ~ended)
    reason = np.where(agreed, AGREED, np.where(ended, ENDED, reason))
    ender = end_turn % n
    blocker = np.where(ended, _ended_blockers(ctx, ender, ended), blocker)
    return SimulationResult(
        agreement=agreement, step=step.astype(np.int64), utilities=settle(space, agreement),
        reason=reason.astype(np.int64), blocker=blocker, blockers=blocker_labels(space),
        protocol=protocol, strategies=tuple(str(a.strategy) for a in agents),
        steps=ctx.steps, space=space, trace=trace,
        offerer=None if trace is None else np.arange(trace.shape[1]) % n)


def _alternating_fixed(ctx: Context, agents: Sequence[Agent], trace: bool,
                       protocol: str) -> SimulationResult:
    """Two agents whose offers ignore each other: every turn at once (see the module doc).

    Agent 0 offers at turns ``2k`` and agent 1 at ``2k + 1`` (step ``k``); agent 1 responds at
    turn ``2k + 1`` to agent 0's offer of step ``k``, agent 0 at turn ``2k`` (``k >= 1``) to
    agent 1's of step ``k - 1``. Each agent's first acceptance and first missing offer are
    found on its own ``(B, S)`` arrays; the interleaved ``(B, 2S)`` offers are built only for a
    trace.
    """
    space, steps = ctx.space, ctx.steps
    size, turns = space.size, 2 * steps
    plans = [a.plan() for a in agents]
    t = ctx.times
    never = np.int64(turns)
    first_accept = np.full(size, never)
    for a, agent in enumerate(agents):
        mine, level = plans[a]
        if a == 0:  # at turn 2k (k >= 1), agent 1's offer of step k - 1
            received, at, own, lev = plans[1][0][:, :-1], t[1:], mine[:, 1:], level[:, 1:]
        else:  # at turn 2k + 1, agent 0's offer of step k
            received, at, own, lev = plans[0][0], t, mine, level
        if received.shape[1] == 0:
            continue
        u = utilities_of(space, a, received)
        accept = _acceptable(space, a, received, u)
        accept &= agent.acceptance.accepts(
            u, at[None, :],
            utilities_of(space, a, own) if _uses(agent.acceptance, "next") else None, lev)
        hit = accept.any(axis=1)
        column = np.argmax(accept, axis=1)
        turn = 2 * column + 2 if a == 0 else 2 * column + 1
        first_accept = np.where(hit, np.minimum(first_accept, turn), first_accept)
    first_end = np.full(size, never)
    for a in range(2):
        missing = plans[a][0] < 0
        if missing.any():
            gone = missing.any(axis=1)
            first_end = np.where(gone, np.minimum(first_end, 2 * np.argmax(missing, axis=1) + a),
                                 first_end)
    agreed = first_accept < first_end
    ended = ~agreed & (first_end < turns)
    end_turn = np.where(agreed, first_accept, np.where(ended, first_end, turns - 1))
    rows = np.arange(size)
    before = np.maximum(first_accept - 1, 0)  # the accepted offer's turn
    offered = np.where(before % 2 == 0, plans[0][0][rows, np.minimum(before // 2, steps - 1)],
                       plans[1][0][rows, np.minimum(before // 2, steps - 1)])
    agreement = np.where(agreed, offered, -1)
    last = np.stack([plans[0][0][:, -1], plans[1][0][:, -1]], axis=1)  # the last step's offers
    out = None
    if trace:
        offers = np.empty((size, turns), dtype=np.int64)
        offers[:, 0::2], offers[:, 1::2] = plans[0][0], plans[1][0]
        out = np.where(np.arange(turns)[None, :] < end_turn[:, None], offers, -1)
        deadline = ~agreed & ~ended
        out[deadline, -1] = offers[deadline, -1]
    return _finish(ctx, agents, protocol, agreement, end_turn, ended, last, out)


def _acceptable(space: NegotiationSpace, agent: int, offers: np.ndarray,
                u: np.ndarray) -> np.ndarray:
    """``(B, K)`` whether the agent's hard limits let it accept ``offers (B, K)`` worth ``u``
    to it: a real offer, allowed by its red lines, worth at least its outside option."""
    ok = u >= space.reservation[:, agent][:, None]  # False for -1 (utility -inf)
    if not space.allowed[:, agent].all():
        ok &= allowed_of(space, agent, offers)
    return ok


def _uses(condition: Any, kind: str) -> bool:
    """Whether an acceptance condition (or one of its parts) is of ``kind``."""
    return condition.kind == kind or any(_uses(p, kind) for p in condition.parts)


def _alternating(ctx: Context, agents: Sequence[Agent], trace: bool,
                 protocol: str) -> SimulationResult:
    """Any agents, turn by turn, vectorised over the batch (see the module docstring)."""
    space, steps, n = ctx.space, ctx.steps, ctx.space.n_agents
    size, turns = space.size, n * steps
    t = ctx.times
    standing = np.full(size, -1, dtype=np.int64)
    count = np.zeros(size, dtype=np.int64)
    last = np.full((size, n), -1, dtype=np.int64)
    done = np.zeros(size, dtype=bool)
    ended = np.zeros(size, dtype=bool)
    agreement = np.full(size, -1, dtype=np.int64)
    end_turn = np.full(size, turns - 1, dtype=np.int64)
    out = np.full((size, turns), -1, dtype=np.int64) if trace else None
    for k in range(steps):
        for a, agent in enumerate(agents):
            turn = k * n + a
            live = ~done
            mine = agent.propose(k)
            if turn == 0:
                reject = live
            else:
                u = utilities_of(space, a, standing[:, None])[:, 0]
                ok = (allowed_of(space, a, standing[:, None])[:, 0]
                      & (u >= space.reservation[:, a]) & (standing >= 0))
                own = utilities_of(space, a, mine[:, None])[:, 0]
                takes = live & ok & agent.acceptance.accepts(u, t[k], own, agent.level(k))
                count = np.where(takes, count + 1, count)
                agreed = takes & (count >= n)
                agreement = np.where(agreed, standing, agreement)
                end_turn = np.where(agreed, turn, end_turn)
                done |= agreed
                reject = live & ~takes
            quits = reject & (mine < 0)
            ended |= quits
            end_turn = np.where(quits, turn, end_turn)
            done |= quits
            reject &= ~quits
            standing = np.where(reject, mine, standing)
            count = np.where(reject, 1, count)
            last[:, a] = np.where(reject, mine, last[:, a])
            if out is not None:
                out[:, turn] = np.where(reject, mine, -1)
            if reject.any():
                agent.sent(mine, k, reject)
                for b, other in enumerate(agents):
                    if b != a:
                        other.observe(mine, k, reject)
            if done.all():
                break
        if done.all():
            break
    return _finish(ctx, agents, protocol, agreement, end_turn, ended, last, out)
