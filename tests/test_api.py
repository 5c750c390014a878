"""The library API: ``import redline`` gives the whole workflow, and every result's
``to_dict()`` is what the CLI prints with ``--json`` for the same call."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import redline
from redline import AnalysisResult, ForecastResult, Negotiation, RedlineError, SweepResult
from redline.cli import app
from redline.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DONBAS = ROOT / "examples" / "donbas-2026.yaml"
CAMP_DAVID = ROOT / "examples" / "camp-david-1978.yaml"
DATA = ROOT / "tests" / "data"
TRAVEL = DATA / "genius" / "anac_y2010_Travel"
KTAB = DATA / "ktab" / "dummyData_3Dim.csv"
ACTORS_CSV = DATA / "bdm" / "eu_car_emissions_1994_actors.csv"
DEU = DATA / "deu3" / "deu3_synthetic.tsv"
FT = "ft-guarantees-for-donbas"


def cli_json(*args: str | Path) -> dict:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def without_timings(value):
    """Timings are the only part of the JSON that changes between two runs."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k != "timings"}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def same_json(result, *args: str | Path) -> None:
    # through JSON text: the CLI's floats and the API's compare as the same printed numbers
    api = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert without_timings(api) == without_timings(cli_json(*args))


@pytest.fixture(scope="module")
def donbas() -> Negotiation:
    return redline.load(DONBAS)


@pytest.fixture(scope="module")
def analysis(donbas) -> AnalysisResult:
    return donbas.analyze()


# ----------------------------------------------------------------------- the issue's usage


def test_the_workflow_of_the_issue_runs_as_written(donbas, analysis):
    res = analysis
    assert res.acceptable_count == 14
    nash = res.solutions["nash"][0]
    assert set(nash.package) == set(donbas.issues)
    assert all(label in issue.labels for issue, label in
               zip(donbas.domain.issues, nash.package.values(), strict=True))
    assert set(nash.utilities) == set(donbas.actors)
    assert all(isinstance(u, float) for u in nash.utilities.values())
    branch = donbas.assume({FT: True})
    assert branch.assumptions == {FT: True} and donbas.assumptions == {}
    assert branch.analyze(branches=False).acceptable_count == 2
    assert donbas.analyze(branches=False).acceptable_count == 14  # neg is unchanged
    fc = donbas.forecast("smp")
    assert set(fc.point) == set(donbas.issues)
    assert set(fc.positions) == set(donbas.actors)
    assert all(set(p) == set(donbas.issues) for p in fc.positions.values())
    sw = donbas.sweep(draws=200, seed=0)
    assert 0 <= sw.p_agreement <= 1
    assert {row["id"] for row in sw.blocking} >= {"ukraine:outside_option"}


def test_the_public_names_come_from_redline():
    for name in ("load", "Negotiation", "AnalysisResult", "ForecastResult", "SweepResult",
                 "RedlineError", "__version__"):
        assert name in dir(redline) and name in redline.__all__
        assert getattr(redline, name) is not None
    assert redline.SweepResult is redline.api.SweepResult
    with pytest.raises(AttributeError):
        redline.no_such_name  # noqa: B018


def test_importing_redline_is_cheap():
    code = ("import sys, redline; from redline import load, Negotiation; "
            "heavy = [m for m in ('numpy', 'pydantic', 'plotly', 'fastapi', 'dask', 'pandas', "
            "'matplotlib') if m in sys.modules]; print(heavy)")
    cheap = subprocess.run([sys.executable, "-c", code.replace("from redline import load, "
                                                               "Negotiation; ", "")],
                           capture_output=True, text=True, check=True)
    assert cheap.stdout.strip() == "[]"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    heavy = eval(loaded.stdout)  # a list literal printed above
    assert not set(heavy) & {"plotly", "fastapi", "dask", "pandas", "matplotlib"}


# -------------------------------------------------------------- to_dict equals the CLI's --json


