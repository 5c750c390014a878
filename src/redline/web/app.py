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
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
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
from redline.web.edits import edit_form, edited_scenario
from redline.web.runner import DEFAULT_DRAWS, MAX_DRAWS, Outcome, Settings, run_scenario
from redline.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    MAX_UPLOAD,
    BodyLimit,
    CsrfSigner,
    SecurityHeaders,
    csrf_form,
    list_scenarios,
    resolve_in_workspace,
    secure_headers,
)
from redline.web.store import Store, default_url

HERE = Path(__file__).resolve().parent
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
NAME_MAX = 200


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

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Sent by Starlette's outermost middleware, outside SecurityHeaders: add them here.
        # The traceback goes to the server's log only.
        response = PlainTextResponse("500: internal error; the server's log has the details",
                                     status_code=500)
        secure_headers(response.headers)
        return response

    # ------------------------------------------------------------ helpers

    def _page(request: Request, name: str, context: dict[str, Any], status: int = 200
              ) -> HTMLResponse:
        token = getattr(request.state, "csrf_token", None) or signer.new_token()
        context = {"csrf_token": token, **context}
        return templates.TemplateResponse(request, name, context, status_code=status)

    def _index(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
        return _page(request, "index.html", {
            "files": list_scenarios(workspace),
            "workspace": str(workspace),
            "saved": store.scenarios(),
            "error": error,
            "max_upload": MAX_UPLOAD,
        }, status=status)

    def _editor(request: Request, outcome: Outcome, yaml_text: str, source: str, *,
                error: str | None = None, submitted: dict[str, str] | None = None,
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
            "error": error,
            "note": note,
            "as_of": as_of or dt.date.today().isoformat(),
        }, status=status)

    async def _run(scenario: Scenario, settings: Settings) -> Outcome:
        return await run_in_threadpool(run_scenario, scenario, settings)

    async def _open(request: Request, raw: bytes | str, source: str) -> HTMLResponse:
        try:
            scenario = parse_scenario(raw, source)
            outcome = await _run(scenario, Settings())
        except RedlineError as error:
            return _index(request, error=str(error), status=400)
        text = raw if isinstance(raw, str) else raw.decode("utf-8-sig")
        return _editor(request, outcome, text, source)

    async def _rerun(request: Request, form: FormData) -> tuple[Any, ...]:
        """Apply the submitted edits to the submitted scenario and run it:
        ``((outcome, yaml text, source, form values), None)``, or ``(None, error page)``."""
        source = _text(form, "source", NAME_MAX) or "<scenario>"
        base_text = _text(form, "yaml_text", MAX_UPLOAD * 2 + 1)
        if len(base_text) > MAX_UPLOAD * 2:
            raise StarletteHTTPException(413, "the scenario text is too long")
        base_text = base_text.replace("\r\n", "\n")  # browsers send textareas with CRLF
        try:
            base = parse_scenario(base_text, source)
        except RedlineError as error:
            return None, _index(request, error=str(error), status=400)
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            settings = _settings(form)
            scenario, text = edited_scenario(base, base_text, values, name=source)
            outcome = await _run(scenario, settings)
        except RedlineError as error:
            try:
                outcome = await _run(base, Settings())
            except RedlineError as base_error:
                return None, _index(request, error=str(base_error), status=400)
            return None, _editor(request, outcome, base_text, source, error=str(error),
                                 submitted=values, status=400,
                                 note=_text(form, "note", 2000), as_of=_text(form, "as_of", 40))
        return (outcome, text, source, values), None

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
    async def open_file(request: Request, path: str = "") -> HTMLResponse:
        file = resolve_in_workspace(workspace, path)
        try:
            raw = await run_in_threadpool(read_bytes, file, limit=MAX_FILE_BYTES, name=path)
        except RedlineError as error:
            return _index(request, error=str(error), status=400)
        return await _open(request, raw, path)

    @app.post("/upload", response_class=HTMLResponse)
    async def upload(request: Request, form: FormData = Depends(csrf_form)) -> HTMLResponse:
        item = form.get("file")
        if not isinstance(item, UploadFile):
            return _index(request, error="choose a scenario file to upload", status=400)
        raw = await item.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise StarletteHTTPException(413, f"the file is larger than {MAX_UPLOAD:,} bytes")
        name = Path(item.filename or "upload.yaml").name[:NAME_MAX] or "upload.yaml"
        return await _open(request, raw, name)

    @app.post("/run", response_class=HTMLResponse)
    async def rerun(request: Request, form: FormData = Depends(csrf_form)) -> HTMLResponse:
        done, page = await _rerun(request, form)
        if page is not None:
            return page
        outcome, text, source, values = done
        return _editor(request, outcome, text, source, note=_text(form, "note", 2000),
                       as_of=_text(form, "as_of", 40))

    @app.post("/save")
    async def save(request: Request, form: FormData = Depends(csrf_form)) -> Response:
        done, page = await _rerun(request, form)
        if page is not None:
            return page
        outcome, text, source, values = done
        note = _text(form, "note", 2000).strip()
        try:
            as_of = _date(_text(form, "as_of", 40))
        except RedlineError as error:
            return _editor(request, outcome, text, source, error=str(error), status=400,
                           note=note, as_of=_text(form, "as_of", 40))
        summary = outcome.summary
        key = scenario_key(outcome.scenario, source)
        saved = await run_in_threadpool(
            lambda: store.save_version(
                scenario_key=key, title=outcome.scenario.scenario.title, yaml_text=text,
                results=outcome.results, note=note, as_of=as_of, source_name=source,
                model=outcome.settings.model, draws=outcome.settings.draws,
                seed=outcome.settings.seed, p_agreement=summary["p_agreement"],
                acceptable_count=summary["acceptable_count"]))
        return RedirectResponse(f"/history/{key}?saved={saved['number']}", status_code=303)

    @app.get("/history", response_class=HTMLResponse)
    def history(request: Request) -> HTMLResponse:
        return _page(request, "history.html", {"saved": store.scenarios()})

    @app.get("/history/{key}", response_class=HTMLResponse)
    def timeline(request: Request, key: str, saved: int | None = None) -> HTMLResponse:
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
        return _page(request, "timeline.html", {
            "key": key, "title": versions[-1]["title"], "versions": versions,
            "issues": issues, "plot": plots.timeline_plot(versions, issues), "saved": saved})

    @app.get("/versions/{version_id}", response_class=HTMLResponse)
    def version(request: Request, version_id: int) -> HTMLResponse:
        found = store.version(version_id)
        if found is None:
            raise StarletteHTTPException(404, "no such version")
        return _page(request, "version.html", {"v": found})

    @app.get("/versions/{version_id}/edit", response_class=HTMLResponse)
    async def edit_version(request: Request, version_id: int) -> HTMLResponse:
        found = store.version(version_id)
        if found is None:
            raise StarletteHTTPException(404, "no such version")
        return await _open(request, found["yaml_text"], found["source_name"] or
                           f"{found['scenario']}.yaml")

    @app.get("/versions/{version_id}/scenario.yaml")
    def version_yaml(version_id: int) -> PlainTextResponse:
        found = store.version(version_id)
        if found is None:
            raise StarletteHTTPException(404, "no such version")
        name = f"{found['scenario']}-v{found['number']}.yaml"
        return PlainTextResponse(found["yaml_text"], headers={
            "content-disposition": f'attachment; filename="{name}"'})

    @app.get("/versions/{version_id}/results.json")
    def version_results(version_id: int) -> JSONResponse:
        found = store.version(version_id)
        if found is None:
            raise StarletteHTTPException(404, "no such version")
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


def _text(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _int(form: FormData, name: str, default: int) -> int:
    text = _text(form, name, 20).strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise RedlineError(f"{text!r} is not a whole number", field=name) from None


def _settings(form: FormData) -> Settings:
    return Settings(
        model=_text(form, "model", 40).strip() or Settings.model,
        draws=_int(form, "draws", DEFAULT_DRAWS),
        seed=_int(form, "seed", 0),
        x_actor=_text(form, "x_actor", 64).strip() or None,
        y_actor=_text(form, "y_actor", 64).strip() or None,
    )


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RedlineError(f"{text!r} is not a date (YYYY-MM-DD)", field="date") from None
