"""Numbers at the boundary: NaN, infinities and extreme magnitudes are refused in one line;
every finite input inside the documented ranges gives finite results.

The scenario below holds every kind of numeric field (plain numbers, every distribution and its
parameters, option values, scales, values tables, thresholds, overrides, probabilities), and
each of its numbers in turn is replaced by NaN or an infinity.
"""

import math
import warnings

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import ScenarioError
from redline.forecast.registry import MODELS
from redline.pipeline import load, run_forecast
from redline.scenario.compile import to_domain
from redline.scenario.load import build_scenario, parse_scenario
from redline.scenario.model import FIELD_RANGES, MAX_CAPABILITY, MIN_CAPABILITY, MIN_SALIENCE
from redline.space.engine import analyze, evaluate
from redline.space.packages import decode
from redline.uncertainty.sweep import sweep

runner = CliRunner()

EVERY_NUMBER = {
    "sources": [{"id": "s", "name": "S", "reliability": 0.7}],
    "claims": [{"id": "c", "text": "C", "reported_by": ["s"], "probability": 0.4,
                "if_true": [{"actor": "a", "issue": "x", "position": 40, "salience": 0.5},
                            {"actor": "b", "outside_option": 0.1}]}],
    "actors": [
        {"id": "a", "name": "A", "capability": 2, "outside_option": 0.1},
        {"id": "b", "name": "B", "capability": {"normal": {"mean": 5, "sd": 1, "low": 1,
                                                             "high": 9}},
         "outside_option": {"uniform": [0, 0.2]}},
        {"id": "v", "name": "V", "role": "stakeholder", "capability": {"triangular": [1, 2, 3]},
         "outside_option": {"choice": {"values": [0, 0.1], "p": [0.5, 0.5]}}},
    ],
    "issues": [
        {"id": "x", "name": "X", "scale": {"step": 25, "low": 0, "high": 100}},
        {"id": "y", "name": "Y", "options": [{"label": "lo", "value": 0},
                                             {"label": "hi", "value": 100}]},
    ],
    "positions": {
        "a": {"x": {"position": 10, "private": 20, "salience": 1},
              "y": {"position": 0, "salience": 0.5, "values": {"lo": 1, "hi": 0.25}}},
        "b": {"x": {"position": {"normal": {"mean": 80, "sd": 10}}, "salience": 0.8},
              "y": {"position": 100, "salience": {"uniform": [0.2, 0.4]}}},
        "v": {"x": {"position": 50, "salience": 1}, "y": {"position": 50, "salience": 1}},
    },
    "red_lines": [{"id": "r", "actor": "a", "never": {"issue": "x", "at_least": 90}}],
    "linkages": [{"id": "l", "actor": "b", "gives": {"issue": "x", "at_most": 20},
                  "only_if": {"issue": "y", "is": "hi"}}],
    "ratification": [{"id": "q", "actor": "v", "when": {"issue": "x", "at_least": 50},
                      "min_utility": {"triangular": [0.1, 0.2, 0.3]}},
                     {"id": "q2", "actor": "a", "when": {"issue": "y", "is": "hi"},
                      "requires": {"issue": "x", "at_most": 75}, "min_utility": 0.05}],
}


def number_paths(data, path=()):
    """The path of every number in ``data`` (booleans are not numbers)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from number_paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from number_paths(value, (*path, i))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        yield path


def with_value(data, path, value):
    out = yaml.safe_load(yaml.safe_dump(data))
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def dotted(path):
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


PATHS = list(number_paths(EVERY_NUMBER))


def test_the_base_scenario_is_valid_and_covers_every_kind_of_number():
    scenario = build_scenario(EVERY_NUMBER, name="every.yaml")
    names = {next(p for p in reversed(path) if isinstance(p, str)) for path in PATHS}
    assert names >= {*FIELD_RANGES, "reliability", "probability", "step", "low", "high",
                     "value", "mean", "sd", "uniform", "triangular", "values", "p", "lo", "hi"}
    assert analyze(to_domain(scenario)).acceptable_count > 0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("path", PATHS, ids=dotted)
def test_nan_and_infinities_are_refused_in_every_numeric_field(path, bad):
    text = yaml.safe_dump(with_value(EVERY_NUMBER, path, bad), sort_keys=False)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "bad.yaml")
    error = info.value
    assert (error.file, error.field) == ("bad.yaml", dotted(path)), str(error)
    line = text.splitlines()[error.line - 1]
    assert (".nan" if math.isnan(bad) else ".inf") in line, (str(error), line)
    assert "finite" in error.message


@pytest.mark.parametrize("field, value, words", [
    (("actors", 0, "capability"), 1e308, "capability must lie in [1e-09, 1e+15], got 1e+308"),
    (("actors", 0, "capability"), 1e-320, "capability must lie in [1e-09, 1e+15]"),
    (("actors", 1, "capability", "normal", "high"), 1e300, "got support [1, 1e+300]"),
    (("positions", "a", "x", "salience"), 1e-320, "salience must be 0 or at least 1e-09"),
    (("claims", 0, "if_true", 0, "salience"), 1e-300, "salience must be 0 or at least 1e-09"),
    (("claims", 0, "if_true", 0, "position"), 101, "position must lie in [0, 100], got 101"),
    (("ratification", 0, "min_utility", "triangular", 2), 1.5, "min_utility must lie in [0, 1]"),
])
def test_extreme_finite_numbers_are_refused_with_the_documented_bound(field, value, words):
    with pytest.raises(ScenarioError) as info:
        build_scenario(with_value(EVERY_NUMBER, field, value), name="bad.yaml")
    number_field = field[:next(k for k, p in enumerate(field) if p in FIELD_RANGES) + 1]
    assert words in str(info.value) and info.value.field == dotted(number_field)


# The reproducers from outside: each file, and the command that failed on it.
HOSTILE = """\
actors:
  - {id: a, name: A, capability: CAP_A, outside_option: OUT_A}
  - {id: b, name: B, capability: CAP_B}
