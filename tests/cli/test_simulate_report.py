"""`redline simulate --report OUT.html` and the distances in `redline simulate --json`: the
numbers are :mod:`redline.simulate.metrics`'s for the same negotiations."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from redline import pipeline
from redline.cli import app
from redline.simulate import from_scenario, parse, simulate
from redline.simulate.metrics import negotiation_metrics

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ARGS = ["simulate", str(EXAMPLES / "donbas-2026.yaml"), "-s", "russia=boulware",
        "-s", "ukraine=conceder"]


def test_json_has_the_mean_metrics_of_the_negotiations():
    done = runner.invoke(app, [*ARGS, "--draws", "40", "--json"])
    assert done.exit_code == 0, done.output
    distances = json.loads(done.stdout)["distances"]
    space = from_scenario(pipeline.load(EXAMPLES / "donbas-2026.yaml").scenario, 40)
    space = space.select([space.actors.index("russia"), space.actors.index("ukraine")])
    result = simulate(space, [parse("boulware"), parse("conceder")], steps=100)
    m = negotiation_metrics(space.utilities, space.reservation, space.allowed,
                            result.agreement)
    for key, values in (("welfare", m.welfare), ("pareto", m.pareto_distance),
                        ("nash", m.nash_distance), ("kalai_smorodinsky", m.ks_distance)):
        values = values[np.isfinite(values)]
        assert distances[key] == pytest.approx(values.mean(), abs=1e-12)
    assert not math.isnan(distances["pareto"])


def test_report_writes_the_offers_page(tmp_path: Path):
    out = tmp_path / "offers.html"
    done = runner.invoke(app, [*ARGS, "--report", str(out)])
    assert done.exit_code == 0, done.output
    page = out.read_text(encoding="utf-8")
    assert 'data-figure="offers"' in page and "Russia plays boulware" in page
    assert "Mean distance to the Pareto frontier" in done.stdout


def test_report_to_a_folder_is_one_line(tmp_path: Path):
    done = runner.invoke(app, [*ARGS, "--report", str(tmp_path)])
    assert done.exit_code == 2
    assert "--report" in done.output and done.output.count("\n") == 1
