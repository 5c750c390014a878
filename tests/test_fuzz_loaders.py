"""A few dozen seeded fuzz cases over the five loaders, in process (the quick version of
``benchmarks/fuzz_loaders.py``, whose case generator it uses with small mutations only).

Whatever the mutation, the CLI either answers (exit 0, finite JSON that passes the harness's
checks) or refuses with ONE line naming the file (exit 2); never a traceback.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("fuzz_loaders",
                                               ROOT / "benchmarks" / "fuzz_loaders.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("fuzz_loaders", fuzz)  # dataclasses look their module up there
_spec.loader.exec_module(fuzz)

CASES = fuzz.make_cases(seed=2026, per_format=8, light=True)
runner = CliRunner()


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.fmt}-{c.index}")
def test_a_fuzzed_input_is_answered_or_refused_in_one_line(case, tmp_path: Path):
    for name, data in case.files.items():
        (tmp_path / name).write_bytes(data)
    args = fuzz.command(case.fmt, case.index, folder=str(tmp_path))
    if args[0] == "sweep":
        args[args.index("--draws") + 1] = "20"
    result = runner.invoke(app, args)
    context = f"{case.mutations}: {result.stderr[-2000:]}"
    assert result.exception is None or isinstance(result.exception, SystemExit), context
    assert "Traceback" not in result.stderr, context
    assert result.exit_code in (0, 2), context
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {tmp_path}"), context
    else:
        assert fuzz.check_output(args, result.stdout) is None, context
