"""Turn a validated :class:`Scenario` into the numeric :class:`Domain` the engine works on.

Utilities (the convention, see docs/concepts.md):

* an actor's weight on issue ``i`` is its salience there divided by the sum of its saliences;
* its evaluation of an option is, by default, spatial: ``1 - d / d_max`` after a min-max rescale
  of the distance ``d = |value - position|`` over the issue's options, so its best option is
  worth 1 and its worst 0; an explicit ``values`` table replaces this and is used as written;
* ``u(package) = sum_i weight_i * evaluation_i(option_i)``, which lies in [0, 1] and is 1 at the
  actor's ideal package.

Claims select a branch: a rule gated with ``claim: X`` applies when X is taken as true, one gated
with ``claim_false: X`` when X is taken as false; ``if_true`` overrides apply when X is true.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from redline.errors import ScenarioError
from redline.scenario.model import Condition as ConditionSpec
from redline.scenario.model import Scenario, Stance
from redline.space.domain import Condition, Constraint, Domain, IssueSpace


def claim_truths(scenario: Scenario, assume: Mapping[str, bool] | None = None) -> dict:
    """Each claim's truth in the analysed branch: True, False, or None (not assumed)."""
    assume = dict(assume or {})
    known = {c.id for c in scenario.claims}
    unknown = sorted(set(assume) - known)
    if unknown:
        listing = ", ".join(sorted(known)) or "none"
        raise ScenarioError(
            f"--assume names unknown claim {unknown[0]!r} (claims: {listing})",
            field="assume",
        )
    return {c.id: assume.get(c.id, c.assumed) for c in scenario.claims}


def effective_stances(scenario: Scenario, truths: Mapping[str, bool | None]) -> dict:
    """positions[actor][issue] after the overrides of the claims taken as true."""
    stances: dict[str, dict[str, Stance]] = {
        a: dict(issues) for a, issues in scenario.positions.items()
    }
    for claim in scenario.claims:
        if truths.get(claim.id) is not True:
            continue
        for ov in claim.if_true:
            if ov.issue is None:
                continue
            old = stances[ov.actor][ov.issue]
            update = {k: v for k, v in (("position", ov.position), ("salience", ov.salience))
                      if v is not None}
            stances[ov.actor][ov.issue] = old.model_copy(update=update)
    return stances


def outside_options(scenario: Scenario, truths: Mapping[str, bool | None]) -> np.ndarray:
    values = {a.id: a.outside_option for a in scenario.actors}
    for claim in scenario.claims:
        if truths.get(claim.id) is True:
            for ov in claim.if_true:
                if ov.outside_option is not None:
                    values[ov.actor] = ov.outside_option
    return np.array([values[a.id] for a in scenario.actors], dtype=float)


def issue_spaces(scenario: Scenario) -> tuple[IssueSpace, ...]:
    out = []
    for issue in scenario.issues:
        pairs = issue.option_values()
        out.append(IssueSpace(
            id=issue.id, name=issue.name, labels=tuple(lab for lab, _ in pairs),
            values=np.array([v for _, v in pairs], dtype=float),
        ))
    return tuple(out)


def spatial_evaluation(values: np.ndarray, position: float) -> np.ndarray:
    """Evaluations in [0, 1] of options at ``values`` for an ideal point ``position``."""
    distance = np.abs(values - position)
    spread = distance.max() - distance.min()
    if spread <= 0:
        return np.ones_like(values)
    return (distance.max() - distance) / spread


