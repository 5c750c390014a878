"""Every model side by side and the Simulate view in a real browser: headless Debian Chromium
driven by Playwright, with the server, browser and checks of ``test_web_browser`` (which skips
this module too when Chromium or Playwright is missing)."""

from __future__ import annotations

import json

import pytest
from test_web_browser import (  # noqa: F401  (fixtures)
    EXAMPLE,
    SCREENSHOTS,
    TIMEOUT_MS,
    WIDTHS,
    Watched,
    axe_violations,
    box,
    focused,
    overflow,
    rerun_in_place,
    server,
    watched,
)

from redline import pipeline
from redline.forecast.registry import model_names
from redline.scenario.load import parse_scenario


def compare_models(page, times: int) -> None:
    """Wait until the models section has been filled ``times`` times (``data-loaded``)."""
    page.wait_for_selector(f"#models[data-loaded='{times}']", timeout=TIMEOUT_MS)
    page.wait_for_selector("#fig-models[data-drawn='true']", timeout=TIMEOUT_MS)


def test_every_model_side_by_side_in_place_and_after_a_rerun(server, watched):  # noqa: F811
    page = watched.page
    page.goto(server + "/open?path=donbas-2026.yaml")
    page.wait_for_selector("#fig-deal-space[data-drawn='true']")
    page.evaluate("window.redlineMarker = 'same page'")
    assert page.locator("#models-table").count() == 0  # not computed until asked
    page.click("#compare-models")
    compare_models(page, 1)
    assert page.evaluate("window.redlineMarker") == "same page"  # in place, no navigation
    rows = page.locator("#models-table tbody tr")
    assert rows.count() == len(model_names())
    assert page.get_attribute("#models-table tbody tr.chosen", "data-model") == "compromise"
    assert "assumes" in page.inner_text("#models-assumptions")
    traces = json.loads(page.evaluate(
        "JSON.stringify(document.getElementById('fig-models').data.map(t => t.meta.model))"))
    assert traces == model_names()

    compromise = "#model-compromise td[data-issue='donbas'] b"
    before = page.inner_text(compromise)
    assert before == page.inner_text("#forecast-donbas")
    page.fill("[name='sal.0.0']", "0.2")
    rerun_in_place(page, 0)
    compare_models(page, 2)  # a comparison shown once follows the reruns
    after = page.inner_text(compromise)
    assert after == page.inner_text("#forecast-donbas") and after != before
    assert page.evaluate("window.redlineMarker") == "same page"
    assert not watched.problems, watched.problems


def shown(page) -> dict:
    return {"p": page.inner_text("#sim-p"), "steps": page.inner_text("#sim-steps"),
            "interval": page.inner_text("#sim-p-interval")}


def expected(data: dict) -> dict:
    low, high = data["interval"]
    return {"p": f"{data['p_agreement']:.3f}", "steps": f"{data['steps_taken']['mean']:.1f}",
            "interval": f"95% interval {low:.3f}–{high:.3f} (Wilson)"}


def test_simulate_from_the_editor_shows_the_library_numbers_and_the_offers(
        server, watched):  # noqa: F811
    page = watched.page
    page.goto(server + "/open?path=donbas-2026.yaml")
    page.wait_for_selector("#fig-deal-space[data-drawn='true']")
    with page.expect_navigation():
        page.click("#open-simulate")
    page.wait_for_selector("#fig-offers[data-drawn='true']")
    loaded = pipeline.load(parse_scenario(EXAMPLE.read_bytes(), "donbas-2026.yaml"))
    default = pipeline.run_simulate(loaded, [("ukraine", "boulware"), ("russia", "conceder")],
                                    steps=100, draws=200).to_dict()
    assert shown(page) == expected(default)
    roles = json.loads(page.evaluate(
        "JSON.stringify(document.getElementById('fig-offers').data.map(t => t.meta.role))"))
    assert "offers" in roles and "frontier" in roles

    page.select_option("#protocol", "single-text")
    page.select_option("#mediator", "us")
    page.fill("[name='bias.1']", "2")
    page.fill("#steps", "50")
    page.fill("#draws", "120")
    page.fill("#seed", "4")
    with page.expect_navigation():
        page.click("#simulate")
    page.wait_for_selector("#sim-p")
    mediated = pipeline.run_simulate(
        loaded, [("ukraine", "boulware"), ("russia", "conceder")], protocol="single-text",
        steps=50, draws=120, seed=4, mediator="us", bias={"russia": 2.0}).to_dict()
    assert shown(page) == expected(mediated)

    page.fill("#steps", "0")
    with page.expect_navigation():
        page.click("#simulate")
    error, field = box(page, "#error-steps"), box(page, "#steps")
    assert 0 <= error["y"] - (field["y"] + field["height"]) < 30  # right below the field
    assert page.get_attribute("#error a", "href") == "#steps"
    assert focused(page) == "steps"
    assert page.input_value("#mediator") == "us"  # the rest stays as chosen
    expected_error = "the server responded with a status of 400"
    assert not [p for p in watched.problems if expected_error not in p], watched.problems


@pytest.mark.parametrize("width,height", WIDTHS)
def test_both_views_fit_pass_axe_and_are_screenshot(server, browser, width, height):  # noqa: F811
    # axe is injected as a script: the app's Content-Security-Policy would refuse it
    session = Watched(browser, viewport={"width": width, "height": height}, bypass_csp=True)
    page = session.page
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        problems = {}
        page.goto(server + "/open?path=donbas-2026.yaml")
        page.click("#compare-models")
        compare_models(page, 1)
        page.locator("#models").scroll_into_view_if_needed()
        views = {"models": None, "simulate": server + "/simulate?path=donbas-2026.yaml",
                 "simulate-pick": server + "/simulate"}
        for name, url in views.items():
            if url is not None:
                page.goto(url)
                if page.locator("[data-figure]").count():
                    page.wait_for_selector("[data-figure][data-drawn='true']")
            assert overflow(page) <= 0, (name, width)
            if name == "simulate":
                controls, results = box(page, "#controls"), box(page, "#sim-results")
                if width >= 1440:  # the settings beside the results
                    assert controls["x"] >= results["x"] + results["width"] - 1
                else:
                    assert controls["y"] > results["y"]
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
            if name == "models":  # the section itself, to look at without the editor around it
                page.locator("#models").screenshot(
                    path=str(SCREENSHOTS / f"models-section-{width}.png"))
            # the editor's own tables are test_web_browser's: here its models section only
            found = axe_violations(page, "#models" if name == "models" else None)
            if found:
                problems[name] = found
        assert not problems, json.dumps(problems, indent=1)
        assert not session.outside, session.outside
        assert not session.problems, session.problems
    finally:
        session.close()
