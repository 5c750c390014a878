"""Reading hostile Genius folders: every bad number or structure is one clear error.

The folders are built here from one small valid domain (two issues: a discrete ``colour`` and an
integer ``size``; two profiles), with one change each, as found by fuzzing the reader.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from redline.cli import app
from redline.errors import FormatError, SpaceTooLargeError
from redline.io.genius import MAX_WEIGHT_SUM, read_genius_folder

DOMAIN = """<negotiation_template><utility_space number_of_issues="2">
<objective index="0" name="r" type="objective" etype="objective">
<issue index="1" name="colour" type="discrete" etype="discrete" vtype="discrete">
<item index="1" value="red"/><item index="2" value="blue"/></issue>
<issue index="2" name="size" type="integer" etype="integer" vtype="integer"
 lowerbound="{lower}" upperbound="{upper}"/>
</objective></utility_space></negotiation_template>"""

PROFILE = """<utility_space><objective index="0" name="r" type="objective" etype="objective">
<issue index="1" name="colour" type="discrete"><item index="1" value="red" evaluation="{red}"/>
<item index="2" value="blue" evaluation="{blue}"/></issue>
<issue index="{size_index}" name="size" type="integer">
<evaluator ftype="linear" slope="{slope}" offset="{offset}"/></issue>
<weight index="1" value="{w1}"/><weight index="2" value="{w2}"/>
</objective><reservation value="{reservation}"/></utility_space>"""

P1 = dict(red="1", blue="0.5", slope="0.5", offset="0", w1="0.5", w2="0.5", reservation="0.2",
          size_index="2")
P2 = dict(red="0.3", blue="1", slope="-0.5", offset="1", w1="0.6", w2="0.4", reservation="0.1",
          size_index="2")

runner = CliRunner()


def make_folder(root: Path, *, domain: str | None = None, lower: str = "1", upper: str = "3",
                **p1: str) -> Path:
    """The small valid domain, with ``p1``'s attributes (and the domain) changed."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "domain.xml").write_text(domain or DOMAIN.format(lower=lower, upper=upper))
    (root / "p1.xml").write_text(PROFILE.format(**{**P1, **p1}))
    (root / "p2.xml").write_text(PROFILE.format(**P2))
    return root


def test_valid_folder_follows_genius_semantics(tmp_path: Path):
    domain = read_genius_folder(make_folder(tmp_path))
    assert [issue.id for issue in domain.issues] == ["colour", "size"]
    assert domain.issues[1].labels == ("1", "2", "3")
    # p1: colour red 1, blue 0.5 (already max 1); size clip(0.5 * (v - 1), 0, 1)
    assert np.allclose(domain.tables[0][:, 0], [0.5, 0.25])
    assert np.allclose(domain.tables[1][:, 0], [0.0, 0.25, 0.5])
    assert np.allclose(domain.disagreement, [0.2, 0.1])
    assert domain.notes["warnings"] == []


@pytest.mark.parametrize("change, where, message", [
    ({"red": "1e999"}, "item[value=red]@evaluation", "'1e999' is not a finite number"),
    ({"red": "nan"}, "item[value=red]@evaluation", "'nan' is not a finite number"),
    ({"red": "-5"}, "item[value=red]@evaluation", "-5 is out of range (must be >= 0)"),
    ({"red": "1_0"}, "item[value=red]@evaluation", "'1_0' is not a number"),
    ({"reservation": "inf"}, "reservation@value", "'inf' is not a finite number"),
    ({"reservation": "nan"}, "reservation@value", "'nan' is not a finite number"),
    ({"reservation": "2"}, "reservation@value", "2 is out of range (must be [0, 1])"),
    ({"reservation": "-0.1"}, "reservation@value", "out of range"),
    ({"offset": "--1"}, "evaluator@offset", "'--1' is not a number"),
    ({"slope": "1e400"}, "evaluator@slope", "not a finite number"),
    ({"w1": "-5"}, "weight[index=1]@value", "-5 is out of range (must be >= 0)"),
    ({"w1": "abc"}, "weight[index=1]@value", "'abc' is not a number"),
    ({"w1": "1e308", "w2": "1e308"}, "weight", f"above the limit of {MAX_WEIGHT_SUM:g}"),
])
def test_bad_profile_numbers_name_file_and_element(tmp_path: Path, change, where, message):
    folder = make_folder(tmp_path, **change)
    with pytest.raises(FormatError) as caught:
        read_genius_folder(folder)
    text = str(caught.value)
    assert text.startswith(str(folder / "p1.xml") + ": ")
    assert where in text and message in text


