"""The points file of `redline divide`: read at the boundary, every bad file one line naming it.

The file is read by :mod:`redline.scenario.points` (the safe YAML loader, with a size cap);
Adjusted Winner itself (:mod:`redline.space.fair_division`) only takes the data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import RedlineError
from redline.scenario.points import MAX_POINTS_BYTES, load_points

runner = CliRunner()


def divide(path: Path):
    return runner.invoke(app, ["divide", str(path), "--json"])


def test_a_points_file_gives_the_parties_and_the_points_as_written(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("parties: [Ann, Ben]\nitems:\n  car: [60, 100]\n  flat: [40, 0]\n")
    assert load_points(path) == (("Ann", "Ben"), {"car": [60, 100], "flat": [40, 0]})
    data = json.loads(divide(path).stdout)
    assert data["allocation"] == {"car": {"Ann": "3/8", "Ben": "5/8"},
                                  "flat": {"Ann": "1", "Ben": "0"}}
    assert data["split_item"] == "car"


@pytest.mark.parametrize(("text", "words"), [
    ("- 1\n", "expected 'parties: [A, B]' and 'items: {item: [a, b]}'"),
    ("parties: [A, B, C]\nitems: {x: [100, 100]}\n", "expected 'parties: [A, B]'"),
    ("parties: [A, B]\n", "expected 'parties: [A, B]'"),
    ("parties: [A, B]\nitems: {x: 5}\n", "each item needs a list of two point values"),
    ("parties: [A, B]\nitems:\n  x: [50, 50]\n  x: [50, 50]\n",
     "p.yaml:4: duplicate key 'x': first at line 3"),
    ("parties: [A, B]\nitems: {x: [abc, 100]}\n", "items.x: item 'x': points must be numbers"),
    ("parties: [A, B]\nitems: {x: [.inf, 100]}\n", "items.x: item 'x': points must be numbers"),
    ("parties: [A, B]\nitems: {x: [-10, 50], y: [110, 50]}\n", "must not be negative"),
    ("parties: [A, B]\nitems: {x: [50, 100], y: [40, 0]}\n", "A's points sum to 90"),
    ("parties: [A, B]\n" + "#" * MAX_POINTS_BYTES, "above the 1,000,000-byte limit"),
    ("parties: !!python/object:os.system [A, B]\n", "p.yaml"),
])
def test_a_bad_points_file_is_one_line_naming_it(tmp_path: Path, text: str, words: str):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    result = divide(path)
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {path}") and words in line, line


def test_the_reader_refuses_a_folder_and_names_it(tmp_path: Path):
    with pytest.raises(RedlineError) as caught:
        load_points(tmp_path)
    assert caught.value.file is not None and str(tmp_path) in str(caught.value)
