"""The web app's process views: the rounds of a scenario (the posterior's timeline), a named
text judged (``evaluate``) and the mediator's next move (``advise``).

Thin shells over the pipeline: the Rounds view is :func:`redline.pipeline.run_update` (what
``redline update`` prints; the report's rounds section and its timeline figure,
:func:`redline.report.figures.timeline_figure`, read the same run), the Advise view is
:func:`redline.pipeline.run_advise` (``redline advise``), the Evaluate view is
:func:`redline.pipeline.run_evaluate` (``redline evaluate``: each actor's utility and verdict
with the rules that reject it, P(accepts) and P(every veto holder accepts) under the posterior,
and what it would take). They read their numbers from the runs' JSON forms
(``UpdateRun.to_dict()``, ``AdviceRun.to_dict()``, ``EvaluationRun.to_dict()``), so a page and
the CLI's ``--json`` on the same seed cannot disagree; ``rounds.json``, ``advise.json`` and
``evaluate.json`` serve those forms as they are.

Each view works on a saved version (``/versions/<id>/rounds``, ``.../evaluate``,
``.../advise``: plain GET forms, nothing changes on the server) or on the scenario as edited
in the editor (``POST /rounds``, ``POST /evaluate``, ``POST /advise``: the editor's form, with
its CSRF token, the edits applied as a rerun applies them). Inputs are checked here, before
any work: the draws within the app's limit (:data:`redline.web.runner.MAX_DRAWS`; more belong
to the CLI), the seed, the date, the actor, the objective and ``top``, the text Evaluate
judges (a proposal's id, or a package typed as ``issue=option, ...``), and Advise's
candidates (the scenario's proposals by id and packages typed the same way, one a line:
``redline advise --proposal`` and ``--package``); a bad one is shown next to its field,
named as the form names it.

A run is fully determined by the scenario's text and the view's settings, so the runs are kept
in the app's run cache (:class:`redline.web.runner.RunCache`, keyed by both): a page asked
again with the same inputs (its JSON, a reload, back and forth between the views) is answered
without computing again.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from redline.errors import RedlineError, listing
from redline.pipeline import load, run_advise, run_update
from redline.report import figures
from redline.report.figures import esc
from redline.scenario.load import parse_scenario
from redline.scenario.model import Scenario
from redline.web.editing import NAME_MAX, Problem, scenario_key
from redline.web.edits import edited_scenario
from redline.web.history import saved_version
from redline.web.runner import DEFAULT_DRAWS, MAX_DRAWS, MAX_PACKAGES, MAX_SEED, RunCache
from redline.web.security import csrf_form
from redline.web.state import AppState, app_state, page

router = APIRouter()

DEFAULT_TOP = 5
ADVICE_FIELDS = ("actor", "objective", "top", "draws", "seed", "until")
MAX_TOP = 50
"""The most ranked candidates the Advise view lists (``redline advise --top`` lists more)."""
OBJECTIVE_NAMES = {
    "accept": "accept: the highest P(every veto holder accepts)",
    "value": "value: the highest expected utility for the actor",
    "probe": "probe: the most expected information about the red lines",
}
OBJECTIVE_HELP = {
    "accept": "the package most likely to be accepted by every veto holder, under the "
              "posterior",
    "value": "the package of the highest expected utility for the actor: "
             "P(accept)·utility + (1 − P(accept))·outside option",
    "probe": "the text whose answers would teach the mediator most about the uncertain "
             "inputs: the exact mutual information, in bits, between the inputs and the "
             "other actors' answers",
}
MAX_LISTED = 20
"""The most candidates the Advise view takes by hand: proposals chosen plus packages typed
(``redline advise`` takes any number of ``--proposal`` and ``--package``)."""
PACKAGES_CHARS = 4_000  # the packages field's text is read up to this many characters
EVALUATE_LIST_LIMIT = 20  # what-it-takes packages listed (``redline evaluate``'s default)
COMPLETION_CARDS = 8  # a partial text's completions shown in full (the JSON has them all)
# the pipeline's errors name its parameters (actor, draws, ...), as the pages name their
# fields; a space too large to rank is shown at the objective
PIPELINE_FIELDS = {"issues": "objective", "proposals": "proposal"}
FIELD_LABELS = {"actor": "actor", "objective": "objective", "draws": "draws", "seed": "seed",
                "until": "until", "top": "top", "proposal": "candidate proposals",
                "packages": "candidate packages", "package": "package"}
THRESHOLD_LABEL = 60  # characters of a threshold's name on the figure's axis
CLI_HINT = "the CLI has no such limit: redline {command} FILE --draws N"


# ---------------------------------------------------------------- what a view works on

@dataclass(frozen=True)
class Basis:
    """The scenario a process view works on: a saved version's, or the editor's text.

    Attributes
    ----------
    scenario : Scenario
        The scenario, edits applied.
    yaml_text : str
        Its text (the editor's pages send it back with their own form).
    source : str
        The file name it came from.
    key : str
        The scenario's key (:func:`redline.web.editing.scenario_key`).
    version : dict or None
        The saved version, or ``None`` for the editor's run.
    draws, seed : int
        The run's draws and seed: the version's, or the editor's settings.
    """

    scenario: Scenario
    yaml_text: str
    source: str
    key: str
    version: dict | None
    draws: int
    seed: int

    @property
    def label(self) -> str:
        """What the page says it shows."""
        if self.version is not None:
            return f"saved version v{self.version['number']}"
        return "the scenario as edited in the editor (not saved)"


def version_basis(state: AppState, version_id: str) -> Basis:
    """The basis of saved version ``version_id`` (404 when there is none).

    Parameters
    ----------
    state : AppState
        The app's state (its store is read).
    version_id : str
        The id from the URL.

    Returns
    -------
    Basis
        The version's scenario, with the draws and seed its run was saved with.
    """
    found = saved_version(state, version_id)
    source = found["source_name"] or f"{found['scenario']}.yaml"
    try:
        scenario = parse_scenario(found["yaml_text"].encode("utf-8"), source)
    except RedlineError as error:  # saved by an older Redline whose rules were laxer
        raise StarletteHTTPException(400, str(error)) from None
    settings = (found.get("results") or {}).get("settings") or {}
    seed = settings.get("seed", 0)
    return Basis(scenario, found["yaml_text"], source, found["scenario"], found,
                 int(found["draws"] or DEFAULT_DRAWS),
                 seed if isinstance(seed, int) and 0 <= seed <= MAX_SEED else 0)


def editor_basis(form: FormData) -> Basis:
    """The basis of the editor's form: its scenario text with its edits applied (as a rerun
    applies them), and its draws and seed.

    Parameters
    ----------
    form : FormData
        The editor's form (or a process page's own form, which carries the edited text).

    Returns
    -------
    Basis
        The edited scenario.

    Raises
    ------
    RedlineError
        For a bad scenario text or edit (one line, shown at the top of the page).
    """
    source = _text(form, "source", NAME_MAX) or "<scenario>"
    raw = _text(form, "yaml_text").replace("\r\n", "\n").encode("utf-8")
    base = parse_scenario(raw, source)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    scenario, text = edited_scenario(base, raw.decode("utf-8-sig"), values, name=source)
    draws = _whole(_text(form, "draws", 20), "draws", DEFAULT_DRAWS)
    seed = _whole(_text(form, "seed", 20), "seed", 0)
    return Basis(scenario, text, source, scenario_key(scenario, source), None, draws, seed)


# ---------------------------------------------------------------- inputs

@dataclass(frozen=True)
class RoundsInputs:
    """The Rounds view's settings, as submitted (``values``) and checked."""

    draws: int
    seed: int
    until: str | None
    values: dict[str, str]


