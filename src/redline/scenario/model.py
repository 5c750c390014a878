"""The scenario format users write: a pydantic v2 model.

A scenario names the actors and issues of a negotiation, each actor's position and salience on
each issue, the red lines, conditional offers (linkages) and ratification steps that reject
packages, each actor's outside option, and the sources and claims behind every judgment.

Cross-references (an actor id in a red line, an option label in a condition) are checked in
:func:`check_references` (after the pydantic model), so a bad file fails with the field that
is wrong.
The JSON Schema of this model (``redline schema``) lets editors autocomplete scenario files.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from redline.errors import listing
from redline.scenario.distributions import Distribution, Normal, Number, is_uncertain

Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=64,
        description="Identifier: letters, digits, '_', '.', '-'.",
    ),
]
Judgment = Literal["reported", "analyst", "official", "estimate"]


MAX_OPTIONS_PER_ISSUE = 100_000
MIN_CAPABILITY = 1e-9
MAX_CAPABILITY = 1e15
MIN_SALIENCE = 1e-9

# The range of every numeric field that may hold a distribution. Capabilities are bounded so
# that sums and products of capabilities and saliences (in the forecast models) can neither
# overflow nor underflow; a nonzero salience below MIN_SALIENCE would underflow when squared.
FIELD_RANGES: dict[str, tuple[float, float]] = {
    "capability": (MIN_CAPABILITY, MAX_CAPABILITY),
    "outside_option": (0.0, 1.0),
    "position": (0.0, 100.0),
    "private": (0.0, 100.0),
    "salience": (0.0, 1.0),
    "at_least": (0.0, 100.0),
    "at_most": (0.0, 100.0),
    "min_utility": (0.0, 1.0),
}


def check_range(value: object, name: str) -> None:
    """Raise ValueError unless ``value`` (a number or a distribution) lies in field ``name``'s
    range (:data:`FIELD_RANGES`).

    A distribution's whole support must lie in the range; a normal without ``low`` or ``high``
    is truncated to the range when drawn, so that side always fits. A plain salience must be 0
    or at least :data:`MIN_SALIENCE` (a sampled one below it counts as 0).
    """
    if value is None:
        return
    low, high = FIELD_RANGES[name]
    if is_uncertain(value):
        lo, hi = value.support()  # type: ignore[union-attr]
        if isinstance(value, Normal):  # a missing bound is the field's own
            spec = value.normal
            lo = low if spec.low is None else spec.low
            hi = high if spec.high is None else spec.high
        what = f"support [{lo:g}, {hi:g}]"
    else:
        lo = hi = float(value)  # type: ignore[arg-type]
        what = f"{lo:g}"
    if lo < low or hi > high:
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], got {what}")
    if name == "salience" and not is_uncertain(value) and 0 < lo < MIN_SALIENCE:
        raise ValueError(f"salience must be 0 or at least {MIN_SALIENCE:g}, got {lo:g}")


class Strict(BaseModel):
    """The base of the scenario's models: no unknown fields, frozen, finite numbers only."""
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)



def _date_as_text(value):
    """YAML reads an unquoted ``2026-11-30`` as a date: keep it as its ISO text."""
    return value.isoformat() if isinstance(value, datetime.date) else value


#: A free-form date text ("2026-01", "2026-11-30"); an unquoted YAML date is accepted too.
DateText = Annotated[str | None, BeforeValidator(_date_as_text)]

class Meta(Strict):
    """What the scenario is: an id, a title, a description and the as-of date."""
    id: Id = "scenario"
    title: str = ""
    description: str = ""
    date: DateText = Field(None, description="As-of date of the judgments (ISO 8601).")


class Source(Strict):
    """Where a judgment comes from, and how reliable it is."""
    id: Id
    name: str
    kind: Literal["press", "official", "interview", "analyst", "dataset", "other"] = "other"
    reliability: float | None = Field(
        None, ge=0, le=1,
        description="Probability that what this source reports is true (default 0.5: "
        "uninformative). Claims without a probability derive one from it.",
    )
    date: DateText = None
    url: str | None = None
    note: str = ""


