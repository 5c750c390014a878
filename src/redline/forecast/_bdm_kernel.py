"""Compiled (numba) kernel for :mod:`redline.forecast.bdm`: one full BDM run per issue.

The numpy :class:`redline.forecast.bdm._Engine` works on whole ``(batch, n, n)`` arrays; this
module loops over actors and pairs in compiled code instead, one issue at a time, with
``prange`` over the issues. It applies exactly the rules of the numpy engine and repeats its
floating-point operations in the same order, so that the two agree bit for bit wherever
numpy's float64 ``exp``/``log`` are the C library's (what holds elsewhere, within
``ENGINE_RTOL``, is in the "Engines" section of :mod:`redline.forecast.bdm`):

* the same sorted coordinates (a stable sort of the positions, ties in input order), the same
  ``u = (x - lo) / Delta`` scale and the same offer tie-break (lowest input index);
* the voter count below each midpoint is taken on the numpy engine's offset scale
  (``u + 2 k``, ``k`` the run's index inside its chunk of ``chunk_size`` runs), and ``N_ij`` is
  the same difference of sequential prefix sums;
* sums that numpy reduces along a contiguous axis (the Scholz denominator over the packed
  pairs, ``sum |x - mu|``) use numpy's pairwise summation (:func:`_pairwise_sum`); sums over
  a non-contiguous axis (the danger terms) are sequential, as numpy does them;
* ``exp``, ``log`` and ``exp2`` are the C library's, which numpy also calls for float64 unless
  it has SIMD versions of its own (on AVX-512 CPUs; ``bdm.numpy_exp_log_match_math()``
  tells). No ``fastmath``: no reassociation, no fused multiply-add.

Only float64 is supported. Medians and means are computed afterwards by the numpy helpers
of :mod:`redline.forecast.bdm` from the positions returned here.
"""

from __future__ import annotations

import threading

import numpy as np
from numba import njit, prange

_OPTS = dict(cache=True, error_model="numpy", nogil=True)


@njit(**_OPTS)
def _block_sum(a, lo, n):  # pragma: no cover - compiled
    """numpy's pairwise-sum leaf (``n <= 128``): 8 accumulators, then the rest in order."""
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    stop = n - n % 8
    i = 8
    while i < stop:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(**_OPTS)
def _pairwise_sum(a, lo, n):  # pragma: no cover - compiled
    """``numpy.add.reduce`` of ``a[lo:lo + n]`` (contiguous float64), same association.

    numpy splits a block of more than 128 items at ``n2 = n // 2 - (n // 2) % 8`` and adds
    the two halves' sums. Numba's on-disk cache cannot hold a self-recursive function (a
    cached one crashes when loaded), so the recursion runs on an explicit stack.
    """
    if n <= 128:
        return _block_sum(a, lo, n)
    seg_lo = np.empty(128, np.int64)
    seg_n = np.empty(128, np.int64)
    seg_join = np.empty(128, np.bool_)
    values = np.empty(128)
    top = 0
    nval = 0
    seg_lo[0], seg_n[0], seg_join[0] = lo, n, False
    top = 1
    while top > 0:
        top -= 1
        start, size, join = seg_lo[top], seg_n[top], seg_join[top]
        if join:  # both halves are done: left + right
            nval -= 1
            values[nval - 1] = values[nval - 1] + values[nval]
        elif size <= 128:
            values[nval] = _block_sum(a, start, size)
            nval += 1
        else:
            n2 = size // 2
            n2 -= n2 % 8
            seg_lo[top], seg_n[top], seg_join[top] = start, size, True
            seg_lo[top + 1], seg_n[top + 1], seg_join[top + 1] = start + n2, size - n2, False
            seg_lo[top + 2], seg_n[top + 2], seg_join[top + 2] = start, n2, False
            top += 3
    return values[0]


@njit(**_OPTS)
def _numpy_sum(a):  # pragma: no cover - compiled
    # numpy starts the reduction from the identity and adds the pairwise sum of all items.
    return -0.0 + _pairwise_sum(a, 0, a.shape[0])


