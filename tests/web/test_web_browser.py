"""The web app in a real browser: headless Chromium driven by Playwright.

Uses the system's Chromium (``/usr/bin/chromium``, Debian's ``chromium`` package); Playwright
never downloads a browser here. The app runs under uvicorn in a background thread on a free
127.0.0.1 port, with a temporary workspace holding a copy of the Donbas scenario.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "donbas-2026.yaml"
TIMEOUT_MS = 60_000

if not CHROMIUM.exists():
    pytest.skip(f"browser test needs Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="browser test needs the playwright package")
uvicorn = pytest.importorskip("uvicorn")

from redline.scenario.load import parse_scenario  # noqa: E402


@pytest.fixture()
def server(tmp_path):
    from redline.web.app import create_app

    workspace = tmp_path / "ws"
    workspace.mkdir()
    shutil.copy(EXAMPLE, workspace / "donbas-2026.yaml")
    app = create_app(workspace, None)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=30)
    sock.close()


def plot_data(page, ident: str) -> str:
    """The data plotly drew in the figure ``ident`` (its traces' x and y), as JSON."""
    page.wait_for_selector(f"#{ident}[data-drawn='true']", timeout=TIMEOUT_MS)
    return page.evaluate(
        "(id) => JSON.stringify(document.getElementById(id).data"
        ".map(t => [t.meta && t.meta.role, t.x, t.y]))", ident)


def test_edit_rerun_save_and_timeline_in_chromium(server):
    problems: list[str] = []
    outside: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                    headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)

            def only_local(route):
                if urlsplit(route.request.url).hostname == "127.0.0.1":
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("console", lambda msg: problems.append(f"console: {msg.text}")
                    if msg.type == "error" else None)

            page.goto(server + "/")
            page.click("text=donbas-2026.yaml")
            page.wait_for_selector("#acceptable-count")
            count_before = page.inner_text("#acceptable-count")
            forecast_before = page.inner_text("#forecast-donbas")
            plot_before = plot_data(page, "fig-deal-space")
            trajectories_before = plot_data(page, "fig-forecast")
            assert json.loads(plot_before), "the deal-space plot is empty"

            salience = page.locator("[name='sal.0.0']")  # Ukraine's salience of the Donbas
            assert float(salience.input_value()) == 1.0
            salience.fill("0.2")
            with page.expect_navigation():
                page.click("#rerun")
            page.wait_for_selector("#acceptable-count")
            assert page.locator("#error").count() == 0, page.inner_text("#error")
            assert page.locator("[name='sal.0.0']").input_value() == "0.2"
            forecast_after = page.inner_text("#forecast-donbas")
            count_after = page.inner_text("#acceptable-count")
            assert (forecast_after, count_after) != (forecast_before, count_before)
            assert forecast_after != forecast_before
            assert plot_data(page, "fig-deal-space") != plot_before
            assert plot_data(page, "fig-forecast") != trajectories_before

            page.fill("#note", "after the Abu Dhabi round")
            with page.expect_navigation():
                page.click("#save")
            page.wait_for_selector("#timeline-table")
            assert "/history/donbas-2026" in page.url
            row = page.inner_text("#timeline-table #v1")
            assert "after the Abu Dhabi round" in row
            timeline = json.loads(plot_data(page, "fig-timeline"))
            p_agreement = next(t for t in timeline if t[0] == "p_agreement")
            assert p_agreement[1] == ["v1"]
            assert 0 <= p_agreement[2][0] <= 1

            stored = page.request.get(server + "/versions/1/scenario.yaml").text()
            assert "\r" not in stored
            scenario = parse_scenario(stored, "v1.yaml")
            assert scenario.positions["ukraine"]["donbas"].salience == 0.2
        finally:
            browser.close()
    assert not outside, f"the app asked for outside resources: {outside}"
    assert not problems, problems
