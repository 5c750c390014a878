"""Bueno de Mesquita's expected-utility model, vectorised over actor pairs and runs.

Two variants share one engine:

* :class:`BDMScholzModel` reproduces the reconstruction by Scholz, Calbert & Smith (2011) as
  coded in github.com/jmckib/bdm-scholz-expected-utility-model (commit 55f63e9), which
  reproduces the medians BDM (1994) published for the EC car-emissions case. It is validated to
  4 decimals against that code's rounds 0-10 (``tests/forecast/test_bdm.py``).
* :class:`BDM2002Model` follows the written specification of Bueno de Mesquita (2002,
  *Predicting Politics*) as restated by Masad (Agents-In-Conflict,
  ``Dissertation/BDM_Reproduction``): pairwise-normalised probabilities, the Q and T terms
  with the current median, the corrected capitulation test and least-movement offer choice.

Notation (per issue): ``c`` capability, ``s`` salience in [0, 1] (a probability: the chance a
challenged actor resists), ``x`` position, ``w = c s``, ``Delta`` the range of the *initial*
positions (fixed for the whole run), ``r`` risk exponents, ``d_ij = |x_i - x_j| / Delta``.

One round
---------
1. **Votes.** Voter k's vote for i over j is ``v^k_ij = w_k (d_kj^r_k - d_ki^r_k)``.
2. **Probability of success** ``P_ij``, with ``N_ij = sum_k max(0, v^k_ij)``:

   * Scholz: ``P_ij = N_ij / sum_{a,b} sum_k |v^k_ab|`` (normalised by the |votes| over *all*
     ordered pairs; this is what makes the 1994 medians match, and it makes every P tiny);
   * 2002: ``P_ij = N_ij / (N_ij + N_ji)`` (0.5 if nobody casts a vote; 0 if x_i = x_j).

3. **Expected utility** of i challenging j, from the perspective (risk exponent ``r``) of the
   actor who evaluates it::

       U_s  = 2 - 4 (1/2 - d_ij/2)^r          U_f = 2 - 4 (1/2 + d_ij/2)^r
       U_sq = 2 - 4 (1/2)^r
       U_b  = 2 - 4 (1/2 - e_ij/4)^r          U_w = 2 - 4 (1/2 + e_ij/4)^r
       e_ij = (|x_i - mu| + |x_j - mu|) / Delta,  mu = the current median
       EU_ij = s_j [P_ij U_s + (1 - P_ij) U_f] + (1 - s_j) U_s
               - Q U_sq - (1 - Q) [T U_b + (1 - T) U_w]

   Scholz uses Q = 1 (no U_b/U_w terms). Masad's code subtracts only ``Q U_sq`` and *adds* the
   (1 - Q) term (``EU -= Q*Usq - (1-Q)*(...)``); the written formulas subtract the whole
   expected utility of not challenging, which is what is done here.
4. **Risk.** With every ``r = 1``: ``D_i = sum_{j != i} EU_ji`` (the expected utility others
   see in challenging i, i.e. i's danger), ``R_i = (2 D_i - max D - min D) / (max D - min D)``
   and ``r_i = (1 - R_i/3) / (1 + R_i/3)``, in [0.5, 2]. If every D is equal, R = 0 and r = 1
   (the reference code divides by zero there). The votes and EUs of steps 1-3 are then
   recomputed with these r (each voter's own r in its votes; the evaluating actor's r in U).
5. **Offers.** Actor i (the receiver) looks at every j with ``x_j != x_i``, using its own r for
   both ``EU_ij`` (i challenging j) and ``EU_ji`` (j challenging i):

   * confrontation, ``EU_ji > EU_ij > 0``: i would move to ``x_j``;
   * compromise, ``EU_ji > 0 > EU_ij`` and ``EU_ji > |EU_ij|``:
     ``x_i + (x_j - x_i) |EU_ij / EU_ji|``;
   * capitulation, ``EU_ji > 0 > EU_ij`` and ``EU_ji < |EU_ij|``: i would move to ``x_j``.

   Each actor takes one offer: any confrontation first (the nearest ``x_j``), else a
   compromise, else a capitulation (the nearest). Ties go to the first actor in input order.
   *Scholz* picks among compromises the one with the smallest
   ``(|EU_ij| x_i + |EU_ji| x_j) / (|EU_ij| + |EU_ji|)`` -- a position value, not a distance,
   as in the reference code (jmckib notes it contradicts the paper: Belgium's odd move in round
   4). *2002* picks the compromise that moves i least. All actors then move at once.

Outputs per round t = 0..rounds: every actor's position, the **median** and the **mean**.
The median is the position that wins the r = 1 vote ``sum_k w_k (|x_k - m| - |x_k - p|)``
against every other actor's position, i.e. the ``w``-weighted (lower) median of the positions
(:func:`redline.forecast.median.lower_weighted_median`); the reference code finds it by a
pairwise sweep whose tie-break depends on Python's set order, which only matters for an exact
half-weight tie. The mean is ``sum w x / sum w``. The forecast ``point`` is the final round's
median.

The capitulation bug
--------------------
jmckib's capitulation test reads ``eu_ji > 0 > eu_ij and eu_ji < abs(eu_ji)``. ``eu_ji <
abs(eu_ji)`` holds only for a negative ``eu_ji``, which contradicts ``eu_ji > 0``, so no actor
ever capitulates in that code (checked in the source at commit 55f63e9). The published
rounds were produced with that behaviour, so :class:`BDMScholzModel` follows it by default
(``capitulation_bug=True``); ``capitulation_bug=False`` applies the intended test
(``eu_ji < |eu_ij|``). :class:`BDM2002Model` always uses the intended test.

Implementation
--------------
Everything is an array over ``(batch, i, j)``: no Python loop over actors or pairs. The
``n^3`` sum ``N_ij = sum_k w_k max(0, a_kj - a_ki)`` is reduced to ``n^2 log n``: in one
dimension ``a_kj > a_ki`` exactly when ``x_k`` lies on i's side of the midpoint of
``x_i, x_j`` (whatever ``r_k``), so ``N_ij`` is a difference of prefix sums over the actors
sorted by position, indexed by the count of actors below the midpoint (one
``numpy.searchsorted`` over all runs of a chunk, each run offset by 2 on the normalised
scale). Voters exactly at the midpoint cast a zero vote, so the side they are counted on does
not matter. The
Scholz denominator is ``2 sum_{a,b} N_ab``. Runs are processed in chunks (``chunk_size``) to
stay in cache. Numbers agree with the reference to rounding error (about 1e-12).

On tie-heavy data a compromise with a ratio ``|EU_ij / EU_ji|`` at rounding level moves an actor
by about 1e-14; later rounds of the Scholz variant can then depend on summation order (3 of the
229 DEU issues differ from a pair-by-pair implementation after round 6). No tolerance is added,
to stay faithful to the reference code.

Engines
-------
``engine="numpy"`` is the vectorised :class:`_Engine` above. ``engine="numba"`` runs the
compiled kernel of :mod:`redline.forecast._bdm_kernel` (one issue per iteration, ``prange``
over the issues, ``workers`` threads), which applies the same rules and repeats the numpy
engine's floating-point operations in the same order, with the C library's ``exp``, ``log``
and ``exp2`` (float64 only; it needs the optional ``numba`` package, ``pip install
'redline[fast]'``; the first call in a fresh environment compiles it, later processes load it
from numba's cache). What the two engines promise each other:

* **Bit for bit** where numpy's float64 ``exp``, ``log`` and ``exp2`` are the C library's too
  (as on CPUs without AVX-512). :func:`numpy_exp_log_match_math` checks this directly on
  sample arguments.
* **Within a tolerance** elsewhere: on AVX-512 CPUs (Intel and AMD) numpy uses its own SIMD
  ``exp``/``log``, which differ from the C library's by one ulp on a few per cent of
  arguments. Positions, medians and means then agree within ``ENGINE_RTOL`` times the issue's
  scale (its largest absolute starting position); measured: at most 4e-12 of the scale. The
  first round's risk exponents are still identical (the risk stage takes no ``exp``/``log``);
  later ones are computed identically from positions that differ at rounding level, and
  amplify that difference by the inverse of the actors' distances, so no tolerance is promised
  for them (measured: up to 2e-8 relative).
* **Up to a tie at rounding level.** Once actors have converged to within about 1e-12 of the
  scale, their expected utilities are rounding noise and an offer test can come out differently
  in the two engines; from then on that run's trajectories may differ (an actor may move to
  another actor's position). This happened in 5 of 14,400 random 10-round runs (seeds 100-159
  of the kernel tests' generator, every variant); their medians stayed within the tolerance. A
  change of summation order does the same (see above).

``engine="auto"`` (the default) uses numba for batches of at least ``AUTO_NUMBA_RUNS`` runs when
it can be imported and ``dtype`` is float64, otherwise numpy (for a single issue numpy takes
milliseconds, less than loading numba). The engine that ran is part of the result, not of the
model: :attr:`BDMBatchResult.engine`, and ``Forecast.options["engine"]`` of :meth:`_BDMBase.run`
(so ``forecast --json`` shows it); the model's own ``options()["engine"]`` is the choice.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from redline.errors import RedlineError
from redline.forecast.base import DrawCost, Forecast, check_scale
from redline.forecast.compromise import IssueByIssue, prepare_inputs
from redline.forecast.median import lower_weighted_median


@dataclass(frozen=True)
class BDMBatchResult:
    """Results of :meth:`run_batch` for ``B`` independent runs of one issue each."""

    positions: np.ndarray  # (B, rounds + 1, n)
    median: np.ndarray  # (B, rounds + 1)
    mean: np.ndarray  # (B, rounds + 1)
    risk: np.ndarray  # (B, rounds, n): the risk exponents r used in each round
    engine: str  # the engine that computed them: "numpy" or "numba"

    @property
    def point(self) -> np.ndarray:
        """The forecast of each run: the final round's median, shape ``(B,)``."""
        return self.median[:, -1]


