"""The figures are plotly figure JSON built as plain dicts: exactly what plotly's validating
objects make of them (the reference: ``go.Figure(fig)`` changes nothing), written as plotly
writes it (numpy arrays as plotly.js typed arrays, integers narrowed as plotly narrows them)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("plotly")

import plotly.graph_objects as go  # noqa: E402
from _plotly_utils.utils import convert_to_base64  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from redline import pipeline  # noqa: E402
from redline.report import figures as F  # noqa: E402
from redline.report.html import collect  # noqa: E402
from redline.report.markup import figure_html  # noqa: E402

GENIUS = Path(__file__).resolve().parents[1] / "data" / "genius"


def _validated_json(fig) -> object:
    """``fig`` through plotly's validating objects, as JSON data."""
    return json.loads(go.Figure(fig).to_json())


def _assert_plotly_keeps(name: str, fig: dict) -> None:
    assert isinstance(fig, dict) and set(fig) == {"data", "layout"}, name
    assert json.loads(F.figure_json(fig)) == _validated_json(fig), name


@pytest.fixture(scope="module")
def donbas(examples: Path):
    return collect(examples / "donbas-2026.yaml", models=("smp", "bdm", "compromise"),
                   draws=200, seed=1)


def test_every_report_figure_is_what_plotly_validation_keeps(donbas):
    assert {"deal_space", "parallel", "blockers", "p_agreement", "tornado", "timeline",
            "forecast_distribution", "nash_distribution"} <= set(donbas.figures)
    for name, fig in donbas.figures.items():
        _assert_plotly_keeps(name, fig)


@pytest.mark.parametrize("example", ["camp-david-1978.yaml", "colombia-2016.yaml"])
def test_other_examples_figures_are_what_plotly_keeps(examples: Path, example: str):
    for name, fig in collect(examples / example, draws=100, seed=2).figures.items():
        _assert_plotly_keeps(f"{example}:{name}", fig)


def test_a_large_space_uses_webgl_and_empty_charts_say_why():
    # Travel: 188,160 packages (a sampled WebGL cloud), no red lines (an empty chart)
    loaded = pipeline.load(GENIUS / "anac_y2010_Travel")
    analysis = pipeline.run_analysis(loaded, branches=False).analysis
    deal = F.deal_space_figure(analysis, max_points=20_000)
    assert {t["type"] for t in deal["data"][:2]} == {"scattergl"}
    _assert_plotly_keeps("deal_space", deal)
    blockers = F.blockers_figure(analysis)
    assert blockers["layout"]["meta"]["empty"]
    _assert_plotly_keeps("blockers", blockers)


def test_one_step_and_trajectory_forecasts_are_what_plotly_keeps(examples: Path):
    loaded = pipeline.load(examples / "donbas-2026.yaml")
    for model in ("compromise", "bdm"):
        fig = F.trajectories_figure(pipeline.run_forecast(loaded, model).forecast)
        _assert_plotly_keeps(model, fig)
        _assert_plotly_keeps(f"{model}, one issue", F.trajectories_figure(
            pipeline.run_forecast(loaded, model).forecast, dimension=1))


def test_report_embeds_the_same_figure_as_plotly_objects_would(donbas):
    for name in ("p_agreement", "deal_space"):
        ours = figure_html(name, donbas.figures[name])
        theirs = figure_html(name, go.Figure(donbas.figures[name]))
        assert _plot_args(ours) == _plot_args(theirs)


def _plot_args(markup: str) -> tuple:
    """The figure data and layout that a report's ``Plotly.newPlot`` call draws."""
    decoder = json.JSONDecoder()
    start = markup.index("Plotly.newPlot(")
    start = markup.index("[", start)
    data, end = decoder.raw_decode(markup, start)
    layout, _ = decoder.raw_decode(markup, markup.index("{", end))
    return data, layout


def test_stacked_rows_lay_out_as_make_subplots():
    from plotly.subplots import make_subplots

    for rows, spacing, shared in ((1, 0.1, False), (3, 0.06, True), (5, 0.08, False)):
        titles = [f"row &lt;{k}&gt;" for k in range(rows)]
        ours = F.stacked_rows(rows, titles, vertical_spacing=spacing, shared_xaxes=shared)
        theirs = make_subplots(rows=rows, cols=1, vertical_spacing=spacing, shared_xaxes=shared,
                               subplot_titles=titles).to_plotly_json()["layout"]
        theirs.pop("template")
        assert ours["layout"] == theirs
    # the kept layout is copied, never changed by a figure
    F.stacked_rows(2, ["a", "b"], vertical_spacing=0.1)["layout"]["xaxis"]["range"] = [0, 1]
    assert "range" not in F.stacked_rows(2, ["a", "b"], vertical_spacing=0.1)["layout"]["xaxis"]


