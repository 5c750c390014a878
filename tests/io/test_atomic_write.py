"""Atomic writes: all or nothing, with ordinary permissions."""

import os
from pathlib import Path

import pytest

from redline.io import atomic


def test_writes_and_replaces(tmp_path: Path):
    target = tmp_path / "out" / "a.txt"
    atomic.write_text(target, "one")
    assert target.read_text() == "one"
    target.chmod(0o640)
    atomic.write_text(target, "two")
    assert target.read_text() == "two"
    assert target.stat().st_mode & 0o777 == 0o640  # keeps the replaced file's mode


def test_new_files_get_umask_permissions(tmp_path: Path):
    old = os.umask(0o022)
    try:
        path = atomic.write_text(tmp_path / "b.txt", "x")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path, monkeypatch):
    target = tmp_path / "c.txt"
    target.write_text("old")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        atomic.write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["c.txt"]
