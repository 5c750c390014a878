"""`Negotiation.simulate` is `redline simulate --json`, with a short repr and tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import redline
from redline.cli import app

ROOT = Path(__file__).resolve().parents[2]
DONBAS = str(ROOT / "examples" / "donbas-2026.yaml")


def test_the_library_call_is_the_command():
    neg = redline.load(DONBAS)
    res = neg.simulate({"russia": "boulware", "ukraine": "conceder"}, draws=40, seed=2)
    out = CliRunner().invoke(app, ["simulate", DONBAS, "-s", "russia=boulware", "-s",
                                   "ukraine=conceder", "--draws", "40", "--seed", "2",
                                   "--json"])
    assert res.to_dict() == json.loads(out.stdout)
    assert res.negotiations == 40 and res.protocol == "sao"
    assert res.result.agreement.shape == (40,)
    assert res.interval[0] <= res.p_agreement <= res.interval[1]
    text = repr(res)
    assert text.startswith("SimulationResult: sao, 40 negotiation(s) of 100 steps")
    assert all(len(line) <= 100 for line in text.splitlines())
    assert "<table" in res._repr_html_()


def test_tables_as_frames():
    pytest.importorskip("pandas")
    res = redline.load(DONBAS).simulate({"russia": "boulware", "ukraine": "conceder"})
    trace = res.to_frame("trace")
    assert list(trace["by"][:2]) == ["russia", "ukraine"]
    assert set(res.to_frame("agreements").columns) >= {"share", "donbas", "russia"}


def test_bad_arguments_are_one_clear_error():
    neg = redline.load(DONBAS)
    with pytest.raises(redline.RedlineError, match="must map actor ids"):
        neg.simulate(["russia=boulware"])
    with pytest.raises(redline.RedlineError, match="unknown strategy"):
        neg.simulate({"russia": "boulware", "ukraine": "meek"})
    with pytest.raises(redline.RedlineError, match="steps"):
        neg.simulate({"russia": "boulware", "ukraine": "conceder"}, steps=0)