def test_analyze_equals_the_cli_on_the_bundled_examples(analysis):
    same_json(analysis, "analyze", DONBAS, "--json")
    same_json(redline.load(CAMP_DAVID).analyze(), "analyze", CAMP_DAVID, "--json")


def test_analyze_of_a_claim_branch_equals_the_cli_with_assume(donbas):
    same_json(donbas.assume({FT: True}).analyze(), "analyze", DONBAS, "--json", "--assume",
              f"{FT}=true")


def test_analyze_of_a_genius_folder_equals_the_cli():
    neg = redline.load(TRAVEL)
    assert neg.format == "genius"
    same_json(neg.analyze(), "analyze", TRAVEL, "--json")


def test_analyze_options_equal_the_cli_options(donbas):
    same_json(donbas.analyze(list_limit=2, max_frontier=50, branches=False), "analyze", DONBAS,
              "--json", "--list-limit", "2", "--max-frontier", "50", "--no-branches")


def test_a_scenario_as_a_dict_is_the_scenario_file():
    import yaml

    data = yaml.safe_load(DONBAS.read_text(encoding="utf-8"))
    neg = redline.load(data)
    assert neg.format == "dict"
    same_json(neg.analyze(branches=False), "analyze", DONBAS, "--json", "--no-branches")
    data["actors"].clear()  # the Negotiation keeps its own copy
    assert len(neg.actors) == 4
    assert redline.load(load_scenario(DONBAS)).analyze(branches=False).to_dict() \
        .keys() == neg.analyze(branches=False).to_dict().keys()
    with pytest.raises(RedlineError, match="not format 'ktab'"):
        redline.load(data, format="ktab")


def test_a_deu_file_takes_its_voting_weights(tmp_path):
    import shutil

    shutil.copy(DEU, tmp_path / "deu.tsv")
    with pytest.raises(RedlineError, match="no voting weights"):
        redline.load(tmp_path / "deu.tsv")
    neg = redline.load(tmp_path / "deu.tsv", weights=DEU.parent / "nice_voting_weights.csv")
    fc = neg.forecast("median")
    assert fc.observed and set(fc.observed) == set(fc.point) == set(neg.issues)
    assert fc.positions == {} and fc.forecast is not None
    assert "MAE" in repr(fc)
    _short(repr(fc))  # 33 issues: the first few and how many more


@pytest.mark.parametrize("model", ["compromise", "median", "bdm", "smp"])
def test_forecast_equals_the_cli(donbas, model):
    same_json(donbas.forecast(model), "forecast", DONBAS, "--model", model, "--json")


def test_forecast_of_a_branch_with_rounds_equals_the_cli(donbas):
    same_json(donbas.assume({FT: False}).forecast("bdm", rounds=3), "forecast", DONBAS,
              "--model", "bdm", "--rounds", "3", "--assume", f"{FT}=false", "--json")


@pytest.mark.parametrize(("path", "fmt", "model"), [
    (KTAB, "ktab", "smp"), (ACTORS_CSV, "csv", "bdm"), (DEU, "deu", "compromise")])
def test_forecast_of_forecast_inputs_equals_the_cli(path, fmt, model):
    neg = redline.load(path)
    assert neg.format == fmt
    fc = neg.forecast(model)
    same_json(fc, "forecast", path, "--model", model, "--json")
    assert list(fc.point) == list(neg.issues)


def test_sweep_equals_the_cli(donbas):
    same_json(donbas.sweep(draws=150, seed=7), "sweep", DONBAS, "--draws", "150", "--seed",
              "7", "--json", "--no-progress")


