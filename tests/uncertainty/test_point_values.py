"""One point value per distribution: the mean of the distribution a sweep draws from.

``redline analyze`` uses each distribution's point value and ``redline sweep`` draws from it; a
normal without ``low``/``high`` is truncated to its field's range in both. These tests compare
the exact truncated-normal mean with brute-force quadrature, the point values with the mean of
the sweep's own draws, and the analyses of small scenarios with hand counts.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.scenario.compile import compile_batch, deterministic_draws, to_domain
from redline.scenario.distributions import Normal, as_sampled, point, truncated_normal_mean
from redline.scenario.load import parse_scenario
from redline.scenario.model import FIELD_RANGES
from redline.space.engine import analyze
from redline.uncertainty.sweep import make_plan, sample, sweep


def simpson_mean(mean: float, sd: float, low: float, high: float, n: int = 200_001) -> float:
    """Brute force: E[X | low <= X <= high] by Simpson's rule on the density, measured from the
    bound nearer the mean's side so that nothing underflows (independent of the closed form)."""
    alpha, beta = (low - mean) / sd, (high - mean) / sd

    def simpson(x: np.ndarray, f: np.ndarray) -> float:
        w = np.ones_like(x)
        w[1:-1:2], w[2:-1:2] = 4, 2
        return float((w * f).sum())

    if alpha >= 0 or beta <= 0:  # an interval on one side of the mean: its excess over a bound
        near, width, sign = (alpha, beta - alpha, 1.0) if alpha >= 0 else (-beta, beta - alpha,
                                                                           -1.0)
        # The density exp(-near t - t^2/2) is below e^-60 of its peak beyond this t.
        cut = min(width, -near + math.sqrt(near * near + 120))
        t = np.linspace(0, cut, n)
        f = np.exp(-near * t - t * t / 2)
        excess = simpson(t, t * f) / simpson(t, f)
        return low + sd * excess if sign > 0 else high - sd * excess
    z = np.linspace(max(alpha, -40), min(beta, 40), n)
    f = np.exp(-z * z / 2)
    return mean + sd * simpson(z, z * f) / simpson(z, f)


@pytest.mark.parametrize("mean, sd, low, high, expected", [
    (0.1, 0.3, 0, 1, 0.27781922404675935),  # an outside option N(0.1, 0.3) on [0, 1]
    (0.59, 0.22, 0, 1, 0.5764784927281702),  # a salience N(0.59, 0.22) on [0, 1]
    (50, 10, 0, 100, 50.0),  # symmetric truncation keeps the mean
    (-10, 0.1, 0, 1, 0.0009998000999260706),  # 100 sd below the interval: no underflow
    (1e308, 1, 0, 1, 1.0),  # all the mass at the far bound
    (50, 1e-300, 0, 100, 50.0),  # sd far below the range
    (0.5, 1e9, 0, 1, 0.5),  # sd far above the range: uniform
])
def test_truncated_normal_mean_known_values(mean, sd, low, high, expected):
    assert truncated_normal_mean(mean, sd, low, high) == pytest.approx(expected, rel=1e-13,
                                                                      abs=1e-15)


@settings(max_examples=300, deadline=None)
@given(mean=st.floats(-300, 400), log_sd=st.floats(-6, 4), low=st.floats(0, 99),
       share=st.floats(1e-8, 1))
def test_truncated_normal_mean_equals_quadrature(mean, log_sd, low, share):
    sd, high = 10.0 ** log_sd, low + share * (100 - low)
    value = truncated_normal_mean(mean, sd, low, high)
    assert low <= value <= high
    rounding = 4 * np.spacing(high)
    assert value == pytest.approx(simpson_mean(mean, sd, low, high),
                                  abs=1e-12 * (high - low) + rounding)


@pytest.mark.parametrize("spec", [
    {"mean": 0.1, "sd": 0.3},  # no bounds: the field's range [0, 1]
    {"mean": -5, "sd": 1},  # 5 sd below the range
    {"mean": -40, "sd": 1},  # beyond the quantile inversion: Newton on the tail law
    {"mean": 0.5, "sd": 1e-7, "low": 0.4, "high": 0.5},
    {"mean": -1e9, "sd": 1e9},  # a window 1e-9 sd wide
    {"mean": 3, "sd": 2, "high": 0.9},
])
def test_draws_average_to_the_point_value(spec):
    drawn = as_sampled(Normal(normal=spec), 0.0, 1.0)
    x = drawn.sample(np.random.default_rng(4), 200_000)
    low, high = drawn.support()
    assert low <= x.min() and x.max() <= high
    standard_error = x.std() / math.sqrt(x.size)
    assert abs(x.mean() - point(Normal(normal=spec), 0.0, 1.0)) <= 5 * standard_error + 1e-15