def to_domain(scenario: Scenario, assume: Mapping[str, bool] | None = None) -> Domain:
    """Compile ``scenario`` (in the claim branch ``assume``) into a :class:`Domain`."""
    truths = claim_truths(scenario, assume)
    stances = effective_stances(scenario, truths)
    issues = issue_spaces(scenario)
    actor_ids = [a.id for a in scenario.actors]
    n = len(actor_ids)
    tables = [np.zeros((space.size, n)) for space in issues]
    for a, actor_id in enumerate(actor_ids):
        sal = np.array([stances[actor_id][i.id].salience for i in scenario.issues])
        if sal.sum() <= 0:
            raise ScenarioError(f"actor {actor_id!r} has zero salience on every issue "
                                "in this claim branch", field=f"positions.{actor_id}")
        weights = sal / sal.sum()
        for k, (issue, space) in enumerate(zip(scenario.issues, issues, strict=True)):
            stance = stances[actor_id][issue.id]
            if stance.values is not None:
                evaluation = np.array([stance.values[lab] for lab in space.labels], dtype=float)
            else:
                evaluation = spatial_evaluation(space.values, stance.position)
            tables[k][:, a] = weights[k] * evaluation

    index = {space.id: k for k, space in enumerate(issues)}
    actor_index = {a: k for k, a in enumerate(actor_ids)}

    def active(rule) -> bool:
        if rule.claim is not None and truths.get(rule.claim) is not True:
            return False
        if rule.claim_false is not None and truths.get(rule.claim_false) is not False:
            return False
        return True

    constraints: list[Constraint] = []
    for rule in scenario.red_lines:
        if not active(rule):
            continue
        violated = (compile_condition(rule.never, issues, index) if rule.never is not None
                    else Condition("not", children=(compile_condition(rule.require, issues,
                                                                      index),)))
        constraints.append(Constraint(
            id=rule.id, kind="red_line", actor=actor_index[rule.actor],
            description=rule.description, violated_if=violated,
            unless=compile_condition(rule.unless, issues, index) if rule.unless else None,
        ))
    for rule in scenario.linkages:
        if not active(rule):
            continue
        constraints.append(Constraint(
            id=rule.id, kind="linkage", actor=actor_index[rule.actor],
            description=rule.description,
            violated_if=compile_condition(rule.gives, issues, index),
            unless=compile_condition(rule.only_if, issues, index),
        ))
    for rule in scenario.ratification:
        if not active(rule):
            continue
        when = compile_condition(rule.when, issues, index)
        if rule.requires is not None:
            constraints.append(Constraint(
                id=rule.id, kind="ratification", actor=actor_index[rule.actor],
                description=rule.description, violated_if=when,
                unless=compile_condition(rule.requires, issues, index),
            ))
        if rule.min_utility is not None:
            constraints.append(Constraint(
                id=rule.id + (":approval" if rule.requires is not None else ""),
                kind="ratification", actor=actor_index[rule.actor],
                description=(rule.description or "ratification")
                + f" (needs utility >= {rule.min_utility:g})",
                violated_if=when, min_utility=rule.min_utility,
            ))

    return Domain(
        issues=issues,
        actors=tuple(actor_ids),
        actor_names=tuple(a.name for a in scenario.actors),
        tables=tuple(tables),
        disagreement=outside_options(scenario, truths),
        parties=np.array([a.has_veto for a in scenario.actors]),
        constraints=tuple(constraints),
        name=scenario.scenario.id,
        notes={"claims": dict(truths), "title": scenario.scenario.title},
    )


def compile_condition(spec: ConditionSpec, issues: tuple[IssueSpace, ...],
                      index: Mapping[str, int]) -> Condition:
    """Compile a condition spec into option masks."""
    if spec.issue is not None:
        k = index[spec.issue]
        space = issues[k]
        labels = list(space.labels)
        if spec.is_ is not None:
            allowed = np.array([lab == spec.is_ for lab in labels])
        elif spec.in_ is not None:
            allowed = np.isin(labels, spec.in_)
        elif spec.not_in is not None:
            allowed = ~np.isin(labels, spec.not_in)
        else:
            allowed = np.ones(space.size, dtype=bool)
            if spec.at_least is not None:
                allowed &= space.values >= spec.at_least - 1e-9
            if spec.at_most is not None:
                allowed &= space.values <= spec.at_most + 1e-9
        return Condition("in", issue=k, allowed=np.asarray(allowed, dtype=bool))
    if spec.all is not None:
        return Condition("all", children=tuple(compile_condition(c, issues, index)
                                                for c in spec.all))
    if spec.any is not None:
        return Condition("any", children=tuple(compile_condition(c, issues, index)
                                                for c in spec.any))
    assert spec.not_ is not None
    return Condition("not", children=(compile_condition(spec.not_, issues, index),))
