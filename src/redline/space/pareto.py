"""The exact Pareto frontier of a finite set of utility vectors, in numpy.

Theory
------
Each row of an ``(n, k)`` array is one outcome, each column one party's utility. Row ``a``
*dominates* row ``b`` when ``a >= b`` in every column and ``a > b`` in at least one; the Pareto
frontier (the *maxima* of the set, Kung, Luccio & Preparata 1975) is every row that no row
dominates. Rows with identical vectors do not dominate each other, so duplicates are all kept.

Three facts carry the whole module:

1. **Transitivity.** Dominance is a strict partial order, so a dominated row is dominated by some
   frontier row. Hence ``front(A | B) == front(front(A) | front(B))``: frontiers can be computed on
   chunks and merged, and any row may be used to discard the rows it dominates.
2. **A monotone presort.** If ``a`` dominates ``b`` then ``sum(a) >= sum(b)``, also in floating
   point, because rounded addition is monotone. Sorting by the sum, descending, and breaking ties
   lexicographically (descending) gives a *linear extension* of dominance: a dominator always comes
   strictly before the rows it dominates. Scanning in that order, a row that no earlier frontier
   row dominates is final: this is Sort-Filter-Skyline (SFS; Chomicki, Godfrey, Gryz & Liang 2003,
   "Skyline with presorting"). The same sort puts identical vectors next to each other, so they
   are merged before the scan and expanded again afterwards.
3. **Dominance as bitset intersection.** For a fixed set ``W`` of frontier points and a query
   ``x``, the points of ``W`` that are ``>= x`` in column ``j`` are a suffix of ``W`` sorted by
   that column; store every suffix as a bitset over ``W`` and ``x`` is dominated iff the AND of its
   ``k`` suffix bitsets is not empty (the bitmap idea of Tan, Eng & Ooi 2001, "Efficient
   progressive skyline computation"). A test then costs ``k`` lookups and ``k * |W| / 64`` word
   ANDs, instead of ``k * |W|`` float comparisons.

Algorithms
----------
* ``k == 1``: the rows equal to the maximum.
* ``k == 2``: sort by ``u0`` descending and sweep; a row is on the frontier iff its ``u1`` is the
  largest in its group of equal ``u0`` *and* strictly larger than every ``u1`` with a strictly
  larger ``u0`` (``O(n log n)``, Kung et al. 1975). For large inputs a binned staircase (the
  maximum ``u1`` per ``u0`` bin) first discards the rows that a strictly higher bin dominates.
* ``k >= 3`` (``_pareto_mask_kd``, which also works for any ``k >= 1``):

  1. *Elimination filter* (the idea of LESS; Godfrey, Shipley & Gryz 2005, "Maximal vector
     computation in large data sets"): the frontier of the few hundred rows with the highest sums
     supplies candidate points; a greedy set cover on a fixed sample picks the few that dominate
     most rows, and each costs one vectorised pass (~98% of rows go with 3 parties, fewer with 5).
  2. *Presort and merge duplicates* (fact 2). Only runs of equal sums are lexsorted.
  3. *SFS* in batches of doubling size. Each batch is filtered against the window (the frontier
     found so far, in chunks of at most ``_CHUNK`` points); what survives is scanned the same way,
     recursively, sharing the window; at most ``_BASE`` rows are compared pairwise. A chunk first
     compares directly and builds its bitset index (fact 3) once queries make it pay; the lookup
     "how many values >= x" uses a bucket table instead of binary search (``_CountAtLeast``).

  The worst case (every row on the frontier, e.g. constant-sum utilities) costs ``O(n^2 k / 64)``
  word operations, and up to ``_INDEX_BYTES`` of indexes; many parties make large frontiers.

Utilities are rounded to ``decimals`` places before any comparison, so that summation noise
(``0.1 + 0.2 != 0.3``) neither hides a dominance nor creates one.
"""

from __future__ import annotations

import operator

import numpy as np

from redline.space.tolerance import UTILITY_DECIMALS

