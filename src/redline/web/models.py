"""Every forecast model side by side in the web app: per issue where each model lands, the
options it lies at or between, whether the package it rounds to breaks anyone's red line, and,
where the models land more than :data:`redline.report.forecasts.MODEL_DISAGREEMENT` apart, what
each assumes.

Glue only: the forecasts are :func:`redline.pipeline.run_forecasts` of every registered model
(:func:`redline.forecast.registry.model_names`), read and compared by
:func:`redline.report.forecasts.compare_forecasts`, the one home of those readings and of their
wording (the HTML report shows the same). Computed on demand, in its own request (``POST
/models``), not on every rerun: every model together costs about as much as a rerun itself
(docs/web.md), so the editor's Rerun stays as fast as before. A kept comparison of the same
scenario text is answered at once (:class:`redline.web.runner.RunCache`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from redline.errors import RedlineError
from redline.forecast.registry import model_names
from redline.pipeline import load, run_forecasts
from redline.report.figures import TEMPLATE, colour, esc
from redline.report.forecasts import (
    MODEL_DISAGREEMENT,
    WHY_THEY_DIFFER,
    assumes_clause,
    compare_forecasts,
    disagreement_lead,
    verdict_text,
)
from redline.scenario.model import Scenario
from redline.web.forms import FormProblem, form_scenario, text_field
from redline.web.runner import MAX_PACKAGES, Settings
from redline.web.security import csrf_form
from redline.web.state import AppState, app_state, page

CACHE_TAG = "every-model"  # the cache key's settings part: the comparison needs no settings
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "triangle-down",
           "star", "hexagon", "pentagon")

router = APIRouter()


@dataclass(frozen=True)
class ModelRow:
    """One model's forecast read against the options.

    Attributes
    ----------
    model
        The model's name.
    rounds
        The rounds it ran (0 or 1: one step, not a trajectory).
    cells
        Per issue, in the scenario's order: ``(value, reading, far)``, the reading "between X
        and Y" and ``far`` when this model is the lowest or highest of a disagreement there.
    verdict
        Whether the package it rounds to breaks a red line, in words
        (:func:`redline.report.forecasts.verdict_text`).
    breaks
        Whether that package breaks anyone's red line.
    milliseconds
        What the model cost, in ms.
    """

    model: str
    rounds: int
    cells: tuple[tuple[float, str, bool], ...]
    verdict: str
    breaks: bool
    milliseconds: float

    @property
    def steps_text(self) -> str:
        """"one step" or "N rounds": a one-step forecast is a point, not a trajectory."""
        return f"{self.rounds} rounds" if self.rounds > 1 else "one step"


@dataclass(frozen=True)
class ModelsView:
    """Every model side by side, as the page shows it.

    Attributes
    ----------
    issues
        ``(id, name)`` of each issue.
    rows
        One :class:`ModelRow` per model that ran.
    disagreements
        The notes on the issues where models land more than ``threshold`` apart.
    assumptions
        ``(model, "assumes ...")`` of every model when any two disagree, those named in a
        disagreement first (the report lists only those).
    notes
        Models not run (too many actors) and salience conventions.
    threshold
        :data:`redline.report.forecasts.MODEL_DISAGREEMENT`.
    figure
        The plotly figure's JSON: each model's point per issue (markers, no time axis).
    milliseconds
        What every model together cost, in ms.
    """

    issues: tuple[tuple[str, str], ...]
    rows: tuple[ModelRow, ...]
    disagreements: tuple[str, ...]
    assumptions: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    threshold: float
    figure: str
    milliseconds: float

    @property
    def lead(self) -> str:
        """The sentence before the disagreements (the report's own)."""
        return disagreement_lead(self.threshold)

    @property
    def why(self) -> str:
        """The heading of what the models assume (the report's own)."""
        return WHY_THEY_DIFFER


def models_view(scenario: Scenario) -> ModelsView:
    """Forecast ``scenario`` with every registered model and read the forecasts side by side.

    Parameters
    ----------
    scenario : Scenario
        The scenario (in its assumed claim branch).

    Returns
    -------
    ModelsView

    Raises
    ------
    RedlineError
        When the scenario's space is larger than the app takes
        (:data:`redline.web.runner.MAX_PACKAGES`).
    """
    start = time.perf_counter()
    loaded = load(scenario)
    domain = loaded.require_domain()
    if domain.n_packages > MAX_PACKAGES:
        raise RedlineError(f"{domain.n_packages:,} packages are more than the app reads "
                           f"forecasts against ({MAX_PACKAGES:,})",
                           hint="use redline forecast in a terminal")
    ran = run_forecasts(loaded, model_names())
    comparison = compare_forecasts(domain, {m: r.forecast for m, r in ran.forecasts.items()})
    far = {(d.issue, m) for d in comparison.disagreements for m in (d.low[0], d.high[0])}
    issues = tuple((i.id, i.name) for i in domain.issues)
    rows = tuple(
        ModelRow(r.model, r.turns,
                 tuple((float(p.value), p.describe(), (p.issue, r.model) in far)
                       for p in r.point.placements),
                 verdict_text(domain, r.point), bool(r.point.breaks_red_line),
                 1000 * ran.seconds[r.model])
        for r in comparison.readings)
    figure = models_figure(issues, rows)
    # what every model assumes once any two disagree: those named in a note first
    assumed = dict(comparison.assumptions)
    if comparison.disagreements:
        assumed.update((r.model, r.assumes) for r in comparison.readings
                       if r.assumes and r.model not in assumed)
    return ModelsView(
        issues=issues, rows=rows,
        disagreements=tuple(d.note for d in comparison.disagreements),
        assumptions=tuple((m, assumes_clause(text)) for m, text in assumed.items()),
        notes=ran.notes, threshold=MODEL_DISAGREEMENT, figure=figure,
        milliseconds=1000 * (time.perf_counter() - start))


def models_figure(issues: tuple[tuple[str, str], ...], rows: tuple[ModelRow, ...]) -> str:
    """Where each model lands, issue by issue: one marker per model on the 0–100 scale (each
    forecast is a point; rounds, where a model has them, are not drawn as a trajectory here).

    Parameters
    ----------
    issues : tuple of (str, str)
        ``(id, name)`` of each issue, top to bottom.
    rows : tuple of ModelRow
        The models' readings.

    Returns
    -------
    str
        The plotly figure as JSON (plain data: no plotly objects are built).
    """
    names = [esc(name) for _, name in issues]
    data = []
    for k, row in enumerate(rows):
        data.append({
            "type": "scatter", "mode": "markers", "name": esc(row.model),
            "x": [value for value, _, _ in row.cells], "y": names,
            "text": [esc(where) for _, where, _ in row.cells],
            "marker": {"size": 11, "color": colour(k), "symbol": SYMBOLS[k % len(SYMBOLS)],
                       "line": {"width": 1, "color": "white"}},
            "hovertemplate": f"<b>{esc(row.model)}</b><br>%{{y}}: %{{x:.1f}}<br>%{{text}}"
                             "<extra></extra>",
            "meta": {"role": "model", "model": row.model}})
    layout = {
        "template": TEMPLATE, "title": {"text": "Where each model lands (0–100 scale)"},
        "height": 160 + 56 * len(issues), "margin": {"l": 130, "r": 20, "t": 60, "b": 90},
        "xaxis": {"range": [-3, 103], "title": {"text": "forecast"}},
        "yaxis": {"autorange": "reversed", "type": "category", "automargin": True},
        "legend": {"orientation": "h", "y": -0.2, "yanchor": "top"},
    }
    return json.dumps({"data": data, "layout": layout})


# ---------------------------------------------------------------- routes

def comparison_of(state: AppState, form: FormData) -> tuple[ModelsView, str, str]:
    """The comparison of the editor's form (kept in the app's run cache by scenario text):
    the view, the scenario's title and the model the editor runs.

    Raises
    ------
    FormProblem
        For a bad scenario text or edit, or a space too large.
    """
    from redline.web.editing import Problem

    found = form_scenario(form)
    key = state.runs.key(found.yaml_text, Settings(model=CACHE_TAG))
    view = state.runs.get(key)
    if view is None:
        try:
            view = models_view(found.scenario)
        except RedlineError as error:
            raise FormProblem(Problem(str(error))) from None
        state.runs.put(key, view, 0)
    chosen = text_field(form, "model", 40).strip()
    return view, found.scenario.scenario.title or found.source, chosen


@router.post("/models")
def every_model(request: Request, form: FormData = Depends(csrf_form),
                state: AppState = Depends(app_state)) -> Response:
    """Every model side by side for the scenario as edited in the editor.

    The editor's script asks for JSON (``Accept: application/json``) and gets ``{"ok": true,
    "html", "figure"}`` (the section's HTML and the figure's JSON) or ``{"ok": false,
    "problem": {"field", "label", "message"}}`` (400); a plain form post gets a page.
    """
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        view, title, chosen = comparison_of(state, form)
    except FormProblem as failed:
        if wants_json:
            p = failed.problem
            return Response(json.dumps({"ok": False, "problem": {
                "field": p.field, "label": p.label, "message": p.message}}),
                status_code=failed.status, media_type="application/json")
        return page(request, "models.html", {"problem": failed.problem, "view": None,
                                             "title": ""}, status=failed.status)
    context = {"view": view, "chosen": chosen}
    if wants_json:
        html = state.templates.get_template("_models.html").render(context)
        body = json.dumps({"ok": True, "html": html})[:-1] + ',"figure":' + view.figure + "}"
        return Response(body, media_type="application/json")
    return page(request, "models.html", {**context, "title": title})

