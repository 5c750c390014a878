"""KTAB's Spatial Model of Politics (SMP), re-implemented exactly and vectorised.

Source and credit
-----------------
This is a clean-room re-implementation, in numpy, of the Spatial Model of Politics in KAPSARC's
Toolkit for Behavioral Analysis (KTAB; King Abdullah Petroleum Studies and Research Center, MIT
licence; https://github.com/KAPSARC/KTAB, read from the mirror lsyaseen/KTAB at commit 3b5b063).
The algorithm was learnt from ``examples/smp/libsrc/smp.cpp``, ``smpbcn.cpp`` and ``smpread.cpp``
and from ``KTAB/kmodel/libsrc/kmodel.cpp`` and ``kstate.cpp``; no code was copied. The model and
its theory are described in the KAPSARC discussion papers that KTAB's SMP tutorial points to:

* B. P. Wise et al., *An Introduction to the KAPSARC Toolkit for Behavioral Analysis (KTAB)*,
  KAPSARC discussion paper, 2015
  (https://www.kapsarc.org/research/publications/an-introduction-to-the-kapsarc-toolkit-for-behavioral-analysis-ktab/);
* B. P. Wise et al., *Multidimensional Bargaining using KTAB*, KAPSARC discussion paper, 2016
  (https://www.kapsarc.org/research/publications/multidimensional-bargaining-using-ktab/);
* B. P. Wise, *Pragmatic Affinity in KTAB* and *Markov Voting with Incentives in KTAB*
  (drafts in the KTAB repository, ``examples/smp/doc`` and ``KTAB/kmodel/doc``).

KTAB's SMP belongs to the family of "spatial models of politics" of Bueno de Mesquita and others,
recast as *probabilistic Condorcet elections* (PCE). ``docs/smp.md`` describes the algorithm, the
options, what was validated and the points where we deviate from KTAB.

The model with KTAB's default options
-------------------------------------
Positions ``x_i`` live in [0, 1]^d (input 0-100 divided by 100), saliences ``s_ik`` in [0, 1] with
``sum_k s_ik <= 1``, capabilities ``c_i > 0``.

1. *Distance and utility.* ``d_ij = sqrt(sum_k (s_ik (x_ik - x_jk))^2 / sum_k s_ik^2)`` is i's
   salience-weighted distance to j's position; the utility of it under risk attitude ``R`` is
   ``u = (1 - d)(1 + d R)`` (``R`` in [-1/2, 1] is KTAB's "normalised risk aversion": 0 is
   risk neutral, R > 0 makes u concave in the closeness 1 - d, i.e. risk averse).
2. *Risk attitudes.* With risk-neutral utilities ``1 - d_ij``, every actor's position is an option
   in a PCE (below) over all n positions, duplicates included. An actor whose position is likely
   to win has the most to lose: ``R_i = (3 p_i - (p_max + 2 p_min)) / (2 (p_max - p_min))``
   ("Mid" range: R_i runs from -1/2, risk acceptant, for the least likely position to +1, risk
   averse, for the most likely).
3. *Perceptions.* Actor h's estimate of actor a's risk attitude is ``(2 R_h + R_a) / 3``
   ("OneThird" adjustment), so every actor h holds its own N x N utility matrix
   ``U^h_ab = u(d_ab, (2 R_h + R_a) / 3)``: N^3 numbers per turn.
4. *PCE.* Voters k vote on options a, b with ``c_k (u_ka - u_kb)`` (proportional voting); the
   coalition for a over b is the sum of positive votes (plus 1e-8), ``P[a > b] = C_ab / (C_ab +
   C_ba)``, and the "Conditional" PCE gives ``P[a] ∝ prod_b P[a > b]`` (with ``P[a > a] = 1/2``).
5. *Challenges.* Initiator i assesses, with its own matrix ``U = U^i``, challenging every j: the
   principals add their influence ``s c (u_i - u_j)`` (s is the actor's total salience) to the
   side they favour; every third party n weighs the "little contest" of i, j and itself, gets
   ``p = P[i side wins]`` and votes ``s_n c_n [p (u_nn - u_ni) + (1 - p)(u_nj - u_nn)]`` (the
   "Semi" commitment: a third party keeps its own position if its side wins and adopts the
   winner's if its side loses). ``P_ij`` is then i's coalition share and the expected gain
   is ``(1 - S_j) 2 u_ii + S_j [P_ij 2 u_ii + (1 - P_ij) 2 u_ij] - (u_ii + u_ij)``, where S_j is
   j's total salience (a less engaged target gives in without a contest). Each i targets the j
   with the largest gain above 1e-5.
6. *Bargains.* Per dimension the two positions are interpolated with weights
   ``w = s^2 P^2`` (S2P2), P being the initiator's estimate of its own win chance for the
   initiator and 1 - P for the target:
   ``b_i = ((w_i + 1e-6) x_i + w_j x_j) / (w_i + 1e-6 + w_j)`` and
   ``b_j = (w_i x_i + (1e-6 + w_j) x_j) / (w_i + 1e-6 + w_j)``, each rounded to 4 decimals
   (0.01 on the 0-100 scale). Only the initiator's interpolation is used ("InitOnlyInterp").
7. *Queues and elections.* Each actor's queue holds the status quo and every bargain it is party
   to. Every actor values the state after a bargain as the mean of its (own risk) utilities of all
   positions, with the two parties' positions replaced; a PCE among all actors (weights c) over
   the queue picks the most probable option, deterministically, and all actors move at once.
8. *Stop.* After turn t >= 2, stop when ``sum_i |x_i(t) - x_i(t-1)| < 0.02 (sum_i |x_i(1) -
   x_i(0)| + 1e-4)``; otherwise stop after 100 turns.
9. *Report.* Each turn, positions closer than 1e-3 (0.1 on 0-100) form one option; a PCE among all
   actors (own-risk utilities) over these distinct positions gives each its probability, and an
   actor's win probability is that of the group its position belongs to (so actors sharing a
   position share one number, and the column sums can exceed one).

Implementation
--------------
Everything is batched: arrays carry a leading axis of independent runs (Monte Carlo draws), so
:meth:`SMPModel.run_batch` runs thousands of scenarios in lock-step and :meth:`SMPModel.run` is the
batch of one. The N x N x N work (utility tensors, third-party votes, bargain values, elections)
is done as whole-array operations on cache-sized blocks; Python loops run over turns, over those
blocks, and over actors once per state to find distinct positions greedily, as KTAB does. Every
sum and product that KTAB accumulates in a fixed order is accumulated in the same order
(:func:`_seq_sum`, :func:`_seq_prod`) and every expression keeps KTAB's order of operations, so
the arithmetic is bit-identical to a literal transcription of KTAB's loops (IEEE doubles, no fused
multiply-add); that matters because bargains are rounded to 4 decimals and the elections take an
arg-max.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from redline.errors import RedlineError
from redline.forecast.base import ATTENTION_SALIENCE, DrawCost, Forecast, check_scale

__all__ = ["SMPBatchResult", "SMPModel"]

# Constants of KTAB (with where they live there).
_MIN_COALITION = 1e-8  # Model::coalitions, minC
_MIN_CHALLENGE_COALITION = 1e-10  # SMPState::probEduChlg, minCltn
_MIN_SIGNIFICANT_GAIN = 1e-5  # SMPState::bestChallenge, minSigEDU
_MIN_BARGAIN_WEIGHT = 1e-6  # SMPActor::interpBrgnSnPm, minW
_MIN_SIGNIFICANT_DELTA = 1e-4  # SMPModel::configExec, minSigDelta
_POSITION_TOLERANCE = 1e-3  # SMPModel::posTol, on the [0, 1] scale
_ROUND = 10000.0  # SMPActor::interpBrgnSnPm rounds bargains to 4 decimals

_OPTIONS = {
    "voting_rule": "Proportional",
    "victory_probability": "Linear",
    "pce": "Conditional",
    "state_transitions": "Deterministic",
    "big_r_range": "Mid",
    "big_r_adjust": "OneThird",
    "third_party_commit": "SemiCommit",
    "bargain_interpolation": "S2P2",
    "bargain_model": "InitOnlyInterp",
}


# ---------------------------------------------------------------------------------------------
# Small numerical helpers


def _front(a: np.ndarray, axis: int) -> np.ndarray:
    """View of ``a`` with ``axis`` moved to the front (a cheap ``np.moveaxis``)."""
    axis = axis % a.ndim
    if axis == 0:
        return a
    return a.transpose((axis, *range(axis), *range(axis + 1, a.ndim)))


def _seq_reduce(ufunc: np.ufunc, a: np.ndarray, axis: int) -> np.ndarray:
    """Reduce along ``axis`` strictly left to right, as KTAB's loops do.

    ``np.sum`` on a contiguous run of numbers uses pairwise summation, which rounds differently
    from a plain loop. Reducing over the *outer* axis of a C-contiguous array whose remaining
    axes hold two or more numbers is a plain loop (one vector update per slice), so that is the
    fast path; otherwise ``accumulate`` (always sequential) is used.
    """
    a = _front(a, axis)
    if a.ndim >= 2 and a.size >= 2 * a.shape[0]:
        if not a.flags.c_contiguous:
            a = np.ascontiguousarray(a)
        return ufunc.reduce(a, axis=0)
    return ufunc.accumulate(a, axis=0)[-1]


def _seq_sum(a: np.ndarray, axis: int = 0) -> np.ndarray:
    """Sum along ``axis`` in index order (see :func:`_seq_reduce`)."""
    return _seq_reduce(np.add, a, axis)


def _seq_prod(a: np.ndarray, axis: int = 0) -> np.ndarray:
    """Product along ``axis`` in index order."""
    return _seq_reduce(np.multiply, a, axis)


# Numbers per temporary in the N^3 work: small enough to stay in a core's cache.
_BLOCK = 1 << 15


def _blocks(runs: int, inner: int, per_item: int):
    """Cover runs x inner in blocks of about ``_BLOCK`` numbers; one item costs ``per_item``.

    Yields (run slice, inner slice): whole runs together while they are small, else one run at
    a time, cut along the inner axis.
    """
    if per_item * inner <= _BLOCK:
        step = max(1, _BLOCK // (per_item * inner))
        for lo in range(0, runs, step):
            yield slice(lo, min(lo + step, runs)), slice(0, inner)
    else:
        step = max(1, _BLOCK // per_item)
        for b in range(runs):
            for lo in range(0, inner, step):
                yield slice(b, b + 1), slice(lo, min(lo + step, inner))


def _utility(d: np.ndarray, r: np.ndarray | float, *, checked: bool = False) -> np.ndarray:
    """KTAB's ``bsUtil``: u = (1 - d)(1 + d R); beyond d = 1 it uses (1 - d)(1 + R).

    Distances between points of [0, 1]^d never exceed 1 (each squared term is at most the
    salience's square, and rounding is monotone), so KTAB's second branch is dead code here;
    ``checked=True`` skips the test when the caller's distances were already checked.
    """
    u = 1.0 - d
    u = u * (1.0 + d * r)
    if not checked:
        over = d > 1.0
        if over.any():
            u = np.where(over, (1.0 - d) * (1.0 + r), u)
    return u


def _pairwise_victory(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """P[a beats b] for options a, b from utilities ``u`` (B, voters, options), weights (B, voters).

    Proportional voting: voter k gives ``w_k (u_ka - u_kb)`` to the side it prefers; coalition
    strengths are the sums of those votes, started at 1e-8 and accumulated in voter order; the
    "Linear" victory model gives ``C_ab / (C_ab + C_ba)``; the diagonal is 1/2.
    """
    bsz, nv, n_opt = u.shape
    ut = _front(u, 1)  # (voters, B, options)
    wt = _front(w, 1)[:, :, None, None]
    c = np.empty((bsz, n_opt, n_opt))
    for rs, os_ in _blocks(bsz, n_opt, nv * n_opt):
        votes = ut[:, rs, os_, None] - ut[:, rs, None, :]  # (voters, runs, a, b)
        votes *= wt[:, rs]
        np.maximum(votes, 0.0, out=votes)  # only positive votes count for a over b
        votes[0] += _MIN_COALITION
        c[rs, os_] = _seq_sum(votes, axis=0)
    pv = c / (c + np.swapaxes(c, 1, 2))
    pv[:, np.arange(n_opt), np.arange(n_opt)] = 0.5
    return pv


def _conditional_pce(pv: np.ndarray, member: np.ndarray | None = None) -> np.ndarray:
    """KTAB's conditional PCE: P[a] ∝ prod_b P[a > b], over the options flagged in ``member``.

    ``pv`` is (..., a, b); ``member`` is (..., options) booleans (all options when None). Options
    outside the set get probability 0; products and the normalising sum run in option order.
    """
    if member is None:
        prod = _seq_prod(pv, axis=-1)
        return prod / _seq_sum(prod, axis=-1)[..., None]
    # factors[b', ..., a] = P[a > b'] for b' in the set, else 1; reduced over b' in order.
    factors = np.where(_front(member, -1)[..., None], _front(pv, -1), 1.0)
    prod = np.where(member, _seq_prod(factors, axis=0), 0.0)
    return prod / _seq_sum(prod, axis=-1)[..., None]


def _weighted_distance(
    x: np.ndarray, y: np.ndarray, s: np.ndarray, s2: np.ndarray
) -> np.ndarray:
    """KTAB's ``bvDiff`` from every x_a (B, A, d) to every y_b (B, Y, d) with a's saliences.

    Returns (B, A, Y): sqrt(sum_k (s_ak (x_ak - y_bk))^2 / sum_k s_ak^2), dims summed in order.
    """
    xt = _front(x, 2)  # (d, B, A)
    yt = _front(y, 2)  # (d, B, Y)
    st = _front(s, 2)
    ds = (xt[:, :, :, None] - yt[:, :, None, :]) * st[:, :, :, None]
    return np.sqrt(_seq_sum(ds * ds, axis=0) / s2[:, :, None])


def _euclid_sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """KTAB's ``stateDist``: sum over actors of the Euclidean norm of the move. (B, n, d) -> (B,)"""
    diff = _front(a - b, 2)  # (d, B, n)
    norms = np.sqrt(_seq_sum(diff * diff, axis=0))  # (B, n)
    return _seq_sum(_front(norms, 1), axis=0)


# ---------------------------------------------------------------------------------------------
# One state: assessment (risk attitudes, utilities, reported probabilities)


@dataclass
class _Assessment:
    distance: np.ndarray  # (B, n, n): d_ij with i's saliences
    risk: np.ndarray  # (B, n): R_i ("nra")
    own_utility: np.ndarray  # (B, n, n): U^i_ij, i's own utility of j's position
    win_probability: np.ndarray  # (B, n): probability of each actor's position group
    unique: np.ndarray  # (B, n) bool: first actor of each distinct position
    group_probability: np.ndarray  # (B, n): probability of each distinct position (0 elsewhere)


def _assess(x: np.ndarray, s: np.ndarray, s2: np.ndarray, cap: np.ndarray) -> _Assessment:
    """Risk attitudes, own utilities and reported win probabilities of the state ``x``."""
    n = x.shape[1]
    dist = _weighted_distance(x, x, s, s2)
    neutral = _utility(dist, 0.0)
    p = _conditional_pce(_pairwise_victory(neutral, cap))  # all n positions, duplicates too
    p_min = p.min(axis=1, keepdims=True)
    p_max = p.max(axis=1, keepdims=True)
    spread = p_max - p_min
    # KTAB divides 0 by 0 when every position is equally likely (e.g. one position only);
    # we call such actors risk neutral.
    safe = np.where(spread > 0.0, spread, 1.0)
    risk = np.where(spread > 0.0, (3.0 * p - (p_max + 2.0 * p_min)) / (2.0 * safe), 0.0)
    own_r = ((2.0 * risk) + risk) / 3.0  # h's estimate of its own R, as KTAB computes it
    own_u = _utility(dist, own_r[:, :, None])

    # Distinct positions: KTAB's greedy scan (first appearance is the representative).
    diff = _front(x[:, :, None, :] - x[:, None, :, :], 3)
    close = np.sqrt(_seq_sum(diff * diff, axis=0)) < _POSITION_TOLERANCE  # (B, n, n)
    unique = np.zeros(close.shape[:2], dtype=bool)
    for i in range(n):
        unique[:, i] = ~np.any(close[:, i, :i] & unique[:, :i], axis=1)
    group_p = _conditional_pce(_pairwise_victory(own_u, cap), unique)
    # An actor reports the probability of the last distinct position it is close to.
    hits = close & unique[:, None, :]
    last = n - 1 - np.argmax(hits[:, :, ::-1], axis=2)
    win = np.take_along_axis(group_p, last, axis=1)
    return _Assessment(dist, risk, own_u, win, unique, group_p)


def _third_party_coalitions(
    dist: np.ndarray,
    r_est: np.ndarray,
    u_ji: np.ndarray,
    clout: np.ndarray,
    for_i: np.ndarray,
    for_j: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Coalition strengths for i and for j in i's estimate of the contest i -> j.

    ``for_i``/``for_j`` (B, i, j) are the principals' coalitions, ``u_ji`` (B, i, m) is U^i_mi.
    Blocks of (run, initiator) are processed with tensors (m, runs, i, j), the third party m on
    axis 0 so that the sums over m run in KTAB's order.
    """
    bsz, n, _ = dist.shape
    c_i = np.empty((bsz, n, n))
    c_j = np.empty((bsz, n, n))
    ar = np.arange(n)
    dist_m = _front(dist, 1)[:, :, None, :]  # (m, B, 1, j): d_mj
    r_m = _front(r_est, 2)[:, :, :, None]  # (m, B, i, 1): i's estimate of R_m
    umi = _front(u_ji, 2)[:, :, :, None]  # (m, B, i, 1): U^i_mi
    w_all = _front(clout, 1)[:, :, None, None]  # (m, B, 1, 1)
    for rs, is_ in _blocks(bsz, n, n * n):
        u_mi = umi[:, rs, is_]
        # U^i_mj = u(d_mj, r_est[i, m]); distances within [0, 1]^d never exceed 1.
        u_mj = _utility(dist_m[:, rs], r_m[:, rs, is_], checked=True)
        w_m = w_all[:, rs]
        for_i_b = for_i[rs, is_]
        for_j_b = for_j[rs, is_]
        # m's vote in the "little contest" of i, j and m, added to the principals' coalitions.
        little = u_mi - u_mj
        little *= w_m
        side_i = np.maximum(little, 0.0)
        side_i += for_i_b
        np.minimum(little, 0.0, out=little)
        side_j = np.subtract(for_j_b, little, out=little)
        total = side_i + side_j
        p_i = np.divide(side_i, total, out=side_i)
        p_j = np.subtract(1.0, p_i, out=side_j)
        # "Semi" commitment: sums of three position utilities for the four outcomes.
        u_ik_beats_j = (u_mi + u_mi) + 1.0
        u_i_beats_jk = (u_mi + u_mi) + u_mi
        twice = np.add(u_mj, u_mj, out=total)
        u_j_beats_ik = twice + u_mj
        u_jk_beats_i = np.add(twice, 1.0, out=twice)
        join_i = p_i * u_ik_beats_j
        u_j_beats_ik *= p_j
        join_i += u_j_beats_ik
        join_j = np.multiply(p_i, u_i_beats_jk, out=u_mj)
        u_jk_beats_i *= p_j
        join_j += u_jk_beats_i
        join_i -= join_j
        join_i *= w_m
        tp_vote = join_i
        inits = ar[is_]
        tp_vote[inits, :, np.arange(inits.size), :] = 0.0  # only third parties weigh in:
        tp_vote[ar, :, :, ar] = 0.0  # m != i and m != j
        add = np.maximum(tp_vote, 0.0, out=join_j)
        add[0] += for_i_b  # start from the principals' coalitions, add m = 0, 1, ... in order
        c_i[rs, is_] = _seq_sum(add, axis=0)
        add = np.minimum(tp_vote, 0.0, out=add)
        np.negative(add, out=add)
        add[0] += for_j_b
        c_j[rs, is_] = _seq_sum(add, axis=0)
    return c_i, c_j


# ---------------------------------------------------------------------------------------------
# One turn: challenges, bargains, elections


def _step(
    x: np.ndarray,
    s: np.ndarray,
    s2: np.ndarray,
    s_total: np.ndarray,
    cap: np.ndarray,
    a: _Assessment,
) -> np.ndarray:
    """Positions after one turn of KTAB's SMP from state ``x`` (B, n, d), assessed in ``a``."""
    bsz, n, _ = x.shape
    ar = np.arange(n)
    risk = a.risk
    dist = a.distance
    # h's estimate of p's risk attitude, r_est[b, h, p] = (2 R_h + R_p) / 3 ("OneThird").
    r_est = ((2.0 * risk[:, :, None]) + risk[:, None, :]) / 3.0

    # --- 5. challenges: initiator i (also the estimator h) against target j ------------------
    # Utilities as i estimates them, U^i_pq = u(d_pq, r_est[i, p]); U^i_pp = 1 exactly.
    u_ij = _utility(dist, r_est[:, ar, ar][:, :, None])  # (B, i, j): U^i_ij
    u_ji = _utility(np.swapaxes(dist, 1, 2), r_est)  # (B, i, j): U^i_ji
    clout = s_total * cap  # (B, n): total salience times capability
    vote_i = clout[:, :, None] * (1.0 - u_ij)
    vote_j = clout[:, None, :] * (u_ji - 1.0)
    for_i = np.full((bsz, n, n), _MIN_CHALLENGE_COALITION)
    for_j = np.full((bsz, n, n), _MIN_CHALLENGE_COALITION)
    for_i = np.where(vote_i > 0.0, for_i + vote_i, for_i)
    for_j = np.where(vote_i < 0.0, for_j - vote_i, for_j)
    for_i = np.where(vote_j > 0.0, for_i + vote_j, for_i)
    for_j = np.where(vote_j < 0.0, for_j - vote_j, for_j)

    c_i, c_j = _third_party_coalitions(dist, r_est, u_ji, clout, for_i, for_j)
    p_win = c_i / (c_i + c_j)
    p_lose = c_j / (c_i + c_j)
    u_victory = 2.0  # U^i_ii + U^i_ii
    u_status_quo = 1.0 + u_ij
    u_defeat = u_ij + u_ij
    u_contest = p_win * u_victory + p_lose * u_defeat
    s_target = s_total[:, None, :]
    gain = ((1.0 - s_target) * u_victory + s_target * u_contest) - u_status_quo
    gain[:, ar, ar] = -np.inf
    gain = np.where(gain > _MIN_SIGNIFICANT_GAIN, gain, -np.inf)
    target = np.argmax(gain, axis=2)  # first best, as KTAB scans j upwards with '>'
    challenges = np.isfinite(np.take_along_axis(gain, target[:, :, None], axis=2)[:, :, 0])
    p_init = np.take_along_axis(p_win, target[:, :, None], axis=2)  # (B, i, 1)

    # --- 6. bargains, S2P2, from the initiator's estimate ------------------------------------
    x_t = np.take_along_axis(x, target[:, :, None], axis=1)
    s_t = np.take_along_axis(s, target[:, :, None], axis=1)
    p_t = 1.0 - p_init
    w_i = (s * s) * (p_init * p_init)
    w_j = (s_t * s_t) * (p_t * p_t)
    denom = (w_i + _MIN_BARGAIN_WEIGHT) + w_j
    b_init = np.floor(0.5 + (((w_i + _MIN_BARGAIN_WEIGHT) * x + w_j * x_t) / denom) * _ROUND)
    b_rcvr = np.floor(0.5 + ((w_i * x + (_MIN_BARGAIN_WEIGHT + w_j) * x_t) / denom) * _ROUND)
    b_init = b_init / _ROUND  # (B, i, d): what initiator i would adopt
    b_rcvr = b_rcvr / _ROUND  # (B, i, d): what i's target would adopt

    # --- 7. elections over each actor's queue ------------------------------------------------
    # Value to voter v of the state after bargain i: mean utility of all positions, with the
    # initiator's and the target's replaced; KTAB adds them first, then the others in order.
    r_v = risk[:, :, None]
    u_bi = _utility(_weighted_distance(x, b_init, s, s2), r_v)  # (B, v, i)
    u_bj = _utility(_weighted_distance(x, b_rcvr, s, s2), r_v)
    own = _front(a.own_utility, 2)  # (m, B, v): U^v_vm
    keep = (ar[:, None, None] != ar[None, None, :]) & (
        ar[:, None, None] != target[None, :, :]
    )  # (m, B, i): positions that bargain i leaves alone
    value = np.empty((bsz, n, n + 1))
    value[:, :, 0] = _seq_sum(own, axis=0) / n  # status quo
    first = u_bi + u_bj
    for rs, vs in _blocks(bsz, n, n * n):
        terms = np.where(keep[:, rs, None, :], own[:, rs, vs, None], 0.0)  # (m, runs, v, i)
        terms[0] += first[rs, vs]
        value[rs, vs, 1:] = _seq_sum(terms, axis=0) / n
    pv = _pairwise_victory(value, cap)  # (B, o, o); option 0 = status quo, 1 + i = bargain i
    # Queue of actor k: the status quo, then the bargains it is party to, by initiator.
    party = (ar[None, :, None] == ar[None, None, :]) | (target[:, None, :] == ar[None, :, None])
    queue = np.empty((bsz, n, n + 1), dtype=bool)
    queue[:, :, 0] = True
    queue[:, :, 1:] = party & challenges[:, None, :]  # (B, k, i)
    prob = np.empty((bsz, n, n + 1))
    for rs, ks in _blocks(bsz, n, (n + 1) * (n + 1)):
        prob[rs, ks] = _conditional_pce(pv[rs, None, :, :], queue[rs, ks])  # (runs, k, o)
    choice = np.argmax(prob, axis=2)  # first most probable option
    chosen = np.maximum(choice - 1, 0)  # bargain index (initiator), when not the status quo
    new_init = np.take_along_axis(b_init, chosen[:, :, None], axis=1)
    new_rcvr = np.take_along_axis(b_rcvr, chosen[:, :, None], axis=1)
    moved = np.where((chosen == ar[None, :])[:, :, None], new_init, new_rcvr)
    return np.where((choice > 0)[:, :, None], moved, x)


# ---------------------------------------------------------------------------------------------
# Public API


@dataclass(frozen=True)
class SMPBatchResult:
    """Results of :meth:`SMPModel.run_batch` for B runs of the same actors.

    ``positions`` (B, T + 1, n, d) and ``win_probability`` (B, T + 1, n) hold every turn up to the
    longest run, T = ``turns.max()``; a run that stopped earlier repeats its final state. With
    ``history=False`` they hold only the initial and the final states (T + 1 = 2). ``point`` is
    the probability-weighted mean of the final distinct positions, ``modal_position`` the most
    probable final position and ``modal_probability`` its probability. Positions are on 0-100.
    """

    positions: np.ndarray
    win_probability: np.ndarray
    turns: np.ndarray
    point: np.ndarray
    modal_position: np.ndarray
    modal_probability: np.ndarray
    seconds: float = 0.0
    options: dict[str, Any] = field(default_factory=dict)

    def final_positions(self) -> np.ndarray:
        """(B, n, d): each run's positions when it stopped."""
        return self.positions[:, -1]


class SMPModel:
    """KTAB's Spatial Model of Politics with KTAB's default options, vectorised.

    Parameters
    ----------
    max_turns:
        Stop after this many turns at the latest (KTAB: 100).
    stop_fraction:
        Stop once a turn's total movement is below this fraction of the first turn's (KTAB: 0.02).
    min_turns:
        Never stop on quietness before this many turns (KTAB: 2).

    The other options are fixed at KTAB's defaults: proportional voting, linear victory
    probabilities, conditional PCE, deterministic state transitions, "Mid" risk range, "OneThird"
    risk adjustment, "Semi" third-party commitment, S2P2 bargains from the initiator's estimate.
    """

    name = "smp"
    assumes = ("all issues are bargained together (KTAB's Spatial Model of Politics, Wise "
               "et al. 2015): saliences are shares of attention, so an actor concedes on "
               "issues it cares less about to gain on those it cares about more")
    salience_convention = ATTENTION_SALIENCE
    salience_note = ("SMP reads saliences as shares of attention: an actor's saliences summing "
                     "to more than 1 were divided by their sum.")
    rounds_option = "max_turns"
    # n^3 work per turn (up to 100 turns): about 15 s at this limit on an idle 2-core machine
    # (docs/benchmarks.md).
    max_actors = 200
    cost_growth = "the cube"
    draw_cost = DrawCost(fixed=200.0, per_issue=3.6, actor_power=2.5)  # up to 100 turns
    #: Every salience must be positive: an actor of salience 0 casts no vote (leave it out).
    needs_positive_salience = True
    #: There is no status quo in the model.
    takes_status_quo = False

    def __init__(
        self, max_turns: int = 100, stop_fraction: float = 0.02, *, min_turns: int = 2
    ) -> None:
        if max_turns < 0:
            raise RedlineError("max_turns must be 0 or more", field="max_turns")
        if not stop_fraction >= 0.0:
            raise RedlineError("stop_fraction must be 0 or more", field="stop_fraction")
        self.max_turns = int(max_turns)
        self.stop_fraction = float(stop_fraction)
        self.min_turns = int(min_turns)

    # -- input handling -----------------------------------------------------------------------

    @staticmethod
    def _arrays(
        capability: Any, position: Any, salience: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Validate and broadcast to (B, n), (B, n, d), (B, n, d); positions scaled to [0, 1]."""
        pos = np.asarray(position, dtype=float)
        if pos.ndim == 1:
            pos = pos[:, None]
        if pos.ndim == 2:
            pos = pos[None]
        if pos.ndim != 3:
            raise RedlineError(
                "position must have shape (n_actors, n_dims) or (runs, n_actors, n_dims)",
                field="position",
            )
        n, d = pos.shape[1:]
        sal = np.asarray(salience, dtype=float)
        if sal.ndim == 1 and d == 1:
            sal = sal[:, None]
        if sal.ndim == 2:
            sal = sal[None]
        if sal.ndim != 3 or sal.shape[1:] != (n, d):
            raise RedlineError(
                f"salience has shape {np.shape(salience)}; positions need ({n}, {d})",
                field="salience",
            )
        cap = np.asarray(capability, dtype=float)
        if cap.ndim == 1:
            cap = cap[None]
        if cap.ndim != 2 or cap.shape[1] != n:
            raise RedlineError(
                f"capability has shape {np.shape(capability)}; positions need ({n},)",
                field="capability",
            )
        bsz = max(pos.shape[0], sal.shape[0], cap.shape[0])
        if any(k not in (1, bsz) for k in (pos.shape[0], sal.shape[0], cap.shape[0])):
            raise RedlineError(
                "capability, position and salience give different numbers of runs",
                field="position",
            )
        pos = np.broadcast_to(pos, (bsz, n, d))
        sal = np.broadcast_to(sal, (bsz, n, d))
        cap = np.broadcast_to(cap, (bsz, n))
        if n < 1 or d < 1:
            raise RedlineError("need at least one actor and one dimension", field="position")
        for name, arr in (("capability", cap), ("position", pos), ("salience", sal)):
            if not np.all(np.isfinite(arr)):
                raise RedlineError(f"{name} must be finite numbers", field=name)
        check_scale(cap, pos, sal, squares_salience=True)
        if np.any(cap <= 0.0):
            raise RedlineError("capability must be positive", field="capability")
        if np.any(pos < 0.0) or np.any(pos > 100.0):
            raise RedlineError("positions must lie on 0-100", field="position")
        if np.any(sal < 0.0) or np.any(sal > 1.0):
            raise RedlineError(
                "saliences must lie in [0, 1]",
                field="salience",
                hint="KTAB files give 0-100; divide by 100",
            )
        total = _seq_sum(_front(sal, 2), axis=0)
        if np.any(total <= 0.0) or np.any(total > 1.0 + 1e-9):
            raise RedlineError(
                "each actor's saliences must sum to more than 0 and at most 1",
                field="salience",
            )
        return (
            np.ascontiguousarray(cap),
            np.ascontiguousarray(pos) / 100.0,
            np.ascontiguousarray(sal),
        )

    # -- the core -----------------------------------------------------------------------------

    def _simulate(
        self, cap: np.ndarray, x0: np.ndarray, s: np.ndarray, history: bool
    ) -> dict[str, np.ndarray]:
        bsz = x0.shape[0]
        s2 = _seq_sum(_front(s * s, 2), axis=0)  # (B, n): sum of squared saliences
        s_total = _seq_sum(_front(s, 2), axis=0)  # (B, n)
        x_all = x0.copy()
        a = _assess(x0, s, s2, cap)
        wp_all = a.win_probability.copy()
        final = {"unique": a.unique.copy(), "group": a.group_probability.copy()}
        hist_x = [x0.copy()]
        hist_wp = [wp_all.copy()]
        turns = np.zeros(bsz, dtype=int)
        first_move = np.zeros(bsz)
        idx = np.arange(bsz)
        x, ss, ss2, st, cp = x0, s, s2, s_total, cap
        t = 0
        while idx.size and t < self.max_turns:
            x_new = _step(x, ss, ss2, st, cp, a)
            t += 1
            moved = _euclid_sum(x_new, x)
            if t == 1:
                first_move[idx] = moved + _MIN_SIGNIFICANT_DELTA
            quiet = (moved / first_move[idx]) < self.stop_fraction
            stop = (t >= self.max_turns) | ((t >= self.min_turns) & quiet)
            a = _assess(x_new, ss, ss2, cp)
            x_all[idx] = x_new
            wp_all[idx] = a.win_probability
            final["unique"][idx] = a.unique
            final["group"][idx] = a.group_probability
            turns[idx] = t
            if history:
                hist_x.append(x_all.copy())
                hist_wp.append(wp_all.copy())
            go = ~stop
            if not go.all():
                idx = idx[go]
                x, ss, ss2, st, cp = x_new[go], ss[go], ss2[go], st[go], cp[go]
                a = _Assessment(*(getattr(a, f)[go] for f in _Assessment.__dataclass_fields__))
            else:
                x = x_new
        if not history:
            hist_x.append(x_all.copy())
            hist_wp.append(wp_all.copy())
        group = final["group"]
        point = np.einsum("bn,bnd->bd", group, x_all)
        modal = np.argmax(group, axis=1)
        return {
            "positions": np.stack(hist_x, axis=1) * 100.0,
            "win_probability": np.stack(hist_wp, axis=1),
            "turns": turns,
            "point": point * 100.0,
            "modal_position": np.take_along_axis(x_all, modal[:, None, None], axis=1)[:, 0]
            * 100.0,
            "modal_probability": np.take_along_axis(group, modal[:, None], axis=1)[:, 0],
            "modal_index": modal,
            "group": group,
        }

    def _options(self) -> dict[str, Any]:
        return {
            "max_turns": self.max_turns,
            "stop_fraction": self.stop_fraction,
            "min_turns": self.min_turns,
            **_OPTIONS,
        }

    def run(
        self,
        capability: np.ndarray,
        position: np.ndarray,
        salience: np.ndarray,
        *,
        actors: tuple[str, ...] | None = None,
        dimensions: tuple[str, ...] | None = None,
    ) -> Forecast:
        """Run the SMP on one scenario.

        ``capability`` (n,) > 0; ``position`` (n, d) on 0-100; ``salience`` (n, d) in [0, 1], the
        fraction of each actor's attention (KTAB's 0-100 input divided by 100), summing to at most
        1 per actor.

        The returned :class:`Forecast` has ``positions`` (turns + 1, n, d) on 0-100,
        ``win_probability`` (turns + 1, n) as KTAB reports it (actors sharing a position share its
        probability), and ``point`` = the probability-weighted mean of the final distinct
        positions. ``options`` also holds ``modal_position`` (the most probable final position),
        ``modal_probability``, ``modal_actors`` and ``final_distinct_probability`` (actor name ->
        probability, for the first actor at each distinct final position).
        """
        start = time.perf_counter()
        cap, x0, s = self._arrays(capability, position, salience)
        if x0.shape[0] != 1:
            raise RedlineError(
                "run takes one scenario; use run_batch for several", field="position"
            )
        n, d = x0.shape[1:]
        actors = tuple(actors) if actors is not None else tuple(f"A{i}" for i in range(n))
        dimensions = (
            tuple(dimensions) if dimensions is not None else tuple(f"D{k}" for k in range(d))
        )
        if len(actors) != n or len(dimensions) != d:
            raise RedlineError(
                f"got {len(actors)} actor names and {len(dimensions)} dimension names "
                f"for {n} actors and {d} dimensions",
                field="actors",
            )
        out = self._simulate(cap, x0, s, history=True)
        positions = out["positions"][0]
        group = out["group"][0]
        modal = int(out["modal_index"][0])
        final = positions[-1]
        close = np.linalg.norm(final - final[modal], axis=1) < _POSITION_TOLERANCE * 100.0
        options = self._options()
        options.update(
            modal_position=out["modal_position"][0].tolist(),
            modal_probability=float(out["modal_probability"][0]),
            modal_actors=[actors[i] for i in np.flatnonzero(close)],
            final_distinct_probability={
                actors[i]: float(group[i]) for i in np.flatnonzero(group > 0.0)
            },
            stopped="max_turns" if int(out["turns"][0]) >= self.max_turns else "converged",
        )
        return Forecast(
            model=self.name,
            actors=actors,
            dimensions=dimensions,
            positions=positions,
            point=out["point"][0],
            options=options,
            win_probability=out["win_probability"][0],
            seconds=time.perf_counter() - start,
        )

    def predict(self, capability: Any, position: Any, salience: Any) -> np.ndarray:
        """The forecast point of each of many runs: ``(runs, n_dims)`` on 0-100.

        The inputs are as in :meth:`run_batch`. SMP is multi-dimensional (an actor's distance
        weighs all its dimensions at once), so the dimensions stay together and the runs are
        the batch axis: all runs go through :meth:`run_batch` in lock-step.
        """
        if np.ndim(position) != 3:
            raise RedlineError(f"position must have shape (runs, n_actors, n_dims), got "
                               f"{np.shape(position)}", field="position")
        return self.run_batch(capability, position, salience).point

    def run_batch(
        self,
        capability: np.ndarray,
        position: np.ndarray,
        salience: np.ndarray,
        *,
        history: bool = False,
        chunk: int | None = None,
    ) -> SMPBatchResult:
        """Run many scenarios of the same size at once (e.g. Monte Carlo draws).

        Each of ``capability`` (B, n), ``position`` (B, n, d) and ``salience`` (B, n, d) may omit
        the leading axis to share one value across runs. Runs proceed in lock-step and each stops
        by its own criterion. ``chunk`` bounds how many runs share one set of N^3 temporaries
        (by default about two million numbers per tensor).
        """
        start = time.perf_counter()
        cap, x0, s = self._arrays(capability, position, salience)
        bsz, n, _ = x0.shape
        if chunk is None:
            chunk = max(1, 2_000_000 // (n**3 + 4 * n * n))
        parts = [
            self._simulate(cap[i : i + chunk], x0[i : i + chunk], s[i : i + chunk], history)
            for i in range(0, bsz, chunk)
        ]
        width = max(p["positions"].shape[1] for p in parts)

        def pad(arr: np.ndarray) -> np.ndarray:
            if arr.shape[1] == width:
                return arr
            tail = np.repeat(arr[:, -1:], width - arr.shape[1], axis=1)
            return np.concatenate([arr, tail], axis=1)

        return SMPBatchResult(
            positions=np.concatenate([pad(p["positions"]) for p in parts]),
            win_probability=np.concatenate([pad(p["win_probability"]) for p in parts]),
            turns=np.concatenate([p["turns"] for p in parts]),
            point=np.concatenate([p["point"] for p in parts]),
            modal_position=np.concatenate([p["modal_position"] for p in parts]),
            modal_probability=np.concatenate([p["modal_probability"] for p in parts]),
            seconds=time.perf_counter() - start,
            options=self._options(),
        )
