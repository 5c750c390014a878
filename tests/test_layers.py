"""Layers point one way: no module imports a module of a higher layer.

Every module under ``src/redline`` is parsed with :mod:`ast`; every import counts, at the top of
the module or inside a function (a lazy import is still a dependency), ``TYPE_CHECKING`` ones
too. The layer table is :data:`LAYERS`, lowest first; it is stated, with its reasons, in
``docs/architecture.md`` ("Layers"). A module may import its own layer and every layer below.

A second rule keeps the numerical core free of input: ``space``, ``forecast`` and
``uncertainty`` take data and never read files, so they import neither the file reader, the
YAML parser nor the atomic writer (:data:`READERS`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "redline"

# Lowest first: (layer, module prefixes). A module belongs to the layer of its longest prefix.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("redline.errors", "redline.files", "redline.safe_yaml", "redline.io.atomic")),
    # The input format, and the bundled example files written in it.
    ("scenario", ("redline.scenario", "redline.bundled")),
    # The compiler lives beside the format it reads but builds the space's arrays.
    ("space", ("redline.space", "redline.scenario.compile", "redline.scenario.arrays")),
    ("forecast", ("redline.forecast",)),
    ("uncertainty", ("redline.uncertainty",)),
    # Negotiation simulation on the batched space: protocols, strategies, opponent models.
    ("simulate", ("redline.simulate",)),
    # Adapters of foreign formats (Genius XML, KTAB CSV, DEU TSV, actor CSV) into core types.
    ("io", ("redline.io",)),
    ("pipeline", ("redline.pipeline",)),
    ("report", ("redline.report",)),
    ("web", ("redline.web",)),
    ("cli", ("redline.cli", "redline.entry", "redline.__main__")),
    # The package itself is the library API: `import redline` gives the whole workflow.
    ("api", ("redline", "redline.api")),
)
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}
CORE = ("space", "forecast", "uncertainty", "simulate")
READERS = ("redline.files", "redline.safe_yaml", "redline.io.atomic", "yaml")
# Names that `from redline import ...` may take at any layer: package metadata, not the API.
METADATA = {"__version__"}

# Imports that point up today in files other helpers are rewriting: their owners remove them
# (and then this list). Each entry is (importing module, imported module).
KNOWN_UPWARD: set[tuple[str, str]] = set()


def layer_of(module: str) -> str:
    """The layer of a dotted module name (its longest matching prefix in :data:`LAYERS`)."""
    best, length = None, -1
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = name, len(prefix)
    if best is None:
        raise AssertionError(f"{module} is in no layer; add it to LAYERS and the docs")
    return best


def module_name(path: Path) -> str:
    """The dotted name of a file under ``src``."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


PATHS = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


class Module:
    """A parsed module: its name, where it is and what it imports."""

    def __init__(self, name: str, where: str, source: str, *, package: bool = False) -> None:
        self.name, self.where, self.package = name, where, package
        self.tree = ast.parse(source, filename=where)

    def imports(self) -> list[tuple[int, str]]:
        """``(line, module)`` for every redline module (or ``yaml``) imported anywhere.

        ``from package import name`` names the submodule when ``name`` is one, else the package.
        """
        here = self.name if self.package else self.name.rpartition(".")[0]
        found: list[tuple[int, str]] = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                found += [(node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if sub in PATHS:
                        found.append((node.lineno, sub))
                    elif not (base == "redline" and alias.name in METADATA):
                        found.append((node.lineno, base))
        return sorted({(line, name) for line, name in found
                       if name.split(".")[0] in ("redline", "yaml")})


def parsed() -> list[Module]:
    return [Module(name, str(path.relative_to(SRC)), path.read_text(encoding="utf-8"),
                   package=path.name == "__init__.py") for name, path in PATHS.items()]


def upward_imports(modules: list[Module]) -> list[str]:
    """One line per import that points up, naming both modules and where."""
    problems = []
    for module in modules:
        mine = layer_of(module.name)
        for line, target in module.imports():
            if target.split(".")[0] != "redline" or (module.name, target) in KNOWN_UPWARD:
                continue
            theirs = layer_of(target)
            if RANK[theirs] > RANK[mine]:
                problems.append(f"{module.name} imports higher-layer module {target} "
                                f"({module.where}:{line}; {mine} is below {theirs})")
    return problems


def core_readers(modules: list[Module]) -> list[str]:
    """One line per import of a file reader or YAML parser by a core module."""
    problems = []
    for module in modules:
        if layer_of(module.name) not in CORE:
            continue
        for line, target in module.imports():
            if any(target == r or target.startswith(r + ".") for r in READERS):
                problems.append(f"{module.name} reads input itself: imports {target} "
                                f"({module.where}:{line}); take data instead")
    return problems


def test_every_module_is_in_a_layer():
    for module in PATHS:
        layer_of(module)


def test_no_module_imports_a_higher_layer():
    assert upward_imports(parsed()) == []


def test_the_numerical_core_reads_no_files():
    assert core_readers(parsed()) == []


def test_the_known_exceptions_still_occur():
    """An exception that no longer occurs must leave :data:`KNOWN_UPWARD`."""
    seen = {(m.name, target) for m in parsed() for _, target in m.imports()}
    assert KNOWN_UPWARD <= seen


@pytest.mark.parametrize(("source", "target"), [
    ("from redline.pipeline import load_input\n", "redline.pipeline"),
    ("def f():\n    import redline.uncertainty.sweep\n", "redline.uncertainty.sweep"),
    ("if TYPE_CHECKING:\n    from redline.forecast import base\n", "redline.forecast.base"),
    ("from ..space import domain\n", "redline.space.domain"),
    ("from .. import pipeline\n", "redline.pipeline"),
    ("import redline\n", "redline"),
])
def test_the_check_sees_top_level_lazy_and_relative_imports(source, target):
    module = Module("redline.scenario.x", "redline/scenario/x.py", source)
    (problem,) = upward_imports([module])
    assert problem.startswith(f"redline.scenario.x imports higher-layer module {target} "
                              "(redline/scenario/x.py:")


def test_the_check_allows_lower_layers_and_the_version():
    source = ("from redline.errors import RedlineError\nfrom redline import __version__\n"
              "from redline.scenario.model import Scenario\n")
    assert upward_imports([Module("redline.space.x", "redline/space/x.py", source)]) == []


def test_the_core_check_sees_yaml_and_the_file_reader():
    source = "import yaml\nfrom redline.safe_yaml import load_yaml_file\n"
    problems = core_readers([Module("redline.space.x", "redline/space/x.py", source)])
    assert [p.split(":")[0] for p in problems] == [
        "redline.space.x reads input itself", "redline.space.x reads input itself"]


def test_the_layer_table_is_the_documented_one():
    doc = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    order = " → ".join(name for name, _ in LAYERS)
    assert order in doc, f"docs/architecture.md should state the layer order: {order}"
