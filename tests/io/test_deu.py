"""Reading the DEU III TSV and the Nice voting weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.errors import FormatError
from redline.io.deu import read_deu, read_voting_weights

# A synthetic file in the DEU III layout and the Nice weights (tests/data/NOTICE); the real file,
# in tests/data/originals/deu3, is read by test_public_file_shapes_and_values.
DEU = Path(__file__).resolve().parents[1] / "data" / "deu3"

HEADER = ["prnr", "isnr", "prname", "pcom", "pep", "pde", "scom", "sep", "sde", "rp", "out"]


def _write(tmp_path: Path, rows: list[list[str]], name: str = "deu.tsv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_synthetic_file_shapes_and_values():
    data = read_deu(DEU / "deu3_synthetic.tsv", DEU / "nice_voting_weights.csv")
    assert data.actors[:3] == ("com", "ep", "at") and len(data.actors) == 30
    assert data.positions.shape == data.saliences.shape == (33, 30)
    assert int(data.has_outcome.sum()) == 30
    assert len(set(data.proposals)) == 14 and len(set(data.groups)) == 12  # rail, vat shared
    # The GDP row is skipped: the first issue is the first fisheries one.
    assert data.issues[0] == "s0101i1" and data.proposals[0] == "s0101"
    assert data.groups[0] == "fisheries"
    assert data.positions[0, 3] == 30.0 and np.isnan(data.positions[0, 4])  # be, bu
    assert data.saliences[0, 1] == 70.0 and np.isnan(data.saliences[0, 4])
    assert data.outcomes[0] == 52.0 and data.reference_points[0] == 30.0
    assert np.isnan(data.reference_points[1]) and np.isnan(data.outcomes[5])
    weight = dict(zip(data.actors, data.capability, strict=True))
    assert weight["com"] == weight["ep"] == weight["de"] == 29.0
    assert weight["mt"] == 3.0 and weight["el"] == 12.0
    assert np.nanmax(data.positions) <= 100 and np.nanmin(data.saliences) >= 0


def test_public_file_shapes_and_values(originals):
    deu = originals / "deu3"
    data = read_deu(deu / "deu3_public.tsv", deu / "nice_voting_weights.csv")
    assert data.actors[:3] == ("com", "ep", "at") and len(data.actors) == 30
    assert data.positions.shape == data.saliences.shape == (237, 30)
    assert int(data.has_outcome.sum()) == 229
    assert len(set(data.proposals)) == 89 and len(set(data.groups)) == 82
    # The GDP row is skipped: the first issue is the telecom one.
    assert data.issues[0] == "d00184i1" and data.proposals[0] == "d00184"
    assert data.positions[0, 3] == 50.0 and np.isnan(data.positions[0, 4])  # be, bu
    assert data.outcomes[0] == 100.0 and np.isnan(data.reference_points[0])
    assert np.nanmax(data.positions) <= 100 and np.nanmin(data.saliences) >= 0
    # Our weights file states the same treaty figures as the prepared one.
    assert read_voting_weights(DEU / "nice_voting_weights.csv") == read_voting_weights(
        deu / "nice_voting_weights.csv")


def test_small_file_and_gdp_row(tmp_path):
    path = _write(tmp_path, [
        HEADER,
        ["", "", "", "4.1", "4.1", "2.8", "", "", "", "", ""],
        ["p1", "p1i1", "one", "100", "50", "", "80", "70", "", "0", "60"],
        ["p1", "p1i2", "one", "0", "", "20", "50", "", "", "", ""],
    ])
    data = read_deu(path, {"de": 29.0})
    assert data.actors == ("com", "ep", "de")
    np.testing.assert_array_equal(data.outcomes[:1], [60.0])
    assert np.isnan(data.outcomes[1]) and np.isnan(data.saliences[1, 2])
    assert data.reference_points[0] == 0.0
    assert data.capability.tolist() == [29.0, 29.0, 29.0]


@pytest.mark.parametrize(("rows", "line", "field"), [
    ([HEADER, ["p1", "i1", "x", "abc", "0", "0", "0", "0", "0", "", "5"]], 2, "pcom"),
    ([HEADER, ["p1", "i1", "x", "0", "0", "0", "0", "0", "0", "", "5"],
      ["p1", "i2", "x", "0", "0", "0", "0", "0", "140", "", "5"]], 3, "sde"),
    ([HEADER, ["p1", "i1", "x", "0", "0", "0", "0", "0", "0", "", "-5"]], 2, "out"),
    ([HEADER, ["p1", "i1", "x", "0", "0", "0", "0", "0", "0", ""]], 2, None),
    ([HEADER, ["p1", "i1", "x", "0", "0", "0", "0", "0", "0", "", "5"],
      ["", "", "x", "0", "0", "0", "0", "0", "0", "", "5"]], 3, "prnr"),
])
def test_malformed_rows_name_file_line_and_column(tmp_path, rows, line, field):
    path = _write(tmp_path, rows)
    with pytest.raises(FormatError) as info:
        read_deu(path)
    error = info.value
    assert error.file == str(path) and error.line == line and error.field == field
    assert str(error).startswith(f"{path}:{line}: ")


def test_missing_outcome_column_and_unknown_weight(tmp_path):
    path = _write(tmp_path, [HEADER[:-1], ["p1", "i1", "x", "0", "0", "0", "0", "0", "0", ""]])
    with pytest.raises(FormatError, match="missing column 'out'"):
        read_deu(path)
    good = _write(tmp_path, [HEADER, ["p1", "i1", "x", "0", "0", "0", "0", "0", "0", "", "5"]],
                  "good.tsv")
    with pytest.raises(FormatError, match="no voting weight for actor 'de'"):
        read_deu(good, {"fr": 29.0})


@pytest.mark.parametrize(("text", "line"), [
    ("actor,weight\nde,29\nfr,abc\n", 3),
    ("actor,weight\nde,29\nde,29\n", 3),
    ("actor,weight\nde,0\n", 2),
    ("name,votes\nde,29\n", 1),
])
def test_bad_weights_files(tmp_path, text, line):
    path = tmp_path / "w.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError) as info:
        read_voting_weights(path)
    assert info.value.line == line and info.value.file == str(path)
