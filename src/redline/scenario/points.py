"""The points file of Adjusted Winner (``redline divide``): read once, safely, at the boundary.

``parties: [A, B]`` and ``items: {item: [a, b]}``, read with :mod:`redline.files` and parsed
with :mod:`redline.safe_yaml` (size cap :data:`MAX_POINTS_BYTES`, no duplicate keys, bounded
nodes); :func:`redline.space.fair_division.adjusted_winner` then divides the data.
"""

from __future__ import annotations

from pathlib import Path

from redline.errors import RedlineError
from redline.safe_yaml import load_yaml_file

MAX_POINTS_BYTES = 1_000_000
"""Size cap of a points file (a few hundred bytes in practice)."""

_SHAPE = "expected 'parties: [A, B]' and 'items: {item: [a, b]}'"


def load_points(path: str | Path) -> tuple[tuple[str, str], dict[str, list]]:
    """The two parties and each item's points, from a points YAML file.

    Parameters
    ----------
    path
        The file: ``parties: [A, B]`` and ``items: {item: [a, b]}``.

    Returns
    -------
    tuple
        ``((A, B), {item: [a, b]})``, the points as the file writes them (checked by
        :func:`redline.space.fair_division.adjusted_winner`).

    Raises
    ------
    RedlineError
        Naming the file: unreadable, too big, not YAML, or not of that shape.
    """
    path = Path(path)
    data = load_yaml_file(path, limit=MAX_POINTS_BYTES)
    if not isinstance(data, dict) or "items" not in data or "parties" not in data:
        raise RedlineError(_SHAPE, file=str(path))
    parties = data["parties"]
    items = data["items"]
    if not isinstance(parties, list) or len(parties) != 2 or not isinstance(items, dict):
        raise RedlineError(_SHAPE, file=str(path))
    try:
        return (str(parties[0]), str(parties[1])), {
            str(k): list(v) for k, v in items.items()
        }
    except TypeError:
        raise RedlineError("each item needs a list of two point values", file=str(path)) from None