@njit(**_OPTS)
def _probability(a, count, pi, pj, prefix, up, down, tie, p, pairwise):
    """Fill ``p[i, j] = P_ij`` from the votes ``a[k, j] = w_k d_kj^r_k`` (sorted coords)."""
    n = a.shape[0]
    for j in range(n):
        prefix[1, j] = a[0, j]
    for k in range(1, n):
        for j in range(n):
            prefix[k + 1, j] = prefix[k, j] + a[k, j]
    for m in range(pi.shape[0]):
        if tie[m]:
            up[m] = 0.0
            down[m] = 0.0
            continue
        i, j, below = pi[m], pj[m], count[m]
        h = prefix[below, j] - prefix[below, i]
        up[m] = h
        down[m] = h + (prefix[n, i] - prefix[n, j])
    if pairwise:
        for m in range(pi.shape[0]):
            i, j = pi[m], pj[m]
            both = up[m] + down[m]
            if both <= 0:
                fill = 0.0 if tie[m] else 0.5
                p[i, j] = fill
                p[j, i] = fill
            else:
                p[i, j] = up[m] / both
                p[j, i] = down[m] / both
    else:
        total = 2.0 * (_numpy_sum(up) + _numpy_sum(down))
        safe = total if total > 0 else 1.0  # divide, not multiply by 1/total: no overflow
        for m in range(pi.shape[0]):
            i, j = pi[m], pj[m]
            p[i, j] = up[m] / safe if total > 0 else 0.0
            p[j, i] = down[m] / safe if total > 0 else 0.0


@njit(**_OPTS)
def _pick_better(key, best, b, jbest, perm):  # pragma: no cover - compiled
    """True if ``key`` at column ``b`` beats the current ``best`` at column ``jbest``."""
    if key < best:
        return True
    return key == best and jbest >= 0 and perm[b] < perm[jbest]


