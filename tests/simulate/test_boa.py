"""BOA composition: any bidding rule with any acceptance condition and any opponent model.

The opponent model here is a stub that peeks at the opponent's true utilities (the interface of
``redline.simulate.opponents``: ``init(space) -> state``, ``update(state, offers, t) -> state``,
``estimate(state) -> (B, N)``), so what the bidding does with a model is tested on its own.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.simulate import from_tables, parse, simulate
from redline.simulate.strategies import MODEL_WINDOW, Context


class Peeking:
    """Knows agent 1's utilities exactly; counts the offers it is told about."""

    def init(self, space):
        return {"u": np.broadcast_to(space.utilities[:, 1], (space.size, space.n_outcomes)),
                "seen": 0}

    def update(self, state, offers, t):
        assert offers.ndim == 1 and 0 < t < 1
        return {**state, "seen": state["seen"] + 1}

    def estimate(self, state):
        return state["u"]


MODELS = {"peek": Peeking}


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.0, 1.0))
def test_a_model_picks_the_offer_best_for_the_opponent_near_the_target(seed, level):
    rng = np.random.default_rng(seed)
    u = np.round(rng.random((2, 30)), 2)
    r = 0.1
    space = from_tables(u, [r, r])
    ctx = Context(space, space.ranking, 10, np.random.default_rng(0), MODELS)
    agent = parse("linear~peek", MODELS).bind(ctx, 0)
    assert not agent.fixed  # a model makes a time-based agent responsive
    top, bottom = u[0].max(), max(u[0].min(), r)
    target = np.clip(bottom + level * (top - bottom), bottom, top)
    picked = int(agent.offer_for(np.array([target]))[0])
    window = (u[0] >= target) & (u[0] < target + MODEL_WINDOW * (top - bottom)) & (u[0] >= r)
    if window.any():  # the best estimate for the opponent among the window
        assert window[picked]
        assert u[1, picked] == u[1][window].max()
    else:  # else the plain offer: the lowest at or above the target
        assert u[0, picked] >= target - 1e-6


def test_the_protocol_feeds_the_model_every_offer_made_to_the_agent():
    u = np.array([[1.0, 0.7, 0.5, 0.2], [0.1, 0.5, 0.6, 1.0]])
    space = from_tables(u, [0.0, 0.0])
    result = simulate(space, [parse("linear~peek", MODELS), parse("boulware")], steps=6,
                      models=MODELS, trace=True)
    assert result.step[0] >= 1
    assert str(result.strategies[0]) == "linear~peek"


def test_acceptance_conditions_compose_with_any_bidding():
    u = np.array([[1.0, 0.8, 0.6, 0.4, 0.2, 0.0], [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]])
    space = from_tables(u, [0.0, 0.0])
    hard = simulate(space, [parse("boulware"), parse("boulware")], steps=20)
    early = simulate(space, [parse("boulware@const:0.4"), parse("boulware")], steps=20)
    late = simulate(space, [parse("boulware@time:0.5"), parse("boulware")], steps=20)
    both = simulate(space, [parse("boulware@const:0.4&time:0.5"), parse("boulware")],
                    steps=20)
    assert early.step[0] <= hard.step[0] and late.step[0] <= hard.step[0]
    assert both.step[0] >= max(early.step[0], late.step[0])
    assert early.utilities[0, 0] >= 0.4
