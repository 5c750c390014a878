"""Glue used by every shell: load an input, compile it, analyse it, time each step.

Kept separate from the CLI so the web app and the report use exactly the same path.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from redline.errors import RedlineError
from redline.forecast.base import Forecast, salience_for
from redline.forecast.registry import check_actor_count, get_model
from redline.io.genius import is_genius_folder, read_genius_folder
from redline.scenario.arrays import forecast_inputs
from redline.scenario.compile import to_domain
from redline.scenario.load import load_scenario
from redline.scenario.model import Scenario
from redline.space.domain import Domain
from redline.space.engine import (
    DEFAULT_LIST_LIMIT,
    DEFAULT_MAX_PACKAGES,
    Analysis,
    Progress,
    analyze,
)


@dataclass(frozen=True)
class Loaded:
    """An input made ready for analysis: the scenario (if YAML) and its domain."""

    path: Path
    domain: Domain
    scenario: Scenario | None
    seconds: float

    @property
    def warnings(self) -> list[str]:
        """One line per problem worth a word that does not stop the analysis."""
        return list(self.domain.notes.get("warnings", []))


def load_input(path: str | Path, assume: Mapping[str, bool] | None = None, *,
               max_packages: int = DEFAULT_MAX_PACKAGES) -> Loaded:
    """Load a scenario YAML file or a Genius XML folder.

    A Genius folder whose package space exceeds ``max_packages`` is refused before its tables
    are built (an integer issue is expanded only then). Warnings about the input (e.g. Genius
    weights that do not sum to 1) are in ``Loaded.warnings``.
    """
    path = Path(path)
    start = time.perf_counter()
    if not path.exists() and not path.is_symlink():  # a symlink loop: the reader says so
        raise RedlineError("no such file or folder", file=str(path))
    if path.is_dir():
        if not is_genius_folder(path):
            raise RedlineError("folder holds no Genius XML files", file=str(path),
                               hint="pass a scenario .yaml file or a Genius domain folder")
        if assume:
            raise RedlineError("--assume applies to scenario files with claims, not Genius "
                               "folders", file=str(path))
        domain = read_genius_folder(path, max_packages=max_packages)
        scenario = None
    else:
        scenario = load_scenario(path)
        try:
            domain = to_domain(scenario, assume)
        except RedlineError as error:
            raise error.located(file=str(path)) from None
    return Loaded(path, domain, scenario, time.perf_counter() - start)


def run_analysis(
    loaded: Loaded,
    *,
    memory_mb: float = 512,
    max_packages: int = DEFAULT_MAX_PACKAGES,
    progress: Progress | None = None,
    **options,
) -> Analysis:
    """Analyse a loaded input; errors name its file. Timings include loading.

    ``options`` go to :func:`redline.space.engine.analyze` (``list_limit``, ``max_frontier``).
    """
    try:
        analysis = analyze(loaded.domain, memory_mb=memory_mb, max_packages=max_packages,
                           progress=progress, **options)
    except RedlineError as error:
        raise error.located(file=str(loaded.path)) from None
    analysis.timings["load"] = loaded.seconds
    return analysis


BRANCH_MAX_PACKAGES = 2_000_000  # claim branches are compared only for spaces up to this size


def claim_branches(
    scenario: Scenario, assume: Mapping[str, bool] | None = None, *,
    max_packages: int = BRANCH_MAX_PACKAGES, list_limit: int = DEFAULT_LIST_LIMIT,
) -> list[dict]:
    """For each claim, the acceptable packages and the Nash solution when it is true and false.

    Other claims stay as in ``assume`` (or their default). ``nash_if_true`` lists the first
    ``list_limit`` Nash packages (package numbers) and ``nash_ties_if_true`` counts them all.
    Skipped (an empty list) for spaces above ``max_packages``.
    """
    rows = []
    base = dict(assume or {})
    for claim in scenario.claims:
        row: dict = {"claim": claim.id}
        for truth, side in ((True, "true"), (False, "false")):
            domain = to_domain(scenario, {**base, claim.id: truth})
            if domain.n_packages > max_packages:
                return []
            result = analyze(domain, list_limit=list_limit)
            nash = result.solutions["nash"]
            row[f"acceptable_if_{side}"] = result.acceptable_count
            row[f"nash_if_{side}"] = nash.indices.tolist()
            row[f"nash_ties_if_{side}"] = nash.count
        rows.append(row)
    return rows


def forecast_scenario(scenario: Scenario, model: str, assume: Mapping[str, bool] | None = None,
                      **options) -> Forecast:
    """Run forecast ``model`` on every issue of ``scenario`` (in a claim branch).

    Saliences are given in the convention the model declares (:func:`salience_for`: KTAB's SMP
    reads shares of attention, so saliences summing to more than 1 are divided by their sum).
    """
    inputs = forecast_inputs(scenario, assume)
    check_actor_count(model, len(inputs.actors))
    forecaster = get_model(model, **options)
    return forecaster.run(inputs.capability, inputs.position,
                          salience_for(forecaster, inputs.salience),
                          actors=inputs.actors, dimensions=inputs.dimensions)
