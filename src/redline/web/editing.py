"""The web app's scenario routes: the front page, opening or uploading a scenario, editing and
rerunning it, and saving a version.

Pages are built in plain functions: the routes that call them are ``def`` routes, which FastAPI
runs in its thread pool, so parsing, running and plotting never stall the event loop.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response, StreamingResponse

from redline.errors import RedlineError
from redline.files import read_bytes
from redline.forecast.registry import model_names
from redline.scenario.load import MAX_FILE_BYTES, parse_scenario
from redline.scenario.model import Scenario
from redline.space.options import read_forecast
from redline.uncertainty.claims import claim_probabilities
from redline.web import changes, plots
from redline.web.edits import EditForm, FieldError, edit_form, edited_scenario
from redline.web.runner import (
    DEFAULT_DRAWS,
    MAX_DRAWS,
    MAX_SEED,
    Outcome,
    Settings,
    analyse,
    finish,
    run_scenario,
    start_sweep,
)
from redline.web.security import csrf_form, list_yaml, resolve_in_workspace
from redline.web.state import AppState, app_state, page
from redline.web.store import NOTE_MAX, RunRecord, VersionInput

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
NAME_MAX = 200
SAVED_COOKIE = "redline_saved"
SAVED_COOKIE_SECONDS = 120
LAST_RUN_MAX = 20_000  # characters of the form's last_run field (the shown run's numbers)
STREAM = "application/x-ndjson"  # the editor's script asks for a rerun's answer in parts
SHOWN_FIGURES_MAX = 10_000  # characters of the form's shown_figures field (slot id: digest)
# Settings errors name these fields (redline.web.runner.Settings, the save box): their inputs.
SETTING_INPUTS = {"model": "model", "draws": "draws", "seed": "seed", "x axis": "x_actor",
                  "y axis": "y_actor", "until": "until", "date": "as_of", "note": "note"}

router = APIRouter()


# ---------------------------------------------------------------- routes

@router.get("/", response_class=HTMLResponse)
def index(request: Request, state: AppState = Depends(app_state)) -> HTMLResponse:
    """The front page: the workspace's scenario files, an upload form, the saved scenarios."""
    return front_page(request, state)


@router.get("/open", response_class=HTMLResponse)
def open_file(request: Request, path: str = "", state: AppState = Depends(app_state)
              ) -> HTMLResponse:
    """Open the workspace file ``path`` (relative, inside the workspace) in the editor."""
    file = resolve_in_workspace(state.workspace, path)
    try:
        raw = read_bytes(file, limit=MAX_FILE_BYTES, name=path)
    except RedlineError as error:
        return front_page(request, state, error=str(error), status=400)
    return open_scenario(request, state, raw, path)


@router.post("/upload", response_class=HTMLResponse)
def upload(request: Request, form: FormData = Depends(csrf_form),
           state: AppState = Depends(app_state)) -> HTMLResponse:
    """Open an uploaded scenario file in the editor."""
    item = form.get("file")
    if not isinstance(item, UploadFile):
        return front_page(request, state, error="choose a scenario file to upload", status=400,
                          uploaded=True)
    item.file.seek(0)
    raw = item.file.read()  # already received, so bounded by the body limit
    name = Path(item.filename or "upload.yaml").name[:NAME_MAX] or "upload.yaml"
    return open_scenario(request, state, raw, name, uploaded=True)


@router.post("/run", response_class=HTMLResponse)
def rerun(request: Request, form: FormData = Depends(csrf_form),
          state: AppState = Depends(app_state)) -> HTMLResponse:
    """Apply the editor's edits and settings, run, and show the editor with the results.

    A request that accepts ``application/json`` or :data:`STREAM` (the editor's own script)
    gets the new results as JSON instead (:func:`rerun_json`), for the page to update in
    place."""
    accept = request.headers.get("accept", "")
    if "application/json" in accept or STREAM in accept:
        return rerun_json(request, state, form)
    done, failed = rerun_form(request, state, form)
    if done is None:
        return failed
    return editor_page(request, done.outcome, done.yaml_text, done.source,
                       note=_text(form, "note"), as_of=_text(form, "as_of", 40),
                       previous=done.previous, last_run=_last_run(form),
                       base_version=_text(form, "base_version", 12))


