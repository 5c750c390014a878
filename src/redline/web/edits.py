"""The editor form: which numbers of a scenario the web app lets people change, and how a
submitted form becomes a new scenario.

The form edits a scenario's plain data (its validated model dumped back to the shape of the YAML
file): ideal points and saliences, outside options, the numeric thresholds (``at_least`` /
``at_most``) of red lines, linkages and ratification steps, and each claim's probability and
assumed branch. The changed values are written into the scenario's own text
(:mod:`redline.web.yaml_edit`, which keeps comments and layout), and the text is validated by
:func:`redline.scenario.load.parse_scenario`, exactly as a file on disk would be; nothing is
evaluated. A field left blank keeps its value; an input given as a distribution shows it and is
replaced only when a number is typed.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from redline.errors import RedlineError, ScenarioError
from redline.report.markup import fmt_number
from redline.scenario.distributions import is_uncertain
from redline.scenario.labels import CLAIM_PREFIX, input_labels
from redline.scenario.load import dotted, parse_scenario
from redline.scenario.model import Condition, Scenario
from redline.web import yaml_edit
from redline.web.yaml_edit import REMOVE

RULE_GROUPS = (("red_lines", "red line"), ("linkages", "linkage"),
               ("ratification", "ratification"))
CONDITION_KEYS = ("never", "require", "unless", "gives", "only_if", "when", "requires")
ASSUMED = {"": None, "true": True, "false": False}


class FieldError(RedlineError):
    """A bad value in one input of the form; ``input_name`` is the input's name."""

    def __init__(self, message: str, *, field: str, input_name: str) -> None:
        super().__init__(message, field=field)
        self.input_name = input_name


@dataclass(frozen=True)
class NumberField:
    """One numeric input of the form."""

    name: str  # form field name
    label: str
    path: tuple  # where the value lives in the scenario's data
    value: float | None  # the current plain number; None when it is a distribution
    shown: str  # the current value as text (a distribution's YAML form)
    low: float
    high: float
    step: str = "any"
    blank_means: str = "keep"  # "keep" or "remove" (a claim probability derived from sources)


@dataclass(frozen=True)
class ClaimField:
    """A claim's row of the edit form: its probability and its assumed branch."""
    index: int
    id: str
    text: str
    probability: NumberField
    assumed_name: str
    assumed: bool | None


@dataclass(frozen=True)
class EditForm:
    """Every editable field of a scenario, grouped the way the page shows them."""

    stances: tuple[tuple[str, str, tuple[tuple[str, NumberField, NumberField], ...]], ...]
    outside_options: tuple[tuple[str, NumberField], ...]
    thresholds: tuple[tuple[str, str, str, NumberField], ...]  # kind, rule id, description
    claims: tuple[ClaimField, ...]

    def number_fields(self) -> Iterator[NumberField]:
        """Every stance's number fields (ideal point, salience), in form order."""
        for _actor, _name, cells in self.stances:
            for _issue, ideal, salience in cells:
                yield ideal
                yield salience
        for _actor, out in self.outside_options:
            yield out
        for _kind, _rule, _description, threshold in self.thresholds:
            yield threshold
        for claim in self.claims:
            yield claim.probability

    def input_for(self, field: str | None) -> NumberField | None:
        """The input that a scenario error's ``field`` (a dotted path such as
        ``positions.ukraine.donbas.salience`` or ``actors[0].outside_option``) is about: the
        one with the longest path that starts the field, or ``None``."""
        if not field:
            return None
        best: NumberField | None = None
        for f in self.number_fields():
            path = dotted(f.path)
            if (field == path or field.startswith((path + ".", path + "["))) and (
                    best is None or len(path) > len(dotted(best.path))):
                best = f
        return best


