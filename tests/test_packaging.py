"""What a ``pip install`` gets: the version, and every data file the package reads at run time.

An editable install finds any file under ``src/redline``, declared or not; a wheel holds only
what ``[tool.setuptools.package-data]`` in pyproject.toml declares. These tests check the
declaration, so a new template or example that a wheel would miss fails ``make test`` (CI also
builds the wheel and runs it from a clean virtual environment: ``.ci/run``).
"""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

import redline
from redline import bundled
from redline.cli import app

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "redline"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CODE_SUFFIXES = (".py", ".pyc")


def data_files() -> list[str]:
    """Every file in the package that is not Python code, relative to ``src/redline``
    (hidden files, such as a web app's ``.redline/`` history in ``examples/``, are not)."""
    return sorted(path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*")
                  if path.is_file() and path.suffix not in CODE_SUFFIXES
                  and not any(part == "__pycache__" or part.startswith(".")
                              for part in path.relative_to(PACKAGE).parts))


def test_every_data_file_in_the_package_is_declared_as_package_data():
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["redline"]
    undeclared = [name for name in data_files()
                  if not any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)]
    assert data_files(), "the package has no data files: is PACKAGE right?"
    assert not undeclared, f"add these to [tool.setuptools.package-data]: {undeclared}"


def test_the_examples_and_the_web_files_are_among_the_data_files():
    names = data_files()
    for needed in ("examples/donbas-2026.yaml", "examples/camp-david-1978.yaml",
                   "examples/divorce-points.yaml", "web/migrations/script.py.mako", "py.typed"):
        assert needed in names
    assert any(name.startswith("web/templates/") for name in names)
    assert any(name.startswith("web/static/") for name in names)


def test_the_bundled_examples_are_the_files_in_examples(examples: Path):
    on_disk = sorted(path.stem for path in examples.glob("*.yaml"))
    assert bundled.example_names() == on_disk
    assert {"donbas-2026", "camp-david-1978", "divorce-points"} <= set(on_disk)
    for name in on_disk:
        resource = resources.files("redline") / "examples" / f"{name}.yaml"
        expected = (examples / f"{name}.yaml").read_text(encoding="utf-8")
        assert resource.read_text(encoding="utf-8") == expected
        assert bundled.example_text(name) == expected


def test_the_version_has_one_home():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "redline.__version__"}
    parts = redline.__version__.split(".")
    assert len(parts) == 3 and all(part.isdigit() for part in parts)


def test_redline_version_prints_the_version_and_exits_0():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"redline {redline.__version__}\n"
