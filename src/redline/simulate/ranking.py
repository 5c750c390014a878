"""A ranking of strategies from their scores in a tournament, with bootstrap intervals.

Each negotiation gives every agent in it one score (by default its advantage
``(u - r) / (max - r)``, the score NegMAS's ``cartesian_tournament`` ranks by: its
``final_score_stat`` is ``("advantage", "mean")``). A strategy's score is the mean over every
seat it took, in every negotiation it played. Its 95% interval is a percentile bootstrap (Efron
& Tibshirani 1993, ch. 13): the strategy's scores are resampled with replacement
:data:`BOOTSTRAP_RESAMPLES` times and the 2.5% and 97.5% quantiles of the resampled means are
the bounds. The resampling is seeded from the tournament's seed and the strategy's number, so
the interval is the same whatever ran the negotiations.

The scores of a strategy are not independent draws (the same pairing on the same scenario
repeats, deterministic strategies give the same score every time), so the interval says how
much the mean depends on which negotiations were played, not a sampling error of a population;
a strategy whose scores are all equal gets a zero-width interval.

Ranks: by mean score, highest first; equal means (within :data:`SCORE_TIE`) share a rank, and
are listed by name.

References
----------
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Mohammad, Y. (2021-). NegMAS ``cartesian_tournament``, ``final_score_stat``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["BOOTSTRAP_RESAMPLES", "CONFIDENCE", "SCORE_TIE", "Standing", "rank_strategies"]

BOOTSTRAP_RESAMPLES = 2000
"""Bootstrap resamples behind each interval."""

CONFIDENCE = 0.95
"""The intervals' coverage."""

SCORE_TIE = 1e-12
"""Mean scores closer than this share a rank."""

_STREAM = 0x52414E4B  # "RANK": the bootstrap's own random stream under the tournament's seed
_BLOCK = 2**22  # resampled scores held in memory at once


@dataclass(frozen=True)
class Standing:
    """One strategy's place in the ranking.

    Attributes
    ----------
    rank
        1 for the best; equal means share a rank.
    strategy
        Its name as the configuration gives it.
    mean
        The mean score over its seats.
    low, high
        The bootstrap interval of the mean (:data:`CONFIDENCE`).
    seats
        How many scores the mean is over.
    agreements
        The share of its negotiations that ended in an agreement.
    """

    rank: int
    strategy: str
    mean: float
    low: float
    high: float
    seats: int
    agreements: float

    def to_dict(self) -> dict:
        """The standing as plain JSON values."""
        return {"rank": self.rank, "strategy": self.strategy, "mean": self.mean,
                "low": self.low, "high": self.high, "seats": self.seats,
                "agreements": self.agreements}


def bootstrap_interval(scores: np.ndarray, rng: np.random.Generator,
                       resamples: int = BOOTSTRAP_RESAMPLES, confidence: float = CONFIDENCE
                       ) -> tuple[float, float]:
    """The percentile bootstrap interval of the mean of ``scores``.

    Parameters
    ----------
    scores
        ``(n,)`` finite numbers, ``n >= 1``.
    rng
        The random stream of the resampling.
    resamples
        How many resampled means.
    confidence
        The coverage, e.g. 0.95.

    Returns
    -------
    tuple of float
        ``(low, high)``; both the mean when every score is equal.
    """
    scores = np.asarray(scores, dtype=float)
    n = scores.size
    if n == 0:
        raise ValueError("no scores to resample")
    if (scores == scores[0]).all():
        return float(scores[0]), float(scores[0])
    means = np.empty(resamples)
    rows = max(1, _BLOCK // n)
    for s in range(0, resamples, rows):  # blocks of resamples, bounded memory
        k = min(rows, resamples - s)
        means[s:s + k] = scores[rng.integers(0, n, size=(k, n))].mean(axis=1)
    tail = (1.0 - confidence) / 2
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def rank_strategies(names: Sequence[str], strategy: np.ndarray, score: np.ndarray,
                    agreed: np.ndarray, seed: int) -> tuple[Standing, ...]:
    """Rank strategies by their mean score, each with a seeded bootstrap interval.

    Parameters
    ----------
    names
        The strategies' names; ``strategy`` indexes them.
    strategy
        ``(M,)`` int: the strategy of each seat (one per agent per negotiation).
    score
        ``(M,)`` the seat's score (its advantage).
    agreed
        ``(M,)`` bool: the seat's negotiation ended in an agreement.
    seed
        The tournament's seed; strategy ``k`` resamples from
        ``numpy.random.default_rng([seed, RANK, k])``.

    Returns
    -------
    tuple of Standing
        Best first; strategies that took no seat are left out.
    """
    strategy = np.asarray(strategy, dtype=np.int64)
    score = np.asarray(score, dtype=float)
    agreed = np.asarray(agreed, dtype=bool)
    rows = []
    order = np.argsort(strategy, kind="stable")  # one pass: seats grouped by strategy
    bounds = np.searchsorted(strategy[order], np.arange(len(names) + 1))
    for k, name in enumerate(names):  # strategies, not negotiations
        seats = order[bounds[k]:bounds[k + 1]]
        if seats.size == 0:
            continue
        low, high = bootstrap_interval(score[seats], np.random.default_rng([seed, _STREAM, k]))
        rows.append((float(score[seats].mean()), name, low, high, int(seats.size),
                     float(agreed[seats].mean())))
    rows.sort(key=lambda row: (-row[0], row[1]))
    out, rank, previous = [], 0, None
    for position, (mean, name, low, high, seats, agreements) in enumerate(rows, start=1):
        if previous is None or previous - mean > SCORE_TIE:
            rank = position
        previous = mean
        out.append(Standing(rank, name, mean, low, high, seats, agreements))
    return tuple(out)
