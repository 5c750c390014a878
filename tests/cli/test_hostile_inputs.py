"""Hostile inputs through the CLI: special files, symlink loops, over-long names, huge files,
bad YAML and long messages all end in ONE line on stderr that names the file, and exit 2."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from redline.cli import app
from redline.cli.common import user_errors
from redline.files import MAX_TABLE_BYTES

runner = CliRunner()
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")

SCENARIO = """\
actors:
  - {id: a, name: A, capability: 1}
  - {id: b, name: B, capability: 1}
issues:
  - id: x
    name: X
    options: [{label: lo, value: 0}, {label: hi, value: 100}]
positions:
  a: {x: {position: 0, salience: 1}}
  b: {x: {position: 100, salience: 1}}
"""
KTAB = "Tiny,two actors,2,1\nActor,Description,Power,P1,S1\nA,x,10,20,50\nB,x,10,80,30\n"
ACTORS = "actor,capability,position,salience\nA,1,4,0.8\nB,1,10,0.5\n"
DEU = "prnr\tisnr\tpcom\tscom\tplv\tslv\tout\np1\ti1\t10\t50\t90\t50\t40\n"
WEIGHTS = "actor,weight\nlv,4\n"
DOMAIN = (Path(__file__).resolve().parents[1] / "data" / "genius-tiny" / "domain.xml").read_text()
PROFILE = """<utility_space><objective index="0" name="r" type="objective" etype="objective">
<issue index="1" name="colour" type="discrete"><item index="1" value="red" evaluation="{red}"/>
<item index="2" value="blue" evaluation="{blue}"/></issue>
<issue index="2" name="size" type="integer"><evaluator ftype="linear" slope="0.5" offset="0"/>
</issue><weight index="1" value="0.5"/><weight index="2" value="0.5"/>
</objective><reservation value="0.2"/></utility_space>
"""


def run(*args: object, cwd: Path | None = None):
    if cwd is None:
        return runner.invoke(app, [str(a) for a in args])
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(app, [str(a) for a in args])
    finally:
        os.chdir(old)


def one_line(result, *words: str) -> str:
    """The single stderr line of a refused input, after checking it contains ``words``."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert len(lines[0]) < 1500
    return lines[0]


def genius_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "domain.xml").write_text(DOMAIN)
    (folder / "p1.xml").write_text(PROFILE.format(red=1, blue=0.5))
    (folder / "p2.xml").write_text(PROFILE.format(red=0.3, blue=1))
    return folder


COMMANDS = [
    ("check", "in.yaml"), ("analyze", "in.yaml"), ("sweep", "in.yaml", "--draws", "5"),
    ("forecast", "in.yaml"), ("forecast", "in.csv", "--format", "ktab"),
    ("forecast", "in.csv", "--format", "csv"), ("forecast", "in.csv"),
    ("validate", "deu", "in.tsv", "--weights", "w.csv"),
]


@needs_fifo
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
def test_a_fifo_as_input_is_refused_at_once(tmp_path: Path, command):
    for name in ("in.yaml", "in.csv", "in.tsv"):
        os.mkfifo(tmp_path / name)
    (tmp_path / "w.csv").write_text(WEIGHTS)
    line = one_line(run(*command, cwd=tmp_path), "is a named pipe (FIFO), not a regular file")
    assert line.startswith(f"error: {command[2] if command[0] == 'validate' else command[1]}:")


@needs_fifo
def test_a_fifo_as_weights_file_or_inside_a_genius_folder_is_refused(tmp_path: Path):
    (tmp_path / "in.tsv").write_text(DEU)
    os.mkfifo(tmp_path / "w.csv")
    one_line(run("validate", "deu", "in.tsv", "--weights", "w.csv", cwd=tmp_path),
             "w.csv: is a named pipe")
    folder = genius_folder(tmp_path / "g")
    os.mkfifo(folder / "zz-fifo.xml")
    one_line(run("analyze", folder, "--json"), "zz-fifo.xml: is a named pipe")


