"""The local web app: open or upload a scenario, edit its numbers, rerun, save versions, and
follow how the results moved across versions.

A thin shell: every number comes from the core through :mod:`redline.web.runner`, scenarios are
read only by :func:`redline.scenario.load.parse_scenario` (the same checks as the CLI), and
pages are server-side Jinja2 templates (autoescaped) with plotly.js served from the installed
``plotly`` package, so the app works offline. See docs/web.md for the security model.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import RedirectResponse, Response

from redline.errors import RedlineError
from redline.files import read_bytes
from redline.forecast.registry import model_names
from redline.scenario.load import MAX_FILE_BYTES, parse_scenario
from redline.scenario.model import Scenario
from redline.uncertainty.claims import claim_probabilities
from redline.web import plots
from redline.web.edits import EditForm, FieldError, edit_form, edited_scenario
from redline.web.runner import (
    DEFAULT_DRAWS,
    MAX_DRAWS,
    MAX_SEED,
    Outcome,
    Settings,
    run_scenario,
)
from redline.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    BodyLimit,
    CsrfSigner,
    SecurityHeaders,
    csrf_form,
    list_yaml,
    resolve_in_workspace,
    secure_headers,
)
from redline.web.store import NOTE_MAX, Store, default_url

HERE = Path(__file__).resolve().parent
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
NAME_MAX = 200
VERSION_ID = re.compile(r"^[1-9][0-9]{0,9}$")
MAX_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL
SAVED_COOKIE = "redline_saved"


def plotly_js() -> Path:
    """plotly.min.js as shipped inside the installed ``plotly`` package."""
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def create_app(workspace: Path, db_url: str | None = None, *,
               allowed_hosts: list[str] | None = None) -> FastAPI:
    """The app for ``workspace`` with its history in ``db_url`` (default: the SQLite file
    ``<workspace>/.redline/history.sqlite3``). ``allowed_hosts`` are the Host headers served
    (default: the loopback names), which keeps DNS-rebinding pages out."""
    workspace = Path(workspace).resolve()
    if not workspace.is_dir():
        raise RedlineError("the workspace is not a folder", file=str(workspace),
                           field="--workspace")
    store = Store.open(db_url or default_url(workspace))
    signer = CsrfSigner()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                             autoescape=True)
    templates = Jinja2Templates(env=env)
    templates.env.globals["csrf_field"] = CSRF_FIELD
    templates.env.filters["number"] = _number_text
    templates.env.globals["plotly_config"] = plots.CONFIG_JSON
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(title="Redline", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.workspace = workspace
    app.state.store = store
    app.state.signer = signer
    app.state.templates = templates

    @app.middleware("http")
    async def csrf_cookie_and_headers(request: Request, call_next):
        token = signer.token_from_cookie(request.cookies.get(CSRF_COOKIE))
        request.state.csrf_valid_token = token
        request.state.csrf_token = token or signer.new_token()
        response = await call_next(request)
        if token is None:
            response.set_cookie(CSRF_COOKIE, signer.cookie_value(request.state.csrf_token),
                                httponly=True, samesite="strict", path="/")
        return response

    app.add_middleware(TrustedHostMiddleware,
                       allowed_hosts=allowed_hosts or LOOPBACK_HOSTS)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)  # outermost: its headers reach every response
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if "text/html" not in request.headers.get("accept", ""):
            return PlainTextResponse(f"{exc.status_code}: {exc.detail}",
                                     status_code=exc.status_code)
        return _page(request, "error.html", {"status": exc.status_code,
                                             "message": str(exc.detail)},
                     status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        return await http_error(request, StarletteHTTPException(400, "bad request parameters"))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Sent by Starlette's outermost middleware, outside SecurityHeaders: add them here.
        # The traceback goes to the server's log only.
        response = PlainTextResponse("500: internal error; the server's log has the details",
                                     status_code=500)
        secure_headers(response.headers)
        return response

    # ------------------------------------------------------------ helpers
    # Pages are built in plain functions: the routes that call them are ``def`` routes, which
    # FastAPI runs in its thread pool, so parsing, running and plotting never stall the loop.

    def _page(request: Request, name: str, context: dict[str, Any], status: int = 200
              ) -> HTMLResponse:
        token = getattr(request.state, "csrf_token", None) or signer.new_token()
        context = {"csrf_token": token, **context}
        return templates.TemplateResponse(request, name, context, status_code=status)

    def _index(request: Request, error: str | None = None, status: int = 200, *,
               uploaded: bool = False) -> HTMLResponse:
        """The front page; an error about an upload is shown at the upload form."""
        scenarios, others = list_yaml(workspace)
        return _page(request, "index.html", {
            "files": scenarios,
            "other_files": others,
            "workspace": str(workspace),
            "saved": store.scenarios(),
            "error": None if uploaded else error,
            "upload_error": error if uploaded else None,
            "max_upload": MAX_FILE_BYTES,
        }, status=status)

    def _editor(request: Request, outcome: Outcome, yaml_text: str, source: str, *,
                problem: Problem | None = None, submitted: dict[str, str] | None = None,
                status: int = 200, note: str = "", as_of: str = "") -> HTMLResponse:
        scenario = outcome.scenario
        figs, problems = plots.run_plots(outcome)
        return _page(request, "editor.html", {
            "scenario": scenario,
            "key": scenario_key(scenario, source),
            "source": source,
            "yaml_text": yaml_text,
            "form": edit_form(scenario),
            "derived": claim_probabilities(scenario),
            "submitted": submitted or {},
            "outcome": outcome,
            "summary": outcome.summary,
            "issues": scenario.issues,
            "analysis": outcome.results["analysis"],
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

    def _open(request: Request, raw: bytes, source: str, *, uploaded: bool = False
              ) -> HTMLResponse:
        try:
            scenario = parse_scenario(raw, source)
            outcome = run_scenario(scenario, Settings())
        except RedlineError as error:
            return _index(request, error=str(error), status=_status(raw), uploaded=uploaded)
        return _editor(request, outcome, raw.decode("utf-8-sig"), source)

    def _rerun(request: Request, form: FormData) -> tuple[Rerun | None, HTMLResponse | None]:
        """Apply the submitted edits to the submitted scenario and run it: ``(rerun, None)``,
        or ``(None, page)``: the editor with the problem shown at its field and every input
        as submitted, or the front page when the scenario text itself is bad."""
        source = _text(form, "source", NAME_MAX) or "<scenario>"
        text = _text(form, "yaml_text")
        raw = text.replace("\r\n", "\n").encode("utf-8")  # browsers send CRLF line ends
        try:
            base = parse_scenario(raw, source)
        except RedlineError as error:
            return None, _index(request, error=str(error), status=_status(raw))
        base_text = raw.decode("utf-8-sig")
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        settings, error = _settings(form, base)
        if error is None:
            try:
                scenario, edited = edited_scenario(base, base_text, values, name=source)
                return Rerun(run_scenario(scenario, settings), edited, source, values), None
            except RedlineError as failed:
                error = failed
        try:
            outcome = run_scenario(base, settings)
        except RedlineError as base_error:
            return None, _index(request, error=str(base_error), status=400)
        return None, _editor(request, outcome, base_text, source, status=400,
                             problem=_problem(error, edit_form(base)), submitted=values,
                             note=_text(form, "note"), as_of=_text(form, "as_of", 40))

    def _version(version_id: str) -> dict:
        """The saved version ``version_id`` (digits, within the id column's range), else 404."""
        if not VERSION_ID.match(version_id) or int(version_id) > MAX_ID:
            raise StarletteHTTPException(404, "no such version")
        found = store.version(int(version_id))
        if found is None:
            raise StarletteHTTPException(404, "no such version")
        return found

    # ------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        return _index(request)

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        return "ok"

    @app.get("/vendor/plotly.min.js")
    def plotly_bundle() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript",
                            headers={"cache-control": "max-age=86400"})

    @app.get("/open", response_class=HTMLResponse)
    def open_file(request: Request, path: str = "") -> HTMLResponse:
        file = resolve_in_workspace(workspace, path)
        try:
            raw = read_bytes(file, limit=MAX_FILE_BYTES, name=path)
        except RedlineError as error:
            return _index(request, error=str(error), status=400)
        return _open(request, raw, path)

    @app.post("/upload", response_class=HTMLResponse)
    def upload(request: Request, form: FormData = Depends(csrf_form)) -> HTMLResponse:
        item = form.get("file")
        if not isinstance(item, UploadFile):
            return _index(request, error="choose a scenario file to upload", status=400,
                          uploaded=True)
        item.file.seek(0)
        raw = item.file.read()  # already received, so bounded by the body limit
        name = Path(item.filename or "upload.yaml").name[:NAME_MAX] or "upload.yaml"
        return _open(request, raw, name, uploaded=True)

    @app.post("/run", response_class=HTMLResponse)
    def rerun(request: Request, form: FormData = Depends(csrf_form)) -> HTMLResponse:
        done, page = _rerun(request, form)
        if done is None:
            return page
        return _editor(request, done.outcome, done.yaml_text, done.source,
                       note=_text(form, "note"), as_of=_text(form, "as_of", 40))

    @app.post("/save")
    def save(request: Request, form: FormData = Depends(csrf_form)) -> Response:
        done, page = _rerun(request, form)
        if done is None:
            return page
        outcome = done.outcome
        note = _text(form, "note").strip()
        try:
            if len(note) > NOTE_MAX:
                raise RedlineError(f"the note has {len(note):,} characters, above the limit "
                                   f"of {NOTE_MAX:,}", field="note", hint="shorten it")
            as_of = _date(_text(form, "as_of", 40))
        except RedlineError as error:
            return _editor(request, outcome, done.yaml_text, done.source, status=400,
                           problem=_problem(error, edit_form(outcome.scenario)), note=note,
                           as_of=_text(form, "as_of", 40))
        summary = outcome.summary
        key = scenario_key(outcome.scenario, done.source)
        saved = store.save_version(
            scenario_key=key, title=outcome.scenario.scenario.title, yaml_text=done.yaml_text,
            results=outcome.results, note=note, as_of=as_of, source_name=done.source,
            model=outcome.settings.model, draws=outcome.settings.draws,
            seed=outcome.settings.seed, p_agreement=summary["p_agreement"],
            acceptable_count=summary["acceptable_count"])
        response = RedirectResponse(f"/history/{key}#v{saved['number']}", status_code=303)
        # The timeline says "saved" only for a save that happened: the version id travels in
        # a signed, short-lived cookie, not in the URL.
        response.set_cookie(SAVED_COOKIE, signer.cookie_value(f"saved-{saved['id']}"),
                            max_age=120, httponly=True, samesite="strict", path="/history")
        return response

    @app.get("/history", response_class=HTMLResponse)
    def history(request: Request) -> HTMLResponse:
        return _page(request, "history.html", {"saved": store.scenarios()})

    @app.get("/history/{key}", response_class=HTMLResponse)
    def timeline(request: Request, key: str) -> HTMLResponse:
        if not KEY.match(key):
            raise StarletteHTTPException(404, "not found")
        versions = store.timeline(key)
        if not versions:
            raise StarletteHTTPException(404, f"no saved versions of {key!r}")
        latest = store.version(versions[-1]["id"]) or {}
        results = latest.get("results") or {}
        issues = [(i["id"], i["name"]) for i in (results.get("analysis") or {}).get("issues", [])]
        known = {i for i, _ in issues}
        for v in versions:
            for issue in v["forecast"]:
                if issue not in known:
                    issues.append((issue, issue))
                    known.add(issue)
        flash = signer.token_from_cookie(request.cookies.get(SAVED_COOKIE)) or ""
        saved = next((v["number"] for v in versions if flash == f"saved-{v['id']}"), None)
        page = _page(request, "timeline.html", {
            "key": key, "title": versions[-1]["title"], "versions": versions,
            "issues": issues, "plot": plots.timeline_plot(versions, issues), "saved": saved})
        if saved is not None:
            page.delete_cookie(SAVED_COOKIE, path="/history", httponly=True, samesite="strict")
        return page

    @app.get("/versions/{version_id}", response_class=HTMLResponse)
    def version(request: Request, version_id: str) -> HTMLResponse:
        return _page(request, "version.html", {"v": _version(version_id)})

    @app.get("/versions/{version_id}/edit", response_class=HTMLResponse)
    def edit_version(request: Request, version_id: str) -> HTMLResponse:
        found = _version(version_id)
        return _open(request, found["yaml_text"].encode("utf-8"),
                     found["source_name"] or f"{found['scenario']}.yaml")

    @app.get("/versions/{version_id}/scenario.yaml")
    def version_yaml(version_id: str) -> PlainTextResponse:
        found = _version(version_id)
        name = f"{found['scenario']}-v{found['number']}.yaml"
        return PlainTextResponse(found["yaml_text"], headers={
            "content-disposition": f'attachment; filename="{name}"'})

    @app.get("/versions/{version_id}/results.json")
    def version_results(version_id: str) -> JSONResponse:
        found = _version(version_id)
        return JSONResponse({k: v for k, v in found.items() if k != "yaml_text"})

    return app


