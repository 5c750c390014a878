"""Readable names of a scenario's inputs: total, distinct, in the analyst's terms.

Every path the sweep can rank (:func:`redline.scenario.compile.uncertain_inputs`, and
``claim:<id>``) gets a name that is not the path itself, names are distinct within a scenario,
and ``width`` shortens only the free text. Checked on every bundled example and on random
scenarios with nested conditions, both bounds and ratification thresholds.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline.bundled import example_names, example_path
from redline.scenario.compile import numeric_inputs, uncertain_inputs
from redline.scenario.labels import ELLIPSIS, input_label, input_labels, numeric_fields
from redline.scenario.load import build_scenario, load_scenario

PATH_LIKE = re.compile(r"\b(actors|positions|red_lines|linkages|ratification)\.[\w-]+\.")


def _scenario_examples():
    out = []
    for name in example_names():
        try:
            out.append(load_scenario(example_path(name)))
        except Exception:  # a points file, not a scenario
            continue
    return out


def _every_path(scenario) -> list[str]:
    return [p for p, *_ in numeric_inputs(scenario)] + [f"claim:{c.id}" for c in scenario.claims]


def _check_total_and_distinct(scenario) -> None:
    paths = _every_path(scenario)
    labels = input_labels(scenario, paths)
    for path, label in zip(paths, labels, strict=True):
        assert label != path
        assert not PATH_LIKE.search(label), (path, label)
    assert len(set(labels)) == len(labels)
    assert [input_label(scenario, p) for p in paths] == labels
    for width in (30, 50, 80):
        for full, short in zip(labels, input_labels(scenario, paths, width=width), strict=True):
            assert len(short) <= len(full)
            assert short == full if len(full) <= width else (short == full or ELLIPSIS in short)


SCENARIOS = _scenario_examples()


def test_the_bundled_examples_are_checked():
    assert len(SCENARIOS) >= 2


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.scenario.id)
def test_every_path_of_every_example_has_a_distinct_readable_name(scenario):
    _check_total_and_distinct(scenario)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.scenario.id)
def test_the_uncertain_inputs_are_named(scenario):
    paths = [p for p, *_ in uncertain_inputs(scenario)]
    assert all(label != path for path, label in zip(paths, input_labels(scenario, paths),
                                                     strict=True))


def test_the_compiler_draws_exactly_the_named_paths_in_the_same_order():
    for scenario in SCENARIOS:
        assert [p for p, _, _ in numeric_fields(scenario)] == \
            [p for p, *_ in numeric_inputs(scenario)]


def _donbas():
    return load_scenario(example_path("donbas-2026"))


@pytest.mark.parametrize("path, label", [
    ("red_lines.ru-ukraine-out-of-donbas.require.at_least",
     "Russia's red line: Ukrainian forces leave the Donbas (private position), threshold"),
    ("positions.ukraine.donbas.salience", "Ukraine's salience on Control of the Donbas"),
    ("positions.russia.zaporizhzhia.private",
     "Russia's private position on Zaporizhzhia nuclear plant"),
    ("actors.us.outside_option", "United States' outside option"),
    ("ratification.ua-referendum-approval.min_utility",
     "Ukraine's ratification: A referendum on a territorial concession passes only if voters "
     "find the package good enough, acceptance threshold (utility)"),
    ("claim:ft-guarantees-for-donbas", "claim: The US will give Ukraine security guarantees "
     "only if Moscow gets control of the entire Donbas"),
])
def test_donbas_names(path, label):
    assert input_label(_donbas(), path) == label


def test_a_rule_with_several_thresholds_names_each_by_issue_and_condition():
    donbas = _donbas()
    gives = input_label(donbas, "linkages.us-weapons-for-withdrawal.gives.at_least")
    only_if = input_label(donbas, "linkages.us-weapons-for-withdrawal.only_if.at_least")
    assert gives.endswith("threshold on Post-deal weapons supply to Ukraine (what it gives)")
    assert only_if.endswith("threshold on Control of the Donbas (its condition)")


def test_width_cuts_the_description_and_keeps_who_and_what():
    short = input_label(_donbas(), "red_lines.ru-ukraine-out-of-donbas.require.at_least",
                        width=48)
    assert short.startswith("Russia's red line: Ukrainian")
    assert short.endswith(f"{ELLIPSIS}, threshold")
    assert len(short) <= 48


def test_an_unknown_path_is_returned_as_it_is():
    assert input_label(_donbas(), "rounds.x.epsilon") == "rounds.x.epsilon"
    assert input_label(_donbas(), "claim:nope") == "claim: nope"


# ---------------------------------------------------------------- random scenarios

VALUES = [0, 20, 50, 80, 100]


def _leaf(draw, issues):
    issue = draw(st.sampled_from(issues))
    kind = draw(st.sampled_from(["at_least", "at_most", "both", "is"]))
    if kind == "is":
        return {"issue": issue, "is": "a"}
    if kind == "both":
        return {"issue": issue, "at_least": {"uniform": [0, 40]}, "at_most": 90}
    return {"issue": issue, kind: {"uniform": [10, 60]}}


def _condition(draw, issues, depth=0):
    if depth < 2 and draw(st.booleans()):
        combo = draw(st.sampled_from(["all", "any", "not"]))
        if combo == "not":
            return {"not": _condition(draw, issues, depth + 1)}
        return {combo: [_condition(draw, issues, depth + 1)
                        for _ in range(draw(st.integers(1, 3)))]}
    return _leaf(draw, issues)


@st.composite
def scenarios(draw):
    n_actors = draw(st.integers(1, 3))
    names = draw(st.lists(st.sampled_from(["Ann", "Bess", "Ann", "Chris"]), min_size=n_actors,
                          max_size=n_actors))
    actors = [{"id": f"a{k}", "name": names[k], "capability": {"uniform": [1, 2]},
               "outside_option": {"uniform": [0, 0.5]}} for k in range(n_actors)]
    issues = [f"i{k}" for k in range(draw(st.integers(1, 3)))]
    issue_specs = [{"id": i, "name": draw(st.sampled_from(["Land", "Money", "Land"])),
                    "options": [{"label": lab, "value": v}
                                for lab, v in zip("abcde", VALUES, strict=True)]}
                   for i in issues]
    positions = {a["id"]: {i: {"position": {"uniform": [0, 100]},
                               "salience": {"uniform": [0.1, 1]},
                               **({"private": 30} if draw(st.booleans()) else {})}
                           for i in issues} for a in actors}
    description = st.sampled_from(["", "Same words", "Same words", "No land."])
    actor = st.sampled_from([a["id"] for a in actors])
    red_lines = [{"id": f"r{k}", "actor": draw(actor), "description": draw(description),
                  draw(st.sampled_from(["never", "require"])): _condition(draw, issues),
                  **({"unless": _condition(draw, issues)} if draw(st.booleans()) else {})}
                 for k in range(draw(st.integers(0, 3)))]
    linkages = [{"id": f"l{k}", "actor": draw(actor), "description": draw(description),
                 "gives": _condition(draw, issues), "only_if": _condition(draw, issues)}
                for k in range(draw(st.integers(0, 2)))]
    ratification = [{"id": f"q{k}", "actor": draw(actor), "when": _condition(draw, issues),
                     "requires": _condition(draw, issues),
                     "min_utility": {"uniform": [0.2, 0.6]}}
                    for k in range(draw(st.integers(0, 2)))]
    claims = [{"id": f"c{k}", "text": draw(st.sampled_from(["It is so.", "It is so.", "x"]))}
              for k in range(draw(st.integers(0, 2)))]
    return {"actors": actors, "issues": issue_specs, "positions": positions,
            "red_lines": red_lines, "linkages": linkages, "ratification": ratification,
            "claims": claims}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_scenarios_name_every_path_distinctly(data):
    scenario = build_scenario(data, name="random.yaml")
    _check_total_and_distinct(scenario)