@pytest.mark.parametrize("command", [
    ("check", "/dev/zero"), ("analyze", "/dev/zero"), ("sweep", "/dev/urandom"),
    ("forecast", "/dev/zero", "--format", "ktab", "--model", "smp"),
    ("forecast", "/dev/urandom", "--format", "csv"),
    ("validate", "deu", "/dev/zero", "--weights", "/dev/null"),
])
def test_devices_are_refused_not_read(command):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    one_line(run(*command), "is a character device")


def test_a_device_as_weights_file_is_refused(tmp_path: Path):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    (tmp_path / "in.tsv").write_text(DEU)
    one_line(run("validate", "deu", tmp_path / "in.tsv", "--weights", "/dev/zero"),
             "/dev/zero: is a character device")


def test_symlink_loops_are_one_line(tmp_path: Path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop.name)
    for command in ("check", "analyze", "sweep", "forecast"):
        one_line(run(command, loop), "loop.yaml: too many levels of symbolic links")
    one_line(run("validate", "deu", loop), "loop.yaml: too many levels of symbolic links")
    folder = genius_folder(tmp_path / "g")
    (folder / "zz-loop.xml").symlink_to("zz-loop.xml")
    one_line(run("analyze", folder), "zz-loop.xml: too many levels of symbolic links")


@pytest.mark.parametrize("command", ["check", "analyze", "sweep", "forecast"])
def test_over_long_file_names_are_one_bounded_line(tmp_path: Path, command):
    line = one_line(run(command, tmp_path / ("a" * 5000 + ".yaml")), "too long")
    assert "characters cut" in line


@pytest.mark.parametrize("fmt, text, name", [
    ("ktab", KTAB, "big.csv"), ("csv", ACTORS, "big.csv"), ("deu", DEU, "big.tsv")])
def test_tables_above_the_size_cap_are_refused(tmp_path: Path, fmt, text, name):
    path = tmp_path / name
    path.write_text(text + "\n" * MAX_TABLE_BYTES)  # a valid table, then blank lines
    (tmp_path / "nice_voting_weights.csv").write_text(WEIGHTS)
    args = ("validate", "deu", path) if fmt == "deu" else ("forecast", path, "--format", fmt)
    one_line(run(*args), f"{name}: file is", f"above the {MAX_TABLE_BYTES:,}-byte limit")


def test_the_same_tables_below_the_cap_still_work(tmp_path: Path):
    (tmp_path / "k.csv").write_text(KTAB + "\n" * 1000)
    (tmp_path / "a.csv").write_text(ACTORS + "\n" * 1000)
    for name, fmt in (("k.csv", "ktab"), ("a.csv", "csv")):
        result = run("forecast", tmp_path / name, "--format", fmt, "--model", "median", "--json")
        assert result.exit_code == 0, result.stderr
        assert len(json.loads(result.stdout)["forecast"]) == 1


def test_yaml_hazards_are_one_located_line(tmp_path: Path):
    cases = {
        "deep.yaml": ("[" * 1000 + "]" * 1000, "deep.yaml:1: lists and mappings nest deeper"),
        "ctrl.yaml": ("actors: \x01\n", "ctrl.yaml:1: character U+0001 at column 9"),
        "dup.yaml": (SCENARIO.replace("capability: 1}", "capability: 1, capability: 50}", 1),
                     "dup.yaml:2: duplicate key 'capability': first at line 2"),
        "dup2.yaml": (SCENARIO + "  a: {x: {position: 100, salience: 1}}\n",
                      "dup2.yaml:11: duplicate key 'a': first at line 9, column 3"),
        "flow.yaml": ("x: [" + ", ".join(["1"] * 1_000_000) + "]\n",
                      "flow.yaml:1: the document has more than 200,000 values"),
    }
    for name, (text, words) in cases.items():
        (tmp_path / name).write_text(text)
        one_line(run("check", tmp_path / name), words)