@router.post("/save")
def save(request: Request, form: FormData = Depends(csrf_form),
         state: AppState = Depends(app_state)) -> Response:
    """Rerun as ``/run`` does and save the result as a new version; redirect to its timeline."""
    done, failed = rerun_form(request, state, form)
    if done is None:
        return failed
    outcome = done.outcome
    note = _text(form, "note").strip()
    try:
        as_of = _save_box(note, _text(form, "as_of", 40))
    except RedlineError as error:
        return editor_page(request, outcome, done.yaml_text, done.source, status=400,
                           problem=_problem(error, edit_form(outcome.scenario)), note=note,
                           as_of=_text(form, "as_of", 40))
    key = scenario_key(outcome.scenario, done.source)
    saved = state.store.save_version(
        VersionInput(scenario_key=key, title=outcome.scenario.scenario.title,
                     yaml_text=done.yaml_text, note=note, as_of=as_of, source_name=done.source),
        run_record(outcome))
    response = RedirectResponse(f"/history/{key}#v{saved['number']}", status_code=303)
    # The timeline says "saved" only for a save that happened: the version id travels in a
    # signed, short-lived cookie, not in the URL.
    response.set_cookie(SAVED_COOKIE, state.signer.cookie_value(f"saved-{saved['id']}"),
                        max_age=SAVED_COOKIE_SECONDS, httponly=True, samesite="strict",
                        path="/history")
    return response


@router.post("/export/report.html")
def export_report(request: Request, form: FormData = Depends(csrf_form),
                  state: AppState = Depends(app_state)) -> Response:
    """The HTML report of the scenario as edited in the editor, as a download."""
    return _export(request, state, form, "report")


@router.post("/export/figures.zip")
def export_figures(request: Request, form: FormData = Depends(csrf_form),
                   state: AppState = Depends(app_state)) -> Response:
    """The report's figures of the scenario as edited in the editor, as PNGs in a zip."""
    return _export(request, state, form, "figures")


def _export(request: Request, state: AppState, form: FormData, what: str) -> Response:
    """Apply the editor's edits (as ``/run`` does) and export the result: ``what`` is
    ``"report"`` or ``"figures"``; a bad input shows the editor with the problem instead."""
    from redline.web import export

    done, failed = rerun_form(request, state, form)
    if done is None:
        return failed
    settings = done.outcome.settings
    job = export.Export(done.yaml_text, done.source, draws=settings.draws or export.EXPORT_DRAWS,
                        seed=settings.seed, model=settings.model, prior=settings.prior,
                        until=settings.until)
    key = scenario_key(done.outcome.scenario, done.source)
    try:
        if what == "report":
            body, media, name = (export.report_html(job), "text/html; charset=utf-8",
                                 f"{key}-report.html")
        else:
            body, media, name = export.figures_zip(job), "application/zip", f"{key}-figures.zip"
    except RedlineError as error:
        return editor_page(request, done.outcome, done.yaml_text, done.source, status=400,
                           problem=Problem(str(error)), note=_text(form, "note"),
                           as_of=_text(form, "as_of", 40))
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{name}"'})


# ---------------------------------------------------------------- pages

def front_page(request: Request, state: AppState, error: str | None = None, status: int = 200,
               *, uploaded: bool = False) -> HTMLResponse:
    """The front page, with an error shown at the top or, for an upload, at the upload form.

    Parameters
    ----------
    request : Request
        The request being answered.
    state : AppState
        The app's state (its workspace is listed, its store's scenarios shown).
    error : str, optional
        A one-line problem to show.
    status : int, optional
        The response's status code.
    uploaded : bool, optional
        Whether ``error`` is about an upload.

    Returns
    -------
    HTMLResponse
        The page.
    """
    scenarios, others = list_yaml(state.workspace)
    return page(request, "index.html", {
        "files": scenarios,
        "other_files": others,
        "workspace": str(state.workspace),
        "saved": state.store.scenarios(),
        "error": None if uploaded else error,
        "upload_error": error if uploaded else None,
        "max_upload": MAX_FILE_BYTES,
    }, status=status)