class Actor(Strict):
    """A party, mediator or stakeholder: its clout, veto and outside option."""
    id: Id
    name: str
    role: Literal["party", "mediator", "stakeholder"] = "party"
    capability: Number = Field(description="Clout: relative power to shape the outcome, in any "
                               f"unit, from {MIN_CAPABILITY:g} to {MAX_CAPABILITY:g}.")
    veto: bool | None = Field(
        None,
        description="Whether a deal needs this actor's acceptance. Default: parties and "
        "mediators yes, stakeholders no.",
    )
    outside_option: Number = Field(
        0.0,
        description="Utility of no deal (BATNA) on the 0-1 utility scale. A package worth less "
        "is unacceptable to this actor.",
    )
    judgment: Judgment = "analyst"
    sources: list[Id] = []
    note: str = ""

    @field_validator("capability")
    @classmethod
    def _capability(cls, value):
        check_range(value, "capability")
        return value

    @field_validator("outside_option")
    @classmethod
    def _outside(cls, value):
        check_range(value, "outside_option")
        return value

    @property
    def has_veto(self) -> bool:
        """Whether a deal needs this actor: ``veto`` if given, else every role but stakeholder."""
        return self.veto if self.veto is not None else self.role != "stakeholder"


class Option(Strict):
    """One option of an issue: a label and its place on the 0-100 scale."""
    label: str = Field(min_length=1, max_length=80)
    value: float = Field(ge=0, le=100, description="Position on the issue's 0-100 scale.")
    description: str = ""


