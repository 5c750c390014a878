"""MiCRO and Nice Tit for Tat against NegMAS 0.16's own negotiations (tests/data/negmas/strategies).

The traces were written by ``tests/data/negmas/make_traces.py --strategies`` in NegMAS's virtual
environment (the format is that of ``tests/data/negmas/README.md``). NegMAS is never imported
here. Each traced negotiation is replayed in Redline on NegMAS's own utilities, with the sort
orders NegMAS's inverters recorded (``ties="negmas"``, ``negmas_orders``: the same on any CPU),
and must end the same: the same agreement at the same step with the same
utilities (relative :data:`UTILITY_TOLERANCE`), in at least :data:`MIN_SHARE_REPRODUCED` of the
runs whose play is deterministic.

MiCRO repeats a random earlier offer when it may not concede (de Jonge 2022, NegMAS's
``random.choice``); Redline draws its own repeats from the run's seed, so a run in which NegMAS's
MiCRO repeated at random among two or more offers (``random_repeats``) cannot be replayed offer
for offer and is held to the textbook rules instead (docs/simulate.md, "Differences from
NegMAS").
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from tests.simulate.conftest import (
    TIES_ELSEWHERE,
    recorded_orders,
    replay_negmas_run,
    ties_sorted_as_in_trace,
)

from redline.space.domain import IssueSpace
from redline.space.kernel import combine

TRACES = Path(__file__).resolve().parents[1] / "data" / "negmas" / "strategies"
DOMAINS = tuple(sorted(p.name.removesuffix(".json.gz") for p in TRACES.glob("*.json.gz")))
UTILITY_TOLERANCE = 1e-9
MIN_SHARE_REPRODUCED = 0.9
REDLINE_STRATEGY = {"micro": "micro", "nice_tft": "nice-tft", "boulware": "boulware",
                    "conceder": "conceder"}


@cache
def trace(domain: str) -> dict:
    """The NegMAS traces of one domain."""
    with gzip.open(TRACES / f"{domain}.json.gz", "rt", encoding="utf-8") as handle:
        return json.load(handle)


@cache
def negmas_utilities(domain: str) -> np.ndarray:
    """``(2, N)`` NegMAS's utilities, replayed from the recipe issue by issue (its own order of
    float additions, so the bits are NegMAS's)."""
    rows = []
    for ufun in trace(domain)["ufuns"]:
        assert ufun["bias"] == 0.0
        rows.append(combine([(w * np.asarray(t))[None, :] for w, t in
                             zip(ufun["weights"], ufun["tables"], strict=True)])[0])
    return np.stack(rows)


@cache
def issues_of(domain: str) -> tuple[IssueSpace, ...]:
    """The domain's issues in outcome order (the opponent models learn option by option)."""
    return tuple(IssueSpace(f"i{k}", issue["name"], tuple(issue["values"]),
                            np.linspace(0.0, 100.0, len(issue["values"])))
                 for k, issue in enumerate(trace(domain)["issues"]))


RUNS = [(d, run["id"]) for d in DOMAINS for run in trace(d)["runs"]]
DETERMINISTIC = [(d, r) for d, r in RUNS
                 if not next(x for x in trace(d)["runs"] if x["id"] == r)["random_repeats"]]


@cache
def ties_as_negmas_here(domain: str) -> bool:
    """Whether this machine sorts the domain's ties as the trace's machine did."""
    return ties_sorted_as_in_trace(trace(domain), negmas_utilities(domain))


def run_of(domain: str, run_id: str) -> dict:
    return next(r for r in trace(domain)["runs"] if r["id"] == run_id)


@cache
def orders_of(domain: str) -> tuple[dict, ...]:
    """Per profile, the orders NegMAS's inverters sorted its outcomes in (from the trace)."""
    return tuple(recorded_orders(ufun, u) for ufun, u in
                 zip(trace(domain)["ufuns"], negmas_utilities(domain), strict=True))


@cache
def replay(domain: str, run_id: str, recorded: bool = True) -> tuple[bool, str]:
    """One traced negotiation in Redline: (same ending as NegMAS, what differs); with
    NegMAS's recorded sort orders (``recorded``) or this machine's ``argsort``."""
    data, run = trace(domain), run_of(domain, run_id)
    profiles = [n["profile"] for n in run["negotiators"]]
    reservations = [data["ufuns"][p]["reserved_value"] for p in profiles]
    orders = [orders_of(domain)[p] for p in profiles] if recorded else None
    return replay_negmas_run(run, negmas_utilities(domain)[profiles], reservations,
                             REDLINE_STRATEGY, UTILITY_TOLERANCE, issues=issues_of(domain),
                             orders=orders)