__all__ = ["pareto_indices", "pareto_mask", "pareto_masks"]

# Sets up to this size are compared pairwise; also the first SFS batch size.
_BASE = 256
# Points per bitset chunk of the SFS window (tables are (_CHUNK + 1) x _CHUNK / 64 words).
_CHUNK = 1024
# A chunk compares this many (point, query) pairs directly before it builds its bitset index;
# chunks of at most _BRUTE_MAX_POINTS points never build one.
_BRUTE_PAIRS = 2**17
_BRUTE_MAX_POINTS = 32
# Buckets per distinct value in a _CountAtLeast table; shorter arrays use binary search.
_BUCKETS = 16
_LOOKUP_MIN_VALUES = 32
# Inputs smaller than this skip the elimination filter / the 2-D staircase.
_FILTER_MIN_ROWS = 4096
# Elimination filter: rows with the highest sums that supply its points, the most points it
# uses, and the size of the sample on which they are picked.
_FILTER_POOL = 256
_FILTER_POINTS = 32
_FILTER_SAMPLE = 2048
# Temporaries of one vectorised step are kept near this many bytes.
_TEMP_BYTES = 16 * 2**20
# Bitset indexes of one SFS window take at most this many bytes; later chunks compare directly.
_INDEX_BYTES = 2**30


def pareto_mask(utilities: np.ndarray, *, decimals: int | None = UTILITY_DECIMALS) -> np.ndarray:
    """Boolean ``(n,)`` mask of the rows of ``utilities`` (shape ``(n, k)``) that no row dominates.

    Row ``a`` dominates row ``b`` when ``a >= b`` in every column and ``a > b`` in at least one.
    Rows with identical utility vectors are all kept (none dominates the other).

    Before comparing, utilities are rounded to ``decimals`` decimal places (``np.round``; by
    default :data:`redline.space.tolerance.UTILITY_DECIMALS`), so float summation noise (~1e-16)
    does not create spurious frontier points; ``decimals=None`` compares the raw floats. Raises
    ``ValueError`` for an array that is not 2-D or holds NaN or infinity.

    >>> pareto_mask(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.4, 0.4], [1.0, 0.0]]))
    array([ True,  True,  True, False,  True])
    """
    u = _prepare(utilities, decimals)
    n, k = u.shape
    if n == 0:
        return np.zeros(0, dtype=bool)
    if k == 0:
        return np.ones(n, dtype=bool)
    if k == 1:
        return u[:, 0] == u[:, 0].max()
    if k == 2:
        return _pareto_mask_2d(u)
    return _pareto_mask_kd(u)


def pareto_indices(
    utilities: np.ndarray, *, decimals: int | None = UTILITY_DECIMALS
) -> np.ndarray:
    """Sorted ``int64`` indices of the frontier rows; see :func:`pareto_mask`."""
    return np.flatnonzero(pareto_mask(utilities, decimals=decimals)).astype(np.int64)


