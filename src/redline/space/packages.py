"""Packages as mixed-radix numbers.

A package picks one option per issue. With radices ``r_0, ..., r_{k-1}`` (options per issue) and
the first issue most significant, package ``p`` has option ``(p // stride_j) % r_j`` on issue
``j``, where ``stride_j = r_{j+1} * ... * r_{k-1}``. This is ``itertools.product`` order.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def strides(radices: np.ndarray) -> np.ndarray:
    """Place values of each digit (issue), first issue most significant."""
    radices = np.asarray(radices, dtype=np.int64)
    out = np.ones_like(radices)
    if radices.size > 1:
        out[:-1] = np.cumprod(radices[::-1])[::-1][1:]
    return out


def decode(indices: np.ndarray, radices: np.ndarray) -> np.ndarray:
    """Option indices, shape ``(len(indices), n_issues)``, of the given package numbers."""
    indices = np.asarray(indices, dtype=np.int64)
    radices = np.asarray(radices, dtype=np.int64)
    return (indices[:, None] // strides(radices)[None, :]) % radices[None, :]


def encode(options: np.ndarray, radices: np.ndarray) -> np.ndarray:
    """Package numbers of option-index rows (inverse of :func:`decode`)."""
    options = np.asarray(options, dtype=np.int64)
    return options @ strides(radices)


def chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` ranges covering ``range(total)`` in pieces of at most ``size``."""
    size = max(1, int(size))
    for start in range(0, total, size):
        yield start, min(total, start + size)
