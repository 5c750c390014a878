"""Readable terminal summaries (rich). Renders results; computes nothing."""

from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.table import Table

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


def _fmt_package(labels: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items())


def _rule_table(title: str, rows, count_header: str, count, *, with_kind: bool = False) -> Table:
    """Rules with how many packages each rejects and one more count (``count(row)``)."""
    table = Table(title=title)
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
    _print_title(console, analysis, scenario)
    console.print(_actors_table(analysis, scenario))
    console.print(_issues_table(analysis))
    if scenario is not None and scenario.claims:
        console.print(_claims_table(analysis, scenario))
    console.print(_counts_line(analysis))
    if analysis.acceptable_count:
        _print_solutions(console, analysis)
    else:
        console.print("[bold red]No package is acceptable to every actor with a veto.[/]")
    if analysis.pareto_indices.size and pareto_rows:
        _print_frontier(console, analysis, pareto_rows)
    if blocker_rows:
        _print_blockers(console, analysis, blocker_rows)
    if analysis.closest:
        console.print(_closest_table(analysis))
    if branches:
        console.print(_branches_table(analysis, branches))
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


def _print_solutions(console: Console, analysis: Analysis) -> None:
    """The bargaining solutions' first packages, and a note on ties when there are any."""
    domain = analysis.domain
    solved = {name: sol for name, sol in analysis.solutions.items() if sol.indices.size}
    table = Table(title="Bargaining solutions (among acceptable packages)",
                  caption=SOLUTION_CAPTION)
    table.add_column("")
    for name, sol in solved.items():
        extra = f" (+{sol.count - 1:,} tied)" if sol.count > 1 else ""
        table.add_column(SOLUTION_TITLES[name] + extra, overflow="fold", ratio=1)
    packages = {name: package_labels(domain, int(sol.indices[0]))
                for name, sol in solved.items()}
    for issue in domain.issues:
        table.add_row(issue.id, *[packages[name][issue.id] for name in solved])
    table.add_section()
    for a, actor in enumerate(domain.actors):
        table.add_row(f"u({actor})", *[f"{sol.utilities[0, a]:.3f}" for sol in solved.values()])
    console.print(table)
    tied = [f"{SOLUTION_TITLES[name]} {sol.count:,}" for name, sol in solved.items()
            if sol.count > 1]
    if tied:
        console.print(f"[dim]Tied packages: {', '.join(tied)}; the table shows the first "
                      f"of each, --json lists up to {analysis.list_limit:,} per solution "
                      "(--list-limit N for more).[/]")


def _print_frontier(console: Console, analysis: Analysis, rows: int) -> None:
    """The first ``rows`` frontier points, acceptable ones first."""
    domain = analysis.domain
    points = analysis.pareto_indices.size
    shown = min(rows, points)
    cut = (f"first {shown} of {points:,} points, --pareto-rows {points} shows all"
           if shown < points else _points(points))
    frontier = Table(title=f"Pareto frontier ({cut}; acceptable ones first)")
    frontier.add_column("package (" + " / ".join(i.id for i in domain.issues) + ")",
                        overflow="fold")
    frontier.add_column("ok")
    shared = bool((analysis.pareto_counts > 1).any())
    if shared:
        frontier.add_column("packages alike", justify="right")
    for actor in domain.actors:
        frontier.add_column(actor, justify="right")
    order = np.argsort(~analysis.pareto_acceptable, kind="stable")[:shown]
    for k in order:
        alike = ([f"{analysis.pareto_acceptable_counts[k]:,} of "
                  f"{analysis.pareto_counts[k]:,} ok"] if shared else [])
        frontier.add_row(
            " / ".join(package_labels(domain, int(analysis.pareto_indices[k])).values()),
            "yes" if analysis.pareto_acceptable[k] else "no", *alike,
            *[f"{u:.3f}" for u in analysis.pareto_utilities[k]])
    console.print(frontier)
    if shared:
        console.print("[dim]'packages alike': packages with the same utilities for every "
                      "actor with a veto, one row for all (the first acceptable one "
                      "shown).[/]")


def _print_blockers(console: Console, analysis: Analysis, rows: int) -> None:
    """The rules that block a deal, then the objections of actors without a veto."""
    blockers = [b for b in analysis.blockers if b.rejects]
    if blockers:
        console.print(_rule_table(
            "What blocks a deal (rules and outside options" + _cut(blockers, rows) + ")",
            blockers[:rows], "alone", lambda b: b.sole, with_kind=True))
        console.print("[dim]'alone': packages that would be acceptable if only this "
                      "rule were lifted.[/]")
    objections = [b for b in analysis.advisory if b.rejects]
    if objections:
        console.print(_rule_table(
            "Objections from actors without a veto (they block nothing"
            + _cut(objections, rows) + ")",
            objections[:rows], "of the acceptable", lambda b: b.objects))


