"""The web app's Simulate view: negotiations played out by strategy agents on a scenario.

The analyst picks a protocol (``sao``, ``stacked``, ``single-text`` with a mediator and its
bias), a strategy per actor (with its parameter; an actor may sit out), the deadline in steps,
the draws of the uncertain inputs and a seed, and sees P(agreement by the deadline) with its
95% Wilson interval, the agreements with their options in words, each actor's utility, the
steps taken, the distances to the Pareto frontier and the Nash and Kalai-Smorodinsky points,
what stopped the failed talks, and the first negotiation's offers step by step.

Glue only: the run is :func:`redline.pipeline.run_simulate` (what ``redline simulate``
runs), its numbers :meth:`redline.pipeline.SimulationRun.to_dict` (``redline simulate
--json``) and its figure :func:`redline.report.simulation.simulation_figure`. This module checks
the form at the boundary (each bad input is one line next to its field, named as the form
names it) and bounds the work: at most :data:`MAX_STEPS` steps, :data:`MAX_DRAWS` draws,
:data:`MAX_WORK` steps x negotiations and :data:`MAX_CELLS` utility cells, with a hint.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from redline.errors import RedlineError
from redline.files import read_bytes
from redline.scenario.load import MAX_FILE_BYTES, parse_scenario
from redline.scenario.model import Scenario
from redline.web.forms import FormProblem, form_scenario, text_field
from redline.web.security import csrf_form, list_yaml, resolve_in_workspace
from redline.web.state import AppState, app_state, page

MAX_STEPS = 10_000
"""Largest deadline the app simulates (``redline simulate`` takes up to a million)."""
MAX_DRAWS = 5_000
"""Most draws of the uncertain inputs (negotiations) per run in the app."""
MAX_WORK = 1_000_000
"""Most steps x negotiations per run: about two seconds on the test machine."""
MAX_CELLS = 10_000_000
"""Most utility cells (negotiations x actors x packages) per run in the app."""
DEFAULT_STEPS = 100
DEFAULT_DRAWS = 200
DEFAULT_STRATEGIES = ("boulware", "conceder")  # of the first two actors; the others sit out
SITS_OUT = ""  # the strategy choice of an actor that does not negotiate
PROTOCOL_WORDS = {"sao": "alternating offers (two parties)",
                  "stacked": "stacked alternating offers (any number of parties)",
                  "single-text": "single text (a mediator amends one text)"}
REASON_WORDS = {"agreement": "agreed", "deadline": "the deadline passed",
                "ended": "an agent had nothing left to offer and ended the talks",
                "breakdown": "the talks broke down (breakdown probability)",
                "red_line": "the last offer crossed a red line",
                "outside_option": "the last offer was worth less than an outside option"}
DISTANCE_WORDS = {"pareto": "to the Pareto frontier", "nash": "to the Nash point",
                  "kalai_smorodinsky": "to the Kalai-Smorodinsky point"}
# The library's errors name its parameters; the form's inputs are these.
OPTION_INPUTS = {"protocol": "protocol", "steps": "steps", "draws": "draws",
                 "seed": "seed", "breakdown": "breakdown", "mediator": "mediator",
                 "strategies": "strategies", "bias": "strategies"}
INPUT_LABELS = {"protocol": "protocol", "steps": "steps", "draws": "draws", "seed": "seed",
                "breakdown": "breakdown probability", "mediator": "mediator",
                "strategies": "strategies"}

router = APIRouter()


@dataclass(frozen=True)
class SimSettings:
    """A simulation as the form sets it.

    Attributes
    ----------
    protocol
        ``sao``, ``stacked`` or ``single-text``.
    strategies
        ``(actor index, strategy text)`` per negotiating actor, in the scenario's order (the
        first offers first).
    steps, draws, seed, breakdown
        As ``redline simulate --steps --draws --seed --breakdown``.
    mediator
        ``single-text``: the actor id whose interests the mediator has, or ``None``.
    bias
        ``single-text``: ``{actor index: weight}``.
    """

    protocol: str = "sao"
    strategies: tuple[tuple[int, str], ...] = ()
    steps: int = DEFAULT_STEPS
    draws: int = DEFAULT_DRAWS
    seed: int = 0
    breakdown: float = 0.0
    mediator: str | None = None
    bias: dict[int, float] = field(default_factory=dict)


def strategy_choices() -> list[tuple[str, str, tuple[str, ...]]]:
    """``(name, description, parameter names)`` of every bidding rule the library has
    (:data:`redline.simulate.strategies.BIDDING`), for the form's choices."""
    from redline.simulate.strategies import BIDDING

    return [(name, spec.description, spec.params) for name, spec in BIDDING.items()]