def editor_page(request: Request, outcome: Outcome, yaml_text: str, source: str, *,
                problem: Problem | None = None, submitted: dict[str, str] | None = None,
                status: int = 200, note: str = "", as_of: str = "",
                previous: Scenario | None = None, last_run: dict | None = None,
                base_version: str = "") -> HTMLResponse:
    """The editor: its controls beside the run's results and plots, with what changed.

    Parameters
    ----------
    request : Request
        The request being answered.
    outcome : Outcome
        The run to show.
    yaml_text : str
        The scenario text the run read (sent back with the next edit).
    source : str
        The file name it came from.
    problem : Problem, optional
        A bad input, shown next to its field.
    submitted : dict of str to str, optional
        The inputs as submitted, shown instead of the scenario's values.
    status : int, optional
        The response's status code.
    note, as_of : str, optional
        The save box's note and date as submitted (the date defaults to today).
    previous : Scenario, optional
        The scenario of the run shown before this one (its inputs are compared).
    last_run : dict, optional
        The headline numbers of the run shown before (:func:`redline.web.changes.summary_numbers`).
    base_version : str, optional
        The id of the saved version the editor was opened from; the comparison with a saved
        version uses it, else the scenario's latest saved version.

    Returns
    -------
    HTMLResponse
        The page.
    """
    state = app_state(request)
    figs, problems = plots.run_plots(outcome)
    context = editor_context(state, outcome, yaml_text, source, previous=previous,
                             last_run=last_run, base_version=base_version)
    return page(request, "editor.html", {
        **context,
        "submitted": submitted or {},
        "plots": figs,
        "plot_problems": problems,
        "models": model_names(),
        "max_draws": MAX_DRAWS,
        "max_seed": MAX_SEED,
        "note_max": NOTE_MAX,
        "problem": problem,
        "note": note,
        "as_of": as_of or dt.date.today().isoformat(),
    }, status=status)


def editor_context(state: AppState, outcome: Outcome, yaml_text: str, source: str, *,
                   previous: Scenario | None = None, last_run: dict | None = None,
                   base_version: str = "") -> dict:
    """What the editor's results show: the run's numbers with their intervals, the forecast
    by nearest option, the proposals, and what changed since the last run and since the saved
    version (see :func:`editor_page` for the parameters).

    Returns
    -------
    dict
        The template variables of ``_results.html`` and of the form's comparison attributes.
    """
    scenario = outcome.scenario
    key = scenario_key(scenario, source)
    summary = outcome.summary
    form = edit_form(scenario)
    numbers = changes.summary_numbers(summary)
    issue_names = {issue.id: issue.name for issue in scenario.issues}
    since_run = (changes.compare(last_run, numbers, issue_names)
                 if last_run is not None else None)
    inputs_since_run = (changes.input_changes(edit_form(previous), form)
                        if previous is not None else [])
    saved = saved_baseline(state, key, base_version)
    since_saved, inputs_since_saved, saved_form, unsaved = None, [], None, True
    if saved is not None:
        since_saved = changes.compare(changes.summary_numbers(saved), numbers, issue_names)
        try:
            saved_scenario = state.scenarios.parse(saved["yaml_text"].encode("utf-8"), source)
        except RedlineError:
            saved_scenario = None
        if saved_scenario is not None:
            saved_form = edit_form(saved_scenario)
            if changes.same_shape(saved_form, form):
                inputs_since_saved = changes.input_changes(saved_form, form)
            else:
                saved_form = None
            unsaved = scenario_data_of(saved_scenario) != scenario_data_of(scenario)
    reading = forecast_reading(outcome)
    return {
        "scenario": scenario,
        "key": key,
        "source": source,
        "yaml_text": yaml_text,
        "form": form,
        "derived": claim_probabilities(scenario),
        "outcome": outcome,
        "summary": summary,
        "issues": scenario.issues,
        "analysis": outcome.results["analysis"],
        "p_estimate": changes.estimate(summary["p_agreement"], summary["draws"],
                                       summary.get("ess")),
        "nearest": reading["nearest"] if reading else {},
        "reading": reading,
        "proposals": outcome.proposals,
        "actor_names": {a.id: a.name for a in scenario.actors},
        "since_run": since_run,
        "inputs_since_run": inputs_since_run,
        "saved_version": saved,
        "since_saved": since_saved,
        "inputs_since_saved": inputs_since_saved,
        "saved_values": _saved_values(saved_form),
        "unsaved": unsaved,
        "last_run_json": json.dumps(numbers),
        "base_version": str(saved["id"]) if saved is not None else "",
    }