@pytest.mark.parametrize("lower, upper, message", [
    ("1", "1" + "0" * 30, "has 1e+30 values"),
    ("1", "100000000", "has 1e+08 values"),
    ("0", "1000000", "has 1e+06 values"),
])
def test_integer_range_is_checked_before_it_is_expanded(tmp_path: Path, lower, upper, message):
    # 10^8 values used to be expanded into a 2.7 GB tuple before any size check.
    with pytest.raises(SpaceTooLargeError) as caught:
        read_genius_folder(make_folder(tmp_path, lower=lower, upper=upper))
    assert message in str(caught.value) and "domain.xml" in str(caught.value)


@pytest.mark.parametrize("lower, upper", [("1.5", "3"), ("1", "--3"), ("", "3"), ("1", "1e3")])
def test_integer_bounds_must_be_whole_numbers(tmp_path: Path, lower, upper):
    with pytest.raises(FormatError, match="is not a whole number"):
        read_genius_folder(make_folder(tmp_path, lower=lower, upper=upper))


def test_package_space_is_checked_against_the_limit_before_tables(tmp_path: Path):
    folder = make_folder(tmp_path, upper="50000")  # 2 x 50,000 packages
    with pytest.raises(SpaceTooLargeError, match="above the limit of 1e\\+04"):
        read_genius_folder(folder, max_packages=10_000)
    assert read_genius_folder(folder, max_packages=100_000).n_packages == 100_000


def test_duplicate_issue_is_refused(tmp_path: Path):
    # The colour issue twice: its evaluation used to count twice (utility 1.5).
    text = DOMAIN.format(lower="1", upper="3")
    colour = text[text.index('<issue index="1"'):text.index('<issue index="2"')]
    with pytest.raises(FormatError, match="issue name 'colour' is used twice"):
        read_genius_folder(make_folder(tmp_path, domain=text.replace(colour, colour * 2)))


def test_duplicate_issue_index_is_refused(tmp_path: Path):
    text = DOMAIN.format(lower="1", upper="3").replace('issue index="2"', 'issue index="1"')
    with pytest.raises(FormatError, match="issue index 1 is used by 'colour' and 'size'"):
        read_genius_folder(make_folder(tmp_path, domain=text))


def test_profile_issue_index_must_match_the_domain(tmp_path: Path):
    # A swapped index: the profile's size evaluator sits under the colour issue's index.
    with pytest.raises(FormatError, match="issue index"):
        read_genius_folder(make_folder(tmp_path, size_index="1"))
    with pytest.raises(FormatError, match="index 7 is not an issue of the domain"):
        read_genius_folder(make_folder(tmp_path / "b", size_index="7"))


def test_unknown_or_repeated_item_is_refused(tmp_path: Path):
    folder = make_folder(tmp_path)
    text = (folder / "p1.xml").read_text()
    (folder / "p1.xml").write_text(text.replace('value="blue"', 'value="green"'))
    with pytest.raises(FormatError, match="item 'green' is not a value of issue 'colour'"):
        read_genius_folder(folder)
    (folder / "p1.xml").write_text(text.replace('value="blue"', 'value="red"'))
    with pytest.raises(FormatError, match="item 'red' is given twice"):
        read_genius_folder(folder)