def default_settings(scenario: Scenario) -> SimSettings:
    """The first two actors, Boulware against a conceder, with the default steps and draws."""
    pairs = tuple((k, name) for k, name in enumerate(DEFAULT_STRATEGIES)
                  if k < len(scenario.actors))
    return SimSettings(strategies=pairs)


def form_values(scenario: Scenario, settings: SimSettings) -> dict[str, str]:
    """The form's inputs for ``settings``, as the page shows them."""
    values = {"protocol": settings.protocol, "steps": str(settings.steps),
              "draws": str(settings.draws), "seed": str(settings.seed),
              "breakdown": f"{settings.breakdown:g}", "mediator": settings.mediator or ""}
    chosen = dict(settings.strategies)
    for k in range(len(scenario.actors)):
        name, _, param = chosen.get(k, SITS_OUT).partition(":")
        values[f"strategy.{k}"] = name
        values[f"param.{k}"] = param
        values[f"bias.{k}"] = f"{settings.bias[k]:g}" if k in settings.bias else ""
    return values


def _whole(form: FormData, name: str, default: int, low: int, high: int,
           hint: str = "") -> int:
    text = text_field(form, name, 40).strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise RedlineError(f"{text!r} is not a whole number", field=name) from None
    if not low <= value <= high:
        raise RedlineError(f"must lie in [{low:,}, {high:,}], got {value:,}", field=name,
                           hint=hint)
    return value


def _number(form: FormData, name: str) -> float | None:
    text = text_field(form, name, 40).strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RedlineError(f"{text!r} is not a number", field=name) from None
    if not math.isfinite(value):
        raise RedlineError(f"{text!r} is not a finite number", field=name)
    return value


def read_settings(form: FormData, scenario: Scenario) -> SimSettings:
    """The simulation the form asks for, checked at the boundary.

    Parameters
    ----------
    form : FormData
        The Simulate form.
    scenario : Scenario
        The scenario it simulates.

    Returns
    -------
    SimSettings

    Raises
    ------
    RedlineError
        The first bad input, its ``field`` the input's name (``steps``, ``strategy.1``, ...).
    """
    from redline.simulate import strategies as strat
    from redline.simulate.protocols import PROTOCOLS

    protocol = text_field(form, "protocol", 40).strip() or "sao"
    if protocol not in PROTOCOLS:
        raise RedlineError(f"unknown protocol {protocol!r}; choose one of "
                           f"{', '.join(PROTOCOLS)}", field="protocol")
    steps = _whole(form, "steps", DEFAULT_STEPS, 1, MAX_STEPS,
                   hint="redline simulate in a terminal takes longer deadlines")
    draws = _whole(form, "draws", DEFAULT_DRAWS, 0, MAX_DRAWS,
                   hint="redline simulate in a terminal takes more draws")
    if steps * max(draws, 1) > MAX_WORK:
        fit = MAX_WORK // steps
        raise RedlineError(f"{steps:,} steps x {max(draws, 1):,} negotiations is more than "
                           f"the app simulates at once ({MAX_WORK:,})", field="draws",
                           hint=f"use {fit:,} draws or fewer at {steps:,} steps, or "
                           "redline simulate in a terminal")
    from redline.uncertainty.limits import SEED_MAX

    seed = _whole(form, "seed", 0, 0, SEED_MAX)
    breakdown = _number(form, "breakdown") or 0.0
    if not 0.0 <= breakdown < 1.0:
        raise RedlineError(f"breakdown probability must lie in [0, 1), got {breakdown:g}",
                           field="breakdown")
    pairs, bias = [], {}
    for k in range(len(scenario.actors)):
        name = text_field(form, f"strategy.{k}", 40).strip()
        param = text_field(form, f"param.{k}", 40).strip()
        weight = _number(form, f"bias.{k}")
        if weight is not None:
            if weight < 0:
                raise RedlineError(f"must be 0 or more, got {weight:g}", field=f"bias.{k}")
            bias[k] = weight
        if not name:
            continue
        if param:
            _number(form, f"param.{k}")
        text = f"{name}:{param}" if param else name
        try:
            strat.parse(text, where=f"strategy.{k}")  # the form offers no opponent model
        except RedlineError as error:
            raise _at(error, f"param.{k}" if param else f"strategy.{k}") from None
        pairs.append((k, text))
    mediator = text_field(form, "mediator", 64).strip() or None
    if mediator is not None and mediator not in {a.id for a in scenario.actors}:
        raise RedlineError(f"unknown actor {mediator!r}", field="mediator")
    if protocol != "single-text":
        mediator, bias = None, {}
    return SimSettings(protocol, tuple(pairs), steps, draws, seed, breakdown, mediator, bias)