def _closest_table(analysis: Analysis) -> Table:
    table = Table(title=f"The {len(analysis.closest)} closest packages (fewest broken "
                  "rules, smallest shortfall)")
    for col in ("package", "breaks", "who must move", "shortfall"):
        table.add_column(col)
    for near in analysis.closest:
        table.add_row(_fmt_package(package_labels(analysis.domain, near.index)),
                      ", ".join(near.violations), ", ".join(near.must_move),
                      f"{near.shortfall:.3f}")
    return table


def _branches_table(analysis: Analysis, branches: list[dict]) -> Table:
    domain = analysis.domain
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


def render_sweep(console: Console, results: dict) -> None:
    """Print one or two sweeps: P(agreement), claims, blocking, leading packages, forecasts,
    sensitivity.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    results : dict
        ``{"integrated": SweepResult}``, and ``"assumed"`` for a sweep with claims fixed
        (its tables are the ones shown).
    """
    main = results.get("assumed") or results["integrated"]
    scenario = main.plan.scenario
    console.rule(f"[bold]{scenario.scenario.title or scenario.scenario.id}: "
                 f"{main.draws:,} draws, seed {main.seed}")
    console.print(_agreement_table(results))
    console.print(_claim_probability_table(main))
    console.print(_blocking_table(main))
    console.print("[dim]'blocks a deal': draws with no acceptable package where lifting this "
                  "rule alone would give one.[/]")
    console.print(_leading_table(main))
    console.print(_quantile_table(main))
    console.print(_sensitivity_table(main))
    console.print(f"[dim]sweep {main.timings.get('sweep', 0):.2f}s[/]")


def _agreement_table(results: dict) -> Table:
    """P(agreement) of each sweep; the assumed one's column names its claims."""
    head = Table(title="Probability of agreement")
    for label in results:
        head.add_column(label + (" " + ", ".join(f"{k}={str(v).lower()}" for k, v in
                                                 results[label].plan.assume.items())
                                 if label == "assumed" else ""), justify="right")
    head.add_row(*[f"[bold]{_pct(r.p_agreement)}[/]" for r in results.values()])
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


def _blocking_table(result) -> Table:
    table = Table(title="Which red line blocks most often")
    table.add_column("rule", overflow="fold")
    table.add_column("holder")
    table.add_column("blocks a deal", justify="right")
    table.add_column("alone rejects some package", justify="right")
    table.add_column("share rejected", justify="right")
    for row in result.blocking[:SWEEP_BLOCKING_ROWS]:
        table.add_row(row["id"], row["actor"], _pct(row["blocks"]), _pct(row["frees_packages"]),
                      _pct(row["rejects"]))
    return table


def _leading_table(result) -> Table:
    scenario = result.plan.scenario
    lead = Table(title="Leading packages: P(Nash solution), P(acceptable to all), "
                       "P(each actor accepts)")
    lead.add_column("package (" + " / ".join(i.id for i in scenario.issues) + ")",
                    overflow="fold", ratio=3)
    lead.add_column("Nash", justify="right")
    lead.add_column("all", justify="right")
    for actor in scenario.actors:
        lead.add_column(actor.id, justify="right", overflow="fold")
    for row in result.leading_packages()[:SWEEP_LEADING_ROWS]:
        lead.add_row(" / ".join(row["package"].values()), _pct(row["p_nash"]),
                     _pct(row["p_acceptable"]),
                     *[_pct(row["p_accepts"][a.id]) for a in scenario.actors])
    return lead


def _quantile_table(result) -> Table:
    fc = Table(title=f"Forecast ({result.plan.model}) per issue, 0-100")
    for col in ("issue", "5%", "25%", "median", "75%", "95%"):
        fc.add_column(col, justify="right" if col != "issue" else "left")
    for issue, q in result.forecast_quantiles().items():
        fc.add_row(issue, *[f"{q[k]:.1f}" for k in ("q05", "q25", "q50", "q75", "q95")])
    return fc


def _sensitivity_table(result) -> Table:
    """The inputs most correlated with agreement, each with its strongest forecast effect."""
    sens = Table(title="Sensitivity: Spearman correlation with the outcome")
    sens.add_column("uncertain input", overflow="fold")
    sens.add_column("agreement", justify="right")
    sens.add_column("strongest forecast effect", justify="right")
    for row in result.sensitivity()[:SWEEP_SENSITIVITY_ROWS]:
        forecast = {k: v for k, v in row["rho"].items() if k.startswith("forecast.")}
        key = max(forecast, key=lambda k: abs(forecast[k])) if forecast else None
        sens.add_row(row["input"], f"{row['rho']['agreement']:+.2f}",
                     f"{forecast[key]:+.2f} ({key.split('.', 1)[1]})" if key else "-")
    return sens
