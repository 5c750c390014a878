"""What a batch of simulated negotiations ends with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redline.simulate.space import NegotiationSpace

AGREED, DEADLINE, ENDED, BREAKDOWN, RED_LINE, OUTSIDE_OPTION = range(6)
REASONS = ("agreement", "deadline", "ended", "breakdown", "red_line", "outside_option")
"""Why each negotiation stopped, by code: an agreement; the deadline passed; an agent had
nothing it could offer (every outcome across its red lines or below its outside option) and
ended the talks; a probabilistic breakdown; the deadline passed and the last offer on the table
was refused because of a red line, or because it was worth less than an outside option."""


@dataclass(frozen=True)
class SimulationResult:
    """Per negotiation of a batch of ``B``.

    Attributes
    ----------
    agreement
        ``(B,)`` the agreed outcome, ``-1`` for none.
    step
        ``(B,)`` steps (rounds) taken, counting the one that ended the talks, as NegMAS's
        ``state.step`` after the run (the deadline ``steps`` when it passed).
    utilities
        ``(B, A)`` each agent's utility: of the agreement, or its outside option.
    reason
        ``(B,)`` codes into :data:`REASONS`.
    blocker
        ``(B,)`` index into ``blockers`` (the red line or outside option named as what stopped
        the talks), ``-1`` where none is.
    blockers
        Labels: ``rule id`` of the agents' rules, then ``ACTOR:outside_option`` per agent.
    trace
        ``(B, T)`` outcome offered at each turn (``-1``: no offer at that turn), or ``None``.
    offerer
        ``(T,)`` which agent moved at each turn (with ``trace``), or ``None``.
    protocol, strategies, steps
        What was run.
    space
        The negotiation space.
    """

    agreement: np.ndarray
    step: np.ndarray
    utilities: np.ndarray
    reason: np.ndarray
    blocker: np.ndarray
    blockers: tuple[str, ...]
    protocol: str
    strategies: tuple[str, ...]
    steps: int
    space: NegotiationSpace
    trace: np.ndarray | None = None
    offerer: np.ndarray | None = None

    @property
    def size(self) -> int:
        """``B``."""
        return int(self.agreement.shape[0])

    @property
    def agreed(self) -> np.ndarray:
        """``(B,)`` bool."""
        return self.agreement >= 0

    def reasons(self) -> list[str]:
        """Each negotiation's reason, as text."""
        return [REASONS[int(c)] for c in self.reason]


def settle(space: NegotiationSpace, agreement: np.ndarray) -> np.ndarray:
    """``(B, A)`` each agent's utility of ``agreement`` (its outside option where ``-1``)."""
    u = space.utilities
    idx = np.maximum(agreement, 0)
    if u.shape[0] == 1:
        got = u[0][:, idx].T
    else:
        got = np.take_along_axis(u, idx[:, None, None], axis=-1)[..., 0]
    return np.where((agreement >= 0)[:, None], got, space.reservation)


def blocker_labels(space: NegotiationSpace) -> tuple[str, ...]:
    """The labels :attr:`SimulationResult.blocker` indexes: rules, then outside options."""
    return (tuple(r.id for r in space.rules)
            + tuple(f"{a}:outside_option" for a in space.actors))


def explain(space: NegotiationSpace, last: np.ndarray, failed: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """What stopped the failed negotiations: the first rule (in order) of an agent that rejects
    another agent's last offer, else an outside option such an offer falls short of.

    Parameters
    ----------
    last
        ``(B, A)`` each agent's last offer (``-1`` for none).
    failed
        ``(B,)`` bool: the rows to explain.

    Returns
    -------
    reason, blocker : numpy.ndarray
        ``(B,)`` :data:`RED_LINE`, :data:`OUTSIDE_OPTION` or :data:`DEADLINE`, and the index
        into :func:`blocker_labels` (``-1`` for none).
    """
    size, n_agents = last.shape
    blocker = np.full(size, -1, dtype=np.int64)
    reason = np.full(size, DEADLINE, dtype=np.int64)
    rows = np.arange(size)
    for proposer in range(n_agents):
        offers = last[:, proposer]
        idx = np.maximum(offers, 0)
        has = failed & (offers >= 0)
        for k, rule in enumerate(space.rules):
            if rule.agent == proposer:
                continue
            rejects = rule.rejects
            hit = rejects[0][idx] if rejects.shape[0] == 1 else rejects[rows, idx]
            new = has & (blocker < 0) & hit
            blocker = np.where(new, k, blocker)
            reason = np.where(new, RED_LINE, reason)
    for proposer in range(n_agents):
        offers = last[:, proposer]
        has = failed & (offers >= 0) & (blocker < 0)
        u = settle(space, np.where(has, offers, -1))
        for a in range(n_agents):
            if a == proposer:
                continue
            short = has & (blocker < 0) & (u[:, a] < space.reservation[:, a])
            blocker = np.where(short, len(space.rules) + a, blocker)
            reason = np.where(short, OUTSIDE_OPTION, reason)
    return reason, blocker