@dataclass(frozen=True)
class AdviceInputs:
    """The Advise view's settings, as submitted (``values``) and checked; ``actor`` is
    ``None`` until one is chosen (the page then shows its form only)."""

    actor: str | None
    objective: str
    top: int
    draws: int
    seed: int
    values: dict[str, str]
    until: str | None = None
    proposals: tuple[str, ...] = ()
    packages: tuple[tuple[tuple[str, str], ...], ...] = ()

    @property
    def listed(self) -> bool:
        """Whether candidates are listed (else every package of the space is one)."""
        return bool(self.proposals or self.packages)


@dataclass(frozen=True)
class EvaluateInputs:
    """The Evaluate view's settings, as submitted (``values``) and checked: one of a proposal
    id and a package (``((issue id, option label), ...)``), or neither yet (the page then
    shows its form only)."""

    proposal: str | None
    package: tuple[tuple[str, str], ...] | None
    draws: int
    seed: int
    values: dict[str, str]

    @property
    def chosen(self) -> bool:
        """Whether a text is chosen."""
        return self.proposal is not None or self.package is not None


class InputError(RedlineError):
    """A bad setting of a process view, shown next to its field."""


def _text(form: Mapping[str, object], name: str, limit: int | None = None) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value if limit is None else value[:limit]


def _many(form: Mapping[str, object], name: str) -> list[str]:
    """Every value of ``name`` in a query or form (``getlist``), or the one of a mapping."""
    getlist = getattr(form, "getlist", None)
    found = getlist(name) if getlist is not None else [form.get(name)]
    return [v[:NAME_MAX].strip() for v in found if isinstance(v, str) and v.strip()]


def _whole(text: str, field: str, default: int) -> int:
    text = text.strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{text[:20]!r} is not a whole number", field=field) from None


def check_draws(draws: int, command: str) -> int:
    """``draws`` when it lies in [1, :data:`MAX_DRAWS`]; else an :class:`InputError` with a
    hint (above the limit: the CLI)."""
    if draws > MAX_DRAWS:
        raise InputError(f"the app runs at most {MAX_DRAWS:,} draws, got {draws:,}",
                         field="draws", hint=CLI_HINT.format(command=command))
    if draws < 1:
        raise InputError(f"draws must be at least 1, got {draws}", field="draws",
                         hint="the posterior weighs the prior's draws; give it some")
    return draws


def check_seed(seed: int) -> int:
    """``seed`` when it lies in [0, :data:`MAX_SEED`]; else an :class:`InputError`."""
    if not 0 <= seed <= MAX_SEED:
        raise InputError(f"seed must lie in [0, {MAX_SEED}], got {seed}", field="seed")
    return seed


