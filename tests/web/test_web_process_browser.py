"""The app's process views (Rounds, Evaluate, Advise) in a real browser: headless Chromium driven by
Playwright, as in ``test_web_browser.py`` (whose helpers this module uses): the figures are
drawn, the views are reached from the scenario's pages by keyboard, fit the window at 1440
and 390 px, and have no serious accessibility violations (axe-core); screenshots go to
out/screenshots."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_web_browser import (
    SCREENSHOTS,
    WIDTHS,
    Watched,
    axe_violations,
    focused,
    overflow,
    playwright_api,
    serving,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = ("donbas-2026.yaml", "colombia-2016.yaml", "camp-david-1978.yaml")
DRAWN = ("() => [...document.querySelectorAll('div.plot[data-figure]')]"
         ".every(el => el.dataset.drawn === 'true')")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a free loopback port, with the three examples in its workspace."""
    from redline.web.app import create_app

    workspace = tmp_path_factory.mktemp("process") / "ws"
    workspace.mkdir()
    for name in FILES:
        shutil.copy(EXAMPLES / name, workspace / name)
    with serving(create_app(workspace, None)) as url:
        yield url


@pytest.fixture()
def watched(browser):
    session = Watched(browser, viewport={"width": 1440, "height": 900})
    yield session
    session.close()
    assert not session.outside, f"requests that would leave the machine: {session.outside}"


def plot_data(page, ident: str) -> str:
    """What plotly drew in the figure ``ident``, once drawn: its traces' role, x and y (as
    plotly.js holds them after drawing: its full data, typed arrays as lists), as JSON."""
    page.wait_for_selector(f"#{ident}[data-drawn='true']", timeout=60_000)
    return page.evaluate(
        "(id) => JSON.stringify(document.getElementById(id)._fullData.map(t => "
        "[t.meta && t.meta.role, Array.from(t.x || []), Array.from(t.y || [])]))", ident)


def saved_version(page, server: str, name: str) -> str:
    """Open ``name`` in the editor, save it; the version page's URL path."""
    page.goto(server + f"/open?path={name}")
    page.fill("#note", "as published")
    with page.expect_navigation():
        page.click("#save")
    return page.get_attribute("#timeline-table tr:last-child a", "href")


def test_rounds_view_draws_the_timeline_and_the_thresholds(server, watched):
    page = watched.page
    version = saved_version(page, server, "donbas-2026.yaml")
    page.goto(server + version)
    # reached from the version page by keyboard: focus the link, press Enter
    page.focus("#version-rounds")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(version + "/rounds")
    timeline = json.loads(plot_data(page, "fig-rounds-timeline"))
    roles = [role for role, _, _ in timeline]
    assert "p_agreement" in roles and "claim" in roles
    p_trace = next(t for t in timeline if t[0] == "p_agreement")
    assert p_trace[1][0] == "prior" and len(p_trace[1]) == 3  # the prior, then two rounds
    assert all(0 <= p <= 1 for p in p_trace[2])
    answer = page.evaluate("fetch(location.pathname + '.json').then(r => r.json())")
    assert p_trace[2] == pytest.approx([s["p_agreement"]["p"] for s in answer["timeline"]])
    thresholds = json.loads(plot_data(page, "fig-rounds-thresholds"))
    assert {t[0] for t in thresholds} == {"threshold_prior", "threshold_posterior"}
    rows = [r for r in answer["inputs"] if r["rule"]]
    posterior = next(t for t in thresholds if t[0] == "threshold_posterior")
    assert posterior[1] == pytest.approx([r["posterior"]["mean"] for r in rows])
    assert page.locator("#rounds-table .badge").count() == 1  # the illustrative round
    assert page.is_visible("#unreproduced-kyiv-red-line-entire-donbas")

    # a bad date is shown at its field, and the view keeps working after it
    page.fill("#until", "")
    page.fill("#draws", "999999")
    with page.expect_navigation():
        page.click("#update")
    assert "at most 5,000 draws" in page.inner_text("#error-draws")
    assert focused(page) == "draws"
    expected = "the server responded with a status of 400"
    assert not [p for p in watched.problems if expected not in p], watched.problems


def test_rounds_empty_state_without_rounds(server, watched):
    page = watched.page
    version = saved_version(page, server, "camp-david-1978.yaml")
    page.goto(server + version + "/rounds")
    assert "No rounds in this scenario" in page.inner_text("#no-rounds")
    assert page.locator("[data-figure]").count() == 0
    assert not watched.problems, watched.problems


