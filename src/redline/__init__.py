"""Redline: analyse and forecast multi-party, multi-issue negotiations."""

from redline.errors import RedlineError

__version__ = "0.1.0"
__all__ = ["RedlineError", "__version__"]
