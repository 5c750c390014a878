"""`redline forecast` and `redline validate deu`.

``redline forecast FILE --model M`` reads a scenario (``--format yaml``, the default for
``.yaml``/``.yml``), a KTAB SMP CSV (``ktab``), a plain actor CSV (``csv``: columns actor,
capability, position, salience) or a DEU III TSV (``deu``), runs one model and prints a table
or, with ``--json``, the ``to_dict()`` of :func:`redline.pipeline.run_forecast`'s result (actors
and dimensions by id, their names beside them). Without ``--format`` the format follows the file
(:func:`redline.pipeline.guess_format`): ``.tsv`` is DEU; a ``.csv`` whose first row names the
columns actor/name and position is a plain actor CSV, any other ``.csv`` a KTAB file;
everything else is a scenario.

For a DEU file each issue is forecast on its own, with the actors that have a position on it,
and the JSON is ``{"model", "actors", "dimensions" (issue ids), "proposals", "turns",
"forecast", "observed", "mae", "n", "options", "timings"}`` (``null`` where unknown).

``redline validate deu FILE --model M|all`` scores models against the DEU outcomes
(:func:`redline.forecast.validate.validate_deu`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from redline.cli import options
from redline.cli.common import app, as_options, print_json, user_errors
from redline.cli.examples import ExampleOption, input_file
from redline.errors import RedlineError
from redline.forecast.base import Forecast
from redline.forecast.registry import DEFAULT_MODEL, MAX_ROUNDS, MODELS, model_conventions
from redline.io import FORECAST_FORMATS

stdout = Console()

validate_app = typer.Typer(help="Score forecast models against observed outcomes.",
                           no_args_is_help=True)
app.add_typer(validate_app, name="validate")


InputFormat = StrEnum("InputFormat", [(name, name) for name in FORECAST_FORMATS])
"""The input formats of ``redline forecast --format`` (guessed from the file if omitted)."""


def _model_options(model: str, rounds: int | None) -> dict[str, Any]:
    from redline.pipeline import model_options

    options.model_name(model)
    chosen = model_options(model, rounds)  # refuses rounds for a model without them
    if rounds is not None:
        options.int_in_range(rounds, "--rounds", low=0, high=MAX_ROUNDS)
    return chosen


def _rounds_help() -> str:
    with_rounds = [(name, model_conventions(name).rounds_option) for name in MODELS]
    return "Rounds (or turns) of the models with rounds: " + ", ".join(
        f"{name} ({option})" for name, option in with_rounds if option) + "."


def _max_actors_help() -> str:
    limits = [(name, model_conventions(name).max_actors) for name in MODELS]
    return "Refuse runs with more actors (default: " + ", ".join(
        f"{limit:,} for {name}" for name, limit in limits if limit is not None) + \
        ", no limit for the others)."


def _forecast_table(result: Forecast, domain=None) -> None:
    from redline.report.terminal import render_forecast

    render_forecast(stdout, result, domain)
    if result.median is not None and result.mean is not None:
        rounds = Table(title="median and mean per round")
        rounds.add_column("round", justify="right")
        for name in result.dimension_names:
            rounds.add_column(f"{name} median", justify="right")
            rounds.add_column(f"{name} mean", justify="right")
        for t in range(result.median.shape[0]):
            cells = []
            for k in range(len(result.dimensions)):
                cells += [f"{result.median[t, k]:.4f}", f"{result.mean[t, k]:.4f}"]
            rounds.add_row(str(t), *cells)
        stdout.print(rounds)
    stdout.print(f"model time: {result.seconds:.3f} s")


def _deu_table(data: dict[str, Any]) -> None:
    table = Table(title=f"{data['model']} forecast per DEU issue")
    for name in ("proposal", "issue", "forecast", "observed"):
        table.add_column(name, justify="left" if name in ("proposal", "issue") else "right")
    for prop, issue, point, seen in zip(data["proposals"], data["dimensions"], data["forecast"],
                                        data["observed"], strict=True):
        table.add_row(prop, issue, "-" if point is None else f"{point:.1f}",
                      "-" if seen is None else f"{seen:.1f}")
    stdout.print(table)
    if data["mae"] is not None:
        stdout.print(f"MAE {data['mae']:.2f} over {data['n']} issues with an outcome; "
                     f"model time {data['timings']['model']:.2f} s")


@app.command()
@user_errors
def forecast(
    file: Annotated[Path | None, typer.Argument(
        help="Scenario YAML, KTAB CSV, actor CSV or DEU TSV.", show_default=False)] = None,
    model: Annotated[str, typer.Option("--model", "-m", help=f"One of: {', '.join(MODELS)}.")
                     ] = DEFAULT_MODEL,
    input_format: Annotated[InputFormat | None, typer.Option(
        "--format", help="Input format (default: from the file name).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    rounds: Annotated[int | None, typer.Option(help=_rounds_help())] = None,
    weights: Annotated[Path | None, typer.Option(
        help="DEU only: voting weights CSV (default: nice_voting_weights.csv beside FILE).")
                       ] = None,
    assume: Annotated[list[str] | None, typer.Option(
        "--assume", help="Scenario files only: a claim branch, CLAIM=true|false.")] = None,
    max_actors: Annotated[int | None, typer.Option(help=_max_actors_help())] = None,
    example: ExampleOption = None,
) -> None:
    """Forecast the outcome of each issue with one model."""
    from redline import pipeline
    from redline.cli.analyze import parse_assume

    file = input_file(file, example)
    if max_actors is not None:
        options.int_in_range(max_actors, "--max-actors", low=1)
    model_options = _model_options(model, rounds)
    truths = parse_assume(assume)
    if not file.exists() and not file.is_symlink():  # a loop: the reader says so
        raise RedlineError("no such file", file=str(file))
    if file.is_dir():
        raise RedlineError("is a folder, not a file", file=str(file))
    loaded = pipeline.load(file, input_format.value if input_format else None, assume=truths,
                           weights=weights)
    result = pipeline.run_forecast(loaded, model, max_actors=max_actors, **model_options)
    for note in getattr(result, "notes", ()):
        typer.echo(f"note: {note}", err=True)
    if json_output:
        print_json(result.to_dict())
    elif isinstance(result, pipeline.DEUForecast):
        _deu_table(result.to_dict())
    else:
        _forecast_table(result.forecast,
                        loaded.require_domain() if loaded.scenario is not None else None)


@validate_app.command("deu")
@user_errors
def validate_deu_command(
    file: Annotated[Path, typer.Argument(help="DEU III TSV file (e.g. deu3_public.tsv).")],
    model: Annotated[str, typer.Option("--model", "-m", help="A model name, or 'all'.")
                     ] = DEFAULT_MODEL,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    weights: Annotated[Path | None, typer.Option(
        help="Voting weights CSV (default: nice_voting_weights.csv beside FILE).")] = None,
    boot: Annotated[int, typer.Option(help="Bootstrap resamples for the 95% interval.")
                    ] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
) -> None:
    """Mean absolute error of forecasts against the observed DEU outcomes."""
    from redline.forecast.validate import validate_deu, validation_names

    names = validation_names()
    if model != "all" and model not in names:
        raise RedlineError(f"unknown model {model!r}", field="--model",
                           hint=f"use all or one of {', '.join(names)}")
    options.int_in_range(boot, "--boot", low=1, high=options.MAX_BOOT)
    options.seed(seed)
    if not file.exists() and not file.is_symlink():
        raise RedlineError("no such file", file=str(file))
    from redline.pipeline import load

    data = load(file, "deu", weights=weights).deu
    if model != "all":
        result = validate_deu(data, model, n_boot=boot, seed=seed)
        if json_output:
            print_json(result)
        else:
            _validation_table(file, [result])
        return
    results: list[dict[str, Any]] = []
    for name in names:
        try:
            results.append(validate_deu(data, name, n_boot=boot, seed=seed))
        except RedlineError as error:  # one model's failure must not hide the others
            results.append({"model": name, "mae": None, "n": 0, "ci95": None,
                            "error": str(as_options(error))})
    if json_output:
        print_json(results)
    else:
        _validation_table(file, results)


def _validation_table(file: Path, results: list[dict[str, Any]]) -> None:
    table = Table(title=f"DEU validation: {file.name}")
    for name in ("model", "MAE", "95% CI", "issues"):
        table.add_column(name, justify="left" if name == "model" else "right")
    ranked = sorted(results, key=lambda r: (r["mae"] is None, r["mae"] or 0.0))
    for row in ranked:
        if row["mae"] is None:
            table.add_row(row["model"], "error", row.get("error", ""), "0")
            continue
        low, high = row["ci95"]
        table.add_row(row["model"], f"{row['mae']:.2f}", f"{low:.2f} - {high:.2f}",
                      str(row["n"]))
    stdout.print(table)
