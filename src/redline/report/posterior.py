"""The terminal view of ``redline update``: what the rounds changed, and the timeline.

Everything is drawn from the JSON form (``UpdateRun.to_dict()``, ``redline update --json``), so
the terminal and the JSON cannot disagree. Rounds an analyst made up (``illustrative``) are
marked in every table that lists them.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

UPDATE_PACKAGE_ROWS = 8
"""Packages shown in the terminal, by posterior P(acceptable)."""
TIMELINE_CLAIMS = 4
"""Claims given a column of the terminal timeline (the JSON has them all)."""
TIMELINE_THRESHOLDS = 3
"""Red-line thresholds given a column of the terminal timeline (the JSON has every input)."""
ILLUSTRATION_MARK = "†"


ROUND_ID_WIDTH = 28
"""The widest a round's id is kept whole in the rounds table; longer ids are cut."""

def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _interval(cell: dict) -> str:
    return f"{_pct(cell['p'])} [{_pct(cell['low'])}, {_pct(cell['high'])}]"


def _number(x: float) -> str:
    return f"{x:.3g}"


def _spread(cell: dict) -> str:
    return f"{_number(cell['mean'])} [{_number(cell['low'])}, {_number(cell['high'])}]"


def _package(labels: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items())


def _what(event: dict) -> str:
    if event["kind"] == "stated_position":
        return f"{event['actor']} rejects any package with {_package(event['rejects'])}"
    text = event["proposal"] or _package(event["package"])
    answers = ", ".join(f"{a} {r}" for a, r in event["responses"].items())
    return f"{text}: {answers}"


def render_update(console: Console, data: dict) -> None:
    """Print ``redline update``: the rounds, the inputs and claims prior beside posterior,
    P(agreement), the leading packages and the timeline.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    data : dict
        ``redline update --json``.
    """
    console.rule(f"[bold]{data['title']}: update on {data['counted']} of "
                 f"{len(data['rounds'])} rounds, {data['draws']:,} draws, seed {data['seed']}")
    if data["prior_only"]:
        console.print("--prior: the rounds are ignored; every number is the prior's.")
    else:
        line = (f"method: {data['method']}; effective sample size {data['ess']:,.0f} of "
                f"{data['draws']:,} draws")
        if data["method"] == "smc":
            d = data["diagnostics"]
            line += (f" (importance weights alone: {d['importance_ess']:,.0f}; "
                     f"resampled and moved {d['resamples']} time(s), acceptance "
                     f"{_pct(d['acceptance'] or 0)}, {d['distinct']:,} distinct particles)")
        console.print(line)
    rounds = Table(title="Rounds")
    widest = max((len(e["id"]) + 2 for e in data["rounds"]), default=5)
    for name in ("date", "round", "what happened", "ε", "odds", "used"):
        if name == "round":  # ids whole: they are what --until and the timeline refer to
            rounds.add_column(name, no_wrap=True, min_width=min(widest, ROUND_ID_WIDTH))
        elif name == "date":
            rounds.add_column(name, no_wrap=True)
        else:
            rounds.add_column(name, justify="right" if name in ("ε", "odds") else "left",
                              min_width=10 if name == "what happened" else None)
    for event in data["rounds"]:
        mark = f" {ILLUSTRATION_MARK}" if event["illustrative"] else ""
        fit = event.get("prior_fit")
        rounds.add_row(event["date"], event["id"] + mark, _what(event),
                       f"{event['tremble']:.3g}", "-" if fit is None else _pct(fit),
                       "yes" if event["counted"] else "no")
    console.print(rounds)
    console.print("[dim]ε: the tremble, the chance the record is not the model's answer; "
                  "odds: the share of the prior's draws whose model gives every response "
                  "the round records; used: counted (up to --until).[/]")
    for event in data["rounds"]:
        if event.get("prior_fit") == 0:
            console.print(f"[yellow]{event['id']}: no draw of the scenario gives this answer, "
                          "so the round moves nothing (only its tremble explains it); revise "
                          "the inputs or rules it is about if the report is right.[/]")

    inputs = Table(title="Uncertain inputs: mean [90% interval]")
    inputs.add_column("input")
    inputs.add_column("prior", justify="right")
    inputs.add_column("posterior", justify="right")
    for row in data["inputs"]:
        inputs.add_row(row["label"], _spread(row["prior"]), _spread(row["posterior"]))
    if data["inputs"]:
        console.print(inputs)
    if data["claims"]:
        claims = Table(title="Claims: probability of being true")
        claims.add_column("claim")
        claims.add_column("prior", justify="right")
        claims.add_column("posterior", justify="right")
        for row in data["claims"]:
            claims.add_row(row["label"], _pct(row["prior"]), _pct(row["posterior"]))
        console.print(claims)
    agreement = Table(title="Probability of agreement [95% interval]")
    agreement.add_column("prior", justify="right")
    agreement.add_column("posterior", justify="right")
    agreement.add_row(_interval(data["p_agreement"]["prior"]),
                      f"[bold]{_interval(data['p_agreement']['posterior'])}[/]")
    console.print(agreement)

    packages = Table(title="Leading packages: P(acceptable to every veto holder)")
    packages.add_column("package")
    packages.add_column("prior", justify="right")
    packages.add_column("posterior [95%]", justify="right")
    for row in data["packages"][:UPDATE_PACKAGE_ROWS]:
        packages.add_row(_package(row["package"]), _pct(row["prior"]["p"]),
                         _interval(row["posterior"]))
    console.print(packages)
    if len(data["packages"]) > UPDATE_PACKAGE_ROWS:
        console.print(f"[dim]first {UPDATE_PACKAGE_ROWS} of {data['package_count']:,} packages; "
                      "--json lists them[/]")

    table, legend = _timeline_table(data)
    console.print(table)
    for line in legend:
        console.print(f"[dim]{line}[/]", highlight=False)
    notes = [f"{ILLUSTRATION_MARK} an analyst's illustration, not a reported fact."] \
        if any(e["illustrative"] for e in data["rounds"]) else []
    notes.append(data["interval_note"])
    for note in notes:
        console.print(f"[dim]{note}[/]")


def _timeline_table(data: dict) -> tuple[Table, list[str]]:
    """After each counted round: ESS, P(agreement), the first claims and red-line thresholds;
    and the legend of the numbered columns."""
    claims = [row for row in data["claims"]][:TIMELINE_CLAIMS]
    thresholds = [row for row in data["inputs"] if row["rule"]][:TIMELINE_THRESHOLDS]
    table = Table(title="Timeline: after each round")
    table.add_column("after")
    table.add_column("date")
    table.add_column("ESS", justify="right")
    table.add_column("P(agreement)", justify="right")
    legend = []
    for row in claims + thresholds:
        number = f"[{len(legend) + 1}]"
        table.add_column(number, justify="right")
        legend.append(f"{number} {row['label']}")
    for step in data["timeline"]:
        name = "prior" if step["round"] is None else step["round"]
        if step["illustrative"]:
            name += f" {ILLUSTRATION_MARK}"
        table.add_row(name, step["date"] or "", f"{step['ess']:,.0f}",
                      _pct(step["p_agreement"]["p"]),
                      *[_pct(step["claims"][c["id"]]) for c in claims],
                      *[_spread(step["inputs"][row["input"]]) for row in thresholds])
    return table, legend
