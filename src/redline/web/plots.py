"""Plotly figures for the web pages, as JSON for the browser.

The figures of a run come from :mod:`redline.report.figures` (the ``web`` extra includes the
``report`` extra), as figure JSON built without plotly's validating objects. The timeline chart
(P(agreement) and the forecast across saved versions) is drawn here from the stored numbers, with
the same builders. Each slot carries a digest of its JSON, so that a rerun sends (and the page
redraws) only the figures that changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

from redline.errors import RedlineError
from redline.report import figures
from redline.report.figures import esc
from redline.web import changes

DIGEST_BYTES = 12  # a figure's digest: 24 hex characters
CONFIG_JSON = json.dumps(figures.PLOTLY_CONFIG)  # plotly.js config of every figure (no sharing)


@dataclass(frozen=True)
class Plot:
    """A figure slot of a page: its element id, title, and either the plotly figure's JSON or,
    for a chart with nothing to draw, ``note`` saying why (``json`` is then ``""``)."""
    id: str  # HTML id of the figure's element
    title: str
    json: str  # plotly figure JSON; "" when the chart is empty
    note: str = ""  # why the chart is empty

    @property
    def empty(self) -> bool:
        """Whether the slot has no figure (its note says why)."""
        return not self.json

    @cached_property
    def digest(self) -> str:
        """A digest of the figure's JSON (``""`` for an empty slot): a page that shows a
        figure of the same digest need not be sent it again, nor redraw it."""
        if not self.json:
            return ""
        return hashlib.blake2b(self.json.encode("utf-8"), digest_size=DIGEST_BYTES).hexdigest()


def _to_plot(ident: str, title: str, fig: figures.Figure) -> Plot:
    if not any(_has_points(trace) for trace in figures.traces(fig)):
        return Plot(ident, title, "", "Nothing to draw.")
    return Plot(ident, title, figures.figure_json(fig))


def _has_points(trace: dict) -> bool:
    for key in ("x", "y", "dimensions", "values"):
        value = trace.get(key)
        if value is not None and len(value):
            return True
    return False


def run_plots(outcome) -> tuple[list[Plot], list[str]]:
    """The figure slots of a run (:class:`redline.web.runner.Outcome`) and any figure that
    could not be drawn, as one line each: :func:`analysis_plots`, then :func:`sweep_plots`.

    Parameters
    ----------
    outcome : redline.web.runner.Outcome
        The run.

    Returns
    -------
    tuple
        ``(plots, problems)``. A chart with nothing to draw is a slot whose note says why:
        nobody blocks, the sweep did not run (no draws, or refused), a one-step forecast model
        (no rounds to draw as a trajectory: its forecast is drawn against the positions).
    """
    plots, problems = analysis_plots(outcome)
    return plots + sweep_plots(outcome), problems


def analysis_plots(run) -> tuple[list[Plot], list[str]]:
    """The figure slots of a run's deal space and forecast (its first part: a
    :class:`redline.web.runner.Analysed`, or the whole ``Outcome``), and the figures that could
    not be drawn, one line each."""
    plots: list[Plot] = []
    problems: list[str] = []
    settings = run.settings
    makers = [
        ("fig-deal-space", "Deal space",
         lambda: _deal_space(run.analysis, settings.x_actor, settings.y_actor)),
        ("fig-blockers", "Who blocks", lambda: _blockers(run.analysis)),
        ("fig-forecast", "Forecast", lambda: _forecast(run.forecast)),
    ]
    for ident, title, make in makers:
        if ident == "fig-blockers" and not _anyone_blocks(run.analysis):
            plots.append(Plot(ident, title, "", "Nobody blocks: no red line, linkage or "
                              "ratification rule rejects any package."))
            continue
        try:
            plots.append(_to_plot(ident, title, make()))
        except RedlineError as error:
            problems.append(f"{title}: {error}")
    return plots, problems


def sweep_plots(outcome) -> list[Plot]:
    """The figure slots of a run's sweep (:class:`redline.web.runner.Outcome`), or one slot
    saying why there is no sweep."""
    if outcome.sweep is not None:
        return [_to_plot(f"fig-sweep-{key.replace('_', '-')}", key.replace("_", " "), fig)
                for key, fig in _sweep(outcome.sweep).items()]
    why = (f"No sweep: {outcome.sweep_error}" if outcome.sweep_error else
           "No sweep: draws is 0. Set draws above 0 to estimate P(agreement) and see "
           "the forecast's spread.")
    return [Plot("fig-sweep", "Sweep", "", why)]


def _anyone_blocks(analysis) -> bool:
    return any(b.rejects > 0 for b in analysis.blockers)


# ---------------------------------------------------------------- run figures

def _deal_space(analysis, x_actor: str | None, y_actor: str | None) -> figures.Figure:
    # the packages with WebGL: a rerun redraws them (the page's script falls back to SVG in a
    # browser without WebGL)
    return figures.deal_space_figure(analysis, x_actor=x_actor, y_actor=y_actor, webgl=True)


def _blockers(analysis) -> figures.Figure:
    return figures.blockers_figure(analysis)


def _forecast(forecast) -> figures.Figure:
    # a one-step forecast is drawn against the positions, not as a trajectory (the report's
    # figure, the one builder of each figure)
    return figures.trajectories_figure(forecast)


def _sweep(result) -> dict[str, figures.Figure]:
    return dict(figures.sweep_figures(result))


# ---------------------------------------------------------------- timeline

def timeline_plot(versions: list[dict], issues: list[tuple[str, str]]) -> Plot:
    """P(agreement) with its 95% Wilson interval as error bars (top) and the forecast per
    issue (bottom) across saved versions.

    ``versions`` are :meth:`redline.web.store.Store.timeline` rows; ``issues`` pairs each
    issue id with its name, for the legend. Names and notes are escaped (plotly renders its
    labels as HTML-like markup).
    """
    labels = [f"v{v['number']}" for v in versions]
    hover = [f"v{v['number']} · {esc(v['as_of'] or v['created_at'][:10])}<br>"
             f"{esc(v['note'][:80])}" for v in versions]
    fig = figures.stacked_rows(2, ["P(agreement)", "Forecast per issue (0–100)"],
                               vertical_spacing=0.08, shared_xaxes=True)
    high, low = [], []
    for v in versions:  # the 95% Wilson interval of each version's P(agreement)
        found = changes.estimate(v["p_agreement"], v["draws"], v.get("ess"))
        lo, hi = found.interval if found is not None else (None, None)
        high.append(None if hi is None else hi - found.value)
        low.append(None if lo is None else found.value - lo)
    figures.add_trace(fig, figures.trace(
        "scatter", x=labels, y=[v["p_agreement"] for v in versions], mode="lines+markers",
        name="P(agreement)", text=hover,
        error_y={"type": "data", "symmetric": False, "array": high, "arrayminus": low},
        hovertemplate="%{text}<br>P = %{y:.3f} (95% interval bars)<extra></extra>",
        meta={"role": "p_agreement", "interval": "wilson"}), row=1)
    for issue_id, name in issues:
        figures.add_trace(fig, figures.trace(
            "scatter", x=labels, y=[(v["forecast"] or {}).get(issue_id) for v in versions],
            mode="lines+markers", name=esc(name), text=hover,
            hovertemplate="%{fullData.name}<br>%{text}<br>%{y:.1f}<extra></extra>",
            meta={"role": "forecast", "issue": issue_id}), row=2)
    figures.update_axes(fig, "y", 1, range=[0, 1.05], title={"text": "probability"})
    figures.update_axes(fig, "y", 2, range=[-3, 103], title={"text": "forecast"})
    figures.update_axes(fig, "x", type="category")
    figures.update_layout(fig, template=figures.template(), height=620,
                          title={"text": "Across saved versions"},
                          margin={"l": 60, "r": 20, "t": 80, "b": 40})
    return _to_plot("fig-timeline", "Timeline", fig)