def forecast_reading(outcome: Outcome) -> dict | None:
    """The forecast point read in the analyst's terms (:func:`redline.space.options.read_forecast`):
    per issue the nearest options ("between X and Y"), the package it rounds to, and whose
    rules reject that package.

    Parameters
    ----------
    outcome : Outcome
        The run.

    Returns
    -------
    dict or None
        ``{"nearest": {issue id: reading}, "package": {issue name: label}, "acceptable": bool,
        "rejected": [(actor name, [rule ids]), ...], "below_outside": [actor names]}``;
        ``None`` when the forecast does not cover every issue.
    """
    domain = outcome.analysis.domain
    forecast = outcome.summary["forecast"]
    if any(issue.id not in forecast for issue in domain.issues):
        return None
    point = read_forecast(domain, [forecast[issue.id] for issue in domain.issues])
    names = {a.id: a.name for a in outcome.scenario.actors}
    issue_names = {i.id: i.name for i in outcome.scenario.issues}
    return {
        "nearest": {p.issue: p.describe() for p in point.placements},
        "package": {issue_names.get(k, k): v for k, v in point.labels.items()},
        "acceptable": bool(point.verdict.acceptable),
        "rejected": [(names.get(actor, actor), list(rules))
                     for actor, rules in zip(domain.actors, point.rules, strict=True) if rules],
        "below_outside": [names.get(actor, actor) for actor, below
                          in zip(domain.actors, point.below_outside, strict=True) if below],
    }


def scenario_data_of(scenario: Scenario) -> dict:
    """The scenario's data, as compared to tell whether a run has unsaved edits."""
    from redline.web.edits import scenario_data

    return scenario_data(scenario)


def _saved_values(form: EditForm | None) -> dict[str, str]:
    """``{input name: value as the input shows it}`` of the saved version's form."""
    if form is None:
        return {}
    from redline.web.state import number_text

    out = {f.name: number_text(f.value) for f in form.number_fields()}
    for claim in form.claims:
        out[claim.assumed_name] = ("" if claim.assumed is None else
                                   "true" if claim.assumed else "false")
    return out


def saved_baseline(state: AppState, key: str, base_version: str = "") -> dict | None:
    """The saved version a run is compared with: ``base_version`` (an id, when it is a
    version of scenario ``key``), else the scenario's latest saved version, else ``None``.

    Parameters
    ----------
    state : AppState
        The app's state (its store is read).
    key : str
        The scenario's key.
    base_version : str, optional
        A version id from the form.

    Returns
    -------
    dict or None
        The version, as :meth:`redline.web.store.Store.version` returns it.
    """
    if base_version.isdigit() and 0 < int(base_version) < 2**31:
        found = state.store.version(int(base_version))
        if found is not None and found["scenario"] == key:
            return found
    versions = state.store.timeline(key) or []
    return state.store.version(versions[-1]["id"]) if versions else None


