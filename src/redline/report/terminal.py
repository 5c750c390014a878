"""Readable terminal summaries (rich). Renders results; computes nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from redline.scenario.labels import input_labels
from redline.scenario.model import Scenario
from redline.space.engine import Analysis, package_labels

SOLUTION_TITLES = {
    "nash": "Nash",
    "kalai_smorodinsky": "K-S",
    "utilitarian": "Utilitarian",
    "egalitarian": "Egalitarian",
}
ISSUE_OPTIONS_SHOWN = 8  # option labels listed per issue in the issues table
SWEEP_BLOCKING_ROWS = 10  # rows of the sweep's tables
SWEEP_LEADING_ROWS = 8
SWEEP_SENSITIVITY_ROWS = 10
SOLUTION_CAPTION = ("Nash: max product of gains · K-S: Kalai-Smorodinsky, max min share of the "
                    "ideal gain · Utilitarian: max sum · Egalitarian: max min gain")
NARROW_WIDTH = 100  # consoles narrower than this get the compact layout
NARROW_INPUT_NAME = 60  # characters of an input's name in the compact sensitivity table
ABBREVIATION_CHARS = (3, 6)  # shortest and longest issue abbreviation tried
SHORTEST_LABEL = 2  # option labels are never cut below one character and an ellipsis
ELLIPSIS = "…"


def is_narrow(console: Console) -> bool:
    """Whether ``console`` is narrower than :data:`NARROW_WIDTH` (the compact layout)."""
    return console.width < NARROW_WIDTH


def issue_abbreviations(ids: Sequence[str]) -> dict[str, str]:
    """Short, unique, deterministic names for issues, in the order given.

    Each id's letters and digits, lower-cased, cut to the first 3 characters, or 4, 5, 6 if
    a shorter cut is taken; if all are taken, the first 4 and a number.

    Parameters
    ----------
    ids : sequence of str
        Issue ids, unique.

    Returns
    -------
    dict of str to str
        Issue id -> abbreviation; no two abbreviations are equal.
    """
    low, high = ABBREVIATION_CHARS
    taken: set[str] = set()
    out: dict[str, str] = {}
    for issue_id in ids:
        letters = re.sub(r"[^0-9a-z]", "", issue_id.lower()) or "issue"
        choice = next((letters[:n] for n in range(low, high + 1) if letters[:n] not in taken),
                      None)
        number = 2
        while choice is None or choice in taken:
            choice, number = f"{letters[:low + 1]}{number}", number + 1
        taken.add(choice)
        out[issue_id] = choice
    return out


def short_labels(labels: Sequence[str], chars: int) -> dict[str, str]:
    """Option labels cut to about ``chars`` characters, never two alike.

    A label longer than ``chars`` keeps a prefix long enough to tell it from every other
    label of the issue, then an ellipsis; shorter labels stay whole.

    Parameters
    ----------
    labels : sequence of str
        One issue's option labels, unique.
    chars : int
        The width aimed at (at least :data:`SHORTEST_LABEL`).

    Returns
    -------
    dict of str to str
        Label -> shown text; the shown texts are unique.
    """
    if any(ELLIPSIS in label for label in labels):
        return {label: label for label in labels}
    ordered = sorted(set(labels))
    shared = max((len(_common_prefix(a, b))
                  for a, b in zip(ordered, ordered[1:], strict=False)), default=0)
    keep = max(chars - 1, shared + 1, SHORTEST_LABEL - 1)
    return {label: label if len(label) <= keep + 1 else label[:keep] + ELLIPSIS
            for label in labels}


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


class CompactPackages:
    """Packages as one short line each: option labels cut to fit, issues abbreviated."""

    def __init__(self, issues: dict[str, Sequence[str]], names: dict[str, str]):
        self.labels = issues
        self.names = names
        self.abbreviations = issue_abbreviations(list(issues))

    def header(self) -> str:
        """``package (don/gua/wea)``: the issues' order in a line."""
        return "package (" + "/".join(self.abbreviations.values()) + ")"

    def fit(self, width: int) -> dict[str, dict[str, str]]:
        """The longest cut of every label whose packages fit in ``width`` characters."""
        longest = max((len(label) for labels in self.labels.values() for label in labels),
                      default=SHORTEST_LABEL)
        for chars in range(longest, SHORTEST_LABEL - 1, -1):
            shown = {i: short_labels(labels, chars) for i, labels in self.labels.items()}
            line = sum(max((len(t) for t in s.values()), default=0) for s in shown.values())
            if line + len(shown) - 1 <= width:
                return shown
        return shown

    def shortest(self) -> int:
        """The width of the longest package line at the shortest cut."""
        shown = self.fit(0)
        return sum(max((len(t) for t in s.values()), default=0)
                   for s in shown.values()) + len(shown) - 1

    def line(self, package: dict[str, str], width: int) -> str:
        """One package as ``short/short/short`` in at most ``width`` characters if it can."""
        shown = self.fit(width)
        return "/".join(shown[i][package[i]] for i in self.labels)

    def legend(self) -> Table:
        """The table of abbreviations: each issue's name and its first options, in full."""
        table = Table(title="Issues (abbreviations used below)")
        table.add_column("abbr", no_wrap=True)
        table.add_column("issue")
        table.add_column("options")
        for issue_id, labels in self.labels.items():
            name = self.names.get(issue_id) or issue_id
            table.add_row(self.abbreviations[issue_id],
                          name if name == issue_id else f"{name} [dim]({issue_id})[/]",
                          f"{len(labels)}: " + ", ".join(
                              list(labels[:ISSUE_OPTIONS_SHOWN])
                              + (["…"] if len(labels) > ISSUE_OPTIONS_SHOWN else [])))
        return table


