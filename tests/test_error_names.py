"""The library names a bad argument by its Python name; the CLI names the option that sets it.

A notebook user who calls ``neg.advise("nobody")`` reads ``actor: unknown actor 'nobody'``, not
``--for: ...``: no module outside :mod:`redline.cli` writes a command-line spelling into an
error (docstrings may, and so may a text that shows a whole ``redline COMMAND ...`` line).
The CLI's ``user_errors`` maps the parameter to the running command's option (read from click's
own parameter objects), so ``redline advise --for nobody`` still says ``--for``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import redline
from redline import pipeline
from redline.cli import app
from redline.cli.common import as_options
from redline.errors import RedlineError
from redline.uncertainty.rounds import check_until

SRC = Path(redline.__file__).parent
DONBAS = str(SRC / "examples" / "donbas-2026.yaml")
CEASEFIRE = str(Path(__file__).parent / "data" / "proposals" / "ceasefire.yaml")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
"""A command-line option spelling (``--draws``; not ``---`` nor ``a--b``)."""
COMMAND_LINE = re.compile(r"\bredline (?:[a-z]+|\{\w+\}) ")
"""A text that shows a whole command line (the app's "redline advise --top K lists more")
may spell its options: it tells the reader to leave Python for the shell."""


# ---------------------------------------------------------------- the scan of the library


def _library_trees() -> dict[str, ast.Module]:
    return {str(p.relative_to(SRC)): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(SRC.rglob("*.py")) if p.relative_to(SRC).parts[0] != "cli"}


def _error_classes(trees: dict[str, ast.Module]) -> set[str]:
    """``RedlineError``, ``ValueError`` and every class that derives from one (by name)."""
    names = {"RedlineError", "ValueError"}
    grown = True
    while grown:
        grown = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        (b.id if isinstance(b, ast.Name) else getattr(b, "attr", None)) in names
                        for b in node.bases):
                    names.add(node.name)
                    grown = True
    return names


def _texts(node: ast.AST, scopes: list[dict[str, list[ast.AST]]],
           seen: set[str]) -> list[ast.Constant]:
    """The string constants that flow into ``node``: its own, and those of the names it reads,
    looked up in the enclosing functions and the module (``scopes``, innermost first:
    assignments and parameter defaults)."""
    found: list[ast.Constant] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found.append(sub)
        elif isinstance(sub, ast.Name) and sub.id not in seen:
            seen.add(sub.id)
            for scope in scopes:
                for value in scope.get(sub.id, ()):
                    found += _texts(value, scopes, seen)
    return found


def _bindings(scope: ast.AST) -> dict[str, list[ast.AST]]:
    """Name -> the values bound to it in ``scope`` (a module's own statements, or a function's
    body and parameter defaults)."""
    bound: dict[str, list[ast.AST]] = {}
    if isinstance(scope, ast.Module):
        nodes: list[ast.AST] = list(scope.body)
    else:
        nodes = [n for stmt in scope.body for n in ast.walk(stmt)]
        args = scope.args
        positional = args.posonlyargs + args.args
        for arg, default in zip(positional[len(positional) - len(args.defaults):],
                                args.defaults, strict=True):
            bound.setdefault(arg.arg, []).append(default)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if default is not None:
                bound.setdefault(arg.arg, []).append(default)
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(
                node.target, ast.Name) and node.value is not None:
            bound.setdefault(node.target.id, []).append(node.value)
    return bound


def _spellings(node: ast.AST, errors: set[str], stack: list[dict[str, list[ast.AST]]],
               where: str) -> list[str]:
    """``where:line: '--draws'`` for each option spelling that reaches an error under
    ``node`` (``stack``: the bindings of the enclosing scopes, outermost first)."""
    scope = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    if scope:
        stack = [*stack, _bindings(node)]
    found = []
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in errors:
            for part in [*node.args, *(k.value for k in node.keywords)]:
                for text in _texts(part, stack[::-1], set()):
                    if not COMMAND_LINE.search(text.value):
                        found += [f"{where}:{text.lineno}: {option!r}"
                                  for option in OPTION.findall(text.value)]
    for child in ast.iter_child_nodes(node):
        found += _spellings(child, errors, stack, where)
    return found


def option_spellings_in_library_errors() -> list[str]:
    """``path:line: '--draws'`` for each string that reaches an error of the library."""
    trees = _library_trees()
    errors = _error_classes(trees)
    return sorted({found for path, tree in trees.items()
                   for found in _spellings(tree, errors, [_bindings(tree)], path)})


def test_no_library_error_names_a_command_line_option():
    assert option_spellings_in_library_errors() == []


def test_the_scan_finds_an_option_in_a_message_a_hint_a_variable_and_a_default(tmp_path):
    source = '''
from redline.errors import RedlineError

class SizeError(RedlineError):
    """Docstrings may say ``--draws``."""

HINT = "use --top 3"

def check(value, where="--for"):
    more = f"use --seed {value}"
    if value:
        raise SizeError("bad", field="--draws")
    if value is None:
        raise RedlineError("bad", hint=more)
    raise ValueError(HINT, where)
'''
    tree = ast.parse(source)
    errors = _error_classes({"m.py": tree})
    assert errors >= {"SizeError", "RedlineError", "ValueError"}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "id", None) in errors]
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
    scopes = [_bindings(function), _bindings(tree)]
    spelled = sorted({option for call in calls for part in [*call.args, *(
        k.value for k in call.keywords)] for text in _texts(part, scopes, set())
        for option in OPTION.findall(text.value)})
    assert spelled == ["--draws", "--for", "--seed", "--top"]


# ---------------------------------------------------------------- the library's words


@pytest.fixture(scope="module")
def neg():
    return redline.load(CEASEFIRE)


@pytest.mark.parametrize(("call", "parameter"), [
    (lambda n: n.advise("monitor", draws=0), "draws"),
    (lambda n: n.advise("nobody", draws=10), "actor"),
    (lambda n: n.advise("monitor", objective="best", draws=10), "objective"),
    (lambda n: n.advise("monitor", top=0, draws=10), "top"),
    (lambda n: n.advise("monitor", seed=-1, draws=10), "seed"),
    (lambda n: n.advise("monitor", packages=[{"nope": "x"}], draws=10), "packages"),
    (lambda n: n.evaluate(package={"line": "nowhere"}, draws=0), "package"),
    (lambda n: n.evaluate("nope", draws=0), "proposals"),
    (lambda n: n.evaluate(draws=0), "proposal"),
    (lambda n: n.evaluate("leak", package={"line": "current"}, draws=0), "proposal"),
    (lambda n: n.update(until="someday", draws=10), "until"),
    (lambda n: n.simulate({"north": "boulware", "south": "conceder"}, steps=0), "steps"),
    (lambda n: n.sweep(draws=10, workers=2, scheduler="tcp://127.0.0.1:1"), "workers"),
])
def test_the_library_names_the_parameter_not_an_option(neg, call, parameter):
    with pytest.raises(RedlineError) as caught:
        call(neg)
    error = caught.value
    assert error.field is not None and error.field.split(".")[0] == parameter, str(error)
    assert not OPTION.search(str(error)), str(error)


def test_a_hint_names_the_value_to_pass_as_python_writes_it():
    loaded = pipeline.load(DONBAS)
    with pytest.raises(RedlineError) as caught:
        pipeline.run_sweep(loaded, draws=900_000)
    assert caught.value.parameter == "draws"
    assert re.search(r"use draws=[\d,]+ or fewer", caught.value.hint or "")
    with pytest.raises(RedlineError, match="until: not an ISO date"):
        check_until("someday")


# ---------------------------------------------------------------- the CLI's words


def test_as_options_spells_the_field_and_the_assignments_in_the_text():
    spelled = {"draws": "--draws", "actor": "--for", "packages": "--package", "top": "--top"}
    error = as_options(RedlineError("must be at least 1 (got 0)", parameter="draws",
                                    hint="use draws=1000 or more, or top=3"), spelled)
    assert str(error) == "--draws: must be at least 1 (got 0) (hint: use --draws 1000 or more, " \
        "or --top 3)"
    assert str(as_options(RedlineError("x", parameter="packages", field="packages.line",
                                       hint="list packages= or draws="), spelled)) == \
        "--package.line: x (hint: list --package or --draws)"
    # a parameter the command has no option for keeps its name; a file's field stays
    assert str(as_options(RedlineError("x", parameter="tremble"), spelled)) == "tremble: x"
    assert str(as_options(RedlineError("x", field="draws", file="s.yaml"), spelled)) == \
        "s.yaml: draws: x"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


@pytest.mark.parametrize(("args", "words"), [
    (["advise", CEASEFIRE, "--for", "nobody"], "--for: unknown actor 'nobody'"),
    (["advise", CEASEFIRE, "--for", "monitor", "--package", "nope=x"], "--package: unknown "
     "issue 'nope'"),
    (["update", CEASEFIRE, "--until", "someday"], "--until: not an ISO date"),
    (["evaluate", CEASEFIRE, "--package", "line=nowhere"], "--package.line: issue 'line' has "
     "no option 'nowhere'"),
    (["sweep", DONBAS, "--draws", "900000"], "(hint: use --draws 130,208 or fewer"),
    (["simulate", CEASEFIRE, "--strategy", "north=boulware", "--strategy", "south=nope"],
     "--strategy: unknown strategy 'nope'"),
    (["simulate", CEASEFIRE, "--strategy", "north=boulware", "--strategy", "south=conceder",
      "--bias", "north=1"], "--bias: applies to the single-text protocol only (hint: use "
     "--protocol single-text)"),
])
def test_the_cli_names_the_option(args, words):
    line = _cli(*args)
    assert words in line, line
    assert "draws=" not in line and "strategies" not in line, line