def test_weights_are_used_as_written_with_a_warning_far_from_one(tmp_path: Path):
    domain = read_genius_folder(make_folder(tmp_path, w1="5", w2="2"))
    best = domain.tables[0][:, 0].max() + domain.tables[1][:, 0].max()
    assert best == pytest.approx(5 * 1.0 + 2 * 1.0)  # Genius semantics: not renormalised
    (line,) = domain.notes["warnings"]
    assert "p1.xml" in line and "sum to 7, not 1" in line


def test_weights_close_to_one_give_no_warning(tmp_path: Path):
    # The shipped ANAC Laptop profiles sum to 1.00005.
    domain = read_genius_folder(make_folder(tmp_path, w1="0.50005", w2="0.5"))
    assert domain.notes["warnings"] == []


def test_all_zero_weights_warn(tmp_path: Path):
    domain = read_genius_folder(make_folder(tmp_path, w1="0", w2="0"))
    assert "every weight is 0" in domain.notes["warnings"][0]


def test_utilities_stay_finite_and_non_negative_for_any_accepted_numbers(tmp_path: Path):
    domain = read_genius_folder(make_folder(tmp_path, red="1e300", blue="1e-300", slope="1e300",
                                            offset="-1e300", w1="999", w2="0.5"))
    for table in domain.tables:
        assert np.all(np.isfinite(table)) and np.all(table >= 0)


def test_cli_prints_one_line_per_bad_file(tmp_path: Path):
    folder = make_folder(tmp_path, red="1e999")
    result = runner.invoke(app, ["analyze", str(folder), "--json"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


def test_cli_prints_weight_warnings(tmp_path: Path):
    result = runner.invoke(app, ["analyze", str(make_folder(tmp_path, w1="5")), "--json"])
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: ") and "sum to 5.5, not 1" in result.stderr


def test_analyze_refuses_a_genius_space_above_the_default_limit_before_tables(tmp_path: Path):
    # 9 issues x 10 values (10^9 packages) ran for a minute under the old limit of 2e9.
    items = "".join(f'<item index="{v}" value="v{v}"/>' for v in range(1, 11))
    issues = "".join(f'<issue index="{k}" name="i{k}" type="discrete">{items}</issue>'
                     for k in range(1, 10))
    (tmp_path / "domain.xml").write_text(
        f'<negotiation_template><utility_space><objective index="0" name="big">{issues}'
        "</objective></utility_space></negotiation_template>")
    evaluations = "".join(f'<item index="{v}" value="v{v}" evaluation="{v}"/>'
                          for v in range(1, 11))
    for name in ("p1", "p2"):
        profile = "".join(f'<issue index="{k}" name="i{k}">{evaluations}</issue>'
                          f'<weight index="{k}" value="{1 / 9}"/>' for k in range(1, 10))
        (tmp_path / f"{name}.xml").write_text(
            f'<utility_space><objective index="0" name="big">{profile}</objective>'
            "</utility_space>")
    result = runner.invoke(app, ["analyze", str(tmp_path), "--json"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "1e+09 packages, above the limit of 1e+08" in result.stderr
    assert "domain.xml" in result.stderr


numbers = st.one_of(
    st.sampled_from(["1e999", "-1e999", "nan", "NaN", "inf", "-Infinity", "--1", "1_0", "0x10",
                     "", " ", "1e", ".", "+.5", "-0", "1.0E-4", "  2  ", "1e308", "4.9e-324"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({key: numbers for key in ("red", "blue", "slope", "offset", "w1",
                                                        "w2", "reservation")}))
def test_any_numbers_are_refused_in_one_error_or_give_finite_utilities(tmp_path: Path, change):
    folder = make_folder(tmp_path / "case", **change)
    try:
        domain = read_genius_folder(folder)
    except FormatError as error:
        assert "\n" not in str(error) and str(error).startswith(str(folder / "p1.xml"))
        return
    for table in domain.tables:
        assert np.all(np.isfinite(table)) and np.all(table >= 0)
    assert 0 <= domain.disagreement[0] <= 1