def test_a_utf16_genius_profile_is_read_like_the_utf8_one(tmp_path: Path):
    plain = genius_folder(tmp_path / "plain")
    wide = genius_folder(tmp_path / "wide")
    (wide / "p2.xml").write_bytes((plain / "p2.xml").read_text().encode("utf-16"))
    results = [run("analyze", folder, "--json") for folder in (plain, wide)]
    assert [r.exit_code for r in results] == [0, 0], results[1].stderr
    first, second = (json.loads(r.stdout) for r in results)
    for key in ("actors", "issues", "solutions"):
        assert first[key] == second[key]


def test_a_long_list_of_names_is_cut_to_a_few(tmp_path: Path):
    folder = genius_folder(tmp_path / "g")
    for k in range(30):
        (folder / f"d{k:04d}.xml").write_text(DOMAIN)
    one_line(run("analyze", folder), "found d0000.xml, d0001.xml, d0002.xml, d0003.xml, "
             "d0004.xml and 26 more")
    actors = "".join(f"  - {{id: a{k}, name: A{k}, capability: 1}}\n" for k in range(1000))
    text = SCENARIO.replace("  - {id: a, name: A, capability: 1}\n", actors).replace(
        "  a: {x:", "  a999: {x:").replace("  b: {x:", "  zz: {x:")
    (tmp_path / "many.yaml").write_text(text)
    one_line(run("check", tmp_path / "many.yaml"), "many.yaml", "and 99")


def test_deu_weights_of_nan_or_inf_are_refused_cleanly(tmp_path: Path):
    (tmp_path / "in.tsv").write_text(DEU)
    for value in ("nan", "inf", "-inf"):
        (tmp_path / "w.csv").write_text(f"actor,weight\nlv,{value}\n")
        one_line(run("validate", "deu", tmp_path / "in.tsv", "--weights", tmp_path / "w.csv",
                     "--model", "compromise", "--json"),
                 "w.csv:2: weight: not a finite number")


def test_errors_raised_far_from_the_file_still_name_it(tmp_path: Path):
    (tmp_path / "in.tsv").write_text(DEU.replace("\t40\n", "\t\n"))  # no outcome anywhere
    (tmp_path / "w.csv").write_text(WEIGHTS)
    one_line(run("validate", "deu", tmp_path / "in.tsv", "--weights", tmp_path / "w.csv"),
             f"error: {tmp_path / 'in.tsv'}: ")
    issues = "".join(f"  - {{id: i{k}, name: I{k}, options: [{{label: n, value: 0}}, "
                     f"{{label: y, value: 100}}]}}\n" for k in range(30))
    stances = ", ".join(f"i{k}: {{position: 0, salience: 1}}" for k in range(30))
    text = ("actors:\n  - {id: a, name: A, capability: 1}\n  - {id: b, name: B, capability: 1}\n"
            f"issues:\n{issues}positions:\n  a: {{{stances}}}\n  b: {{{stances}}}\n")
    (tmp_path / "big.yaml").write_text(text)
    one_line(run("sweep", tmp_path / "big.yaml", "--draws", "5"),
             f"error: {tmp_path / 'big.yaml'}: ", "packages")


def test_errors_about_options_do_not_name_the_file(tmp_path: Path):
    (tmp_path / "s.yaml").write_text(SCENARIO)
    line = one_line(run("sweep", tmp_path / "s.yaml", "--draws", "0"), "--draws")
    assert "s.yaml" not in line


def test_user_errors_turns_any_os_error_into_one_line(capsys):
    @user_errors
    def broken(file: Path) -> None:
        raise OSError(errno.EIO, "Input/output error", "disk.yaml")

    with pytest.raises(typer.Exit) as info:
        broken(file=Path("disk.yaml"))
    assert info.value.exit_code == 2
    assert capsys.readouterr().err == "error: disk.yaml: Input/output error\n"