def test_advise_view_ranks_by_keyboard_and_from_the_editor(server, watched):
    page = watched.page
    page.goto(server + "/open?path=colombia-2016.yaml")
    with page.expect_navigation():
        page.click("#open-advise")  # the scenario as edited in the editor
    assert "not saved" in page.inner_text("#basis")
    page.focus("#actor")
    page.keyboard.press("ArrowDown")  # the first actor
    page.select_option("#objective", "probe")
    page.focus("#top")
    page.fill("#top", "3")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form
    assert page.locator("#advice-list > li").count() == 3
    assert "bits expected" in page.inner_text("#rank-1")
    assert page.inner_text("#rank-1 .reason")
    # an unknown actor cannot be chosen from the list; the top is bounded at its field
    page.fill("#top", "51")
    with page.expect_navigation():
        page.click("#advise")
    assert "top must lie in [1, 50]" in page.inner_text("#error-top")
    # candidates: two proposals chosen from the list, a package typed; then a bad package
    page.fill("#top", "3")
    page.select_option("#proposal", ["august-final-accord", "november-accord"])
    page.fill("#packages", "justice=prison, ratification=congress")
    page.fill("#until", "2016-10-05")
    with page.expect_navigation():
        page.click("#advise")
    listed = [page.inner_text(f"#rank-{k}") for k in (1, 2, 3)]
    assert any("proposal august-final-accord" in t for t in listed)
    assert any("listed package" in t for t in listed)
    assert "--proposal november-accord" in page.inner_text("#advice-command")
    assert page.input_value("#until") == "2016-10-05"
    page.fill("#packages", "justice=jail")
    with page.expect_navigation():
        page.click("#advise")
    assert "line 1: issue 'justice' has no option 'jail'" in page.inner_text("#error-packages")
    assert focused(page) == "packages"  # focus at the field
    page.fill("#packages", "")
    # the Evaluate view of the same text: a proposal chosen by keyboard, then a bad package
    with page.expect_navigation():
        page.click("#nav-evaluate")
    assert page.locator("#evaluation-empty").count() == 1
    page.select_option("#proposal", "august-final-accord")
    page.focus("#draws")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "P(every veto holder accepts)" in page.inner_text("#completion-1")
    assert page.locator("#completion-1 .actors-table tbody tr").count() == 4
    assert page.inner_text("#what-it-takes")
    page.select_option("#proposal", "")
    page.fill("#package", "justice=jail")
    with page.expect_navigation():
        page.click("#evaluate")
    assert "issue 'justice' has no option 'jail'" in page.inner_text("#error-package")
    # the nav goes to the Rounds view of the same text
    with page.expect_navigation():
        page.click("#nav-rounds")
    page.wait_for_function(DRAWN)
    assert page.locator("#rounds-table tbody tr").count() >= 4
    expected = "the server responded with a status of 400"
    assert not [p for p in watched.problems if expected not in p], watched.problems


def test_process_views_fit_pass_axe_and_are_screenshot(server, browser):
    # axe is injected as a script: the app's Content-Security-Policy would refuse it
    session = Watched(browser, viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = session.page
    try:
        donbas = saved_version(page, server, "donbas-2026.yaml")
        colombia = saved_version(page, server, "colombia-2016.yaml")
        camp = saved_version(page, server, "camp-david-1978.yaml")
        pages = {"rounds": donbas + "/rounds", "rounds-colombia": colombia + "/rounds",
                 "rounds-empty": camp + "/rounds", "advise-form": donbas + "/advise",
                 "advise": donbas + "/advise?actor=ukraine&objective=accept&top=5",
                 "advise-probe": colombia + "/advise?actor=government&objective=probe&top=3",
                 "advise-listed": colombia + "/advise?actor=government&top=4&until=2016-10-05"
                 "&proposal=august-final-accord&proposal=november-accord"
                 "&packages=justice%3Dprison%2C%20ratification%3Dcongress",
                 "evaluate": colombia + "/evaluate?proposal=august-final-accord",
                 "evaluate-partial": donbas + "/evaluate?proposal=guarantees-for-donbas"}
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        problems, wide = {}, {}
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            for name, url in pages.items():
                page.goto(server + url)
                try:
                    page.wait_for_function(DRAWN)
                except playwright_api.TimeoutError:
                    pytest.fail(f"{name} at {width} px: a figure was not drawn")
                if overflow(page) > 0:
                    wide[f"{name}-{width}"] = overflow(page)
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
                if width == WIDTHS[0][0]:
                    found = axe_violations(page)
                    if found:
                        problems[name] = found
        assert not wide, wide
        assert not problems, json.dumps(problems, indent=1)
        assert not session.outside, session.outside
        assert not session.problems, session.problems
    finally:
        session.close()

