"""Sorting each agent's outcomes (redline.simulate.space) and searching them for an offer
(redline.simulate.strategies.offers_for): fast, yet the same as the slow way.

The reference is numpy's stable sort (``argsort(kind="stable")``): outcomes by ascending
utility, equal utilities by outcome index. A space derived from another (a rotation of its
agents, repetitions) reuses the sorted outcomes it has, and they must be exactly what sorting
the derived space afresh gives. The offer for a target utility is the brute-force inverter's
(``conftest.reference_offer``, a scan of every outcome).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tests.simulate.conftest import reference_offer

from redline import pipeline
from redline.simulate import from_tables, parse, simulate
from redline.simulate import space as space_module
from redline.simulate.space import Ranking, rank
from redline.simulate.strategies import Context, offers_for
from redline.space.sorting import stable_argsort

TOURNAMENT = Path(__file__).resolve().parents[1] / "data" / "tournament" / "time-based.yaml"
"""4 time-based agents x 2 Genius domains, role rotation: 64 negotiations, 32 matches."""
# few distinct levels so that ties are common; -0.0 equals 0.0; +inf marks excluded outcomes
LEVELS = st.sampled_from([0.0, -0.0, 0.25, 0.5, 1.0, -3.0, np.inf])
KEYS = hnp.arrays(np.float64, hnp.array_shapes(min_dims=3, max_dims=3, min_side=0,
                                               max_side=40),
                  elements=st.one_of(LEVELS, st.floats(-1e6, 1e6)))


@settings(max_examples=200, deadline=None)
@given(KEYS)
def test_the_fast_sort_is_numpys_stable_sort(key):
    order, values = stable_argsort(key)
    expected = np.argsort(key, axis=-1, kind="stable")
    assert order.dtype == np.int64
    np.testing.assert_array_equal(order, expected)
    np.testing.assert_array_equal(values, np.take_along_axis(key, expected, axis=-1))


def test_long_rows_with_and_without_ties():
    rng = np.random.default_rng(3)
    distinct = rng.random((1, 2, 50_000))
    tied = np.round(distinct * 50) / 50  # 51 levels: long runs of equal utilities
    for key in (distinct, tied, np.concatenate([distinct, tied], axis=1)):
        order, _ = stable_argsort(key)
        np.testing.assert_array_equal(order, np.argsort(key, axis=-1, kind="stable"))


@st.composite
def spaces(draw):
    batch = draw(st.integers(1, 3))
    agents = draw(st.integers(2, 4))
    n = draw(st.integers(1, 12))
    shared = draw(st.booleans())
    rows = 1 if shared else batch
    u = draw(hnp.arrays(np.float64, (rows, agents, n), elements=st.sampled_from(
        [0.0, 0.1, 0.3, 0.5, 0.8, 1.0])))
    ok = draw(hnp.arrays(bool, (rows, agents, n)))
    r = draw(hnp.arrays(np.float64, (batch, agents), elements=st.sampled_from(
        [0.0, 0.2, 0.5, 0.9])))
    ties = draw(st.sampled_from(["index", "negmas"]))
    return from_tables(u, r, ok, ties=ties)


def same_ranking(got: Ranking, expected: Ranking) -> None:
    for field in dataclasses.fields(Ranking):
        a, b = getattr(got, field.name), getattr(expected, field.name)
        np.testing.assert_array_equal(np.broadcast_to(a, np.broadcast_shapes(a.shape, b.shape)),
                                      np.broadcast_to(b, np.broadcast_shapes(a.shape, b.shape)),
                                      err_msg=field.name)


@settings(max_examples=150, deadline=None)
@given(spaces(), st.data())
def test_derived_spaces_reuse_exactly_the_sorted_outcomes(space, data):
    agents = data.draw(st.permutations(range(space.n_agents)))[:data.draw(
        st.integers(2, space.n_agents))]
    times = data.draw(st.integers(1, 3))
    _ = space.ranking, space.ranking_all  # sorted once, here
    for derived in (space.select(agents), space.repeated(times),
                    space.select(agents).repeated(times)):
        assert derived.ties == space.ties
        fresh = dataclasses.replace(derived)  # the same space, nothing sorted yet
        same_ranking(derived.ranking, rank(fresh, fresh.ties))
        same_ranking(derived.ranking_all, fresh.ranking_all)


def test_a_rotation_plays_as_the_rotated_space_sorted_afresh():
    rng = np.random.default_rng(7)
    space = from_tables(np.round(rng.random((3, 60)) * 8) / 8, [0.2, 0.1, 0.3])
    _ = space.ranking
    strategies = [parse("boulware"), parse("conceder"), parse("tft")]
    rotated = space.select([2, 0, 1])
    fresh = dataclasses.replace(rotated)
    a = simulate(rotated, strategies, protocol="stacked", steps=50, trace=True)
    b = simulate(fresh, strategies, protocol="stacked", steps=50, trace=True)
    np.testing.assert_array_equal(a.trace, b.trace)
    np.testing.assert_array_equal(a.agreement, b.agreement)


def test_a_tournament_sorts_each_scenario_once(monkeypatch: pytest.MonkeyPatch):
    """Not once per match: every rotation and pairing reuses its scenario's sorted outcomes."""
    calls = []

    def counting(space, ties="index"):
        calls.append((space.name, space.actors, ties))
        return rank(space, ties)

    monkeypatch.setattr(space_module, "rank", counting)
    result = pipeline.run_tournament(TOURNAMENT)
    assert result.negotiations == 64
    assert len(calls) == 2  # one per scenario (CameraC and EnglandvsZimbabweA), both roles
    assert len({name for name, _, _ in calls}) == 2


