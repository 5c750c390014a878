"""Turn a validated :class:`Scenario` into numbers: one :class:`Domain`, or a batch of draws.

Compilation is batched from the start: every numeric input becomes an array with a leading draw
axis (length 1 for the deterministic analysis, where a distribution gives its point value: the
mean of the distribution a sweep draws from). The same code therefore serves ``redline
analyze`` and Monte Carlo sweeps.

Utilities (the convention, see docs/concepts.md):

* an actor's weight on issue ``i`` is its salience there divided by the sum of its saliences;
* its evaluation of an option is, by default, spatial: ``1 - d / d_max`` after a min-max rescale
  of the distance ``d = |value - ideal|`` over the issue's options, so its best option is worth 1
  and its worst 0 (``ideal`` is the private position when given, else the stated one); an
  explicit ``values`` table replaces this and is used as written;
* ``u(package) = sum_i weight_i * evaluation_i(option_i)``, in [0, 1], 1 at the ideal package.

Claims select a branch: a rule gated with ``claim: X`` applies when X is true, one gated with
``claim_false: X`` when X is false; ``if_true`` overrides apply when X is true.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from redline.errors import ScenarioError, listing
from redline.scenario.distributions import is_uncertain, point
from redline.scenario.labels import numeric_fields
from redline.scenario.model import FIELD_RANGES, MIN_SALIENCE, Scenario
from redline.scenario.model import Condition as ConditionSpec
from redline.space.domain import Condition, Constraint, Domain, IssueSpace
from redline.space.tolerance import THRESHOLD_SLACK, rounded_distance

TRUE, FALSE, UNKNOWN = 1, 0, -1


def field_range(path: str) -> tuple[float, float]:
    """The range of the numeric input at ``path`` (its last component names the field)."""
    return FIELD_RANGES[path.rsplit(".", 1)[-1]]


@dataclass(frozen=True)
class Draws:
    """Values of the uncertain inputs for a batch of draws.

    ``values`` maps an input's path (see :func:`uncertain_inputs`) to ``(size,)`` samples;
    inputs not in it take their point value (:func:`~redline.scenario.distributions.point`).
    ``claims`` maps a claim id to ``(size,)`` truths coded
    1 (true), 0 (false) or -1 (not assumed).
    """

    size: int
    values: Mapping[str, np.ndarray] = field(default_factory=dict)
    claims: Mapping[str, np.ndarray] = field(default_factory=dict)

    def number(self, path: str, raw: object) -> np.ndarray:
        """The input at ``path`` (written ``raw`` in the scenario) in every draw, ``(size,)``: its
        drawn values if it is uncertain and drawn, else its point value."""
        if raw is None:
            raise ValueError(f"no value at {path}")
        if is_uncertain(raw) and path in self.values:
            return np.asarray(self.values[path], dtype=float)
        return np.full(self.size, point(raw, *field_range(path)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class BatchDomain:
    """A batch of domains that share issues and actors; arrays have a leading draw axis."""

    issues: tuple[IssueSpace, ...]
    actors: tuple[str, ...]
    actor_names: tuple[str, ...]
    parties: np.ndarray  # (A,) veto
    tables: tuple[np.ndarray, ...]  # per issue (D, O_i, A)
    disagreement: np.ndarray  # (D, A)
    constraints: tuple[Constraint, ...]  # allowed masks may be (D, O)
    active: np.ndarray  # (D, n_constraints) whether each rule applies in each draw
    capability: np.ndarray  # (D, A)
    position: np.ndarray  # (D, A, I): ideal points used by the analysis
    salience: np.ndarray  # (D, A, I)
    name: str = ""
    title: str = ""

    @property
    def size(self) -> int:
        """The number of draws."""
        return int(self.disagreement.shape[0])

    def rows(self, start: int, stop: int) -> BatchDomain:
        """Draws ``start:stop`` of the batch (views, no copies): every array's draw axis, the
        rules' per-draw option masks and thresholds included."""
        cut = slice(start, stop)
        return replace(
            self, tables=tuple(t[cut] for t in self.tables),
            disagreement=self.disagreement[cut],
            constraints=tuple(_constraint_rows(c, cut) for c in self.constraints),
            active=self.active[cut], capability=self.capability[cut],
            position=self.position[cut], salience=self.salience[cut])


