"""Simulation-based calibration of the posterior (Talts, Betancourt, Simpson, Vehtari & Gelman
2018, "Validating Bayesian inference algorithms with simulation-based calibration").

Draw the true inputs from the prior, simulate the actors' answers to random packages with the
tremble, update, and check that the posterior's 90% intervals cover the truth 90% of the time:
per input kind (a red line's threshold, a private position and a salience, an outside option)
and for the claim. A claim is binary, so its 90% credible set is randomised (the randomised
probability integral transform of Brockwell 2007): with ``p = P(true)`` and ``V`` uniform, the
PIT is ``(1 - p) + V p`` when the claim is true and ``V (1 - p)`` when false; it is uniform
exactly when the claim's probabilities are calibrated, and its 90% set is ``[0.05, 0.95]``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from redline.scenario.compile import uncertain_inputs
from redline.scenario.load import load_scenario
from redline.scenario.model import Round
from redline.uncertainty.acceptance import acceptance
from redline.uncertainty.claims import claim_probabilities
from redline.uncertainty.posterior import posterior
from redline.uncertainty.sweep import default_rng, draws_from_uniforms
from redline.uncertainty.update import INTERVAL, weighted_quantile

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = load_scenario(ROOT / "tests" / "data" / "rounds" / "sbc.yaml")

REPLICATIONS = 500
PARTICLES = 500
ROUNDS = 4  # random packages, each answered by both actors
TREMBLE = 0.1
COVERAGE = (0.87, 0.93)  # the issue's band around the nominal 90%
SMC_SHARE = 0.8  # at least this share of the replications take the resample-move path
KINDS = {"threshold": ("red_lines.",), "position or salience": ("positions.",),
         "outside option": ("actors.",)}


def _replications():
    """Per replication: the truth's inputs, its claim, and the posterior."""
    rng = default_rng([2018, 10])
    inputs = uncertain_inputs(SCENARIO)
    width = len(inputs) + len(SCENARIO.claims)
    truth_u = rng.random((REPLICATIONS, width))
    truths, truth_matrix = draws_from_uniforms(SCENARIO, inputs, claim_probabilities(SCENARIO),
                                               {}, truth_u)
    radices = [len(i.option_values()) for i in SCENARIO.issues]
    packages = np.stack([rng.integers(0, r, (REPLICATIONS, ROUNDS)) for r in radices], axis=-1)
    options = packages.reshape(-1, len(radices))
    verdicts = acceptance(SCENARIO, truths, options).accepts  # (R, A, R * ROUNDS)
    flips = rng.random((REPLICATIONS, len(SCENARIO.actors), ROUNDS)) < TREMBLE
    labels = [[lab for lab, _ in i.option_values()] for i in SCENARIO.issues]
    for r in range(REPLICATIONS):
        rounds = []
        for k in range(ROUNDS):
            column = r * ROUNDS + k
            answers = {}
            for a, actor in enumerate(SCENARIO.actors):
                accepted = bool(verdicts[r, a, column]) != bool(flips[r, a, k])
                answers[actor.id] = "accepted" if accepted else "rejected"
            package = {issue.id: labels[i][int(options[column, i])]
                       for i, issue in enumerate(SCENARIO.issues)}
            rounds.append(Round(id=f"r{k}", date=f"2026-01-0{k + 1}", sources=["notes"],
                                tremble=TREMBLE, package=package, responses=answers))
        scenario = SCENARIO.model_copy(update={"rounds": rounds})
        yield truth_matrix[r], posterior(scenario, draws=PARTICLES, seed=r)


def test_posterior_intervals_cover_the_truth_ninety_percent_of_the_time():
    names = None
    covered: dict[str, list[bool]] = {kind: [] for kind in KINDS}
    pit: list[float] = []
    methods: list[str] = []
    rng = default_rng([2018, 11])
    for truth, post in _replications():
        names = post.input_names
        methods.append(post.method)
        for j, name in enumerate(names):
            if name.startswith("claim:"):
                p = float(post.weights @ post.inputs[:, j])
                v = rng.random()
                pit.append((1 - p) + v * p if truth[j] == 1 else v * (1 - p))
                continue
            low, high = weighted_quantile(post.inputs[:, j], post.weights, INTERVAL)
            kind = next(k for k, prefixes in KINDS.items() if name.startswith(prefixes))
            covered[kind].append(bool(low <= truth[j] <= high))
    # The rounds are strong enough that most replications resample and move (with the
    # adaptive number of move steps): the calibration is the resample-move sampler's.
    assert methods.count("smc") >= SMC_SHARE * REPLICATIONS, methods.count("smc")
    rates = {kind: float(np.mean(hits)) for kind, hits in covered.items()}
    pit_array = np.array(pit)
    rates["claim"] = float(np.mean((pit_array >= 0.05) & (pit_array <= 0.95)))
    for kind, rate in rates.items():
        assert COVERAGE[0] <= rate <= COVERAGE[1], (kind, rate, rates)
