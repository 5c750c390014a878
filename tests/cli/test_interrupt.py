"""Ctrl-C: every command stops with one line on stderr and exit status 130, no traceback."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import redline.cli
import redline.pipeline
import redline.scenario.load
import redline.uncertainty.sweep
from redline.cli import app
from redline.cli.common import user_errors
from redline.entry import EXIT_INTERRUPTED, INTERRUPTED, main

runner = CliRunner()
_WRAPPER = user_errors(lambda: None).__code__


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def _commands(typer_app, prefix=()):
    for info in typer_app.registered_commands:
        yield " ".join((*prefix, info.name or info.callback.__name__)), info.callback
    for group in typer_app.registered_groups:
        yield from _commands(group.typer_instance, (*prefix, group.name))


def test_every_command_goes_through_user_errors():
    commands = dict(_commands(app))
    assert {"analyze", "sweep", "forecast", "report", "serve", "schema"} <= set(commands)
    unwrapped = [name for name, callback in commands.items()
                 if callback.__code__ is not _WRAPPER]
    assert unwrapped == []


@pytest.mark.parametrize("command, module, function", [
    ("analyze", redline.pipeline, "load"),
    ("check", redline.scenario.load, "load_scenario"),
    ("forecast", redline.pipeline, "load"),
    ("sweep", redline.uncertainty.sweep, "sweep"),
])
def test_ctrl_c_inside_a_command_is_one_line_and_130(monkeypatch, examples: Path, command,
                                                      module, function):
    monkeypatch.setattr(module, function, _interrupt)
    result = runner.invoke(app, [command, str(examples / "donbas-2026.yaml")])
    assert result.exit_code == EXIT_INTERRUPTED == 130
    assert result.stderr == INTERRUPTED + "\n"
    assert result.stdout == ""


def test_ctrl_c_while_starting_is_one_line_and_130(monkeypatch, capsys):
    # The entry point imports the CLI inside its handler: an interrupt during that import (or
    # anywhere outside a command) is reported the same way.
    monkeypatch.setattr(redline.cli, "app", _interrupt)
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 130
    assert capsys.readouterr().err == "interrupted\n"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_ctrl_c_on_a_dask_sweep_leaves_no_worker_processes(examples: Path):
    psutil = pytest.importorskip("psutil")
    pytest.importorskip("dask.distributed")
    from redline.uncertainty.executors import dask_executor

    scenario = redline.scenario.load.load_scenario(examples / "donbas-2026.yaml")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    ignoring: list[bool] = []

    def workers() -> list[int]:
        # multiprocessing's resource tracker lives as long as this process: not a worker.
        alive = []
        for child in psutil.Process().children(recursive=True):
            try:
                if (child.pid not in before and child.status() != psutil.STATUS_ZOMBIE
                        and "multiprocessing.resource_tracker" not in " ".join(child.cmdline())):
                    alive.append(child.pid)
            except psutil.Error:  # it ended meanwhile
                pass
        return alive

    def interrupt_once_running(done: int) -> None:
        # A terminal's Ctrl-C signals every process of the group: the workers must ignore it.
        for pid in workers():
            with open(f"/proc/{pid}/status") as status:
                mask = next(line.split()[1] for line in status if line.startswith("SigIgn:"))
            ignoring.append(bool(int(mask, 16) >> (signal.SIGINT - 1) & 1))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        redline.uncertainty.sweep.sweep(scenario, draws=4000, executor=dask_executor(workers=1),
                                        chunk_size=100, progress=interrupt_once_running)
    assert ignoring and all(ignoring)
    deadline = time.monotonic() + 30  # the executor has closed the cluster; let the OS reap
    while workers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers() == []


@pytest.mark.skipif(sys.platform == "win32", reason="select() on pipes and SIGINT are POSIX")
def test_ctrl_c_stops_a_running_sweep(examples: Path):
    # The real thing, once: a child process, interrupted after its first progress line.
    # TTY_* make rich draw the progress bar into the pipe as it would on a terminal.
    env = dict(os.environ, TTY_COMPATIBLE="1", TTY_INTERACTIVE="1", COLUMNS="80")
    proc = subprocess.Popen(
        [sys.executable, "-m", "redline", "sweep", str(examples / "donbas-2026.yaml"),
         "--draws", "120000", "--json"],  # about 10 s idle; within the work limit
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        seen = b""
        deadline = time.monotonic() + 120  # start-up on a loaded machine
        while b"sweep (integrated)" not in seen:
            assert time.monotonic() < deadline, f"no progress line: {seen[-300:]!r}"
            ready, _, _ = select.select([proc.stderr], [], [], 1.0)
            if ready:
                chunk = os.read(proc.stderr.fileno(), 65536)
                assert chunk, f"the sweep ended before its first progress line: {seen!r}"
                seen += chunk
        os.killpg(proc.pid, signal.SIGINT)  # the whole process group, as a terminal does
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running 60 s after SIGINT; its stderr ended {seen[-200:]!r}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", (seen + err).decode())  # drop cursor codes
    lines = [line for line in re.split(r"[\r\n]", text)
             if line.strip() and not line.startswith("sweep (integrated)")]
    assert proc.returncode == 130
    assert lines == ["interrupted"]
    assert out == b""
