"""The pipeline is the one path every shell takes: one ``load`` for every input, one run per task,
and the CLI's ``--json`` is the ``to_dict()`` of the pipeline's result."""

from __future__ import annotations

import json
import re
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from redline import pipeline
from redline.cli import app
from redline.errors import RedlineError
from redline.forecast.base import ATTENTION_SALIENCE, ISSUE_SALIENCE, conventions
from redline.forecast.registry import MODELS, get_model, model_conventions
from redline.scenario.arrays import attention_shares

ROOT = Path(__file__).resolve().parents[1]
DONBAS = ROOT / "examples" / "donbas-2026.yaml"
CAMP_DAVID = ROOT / "examples" / "camp-david-1978.yaml"
GENIUS = ROOT / "tests" / "data" / "genius" / "anac_y2010_Travel"
KTAB = ROOT / "tests" / "data" / "ktab" / "dummyData_3Dim.csv"
CAR = ROOT / "tests" / "data" / "bdm" / "eu_car_emissions_1994_actors.csv"
DEU = ROOT / "tests" / "data" / "deu3" / "deu3_synthetic.tsv"
FT = "ft-guarantees-for-donbas"
runner = CliRunner()


def _cli_json(*args: object) -> dict:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _without_timings(value):
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k != "timings"}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def _same(cli: dict, result) -> None:
    ours = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert _without_timings(cli) == _without_timings(ours)


# ---------------------------------------------------------------- load

@pytest.mark.parametrize("path, fmt, has_domain, has_inputs", [
    (DONBAS, "yaml", True, True),
    (GENIUS, "genius", True, False),
    (KTAB, "ktab", False, True),
    (CAR, "csv", False, True),
    (DEU, "deu", False, False),
])
def test_load_reads_every_format_into_what_it_has(path, fmt, has_domain, has_inputs):
    loaded = pipeline.load(path)
    assert loaded.format == fmt == pipeline.guess_format(path)
    assert (loaded.domain is not None) == has_domain
    assert (loaded.inputs is not None) == has_inputs
    assert (loaded.scenario is not None) == (fmt == "yaml")
    assert (loaded.deu is not None) == (fmt == "deu")
    assert loaded.source == str(path)


def test_a_dict_loads_exactly_as_its_yaml_file_does():
    data = yaml.safe_load(DONBAS.read_text(encoding="utf-8"))
    from_dict = pipeline.load(data, assume={FT: True})
    from_file = pipeline.load(DONBAS, assume={FT: True})
    assert from_dict.format == "dict" and from_dict.source is None
    assert from_dict.scenario == from_file.scenario
    _same(pipeline.run_analysis(from_file).to_dict(), pipeline.run_analysis(from_dict))


def test_a_bad_dict_is_refused_by_the_same_validation():
    data = yaml.safe_load(DONBAS.read_text(encoding="utf-8"))
    data["actors"][0]["capability"] = -1
    with pytest.raises(RedlineError, match="capability"):
        pipeline.load(data)


def test_formats_without_a_task_say_so_in_one_line():
    with pytest.raises(RedlineError, match="KTAB CSV file has no agreement space"):
        pipeline.run_analysis(pipeline.load(KTAB))
    with pytest.raises(RedlineError, match="Genius folder has no capabilities"):
        pipeline.run_forecast(pipeline.load(GENIUS))
    with pytest.raises(RedlineError, match="sweeps need a scenario file"):
        pipeline.run_sweep(pipeline.load(GENIUS), draws=10)
    with pytest.raises(RedlineError, match="applies to scenario files only"):
        pipeline.load(KTAB, assume={FT: True})
    with pytest.raises(RedlineError, match="applies to DEU files only"):
        pipeline.load(KTAB, weights=KTAB)
    with pytest.raises(RedlineError, match="unknown claim"):
        pipeline.load(DONBAS, assume={"no-such-claim": True})


# ---------------------------------------------------------------- one JSON per task

@pytest.mark.parametrize("args, assume", [((), None), (("--assume", f"{FT}=true"), {FT: True})])
def test_analyze_json_is_the_analysis_run_to_dict(args, assume):
    run = pipeline.run_analysis(pipeline.load(DONBAS, assume=assume))
    _same(_cli_json("analyze", DONBAS, "--json", *args), run)
    assert run.branches and not run.branches_skipped


def test_analysis_timings_include_loading_without_changing_the_engine_result():
    loaded = pipeline.load(CAMP_DAVID)
    run = pipeline.run_analysis(loaded)
    assert run.analysis.timings["load"] == loaded.seconds
    with pytest.raises(FrozenInstanceError):
        run.analysis.timings = {}  # type: ignore[misc]


@pytest.mark.parametrize("path, model, extra", [
    (DONBAS, "smp", ()), (CAMP_DAVID, "bdm", ("--rounds", "3")), (KTAB, "smp", ()),
    (CAR, "median", ()), (DEU, "compromise", ()),
])
def test_forecast_json_is_the_forecast_run_to_dict(path, model, extra):
    rounds = int(extra[1]) if extra else None
    run = pipeline.run_forecast(pipeline.load(path), model, rounds=rounds)
    _same(_cli_json("forecast", path, "--model", model, "--json", *extra), run)


def test_sweep_json_is_the_sweep_run_to_dict():
    run = pipeline.run_sweep(pipeline.load(DONBAS, assume={FT: False}), draws=60, seed=2)
    assert run.assumed is not None and run.main is run.assumed
    _same(_cli_json("sweep", DONBAS, "--draws", "60", "--seed", "2", "--assume", f"{FT}=false",
                    "--json", "--no-progress"), run)


