"""MiCRO, Nice Tit for Tat and AgentK play as their authors describe (known-play tests, in the
style of axelrod's): each against a plain-Python transcription of the published rule, or a
property the rule guarantees."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.simulate import from_tables, parse, simulate
from redline.simulate.strategies import (
    AGENTK_MIN_P,
    NICE_TFT_DISCOUNT_BONUS,
    NICE_TFT_NASH_MIN,
    Context,
)

STEPS = 60
CAMERA = Path(__file__).resolve().parents[1] / "data" / "genius" / "anac_y2012_CameraC"


def distinct_utilities(seed: int, n: int) -> np.ndarray:
    """``(2, n)`` two agents' utilities of ``n`` outcomes, no two equal for either agent."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(n) / (n - 1), rng.permutation(n) / (n - 1)])


def micro_by_the_book(u: np.ndarray, r: np.ndarray, steps: int) -> tuple[int, int]:
    """de Jonge's MiCRO against itself, turn by turn in plain Python: (agreement, step).

    Each agent lists its acceptable outcomes best first; it proposes its next one when it has
    made no more distinct proposals than it has received, accepts an offer worth at least its
    next proposal (the last one made when it may not concede), and agent 0 moves first.
    """
    lists = [[int(o) for o in np.argsort(-u[a], kind="stable") if u[a, o] >= r[a]]
             for a in (0, 1)]
    made, received = [0, 0], [set(), set()]
    standing = None
    for step in range(steps):
        for a in (0, 1):
            ready = made[a] <= len(received[a])
            rank = made[a] if ready else made[a] - 1
            if standing is not None:
                mine = lists[a][rank] if rank < len(lists[a]) else None
                bar = r[a] if mine is None else u[a, mine]
                if u[a, standing] >= bar:
                    return standing, step + 1
            if not ready or made[a] >= len(lists[a]):
                return None, step + 1  # a repeat: never happens in self-play before the end
            standing = lists[a][made[a]]
            made[a] += 1
            received[1 - a].add(standing)
    return None, steps


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(4, 40), st.floats(0.0, 0.4))
def test_micro_against_itself_reaches_the_agreement_de_jonge_describes(seed, n, reserve):
    u = distinct_utilities(seed, n)
    r = np.array([reserve, reserve / 2])
    expected, step = micro_by_the_book(u, r, STEPS)
    if expected is None:  # one ran out of acceptable outcomes: it then repeats at random
        return
    result = simulate(from_tables(u, r), [parse("micro"), parse("micro")], steps=STEPS)
    assert (int(result.agreement[0]), int(result.step[0])) == (expected, step)


def test_micro_concedes_only_after_as_many_distinct_offers_as_it_made():
    # The opponent repeats one outcome: MiCRO offers its best, then its second best (it has
    # received one distinct offer), and from then on only repeats those two.
    u = distinct_utilities(3, 30)
    result = simulate(from_tables(u, [0.0, 0.0]),
                      [parse("micro"), parse("timebased:1000@const:2")], steps=40, trace=True)
    mine = result.trace[0][0::2]
    best_two = set(np.argsort(-u[0])[:2].tolist())
    assert mine[0] == np.argmax(u[0]) and set(mine[mine >= 0].tolist()) == best_two


def test_nice_tft_opens_with_its_best_and_concedes_only_its_bonus_to_a_hardliner():
    """Baarslag et al.: it never defects first, and mirrors no concession that was not made:
    against an opponent that repeats one offer its target stays at ``1 - 0.1 (1 - my_nash)``
    (the discount bonus) until the time bonus starts at 0.91."""
    u = distinct_utilities(11, 50)
    space = from_tables(u, [0.0, 0.0])
    result = simulate(space, [parse("nice-tft"), parse("timebased:1000@const:2")], steps=STEPS,
                      trace=True)
    offers = result.trace[0][0::2]
    assert offers[0] == np.argmax(u[0])
    t = (np.arange(STEPS) + 1) / (STEPS + 1)
    early = offers[(t <= 0.91) & (offers >= 0)]
    floor = 1.0 - NICE_TFT_DISCOUNT_BONUS * (1.0 - NICE_TFT_NASH_MIN)
    assert (u[0, early] >= floor - 1e-12).all()
    assert result.agreement[0] == -1 or u[0, result.agreement[0]] >= 0.0


