"""Figures ready for slides and the report's readings in the analyst's terms.

Titles sit in a top margin tall enough for all their lines; no bar carries a label on its error
bar (intervals are numbers beside the whisker, equal to the sweep's Wilson interval); inputs and
rules are named in words; empty charts say why; a one-step forecast is no trajectory; PNGs are
one 1920 x 1080 slide each. The forecast table shows each model's nearest options and the
rounded package's verdict, and proposals are judged as ``redline evaluate`` judges them.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

pytest.importorskip("plotly")

from redline import pipeline  # noqa: E402
from redline.report import figures as F  # noqa: E402
from redline.report.forecasts import MODEL_DISAGREEMENT, compare_forecasts, verdict_text  # noqa: E402
from redline.report.html import build_report, collect, render  # noqa: E402
from redline.report.markup import esc  # noqa: E402
from redline.scenario.labels import input_labels  # noqa: E402
from redline.uncertainty.intervals import wilson_interval  # noqa: E402


@pytest.fixture(scope="module")
def donbas(examples: Path):
    return collect(examples / "donbas-2026.yaml", draws=200, seed=1)


def _validated(data) -> dict:
    """The report's figures as plotly's validating objects (for their attribute API)."""
    return {name: F.as_figure(fig) for name, fig in data.figures.items()}


def _lines(title: str) -> int:
    return title.count("<br>") + 1


def test_every_title_has_room_above_the_plot(donbas):
    for name, fig in _validated(donbas).items():
        title = fig.layout.title
        assert title.yanchor == "top" and title.yref == "container", name
        assert fig.layout.margin.t >= F.TITLE_LINE_PX * _lines(title.text), name


def test_no_label_sits_on_an_error_bar(donbas):
    for name, fig in _validated(donbas).items():
        for trace in fig.data:
            whisker = getattr(trace, "error_y", None) or getattr(trace, "error_x", None)
            if trace.type == "bar" and whisker is not None and whisker.array is not None:
                assert trace.text is None, name


def test_p_agreement_numbers_are_the_wilson_interval(donbas):
    bars, numbers = F.as_figure(donbas.figures["p_agreement"]).data
    result = donbas.sweep
    low, high = result.p_agreement_interval
    assert numbers.text[0] == f"{result.p_agreement:.2f} [{low:.2f}, {high:.2f}]"
    assert numbers.y[0] > high  # above the whisker, not on it


def test_nash_numbers_are_wilson_intervals_of_the_counts(donbas):
    bars, numbers = F.as_figure(donbas.figures["nash_distribution"]).data
    result = donbas.sweep
    for p, text, right in zip(bars.x, numbers.text, numbers.x, strict=True):
        low, high = wilson_interval(int(round(p * result.draws)), result.draws)
        assert text == f"{p:.2f} [{low:.2f}, {high:.2f}]"
        assert right > high


def test_tornado_names_inputs_in_words(donbas):
    (bars,) = F.as_figure(donbas.figures["tornado"]).data
    scenario = donbas.loaded.scenario
    paths = list(bars.customdata)
    assert list(bars.y) == input_labels(scenario, paths, width=F.SLIDE_LABEL)
    assert not any(re.match(r"(actors|positions|red_lines)\.", y) for y in bars.y)


NO_RULES = """
actors:
  - {id: a, name: Alpha, capability: 1}
  - {id: b, name: Beta, capability: 1}
issues:
  - id: land
    name: Land
    options: [{label: none, value: 0}, {label: all, value: 100}]
positions:
  a: {land: {position: 0, salience: 1}}
  b: {land: {position: 100, salience: 1}}
