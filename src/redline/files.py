"""Read user files safely: regular files only, at most a size cap, text as UTF-8.

Every loader (scenario YAML, Genius XML, KTAB CSV, actor CSV, DEU TSV, voting weights, points
files, the web app) reads through these functions, so none of them can hang on a FIFO, read
``/dev/zero`` until memory runs out, or follow a symlink loop into a traceback. Each problem is
a :class:`~redline.errors.RedlineError` naming the file.

The type is checked twice: ``stat`` before opening (so a device is never opened), then
``fstat`` on the open descriptor (so a file swapped in between is caught too). Files are opened
with ``O_NONBLOCK``, which makes opening a FIFO return at once instead of waiting for a writer.
"""

from __future__ import annotations

import errno
import os
import stat

from redline.errors import RedlineError

MAX_TABLE_BYTES = 5_000_000
"""Size cap of CSV and TSV tables (KTAB, actor CSV, DEU, voting weights): real ones are < 100 kB."""

_READ_CHUNK = 1 << 20

_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _kind(mode: int) -> str:
    """A reader's name for a file type that is not a regular file."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse_type(mode: int, name: str, error: type[RedlineError]) -> None:
    if not stat.S_ISREG(mode):
        kind = _kind(mode)
        raise error(f"is {kind}, not a regular file" if kind.startswith("a ")
                           else "is not a regular file", file=name,
                           hint="pass a regular file saved on disk")


def _os_error(exc: OSError, name: str, error: type[RedlineError]) -> RedlineError:
    if exc.errno == errno.ENOENT:
        return error("file not found", file=name)
    if exc.errno == errno.ELOOP:
        return error("too many levels of symbolic links", file=name,
                     hint="the path is a symlink loop; point it at a real file")
    if exc.errno == errno.ENAMETOOLONG:
        return error("file name too long", file=name)
    reason = exc.strerror or type(exc).__name__
    return error(f"cannot read: {reason[0].lower()}{reason[1:]}", file=name)


def _open_regular(path: str | os.PathLike[str], name: str, error: type[RedlineError]
                  ) -> tuple[int, int]:
    """``(descriptor, size)`` of the regular file at ``path``; refuses every other type."""
    try:
        _refuse_type(os.stat(path).st_mode, name, error)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
            | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
    except OSError as exc:
        raise _os_error(exc, name, error) from None
    try:
        info = os.fstat(fd)
        _refuse_type(info.st_mode, name, error)
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def _too_big(size: int | None, limit: int, name: str, hint: str | None,
             error: type[RedlineError]) -> RedlineError:
    how_big = f"is {size:,} bytes" if size is not None else f"is larger than {limit:,} bytes"
    return error(f"file {how_big}, above the {limit:,}-byte limit", file=name,
                        hint=hint or "check that this is the right file")


def read_bytes(path: str | os.PathLike[str], *, limit: int, name: str | None = None,
               hint: str | None = None, error: type[RedlineError] = RedlineError) -> bytes:
    """Read a regular file of at most ``limit`` bytes.

    Parameters
    ----------
    path
        The file to read.
    limit
        The size cap in bytes. Larger files are refused without reading them; at most
        ``limit + 1`` bytes are ever read (files that grow while being read are refused too).
    name
        How error messages name the file (default: ``str(path)``).
    hint
        The hint of the size-cap error.
    error
        The :class:`RedlineError` subclass to raise (``FormatError``, ``ScenarioError``).

    Returns
    -------
    bytes
        The file's contents.

    Raises
    ------
    RedlineError
        For a missing file, a folder, a FIFO, a device or a socket, a symlink loop, an
        over-long name, an unreadable file, or a file above the cap.
    """
    name = str(path) if name is None else name
    fd, size = _open_regular(path, name, error)
    try:
        if size > limit:
            raise _too_big(size, limit, name, hint, error)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            try:
                chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - total))
            except OSError as exc:
                raise _os_error(exc, name, error) from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise _too_big(None, limit, name, hint, error)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_head(path: str | os.PathLike[str], size: int, *, name: str | None = None,
              error: type[RedlineError] = RedlineError) -> bytes:
    """The first ``size`` bytes (or fewer) of a regular file, with the checks of
    :func:`read_bytes`; used to sniff a file's format."""
    name = str(path) if name is None else name
    fd, _ = _open_regular(path, name, error)
    try:
        return os.read(fd, size)
    except OSError as exc:
        raise _os_error(exc, name, error) from None
    finally:
        os.close(fd)


def decode_text(raw: bytes, name: str, *, hint: str = "save the file as UTF-8",
                error: type[RedlineError] = RedlineError) -> str:
    """Decode UTF-8 (a byte-order mark is dropped); refuse UTF-16/32 and binary data.

    Parameters
    ----------
    raw
        The file's bytes.
    name
        How error messages name the file.
    hint
        The hint for text that is not UTF-8.
    error
        The :class:`RedlineError` subclass to raise.

    Returns
    -------
    str
        The text, without a leading byte-order mark.

    Raises
    ------
    RedlineError
        For a UTF-16 or UTF-32 byte-order mark, a NUL byte (binary data, or UTF-16 without a
        byte-order mark), or bytes that are not UTF-8; with the line and byte offset.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            raise error(f"the file is {encoding} text (it starts with a {encoding} "
                               "byte-order mark); only UTF-8 is read", file=name, line=1,
                               hint=hint)
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise error(f"NUL byte at offset {nul}: this is binary data or UTF-16 text, "
                           "not UTF-8", file=name, line=raw.count(b"\n", 0, nul) + 1, hint=hint)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            file=name, line=raw.count(b"\n", 0, exc.start) + 1, hint=hint,
        ) from None


def read_text(path: str | os.PathLike[str], *, limit: int, name: str | None = None,
              hint: str | None = None, error: type[RedlineError] = RedlineError) -> str:
    """:func:`read_bytes` then :func:`decode_text`: a capped UTF-8 text file."""
    name = str(path) if name is None else name
    raw = read_bytes(path, limit=limit, name=name, hint=hint, error=error)
    return decode_text(raw, name, error=error)

