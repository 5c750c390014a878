"""The HTML report in a real browser (headless Chromium, Playwright): it reads on a phone.

At 390 px (a phone) and 1440 px (a laptop) the page never scrolls sideways: wide tables scroll
inside their own box (``div.table-wrap``), the answer is on the first screen, and axe-core finds
no serious or critical violation. Uses the system's Chromium at ``/usr/bin/chromium``;
Playwright never downloads a browser. A screenshot of the first screen at each width goes to
the folder in ``REDLINE_SCREENSHOTS`` (by default out/screenshots, beside the app's), so they
can be looked at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")  # the session's browser: tests/conftest.py's ``browser``
ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"phone": (390, 844), "laptop": (1440, 900)}
OVERFLOW_SLACK_PX = 1  # sub-pixel rounding of layout widths
TIMEOUT_MS = 180_000  # a 5 MB page on a loaded 2-core machine; not a speed assertion

if not CHROMIUM.exists():
    pytest.skip(f"browser test needs Chromium at {CHROMIUM}", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="browser test needs the playwright package")
pytest.importorskip("plotly")

from tests.axe import axe_violations  # noqa: E402

from redline.report.html import build_report  # noqa: E402


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, examples: Path) -> Path:
    path = tmp_path_factory.mktemp("report_browser") / "donbas.html"
    path.write_text(build_report(examples / "donbas-2026.yaml", draws=200), encoding="utf-8")
    return path


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_fits_the_window_starts_with_the_answer_and_passes_axe(browser, report_file: Path,
                                                                device: str):
    """No page-level horizontal overflow, every table in its scroll box, the summary on the
    first screen, and no serious or critical axe-core violation (a phone's scroll boxes too)."""
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
    folder = Path(os.environ.get("REDLINE_SCREENSHOTS", ROOT / "out" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"report-{width}.png"))  # the first screen
    found = axe_violations(page)
    page.close()
    assert not found, found