# Every kind of distribution in every field that takes one, normals without bounds included.
EVERY_FIELD = """\
scenario: {id: every-field}
actors:
  - {id: a, name: A, capability: {normal: {mean: 5, sd: 10}},
     outside_option: {normal: {mean: 0.1, sd: 0.3}}}
  - {id: b, name: B, capability: {triangular: [1, 2, 6]},
     outside_option: {choice: {values: [0, 0.2, 0.3], p: [0.5, 0.25, 0.25]}}}
  - {id: v, name: Voters, role: stakeholder, capability: {uniform: [1, 3]}}
issues:
  - {id: x, name: X, scale: {step: 25}}
  - id: y
    name: Y
    options: [{label: lo, value: 0}, {label: mid, value: 40}, {label: hi, value: 100}]
positions:
  a:
    x: {position: {normal: {mean: 95, sd: 20}}, salience: {normal: {mean: 0.9, sd: 0.4}}}
    y: {position: 10, private: {normal: {mean: 2, sd: 30}}, salience: 0.5}
  b:
    x: {position: {uniform: [0, 30]}, salience: {normal: {mean: 0.05, sd: 0.2}}}
    y: {position: {triangular: [50, 90, 100]}, salience: 1}
  v:
    x: {position: 50, salience: 1}
    y: {position: 50, salience: 1}
red_lines:
  - {id: b-floor, actor: b, never: {issue: x, at_least: {normal: {mean: 110, sd: 30}}}}
ratification:
  - id: vote
    actor: v
    when: {issue: y, at_most: {normal: {mean: -10, sd: 40}}}
    min_utility: {normal: {mean: 0.3, sd: 0.5}}
"""


def test_analyze_uses_the_mean_of_what_the_sweep_draws():
    scenario = parse_scenario(EVERY_FIELD, "every.yaml")
    plan = make_plan(scenario)
    draws, _ = sample(plan, seed=2, chunk=0, size=100_000)
    fixed = deterministic_draws(scenario)
    assert len(plan.inputs) == 14
    for path, dist, low, high in plan.inputs:
        x = draws.values[path]
        value = fixed.number(path, dist)[0]
        assert (low, high) == FIELD_RANGES[path.rsplit(".", 1)[-1]]
        assert low <= x.min() and x.max() <= high, path
        assert abs(x.mean() - value) <= 5 * x.std() / math.sqrt(x.size) + 1e-12, path
    # ... and the compiled deterministic scenario is made of those point values.
    batch = compile_batch(scenario, fixed)
    assert batch.capability[0, 0] == pytest.approx(
        truncated_normal_mean(5, 10, *FIELD_RANGES["capability"]), rel=1e-15)
    assert batch.disagreement[0, 0] == pytest.approx(0.27781922404675935, rel=1e-13)
    assert batch.disagreement[0, 1] == pytest.approx(0.125)
    assert batch.position[0, 0, 1] == pytest.approx(truncated_normal_mean(2, 30, 0, 100))
    (approval,) = [c for c in batch.constraints if c.kind == "ratification"]
    assert approval.min_utility == pytest.approx(truncated_normal_mean(0.3, 0.5, 0, 1))


# An unbounded normal outside option: N(0.1, 0.3) truncated to [0, 1] has mean 0.2778, so
# the package worth 0.25 to A is unacceptable: 3 acceptable packages of 5, not 4.
OUTSIDE_NORMAL = """\
actors:
  - {id: a, name: A, capability: 1, outside_option: {normal: {mean: 0.1, sd: 0.3}}}
  - {id: b, name: B, capability: 1}
issues:
  - {id: x, name: X, scale: {step: 25}}
positions:
  a:
    x: {position: 100, salience: 1}
  b:
    x: {position: 0, salience: 1}
"""


