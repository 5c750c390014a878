"""The local web app: open or upload a scenario, edit its numbers, rerun, save versions, and
follow how the results moved across versions.

A thin shell: every number comes from the core through :mod:`redline.web.runner`, scenarios are
read only by :func:`redline.scenario.load.parse_scenario` (the same checks as the CLI), and
pages are server-side Jinja2 templates (autoescaped) with plotly.js served from the installed
``plotly`` package, so the app works offline. See docs/web.md for the security model.

:func:`create_app` wires the pieces: the state every route shares (:mod:`redline.web.state`),
the guards (:mod:`redline.web.security`), the error pages, and the routes by job: opening and
editing scenarios (:mod:`redline.web.editing`), saved versions (:mod:`redline.web.history`),
and the process views, rounds and advise (:mod:`redline.web.process`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response

from redline.errors import RedlineError
from redline.web import editing, history, models, process, simulation
from redline.web.security import (
    CSRF_COOKIE,
    BodyLimit,
    CsrfSigner,
    SecurityHeaders,
    secure_headers,
)
from redline.web.state import AppState, app_state, page, page_templates, plotly_js, plotly_url
from redline.web.store import Store, default_url

HERE = Path(__file__).resolve().parent
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
PLOTLY_CACHE_SECONDS = 86400  # the unversioned URL, kept for old links
PLOTLY_IMMUTABLE = "public, max-age=31536000, immutable"  # a year: its URL names its content

assets = APIRouter()


def create_app(workspace: Path, db_url: str | None = None, *,
               allowed_hosts: list[str] | None = None) -> FastAPI:
    """The web app for a workspace folder.

    Parameters
    ----------
    workspace : Path
        The folder whose scenario files the app lists and opens (nothing outside it).
    db_url : str, optional
        Where saved versions live (default: the SQLite file
        ``<workspace>/.redline/history.sqlite3``).
    allowed_hosts : list of str, optional
        The Host headers served (default: the loopback names), which keeps DNS-rebinding
        pages out.

    Returns
    -------
    FastAPI
        The app; its store is closed when the app shuts down.

    Raises
    ------
    RedlineError
        When ``workspace`` is not a folder.
    """
    workspace = Path(workspace).resolve()
    if not workspace.is_dir():
        raise RedlineError("the workspace is not a folder", file=str(workspace),
                           parameter="workspace")
    store = Store.open(db_url or default_url(workspace))
    state = AppState(workspace=workspace, store=store, signer=CsrfSigner(),
                     templates=page_templates())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(title="Redline", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.redline = state
    app.middleware("http")(csrf_cookie)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOOPBACK_HOSTS)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)  # outermost: its headers reach every response
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_parameters)
    app.add_exception_handler(Exception, server_error)
    for router in (editing.router, assets, history.router, process.router, models.router,
                   simulation.router):
        add_routes(app, router)
    return app


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """Add a router's routes to the app itself, as ``@app.get`` would.

    ``app.include_router`` nests them in the app instead, so that ``app.routes`` would no
    longer list them (the tests check every POST route's CSRF dependency there).

    Parameters
    ----------
    app : FastAPI
        The app.
    router : APIRouter
        Routes declared at module level on top-level functions.
    """
    for route in router.routes:
        app.add_api_route(route.path, route.endpoint, methods=sorted(route.methods),
                          response_class=route.response_class, name=route.name)


# ---------------------------------------------------------------- middleware and errors

async def csrf_cookie(request: Request, call_next: Callable[[Request], Awaitable[Response]]
                      ) -> Response:
    """Give every visitor a signed CSRF cookie, and every request its token.

    Parameters
    ----------
    request : Request
        The request; ``request.state.csrf_valid_token`` is the cookie's token when its
        signature is good (else None), ``request.state.csrf_token`` the token for its forms.
    call_next : callable
        The rest of the app.

    Returns
    -------
    Response
        The app's response, setting a new cookie when the request brought no valid one.
    """
    signer = app_state(request).signer
    token = signer.token_from_cookie(request.cookies.get(CSRF_COOKIE))
    request.state.csrf_valid_token = token
    request.state.csrf_token = token or signer.new_token()
    response = await call_next(request)
    if token is None:
        response.set_cookie(CSRF_COOKIE, signer.cookie_value(request.state.csrf_token),
                            httponly=True, samesite="strict", path="/")
    return response


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """An HTTP error: an error page for browsers, one plain line for anything else.

    Parameters
    ----------
    request : Request
        The failed request (its ``Accept`` header decides the form).
    exc : starlette.exceptions.HTTPException
        The error, with its status and message.

    Returns
    -------
    Response
        The error page or line, with the error's status.
    """
    if "text/html" not in request.headers.get("accept", ""):
        return PlainTextResponse(f"{exc.status_code}: {exc.detail}",
                                 status_code=exc.status_code)
    return page(request, "error.html", {"status": exc.status_code, "message": str(exc.detail)},
                status=exc.status_code)


async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
    """Bad query or path parameters: a 400 in the form of :func:`http_error`."""
    return await http_error(request, StarletteHTTPException(400, "bad request parameters"))


async def server_error(request: Request, exc: Exception) -> Response:
    """An unexpected error: a plain 500 line, with the security headers, and no traceback.

    Sent by Starlette's outermost middleware, outside :class:`SecurityHeaders`, so it adds the
    headers itself; the traceback goes to the server's log only.
    """
    response = PlainTextResponse("500: internal error; the server's log has the details",
                                 status_code=500)
    secure_headers(response.headers)
    return response


# ---------------------------------------------------------------- assets

@assets.get("/healthz", response_class=PlainTextResponse)
def healthz() -> str:
    """``ok`` while the app is up."""
    return "ok"


@assets.get("/vendor/plotly.min.js")
def plotly_bundle() -> FileResponse:
    """The installed plotly.js, cached by the browser for a day (old links; the pages use
    :func:`plotly_url`)."""
    return FileResponse(plotly_js(), media_type="text/javascript",
                        headers={"cache-control": f"max-age={PLOTLY_CACHE_SECONDS}"})


@assets.get("/vendor/plotly-{digest}.min.js")
def plotly_versioned(digest: str) -> FileResponse:
    """The installed plotly.js at its versioned URL, cached for a year as immutable; any
    other hash is 404 (an old page after an upgrade reloads and gets the new URL)."""
    if f"/vendor/plotly-{digest}.min.js" != plotly_url():
        raise StarletteHTTPException(404, "not found")
    return FileResponse(plotly_js(), media_type="text/javascript",
                        headers={"cache-control": PLOTLY_IMMUTABLE})
