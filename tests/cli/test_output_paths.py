"""Files and folders the commands write: checked before any work, one line on error.

``export genius -o FOLDER``, ``report -o FILE`` and ``report --png FOLDER`` all go through
:func:`redline.cli.options.output_path`; writes are atomic (:mod:`redline.io.atomic`) and a
failed write names the user's path, never the temporary file.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.cli.options import output_path
from redline.errors import RedlineError
from redline.io import atomic

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DONBAS = str(EXAMPLES / "donbas-2026.yaml")
SMALL = str(EXAMPLES / "camp-david-1978.yaml")


@pytest.fixture
def place(tmp_path: Path, monkeypatch) -> Path:
    """A working folder with a file ``afile``, a folder ``adir`` and a FIFO ``fifo``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("keep me")
    (tmp_path / "adir").mkdir()
    os.mkfifo(tmp_path / "fifo")
    return tmp_path


def refused(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert ".tmp" not in lines[0]
    return lines[0]


@pytest.mark.parametrize(("args", "words"), [
    (["export", "genius", DONBAS, "-o", "afile"], "afile: --output: is a file, not a folder"),
    (["export", "genius", DONBAS, "-o", "afile/sub"], "afile is a file, not a folder"),
    (["export", "genius", DONBAS, "-o", "fifo"], "fifo: --output: is not a folder"),
    (["report", DONBAS, "-o", "afile/report.html"], "afile is a file, not a folder"),
    (["report", DONBAS, "-o", "adir"], "adir: --output: is a folder, not a file"),
    (["report", DONBAS, "-o", "."], "--output: needs a file name"),
    (["report", DONBAS, "-o", "fifo"], "fifo: --output: is not a regular file"),
    (["report", DONBAS, "-o", "r.html", "--png", "afile"], "afile: --png: is a file"),
    (["report", DONBAS, "-o", "r.html", "--png", "afile/png"], "afile is a file, not a folder"),
    (["report", DONBAS, "-o", "same", "--png", "same"], "--png: names the same path as"),
    (["report", DONBAS, "-o", "adir/" + "x" * 300 + ".html"], "too long"),
])
def test_bad_output_paths_are_refused_before_any_work(place: Path, args, words):
    before = sorted(p.name for p in place.iterdir())
    line = refused(args)
    assert words in line, line
    assert sorted(p.name for p in place.iterdir()) == before  # nothing written or created
    assert (place / "afile").read_text() == "keep me"
    assert list((place / "adir").iterdir()) == []


def test_symlink_loop_is_one_line(place: Path):
    os.symlink("loop-b", place / "loop-a")
    os.symlink("loop-a", place / "loop-b")
    assert "symbolic links" in refused(["report", DONBAS, "-o", "loop-a"])


def test_folder_without_write_permission(place: Path, monkeypatch):
    locked = place / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:  # root may write anywhere: let the permission check see a user's view
        real_access = os.access
        def access(path, mode, **kw):
            if mode & os.W_OK and Path(path).resolve() == locked.resolve():
                return False
            return real_access(path, mode, **kw)

        monkeypatch.setattr(os, "access", access)
    try:
        line = refused(["report", DONBAS, "-o", "locked/r.html"])
        assert "not writable" in line
        line = refused(["export", "genius", DONBAS, "-o", "locked"])
        assert "locked: --output: is not writable" in line
    finally:
        locked.chmod(0o700)


def test_output_path_accepts_new_and_existing_places(tmp_path: Path):
    (tmp_path / "old.html").write_text("x")
    assert output_path(tmp_path / "old.html", "-o") == tmp_path / "old.html"
    assert output_path(tmp_path / "new" / "deep" / "r.html", "-o").name == "r.html"
    assert output_path(tmp_path, "--png", folder=True) == tmp_path
    assert output_path(tmp_path / "new-folder", "--png", folder=True).name == "new-folder"
    with pytest.raises(RedlineError) as caught:
        output_path(tmp_path / "old.html", "--png", folder=True)
    assert caught.value.field == "--png" and caught.value.file == str(tmp_path / "old.html")


def test_new_folders_are_created_for_the_report_and_pngs(tmp_path: Path):
    pytest.importorskip("plotly")
    pytest.importorskip("matplotlib")
    html = tmp_path / "a" / "b" / "r.html"
    result = runner.invoke(app, ["report", SMALL, "-o", str(html), "-m", "compromise",
                                 "--png", str(tmp_path / "png")])
    assert result.exit_code == 0, result.output
    assert html.is_file() and any((tmp_path / "png").glob("*.png"))


def test_a_failing_write_names_the_users_path(tmp_path: Path, monkeypatch):
    pytest.importorskip("plotly")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", disk_full)
    target = tmp_path / "r.html"
    line = refused(["report", SMALL, "-o", str(target), "-m", "compromise"])
    assert line == f"error: {target}: No space left on device"
    assert [p.name for p in tmp_path.iterdir()] == []  # the temporary file is gone


def test_atomic_errors_keep_their_kind_and_name_the_target(tmp_path: Path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(NotADirectoryError) as caught:
        atomic.write_text(tmp_path / "afile" / "sub" / "out.txt", "y")
    assert caught.value.filename == str(tmp_path / "afile" / "sub" / "out.txt")
    (tmp_path / "adir").mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        atomic.write_text(tmp_path / "adir", "y")
    assert caught.value.filename == str(tmp_path / "adir")
    assert ".tmp" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "afile"]


def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path: Path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert atomic.write_text(link, "new") == link
    assert link.is_symlink() and real.read_text() == "new"


def test_atomic_write_of_a_long_name_fits_its_temporary_file(tmp_path: Path):
    name = "n" * 250 + ".txt"  # 254 bytes: legal, though ".<name>.XXXXXXXX.tmp" would not be
    assert atomic.write_text(tmp_path / name, "x").read_text() == "x"
