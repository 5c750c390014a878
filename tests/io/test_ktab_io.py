"""Reading and writing KTAB's SMP CSV scenarios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.errors import FormatError
from redline.io.ktab import KtabData, read_ktab_csv, write_ktab_csv

KTAB = Path(__file__).resolve().parents[1] / "data" / "ktab"  # tests/data/ktab
KTAB_SETS = [
    "dummyData_3Dim",
    "SOE-Pol-Comp",
    "SOE-Policy",
    "dummyData_6Dim",
    "dummyData-a040",
    "SOE-Competitive",
    "dummyData-a080",
]


def test_reads_soe_pol_comp():
    data = read_ktab_csv(KTAB / "SOE-Pol-Comp.csv")
    assert data.name == "China Policy/Competitive; scen 2"
    assert data.description == "Scenario-0002;Combined Policy and Competitive"
    assert data.n_actors == 13 and data.n_dims == 2
    assert data.dimensions == ("Policy Position", "Competitive Position")
    assert data.actors[0] == "XJ" and data.descriptions[0] == "Xi Jinping"
    assert data.actors[-1] == "WY" and data.descriptions[-1] == "CNOOC - Wang Yilin"
    assert data.capability[0] == 100.0 and data.capability[1] == 60.2
    assert np.array_equal(data.position[0], [30.0, 20.0])
    assert np.allclose(data.salience[0], [0.24, 0.48])
    assert data.position.shape == data.salience.shape == (13, 2)


def test_reads_dummy_3dim():
    data = read_ktab_csv(KTAB / "dummyData_3Dim.csv")
    assert data.name == "DummyData_3Dim"
    assert data.description == "Dummy scenario to test reading format"
    assert data.n_actors == 7 and data.n_dims == 3
    assert data.dimensions == ("Pstn1", "Pstn2", "Pstn3")
    assert data.descriptions[0] == "Random Spatial Actor"
    assert data.capability[0] == 102.543
    assert np.array_equal(data.position[2], [82.45, 90.89, 0.07])
    assert np.allclose(data.salience[2], [0.4847, 0.1355, 0.3462])
    assert np.all(data.salience.sum(axis=1) <= 1.0)


@pytest.mark.parametrize("name", KTAB_SETS)
def test_reads_every_ktab_example(name):
    # Quirks in KTAB's own files: CRLF and a stray field on row 1 (dummyData_6Dim), no trailing
    # comma on the header (dummyData-a0x0), padding spaces, quoted description (dummyData_3Dim).
    data = read_ktab_csv(KTAB / f"{name}.csv")
    assert data.capability.shape == (data.n_actors,)
    assert data.position.shape == data.salience.shape == (data.n_actors, data.n_dims)
    assert np.all(data.capability > 0)
    assert np.all((0 <= data.position) & (data.position <= 100))
    assert np.all(data.salience.sum(axis=1) <= 1.0 + 1e-9)


@pytest.mark.parametrize("name", KTAB_SETS)
def test_round_trip(tmp_path, name):
    data = read_ktab_csv(KTAB / f"{name}.csv")
    out = tmp_path / "sub" / f"{name}.csv"
    write_ktab_csv(out, data)
    again = read_ktab_csv(out)
    assert again.name == data.name and again.description == data.description
    assert again.actors == data.actors and again.descriptions == data.descriptions
    assert again.dimensions == data.dimensions
    assert np.array_equal(again.capability, data.capability)
    assert np.array_equal(again.position, data.position)
    assert np.array_equal(again.salience, data.salience)
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary left behind


def test_round_trip_awkward_text(tmp_path):
    data = KtabData(
        name='Scenario, with "quotes"',
        description="two\nlines",
        actors=("A, Inc.", "B"),
        descriptions=("", 'said "no"'),
        dimensions=("Tax, rate", "Date"),
        capability=np.array([1.5, 1e-3]),
        position=np.array([[0.0, 100.0], [33.333333333333336, 12.5]]),
        salience=np.array([[0.123456789, 0.5], [0.0, 1.0]]),
    )
    path = tmp_path / "awkward.csv"
    write_ktab_csv(path, data)
    again = read_ktab_csv(path)
    assert again.name == data.name and again.description == data.description
    assert again.actors == data.actors and again.descriptions == data.descriptions
    assert again.dimensions == data.dimensions
    assert np.allclose(again.capability, data.capability, rtol=1e-14, atol=0)
    assert np.allclose(again.position, data.position, rtol=1e-14, atol=0)
    assert np.allclose(again.salience, data.salience, rtol=1e-14, atol=0)


def test_write_replaces_atomically(tmp_path):
    data = read_ktab_csv(KTAB / "dummyData_3Dim.csv")
    path = tmp_path / "out.csv"
    path.write_text("old content\n")
    write_ktab_csv(path, data)
    assert read_ktab_csv(path).actors == data.actors
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


GOOD_HEAD = "Scen,Desc,3,2\nActor,Description,Power,P1,S1,P2,S2\n"
GOOD_ROWS = ["A,a,10,20,30,40,50", "B,b,20,30,40,50,60", "C,c,30,40,20,60,30"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return path


def _rows(*rows: str) -> str:
    return GOOD_HEAD + "\n".join(rows) + "\n"


def test_the_good_file_reads(tmp_path):
    data = read_ktab_csv(_write(tmp_path, _rows(*GOOD_ROWS)))
    assert data.actors == ("A", "B", "C")
    assert np.allclose(data.salience[1], [0.4, 0.6])


def test_bom_trailing_commas_and_blank_lines(tmp_path):
    text = "\ufeff" + GOOD_HEAD.replace("\n", ",\r\n") + "\r\n".join(r + ", " for r in GOOD_ROWS)
    data = read_ktab_csv(_write(tmp_path, text + "\r\n\r\n"))
    assert data.name == "Scen" and data.actors == ("A", "B", "C")


@pytest.mark.parametrize(
    ("text", "line", "words", "field"),
    [
        ("", None, "empty", None),
        ("Scen,Desc,3\n", 1, "row 1 has 3 fields", None),
        ("Scen,Desc,three,2\n", 1, "actor count", "column 3 (actor count)"),
        ("Scen,Desc,3,0\n", 1, "dimension count", "column 4 (dimension count)"),
        ("Scen,Desc,3,2\n", 2, "header row is missing", None),
        (GOOD_HEAD.replace("P2,S2", "P2"), 2, "header has 6 columns", None),
        (GOOD_HEAD.replace(",3,", ",4,") + "\n".join(GOOD_ROWS) + "\n", 1, "4 actor(s)",
         "column 3 (actor count)"),
        (_rows(*GOOD_ROWS, "D,d,1,1,1,1,1"), 1, "has 4 actor row(s) (lines 3-6)",
         "column 3 (actor count)"),
        (_rows("A,a,10,20,30,40", *GOOD_ROWS[1:]), 3, "6 fields", None),
        (_rows(GOOD_ROWS[0], "B,b,lots,30,40,50,60", GOOD_ROWS[2]), 4, "not a number",
         "column 3 (Power)"),
        (_rows(GOOD_ROWS[0], "B,b,0,30,40,50,60", GOOD_ROWS[2]), 4, "must be positive",
         "column 3 (Power)"),
        (_rows(GOOD_ROWS[0], "B,b,-2,30,40,50,60", GOOD_ROWS[2]), 4, "must be positive",
         "column 3 (Power)"),
        (_rows(GOOD_ROWS[0], GOOD_ROWS[1], "C,c,30,40,20,160,30"), 5, "outside 0-100",
         "column 6 (P2)"),
        (_rows(GOOD_ROWS[0], GOOD_ROWS[1], "C,c,30,-1,20,60,30"), 5, "outside 0-100",
         "column 4 (P1)"),
        (_rows("A,a,10,20,130,40,0", *GOOD_ROWS[1:]), 3, "outside 0-100", "column 5 (S1)"),
        (_rows("A,a,10,20,60,40,50", *GOOD_ROWS[1:]), 3, "more than 100", "columns 5-7"),
        (_rows("A,a,10,20,0,40,0", *GOOD_ROWS[1:]), 3, "all saliences are 0", "columns 5-7"),
        (_rows("A,a,10,20,30,nan,50", *GOOD_ROWS[1:]), 3, "not a finite number",
         "column 6 (P2)"),
        (_rows(GOOD_ROWS[0], "A,b,20,30,40,50,60", GOOD_ROWS[2]), 4, "used twice",
         "column 1 (Actor)"),
        (_rows(GOOD_ROWS[0], ",b,20,30,40,50,60", GOOD_ROWS[2]), 4, "name is empty",
         "column 1 (Actor)"),
    ],
)
def test_bad_input(tmp_path, text, line, words, field):
    path = _write(tmp_path, text)
    with pytest.raises(FormatError) as info:
        read_ktab_csv(path)
    err = info.value
    assert err.file == str(path)
    assert err.line == line
    assert words in err.message
    if field is not None:
        assert err.field is not None and err.field.startswith(field)
    if line is not None:
        assert f"{path}:{line}: " in str(err)
    assert err.hint or line is None or "not UTF-8" in err.message


def test_missing_file_and_bad_encoding(tmp_path):
    with pytest.raises(FormatError, match="not found"):
        read_ktab_csv(tmp_path / "nope.csv")
    path = tmp_path / "latin.csv"
    path.write_bytes(GOOD_HEAD.encode() + "\xc9,e,1,2,3,4,5\n".encode("latin-1"))
    with pytest.raises(FormatError, match="UTF-8"):
        read_ktab_csv(path)


def test_salience_sum_tolerance(tmp_path):
    # 33.34 + 33.33 + 33.33 is 100.00000000000001 in floating point; that is fine.
    text = ("S,D,1,3\nActor,Description,Power,P1,S1,P2,S2,P3,S3\n"
            "A,a,1,10,33.34,20,33.33,30,33.33\n")
    data = read_ktab_csv(_write(tmp_path, text))
    assert data.salience.sum() == pytest.approx(1.0)
