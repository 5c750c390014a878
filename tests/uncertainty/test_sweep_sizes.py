"""Size limits of `sweep`, `analyze` and `check`: the same numbers everywhere, checked first.

The scenarios are built here: ``issues`` binary or k-ary issues and two actors, as in the
fuzzing reproducers (64 binary issues overflowed an int64 package count; 5^9 packages made a
sweep use 2.5 GB).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import RedlineError
from redline.forecast.base import DrawCost
from redline.forecast.registry import MODELS, model_conventions
from redline.scenario.load import parse_scenario
from redline.space.domain import approximate, package_count
from redline.space.engine import DEFAULT_MAX_PACKAGES
from redline.space.packages import decode
from redline.uncertainty.sweep import (
    CHUNK_MEMORY_BYTES,
    EVALUATIONS_PER_MICROSECOND,
    MAX_PACKAGES,
    MAX_SWEEP_WORK,
    check_sweep_size,
    chunk_bytes_per_draw,
    make_plan,
    merge_parts,
    sweep,
)

runner = CliRunner()


def grid_scenario(n_issues: int, n_options: int, n_actors: int = 2) -> str:
    """YAML: ``n_actors`` actors at alternating ends of ``n_issues`` issues."""
    values = [round(100 * k / (n_options - 1), 6) for k in range(n_options)]
    options = ", ".join(f"{{label: o{k}, value: {v}}}" for k, v in enumerate(values))
    lines = ["actors:"]
    lines += [f"  - {{id: a{a}, name: A{a}, capability: 1}}" for a in range(n_actors)]
    lines.append("issues:")
    lines += [f"  - {{id: i{i}, name: I{i}, options: [{options}]}}" for i in range(n_issues)]
    lines.append("positions:")
    for a in range(n_actors):
        lines.append(f"  a{a}:")
        lines += [f"    i{i}: {{position: {100 * ((a + i) % 2)}, salience: 1}}"
                  for i in range(n_issues)]
    return "\n".join(lines) + "\n"


def scenario(n_issues: int, n_options: int, n_actors: int = 2):
    return parse_scenario(grid_scenario(n_issues, n_options, n_actors).encode(), "grid.yaml")


def write(tmp_path: Path, n_issues: int, n_options: int, n_actors: int = 2) -> Path:
    path = tmp_path / "grid.yaml"
    path.write_text(grid_scenario(n_issues, n_options, n_actors))
    return path


def test_package_count_is_exact_beyond_int64():
    assert package_count([2] * 64) == 2**64
    assert int(np.prod(np.full(64, 2, dtype=np.int64))) == 0  # what the sweep used to check
    assert approximate(2**64) == "1.84e+19"
    assert approximate(10**400) == "about 10^400"


def test_sweep_refuses_64_binary_issues_before_allocating():
    with pytest.raises(RedlineError, match=r"1\.84e\+19 packages; sweeps .* at most 2,000,000"):
        sweep(scenario(64, 2), draws=200)


def test_sweep_refuses_work_beyond_the_limit_with_the_draws_that_fit():
    s = scenario(9, 5)  # 1,953,125 packages, 2 actors
    fit = MAX_SWEEP_WORK // (5**9 * 2)
    with pytest.raises(RedlineError, match=f"use draws={fit:,} or fewer"):
        check_sweep_size(s, 10_000)
    assert check_sweep_size(s, fit)[0] == 5**9


def test_the_draw_cost_grows_with_actors_and_issues_as_declared():
    cost = DrawCost(fixed=10.0, per_issue=2.0, actor_power=2.0)
    assert cost.microseconds(3, 4) == (10.0 + 2.0 * 9) * 4
    assert DrawCost().microseconds(50, 50) == 0.0


def test_closed_form_models_add_no_work_to_a_sweep():
    s = scenario(9, 5)
    fit = MAX_SWEEP_WORK // (5**9 * 2)
    for name in ("compromise", "mean", "median"):
        assert model_conventions(name).draw_cost.microseconds(2, 9) == 0.0
        assert check_sweep_size(s, fit, name)[0] == 5**9


def test_a_slow_models_forecast_in_every_draw_counts_towards_the_limit():
    s = scenario(3, 3, n_actors=12)  # 27 packages: the forecast is most of the work
    for name in ("smp", "bdm", "nash"):
        assert name in MODELS
        micro = model_conventions(name).draw_cost.microseconds(12, 3)
        work = 27 * 12 + int(np.ceil(EVALUATIONS_PER_MICROSECOND * micro))
        fit = MAX_SWEEP_WORK // work
        assert check_sweep_size(s, fit, name)[0] == 27
        with pytest.raises(RedlineError, match=f"the {name} model's forecast.*use draws="
                                               f"{fit:,} or fewer, or a closed-form model"):
            check_sweep_size(s, fit + 1, name)
        check_sweep_size(s, fit + 1, "compromise")  # the same draws, a closed form: accepted


def test_the_cli_refuses_a_slow_model_on_a_million_draws_in_one_line(tmp_path):
    path = write(tmp_path, 3, 3, n_actors=12)
    result = runner.invoke(app, ["sweep", str(path), "--model", "smp", "--draws", "1000000"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "the smp model's forecast" in result.output and "--draws" in result.output


def test_chunks_stay_within_the_memory_budget():
    for n_issues, n_options, n_actors in [(9, 5, 2), (6, 6, 3), (3, 4, 4), (1, 2, 2)]:
        plan = make_plan(scenario(n_issues, n_options, n_actors))
        per_draw = chunk_bytes_per_draw(plan.n_packages, n_actors, 0)
        assert plan.chunk_size >= 1
        assert plan.chunk_size == 1 or plan.chunk_size * per_draw <= CHUNK_MEMORY_BYTES


def test_one_draw_above_the_memory_budget_is_refused():
    # 20 actors on 5^9 packages: one draw alone needs more than the budget.
    s = scenario(9, 5, n_actors=20)
    assert chunk_bytes_per_draw(5**9, 20, 0) > CHUNK_MEMORY_BYTES
    with pytest.raises(RedlineError, match="one draw needs about"):
        check_sweep_size(s, 1)


def test_plan_options_are_every_package_in_order():
    plan = make_plan(scenario(4, 3))
    expected = decode(np.arange(3**4), np.full(4, 3))
    assert np.array_equal(plan.options, expected)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=6))
def test_merge_parts_folds_in_order_like_the_sum_of_all_parts(sizes):
    labels = (("r", "red_line", "a"), ("q", "ratification", "b"),
              ("a:outside_option", "outside_option", "a"))
    rng = np.random.default_rng(len(sizes))
    parts = [{"inputs": rng.random((n, 2)), "agreement": rng.random(n) < 0.5,
              "forecast": rng.random((n, 3)), "nash": rng.integers(-1, 5, n),
              "ks": rng.integers(-1, 5, n), "acceptable": rng.integers(0, n + 1, 5),
              "accepts": rng.integers(0, n + 1, (2, 5)), "pivotal": rng.integers(0, n, 3),
              "freeing": rng.integers(0, n, 3), "rejected": rng.random(3),
              "columns": labels} for n in sizes]
    merged = merge_parts(iter(parts))
    assert merged["columns"] == labels  # the labels of the summed columns, the same in all
    assert np.array_equal(merged["nash"], np.concatenate([p["nash"] for p in parts]))
    for key in ("acceptable", "accepts", "pivotal", "freeing", "rejected"):
        assert np.array_equal(merged[key], sum(p[key] for p in parts))


def test_sweep_cli_refuses_first_with_one_line_naming_the_file(tmp_path: Path):
    path = write(tmp_path, 64, 2)
    result = runner.invoke(app, ["sweep", str(path), "--draws", "200", "--json"])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {path}: issues: the package space has 1.84e+19 packages; "
                             "sweeps enumerate every package in every draw and accept at most "
                             "2,000,000 (hint: coarsen the issues' steps or merge options for "
                             "the sweep)\n")


def test_check_refuses_what_analyze_refuses(tmp_path: Path):
    path = write(tmp_path, 64, 2)
    checked = runner.invoke(app, ["check", str(path)])
    analyzed = runner.invoke(app, ["analyze", str(path), "--json"])
    assert checked.exit_code == analyzed.exit_code == 2
    assert checked.stderr == analyzed.stderr
    assert "above the limit of 1e+08" in checked.stderr


def test_check_reports_what_sweep_would_refuse(tmp_path: Path):
    path = write(tmp_path, 9, 5)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0
    fit = MAX_SWEEP_WORK // (5**9 * 2)
    assert result.stdout.startswith("ok: 2 actors, 9 issues, 1,953,125 packages")
    assert "sweep would refuse it: --draws: 10,000 draws" in result.stdout
    assert f"use --draws {fit:,} or fewer" in result.stdout
    ok = runner.invoke(app, ["check", str(path), "--draws", str(fit)])
    assert ok.stdout == "ok: 2 actors, 9 issues, 1,953,125 packages, 0 active rules\n"


def test_analyze_default_limit_refuses_2e8_packages_with_a_hint(tmp_path: Path):
    path = write(tmp_path, 8, 11)  # 2.14e8 packages: 54 s and 1 GB under the old limit
    assert 11**8 > DEFAULT_MAX_PACKAGES
    result = runner.invoke(app, ["analyze", str(path), "--json"])
    assert result.exit_code == 2
    assert "2.14e+08 packages, above the limit of 1e+08" in result.stderr
    assert "raise --max-packages" in result.stderr


def test_sweep_limit_is_below_the_analyze_limit():
    assert MAX_PACKAGES < DEFAULT_MAX_PACKAGES


def test_check_options_are_checked(tmp_path: Path):
    path = write(tmp_path, 2, 2)
    for option in ("--draws", "--max-packages"):
        result = runner.invoke(app, ["check", str(path), option, "0"])
        assert result.exit_code == 2 and result.stderr.startswith(f"error: {option}: must be")