def test_nice_tft_reciprocates_a_conceder_and_ends_near_the_nash_point():
    """On CameraC, as a linear opponent concedes, Nice Tit for Tat concedes too (its model
    learns the opponent's issues from its offers), and they agree near the Nash point."""
    from redline.io.genius import read_genius_folder
    from redline.simulate.space import from_domain

    space = from_domain(read_genius_folder(CAMERA))
    result = simulate(space, [parse("nice-tft"), parse("linear")], steps=100, trace=True)
    u = space.utilities[0]
    assert result.agreement[0] >= 0
    offers = result.trace[0][0::2]
    made = u[0, offers[offers >= 0]]
    assert len(made) > 2 and made[-1] < made[0]  # it conceded, as the opponent did
    nash = np.max(u[0] * u[1])
    assert u[0, result.agreement[0]] * u[1, result.agreement[0]] >= 0.8 * nash


def agentk_p(u: float, offers: list[float], time: float, tremor: float, beta_draw: float
             ) -> tuple[float, float]:
    """Genius's ``Agent_K.acceptProbability`` transcribed line by line: (p, target)."""
    total, squares, rounds = sum(offers), sum(x * x for x in offers), len(offers)
    mean = total / rounds
    deviation = math.sqrt(max(squares / rounds - mean * mean, 0.0) * 12)
    estimate_max = mean + (1 - mean) * deviation
    alpha = 1 + tremor + 10 * mean - 2 * tremor * mean
    pre = 1 - time ** alpha * (1 - estimate_max)
    ratio = (deviation + 0.1) / (1 - pre) if pre != 1 else 2.0
    ratio = 2.0 if math.isnan(ratio) or ratio > 2.0 else ratio
    target = ratio * pre + 1 - ratio
    m = time ** 3 * -300 + 400
    if target > estimate_max:
        r = target - estimate_max
        f = 1 / (r * r) if r else m
        f = m if f > m else f
        target -= r * f / m
    else:
        target = estimate_max
    p = time ** alpha / 5 + (u - estimate_max) + (u - target)
    return (0.0 if p < 0.1 else p), target


def test_agentk_targets_and_acceptance_are_genius_agent_k():
    """Its target is Genius's, and it accepts from the utility at which Genius's ``p`` reaches
    this turn's draw (a uniform number, at least 0.1: ``p`` below 0.1 counts as 0)."""
    u = distinct_utilities(2, 40)
    space = from_tables(u, [0.0, 0.0])
    ctx = Context(space, space.ranking, 50, np.random.default_rng(9))
    agent = parse("agentk").bind(ctx, 0)
    received = [3, 17, 17, 25, 8]
    for k, offer in enumerate(received):
        agent.observe(np.array([offer]), k, np.array([True]))
    k = len(received)
    level = float(agent.normalised(agent.level(k))[0])
    seen = [float(agent.normalised(np.array([u[0, o]]))[0]) for o in received]
    p, target = agentk_p(level, seen, float(ctx.times[k]), 2.0, 0.0)
    assert math.isclose(target, float(agent.target[0]), rel_tol=1e-12)
    assert AGENTK_MIN_P - 1e-12 <= p <= 1.0  # the draw it must beat


def test_agentk_never_offers_below_the_best_it_expects_from_a_steady_opponent():
    """Against one repeated offer worth ``v`` its expected best offer is ``v`` (no spread), and
    its targets never fall below it."""
    u = distinct_utilities(8, 60)
    space = from_tables(u, [0.0, 0.0])
    result = simulate(space, [parse("agentk"), parse("timebased:1000@const:2")], steps=STEPS,
                      seed=4, trace=True)
    opponent = result.trace[0][1::2]
    v = u[0, opponent[0]]
    mine = result.trace[0][0::2]
    assert (u[0, mine[mine >= 0]] >= v).all()


def test_agentk_and_micro_runs_repeat_with_the_seed():
    u = distinct_utilities(1, 50)
    space = from_tables(np.stack([u, u[::-1]]), np.zeros((2, 2)))
    for pair in (["agentk", "conceder"], ["micro", "boulware"]):
        runs = [simulate(space, [parse(s) for s in pair], steps=STEPS, seed=6, trace=True)
                for _ in range(2)]
        assert runs[0].trace.tobytes() == runs[1].trace.tobytes()