def rerun_json(request: Request, state: AppState, form: FormData) -> Response:
    """A rerun for the editor's script: the new results as JSON, for the page to swap in.

    A request that accepts :data:`STREAM` (the editor's script) gets the answer in three lines
    of JSON: first the figures of the deal space and the forecast (``{"early": true,
    "plots": [...]}``), sent as soon as they are ready so that the page draws them while the
    server finishes the sweep (started beside the analysis,
    :func:`redline.web.runner.start_sweep`); then the sweep's figures, drawn while the server
    writes the rest; then the whole answer (the figures sent ahead in it as ``"same"``).
    The same run, the same numbers; only the order in which they arrive changes.

    Parameters
    ----------
    request : Request
        The request being answered.
    state : AppState
        The app's state.
    form : FormData
        The editor's form, as for ``/run``.

    Returns
    -------
    Response
        JSON: ``{"ok": true, "results_html", "plots": [{"id", "title", "note", "digest",
        "same", "figure"}],
        "yaml_text", "last_run", "base_version", "unsaved", "saved_values", "changed"}``: a
        figure whose digest the form's ``shown_figures`` gives for its slot comes with
        ``"same": true`` and ``"figure": null`` (the page keeps it as drawn); or
        ``{"ok": false, "problem": {"field", "label", "message"}}`` (status 400) for a bad
        input, which the page shows at its field while the shown results stay.
    """
    source = _text(form, "source", NAME_MAX) or "<scenario>"
    raw = _text(form, "yaml_text").replace("\r\n", "\n").encode("utf-8")
    try:
        base = state.scenarios.parse(raw, source)
    except RedlineError as error:
        return _problem_json(Problem(str(error)), _status(raw))
    settings, error = _settings(form, base)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    kept = analysed = swept = None
    early: list[plots.Plot] = []
    if error is None:
        try:
            scenario, edited = edited_scenario(base, raw.decode("utf-8-sig"), values,
                                               name=source)
            # the page sends this text back with its next rerun
            state.scenarios.put(edited.encode("utf-8"), source, scenario)
            key = state.runs.key(edited, settings)
            kept = state.runs.get(key)
            if kept is None:
                swept = start_sweep(scenario, settings)  # beside the analysis
                analysed = analyse(scenario, settings)
                early, early_problems = plots.analysis_plots(analysed)
        except RedlineError as failed:
            error = failed
    if error is not None:
        return _problem_json(_problem(error, edit_form(base)), 400)
    shown = _shown_figures(form)
    answer = _RerunAnswer(state, form, base, edited, source, shown)
    if kept is not None:
        return _raw_json(answer.body(*kept, cached=True))

    def swept_run() -> tuple[Outcome, list[plots.Plot]]:
        outcome = finish(analysed, swept)
        figs = early + plots.sweep_plots(outcome)
        state.runs.put(key, (outcome, figs, early_problems), outcome.analysis.n_packages)
        return outcome, figs

    if STREAM not in request.headers.get("accept", ""):
        outcome, figs = swept_run()
        return _raw_json(answer.body(outcome, figs, early_problems, cached=False))

    def ahead(slots: list[plots.Plot], sent: dict[str, str]) -> str:
        """A line of the figures not shown yet, before the rest of the answer."""
        new = [p for p in slots if not (p.digest and shown.get(p.id) == p.digest)]
        sent.update({p.id: p.digest for p in new if p.digest})
        return '{"early":true,"plots":[' + ",".join(_slot_json(p, False) for p in new) + "]}\n"

    def lines():
        sent: dict[str, str] = {}
        yield ahead(early, sent)
        try:
            outcome, figs = swept_run()
            yield ahead(figs[len(early):], sent)  # the sweep's figures, drawn while the
            # server writes the rest of the answer (the results, the proposals judged)
            yield answer.body(outcome, figs, early_problems, cached=False, sent=sent) + "\n"
        except RedlineError as failed:
            yield _problem_body(_problem(failed, edit_form(base))) + "\n"

    return StreamingResponse(lines(), media_type=STREAM)



@dataclass(frozen=True)
class _RerunAnswer:
    """What a rerun's JSON answer is built from, besides the run."""

    state: AppState
    form: FormData
    base: Scenario
    edited: str
    source: str
    shown: dict[str, str]  # slot id -> digest of the figures the page shows

    def body(self, outcome: Outcome, figs: list[plots.Plot], problems: list[str], *,
             cached: bool, sent: dict[str, str] | None = None) -> str:
        """The answer's JSON text; a figure the page shows already, or was ``sent`` earlier
        in this answer (slot id -> digest), is marked ``"same"`` and not sent again."""
        state, form = self.state, self.form
        context = editor_context(state, outcome, self.edited, self.source, previous=self.base,
                                 last_run=_last_run(form),
                                 base_version=_text(form, "base_version", 12))
        html = state.templates.get_template("_results.html").render({**context,
                                                                      "cached": cached})
        head = json.dumps({
            "ok": True, "results_html": html, "yaml_text": self.edited,
            "last_run": context["last_run_json"], "base_version": context["base_version"],
            "unsaved": context["unsaved"], "saved_values": context["saved_values"],
            "changed": changes.changed_names(context["inputs_since_saved"]),
            "plot_problems": problems,
        })
        drawn = {**self.shown, **(sent or {})}
        slots = ",".join(_slot_json(p, bool(p.digest) and drawn.get(p.id) == p.digest)
                         for p in figs)
        return head[:-1] + ',"plots":[' + slots + "]}"


def _slot_json(plot: plots.Plot, same: bool) -> str:
    """A figure slot of a rerun's answer. The figure's JSON is spliced in as it is, not parsed
    and written again; a figure the page shows already (``same``) is not sent: ``"same"``
    tells the page to keep it as drawn."""
    return (json.dumps({"id": plot.id, "title": plot.title, "note": plot.note,
                        "digest": plot.digest, "same": same})[:-1]
            + ',"figure":' + ("null" if same else plot.json or "null") + "}")