@njit(**_OPTS)
def _simulate(c, s, x0, rounds, q, t, pairwise, capitulation_bug, least_move, offset,
              positions, risk):  # pragma: no cover - compiled
    """One issue: ``positions[0]`` holds ``x0``; fills ``positions[1:]`` and ``risk``.

    Work is in sorted coordinates; ``m`` indexes the pairs ``i < j`` row by row, as
    ``numpy.triu_indices``. Every logarithm here has a symmetric argument (``d_ij``,
    ``1/2 +- d_ij/2``, ``1/2 +- e_ij``), so it is taken once per pair and shared by both
    orientations. Pairs at the same position are skipped where the numpy engine's value is
    exactly zero (votes) or cannot produce an offer (``EU_ij == EU_ji`` when ``d_ij = 0``).
    """
    n = x0.shape[0]
    quiet = q < 1.0
    npairs = n * (n - 1) // 2
    pi = np.empty(npairs, np.int64)
    pj = np.empty(npairs, np.int64)
    m = 0
    for i in range(n):
        for j in range(i + 1, n):
            pi[m] = i
            pj[m] = j
            m += 1
    w = np.empty(n)
    for k in range(n):
        w[k] = c[k] * s[k]
    lo_x = x0[0]
    hi_x = x0[0]
    for k in range(n):
        lo_x = min(lo_x, x0[k])
        hi_x = max(hi_x, x0[k])
    span = hi_x - lo_x
    delta = span if span > 0 else 1.0

    perm = np.empty(n, np.int64)
    xs = np.empty(n)
    ws = np.empty(n)
    ss = np.empty(n)
    u = np.empty(n)
    key = np.empty(n)
    em = np.zeros(n)
    r = np.empty(n)
    keep_r = np.empty(n)
    danger = np.empty(n)
    d = np.empty((n, n))
    a = np.empty((n, n))
    p = np.zeros((n, n))
    eu_ij = np.zeros((n, n))
    eu_ji = np.zeros((n, n))
    prefix = np.zeros((n + 1, n))
    up = np.empty(npairs)
    down = np.empty(npairs)
    tie = np.empty(npairs, np.bool_)
    count = np.empty(npairs, np.int64)
    cum = np.empty(n)
    new_s = np.empty(n)
    qt = (1.0 - q) * (2.0 * t - 1.0)

    for rnd in range(rounds):
        x = positions[rnd]
        # Stable insertion sort of the positions (ties keep input order).
        for k in range(n):
            perm[k] = k
        for k in range(1, n):
            cur = perm[k]
            v = x[cur]
            h = k - 1
            while h >= 0 and x[perm[h]] > v:
                perm[h + 1] = perm[h]
                h -= 1
            perm[h + 1] = cur
        for k in range(n):
            xs[k] = x[perm[k]]
            ws[k] = w[perm[k]]
            ss[k] = s[perm[k]]
            u[k] = (xs[k] - lo_x) / delta
            key[k] = u[k] + offset
        for i in range(n):
            for j in range(n):
                d[i, j] = abs(u[i] - u[j])
        # Per pair: tie, and the number of voters strictly below the midpoint on the numpy
        # engine's offset scale (searchsorted "left"; it grows with j along a row).
        m = 0
        for i in range(n):
            below = 0
            for j in range(i + 1, n):
                tie[m] = (u[j] - u[i]) <= 0
                mid = 0.5 * (u[i] + u[j]) + offset
                while below < n and key[below] < mid:
                    below += 1
                count[m] = below
                m += 1
        if quiet:  # the current (lower weighted) median and |u - mu|
            acc = 0.0
            for k in range(n):
                acc += ws[k]
                cum[k] = acc
            total = cum[n - 1]
            if total <= 0:
                for k in range(n):
                    cum[k] = k + 1.0
                total = float(n)
            bar = 0.5 * total * (1.0 - 1e-9)
            first = 0
            for k in range(n):
                if cum[k] >= bar:
                    first = k
                    break
            mu = u[first]
            for k in range(n):
                em[k] = abs(u[k] - mu)
        # Risk stage, every r = 1.
        for k in range(n):
            for j in range(n):
                a[k, j] = ws[k] * d[k, j]
        _probability(a, count, pi, pj, prefix, up, down, tie, p, pairwise)
        esum_all = _numpy_sum(em) if quiet else 0.0
        for col in range(n):
            dsum = 0.0
            dps = 0.0
            for row in range(n):
                dsum += d[row, col]
                dps += d[row, col] * p[row, col]
            dg = 2.0 * dsum * (1.0 - 2.0 * ss[col]) + 4.0 * ss[col] * dps
            if quiet:
                dg = dg - qt * (esum_all + (n - 2) * em[col])
            danger[col] = dg
        top = danger[0]
        bottom = danger[0]
        for k in range(n):
            top = max(top, danger[k])
            bottom = min(bottom, danger[k])
        spread = top - bottom
        for k in range(n):
            big_r = (2.0 * danger[k] - top - bottom) / spread if spread > 0 else 0.0
            r[k] = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
            keep_r[k] = q * (2.0 - 4.0 * np.exp2(-r[k]))
        # Main stage: votes with each voter's r, utilities with the evaluator's r.
        for k in range(n):
            a[k, k] = 0.0  # ws * exp(r log 0)
        for m in range(npairs):
            i, j = pi[m], pj[m]
            if tie[m]:
                a[i, j] = 0.0
                a[j, i] = 0.0
            else:
                log_d = np.log(d[i, j])
                a[i, j] = ws[i] * np.exp(r[i] * log_d)
                a[j, i] = ws[j] * np.exp(r[j] * log_d)
        _probability(a, count, pi, pj, prefix, up, down, tie, p, pairwise)
        for m in range(npairs):
            if tie[m]:  # U_s = U_f: EU_ij == EU_ji, no offer (left at 0)
                continue
            i, j = pi[m], pj[m]
            dij = d[i, j]
            log_minus = np.log(0.5 - 0.5 * dij)
            log_plus = np.log(0.5 + 0.5 * dij)
            if quiet:
                e = 0.25 * (em[i] + em[j])
                log_b = np.log(0.5 - e)
                log_w = np.log(0.5 + e)
            else:
                log_b = 0.0
                log_w = 0.0
            for side in range(2):
                if side == 0:
                    me, other = i, j
                else:
                    me, other = j, i
                rm = r[me]
                h_minus = np.exp(rm * log_minus)
                h_plus = np.exp(rm * log_plus)
                keep = keep_r[me]
                if quiet:
                    u_b = 2.0 - 4.0 * np.exp(rm * log_b)
                    u_w = 2.0 - 4.0 * np.exp(rm * log_w)
                    keep = keep + (1.0 - q) * (t * u_b + (1.0 - t) * u_w)
                u_s = 2.0 - 4.0 * h_minus - keep
                gap = 4.0 * (h_plus - h_minus)
                eu_ij[me, other] = u_s - ss[other] * (1.0 - p[me, other]) * gap
                eu_ji[me, other] = u_s - ss[me] * (1.0 - p[other, me]) * gap
        # Offers: confrontation, else compromise, else capitulation.
        for i in range(n):
            xi = xs[i]
            jc, jm, jp = -1, -1, -1
            bc, bm, bp = np.inf, np.inf, np.inf
            for j in range(n):
                if d[i, j] == 0:  # same position (or i itself): EU_ij == EU_ji, no offer
                    continue
                fij = eu_ij[i, j]
                fji = eu_ji[i, j]
                diff = xs[j] - xi
                dist = abs(diff)
                if fji > fij and fij > 0:
                    if _pick_better(dist, bc, j, jc, perm):
                        bc, jc = dist, j
                if fji > 0 and fij < 0:
                    if fji > -fij:
                        if least_move:
                            k_m = dist * (-fij / fji)
                        else:
                            k_m = diff * (fji / (fji - fij))
                        if _pick_better(k_m, bm, j, jm, perm):
                            bm, jm = k_m, j
                    if not capitulation_bug and fji < -fij:
                        if _pick_better(dist, bp, j, jp, perm):
                            bp, jp = dist, j
            moved = xi
            if jp >= 0:
                moved = xs[jp]
            if jm >= 0:
                ratio = abs(eu_ij[i, jm] / eu_ji[i, jm])
                moved = xi + (xs[jm] - xi) * ratio
            if jc >= 0:
                moved = xs[jc]
            new_s[i] = moved
        nxt = positions[rnd + 1]
        for k in range(n):
            nxt[perm[k]] = new_s[k]
            risk[rnd, perm[k]] = r[k]


