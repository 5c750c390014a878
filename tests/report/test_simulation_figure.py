"""The offers figure of a simulated negotiation (redline.report.simulation)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("plotly")

import plotly.graph_objects as go  # noqa: E402

from redline.errors import RedlineError  # noqa: E402
from redline.report.figures import figure_json, figure_roles  # noqa: E402
from redline.report.png import write_pngs  # noqa: E402
from redline.report.simulation import (  # noqa: E402
    MAX_SLIDER_POSITIONS,
    OfferTrace,
    offers_figure,
    simulation_figure,
)
from redline.simulate import from_tables, parse, simulate  # noqa: E402
from redline.simulate.metrics import references  # noqa: E402


def small_space():
    rng = np.random.default_rng(2)
    u = rng.random((2, 60))
    return from_tables(u, [0.2, 0.3], actors=["north", "south"], name="Two <b>sides</b>")


def test_every_offer_each_agent_made_is_on_its_path():
    space = small_space()
    result = simulate(space, [parse("boulware"), parse("boulware")], steps=30, trace=True)
    assert result.step[0] > 1  # both agents made offers
    fig = simulation_figure(result)
    roles = figure_roles(fig)
    assert roles.count("offers") == 2
    assert {"packages", "frontier", "solution", "agreement"} <= set(roles) or \
        result.agreement[0] < 0
    offers = [t for t in fig["data"] if t["meta"]["role"] == "offers"]
    trace = result.trace[0]
    for t in offers:
        agent = t["meta"]["agent"]
        made = trace[(np.arange(trace.size) % 2 == agent) & (trace >= 0)]
        assert list(t["x"]) == pytest.approx(space.utilities[0, 0, made].tolist())
        assert list(t["y"]) == pytest.approx(space.utilities[0, 1, made].tolist())
    refs = references(space.utilities, space.reservation, space.allowed)
    nash = [t for t in fig["data"] if t["meta"].get("solution") == "nash"][0]
    assert (nash["x"][0], nash["y"][0]) == tuple(refs.nash_utilities[0])
    frontier = [t for t in fig["data"] if t["meta"]["role"] == "frontier"][0]
    assert len(frontier["x"]) == refs.frontier[0].shape[0]
    # Names, escaped: the space's name and the agents' names, never ids alone.
    layout = fig["layout"]
    assert "Two &lt;b&gt;sides&lt;/b&gt;" in layout["title"]["text"]
    assert layout["xaxis"]["title"]["text"] == "utility to north"
    # plain figure JSON, exactly what plotly's validating objects keep of it
    assert json.loads(figure_json(fig)) == json.loads(go.Figure(fig).to_json())


def test_the_slider_shows_the_offers_up_to_each_step():
    steps = 400
    t = np.arange(2 * steps)
    trace = OfferTrace(agents=("a", "b"), step=t // 2, proposer=t % 2,
                       utilities=np.c_[np.linspace(1, 0, t.size), np.linspace(0, 1, t.size)],
                       labels=(), agreement=None, agreement_step=steps,
                       reservation=np.zeros(2))
    fig = offers_figure(trace)
    slider = fig["layout"]["sliders"][0]
    assert len(slider["steps"]) <= MAX_SLIDER_POSITIONS
    last = slider["steps"][-1]
    assert last["label"] == str(steps - 1)
    assert [len(xs) for xs in last["args"][0]["x"]] == [steps, steps]
    first = slider["steps"][0]
    assert [len(xs) for xs in first["args"][0]["x"]] == [1, 1]
    assert "no agreement" in fig["layout"]["title"]["text"]
    assert json.loads(figure_json(fig)) == json.loads(go.Figure(fig).to_json())


def test_png_copy(tmp_path: Path):
    pytest.importorskip("matplotlib")
    space = small_space()
    result = simulate(space, [parse("linear"), parse("linear")], steps=20, trace=True)
    written = write_pngs({"offers": simulation_figure(result)}, tmp_path)
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_result_without_trace_is_one_clear_error():
    space = small_space()
    result = simulate(space, [parse("linear"), parse("linear")], steps=5)
    with pytest.raises(RedlineError, match="no trace"):
        simulation_figure(result)


def test_a_self_contained_page(tmp_path: Path):
    from redline.report.simulation import simulation_html

    space = small_space()
    result = simulate(space, [parse("boulware"), parse("linear")], steps=20, trace=True)
    page = simulation_html(result)
    assert page.startswith("<!DOCTYPE html>")
    assert 'data-figure="offers"' in page
    assert "north plays boulware, south plays linear" in page
    assert "Two &lt;b&gt;sides&lt;/b&gt;" in page and "<b>sides</b>" not in page
    from plotly.offline import get_plotlyjs

    assert page.count(get_plotlyjs()) == 1  # embedded once; nothing loaded from elsewhere
    shell = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)
    assert not re.search(r"\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", shell, flags=re.I)


def test_a_mediators_texts_are_a_path_of_their_own():
    from redline import pipeline
    from redline.simulate import from_scenario

    examples = Path(__file__).resolve().parents[2] / "examples"
    space = from_scenario(pipeline.load(examples / "donbas-2026.yaml").scenario)
    space = space.select([space.actors.index("russia"), space.actors.index("ukraine")])
    result = simulate(space, [parse("boulware"), parse("conceder")], protocol="single-text",
                      steps=15, trace=True)
    assert (result.offerer < 0).any()
    fig = simulation_figure(result)
    paths = {t["name"] for t in fig["data"] if t["meta"]["role"] == "offers"}
    assert "offers by the mediator" in paths
    assert fig["layout"]["xaxis"]["title"]["text"] == "utility to Russia"
    steps = fig["layout"]["sliders"][0]["steps"]
    assert 1 <= int(steps[0]["label"]) <= int(steps[-1]["label"]) <= result.steps
    assert json.loads(figure_json(fig)) == json.loads(go.Figure(fig).to_json())
