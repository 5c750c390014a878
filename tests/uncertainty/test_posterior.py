"""``uncertainty.posterior``: weighted particles over the uncertain inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.errors import RedlineError
from redline.scenario.load import load_scenario
from redline.uncertainty.posterior import effective_sample_size, posterior
from redline.uncertainty.sweep import sweep

ROOT = Path(__file__).resolve().parents[2]
DONBAS = load_scenario(ROOT / "examples" / "donbas-2026.yaml")


def test_without_rounds_the_posterior_is_the_prior_the_sweep_draws():
    post = posterior(DONBAS, draws=300, seed=4)
    assert post.is_prior and post.size == 300
    np.testing.assert_array_equal(post.weights, np.full(300, 1 / 300))
    assert post.ess == pytest.approx(300)
    result = sweep(DONBAS, draws=300, seed=4)
    assert post.input_names == result.input_names
    np.testing.assert_array_equal(post.inputs, result.inputs)


def test_effective_sample_size():
    assert effective_sample_size(np.full(4, 0.25)) == pytest.approx(4)
    assert effective_sample_size(np.array([1.0, 0, 0])) == pytest.approx(1)


def test_bad_draws_and_claims_are_one_line():
    with pytest.raises(RedlineError, match="between 1"):
        posterior(DONBAS, draws=0)
    with pytest.raises(RedlineError, match="unknown claim"):
        posterior(DONBAS, draws=10, assume={"nope": True})
