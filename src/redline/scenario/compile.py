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

import threading
from collections.abc import Iterator, Mapping, Sequence
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
        return self._cut(slice(start, stop))

    def take(self, index: np.ndarray) -> BatchDomain:
        """The draws ``index`` (integers) of the batch, as :meth:`rows` takes a range."""
        return self._cut(np.asarray(index, dtype=np.intp))

    def _cut(self, cut: slice | np.ndarray) -> BatchDomain:
        return replace(
            self, tables=tuple(t[cut] for t in self.tables),
            disagreement=self.disagreement[cut],
            constraints=tuple(_constraint_rows(c, cut) for c in self.constraints),
            active=self.active[cut], capability=self.capability[cut],
            position=self.position[cut], salience=self.salience[cut])


def _condition_rows(condition: Condition | None, cut: slice | np.ndarray
                    ) -> Condition | None:
    """``condition`` on the draws ``cut`` (its ``(D, O)`` masks cut; ``(O,)`` ones kept, and
    a condition without per-draw masks is itself)."""
    if condition is None:
        return None
    allowed = condition.allowed
    if allowed is not None and allowed.ndim == 2:
        allowed = allowed[cut]
    children = tuple(_condition_rows(c, cut) for c in condition.children)
    if allowed is condition.allowed and all(
            mine is theirs for mine, theirs in zip(children, condition.children, strict=True)):
        return condition
    return replace(condition, allowed=allowed, children=children)


def _constraint_rows(constraint: Constraint, cut: slice | np.ndarray) -> Constraint:
    """``constraint`` on the draws ``cut`` (per-draw masks and thresholds cut)."""
    threshold = constraint.min_utility
    if isinstance(threshold, np.ndarray) and threshold.ndim == 2:
        threshold = threshold[cut]
    violated = _condition_rows(constraint.violated_if, cut)
    unless = _condition_rows(constraint.unless, cut)
    if (threshold is constraint.min_utility and violated is constraint.violated_if
            and unless is constraint.unless):
        return constraint
    return replace(constraint, violated_if=violated, unless=unless, min_utility=threshold)


# ---------------------------------------------------------------- claims and paths

