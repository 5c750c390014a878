"""The package space in blocks, built by broadcasting instead of decoding every package.

A block is a run of consecutive package numbers ``[start, stop)`` made of whole "tails": the
trailing issues vary fastest, so ``stop - start`` is a multiple of the tail size ``M`` (the number
of combinations of the trailing issues). A block's utilities are built issue by issue, in issue
order, as ``U_j = U_{j-1} (+) T_j`` (every pairing, by broadcasting): the same sums, in the same
order, as adding the issues' table rows one by one, at the cost of about one addition per package
and actor (:func:`redline.space.kernel.combine`, which builds a sweep's utilities too). Option
indices are made only for the issues a rule looks at, on demand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from redline.space.domain import Domain
from redline.space.kernel import combine
from redline.space.packages import decode, strides


@dataclass
class BlockOptions:
    """Option indices of a block, made column by column on demand (``options[:, issue]``)."""

    prefix: np.ndarray  # (P, n_issues) options of the block's prefixes (leading issues)
    radices: np.ndarray
    split: int  # first trailing issue
    tail: int  # M, combinations of the trailing issues
    _cache: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        """``(packages, issues)``, like the array of options it stands for."""
        return (self.prefix.shape[0] * self.tail, self.radices.size)

    def __getitem__(self, key: tuple) -> np.ndarray:
        rows, issue = key
        if rows != slice(None):
            raise IndexError("BlockOptions supports options[:, issue] only")
        if issue not in self._cache:
            if issue < self.split:
                column = np.repeat(self.prefix[:, issue], self.tail)
            else:
                inner = int(np.prod(self.radices[issue + 1:], dtype=np.int64))
                pattern = np.repeat(np.arange(self.radices[issue], dtype=np.int64), inner)
                column = np.tile(pattern, self.shape[0] // pattern.size)
            self._cache[issue] = column
        return self._cache[issue]


@dataclass(frozen=True)
class Block:
    """Packages ``[start, stop)``: their utilities and, on demand, their options."""

    start: int
    stop: int
    utilities: np.ndarray  # (stop - start, n_actors)
    options: BlockOptions

    @property
    def indices(self) -> np.ndarray:
        """The block's package numbers."""
        return np.arange(self.start, self.stop, dtype=np.int64)


def split_point(radices: np.ndarray, target: int) -> int:
    """First trailing issue such that the trailing combinations fit in ``target`` packages."""
    split = radices.size - 1
    tail = int(radices[-1])
    while split > 0 and tail * int(radices[split - 1]) <= target:
        split -= 1
        tail *= int(radices[split])
    return split


def blocks(domain: Domain, target: int) -> Iterator[Block]:
    """Blocks of about ``target`` packages (at least one tail) covering the whole space."""
    radices = domain.radices
    tables = [np.asarray(t, dtype=float) for t in domain.tables]
    split = split_point(radices, target)
    tail = int(np.prod(radices[split:], dtype=np.int64))
    n_prefixes = int(np.prod(radices[:split], dtype=np.int64))
    per_block = max(1, target // tail)
    for first in range(0, n_prefixes, per_block):
        last = min(n_prefixes, first + per_block)
        prefix = np.zeros((last - first, radices.size), dtype=np.int64)
        if split:
            prefix[:, :split] = decode(np.arange(first, last, dtype=np.int64), radices[:split])
        utilities = tables[0][prefix[:, 0]] if split else tables[0]
        for j in range(1, split):
            utilities = utilities + tables[j][prefix[:, j]]
        # The trailing issues, every combination: the kernel's sums with one draw.
        utilities = combine([t[None] for t in tables[max(split, 1):]], utilities[None])[0]
        if not split:
            utilities = np.array(utilities, dtype=float, copy=True)
        yield Block(first * tail, last * tail, utilities,
                    BlockOptions(prefix, radices, split, tail))


__all__ = ["Block", "BlockOptions", "blocks", "split_point", "strides"]