def test_an_unbounded_normal_outside_option_is_truncated_in_analyze_as_in_sweeps():
    scenario = parse_scenario(OUTSIDE_NORMAL, "outside.yaml")
    domain = to_domain(scenario)
    threshold = simpson_mean(0.1, 0.3, 0, 1)
    assert domain.disagreement[0] == pytest.approx(threshold, abs=1e-12)
    utilities_a = domain.tables[0][:, 0]  # 0, 0.25, 0.5, 0.75, 1 along the scale
    assert (utilities_a >= threshold).sum() == 3
    assert analyze(domain).acceptable_count == 3
    # In the sweep, the package worth 0.25 to A is acceptable exactly when the draw is <= 0.25:
    # P = (Phi((0.25-0.1)/0.3) - Phi(-1/3)) / (Phi(3) - Phi(-1/3)).
    phi = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # noqa: E731
    expected = (phi(0.5) - phi(-1 / 3)) / (phi(3) - phi(-1 / 3))
    result = sweep(scenario, draws=20_000, seed=9)
    share = result.acceptable[1] / result.draws
    assert abs(share - expected) < 4 * math.sqrt(expected * (1 - expected) / result.draws)


# A salience N(0.59, 0.22) without bounds is truncated to [0, 1] (mean 0.5716): the approval
# vote (utility >= 0.43 whenever i2 is in [14, 50]) then rejects 5 packages, leaving 61 of 66.
SALIENCE_NORMAL = """\
actors:
- {id: a0, name: Actor 0, role: mediator, capability: 41}
issues:
- id: i0
  name: Issue 0
  options: [{label: o0, value: 70}, {label: o1, value: 75}]
- id: i1
  name: Issue 1
  options: [{label: o0, value: 0}, {label: o1, value: 60}, {label: o2, value: 65}]
- {id: i2, name: Issue 2, scale: {step: 10.0}}
positions:
  a0:
    i0: {position: 42, salience: 0.97}
    i1: {position: 65, salience: {normal: {mean: 0.59, sd: 0.22}}}
    i2: {position: 31, salience: 0.43}
ratification:
- id: rt1
  actor: a0
  when: {issue: i2, at_least: 14, at_most: 50.0}
  min_utility: 0.43
"""


def test_an_unbounded_normal_salience_gives_the_brute_force_count():
    scenario = parse_scenario(SALIENCE_NORMAL, "salience.yaml")
    s1 = simpson_mean(0.59, 0.22, 0, 1)
    weights = np.array([0.97, s1, 0.43]) / (0.97 + s1 + 0.43)
    # Spatial evaluations (nearest option 1, farthest 0) by hand.
    e0 = {70: 1.0, 75: 0.0}  # ideal 42: 70 is nearer
    e1 = {0: 0.0, 60: 60 / 65, 65: 1.0}
    grid = np.arange(0, 101, 10)
    e2 = {g: (69 - abs(g - 31)) / (69 - 1) for g in grid}
    acceptable = 0
    for v0 in (70, 75):
        for v1 in (0, 60, 65):
            for v2 in grid:
                u = weights @ [e0[v0], e1[v1], e2[v2]]
                acceptable += not (14 <= v2 <= 50 and u < 0.43)
    assert acceptable == 61
    assert analyze(to_domain(scenario)).acceptable_count == acceptable


def test_a_normal_capability_without_bounds_is_accepted():
    text = OUTSIDE_NORMAL.replace("capability: 1, outside_option: {normal: {mean: 0.1, sd: 0.3}}",
                                  "capability: {normal: {mean: 50, sd: 10}}")
    scenario = parse_scenario(text, "capability.yaml")
    capability = compile_batch(scenario, deterministic_draws(scenario)).capability[0]
    # Truncated at the field's lower bound, 5 sd below the mean: 50 + 10 phi(5) / Phi(5).
    assert capability[0] == pytest.approx(simpson_mean(50, 10, *FIELD_RANGES["capability"]),
                                          rel=1e-14)
    assert capability[0] == pytest.approx(50 + 10 * 1.4867195147342977e-06 / (1 - 2.87e-7))
    draws, _ = sample(make_plan(scenario), seed=0, chunk=0, size=5000)
    x = draws.values["actors.a.capability"]
    assert (x >= FIELD_RANGES["capability"][0]).all() and abs(x.mean() - 50) < 0.5