def pareto_masks(utilities: np.ndarray, *, decimals: int | None = UTILITY_DECIMALS
                 ) -> np.ndarray:
    """:func:`pareto_mask` of each of a batch of sets: ``(B, n, k)`` in, ``(B, n)`` bool out.

    With two parties the whole batch is one vectorised sort and sweep (the ``k == 2``
    algorithm of the module docstring, row by row: sort by ``u0`` descending, then ``u1``
    descending; a row is on its set's frontier iff its ``u1`` is the largest of its group of
    equal ``u0`` and strictly larger than every ``u1`` with a larger ``u0``). Other ``k`` call
    :func:`pareto_mask` on each set. Same rounding and validation as :func:`pareto_mask`.

    >>> pareto_masks(np.array([[[1.0, 0.0], [0.4, 0.4]], [[0.2, 0.2], [0.3, 0.3]]]))
    array([[ True,  True],
           [False,  True]])
    """
    u = np.asarray(utilities, dtype=np.float64)
    if u.ndim != 3:
        raise ValueError(f"utilities must be a 3-D array of shape (sets, n_rows, n_parties); "
                         f"got shape {u.shape}")
    b, n, k = u.shape
    if k != 2 or n == 0 or b == 0:
        out = np.zeros((b, n), dtype=bool)
        for s in range(b):  # the general algorithm, one set at a time
            out[s] = pareto_mask(u[s], decimals=decimals)
        return out
    r = _prepare(u.reshape(b * n, 2), decimals).reshape(b, n, 2)
    x, y = r[..., 0], r[..., 1]
    order = np.lexsort((-y, -x), axis=-1)  # per set: x descending, then y descending
    xs = np.take_along_axis(x, order, axis=-1)
    ys = np.take_along_axis(y, order, axis=-1)
    position = np.broadcast_to(np.arange(n), (b, n))
    new_group = np.ones((b, n), dtype=bool)
    new_group[:, 1:] = xs[:, 1:] != xs[:, :-1]
    start = np.maximum.accumulate(np.where(new_group, position, 0), axis=-1)
    best_before = np.full((b, n), -np.inf)  # the largest y with a strictly larger x
    best_before[:, 1:] = np.maximum.accumulate(ys, axis=-1)[:, :-1]
    group_best = np.take_along_axis(ys, start, axis=-1)  # sorted: the group's first y
    on = (ys == group_best) & (group_best > np.take_along_axis(best_before, start, axis=-1))
    out = np.zeros((b, n), dtype=bool)
    np.put_along_axis(out, order, on, axis=-1)
    return out


# --------------------------------------------------------------------------------------------
# input


def _prepare(utilities: np.ndarray, decimals: int | None) -> np.ndarray:
    """Validate and round: a float64 ``(n, k)`` array with finite entries."""
    u = np.asarray(utilities, dtype=np.float64)
    if u.ndim != 2:
        raise ValueError(
            f"utilities must be a 2-D array of shape (n_rows, n_parties); got shape {u.shape}"
        )
    if u.size and not np.isfinite(u).all():
        row, col = np.argwhere(~np.isfinite(u))[0]
        what = "NaN" if np.isnan(u[row, col]) else "an infinite value"
        raise ValueError(
            f"utilities must be finite numbers: found {what} at row {row}, column {col}"
        )
    if decimals is None:
        return u
    decimals = operator.index(decimals)
    if not -308 <= decimals <= 308:
        raise ValueError(f"decimals must be None or an int in [-308, 308]; got {decimals}")
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.round(u, decimals)
    if u.size and not np.isfinite(r).all():
        # x * 10**decimals overflowed: such a value has no digit at that place, keep it as is.
        bad = ~np.isfinite(r)
        r[bad] = u[bad]
    return r


# --------------------------------------------------------------------------------------------
# two parties: sort and sweep


def _pareto_mask_2d(u: np.ndarray) -> np.ndarray:
    """Exact frontier of a finite ``(n, 2)`` array by an ``O(n log n)`` sweep."""
    n = u.shape[0]
    x = np.ascontiguousarray(u[:, 0])
    y = np.ascontiguousarray(u[:, 1])
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    cand = _staircase_survivors(x, y) if n >= _FILTER_MIN_ROWS else None
    if cand is not None:
        x, y = x[cand], y[cand]
    order = np.argsort(x)[::-1]  # x descending; the order inside ties of x does not matter
    xs, ys = x[order], y[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])  # groups of equal x
    group_best = np.maximum.reduceat(ys, starts)
    # Best y over all rows with a strictly larger x: those dominate a row with y <= it.
    before = np.empty_like(group_best)
    before[0] = -np.inf
    np.maximum.accumulate(group_best[:-1], out=before[1:])
    group = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, xs.size]))
    on = (ys == group_best[group]) & (group_best > before)[group]
    rows = order[on]
    mask[rows if cand is None else cand[rows]] = True
    return mask


