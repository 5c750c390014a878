"""Checks of command-line values, run before any work starts.

Every check raises :class:`RedlineError` with the option as ``field``, so the CLI prints one
line (``error: --draws: must be between 1 and 1,000,000 (got 0)``) and exits with status 2.
:func:`output_path` is the one check of the files and folders a command will write.
"""

from __future__ import annotations

import errno
import math
import os
import re
import socket
import stat
from collections.abc import Callable
from pathlib import Path

from redline.errors import RedlineError
from redline.uncertainty.limits import SEED_MAX

MAX_BOOT = 100_000  # bootstrap resamples are held at once: (boot, groups) integers
WORKERS_PER_CORE = 4
SCHEDULER_ADDRESS = re.compile(  # [PROTOCOL://]HOST:PORT, or Dask's in-process inproc://...
    r"(?:(?:tcp|tls|ucx|ws|wss)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})"
    r"|inproc://\S+")


def int_in_range(value: int, option: str, *, low: int, high: int | None = None,
                 hint: str | None = None) -> int:
    """``value`` if ``low <= value <= high`` (no upper end when ``high`` is None)."""
    if value < low or (high is not None and value > high):
        bounds = (f"at least {low:,}" if high is None else f"between {low:,} and {high:,}")
        raise RedlineError(f"must be {bounds} (got {value})", field=option, hint=hint)
    return value


def positive_number(value: float, option: str, *, high: float) -> float:
    """``value`` if it is a finite number with ``0 < value <= high``."""
    if not math.isfinite(value) or not 0 < value <= high:
        raise RedlineError(f"must be a number above 0 and at most {high:,.0f} (got {value:g})",
                           field=option)
    return value


def memory_mb(value: float, option: str = "--memory-mb") -> float:
    """A memory budget in MB: above 0 and at most this machine's physical memory."""
    return positive_number(value, option, high=physical_memory_mb())


def physical_memory_mb() -> float:
    """This machine's memory in MB (1 TB where the system does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX
        return 2.0**20


def seed(value: int, option: str = "--seed") -> int:
    """A random seed: a whole number in ``[0, SEED_MAX]``."""
    return int_in_range(value, option, low=0, high=SEED_MAX)


def workers(value: int, option: str = "--workers") -> int:
    """A number of local worker processes: 1 to ``WORKERS_PER_CORE`` per CPU core."""
    cores = os.cpu_count() or 1
    return int_in_range(value, option, low=1, high=WORKERS_PER_CORE * cores,
                        hint=f"this machine has {cores} CPU cores; more processes than cores "
                        "only cost memory")


def scheduler_address(address: str, option: str = "--scheduler") -> str:
    """A Dask scheduler address, ``[PROTOCOL://]HOST:PORT`` (e.g. ``tcp://10.0.0.5:8786``)."""
    match = SCHEDULER_ADDRESS.fullmatch(address.strip())
    if match is None or (match["port"] is not None and not 0 < int(match["port"]) < 65536):
        raise RedlineError(f"{address!r} is not a scheduler address", field=option,
                           hint="write PROTOCOL://HOST:PORT, e.g. tcp://10.0.0.5:8786")
    return address.strip()


def dask_options(processes: int | None, scheduler: str | None) -> None:
    """Check ``--workers`` (``processes``) and ``--scheduler``, at most one of them, before
    any work (``sweep``, ``update`` and ``advise`` take both)."""
    if processes is not None and scheduler is not None:
        raise RedlineError("cannot be combined with --scheduler", field="--workers",
                           hint="one starts a local cluster, the other uses a running one")
    if processes is not None:
        workers(processes)
    if scheduler is not None:
        scheduler_address(scheduler)


def listen_address(host: str, port: int) -> None:
    """Check that a server can listen on ``host:port``: the name resolves to an address of
    this machine and the port is free (bound once and released, as the server will bind it)."""
    int_in_range(port, "--port", low=1, high=65535)
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]") or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as error:
        raise RedlineError(f"cannot resolve {host!r}: {_reason(error)}", field="--host",
                           hint="give an address such as 127.0.0.1 or a known host name"
                           ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as error:
            in_use = error.errno in (errno.EADDRINUSE, errno.EACCES)
            raise RedlineError(f"cannot listen on {host}:{port}: {_reason(error)}",
                               field="--port" if in_use else "--host",
                               hint="choose another --port" if in_use else
                               "give an address of this machine, e.g. 127.0.0.1") from None


def model_name(name: str, option: str = "--model") -> str:
    """``name`` if it is a registered forecast model."""
    from redline.forecast.registry import model_names

    names = model_names()
    if name not in names:
        raise RedlineError(f"unknown model {name!r}", field=option,
                           hint=f"use one of {', '.join(names)}")
    return name


def output_path(path: Path, option: str, *, folder: bool = False) -> Path:
    """Check that a command can write ``path`` before it starts; return it (``~`` expanded).

    ``path`` is a file to create or replace, or with ``folder`` a folder to create or write
    into. Refused, each with one line naming ``path`` and ``option``: a file where a folder is
    needed or the other way round, a special file (a FIFO or device: an atomic write would
    replace it), a folder that is not writable, a name too long, a loop of symbolic links.
    """
    path = Path(path).expanduser()

    def refuse(message: str, hint: str | None = None) -> RedlineError:
        return RedlineError(message, file=str(path), field=option, hint=hint)

    if not folder and path.name in ("", ".", ".."):
        raise refuse("needs a file name", hint="e.g. report.html")
    target = path.absolute()
    mode = _mode(target, refuse)
    if mode is None:
        writable = _existing_ancestor(target, refuse)
        problem = f"cannot be created: {writable} is not writable"
    elif folder:
        if not stat.S_ISDIR(mode):
            raise refuse("is a file, not a folder" if stat.S_ISREG(mode) else
                         "is not a folder (a device, FIFO or socket)",
                         hint="name a new or existing folder")
        writable, problem = target, "is not writable"
    else:
        if stat.S_ISDIR(mode):
            raise refuse("is a folder, not a file", hint="name a file inside it")
        if not stat.S_ISREG(mode):
            raise refuse("is not a regular file (a device, FIFO or socket)",
                         hint="name an ordinary file")
        writable = target.parent
        problem = f"cannot be replaced: {writable} is not writable"
    if not os.access(writable, os.W_OK | os.X_OK):
        raise refuse(problem, hint="choose a folder you can write to")
    return path


def _mode(path: Path, refuse: Callable[[str], RedlineError]) -> int | None:
    """``st_mode`` of ``path`` (following links), or None when nothing is there yet."""
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None  # a parent is a file: _existing_ancestor says which
    except OSError as error:
        raise refuse(_reason(error)) from None


def _existing_ancestor(path: Path, refuse: Callable[[str], RedlineError]) -> Path:
    """The nearest existing folder above ``path``; refuses a file on the way."""
    parent = path.parent
    while True:
        mode = _mode(parent, refuse)
        if mode is not None:
            if not stat.S_ISDIR(mode):
                raise refuse(f"cannot be created: {parent} is a file, not a folder")
            return parent
        parent = parent.parent


def _reason(error: OSError | UnicodeError) -> str:
    if error.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    if error.errno == errno.ENAMETOOLONG:
        return "the name is too long for the file system"
    return (getattr(error, "strerror", None) or str(error)).lower()
