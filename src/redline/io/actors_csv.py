"""Read a plain one-issue actor table (CSV).

The file needs a header row with these columns, in any order, case-insensitive; the aliases
in brackets are accepted too:

* ``actor`` [``name``]: a non-empty, unique name;
* ``capability`` [``power``, ``clout``, ``weight``]: a number >= 0, and not every actor 0;
* ``position`` [``pos``, ``x``]: any finite number (the scale is the user's: years, 0-100...);
* ``salience`` [``sal``, ``importance``]: a number in [0, 1], or in [0, 100] when the column is
  written on a percentage scale: if any salience exceeds 1, *all* of them are read as 0-100
  and divided by 100 (then any above 100 is an error).

Extra columns are ignored. Blank lines are skipped. Every error names the file, the line and
the column. ``tests/data/bdm/eu_car_emissions_1994_actors.csv`` is an example of this format
(``Actor,Capability,Position,Salience``).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from redline.errors import FormatError
from redline.files import MAX_TABLE_BYTES, read_text
from redline.forecast.base import scale_hint, scale_problem

ALIASES = {
    "actor": ("actor", "name"),
    "capability": ("capability", "power", "clout", "weight"),
    "position": ("position", "pos", "x"),
    "salience": ("salience", "sal", "importance"),
}


@dataclass(frozen=True)
class ActorTable:
    """One issue: ``capability (n,)``, ``position (n, 1)``, ``salience (n, 1)`` in [0, 1]."""

    actors: tuple[str, ...]
    dimensions: tuple[str, ...]
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray


def _columns(header: list[str], file: str) -> dict[str, int]:
    lowered = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for key, names in ALIASES.items():
        hits = [k for k, h in enumerate(lowered) if h in names]
        if not hits:
            raise FormatError(f"missing column {key!r}", file=file, line=1, field=key,
                              hint=f"the header needs {', '.join(ALIASES)} (any order)")
        if len(hits) > 1:
            raise FormatError(f"more than one column for {key!r}", file=file, line=1,
                              field=key)
        found[key] = hits[0]
    return found


def read_actors_csv(path: str | Path, *, dimension: str | None = None) -> ActorTable:
    """Read the actor table at ``path``; ``dimension`` names the issue (default: file stem)."""
    path = Path(path)
    file = str(path)
    text = read_text(path, limit=MAX_TABLE_BYTES, error=FormatError,
                     hint="an actor table is a few kilobytes; check that this is the right file")
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise FormatError("the file is empty; it needs a header row", file=file, line=1)
        cols = _columns(header, file)
        rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except csv.Error as error:
        raise FormatError(f"cannot parse: {error}", file=file) from None
    if not rows:
        raise FormatError("no actors below the header", file=file, line=2)
    names: list[str] = []
    seen: dict[str, int] = {}
    values: dict[str, list[float]] = {"capability": [], "position": [], "salience": []}
    lines: list[int] = []
    for line, row in rows:
        if len(row) < len(header):
            raise FormatError(f"{len(row)} fields, the header has {len(header)}", file=file,
                              line=line)
        name = row[cols["actor"]].strip()
        if not name:
            raise FormatError("empty actor name", file=file, line=line, field="actor")
        if name in seen:
            raise FormatError(f"actor {name!r} already given on line {seen[name]}", file=file,
                              line=line, field="actor")
        seen[name] = line
        names.append(name)
        lines.append(line)
        for key in values:
            text = row[cols[key]].strip()
            try:
                value = float(text)
            except ValueError:
                raise FormatError(f"not a number: {text!r}", file=file, line=line,
                                  field=header[cols[key]].strip()) from None
            if not math.isfinite(value):
                raise FormatError(f"not a finite number: {text!r}", file=file, line=line,
                                  field=header[cols[key]].strip())
            values[key].append(value)
    capability = np.array(values["capability"])
    position = np.array(values["position"])
    salience = np.array(values["salience"])
    cap_name, sal_name = header[cols["capability"]].strip(), header[cols["salience"]].strip()
    for k, value in enumerate(capability):
        if value < 0:
            raise FormatError(f"capability {value:g} is negative", file=file, line=lines[k],
                              field=cap_name)
    if not np.any(capability > 0):
        raise FormatError("every capability is 0", file=file, line=lines[0], field=cap_name)
    percent = bool(np.any(salience > 1))
    high = 100.0 if percent else 1.0
    for k, value in enumerate(salience):
        if value < 0 or value > high:
            raise FormatError(f"salience {value:g} is outside [0, {high:g}]", file=file,
                              line=lines[k], field=sal_name,
                              hint="saliences are 0-1, or 0-100 for the whole column")
    if percent:
        salience = salience / 100.0
    for key, column in (("capability", capability), ("position", position),
                        ("salience", salience)):
        for k, value in enumerate(column):
            problem = scale_problem(float(value), key, rows[k][1][cols[key]].strip())
            if problem is not None:
                raise FormatError(problem, file=file, line=lines[k],
                                  field=header[cols[key]].strip(), hint=scale_hint(key))
    return ActorTable(
        actors=tuple(names),
        dimensions=(dimension or path.stem,),
        capability=capability,
        position=position[:, None],
        salience=salience[:, None],
    )
