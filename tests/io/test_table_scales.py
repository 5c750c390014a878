"""KTAB CSV, actor CSV and DEU TSV: numbers the models cannot compute with are refused on their
line, and every number inside the bounds gives a finite forecast.

Reproducers from fuzzing (built here): KTAB powers of 1e308 overflowed SMP's sums, saliences of
1e-320 squared to 0 and SMP divided by them, an actor-CSV capability of 1e308 overflowed BDM.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import FormatError, RedlineError, SpaceTooLargeError
from redline.forecast.base import MAX_MAGNITUDE, MIN_POSITIVE, check_scale
from redline.forecast.registry import check_actor_count, get_model, model_conventions
from redline.io.actors_csv import read_actors_csv
from redline.io.deu import read_deu, read_voting_weights
from redline.io.ktab import read_ktab_csv

runner = CliRunner()


def ktab(tmp_path: Path, rows: list[str], name: str = "k.csv") -> Path:
    path = tmp_path / name
    head = [f"Test,scales,{len(rows)},1", "Actor,Description,Power,P1,S1"]
    path.write_text("\n".join(head + rows) + "\n")
    return path


def actors(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "a.csv"
    path.write_text("\n".join(["Actor,Capability,Position,Salience", *rows]) + "\n")
    return path


@pytest.mark.parametrize("row, line, column, message", [
    ("B,x,1e308,80,50", 4, "column 3 (Power)", "capability 1e308 is above 1e+100 in size"),
    ("B,x,10,80,1e-320", 4, "column 5 (S1)", "salience 1e-320 is too small to compute with"),
])
def test_ktab_refuses_out_of_scale_numbers_on_their_line(tmp_path: Path, row, line, column,
                                                         message):
    path = ktab(tmp_path, ["A,x,10,20,50", row])
    with pytest.raises(FormatError) as caught:
        read_ktab_csv(path)
    assert str(caught.value).startswith(f"{path}:{line}: {column}: {message}")


def test_ktab_cli_refusal_is_one_line(tmp_path: Path):
    path = ktab(tmp_path, [f"A{k},x,1e308,{k},50" for k in range(5)])
    result = runner.invoke(app, ["forecast", str(path), "--format", "ktab", "--model", "smp",
                                 "--json"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "divide them all by a common factor" in result.stderr


@pytest.mark.parametrize("row, field, message", [
    ("A,1e308,4,0.8", "Capability", "capability 1e308 is above"),
    ("A,1,-1e200,0.8", "Position", "position -1e200 is above"),
    ("A,1,4,1e-200", "Salience", "salience 1e-200 is too small"),
])
def test_actor_csv_refuses_out_of_scale_numbers(tmp_path: Path, row, field, message):
    path = actors(tmp_path, [row, "B,1,7,0.5"])
    with pytest.raises(FormatError) as caught:
        read_actors_csv(path)
    assert str(caught.value).startswith(f"{path}:2: {field}: {message}")


def test_actor_csv_huge_capability_no_longer_crashes_bdm(tmp_path: Path):
    path = actors(tmp_path, ["A,1e308,4,0.8", "B,1,7,0.5"])
    for model in ("bdm", "bdm-scholz"):
        result = runner.invoke(app, ["forecast", str(path), "--format", "csv", "--model", model,
                                     "--json"])
        assert result.exit_code == 2 and result.stderr.count("\n") == 1


def test_deu_refuses_huge_voting_weights_and_denormal_saliences(tmp_path: Path):
    weights = tmp_path / "w.csv"
    weights.write_text("actor,weight\nde,1e308\n")
    with pytest.raises(FormatError, match=r"w\.csv:2: weight: capability 1e308 is above"):
        read_voting_weights(weights)
    tsv = tmp_path / "d.tsv"
    header = ["prnr", "isnr", "pcom", "pde", "scom", "sde", "out"]
    tsv.write_text("\n".join("\t".join(r) for r in [
        header, ["", "", "1", "2", "3", "4", ""], ["p1", "i1", "10", "90", "50", "1e-320", "40"],
    ]) + "\n")
    with pytest.raises(FormatError, match=r"d\.tsv:3: sde: salience 1e-320 is too small"):
        read_deu(tsv)


def test_models_check_the_scale_too():
    # Compromise and the medians scale their weights exactly; the others compute with them.
    huge = np.array([1e308, 1e308]), np.array([[0.0], [100.0]]), np.array([[1.0], [1.0]])
    assert get_model("compromise").run(*huge).point[0] == 50.0
    for model in ("nash", "bdm", "bdm-scholz", "smp"):
        with pytest.raises(RedlineError, match="capability 1e\\+308 is above"):
            get_model(model).run(*huge)
    # Tiny saliences are fine for BDM, but SMP squares them.
    get_model("bdm").run(np.ones(2), np.array([[0.0], [100.0]]), np.array([[1e-200], [1.0]]))
    with pytest.raises(RedlineError, match="too small to compute with"):
        get_model("smp").run(np.ones(2), np.array([[0.0], [100.0]]),
                             np.array([[1e-200], [1.0]]))


def test_check_scale_bounds_are_inclusive():
    check_scale(np.array([MAX_MAGNITUDE]), np.array([-MAX_MAGNITUDE]),
                np.array([MIN_POSITIVE, 0.0]), squares_salience=True)


# Capabilities anywhere in the accepted range (also spread over 200 orders of magnitude),
# positions on 0-100, saliences 0 or at least MIN_POSITIVE.
capabilities = st.one_of(st.just(MAX_MAGNITUDE), st.floats(1e-100, MAX_MAGNITUDE))
saliences = st.one_of(st.just(0.0), st.just(MIN_POSITIVE), st.floats(MIN_POSITIVE, 1.0))


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5).flatmap(lambda n: st.tuples(
    st.lists(capabilities, min_size=n, max_size=n),
    st.lists(st.floats(0, 100), min_size=n, max_size=n),
    st.lists(saliences, min_size=n, max_size=n))),
    st.sampled_from(["compromise", "median", "bdm", "bdm-scholz", "smp"]))
def test_every_accepted_number_gives_a_finite_forecast(data, model):
    c, x, s = (np.array(v, dtype=float) for v in data)
    if model == "smp":
        s = np.where(s > 0, s, MIN_POSITIVE)  # SMP needs some salience per actor
    result = get_model(model).run(c, x[:, None], s[:, None])
    assert np.all(np.isfinite(result.point)) and np.all(np.isfinite(result.positions))
    # SMP rounds every bargain to 0.01 on its 0-100 scale, as KTAB does, so it may end up to
    # half that step outside the actors' positions.
    slack = 1e-9 + (0.005 if model == "smp" else 0.0)
    assert x.min() - slack <= result.point[0] <= x.max() + slack


def test_smp_actor_limit_refuses_before_running(tmp_path: Path):
    n = model_conventions("smp").max_actors + 1
    path = ktab(tmp_path, [f"A{k},x,10,{k % 100},50" for k in range(n)])
    result = runner.invoke(app, ["forecast", str(path), "--format", "ktab", "--model", "smp"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"{n:,} actors are more than the {n - 1:,}" in result.stderr
    assert "raise --max-actors" in result.stderr


def test_max_actors_option_sets_the_limit(tmp_path: Path):
    path = ktab(tmp_path, [f"A{k},x,10,{20 * k},50" for k in range(5)])
    args = ["forecast", str(path), "--format", "ktab", "--model", "smp", "--json"]
    assert runner.invoke(app, [*args, "--max-actors", "4"]).exit_code == 2
    assert runner.invoke(app, [*args, "--max-actors", "5"]).exit_code == 0


def test_models_without_cubic_cost_have_no_actor_limit():
    check_actor_count("median", 10**6)
    with pytest.raises(SpaceTooLargeError):
        check_actor_count("bdm", model_conventions("bdm").max_actors + 1)


def test_report_skips_a_model_over_its_actor_limit(tmp_path: Path):
    pytest.importorskip("plotly")
    from redline.report.html import collect

    n = model_conventions("smp").max_actors + 1
    lines = ["actors:"] + [f"  - {{id: a{k}, name: A{k}, capability: 1}}" for k in range(n)]
    lines += ["issues:", "  - {id: x, name: X, options: [{label: lo, value: 0}, "
              "{label: hi, value: 100}]}", "positions:"]
    lines += [f"  a{k}: {{x: {{position: {100 * (k % 2)}, salience: 1}}}}" for k in range(n)]
    path = tmp_path / "crowd.yaml"
    path.write_text("\n".join(lines) + "\n")
    data = collect(path, models=("smp", "median"))
    assert "median" in data.forecasts and "smp" not in data.forecasts
    assert any(note.startswith("smp was not run: ") for note in data.notes["forecasts"])


def test_max_actors_must_be_positive(tmp_path: Path):
    path = ktab(tmp_path, ["A,x,10,20,50", "B,x,10,80,50"])
    result = runner.invoke(app, ["forecast", str(path), "--format", "ktab", "--max-actors", "0"])
    assert result.exit_code == 2
    assert result.stderr == "error: --max-actors: must be at least 1 (got 0)\n"
