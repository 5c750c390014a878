"""DEU III validation: the published baselines, the bootstrap, and "best"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.errors import RedlineError
from redline.forecast.validate import bootstrap_mae, predict_deu, validate_deu
from redline.io.deu import read_deu

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DEU = SHARED / "deu3"
needs_data = pytest.mark.skipif(not DEU.is_dir(), reason=f"reference data not at {DEU}")


@pytest.fixture(scope="module")
def data():
    if not DEU.is_dir():
        pytest.skip(f"reference data not at {DEU}")
    return read_deu(DEU / "deu3_public.tsv", DEU / "nice_voting_weights.csv")


@pytest.mark.parametrize(("model", "mae", "n"), [
    ("compromise", 23.89, 229),
    ("mean", 24.37, 229),
    ("salience-mean", 24.48, 229),
    ("median-unweighted", 29.07, 229),
    ("commission", 39.32, 224),
])
def test_reference_maes(data, model, mae, n):
    result = validate_deu(data, model, n_boot=200)
    assert set(result) == {"model", "mae", "n", "ci95"}
    assert result["model"] == model and result["n"] == n
    assert round(result["mae"], 2) == mae
    low, high = result["ci95"]
    assert low < result["mae"] < high


def test_dropping_actors_without_salience_is_the_alternative(data):
    assert round(validate_deu(data, "compromise", missing_salience=None, n_boot=10)["mae"],
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


def test_best_beats_compromise_and_other_models_run(data):
    best = validate_deu(data, "best", n_boot=100)
    compromise = validate_deu(data, "compromise", n_boot=100)
    assert best["mae"] < compromise["mae"]
    assert round(best["mae"], 2) == 23.02
    for name in ("median", "nash", "bdm", "bdm-scholz"):
        result = validate_deu(data, name, n_boot=50)
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
    no_weights = read_deu(DEU / "deu3_public.tsv")
    with pytest.raises(RedlineError, match="voting weights"):
        validate_deu(no_weights, "compromise")
