"""Plotly figures for the web pages, as JSON for the browser.

The figures of a run come from :mod:`redline.report.figures` (the ``web`` extra includes the
``report`` extra). The timeline chart (P(agreement) and the forecast across saved versions) is drawn
here from the stored numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from redline.errors import RedlineError
from redline.report import figures
from redline.report.figures import esc

TEMPLATE = "plotly_white"
CONFIG_JSON = json.dumps(figures.PLOTLY_CONFIG)  # plotly.js config of every figure (no sharing)


@dataclass(frozen=True)
class Plot:
    """A plotly figure for a page: its element id, title and JSON."""
    id: str  # HTML id of the figure's element
    title: str
    json: str  # plotly figure JSON


def _to_plot(ident: str, title: str, fig: go.Figure) -> Plot:
    return Plot(ident, title, fig.to_json(validate=False))


def run_plots(outcome) -> tuple[list[Plot], list[str]]:
    """The figures of a run (:class:`redline.web.runner.Outcome`) and any figure that could
    not be drawn, as one line each."""
    plots: list[Plot] = []
    problems: list[str] = []
    settings = outcome.settings
    makers = [
        ("fig-deal-space", "Deal space",
         lambda: _deal_space(outcome.analysis, settings.x_actor, settings.y_actor)),
        ("fig-blockers", "Who blocks", lambda: _blockers(outcome.analysis)),
        ("fig-forecast", "Forecast", lambda: _forecast(outcome.forecast)),
    ]
    for ident, title, make in makers:
        try:
            plots.append(_to_plot(ident, title, make()))
        except RedlineError as error:
            problems.append(f"{title}: {error}")
    if outcome.sweep is not None:
        for key, fig in _sweep(outcome.sweep).items():
            plots.append(_to_plot(f"fig-sweep-{key.replace('_', '-')}",
                                  key.replace("_", " "), fig))
    return plots, problems


# ---------------------------------------------------------------- run figures

def _deal_space(analysis, x_actor: str | None, y_actor: str | None) -> go.Figure:
    return figures.deal_space_figure(analysis, x_actor=x_actor, y_actor=y_actor)


def _blockers(analysis) -> go.Figure:
    return figures.blockers_figure(analysis)


def _forecast(forecast) -> go.Figure:
    return figures.trajectories_figure(forecast)


def _sweep(result) -> dict[str, go.Figure]:
    return dict(figures.sweep_figures(result))


# ---------------------------------------------------------------- timeline

def timeline_plot(versions: list[dict], issues: list[tuple[str, str]]) -> Plot:
    """P(agreement) (top) and the forecast per issue (bottom) across saved versions.

    ``versions`` are :meth:`redline.web.store.Store.timeline` rows; ``issues`` pairs each
    issue id with its name, for the legend. Names and notes are escaped (plotly renders its
    labels as HTML-like markup).
    """
    labels = [f"v{v['number']}" for v in versions]
    hover = [f"v{v['number']} · {esc(v['as_of'] or v['created_at'][:10])}<br>"
             f"{esc(v['note'][:80])}" for v in versions]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("P(agreement)", "Forecast per issue (0–100)"))
    fig.add_trace(go.Scatter(
        x=labels, y=[v["p_agreement"] for v in versions], mode="lines+markers",
        name="P(agreement)", text=hover, hovertemplate="%{text}<br>P = %{y:.3f}<extra></extra>",
        meta={"role": "p_agreement"}), row=1, col=1)
    for issue_id, name in issues:
        fig.add_trace(go.Scatter(
            x=labels, y=[(v["forecast"] or {}).get(issue_id) for v in versions],
            mode="lines+markers", name=esc(name), text=hover,
            hovertemplate="%{fullData.name}<br>%{text}<br>%{y:.1f}<extra></extra>",
            meta={"role": "forecast", "issue": issue_id}), row=2, col=1)
    fig.update_yaxes(range=[0, 1.05], title={"text": "probability"}, row=1, col=1)
    fig.update_yaxes(range=[-3, 103], title={"text": "forecast"}, row=2, col=1)
    fig.update_xaxes(type="category")
    fig.update_layout(template=TEMPLATE, height=620, title={"text": "Across saved versions"},
                      margin={"l": 60, "r": 20, "t": 80, "b": 40})
    return _to_plot("fig-timeline", "Timeline", fig)
