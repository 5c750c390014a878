"""Probabilities of claims from the reliability of their sources.

A source with reliability ``r`` reports what is true with probability ``r`` (and denies what is
true with probability ``1 - r``). Starting from even odds and treating sources as independent
witnesses (naive Bayes), each source that reports a claim multiplies its odds of being true by
``r / (1 - r)`` and each source that denies it divides them by the same factor:

    odds = prod_{reporters} r / (1 - r) * prod_{deniers} (1 - r) / r,   P = odds / (1 + odds).

A source without a stated reliability counts as 0.5 (it moves nothing). Reliabilities are kept
within [0.001, 0.999] so that one source can never make a claim certain. A claim's own
``probability`` overrides all of this.
"""

from __future__ import annotations

from redline.scenario.model import Claim, Scenario

RELIABILITY_FLOOR = 0.001


def claim_probability(claim: Claim, reliability: dict[str, float | None]) -> float:
    """The probability that ``claim`` is true: its own ``probability`` if given, else by Bayes' rule
    from even odds: each source that reports it multiplies the odds by ``r / (1 - r)`` and each that
    denies it divides them (``r``: the source's reliability in ``reliability``, 0.5 if unknown, kept
    within ``RELIABILITY_FLOOR`` of 0 and 1)."""
    if claim.probability is not None:
        return float(claim.probability)
    odds = 1.0

    def factor(source: str) -> float:
        r = reliability.get(source)
        r = 0.5 if r is None else min(max(r, RELIABILITY_FLOOR), 1 - RELIABILITY_FLOOR)
        return r / (1 - r)

    for source in claim.reported_by:
        odds *= factor(source)
    for source in claim.denied_by:
        odds /= factor(source)
    return odds / (1 + odds)


def claim_probabilities(scenario: Scenario) -> dict[str, float]:
    """The probability of every claim of ``scenario`` (:func:`claim_probability`)."""
    reliability = {s.id: s.reliability for s in scenario.sources}
    return {c.id: claim_probability(c, reliability) for c in scenario.claims}