def _staircase_survivors(x: np.ndarray, y: np.ndarray, bins: int = 2**16) -> np.ndarray | None:
    """Indices of the rows not dominated by a row in a strictly higher bin of ``x``.

    The bin is monotone in ``x``, so a higher bin means a strictly larger ``x``; a row whose ``y``
    does not exceed the largest ``y`` in all higher bins is dominated. ``None``: cannot bin.
    """
    lo, hi = float(x.min()), float(x.max())
    with np.errstate(over="ignore", divide="ignore"):
        span = hi - lo
        scale = (bins - 1) / span if span > 0 else np.inf
    if not (np.isfinite(span) and np.isfinite(scale)):
        return None
    b = ((x - lo) * scale).astype(np.intp)  # in [0, bins - 1]: x - lo <= span, rounding monotone
    best = np.full(bins + 1, -np.inf)
    np.maximum.at(best, b, y)
    above = np.maximum.accumulate(best[::-1])[::-1]  # above[g] = max y over bins >= g
    return np.flatnonzero(y > above[b + 1])


# --------------------------------------------------------------------------------------------
# k parties


def _pareto_mask_kd(u: np.ndarray) -> np.ndarray:
    """Exact frontier of a finite ``(n, k)`` array for any ``k >= 1`` (filter, presort, SFS)."""
    n, k = u.shape
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    if k == 0:
        mask[:] = True
        return mask
    cols = np.ascontiguousarray(u.T)
    cand = _elimination_survivors(cols) if n >= _FILTER_MIN_ROWS else np.arange(n)
    mask[cand[_exact_mask(cols[:, cand])]] = True
    return mask


def _exact_mask(cols: np.ndarray) -> np.ndarray:
    """Frontier mask of the columns of ``cols`` (shape ``(k, m)``): presort, dedupe, SFS."""
    k, m = cols.shape
    if m == 0:
        return np.zeros(0, dtype=bool)
    order, tie = _linear_extension(cols)
    # Identical vectors have equal sums, so they are adjacent within the runs of equal sums.
    new = np.ones(m, dtype=bool)  # first of each run of identical vectors
    later = np.flatnonzero(tie) + 1
    if later.size:
        same = np.ones(later.size, dtype=bool)
        for j in range(k):
            same &= cols[j, order[later]] == cols[j, order[later - 1]]
        new[later[same]] = False
    keep_distinct = _sfs(cols[:, order[new]])
    mask = np.zeros(m, dtype=bool)
    mask[order[keep_distinct[np.cumsum(new) - 1]]] = True
    return mask