def _raw_json(body: str, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json")


def _problem_json(problem: Problem, status: int) -> Response:
    return _raw_json(_problem_body(problem), status)


def _problem_body(problem: Problem) -> str:
    return json.dumps({"ok": False, "problem": {
        "field": problem.field, "label": problem.label, "message": problem.message}})


def _shown_figures(form: FormData) -> dict[str, str]:
    """The figures the page shows, from the form's ``shown_figures`` field (a JSON object of
    figure slot id to :attr:`redline.web.plots.Plot.digest`, which the page's script sends);
    empty when missing or malformed, so that every figure is sent."""
    text = _text(form, "shown_figures")
    if not text or len(text) > SHOWN_FIGURES_MAX:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _last_run(form: FormData) -> dict | None:
    """The headline numbers of the run the page showed, from the form's ``last_run`` field
    (JSON that the page got from the server), checked; ``None`` when missing or malformed."""
    text = _text(form, "last_run")
    if not text or len(text) > LAST_RUN_MAX:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    numbers = changes.summary_numbers(data)
    p, draws, count = numbers["p_agreement"], numbers["draws"], numbers["acceptable_count"]
    if p is not None and not (isinstance(p, int | float) and math.isfinite(p)):
        return None
    if draws is not None and not isinstance(draws, int):
        return None
    ess = numbers["ess"]
    if ess is not None and not (isinstance(ess, int | float) and math.isfinite(ess)
                                and ess > 0):
        return None
    if count is not None and not isinstance(count, int):
        return None
    if not all(math.isfinite(v) for v in numbers["forecast"].values()):
        return None
    if numbers["model"] is not None and not isinstance(numbers["model"], str):
        return None
    return numbers


def open_scenario(request: Request, state: AppState, raw: bytes, source: str, *,
                  uploaded: bool = False, base_version: str = "") -> HTMLResponse:
    """Parse and run a scenario text with the default settings and show it in the editor.

    Parameters
    ----------
    request : Request
        The request being answered.
    state : AppState
        The app's state.
    raw : bytes
        The scenario file's bytes.
    source : str
        Its file name, for messages.
    uploaded : bool, optional
        Whether it was uploaded (an error is then shown at the upload form).
    base_version : str, optional
        The id of the saved version it is (its results are compared with this one's).

    Returns
    -------
    HTMLResponse
        The editor, or the front page with the problem (413 above the size limit, else 400).
    """
    try:
        scenario = parse_scenario(raw, source)
        outcome = run_scenario(scenario, Settings())
    except RedlineError as error:
        return front_page(request, state, error=str(error), status=_status(raw),
                          uploaded=uploaded)
    return editor_page(request, outcome, raw.decode("utf-8-sig"), source,
                       base_version=base_version)


def rerun_form(request: Request, state: AppState, form: FormData
               ) -> tuple[Rerun | None, HTMLResponse | None]:
    """Apply the submitted edits to the submitted scenario and run it.

    Parameters
    ----------
    request : Request
        The request being answered.
    state : AppState
        The app's state.
    form : FormData
        The editor's form: the scenario text, the edited inputs, the run settings.

    Returns
    -------
    tuple
        ``(rerun, None)``, or ``(None, page)``: the editor with the problem shown at its field
        and every input as submitted, or the front page when the scenario text itself is bad.
    """
    source = _text(form, "source", NAME_MAX) or "<scenario>"
    text = _text(form, "yaml_text")
    raw = text.replace("\r\n", "\n").encode("utf-8")  # browsers send CRLF line ends
    try:
        base = parse_scenario(raw, source)
    except RedlineError as error:
        return None, front_page(request, state, error=str(error), status=_status(raw))
    base_text = raw.decode("utf-8-sig")
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    settings, error = _settings(form, base)
    if error is None:
        try:
            scenario, edited = edited_scenario(base, base_text, values, name=source)
            return Rerun(run_scenario(scenario, settings), edited, source, values, base), None
        except RedlineError as failed:
            error = failed
    try:
        outcome = run_scenario(base, settings)
    except RedlineError as base_error:
        return None, front_page(request, state, error=str(base_error), status=400)
    return None, editor_page(request, outcome, base_text, source, status=400,
                             problem=_problem(error, edit_form(base)), submitted=values,
                             note=_text(form, "note"), as_of=_text(form, "as_of", 40))


def run_record(outcome: Outcome) -> RunRecord:
    """A run as the store keeps it.

    Parameters
    ----------
    outcome : Outcome
        The run: its settings, results and summary.

    Returns
    -------
    RunRecord
        The record saved with the version.
    """
    settings, summary = outcome.settings, outcome.summary
    return RunRecord(results=outcome.results, model=settings.model, draws=settings.draws,
                     seed=settings.seed, p_agreement=summary["p_agreement"],
                     acceptable_count=summary["acceptable_count"])


def scenario_key(scenario: Scenario, source: str) -> str:
    """The id versions are filed under.

    Parameters
    ----------
    scenario : Scenario
        The scenario saved.
    source : str
        The file name it came from.

    Returns
    -------
    str
        The scenario's ``scenario.id`` when the file sets one, else the file's name made safe
        (``"scenario"`` when nothing usable is left).
    """
    if "id" in scenario.scenario.model_fields_set:
        return scenario.scenario.id
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(source).stem).strip("-._")[:64]
    return stem if stem and KEY.match(stem) else "scenario"