def _domain_packages(domain) -> CompactPackages:
    return CompactPackages({i.id: list(i.labels) for i in domain.issues},
                           {i.id: i.name for i in domain.issues})


def _room(console: Console, others: Sequence[int], share: int = 1) -> int:
    """Characters left for ``share`` equal columns beside columns of widths ``others``."""
    used = 1 + sum(w + 3 for w in others) + 3 * share
    return max(SHORTEST_LABEL, (console.width - used) // share)


def _words(text: str) -> int:
    """The longest word of a header, so a column is never narrower (no split words)."""
    return max((len(w) for w in text.split()), default=0)


def _fmt_package(labels: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items())


def _rule_table(title: str, rows, count_header: str, count, *, with_kind: bool = False,
                width: int | None = None) -> Table:
    """Rules with how many packages each rejects and one more count (``count(row)``);
    ``width`` (a narrow console's) keeps rule ids whole when they take at most two fifths."""
    table = Table(title=title)
    longest = max((len(b.id) for b in rows), default=0)
    if width is not None and longest <= width * 2 // 5:
        table.add_column("rule", no_wrap=True)
    else:
        table.add_column("rule", overflow="fold", ratio=2)
    table.add_column("holder")
    table.add_column("rejects", justify="right")
    table.add_column(count_header, justify="right")
    table.add_column("what it says", ratio=3)
    for b in rows:
        rule = f"{b.id}\n[dim]{b.kind.replace('_', ' ')}[/]" if with_kind else b.id
        table.add_row(rule, b.actor, f"{b.rejects:,}", f"{count(b):,}", b.description)
    return table


def render_analysis(
    console: Console,
    analysis: Analysis,
    scenario: Scenario | None = None,
    branches: list[dict] | None = None,
    pareto_rows: int = 10,
    blocker_rows: int = 12,
) -> None:
    """Print an analysis as a title and a sequence of tables.

    Every table cut short says so and names the option that shows all.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    analysis : Analysis
        The result of :func:`redline.space.engine.analyze`.
    scenario : Scenario, optional
        The scenario analysed, for its description, actor roles and claims (None for a
        Genius folder).
    branches : list of dict, optional
        Rows of :func:`redline.pipeline.claim_branches`; none leaves the table out.
    pareto_rows : int, optional
        Frontier rows shown (``--pareto-rows``; 0 hides the table).
    blocker_rows : int, optional
        Rows of the blocking and objecting rules shown (``--blocker-rows``; 0 hides them).
    """
    compact = _domain_packages(analysis.domain) if is_narrow(console) else None
    _print_title(console, analysis, scenario)
    console.print(_actors_table(analysis, scenario))
    console.print(compact.legend() if compact else _issues_table(analysis))
    if scenario is not None and scenario.claims:
        console.print(_claims_table(analysis, scenario))
    console.print(_counts_line(analysis))
    if analysis.acceptable_count:
        _print_solutions(console, analysis, compact)
    else:
        console.print("[bold red]No package is acceptable to every actor with a veto.[/]")
    if analysis.pareto_indices.size and pareto_rows:
        _print_frontier(console, analysis, pareto_rows, compact)
    if blocker_rows:
        _print_blockers(console, analysis, blocker_rows)
    if analysis.closest:
        console.print(_closest_table(analysis, compact, console))
    if branches:
        console.print(_branches_table(analysis, branches, compact, console))
    console.print(_timings_line(analysis))


def _print_title(console: Console, analysis: Analysis, scenario: Scenario | None) -> None:
    domain = analysis.domain
    title = domain.notes.get("title") or domain.name or "negotiation"
    console.rule(f"[bold]{title}")
    if scenario is not None and scenario.scenario.description:
        console.print(scenario.scenario.description.strip())


def _actors_table(analysis: Analysis, scenario: Scenario | None) -> Table:
    domain = analysis.domain
    actors = Table(title="Actors", show_lines=False)
    for col in ("id", "name", "role", "capability", "veto", "outside option"):
        actors.add_column(col)
    roles = {a.id: a for a in scenario.actors} if scenario is not None else {}
    for a, actor in enumerate(domain.actors):
        spec = roles.get(actor)
        actors.add_row(actor, domain.names()[a], spec.role if spec else "party",
                       f"{spec.capability:g}" if spec else "-",
                       "yes" if domain.party_mask[a] else "no",
                       f"{domain.disagreement[a]:.3g}")
    return actors


def _issues_table(analysis: Analysis) -> Table:
    issues = Table(title="Issues")
    issues.add_column("id")
    issues.add_column("options")
    for issue in analysis.domain.issues:
        shown = list(issue.labels[:ISSUE_OPTIONS_SHOWN]) + (
            ["…"] if issue.size > ISSUE_OPTIONS_SHOWN else [])
        issues.add_row(issue.id, f"{issue.size}: " + ", ".join(shown))
    return issues


def _claims_table(analysis: Analysis, scenario: Scenario) -> Table:
    truths = analysis.domain.notes.get("claims", {})
    claims = Table(title="Claims (the branch analysed)")
    for col in ("claim", "reported by", "denied by", "taken as"):
        claims.add_column(col)
    for claim in scenario.claims:
        truth = truths.get(claim.id)
        claims.add_row(f"[bold]{claim.id}[/]\n[dim]{claim.text}[/]",
                       ", ".join(claim.reported_by) or "-",
                       ", ".join(claim.denied_by) or "-",
                       {True: "true", False: "false", None: "not assumed"}[truth])
    return claims


def _counts_line(analysis: Analysis) -> str:
    """How many packages there are, how many are acceptable, and the frontier's size."""
    if analysis.pareto_complete:
        points = analysis.pareto_indices.size
        frontier_text = (
            f"Pareto frontier: [bold]{analysis.pareto_packages:,}[/] packages "
            f"({int(analysis.pareto_acceptable_counts.sum()):,} of them acceptable)"
            + (f" at {_points(points)}" if points != analysis.pareto_packages else ""))
    else:
        frontier_text = (f"Pareto frontier: not computed, more than "
                         f"{analysis.max_frontier:,} distinct points (--max-frontier raises "
                         "the cap)")
    return (f"\n[bold]{analysis.n_packages:,}[/] packages; "
            f"[bold]{analysis.acceptable_count:,}[/] acceptable to every actor with a veto; "
            f"{frontier_text}.")


def _print_solutions(console: Console, analysis: Analysis,
                     compact: CompactPackages | None = None) -> None:
    """The bargaining solutions' first packages, and a note on ties when there are any."""
    domain = analysis.domain
    solved = {name: sol for name, sol in analysis.solutions.items() if sol.indices.size}
    table = Table(title="Bargaining solutions (among acceptable packages)",
                  caption=SOLUTION_CAPTION, caption_justify="left")
    narrow = compact is not None
    room = _room(console, [max(len(i.id) for i in domain.issues)], share=len(solved))
    table.add_column("", **({"no_wrap": True} if narrow else {}))
    for name, sol in solved.items():
        extra = f" (+{sol.count - 1:,} tied)" if sol.count > 1 else ""
        table.add_column(SOLUTION_TITLES[name] + extra, overflow="fold", ratio=1,
                         **({"max_width": room} if narrow else {}))
    packages = {name: package_labels(domain, int(sol.indices[0]))
                for name, sol in solved.items()}
    if compact is not None:  # each label cut to its column's width
        shown = {i: short_labels(labels, room) for i, labels in compact.labels.items()}
        packages = {name: {i: shown[i][label] for i, label in labels.items()}
                    for name, labels in packages.items()}
    for issue in domain.issues:
        table.add_row(issue.id, *[packages[name][issue.id] for name in solved])
    table.add_section()
    for a, actor in enumerate(domain.actors):
        table.add_row(f"u({actor})", *[Text(f"{sol.utilities[0, a]:.3f}", justify="right")
                                       for sol in solved.values()])
    console.print(table)
    tied = [f"{SOLUTION_TITLES[name]} {sol.count:,}" for name, sol in solved.items()
            if sol.count > 1]
    if tied:
        console.print(f"[dim]Tied packages: {', '.join(tied)}; the table shows the first "
                      f"of each, --json lists up to {analysis.list_limit:,} per solution "
                      "(--list-limit N for more).[/]")


def _print_frontier(console: Console, analysis: Analysis, rows: int,
                    compact: CompactPackages | None = None) -> None:
    """The first ``rows`` frontier points, acceptable ones first."""
    domain = analysis.domain
    points = analysis.pareto_indices.size
    shown = min(rows, points)
    cut = (f"first {shown} of {points:,} points, --pareto-rows {points} shows all"
           if shown < points else _points(points))
    frontier = Table(title=f"Pareto frontier ({cut}; acceptable ones first)")
    shared = bool((analysis.pareto_counts > 1).any())
    if compact is None:
        frontier.add_column("package (" + " / ".join(i.id for i in domain.issues) + ")",
                            overflow="fold")
        frontier.add_column("ok")
        if shared:
            frontier.add_column("packages alike", justify="right")
        for actor in domain.actors:
            frontier.add_column(actor, justify="right")
    else:
        alike_width = len(f"{int(analysis.pareto_counts.max()):,}") * 2 + 7
        room = _room(console, [3, *([alike_width] if shared else []),
                               *[max(len(a), 5) for a in domain.actors]])
        # too many actors for a column each: their utilities share one column
        stacked = room < compact.shortest()
        if stacked:
            together = min(6 * len(domain.actors) - 1, console.width // 2)
            room = _room(console, [3, *([alike_width] if shared else []), together])
        room = max(room, _words(compact.header()))
        frontier.add_column(compact.header(), overflow="fold",
                            min_width=_words(compact.header()))
        frontier.add_column("ok", no_wrap=True)
        if shared:
            frontier.add_column("alike", justify="right", no_wrap=True)
        if stacked:
            frontier.add_column("utilities (" + " ".join(domain.actors) + ")",
                                overflow="fold")
        else:
            for actor in domain.actors:
                frontier.add_column(actor, justify="right", no_wrap=True)
    order = np.argsort(~analysis.pareto_acceptable, kind="stable")[:shown]
    for k in order:
        alike = ([f"{analysis.pareto_acceptable_counts[k]:,} of "
                  f"{analysis.pareto_counts[k]:,} ok"] if shared else [])
        labels = package_labels(domain, int(analysis.pareto_indices[k]))
        utilities = [f"{u:.3f}" for u in analysis.pareto_utilities[k]]
        frontier.add_row(
            compact.line(labels, room) if compact else " / ".join(labels.values()),
            "yes" if analysis.pareto_acceptable[k] else "no", *alike,
            *([" ".join(utilities)] if compact and stacked else utilities))
    console.print(frontier)
    if shared:
        console.print(f"[dim]'{'alike' if compact else 'packages alike'}': packages with the "
                      "same utilities for every "
                      "actor with a veto, one row for all (the first acceptable one "
                      "shown).[/]")


def _print_blockers(console: Console, analysis: Analysis, rows: int) -> None:
    """The rules that block a deal, then the objections of actors without a veto."""
    blockers = [b for b in analysis.blockers if b.rejects]
    if blockers:
        console.print(_rule_table(
            "What blocks a deal (rules and outside options" + _cut(blockers, rows) + ")",
            blockers[:rows], "alone", lambda b: b.sole, with_kind=True,
            width=console.width if is_narrow(console) else None))
        console.print("[dim]'alone': packages that would be acceptable if only this "
                      "rule were lifted.[/]")
    objections = [b for b in analysis.advisory if b.rejects]
    if objections:
        console.print(_rule_table(
            "Objections from actors without a veto (they block nothing"
            + _cut(objections, rows) + ")",
            objections[:rows], "of the acceptable", lambda b: b.objects,
            width=console.width if is_narrow(console) else None))


def _closest_table(analysis: Analysis, compact: CompactPackages | None = None,
                   console: Console | None = None) -> Table:
    table = Table(title=f"The {len(analysis.closest)} closest packages (fewest broken "
                  "rules, smallest shortfall)")
    for col in (compact.header() if compact else "package", "breaks", "who must move",
                "shortfall"):
        table.add_column(col, justify="right" if col == "shortfall" and compact else "left")
    for near in analysis.closest:
        labels = package_labels(analysis.domain, near.index)
        table.add_row(compact.line(labels, console.width // 3) if compact and console
                      else _fmt_package(labels),
                      ", ".join(near.violations), ", ".join(near.must_move),
                      f"{near.shortfall:.3f}")
    return table


def _branches_table(analysis: Analysis, branches: list[dict],
                    compact: CompactPackages | None = None,
                    console: Console | None = None) -> Table:
    domain = analysis.domain
    if compact is not None and console is not None:
        return _compact_branches_table(domain, branches, compact, console)
    table = Table(title="Claim branches: acceptable packages if the claim is true / false")
    table.add_column("claim", overflow="fold")
    table.add_column("if true", justify="right")
    table.add_column("if false", justify="right")
    table.add_column("Nash if true", overflow="fold")
    table.add_column("Nash if false", overflow="fold")
    for row in branches:
        table.add_row(row["claim"], f"{row['acceptable_if_true']:,}",
                      f"{row['acceptable_if_false']:,}",
                      _branch_nash(domain, row["nash_if_true"], row["nash_ties_if_true"]),
                      _branch_nash(domain, row["nash_if_false"], row["nash_ties_if_false"]))
    return table


def _compact_branches_table(domain, branches: list[dict], compact: CompactPackages,
                            console: Console) -> Table:
    """The claim branches in two short lines per claim: if true, if false."""
    table = Table(title="Claim branches: acceptable packages and the Nash package")
    claim_width = min(max(len(row["claim"]) for row in branches), console.width // 3)
    table.add_column("claim", overflow="fold", min_width=claim_width)
    table.add_column("if", no_wrap=True)
    table.add_column("ok", justify="right", no_wrap=True)
    table.add_column("Nash " + compact.header()[8:], overflow="fold")
    counts = [len(f"{row[f'acceptable_if_{t}']:,}") for row in branches for t in ("true", "false")]
    room = _room(console, [claim_width, 5, max(2, *counts)])
    for row in branches:
        for truth in ("true", "false"):
            packages, ties = row[f"nash_if_{truth}"], row[f"nash_ties_if_{truth}"]
            nash = (compact.line(package_labels(domain, packages[0]), room)
                    + (f" (+{ties - 1:,} tied)" if ties > 1 else "")) if packages else "no deal"
            table.add_row(row["claim"] if truth == "true" else "", truth,
                          f"{row[f'acceptable_if_{truth}']:,}", nash,
                          end_section=truth == "false")
    return table


def _timings_line(analysis: Analysis) -> str:
    t = analysis.timings
    return (f"[dim]load {t.get('load', 0):.3f}s · build {t.get('build', 0):.3f}s · frontier "
            f"{t.get('frontier', 0):.3f}s · solutions {t.get('solutions', 0):.3f}s[/]")


def _points(n: int) -> str:
    return "1 point" if n == 1 else f"{n:,} points"


def _cut(rows: list, limit: int) -> str:
    """``; first 12 of 30, --blocker-rows 30 shows all`` when ``rows`` is cut to ``limit``."""
    if len(rows) <= limit:
        return ""
    return f"; first {limit} of {len(rows)}, --blocker-rows {len(rows)} shows all"


def _branch_nash(domain, packages: list[int], ties: int) -> str:
    if not packages:
        return "no deal"
    first = " / ".join(package_labels(domain, packages[0]).values())
    return first + (f" (+{ties - 1:,} tied)" if ties > 1 else "")


def render_forecast(console: Console, forecast, domain=None) -> None:
    """One model's forecast per issue; with the scenario's ``domain``, each value read against
    the options ("between freeze-contact-line and demilitarised-zone") and whether the
    package it rounds to breaks anyone's red line (:mod:`redline.report.forecasts`)."""
    from redline.report.forecasts import compare_forecasts, verdict_text

    title = f"{forecast.model} forecast ({forecast.turns} rounds)" if forecast.turns else \
        f"{forecast.model} forecast"
    readings = compare_forecasts(domain, {forecast.model: forecast}).readings \
        if domain is not None else ()
    reading = readings[0] if readings else None
    places = {p.issue: p for p in reading.point.placements} if reading else {}
    table = Table(title=title)
    table.add_column("dimension", overflow="fold")
    table.add_column("forecast", justify="right")
    if reading is not None:
        table.add_column("nearest options", overflow="fold")
    table.add_column("actors' range", justify="right")
    for k, name in enumerate(forecast.dimension_names):
        first = forecast.positions[0, :, k]
        cells = [name, f"{forecast.point[k]:.2f}"]
        if reading is not None:
            place = places.get(forecast.dimensions[k])
            cells.append(place.describe() if place else "-")
        table.add_row(*cells, f"{first.min():.2f} - {first.max():.2f}")
    console.print(table)
    if reading is not None:
        console.print("Rounded to the nearest options ("
                      + _fmt_package(reading.point.labels) + "), it "
                      + verdict_text(domain, reading.point) + ".")


def render_division(console: Console, division) -> None:
    """Print an Adjusted Winner division: each item's shares and the parties' points.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    division : Division
        The result of :func:`redline.space.fair_division.adjusted_winner`.
    """
    a, b = division.parties
    table = Table(title="Adjusted Winner")
    table.add_column("item")
    table.add_column(a, justify="right")
    table.add_column(b, justify="right")
    for item, (sa, sb) in division.shares.items():
        table.add_row(item, str(sa), str(sb))
    console.print(table)
    ta, tb = division.totals
    console.print(f"{a}: {ta} points ({float(ta):.4g}); {b}: {tb} points ({float(tb):.4g})"
                  + (f"; split item: {division.split_item}" if division.split_item else ""))


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def posterior_line(note: dict) -> str:
    """One line saying that a sweep's draws are the rounds' posterior: how many rounds, the
    effective sample size, and which counted rounds are an analyst's illustrations."""
    rounds = note.get("rounds", [])
    line = (f"Posterior after {len(rounds)} round(s) (effective sample size "
            f"{note['ess']:,.0f}); --prior ignores the rounds.")
    illustrative = note.get("illustrative", [])
    if illustrative:
        line += f" Illustrations, not reported facts: {', '.join(illustrative)}."
    return line


def render_sweep(console: Console, results: dict, rows: int | None = None) -> None:
    """Print one or two sweeps: P(agreement), claims, blocking, leading packages, forecasts,
    sensitivity.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    results : dict
        ``{"integrated": SweepResult}``, and ``"assumed"`` for a sweep with claims fixed
        (its tables are the ones shown).
    rows : int, optional
        Rows of the blocking, leading-package and sensitivity tables (``--rows``); None
        keeps each table's default. A table cut short says so and names the option.
    """
    main = results.get("assumed") or results["integrated"]
    narrow = is_narrow(console)
    scenario = main.plan.scenario
    console.rule(f"[bold]{scenario.scenario.title or scenario.scenario.id}: "
                 f"{main.draws:,} draws, seed {main.seed}")
    if main.posterior is not None:
        console.print(posterior_line(main.to_dict()["posterior"]))
    console.print(_agreement_table(results))
    console.print(_claim_probability_table(main))
    console.print(_blocking_table(main, rows or SWEEP_BLOCKING_ROWS,
                                  console.width if narrow else None))
    _print_sweep_cut(console, main.blocking, rows or SWEEP_BLOCKING_ROWS, "rules")
    console.print(f"[dim]'{'blocks' if narrow else 'blocks a deal'}': draws with no "
                  "acceptable package where lifting this rule alone would give one.[/]")
    leading = main.leading_packages()
    compact = _sweep_packages(main) if narrow else None
    if compact is not None:
        console.print(compact.legend())
    console.print(_leading_table(main, leading[:rows or SWEEP_LEADING_ROWS], compact, console))
    _print_sweep_cut(console, leading, rows or SWEEP_LEADING_ROWS, "leading packages")
    console.print(_quantile_table(main))
    sensitivity = main.sensitivity()
    shown = sensitivity[:rows or SWEEP_SENSITIVITY_ROWS]
    if narrow:  # names cut to about two lines of their column
        names = input_labels(scenario, [r["input"] for r in shown], width=NARROW_INPUT_NAME)
        shown = [{**r, "label": name} for r, name in zip(shown, names, strict=True)]
    console.print(_sensitivity_table(shown, compact.abbreviations if compact else None))
    _print_sweep_cut(console, sensitivity, rows or SWEEP_SENSITIVITY_ROWS, "inputs")
    console.print(f"[dim]sweep {main.timings.get('sweep', 0):.2f}s[/]")


def _agreement_table(results: dict) -> Table:
    """P(agreement) of each sweep; the assumed one's column names its claims."""
    title = "Probability of agreement (95% interval)"
    head = Table(title=title, min_width=len(title))
    for label in results:
        head.add_column(label + (" " + ", ".join(f"{k}={str(v).lower()}" for k, v in
                                                 results[label].plan.assume.items())
                                 if label == "assumed" else ""), justify="right")
    head.add_row(*[f"[bold]{_pct(r.p_agreement)}[/] [{_pct(r.p_agreement_interval[0])}, "
                   f"{_pct(r.p_agreement_interval[1])}]" for r in results.values()])
    return head


def _claim_probability_table(result) -> Table:
    scenario = result.plan.scenario
    claims = Table(title="Claims: probability of being true")
    claims.add_column("claim")
    claims.add_column("P(true)", justify="right")
    claims.add_column("reported by")
    claims.add_column("denied by")
    probs = result.to_dict()["claim_probabilities"]
    for claim in scenario.claims:
        claims.add_row(claim.id, f"{probs[claim.id]:.2f}", ", ".join(claim.reported_by) or "-",
                       ", ".join(claim.denied_by) or "-")
    return claims


def _print_sweep_cut(console: Console, rows: list, limit: int, what: str) -> None:
    """One line under a sweep table cut to ``limit`` rows, naming ``--rows``."""
    if len(rows) > limit:
        console.print(f"[dim]first {limit} of {len(rows)} {what}; --rows {len(rows)} "
                      "shows all[/]")


def _sweep_packages(result) -> CompactPackages:
    """The compact packages of a sweep: each issue's option labels (a scale's grid points)."""
    labels = {issue.id: [label for label, _ in issue.option_values()]
              for issue in result.plan.scenario.issues}
    return CompactPackages(labels, {i.id: i.name for i in result.plan.scenario.issues})


def _blocking_table(result, rows: int = SWEEP_BLOCKING_ROWS, width: int | None = None) -> Table:
    """The rules that block most often; ``width`` (a narrow console's) shortens headers."""
    table = Table(title="Which red line blocks most often")
    shown = result.blocking[:rows]
    longest = max((len(row["id"]) for row in shown), default=0)
    if width is None:
        table.add_column("rule", overflow="fold")
        table.add_column("holder")
        table.add_column("blocks a deal", justify="right")
        table.add_column("alone rejects some package", justify="right")
        table.add_column("share rejected", justify="right")
    else:
        table.add_column("rule", **({"no_wrap": True} if longest <= width * 2 // 5
                                    else {"overflow": "fold"}))
        table.add_column("holder", overflow="fold")
        for header in ("blocks", "alone rejects", "rejected"):
            table.add_column(header, justify="right", min_width=_words(header))
    for row in shown:
        table.add_row(row["id"], row["actor"], _pct(row["blocks"]), _pct(row["frees_packages"]),
                      _pct(row["rejects"]))
    return table


def _leading_table(result, rows: list[dict] | None = None,
                   compact: CompactPackages | None = None,
                   console: Console | None = None) -> Table:
    """The leading packages (``rows``, the first of ``result.leading_packages()`` by default);
    ``compact`` and ``console`` give each package one short line."""
    scenario = result.plan.scenario
    if rows is None:
        rows = result.leading_packages()[:SWEEP_LEADING_ROWS]
    lead = Table(title="Leading packages: P(Nash solution), P(acceptable to all), "
                       "P(each actor accepts)")
    if compact is None or console is None:
        lead.add_column("package (" + " / ".join(i.id for i in scenario.issues) + ")",
                        overflow="fold", ratio=3)
        lead.add_column("Nash", justify="right")
        lead.add_column("all", justify="right")
        for actor in scenario.actors:
            lead.add_column(actor.id, justify="right", overflow="fold")
        room, stacked = 0, False
    else:
        room = _room(console, [6, 6, *[max(len(a.id), 6) for a in scenario.actors]])
        # too many actors for a column each: their P(accepts) share one column
        stacked = room < compact.shortest()
        if stacked:
            room = _room(console, [6, 6, min(7 * len(scenario.actors) - 1, console.width // 2)])
        room = max(room, _words(compact.header()))
        lead.add_column(compact.header(), overflow="fold", min_width=_words(compact.header()))
        lead.add_column("Nash", justify="right", no_wrap=True)
        lead.add_column("all", justify="right", no_wrap=True)
        if stacked:
            lead.add_column("accepts (" + " ".join(a.id for a in scenario.actors) + ")",
                            overflow="fold")
        else:
            for actor in scenario.actors:
                lead.add_column(actor.id, justify="right", no_wrap=True)
    for row in rows:
        accepts = [_pct(row["p_accepts"][a.id]) for a in scenario.actors]
        lead.add_row(compact.line(row["package"], room) if room
                     else " / ".join(row["package"].values()), _pct(row["p_nash"]),
                     _pct(row["p_acceptable"]),
                     *([" ".join(accepts)] if room and stacked else accepts))
    return lead


def _quantile_table(result) -> Table:
    fc = Table(title=f"Forecast ({result.plan.model}) per issue, 0-100")
    for col in ("issue", "5%", "25%", "median", "75%", "95%"):
        fc.add_column(col, justify="right" if col != "issue" else "left")
    for issue, q in result.forecast_quantiles().items():
        fc.add_row(issue, *[f"{q[k]:.1f}" for k in ("q05", "q25", "q50", "q75", "q95")])
    return fc


def _sensitivity_table(rows: list[dict], abbreviations: dict[str, str] | None = None) -> Table:
    """The inputs most correlated with agreement (``rows`` of ``SweepResult.sensitivity``),
    each by its readable name (its path when it has none) with its strongest forecast effect;
    ``abbreviations`` name issues short."""
    sens = Table(title="Sensitivity: Spearman correlation with the outcome")
    sens.add_column("uncertain input", overflow="fold")
    narrow = abbreviations is not None
    sens.add_column("agreement", justify="right", **({"no_wrap": True} if narrow else {}))
    sens.add_column("strongest forecast effect", justify="right",
                    **({"min_width": _words("strongest forecast effect")} if narrow else {}))
    for row in rows:
        forecast = {k: v for k, v in row["rho"].items() if k.startswith("forecast.")}
        key = max(forecast, key=lambda k: abs(forecast[k])) if forecast else None
        issue = key.split(".", 1)[1] if key else ""
        issue = (abbreviations or {}).get(issue, issue)
        sens.add_row(row.get("label") or row["input"], f"{row['rho']['agreement']:+.2f}",
                     f"{forecast[key]:+.2f} ({issue})" if key else "-")
    return sens


EVALUATE_COMPLETION_ROWS = 5  # completions shown in the terminal (the JSON lists all)
EVALUATE_CHANGE_ROWS = 10  # fewest-changes packages shown


def _interval(cell: dict) -> str:
    return f"{_pct(cell['p'])} [{_pct(cell['low'])}, {_pct(cell['high'])}]"


def render_evaluation(console: Console, data: dict) -> None:
    """Print a judged proposal from its JSON form (``EvaluationRun.to_dict()``): per
    completion, each actor's utility, verdict and the rules that reject it (with P(accepts)
    and its 95% interval when there were draws); then what it would take.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    data : dict
        ``redline evaluate --json``.
    """
    proposal = data["proposal"]
    title = (f"{proposal['id']}: {proposal['title']}" if proposal is not None
             else _fmt_package(data["package"]))
    console.rule(f"[bold]{title}")
    if proposal is not None:
        when = ", ".join(x for x in (proposal["date"], proposal["tabled_by"] and
                                     f"tabled by {proposal['tabled_by']}") if x)
        console.print(f"package: {_fmt_package(data['package'])}" + (f" ({when})" if when else ""))
        if proposal.get("illustrative"):
            console.print("[italic]an analyst's illustration, not a text reported as tabled")
    rows = data["completions"]
    if data["open_issues"]:
        console.print(f"open issues: {', '.join(data['open_issues'])}: {len(rows):,} "
                      "completions" + (f", the first {EVALUATE_COMPLETION_ROWS} shown"
                                       if len(rows) > EVALUATE_COMPLETION_ROWS else ""))
    odds = data["uncertainty"]
    by_package = {}
    if odds is not None:
        by_package = {tuple(r["package"].items()): r for r in odds["completions"]}
    for row in rows[:EVALUATE_COMPLETION_ROWS]:
        chance = by_package.get(tuple(row["package"].items()))
        verdict = "[green]acceptable[/]" if row["acceptable"] else \
            f"[red]blocked[/] by {', '.join(row['blocking'])}"
        head = _fmt_package(row["package"]) + ": " + verdict
        if chance is not None:
            head += f"; P(every veto holder accepts) {_interval(chance['p_acceptable'])}"
        table = Table(title=head, title_justify="left")
        table.add_column("actor")
        table.add_column("utility", justify="right")
        table.add_column("accepts")
        table.add_column("rejected by", overflow="fold")
        if chance is not None:
            table.add_column("P(accepts) [95%]", justify="right")
        for actor in row["actors"]:
            cells = [actor["actor"], f"{actor['utility']:.3f}",
                     "yes" if actor["accepts"] else "[red]no[/]",
                     ", ".join(actor["rejected_by"]) or "-"]
            if chance is not None:
                cells.append(_interval(chance["p_accepts"][actor["actor"]]))
            table.add_row(*cells)
        console.print(table)
    if odds is not None:
        console.print(f"[dim]{odds['draws']:,} draws, seed {odds['seed']}; 95% Wilson "
                      f"intervals; best completion: {_fmt_package(odds['best_completion'])}[/]")
    takes = data["what_it_takes"]
    if takes["changes"] is None:
        console.print("What would it take: no package is acceptable to every veto holder.")
        return
    if takes["changes"] == 0:
        console.print("What would it take: nothing; " + (
            "it is acceptable as it stands." if not data["open_issues"] else
            f"{takes['count']:,} of its completions are acceptable."))
        return
    table = Table(title=f"What would it take: {takes['changes']} change(s), "
                        f"{takes['count']:,} acceptable package(s)")
    table.add_column("change", overflow="fold")
    table.add_column("package", overflow="fold", ratio=2)
    table.add_column("gains", overflow="fold")
    table.add_column("loses", overflow="fold")
    for row in takes["packages"][:EVALUATE_CHANGE_ROWS]:
        delta = row["utility_change"]
        table.add_row(", ".join(f"{i}: {row['compared_with'][i]} -> {row['package'][i]}"
                                for i in row["changes"]),
                      _fmt_package(row["package"]),
                      ", ".join(f"{a} {delta[a]:+.3f}" for a in row["gains"]) or "-",
                      ", ".join(f"{a} {delta[a]:+.3f}" for a in row["losses"]) or "-")
    console.print(table)
    if takes["count"] > min(len(takes["packages"]), EVALUATE_CHANGE_ROWS):
        console.print(f"[dim]first {min(len(takes['packages']), EVALUATE_CHANGE_ROWS)} of "
                      f"{takes['count']:,} (--json lists up to --list-limit)[/]")
