"""Stacked alternating offers for n parties against a turn-by-turn brute-force reference.

An offer stands when every other party has accepted it in turn; a rejection is a counter-offer,
which its maker accepts (Aydoğan et al. 2017, NegMAS's ``SAOMechanism`` with n negotiators).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.simulate import from_tables, parse, simulate

EXPONENTS = {"boulware": 4.0, "linear": 1.0, "conceder": 0.25}
EPS = 1e-4
NEAR = 1e-6


def offer(u, ok, r, target):
    cands = [o for o in range(len(u)) if ok[o] and u[o] >= r]
    if not cands:
        return -1
    above = [o for o in cands if u[o] >= target]
    i = min(above, key=lambda o: (u[o], o)) if above else max(cands, key=lambda o: (u[o], -o))
    below = [o for o in cands if target - NEAR <= u[o] < target]
    if below:
        best = max(u[o] for o in below)
        j = min(o for o in below if u[o] == best)
        if target - u[j] < u[i] - target:
            return j
    return i


def reference(u, ok, r, exponents, steps):
    n_agents, n = u.shape

    def target(a, k):
        allowed = [o for o in range(n) if ok[a, o]]
        top = max(u[a, o] for o in allowed)
        bottom = max(min(u[a, o] for o in allowed), r[a])
        t = (k + 1) / (steps + 1)
        return min(max((top - bottom) * (1 - t ** exponents[a]) + bottom - EPS, bottom), top)

    standing, count = -1, 0
    for k in range(steps):
        for a in range(n_agents):
            mine = offer(u[a], ok[a], r[a], target(a, k))
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