class Scale(Strict):
    """A continuous issue: a grid from ``low`` to ``high`` with ``step``."""
    step: float = Field(gt=0, le=100, description="Grid step on the 0-100 scale.")
    low: float = Field(0, ge=0, le=100)
    high: float = Field(100, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        count = (self.high - self.low) / self.step + 1
        if count > MAX_OPTIONS_PER_ISSUE:
            raise ValueError(
                f"step {self.step:g} gives {count:,.0f} options, above the limit of "
                f"{MAX_OPTIONS_PER_ISSUE:,}; use a coarser step"
            )
        return self


class Issue(Strict):
    """An issue under negotiation: ordered options or a scale."""
    id: Id
    name: str
    description: str = ""
    low: str = Field("", description="What 0 on this issue means, in words.")
    high: str = Field("", description="What 100 on this issue means, in words.")
    options: list[Option] | None = Field(
        None, description="Ordered options, with strictly increasing values."
    )
    scale: Scale | None = Field(None, description="A continuous 0-100 scale with a step.")

    @model_validator(mode="after")
    def _one_kind(self) -> Issue:
        if (self.options is None) == (self.scale is None):
            raise ValueError("give exactly one of 'options' (ordered labels) or 'scale' (step)")
        if self.options is not None:
            if len(self.options) < 2:
                raise ValueError("an issue needs at least 2 options")
            labels = [o.label for o in self.options]
            if len(set(labels)) != len(labels):
                raise ValueError(f"option labels repeat: {labels}")
            values = [o.value for o in self.options]
            if any(b <= a for a, b in zip(values, values[1:], strict=False)):
                raise ValueError(
                    f"option values must strictly increase along the list, got {values}"
                )
        return self

    def option_values(self) -> list[tuple[str, float]]:
        """(label, value) pairs in order; a scale gives labels like '40'."""
        if self.options is not None:
            return [(o.label, o.value) for o in self.options]
        assert self.scale is not None
        low, high, step = self.scale.low, self.scale.high, self.scale.step
        count = int(round((high - low) / step))
        values = [float(min(low + i * step, high)) for i in range(count + 1)]
        if values[-1] < high:
            # The step does not divide the range: high closes it with a shorter last step,
            # unless it is too close to the last grid point to print differently; then it
            # replaces that point (labels stay unique, and the scale ends at high exactly).
            if _fmt(values[-1]) == _fmt(high):
                values[-1] = float(high)
            else:
                values.append(float(high))
        return [(_fmt(v), v) for v in values]


def _fmt(value: float) -> str:
    return f"{value:g}"


class Stance(Strict):
    """An actor's view of one issue."""

    position: Number = Field(description="Stated ideal point on the 0-100 scale.")
    salience: Number = Field(description="How much the issue matters (0-1).")
    private: Number | None = Field(
        None, description="Private ideal point, if it differs from the stated one (0-100). "
        "The analysis uses it; reports show both.")
    values: dict[str, float] | None = Field(
        None,
        description="Explicit utility (0-1) of each option label; overrides the spatial default.",
    )
    judgment: Judgment = "analyst"
    sources: list[Id] = []
    note: str = ""

    @field_validator("position", "private")
    @classmethod
    def _position(cls, value, info):
        check_range(value, info.field_name)
        return value

    @field_validator("salience")
    @classmethod
    def _salience(cls, value):
        check_range(value, "salience")
        return value

    @property
    def ideal(self) -> float | Distribution:
        """The ideal point the analysis uses: the private one when given."""
        return self.private if self.private is not None else self.position


class Condition(Strict):
    """A predicate on packages.

    A leaf names an issue and one test (``is``, ``in``, ``not_in``, or ``at_least``/``at_most``
    on the 0-100 scale). ``all``, ``any`` and ``not`` combine conditions.
    """

    issue: Id | None = None
    is_: str | None = Field(None, alias="is")
    in_: list[str] | None = Field(None, alias="in")
    not_in: list[str] | None = None
    at_least: Number | None = Field(None, description="Threshold on the 0-100 scale; a "
                                    "distribution makes the red line soft.")
    at_most: Number | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(None, alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("at_least", "at_most")
    @classmethod
    def _threshold(cls, value, info):
        check_range(value, info.field_name)
        return value

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        tests = [self.is_, self.in_, self.not_in]
        n_tests = sum(t is not None for t in tests)
        bounds = self.at_least is not None or self.at_most is not None
        combos = sum(c is not None for c in (self.all, self.any, self.not_))
        if self.issue is not None:
            if combos:
                raise ValueError("a condition on an issue cannot also have all/any/not")
            if n_tests + bounds != 1:
                raise ValueError(
                    "a condition on an issue needs exactly one test: is, in, not_in, "
                    "or at_least/at_most"
                )
            if (
                self.at_least is not None
                and self.at_most is not None
                and not is_uncertain(self.at_least)
                and not is_uncertain(self.at_most)
                and self.at_least > self.at_most
            ):
                raise ValueError(
                    f"at_least ({self.at_least}) > at_most ({self.at_most}): nothing can match"
                )
        else:
            if n_tests or bounds:
                raise ValueError("is/in/not_in/at_least/at_most need an 'issue'")
            if combos != 1:
                raise ValueError("a condition needs an 'issue', or exactly one of all/any/not")
            for group in (self.all, self.any):
                if group is not None and not group:
                    raise ValueError("all/any need at least one condition")
        return self


class Gate(Strict):
    """Ties a rule to a claim: the rule applies only in the branch where the claim is true."""

    claim: Id | None = Field(
        None, description="Apply this rule only when the claim is taken as true."
    )
    claim_false: Id | None = Field(
        None, description="Apply this rule only when the claim is taken as false."
    )
    note: str = ""


class RedLine(Gate):
    """What an actor will never accept (``never``) or always requires (``require``)."""
    id: Id
    actor: Id
    description: str = ""
    never: Condition | None = Field(None, description="Packages where this holds are rejected.")
    require: Condition | None = Field(None, description="Packages must satisfy this.")
    unless: Condition | None = Field(
        None, description="Exception: the red line lifts if this holds."
    )
    hard: bool = Field(
        True, description="A label: false marks the red line as negotiable in the file. It "
        "rejects packages all the same; give its threshold a distribution (or gate it on a "
        "claim) to make it bind only sometimes.")
    judgment: Judgment = "analyst"
    sources: list[Id] = []

    @model_validator(mode="after")
    def _one(self) -> RedLine:
        if (self.never is None) == (self.require is None):
            raise ValueError("a red line needs exactly one of 'never' or 'require'")
        return self


class Linkage(Gate):
    """A conditional offer: ``actor`` gives ``gives`` only if ``only_if`` holds."""

    id: Id
    actor: Id
    description: str = ""
    gives: Condition
    only_if: Condition
    judgment: Judgment = "analyst"
    sources: list[Id] = []


class Ratification(Gate):
    """A domestic step: a package where ``when`` holds must include ``requires`` and/or be worth
    at least ``min_utility`` to ``actor`` (its ratifying body's acceptance)."""

    id: Id
    actor: Id
    description: str = ""
    when: Condition
    requires: Condition | None = None
    min_utility: Number | None = Field(
        None, description="The ratifying body's acceptance threshold on the 0-1 utility scale "
        "(a distribution makes it uncertain).")
    judgment: Judgment = "analyst"
    sources: list[Id] = []

    @field_validator("min_utility")
    @classmethod
    def _threshold(cls, value):
        check_range(value, "min_utility")
        return value

    @model_validator(mode="after")
    def _some(self) -> Ratification:
        if self.requires is None and self.min_utility is None:
            raise ValueError("a ratification step needs 'requires', 'min_utility', or both")
        return self


class Override(Strict):
    """A change to the model in the branch where a claim is true."""

    actor: Id
    issue: Id | None = None
    position: float | None = Field(None, description="Replaces the ideal point (stated and "
                                   "private) on ``issue``, 0-100.")
    salience: float | None = Field(None, description="Replaces the salience on ``issue``, 0-1.")
    outside_option: float | None = Field(None, description="Replaces the outside option, 0-1.")

    @field_validator("position", "salience", "outside_option")
    @classmethod
    def _range(cls, value, info):
        check_range(value, info.field_name)
        return value


class Claim(Strict):
    """A reported fact that changes the analysis where it is true, with its sources."""
    id: Id
    text: str
    reported_by: list[Id] = Field(default_factory=list)
    denied_by: list[Id] = Field(default_factory=list)
    assumed: bool | None = Field(
        None,
        description="The branch analysed by default: true, false, or null (not assumed: "
        "rules gated on it are off).",
    )
    probability: float | None = Field(
        None, ge=0, le=1,
        description="Probability that the claim is true, for sweeps. Default: derived from "
        "the reliability of the sources that report and deny it.",
    )
    if_true: list[Override] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _sides(self) -> Claim:
        both = set(self.reported_by) & set(self.denied_by)
        if both:
            raise ValueError(f"source(s) {sorted(both)} both report and deny the claim")
        return self


class Proposal(Strict):
    """A text on the table: a (possibly partial) package, who tabled it, when, and the sources.

    ``package`` names one option label per issue it settles; the issues it leaves open are
    evaluated over their completions (``redline evaluate``). ``illustrative`` marks a text the
    analyst made up to explore the space, not one reported as tabled.
    """

    id: Id
    title: str
    date: str | None = Field(None, description="When it was tabled (ISO date, YYYY-MM-DD).")
    tabled_by: Id | None = Field(None, description="The actor or source that tabled it.")
    sources: list[Id] = []
    package: dict[Id, str] = Field(
        min_length=1, description="{issue id: option label}; issues left out stay open.")
    illustrative: bool = Field(False, description="An analyst's illustration, not a text "
                               "reported as tabled (shown in every output).")
    note: str = ""

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value):
        return _iso_date_text(value)


MAX_TREMBLE = 0.5
"""A tremble of 0.5 makes a response carry no evidence; above it the response would count
backwards, so it is refused."""


def _iso_date_text(value):
    """An ISO date (YYYY-MM-DD) as its text; YAML's unquoted dates are accepted too."""
    if isinstance(value, datetime.date):  # YAML reads an unquoted 2026-11-30 as a date
        value = value.isoformat()
    if isinstance(value, str):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"date must be an ISO date (YYYY-MM-DD), got {value!r}") from None
    return value