@dataclass(frozen=True)
class SimView:
    """A simulation as the page shows it: the JSON of ``redline simulate`` with names."""

    data: dict
    figure: str  # plotly figure JSON; "" without a trace
    figure_note: str
    issue_names: dict[str, str]
    actor_names: dict[str, str]


def simulate(scenario: Scenario, settings: SimSettings) -> SimView:
    """Run the simulation (:func:`redline.pipeline.run_simulate`) and gather what the page
    shows.

    Raises
    ------
    RedlineError
        A problem the library found (too few negotiating actors, two parties for sao, a space
        too large), its ``field`` one of the form's inputs.
    """
    from redline import pipeline

    actors = [a.id for a in scenario.actors]
    loaded = pipeline.load(scenario)
    if len(settings.strategies) < 2:
        raise RedlineError("choose a strategy for at least two actors (the others sit out)",
                           field="strategies")
    cells = max(settings.draws, 1) * len(settings.strategies) * \
        loaded.require_domain().n_packages
    if cells > MAX_CELLS:
        fit = MAX_CELLS // (len(settings.strategies) * loaded.require_domain().n_packages)
        raise RedlineError(f"{cells:,} utility cells (negotiations x actors x packages) are "
                           f"more than the app simulates ({MAX_CELLS:,})", field="draws",
                           hint=f"use {fit:,} draws or fewer, or redline simulate in a "
                           "terminal")
    try:
        run = pipeline.run_simulate(
            loaded, [(actors[k], text) for k, text in settings.strategies],
            protocol=settings.protocol, steps=settings.steps, draws=settings.draws,
            seed=settings.seed, mediator=settings.mediator,
            bias={actors[k]: w for k, w in settings.bias.items()},
            breakdown=settings.breakdown)
    except RedlineError as error:
        raise _at(error, OPTION_INPUTS.get(error.field or "", "strategies")) from None
    data = run.to_dict()
    figure, note = "", ""
    if run.result.trace is None:
        note = "No offers figure: the batch is too large to keep its offers."
    else:
        from redline.report.figures import figure_json
        from redline.report.simulation import simulation_figure

        figure = figure_json(simulation_figure(run.result))
    return SimView(data, figure, note, {i.id: i.name for i in scenario.issues},
                   {a.id: a.name for a in scenario.actors})


# ---------------------------------------------------------------- routes

@router.get("/simulate", response_class=HTMLResponse)
def simulate_file(request: Request, path: str = "", state: AppState = Depends(app_state)
                  ) -> HTMLResponse:
    """The Simulate view of the workspace file ``path``, run with the default settings; without
    a path, the workspace's scenario files to choose from."""
    if not path:
        files, _ = list_yaml(state.workspace)
        return page(request, "simulate.html", {"files": files, "scenario": None})
    file = resolve_in_workspace(state.workspace, path)
    try:
        raw = read_bytes(file, limit=MAX_FILE_BYTES, name=path)
        scenario = parse_scenario(raw, path)
    except RedlineError as error:
        return page(request, "simulate.html", {"files": [], "scenario": None,
                                               "error": str(error)}, status=400)
    return simulation_page(request, scenario, raw.decode("utf-8-sig"), path,
                           default_settings(scenario))


