"""The HTML report in a real browser (headless Chromium, Playwright): it reads on a phone.

At 390 px (a phone) and 1440 px (a laptop) the page never scrolls sideways: wide tables scroll
inside their own box (``div.table-wrap``), and the answer is on the first screen. Uses the
system's Chromium at ``/usr/bin/chromium``; Playwright never downloads a browser. Screenshots of
both widths go to the folder in ``REDLINE_SCREENSHOTS`` when it is set (else the test's own
temporary folder), so they can be looked at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
WIDTHS = {"phone": (390, 844), "laptop": (1440, 900)}
OVERFLOW_SLACK_PX = 1  # sub-pixel rounding of layout widths
TIMEOUT_MS = 180_000  # a 5 MB page on a loaded 2-core machine; not a speed assertion

if not CHROMIUM.exists():
    pytest.skip(f"browser test needs Chromium at {CHROMIUM}", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="browser test needs the playwright package")
pytest.importorskip("plotly")

from redline.report.html import build_report  # noqa: E402


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, examples: Path) -> Path:
    path = tmp_path_factory.mktemp("report_browser") / "donbas.html"
    path.write_text(build_report(examples / "donbas-2026.yaml", draws=200), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_no_page_level_horizontal_overflow(browser, report_file: Path, device: str,
                                           tmp_path: Path):
    width, height = WIDTHS[device]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        "file:") else route.abort())  # offline: nothing leaves the machine
    page.goto(report_file.as_uri(), wait_until="load", timeout=TIMEOUT_MS)
    page.wait_for_selector("#fig-deal_space .main-svg", timeout=TIMEOUT_MS)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + OVERFLOW_SLACK_PX, f"page is {scroll}px wide at {width}px"
    unwrapped = page.evaluate(
        "[...document.querySelectorAll('table')].filter(t => !t.parentElement"
        ".classList.contains('table-wrap')).length")
    assert unwrapped == 0
    summary_top = page.evaluate(
        "document.querySelector('[data-section=summary]').getBoundingClientRect().top")
    assert summary_top < height  # the answer starts on the first screen
    folder = Path(os.environ.get("REDLINE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"report-{device}.png"))
    page.close()
