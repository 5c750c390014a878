"""The web app's history routes: the saved scenarios, one scenario's timeline of versions, and
each version as a page, its scenario text and its results as JSON."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from redline.errors import RedlineError
from redline.web import changes, export, plots
from redline.web.editing import KEY, SAVED_COOKIE, open_scenario
from redline.web.state import AppState, app_state, page

VERSION_ID = re.compile(r"^[1-9][0-9]{0,9}$")
MAX_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL

router = APIRouter()


@router.get("/history", response_class=HTMLResponse)
def history(request: Request, state: AppState = Depends(app_state)) -> HTMLResponse:
    """Every scenario with saved versions."""
    return page(request, "history.html", {"saved": state.store.scenarios()})


@router.get("/history/{key}", response_class=HTMLResponse)
def timeline(request: Request, key: str, state: AppState = Depends(app_state)
             ) -> HTMLResponse:
    """The versions of scenario ``key`` and how their results moved; 404 when there are none."""
    if not KEY.match(key):
        raise StarletteHTTPException(404, "not found")
    versions = state.store.timeline(key)
    if not versions:
        raise StarletteHTTPException(404, f"no saved versions of {key!r}")
    issues = _timeline_issues(state, versions)
    flash = state.signer.token_from_cookie(request.cookies.get(SAVED_COOKIE)) or ""
    saved = next((v["number"] for v in versions if flash == f"saved-{v['id']}"), None)
    response = page(request, "timeline.html", {
        "key": key, "title": versions[-1]["title"], "versions": versions,
        "issues": issues, "plot": plots.timeline_plot(versions, issues), "saved": saved})
    if saved is not None:
        response.delete_cookie(SAVED_COOKIE, path="/history", httponly=True,
                               samesite="strict")
    return response


@router.get("/versions/{version_id}", response_class=HTMLResponse)
def version(request: Request, version_id: str, state: AppState = Depends(app_state)
            ) -> HTMLResponse:
    """One saved version: its settings, note and results (P(agreement) with its interval),
    what changed from the previous version (the headline numbers and the YAML diff), and its
    exports."""
    found = saved_version(state, version_id)
    previous = previous_version(state, found)
    issue_names = {i["id"]: i["name"] for i in
                   ((found.get("results") or {}).get("analysis") or {}).get("issues", [])}
    context = {"v": found, "previous": previous, "issue_names": issue_names,
               "estimate": changes.estimate(found["p_agreement"], found["draws"],
                                            found.get("ess")),
               "diff": [], "since_previous": None}
    if previous is not None:
        context["diff"] = changes.yaml_diff(previous["yaml_text"], found["yaml_text"],
                                            before_name=f"v{previous['number']}",
                                            after_name=f"v{found['number']}")
        context["since_previous"] = changes.compare(changes.summary_numbers(previous),
                                                    changes.summary_numbers(found),
                                                    issue_names)
    return page(request, "version.html", context)


def previous_version(state: AppState, version: dict) -> dict | None:
    """The version saved just before ``version`` (the highest lower number), or ``None``.

    Parameters
    ----------
    state : AppState
        The app's state (its store is read).
    version : dict
        A version as :meth:`redline.web.store.Store.version` returns it.

    Returns
    -------
    dict or None
        The previous version, with its text and results.
    """
    earlier = [v for v in state.store.timeline(version["scenario"]) or []
               if v["number"] < version["number"]]
    return state.store.version(earlier[-1]["id"]) if earlier else None


def version_export(found: dict) -> export.Export:
    """What exporting a saved version runs: its text, and its run's draws, seed, model and
    rounds (ignored, or counted up to a date)."""
    settings = (found.get("results") or {}).get("settings") or {}
    seed, until = settings.get("seed", 0), settings.get("until")
    return export.Export(found["yaml_text"], found["source_name"] or f"{found['scenario']}.yaml",
                         draws=found["draws"] or export.EXPORT_DRAWS,
                         seed=seed if isinstance(seed, int) else 0, model=found["model"],
                         prior=settings.get("prior") is True,
                         until=until if isinstance(until, str) else None)


@router.get("/versions/{version_id}/report.html")
def version_report(version_id: str, state: AppState = Depends(app_state)) -> Response:
    """A saved version's HTML report (``redline report``), as a download."""
    found = saved_version(state, version_id)
    try:
        body = export.report_html(version_export(found))
    except RedlineError as error:
        raise StarletteHTTPException(400, str(error)) from None
    name = f"{found['scenario']}-v{found['number']}-report.html"
    return Response(body, media_type="text/html; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{name}"'})


@router.get("/versions/{version_id}/figures.zip")
def version_figures(version_id: str, state: AppState = Depends(app_state)) -> Response:
    """A saved version's report figures as PNGs (``redline report --png``), in a zip."""
    found = saved_version(state, version_id)
    try:
        body = export.figures_zip(version_export(found))
    except RedlineError as error:
        raise StarletteHTTPException(400, str(error)) from None
    name = f"{found['scenario']}-v{found['number']}-figures.zip"
    return Response(body, media_type="application/zip", headers={
        "content-disposition": f'attachment; filename="{name}"'})


@router.get("/versions/{version_id}/edit", response_class=HTMLResponse)
def edit_version(request: Request, version_id: str, state: AppState = Depends(app_state)
                 ) -> HTMLResponse:
    """Open a saved version's scenario text in the editor."""
    found = saved_version(state, version_id)
    return open_scenario(request, state, found["yaml_text"].encode("utf-8"),
                         found["source_name"] or f"{found['scenario']}.yaml",
                         base_version=str(found["id"]))


@router.get("/versions/{version_id}/scenario.yaml")
def version_yaml(version_id: str, state: AppState = Depends(app_state)) -> PlainTextResponse:
    """A saved version's scenario text, as a download."""
    found = saved_version(state, version_id)
    name = f"{found['scenario']}-v{found['number']}.yaml"
    return PlainTextResponse(found["yaml_text"], headers={
        "content-disposition": f'attachment; filename="{name}"'})


@router.get("/versions/{version_id}/results.json")
def version_results(version_id: str, state: AppState = Depends(app_state)) -> JSONResponse:
    """A saved version's record and results as JSON (without its scenario text)."""
    found = saved_version(state, version_id)
    return JSONResponse({k: v for k, v in found.items() if k != "yaml_text"})


def saved_version(state: AppState, version_id: str) -> dict:
    """A saved version by its id as the URL gives it.

    Parameters
    ----------
    state : AppState
        The app's state (its store is asked).
    version_id : str
        The id from the URL: digits, within the id column's range.

    Returns
    -------
    dict
        The version, as :meth:`redline.web.store.Store.version` returns it.

    Raises
    ------
    starlette.exceptions.HTTPException
        404 for an id that is malformed, out of range or not saved.
    """
    if not VERSION_ID.match(version_id) or int(version_id) > MAX_ID:
        raise StarletteHTTPException(404, "no such version")
    found = state.store.version(int(version_id))
    if found is None:
        raise StarletteHTTPException(404, "no such version")
    return found


def _timeline_issues(state: AppState, versions: list[dict]) -> list[tuple[str, str]]:
    """``(id, name)`` of the issues on a timeline: the latest version's, then any other issue
    an older version forecast."""
    latest = state.store.version(versions[-1]["id"]) or {}
    results = latest.get("results") or {}
    issues = [(i["id"], i["name"]) for i in (results.get("analysis") or {}).get("issues", [])]
    known = {i for i, _ in issues}
    for v in versions:
        for issue in v["forecast"]:
            if issue not in known:
                issues.append((issue, issue))
                known.add(issue)
    return issues
