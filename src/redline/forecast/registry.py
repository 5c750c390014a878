"""Forecast models by name.

``MODELS`` maps a name to a factory taking the model's keyword options; :func:`get_model`
builds one and :func:`model_conventions` reads what the model's class declares about its
inputs (rounds option, actor limit, salience convention), so no caller keeps a table of models.
``"smp"`` (KTAB's spatial model of politics, :mod:`redline.forecast.smp`) is registered only
when that module can be imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redline.errors import RedlineError, SpaceTooLargeError
from redline.forecast.base import ForecastModel, ModelConventions, conventions
from redline.forecast.bdm import BDM2002Model, BDMScholzModel
from redline.forecast.best import BestModel
from redline.forecast.compromise import CompromiseModel, MeanModel
from redline.forecast.median import MedianModel, WeightedMedianModel
from redline.forecast.nash import NashModel

DEFAULT_MODEL = "compromise"  # the forecast every command, the web app and the library use unasked
REPORT_MODELS = ("smp", "bdm")  # the forecasts the HTML report shows when none are named
MAX_ROUNDS = 1_000  # largest --rounds / rounds=: BDM keeps every round's positions (seconds, MBs)

Factory = Callable[..., ForecastModel]

MODELS: dict[str, Factory] = {
    "compromise": CompromiseModel,
    "mean": MeanModel,
    "median": WeightedMedianModel,
    "median-unweighted": MedianModel,
    "nash": NashModel,
    "bdm": BDM2002Model,
    "bdm-scholz": BDMScholzModel,
    "best": BestModel,
}

try:  # written separately; the registry must work without it
    from redline.forecast.smp import SMPModel
except ImportError:  # pragma: no cover - depends on the checkout
    pass
else:
    MODELS["smp"] = SMPModel

def check_actor_count(name: str, n_actors: int, max_actors: int | None = None) -> None:
    """Refuse runs of model ``name`` with more actors than its limit (the ``max_actors`` its
    class declares, or ``max_actors`` when given); models without a limit take any number.

    Raises
    ------
    SpaceTooLargeError
        With a hint on how to proceed (fewer actors, or ``--max-actors``).
    """
    declared = model_conventions(name)
    limit = declared.max_actors if max_actors is None else max_actors
    if limit is not None and n_actors > limit:
        raise SpaceTooLargeError(
            f"{n_actors:,} actors are more than the {limit:,} that model {name!r} takes "
            f"(its time grows as {declared.cost_growth} of the number of actors)",
            field="actors",
            hint="merge minor actors, use a model such as compromise or median, or raise "
            "max_actors=")


def model_conventions(name: str) -> ModelConventions:
    """The input conventions model ``name`` declares (:func:`redline.forecast.base.conventions`):
    salience convention, rounds option, actor limit; unknown names list the valid ones."""
    return conventions(_factory(name))


def _factory(name: str) -> Factory:
    try:
        return MODELS[name]
    except KeyError:
        raise RedlineError(f"unknown model {name!r}; valid models: {', '.join(MODELS)}",
                           field="model") from None


def model_names() -> list[str]:
    """The registered names, in registration order."""
    return list(MODELS)


def get_model(name: str, **options: Any) -> ForecastModel:
    """Build the model ``name`` with ``options``; unknown names list the valid ones."""
    factory = _factory(name)
    try:
        return factory(**options)
    except TypeError as error:
        raise RedlineError(f"bad option for model {name!r}: {error}", field="model") from None
