"""The plain one-issue actor CSV: good files, aliases and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.errors import FormatError
from redline.io.actors_csv import read_actors_csv

CAR = Path(__file__).resolve().parents[1] / "data" / "bdm" / "eu_car_emissions_1994_actors.csv"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "actors.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_the_bdm_example():
    table = read_actors_csv(CAR)
    assert table.actors[0] == "Netherlands" and len(table.actors) == 10
    assert table.dimensions == ("eu_car_emissions_1994_actors",)
    assert table.position.shape == table.salience.shape == (10, 1)
    assert table.capability[3] == 0.16 and table.position[4, 0] == 10.0
    assert table.salience[8, 0] == 1.0


def test_any_order_aliases_extra_columns_and_blank_lines(tmp_path):
    path = _write(tmp_path, "Salience,note,Pos,Name,Power\n0.5,x,10,A,2\n\n1,y,20,B,1\n")
    table = read_actors_csv(path, dimension="tax")
    assert table.actors == ("A", "B") and table.dimensions == ("tax",)
    np.testing.assert_array_equal(table.capability, [2.0, 1.0])
    np.testing.assert_array_equal(table.position[:, 0], [10.0, 20.0])
    np.testing.assert_array_equal(table.salience[:, 0], [0.5, 1.0])


def test_percent_saliences(tmp_path):
    table = read_actors_csv(_write(tmp_path, "actor,capability,position,salience\n"
                                             "A,1,0,80\nB,1,1,0.5\n"))
    np.testing.assert_allclose(table.salience[:, 0], [0.8, 0.005])


@pytest.mark.parametrize(("text", "line", "field", "message"), [
    ("actor,capability,position\nA,1,2\n", 1, "salience", "missing column 'salience'"),
    ("actor,capability,position,salience,sal\nA,1,2,0.5,0.5\n", 1, "salience",
     "more than one column"),
    ("actor,capability,position,salience\nA,1,2,0.5\nB,one,2,0.5\n", 3, "capability",
     "not a number: 'one'"),
    ("actor,capability,position,salience\nA,1,2,0.5\nB,-1,2,0.5\n", 3, "capability",
     "negative"),
    ("actor,capability,position,salience\nA,1,2,0.5\nB,1,nan,0.5\n", 3, "position",
     "not a finite number"),
    ("actor,capability,position,salience\nA,1,2,0.5\nB,1,2,-0.1\n", 3, "salience",
     "outside [0, 1]"),
    ("actor,capability,position,salience\nA,1,2,50\nB,1,2,101\n", 3, "salience",
     "outside [0, 100]"),
    ("actor,capability,position,salience\nA,1,2,0.5\nA,1,3,0.5\n", 3, "actor",
     "already given on line 2"),
    ("actor,capability,position,salience\nA,1,2,0.5\n,1,3,0.5\n", 3, "actor", "empty actor"),
    ("actor,capability,position,salience\nA,1,2,0.5\nB,1\n", 3, None, "2 fields"),
    ("actor,capability,position,salience\nA,0,2,0.5\nB,0,3,0.5\n", 2, "capability",
     "every capability is 0"),
    ("actor,capability,position,salience\n", 2, None, "no actors"),
    ("", 1, None, "empty"),
])
def test_bad_files_give_format_errors_with_lines(tmp_path, text, line, field, message):
    path = _write(tmp_path, text)
    with pytest.raises(FormatError) as info:
        read_actors_csv(path)
    error = info.value
    assert error.file == str(path) and error.line == line and error.field == field
    assert message in error.message
    assert str(error).startswith(f"{path}:{line}: ")


def test_not_utf8(tmp_path):
    path = tmp_path / "actors.csv"
    path.write_bytes(b"actor,capability,position,salience\n\xff\xfe,1,2,0.5\n")
    with pytest.raises(FormatError, match="not UTF-8"):
        read_actors_csv(path)
