"""`redline forecast` and `redline validate deu`.

``redline forecast FILE --model M`` reads a scenario (``--format yaml``, the default for
``.yaml``/``.yml``), a KTAB SMP CSV (``ktab``), a plain actor CSV (``csv``: columns actor,
capability, position, salience) or a DEU III TSV (``deu``), runs one model and prints a table
or, with ``--json``, :meth:`redline.forecast.base.Forecast.to_dict`. Without ``--format`` the
format follows the file: ``.tsv`` is DEU; a ``.csv`` whose first row names the columns
actor/name and position is a plain actor CSV, any other ``.csv`` a KTAB file; everything else
is a scenario.

For a DEU file each issue is forecast on its own, with the actors that have a position on it,
and the JSON is ``{"model", "actors", "dimensions" (issue ids), "proposals", "turns",
"forecast", "observed", "mae", "n", "options", "timings"}`` (``null`` where unknown).

``redline validate deu FILE --model M|all`` scores models against the DEU outcomes
(:func:`redline.forecast.validate.validate_deu`).
"""

from __future__ import annotations

import csv
import io
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from redline.cli import options
from redline.cli.common import app, print_json, user_errors
from redline.cli.examples import ExampleOption, input_file
from redline.errors import RedlineError
from redline.files import read_head
from redline.forecast.base import Forecast
from redline.forecast.registry import MODELS, ROUND_OPTIONS, check_actor_count, get_model

stdout = Console()

validate_app = typer.Typer(help="Score forecast models against observed outcomes.",
                           no_args_is_help=True)
app.add_typer(validate_app, name="validate")


class InputFormat(StrEnum):
    yaml = "yaml"
    ktab = "ktab"
    csv = "csv"
    deu = "deu"


def _guess_format(path: Path) -> InputFormat:
    suffix = path.suffix.lower()
    if suffix == ".tsv":
        return InputFormat.deu
    if suffix == ".csv":
        try:  # the header is in the first few kB; a FIFO or device is refused, not read
            head = read_head(path, 4096).decode("utf-8-sig", errors="replace")
            first = next(csv.reader(io.StringIO(head, newline="")), [])
        except (RedlineError, csv.Error):
            return InputFormat.csv  # the reader reports the problem
        names = {cell.strip().lower() for cell in first}
        if names & {"actor", "name"} and names & {"position", "pos", "x"}:
            return InputFormat.csv
        return InputFormat.ktab
    return InputFormat.yaml


def _model_options(model: str, rounds: int | None) -> dict[str, Any]:
    options.model_name(model)
    if rounds is None:
        return {}
    if model not in ROUND_OPTIONS:
        raise RedlineError(f"does not apply to model {model!r}", field="--rounds",
                           hint=f"models with rounds: {', '.join(sorted(ROUND_OPTIONS))}")
    options.int_in_range(rounds, "--rounds", low=0, high=options.MAX_ROUNDS)
    return {ROUND_OPTIONS[model]: rounds}


def _read_arrays(path: Path, fmt: InputFormat, assume: dict[str, bool] | None = None) -> Any:
    """An object with ``actors, dimensions, capability, position (n, d), salience (n, d)``."""
    if fmt is InputFormat.csv:
        from redline.io.actors_csv import read_actors_csv

        return read_actors_csv(path)
    if fmt is InputFormat.ktab:
        from redline.io.ktab import read_ktab_csv

        return read_ktab_csv(path)
    from redline.scenario.arrays import forecast_inputs
    from redline.scenario.load import load_scenario

    try:
        return forecast_inputs(load_scenario(path), assume)
    except RedlineError as error:
        raise error.located(file=str(path)) from None


def _load_deu(path: Path, weights: Path | None) -> Any:
    """Read a DEU file, then the voting weights (given, or beside it)."""
    from dataclasses import replace

    from redline.io.deu import capabilities, read_deu, read_voting_weights

    data = read_deu(path)  # format errors first
    if weights is None:
        weights = path.parent / "nice_voting_weights.csv"
        if not weights.exists():
            raise RedlineError("no voting weights: nice_voting_weights.csv is not next to the "
                               "file", file=str(path), hint="pass --weights PATH")
    table = read_voting_weights(weights)
    return replace(data, capability=capabilities(data.actors, table, source=str(weights)))


def _clean(values: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(values, dtype=float)]


