"""The ``redline`` command: thin wiring from the terminal to the core.

Each sub-module registers its commands on :data:`app`. Errors a user can fix are printed as one
line on stderr with exit status 2 (see :func:`redline.cli.common.fail`).
"""

from redline.cli import advise as _advise  # noqa: F401  (registers commands)
from redline.cli import analyze as _analyze  # noqa: F401
from redline.cli import evaluate as _evaluate  # noqa: F401
from redline.cli import examples as _examples  # noqa: F401
from redline.cli import forecast as _forecast  # noqa: F401
from redline.cli import report as _report  # noqa: F401
from redline.cli import serve as _serve  # noqa: F401
from redline.cli import simulate as _simulate  # noqa: F401
from redline.cli import sweep as _sweep  # noqa: F401
from redline.cli import tournament as _tournament  # noqa: F401
from redline.cli import update as _update  # noqa: F401
from redline.cli.common import app

__all__ = ["app"]
