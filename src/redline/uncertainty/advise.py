"""The mediator's next move: rank candidate packages by what tabling them would achieve.

Everything here works on weighted draws of the uncertain inputs (the posterior's, or the
prior's with equal weights): per draw ``d`` a weight ``w_d`` (summing to 1) and, per candidate
package ``m``, whether each actor accepts it and whether every veto holder does. Three
objectives:

``accept``
    P(every veto holder accepts) ``= sum_d w_d acceptable[d, m]``, with Wilson's 95% score
    interval (:mod:`redline.uncertainty.intervals`) at the effective sample size
    ``ESS = 1 / sum_d w_d^2`` (Kish 1965) in place of the number of draws.
``value``
    The expected utility for one actor: per draw, its utility when the package is acceptable
    and its outside option when it is not, ``sum_d w_d (a_dm u_dm + (1 - a_dm) o_d)``.
``probe``
    The expected information gain, in bits, about the uncertain inputs from the responses
    ``Y = (Y_1, ..., Y_R)`` of the responding actors to the package (Lindley 1956, "On a
    measure of the information provided by an experiment"; MacKay 2003, *Information
    Theory, Inference, and Learning Algorithms*, ch. 2 and 8). Each answer is the draw's
    verdict ``z_r(d)`` (accept or reject), flipped with the tremble ``eps``:
    ``p(y | d) = prod_r (1 - eps if y_r = z_r(d) else eps)``. The mutual information between
    the draw (the inputs, a discrete distribution with weights ``w``) and ``Y`` is exactly

        I = H(Y) - E_d[H(Y | d)],   p(y) = sum_d w_d prod_r p(y_r | d),

    and since every answer is flipped independently, ``H(Y | d) = R h(eps)`` in every draw
    (``h``: the binary entropy). ``p(y)`` depends on the draws only through the weighted
    histogram ``q`` of their verdict patterns ``z(d)`` (``2^R`` patterns): ``p = K q`` with the
    channel ``K`` the tensor product of ``R`` binary symmetric channels, applied one axis at a
    time. So ``I`` is computed from one weighted histogram per candidate, vectorised over the
    candidates. It lies in ``[0, min(H(w), H(z), R)]`` bits; it is 0 when every draw gives the
    same verdicts or when ``eps = 1/2``.

The functions are pure (arrays in, arrays out); :func:`tally` folds one chunk of draws into
running sums, so memory does not grow with the number of draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redline.errors import RedlineError
from redline.uncertainty.intervals import WILSON_Z, wilson_interval

OBJECTIVES = ("accept", "value", "probe")
MAX_RESPONDENTS = 12
"""Responding actors ``probe`` accepts: their answers have ``2^R`` patterns per candidate."""
MAX_HISTOGRAM_CELLS = 1 << 24
"""Candidates x ``2^R`` patterns held by ``probe``'s histograms (128 MB of float64)."""


# ---------------------------------------------------------------- weights and shares