def test_merge_updates_as_plotly_updates():
    fig = F.new_figure()
    F.update_layout(fig, title={"text": "a", "x": 0.1}, height=300)
    F.update_layout(fig, title={"x": 0.5}, margin={"t": 40})
    F.update_axes(fig, "x", title={"text": "u"})
    F.update_axes(fig, "x", range=[0, 1])
    ref = go.Figure()
    ref.update_layout(title={"text": "a", "x": 0.1}, height=300)
    ref.update_layout(title={"x": 0.5}, margin={"t": 40})
    ref.update_xaxes(title={"text": "u"})
    ref.update_xaxes(range=[0, 1])
    expected = json.loads(ref.to_json())["layout"]
    expected.pop("template")
    assert fig["layout"] == expected


_ARRAYS = st.one_of(
    hnp.arrays(np.int64, st.integers(1, 30), elements=st.integers(-2**40, 2**40)),
    hnp.arrays(np.int64, st.integers(1, 30), elements=st.integers(-200, 200)),
    hnp.arrays(np.float64, st.integers(1, 30),
               elements=st.floats(-1e9, 1e9, allow_nan=False)),
    hnp.arrays(np.bool_, st.integers(1, 30)))


@settings(max_examples=60, deadline=None)
@given(_ARRAYS, _ARRAYS)
def test_arrays_are_written_as_plotly_writes_them(x, y):
    fig = {"data": [{"type": "scatter", "x": x, "y": y, "marker": {"color": y}}],
           "layout": {"xaxis": {"range": [0, 1]}}}
    theirs = copy.deepcopy(fig)
    convert_to_base64(theirs)
    import plotly.io as pio

    expected = json.loads(pio.to_json(theirs, validate=False))
    assert json.loads(F.figure_json(fig)) == expected
    assert isinstance(fig["data"][0]["x"], np.ndarray)  # the figure itself is unchanged


_DTYPES = st.sampled_from(["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
                           "uint64", "float16", "float32", "float64", ">f8", ">i4", "bool"])


@st.composite
def _any_arrays(draw):
    """Arrays of every dtype plotly's encoder meets: empty to 3-D, small and huge integers
    (narrowed or not), float bit patterns, and non-contiguous views."""
    dtype = np.dtype(draw(_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6))
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        wide = draw(st.booleans())
        low, high = (int(info.min), int(info.max)) if wide else (max(int(info.min), -300),
                                                                  min(int(info.max), 300))
        values = hnp.arrays(dtype, shape, elements=st.integers(low, high))
    elif dtype.kind == "f":
        values = hnp.arrays(dtype, shape, elements=st.floats(width=8 * dtype.itemsize))
    else:
        values = hnp.arrays(dtype, shape)
    array = draw(values)
    if array.ndim > 1 and draw(st.booleans()):
        array = array.T  # Fortran order: written as plotly writes its C-order copy
    return array


@settings(max_examples=300, deadline=None)
@given(_any_arrays())
def test_typed_arrays_are_plotlys_own_spec(array):
    from _plotly_utils.utils import to_typed_array_spec

    theirs = to_typed_array_spec(np.ascontiguousarray(array))
    ours = F.typed_array(array)
    if isinstance(theirs, dict):
        assert ours == theirs
    else:  # not encoded: the array itself, written out as a list
        assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)


def test_the_apps_rounds_thresholds_figure_is_what_plotly_keeps(examples: Path):
    # the template is the object plotly.js reads, as in every other figure (plotly.js ignores
    # a template given by its name)
    pytest.importorskip("fastapi")
    from redline.web.process import thresholds_figure

    run = pipeline.run_update(pipeline.load(examples / "donbas-2026.yaml"), draws=100, seed=3)
    fig = thresholds_figure(run.to_dict())
    assert fig["layout"]["template"] is F.template()
    _assert_plotly_keeps("thresholds", fig)


def test_the_deal_space_with_webgl_draws_the_same_points(examples: Path):
    # the web app draws the packages with WebGL (a rerun redraws them far faster): only the
    # trace type of the two package clouds differs from the report's SVG figure
    analysis = pipeline.run_analysis(pipeline.load(examples / "donbas-2026.yaml"),
                                     branches=False).analysis
    svg, gl = F.deal_space_figure(analysis), F.deal_space_figure(analysis, webgl=True)
    assert [t["type"] for t in gl["data"][:2]] == ["scattergl", "scattergl"]
    assert all(t["type"] == "scatter" for t in svg["data"])
    assert json.loads(F.figure_json(gl)) == {
        **json.loads(F.figure_json(svg)),
        "data": [{**t, "type": "scattergl"} if k < 2 else t
                 for k, t in enumerate(json.loads(F.figure_json(svg))["data"])]}
    _assert_plotly_keeps("deal_space, webgl", gl)