class Round(Strict):
    """A dated event of the talks: evidence about the uncertain inputs.

    Two kinds:

    * responses to a text: ``proposal`` (a proposal's id) or ``package`` (``{issue: option}``,
      possibly partial), and ``responses`` ``{actor: accepted | rejected}``. To a partial text,
      "accepted" means the actor accepts some completion of it;
    * a stated position: ``actor`` says it ``rejects`` any package with the options
      ``{issue: option}`` (all of them, when several are named).

    ``tremble`` is the probability that what was observed is not what the model of the draw
    gives (see :mod:`redline.uncertainty.rounds` for the default and the rule that derives it
    from the sources' reliability). ``illustrative`` marks an analyst's illustration, not a
    reported fact; every output says so.
    """

    id: Id
    date: str = Field(description="When it happened (ISO date, YYYY-MM-DD).")
    title: str = ""
    sources: list[Id] = Field(default_factory=list, description="Who reported it.")
    illustrative: bool = Field(False, description="An analyst's illustration, not a reported "
                               "fact (shown in every output).")
    tremble: float | None = Field(
        None, ge=0, le=MAX_TREMBLE,
        description="Probability that the observed response is not the model's (default: "
        "from the sources' reliability).")
    proposal: Id | None = Field(None, description="The proposal responded to.")
    package: dict[Id, str] | None = Field(
        None, min_length=1, description="Or the package responded to, {issue: option}.")
    responses: dict[Id, Literal["accepted", "rejected"]] | None = Field(
        None, min_length=1, description="{actor: accepted | rejected}.")
    actor: Id | None = Field(None, description="A stated position: the actor that states it.")
    rejects: dict[Id, str] | None = Field(
        None, min_length=1, description="A stated position: the actor rejects any package "
        "with these options, {issue: option}.")
    note: str = ""

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value):
        return _iso_date_text(value)

    @model_validator(mode="after")
    def _one_kind(self) -> Round:
        response = self.proposal is not None or self.package is not None \
            or self.responses is not None
        stated = self.actor is not None or self.rejects is not None
        if response == stated:
            raise ValueError("a round is either responses to a text (proposal or package, and "
                             "responses) or a stated position (actor and rejects)")
        if response:
            if (self.proposal is None) == (self.package is None):
                raise ValueError("responses need exactly one of 'proposal' or 'package'")
            if self.responses is None:
                raise ValueError("a response to a text needs 'responses' {actor: accepted | "
                                 "rejected}")
        elif self.actor is None or self.rejects is None:
            raise ValueError("a stated position needs both 'actor' and 'rejects' "
                             "{issue: option}")
        if not self.sources and not self.illustrative:
            raise ValueError("a reported round needs its 'sources' (or mark it "
                             "'illustrative: true')")
        return self


