"""Synthetic linear-additive domains for benchmarks (seeded, reproducible).

Each party has random weights (Dirichlet) and random per-option evaluations whose maximum per
issue is 1, like a Genius profile. Issue sizes are chosen so the package count is close to the
target.
"""

from __future__ import annotations

import numpy as np

from redline.space.domain import Domain, IssueSpace


def issue_sizes(target: int, per_issue: int = 10) -> list[int]:
    sizes = []
    total = 1
    while total * per_issue <= target:
        sizes.append(per_issue)
        total *= per_issue
    rest = target // total
    if rest > 1:
        sizes.append(int(rest))
    return sizes


def synthetic_domain(n_packages: int, n_parties: int, seed: int = 0) -> Domain:
    rng = np.random.default_rng(seed)
    sizes = issue_sizes(n_packages)
    weights = rng.dirichlet(np.ones(len(sizes)), size=n_parties)  # (parties, issues)
    tables = []
    issues = []
    for k, size in enumerate(sizes):
        evaluation = rng.random((size, n_parties))
        evaluation /= evaluation.max(axis=0, keepdims=True)
        tables.append(evaluation * weights[:, k][None, :])
        issues.append(IssueSpace(f"i{k}", f"i{k}", tuple(f"v{j}" for j in range(size)),
                                 np.linspace(0, 100, size)))
    return Domain(issues=tuple(issues), actors=tuple(f"p{i + 1}" for i in range(n_parties)),
                  tables=tuple(tables), disagreement=np.zeros(n_parties),
                  name=f"synthetic-{n_parties}p-{n_packages}")
