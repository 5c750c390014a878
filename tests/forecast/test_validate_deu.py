"""DEU III validation: the published baselines, the bootstrap, and "best"."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import numpy as np
import pytest

from redline.errors import RedlineError
from redline.forecast.registry import MODELS, get_model, model_names
from redline.forecast.validate import bootstrap_mae, predict_deu, validate_deu
from redline.io.deu import read_deu

# A synthetic file in the layout of DEU III and the Nice voting weights; the published numbers on
# the real file are checked against its copy in tests/data/originals/deu3 (tests/data/NOTICE).
DATA = Path(__file__).resolve().parents[1] / "data" / "deu3"
SYNTHETIC = DATA / "deu3_synthetic.tsv"
WEIGHTS = DATA / "nice_voting_weights.csv"
BASELINES = ("compromise", "mean", "salience-mean", "median-unweighted", "commission")


@pytest.fixture(scope="module")
def data():
    return read_deu(SYNTHETIC, WEIGHTS)


@pytest.fixture(scope="module")
def public(originals):
    return read_deu(originals / "deu3" / "deu3_public.tsv",
                    originals / "deu3" / "nice_voting_weights.csv")


def _plain_mae(tsv: Path, weights: Path, model: str, missing_salience: float | None = 50.0
               ) -> tuple[float, int]:
    """The baselines by plain loops over the raw file, independently of ``redline.io.deu``."""
    with weights.open(newline="") as handle:
        weight = {r["actor"]: float(r["weight"]) for r in csv.DictReader(handle)}
    weight["com"] = weight["ep"] = 29.0
    with tsv.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    actors = [c[1:] for c in rows[0] if c.startswith("p") and "s" + c[1:] in rows[0]]
    errors = []
    for row in rows:
        if not row["prnr"] or not row["out"]:
            continue  # the GDP row, or no outcome
        cells = []  # (capability, position, salience) of the actors taking part
        for a in actors:
            if row["p" + a] == "" or (row["s" + a] == "" and missing_salience is None):
                continue
            salience = float(row["s" + a]) if row["s" + a] else missing_salience
            cells.append((weight[a], float(row["p" + a]), salience / 100.0))
        x = [p for _, p, _ in cells]
        if model == "commission":
            if row["pcom"] == "":
                continue
            forecast = float(row["pcom"])
        elif model == "mean":
            forecast = sum(x) / len(x)
        elif model == "median-unweighted":
            forecast = statistics.median(x)
        else:
            w = [c * s if model == "compromise" else s for c, _, s in cells]
            forecast = (sum(wi * p for wi, p in zip(w, x, strict=True)) / sum(w) if sum(w) > 0
                        else sum(x) / len(x))
        errors.append(abs(forecast - float(row["out"])))
    return sum(errors) / len(errors), len(errors)


@pytest.mark.parametrize("model", BASELINES)
def test_baselines_match_plain_loops_over_the_file(data, model):
    mae, n = _plain_mae(SYNTHETIC, WEIGHTS, model)
    result = validate_deu(data, model, n_boot=200)
    assert set(result) == {"model", "mae", "n", "ci95"}
    assert result["model"] == model and result["n"] == n
    assert n == (22 if model == "commission" else 30)  # 3 issues without outcome, 8 without com
    assert result["mae"] == pytest.approx(mae, rel=1e-12)
    low, high = result["ci95"]
    assert low < result["mae"] < high


@pytest.mark.parametrize("model", ["compromise", "salience-mean"])
def test_dropping_actors_without_salience_is_the_alternative(data, model):
    mae, _ = _plain_mae(SYNTHETIC, WEIGHTS, model, missing_salience=None)
    result = validate_deu(data, model, missing_salience=None, n_boot=10)
    assert result["mae"] == pytest.approx(mae, rel=1e-12)
    assert result["mae"] != validate_deu(data, model, n_boot=10)["mae"]


@pytest.mark.parametrize(("model", "mae", "n"), [
    ("compromise", 23.89, 229),
    ("mean", 24.37, 229),
    ("salience-mean", 24.48, 229),
    ("median-unweighted", 29.07, 229),
    ("commission", 39.32, 224),
])
def test_reference_maes_on_the_public_file(public, originals, model, mae, n):
    result = validate_deu(public, model, n_boot=200)
    assert result["n"] == n and round(result["mae"], 2) == mae
    plain = _plain_mae(originals / "deu3" / "deu3_public.tsv", WEIGHTS, model)
    assert plain == (pytest.approx(result["mae"], rel=1e-12), n)
    low, high = result["ci95"]
    assert low < result["mae"] < high


def test_dropping_actors_without_salience_on_the_public_file(public):
    assert round(validate_deu(public, "compromise", missing_salience=None, n_boot=10)["mae"],
                 2) == 23.86


def test_bootstrap_is_seeded_and_resamples_proposals(data):
    a = validate_deu(data, "compromise", seed=1)
    b = validate_deu(data, "compromise", seed=1)
    c = validate_deu(data, "compromise", seed=2)
    assert a == b and a["ci95"] != c["ci95"]
    # One group holding every error: no spread at all.
    errors = np.array([1.0, 3.0, 5.0])
    assert bootstrap_mae(errors, np.array(["p", "p", "p"]), n_boot=50) == (3.0, 3.0)
    low, high = bootstrap_mae(errors, np.array(["a", "b", "c"]), n_boot=500)
    assert 1.0 <= low < 3.0 < high <= 5.0


def test_every_model_runs_on_every_issue_with_an_outcome(data):
    for name in ("best", "median", "nash", "bdm", "bdm-scholz"):
        result = validate_deu(data, name, n_boot=50)
        assert result["n"] == 30 and 0 < result["mae"] < 50, name


def test_best_beats_compromise_on_the_public_file(public):
    best = validate_deu(public, "best", n_boot=100)
    compromise = validate_deu(public, "compromise", n_boot=100)
    assert best["mae"] < compromise["mae"]
    assert round(best["mae"], 2) == 23.02
    for name in ("median", "nash", "bdm", "bdm-scholz"):
        result = validate_deu(public, name, n_boot=50)
        assert result["n"] == 229 and 0 < result["mae"] < 50


def test_forecasts_stay_within_each_issue_positions(data):
    issues = np.flatnonzero(data.has_outcome)
    low = np.nanmin(data.positions[issues], axis=1)
    high = np.nanmax(data.positions[issues], axis=1)
    for name in ("compromise", "median", "best", "bdm"):
        point = predict_deu(data, name)
        assert np.all((point >= low - 1e-9) & (point <= high + 1e-9)), name


def test_errors(data):
    with pytest.raises(RedlineError, match="unknown model"):
        validate_deu(data, "astrology")
    no_weights = read_deu(SYNTHETIC)
    with pytest.raises(RedlineError, match="voting weights"):
        validate_deu(no_weights, "compromise")


class _Recorder:
    """A model that forecasts 50 everywhere and keeps what validation gave it."""

    name = "recorder"
    salience_convention = "issue"

    def __init__(self, needs_positive_salience: bool = False,
                 takes_status_quo: bool = False) -> None:
        self.needs_positive_salience = needs_positive_salience
        self.takes_status_quo = takes_status_quo
        self.saliences: list[np.ndarray] = []
        self.status_quos: list[np.ndarray] = []

    def predict(self, capability, position, salience):
        self.saliences += list(salience[:, :, 0])
        return np.full(position.shape[::2], 50.0)

    def run(self, capability, position, salience, *, status_quo=None):
        from types import SimpleNamespace

        self.saliences.append(salience)
        self.status_quos.append(status_quo)
        return SimpleNamespace(point=np.array([50.0]))


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("status_quo", [False, True])
def test_validation_asks_the_model_what_it_needs(data, monkeypatch, positive, status_quo):
    recorder = _Recorder(positive, status_quo)
    monkeypatch.setitem(MODELS, "recorder", lambda: recorder)
    point = predict_deu(data, "recorder")
    issues = np.flatnonzero(data.has_outcome)
    assert np.all(point == 50.0) and len(recorder.saliences) == issues.size
    zeros = sum(int(np.sum(s == 0)) for s in recorder.saliences)
    assert (zeros == 0) if positive else (zeros > 0)  # the synthetic file has zero saliences
    if status_quo:
        given = np.concatenate(recorder.status_quos)
        np.testing.assert_array_equal(given, data.reference_points[issues])
    else:
        assert recorder.status_quos == []


def test_every_model_declares_what_validation_asks():
    for name in model_names():
        model = get_model(name)
        assert isinstance(model.needs_positive_salience, bool), name
        assert isinstance(model.takes_status_quo, bool), name
    assert get_model("smp").needs_positive_salience
    assert get_model("nash").takes_status_quo and not get_model("best").takes_status_quo
