"""Edits written into the scenario's own text: only the changed values change."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline.errors import ScenarioError
from redline.scenario.load import parse_scenario
from redline.web.edits import apply_edits, edit_form, edited_scenario, scenario_data
from redline.web.yaml_edit import REMOVE, patch, scalar_text

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "donbas-2026.yaml"
TEXT = EXAMPLE.read_text()
DONBAS = parse_scenario(TEXT, "donbas-2026.yaml")
FIELDS = list(edit_form(DONBAS).number_fields())


def changed_lines(before: str, after: str) -> list[str]:
    """The lines of ``before`` that ``after`` replaces or deletes."""
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    return [line[2:] for line in diff if line.startswith("- ")]


def test_an_edit_changes_one_line_and_keeps_comments_and_integers():
    scenario, text = edited_scenario(DONBAS, TEXT, {"sal.0.0": "0.2"}, name="d.yaml")
    assert scenario.positions["ukraine"]["donbas"].salience == 0.2
    assert changed_lines(TEXT, text) == [
        "    donbas: {position: 0, salience: 1.0, sources: [zelensky], judgment: analyst}"]
    assert len(text.splitlines()) == len(TEXT.splitlines())
    assert "capability: 30\n" in text and "# Redline scenario" in text


def test_distributions_insertions_and_removals_touch_only_their_lines():
    form = {"pos.1.3": "25",  # a private {uniform: ...} becomes a number
            "out.0": "0.4",  # a flow {triangular: ...} becomes a number
            "cp.2": "",  # a probability removed: derived from the sources again
            "cp.0": "0.5",  # a probability added to a claim without one
            "ca.0": "true"}  # assumed: null -> true, its comment kept
    scenario, text = edited_scenario(DONBAS, TEXT, form, name="d.yaml")
    data, _ = apply_edits(DONBAS, form)
    assert scenario_data(scenario) == data
    removed = changed_lines(TEXT, text)
    assert len(removed) == 4
    assert "    assumed: true   # contested: analyse both branches" in text
    assert "    probability: 0.5\n" in text
    assert "probability: 0.3" not in text


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(FIELDS), st.integers(0, 20)), min_size=1,
                max_size=6, unique_by=lambda pair: pair[0].name))
def test_any_edits_give_the_edited_data_and_keep_every_comment(edits):
    """Values on a grid of the field's range (all valid), written anywhere in the file."""
    form = {f.name: repr(f.low + step / 20 * (f.high - f.low)) for f, step in edits}
    data, changed = apply_edits(DONBAS, form)
    scenario, text = edited_scenario(DONBAS, TEXT, form, name="d.yaml")
    assert scenario_data(scenario) == data
    assert scenario_data(parse_scenario(text, "again.yaml")) == data
    if changed:  # written in place: every other line is kept, comments included
        assert len(changed_lines(TEXT, text)) <= len(edits)
        comments = [line for line in TEXT.splitlines() if line.lstrip().startswith("#")]
        assert all(line in text.splitlines() for line in comments)


def test_a_value_shared_through_an_alias_is_written_out_in_full():
    shared = TEXT.replace(
        "    donbas: {position: 0, salience: 1.0, sources: [zelensky], judgment: analyst}",
        "    donbas: &same {position: 0, salience: 1.0, judgment: analyst}")
    shared = shared.replace(
        '    donbas: {position: 100, salience: 1.0, judgment: analyst, note: "Public demand: the '
        'entire Donbas"}', "    donbas: *same")
    assert shared.count("*same") == 1
    base = parse_scenario(shared, "s.yaml")
    scenario, text = edited_scenario(base, shared, {"sal.0.0": "0.2"}, name="s.yaml")
    assert scenario.positions["ukraine"]["donbas"].salience == 0.2
    assert scenario.positions["russia"]["donbas"].salience == 1.0  # not changed with it
    assert text.startswith("# Edited in the Redline web app")


def test_block_mappings_and_lists():
    text = ("a:\n  b: 1   # one\n  c:\n    triangular: [1, 2, 3]\n# after c\n"
            "items:\n- id: x\n  p: 0.5\n- p: 0.25\n  id: y\n")
    changes = [(("a", "c"), 2), (("a", "d"), 1e-05), (("items", 0, "p"), REMOVE),
               (("items", 1, "p"), REMOVE), (("a", "b"), True)]
    out = patch(text, changes, "t.yaml")
    assert out == ("a:\n  b: true   # one\n  c: 2\n  d: 1.0e-05\n# after c\n"
                   "items:\n- id: x\n- id: y\n")
    assert yaml.safe_load(out)["a"]["d"] == 1e-05


def test_paths_that_do_not_exist_and_duplicate_keys():
    assert patch("a: {b: 1}\n", [(("x", "b"), 2)], "t.yaml") is None
    assert patch("a: [1, 2]\n", [(("a", 5, "b"), 2)], "t.yaml") is None
    with pytest.raises(ScenarioError, match="duplicate key 'a'"):
        patch("a: 1\na: 2\n", [(("a",), 3)], "t.yaml")


@pytest.mark.parametrize("value", [None, True, False, 0, 30, 0.2, 1e-05, 1.5e20, -2.5, 1e300])
def test_scalars_read_back_as_the_same_value(value):
    assert yaml.safe_load(f"v: {scalar_text(value)}\n")["v"] == value