@dataclass(frozen=True)
class _Variant:
    q: float
    t: float
    pairwise: bool  # 2002 probabilities (else Scholz's global normalisation)
    capitulation_bug: bool
    least_move_compromise: bool


ENGINES = ("auto", "numpy", "numba")
AUTO_NUMBA_RUNS = 256
FAST_HINT = "pip install 'redline[fast]'"
# How far the numba and numpy engines' positions, medians and means may differ where they are
# not bit-identical, relative to the issue's scale (see the module docstring).
ENGINE_RTOL = 1e-10


@functools.cache
def numpy_exp_log_match_math() -> bool:
    """Whether numpy's float64 ``exp``, ``log`` and ``exp2`` give the C library's results.

    A direct probe: both are evaluated on a fixed sample of 4,096 arguments in the ranges the
    BDM rounds use, numpy on whole arrays (its SIMD path, if it has one) and :mod:`math` one
    value at a time (the C library, which the numba kernel also calls). Where this is True the
    numba and numpy engines give the same numbers bit for bit; where numpy has SIMD versions
    of its own (AVX-512) a few per cent of the sample differ and this is False.

    Returns
    -------
    bool
        True if every sampled result is identical in both.
    """
    rng = np.random.default_rng(20261201)
    size = 4096
    fractions = np.concatenate([rng.random(size // 2), 10.0 ** rng.uniform(-15, 0, size // 2)])
    exponents = np.concatenate([rng.uniform(-40.0, 1.0, size // 2),
                                -rng.exponential(1.0, size // 2)])
    probes = [(np.log, math.log, fractions), (np.exp, math.exp, exponents),
              (np.exp2, math.exp2, rng.uniform(-2.0, 0.0, size))]
    return all(np.array_equal(vectorised(args), [scalar(float(a)) for a in args])
               for vectorised, scalar, args in probes)


@functools.cache
def _numba_kernel() -> Any:
    """The compiled-kernel module, or None when numba cannot be imported."""
    if importlib.util.find_spec("numba") is None:
        return None
    try:
        from redline.forecast import _bdm_kernel
    except ImportError:
        return None
    return _bdm_kernel


def _weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    total = w.sum(axis=-1)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, (w * x).sum(axis=-1) / safe, x.mean(axis=-1))


class _Engine:
    """The round loop for one chunk of ``b`` runs of ``n`` actors.

    Each round works in *sorted coordinates* (actors ordered by position, ties in input order)
    so that the pairs ``i < j`` form a packed upper triangle ``(b, n(n-1)/2)``; the expected
    utilities and offers are ``(b, n, n)`` arrays. Offer ties are broken by input order, as
    in the reference code.
    """

    def __init__(self, c: np.ndarray, s: np.ndarray, lo: np.ndarray, delta: np.ndarray,
                 variant: _Variant, dtype: np.dtype) -> None:
        self.v = variant
        self.dtype = dtype
        self.b, self.n = b, n = c.shape
        self.s = s.astype(dtype)
        self.w = (c * s).astype(dtype)
        self.lo = lo
        self.delta = delta
        iu, ju = np.triu_indices(n, 1)
        self.iu, self.ju = iu, ju
        self.flat_base = (np.arange(b) * (n + 1) * n)[:, None]
        self.run_base = (np.arange(b) * n)[:, None]
        self.offset = 2.0 * np.arange(b)[:, None]
        self.rows = np.arange(b)[:, None]
        self.prefix = np.zeros((b, n + 1, n), dtype=dtype)
        self.full = np.zeros((b, n, n), dtype=dtype)

    # -- votes and probabilities on the packed triangle ------------------------------------
    def _support(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``N_ij`` and ``N_ji`` for the packed pairs ``i < j``; ``a (b, k, j)`` sorted rows."""
        n, prefix = self.n, self.prefix
        prefix[:, 1] = a[:, 0]
        for k in range(1, n):  # n slice adds beat a strided cumsum along axis 1
            np.add(prefix[:, k], a[:, k], out=prefix[:, k + 1])
        flat = prefix.reshape(-1)
        h_j = np.take(flat, self.index + self.ju)  # prefix[count, j]
        h_i = np.take(flat, self.index + self.iu)  # prefix[count, i]
        total = prefix[:, n, :]
        up = h_j - h_i
        down = up + (np.take(total, self.iu, axis=1) - np.take(total, self.ju, axis=1))
        up[self.tie] = 0.0
        down[self.tie] = 0.0
        return up, down

    def _probability(self, up: np.ndarray, down: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.v.pairwise:
            both = up + down
            empty = both <= 0
            safe = np.where(empty, 1.0, both)
            fill = np.where(self.tie, 0.0, 0.5)
            return (np.where(empty, fill, up / safe).astype(self.dtype),
                    np.where(empty, fill, down / safe).astype(self.dtype))
        total = 2.0 * (up.sum(axis=1) + down.sum(axis=1))
        # Divide (not multiply by 1 / total): a subnormal total must not overflow to inf.
        safe = np.where(total > 0, total, 1.0).astype(self.dtype)[:, None]
        keep = (total > 0)[:, None]
        return np.where(keep, up / safe, 0.0), np.where(keep, down / safe, 0.0)

    # -- one round -------------------------------------------------------------------------
    def step(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Advance positions ``x (b, n)`` (input order) by one round; also return ``r``."""
        v, dt, n = self.v, self.dtype, self.n
        iu, ju = self.iu, self.ju
        perm = np.argsort(x, axis=1, kind="stable")
        xs = np.take_along_axis(x, perm, axis=1)
        ws = np.take_along_axis(self.w, perm, axis=1)
        ss = np.take_along_axis(self.s, perm, axis=1)
        u = (xs - self.lo[:, None]) / self.delta[:, None]  # float64, sorted, in [0, 1]
        ud = u.astype(dt)
        d = np.abs(ud[:, :, None] - ud[:, None, :])  # (b, n, n), symmetric
        dp = (ud[:, ju] - ud[:, iu])  # packed distances, >= 0
        self.tie = dp <= 0
        # Count of actors strictly below each midpoint (ties at the midpoint vote zero).
        keys = (u + self.offset).ravel()
        mid = 0.5 * (u[:, iu] + u[:, ju]) + self.offset
        count = np.searchsorted(keys, mid.ravel()).reshape(mid.shape) - self.run_base
        self.index = self.flat_base + count * n
        quiet = v.q < 1.0
        # Median of the current positions (for U_b, U_w) and distances to it.
        if quiet:
            cum = np.cumsum(ws, axis=1)
            total = cum[:, -1:]
            weights_zero = total <= 0
            cum = np.where(weights_zero, np.arange(1, n + 1), cum)
            total = np.where(weights_zero, n, total)
            first = np.argmax(cum >= 0.5 * total * (1.0 - 1e-9), axis=1)
            mu = u[self.rows[:, 0], first]
            em = np.abs(u - mu[:, None]).astype(dt)  # |x - mu| / Delta
        # Risk stage, every r = 1: U_s = 2d, U_f = -2d, U_sq = 0, U_b = e, U_w = -e.
        up, down = self._probability(*self._support(ws[:, :, None] * d))
        p = self.full  # P_ab as a (b, n, n) matrix; the diagonal stays 0
        p[:, iu, ju] = up
        p[:, ju, iu] = down
        dsum = d.sum(axis=1)
        dps = (d * p).sum(axis=1)  # sum_a d_ab P_ab
        danger = 2.0 * dsum * (1.0 - 2.0 * ss) + 4.0 * ss * dps
        if quiet:
            esum = em.sum(axis=1, keepdims=True) + (n - 2) * em
            danger = danger - (1.0 - v.q) * (2.0 * v.t - 1.0) * esum
        top = danger.max(axis=1, keepdims=True)
        bottom = danger.min(axis=1, keepdims=True)
        spread = top - bottom
        big_r = np.where(spread > 0, (2.0 * danger - top - bottom)
                         / np.where(spread > 0, spread, 1.0), 0.0)
        r = ((1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)).astype(dt)
        rr = r[:, :, None]
        with np.errstate(divide="ignore"):
            # Main stage: votes with each voter's r, utilities with the evaluator's r.
            a = ws[:, :, None] * np.exp(rr * np.log(d))
            up, down = self._probability(*self._support(a))
            p[:, iu, ju] = up
            p[:, ju, iu] = down
            h_minus = np.exp(rr * np.log(0.5 - 0.5 * d))
            h_plus = np.exp(rr * np.log(0.5 + 0.5 * d))
            keep = v.q * (2.0 - 4.0 * np.exp2(-rr))
            if quiet:
                e = 0.25 * (em[:, :, None] + em[:, None, :])
                u_b = 2.0 - 4.0 * np.exp(rr * np.log(0.5 - e))
                u_w = 2.0 - 4.0 * np.exp(rr * np.log(0.5 + e))
                keep = keep + (1.0 - v.q) * (v.t * u_b + (1.0 - v.t) * u_w)
        u_s = 2.0 - 4.0 * h_minus - keep
        gap = 4.0 * (h_plus - h_minus)  # U_s - U_f
        eu_ij = u_s - ss[:, None, :] * (1.0 - p) * gap
        eu_ji = u_s - ss[:, :, None] * (1.0 - p.transpose(0, 2, 1)) * gap
        new_s = self._move(xs, eu_ij, eu_ji, perm)
        new = np.empty_like(x)
        np.put_along_axis(new, perm, new_s, axis=1)
        r_orig = np.empty(x.shape)
        np.put_along_axis(r_orig, perm, r, axis=1)
        return new, r_orig

    def _pick(self, key: np.ndarray, perm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row-wise argmin of ``key (b, n, n)``; ties go to the lowest *input* index."""
        j = np.argmin(key, axis=2)
        best = np.take_along_axis(key, j[:, :, None], axis=2)
        found = np.isfinite(best[:, :, 0])
        tied = found & ((key == best).sum(axis=2) > 1)
        if tied.any():
            rb, ri = np.nonzero(tied)
            cand = key[rb, ri] == best[rb, ri]
            j[rb, ri] = np.argmin(np.where(cand, perm[rb], self.n), axis=1)
        return j, found

    def _move(self, xs: np.ndarray, eu_ij: np.ndarray, eu_ji: np.ndarray,
              perm: np.ndarray) -> np.ndarray:
        v, rows = self.v, self.rows
        cols = np.arange(self.n)[None, :]
        xd = xs.astype(self.dtype, copy=False)  # float64 (the default) as in the reference
        diff = xd[:, None, :] - xd[:, :, None]  # x_j - x_i
        d = np.abs(diff)
        inf = np.inf
        # Pairs at the same position have U_s = U_f, so EU_ij == EU_ji exactly and no test
        # below can hold for them: no separate "x_i != x_j" mask is needed.
        confront = (eu_ji > eu_ij) & (eu_ij > 0)
        pressed = (eu_ji > 0) & (eu_ij < 0)
        compromise = pressed & (eu_ji > -eu_ij)
        jc, has_c = self._pick(np.where(confront, d, inf), perm)
        if v.least_move_compromise:
            with np.errstate(divide="ignore", invalid="ignore"):
                comp_key = np.where(compromise, d * (-eu_ij / eu_ji), inf)
        else:  # (|EU_ij| x_i + |EU_ji| x_j) / (|EU_ij| + |EU_ji|), less the row constant x_i
            with np.errstate(divide="ignore", invalid="ignore"):
                comp_key = np.where(compromise, diff * (eu_ji / (eu_ji - eu_ij)), inf)
        jm, has_m = self._pick(comp_key, perm)
        new = xs
        if not v.capitulation_bug:
            capitulate = pressed & (eu_ji < -eu_ij)
            jp, has_p = self._pick(np.where(capitulate, d, inf), perm)
            new = np.where(has_p, xs[rows, jp], new)
        # The compromise offer: x_i + (x_j - x_i) |EU_ij / EU_ji| (computed in float64).
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.abs(eu_ij[rows, cols, jm].astype(float) / eu_ji[rows, cols, jm])
        offer = xs + (xs[rows, jm] - xs) * np.where(has_m, ratio, 0.0)
        new = np.where(has_m, offer, new)
        return np.where(has_c, xs[rows, jc], new)


class _BDMBase(IssueByIssue):
    """Shared driver: input checks, chunking, and the :class:`Forecast`."""

    name = "bdm"
    assumes = ("actors challenge and coerce one another round by round, each issue on its own, "
               "by expected utility (Bueno de Mesquita 2002): clout and risk-taking decide, "
               "and the forecast is the weighted median after the last round")
    _default_rounds = 10
    salience_max = 1.0  # salience is the probability that a challenged actor resists
    rounds_option = "rounds"
    # n^2 work per round with (n, n) matrices: about 15 s at this limit on an idle 2-core
    # machine (docs/benchmarks.md).
    max_actors = 1000
    cost_growth = "the square"
    draw_cost = DrawCost(fixed=30.0, per_issue=0.55, actor_power=2.0)  # 10 rounds

    def __init__(self, rounds: int | None = None, *, dtype: str = "float64",
                 workers: int = 1, chunk_size: int = 64, engine: str = "auto") -> None:
        rounds = self._default_rounds if rounds is None else rounds
        if isinstance(rounds, bool) or int(rounds) != rounds or rounds < 0:
            raise RedlineError(f"rounds must be a whole number >= 0, got {rounds!r}",
                               field="rounds")
        if dtype not in ("float64", "float32"):
            raise RedlineError(f"dtype must be 'float64' or 'float32', got {dtype!r}",
                               field="dtype")
        if workers < 1 or chunk_size < 1:
            raise RedlineError("workers and chunk_size must be >= 1")
        if engine not in ENGINES:
            raise RedlineError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}",
                               field="engine")
        if engine == "numba":
            if dtype != "float64":
                raise RedlineError("the numba engine supports dtype='float64' only",
                                   field="engine")
            if _numba_kernel() is None:
                raise RedlineError("engine='numba' needs the numba package", field="engine",
                                   hint=FAST_HINT)
        self.rounds = int(rounds)
        self.dtype = dtype
        self.workers = int(workers)
        self.chunk_size = int(chunk_size)
        self.engine = engine  # the choice; each result says which engine ran

    def _engine_for(self, runs: int) -> str:
        """The engine a batch of ``runs`` runs goes to: the chosen one, or for ``"auto"`` numba
        from :data:`AUTO_NUMBA_RUNS` float64 runs on when it can be imported, else numpy."""
        if self.engine != "auto":
            return self.engine
        big = runs >= AUTO_NUMBA_RUNS and self.dtype == "float64"
        return "numba" if big and _numba_kernel() is not None else "numpy"

    def _variant(self) -> _Variant:  # pragma: no cover - overridden
        raise NotImplementedError

    def options(self) -> dict[str, Any]:
        """The model's options; ``engine`` is the choice (a result says which engine ran)."""
        return {"rounds": self.rounds, "dtype": self.dtype, "engine": self.engine}

    def run_batch(self, capability: Any, position: Any, salience: Any) -> BDMBatchResult:
        """Run ``B`` independent one-issue games at once.

        ``capability``, ``position`` and ``salience`` have shape ``(B, n)`` (a ``(n,)``
        capability or salience is broadcast to every run). Salience must lie in [0, 1].
        Runs are processed in chunks of ``chunk_size``, on ``workers`` threads (numpy releases
        the GIL inside its loops; the numba engine runs ``workers`` numba threads, and the
        chunks only set the numpy engine's rounding, which it reproduces).
        ``dtype="float32"`` (numpy engine) roughly halves the time; near-ties in the offer
        tests can then resolve differently, so use it for Monte Carlo, not for reproducing
        published rounds.
        """
        x = np.asarray(position, dtype=float)
        if x.ndim != 2 or x.shape[1] == 0:
            raise RedlineError(f"position must have shape (runs, n_actors), got {x.shape}",
                               field="position")
        try:
            c = np.broadcast_to(np.asarray(capability, dtype=float), x.shape)
            s = np.broadcast_to(np.asarray(salience, dtype=float), x.shape)
        except ValueError:
            raise RedlineError("capability and salience must match position's shape "
                               f"{x.shape}") from None
        for label, arr in (("capability", c), ("position", x), ("salience", s)):
            if not np.all(np.isfinite(arr)):
                raise RedlineError(f"{label} contains a missing or infinite value", field=label)
        check_scale(c, x, s)
        if np.any(c < 0):
            raise RedlineError("capability must be >= 0", field="capability")
        if np.any((s < 0) | (s > 1)):
            raise RedlineError("salience must be in [0, 1] for BDM", field="salience",
                               hint="saliences on 0-100 must be divided by 100")
        runs, n = x.shape
        variant = self._variant()
        engine = self._engine_for(runs)
        if engine == "numba":
            positions, risk = _numba_kernel().simulate(
                c, s, x, self.rounds, q=variant.q, t=variant.t, pairwise=variant.pairwise,
                capitulation_bug=variant.capitulation_bug,
                least_move=variant.least_move_compromise, chunk_size=self.chunk_size,
                workers=self.workers)
            return self._summarise(c, s, positions, risk, engine)
        positions = np.empty((runs, self.rounds + 1, n))
        positions[:, 0] = x
        risk = np.empty((runs, self.rounds, n))
        parts = [slice(i, min(runs, i + self.chunk_size))
                 for i in range(0, runs, self.chunk_size)]
        dtype = np.dtype(self.dtype)

        def simulate(part: slice) -> None:
            lo = x[part].min(axis=1)
            span = x[part].max(axis=1) - lo
            engine = _Engine(c[part], s[part], lo, np.where(span > 0, span, 1.0), variant,
                             dtype)
            current = x[part]
            for t in range(self.rounds):
                current, risk[part, t] = engine.step(current)
                positions[part, t + 1] = current

        if self.workers > 1 and len(parts) > 1:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                list(pool.map(simulate, parts))
        else:
            for part in parts:
                simulate(part)
        return self._summarise(c, s, positions, risk, engine)

    def issue_points(self, capability, position, salience, n_dims) -> np.ndarray:
        """The final round's median of each one-issue run (:meth:`run_batch`)."""
        return self.run_batch(capability, position, salience).point

    @staticmethod
    def _summarise(c: np.ndarray, s: np.ndarray, positions: np.ndarray, risk: np.ndarray,
                   engine: str) -> BDMBatchResult:
        w = np.broadcast_to((c * s)[:, None, :], positions.shape)
        median = lower_weighted_median(positions, w)
        mean = _weighted_mean(positions, w)
        return BDMBatchResult(positions=positions, median=median, mean=mean, risk=risk,
                              engine=engine)

    def run(self, capability, position, salience, *, actors=None, dimensions=None) -> Forecast:
        """Run each dimension as an independent issue (dimensions are the batch axis)."""
        started = time.perf_counter()
        inputs = prepare_inputs(capability, position, salience, actors=actors,
                                dimensions=dimensions, salience_max=1.0)
        n, d = inputs.position.shape
        result = self.run_batch(np.broadcast_to(inputs.capability, (d, n)),
                                inputs.position.T, inputs.salience.T)
        return Forecast(
            model=self.name,
            actors=inputs.actors,
            dimensions=inputs.dimensions,
            positions=result.positions.transpose(1, 2, 0).copy(),
            point=result.point.copy(),
            options={**self.options(), "engine": result.engine},  # the engine that ran
            median=result.median.T.copy(),
            mean=result.mean.T.copy(),
            seconds=time.perf_counter() - started,
        )


class BDMScholzModel(_BDMBase):
    """BDM's expected-utility model as reconstructed by Scholz, Calbert & Smith (2011).

    Options: ``rounds`` (default 10), ``q`` (default 1: Scholz's Q), ``capitulation_bug``
    (default True: reproduce the reference code, in which nobody ever capitulates; see the
    module docstring), ``chunk_size`` (runs per vectorised chunk), ``engine`` (``"auto"``,
    ``"numpy"`` or ``"numba"``; see the module docstring).
    """

    name = "bdm-scholz"
    assumes = ("actors challenge and coerce one another round by round, each issue on its own, "
               "by expected utility (Bueno de Mesquita; Scholz, Calbert & Smith 2011): clout "
               "and risk-taking decide, and the forecast is the weighted median after the last "
               "round")

    def __init__(self, rounds: int | None = None, *, q: float = 1.0,
                 capitulation_bug: bool = True, dtype: str = "float64", workers: int = 1,
                 chunk_size: int = 64, engine: str = "auto") -> None:
        super().__init__(rounds, dtype=dtype, workers=workers, chunk_size=chunk_size,
                         engine=engine)
        if not 0.0 <= q <= 1.0:
            raise RedlineError("q must be in [0, 1]", field="q")
        self.q = float(q)
        self.capitulation_bug = bool(capitulation_bug)

    def _variant(self) -> _Variant:
        return _Variant(q=self.q, t=1.0, pairwise=False, capitulation_bug=self.capitulation_bug,
                        least_move_compromise=False)

    def options(self) -> dict[str, Any]:
        """The model's options; ``engine`` is the choice (a result says which engine ran)."""
        return {"rounds": self.rounds, "q": self.q, "capitulation_bug": self.capitulation_bug,
                "dtype": self.dtype, "engine": self.engine}


class BDM2002Model(_BDMBase):
    """BDM's expected-utility model after Bueno de Mesquita (2002).

    Options: ``rounds`` (default 10), ``q`` and ``t`` (default 0.5 each: the actors' maximal
    uncertainty about whether, and which way, an unchallenged actor moves; Masad's restatement
    gives no values), ``chunk_size``, ``engine`` (``"auto"``, ``"numpy"`` or ``"numba"``).
    """

    name = "bdm"

    def __init__(self, rounds: int | None = None, *, q: float = 0.5, t: float = 0.5,
                 dtype: str = "float64", workers: int = 1, chunk_size: int = 64,
                 engine: str = "auto") -> None:
        super().__init__(rounds, dtype=dtype, workers=workers, chunk_size=chunk_size,
                         engine=engine)
        for label, value in (("q", q), ("t", t)):
            if not 0.0 <= value <= 1.0:
                raise RedlineError(f"{label} must be in [0, 1]", field=label)
        self.q = float(q)
        self.t = float(t)

    def _variant(self) -> _Variant:
        return _Variant(q=self.q, t=self.t, pairwise=True, capitulation_bug=False,
                        least_move_compromise=True)

    def options(self) -> dict[str, Any]:
        """The model's options; ``engine`` is the choice (a result says which engine ran)."""
        return {"rounds": self.rounds, "q": self.q, "t": self.t, "dtype": self.dtype,
                "engine": self.engine}