def test_sweep_of_a_branch_equals_the_cli_with_assume(donbas):
    sw = donbas.assume({FT: False}).sweep(draws=100, seed=3, model="mean")
    same_json(sw, "sweep", DONBAS, "--draws", "100", "--seed", "3", "--assume", f"{FT}=false",
              "--model", "mean", "--json", "--no-progress")
    assert sw.assumptions == {FT: False}
    assert sw.integrated is not None and sw.integrated.assumptions == {}
    assert sw.to_dict()["integrated"] == sw.integrated.to_dict()
    alone = donbas.assume({FT: False}).sweep(draws=100, seed=3, model="mean", integrated=False)
    assert alone.integrated is None and "integrated" not in alone.to_dict()
    assert without_timings(alone.to_dict()) == without_timings(
        {k: v for k, v in sw.to_dict().items() if k != "integrated"})


# ------------------------------------------------------------------------------ immutability


def test_assume_returns_a_new_negotiation_and_merges_claims(donbas):
    one = donbas.assume({FT: True})
    two = one.assume({"ft-weapons-for-withdrawal": False})
    assert dict(two.assumptions) == {FT: True, "ft-weapons-for-withdrawal": False}
    assert dict(one.assumptions) == {FT: True}
    assert one.assume({FT: False}).assumptions == {FT: False}
    with pytest.raises(TypeError):
        one.assumptions[FT] = False  # type: ignore[index]
    with pytest.raises(AttributeError):
        one.format = "genius"  # type: ignore[misc]


def test_results_are_read_only(analysis):
    with pytest.raises(AttributeError):
        analysis.acceptable_count = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        analysis.solutions["nash"][0].package["donbas"] = "x"  # type: ignore[index]
    data = analysis.to_dict()
    data["acceptable_count"] = -1
    assert analysis.to_dict()["acceptable_count"] == 14


# ------------------------------------------------------------------------------------ errors


def test_an_unknown_claim_is_one_clear_error(donbas):
    with pytest.raises(RedlineError, match="unknown claim 'no-such-claim'") as caught:
        donbas.assume({"no-such-claim": True})
    assert caught.value.file == str(DONBAS)
    with pytest.raises(RedlineError, match="True or False"):
        donbas.assume({FT: "yes"})


def test_methods_an_input_cannot_run_say_so():
    ktab = redline.load(KTAB)
    with pytest.raises(RedlineError, match="KTAB CSV file has no agreement space"):
        ktab.analyze()
    with pytest.raises(RedlineError, match="sweeps need a scenario file"):
        ktab.sweep(draws=10)
    with pytest.raises(RedlineError, match="no claims"):
        ktab.assume({"x": True})
    genius = redline.load(TRAVEL)
    with pytest.raises(RedlineError, match="Genius folder has no capabilities"):
        genius.forecast()


def test_bad_arguments_are_one_clear_error(donbas, tmp_path):
    with pytest.raises(RedlineError, match="no such file"):
        redline.load(tmp_path / "missing.yaml")
    with pytest.raises(RedlineError, match="unknown format"):
        redline.load(DONBAS, format="xlsx")
    with pytest.raises(RedlineError, match="unknown model"):
        donbas.forecast("oracle")
    with pytest.raises(RedlineError, match="does not apply"):
        donbas.forecast("median", rounds=3)
    with pytest.raises(RedlineError, match="between 1 and 1,000,000") as caught:
        donbas.sweep(draws=0)
    assert caught.value.field == "draws"
    with pytest.raises(RedlineError, match="whole number"):
        donbas.analyze(list_limit=2.5)
    with pytest.raises(RedlineError, match="expected a path or a dict"):
        redline.load(42)  # type: ignore[arg-type]
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: {id: x}\nscenario: {id: y}\n", encoding="utf-8")
    with pytest.raises(RedlineError, match="duplicate"):
        redline.load(bad)


# ------------------------------------------------------------------- printing and DataFrames


def _short(text: str, lines: int = 10) -> None:
    rows = text.splitlines()
    assert 1 <= len(rows) <= lines
    assert all(len(row) <= 100 for row in rows)