def rounds_inputs(values: Mapping[str, object], basis: Basis) -> RoundsInputs:
    """The Rounds view's settings from a query or form: draws and seed (default: the run's),
    and ``until``, an ISO date (blank: every round).

    Raises
    ------
    InputError
        Naming the bad field.
    """
    shown = {k: _text(values, k, 40) for k in ("draws", "seed", "until")}
    draws = check_draws(_whole(shown["draws"], "draws", basis.draws), "update")
    seed = check_seed(_whole(shown["seed"], "seed", basis.seed))
    return RoundsInputs(draws, seed, check_date(shown["until"]), shown)


def check_date(text: str) -> str | None:
    """The ``until`` field: an ISO date, or ``None`` when blank (every round counts)."""
    until = text.strip() or None
    if until is not None:
        try:
            dt.date.fromisoformat(until)
        except ValueError:
            raise InputError(f"{until!r} is not a date (YYYY-MM-DD)", field="until",
                             hint="blank counts every round") from None
    return until


def candidate_proposals(chosen: list[str], scenario: Scenario) -> tuple[str, ...]:
    """The proposals chosen as candidates, each an id of the scenario's proposals (in the
    order chosen, each once).

    Raises
    ------
    InputError
        For an unknown id, naming the ``proposal`` field and the scenario's proposals.
    """
    ids = [p.id for p in scenario.proposals]
    for pid in chosen:
        if pid not in ids:
            raise InputError(f"unknown proposal {pid!r}", field="proposal",
                             hint=f"proposals: {listing(ids)}" if ids else
                             "this scenario has no proposals; type packages instead")
    return tuple(dict.fromkeys(chosen))


