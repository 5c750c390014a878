"""``Negotiation.evaluate``: its ``to_dict()`` is ``redline evaluate --json`` for the same call,
and the result is frozen, prints briefly and makes tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import redline
from redline import EvaluationResult, RedlineError
from redline.cli import app

ROOT = Path(__file__).resolve().parents[1]
CEASEFIRE = ROOT / "tests" / "data" / "proposals" / "ceasefire.yaml"


def cli_json(*args: str | Path) -> dict:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_evaluate_equals_the_cli_json():
    neg = redline.load(CEASEFIRE)
    result = neg.evaluate("prewar-offer", draws=200, seed=5)
    assert isinstance(result, EvaluationResult)
    assert result.to_dict() == cli_json("evaluate", CEASEFIRE, "prewar-offer", "--draws", "200",
                                         "--seed", "5", "--json")
    package = {"line": "halfway", "monitors": "armed", "sanctions": "lifted"}
    branch = neg.assume({"deal-leaked": False})
    assert branch.evaluate(package=package, draws=0).to_dict() == cli_json(
        "evaluate", CEASEFIRE, "--package", "line=halfway,monitors=armed,sanctions=lifted",
        "--assume", "deal-leaked=false", "--draws", "0", "--json")


def test_result_is_frozen_and_readable():
    result = redline.load(CEASEFIRE).evaluate("leak", draws=100, seed=1)
    assert result.open_issues == ("sanctions",)
    assert result.proposal["tabled_by"] == "wire"
    with pytest.raises(TypeError):
        result.package["line"] = "prewar"  # type: ignore[index]
    data = result.to_dict()
    data["package"]["line"] = "changed"
    assert result.to_dict()["package"]["line"] == "halfway"
    text = repr(result)
    assert text.startswith("EvaluationResult: leak")
    assert "best P(every veto holder accepts)" in text
    assert "<table>" in result._repr_html_()


def test_to_frame_lists_every_actor_of_every_completion():
    pandas = pytest.importorskip("pandas")
    result = redline.load(CEASEFIRE).evaluate("prewar-offer", draws=50)
    frame = result.to_frame("completions")
    assert isinstance(frame, pandas.DataFrame)
    assert len(frame) == 6 * 4
    assert {"p_accepts", "p_accepts_low", "p_accepts_high", "rejected_by"} <= set(frame.columns)
    changes = result.to_frame("what_it_takes")
    assert len(changes) == result.what_it_takes["count"]


@pytest.mark.parametrize("kwargs, words", [
    ({"draws": -1}, "draws: must be between 0"),
    ({"draws": 1.5}, "draws: must be a whole number"),
    ({"seed": -1}, "seed: must be between 0"),
    ({"package": {"line": 3}}, "package: must be a dict"),
    ({}, "exactly one"),
])
def test_bad_arguments_are_one_clear_error(kwargs, words):
    with pytest.raises(RedlineError) as info:
        redline.load(CEASEFIRE).evaluate(**kwargs)
    assert words in str(info.value)
