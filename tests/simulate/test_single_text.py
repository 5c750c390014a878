"""The mediated single negotiating text: what it agrees is acceptable to every party, the
mediator never drafts a text twice, and its bias moves the outcome toward the side it favours."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.simulate import from_tables, parse, simulate
from redline.space.domain import IssueSpace


def additive(tables):
    """Utilities (A, N) of every package (first issue most significant) from per-issue tables
    (options, A)."""
    rows = [sum(t[o] for t, o in zip(tables, combo, strict=True))
            for combo in itertools.product(*[range(t.shape[0]) for t in tables])]
    return np.array(rows).T


def issues(sizes):
    return [IssueSpace(f"i{k}", f"i{k}", tuple(f"o{j}" for j in range(s)),
                       np.linspace(0, 100, s)) for k, s in enumerate(sizes)]


@st.composite
def texts(draw):
    sizes = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    n_agents = draw(st.integers(2, 3))
    tables = [np.array([[draw(st.integers(0, 10)) / (10 * len(sizes)) for _ in range(n_agents)]
                        for _ in range(s)]) for s in sizes]
    u = additive(tables)
    ok = np.array([[draw(st.booleans()) or o == 0 for o in range(u.shape[1])]
                   for _ in range(n_agents)])
    r = np.array([draw(st.sampled_from([0.0, 0.3])) for _ in range(n_agents)])
    mediator = np.array([draw(st.integers(0, 10)) / 10 for _ in range(u.shape[1])])
    return sizes, u, ok, r, mediator


@settings(max_examples=80, deadline=None)
@given(texts(), st.sampled_from(["boulware", "conceder", "linear", "tft"]), st.integers(1, 40),
       st.booleans())
def test_the_agreed_text_is_acceptable_and_no_text_is_drafted_twice(game, name, steps, own):
    sizes, u, ok, r, mediator = game
    space = from_tables(u, r, ok, issues=issues(sizes))
    result = simulate(space, [parse(name)] * space.n_agents, protocol="single-text",
                      steps=steps, trace=True, mediator=mediator if own else None,
                      bias={0: 0.5})
    o = int(result.agreement[0])
    if o >= 0:
        assert ok[:, o].all() and (u[:, o] >= r).all()
        np.testing.assert_array_equal(result.utilities[0], u[:, o])
    else:
        np.testing.assert_array_equal(result.utilities[0], r)
    drafts = [int(x) for x in result.trace[0] if x >= 0]
    moves = [x for k, x in enumerate(drafts) if k == 0 or x != drafts[k - 1]]
    assert len(moves) == len(set(moves))


def test_a_mediator_biased_toward_a_side_moves_the_text_toward_it():
    # One issue of 4 options on a line: party 0 wants option 0, party 1 option 3; no middle.
    line = np.linspace(1.0, 0.0, 4)
    u = np.stack([line, line[::-1]])
    space = from_tables(u, [0.0, 0.0], issues=issues([4]))
    toward = []
    for side in (0, 1):
        result = simulate(space, [parse("boulware"), parse("boulware")],
                          protocol="single-text", steps=30, bias={side: 5.0})
        assert result.agreed.all()
        toward.append(result.utilities[0])
    assert toward[0][0] > toward[1][0]  # party 0 does better when the mediator leans to it
    assert toward[1][1] > toward[0][1]


def test_a_batch_of_texts_equals_each_alone():
    rng = np.random.default_rng(2)
    tables = [rng.random((3, 2)) / 2 for _ in range(2)]
    u = additive(tables)
    batch_u = np.stack([u, u[::-1], u * 0.9])
    space = from_tables(batch_u, np.full((3, 2), 0.1), issues=issues([3, 3]))
    batch = simulate(space, [parse("boulware"), parse("conceder")], protocol="single-text",
                     steps=20, trace=True)
    for d in range(3):
        alone = simulate(from_tables(batch_u[d], [0.1, 0.1], issues=issues([3, 3])),
                         [parse("boulware"), parse("conceder")], protocol="single-text",
                         steps=20, trace=True)
        assert batch.agreement[d] == alone.agreement[0]
        assert batch.step[d] == alone.step[0]
        np.testing.assert_array_equal(batch.trace[d], alone.trace[0])