class Scenario(Strict):
    """A negotiation: see the module docstring."""

    scenario: Meta = Meta()
    sources: list[Source] = []
    claims: list[Claim] = []
    actors: list[Actor] = Field(min_length=1)
    issues: list[Issue] = Field(min_length=1)
    positions: dict[Id, dict[Id, Stance]] = Field(
        description="positions[actor][issue]: ideal point and salience."
    )
    red_lines: list[RedLine] = []
    linkages: list[Linkage] = []
    ratification: list[Ratification] = []
    proposals: list[Proposal] = Field(
        default_factory=list, description="Texts tabled in the talks, to evaluate.")
    rounds: list[Round] = Field(
        default_factory=list, description="Dated events of the talks: responses to texts and "
        "stated positions, the evidence the posterior conditions on.")

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"title": "Redline scenario"},
    )


class ReferenceError_(ValueError):
    """A cross-reference problem, with the path of the offending field."""

    def __init__(self, path: tuple, message: str) -> None:
        super().__init__(message)
        self.path = path


RULE_KINDS = ("red_lines", "linkages", "ratification")
# Every field of a rule that holds a condition (a rule kind has some of them).
CONDITION_FIELDS = ("never", "require", "unless", "gives", "only_if", "when", "requires")


@dataclass(frozen=True)
class _Known:
    """The ids a scenario defines, which its references must name."""

    sources: set[str]
    claims: set[str]
    actors: set[str]
    issues: dict[str, Issue]

    @classmethod
    def of(cls, s: Scenario) -> _Known:
        """The ids ``s`` defines."""
        return cls({x.id for x in s.sources}, {x.id for x in s.claims},
                   {x.id for x in s.actors}, {x.id: x for x in s.issues})


def _need(ref: str, known: set[str] | dict[str, Issue], what: str, path: tuple) -> None:
    """Refuse a reference to an id that is not defined, listing the defined ones."""
    if ref not in known:
        names = listing(sorted(known)) or "none defined"
        raise ReferenceError_(path, f"unknown {what} {ref!r} (known: {names})")


def _rules(s: Scenario) -> Iterator[tuple[str, int, RedLine | Linkage | Ratification]]:
    """``(kind, index, rule)`` for every red line, linkage and ratification step, in order."""
    for kind in RULE_KINDS:
        for i, rule in enumerate(getattr(s, kind)):
            yield kind, i, rule


def _unique(items: Iterable[tuple[tuple, str]], what: str) -> None:
    """Refuse the second use of an id; ``items`` are ``(path, id)``."""
    seen: set[str] = set()
    for path, ident in items:
        if ident in seen:
            raise ReferenceError_(path, f"duplicate {what} id {ident!r}")
        seen.add(ident)