def test_results_print_a_few_lines(donbas, analysis):
    _short(repr(donbas), 1)
    _short(repr(analysis))
    assert "acceptable 14" in repr(analysis)
    fc = donbas.forecast("compromise")
    _short(repr(fc))
    _short(repr(donbas.sweep(draws=50)))
    _short(repr(analysis.solutions["nash"][0]), 1)


def test_a_large_domain_prints_a_few_lines_too():
    neg = redline.load(DATA / "genius" / "anac_y2015_group12-symposium")
    res = neg.analyze(branches=False)
    _short(repr(res))
    assert len(res._repr_html_()) < 200_000  # tables show their first rows


def escaping_scenario() -> dict:
    return {
        "scenario": {"id": "x", "title": "<b>t</b>"},
        "actors": [{"id": "a", "name": "A", "capability": 1},
                   {"id": "b", "name": "B", "capability": 1}],
        "issues": [{"id": "i", "name": "I",
                    "options": [{"label": "<script>x</script>", "value": 0},
                                {"label": "&b", "value": 100}]}],
        "positions": {"a": {"i": {"position": 0, "salience": 1}},
                      "b": {"i": {"position": 100, "salience": 1}}},
    }


def test_notebook_tables_are_escaped(analysis):
    page = analysis._repr_html_()
    assert "<table>" in page and "nash" in page
    neg = redline.load(escaping_scenario())
    assert "<table>" in neg._repr_html_()
    res = neg.analyze()
    page = res._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp;b" in page


@pytest.mark.parametrize("table", AnalysisResult.TABLES)
def test_analysis_tables_are_dataframes(analysis, table):
    frame = analysis.to_frame(table)
    assert frame.shape[0] == len(analysis._tables()[table][1])


def test_dataframes_hold_the_results(donbas, analysis):
    solutions = analysis.to_frame()
    nash = solutions[solutions["solution"] == "nash"].iloc[0]
    assert nash[list(donbas.issues)].to_dict() == dict(analysis.solutions["nash"][0].package)
    fc = donbas.forecast("smp")
    point = fc.to_frame()
    assert dict(zip(point["issue"], point["forecast"], strict=True)) == dict(fc.point)
    sw = donbas.sweep(draws=100)
    for table in SweepResult.TABLES:
        assert len(sw.to_frame(table)) > 0
    assert list(ForecastResult.TABLES) == ["point", "positions"]
    assert fc.to_frame("positions").shape == (len(donbas.issues), 1 + len(donbas.actors))
    with pytest.raises(RedlineError, match="unknown table"):
        sw.to_frame("nope")


def test_without_pandas_to_frame_names_the_extra(analysis, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    with pytest.raises(RedlineError, match="pandas") as caught:
        analysis.to_frame()
    assert caught.value.hint == "pip install 'redline[pandas]'"


def test_the_loaded_scenario_is_the_cli_s(donbas):
    assert donbas.scenario == load_scenario(DONBAS)
    assert donbas.actors == ("ukraine", "russia", "us", "europe")
    assert FT in donbas.claims


def test_the_docstring_examples_run(monkeypatch):
    import doctest

    import redline.api

    monkeypatch.chdir(ROOT)
    result = doctest.testmod(redline.api, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 2 and result.failed == 0


claim_truths = st.dictionaries(st.sampled_from([c.id for c in load_scenario(DONBAS).claims]),
                               st.booleans(), max_size=3)


@settings(max_examples=15, deadline=None)
@given(first=claim_truths, second=claim_truths)
def test_assuming_twice_is_assuming_the_merged_claims(donbas, first, second):
    twice = donbas.assume(first).assume(second)
    assert dict(twice.assumptions) == {**first, **second}
    once = donbas.assume({**first, **second})
    a, b = twice.analyze(branches=False), once.analyze(branches=False)
    assert a.acceptable_count == b.acceptable_count and a.solutions == b.solutions
    assert donbas.assumptions == {}
