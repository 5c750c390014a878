"""``python -m redline``: the same as the ``redline`` command."""

from redline.cli import app

app(prog_name="redline")