issues:
  - id: x
    name: X
    options: [{label: lo, value: 0}, {label: hi, value: 100}]
positions:
  a: {x: {position: POS_A, salience: SAL_A}}
  b: {x: {position: 100, salience: 1}}
"""
BASE = {"CAP_A": "1", "CAP_B": "1", "OUT_A": "0", "POS_A": "0", "SAL_A": "1"}
COMMANDS = [["check"], ["analyze", "--json"], ["sweep", "--draws", "50", "--json"],
            ["forecast", "--model", "compromise", "--json"], ["forecast", "--model", "smp",
                                                               "--json"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
@pytest.mark.parametrize("change, line, field", [
    ({"OUT_A": ".nan"}, 2, "actors[0].outside_option"),
    ({"SAL_A": ".inf"}, 9, "positions.a.x.salience"),
    ({"POS_A": ".nan"}, 9, "positions.a.x.position"),
    ({"CAP_A": ".inf"}, 2, "actors[0].capability"),
    ({"CAP_A": "1e308", "CAP_B": "1e308"}, 2, "actors[0].capability"),
    ({"POS_A": "{choice: {values: [.nan]}}"}, 9, "positions.a.x.position.choice.values[0]"),
    ({"POS_A": "-.inf"}, 9, "positions.a.x.position"),
    ({"SAL_A": "1e-320"}, 9, "positions.a.x.salience"),
    ({"POS_A": "{normal: {mean: .nan, sd: 1}}"}, 9, "positions.a.x.position.normal.mean"),
], ids=["nan-outside", "inf-salience", "nan-position", "inf-capability", "huge-capability",
        "nan-choice", "-inf-position", "tiny-salience", "nan-normal-mean"])
def test_cli_refuses_bad_numbers_in_one_line(tmp_path, command, change, line, field):
    text = HOSTILE
    for key, value in {**BASE, **change}.items():
        text = text.replace(key, value)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning would be a second line
        result = runner.invoke(app, [command[0], str(path), *command[1:]])
    assert result.exit_code == 2, result.output
    (message,) = result.stderr.strip().splitlines()
    assert message.startswith(f"error: {path}:{line}: {field}: ")
    assert result.stdout == ""


# ------------------------------------------------------------- finite in, finite out

capabilities = st.one_of(st.sampled_from([MIN_CAPABILITY, MAX_CAPABILITY]),
                         st.floats(MIN_CAPABILITY, MAX_CAPABILITY))
saliences = st.one_of(st.sampled_from([0.0, MIN_SALIENCE, 1.0]), st.floats(MIN_SALIENCE, 1))
positions = st.floats(0, 100)
unit = st.floats(0, 1)


@st.composite
def scenarios(draw):
    n_actors = draw(st.integers(2, 3))
    n_issues = draw(st.integers(1, 2))
    actors = [{"id": f"a{k}", "name": f"A{k}", "capability": draw(capabilities),
               "outside_option": draw(unit)} for k in range(n_actors)]
    issues = [{"id": f"i{k}", "name": f"I{k}", "scale": {"step": draw(st.sampled_from([25, 50]))}}
              for k in range(n_issues)]
    stances = {}
    for actor in actors:
        cells = {issue["id"]: {"position": draw(positions), "salience": draw(saliences)}
                 for issue in issues}
        if all(cell["salience"] == 0 for cell in cells.values()):
            cells[issues[0]["id"]]["salience"] = draw(st.floats(MIN_SALIENCE, 1))
        stances[actor["id"]] = cells
    if draw(st.booleans()):  # some inputs as distributions at the edges of their ranges
        actors[0]["capability"] = {"normal": {"mean": draw(st.floats(-1e15, 2e15)),
                                              "sd": draw(st.floats(1e-9, 1e15))}}
        stances["a1"][issues[0]["id"]]["salience"] = {"uniform": [0, draw(st.floats(0.01, 1))]}
    return {"actors": actors, "issues": issues, "positions": stances}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_finite_in_range_inputs_give_finite_utilities_and_forecasts(data):
    scenario = build_scenario(data, name="random.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning would reach the CLI's stderr
        domain = to_domain(scenario)
        utilities = evaluate(domain, decode(np.arange(domain.n_packages), domain.radices))
        assert np.isfinite(utilities).all()
        assert (utilities >= -1e-12).all() and (utilities <= 1 + 1e-12).all()
        result = analyze(domain)
        for solution in result.solutions.values():
            assert np.isfinite(solution.utilities).all()
        for model in ("compromise", "mean", "median", "smp", "bdm", "bdm-scholz", "nash"):
            assert model in MODELS
            forecast = run_forecast(load(scenario), model).forecast
            assert np.isfinite(forecast.point).all(), model
            assert ((forecast.point >= 0) & (forecast.point <= 100)).all(), model
        swept = sweep(scenario, draws=20, seed=0)
        assert 0 <= swept.p_agreement <= 1
        assert np.isfinite(swept.forecast).all()
        assert ((swept.forecast >= 0) & (swept.forecast <= 100)).all()
