"""The documentation site builds in strict mode: a broken link between pages, a page left out
of the navigation, or an API reference (``::: module`` or a ``[name][redline.x]`` cross-reference
in a docstring) that does not resolve fails the build, and so this test and CI.

The build reads the docstrings from ``src`` (``paths: [src]`` in mkdocs.yml) and needs no
network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(config: Path, site: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` (not --quiet: it hides the warnings that strict mode counts)."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
         "-d", str(site)],
        capture_output=True, text=True, cwd=config.parent, timeout=300)


def test_the_site_builds_in_strict_mode(tmp_path):
    result = build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    reference = (tmp_path / "site" / "reference" / "index.html").read_text(encoding="utf-8")
    for name in ("redline.api.load", "redline.api.Negotiation", "redline.api.AnalysisResult",
                 "redline.api.ForecastResult", "redline.api.SweepResult",
                 "redline.api.AnalysisResult.to_dict", "redline.api.SweepResult.to_frame",
                 "redline.pipeline", "redline.space.engine.analyze"):
        assert f'id="{name}"' in reference, name
    assert "Load a negotiation" in reference  # load's docstring
    assert (tmp_path / "site" / "library" / "index.html").exists()


def test_every_page_of_docs_is_in_the_navigation():
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = {page for entry in config["nav"] for page in entry.values()}
    assert listed == {p.name for p in (ROOT / "docs").glob("*.md")}


def test_a_broken_reference_fails_the_build(tmp_path):
    """The same configuration on a copy whose page names an object that does not exist."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    docs = tmp_path / "docs"
    docs.mkdir()
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("nav:"):text.index("plugins:")]
    small = text.replace(nav, "nav:\n  - Home: index.md\n")
    (tmp_path / "mkdocs.yml").write_text(small, encoding="utf-8")
    (docs / "index.md").write_text("::: redline.errors\n\nSee [`load`][redline.api.nowhere].\n",
                                   encoding="utf-8")
    result = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "redline.api.nowhere" in result.stderr