def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` of ``weights`` ``(D,)``.

    Equal weights give ``D``; one weight carrying everything gives 1.
    """
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    squares = float(w @ w)
    return total * total / squares if squares > 0 else 0.0


def weighted_share(mask: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``sum_d w_d mask[d, ...]``: the weighted share of draws where ``mask`` holds.

    Parameters
    ----------
    mask
        ``(D, ...)`` bool (or 0/1) per draw.
    weights
        ``(D,)`` the draws' weights.

    Returns
    -------
    numpy.ndarray
        ``mask.shape[1:]`` floats.
    """
    mask = np.asarray(mask)
    return np.tensordot(np.asarray(weights, dtype=float), mask.astype(float, copy=False),
                        axes=(0, 0))


def share_interval(p: float, ess: float, z: float = WILSON_Z) -> tuple[float, float]:
    """Wilson's score interval for a weighted share ``p`` at an effective sample size ``ess``
    (:func:`redline.uncertainty.intervals.wilson_interval` with ``ess`` trials)."""
    p = min(max(float(p), 0.0), 1.0)
    return wilson_interval(p * ess, ess, z)  # type: ignore[arg-type]


def expected_values(acceptable: np.ndarray, utility: np.ndarray, outside: np.ndarray,
                    weights: np.ndarray) -> np.ndarray:
    """One actor's expected utility per candidate: its utility where the candidate is
    acceptable, its outside option where it is not, weighted over the draws.

    Parameters
    ----------
    acceptable
        ``(D, M)`` bool: every veto holder accepts the candidate in the draw.
    utility
        ``(D, M)`` the actor's utility of each candidate.
    outside
        ``(D,)`` its outside option.
    weights
        ``(D,)``.

    Returns
    -------
    numpy.ndarray
        ``(M,)``.
    """
    outcome = np.where(acceptable, utility, np.asarray(outside, dtype=float)[:, None])
    return np.asarray(weights, dtype=float) @ outcome


# ---------------------------------------------------------------- information

def entropy_bits(p: np.ndarray, axis: int = -1) -> np.ndarray:
    """Shannon entropy in bits along ``axis`` (``0 log 0 = 0``)."""
    p = np.asarray(p, dtype=float)
    logs = np.log2(np.where(p > 0, p, 1.0))
    return -(p * logs).sum(axis=axis)


def binary_entropy(p: float | np.ndarray) -> np.ndarray:
    """``h(p) = -p log2 p - (1 - p) log2 (1 - p)`` in bits."""
    p = np.asarray(p, dtype=float)
    return entropy_bits(np.stack([p, 1 - p], axis=-1))


def check_respondents(count: int, candidates: int = 1) -> None:
    """Refuse more than :data:`MAX_RESPONDENTS` responding actors, or histograms above
    :data:`MAX_HISTOGRAM_CELLS` cells, before any work."""
    if count > MAX_RESPONDENTS:
        raise RedlineError(
            f"probe weighs the 2^{count} answer patterns of {count} responding actors; it "
            f"accepts at most {MAX_RESPONDENTS}", field="--objective",
            hint="use --objective accept or value, or drop actors from the scenario")
    cells = candidates * (1 << count)
    if cells > MAX_HISTOGRAM_CELLS:
        raise RedlineError(
            f"probe needs {candidates:,} candidates x {1 << count:,} answer patterns = "
            f"{cells:,} histogram cells, above its limit of {MAX_HISTOGRAM_CELLS:,}",
            field="--objective", hint="list fewer packages with --package or --proposal")


def pattern_codes(accepts: np.ndarray) -> np.ndarray:
    """Each draw's verdict pattern per candidate as a number: bit ``r`` is respondent ``r``'s
    acceptance.

    Parameters
    ----------
    accepts
        ``(D, R, M)`` bool.

    Returns
    -------
    numpy.ndarray
        ``(D, M)`` int64 in ``[0, 2^R)``.
    """
    accepts = np.asarray(accepts, dtype=bool)
    codes = np.zeros((accepts.shape[0], accepts.shape[2]), dtype=np.int64)
    for r in range(accepts.shape[1]):  # R <= MAX_RESPONDENTS bit planes
        codes |= accepts[:, r, :].astype(np.int64) << r
    return codes


def pattern_histogram(codes: np.ndarray, weights: np.ndarray, n_respondents: int
                      ) -> np.ndarray:
    """The weighted histogram of verdict patterns per candidate, ``(M, 2^R)``.

    One ``bincount`` over all candidates at once: candidate ``m``'s patterns are offset by
    ``m 2^R``.
    """
    codes = np.asarray(codes, dtype=np.int64)
    n_draws, n_candidates = codes.shape
    size = 1 << n_respondents
    offsets = np.arange(n_candidates, dtype=np.int64) * size
    flat = (codes + offsets).ravel()
    w = np.broadcast_to(np.asarray(weights, dtype=float)[:, None], codes.shape).ravel()
    counts = np.bincount(flat, weights=w, minlength=n_candidates * size)
    return counts.reshape(n_candidates, size)


def answer_distribution(histogram: np.ndarray, n_respondents: int, tremble: float
                        ) -> np.ndarray:
    """``p(y)`` per candidate: the verdict histogram through ``R`` independent binary symmetric
    channels that flip each answer with probability ``tremble``.

    Parameters
    ----------
    histogram
        ``(M, 2^R)`` weights of the verdict patterns (:func:`pattern_histogram`).
    n_respondents
        ``R``.
    tremble
        ``eps`` in ``[0, 1]``.

    Returns
    -------
    numpy.ndarray
        ``(M, 2^R)``, same total per candidate as ``histogram``.
    """
    histogram = np.asarray(histogram, dtype=float)
    m = histogram.shape[0]
    cube = histogram.reshape(m, *([2] * n_respondents))
    for axis in range(1, n_respondents + 1):  # one binary axis per respondent
        cube = (1 - tremble) * cube + tremble * np.flip(cube, axis=axis)
    return cube.reshape(m, 1 << n_respondents)


def information_bits(histogram: np.ndarray, n_respondents: int, tremble: float
                     ) -> np.ndarray:
    """The mutual information, in bits, between the draws and the noisy answers, per
    candidate: ``H(Y) - R h(eps)`` (see the module docstring).

    Parameters
    ----------
    histogram
        ``(M, 2^R)`` weighted verdict histograms, each summing to 1.
    n_respondents, tremble
        ``R`` and ``eps``.

    Returns
    -------
    numpy.ndarray
        ``(M,)`` bits, at least 0 (rounding below 0 is cut off).
    """
    answers = answer_distribution(histogram, n_respondents, tremble)
    gain = entropy_bits(answers) - n_respondents * float(binary_entropy(tremble))
    return np.maximum(gain, 0.0)


def answer_information(shares: np.ndarray, tremble: float) -> np.ndarray:
    """The information, in bits, of one respondent's noisy answer alone, from the weighted
    share of draws where it accepts: ``h((1 - eps) s + eps (1 - s)) - h(eps)``."""
    shares = np.asarray(shares, dtype=float)
    noisy = (1 - tremble) * shares + tremble * (1 - shares)
    return np.maximum(binary_entropy(noisy) - binary_entropy(tremble), 0.0)


# ---------------------------------------------------------------- running sums

@dataclass(frozen=True)
class Tallies:
    """Weighted sums over draws, per candidate; chunks of draws add up (:meth:`plus`).

    Attributes
    ----------
    acceptable
        ``(M,)`` weight of the draws where every veto holder accepts.
    value
        ``(M,)`` the advised actor's weighted outcome (utility or outside option).
    accepts
        ``(A, M)`` weight of the draws where each actor accepts.
    histogram
        ``(M, 2^R)`` weighted verdict patterns of the respondents, or ``None`` (no probe).
    weight
        The total weight seen.
    """

    acceptable: np.ndarray
    value: np.ndarray
    accepts: np.ndarray
    histogram: np.ndarray | None
    weight: float

    def plus(self, other: Tallies) -> Tallies:
        """The sums of both (the draws of two chunks)."""
        histogram = None if self.histogram is None else self.histogram + other.histogram
        return Tallies(self.acceptable + other.acceptable, self.value + other.value,
                       self.accepts + other.accepts, histogram, self.weight + other.weight)


def tally(accepts: np.ndarray, acceptable: np.ndarray, utility: np.ndarray,
          outside: np.ndarray, weights: np.ndarray,
          respondents: np.ndarray | None = None) -> Tallies:
    """One chunk of draws folded into weighted sums.

    Parameters
    ----------
    accepts
        ``(D, A, M)`` bool: each actor accepts each candidate.
    acceptable
        ``(D, M)`` bool: every veto holder does.
    utility
        ``(D, M)`` the advised actor's utility.
    outside
        ``(D,)`` its outside option.
    weights
        ``(D,)`` the chunk's draws' weights (the whole run's sum to 1).
    respondents
        Indices of the responding actors whose answers ``probe`` weighs; ``None``: no
        histogram.
    """
    histogram = None
    if respondents is not None:
        respondents = np.asarray(respondents, dtype=np.int64)
        codes = pattern_codes(np.asarray(accepts)[:, respondents, :])
        histogram = pattern_histogram(codes, weights, int(respondents.size))
    return Tallies(weighted_share(acceptable, weights),
                   expected_values(acceptable, utility, outside, weights),
                   weighted_share(accepts, weights), histogram,
                   float(np.asarray(weights, dtype=float).sum()))


def scores(tallies: Tallies, objective: str, n_respondents: int = 0,
           tremble: float = 0.0) -> np.ndarray:
    """``(M,)`` each candidate's score under ``objective`` (higher is better): P(acceptable),
    the expected value, or the information in bits (the histogram is normalised by the total
    weight first)."""
    if objective == "accept":
        return tallies.acceptable / tallies.weight
    if objective == "value":
        return tallies.value / tallies.weight
    if objective == "probe":
        if tallies.histogram is None:
            raise ValueError("probe needs the respondents' histogram")
        return information_bits(tallies.histogram / tallies.weight, n_respondents, tremble)
    raise ValueError(f"unknown objective {objective!r}")


def best_in_groups(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per group, the position of its highest value (the first among ties).

    Parameters
    ----------
    values
        ``(M,)`` scores.
    groups
        ``(M,)`` group numbers ``0..G-1`` (a listed partial package's completions share one).

    Returns
    -------
    numpy.ndarray
        ``(G,)`` positions into ``values``.
    """
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups, dtype=np.int64)
    order = np.lexsort((np.arange(values.size), -values, groups))  # by group, best first
    first = np.ones(order.size, dtype=bool)
    first[1:] = groups[order][1:] != groups[order][:-1]
    return order[first]


def ranking(values: np.ndarray) -> np.ndarray:
    """Positions sorted best first; ties keep their order (package or listing order)."""
    values = np.asarray(values, dtype=float)
    return np.lexsort((np.arange(values.size), -values))