def _condition_rows(condition: Condition | None, cut: slice) -> Condition | None:
    """``condition`` on the draws ``cut`` (its ``(D, O)`` masks sliced; ``(O,)`` ones kept)."""
    if condition is None:
        return None
    allowed = condition.allowed
    if allowed is not None and allowed.ndim == 2:
        allowed = allowed[cut]
    return replace(condition, allowed=allowed,
                   children=tuple(_condition_rows(c, cut) for c in condition.children))


def _constraint_rows(constraint: Constraint, cut: slice) -> Constraint:
    """``constraint`` on the draws ``cut`` (per-draw masks and thresholds sliced)."""
    threshold = constraint.min_utility
    if isinstance(threshold, np.ndarray) and threshold.ndim == 2:
        threshold = threshold[cut]
    return replace(constraint, violated_if=_condition_rows(constraint.violated_if, cut),
                   unless=_condition_rows(constraint.unless, cut), min_utility=threshold)


# ---------------------------------------------------------------- claims and paths

def claim_codes(scenario: Scenario, assume: Mapping[str, bool] | None = None) -> dict:
    """Each claim's truth in the analysed branch: True, False, or None (not assumed)."""
    assume = dict(assume or {})
    known = {c.id for c in scenario.claims}
    unknown = sorted(set(assume) - known)
    if unknown:
        names = listing(sorted(known)) or "none"
        raise ScenarioError(f"unknown claim {unknown[0]!r}", field="--assume",
                            hint=f"the claims are {names}")
    return {c.id: assume.get(c.id, c.assumed) for c in scenario.claims}


claim_truths = claim_codes


def deterministic_draws(scenario: Scenario, assume: Mapping[str, bool] | None = None) -> Draws:
    """The one draw of the deterministic analysis: every input at its point value, claims as
    assumed."""
    truths = claim_codes(scenario, assume)
    code = {True: TRUE, False: FALSE, None: UNKNOWN}
    return Draws(1, {}, {k: np.array([code[v]]) for k, v in truths.items()})


def numeric_inputs(scenario: Scenario) -> Iterator[tuple[str, object, float, float]]:
    """Every numeric input as ``(path, value, low, high)`` in a fixed order; ``[low, high]`` is
    the field's range (:data:`redline.scenario.model.FIELD_RANGES`). The paths and their order
    are :func:`redline.scenario.labels.numeric_fields`' (which also names them)."""
    for path, value, _ in numeric_fields(scenario):
        yield (path, value, *field_range(path))


def uncertain_inputs(scenario: Scenario) -> list[tuple[str, object, float, float]]:
    """The inputs given as distributions, in a fixed order."""
    return [item for item in numeric_inputs(scenario) if is_uncertain(item[1])]


# ---------------------------------------------------------------- compilation

def issue_spaces(scenario: Scenario) -> tuple[IssueSpace, ...]:
    """The numeric issue spaces of a scenario's issues (labels and 0-100 values)."""
    out = []
    for issue in scenario.issues:
        pairs = issue.option_values()
        out.append(IssueSpace(
            id=issue.id, name=issue.name, labels=tuple(lab for lab, _ in pairs),
            values=np.array([v for _, v in pairs], dtype=float),
        ))
    return tuple(out)


def spatial_evaluation(values: np.ndarray, ideal: np.ndarray | float) -> np.ndarray:
    """Evaluations in [0, 1] of options at ``values`` for ideal points ``ideal``.

    ``ideal`` may be a number or an array; the options run along a new last axis. Distances
    are compared after rounding (:func:`redline.space.tolerance.rounded_distance`), so options
    equally far from the ideal are worth the same, and all are worth 1 when all are equally far.
    """
    distance = rounded_distance(np.abs(values - np.asarray(ideal, dtype=float)[..., None]))
    # The extremes over the few options one option at a time: numpy reduces a short trailing
    # axis several times slower (the same numbers).
    far, near = distance[..., :1].copy(), distance[..., :1].copy()
    for k in range(1, distance.shape[-1]):
        np.maximum(far, distance[..., k:k + 1], out=far)
        np.minimum(near, distance[..., k:k + 1], out=near)
    spread = far - near
    safe = np.where(spread > 0, spread, 1.0)
    return np.where(spread > 0, (far - distance) / safe, 1.0)