@st.composite
def shared_negotiations(draw):
    n = draw(st.integers(1, 15))
    base = draw(hnp.arrays(np.float64, (2, n), elements=st.sampled_from(
        [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])))
    jitter = draw(hnp.arrays(np.float64, (2, n), elements=st.sampled_from(
        [0.0, 0.0, 4e-7, -4e-7, 1e-6, 3e-6])))
    ok = draw(hnp.arrays(bool, (2, n)))
    r = draw(hnp.arrays(np.float64, (draw(st.integers(1, 4)), 2),
                        elements=st.sampled_from([0.0, 0.3, 0.7])))
    return from_tables(base + jitter, r, ok)


@settings(max_examples=200, deadline=None)
@given(shared_negotiations(), st.data())
def test_offers_for_a_target_are_the_brute_force_inverters(space, data):
    """The inverter on shared sorted outcomes (one search for the whole batch) against a scan
    of every outcome, and against the per-row search it replaces, for targets in each agent's
    range: at outcomes' utilities and just above or below them (NegMAS's ``NEAR`` window)."""
    u, ok = space.utilities[0], space.allowed[0]
    ranking = space.ranking
    ctx = Context(space, ranking, 10, np.random.default_rng(0))
    per_row = Ranking(*(np.ascontiguousarray(np.broadcast_to(a, (space.size,) + a.shape[1:]))
                        for a in (ranking.order, ranking.values)),
                      ranking.low, ranking.high, ranking.top, ranking.bottom)
    offsets = st.sampled_from([0.0, 5e-7, -5e-7, 1e-6, -1e-6, 2e-6, 0.05])
    for a in range(2):
        points = np.array([[data.draw(st.sampled_from(list(u[a]))) + data.draw(offsets)
                            for _ in range(5)] for _ in range(space.size)])
        bottom, top = ranking.bottom[:, a][:, None], ranking.top[:, a][:, None]
        targets = np.clip(points, bottom, np.maximum(top, bottom))
        got = offers_for(ctx, a, targets)
        np.testing.assert_array_equal(got, offers_for(ctx, a, targets, per_row))
        for b in range(space.size):
            expected = [reference_offer(u[a], ok[a], space.reservation[b, a], t)
                        for t in targets[b]]
            assert got[b].tolist() == expected


# ------------------------------------------------ NegMAS's recorded orders (ties="negmas")

@st.composite
def recorded_negmas_orders(draw):
    """A one-negotiation space of few utility levels (so ties are common), red lines, and per
    agent and kind an order of the outcomes that mode sorts by ascending utility with its ties
    in any permutation (what another machine's argsort may give)."""
    agents, n = draw(st.integers(1, 3)), draw(st.integers(1, 14))
    u = draw(hnp.arrays(np.float64, (agents, n), elements=st.sampled_from(
        [0.0, 0.25, 0.5, 0.75, 1.0])))
    ok = draw(hnp.arrays(bool, (agents, n)))
    r = draw(hnp.arrays(np.float64, (agents,), elements=st.sampled_from([0.0, 0.3, 0.6])))
    orders = []
    for a in range(agents):
        recorded = {}
        for kind in draw(st.sets(st.sampled_from(space_module.NEGMAS_KINDS))):
            kept = np.flatnonzero(ok[a] & (u[a] >= r[a] if kind == "rational" else True))
            groups = [kept[u[a, kept] == level] for level in np.unique(u[a, kept])]
            recorded[kind] = np.array([o for g in groups for o in draw(st.permutations(g))],
                                      dtype=np.int64)
        orders.append(recorded)
    return from_tables(u, r, ok, ties="negmas", negmas_orders=orders)