def _unique_ids(s: Scenario) -> None:
    """Sources, claims, actors and issues have distinct ids; so do all rules together."""
    for items, what, path in ((s.sources, "source", "sources"), (s.claims, "claim", "claims"),
                              (s.actors, "actor", "actors"), (s.issues, "issue", "issues")):
        _unique((((path, i, "id"), x.id) for i, x in enumerate(items)), what)
    _unique((((kind, i, "id"), rule.id) for kind, i, rule in _rules(s)), "rule")
    _unique(((("proposals", i, "id"), p.id) for i, p in enumerate(s.proposals)), "proposal")
    _unique(((("rounds", i, "id"), r.id) for i, r in enumerate(s.rounds)), "round")


def _actors(s: Scenario, known: _Known) -> None:
    """Actors cite known sources, and at least one actor has a veto."""
    for i, actor in enumerate(s.actors):
        for j, src in enumerate(actor.sources):
            _need(src, known.sources, "source", ("actors", i, "sources", j))
    if not any(a.has_veto for a in s.actors):
        raise ReferenceError_(("actors",), "no actor has a veto: mark at least one as a party")


def _claims(s: Scenario, known: _Known) -> None:
    """Claims cite known sources; their overrides name a known actor and, for a position or a
    salience, a known issue."""
    for i, claim in enumerate(s.claims):
        for key in ("reported_by", "denied_by"):
            for j, src in enumerate(getattr(claim, key)):
                _need(src, known.sources, "source", ("claims", i, key, j))
        for j, override in enumerate(claim.if_true):
            path = ("claims", i, "if_true", j)
            _need(override.actor, known.actors, "actor", (*path, "actor"))
            if override.issue is not None:
                _need(override.issue, known.issues, "issue", (*path, "issue"))
            elif override.position is not None or override.salience is not None:
                raise ReferenceError_(path, "position/salience overrides need an 'issue'")


def _stances(s: Scenario, known: _Known) -> None:
    """Every stance is of a known actor on a known issue, cites known sources, and its explicit
    utilities (if any) cover exactly the issue's options, within [0, 1]."""
    for actor_id, stances in s.positions.items():
        _need(actor_id, known.actors, "actor", ("positions", actor_id))
        for issue_id, stance in stances.items():
            path = ("positions", actor_id, issue_id)
            _need(issue_id, known.issues, "issue", path)
            for j, src in enumerate(stance.sources):
                _need(src, known.sources, "source", (*path, "sources", j))
            if stance.values is not None:
                _utilities(stance.values, known.issues[issue_id], (*path, "values"))


def _utilities(values: dict[str, float], issue: Issue, path: tuple) -> None:
    """Explicit utilities: one per option of ``issue``, each in [0, 1]."""
    labels = [label for label, _ in issue.option_values()]
    extra = [label for label in values if label not in labels]
    if extra:
        raise ReferenceError_((*path, extra[0]),
                              f"unknown option {extra[0]!r} (options: {listing(labels)})")
    missing = [label for label in labels if label not in values]
    if missing:
        raise ReferenceError_(path, f"values must cover every option; missing {listing(missing)}")
    for label, value in values.items():
        if not 0 <= value <= 1:
            raise ReferenceError_((*path, label), f"utility {value} is outside [0, 1]")


def _every_actor_placed(s: Scenario, known: _Known) -> None:
    """Every actor has a position on every issue, and some issue matters to it."""
    for actor in s.actors:
        stances = s.positions.get(actor.id)
        if stances is None:
            raise ReferenceError_(("positions",), f"no positions for actor {actor.id!r}")
        missing = [i for i in known.issues if i not in stances]
        if missing:
            raise ReferenceError_(
                ("positions", actor.id),
                f"actor {actor.id!r} has no position on issue(s) {listing(missing)}",
            )
        if all(stances[i].salience == 0 for i in known.issues):
            raise ReferenceError_(
                ("positions", actor.id), f"actor {actor.id!r} has zero salience on every issue"
            )


