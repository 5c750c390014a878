"""docs/library.md runs as written: its ``python`` blocks execute in order in one namespace
(from the repository's root, as a reader would run them), and the ``text`` block right after a
``python`` block is exactly what that block prints.

When a change moves a number, this fails: update docs/library.md with the new output
(``python tests/test_library_docs.py`` prints every block's output).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "docs" / "library.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


def blocks(text: str) -> list[tuple[str, str | None]]:
    """``(code, printed output or None)`` for each ``python`` block of ``text``."""
    fenced = [(m.group(1), m.group(2)) for m in FENCE.finditer(text)]
    out = []
    for k, (lang, body) in enumerate(fenced):
        if lang == "python":
            follows = fenced[k + 1] if k + 1 < len(fenced) else None
            out.append((body, follows[1] if follows and follows[0] == "text" else None))
    return out


def run(doc: Path = LIBRARY) -> list[tuple[str, str | None, str]]:
    """Run the blocks of ``doc`` in order: ``(code, expected, printed)`` for each."""
    namespace: dict = {"__name__": "__library_docs__"}
    results = []
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        for code, expected in blocks(doc.read_text(encoding="utf-8")):
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(code, str(doc), "exec"), namespace)  # the doc's own code
            results.append((code, expected, printed.getvalue()))
    finally:
        os.chdir(here)
    return results


def test_the_page_shows_the_whole_workflow():
    code = "".join(body for body, _ in blocks(LIBRARY.read_text(encoding="utf-8")))
    for call in ("redline.load(", ".analyze(", ".assume(", ".forecast(\"smp\")", ".sweep(",
                 ".to_frame(", ".to_dict("):
        assert call in code


@pytest.fixture(scope="module")
def ran() -> list[tuple[str, str | None, str]]:
    return run()


def test_every_block_runs_and_prints_what_the_page_shows(ran):
    assert len(ran) >= 8
    for code, expected, printed in ran:
        if expected is not None:
            assert printed == expected, f"the block\n{code}\nprints\n{printed}"


def test_the_blocks_run_in_one_namespace_from_the_root():
    assert blocks("```python\nx = 1\n```\n\n```text\n1\n```\n```python\ny\n```\n") == [
        ("x = 1\n", "1\n"), ("y\n", None)]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    for code, _expected, printed in run():
        print("```python\n" + code + "```\n\n```text\n" + printed + "```\n")
