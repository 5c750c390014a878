"""Dates in a scenario file: quoted or not, the same text comes out."""

from pathlib import Path

from redline.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]
CAMP_DAVID = (ROOT / "examples" / "camp-david-1978.yaml").read_text(encoding="utf-8")


def _load(tmp_path: Path, date: str):
    text = CAMP_DAVID.replace("  id: camp-david-1978\n", f"  id: camp-david-1978\n  date: {date}\n")
    text = text.replace("    kind: other\n", f"    kind: other\n    date: {date}\n", 1)
    path = tmp_path / "dated.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def test_an_unquoted_date_is_kept_as_its_iso_text(tmp_path: Path):
    scenario = _load(tmp_path, "1978-09-17")
    assert scenario.scenario.date == "1978-09-17"
    assert scenario.sources[0].date == "1978-09-17"


def test_a_quoted_partial_date_is_kept_as_written(tmp_path: Path):
    scenario = _load(tmp_path, '"1978-09"')
    assert scenario.scenario.date == "1978-09"
    assert scenario.sources[0].date == "1978-09"
