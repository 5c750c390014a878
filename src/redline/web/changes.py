"""What changed between two runs of a scenario, as the web app shows it: the headline numbers
(P(agreement) with its 95% interval, the acceptable packages, the forecast per issue), the
inputs whose values differ, and the YAML diff of two saved versions.

Pure functions over plain data (a run's ``summary`` dict or a saved version's row, and
:class:`redline.web.edits.EditForm`); nothing here runs the core. Intervals are Wilson's
(:func:`redline.uncertainty.intervals.wilson_interval`), from the count of agreeing draws, which
a sweep's P(agreement) gives exactly (it is that count over the draws).

Two estimates of P(agreement) are said to differ by less than the sampling noise when their 95%
intervals overlap. This is the usual conservative reading (N. Schenker and J. F. Gentleman, "On
judging the significance of differences by examining the overlap between confidence intervals",
The American Statistician 55, 2001): with the same seed the two sweeps share their random draws,
so a difference whose intervals overlap may still be real; one whose intervals do not overlap
is larger than the noise of either estimate.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from redline.uncertainty.intervals import wilson_interval
from redline.uncertainty.weighted import weighted_interval
from redline.web.edits import EditForm, NumberField

#: Forecasts (0–100 scale) and counts shown with one decimal: a change below this is no change.
FORECAST_SAME_BELOW = 0.05
#: Probabilities shown with three decimals: a change below this is no change.
PROBABILITY_SAME_BELOW = 0.0005
MAX_DIFF_LINES = 2_000  # lines of a YAML diff shown; the rest is summarised in one line


@dataclass(frozen=True)
class Estimate:
    """A probability estimated from draws: ``successes`` of ``draws``; for weighted draws (a
    scenario's rounds) the share ``weighted`` and the effective sample size ``ess``."""

    successes: int
    draws: int
    weighted: float | None = None
    ess: float | None = None

    @property
    def value(self) -> float:
        """The share of successes (the weighted share, for weighted draws)."""
        return self.weighted if self.weighted is not None else self.successes / self.draws

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% Wilson interval (at the effective sample size, for weighted draws: the
        sweep's own rule, :func:`redline.uncertainty.weighted.weighted_interval`)."""
        if self.weighted is not None and self.ess is not None:
            cell = weighted_interval(self.weighted, self.ess)
            return cell["low"], cell["high"]
        return wilson_interval(self.successes, self.draws)

    def text(self) -> str:
        """E.g. ``"0.704 (95% 0.663–0.742)"``."""
        low, high = self.interval
        return f"{self.value:.3f} (95% {low:.3f}–{high:.3f})"


def estimate(p: float | None, draws: int | None, ess: float | None = None
             ) -> Estimate | None:
    """The estimate behind a P(agreement) of ``p`` from ``draws`` draws, or ``None`` without a
    sweep (no draws, no number, or a number that is no share of the draws).

    Parameters
    ----------
    p : float or None
        The share of agreeing draws, as a run's summary or a saved version stores it.
    draws : int or None
        The sweep's draws.
    ess : float or None
        The effective sample size when the draws are weighted (a posterior), else ``None``.

    Returns
    -------
    Estimate or None
        ``successes = round(p * draws)``; with ``ess``, also ``p`` itself and the ESS.
    """
    if p is None or not draws or not isinstance(p, int | float) or not math.isfinite(p):
        return None
    if not 0 <= p <= 1:
        return None
    if ess is not None and isinstance(ess, int | float) and math.isfinite(ess) and ess > 0:
        return Estimate(int(round(p * draws)), int(draws), float(p), float(ess))
    return Estimate(int(round(p * draws)), int(draws))


def within_noise(a: Estimate, b: Estimate) -> bool:
    """Whether two estimates differ by less than the sampling noise: their 95% intervals
    overlap (see the module docstring).

    Parameters
    ----------
    a, b : Estimate
        The two estimates.

    Returns
    -------
    bool
    """
    (a_low, a_high), (b_low, b_high) = a.interval, b.interval
    return a_low <= b_high and b_low <= a_high


@dataclass(frozen=True)
class Change:
    """One headline number before and after: ``what`` (its name), the two values as text, the
    signed difference as text, ``moved`` (whether it changed at the shown precision) and, for
    a probability, ``noise`` (whether the change is within the sampling noise)."""

    what: str
    before: str
    after: str
    delta: str
    moved: bool
    noise: bool | None = None


def summary_numbers(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The numbers of a run that a comparison reads, from a run's ``summary`` or a saved
    version's row (:meth:`redline.web.store.Store.timeline`).

    Parameters
    ----------
    summary : mapping
        With ``p_agreement``, ``draws``, ``ess`` (for weighted draws), ``acceptable_count``,
        ``forecast`` and ``model``.

    Returns
    -------
    dict
        The same keys, with missing ones as ``None`` (``forecast`` as ``{}``).
    """
    forecast = summary.get("forecast") or {}
    return {"p_agreement": summary.get("p_agreement"), "draws": summary.get("draws"),
            "ess": summary.get("ess"), "acceptable_count": summary.get("acceptable_count"),
            "forecast": {k: v for k, v in forecast.items() if isinstance(v, int | float)},
            "model": summary.get("model")}


def _signed(value: float, digits: int) -> str:
    text = f"{abs(value):.{digits}f}"
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def compare(before: Mapping[str, Any], after: Mapping[str, Any],
            issue_names: Mapping[str, str]) -> list[Change]:
    """The headline numbers of two runs side by side.

    Parameters
    ----------
    before, after : mapping
        :func:`summary_numbers` of the earlier and the later run.
    issue_names : mapping of str to str
        Issue ids to the names shown.

    Returns
    -------
    list of Change
        P(agreement) (when both runs swept), the acceptable packages, then the forecast of
        each issue both runs forecast (when they used the same model).
    """
    rows: list[Change] = []
    a = estimate(before.get("p_agreement"), before.get("draws"), before.get("ess"))
    b = estimate(after.get("p_agreement"), after.get("draws"), after.get("ess"))
    if a is not None and b is not None:
        delta = b.value - a.value
        rows.append(Change("P(agreement)", a.text(), b.text(), _signed(delta, 3),
                           abs(delta) >= PROBABILITY_SAME_BELOW, within_noise(a, b)))
    count_a, count_b = before.get("acceptable_count"), after.get("acceptable_count")
    if isinstance(count_a, int) and isinstance(count_b, int):
        rows.append(Change("acceptable packages", f"{count_a:,}", f"{count_b:,}",
                           _signed(count_b - count_a, 0).replace(".0", ""), count_a != count_b))
    if before.get("model") == after.get("model"):
        old, new = before.get("forecast") or {}, after.get("forecast") or {}
        for issue, value in new.items():
            if issue in old:
                delta = value - old[issue]
                rows.append(Change(f"forecast: {issue_names.get(issue, issue)}",
                                   f"{old[issue]:.1f}", f"{value:.1f}", _signed(delta, 1),
                                   abs(delta) >= FORECAST_SAME_BELOW))
    return rows


@dataclass(frozen=True)
class InputChange:
    """An input whose value differs: its form name, its label, the two values as text."""

    name: str
    label: str
    before: str
    after: str


def _fields(form: EditForm) -> dict[str, tuple[NumberField | None, str, str]]:
    """``{input name: (field, label, value as text)}`` of every input of the form."""
    out: dict[str, tuple[NumberField | None, str, str]] = {}
    for f in form.number_fields():
        out[f.name] = (f, f.label, f.shown)
    for claim in form.claims:
        assumed = "" if claim.assumed is None else ("true" if claim.assumed else "false")
        out[claim.assumed_name] = (None, f"{claim.id}: assumed", assumed or "not assumed")
    return out


def same_shape(a: EditForm, b: EditForm) -> bool:
    """Whether two forms have the same inputs with the same labels (the same actors, issues,
    rules and claims), so that their values can be compared input by input."""
    fa, fb = _fields(a), _fields(b)
    return fa.keys() == fb.keys() and all(fa[k][1] == fb[k][1] for k in fa)


def input_changes(before: EditForm, after: EditForm) -> list[InputChange]:
    """The inputs whose values differ between two forms of the same shape
    (:func:`same_shape`), in form order.

    Parameters
    ----------
    before, after : EditForm
        :func:`redline.web.edits.edit_form` of the two scenarios.

    Returns
    -------
    list of InputChange
        Empty when the forms differ in shape (nothing can be compared input by input).
    """
    if not same_shape(before, after):
        return []
    old, new = _fields(before), _fields(after)
    return [InputChange(name, new[name][1], old[name][2], new[name][2])
            for name in new if old[name][2] != new[name][2]]


def yaml_diff(before: str, after: str, *, before_name: str, after_name: str
              ) -> list[tuple[str, str]]:
    """A unified diff of two scenario texts, line by line, for a page to colour.

    Parameters
    ----------
    before, after : str
        The two texts.
    before_name, after_name : str
        Their names in the diff's header (e.g. ``"v1"``, ``"v2"``).

    Returns
    -------
    list of (str, str)
        ``(kind, line)`` with kind ``"head"``, ``"hunk"``, ``"add"``, ``"del"`` or ``"same"``;
        the lines are plain text (the page escapes them). Empty when the texts are equal. At
        most :data:`MAX_DIFF_LINES` lines, then one line saying how many were left out.
    """
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(),
                                      fromfile=before_name, tofile=after_name, lineterm=""))
    out: list[tuple[str, str]] = []
    for line in lines[:MAX_DIFF_LINES]:
        if line.startswith(("---", "+++")):
            kind = "head"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        out.append((kind, line))
    if len(lines) > MAX_DIFF_LINES:
        out.append(("hunk", f"… {len(lines) - MAX_DIFF_LINES:,} more lines of the diff not "
                            "shown; download both versions' YAML to compare them in full"))
    return out


def changed_names(changes: Sequence[InputChange]) -> list[str]:
    """The input names of ``changes`` (for the page to highlight)."""
    return [c.name for c in changes]
