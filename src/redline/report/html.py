"""One self-contained HTML report (``redline report``).

:func:`collect` runs the same core functions as the other commands (load, analyse, forecast,
sweep) and makes the figures; :func:`render` turns that into one HTML document: plotly's
JavaScript embedded once, CSS inline, no external URL, every user-provided string escaped.
The building blocks (escaping, tables, sections) are in :mod:`redline.report.markup`; PNG copies
of the figures are drawn by :mod:`redline.report.png`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from plotly.offline import get_plotlyjs

from redline.errors import RedlineError
from redline.forecast.base import Forecast
from redline.pipeline import (
    REPORT_MODELS,
    Loaded,
    Study,
    load,
    run_advise,
    run_evaluate,
    run_study,
    run_update,
)
from redline.report import figures as F
from redline.report.forecasts import (
    WHY_THEY_DIFFER,
    assumes_clause,
    compare_forecasts,
    disagreement_lead,
    verdict_text,
)
from redline.report.markup import (
    Html,
    esc,
    figure_html,
    fmt_number,
    para,
    section,
    table,
    truth_word,
)
from redline.report.summary import executive_summary
from redline.scenario.labels import claim_label
from redline.space.engine import DEFAULT_MAX_PACKAGES, Analysis, package_labels

JUDGMENT_MARK = {"reported": "R", "official": "O", "analyst": "A", "estimate": "E"}


@dataclass
class ReportData:
    """Everything the report shows, computed by the core."""

    loaded: Loaded
    analysis: Analysis
    assume: dict[str, bool]
    forecasts: dict[str, Forecast] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # section id -> remarks
    branches: list[dict] = field(default_factory=list)
    sweep: object | None = None  # SweepResult, integrated over the claims
    branch: object | None = None  # SweepResult with the --assume claims fixed
    figures: dict[str, F.Figure] = field(default_factory=dict)  # figure JSON by name
    study: Study | None = None  # what run_study returned (the summary reads it)
    evaluations: list = field(default_factory=list)  # EvaluationRun per scenario proposal
    prior: bool = False  # the rounds ignored (--prior)
    until: str | None = None  # only the rounds dated on or before it count (--until)
    update: object | None = None  # UpdateRun: the posterior after each round (rounds + draws)
    advice: list = field(default_factory=list)  # AdviceRun per objective (with advise_for)


# ---------------------------------------------------------------- collecting results

def collect(path: str | Path, *, assume: Mapping[str, bool] | None = None,
            draws: int | None = None, seed: int = 0, models: Sequence[str] = REPORT_MODELS,
            x_actor: str | None = None, y_actor: str | None = None,
            max_packages: int = DEFAULT_MAX_PACKAGES, advise_for: str | None = None,
            prior: bool = False, until: str | None = None) -> ReportData:
    """Load ``path``, run :func:`redline.pipeline.run_study` on it (analysis, claim branches,
    forecasts, sweeps) and make the figures; spaces above ``max_packages`` packages are
    refused. With ``advise_for`` (an actor's id), the mediator's next move for that actor by
    each objective (:func:`redline.pipeline.run_advise`, top :data:`ADVICE_ROWS`, over
    ``draws`` or advise's default draws, on the posterior when the scenario has rounds).

    Every part that weighs draws (the sweep, the rounds' timeline, the proposals' odds and the
    advice) counts the rounds dated on or before ``until`` (an ISO date; ``None``: all), or
    none with ``prior``: then the rounds are listed, not learned from."""
    assume = dict(assume or {})
    loaded = load(path, assume=assume, max_packages=max_packages)
    domain = loaded.require_domain()
    for parameter, actor in (("x_actor", x_actor), ("y_actor", y_actor)):
        if actor:
            F.resolve_actor(domain, actor, parameter)  # before the long work
    if advise_for is not None:
        ids = [a.id for a in loaded.require_scenario("advice").actors]
        if advise_for not in ids:  # before the long work
            from redline.errors import listing

            raise loaded.located(RedlineError(f"unknown actor {advise_for!r}",
                                              parameter="advise_for",
                                              hint=f"actors: {listing(ids)}"))
    study = run_study(loaded, models=models, draws=draws, seed=seed, max_packages=max_packages,
                      prior=prior, until=until)
    if study.sweep_error is not None:
        raise loaded.located(study.sweep_error)
    analysis = study.analysis.analysis
    data = ReportData(loaded=loaded, analysis=analysis, assume=assume, prior=prior, until=until,
                      forecasts={name: run.forecast for name, run in study.forecasts.items()},
                      notes={k: list(v) for k, v in study.notes.items()},
                      branches=list(study.analysis.branches), study=study)
    figures = data.figures
    if analysis.domain.n_actors >= 2:
        figures["deal_space"] = F.deal_space_figure(analysis, x_actor, y_actor)
    if analysis.domain.n_actors > 2:
        figures["parallel"] = F.parallel_figure(analysis)
    figures["blockers"] = F.blockers_figure(analysis)
    for name, forecast in data.forecasts.items():
        figures[f"trajectories_{name}"] = F.trajectories_figure(forecast)
    if study.sweep is not None:
        data.sweep, data.branch = study.sweep.integrated, study.sweep.assumed
        figures.update(F.sweep_figures(data.sweep, data.branch))
    if loaded.scenario is not None and loaded.scenario.rounds and draws and not prior:
        data.update = run_update(loaded, draws=draws, seed=seed, until=until)
        names = {c.id: claim_label(loaded.scenario, c.id).text for c in loaded.scenario.claims}
        figures["timeline"] = F.timeline_figure(data.update.steps, names)
    if loaded.scenario is not None:
        data.evaluations = [run_evaluate(loaded, p.id, draws=draws or 0, seed=seed,
                                         max_packages=max_packages, prior=prior, until=until)
                            for p in loaded.scenario.proposals]
    if advise_for is not None:
        from redline.uncertainty.limits import ADVICE_OBJECTIVES, DEFAULT_DRAWS

        data.advice = [run_advise(loaded, advise_for, objective=objective, top=ADVICE_ROWS,
                                  draws=draws or DEFAULT_DRAWS, seed=seed, prior=prior,
                                  until=until)
                       for objective in ADVICE_OBJECTIVES]
    return data


# ---------------------------------------------------------------- sections

def _summary_section(data: ReportData) -> Html | None:
    """The answer first: :func:`redline.report.summary.executive_summary` as a list."""
    if data.study is None:
        return None
    rows = []
    for line in executive_summary(data.study):
        items = "".join(f"<li>{esc(item)}</li>" for item in line.items)
        rows.append(f'<li data-summary="{esc(line.key)}"><b>{esc(line.label)}:</b> '
                    f"{esc(line.text)}" + (f"<ul>{items}</ul>" if items else "") + "</li>")
    return section("summary", "The answer", [f'<ul class="summary">{"".join(rows)}</ul>'])


def _title(data: ReportData) -> str:
    scenario = data.loaded.scenario
    if scenario is not None and scenario.scenario.title:
        return scenario.scenario.title
    domain = data.analysis.domain
    return domain.notes.get("title") or domain.name or data.loaded.path.name


def _scenario_section(data: ReportData) -> Html:
    s = data.loaded.scenario
    if s is None:
        return _domain_section(data)
    meta = s.scenario
    parts = [para(meta.description.strip(), "lead")] if meta.description.strip() else []
    facts = [f"id {meta.id}"] + ([f"as of {meta.date}"] if meta.date else [])
    parts.append(para(" · ".join(facts), "muted"))
    parts += ["<h3>Actors</h3>", _actors_table(data), "<h3>Issues</h3>", _issues_table(data)]
    if s.sources:
        parts += ["<h3>Sources</h3>", _sources_table(data)]
    if s.claims:
        parts += ["<h3>Claims and the branch analysed</h3>", _claims_table(data)]
    parts += ["<h3>Positions</h3>", _positions_table(data), _judgment_legend()]
    rules = _rules_table(data)
    if rules:
        parts += ["<h3>Rules: red lines, linkages, ratification</h3>", rules]
    return section("scenario", "The scenario", parts)


def _domain_section(data: ReportData) -> Html:
    domain = data.analysis.domain
    rows = [(a, n, "yes" if v else "no", f"{d:.3g}") for a, n, v, d in
            zip(domain.actors, domain.names(), domain.party_mask, domain.disagreement,
                strict=True)]
    issues = [(i.id, i.name, ", ".join(i.labels)) for i in domain.issues]
    fmt = domain.notes.get("format", "")
    parts = [para(f"Read from {data.loaded.path.name}" + (f" ({fmt} format)" if fmt else "")
                  + "; no scenario file, so no sources, claims or forecasts.", "muted"),
             "<h3>Actors</h3>", table(("id", "name", "veto", "outside option"), rows),
             "<h3>Issues</h3>", table(("id", "name", "options"), issues)]
    return section("scenario", "The negotiation", parts)


def _sources_list(ids: Sequence[str], names: Mapping[str, str]) -> str:
    return "; ".join(f"{names.get(i, i)} [{i}]" for i in ids) or "-"


def _actors_table(data: ReportData) -> Html:
    s = data.loaded.scenario
    veto = dict(zip(data.analysis.domain.actors, data.analysis.domain.party_mask, strict=True))
    rows = [(a.id, a.name, a.role, fmt_number(a.capability, "capability"),
             "yes" if veto.get(a.id, a.has_veto) else "no",
             fmt_number(a.outside_option, "outside_option"),
             a.judgment, ", ".join(a.sources) or "-", a.note) for a in s.actors]
    return table(("id", "name", "role", "capability", "veto", "outside option", "judgment",
                  "sources", "note"), rows)


def _issues_table(data: ReportData) -> Html:
    rows = []
    for issue in data.loaded.scenario.issues:
        if issue.options is not None:
            items = "".join(
                f"<li><b>{esc(o.label)}</b> ({o.value:g})"
                + (f" — {esc(o.description)}" if o.description else "") + "</li>"
                for o in issue.options)
            options = Html(f"<ul>{items}</ul>")
        else:
            scale = issue.scale
            options = (f"scale {scale.low:g}–{scale.high:g}, step {scale.step:g} "
                       f"({len(issue.option_values())} options)")
        ends = Html(f"<b>0</b>: {esc(issue.low or '-')}<br><b>100</b>: {esc(issue.high or '-')}")
        rows.append((Html(f"<b>{esc(issue.name)}</b><br><code>{esc(issue.id)}</code>"
                          + (f"<br>{esc(issue.description)}" if issue.description else "")),
                     ends, options))
    return table(("issue", "what the ends mean", "options (0–100 value)"), rows)


def _sources_table(data: ReportData) -> Html:
    rows = [(src.id, src.name, src.kind, "-" if src.reliability is None else
             f"{src.reliability:g}", src.date or "-", src.url or "-", src.note)
            for src in data.loaded.scenario.sources]
    return table(("id", "source", "kind", "reliability", "date", "address (not linked)",
                  "note"), rows)


def _claims_table(data: ReportData) -> Html:
    from redline.uncertainty.claims import claim_probabilities

    s = data.loaded.scenario
    names = {src.id: src.name for src in s.sources}
    probability = claim_probabilities(s)
    truths = data.analysis.domain.notes.get("claims", {})
    branches = {row["claim"]: row for row in data.branches}
    rows = []
    for claim in s.claims:
        taken = truth_word(truths.get(claim.id, claim.assumed))
        taken += " (--assume)" if claim.id in data.assume else " (default)"
        changes = "; ".join(
            f"{o.actor}" + (f" on {o.issue}" if o.issue else "") + ": " + ", ".join(
                f"{k} {v:g}" for k, v in (("position", o.position), ("salience", o.salience),
                                          ("outside option", o.outside_option))
                if v is not None) for o in claim.if_true) or "-"
        row = branches.get(claim.id)
        counts = (f"{row['acceptable_if_true']:,} / {row['acceptable_if_false']:,}"
                  if row else "-")
        text = Html(f"<b>{esc(claim.id)}</b><br>{esc(claim.text)}"
                    + (f'<br><span class="muted">{esc(claim.note)}</span>' if claim.note
                       else ""))
        rows.append((text, _sources_list(claim.reported_by, names),
                     _sources_list(claim.denied_by, names), f"{probability[claim.id]:.2f}",
                     taken, changes, counts))
    return table(("claim", "reported by", "denied by", "P(true)", "analysed as",
                  "if true", "acceptable packages if true / false"), rows, "claims")


def _judgment_mark(judgment: str) -> Html:
    return Html(f'<span class="judgment j-{esc(judgment)}" title="{esc(judgment)} judgment">'
                f"{esc(JUDGMENT_MARK.get(judgment, '?'))}</span>")


def _judgment_legend() -> Html:
    marks = " ".join(f"{_judgment_mark(j)} {esc(j)}" for j in JUDGMENT_MARK)
    return para(Html(f"Judgment markers: {marks}."), "muted")


def _positions_table(data: ReportData) -> Html:
    s = data.loaded.scenario
    rows = []
    for actor in s.actors:
        cells: list[object] = [actor.name]
        for issue in s.issues:
            st = s.positions[actor.id][issue.id]
            text = f"position {fmt_number(st.position, 'position')}"
            if st.private is not None:
                text += f"<br>private {esc(fmt_number(st.private, 'private'))}"
            text += f"<br>salience {esc(fmt_number(st.salience, 'salience'))}"
            if st.values is not None:
                text += "<br>values: " + esc(", ".join(f"{k}={v:g}" for k, v in
                                                        st.values.items()))
            extra = [f"sources: {', '.join(st.sources)}"] if st.sources else []
            extra += [st.note] if st.note else []
            if extra:
                text += f'<br><span class="muted">{esc("; ".join(extra))}</span>'
            cells.append(Html(f"{_judgment_mark(st.judgment)} {text}"))
        rows.append(cells)
    return table(["actor"] + [issue.name for issue in s.issues], rows, "positions")


def _rules_table(data: ReportData) -> Html | None:
    s = data.loaded.scenario
    rows = []
    for kind, rules in (("red line", s.red_lines), ("linkage", s.linkages),
                        ("ratification", s.ratification)):
        for rule in rules:
            gate = (f"if {rule.claim} is true" if rule.claim else
                    f"if {rule.claim_false} is false" if rule.claim_false else "always")
            soft = " (soft)" if getattr(rule, "hard", True) is False else ""
            rows.append((rule.id, kind + soft, rule.actor, rule.description, gate,
                         rule.judgment, ", ".join(rule.sources) or "-"))
    if not rows:
        return None
    return table(("rule", "kind", "holder", "what it says", "applies", "judgment", "sources"),
                 rows)


def _deal_section(data: ReportData) -> Html:
    a = data.analysis
    domain = a.domain
    if a.pareto_complete:
        points = a.pareto_indices.size
        frontier = (f"Pareto frontier: {a.pareto_packages:,} packages "
                    f"({int(a.pareto_acceptable_counts.sum()):,} of them acceptable)"
                    + (f" at {points:,} distinct points" if points != a.pareto_packages else ""))
    else:
        frontier = f"Pareto frontier: not computed, more than {a.max_frontier:,} distinct points"
    counts = (f"{a.n_packages:,} packages; {a.acceptable_count:,} acceptable to every actor "
              f"with a veto; {frontier}.")
    parts = [para(counts, "lead")]
    if "deal_space" in data.figures:
        parts.append(figure_html("deal_space", data.figures["deal_space"]))
    if a.acceptable_count:
        parts += ["<h3>Bargaining solutions</h3>", _solutions_table(a),
                  para("Nash: max product of gains over outside options · Kalai–Smorodinsky: "
                       "max min share of the ideal gain · utilitarian: max sum · egalitarian: "
                       "max min gain.", "muted")]
    else:
        parts.append(para("No package is acceptable to every actor with a veto.", "warning"))
        rows = [(" / ".join(package_labels(domain, d.index).values()), ", ".join(d.violations),
                 ", ".join(d.must_move), f"{d.shortfall:.3f}") for d in a.closest]
        if rows:
            parts += ["<h3>Closest packages</h3>",
                      table(("package", "breaks", "who must move", "shortfall"), rows)]
    if "parallel" in data.figures:
        parts.append(figure_html("parallel", data.figures["parallel"]))
    return section("deal-space", "The deal space", parts)


def _solutions_table(a: Analysis) -> Html:
    domain = a.domain
    solved = {n: s for n, s in a.solutions.items() if s.indices.size}
    headers = [""] + [F.SOLUTION_STYLE[n][0] + (f" (+{s.count - 1:,} tied)" if s.count > 1
                                                else "") for n, s in solved.items()]
    packages = {n: package_labels(domain, int(s.indices[0])) for n, s in solved.items()}
    rows = [[issue.name] + [packages[n][issue.id] for n in solved] for issue in domain.issues]
    rows += [[f"utility to {name}"] + [f"{s.utilities[0, k]:.3f}" for s in solved.values()]
             for k, name in enumerate(domain.names())]
    return table(headers, rows, "solutions")


def _blockers_section(data: ReportData) -> Html:
    a = data.analysis
    names = dict(zip(a.domain.actors, a.domain.names(), strict=True))
    rows = [(b.id, b.kind.replace("_", " "), names.get(b.actor, b.actor), f"{b.rejects:,}",
             f"{b.sole:,}", b.description) for b in a.blockers]
    parts = [figure_html("blockers", data.figures["blockers"]),
             table(("rule", "kind", "holder", "rejects", "alone rejects", "what it says"), rows),
             para("'Alone rejects': packages that would become acceptable if only this rule "
                  "were lifted.", "muted")]
    return section("blockers", "Who blocks", parts)


def _forecast_section(data: ReportData) -> Html | None:
    if not data.forecasts:
        return None
    parts = [para(note, "muted") for note in data.notes.get("forecasts", [])]
    domain = data.analysis.domain
    comparison = compare_forecasts(domain, data.forecasts)
    first = next(iter(data.forecasts.values()))
    start = {dim: first.positions[0, :, k] for k, dim in enumerate(first.dimensions)}
    if comparison.readings:
        models = [r.model for r in comparison.readings]
        rows: list[list[object]] = []
        for i, issue in enumerate(domain.issues):
            spread = start.get(issue.id)
            rows.append([issue.name, "-" if spread is None else
                         f"{spread.min():.1f} – {spread.max():.1f}"]
                        + [r.point.placements[i].text() for r in comparison.readings])
        rows.append([Html("<b>rounded to the nearest options</b>"), ""]
                    + [verdict_text(domain, r.point) for r in comparison.readings])
        parts += ["<h3>Where each model lands (0–100 scale, nearest options)</h3>",
                  table(["issue", "actors' starting range", *models], rows, "forecasts")]
        if comparison.disagreements:
            notes = "".join(f"<li>{esc(d.note)}</li>" for d in comparison.disagreements)
            assumes = "".join(f"<li><b>{esc(m)}</b> {esc(assumes_clause(text))}</li>"
                              for m, text in comparison.assumptions.items())
            parts += [para(disagreement_lead(), "lead"),
                      Html(f'<ul class="disagreements">{notes}</ul>'),
                      para(WHY_THEY_DIFFER, "muted"),
                      Html(f'<ul class="assumptions">{assumes}</ul>')]
    else:
        rows = [[dim, f"{start[d].min():.1f} – {start[d].max():.1f}"]
                + [f"{f.point[k]:.1f}" for f in data.forecasts.values()]
                for k, (d, dim) in enumerate(zip(first.dimensions, first.dimension_names,
                                                 strict=True))]
        parts += ["<h3>Forecasts (0–100 scale)</h3>",
                  table(["issue", "actors' starting range", *data.forecasts], rows,
                        "forecasts")]
    for name, result in data.forecasts.items():
        key = f"trajectories_{name}"
        if result.turns > 1:
            parts += [f"<h3>{esc(name)}: positions per round ({result.turns} rounds)</h3>",
                      figure_html(key, data.figures[key])]
        elif key in data.figures:
            parts += [f"<h3>{esc(name)}: one-step forecast</h3>",
                      para(f"{name} forecasts in one step, so there is no trajectory: the "
                           "figure shows the actors' positions and the forecast.", "muted"),
                      figure_html(key, data.figures[key])]
    return section("forecasts", "Forecasts", parts)


def _rounds_section(data: ReportData) -> Html | None:
    """The rounds (dated events) and what each taught: the timeline of the posterior."""
    scenario = data.loaded.scenario
    if scenario is None or not scenario.rounds:
        return None
    if data.prior:
        return section("rounds", "The rounds", [para(
            f"The scenario records {len(scenario.rounds)} round(s); this report ignores them "
            "(--prior): every probability is the prior's.", "muted")])
    if data.update is None:
        return section("rounds", "The rounds", [para(
            f"The scenario records {len(scenario.rounds)} round(s); run the report with "
            "--draws to see what each one teaches about the red lines and P(agreement).",
            "muted")])
    d = data.update.to_dict()
    rows = []
    for r in d["rounds"]:
        what = (f"{names_or_id(data, r['actor'])} rejects any package with "
                + ", ".join(f"{k}={v}" for k, v in (r["rejects"] or {}).items())
                if r["kind"] == "stated_position" else
                (f"responses to {r['proposal']}: " if r["proposal"] else "responses: ")
                + "; ".join(f"{names_or_id(data, a)} {v}" for a, v in
                            (r["responses"] or {}).items()))
        rows.append([r["date"] or "-", Html(f"<b>{esc(r['title'] or r['id'])}</b><br>"
                                            f"<code>{esc(r['id'])}</code>"), what,
                     ", ".join(r["sources"]) or "-", f"{r['tremble']:g}",
                     "yes" if r["illustrative"] else "no", "yes" if r["counted"] else "no"])
    steps = []
    for step in d["timeline"]:
        pa = step["p_agreement"]
        steps.append([step["round"] or "prior", step["date"] or "-",
                      f"{pa['p']:.3f} [{pa['low']:.3f}, {pa['high']:.3f}]",
                      f"{step['ess']:,.0f}", step["method"]])
    parts = [para(f"{d['counted']} round(s) counted; posterior by {d['method']} over "
                  f"{d['draws']:,} draws (effective sample size {d['ess']:,.0f}); "
                  f"P(agreement) {d['p_agreement']['prior']['p']:.3f} before the rounds, "
                  f"{d['p_agreement']['posterior']['p']:.3f} after.", "lead")]
    if d["until"]:
        parts.append(para(f"Only the rounds dated on or before {d['until']} are counted "
                          "(--until); the later ones are listed as not counted.", "warning"))
    if d["illustrative"]:
        parts.append(para("Counted rounds marked as an analyst's illustration: "
                          + ", ".join(d["illustrative"]) + ".", "warning"))
    parts += [figure_html("timeline", data.figures["timeline"]),
              table(("date", "round", "what happened", "sources", "tremble",
                     "illustration", "counted"), rows, "rounds"),
              "<h3>After each round</h3>",
              table(("after", "date", "P(agreement) [95%]", "effective draws", "method"),
                    steps, "timeline")]

    def spread(cell: Mapping) -> str:
        return f"{cell['mean']:.3g} [{cell['low']:.3g}, {cell['high']:.3g}]"

    learned = [[row["label"], spread(row["prior"]), spread(row["posterior"])]
               for row in d["inputs"]]
    learned += [[row["label"], f"{row['prior']:.2f}", f"{row['posterior']:.2f}"]
                for row in d["claims"]]
    if learned:
        parts += ["<h3>What the rounds teach about the inputs and the claims</h3>",
                  table(("input", "prior: mean [5%, 95%]", "after the rounds"), learned,
                        "posterior")]
    parts.append(para(d["interval_note"], "muted"))
    return section("rounds", "The rounds: what each one taught", parts)


def names_or_id(data: ReportData, actor: str | None) -> str:
    """An actor's name (its id when unknown)."""
    domain = data.analysis.domain
    return dict(zip(domain.actors, domain.names(), strict=True)).get(actor or "", actor or "")


PROPOSAL_COMPLETIONS = 5  # completions of a partial proposal shown (the JSON lists all)
PROPOSAL_CHANGES = 5  # fewest-changes packages shown


def _odds(cell: Mapping) -> str:
    """``p [low, high]`` of one of evaluate's interval cells."""
    return f"{cell['p']:.2f} [{cell['low']:.2f}, {cell['high']:.2f}]"


def _proposals_section(data: ReportData) -> Html | None:
    """Each proposal of the scenario, judged as ``redline evaluate`` judges it."""
    if not data.evaluations:
        return None
    domain = data.analysis.domain
    names = dict(zip(domain.actors, domain.names(), strict=True))
    issue_names = {i.id: i.name for i in domain.issues}

    def package_words(package: Mapping[str, str]) -> str:
        return "; ".join(f"{issue_names.get(k, k)}: {v}" for k, v in package.items())

    parts = [para("Each text on the table, judged in the branch analysed: every actor's "
                  "utility, whether it accepts and which of its rules reject it"
                  + (", its chance of accepting over the sweep's draws (95% Wilson "
                     "interval)" if data.sweep is not None else "")
                  + ", and the acceptable packages with the fewest changes.", "muted")]
    for run in data.evaluations:
        d = run.to_dict()
        p = d["proposal"] or {}
        facts = [f"tabled by {names.get(p['tabled_by'], p['tabled_by'])}"] \
            if p.get("tabled_by") else []
        facts += [p["date"]] if p.get("date") else []
        facts += [f"sources: {', '.join(p['sources'])}"] if p.get("sources") else []
        parts.append(f'<h3 data-proposal="{esc(p.get("id", ""))}">{esc(p.get("title", ""))} '
                     f"<code>{esc(p.get('id', ''))}</code></h3>")
        if facts:
            parts.append(para(" · ".join(facts), "muted"))
        parts.append(para(f"Package: {package_words(d['package'])}"
                          + (f"; open: {', '.join(issue_names.get(i, i) for i in d['open_issues'])}"
                             f" ({len(d['completions']):,} completions)" if d["open_issues"]
                             else "") + "."))
        odds = d["uncertainty"]
        chances = {tuple(r["package"].items()): r for r in odds["completions"]} if odds else {}
        for row in d["completions"][:PROPOSAL_COMPLETIONS]:
            chance = chances.get(tuple(row["package"].items()))
            verdict = ("acceptable to every veto holder" if row["acceptable"] else
                       "blocked by " + ", ".join(row["blocking"]))
            if chance is not None:
                verdict += f"; P(every veto holder accepts) {_odds(chance['p_acceptable'])}"
            if d["open_issues"]:
                verdict = f"{package_words(row['package'])}: {verdict}"
            parts.append(para(verdict, "lead" if row["acceptable"] else "warning"))
            headers = ["actor", "utility", "accepts", "rejected by"] + (
                ["P(accepts) [95%]"] if chance is not None else [])
            rows = []
            for actor in row["actors"]:
                cells = [names.get(actor["actor"], actor["actor"]), f"{actor['utility']:.3f}",
                         "yes" if actor["accepts"] else "no",
                         ", ".join(actor["rejected_by"]) or "-"]
                if chance is not None:
                    cells.append(_odds(chance["p_accepts"][actor["actor"]]))
                rows.append(cells)
            parts.append(table(headers, rows, "proposal"))
        if len(d["completions"]) > PROPOSAL_COMPLETIONS:
            parts.append(para(f"First {PROPOSAL_COMPLETIONS} of {len(d['completions']):,} "
                              "completions; redline evaluate --json lists all.", "muted"))
        takes = d["what_it_takes"]
        if takes["changes"] is None:
            parts.append(para("What it takes: no package is acceptable to every veto holder.",
                              "muted"))
        elif takes["changes"] == 0:
            parts.append(para("What it takes: nothing, it is acceptable as it stands.", "muted"))
        else:
            rows = []
            for change in takes["packages"][:PROPOSAL_CHANGES]:
                delta = change["utility_change"]
                rows.append([
                    "; ".join(f"{issue_names.get(i, i)}: {change['compared_with'][i]} → "
                              f"{change['package'][i]}" for i in change["changes"]),
                    package_words(change["package"]),
                    ", ".join(f"{names.get(a, a)} {delta[a]:+.3f}" for a in change["gains"])
                    or "-",
                    ", ".join(f"{names.get(a, a)} {delta[a]:+.3f}" for a in change["losses"])
                    or "-"])
            parts += [para(f"What it takes: {takes['changes']} change(s); "
                           f"{takes['count']:,} acceptable package(s) that close"
                           + (f", the first {len(rows)} shown" if takes["count"] > len(rows)
                              else "") + "."),
                      table(("change", "package", "who gains", "who loses"), rows,
                            "what-it-takes")]
    return section("proposals", "Proposals on the table", parts)


ADVICE_ROWS = 3  # ranked packages per objective in the report (redline advise --top lists more)
ADVICE_TITLES = {"accept": "Most likely to be accepted by every veto holder",
                 "value": "Best for {actor}, on average",
                 "probe": "Most revealing to table"}


def _advice_section(data: ReportData) -> Html | None:
    """The mediator's next move for the actor asked for, by each objective, as
    ``redline advise`` ranks it: the packages, their scores and the reasons."""
    if not data.advice:
        return None
    domain = data.analysis.domain
    names = dict(zip(domain.actors, domain.names(), strict=True))
    issue_names = {i.id: i.name for i in domain.issues}
    first = data.advice[0].to_dict()
    actor = names.get(first["for"], first["for"])
    basis = (f"the posterior after {len(first['rounds'])} round(s) (effective sample size "
             f"{first['ess']:,.0f})" if first["rounds"] else "the prior (no rounds)")
    parts = [para(f"For {actor}: every package of the space ranked by each objective over "
                  f"{first['draws']:,} draws, seed {first['seed']}, {basis}; the first "
                  f"{ADVICE_ROWS} of each (redline advise --for {first['for']} --objective "
                  "OBJECTIVE).", "muted")]
    for run in data.advice:
        d = run.to_dict()
        rows = []
        for row in d["ranked"]:
            if d["objective"] == "accept":
                score = f"P(every veto holder accepts) {_odds(row['p_acceptable'])}"
            elif d["objective"] == "value":
                score = f"expected utility {row['expected_value']:.3f}"
            else:
                score = f"{row['information_bits']:.3f} bits"
            rows.append([str(row["rank"]),
                         "; ".join(f"{issue_names.get(k, k)}: {v}"
                                   for k, v in row["package"].items()),
                         score, row["reason"]])
        parts += [f'<h3 data-objective="{esc(d["objective"])}">'
                  f'{esc(ADVICE_TITLES[d["objective"]].format(actor=actor))} '
                  f'<code>{esc(d["objective"])}</code></h3>',
                  table(("rank", "package", "score", "reason"), rows, "advice")]
    return section("advice", "The mediator's next move", parts)


def _interval(result) -> str:
    """``(95% interval low–high)``: the sweep's Wilson interval of P(agreement)."""
    low, high = result.p_agreement_interval
    return f"(95% interval {low:.3f}–{high:.3f})"


def _uncertainty_section(data: ReportData) -> Html | None:
    notes = [para(n, "muted") for n in data.notes.get("uncertainty", [])]
    result = data.sweep
    if result is None:
        return section("uncertainty", "Uncertainty", notes) if notes else None
    figs = data.figures
    lead = (f"{result.draws:,} draws (seed {result.seed}); P(agreement) "
            f"{result.p_agreement:.3f} {_interval(result)} integrated over the claims' "
            "probabilities")
    if data.branch is not None:
        lead += (f", {data.branch.p_agreement:.3f} {_interval(data.branch)} with "
                 f"{F.branch_label(data.branch)}")
    parts = notes + [para(lead + ".", "lead"), figure_html("p_agreement", figs["p_agreement"]),
                     figure_html("tornado", figs["tornado"]),
                     figure_html("forecast_distribution", figs["forecast_distribution"]),
                     figure_html("nash_distribution", figs["nash_distribution"])]
    quant = [[issue] + [f"{row[k]:.1f}" for k in ("q05", "q25", "q50", "q75", "q95", "mean")]
             for issue, row in result.forecast_quantiles().items()]
    parts += [f"<h3>Forecast quantiles ({esc(result.plan.model)} model in every draw)</h3>",
              table(("issue", "5%", "25%", "median", "75%", "95%", "mean"), quant)]
    block = [(r["id"], r["kind"].replace("_", " "), r["actor"], f"{r['blocks']:.3f}",
              f"{r['frees_packages']:.3f}") for r in result.blocking]
    parts += ["<h3>Blocking across draws (integrated)</h3>",
              table(("rule", "kind", "holder", "P(no deal, and lifting it alone frees one)",
                     "P(lifting it alone frees a package)"), block)]
    return section("uncertainty", "Uncertainty", parts)


CSS = """
:root { --ink:#1d2733; --muted:#5b6675; --line:#dde3ea; --accent:#264653; --bg:#fbfcfd; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { margin: 0 0 4px; font-size: 28px; }
h2 { margin-top: 40px; padding-bottom: 6px; border-bottom: 2px solid var(--accent); }
h3 { margin-top: 26px; }
nav a { color: var(--accent); margin-right: 16px; text-decoration: none; }
nav a:hover { text-decoration: underline; }
.lead { font-size: 16px; }
.muted { color: var(--muted); font-size: 13px; }
.warning { color: #9b2226; font-weight: 600; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; background: white; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left;
  vertical-align: top; }
th { background: #eef2f6; }
td ul { margin: 0; padding-left: 18px; }
code { font-size: 12.5px; color: var(--muted); }
figure.plot { margin: 12px 0; background: white; border: 1px solid var(--line); }
.judgment { display: inline-block; min-width: 18px; padding: 0 4px; border-radius: 4px;
  font-size: 11px; font-weight: 700; text-align: center; color: white; background: #6c757d; }
.j-reported { background: #2a9d8f; } .j-official { background: #264653; }
.j-analyst { background: #e76f51; } .j-estimate { background: #e9c46a; color: #1d2733; }
.summary { padding-left: 20px; font-size: 15.5px; } .summary > li { margin: 6px 0; }
footer { margin: 48px auto 24px; color: var(--muted); font-size: 12px; }
main p, main li { overflow-wrap: anywhere; }
figure.plot { max-width: 100%; overflow-x: auto; }
@media (max-width: 600px) {
  header, main, footer { padding: 0 12px; }
  h1 { font-size: 22px; }
  nav a { display: inline-block; margin: 0 12px 6px 0; }
}
"""


def render(data: ReportData) -> str:
    """The report as one self-contained HTML document.

    Parameters
    ----------
    data : ReportData
        What :func:`collect` computed.

    Returns
    -------
    str
        The document: plotly.js embedded once, CSS inline, no external URL; sections without
        content (no forecasts, no sweep) are left out, and so are their navigation links.
    """
    from redline import __version__

    sections = [s for s in (_summary_section(data), _scenario_section(data),
                            _deal_section(data), _blockers_section(data),
                            _forecast_section(data), _proposals_section(data),
                            _rounds_section(data), _advice_section(data),
                            _uncertainty_section(data))
                if s is not None]
    titles = {"summary": "Summary", "scenario": "Scenario", "deal-space": "Deal space",
              "blockers": "Who blocks",
              "forecasts": "Forecasts", "proposals": "Proposals", "rounds": "Rounds",
              "advice": "Next move", "uncertainty": "Uncertainty"}
    present = [k for k in titles if f'data-section="{k}"' in "".join(sections)]
    nav = " ".join(f'<a href="#{k}">{titles[k]}</a>' for k in present)
    title = esc(_title(data))
    branch = ", ".join(f"{k}={'true' if v else 'false'}" for k, v in data.assume.items())
    subtitle = f"Redline report on {esc(data.loaded.path.name)}" + (
        f" · branch: {esc(branch)}" if branch else "")
    body = "\n".join(sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{title}</title>\n<style>{CSS}</style>\n"
        f"<script type=\"text/javascript\">{get_plotlyjs()}</script>\n</head>\n<body>\n"
        f"<header><h1>{title}</h1><p class=\"muted\">{subtitle}</p><nav>{nav}</nav></header>\n"
        f"<main>\n{body}\n</main>\n"
        f"<footer>Made by redline {esc(__version__)}. Works offline: everything it needs is "
        "in this file.</footer>\n</body>\n</html>\n")


def build_report(path: str | Path, *, assume: Mapping[str, bool] | None = None,
                 draws: int | None = None, seed: int = 0,
                 models: Sequence[str] = REPORT_MODELS, x_actor: str | None = None,
                 y_actor: str | None = None) -> str:
    """The self-contained HTML report on a scenario file or Genius folder.

    Parameters
    ----------
    path : str or Path
        The scenario file or Genius folder.
    assume : mapping of str to bool, optional
        Claims fixed true or false (``--assume``).
    draws : int, optional
        Monte Carlo draws for the uncertainty section; None leaves it out.
    seed : int, optional
        The sweep's random seed.
    models : sequence of str, optional
        The forecast models to run.
    x_actor, y_actor : str, optional
        The actors on the deal-space figure's axes (id or name).

    Returns
    -------
    str
        The HTML document (see :func:`render`).
    """
    return render(collect(path, assume=assume, draws=draws, seed=seed, models=models,
                          x_actor=x_actor, y_actor=y_actor))