def issue_sum(values: np.ndarray) -> np.ndarray:
    """``values.sum(axis=-1)`` over a few issues, bit for bit, without numpy's slow reduction
    of a short trailing axis: below 8 terms numpy adds them one after the other, and so do we
    (from 8 on it sums pairwise, and numpy's own sum is used)."""
    n = values.shape[-1]
    if n == 0 or n >= 8:
        return values.sum(axis=-1)
    total = values[..., 0].copy()
    for k in range(1, n):
        total += values[..., k]
    return total


def compile_batch(scenario: Scenario, draws: Draws) -> BatchDomain:
    """Compile ``scenario`` for every draw of ``draws`` at once."""
    size = draws.size
    actors = [a.id for a in scenario.actors]
    issue_ids = [i.id for i in scenario.issues]
    issues = issue_spaces(scenario)
    truth = {c.id: np.broadcast_to(draws.claims.get(c.id, np.full(size, UNKNOWN)), (size,))
             for c in scenario.claims}

    capability = np.stack([draws.number(f"actors.{a.id}.capability", a.capability)
                           for a in scenario.actors], axis=1)
    outside = np.stack([draws.number(f"actors.{a.id}.outside_option", a.outside_option)
                        for a in scenario.actors], axis=1)
    ideal = np.zeros((size, len(actors), len(issue_ids)))
    stated = np.zeros_like(ideal)
    salience = np.zeros_like(ideal)
    for a, actor in enumerate(actors):
        for i, issue in enumerate(issue_ids):
            stance = scenario.positions[actor][issue]
            base = f"positions.{actor}.{issue}"
            stated[:, a, i] = draws.number(f"{base}.position", stance.position)
            ideal[:, a, i] = (draws.number(f"{base}.private", stance.private)
                              if stance.private is not None else stated[:, a, i])
            salience[:, a, i] = draws.number(f"{base}.salience", stance.salience)
    actor_index = {a: k for k, a in enumerate(actors)}
    issue_index = {i: k for k, i in enumerate(issue_ids)}
    for claim in scenario.claims:
        on = truth[claim.id] == TRUE
        for ov in claim.if_true:
            a = actor_index[ov.actor]
            if ov.outside_option is not None:
                outside[:, a] = np.where(on, ov.outside_option, outside[:, a])
            if ov.issue is None:
                continue
            i = issue_index[ov.issue]
            if ov.position is not None:
                ideal[:, a, i] = np.where(on, ov.position, ideal[:, a, i])
                stated[:, a, i] = np.where(on, ov.position, stated[:, a, i])
            if ov.salience is not None:
                salience[:, a, i] = np.where(on, ov.salience, salience[:, a, i])

    # A sampled salience too small to square without underflow counts as 0 (validation refuses
    # such a plain number).
    salience = np.where(salience < MIN_SALIENCE, 0.0, salience)
    total = issue_sum(salience)  # (D, A)
    if (total <= 0).any():
        d, a = np.argwhere(total <= 0)[0]
        raise ScenarioError(f"actor {actors[a]!r} has zero salience on every issue"
                            + (f" in draw {d}" if size > 1 else " in this claim branch"),
                            field=f"positions.{actors[a]}")
    weights = salience / total[:, :, None]
    tables = []
    for i, (issue, space) in enumerate(zip(scenario.issues, issues, strict=True)):
        table = np.empty((size, space.size, len(actors)))
        for a, actor in enumerate(actors):
            explicit = scenario.positions[actor][issue.id].values
            if explicit is not None:
                evaluation = np.array([explicit[label] for label in space.labels], dtype=float)
            else:
                column = ideal[:, a, i]
                if size > 1 and (column == column[0]).all():  # the same in every draw
                    column = column[:1]
                evaluation = spatial_evaluation(space.values, column)  # (D or 1, O)
            table[:, :, a] = weights[:, a, i][:, None] * evaluation
        tables.append(table)

    constraints: list[Constraint] = []
    active: list[np.ndarray] = []

    def gate(rule) -> np.ndarray:
        on = np.ones(size, dtype=bool)
        if rule.claim is not None:
            on &= truth[rule.claim] == TRUE
        if rule.claim_false is not None:
            on &= truth[rule.claim_false] == FALSE
        return on

    def cond(spec: ConditionSpec | None, path: str) -> Condition | None:
        return None if spec is None else compile_condition(spec, issues, issue_index, draws,
                                                           path)

    for rule in scenario.red_lines:
        path = f"red_lines.{rule.id}"
        violated = (cond(rule.never, f"{path}.never") if rule.never is not None
                    else Condition("not", children=(cond(rule.require, f"{path}.require"),)))
        constraints.append(Constraint(rule.id, "red_line", actor_index[rule.actor],
                                      rule.description, violated,
                                      unless=cond(rule.unless, f"{path}.unless")))
        active.append(gate(rule))
    for rule in scenario.linkages:
        path = f"linkages.{rule.id}"
        constraints.append(Constraint(rule.id, "linkage", actor_index[rule.actor],
                                      rule.description, cond(rule.gives, f"{path}.gives"),
                                      unless=cond(rule.only_if, f"{path}.only_if")))
        active.append(gate(rule))
    for rule in scenario.ratification:
        path = f"ratification.{rule.id}"
        when = cond(rule.when, f"{path}.when")
        if rule.requires is not None:
            constraints.append(Constraint(rule.id, "ratification", actor_index[rule.actor],
                                          rule.description, when,
                                          unless=cond(rule.requires, f"{path}.requires")))
            active.append(gate(rule))
        if rule.min_utility is not None:
            threshold = draws.number(f"{path}.min_utility", rule.min_utility)
            shown = point(rule.min_utility, *FIELD_RANGES["min_utility"])
            constraints.append(Constraint(
                rule.id + (":approval" if rule.requires is not None else ""), "ratification",
                actor_index[rule.actor],
                (rule.description or "ratification") + f" (needs utility >= {shown:g})",
                when, min_utility=threshold[:, None] if is_uncertain(rule.min_utility)
                and size > 1 else float(threshold[0])))
            active.append(gate(rule))

    return BatchDomain(
        issues=issues,
        actors=tuple(actors),
        actor_names=tuple(a.name for a in scenario.actors),
        parties=np.array([a.has_veto for a in scenario.actors]),
        tables=tuple(tables),
        disagreement=outside,
        constraints=tuple(constraints),
        active=np.stack(active, axis=1) if active else np.zeros((size, 0), dtype=bool),
        capability=capability,
        position=ideal,
        salience=salience,
        name=scenario.scenario.id,
        title=scenario.scenario.title,
    )