@njit(**_OPTS)
def _run_one(c, s, x, b, rounds, q, t, pairwise, capitulation_bug, least_move, chunk_size,
             positions, risk):  # pragma: no cover - compiled
    for k in range(x.shape[1]):
        positions[b, 0, k] = x[b, k]
    _simulate(c[b], s[b], x[b], rounds, q, t, pairwise, capitulation_bug, least_move,
              2.0 * (b % chunk_size), positions[b], risk[b])


@njit(**_OPTS)
def run_batch_serial(c, s, x, rounds, q, t, pairwise, capitulation_bug, least_move, chunk_size,
                     positions, risk):  # pragma: no cover - compiled
    """All runs on the calling thread (see :func:`run_batch_parallel`)."""
    for b in range(x.shape[0]):
        _run_one(c, s, x, b, rounds, q, t, pairwise, capitulation_bug, least_move, chunk_size,
                 positions, risk)


@njit(parallel=True, **_OPTS)
def run_batch_parallel(c, s, x, rounds, q, t, pairwise, capitulation_bug, least_move,
                       chunk_size, positions, risk):  # pragma: no cover - compiled
    """All runs: ``c, s, x (B, n)`` float64; fills ``positions (B, rounds + 1, n)`` and
    ``risk (B, rounds, n)``. ``chunk_size`` only sets the numpy engine's offset scale."""
    for b in prange(x.shape[0]):
        _run_one(c, s, x, b, rounds, q, t, pairwise, capitulation_bug, least_move, chunk_size,
                 positions, risk)


# numba's "workqueue" threading layer (the fallback when neither TBB nor OpenMP is available)
# must not be entered from two Python threads at once.
_PARALLEL_LOCK = threading.Lock()


def simulate(c: np.ndarray, s: np.ndarray, x: np.ndarray, rounds: int, *, q: float, t: float,
             pairwise: bool, capitulation_bug: bool, least_move: bool, chunk_size: int,
             workers: int) -> tuple[np.ndarray, np.ndarray]:
    """Run every issue of ``x (B, n)``; returns ``positions (B, rounds + 1, n)`` and
    ``risk (B, rounds, n)``. ``workers == 1`` runs on the calling thread (no thread pool);
    more use that many numba threads."""
    import numba

    c, s, x = (np.ascontiguousarray(v, dtype=np.float64) for v in (c, s, x))
    runs, n = x.shape
    positions = np.empty((runs, rounds + 1, n))
    risk = np.empty((runs, rounds, n))
    args = (c, s, x, int(rounds), float(q), float(t), bool(pairwise), bool(capitulation_bug),
            bool(least_move), int(chunk_size), positions, risk)
    threads = max(1, min(int(workers), numba.config.NUMBA_NUM_THREADS, runs))
    if threads == 1:
        run_batch_serial(*args)
        return positions, risk
    with _PARALLEL_LOCK:
        previous = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            run_batch_parallel(*args)
        finally:
            numba.set_num_threads(previous)
    return positions, risk