def claim_codes(scenario: Scenario, assume: Mapping[str, bool] | None = None) -> dict:
    """Each claim's truth in the analysed branch: True, False, or None (not assumed)."""
    assume = dict(assume or {})
    known = {c.id for c in scenario.claims}
    unknown = sorted(set(assume) - known)
    if unknown:
        names = listing(sorted(known)) or "none"
        raise ScenarioError(f"unknown claim {unknown[0]!r}", parameter="assume",
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


@dataclass(frozen=True)
class _Slot:
    """Where one uncertain input's drawn values go: ``array`` (``capability``, ``outside``,
    ``ideal`` or ``salience``) at actor ``actor`` (and issue ``issue``)."""

    path: str
    array: str
    actor: int
    issue: int = -1


@dataclass(frozen=True)
class _Template:
    """The draw-invariant part of a scenario's compilation, built once per scenario
    (:func:`_template`): every number at its point value, the evaluations of the options at
    the point ideals, and the rules whose option masks no draw changes. A batch of draws then
    copies these and rebuilds only what its drawn inputs and claims change.

    A template of some of the actors (:func:`compile_batch`'s ``actors``) holds only theirs:
    their numbers, their options' evaluations and their own rules (``red_lines``,
    ``linkages``, ``ratification``: the scenario's rules of those actors, in its order)."""

    actors: tuple[str, ...]
    specs: tuple  # the actors' own models, in the scenario's order
    issues: tuple[IssueSpace, ...]
    issue_index: Mapping[str, int]
    capability: np.ndarray  # (A,)
    outside: np.ndarray  # (A,)
    ideal: np.ndarray  # (A, I)
    salience: np.ndarray  # (A, I)
    slots: tuple[_Slot, ...]  # the uncertain inputs
    explicit: np.ndarray  # (A, I) bool: an explicit ``values`` table, used as written
    evaluations: tuple[np.ndarray, ...]  # per issue (O_i, A), at the point ideals
    rules: tuple[Constraint | None, ...]  # per compiled rule: itself if no draw changes it
    red_lines: tuple = ()
    linkages: tuple = ()
    ratification: tuple = ()
    # (issue, position) -> (1, O_i): the evaluations at a claim override's position
    at_overrides: Mapping[tuple[int, float], np.ndarray] = field(default_factory=dict)


_TEMPLATES: dict[tuple[int, tuple[str, ...] | None], tuple[Scenario, _Template]] = {}
_TEMPLATES_LOCK = threading.Lock()
TEMPLATE_CACHE_SIZE = 16
"""Templates kept (:class:`_Template`, per scenario and set of actors; the most recent:
scenarios are frozen, so a template stays valid while its scenario lives)."""


def _uncertain_threshold(spec: ConditionSpec | None) -> bool:
    """Whether a condition has a threshold given as a distribution (its masks vary by draw)."""
    if spec is None:
        return False
    if spec.issue is not None:
        return any(is_uncertain(getattr(spec, key)) for key in ("at_least", "at_most"))
    children = spec.all or spec.any or ([spec.not_] if spec.not_ is not None else [])
    return any(_uncertain_threshold(c) for c in children)


def _template(scenario: Scenario, actors: tuple[str, ...] | None = None) -> _Template:
    """The scenario's :class:`_Template` of the actors ``actors`` (ids; ``None``: all),
    cached per scenario object and set of actors."""
    key = (id(scenario), actors)
    hit = _TEMPLATES.get(key)
    if hit is not None and hit[0] is scenario:
        return hit[1]
    template = _build_template(scenario, actors)
    with _TEMPLATES_LOCK:  # the web app compiles in several threads at once
        while len(_TEMPLATES) >= TEMPLATE_CACHE_SIZE:
            _TEMPLATES.pop(next(iter(_TEMPLATES)))
        _TEMPLATES[key] = (scenario, template)
    return template


def _build_template(scenario: Scenario, only: tuple[str, ...] | None = None) -> _Template:
    one = Draws(1)
    specs = tuple(a for a in scenario.actors if only is None or a.id in only)
    actors = [a.id for a in specs]
    mine = set(actors)
    red_lines = tuple(r for r in scenario.red_lines if r.actor in mine)
    linkages = tuple(r for r in scenario.linkages if r.actor in mine)
    ratification = tuple(r for r in scenario.ratification if r.actor in mine)
    issue_ids = [i.id for i in scenario.issues]
    issues = issue_spaces(scenario)
    slots: list[_Slot] = []
    capability = np.empty(len(actors))
    outside = np.empty(len(actors))
    for a, actor in enumerate(specs):
        for name, raw, target in (("capability", actor.capability, capability),
                                  ("outside_option", actor.outside_option, outside)):
            path = f"actors.{actor.id}.{name}"
            target[a] = one.number(path, raw)[0]
            if is_uncertain(raw):
                slots.append(_Slot(path, "capability" if name == "capability" else "outside",
                                   a))
    shape = (len(actors), len(issue_ids))
    stated, ideal, salience = np.empty(shape), np.empty(shape), np.empty(shape)
    explicit = np.zeros(shape, dtype=bool)
    for a, actor in enumerate(actors):
        for i, issue in enumerate(issue_ids):
            stance = scenario.positions[actor][issue]
            base = f"positions.{actor}.{issue}"
            stated[a, i] = one.number(f"{base}.position", stance.position)[0]
            if is_uncertain(stance.position) and stance.private is None:
                slots.append(_Slot(f"{base}.position", "ideal", a, i))
            if stance.private is not None:
                ideal[a, i] = one.number(f"{base}.private", stance.private)[0]
                if is_uncertain(stance.private):
                    slots.append(_Slot(f"{base}.private", "ideal", a, i))
            else:
                ideal[a, i] = stated[a, i]
            salience[a, i] = one.number(f"{base}.salience", stance.salience)[0]
            if is_uncertain(stance.salience):
                slots.append(_Slot(f"{base}.salience", "salience", a, i))
            explicit[a, i] = stance.values is not None
    evaluations = []
    for i, (issue, space) in enumerate(zip(scenario.issues, issues, strict=True)):
        table = np.empty((space.size, len(actors)))
        for a, actor in enumerate(actors):
            values = scenario.positions[actor][issue.id].values
            if values is not None:
                table[:, a] = [values[label] for label in space.labels]
            else:
                table[:, a] = spatial_evaluation(space.values, ideal[a, i:i + 1])[0]
        table.setflags(write=False)
        evaluations.append(table)
    issue_index = {i: k for k, i in enumerate(issue_ids)}
    at_overrides = {}
    for claim in scenario.claims:
        for ov in claim.if_true:
            if ov.actor in mine and ov.issue is not None and ov.position is not None:
                i = issue_index[ov.issue]
                at = spatial_evaluation(issues[i].values, np.array([ov.position], float))
                at.setflags(write=False)
                at_overrides[i, ov.position] = at
    rules: list[Constraint | None] = []
    for rule in red_lines:
        fixed = not (_uncertain_threshold(rule.never) or _uncertain_threshold(rule.require)
                     or _uncertain_threshold(rule.unless))
        rules.append(_red_line(rule, actors, issues, issue_index, one) if fixed else None)
    for rule in linkages:
        fixed = not (_uncertain_threshold(rule.gives) or _uncertain_threshold(rule.only_if))
        rules.append(_linkage(rule, actors, issues, issue_index, one) if fixed else None)
    for rule in ratification:
        fixed = not (_uncertain_threshold(rule.when) or _uncertain_threshold(rule.requires))
        built = _ratification(rule, actors, issues, issue_index, one)
        if rule.requires is not None:
            rules.append(built[0] if fixed else None)
        if rule.min_utility is not None:
            rules.append(built[-1] if fixed and not is_uncertain(rule.min_utility) else None)
    for array in (capability, outside, ideal, salience, explicit):
        array.setflags(write=False)
    return _Template(tuple(actors), specs, issues, issue_index, capability, outside, ideal,
                     salience, tuple(slots), explicit, tuple(evaluations), tuple(rules),
                     red_lines, linkages, ratification, at_overrides)


def _red_line(rule, actors, issues, index, draws: Draws) -> Constraint:
    path = f"red_lines.{rule.id}"
    violated = (compile_condition(rule.never, issues, index, draws, f"{path}.never")
                if rule.never is not None else
                Condition("not", children=(compile_condition(rule.require, issues, index,
                                                             draws, f"{path}.require"),)))
    unless = (None if rule.unless is None else
              compile_condition(rule.unless, issues, index, draws, f"{path}.unless"))
    return Constraint(rule.id, "red_line", actors.index(rule.actor), rule.description,
                      violated, unless=unless)


def _linkage(rule, actors, issues, index, draws: Draws) -> Constraint:
    path = f"linkages.{rule.id}"
    unless = (None if rule.only_if is None else
              compile_condition(rule.only_if, issues, index, draws, f"{path}.only_if"))
    return Constraint(rule.id, "linkage", actors.index(rule.actor), rule.description,
                      compile_condition(rule.gives, issues, index, draws, f"{path}.gives"),
                      unless=unless)


def _ratification(rule, actors, issues, index, draws: Draws) -> list[Constraint]:
    """A ratification rule's one or two steps (its ``requires``, then its ``min_utility``)."""
    path = f"ratification.{rule.id}"
    when = (None if rule.when is None else
            compile_condition(rule.when, issues, index, draws, f"{path}.when"))
    out = []
    if rule.requires is not None:
        out.append(Constraint(rule.id, "ratification", actors.index(rule.actor),
                              rule.description, when,
                              unless=compile_condition(rule.requires, issues, index, draws,
                                                       f"{path}.requires")))
    if rule.min_utility is not None:
        threshold = draws.number(f"{path}.min_utility", rule.min_utility)
        shown = point(rule.min_utility, *FIELD_RANGES["min_utility"])
        out.append(Constraint(
            rule.id + (":approval" if rule.requires is not None else ""), "ratification",
            actors.index(rule.actor),
            (rule.description or "ratification") + f" (needs utility >= {shown:g})",
            when, min_utility=threshold[:, None] if is_uncertain(rule.min_utility)
            and draws.size > 1 else float(threshold[0])))
    return out


def _rows_where(on: np.ndarray, at: np.ndarray, before: np.ndarray) -> np.ndarray:
    """``np.where(on[:, None], at, before)`` for the row ``at`` ``(1, O)`` and the rows
    ``before`` ``(1, O)`` or ``(D, O)``: the same rows, chosen by one take (numpy's ``where``
    over a short trailing axis is several times slower: 130 us against 15-50 us for 4,096
    draws)."""
    rows = np.concatenate([before, at])
    if before.shape[0] == 1:
        index = on.astype(np.intp)  # row 0 before, row 1 at
    else:
        index = np.arange(on.size)
        index[on] = before.shape[0]
    return np.take(rows, index, axis=0)


def compile_batch(scenario: Scenario, draws: Draws,
                  actors: Sequence[str] | None = None) -> BatchDomain:
    """Compile ``scenario`` for every draw of ``draws`` at once.

    The draw-invariant parts (every number at its point value, the options' evaluations at
    the point ideals, the rules without uncertain thresholds) are compiled once per scenario
    and shared; a batch copies the point values, writes in its drawn inputs and its claims'
    overrides, and evaluates again only the ideal points they change.

    Parameters
    ----------
    scenario
        The scenario.
    draws
        The draws.
    actors
        Compile only these actors (ids; ``None``: every actor): the batch's actor axis holds
        them in the scenario's order, and its rules are only theirs. Each one's utilities,
        outside option and rules are those of the whole compile, bit for bit (an actor's
        numbers depend on its own inputs only), so their verdicts are too (the likelihood of
        the responses of a few actors needs no more). Only their saliences are checked for
        a draw with none on any issue.
    """
    size = draws.size
    chosen = None
    if actors is not None:
        wanted = set(actors)
        if unknown := wanted - {a.id for a in scenario.actors}:
            raise ValueError(f"no actor {sorted(unknown)[0]!r} in the scenario")
        chosen = tuple(a.id for a in scenario.actors if a.id in wanted)
    t = _template(scenario, chosen)
    actors = list(t.actors)
    issues = t.issues
    truth = {c.id: np.broadcast_to(draws.claims.get(c.id, np.full(size, UNKNOWN)), (size,))
             for c in scenario.claims}

    arrays = {"capability": np.repeat(t.capability[None], size, axis=0),
              "outside": np.repeat(t.outside[None], size, axis=0),
              "ideal": np.repeat(t.ideal[None], size, axis=0),
              "salience": np.repeat(t.salience[None], size, axis=0)}
    # The evaluations of the options at the ideal points a draw changes, per (actor, issue):
    # (D or 1, O) rows, each the spatial evaluation at that draw's ideal point.
    evaluated: dict[tuple[int, int], np.ndarray] = {}
    for slot in t.slots:
        if slot.path not in draws.values:
            continue
        values = np.asarray(draws.values[slot.path], dtype=float)
        if slot.issue < 0:
            arrays[slot.array][:, slot.actor] = values
        else:
            arrays[slot.array][:, slot.actor, slot.issue] = values
    ideal = arrays["ideal"]
    for slot in t.slots:
        a, i = slot.actor, slot.issue
        if slot.array == "ideal" and slot.path in draws.values and not t.explicit[a, i]:
            column = ideal[:, a, i]
            if size > 1 and (column == column[0]).all():  # the same in every draw
                column = column[:1]
            evaluated[a, i] = spatial_evaluation(issues[i].values, column)
    capability, outside = arrays["capability"], arrays["outside"]
    salience = arrays["salience"]
    actor_index = {a: k for k, a in enumerate(actors)}
    for claim in scenario.claims:
        on = truth[claim.id] == TRUE
        for ov in claim.if_true:
            if ov.actor not in actor_index:  # an actor not compiled
                continue
            a = actor_index[ov.actor]
            if ov.outside_option is not None:
                outside[:, a] = np.where(on, ov.outside_option, outside[:, a])
            if ov.issue is None:
                continue
            i = t.issue_index[ov.issue]
            if ov.position is not None:
                ideal[:, a, i] = np.where(on, ov.position, ideal[:, a, i])
                if not t.explicit[a, i]:  # the rows at the override's point, row by row
                    before = evaluated.get((a, i), t.evaluations[i][None, :, a])
                    evaluated[a, i] = _rows_where(on, t.at_overrides[i, ov.position], before)
            if ov.salience is not None:
                salience[:, a, i] = np.where(on, ov.salience, salience[:, a, i])

    # A sampled salience too small to square without underflow counts as 0 (validation refuses
    # such a plain number).
    salience = np.where(salience < MIN_SALIENCE, 0.0, salience)
    # Saliences no draw changes (none drawn, no claim overriding them: the likelihood's
    # responders, often) give one row of weights, and every issue whose evaluations no draw
    # changes one row of its table, copied to every draw: the same numbers, bit for bit.
    base = salience[:1] if size > 1 and (salience == salience[:1]).all() else salience
    total = issue_sum(base)  # (D or 1, A)
    if (total <= 0).any():
        d, a = np.argwhere(total <= 0)[0]
        raise ScenarioError(f"actor {actors[a]!r} has zero salience on every issue"
                            + (f" in draw {d}" if size > 1 else " in this claim branch"),
                            field=f"positions.{actors[a]}")
    weights = base / total[:, :, None]
    by_issue = np.ascontiguousarray(weights.transpose(2, 0, 1))  # (I, D or 1, A)
    n_actors = len(actors)
    tables = []
    for i, space in enumerate(issues):
        evaluation = t.evaluations[i][None]  # (1, O, A): the point ideals'
        mine = [(a, e) for (a, k), e in evaluated.items() if k == i]
        if mine:
            evaluation = np.repeat(evaluation, size, axis=0)
            for a, e in mine:
                evaluation[:, :, a] = e
        # weight x evaluation, with the options' weights laid out as the table is (D, O x A):
        # the same products as broadcasting (D, 1, A) against (D, O, A), several times faster.
        table = np.tile(by_issue[i], (1, space.size))
        flat = evaluation.reshape(evaluation.shape[0], space.size * n_actors)
        if table.shape[0] >= flat.shape[0]:
            table *= flat
        else:  # one row of weights, evaluations per draw
            table = np.multiply(table, flat)
        if table.shape[0] < size:  # one row for every draw
            table = np.repeat(table, size, axis=0)
        tables.append(table.reshape(size, space.size, n_actors))

    constraints: list[Constraint] = []
    active: list[np.ndarray] = []

    def gate(rule) -> np.ndarray:
        on = np.ones(size, dtype=bool)
        if rule.claim is not None:
            on &= truth[rule.claim] == TRUE
        if rule.claim_false is not None:
            on &= truth[rule.claim_false] == FALSE
        return on

    fixed = iter(t.rules)
    for rule in t.red_lines:
        constraints.append(next(fixed) or _red_line(rule, actors, issues, t.issue_index, draws))
        active.append(gate(rule))
    for rule in t.linkages:
        constraints.append(next(fixed) or _linkage(rule, actors, issues, t.issue_index, draws))
        active.append(gate(rule))
    for rule in t.ratification:
        steps = [next(fixed) for _ in range((rule.requires is not None)
                                            + (rule.min_utility is not None))]
        if not all(steps):
            built = _ratification(rule, actors, issues, t.issue_index, draws)
            steps = [s or b for s, b in zip(steps, built, strict=True)]
        for step in steps:
            constraints.append(step)
            active.append(gate(rule))

    return BatchDomain(
        issues=issues,
        actors=tuple(actors),
        actor_names=tuple(a.name for a in t.specs),
        parties=np.array([a.has_veto for a in t.specs]),
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