def compile_condition(spec: ConditionSpec, issues: tuple[IssueSpace, ...],
                      index: Mapping[str, int], draws: Draws | None = None,
                      path: str = "") -> Condition:
    """Compile a condition into option masks; uncertain thresholds give ``(D, O)`` masks."""
    draws = draws or Draws(1)
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
            for key, keep in (("at_least", np.greater_equal), ("at_most", np.less_equal)):
                value = getattr(spec, key)
                if value is None:
                    continue
                if is_uncertain(value) and draws.size > 1:
                    limit = draws.number(f"{path}.{key}", value)[:, None]
                else:
                    limit = draws.number(f"{path}.{key}", value)[0]
                slack = THRESHOLD_SLACK if key == "at_least" else -THRESHOLD_SLACK
                allowed = allowed & keep(space.values + slack, limit)
        return Condition("in", issue=k, allowed=np.asarray(allowed, dtype=bool))
    if spec.all is not None:
        return Condition("all", children=tuple(
            compile_condition(c, issues, index, draws, f"{path}.all[{j}]")
            for j, c in enumerate(spec.all)))
    if spec.any is not None:
        return Condition("any", children=tuple(
            compile_condition(c, issues, index, draws, f"{path}.any[{j}]")
            for j, c in enumerate(spec.any)))
    assert spec.not_ is not None
    return Condition("not", children=(compile_condition(spec.not_, issues, index, draws,
                                                        f"{path}.not"),))


def to_domain(scenario: Scenario, assume: Mapping[str, bool] | None = None) -> Domain:
    """Compile ``scenario`` (in the claim branch ``assume``, point values for distributions)."""
    truths = claim_codes(scenario, assume)
    batch = compile_batch(scenario, deterministic_draws(scenario, assume))
    keep = np.flatnonzero(batch.active[0])
    return Domain(
        issues=batch.issues,
        actors=batch.actors,
        actor_names=batch.actor_names,
        tables=tuple(t[0] for t in batch.tables),
        disagreement=batch.disagreement[0],
        parties=batch.parties,
        constraints=tuple(batch.constraints[k] for k in keep),
        name=batch.name,
        notes={"claims": dict(truths), "title": batch.title},
    )
