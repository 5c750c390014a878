"""The answer first: a five-line executive summary of a study.

:func:`executive_summary` reads a :class:`~redline.pipeline.Study` (what
:func:`redline.pipeline.run_study` returns) and states, in words, the five things a briefing
needs: P(agreement) with its 95% interval, the most likely deal, who blocks and with which red
line, what changes if the contested claim is true, and where the forecasts land. It computes no
new numbers: every figure is read from the study (the sweep's Wilson interval is
:attr:`~redline.uncertainty.sweep.SweepResult.p_agreement_interval`). It is pure and returns
plain data, so the HTML report, the web app and the terminal can all show it.

The contested claim is the one whose branches differ most (in acceptable packages, then in the
Nash package); among equals, the one whose probability is nearest :data:`CONTESTED` (the most
contested), then the first in the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from redline.report.forecasts import MODEL_DISAGREEMENT, compare_forecasts, verdict_text
from redline.space.domain import Domain, IssueSpace
from redline.space.engine import package_labels
from redline.space.options import place
from redline.uncertainty.claims import claim_probabilities

CONTESTED = 0.5
"""A claim whose probability is nearest this is the most contested (it breaks the claim line's
ties)."""
CONTESTED_DECIMALS = 9
"""Distances to :data:`CONTESTED` are compared rounded to this many decimals (0.3 and 0.7 are
equally contested, though ``0.7 - 0.5 < 0.5 - 0.3`` in binary)."""

KIND_WORDS = {"red_line": "red line", "linkage": "linkage", "ratification": "ratification rule",
              "outside_option": "outside option"}


@dataclass(frozen=True)
class SummaryLine:
    """One line of the executive summary.

    Attributes
    ----------
    key
        What the line is about: ``agreement``, ``deal``, ``blocker``, ``claim``, ``forecasts``.
    label
        Its heading in words (e.g. "P(agreement)").
    text
        The line itself, in words.
    items
        Sub-points (one per forecast model), possibly empty.
    values
        The numbers and names the line states, for other shells and tests.
    """

    key: str
    label: str
    text: str
    items: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)


def executive_summary(study: Any) -> list[SummaryLine]:
    """The five summary lines of ``study``.

    Parameters
    ----------
    study : redline.pipeline.Study
        What :func:`redline.pipeline.run_study` returned (scenario or Genius folder, with or
        without a sweep).

    Returns
    -------
    list of SummaryLine
        ``agreement``, ``deal``, ``blocker``, ``claim`` and ``forecasts``, in that order.
    """
    sweep = study.sweep
    return [_agreement_line(study, sweep), _deal_line(study, sweep),
            _blocker_line(study, sweep), _claim_line(study), _forecast_line(study)]


# ---------------------------------------------------------------- the lines

def _agreement_line(study: Any, sweep: Any) -> SummaryLine:
    analysis = study.analysis.analysis
    label = "P(agreement)"
    if sweep is None:
        found = analysis.acceptable_count
        text = (f"Not estimated: the deterministic analysis finds {found:,} acceptable "
                f"package{'' if found == 1 else 's'} (of {analysis.n_packages:,}).")
        if study.loaded.scenario is not None:
            text += " For a probability of agreement, run with --draws (e.g. --draws 2000)."
        else:
            text += " A Genius folder has no distributions to sweep."
        return SummaryLine("agreement", label, text,
                           values={"acceptable": found, "packages": analysis.n_packages})
    parts, values = [], {}
    for name, result in (("assumed", sweep.assumed), ("integrated", sweep.integrated)):
        if result is None:
            continue
        low, high = result.p_agreement_interval
        where = ("integrated over the claims' probabilities" if name == "integrated" else
                 "with " + ", ".join(f"{k}={'true' if v else 'false'}"
                                     for k, v in result.plan.assume.items()))
        weighted = result.weights is not None
        where += rounds_clause(study.loaded.scenario, result)
        parts.append(f"{result.p_agreement:.3f} {where} "
                     f"(95% interval {low:.3f}–{high:.3f}, {result.draws:,} draws"
                     + (f", effective sample {result.ess:,.0f})" if weighted else ")"))
        values[name] = {"p": result.p_agreement, "low": low, "high": high,
                        "draws": result.draws}
    return SummaryLine("agreement", label, "; ".join(parts) + ".", values=values)


def rounds_clause(scenario: Any, result: Any) -> str:
    """Whether a sweep's P(agreement) learned from the scenario's rounds, as a clause to
    follow the number: ``", after 3 rounds"``, ``", on the prior (the rounds ignored)"``, or
    ``""`` for a scenario without rounds (or no scenario). The report's summary and the web
    app's P(agreement) card say it alike.

    Parameters
    ----------
    scenario
        The scenario swept (``None`` for a Genius folder).
    result
        The :class:`~redline.uncertainty.sweep.SweepResult`.
    """
    if scenario is None or not scenario.rounds:
        return ""
    post = result.posterior
    if post is None:
        return ", on the prior (the rounds ignored)"
    if post.is_prior:
        return ", on the prior (no round counted)"
    count = len(post.rounds)
    return f", after {count} round{'' if count == 1 else 's'}"


def _deal_line(study: Any, sweep: Any) -> SummaryLine:
    analysis = study.analysis.analysis
    domain = analysis.domain
    label = "Most likely deal"
    if sweep is not None:
        main = sweep.main
        ranked = main.solution_distribution(main.nash, top=2)  # no deal takes one slot at most
        deal = next((row for row in ranked if row["package"] is not None), None)
        none = next((row["probability"] for row in ranked if row["package"] is None), 0.0)
        if deal is None:
            return SummaryLine("deal", label, f"None: no package is acceptable to every "
                               f"actor with a veto in any of the {main.draws:,} draws.",
                               values={"package": None, "probability": 0.0})
        package = _named(domain, deal["package"])
        text = (f"{_words(package)} — the Nash package in {deal['probability']:.1%} of draws "
                f"(no deal in {none:.1%}).")
        return SummaryLine("deal", label, text, values={
            "package": package, "probability": float(deal["probability"]),
            "no_deal": float(none)})
    nash = analysis.solutions["nash"]
    if nash.indices.size:
        package = _named(domain, package_labels(domain, int(nash.indices[0])))
        ties = f" (+{nash.count - 1:,} tied)" if nash.count > 1 else ""
        return SummaryLine("deal", label, f"{_words(package)} — the Nash package of the "
                           f"deterministic analysis{ties}.",
                           values={"package": package, "ties": nash.count})
    text = "None: no package is acceptable to every actor with a veto."
    values: dict[str, Any] = {"package": None}
    if analysis.closest:
        near = analysis.closest[0]
        values["closest"] = _named(domain, package_labels(domain, near.index))
        text += (f" Closest: {_words(values['closest'])}, which breaks "
                 f"{', '.join(near.violations)}.")
    return SummaryLine("deal", label, text, values=values)


def _blocker_line(study: Any, sweep: Any) -> SummaryLine:
    analysis = study.analysis.analysis
    names = dict(zip(analysis.domain.actors, analysis.domain.names(), strict=True))
    rules = {b.id: b for b in analysis.blockers}
    label = "Who blocks"
    top = sweep.main.blocking[0] if sweep is not None and sweep.main.blocking else None
    rule = rules.get(top["id"]) if top is not None else (
        analysis.blockers[0] if analysis.blockers else None)
    if top is None and (rule is None or rule.rejects == 0):
        return SummaryLine("blocker", label, "No rule or outside option rejects a package.",
                           values={"rule": None})
    rule_id = top["id"] if top is not None else rule.id
    kind = top["kind"] if top is not None else rule.kind
    actor = top["actor"] if top is not None else rule.actor
    what = KIND_WORDS.get(kind, kind.replace("_", " "))
    description = rule.description if rule is not None else ""
    text = f"{names.get(actor, actor)}, with its {what}"
    text += f" “{description}” ({rule_id})" if description and kind != "outside_option" \
        else ""
    values: dict[str, Any] = {"rule": rule_id, "actor": actor, "kind": kind,
                              "description": description}
    facts = []
    if top is not None:
        facts.append(f"it blocks every deal in {top['blocks']:.1%} of draws "
                     "(no deal, and lifting it alone would free one)")
        values["blocks"] = top["blocks"]
    if rule is not None:
        facts.append(f"it alone rejects {rule.sole:,} of {analysis.n_packages:,} packages "
                     f"(rejects {rule.rejects:,}) in the deterministic analysis")
        values.update(sole=rule.sole, rejects=rule.rejects)
    return SummaryLine("blocker", label, text + ": " + "; ".join(facts) + ".", values=values)


def _claim_line(study: Any) -> SummaryLine:
    label = "If the contested claim is true"
    run = study.analysis
    scenario = study.loaded.scenario
    if scenario is None:
        return SummaryLine("claim", label, "Not applicable: a Genius folder has no claims.",
                           values={"claim": None})
    if not scenario.claims:
        return SummaryLine("claim", label, "The scenario has no claims.",
                           values={"claim": None})
    if not run.branches:
        return SummaryLine("claim", label, "Not compared: the space is too large for the "
                           "claim branches.", values={"claim": None})
    domain = run.analysis.domain

    probability = claim_probabilities(scenario)

    def change(row: Mapping[str, Any]) -> tuple[int, bool]:
        moved = row["nash_if_true"][:1] != row["nash_if_false"][:1]
        return abs(row["acceptable_if_true"] - row["acceptable_if_false"]), moved

    def contested(row: Mapping[str, Any]) -> tuple[tuple[int, bool], float]:
        return change(row), -round(abs(probability[row["claim"]] - CONTESTED),
                                   CONTESTED_DECIMALS)

    # The largest change; among equals the most contested claim, then the first in the file.
    row = max(run.branches, key=contested)
    claim = next(c for c in scenario.claims if c.id == row["claim"])
    sides = {}
    for side in ("true", "false"):
        nash = row[f"nash_if_{side}"]
        sides[side] = {"acceptable": row[f"acceptable_if_{side}"],
                       "nash": _named(domain, package_labels(domain, nash[0])) if nash
                       else None}
    if change(row) == (0, False):
        return SummaryLine("claim", label, "No claim changes the acceptable packages or the "
                           "Nash package.", values={"claim": None})

    def state(side: str) -> str:
        s = sides[side]
        nash = f"Nash {_words(s['nash'])}" if s["nash"] else "no deal"
        return f"{s['acceptable']:,} acceptable packages, {nash}"

    text = (f"{claim.id} (“{claim.text.strip()}”): if true, {state('true')}; if false, "
            f"{state('false')}.")
    return SummaryLine("claim", label, text, values={"claim": claim.id, **sides})


def _forecast_line(study: Any) -> SummaryLine:
    label = "Where the forecasts land"
    if not study.forecasts:
        why = ("a Genius folder has no positions for the forecast models"
               if study.loaded.scenario is None else "no forecast model ran")
        return SummaryLine("forecasts", label, f"No forecasts: {why}.", values={})
    domain = study.analysis.analysis.domain
    issues = {issue.id: issue for issue in domain.issues}
    comparison = compare_forecasts(domain, {m: r.forecast for m, r in study.forecasts.items()})
    readings = {r.model: r for r in comparison.readings}
    items, values = [], {}
    for model, run in study.forecasts.items():
        forecast = run.forecast
        landed = {}
        words = []
        for k, dim in enumerate(forecast.dimensions):
            point = float(forecast.point[k])
            issue = issues.get(dim)
            where = place(issue, point).describe() if issue else ""
            landed[dim] = {"point": point, "where": where}
            name = issue.name if issue else forecast.dimension_names[k]
            words.append(f"{name} {point:.1f}" + (f": {where}" if where else ""))
        reading = readings.get(model)
        verdict = f"; rounded to the nearest options it {verdict_text(domain, reading.point)}" \
            if reading is not None else ""
        items.append(f"{model}: " + "; ".join(words) + verdict)
        values[model] = landed
    models = ", ".join(study.forecasts)
    text = (f"Each model's forecast per issue ({models}; 0–100 scale), with the options it lies "
            "at or between, and whether the package it rounds to breaks anyone's red line.")
    if comparison.disagreements:
        far = ", ".join(d.name for d in comparison.disagreements)
        text += (f" The models differ by more than {MODEL_DISAGREEMENT:g} points on {far} "
                 "(the Forecasts section says what each assumes).")
    return SummaryLine("forecasts", label, text, items=tuple(items), values=values)


# ---------------------------------------------------------------- helpers

def nearest_options(labels: Sequence[str], values: Sequence[float], point: float) -> str:
    """Where ``point`` lies among an issue's options, in words: "at X", "between X and Y",
    "below X" or "above Y" (:meth:`redline.space.options.Placement.describe`, the one reading
    of a forecast; the options in order of their values).
    """
    order = sorted(range(len(values)), key=lambda k: float(values[k]))
    issue = IssueSpace("issue", "issue", tuple(labels[k] for k in order),
                       np.array([float(values[k]) for k in order]))
    return place(issue, point).describe()


def _named(domain: Domain, package: Mapping[str, str]) -> dict[str, str]:
    """``{issue id: label}`` as ``{issue name: label}``."""
    names = {issue.id: issue.name for issue in domain.issues}
    return {names.get(k, k): v for k, v in package.items()}


def _words(package: Mapping[str, str]) -> str:
    return "; ".join(f"{name}: {label}" for name, label in package.items())