def scenario_data(scenario: Scenario) -> dict:
    """The scenario as plain data shaped like its YAML (fields the file did not set omitted)."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _shown(value: Any, field: str) -> str:
    """A value as the form shows it: a distribution as the report writes it, with the point
    value the analysis uses for ``field`` (``salience``, ``at_least``, ...)."""
    return "" if value is None else fmt_number(value, field)


def _field(name: str, label: str, path: tuple, value: Any, low: float, high: float,
           blank_means: str = "keep") -> NumberField:
    plain = None if value is None or is_uncertain(value) else float(value)
    return NumberField(name=name, label=label, path=path, value=plain,
                       shown=_shown(value, path[-1]),
                       low=low, high=high, blank_means=blank_means)


def _thresholds(cond: Condition | None, path: tuple) -> Iterator[tuple[tuple, Any]]:
    if cond is None:
        return
    for key in ("at_least", "at_most"):
        value = getattr(cond, key)
        if value is not None:
            yield (*path, key), value
    for key, group in (("all", cond.all), ("any", cond.any)):
        for j, child in enumerate(group or []):
            yield from _thresholds(child, (*path, key, j))
    if cond.not_ is not None:
        yield from _thresholds(cond.not_, (*path, "not"))


def label_path(path: tuple) -> str:
    """A form field's data path as :mod:`redline.scenario.labels` names inputs: rules and
    actors by id, ``all``/``any`` entries as ``[j]`` (``("red_lines", "ru-x", "require",
    "at_least")`` → ``"red_lines.ru-x.require.at_least"``)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def edit_form(scenario: Scenario) -> EditForm:
    """The form's fields for ``scenario``. Field names use positions in the file (actor 0,
    issue 2, ...), so they stay valid for the scenario the form was made from; labels are the
    readable names of :func:`redline.scenario.labels.input_label` ("Russia's red line:
    Ukrainian forces leave the Donbas, threshold"), never a YAML path."""
    issues = scenario.issues
    wanted: list[str] = []  # the label paths, in form order, named in one call below
    for actor in scenario.actors:
        for issue in issues:
            stance = scenario.positions[actor.id][issue.id]
            key = "private" if stance.private is not None else "position"
            wanted += [f"positions.{actor.id}.{issue.id}.{key}",
                       f"positions.{actor.id}.{issue.id}.salience"]
        wanted.append(f"actors.{actor.id}.outside_option")
    rule_paths = []
    for group, _kind in RULE_GROUPS:
        for r, rule in enumerate(getattr(scenario, group)):
            for key in CONDITION_KEYS:
                for path, value in _thresholds(getattr(rule, key, None), (group, r, key)):
                    named = label_path((group, rule.id, *path[2:]))
                    rule_paths.append((path, value, named))
                    wanted.append(named)
    wanted += [f"{CLAIM_PREFIX}{claim.id}" for claim in scenario.claims]
    names = dict(zip(wanted, input_labels(scenario, wanted), strict=True))

    stances = []
    for a, actor in enumerate(scenario.actors):
        cells = []
        for i, issue in enumerate(issues):
            stance = scenario.positions[actor.id][issue.id]
            key = "private" if stance.private is not None else "position"
            base = f"positions.{actor.id}.{issue.id}"
            ideal = _field(f"pos.{a}.{i}", names[f"{base}.{key}"],
                           ("positions", actor.id, issue.id, key), stance.ideal, 0, 100)
            salience = _field(f"sal.{a}.{i}", names[f"{base}.salience"],
                              ("positions", actor.id, issue.id, "salience"), stance.salience,
                              0, 1)
            cells.append((issue.id, ideal, salience))
        stances.append((actor.id, actor.name, tuple(cells)))
    outside = tuple(
        (actor.id, _field(f"out.{a}", names[f"actors.{actor.id}.outside_option"],
                          ("actors", a, "outside_option"), actor.outside_option, 0, 1))
        for a, actor in enumerate(scenario.actors))
    thresholds = []
    kinds = dict(RULE_GROUPS)
    for k, (path, value, named) in enumerate(rule_paths):
        rule = getattr(scenario, path[0])[path[1]]
        thresholds.append((kinds[path[0]], rule.id, rule.description,
                           _field(f"thr.{k}", names[named], path, value, 0, 100)))
    claims = tuple(
        ClaimField(index=c, id=claim.id, text=claim.text,
                   probability=_field(f"cp.{c}",
                                      f"{names[CLAIM_PREFIX + claim.id]}, probability",
                                      ("claims", c, "probability"), claim.probability, 0, 1,
                                      blank_means="remove"),
                   assumed_name=f"ca.{c}", assumed=claim.assumed)
        for c, claim in enumerate(scenario.claims))
    return EditForm(stances=tuple(stances), outside_options=outside,
                    thresholds=tuple(thresholds), claims=claims)


