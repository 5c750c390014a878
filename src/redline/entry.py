"""The ``redline`` command's entry point (also ``python -m redline``).

The command modules import numpy, pydantic, rich and typer, which takes about a second; the
CLI is therefore imported inside :func:`main`, so that Ctrl-C at any moment, start-up included,
ends with one line on stderr and exit status 130 instead of a traceback. Inside a command the
``user_errors`` decorator (``redline.cli.common``) does the same.
"""

from __future__ import annotations

import sys

INTERRUPTED = "interrupted"  # the one line printed on Ctrl-C
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a process stopped by Ctrl-C


def main() -> None:
    """Run the ``redline`` command line (``sys.argv``)."""
    try:
        from redline.cli import app

        app(prog_name="redline")
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED + "\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
