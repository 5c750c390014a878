"""Shared test fixtures: where the reference data lives, and one headless Chromium.

``tests/data`` holds every file the tests read (sources and licences in ``tests/data/NOTICE``),
so a bare clone runs the whole suite. Where a source could not be redistributed, the file in
``tests/data`` is a fixture of our own, and the tests marked ``shared_data`` also compare with
the original in the sibling folder ``../shared/data``. Without that folder those tests are
deselected (reported as such, not skipped); everything else runs.

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
SHARED_DATA = ROOT.parent / "shared" / "data"
EXAMPLES = ROOT / "examples"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "shared_data: an extra check against the originals in ../shared/data; "
        "deselected when that folder is absent")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED_DATA.is_dir():
        return
    extra = [item for item in items if item.get_closest_marker("shared_data")]
    if extra:
        config.hook.pytest_deselected(items=extra)
        items[:] = [item for item in items if not item.get_closest_marker("shared_data")]


@pytest.fixture(scope="session")
def reference_data() -> Path:
    return REFERENCE_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The originals beside the repository; only tests marked ``shared_data`` may use it."""
    return SHARED_DATA


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