def _number(text: str, f: NumberField) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FieldError(f"{text[:40]!r} is not a number", field=f.label,
                         input_name=f.name) from None
    if not math.isfinite(value):
        raise FieldError("the value must be a finite number", field=f.label, input_name=f.name)
    return value


def _tidy(value: float) -> float | int:
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _set(data: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    if value is REMOVE:
        if isinstance(data, dict):
            data.pop(path[-1], None)
    else:
        data[path[-1]] = value


def form_changes(scenario: Scenario, form: Mapping[str, str]) -> list[tuple[tuple, Any]]:
    """What the form changes: ``(path, new value)`` pairs, the value :data:`REMOVE` for a key
    to delete (a claim probability left blank, to be derived from its sources again).

    Raises :class:`FieldError` naming the field and its input when a value is not a number.
    """
    changes: list[tuple[tuple, Any]] = []
    fields = edit_form(scenario)
    for f in fields.number_fields():
        raw = form.get(f.name)
        if raw is None:
            continue
        text = str(raw).strip()
        if not text:
            if f.blank_means == "remove" and f.value is not None:
                changes.append((f.path, REMOVE))
            continue
        value = _number(text, f)
        if f.value is not None and value == f.value:
            continue
        changes.append((f.path, _tidy(value)))
    for claim in fields.claims:
        raw = form.get(claim.assumed_name)
        if raw is None:
            continue
        key = str(raw).strip().lower()
        if key not in ASSUMED:
            raise FieldError(f"{raw[:20]!r}: expected true, false or blank",
                             field=f"{claim.id}: assumed", input_name=claim.assumed_name)
        if ASSUMED[key] != claim.assumed:
            changes.append((("claims", claim.index, "assumed"), ASSUMED[key]))
    return changes


def apply_edits(scenario: Scenario, form: Mapping[str, str]) -> tuple[dict, bool]:
    """The scenario's data with the form's values; the flag says whether anything changed.

    Raises :class:`FieldError` naming the field and its input when a value is not a number.
    """
    return _applied(scenario, form_changes(scenario, form))


def _applied(scenario: Scenario, changes: list[tuple[tuple, Any]]) -> tuple[dict, bool]:
    """The scenario's data with ``changes`` set, and whether that differs from the scenario's.
    Only the containers on a changed path are copied; the rest is shared with the original,
    which stays as it was."""
    original = scenario_data(scenario)
    data = copy.copy(original)
    fresh = {id(data)}  # the containers copied so far (safe to change)
    for path, value in changes:
        node = data
        for part in path[:-1]:
            child = node[part]
            if id(child) not in fresh:
                child = copy.copy(child)
                node[part] = child
                fresh.add(id(child))
            node = child
        _set(node, path[-1:], value)
    return data, data != original


def to_yaml(data: dict, *, source: str = "") -> str:
    """YAML text of scenario data (safe dumper; the order of the keys is kept)."""
    header = "# Edited in the Redline web app"
    header += f" from {source}.\n" if source else ".\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100,
                                   default_flow_style=False)


def edited_scenario(scenario: Scenario, yaml_text: str, form: Mapping[str, str], *,
                    name: str) -> tuple[Scenario, str]:
    """Apply the form to ``scenario`` (read from ``yaml_text``): the new scenario and its
    YAML text.

    The text is ``yaml_text`` with only the changed values rewritten
    (:func:`redline.web.yaml_edit.patch`): comments, layout and every other value stay as
    written, so two saved versions differ only where the form changed them. When that text
    would not hold exactly the edited data (a value shared through an alias, say), the data
    is written out in full instead (:func:`to_yaml`). Unchanged scenarios keep their text.
    """
    changes = form_changes(scenario, form)
    data, changed = _applied(scenario, changes)
    if not changed:
        return scenario, yaml_text
    patched = yaml_edit.patch(yaml_text, changes, name)
    if patched is not None:
        try:
            edited = parse_scenario(patched, name)
        except ScenarioError:
            pass  # an invalid value: the full text below reports it
        else:
            if scenario_data(edited) == data:
                return edited, patched
    text = to_yaml(data, source=name)
    try:
        return parse_scenario(text, name), text
    except ScenarioError as error:
        error.line = None  # the line of the generated text means nothing to the user
        raise
