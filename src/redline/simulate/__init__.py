"""Negotiation simulation: protocols, strategies and acceptance conditions on batched arrays.

The interface (other parts build on it):

* **The batched negotiation space** (:mod:`redline.simulate.space`,
  :class:`~redline.simulate.space.NegotiationSpace`): for ``B`` negotiations, ``A`` agents and
  ``N`` outcomes, ``utilities (B, A, N)``, ``reservation (B, A)`` (the outside option's utility)
  and ``allowed (B, A, N)`` bool (the agent's hard red lines: outcomes its own rules reject are
  never offered nor accepted by it). ``utilities`` and ``allowed`` may have a leading axis of 1
  (shared by the whole batch). Built by :func:`~redline.simulate.space.from_scenario` (draws of
  the uncertain inputs give the batch axis), :func:`~redline.simulate.space.from_domain` (a
  Genius folder or a claim branch) or :func:`~redline.simulate.space.from_tables` (raw utility
  tables, e.g. NegMAS's own values). Outcomes are packages in ``itertools.product`` order.
* **Strategies** (:mod:`redline.simulate.strategies`): ``parse("boulware")``,
  ``parse("aspiration:2@next|time:0.95~frequency")`` (bidding ``NAME[:params]``, acceptance
  condition ``@``, :mod:`redline.simulate.acceptance`, opponent model ``~``).
* **Protocols** (:mod:`redline.simulate.protocols`): ``simulate(space, strategies,
  protocol="sao"|"stacked"|"single-text", steps=100, seed=0, breakdown=0.0, trace=False,
  models=None)`` returns a :class:`~redline.simulate.result.SimulationResult`: per negotiation
  ``agreement (B,)`` (outcome index, -1 none), ``step (B,)`` (steps taken, as NegMAS's
  ``state.step``), ``utilities (B, A)``, ``reason (B,)`` (codes into
  :data:`~redline.simulate.result.REASONS`: agreement, deadline, ended, breakdown, red_line,
  outside_option), ``blocker (B,)`` (which rule or outside option stopped the talks) and, with
  ``trace=True``, ``trace (B, T)`` the outcome offered at each turn.
* **Opponent models** (:mod:`redline.simulate.opponents`, where present): objects with
  ``init(space) -> state``, ``update(state, offers (B,), t) -> state`` and
  ``estimate(state) -> (B, N)`` estimated opponent utility; ``models`` maps a name to a factory
  (``opponents.MODELS``).

SAO follows NegMAS 0.16's ``SAOMechanism``: agent 0 offers first; every turn of step ``k`` is at
relative time ``(k + 1) / (steps + 1)``; a time-based agent's target is scaled to its utility
range and it offers the lowest outcome at or above it (the presorting inverter's ``worst_in``).
To replay NegMAS's runs exactly, build the space with ``ties="negmas"``
(``from_tables(utilities, reservation, ties="negmas")``, NegMAS's own utility values): outcomes
of equal utility are then ordered as NegMAS's unstable ``argsort`` orders them on this machine,
or, on any machine, as its inverters did when the run was made if their recorded orders are
passed (``negmas_orders=[{"rational": ..., "all": ...}, ...]``, one per agent: numpy's SIMD
sort orders ties by the CPU's instruction set). That reproduces the endings of all 140 runs of
tests/data/negmas (time-based and naive tit-for-tat, 100 and 1000 steps), offer for offer
except where six Energy runs round one target differently; the default ``ties="index"``
(stable, batch-independent) reproduces 102 of them.
docs/simulate.md describes the protocols and strategies with their sources and the differences
from NegMAS.
"""

from redline.simulate.acceptance import Condition
from redline.simulate.protocols import PROTOCOLS, simulate
from redline.simulate.result import REASONS, SimulationResult
from redline.simulate.space import NegotiationSpace, from_domain, from_scenario, from_tables
from redline.simulate.strategies import Strategy, parse

__all__ = ["PROTOCOLS", "REASONS", "Condition", "NegotiationSpace", "SimulationResult",
           "Strategy", "from_domain", "from_scenario", "from_tables", "parse", "simulate"]