def candidate_packages(text: str, scenario: Scenario) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The packages typed as candidates: one a line, ``issue=option, issue=option`` (the ids
    of the scenario's issues and the labels of their options; issues left out are open, as
    with ``redline advise --package``).

    Parameters
    ----------
    text : str
        The field's text (blank lines are skipped).
    scenario : Scenario
        Whose issues and options the packages name.

    Returns
    -------
    tuple
        Each package as ``((issue id, option label), ...)``, in the order typed.

    Raises
    ------
    InputError
        For a line that is not ``issue=option, ...``, an issue given twice, an unknown issue
        or option (naming the line and the valid choices), or more than :data:`MAX_LISTED`
        packages; always at the ``packages`` field.
    """
    if len(text) > PACKAGES_CHARS:
        raise InputError(f"the packages are longer than {PACKAGES_CHARS:,} characters",
                         field="packages", hint="list fewer packages, or use redline advise "
                         "--package")
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if len(lines) > MAX_LISTED:
        raise InputError(f"{len(lines)} packages typed; the app takes at most {MAX_LISTED}",
                         field="packages", hint="redline advise --package takes any number")
    domain = load(scenario).require_domain() if lines else None
    return tuple(package_of(line, scenario, "packages", f"line {n}: ", domain)
                 for n, line in lines)


def package_of(text: str, scenario: Scenario, field: str, where: str = "",
               domain=None) -> tuple[tuple[str, str], ...]:
    """One package typed as ``issue=option, issue=option`` (the ids of ``scenario``'s issues
    and the labels of their options; issues left out are open).

    Parameters
    ----------
    text : str
        The package's text.
    scenario : Scenario
        Whose issues and options it names.
    field : str
        The form's field it was typed in (errors name it).
    where : str
        Put before an error's message (``"line 2: "``).
    domain : Domain, optional
        ``scenario``'s agreement space, when the caller has it.

    Returns
    -------
    tuple
        ``((issue id, option label), ...)`` in the order typed.

    Raises
    ------
    InputError
        For an item that is not ``issue=option``, an issue given twice, or an unknown issue
        or option (with the valid choices), at ``field``.
    """
    from redline.space.proposals import fixed_options

    package: dict[str, str] = {}
    for item in text.split(","):
        issue, sep, option = (part.strip() for part in item.partition("="))
        if not sep or not issue or not option:
            raise InputError(f"{where}expected issue=option (got {item.strip()[:40]!r})",
                             field=field, hint="e.g. " + _example_package(scenario))
        if issue in package:
            raise InputError(f"{where}issue {issue!r} is given twice", field=field)
        package[issue] = option
    try:
        fixed_options(domain or load(scenario).require_domain(), package, field)
    except RedlineError as error:
        raise InputError(f"{where}{error.message}", field=field, hint=error.hint) from None
    return tuple(package.items())


def _example_package(scenario: Scenario) -> str:
    issue = scenario.issues[0]
    option = issue.options[0].label if issue.options else f"{issue.scale.low:g}"
    return f"{issue.id}={option}"


def advice_inputs(values: Mapping[str, object], basis: Basis) -> AdviceInputs:
    """The Advise view's settings from a query or form: the actor (an id of the scenario's
    actors; blank: none chosen yet), the objective, ``top`` (1 to :data:`MAX_TOP`), draws and
    seed (default: the run's), ``until`` (an ISO date; blank: every round) and the candidates:
    ``proposal`` (ids of the scenario's proposals, repeatable) and ``packages`` (one a line,
    :func:`candidate_packages`); none listed: every package of the space.

    Raises
    ------
    InputError
        Naming the bad field.
    """
    from redline.uncertainty.limits import ADVICE_OBJECTIVES

    shown = {k: _text(values, k, 80) for k in ADVICE_FIELDS}
    shown["packages"] = _text(values, "packages", PACKAGES_CHARS + 1)
    actor = shown["actor"].strip() or None
    ids = [a.id for a in basis.scenario.actors]
    if actor is not None and actor not in ids:
        raise InputError(f"unknown actor {actor!r}", field="actor",
                         hint=f"actors: {listing(ids)}")
    objective = shown["objective"].strip() or "accept"
    if objective not in ADVICE_OBJECTIVES:
        raise InputError(f"unknown objective {objective!r}", field="objective",
                         hint=f"use one of {', '.join(ADVICE_OBJECTIVES)}")
    top = _whole(shown["top"], "top", DEFAULT_TOP)
    if not 1 <= top <= MAX_TOP:
        raise InputError(f"top must lie in [1, {MAX_TOP}], got {top}", field="top",
                         hint="redline advise --top K lists more")
    draws = check_draws(_whole(shown["draws"], "draws", basis.draws), "advise")
    seed = check_seed(_whole(shown["seed"], "seed", basis.seed))
    until = check_date(shown["until"])
    proposals = candidate_proposals(_many(values, "proposal"), basis.scenario)
    packages = candidate_packages(shown["packages"], basis.scenario)
    if len(proposals) + len(packages) > MAX_LISTED:
        raise InputError(f"{len(proposals) + len(packages)} candidates listed; the app takes "
                         f"at most {MAX_LISTED}", field="packages",
                         hint="redline advise takes any number of --proposal and --package")
    return AdviceInputs(actor, objective, top, draws, seed, shown, until, proposals, packages)


def evaluate_inputs(values: Mapping[str, object], basis: Basis) -> EvaluateInputs:
    """The Evaluate view's settings from a query or form: ``proposal`` (an id of the
    scenario's proposals) or ``package`` (``issue=option, ...``; issues left out are open),
    not both; draws (0 to :data:`MAX_DRAWS`; 0: the deterministic judgment only) and seed
    (default: the run's).

    Raises
    ------
    InputError
        Naming the bad field.
    """
    shown = {k: _text(values, k, 80) for k in ("proposal", "draws", "seed")}
    shown["package"] = _text(values, "package", PACKAGES_CHARS)
    proposal = shown["proposal"].strip() or None
    if proposal is not None:
        candidate_proposals([proposal], basis.scenario)
    typed = shown["package"].strip()
    if proposal is not None and typed:
        raise InputError("give a proposal or a package, not both", field="package",
                         hint="clear the package to judge the proposal")
    package = package_of(typed, basis.scenario, "package") if typed else None
    draws = _whole(shown["draws"], "draws", basis.draws)
    if draws != 0:
        check_draws(draws, "evaluate")
    seed = check_seed(_whole(shown["seed"], "seed", basis.seed))
    return EvaluateInputs(proposal, package, draws, seed, shown)


def check_space(basis: Basis) -> int:
    """The number of packages of the space; refuses one larger than the app's
    (:data:`redline.web.runner.MAX_PACKAGES`)."""
    size = math.prod(len(i.options) if i.options is not None else
                     int(round((i.scale.high - i.scale.low) / i.scale.step)) + 1
                     for i in basis.scenario.issues)
    if size > MAX_PACKAGES:
        raise RedlineError(f"the space has {size:,} packages, above the app's limit of "
                           f"{MAX_PACKAGES:,}", field="issues",
                           hint="use the CLI (redline update / redline advise)")
    return size


def cached(runs: RunCache | None, basis: Basis, settings: tuple, compute) -> dict:
    """``compute()``, or the run kept in ``runs`` for the same scenario text, file name and
    ``settings`` (the view's name and its checked inputs); a new run is kept there.

    Parameters
    ----------
    runs : RunCache or None
        The app's run cache (``None``: compute every time).
    basis : Basis
        The scenario the run is of (its text and file name are the key, with ``settings``).
    settings : tuple
        What else determines the run: the view and its inputs.
    compute : callable
        Computes the run's JSON form (a dict) when it is not kept.

    Returns
    -------
    dict
        The run's JSON form; the caller must not change it (it may be the kept one).
    """
    size = check_space(basis)
    if runs is None:
        return compute()
    key = runs.key(basis.yaml_text, (basis.source, *settings))
    found = runs.get(key)
    if found is None:
        found = compute()
        runs.put(key, found, size)
    return found


def problem_of(error: RedlineError) -> Problem:
    """Where a page shows ``error``: next to its field when it names one of the page's."""
    field = PIPELINE_FIELDS.get(error.field or "", error.field)
    message = error.message + (f" (hint: {error.hint})" if error.hint else "")
    if field in FIELD_LABELS:
        return Problem(message, field, FIELD_LABELS[field])
    return Problem(str(error))


# ---------------------------------------------------------------- the runs

def update_data(basis: Basis, inputs: RoundsInputs, runs: RunCache | None = None) -> dict:
    """``redline update --json`` of the basis with these settings
    (:func:`redline.pipeline.run_update`), and its run (for the figure), kept in ``runs``.

    Returns
    -------
    dict
        The JSON form, with the run under ``"_run"`` (left out of the JSON sent).
    """
    def compute() -> dict:
        run = run_update(load(basis.scenario), draws=inputs.draws, seed=inputs.seed,
                         until=inputs.until)
        return {**run.to_dict(), "_run": run}

    return cached(runs, basis, ("rounds", inputs.draws, inputs.seed, inputs.until), compute)


def advice_data(basis: Basis, inputs: AdviceInputs, runs: RunCache | None = None) -> dict:
    """``redline advise --json`` of the basis for ``inputs.actor``
    (:func:`redline.pipeline.run_advise`, with the candidates listed: ``--proposal`` and
    ``--package``), kept in ``runs``."""
    def compute() -> dict:
        return run_advise(load(basis.scenario), inputs.actor, objective=inputs.objective,
                          top=inputs.top, packages=[dict(p) for p in inputs.packages],
                          proposals=list(inputs.proposals), draws=inputs.draws,
                          seed=inputs.seed, until=inputs.until).to_dict()

    return cached(runs, basis, ("advise", inputs.actor, inputs.objective, inputs.top,
                                inputs.draws, inputs.seed, inputs.until, inputs.proposals,
                                inputs.packages), compute)


def evaluation_data(basis: Basis, inputs: EvaluateInputs, runs: RunCache | None = None
                    ) -> dict:
    """``redline evaluate --json`` of the basis for the chosen proposal or package
    (:func:`redline.pipeline.run_evaluate`, the CLI's defaults otherwise), kept in ``runs``."""
    def compute() -> dict:
        from redline.pipeline import run_evaluate

        package = dict(inputs.package) if inputs.package is not None else None
        return json.loads(json.dumps(run_evaluate(
            load(basis.scenario), inputs.proposal, package, draws=inputs.draws,
            seed=inputs.seed, limit=EVALUATE_LIST_LIMIT).to_dict()))

    return cached(runs, basis, ("evaluate", inputs.proposal, inputs.package, inputs.draws,
                                inputs.seed), compute)


def evaluate_command(inputs: EvaluateInputs) -> tuple[str, str]:
    """The ``redline evaluate`` arguments that give the same judgment as the view's
    ``inputs``, and the query of its JSON (``evaluate.json``)."""
    import shlex
    from urllib.parse import urlencode

    if inputs.proposal is not None:
        words, query = [inputs.proposal], [("proposal", inputs.proposal)]
    else:
        text = ",".join(f"{k}={v}" for k, v in inputs.package or ())
        words, query = ["--package", text], [("package", text)]
    words += ["--draws", str(inputs.draws), "--seed", str(inputs.seed)]
    query += [("draws", str(inputs.draws)), ("seed", str(inputs.seed))]
    return " ".join(shlex.quote(w) for w in words), urlencode(query)


# ---------------------------------------------------------------- figures

def timeline_json(data: dict, scenario: Scenario) -> str:
    """The report's timeline figure (:func:`redline.report.figures.timeline_figure`) of an
    update run, as plotly JSON: P(agreement) after each round with its Wilson interval at
    the effective sample size, and each claim's probability."""
    from redline.report import figures
    from redline.scenario.labels import claim_label

    names = {c.id: claim_label(scenario, c.id).text for c in scenario.claims}
    return figures.figure_json(figures.timeline_figure(data["_run"].steps, names))


def thresholds_figure(data: dict) -> dict | None:
    """The red lines' thresholds, prior beside posterior: each threshold's mean and 90%
    interval (weighted 5%–95% quantiles) before the rounds and after them, as a plotly
    figure (a plain dict).

    Parameters
    ----------
    data : dict
        ``redline update --json``.

    Returns
    -------
    dict or None
        The figure; ``None`` when no threshold of a red line, linkage or ratification rule is
        uncertain.
    """
    rows = [r for r in data["inputs"] if r["rule"]]
    if not rows:
        return None
    traces = []
    for side, offset, colour in (("prior", 0.18, "#6b7785"), ("posterior", -0.08, "#1f7a70")):
        cells = [r[side] for r in rows]
        traces.append({
            "type": "scatter", "mode": "markers", "name": f"{side}: mean, 90% interval",
            "x": [c["mean"] for c in cells], "y": [k + offset for k in range(len(rows))],
            "error_x": {"type": "data", "symmetric": False,
                        "array": [c["high"] - c["mean"] for c in cells],
                        "arrayminus": [c["mean"] - c["low"] for c in cells],
                        "color": colour, "thickness": 2},
            "marker": {"color": colour, "size": 9,
                       "symbol": "circle-open" if side == "prior" else "circle"},
            "customdata": [[esc(r["label"]), c["low"], c["high"]] for r, c in
                           zip(rows, cells, strict=True)],
            "hovertemplate": f"%{{customdata[0]}}<br>{side}: %{{x:.3g}} "
                             "[%{customdata[1]:.3g}, %{customdata[2]:.3g}]<extra></extra>",
            "meta": {"role": f"threshold_{side}"}})
    # each threshold named above its two bars, across the plot's width: a phone has no room
    # for long names beside the axis
    names = [{"text": esc(_cut(r["label"], THRESHOLD_LABEL)), "x": 0, "xref": "paper",
              "xanchor": "left", "y": k - 0.36, "yref": "y", "showarrow": False,
              "font": {"size": 12}} for k, r in enumerate(rows)]
    return {"data": traces, "layout": {
        # the template as the object plotly.js reads (it ignores a template's name)
        "template": figures.template(), "height": 170 + 70 * len(rows),
        "title": {"text": "Red lines' thresholds: prior and posterior<br><sub>mean and 90% "
                  "interval, before the rounds (open) and after them (filled)</sub>",
                  "x": 0.01, "xanchor": "left"},
        "xaxis": {"title": {"text": "threshold (0–100 scale)"}, "range": [-3, 103]},
        "yaxis": {"range": [len(rows) - 0.5, -0.6], "showticklabels": False,
                  "zeroline": False, "showgrid": False},
        "annotations": names, "showlegend": True,
        "legend": {"orientation": "h", "y": -0.25},
        "margin": {"l": 20, "r": 20, "t": 80, "b": 70}}}


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


# ---------------------------------------------------------------- pages

def rounds_page(request: Request, basis: Basis, values: Mapping[str, object]) -> HTMLResponse:
    """The Rounds view of ``basis`` with the settings in ``values`` (a query or a form).

    Parameters
    ----------
    request : Request
        The request being answered.
    basis : Basis
        The scenario.
    values : mapping
        ``draws``, ``seed``, ``until`` as submitted (blank: the run's, every round).

    Returns
    -------
    HTMLResponse
        The page; 400 with the problem at its field for a bad setting; without rounds, the
        empty state saying why.
    """
    context = _common(basis)
    context["view"] = "rounds"
    try:
        inputs = rounds_inputs(values, basis)
    except RedlineError as error:
        shown = {k: _text(values, k, 40) for k in ("draws", "seed", "until")}
        return page(request, "rounds.html", {**context, "values": shown, "data": None,
                                             "problem": problem_of(error)}, status=400)
    context["values"] = inputs.values
    if not basis.scenario.rounds:
        return page(request, "rounds.html", {**context, "data": None})
    try:
        data = update_data(basis, inputs, app_state(request).runs)
    except RedlineError as error:
        return page(request, "rounds.html", {**context, "data": None,
                                             "problem": problem_of(error)}, status=400)
    context.update(rounds_context(basis, data))
    return page(request, "rounds.html", context)


def rounds_context(basis: Basis, data: dict) -> dict:
    """What the Rounds template shows of an update run: the rounds with their sources, the
    timeline rows, the inputs and claims prior beside posterior, and the figures."""
    scenario = basis.scenario
    sources = {s.id: s for s in scenario.sources}
    names = {a.id: a.name for a in scenario.actors}
    issues = {i.id: i.name for i in scenario.issues}
    thresholds = [r for r in data["inputs"] if r["rule"]]
    figure = thresholds_figure(data)
    return {
        "data": data,
        "sources": sources,
        "actor_names": names,
        "issue_names": issues,
        "unreproduced": [r for r in data["rounds"] if r["prior_fit"] == 0],
        "thresholds": thresholds,
        "timeline_figure": timeline_json(data, scenario),
        "thresholds_figure": figures.figure_json(figure) if figure is not None else "",
    }


def advise_page(request: Request, basis: Basis, values: Mapping[str, object]) -> HTMLResponse:
    """The Advise view of ``basis``: its form, and the ranked candidates once an actor is
    chosen.

    Parameters
    ----------
    request : Request
        The request being answered.
    basis : Basis
        The scenario.
    values : mapping
        ``actor``, ``objective``, ``top``, ``draws``, ``seed`` as submitted.

    Returns
    -------
    HTMLResponse
        The page; 400 with the problem at its field for a bad setting.
    """
    context = {**_common(basis), "view": "advise", "objectives": OBJECTIVE_NAMES,
               "objective_help": OBJECTIVE_HELP, "max_top": MAX_TOP, "max_listed": MAX_LISTED,
               "proposals": [(p.id, p.title or p.id) for p in basis.scenario.proposals],
               "example_package": _example_package(basis.scenario)}
    try:
        inputs = advice_inputs(values, basis)
    except RedlineError as error:
        shown = {k: _text(values, k, 80) for k in ADVICE_FIELDS}
        shown["packages"] = _text(values, "packages", PACKAGES_CHARS)
        return page(request, "advise.html", {**context, "values": shown, "data": None,
                                             "chosen": _many(values, "proposal"),
                                             "problem": problem_of(error)}, status=400)
    context["values"] = {**inputs.values, "objective": inputs.objective, "top": str(inputs.top),
                         "draws": str(inputs.draws), "seed": str(inputs.seed)}
    context["chosen"] = list(inputs.proposals)
    context["inputs"] = inputs
    return _answer_page(request, "advise.html", context, basis, inputs,
                        asked=inputs.actor is not None, compute=advice_data,
                        shown=advice_context, command=advice_command)


def _answer_page(request: Request, template: str, context: dict, basis: Basis, inputs,
                 *, asked: bool, compute, shown, command) -> HTMLResponse:
    """A process view's page once its inputs are valid: the form alone until something is
    ``asked``, else the run (``compute``, through the app's run cache) shown by ``shown`` with
    the CLI ``command`` that gives the same answer; 400 with the problem for a run refused."""
    if not asked:
        return page(request, template, {**context, "data": None})
    try:
        data = compute(basis, inputs, app_state(request).runs)
    except RedlineError as error:
        return page(request, template, {**context, "data": None,
                                        "problem": problem_of(error)}, status=400)
    words, query = command(inputs)
    return page(request, template, {**context, **shown(basis, data),
                                    "command": words, "json_query": query})


def advice_context(basis: Basis, data: dict) -> dict:
    """What the Advise template shows of an advise run: each ranked package by the issues'
    names and the options' labels (with their descriptions), and its reason."""
    scenario = basis.scenario
    options = {i.id: {o.label: o.description for o in i.options or []} for i in scenario.issues}
    issues = {i.id: i.name for i in scenario.issues}
    rows = []
    for row in data["ranked"]:
        package = [(issues.get(k, k), v, options.get(k, {}).get(v, ""))
                   for k, v in row["package"].items()]
        rows.append({**row, "labels": package})
    return {"data": data, "rows": rows,
            "actor_names": {a.id: a.name for a in scenario.actors}}


def advice_command(inputs: AdviceInputs) -> tuple[str, str]:
    """The ``redline advise`` options that give the same ranking as the view's ``inputs``, and
    the query of its JSON (``advise.json``)."""
    import shlex
    from urllib.parse import urlencode

    words = ["--for", inputs.actor or "", "--objective", inputs.objective, "--top",
             str(inputs.top), "--draws", str(inputs.draws), "--seed", str(inputs.seed)]
    query = [("actor", inputs.actor or ""), ("objective", inputs.objective),
             ("top", str(inputs.top)), ("draws", str(inputs.draws)), ("seed", str(inputs.seed))]
    if inputs.until:
        words += ["--until", inputs.until]
        query.append(("until", inputs.until))
    for pid in inputs.proposals:
        words += ["--proposal", pid]
        query.append(("proposal", pid))
    for package in inputs.packages:
        text = ",".join(f"{k}={v}" for k, v in package)
        words += ["--package", text]
    if inputs.packages:
        query.append(("packages", "\n".join(",".join(f"{k}={v}" for k, v in package)
                                             for package in inputs.packages)))
    return " ".join(shlex.quote(w) for w in words), urlencode(query)


def evaluate_page(request: Request, basis: Basis, values: Mapping[str, object]
                  ) -> HTMLResponse:
    """The Evaluate view of ``basis``: its form, and the chosen text judged.

    Parameters
    ----------
    request : Request
        The request being answered.
    basis : Basis
        The scenario.
    values : mapping
        ``proposal`` or ``package``, ``draws``, ``seed`` as submitted.

    Returns
    -------
    HTMLResponse
        The page; 400 with the problem at its field for a bad setting.
    """
    context = {**_common(basis), "view": "evaluate",
               "proposals": [(p.id, p.title or p.id) for p in basis.scenario.proposals],
               "example_package": _example_package(basis.scenario)}
    try:
        inputs = evaluate_inputs(values, basis)
    except RedlineError as error:
        shown = {k: _text(values, k, 80) for k in ("proposal", "draws", "seed")}
        shown["package"] = _text(values, "package", PACKAGES_CHARS)
        return page(request, "evaluate.html", {**context, "values": shown, "data": None,
                                               "problem": problem_of(error)}, status=400)
    context["values"] = {**inputs.values, "draws": str(inputs.draws), "seed": str(inputs.seed)}
    return _answer_page(request, "evaluate.html", context, basis, inputs,
                        asked=bool(inputs.chosen), compute=evaluation_data,
                        shown=evaluation_context, command=evaluate_command)


def evaluation_context(basis: Basis, data: dict) -> dict:
    """What the Evaluate template shows of a judged text: its completions each with its odds,
    the acceptable ones first, then by P(every veto holder accepts) (the first
    :data:`COMPLETION_CARDS`; ties keep the JSON's order), by the issues' and actors' names."""
    scenario = basis.scenario
    odds = data["uncertainty"]
    by_package = {}
    if odds is not None:
        by_package = {tuple(r["package"].items()): r for r in odds["completions"]}
    rows = [{**row, "odds": by_package.get(tuple(row["package"].items()))}
            for row in data["completions"]]
    rows.sort(key=lambda r: (not r["acceptable"],
                             -(r["odds"]["p_acceptable"]["p"] if r["odds"] else 0.0)))
    rows = rows[:COMPLETION_CARDS]
    return {"data": data, "rows": rows, "odds": odds,
            "issue_names": {i.id: i.name for i in scenario.issues},
            "actor_names": {a.id: a.name for a in scenario.actors},
            "acceptable_count": sum(1 for r in data["completions"] if r["acceptable"])}


def _common(basis: Basis) -> dict:
    scenario = basis.scenario
    return {"basis": basis, "scenario": scenario, "key": basis.key,
            "title": scenario.scenario.title or basis.key,
            "actors": [(a.id, a.name) for a in scenario.actors],
            "max_draws": MAX_DRAWS, "max_seed": MAX_SEED}


def _editor_error(request: Request, error: RedlineError, view: str) -> HTMLResponse:
    """A bad scenario text or edit posted from the editor: one line, on the error page."""
    return page(request, "error.html", {"status": 400, "message": f"{view}: {error}"},
                status=400)


# ---------------------------------------------------------------- routes

@router.get("/versions/{version_id}/rounds", response_class=HTMLResponse)
def version_rounds(request: Request, version_id: str,
                   state: AppState = Depends(app_state)) -> HTMLResponse:
    """The Rounds view of a saved version (``?draws=&seed=&until=``)."""
    return rounds_page(request, version_basis(state, version_id), request.query_params)


@router.get("/versions/{version_id}/rounds.json")
def version_rounds_json(request: Request, version_id: str,
                        state: AppState = Depends(app_state)) -> JSONResponse:
    """``redline update --json`` of a saved version, with the view's settings."""
    basis = version_basis(state, version_id)
    try:
        data = update_data(basis, rounds_inputs(request.query_params, basis), state.runs)
    except RedlineError as error:
        raise StarletteHTTPException(400, str(error)) from None
    return JSONResponse({k: v for k, v in data.items() if k != "_run"})


@router.get("/versions/{version_id}/evaluate", response_class=HTMLResponse)
def version_evaluate(request: Request, version_id: str, state: AppState = Depends(app_state)
                     ) -> HTMLResponse:
    """The Evaluate view of a saved version (``?proposal=`` or ``?package=``, ``&draws=&seed=``)."""
    return evaluate_page(request, version_basis(state, version_id), request.query_params)


@router.get("/versions/{version_id}/evaluate.json")
def version_evaluate_json(request: Request, version_id: str,
                          state: AppState = Depends(app_state)) -> JSONResponse:
    """``redline evaluate --json`` of a saved version, with the view's settings (a proposal
    or a package required)."""
    basis = version_basis(state, version_id)
    try:
        inputs = evaluate_inputs(request.query_params, basis)
        if not inputs.chosen:
            raise InputError("choose a proposal or type a package", field="proposal",
                             hint=f"proposals: {listing([p.id for p in basis.scenario.proposals])}"
                             if basis.scenario.proposals else "e.g. package="
                             + _example_package(basis.scenario))
        data = evaluation_data(basis, inputs, state.runs)
    except RedlineError as error:
        raise StarletteHTTPException(400, str(error)) from None
    return JSONResponse(data)


@router.get("/versions/{version_id}/advise", response_class=HTMLResponse)
def version_advise(request: Request, version_id: str, state: AppState = Depends(app_state)
                   ) -> HTMLResponse:
    """The Advise view of a saved version (``?actor=&objective=&top=&draws=&seed=``)."""
    return advise_page(request, version_basis(state, version_id), request.query_params)


@router.get("/versions/{version_id}/advise.json")
def version_advise_json(request: Request, version_id: str,
                        state: AppState = Depends(app_state)) -> JSONResponse:
    """``redline advise --json`` of a saved version, with the view's settings (``actor``
    required)."""
    basis = version_basis(state, version_id)
    try:
        inputs = advice_inputs(request.query_params, basis)
        if inputs.actor is None:
            raise InputError("choose an actor", field="actor",
                             hint=f"actors: {listing([a for a, _ in _common(basis)['actors']])}")
        data = advice_data(basis, inputs, state.runs)
    except RedlineError as error:
        raise StarletteHTTPException(400, str(error)) from None
    return JSONResponse(data)


@router.post("/rounds", response_class=HTMLResponse)
def editor_rounds(request: Request, form: FormData = Depends(csrf_form)) -> HTMLResponse:
    """The Rounds view of the scenario as edited in the editor (its form, posted)."""
    try:
        basis = editor_basis(form)
    except RedlineError as error:
        return _editor_error(request, error, "rounds")
    return rounds_page(request, basis, form)


@router.post("/evaluate", response_class=HTMLResponse)
def editor_evaluate(request: Request, form: FormData = Depends(csrf_form)) -> HTMLResponse:
    """The Evaluate view of the scenario as edited in the editor (its form, posted)."""
    try:
        basis = editor_basis(form)
    except RedlineError as error:
        return _editor_error(request, error, "evaluate")
    return evaluate_page(request, basis, form)


@router.post("/advise", response_class=HTMLResponse)
def editor_advise(request: Request, form: FormData = Depends(csrf_form)) -> HTMLResponse:
    """The Advise view of the scenario as edited in the editor (its form, posted)."""
    try:
        basis = editor_basis(form)
    except RedlineError as error:
        return _editor_error(request, error, "advise")
    return advise_page(request, basis, form)