def test_the_traces_cover_micro_and_nice_tft_against_themselves_and_time_based_agents():
    assert DOMAINS, "no strategy traces: run make_traces.py --strategies"
    seen = {tuple(sorted(n["strategy"] for n in run["negotiators"]))
            for d in DOMAINS for run in trace(d)["runs"]}
    for pair in (("micro", "micro"), ("boulware", "micro"), ("conceder", "micro"),
                 ("nice_tft", "nice_tft"), ("boulware", "nice_tft"), ("conceder", "nice_tft")):
        assert pair in seen


# Deterministic runs whose ending differs from NegMAS's, with the reason (docs/simulate.md,
# "Differences from NegMAS 0.16").
DIFFERENCES: dict[tuple[str, str], str] = {}
# Deterministic runs that end the same but make a different offer on the way.
_LATE_TIE = ("Nice Tit for Tat's self-play on EnglandvsZimbabwe: from step 95 (the time "
             "bonus's ramp) one side offers the opponent's best bid where NegMAS offers a "
             "frontier bid; the same agreement follows at the same step")
OFFER_DIFFERENCES: dict[tuple[str, str], str] = {
    ("anac_y2012_EnglandvsZimbabweA", run_id): _LATE_TIE
    for run_id in ("nice_tft@0-nice_tft@1/100", "nice_tft@1-nice_tft@0/100")}


@pytest.mark.parametrize(("domain", "run_id"), DETERMINISTIC,
                         ids=[f"{d[5:]}:{r}" for d, r in DETERMINISTIC])
def test_a_deterministic_run_is_replayed_offer_for_offer(domain, run_id):
    same, why = replay(domain, run_id)
    if (domain, run_id) in DIFFERENCES:
        assert not same, f"{run_id} now matches NegMAS: drop it from DIFFERENCES"
    elif (domain, run_id) in OFFER_DIFFERENCES:
        assert same and why, f"{run_id} now replays offer for offer: drop it"
    else:
        assert same and not why, why


@pytest.mark.parametrize("strategy", ["micro", "nice_tft"])
def test_at_least_ninety_percent_of_the_runs_end_as_in_negmas(strategy):
    """Counting the runs where NegMAS's MiCRO repeated at random too: a repeat is an earlier
    offer, worth more to MiCRO than its latest, which the opponent accepts no sooner, so the
    ending rarely depends on which one was drawn."""
    runs = [(d, r) for d, r in RUNS
            if strategy in {n["strategy"] for n in run_of(d, r)["negotiators"]}]
    assert runs, f"no {strategy} traces"
    reproduced = sum(replay(d, r)[0] for d, r in runs)
    assert reproduced >= MIN_SHARE_REPRODUCED * len(runs), (reproduced, len(runs))


def test_micro_against_micro_never_repeats_so_every_such_run_is_deterministic():
    """Two MiCROs each receive a new offer before each of their turns (de Jonge's analysis):
    neither is ever unready to concede, so NegMAS's self-play never draws a repeat."""
    for domain in DOMAINS:
        for run in trace(domain)["runs"]:
            if all(n["strategy"] == "micro" for n in run["negotiators"]):
                assert run["random_repeats"] == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_this_machines_own_sort_replays_the_runs_where_it_sorts_as_negmas_did(domain):
    """``ties="negmas"`` without the recorded orders sorts with this machine's ``argsort``:
    where that gives the recorded orders (their digests), every run replays as with them."""
    if not ties_as_negmas_here(domain):
        pytest.skip(TIES_ELSEWHERE)
    for run in trace(domain)["runs"]:
        assert replay(domain, run["id"], recorded=False) == replay(domain, run["id"]), run["id"]


def test_nice_tft_replays_do_not_depend_on_how_its_pareto_presort_orders_equal_sums(
        monkeypatch: pytest.MonkeyPatch):
    """Nice Tit for Tat's frontier search visits the outcomes in NegMAS's ``argsort`` of
    ``x + v`` (its own utility plus the opponent model's estimate, which changes every round, so
    no order is recorded), an order among equal sums another CPU may give otherwise. Sorting
    equal sums by index, or the reverse, replays every run as the machine's own sort does."""
    from redline.simulate.strategies import NiceTitForTatAgent

    runs = [(d, r) for d, r in RUNS if "nice_tft" in r]
    assert runs
    expected = [replay(d, r) for d, r in runs]

    for reverse in (False, True):
        def positions(total: np.ndarray, reverse: bool = reverse) -> np.ndarray:
            # by descending sum (NegMAS's visiting order); equal sums by descending index,
            # or (reverse) ascending
            order = np.argsort(-total if reverse else total, axis=-1, kind="stable")
            order = order if reverse else order[:, ::-1]
            pos = np.empty_like(order)
            np.put_along_axis(pos, order, np.arange(order.shape[-1])[None, :], axis=-1)
            return pos

        monkeypatch.setattr(NiceTitForTatAgent, "_presort_positions", staticmethod(positions))
        assert [replay.__wrapped__(d, r) for d, r in runs] == expected