def _linear_extension(cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order of the columns by sum descending, ties broken lexicographically (descending).

    If ``a`` dominates ``b`` then ``a`` comes first: the float sum is monotone, and on equal sums
    the first coordinate where they differ favours ``a``. Also returns ``tie`` (``tie[i]``: the
    sums at positions ``i`` and ``i + 1`` of the order are equal).
    """
    k, m = cols.shape
    total = cols.sum(axis=0)
    order = np.argsort(-total)
    ordered = total[order]
    tie = ordered[1:] == ordered[:-1]
    if tie.any():  # sort each run of equal sums lexicographically; only those rows
        tied = np.zeros(m, dtype=bool)
        tied[1:] |= tie
        tied[:-1] |= tie
        pos = np.flatnonzero(tied)
        run = np.cumsum(np.r_[True, ~tie])[pos]
        sub = order[pos]
        keys = [-cols[j, sub] for j in range(k - 1, -1, -1)]
        keys.append(run)  # the primary key keeps every run in place
        order[pos] = sub[np.lexsort(keys)]
    return order, tie


def _sfs(xs: np.ndarray) -> np.ndarray:
    """Sort-Filter-Skyline on distinct vectors ``xs`` (shape ``(k, m)``) in a linear extension."""
    m = xs.shape[1]
    if m <= _BASE:
        return _sfs_pairwise(xs)
    keep = np.zeros(m, dtype=bool)
    _sfs_scan(xs, np.arange(m), _Window(), 0, keep)
    return keep


def _sfs_scan(
    xs: np.ndarray, rows: np.ndarray, window: _Window, since: int, keep: np.ndarray
) -> None:
    """Find the frontier points among ``rows`` and add them to ``window`` (and to ``keep``).

    ``rows`` (increasing column indices of ``xs``) are known to be undominated by the first
    ``since`` window points. They are scanned in batches of doubling size; each batch is filtered
    against the newer window points, and what survives is scanned recursively (pairwise once
    small). The recursion shares the window, so each frontier point is indexed about once.
    """
    start, size = 0, _BASE
    while start < rows.size:
        stop = min(rows.size, start + size)
        batch = window.undominated(xs, rows[start:stop], since)
        if batch.size > _BASE:
            _sfs_scan(xs, batch, window, window.size, keep)
        elif batch.size:
            batch = batch[_sfs_pairwise(xs[:, batch])]
            keep[batch] = True
            window.add(xs[:, batch])
        start, size = stop, 2 * size


def _sfs_pairwise(xs: np.ndarray) -> np.ndarray:
    """SFS for a small set: row ``i`` is dominated iff some earlier row is ``>=`` it everywhere."""
    k, m = xs.shape
    geq = xs[0][None, :] >= xs[0][:, None]  # geq[i, l]: row l >= row i in column 0
    for j in range(1, k):
        geq &= xs[j][None, :] >= xs[j][:, None]
    geq &= np.tri(m, m, -1, dtype=bool)  # only earlier rows can dominate (distinct vectors)
    return ~geq.any(axis=1)


class _Window:
    """The SFS window: the frontier points found so far, in chunks of at most ``_CHUNK`` points.

    Points arrive in scan order and go into new chunks; small neighbours are merged like a binary
    counter (an indexed chunk only with one at least as large), so each point is indexed
    ``O(log(_CHUNK / _BASE))`` times at most. Indexes take at most ``_INDEX_BYTES`` in all.
    """

    def __init__(self) -> None:
        self.chunks: list[_Chunk] = []
        self.size = 0
        self.index_bytes = 0

    def add(self, points: np.ndarray) -> None:
        """Append ``points`` (one column per point) in chunks of ``_CHUNK`` columns."""
        for s in range(0, points.shape[1], _CHUNK):
            part = points[:, s : s + _CHUNK]
            self.chunks.append(_Chunk(part, self.size))
            self.size += part.shape[1]
            while len(self.chunks) >= 2:
                a, b = self.chunks[-2], self.chunks[-1]
                if a.size + b.size > _CHUNK or (a.index_bytes and a.size > b.size):
                    break
                self.index_bytes -= a.index_bytes + b.index_bytes
                merged = _Chunk(np.concatenate([a.points, b.points], axis=1), a.start)
                self.chunks[-2:] = [merged]

    def undominated(self, xs: np.ndarray, rows: np.ndarray, since: int = 0) -> np.ndarray:
        """The ``rows`` (column indices of ``xs``) that no window point after ``since`` is >=."""
        for chunk in self.chunks:
            if rows.size == 0:
                break
            if chunk.start + chunk.size > since:
                before = chunk.index_bytes
                rows = rows[~chunk.covers(xs[:, rows], self.index_bytes < _INDEX_BYTES)]
                self.index_bytes += chunk.index_bytes - before
        return rows


class _Chunk:
    """Points (shape ``(k, c)``, ``c <= _CHUNK``) answering "is some point ``>= x``?" per query.

    The first queries are answered by direct comparison; once they have cost about as much as
    building it, a bitset index is built (fact 3 of the module docstring).
    """

    def __init__(self, points: np.ndarray, start: int) -> None:
        self.points = points
        self.start = start  # position of the first point in the window
        self.size = points.shape[1]
        self.words = (self.size + 63) // 64
        self.brute_left = _BRUTE_PAIRS  # (point, query) pairs compared directly before indexing
        self.tables: list[np.ndarray] = []
        self.at_least: list[_CountAtLeast] = []
        self.index_bytes = 0

    def _index(self) -> None:
        k, c = self.points.shape
        slot = np.arange(c)
        bit = np.left_shift(np.uint64(1), (slot & 63).astype(np.uint64))
        for j in range(k):
            values = self.points[j]
            perm = np.argsort(values)[::-1]  # descending
            # table[t] holds the t largest points of column j, so table[number of values >= x]
            # holds exactly the points that are >= x in column j (ties included).
            table = np.zeros((c + 1, self.words), dtype=np.uint64)
            table[slot + 1, perm >> 6] = bit[perm]
            np.bitwise_or.accumulate(table, axis=0, out=table)
            counter = _CountAtLeast(values[perm[::-1]])
            self.tables.append(table)
            self.at_least.append(counter)
            self.index_bytes += table.nbytes + counter.nbytes

    def covers(self, xs: np.ndarray, may_index: bool = True) -> np.ndarray:
        """Bool per column of ``xs``: some point of the chunk is ``>= x`` in every coordinate."""
        k, b = xs.shape
        if not self.tables:
            small = b * self.size <= self.brute_left or self.size <= _BRUTE_MAX_POINTS
            if small or not may_index:
                self.brute_left -= b * self.size
                return _covers_brute(self.points, xs)
            self._index()
        step = max(1, _TEMP_BYTES // (8 * self.words))
        if b > step:
            return np.concatenate([self.covers(xs[:, s : s + step]) for s in range(0, b, step)])
        acc = np.take(self.tables[0], self.at_least[0](xs[0]), axis=0)
        live = None  # positions in xs of the rows of acc, once rows with no candidate are dropped
        for j in range(1, k):
            if j % 3 == 0:  # drop the rows that no point can cover any more
                nonzero = _any_bits(acc)
                if 4 * np.count_nonzero(nonzero) < 3 * nonzero.size:
                    sel = np.flatnonzero(nonzero)
                    acc = acc[sel]
                    live = sel if live is None else live[sel]
            x = xs[j] if live is None else xs[j, live]
            acc &= np.take(self.tables[j], self.at_least[j](x), axis=0)
        if live is None:
            return _any_bits(acc)
        out = np.zeros(b, dtype=bool)
        out[live[_any_bits(acc)]] = True
        return out


def _covers_brute(points: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Bool per column of ``xs``: some column of ``points`` is ``>=`` it in every row."""
    k, c = points.shape
    b = xs.shape[1]
    step = max(1, _TEMP_BYTES // max(1, c))
    out = np.empty(b, dtype=bool)
    for s in range(0, b, step):
        x = xs[:, s : s + step]
        geq = points[0][None, :] >= x[0][:, None]
        for j in range(1, k):
            geq &= points[j][None, :] >= x[j][:, None]
        geq.any(axis=1, out=out[s : s + step])
    return out


def _any_bits(acc: np.ndarray) -> np.ndarray:
    """Rows of a ``(b, w)`` uint64 array with a bit set (``.any(axis=1)`` is slow for small w)."""
    w = acc.shape[1]
    if w % 8 == 0:  # one byte per word, eight words per uint64
        acc = (acc != 0).view(np.uint64)
        w //= 8
    out = acc[:, 0].copy()
    for i in range(1, w):
        out |= acc[:, i]
    return out != 0


class _CountAtLeast:
    """How many of the sorted ``values`` are ``>= q``, for each query ``q``.

    ``np.searchsorted`` does this by binary search; a bucket table is faster. ``bucket(v) =
    floor((v - lo) * scale)`` is monotone in ``v``, so the values in buckets below ``q``'s are
    ``< q`` and those in buckets above are ``> q``; only the few distinct values that share
    ``q``'s bucket are compared. Falls back to binary search when a bucket would hold more than
    ``_OCCUPANCY`` distinct values (values clustered at very different scales).
    """

    _OCCUPANCY = 4

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        self.nbytes = values.nbytes
        self.fast = False
        if values.size < _LOOKUP_MIN_VALUES:
            return
        new = np.empty(values.size, dtype=bool)
        new[0] = True
        np.not_equal(values[1:], values[:-1], out=new[1:])
        distinct = values[new]
        lo, hi = float(distinct[0]), float(distinct[-1])
        nb = min(_BUCKETS * distinct.size, 2**16)
        span = hi - lo
        if not (span > 0 and np.isfinite(span)):
            return
        scale = (nb - 1) / span
        if not np.isfinite(scale):
            return
        per_bucket = np.bincount(((distinct - lo) * scale).astype(np.intp), minlength=nb)
        occupancy = int(per_bucket.max())
        if occupancy > self._OCCUPANCY:
            return
        self.fast = True
        self.lo, self.scale, self.top = lo, scale, float(nb - 1)
        self.occupancy = occupancy
        # first[g]: distinct values in buckets below g; at_least[d]: values >= distinct[d]
        self.first = (np.cumsum(per_bucket) - per_bucket).astype(np.int32)
        self.distinct = np.append(distinct, np.inf)
        below = np.append(np.flatnonzero(new), values.size)  # values < distinct[d]
        self.at_least = (values.size - below).astype(np.int32)
        self.nbytes += self.first.nbytes + self.distinct.nbytes + self.at_least.nbytes

    def __call__(self, q: np.ndarray) -> np.ndarray:
        if not self.fast:
            return self.values.size - np.searchsorted(self.values, q)
        t = q - self.lo
        t *= self.scale
        np.minimum(t, self.top, out=t)
        np.maximum(t, 0.0, out=t)
        d = self.first[t.astype(np.intp)]  # every distinct value below q's bucket is < q
        for _ in range(self.occupancy):
            d += self.distinct[d] < q  # sorted, so this stops at the first value >= q
        return self.at_least[d]


def _elimination_survivors(cols: np.ndarray) -> np.ndarray:
    """Indices of the columns of ``cols`` not dominated by a few strong rows (LESS-style filter).

    Candidates are the frontier of the ``_FILTER_POOL`` rows with the highest sums. On a fixed
    sample of rows, a greedy set cover picks those that dominate the most sampled rows not yet
    dominated, while each still removes at least 1/64 of the sample; each pick then costs one
    vectorised pass over the remaining rows. A row ``<=`` a point and with a smaller sum is
    dominated by it (equal sums are left to the exact stage, so a point never removes its twins).
    """
    k, n = cols.shape
    total = cols.sum(axis=0)
    size = min(n, _FILTER_POOL)
    pool = np.argpartition(total, n - size)[n - size :]
    pool = pool[_exact_mask(cols[:, pool])]
    # A fixed low-discrepancy (Weyl) sample of the rows, so results and timings are repeatable.
    sample = (np.arange(min(n, _FILTER_SAMPLE)) * 0.6180339887498949 % 1.0 * n).astype(np.intp)
    covers = total[pool][:, None] > total[sample][None, :]
    for j in range(k):
        covers &= cols[j, pool][:, None] >= cols[j, sample][None, :]
    pool_cols, pool_total = cols[:, pool], total[pool]
    index = np.arange(n)
    alive = np.ones(n, dtype=bool)
    hit, tmp = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
    dead = 0
    for _ in range(_FILTER_POINTS):
        gain = covers.sum(axis=1)
        best = int(gain.argmax())
        if 64 * gain[best] < sample.size:
            break
        covers &= ~covers[best]
        np.less(total, pool_total[best], out=hit)
        for j in range(k):
            hit &= np.less_equal(cols[j], pool_cols[j, best], out=tmp)
        hit &= alive
        alive ^= hit
        dead += int(np.count_nonzero(hit))
        if 4 * dead > alive.size:  # compact before the next pass
            keep = np.flatnonzero(alive)
            cols, total, index = cols[:, keep], total[keep], index[keep]
            alive = np.ones(keep.size, dtype=bool)
            hit, tmp = np.empty_like(alive), np.empty_like(alive)
            dead = 0
    return index[alive]
