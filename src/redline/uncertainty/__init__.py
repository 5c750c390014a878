"""Uncertainty: distributions on inputs, claim probabilities, Monte Carlo sweeps."""
