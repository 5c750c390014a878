"""A proposal's odds under the scenario's uncertainty, from a sweep's per-package counts.

A sweep (:func:`redline.uncertainty.sweep.sweep`) counts, for every package, in how many draws
each actor accepts it (``accepts``, ``(A, N)``) and in how many it is acceptable (no binding
column rejects it: every veto actor accepts and every ratification step passes;
``acceptable``, ``(N,)``). For each completion of a proposal these counts give each actor's
P(accepts) and P(every veto holder accepts), each with Wilson's 95% interval
(:func:`redline.uncertainty.intervals.wilson_interval`). For a partial proposal the
probabilities are per completion; the *best completion* is the one with the most draws
acceptable (the lowest package number among ties). Whether *some* completion is acceptable in
a draw is not estimated: the sweep keeps counts per package, not per draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from redline.uncertainty.intervals import WILSON_Z, wilson_interval
from redline.uncertainty.weighted import weighted_interval


@dataclass(frozen=True)
class ProposalOdds:
    """Per completion, in how many of ``draws`` it is acceptable and each actor accepts it.

    Attributes
    ----------
    indices
        ``(M,)`` the completions' package numbers.
    acceptable
        ``(M,)`` draws where no binding column rejects the completion.
    accepts
        ``(A, M)`` draws where each actor accepts it.
    draws, seed
        The sweep's draws and seed.
    ess
        For weighted draws (a posterior's), their effective sample size, and the counts are
        weighted (scaled to sum to ``draws``); ``None`` for equal weights.
    """

    indices: np.ndarray
    acceptable: np.ndarray
    accepts: np.ndarray
    draws: int
    seed: int
    ess: float | None = None

    @property
    def best(self) -> int:
        """The position (in ``indices``) of the completion acceptable in the most draws."""
        return int(np.argmax(self.acceptable))

    def interval(self, successes: int) -> dict[str, float]:
        """``{"p", "low", "high"}``: the share of draws and its 95% Wilson interval (for
        weighted draws, at the effective sample size)."""
        if self.ess is not None:
            return weighted_interval(float(successes) / self.draws, self.ess, WILSON_Z)
        low, high = wilson_interval(int(successes), self.draws, WILSON_Z)
        return {"p": int(successes) / self.draws, "low": low, "high": high}


def proposal_odds(result, indices: Sequence[int] | np.ndarray) -> ProposalOdds:
    """The counts of ``result`` (a :class:`~redline.uncertainty.sweep.SweepResult`) for the
    packages ``indices``."""
    indices = np.asarray(indices, dtype=np.int64)
    return ProposalOdds(indices, np.asarray(result.acceptable)[indices].copy(),
                        np.asarray(result.accepts)[:, indices].copy(), int(result.draws),
                        int(result.seed),
                        None if result.weights is None else float(result.ess))