# ---------------------------------------------------------------- form helpers

@dataclass(frozen=True)
class Rerun:
    """A successful rerun: its outcome, the scenario text it ran, the file name, the form."""

    outcome: Outcome
    yaml_text: str
    source: str
    values: dict[str, str]
    previous: Scenario | None = None  # the scenario before the edits


@dataclass(frozen=True)
class Problem:
    """A bad input as the editor shows it: the message, next to ``field`` (an input's name)
    when there is one, with the field's ``label``."""

    message: str
    field: str | None = None
    label: str = ""


def _problem(error: RedlineError, form: EditForm) -> Problem:
    """Where the editor shows ``error``: next to the input it is about, else at the top."""
    if isinstance(error, FieldError):
        return Problem(_field_message(error), error.input_name, error.field or "")
    if error.field in SETTING_INPUTS:
        return Problem(_field_message(error), SETTING_INPUTS[error.field], error.field)
    found = form.input_for(error.field)
    if found is not None:
        return Problem(_field_message(error), found.name, found.label)
    return Problem(str(error))


def _field_message(error: RedlineError) -> str:
    return error.message + (f" (hint: {error.hint})" if error.hint else "")


def _status(raw: bytes) -> int:
    """413 for scenario text above the loader's limit (its own message says so), else 400."""
    return 413 if len(raw) > MAX_FILE_BYTES else 400


def _text(form: FormData, name: str, limit: int | None = None) -> str:
    """A text field of the form ("" when missing); ``limit`` cuts fields whose length the
    app never relies on (a date, a model name), never the scenario text or the note."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value if limit is None else value[:limit]


def _int(form: FormData, name: str, default: int) -> int:
    text = _text(form, name, 20).strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise RedlineError(f"{text!r} is not a whole number", field=name) from None


def _settings(form: FormData, scenario: Scenario) -> tuple[Settings, RedlineError | None]:
    """The run settings of the form for ``scenario``, each bad one replaced by its default,
    and the first problem (``None`` when all are good)."""
    chosen = {
        "model": lambda: _text(form, "model", 40).strip() or Settings.model,
        "draws": lambda: _int(form, "draws", DEFAULT_DRAWS),
        "seed": lambda: _int(form, "seed", 0),
        "x_actor": lambda: _text(form, "x_actor", 64).strip() or None,
        "y_actor": lambda: _text(form, "y_actor", 64).strip() or None,
        # the rounds the sweep learns from (a checkbox: sent only when ticked)
        "prior": lambda: bool(scenario.rounds) and _text(form, "prior", 8) == "on",
        "until": lambda: (_text(form, "until", 40).strip() or None) if scenario.rounds else None,
    }
    settings = Settings()
    first: RedlineError | None = None
    for name, read in chosen.items():
        try:
            settings = replace(settings, **{name: read()}).checked(scenario)
        except RedlineError as error:
            first = first or error
    return settings, first


def _save_box(note: str, as_of: str) -> dt.date | None:
    """The save box's date, after checking the note's length and the date's form."""
    if len(note) > NOTE_MAX:
        raise RedlineError(f"the note has {len(note):,} characters, above the limit "
                           f"of {NOTE_MAX:,}", field="note", hint="shorten it")
    return _date(as_of)


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RedlineError(f"{text!r} is not a date (YYYY-MM-DD)", field="date") from None
