"""Atomic file writes: a crash never leaves a half-written file behind.

A failed write raises the ``OSError`` it met, but naming the caller's path, never the temporary
file, so the message means something to the user (``report.html: No space left on device``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_NAME_CHARS = 40  # of the target's name kept in the temporary name (fits NAME_MAX)


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` via a temporary file in the same folder, then rename."""
    return write_bytes(path, text.encode(encoding))


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Atomic write; the file gets the usual permissions (0666 minus the umask), not
    ``mkstemp``'s private 0600, or keeps those of the file it replaces.

    A symbolic link is written through: the file it points to is replaced, the link stays.
    """
    path = Path(path)
    try:
        _write(Path(os.path.realpath(path)), data)
    except OSError as error:
        raise _naming(error, path) from None
    return path


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.exists() else _default_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:TEMP_NAME_CHARS]}.", suffix=".tmp",
                               dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _naming(error: OSError, path: Path) -> OSError:
    """The same kind of error, about ``path``."""
    reason = error.strerror or str(error)
    try:
        return type(error)(error.errno, reason, str(path))
    except TypeError:  # a subclass with another signature
        return OSError(error.errno, reason, str(path))