def _forecast_deu(path: Path, model: str, options: dict[str, Any],
                  weights: Path | None, max_actors: int | None = None) -> dict[str, Any]:
    from redline.forecast.validate import predict_deu

    data = _load_deu(path, weights)
    check_actor_count(model, len(data.actors), max_actors)  # issues have at most these
    instance = get_model(model, **options)  # checks the options before the long run
    started = time.perf_counter()
    issues = np.arange(len(data.issues))
    point = predict_deu(data, model, options=options, issues=issues)
    seconds = time.perf_counter() - started
    scored = np.isfinite(point) & np.isfinite(data.outcomes)
    return {
        "model": model,
        "actors": list(data.actors),
        "dimensions": list(data.issues),
        "proposals": list(data.proposals),
        "turns": int(getattr(instance, "rounds", 0)),
        "forecast": _clean(point),
        "observed": _clean(data.outcomes),
        "mae": float(np.abs(point - data.outcomes)[scored].mean()) if scored.any() else None,
        "n": int(scored.sum()),
        "options": options,
        "timings": {"model": seconds},
    }


def _forecast_table(result: Forecast) -> None:
    title = f"{result.model} forecast ({result.turns} rounds)" if result.turns else \
        f"{result.model} forecast"
    table = Table(title=title)
    table.add_column("dimension")
    table.add_column("forecast", justify="right")
    table.add_column("actors' range", justify="right")
    for k, name in enumerate(result.dimensions):
        first = result.positions[0, :, k]
        table.add_row(name, f"{result.point[k]:.2f}", f"{first.min():.2f} - {first.max():.2f}")
    stdout.print(table)
    if result.median is not None and result.mean is not None:
        rounds = Table(title="median and mean per round")
        rounds.add_column("round", justify="right")
        for name in result.dimensions:
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
                     ] = "compromise",
    input_format: Annotated[InputFormat | None, typer.Option(
        "--format", help="Input format (default: from the file name).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    rounds: Annotated[int | None, typer.Option(
        help="Rounds for bdm/bdm-scholz (default 10) or maximum turns for smp.")] = None,
    weights: Annotated[Path | None, typer.Option(
        help="DEU only: voting weights CSV (default: nice_voting_weights.csv beside FILE).")
                       ] = None,
    assume: Annotated[list[str] | None, typer.Option(
        "--assume", help="Scenario files only: a claim branch, CLAIM=true|false.")] = None,
    max_actors: Annotated[int | None, typer.Option(
        help="Refuse runs with more actors (default: 200 for smp, 1,000 for bdm and "
        "bdm-scholz, no limit for the others).")] = None,
    example: ExampleOption = None,
) -> None:
    """Forecast the outcome of each issue with one model."""
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
    fmt = input_format or _guess_format(file)
    if fmt is InputFormat.deu:
        data = _forecast_deu(file, model, model_options, weights, max_actors)
        if json_output:
            print_json(data)
        else:
            _deu_table(data)
        return
    if weights is not None:
        raise RedlineError("applies to DEU files only", field="--weights")
    if truths and fmt is not InputFormat.yaml:
        raise RedlineError("applies to scenario files only", field="--assume")
    arrays = _read_arrays(file, fmt, truths)
    check_actor_count(model, len(arrays.actors), max_actors)
    salience = arrays.salience
    if model == "smp" and fmt not in (InputFormat.ktab, InputFormat.csv):
        from redline.scenario.arrays import attention_shares, over_attention

        salience = attention_shares(salience)  # as redline.pipeline.forecast_scenario does
        rescaled = [actor for actor, over in zip(arrays.actors, over_attention(arrays.salience),
                                                 strict=True) if over]
        if rescaled:
            typer.echo(f"note: SMP reads saliences as shares of attention: those of "
                       f"{', '.join(rescaled)} sum to more than 1 and were divided by their sum",
                       err=True)
    try:
        result = get_model(model, **model_options).run(
            arrays.capability, arrays.position, salience,
            actors=tuple(arrays.actors), dimensions=tuple(arrays.dimensions))
    except RedlineError as error:
        raise error.located(file=str(file)) from None
    if json_output:
        print_json(result.to_dict())
    else:
        _forecast_table(result)


@validate_app.command("deu")
@user_errors
def validate_deu_command(
    file: Annotated[Path, typer.Argument(help="DEU III TSV file (e.g. deu3_public.tsv).")],
    model: Annotated[str, typer.Option("--model", "-m", help="A model name, or 'all'.")
                     ] = "compromise",
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
    data = _load_deu(file, weights)
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
                            "error": str(error)})
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
