"""redline.safe_yaml: plain YAML only, no duplicate keys, bounded nodes, depth and expansion.

Each check runs with libyaml's parser and with the pure-Python one, and the data built from
the composed nodes must equal PyYAML's own ``safe_load`` of the same text.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from redline import safe_yaml
from redline.errors import RedlineError, ScenarioError
from redline.safe_yaml import MAX_DEPTH, MAX_NODES, compose, construct
from redline.scenario.load import parse_scenario

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.fixture(params=LOADERS, ids=lambda c: c.__name__, autouse=True)
def loader(request, monkeypatch):
    monkeypatch.setattr(safe_yaml, "_Loader", request.param)
    return request.param


def load(text: str):
    root = compose(text, "t.yaml")
    return None if root is None else construct(root, "t.yaml")


def refused(text: str) -> RedlineError:
    with pytest.raises(RedlineError) as info:
        load(text)
    assert "\n" not in str(info.value)
    return info.value


def test_plain_yaml_loads_as_safe_load_does():
    text = "a: 1\nb: [x, 2.5, true, null, '3']\nc: {d: [1, {e: f}]}\nbase: &b {k: 1}\n" \
           "merged: {<<: *b, k: 2, z: 3}\nwhen: 2026-12-01\n"
    assert load(text) == yaml.safe_load(text)
    assert load("# only a comment\n") is None


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=60, deadline=None)
@given(data=json_like, flow=st.booleans())
def test_composed_data_equals_pyyaml_safe_load(data, flow):
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    assert load(text) == yaml.safe_load(text)


def test_duplicate_keys_are_refused_naming_both_lines():
    error = refused("actors:\n  a: 1\n  b: 2\n  a: 3\n")
    assert error.line == 4
    assert "duplicate key 'a': first at line 2, column 3, again at line 4, column 3" in str(error)
    error = refused("- {id: a, capability: 1, capability: 50}\n")
    assert "first at line 1, column 11, again at line 1, column 26" in str(error)


def test_keys_that_only_look_alike_and_merge_keys_are_not_duplicates():
    assert load("a: 1\n'1': x\n1: y\n") == {"a": 1, "1": "x", 1: "y"}
    assert load("b: &b {k: 1}\nc: {<<: *b, k: 2}\n")["c"] == {"k": 2}


def test_deep_flow_and_block_nesting_is_refused_with_its_line():
    error = refused("[" * 1000 + "]" * 1000)
    assert f"nest deeper than {MAX_DEPTH} levels" in str(error) and error.line == 1
    block = "".join(f"{' ' * k}k{k}:\n" for k in range(3000)) + " " * 3000 + "v\n"
    error = refused(block)
    assert "nest deeper" in str(error) and error.line == MAX_DEPTH + 1
    assert load("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


def test_aliases_cannot_nest_deeper_than_the_limit():
    lines = ["l0: &l0 [1]"] + [f"l{k}: &l{k} [*l{k - 1}]" for k in range(1, MAX_DEPTH + 2)]
    assert "aliases nest values deeper" in str(refused("\n".join(lines)))


def test_many_nodes_are_refused_as_such_not_as_an_alias_bomb(loader, monkeypatch):
    budget = MAX_NODES
    if loader is yaml.SafeLoader:  # the pure-Python scanner is slow: the same at 1/10 scale
        budget = MAX_NODES // 10
        monkeypatch.setattr(safe_yaml, "MAX_NODES", budget)
    error = refused("x: [" + ", ".join(["0"] * (5 * budget)) + "]\n")
    assert f"more than {budget:,} values" in str(error) and "alias" not in str(error)
    error = refused("{" + ", ".join(f"k{i}: 1" for i in range(2 * budget)) + "}\n")
    assert f"more than {budget:,} values" in str(error) and "alias" not in str(error)


def test_an_alias_bomb_is_refused_as_one():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for k in range(1, 10):
        prev, cur = chr(ord("a") + k - 1), chr(ord("a") + k)
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    assert "aliases expand to more than" in str(refused("\n".join(lines)))


@pytest.mark.parametrize("char", ["\x01", "\x02", "\x1a", "\x7f", "\ufffe"])
def test_control_characters_give_one_line_with_the_line_number(char):
    error = refused(f"a: 1\nb: 2\nactors: {char}\n")
    assert error.line == 3 and f"U+{ord(char):04X}" in str(error)
    assert "at column 9" in str(error)


def test_other_refusals_are_located():
    assert refused("a: 1\n---\nb: 2\n").line == 2  # a second document
    assert "refers to no anchor" in str(refused("a: *nothing\n"))
    error = refused("a: [1, 2\nb: 3\n")
    assert error.message.startswith("YAML syntax error")
    assert "unsupported YAML tag" in str(refused("a: !!python/object/apply:os.system [ls]\n"))


def test_a_recursive_alias_is_not_a_crash():
    with pytest.raises(ScenarioError):
        parse_scenario(b"actors: &a [*a]\n", "r.yaml")


def test_scenario_errors_keep_their_type_and_the_file():
    with pytest.raises(ScenarioError) as info:
        parse_scenario(b"actors: [{id: a, id: b}]\n", "dup.yaml")
    assert str(info.value).startswith("dup.yaml:1: duplicate key 'id'")
