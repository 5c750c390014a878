"""Stacked alternating offers for n parties against a turn-by-turn brute-force reference.

An offer stands when every other party has accepted it in turn; a rejection is a counter-offer,
which its maker accepts (Aydoğan et al. 2017, NegMAS's ``SAOMechanism`` with n negotiators).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.simulate.conftest import EXPONENTS, reference_offer, reference_target

from redline.simulate import from_tables, parse, simulate


def reference(u, ok, r, exponents, steps):
    """(agreement, steps taken) of n time-based agents, turn by turn."""
    n_agents = u.shape[0]

    def target(a, k):
        return reference_target(u[a], ok[a], r[a], exponents[a], k, steps)

    standing, count = -1, 0
    for k in range(steps):
        for a in range(n_agents):
            mine = reference_offer(u[a], ok[a], r[a], target(a, k))
            if standing >= 0 and ok[a, standing] and u[a, standing] >= r[a] \
                    and u[a, standing] >= target(a, k):
                count += 1
                if count == n_agents:
                    return standing, k + 1
                continue
            if mine < 0:
                return -1, k + 1
            standing, count = mine, 1
    return -1, steps


@st.composite
def games(draw):
    n_agents = draw(st.integers(3, 4))
    n = draw(st.integers(2, 20))
    grid = st.integers(0, 10).map(lambda x: x / 10)
    u = np.array([[draw(grid) for _ in range(n)] for _ in range(n_agents)])
    ok = np.array([[draw(st.booleans()) or o == 0 for o in range(n)] for _ in range(n_agents)])
    r = np.array([draw(st.sampled_from([0.0, 0.3])) for _ in range(n_agents)])
    names = [draw(st.sampled_from(list(EXPONENTS))) for _ in range(n_agents)]
    return u, ok, r, names


@settings(max_examples=120, deadline=None)
@given(games(), st.integers(1, 30))
def test_stacked_equals_the_turn_by_turn_reference(game, steps):
    u, ok, r, names = game
    result = simulate(from_tables(u, r, ok), [parse(x) for x in names], protocol="stacked",
                      steps=steps)
    agreement, taken = reference(u, ok, r, [EXPONENTS[x] for x in names], steps)
    assert int(result.agreement[0]) == agreement
    assert int(result.step[0]) == taken
    if agreement >= 0:
        assert ok[:, agreement].all() and (u[:, agreement] >= r).all()
