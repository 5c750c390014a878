"""Adjusted Winner: envy-free, equitable and efficient division between two parties.

Brams & Taylor, *Fair Division* (1996), ch. 4. Each party spreads 100 points over the items.

1. Each item goes to the party that values it more.
2. A tied item goes to the party that trails on the other items (by the points each has from
   the untied items); ties are handed out one by one, in the order given.
3. If the parties' totals differ, items move from the leader (A) to the other (B) in increasing
   order of the ratio ``a_i / b_i`` until the totals meet; the item at which they would cross is
   split, A keeping the fraction ``p`` that equalises ``A_rest + p a_i = B_rest + (1 - p) b_i``.

All arithmetic is exact (:class:`fractions.Fraction`). The division takes data (item ->
points); :func:`redline.scenario.points.load_points` reads them from a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from redline.errors import RedlineError


@dataclass(frozen=True)
class Division:
    """The result of Adjusted Winner: each party's share of each item and the totals."""
    parties: tuple[str, str]
    shares: dict[str, tuple[Fraction, Fraction]]  # item -> (share of party 0, share of party 1)
    totals: tuple[Fraction, Fraction]
    split_item: str | None

    def to_dict(self) -> dict:
        """The division as JSON-ready data (fractions as strings), as ``divide --json`` shows."""
        a, b = self.parties
        return {
            "parties": list(self.parties),
            "allocation": {
                item: {a: str(s[0]), b: str(s[1])} for item, s in self.shares.items()
            },
            "totals": {a: str(self.totals[0]), b: str(self.totals[1])},
            "totals_float": {a: float(self.totals[0]), b: float(self.totals[1])},
            "split_item": self.split_item,
        }


def adjusted_winner(
    points: Mapping[str, Sequence[float | int | Fraction | str]],
    parties: Sequence[str] = ("A", "B"),
) -> Division:
    """Divide ``points`` (item -> (points of party 0, points of party 1))."""
    if len(parties) != 2:
        raise RedlineError("Adjusted Winner needs exactly two parties", field="parties")
    values = {}
    for item, pair in points.items():
        if len(pair) != 2:
            raise RedlineError(f"item {item!r} needs two point values", field=f"items.{item}")
        try:
            a, b = Fraction(str(pair[0])), Fraction(str(pair[1]))
        except (ValueError, ZeroDivisionError):
            raise RedlineError(f"item {item!r}: points must be numbers",
                               field=f"items.{item}") from None
        if a < 0 or b < 0:
            raise RedlineError(f"item {item!r}: points must not be negative",
                               field=f"items.{item}")
        values[item] = (a, b)
    for k, party in enumerate(parties):
        total = sum(v[k] for v in values.values())
        if total != 100:
            raise RedlineError(f"{party}'s points sum to {float(total):g}, expected 100",
                               field="items", hint="each party spreads exactly 100 points")

    share: dict[str, Fraction] = {}  # fraction of each item held by party 0
    ties = []
    for item, (a, b) in values.items():
        if a == b:
            ties.append(item)
        else:
            share[item] = Fraction(1) if a > b else Fraction(0)

    def totals() -> tuple[Fraction, Fraction]:
        ta = sum(values[i][0] * s for i, s in share.items())
        tb = sum(values[i][1] * (1 - s) for i, s in share.items())
        return ta, tb

    for item in ties:
        ta, tb = totals()
        share[item] = Fraction(1) if ta < tb else Fraction(0)

    ta, tb = totals()
    split = None
    if ta != tb:
        leader = 0 if ta > tb else 1
        held = [i for i, s in share.items() if (s == 1 if leader == 0 else s == 0)]

        def ratio(item: str) -> Fraction:
            mine, theirs = values[item][leader], values[item][1 - leader]
            return mine / theirs if theirs else Fraction(10**18)

        for item in sorted(held, key=lambda i: (ratio(i), list(values).index(i))):
            a, b = values[item][leader], values[item][1 - leader]
            t_lead, t_other = (ta, tb) if leader == 0 else (tb, ta)
            # Leader keeps fraction p of the item: t_lead - (1-p) a = t_other + (1-p) b.
            rest_lead, rest_other = t_lead - a, t_other
            p = (rest_other + b - rest_lead) / (a + b)
            if p <= 0:  # moving the whole item still leaves the leader ahead or level
                share[item] = Fraction(0) if leader == 0 else Fraction(1)
                ta, tb = totals()
                if ta == tb:
                    break
                continue
            share[item] = p if leader == 0 else 1 - p
            split = item if 0 < p < 1 else None
            break
        ta, tb = totals()

    ordered = {item: (share[item], 1 - share[item]) for item in values}
    return Division((parties[0], parties[1]), ordered, (ta, tb), split)
