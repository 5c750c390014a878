"""The app's main pages pass axe-core at both widths, and their screenshots are written.

Apart from tests/web/test_web_browser.py (whose fixtures and helpers it uses) so that the
suite's two workers run this, its slowest browser test, beside that module's others
(``--dist loadfile`` keeps a module on one worker).
"""

from __future__ import annotations

import json

import pytest
from test_web_browser import (  # noqa: F401  (fixtures)
    DRAWN,
    SCREENSHOTS,
    WIDTHS,
    Watched,
    axe_violations,
    main_pages,
    playwright_api,
    server,
)


def test_no_serious_accessibility_violations_and_screenshots(server, browser):  # noqa: F811
    """The app's main pages at both widths (the report's are in
    tests/report/test_report_browser.py)."""
    # axe is injected as a script: the app's Content-Security-Policy would refuse it
    session = Watched(browser, viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = session.page
    try:
        pages = main_pages(page, server)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        problems = {}
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            for name, url in pages.items():
                page.goto(server + url)
                try:
                    page.wait_for_function(DRAWN)
                except playwright_api.TimeoutError:
                    pytest.fail(f"{name} at {width} px: a figure was not drawn")
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
                found = axe_violations(page)  # at each width: a phone's scroll boxes too
                if found:
                    problems[f"{name} at {width} px"] = found
        assert not problems, json.dumps(problems, indent=1)
        shots = sorted(p.name for p in SCREENSHOTS.glob("*.png"))
        assert {f"editor-{w}.png" for w, _ in WIDTHS} <= set(shots)
        assert not session.outside, session.outside
    finally:
        session.close()
