"""redline.files: only regular files are read, never more than the cap, text only as UTF-8."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from redline.errors import FormatError, RedlineError
from redline.files import decode_text, read_bytes, read_head, read_text

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def test_a_regular_file_is_read_whole_up_to_the_cap(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 100)
    assert read_bytes(path, limit=100) == b"x" * 100
    with pytest.raises(RedlineError, match=r"file is 101 bytes, above the 100-byte limit"):
        path.write_bytes(b"x" * 101)
        read_bytes(path, limit=100)


def test_a_file_longer_than_its_reported_size_is_cut_at_the_cap():
    # /proc files report size 0 and then produce text: the reader still stops at cap + 1 bytes.
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("no /proc")
    with pytest.raises(RedlineError, match="larger than 10 bytes"):
        read_bytes(status, limit=10)


@needs_fifo
def test_a_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "in.yaml"
    os.mkfifo(fifo)
    for read in (lambda: read_bytes(fifo, limit=10), lambda: read_head(fifo, 10)):
        with pytest.raises(RedlineError) as info:
            read()
        assert str(info.value).startswith(f"{fifo}: is a named pipe (FIFO), not a regular file")


@pytest.mark.parametrize("device, kind", [("/dev/zero", "character device"),
                                          ("/dev/urandom", "character device"),
                                          ("/dev/null", "character device")])
def test_devices_are_refused_before_reading(device: str, kind: str):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    with pytest.raises(RedlineError, match=kind):
        read_bytes(device, limit=1_000_000)


def test_a_socket_and_a_folder_are_refused(tmp_path: Path):
    with pytest.raises(RedlineError, match="is a folder, not a regular file"):
        read_bytes(tmp_path, limit=10)
    if not hasattr(socket, "AF_UNIX"):
        return
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(RedlineError, match="is a socket"):
            read_bytes(path, limit=10)


def test_symlink_loops_over_long_names_and_missing_files_are_one_line(tmp_path: Path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop.name)
    with pytest.raises(RedlineError, match="too many levels of symbolic links"):
        read_bytes(loop, limit=10)
    with pytest.raises(RedlineError, match="file name too long"):
        read_bytes(tmp_path / ("a" * 5000 + ".yaml"), limit=10)
    with pytest.raises(RedlineError, match="file not found"):
        read_bytes(tmp_path / "nope.yaml", limit=10)


def test_the_error_class_is_the_callers(tmp_path: Path):
    with pytest.raises(FormatError):
        read_text(tmp_path / "nope.csv", limit=10, error=FormatError)


def test_utf8_with_or_without_a_byte_order_mark_is_text():
    assert decode_text("é,1\n".encode(), "a.csv") == "é,1\n"
    assert decode_text(b"\xef\xbb\xbfa,1\n", "a.csv") == "a,1\n"


@pytest.mark.parametrize("encoding, words", [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_utf16_and_utf32_are_named_and_refused(encoding: str, words: str):
    with pytest.raises(RedlineError, match=f"the file is {words} text") as info:
        decode_text("actor,weight\nde,29\n".encode(encoding), "w.csv")
    assert info.value.line == 1 and "UTF-8" in str(info.value)


def test_nul_bytes_and_bad_utf8_give_the_line():
    with pytest.raises(RedlineError, match="NUL byte at offset 4") as info:
        decode_text(b"a\nb\n\x00", "x.yaml")
    assert info.value.line == 3
    # UTF-16 without a byte-order mark is ASCII with NULs between the letters
    with pytest.raises(RedlineError, match="UTF-16"):
        decode_text("a: 1\n".encode("utf-16-le"), "x.yaml")
    with pytest.raises(RedlineError, match=r"not UTF-8 text \(byte 0xe9 at offset 6\)") as info:
        decode_text(b"a: 1\nb\xe9", "x.yaml")
    assert info.value.line == 2