"""


def test_an_empty_chart_says_why(tmp_path: Path):
    path = tmp_path / "no-rules.yaml"
    path.write_text(NO_RULES, encoding="utf-8")
    blockers = F.as_figure(collect(path).figures["blockers"])
    assert "rejects" in blockers.layout.meta["empty"]
    assert any(a.text and "rejects" in a.text for a in blockers.layout.annotations)
    assert blockers.layout.xaxis.visible is False


def test_a_one_step_forecast_is_not_drawn_as_a_trajectory(examples: Path):
    loaded = pipeline.load(examples / "donbas-2026.yaml")
    forecast = pipeline.run_forecast(loaded, "compromise").forecast
    assert forecast.turns <= 1
    fig = F.as_figure(F.trajectories_figure(forecast))
    assert all("lines" not in (t.mode or "") for t in fig.data)
    assert "one-step" in fig.layout.title.text
    bdm = F.as_figure(F.trajectories_figure(pipeline.run_forecast(loaded, "bdm").forecast))
    assert any("lines" in (t.mode or "") for t in bdm.data)


def test_forecast_table_reads_each_model_against_the_options(donbas):
    html = render(donbas)
    domain = donbas.analysis.domain
    comparison = compare_forecasts(domain, donbas.forecasts)
    assert {r.model for r in comparison.readings} == set(donbas.forecasts)
    for reading in comparison.readings:
        for placement in reading.point.placements:
            assert placement.text() in html
        assert esc(verdict_text(domain, reading.point)) in html
    for d in comparison.disagreements:
        assert d.spread > MODEL_DISAGREEMENT and esc(d.note) in html
    for assumes in comparison.assumptions.values():
        assert esc(assumes) in html


def test_models_that_agree_get_no_note(examples: Path):
    loaded = pipeline.load(examples / "donbas-2026.yaml")
    forecast = pipeline.run_forecast(loaded, "compromise").forecast
    comparison = compare_forecasts(loaded.require_domain(), {"a": forecast, "compromise":
                                                              forecast})
    assert comparison.disagreements == () and comparison.assumptions == {}


def test_proposals_are_judged_as_evaluate_judges_them(reference_data: Path):
    path = reference_data / "proposals" / "ceasefire.yaml"
    html = build_report(path, draws=100)
    loaded = pipeline.load(path)
    assert 'data-section="proposals"' in html
    for proposal in loaded.scenario.proposals:
        d = pipeline.run_evaluate(loaded, proposal.id, draws=100).to_dict()
        assert f'data-proposal="{proposal.id}"' in html
        odds = d["uncertainty"]["completions"][0]
        cell = odds["p_acceptable"]
        assert f"{cell['p']:.2f} [{cell['low']:.2f}, {cell['high']:.2f}]" in html


def test_report_without_proposals_has_no_proposals_section(donbas, examples: Path):
    assert donbas.loaded.scenario.proposals  # Donbas lists texts on the table
    assert 'data-section="proposals"' in render(donbas)
    camp_david = collect(examples / "camp-david-1978.yaml", draws=50, seed=1)
    assert not camp_david.loaded.scenario.proposals
    assert 'data-section="proposals"' not in render(camp_david)


def test_every_table_scrolls_inside_its_box(donbas):
    html = render(donbas)
    boxes = re.findall(r'<div class="table-wrap" tabindex="0" role="region" '
                       r'aria-label="Table: [^"]+"><table', html)
    assert html.count("<table") == len(boxes)  # each in a focusable, named box
    assert ".table-wrap" in html and "overflow-x: auto" in html


def test_pngs_are_slides(donbas, tmp_path: Path):
    pytest.importorskip("matplotlib")
    from redline.report.png import write_pngs

    paths = write_pngs({k: donbas.figures[k] for k in ("p_agreement", "blockers")}, tmp_path)
    for path in paths:
        width, height = struct.unpack(">II", path.read_bytes()[16:24])
        assert (width, height) == (1920, 1080)


def test_wrap_lines_keeps_every_word():
    text = " / ".join(f"Issue number {k}" for k in range(20))
    wrapped = F.wrap_lines(text, 40)
    assert all(len(line) <= 40 for line in wrapped.split("<br>"))
    assert wrapped.replace("<br>", " ").split() == text.split()


def test_rounds_section_shows_the_timeline_of_the_posterior(reference_data: Path):
    path = reference_data / "rounds" / "ceasefire-rounds.yaml"
    data = collect(path, draws=300, seed=2)
    html = render(data)
    assert 'data-section="rounds"' in html and 'id="fig-timeline"' in html
    expected = pipeline.run_update(pipeline.load(path), draws=300, seed=2).to_dict()
    p_trace, numbers = F.as_figure(data.figures["timeline"]).data[:2]
    assert list(p_trace.y) == [s["p_agreement"]["p"] for s in expected["timeline"]]
    for step in expected["timeline"]:
        pa = step["p_agreement"]
        assert f"{pa['p']:.3f} [{pa['low']:.3f}, {pa['high']:.3f}]" in html
    claims = [t for t in F.as_figure(data.figures["timeline"]).data if t.meta["role"] == "claim"]
    assert len(claims) == len(data.loaded.scenario.claims)
    for row in expected["inputs"]:
        post = row["posterior"]
        assert esc(row["label"]) in html
        assert f"{post['mean']:.3g} [{post['low']:.3g}, {post['high']:.3g}]" in html
    illustrative = [r["id"] for r in expected["rounds"] if r["illustrative"]]
    assert all(r in html for r in illustrative) and "illustration" in html


def test_rounds_without_draws_say_how_to_see_them(reference_data: Path):
    html = build_report(reference_data / "rounds" / "ceasefire-rounds.yaml")
    assert 'data-section="rounds"' in html and "--draws" in html
    assert 'id="fig-timeline"' not in html