@router.post("/simulate", response_class=HTMLResponse)
def simulate_form(request: Request, form: FormData = Depends(csrf_form)) -> HTMLResponse:
    """Run the Simulate form; from the editor (its Simulate button), the scenario as edited
    there with the default settings."""
    from_editor = text_field(form, "view", 20) != "simulate"
    try:
        found = form_scenario(form, edits=from_editor)
    except FormProblem as failed:
        return page(request, "simulate.html", {"files": [], "scenario": None,
                                               "problem": failed.problem},
                    status=failed.status)
    if from_editor:
        return simulation_page(request, found.scenario, found.yaml_text, found.source,
                               default_settings(found.scenario))
    try:
        settings = read_settings(form, found.scenario)
    except RedlineError as error:
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        return simulation_page(request, found.scenario, found.yaml_text, found.source, None,
                               problem=error, values=values)
    return simulation_page(request, found.scenario, found.yaml_text, found.source, settings)


def simulation_page(request: Request, scenario: Scenario, yaml_text: str, source: str,
                    settings: SimSettings | None, *, problem: RedlineError | None = None,
                    values: dict[str, str] | None = None) -> HTMLResponse:
    """The Simulate page: the form and, for good settings, the simulation's results.

    Parameters
    ----------
    request : Request
        The request being answered.
    scenario : Scenario
        The scenario simulated.
    yaml_text : str
        Its text (carried by the form to the next run).
    source : str
        Its file name.
    settings : SimSettings or None
        The simulation to run; ``None`` with ``problem`` (a bad input).
    problem : RedlineError, optional
        A bad input, shown next to its field.
    values : dict, optional
        The inputs as submitted (shown instead of ``settings``' values).

    Returns
    -------
    HTMLResponse
        The page (status 400 with a problem).
    """
    from redline.web.editing import Problem

    view = None
    if settings is not None and problem is None:
        try:
            view = simulate(scenario, settings)
        except RedlineError as error:
            problem = error
    shown = (values if values is not None
             else form_values(scenario, settings or default_settings(scenario)))
    found = None
    if problem is not None:
        name = problem.field or ""
        found = Problem(problem.message + (f" (hint: {problem.hint})" if problem.hint else ""),
                        name or None, _label(scenario, name))
    from redline.simulate.protocols import PROTOCOLS

    return page(request, "simulate.html", {
        "scenario": scenario, "source": source, "yaml_text": yaml_text, "view": view,
        "values": shown, "problem": found, "protocols": PROTOCOLS,
        "protocol_words": PROTOCOL_WORDS, "strategies": strategy_choices(),
        "reason_words": REASON_WORDS, "distance_words": DISTANCE_WORDS,
        "limits": {"steps": MAX_STEPS, "draws": MAX_DRAWS, "work": MAX_WORK},
    }, status=400 if found is not None else 200)


def _label(scenario: Scenario, name: str) -> str:
    """The form's name for input ``name``: "Russia's strategy", "steps", ..."""
    kind, _, index = name.partition(".")
    if index.isdigit() and int(index) < len(scenario.actors):
        actor = scenario.actors[int(index)].name
        return {"strategy": f"{actor}'s strategy", "param": f"{actor}'s parameter",
                "bias": f"{actor}'s weight"}.get(kind, name)
    return INPUT_LABELS.get(name, name)


def _at(error: RedlineError, name: str) -> RedlineError:
    """``error`` shown at the form's input ``name``; the library's messages name its
    parameters (``protocol=stacked``), the form names its inputs (``protocol stacked``)."""
    words = [(parameter, INPUT_LABELS[key]) for parameter, key in OPTION_INPUTS.items()]

    def plain(text: str | None) -> str | None:
        for parameter, label in words:
            text = re.sub(rf"(?<![\w.-]){parameter}=(\s?)", f"{label} ", text) if text else text
        return text

    return RedlineError(plain(error.message) or "", field=name, hint=plain(error.hint))
