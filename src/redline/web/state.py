"""What every route of the web app shares: the app's state and the page renderer.

:class:`AppState` is built once by :func:`redline.web.app.create_app` and kept on
``app.state.redline``; routes get it with the :func:`app_state` dependency.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from redline.web import changes, plots
from redline.web.runner import RunCache, ScenarioCache
from redline.web.security import CSRF_FIELD, CsrfSigner
from redline.web.store import Store

TEMPLATES = Path(__file__).resolve().parent / "templates"
EXACT_INTEGER_BELOW = 1e15  # whole floats below this print exactly as integers


@dataclass(frozen=True)
class AppState:
    """The app's state: the workspace it serves, its version store, the CSRF signer, the
    templates, the last runs (:class:`redline.web.runner.RunCache`) and the last parsed
    scenario texts (:class:`redline.web.runner.ScenarioCache`)."""

    workspace: Path
    store: Store
    signer: CsrfSigner
    templates: Jinja2Templates
    runs: RunCache = field(default_factory=RunCache)
    scenarios: ScenarioCache = field(default_factory=ScenarioCache)


def app_state(request: Request) -> AppState:
    """The app's state (a FastAPI dependency; also usable in middleware and error handlers).

    Parameters
    ----------
    request : Request
        Any request to the app.

    Returns
    -------
    AppState
        The state :func:`redline.web.app.create_app` made.
    """
    return request.app.state.redline


def page_templates() -> Jinja2Templates:
    """The Jinja2 templates of the pages, autoescaped, with the globals and filters they use.

    Returns
    -------
    Jinja2Templates
        Templates from ``web/templates`` with ``csrf_field``, ``plotly_config``,
        ``plotly_url``, ``estimate`` (:func:`redline.web.changes.estimate`, for intervals) and
        the ``number`` filter (see :func:`number_text`).
    """
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    templates = Jinja2Templates(env=env)
    templates.env.globals["csrf_field"] = CSRF_FIELD
    templates.env.filters["number"] = number_text
    templates.env.globals["plotly_config"] = plots.CONFIG_JSON
    templates.env.globals["plotly_url"] = plotly_url
    templates.env.globals["estimate"] = changes.estimate
    return templates


def page(request: Request, name: str, context: dict[str, Any], status: int = 200
         ) -> HTMLResponse:
    """An HTML page from a template, with the visitor's CSRF token for its forms.

    Parameters
    ----------
    request : Request
        The request being answered (its CSRF token is set by the app's middleware).
    name : str
        The template's file name, e.g. ``"index.html"``.
    context : dict
        The template's variables.
    status : int, optional
        The response's status code.

    Returns
    -------
    HTMLResponse
        The rendered page.
    """
    state = app_state(request)
    token = getattr(request.state, "csrf_token", None) or state.signer.new_token()
    context = {"csrf_token": token, **context}
    return state.templates.TemplateResponse(request, name, context, status_code=status)


def number_text(value: float | None) -> str:
    """A number as an input's value: exact (``repr``), whole numbers without ``.0``.

    Parameters
    ----------
    value : float or None
        The number; None gives ``""``.

    Returns
    -------
    str
        E.g. ``"35"`` for 35.0, ``"0.1"`` for 0.1.
    """
    if value is None:
        return ""
    value = float(value)
    return (str(int(value)) if value.is_integer() and abs(value) < EXACT_INTEGER_BELOW
            else repr(value))


def plotly_js() -> Path:
    """plotly.min.js as shipped inside the installed ``plotly`` package.

    Returns
    -------
    Path
        The file, served at ``/vendor/plotly.min.js``.
    """
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


@functools.cache
def plotly_url() -> str:
    """The versioned URL of plotly.js: ``/vendor/plotly-<hash>.min.js``, the hash the first
    12 hex digits of the file's SHA-256, so a new plotly gets a new URL and the browser may
    keep the file for good (``immutable``): it is read once, not on every page or rerun.

    Returns
    -------
    str
        The URL the pages load plotly.js from.
    """
    digest = hashlib.sha256(plotly_js().read_bytes()).hexdigest()[:12]
    return f"/vendor/plotly-{digest}.min.js"