def kept_block(ranking: Ranking, space, a: int, kind: str) -> np.ndarray:
    """Agent ``a``'s positions that NegMAS's sort of ``kind`` fills: the outcomes below the
    outside option come first in the ``rational`` mode, the allowed ones before the rest."""
    ok, u, r = space.allowed[0, a], space.utilities[0, a], space.reservation[0, a]
    below = int((ok & (u < r)).sum()) if kind == "rational" else 0
    kept = int((ok & (u >= r)).sum()) if kind == "rational" else int(ok.sum())
    return ranking.order[0, a, below:below + kept]


@settings(max_examples=200, deadline=None)
@given(recorded_negmas_orders())
def test_a_recorded_order_is_used_verbatim_and_ranks_as_any_sort_would(space):
    """Whatever permutation of the ties NegMAS's sort made, the ranking holds it exactly, and
    everything else (sorted utilities, candidate ranges, the inverter's scale) is what this
    machine's own sort gives."""
    own = dataclasses.replace(space, negmas_orders=())
    for ranking, mine, kind in ((space.ranking, own.ranking, "rational"),
                                (space.ranking_all, own.ranking_all, "all")):
        for a, recorded in enumerate(space.negmas_orders):
            block = kept_block(ranking, space, a, kind)
            if kind in recorded:
                np.testing.assert_array_equal(block, recorded[kind])
            np.testing.assert_array_equal(np.sort(block), np.sort(kept_block(mine, own, a,
                                                                              kind)))
        for field in ("values", "low", "high", "top", "bottom"):
            np.testing.assert_array_equal(getattr(ranking, field), getattr(mine, field))
        allowed = ranking.order.shape[-1] - (~space.allowed).sum(axis=-1)
        for a in range(space.n_agents):
            values = space.utilities[0, a, ranking.order[0, a, :allowed[0, a]]]
            assert (np.diff(values) >= 0).all()


def test_recorded_orders_follow_the_agents_of_a_derived_space():
    u = np.array([[0.5, 0.5, 0.5, 1.0], [1.0, 0.2, 0.2, 0.2]])
    orders = [{"all": [2, 0, 1, 3]}, {"all": [3, 1, 2, 0]}]
    space = from_tables(u, [0.0, 0.0], ties="negmas", negmas_orders=orders)
    swapped = space.select([1, 0]).repeated(2)
    assert swapped.ranking_all.order[:, 0].tolist() == [[3, 1, 2, 0]]
    assert swapped.ranking_all.order[:, 1].tolist() == [[2, 0, 1, 3]]
    rational = from_tables(u, [0.4, 0.0], ties="negmas",
                           negmas_orders=[{"rational": [2, 1, 0, 3]}, {}])
    assert rational.ranking.order[0, 0].tolist() == [2, 1, 0, 3]


@pytest.mark.parametrize(("orders", "ties", "message"), [
    ([{"all": [0, 1, 2]}, {}], "index", 'use ties="negmas"'),
    ([{"all": [0, 1, 2]}], "negmas", "1 entries for 2 agents"),
    ([{"sorted": [0, 1, 2]}, {}], "negmas", "the kinds are"),
])
def test_recorded_orders_that_cannot_apply_are_refused_at_once(orders, ties, message):
    with pytest.raises(ValueError, match=message):
        from_tables(np.zeros((2, 3)), ties=ties, negmas_orders=orders)


@pytest.mark.parametrize(("order", "message"), [
    ([0, 1], r"negmas_orders\[0\]\['all'\] lists 2 outcomes, not the 3"),
    ([0, 1, 1], r"negmas_orders\[0\]\['all'\] lists 3 outcomes, not the 3"),
    ([0, 2, 1], r"negmas_orders\[0\]\['all'\] is not sorted by ascending utility"),
])
def test_a_recorded_order_of_other_outcomes_or_utilities_is_refused(order, message):
    space = from_tables(np.array([[0.1, 0.1, 0.0], [0.0, 0.0, 0.0]]), ties="negmas",
                        negmas_orders=[{"all": order}, {}])
    with pytest.raises(ValueError, match=message):
        _ = space.ranking_all
