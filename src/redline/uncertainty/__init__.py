"""Uncertainty: claim probabilities, Monte Carlo sweeps over the distributions of the inputs."""
