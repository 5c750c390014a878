"""Shared test fixtures: where the reference data lives, and one headless Chromium.

``tests/data`` holds every file the tests read (sources and licences in ``tests/data/NOTICE``),
so a bare clone runs the whole suite. ``tests/data/originals`` keeps the reference files as the
project's preparers published them (the real DEU III split, KTAB's own tables, the Scholz rounds
of the jmckib code, the Genius references in full); the tests compare our copies, fixtures and
results with them.

Playwright's sync API runs one instance per thread, so the browser of the report's and the
app's browser tests is a single session-wide fixture (two would collide).
"""

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests explore new examples on a developer's machine; CI replays a fixed sequence so a
# red run is reproducible (the failing example is printed either way).
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DATA = ROOT / "tests" / "data"
ORIGINALS = REFERENCE_DATA / "originals"
EXAMPLES = ROOT / "examples"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def reference_data() -> Path:
    return REFERENCE_DATA


@pytest.fixture(scope="session")
def originals() -> Path:
    """The reference files as published to the project (``tests/data/originals``)."""
    return ORIGINALS


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every test (the system's; Playwright never downloads one)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser test needs Chromium at {CHROMIUM} (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api",
                                         reason="browser test needs the playwright package")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        yield chromium
        chromium.close()
