"""Compromise, mean, medians, Nash and the registry: known answers and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.errors import RedlineError
from redline.forecast.best import BEST_OPTIONS, BestModel
from redline.forecast.compromise import CompromiseModel, MeanModel
from redline.forecast.median import MedianModel, WeightedMedianModel, lower_weighted_median
from redline.forecast.nash import NashModel, nash_solution
from redline.forecast.registry import MODELS, get_model

# -- known answers -------------------------------------------------------------------------


def test_compromise_is_the_capability_salience_weighted_mean():
    f = CompromiseModel().run([3.0, 1.0], [0.0, 100.0], [1.0, 1.0])
    assert f.point.tolist() == [25.0]
    f = CompromiseModel().run([1.0, 2.0, 1.0], [[0.0], [60.0], [90.0]], [[1.0], [0.25], [0.5]])
    assert f.point[0] == pytest.approx((0 * 1 + 60 * 0.5 + 90 * 0.5) / 2.0)
    assert f.positions.shape == (1, 3, 1) and f.turns == 0 and f.model == "compromise"


def test_compromise_with_zero_weight_falls_back_to_the_plain_mean():
    f = CompromiseModel().run([1.0, 1.0, 1.0], [[0.0, 0.0], [30.0, 30.0], [90.0, 90.0]],
                              [[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    assert f.point.tolist() == [40.0, 0.0]


def test_mean_ignores_weights():
    assert MeanModel().run([9.0, 1.0], [0.0, 100.0], [1.0, 0.0]).point.tolist() == [50.0]


def test_weighted_median_takes_the_first_position_reaching_half_the_weight():
    assert WeightedMedianModel().run([1, 2, 1], [0, 50, 100], [1, 1, 1]).point[0] == 50
    # Exactly half at 0: the lower end of the tie interval [0, 100].
    assert WeightedMedianModel().run([1, 1], [0, 100], [1, 1]).point[0] == 0
    assert WeightedMedianModel().run([1, 3], [0, 100], [1, 1]).point[0] == 100
    # Floating-point sums that are exactly half in decimal still count as a tie.
    assert lower_weighted_median(np.array([0.0, 50.0, 100.0]),
                                 np.array([0.1, 0.2, 0.3])) == 50.0
    # Zero total weight: equal weights.
    assert lower_weighted_median(np.array([5.0, 1.0, 3.0]), np.zeros(3)) == 3.0


def test_unweighted_median_averages_the_middle_pair():
    f = MedianModel().run([1, 1, 1, 1], [0, 10, 20, 100], [1, 0, 0, 0])
    assert f.point.tolist() == [15.0]


def test_nash_two_actors_linear_and_quadratic():
    x = np.array([[0.0], [100.0]])
    assert nash_solution(x, np.array([[1.0], [1.0]]))[0] == pytest.approx(50.0, abs=1e-9)
    # max 3 log(100 - x) + log(x)  ->  x = 25
    assert nash_solution(x, np.array([[3.0], [1.0]]))[0] == pytest.approx(25.0, abs=1e-9)
    quad = nash_solution(x, np.array([[1.0], [1.0]]), utility="quadratic")
    assert quad[0] == pytest.approx(50.0, abs=1e-9)


def test_nash_with_a_status_quo():
    x = np.array([[20.0], [50.0], [100.0]])
    w = np.ones((3, 1))
    # Feasible [0, 40]; on [20, 40] maximise log(40 - x) + 2 log(x): x = 80 / 3.
    assert nash_solution(x, w, np.array([0.0]))[0] == pytest.approx(80 / 3, abs=1e-9)
    # An actor whose ideal point is the status quo can block any move.
    blocked = np.array([[0.0], [50.0], [100.0]])
    assert nash_solution(blocked, w, np.array([0.0]))[0] == 0.0
    # NaN means "no status quo": the worst-point reference is used.
    assert nash_solution(x, w, np.array([np.nan]))[0] == pytest.approx(
        nash_solution(x, w)[0])


def test_nash_model_status_quo_option_and_keyword():
    model = NashModel(status_quo=[0.0])
    assert model.run([1, 1, 1], [20, 50, 100], [1, 1, 1]).point[0] == pytest.approx(80 / 3)
    worst = NashModel(reference="worst").run([1, 1, 1], [20, 50, 100], [1, 1, 1],
                                             status_quo=[0.0])
    assert worst.point[0] == pytest.approx(NashModel().run([1, 1, 1], [20, 50, 100],
                                                           [1, 1, 1]).point[0])
    with pytest.raises(RedlineError):
        NashModel(utility="cubic")


def test_best_is_the_cross_validated_nash_variant():
    f = BestModel().run([1, 1, 1], [20, 50, 100], [1, 1, 1], status_quo=[0.0])
    assert f.model == "best"
    assert f.point[0] == pytest.approx(NashModel(**BEST_OPTIONS).run(
        [1, 1, 1], [20, 50, 100], [1, 1, 1]).point[0])


def test_dimensions_are_independent():
    rng = np.random.default_rng(0)
    c, x, s = rng.random(6) + 0.1, 100 * rng.random((6, 4)), rng.random((6, 4))
    for name in ("compromise", "mean", "median", "median-unweighted", "nash", "best"):
        together = get_model(name).run(c, x, s)
        for k in range(4):
            alone = get_model(name).run(c, x[:, k], s[:, k])
            assert alone.point[0] == pytest.approx(together.point[k], abs=1e-9), name


# -- properties ----------------------------------------------------------------------------

MODEL_NAMES = ("compromise", "mean", "median", "median-unweighted", "nash", "best")

issues = st.integers(min_value=1, max_value=8).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0.01, 50.0), min_size=n, max_size=n),
    st.lists(st.floats(0.0, 100.0), min_size=n, max_size=n),
    st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n),
    st.randoms(use_true_random=False),
))


@settings(max_examples=80, deadline=None)
@given(issues, st.sampled_from(MODEL_NAMES))
def test_forecast_lies_within_the_positions(issue, name):
    c, x, s, _ = issue
    point = get_model(name).run(c, x, s).point[0]
    assert min(x) - 1e-9 <= point <= max(x) + 1e-9


@settings(max_examples=80, deadline=None)
@given(issues, st.sampled_from(MODEL_NAMES))
def test_permuting_actors_changes_nothing(issue, name):
    c, x, s, rnd = issue
    order = list(range(len(c)))
    rnd.shuffle(order)
    a = get_model(name).run(c, x, s).point[0]
    b = get_model(name).run([c[i] for i in order], [x[i] for i in order],
                            [s[i] for i in order]).point[0]
    assert b == pytest.approx(a, abs=1e-7)


@settings(max_examples=80, deadline=None)
@given(issues, st.sampled_from(MODEL_NAMES), st.floats(0.01, 1000.0))
def test_scaling_capability_changes_nothing(issue, name, factor):
    c, x, s, _ = issue
    a = get_model(name).run(c, x, s).point[0]
    b = get_model(name).run([v * factor for v in c], x, s).point[0]
    assert b == pytest.approx(a, abs=1e-7)


# -- inputs and registry -------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ([1.0], [[1.0], [2.0]], [[0.5], [0.5]]),  # capability shape
    ([1.0, 1.0], [[1.0], [2.0]], [[0.5, 0.5]]),  # salience shape
    ([1.0, -1.0], [1.0, 2.0], [0.5, 0.5]),  # negative capability
    ([1.0, 1.0], [1.0, np.inf], [0.5, 0.5]),  # infinite position
    ([1.0, 1.0], [1.0, 2.0], [0.5, -0.5]),  # negative salience
    ([], [], []),  # no actors
])
def test_bad_inputs_are_redline_errors(args):
    with pytest.raises(RedlineError):
        CompromiseModel().run(*args)


def test_registry_names_and_unknown_model():
    for name in ("compromise", "mean", "median", "nash", "bdm", "bdm-scholz", "best"):
        assert name in MODELS
        assert get_model(name).run([1, 1], [10, 20], [0.5, 0.5]).point.shape == (1,)
    assert get_model("bdm-scholz", rounds=3).rounds == 3
    with pytest.raises(RedlineError, match="valid models: compromise"):
        get_model("oracle")
    with pytest.raises(RedlineError, match="bad option"):
        get_model("mean", rounds=3)


@pytest.mark.parametrize("factor", [2.0, 1e-300, 1e300])
def test_compromise_weights_do_not_depend_on_scale(factor):
    # A subnormal salience is still a positive weight: the only actor who cares decides.
    c, x, s = [1.0] * 7 + [0.5], [0.0] * 7 + [1.0], [0.0] * 7 + [5e-324]
    assert CompromiseModel().run(c, x, s).point[0] == 1.0
    assert CompromiseModel().run([v * factor for v in c], x, s).point[0] == 1.0


@pytest.mark.parametrize("name", ["compromise", "nash", "median"])
def test_a_subnormal_salience_is_still_a_weight(name):
    # Found by hypothesis: the one actor who cares at all decides, whatever the capability scale.
    c, x, s = [1.0, 1.0, 1.0, 0.5], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 5e-324]
    for factor in (1.0, 2.0, 1e6):
        assert get_model(name).run([v * factor for v in c], x, s).point[0] == pytest.approx(1.0)
