"""Alternating offers between time-based agents, against a brute-force reference.

The reference below (with the brute-force inverter of ``conftest.py``) plays SAO the slow,
obvious way: one turn at a time, each offer found by scanning every outcome (no sorting, no
binary search), exactly as the protocol and the strategies are specified in docs/simulate.md
(NegMAS 0.16's semantics). The library computes whole negotiations at once from sorted
outcomes; both must agree outcome for outcome.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.simulate.conftest import EPS, EXPONENTS, NEAR, reference_offer, reference_target

from redline.simulate import from_tables, parse, simulate
from redline.simulate import protocols as P
from redline.simulate.space import rank
from redline.simulate.strategies import Context


def reference_sao(u, ok, r, exponents, steps):
    """(agreement, steps taken) of two time-based agents, turn by turn."""
    def target(a, k):
        return reference_target(u[a], ok[a], r[a], exponents[a], k, steps)

    def accepts(a, o, k):
        return o >= 0 and ok[a, o] and u[a, o] >= r[a] and u[a, o] >= target(a, k)

    standing = reference_offer(u[0], ok[0], r[0], target(0, 0))
    if standing < 0:
        return -1, 1
    for k in range(steps):
        for a in ((1,) if k == 0 else (0, 1)):
            if accepts(a, standing, k):
                return standing, k + 1
            standing = reference_offer(u[a], ok[a], r[a], target(a, k))
            if standing < 0:
                return -1, k + 1
    return -1, steps


@st.composite
def negotiations(draw, size=None):
    n = size or draw(st.integers(2, 30))
    grid = st.integers(0, 20).map(lambda x: x / 20)  # coarse values: many exact ties
    u = np.array([[draw(grid) for _ in range(n)] for _ in range(2)])
    ok = np.array([[draw(st.booleans()) or o == 0 for o in range(n)] for _ in range(2)])
    r = np.array([draw(st.sampled_from([0.0, 0.2, 0.5])) for _ in range(2)])
    return u, ok, r


@settings(max_examples=150, deadline=None)
@given(negotiations(), st.sampled_from(list(EXPONENTS)), st.sampled_from(list(EXPONENTS)),
       st.integers(1, 40))
def test_sao_equals_the_turn_by_turn_reference(game, first, second, steps):
    u, ok, r = game
    space = from_tables(u, r, ok)
    result = simulate(space, [parse(first), parse(second)], steps=steps)
    agreement, taken = reference_sao(u, ok, r, (EXPONENTS[first], EXPONENTS[second]), steps)
    assert int(result.agreement[0]) == agreement
    assert int(result.step[0]) == taken


@settings(max_examples=60, deadline=None)
@given(negotiations(), st.sampled_from(["boulware", "conceder", "linear@next",
                                        "aspiration:2@const:0.6|time:0.9"]),
       st.sampled_from(["boulware", "conceder@next", "timebased:0.5"]), st.integers(1, 30))
def test_the_all_at_once_path_equals_the_turn_loop(game, first, second, steps):
    u, ok, r = game
    space = from_tables(u, r, ok)
    strategies = [parse(first), parse(second)]

    def run(engine):
        ctx = Context(space, rank(space), steps, np.random.default_rng(0))
        agents = [s.bind(ctx, a) for a, s in enumerate(strategies)]
        return engine(ctx, agents, True, "sao")

    fast, loop = run(P._alternating_fixed), run(P._alternating)
    for name in ("agreement", "step", "utilities", "reason", "blocker", "trace"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(loop, name), err_msg=name)


@settings(max_examples=80, deadline=None)
@given(negotiations(), st.sampled_from(["boulware", "conceder@time:0.5", "tft", "micro",
                                        "agentk", "hardheaded", "nice-tft", "linear@const:0"]),
       st.sampled_from(["conceder", "tft", "micro@time:0.3", "agentk"]), st.integers(1, 30))
def test_no_agent_accepts_below_its_outside_option_or_across_a_red_line(game, a, b, steps):
    u, ok, r = game
    result = simulate(from_tables(u, r, ok), [parse(a), parse(b)], steps=steps, trace=True)
    o = int(result.agreement[0])
    if o >= 0:
        assert ok[:, o].all()
        assert (u[:, o] >= r).all()
    offered = result.trace[0]
    movers = result.offerer
    for turn, outcome in enumerate(offered):
        if outcome >= 0:  # an agent offers only what it may accept
            assert ok[movers[turn], outcome] and u[movers[turn], outcome] >= r[movers[turn]]


@settings(max_examples=60, deadline=None)
@given(negotiations(), st.sampled_from(list(EXPONENTS)), st.integers(2, 40))
def test_time_based_offers_follow_their_concession_curve(game, name, steps):
    u, ok, r = game
    space = from_tables(u, r, ok)
    ctx = Context(space, rank(space), steps, np.random.default_rng(0))
    agent = parse(name).bind(ctx, 0)
    offers, levels = agent.plan()
    allowed = ok[0] & (u[0] >= r[0])
    if not allowed.any():
        assert (offers == -1).all()
        return
    t = (np.arange(steps) + 1) / (steps + 1)
    top, bottom = u[0][ok[0]].max(), max(u[0][ok[0]].min(), r[0])
    curve = np.clip((top - bottom) * (1 - t ** EXPONENTS[name]) + bottom - EPS, bottom, top)
    np.testing.assert_allclose(levels[0], curve, rtol=0, atol=1e-12)
    got = u[0][offers[0]]
    assert (got >= curve - NEAR).all()  # never much below the curve
    assert np.all(np.diff(levels[0]) <= 0)  # concession only
    for k in range(steps):  # and nothing allowed lies strictly between the curve and the offer
        between = allowed & (u[0] >= curve[k]) & (u[0] < got[k])
        assert not between.any()


@settings(max_examples=40, deadline=None)
@given(st.lists(negotiations(8), min_size=2, max_size=5),
       st.sampled_from([("boulware", "conceder"), ("tft", "conceder"), ("boulware", "tft"),
                        ("nice-tft", "linear"), ("tft", "nice-tft"), ("nice-tft", "nice-tft")]))
def test_a_batch_of_negotiations_equals_each_run_alone(games, pair):
    """Row by row, for deterministic agents. MiCRO's random repeats and AgentK's acceptance
    and bids draw from the batch's generator, so their batches equal their single runs in
    distribution only."""
    a, b = pair
    u = np.stack([g[0] for g in games])
    ok = np.stack([g[1] for g in games])
    r = np.stack([g[2] for g in games])
    strategies = [parse(a), parse(b)]
    batch = simulate(from_tables(u, r, ok), strategies, steps=25, trace=True)
    for d, (ud, okd, rd) in enumerate(games):
        alone = simulate(from_tables(ud, rd, okd), strategies, steps=25, trace=True)
        assert batch.agreement[d] == alone.agreement[0]
        assert batch.step[d] == alone.step[0]
        assert batch.reason[d] == alone.reason[0]
        np.testing.assert_array_equal(batch.utilities[d], alone.utilities[0])
        np.testing.assert_array_equal(batch.trace[d], alone.trace[0])


def test_the_same_seed_gives_byte_identical_results():
    rng = np.random.default_rng(5)
    u = rng.random((6, 2, 40))
    space = from_tables(u, np.full((6, 2), 0.2))
    runs = [simulate(space, [parse("tft"), parse("boulware")], steps=50, seed=3,
                     breakdown=0.05, trace=True) for _ in range(2)]
    for name in ("agreement", "step", "utilities", "reason", "trace"):
        assert getattr(runs[0], name).tobytes() == getattr(runs[1], name).tobytes()


def test_the_deadline_names_the_red_line_that_refused_the_last_offer():
    # Agent 1 rejects outcome 0 by a red line; agent 0 only ever offers outcome 0.
    u = np.array([[1.0, 0.0, 0.0], [1.0, 0.5, 0.4]])
    ok = np.array([[True, False, False], [False, True, True]])
    from redline.simulate.space import NegotiationSpace, Rule
    base = from_tables(u, [0.0, 0.0], ok)
    space = NegotiationSpace(base.utilities, base.reservation, base.allowed, ("a", "b"),
                             rules=(Rule("no-zero", "red_line", 1, "never outcome 0",
                                         np.array([[True, False, False]])),))
    result = simulate(space, [parse("boulware"), parse("boulware")], steps=10)
    assert result.reasons() == ["red_line"]
    assert result.blockers[result.blocker[0]] == "no-zero"
    assert result.agreement[0] == -1 and result.step[0] == 10
    np.testing.assert_array_equal(result.utilities[0], [0.0, 0.0])


def test_an_agent_with_nothing_to_offer_ends_the_talks_at_once():
    u = np.array([[0.1, 0.2], [1.0, 0.0]])
    result = simulate(from_tables(u, [0.5, 0.0]), [parse("conceder"), parse("conceder")],
                      steps=10)
    assert result.reasons() == ["ended"]
    assert result.step[0] == 1
    assert result.blockers[result.blocker[0]] == "agent1:outside_option"


def test_breakdown_stops_talks_before_their_agreement():
    u = np.tile(np.array([[1.0, 0.6, 0.0], [0.0, 0.6, 1.0]]), (200, 1, 1))
    space = from_tables(u, np.zeros((200, 2)))
    calm = simulate(space, [parse("linear"), parse("linear")], steps=50)
    stormy = simulate(space, [parse("linear"), parse("linear")], steps=50, breakdown=0.1,
                      seed=1)
    assert calm.agreed.all()
    lost = stormy.reason == 3
    assert 0 < lost.sum() < 200
    assert (stormy.agreement[lost] == -1).all()
    assert (stormy.step[lost] < calm.step[lost]).all()
    kept = ~lost
    np.testing.assert_array_equal(stormy.agreement[kept], calm.agreement[kept])


@pytest.mark.parametrize(("text", "message"), [
    ("bolware", "unknown strategy 'bolware'"),
    ("boulware:3", "strategy boulware takes no parameter"),
    ("aspiration:x", "exponent must be a number"),
    ("aspiration:-1", "exponent -1 is out of range"),
    ("linear@soon", "unknown acceptance condition 'soon'"),
    ("linear@time:2", "out of range"),
    ("linear~bayes", "unknown opponent model 'bayes'"),
])
def test_bad_strategies_are_one_clear_line(text, message):
    from redline.errors import RedlineError
    with pytest.raises(RedlineError, match=message):
        parse(text)
