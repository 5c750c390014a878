"""A forecast point read against the options: nearest options and the rounded package judged.

The nearest option and the neighbours are compared with a brute-force reading of the option
values; the rounded package's verdict with ``redline evaluate``'s judgment of the same package
(the compiled rules), so the reading has no rule logic of its own.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redline import pipeline
from redline.bundled import example_path
from redline.space.domain import IssueSpace
from redline.space.options import AT_OPTION_TOLERANCE, place, read_forecast

FREEZE_TO_DMZ = IssueSpace("donbas", "Control of the Donbas",
                           ("russian-withdrawal", "freeze-contact-line", "demilitarised-zone",
                            "cede-entire-donbas"), np.array([0.0, 35.0, 65.0, 100.0]))


def test_the_issue_text_reads_between_two_options():
    assert place(FREEZE_TO_DMZ, 56.2).text() == \
        "56.2: between freeze-contact-line and demilitarised-zone"
    assert place(FREEZE_TO_DMZ, 56.2).nearest_label == "demilitarised-zone"


def test_within_the_tolerance_the_point_is_at_the_option():
    assert place(FREEZE_TO_DMZ, 65 - AT_OPTION_TOLERANCE).text() == "65.0: at demilitarised-zone"
    assert not place(FREEZE_TO_DMZ, 65 - 2 * AT_OPTION_TOLERANCE).at


def test_beyond_the_options_the_point_is_below_the_first_or_above_the_last():
    issue = IssueSpace("x", "X", ("lo", "hi"), np.array([20.0, 80.0]))
    assert place(issue, 5).describe() == "below lo"
    assert place(issue, 95).describe() == "above hi"


def test_midway_goes_to_the_lower_option():
    assert place(FREEZE_TO_DMZ, 50).nearest_label == "freeze-contact-line"


def test_a_value_that_is_not_finite_is_refused():
    with pytest.raises(ValueError, match="finite"):
        place(FREEZE_TO_DMZ, float("nan"))


@given(st.lists(st.integers(0, 100), min_size=2, max_size=6, unique=True),
       st.floats(0, 100, allow_nan=False))
def test_nearest_and_neighbours_match_a_brute_force_reading(values, x):
    values = sorted(float(v) for v in values)
    issue = IssueSpace("i", "I", tuple(f"o{k}" for k in range(len(values))), np.array(values))
    got = place(issue, x)
    distances = [round(abs(v - x), 9) for v in values]
    assert got.nearest == distances.index(min(distances))
    if got.at:
        assert min(distances) <= AT_OPTION_TOLERANCE
        assert got.below == got.above == got.nearest
    else:
        below = [k for k, v in enumerate(values) if v < x]
        above = [k for k, v in enumerate(values) if v > x]
        assert got.below == (below[-1] if below else None)
        assert got.above == (above[0] if above else None)


@pytest.mark.parametrize("model", pipeline.REPORT_MODELS)
def test_the_rounded_forecast_is_judged_as_evaluate_judges_that_package(model):
    loaded = pipeline.load(example_path("donbas-2026"))
    forecast = pipeline.run_forecast(loaded, model).forecast
    reading = read_forecast(loaded.require_domain(), forecast.point)
    judged = pipeline.run_evaluate(loaded, package=reading.labels).to_dict()
    (row,) = judged["completions"]
    assert row["package"] == reading.labels
    assert row["acceptable"] == reading.verdict.acceptable
    for k, actor in enumerate(row["actors"]):
        rules = [r for r in actor["rejected_by"] if not r.endswith(":outside_option")]
        assert list(reading.rules[k]) == rules
        assert bool(reading.below_outside[k]) == (len(rules) < len(actor["rejected_by"]))
    assert reading.breaks_red_line == any(reading.rules)


def test_a_forecast_needs_one_value_per_issue():
    loaded = pipeline.load(example_path("donbas-2026"))
    with pytest.raises(ValueError, match="forecast values"):
        read_forecast(loaded.require_domain(), [50.0])