# ---------------------------------------------------------------- form helpers

def scenario_key(scenario: Scenario, source: str) -> str:
    """The id versions are filed under: the scenario's ``scenario.id`` when the file sets one,
    else the file's name."""
    if "id" in scenario.scenario.model_fields_set:
        return scenario.scenario.id
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(source).stem).strip("-._")[:64]
    return stem if stem and KEY.match(stem) else "scenario"


def _number_text(value: float | None) -> str:
    """A number as an input's value: exact (``repr``), whole numbers without ``.0``."""
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


@dataclass(frozen=True)
class Rerun:
    """A successful rerun: its outcome, the scenario text it ran, the file name, the form."""

    outcome: Outcome
    yaml_text: str
    source: str
    values: dict[str, str]


@dataclass(frozen=True)
class Problem:
    """A bad input as the editor shows it: the message, next to ``field`` (an input's name)
    when there is one, with the field's ``label``."""

    message: str
    field: str | None = None
    label: str = ""


# Settings errors name these fields (redline.web.runner.Settings, the save box): their inputs.
SETTING_INPUTS = {"model": "model", "draws": "draws", "seed": "seed", "x axis": "x_actor",
                  "y axis": "y_actor", "date": "as_of", "note": "note"}


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
    }
    settings = Settings()
    first: RedlineError | None = None
    for name, read in chosen.items():
        try:
            settings = replace(settings, **{name: read()}).checked(scenario)
        except RedlineError as error:
            first = first or error
    return settings, first


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RedlineError(f"{text!r} is not a date (YYYY-MM-DD)", field="date") from None