def _condition(cond: Condition, known: _Known, path: tuple) -> None:
    """A condition names known issues and, in its tests, options those issues have."""
    if cond.issue is not None:
        _need(cond.issue, known.issues, "issue", (*path, "issue"))
        labels = [label for label, _ in known.issues[cond.issue].option_values()]
        for key, named in (("is", [cond.is_] if cond.is_ is not None else []),
                           ("in", cond.in_ or []), ("not_in", cond.not_in or [])):
            for label in named:
                if label not in labels:
                    raise ReferenceError_(
                        (*path, key),
                        f"issue {cond.issue!r} has no option {label!r} "
                        f"(options: {listing(labels)})",
                    )
    for key, group in (("all", cond.all), ("any", cond.any)):
        for j, child in enumerate(group or []):
            _condition(child, known, (*path, key, j))
    if cond.not_ is not None:
        _condition(cond.not_, known, (*path, "not"))


def _rule_references(s: Scenario, known: _Known) -> None:
    """Every rule is of a known actor, cites known sources, is gated on known claims, and its
    conditions name known issues and options."""
    for kind, i, rule in _rules(s):
        _need(rule.actor, known.actors, "actor", (kind, i, "actor"))
        for j, src in enumerate(rule.sources):
            _need(src, known.sources, "source", (kind, i, "sources", j))
        for key in ("claim", "claim_false"):
            ref = getattr(rule, key)
            if ref is not None:
                _need(ref, known.claims, "claim", (kind, i, key))
        for key in CONDITION_FIELDS:
            cond = getattr(rule, key, None)
            if cond is not None:
                _condition(cond, known, (kind, i, key))


def _proposals(s: Scenario, known: _Known) -> None:
    """Every proposal is tabled by a known actor or source, cites known sources, and its
    package names known issues and options those issues have."""
    for i, proposal in enumerate(s.proposals):
        path = ("proposals", i)
        if proposal.tabled_by is not None:
            _need(proposal.tabled_by, known.actors | known.sources, "actor or source",
                  (*path, "tabled_by"))
        for j, src in enumerate(proposal.sources):
            _need(src, known.sources, "source", (*path, "sources", j))
        for issue_id, label in proposal.package.items():
            _need(issue_id, known.issues, "issue", (*path, "package", issue_id))
            labels = [name for name, _ in known.issues[issue_id].option_values()]
            if label not in labels:
                raise ReferenceError_((*path, "package", issue_id),
                                      f"issue {issue_id!r} has no option {label!r} "
                                      f"(options: {listing(labels)})")


def _package_options(package: dict[str, str], known: _Known, path: tuple) -> None:
    """A package names known issues and options those issues have."""
    for issue_id, label in package.items():
        _need(issue_id, known.issues, "issue", (*path, issue_id))
        labels = [name for name, _ in known.issues[issue_id].option_values()]
        if label not in labels:
            raise ReferenceError_((*path, issue_id), f"issue {issue_id!r} has no option "
                                  f"{label!r} (options: {listing(labels)})")


def _rounds(s: Scenario, known: _Known) -> None:
    """Every round cites known sources, names a known proposal or a package of known issues
    and options, and known actors."""
    proposals = {p.id for p in s.proposals}
    for i, event in enumerate(s.rounds):
        path = ("rounds", i)
        for j, src in enumerate(event.sources):
            _need(src, known.sources, "source", (*path, "sources", j))
        if event.proposal is not None:
            _need(event.proposal, proposals, "proposal", (*path, "proposal"))
        if event.package is not None:
            _package_options(event.package, known, (*path, "package"))
        for actor in event.responses or {}:
            _need(actor, known.actors, "actor", (*path, "responses", actor))
        if event.actor is not None:
            _need(event.actor, known.actors, "actor", (*path, "actor"))
        if event.rejects is not None:
            _package_options(event.rejects, known, (*path, "rejects"))


def check_references(s: Scenario) -> None:
    """Check what the pydantic model cannot: ids are unique and every reference is defined.

    The checks run in order (:func:`_unique_ids`, :func:`_actors`, :func:`_claims`,
    :func:`_stances`, :func:`_every_actor_placed`, :func:`_rule_references`,
    :func:`_proposals`, :func:`_rounds`), and the first problem is raised.

    Raises
    ------
    ReferenceError_
        With the path of the offending field and what is wrong.
    """
    _unique_ids(s)
    known = _Known.of(s)
    for check in (_actors, _claims, _stances, _every_actor_placed, _rule_references,
                  _proposals, _rounds):
        check(s, known)