# ---------------------------------------------------------------- forecasts by id

def test_a_forecast_names_actors_and_issues_by_id_with_their_names_beside():
    loaded = pipeline.load(DONBAS)
    forecast = pipeline.run_forecast(loaded, "compromise").forecast
    scenario = loaded.scenario
    assert forecast.actors == tuple(a.id for a in scenario.actors)
    assert forecast.actor_names == tuple(a.name for a in scenario.actors)
    assert forecast.dimensions == tuple(i.id for i in scenario.issues)
    assert forecast.dimension_names == tuple(i.name for i in scenario.issues)
    assert forecast.point_by_id == dict(zip(forecast.dimensions, forecast.point.tolist(),
                                            strict=True))


def test_a_table_file_without_ids_uses_its_labels_as_ids():
    forecast = pipeline.run_forecast(pipeline.load(KTAB), "compromise").forecast
    assert forecast.actor_names == forecast.actors


# ---------------------------------------------------------------- what models declare

def test_every_model_declares_its_conventions_on_its_class():
    for name, factory in MODELS.items():
        declared = conventions(factory)
        assert declared == model_conventions(name) == conventions(get_model(name))
        assert declared.salience_convention in (ISSUE_SALIENCE, ATTENTION_SALIENCE)
        if declared.rounds_option is not None:  # the option exists and sets the rounds
            assert pipeline.model_options(name, 3) == {declared.rounds_option: 3}
            get_model(name, **pipeline.model_options(name, 3))
        else:
            with pytest.raises(RedlineError, match="does not apply"):
                pipeline.model_options(name, 3)
        if declared.salience_convention == ATTENTION_SALIENCE:
            assert declared.salience_note  # the user is told about the conversion


def test_scenario_saliences_are_converted_for_attention_models_and_said_so():
    loaded = pipeline.load(DONBAS)
    for name in MODELS:
        run = pipeline.run_forecast(loaded, name)
        model = get_model(name)
        attention = conventions(model).salience_convention == ATTENTION_SALIENCE
        expected = attention_shares(loaded.inputs.salience) if attention else \
            loaded.inputs.salience
        direct = model.run(loaded.inputs.capability, loaded.inputs.position, expected)
        np.testing.assert_array_equal(run.forecast.point, direct.point)
        assert (run.salience_note is not None) == attention
        over = loaded.inputs.salience.sum(axis=1) > 1
        assert run.rescaled == (tuple(np.array(loaded.inputs.actor_names)[over])
                                if attention else ())


def test_ktab_saliences_are_shares_of_attention_already():
    loaded = pipeline.load(KTAB)
    for name in MODELS:
        run = pipeline.run_forecast(loaded, name)
        direct = get_model(name).run(loaded.inputs.capability, loaded.inputs.position,
                                     loaded.inputs.salience)
        np.testing.assert_array_equal(run.forecast.point, direct.point)
        assert run.salience_note is None and run.notes == []


def test_actor_limits_come_from_the_model():
    loaded = pipeline.load(DONBAS)
    for name in MODELS:
        if model_conventions(name).max_actors is not None:
            with pytest.raises(RedlineError, match="actors are more than the 2"):
                pipeline.run_forecast(loaded, name, max_actors=2)


SHELLS = [ROOT / "src" / "redline" / part for part in ("cli", "report", "web")]


def test_no_shell_names_a_model():
    found = []
    files = [p for shell in SHELLS for p in shell.rglob("*.py")]
    files.append(ROOT / "src" / "redline" / "pipeline.py")
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""["'](smp|bdm|bdm-scholz)["']""", line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []  # the defaults live with the models, in forecast/registry.py


# ---------------------------------------------------------------- the combined run

def test_study_runs_analysis_forecasts_and_sweeps_on_one_load():
    loaded = pipeline.load(DONBAS, assume={FT: True})
    study = pipeline.run_study(loaded, models=("compromise", "smp"), draws=30, seed=1)
    assert list(study.forecasts) == ["compromise", "smp"]
    assert study.notes["forecasts"] == [model_conventions("smp").salience_note]
    assert study.sweep is not None and study.sweep.assumed is not None
    _same(pipeline.run_analysis(loaded).to_dict(), study.analysis)
    _same(pipeline.run_sweep(loaded, draws=30, seed=1).to_dict(), study.sweep)


def test_study_leaves_out_a_model_refused_for_its_actor_count(monkeypatch):
    loaded = pipeline.load(DONBAS)
    from redline.forecast.smp import SMPModel

    monkeypatch.setattr(SMPModel, "max_actors", 2)
    study = pipeline.run_study(loaded, models=("smp", "compromise"))
    assert list(study.forecasts) == ["compromise"] and list(study.refused) == ["smp"]
    assert study.notes["forecasts"][0].startswith("smp was not run: actors: 4 actors")


def test_study_of_a_genius_folder_has_the_analysis_only():
    study = pipeline.run_study(pipeline.load(GENIUS), draws=10)
    assert study.forecasts == {} and study.sweep is None
    assert study.notes["uncertainty"][0].startswith("Sweeps need a scenario file")


def test_the_web_app_sweeps_with_the_chosen_model_only_when_it_declares_a_quick_sweep():
    from redline.web.runner import Settings

    for name in MODELS:
        expected = name if model_conventions(name).quick_sweep else pipeline.DEFAULT_MODEL
        assert Settings(model=name).sweep_model == expected
    assert model_conventions(pipeline.DEFAULT_MODEL).quick_sweep
    assert Settings(model="no-such-model").sweep_model == pipeline.DEFAULT_MODEL
