"""The mediated single negotiating text (Raiffa 1982), with a mediator that may have interests.

Raiffa (*The Art and Science of Negotiation*, Harvard University Press, 1982, ch. 14) describes
how the United States ran Camp David in 1978: a mediator drafts one text and amends it, round
after round; the parties do not make offers, they criticise the text and accept or veto each
amendment. Klein, Faratin, Sayama & Bar-Yam ("Negotiating complex contracts", Group Decision
and Negotiation 12, 2003) made it a protocol for agents. Kydd ("Which side are you on? Bias,
credibility, and mediation", American Journal of Political Science 47, 2003) studies mediators
biased toward one side.

Here, vectorised over the batch:

* The mediator scores a text with ``m(p) = u_mediator(p) + sum_i bias_i * u_i(p)``: its own
  utility when it is an actor with interests (``mediator``), plus the weight ``bias_i`` it puts
  on party ``i``'s utility. A neutral mediator (no utility of its own) scores the parties'
  utilitarian sum plus the biases. It knows the parties' red lines and outside options and
  ranks texts first by how many parties could accept them at all, then by ``m``.
* Its first draft is its best text. Each step it proposes the amendment, among the texts one
  issue away from the current one that it has not drafted before and no party has vetoed, with
  the highest score. When every such amendment has been vetoed it asks again (the parties'
  targets fall with time); when none is left at all, the text goes to the final vote.
* A party accepts an amendment its red lines allow and that is worth its outside option when it
  gains by it or the new text still reaches its current target (:meth:`Agent.level`, so a
  Boulware party vetoes almost every loss early and fewer later); while the text is
  unacceptable to it, it accepts any amendment it gains by. Otherwise it vetoes it.
* The talks end in agreement at the first step where the text is acceptable to every party and
  reaches every party's target, or at the deadline if the final text is then acceptable to every
  party (its red lines allow it and it is worth the outside option). When no amendment is left,
  the text is put to that final vote at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from redline.errors import RedlineError
from redline.simulate.result import (
    AGREED,
    SimulationResult,
    blocker_labels,
    explain,
    settle,
)
from redline.simulate.space import NegotiationSpace
from redline.simulate.strategies import Context, Strategy, allowed_of, utilities_of
from redline.space.packages import strides


def single_text(space: NegotiationSpace, strategies: Sequence[Strategy], *, steps: int,
                rng: np.random.Generator, trace: bool = False,
                models: Mapping[str, Callable[[], Any]] | None = None,
                mediator: np.ndarray | None = None,
                bias: Mapping[int, float] | Sequence[float] | None = None,
                mediator_name: str = "none") -> SimulationResult:
    """Run the mediated single-text protocol on a batch (see the module docstring).

    Parameters
    ----------
    space
        The parties' negotiation; it must have issues (the amendments change one issue).
    strategies
        One per party: their targets decide which amendments they accept.
    steps
        The deadline, in amendments.
    rng
        Random state (for strategies that draw).
    trace
        Keep the text after each step.
    models
        Opponent-model factories, for strategies with ``~MODEL``.
    mediator
        ``(B or 1, N)`` the mediator's own utility; ``None`` for a neutral mediator.
    bias
        Weight the mediator puts on each party's utility (by agent index), default none.
    mediator_name
        Shown in the strategies of the result.

    Returns
    -------
    SimulationResult
        ``trace`` holds the text after each step; the agreement is the final text.
    """
    if not space.issues:
        raise RedlineError("the single-text protocol amends issues; these outcomes have none",
                           parameter="protocol", hint="use sao or stacked")
    size, n_agents, n = space.size, space.n_agents, space.n_outcomes
    weights = np.zeros(n_agents)
    if bias is not None:
        items = bias.items() if isinstance(bias, Mapping) else enumerate(bias)
        for a, w in items:
            weights[int(a)] = float(w)
    if not np.isfinite(weights).all():
        raise RedlineError("mediator bias must be finite numbers", parameter="bias")
    u = space.utilities  # (B or 1, A, N)
    score = (np.zeros((1, n)) if mediator is None else np.asarray(mediator, dtype=float)
             .reshape(-1, n)) + np.einsum("a,ban->bn", weights, u)
    if mediator is None:
        score = score + u.sum(axis=1)
    score = np.broadcast_to(score, (size, n))
    # The mediator knows the parties' red lines and outside options (Carter's team learned them
    # in the first days at Camp David): it prefers texts more parties can accept at all.
    fits = np.zeros((max(u.shape[0], space.allowed.shape[0], size), n))
    for a in range(n_agents):
        fits = fits + (space.allowed[:, a] & (u[:, a] >= space.reservation[:, a][:, None]))
    span = float(np.ptp(score)) if score.size else 0.0
    score = score + fits * (span + 1.0)
    ctx = Context(space, space.ranking, steps, rng, dict(models or {}))
    agents = [s.bind(ctx, a) for a, s in enumerate(strategies)]

    radices = np.array([i.size for i in space.issues], dtype=np.int64)
    place = strides(radices)
    # every single-issue change: (issue, option) pairs
    pairs = [(i, o) for i in range(radices.size) for o in range(int(radices[i]))]
    issue_of = np.array([p[0] for p in pairs])
    option_of = np.array([p[1] for p in pairs])
    rows = np.arange(size)
    text = np.argmax(score, axis=1)
    drafted = np.zeros((size, n), dtype=bool)
    drafted[rows, text] = True
    vetoed = np.zeros((size, len(pairs)), dtype=bool)
    done = np.zeros(size, dtype=bool)
    agreement = np.full(size, -1, dtype=np.int64)
    step = np.full(size, steps, dtype=np.int64)
    out = np.full((size, steps), -1, dtype=np.int64) if trace else None

    def acceptable(a: int, outcome: np.ndarray) -> np.ndarray:
        ua = utilities_of(space, a, outcome[:, None])[:, 0]
        return allowed_of(space, a, outcome[:, None])[:, 0] & (ua >= space.reservation[:, a])

    for k in range(steps):
        live = ~done
        happy = live.copy()
        for a, agent in enumerate(agents):
            ua = utilities_of(space, a, text[:, None])[:, 0]
            happy &= acceptable(a, text) & (ua >= agent.level(k))
        agreement = np.where(happy, text, agreement)
        step = np.where(happy, k + 1, step)
        done |= happy
        live = ~done
        digits = (text[:, None] // place[None, :]) % radices[None, :]  # (B, I)
        current = digits[:, issue_of]  # (B, C)
        candidates = text[:, None] + (option_of[None, :] - current) * place[issue_of][None, :]
        fresh = (current != option_of[None, :]) & ~drafted[rows[:, None], candidates]
        retry = ~(fresh & ~vetoed).any(axis=1)  # every amendment vetoed: ask again
        vetoed = np.where(retry[:, None], False, vetoed)
        open_ = fresh & ~vetoed
        value = np.where(open_, np.take_along_axis(score, candidates, 1), -np.inf)
        pick = np.argmax(value, axis=1)
        stuck = live & ~open_[rows, pick]
        proposal = candidates[rows, pick]
        asking = live & ~stuck
        agree = asking.copy()
        for a, agent in enumerate(agents):
            before = utilities_of(space, a, text[:, None])[:, 0]
            after = utilities_of(space, a, proposal[:, None])[:, 0]
            fine_now, fine_then = acceptable(a, text), acceptable(a, proposal)
            yes = (fine_then & ((after >= before) | (after >= agent.level(k)) | ~fine_now)
                   | ~fine_now & (after > before))
            agree &= yes
            agent.observe(np.where(asking, proposal, -1), k, asking)
        moved = asking & agree
        text = np.where(moved, proposal, text)
        drafted[rows[moved], proposal[moved]] = True
        vetoed = np.where(moved[:, None], False, vetoed)
        vetoed[rows[asking & ~agree], pick[asking & ~agree]] = True
        if out is not None:
            out[:, k] = np.where(live, text, -1)
        if stuck.any():  # nothing left to amend: the final vote now
            final = stuck.copy()
            for a in range(n_agents):
                final &= acceptable(a, text)
            agreement = np.where(final, text, agreement)
            step = np.where(stuck, k + 1, step)
            done |= stuck
            if out is not None:
                out[:, k] = np.where(stuck, -1, out[:, k])
        if done.all():
            break
    last_vote = ~done
    for a in range(n_agents):
        last_vote &= acceptable(a, text)
    agreement = np.where(last_vote, text, agreement)
    agreed = agreement >= 0
    final_text = np.where(agreed, -1, text)
    reason, blocker = explain(space, np.repeat(final_text[:, None], n_agents, axis=1),
                              ~agreed)
    reason = np.where(agreed, AGREED, reason)
    names = tuple(str(s) for s in strategies) + (f"mediator={mediator_name}",)
    return SimulationResult(
        agreement=agreement, step=step, utilities=settle(space, agreement), reason=reason,
        blocker=blocker, blockers=blocker_labels(space), protocol="single-text",
        strategies=names, steps=steps, space=space, trace=out,
        offerer=None if out is None else np.full(steps, -1, dtype=np.int64))
