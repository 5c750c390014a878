"""The mediator's next move in the terminal: the ranked candidates and their reasons (rich).

Renders ``redline advise --json`` (:meth:`redline.pipeline.AdviceRun.to_dict`); computes
nothing. Below :data:`~redline.report.terminal.NARROW_WIDTH` columns packages are one line of
cut option labels under abbreviated issues, with the legend table, as the sweep's tables are
(:class:`~redline.report.terminal.CompactPackages`); the reasons follow the table as numbered
lines, so the table fits 80 columns.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from redline.report.terminal import CompactPackages, _room, is_narrow

SCORE_HEADERS = {"accept": "P(all)", "value": "value", "probe": "bits"}
OBJECTIVE_TITLES = {
    "accept": "P(every veto holder accepts)",
    "value": "expected utility",
    "probe": "expected information about the uncertain inputs",
}


def _package(package: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in package.items())


def _candidate(row: dict) -> str | None:
    """What the user listed, when the ranked package is one of its completions or a
    proposal."""
    listed = row["candidate"]
    if listed is None:
        return None
    name = f"proposal {listed['proposal']}" if listed["proposal"] else "listed package"
    if row["completions"] > 1:
        return f"{name}: best of its {row['completions']:,} completions"
    return name


def render_advice(console: Console, data: dict) -> None:
    """Print ranked candidates from their JSON form (``AdviceRun.to_dict()``).

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    data : dict
        ``redline advise --json``.
    """
    objective = data["objective"]
    basis = (f"posterior after {len(data['rounds'])} round(s), ESS {data['ess']:,.0f}"
             if data["rounds"] else "prior")
    console.rule(f"[bold]Next move for {data['for']}: {OBJECTIVE_TITLES[objective]}")
    console.print(f"{data['draws']:,} draws ({basis}), seed {data['seed']}; "
                  f"{data['candidates']['count']:,} candidate(s)"
                  + (f"; answers of {', '.join(data['respondents'])}, tremble "
                     f"{data['tremble']:g}" if data["respondents"] else ""))
    if data["illustrative_rounds"]:
        console.print("[yellow]the posterior includes an analyst's illustration, not a reported "
                      f"fact: {', '.join(data['illustrative_rounds'])}[/]")
    rows = data["ranked"]
    if not rows:
        return
    issues = list(rows[0]["package"])
    compact = None
    if is_narrow(console):  # every option, so a cut label is told apart from all of them
        compact = CompactPackages({i: data["issues"][i] for i in issues}, {})
    score = SCORE_HEADERS[objective]
    extra = [h for h in ("P(all)", "value") if h != score]
    table = Table(title=f"Ranked by {score}")
    table.add_column("#", justify="right", no_wrap=True)
    if compact is None:
        table.add_column("package (" + " / ".join(issues) + ")", overflow="fold", ratio=3)
        room = 0
    else:
        room = _room(console, [3, 7, *[7] * len(extra)])
        room = max(room, len(compact.header().split()[0]))
        table.add_column(compact.header(), overflow="fold")
    for header in (score, *extra):
        table.add_column(header, justify="right", no_wrap=True)
    for row in rows:
        cells = {"P(all)": f"{row['p_acceptable']['p']:.3f}",
                 "value": f"{row['expected_value']:.3f}",
                 "bits": "-" if row["information_bits"] is None
                 else f"{row['information_bits']:.3f}"}
        shown = compact.line(row["package"], room) if compact is not None else \
            " / ".join(row["package"].values())
        table.add_row(str(row["rank"]), shown, cells[score], *(cells[h] for h in extra))
    console.print(table)
    if compact is not None:
        console.print("[dim]package: " + " / ".join(
            f"{compact.abbreviations[i]}={i}" for i in issues) + "[/]")
    for row in rows:
        listed = _candidate(row)
        console.print(f"{row['rank']}. " + (f"[dim]{listed}: {_package(row['package'])}[/]\n   "
                                            if listed else "") + row["reason"],
                      highlight=False)
    for cut in data["cuts"]:
        console.print(f"[dim]{cut}; --top shows more[/]")
