"""What changed between runs: estimates and their noise, headline numbers, inputs, YAML diffs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("fastapi")

from redline.scenario.load import load_scenario  # noqa: E402
from redline.web import changes  # noqa: E402
from redline.web.edits import edit_form, edited_scenario  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "donbas-2026.yaml"


@given(st.integers(1, 5_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_a_share_of_draws_gives_back_its_count(pair):
    successes, n = pair
    found = changes.estimate(successes / n, n)
    assert (found.successes, found.draws) == (successes, n)


@given(st.integers(1, 2_000).flatmap(
    lambda n: st.tuples(st.integers(0, n), st.integers(0, n), st.just(n))))
def test_noise_is_symmetric_and_an_estimate_is_within_its_own_noise(triple):
    a, b, n = triple
    x, y = changes.Estimate(a, n), changes.Estimate(b, n)
    assert changes.within_noise(x, y) == changes.within_noise(y, x)
    assert changes.within_noise(x, x)
    # brute force: the intervals overlap iff some point lies in both
    (xl, xh), (yl, yh) = x.interval, y.interval
    assert changes.within_noise(x, y) == (max(xl, yl) <= min(xh, yh))


def test_far_apart_estimates_are_beyond_the_noise():
    assert not changes.within_noise(changes.Estimate(100, 500), changes.Estimate(400, 500))
    assert changes.within_noise(changes.Estimate(352, 500), changes.Estimate(340, 500))


@pytest.mark.parametrize("p, draws", [(None, 500), (0.5, 0), (float("nan"), 10), (1.5, 10),
                                      (0.5, None)])
def test_no_estimate_without_a_sweep(p, draws):
    assert changes.estimate(p, draws) is None


def test_compare_states_each_headline_number():
    before = {"p_agreement": 0.704, "draws": 500, "acceptable_count": 14,
              "forecast": {"donbas": 56.2, "weapons": 40.0}, "model": "compromise"}
    after = {**before, "p_agreement": 0.680, "acceptable_count": 14,
             "forecast": {"donbas": 61.25, "weapons": 40.0}}
    rows = {r.what: r for r in changes.compare(before, after, {"donbas": "Donbas"})}
    p = rows["P(agreement)"]
    assert p.before.startswith("0.704 (95% ") and p.after.startswith("0.680 (95% ")
    assert p.delta == "−0.024" and p.moved and p.noise is True
    assert not rows["acceptable packages"].moved
    assert rows["forecast: Donbas"].delta == "+5.0"
    assert not rows["forecast: weapons"].moved
    other_model = changes.compare(before, {**after, "model": "bdm"}, {})
    assert not [r for r in other_model if r.what.startswith("forecast")]


def test_input_changes_name_exactly_the_edited_inputs():
    scenario = load_scenario(EXAMPLE)
    text = EXAMPLE.read_text(encoding="utf-8")
    edited, _ = edited_scenario(scenario, text, {"sal.0.0": "0.2", "thr.0": "75"}, name="d")
    found = changes.input_changes(edit_form(scenario), edit_form(edited))
    assert [c.name for c in found] == ["sal.0.0", "thr.0"]
    assert found[0].before == "1" and found[0].after == "0.2"
    assert changes.input_changes(edit_form(scenario), edit_form(scenario)) == []


def test_yaml_diff_marks_lines_and_keeps_them_as_text():
    before = "a: 1\nb: <script>\nc: 3\n"
    after = "a: 1\nb: <script>\nc: 4\n"
    lines = changes.yaml_diff(before, after, before_name="v1", after_name="v2")
    kinds = [k for k, _ in lines]
    assert kinds[:3] == ["head", "head", "hunk"]
    assert ("del", "-c: 3") in lines and ("add", "+c: 4") in lines
    assert ("same", " b: <script>") in lines  # escaping is the page's job
    assert changes.yaml_diff(before, before, before_name="v1", after_name="v1") == []


def test_a_long_diff_is_cut_with_a_note():
    before = "".join(f"k{i}: 1\n" for i in range(3_000))
    after = "".join(f"k{i}: 2\n" for i in range(3_000))
    lines = changes.yaml_diff(before, after, before_name="v1", after_name="v2")
    assert len(lines) == changes.MAX_DIFF_LINES + 1
    assert "more lines of the diff not shown" in lines[-1][1]
