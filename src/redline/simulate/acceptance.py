"""Acceptance conditions: when an agent takes the offer on the table.

Baarslag, Hindriks & Jonker, "Effective acceptance conditions in bilateral automated
negotiation", Decision Support Systems 60 (2014), compare these; the names are theirs:

* ``curve`` (the default of the time-based agents, NegMAS's ``TimeBasedNegotiator``): accept
  when the offer's utility reaches the agent's own current target;
* ``next`` (AC_next, alpha = 1, beta = 0): accept when the offer is worth at least what the agent
  would offer next;
* ``const:C`` (AC_const): accept when the offer is worth at least ``C``;
* ``time:T`` (AC_time): accept anything once the relative time reaches ``T``;
* combinations: ``A|B`` accepts when either does, ``A&B`` when both do (``&`` binds tighter),
  e.g. Baarslag's AC_combi ``next|time:0.98``.

A condition never overrides the hard limits: the protocol accepts only outcomes the agent's red
lines allow and that are worth at least its outside option, whatever the condition says.

Every condition works on whole arrays: ``accepts(u, t, mine, level)`` takes the offer's
utility ``u``, the relative time ``t``, the utility of the agent's own next offer ``mine`` and
its bidding strategy's target ``level``, all broadcastable, and returns a bool array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redline.errors import RedlineError

NAMES = ("curve", "next", "const", "time")


@dataclass(frozen=True)
class Condition:
    """One acceptance condition (see the module docstring)."""

    kind: str  # curve | next | const | time | any | all
    value: float = 0.0
    parts: tuple[Condition, ...] = ()

    def accepts(self, u: np.ndarray, t: np.ndarray | float, mine: np.ndarray,
                level: np.ndarray) -> np.ndarray:
        """Whether an offer worth ``u`` is taken (arrays broadcast together)."""
        if self.kind == "curve":
            return u >= level
        if self.kind == "next":
            return u >= mine
        if self.kind == "const":
            return u >= self.value
        if self.kind == "time":
            return np.broadcast_to(np.asarray(t) >= self.value, np.shape(u))
        results = [p.accepts(u, t, mine, level) for p in self.parts]
        combine = np.logical_or if self.kind == "any" else np.logical_and
        out = results[0]
        for r in results[1:]:
            out = combine(out, r)
        return out

    def __str__(self) -> str:
        if self.kind in ("curve", "next"):
            return self.kind
        if self.kind in ("const", "time"):
            return f"{self.kind}:{self.value:g}"
        return ("|" if self.kind == "any" else "&").join(str(p) for p in self.parts)


CURVE = Condition("curve")
NEXT = Condition("next")


def parse(text: str, where: str = "strategies") -> Condition:
    """An acceptance condition from its text (``next``, ``const:0.7``, ``next|time:0.98``).

    Raises
    ------
    RedlineError
        One line naming the bad part and the valid forms.
    """
    text = text.strip()
    if "|" in text:
        return Condition("any", parts=tuple(parse(p, where) for p in text.split("|")))
    if "&" in text:
        return Condition("all", parts=tuple(parse(p, where) for p in text.split("&")))
    name, _, value = text.partition(":")
    name = name.strip().lower().removeprefix("ac_")
    hint = "use curve, next, const:C, time:T, or combine them with | and &"
    if name not in NAMES:
        raise RedlineError(f"unknown acceptance condition {text!r}", field=where, hint=hint)
    if name in ("curve", "next"):
        if value:
            raise RedlineError(f"acceptance condition {name} takes no value", field=where,
                               hint=hint)
        return Condition(name)
    try:
        number = float(value)
    except ValueError:
        raise RedlineError(f"acceptance condition {name} needs a number, got {value!r}",
                           field=where, hint=hint) from None
    if not np.isfinite(number) or (name == "time" and not 0 <= number <= 1):
        raise RedlineError(f"acceptance condition {name}:{value} is out of range", field=where,
                           hint="time:T takes a relative time between 0 and 1")
    return Condition(name, number)
