"""Read and write KTAB's SMP scenario CSV files.

The format (KTAB, KAPSARC, MIT licence; ``examples/smp/libsrc/smpread.cpp``):

* row 1: scenario name, description, number of actors, number of dimensions;
* row 2: a header: ``Actor, Description, <power>, <dim 1> position, <dim 1> salience, ...``;
* then one row per actor: ``name, description, power, pos1, sal1, pos2, sal2, ...``.

Positions and saliences are on 0-100 and each actor's saliences add up to at most 100. KTAB's
own files differ in small ways, and all are accepted: padding spaces around fields, quoted
fields, a trailing comma (or several) on every row, CRLF line ends, a byte-order mark, and extra
fields after the dimension count on row 1 (``dummyData_6Dim.csv`` has a stray ``0`` there, which
KTAB ignores too). Blank lines are skipped.

:class:`KtabData` keeps saliences as fractions in [0, 1] (KTAB divides by 100 on reading as well),
which is what :class:`redline.forecast.smp.SMPModel` takes.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from redline.errors import FormatError
from redline.files import MAX_TABLE_BYTES, read_text
from redline.forecast.base import scale_hint, scale_problem
from redline.io.atomic import write_text

__all__ = ["KtabData", "read_ktab_csv", "write_ktab_csv"]

_SALIENCE_SUM_TOLERANCE = 1e-6  # on the 0-100 scale


@dataclass(frozen=True)
class KtabData:
    """One KTAB SMP scenario.

    ``capability`` (n,), ``position`` (n, d) on 0-100, ``salience`` (n, d) as fractions in [0, 1]
    (the file's 0-100 values divided by 100).
    """

    name: str
    description: str
    actors: tuple[str, ...]
    descriptions: tuple[str, ...]
    dimensions: tuple[str, ...]
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray

    @property
    def n_actors(self) -> int:
        """The number of actors."""
        return len(self.actors)

    @property
    def n_dims(self) -> int:
        """The number of dimensions (issues)."""
        return len(self.dimensions)


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, stripped fields without trailing empties) for every non-blank record."""
    text = read_text(path, limit=MAX_TABLE_BYTES, error=FormatError,
                     hint="a KTAB table is a few kilobytes; check that this is the right file")
    out: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    line = 1
    try:
        for record in reader:
            fields = [f.strip() for f in record]
            while fields and fields[-1] == "":
                fields.pop()
            if fields:
                out.append((line, fields))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FormatError(f"malformed CSV: {exc}", file=str(path), line=reader.line_num) from None
    return out


def _number(
    text: str, *, path: Path, line: int, column: int, label: str, what: str
) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FormatError(
            f"{what} {text!r} is not a number",
            file=str(path),
            line=line,
            field=f"column {column} ({label})",
            hint="write a plain decimal number such as 42.5",
        ) from None
    if not math.isfinite(value):
        raise FormatError(
            f"{what} {text!r} is not a finite number",
            file=str(path),
            line=line,
            field=f"column {column} ({label})",
            hint="write a plain decimal number such as 42.5",
        )
    return value


def _count(text: str, *, path: Path, line: int, column: int, label: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 1:
        raise FormatError(
            f"{label} {text!r} is not a positive whole number",
            file=str(path),
            line=line,
            field=f"column {column} ({label})",
            hint="row 1 is: scenario name, description, number of actors, number of dimensions",
        )
    return value


def _percent(fields: list[str], column: int, header: list[str], p: Path, line: int,
             what: str) -> float:
    """The number in 1-based ``column``, which must lie on the 0-100 scale."""
    value = _number(fields[column - 1], path=p, line=line, column=column,
                    label=header[column - 1], what=what)
    if not 0.0 <= value <= 100.0:
        raise FormatError(
            f"{what} {fields[column - 1]} is outside 0-100",
            file=str(p),
            line=line,
            field=f"column {column} ({header[column - 1]})",
            hint=f"{what}s are on a 0-100 scale",
        )
    return value


def _in_scale(value: float, what: str, text: str, p: Path, line: int, column: int,
              label: str) -> None:
    """Refuse a number the models cannot compute with (:func:`scale_problem`)."""
    problem = scale_problem(value, what, text)
    if problem is not None:
        raise FormatError(problem, file=str(p), line=line, field=f"column {column} ({label})",
                          hint=scale_hint(what))


def read_ktab_csv(path: str | os.PathLike[str]) -> KtabData:
    """Read a KTAB SMP CSV scenario; every problem is a :class:`FormatError` with its location."""
    p = Path(path)
    rows = _rows(p)
    if not rows:
        raise FormatError("the file is empty", file=str(p), hint="see KTAB's SMP CSV format")
    line1, first = rows[0]
    if len(first) < 4:
        raise FormatError(
            f"row 1 has {len(first)} fields; expected name, description, actor count and "
            "dimension count",
            file=str(p),
            line=line1,
            hint="e.g. 'My scenario,What it is about,13,2'",
        )
    n = _count(first[2], path=p, line=line1, column=3, label="actor count")
    d = _count(first[3], path=p, line=line1, column=4, label="dimension count")
    width = 3 + 2 * d
    if len(rows) < 2:
        raise FormatError(
            "the header row is missing", file=str(p), line=line1 + 1,
            hint="row 2 names the columns: Actor, Description, Power, then a position and a "
            "salience column per dimension",
        )
    line2, header = rows[1]
    if len(header) != width:
        raise FormatError(
            f"the header has {len(header)} columns but row 1 announces {d} dimension(s), "
            f"which needs {width} (3 + 2 per dimension)",
            file=str(p),
            line=line2,
            hint="fix the dimension count in row 1 or the header's position/salience columns",
        )
    dimensions = tuple(header[3 + 2 * k] for k in range(d))
    body = rows[2:]
    if len(body) != n:
        span = f" (lines {body[0][0]}-{body[-1][0]})" if body else ""
        raise FormatError(
            f"row 1 announces {n} actor(s) but the file has {len(body)} actor row(s){span}",
            file=str(p),
            line=line1,
            field="column 3 (actor count)",
            hint="fix the actor count in row 1, or add/remove actor rows",
        )
    names: list[str] = []
    descs: list[str] = []
    cap = np.empty(n)
    pos = np.empty((n, d))
    sal = np.empty((n, d))
    for i, (line, fields) in enumerate(body):
        if len(fields) != width:
            raise FormatError(
                f"actor row has {len(fields)} fields; the header has {width}",
                file=str(p),
                line=line,
                hint="each actor row is: name, description, power, then position and salience "
                "for every dimension",
            )
        name = fields[0]
        if not name:
            raise FormatError(
                "actor name is empty", file=str(p), line=line, field="column 1 (Actor)",
                hint="give every actor a short unique name",
            )
        if name in names:
            raise FormatError(
                f"actor name {name!r} is used twice (first on line "
                f"{body[names.index(name)][0]})",
                file=str(p),
                line=line,
                field="column 1 (Actor)",
                hint="actor names must be unique",
            )
        names.append(name)
        descs.append(fields[1])
        c = _number(fields[2], path=p, line=line, column=3, label=header[2], what="power")
        if c <= 0.0:
            raise FormatError(
                f"power {fields[2]} must be positive",
                file=str(p),
                line=line,
                field=f"column 3 ({header[2]})",
                hint="give every actor a capability above 0; drop actors with none",
            )
        _in_scale(c, "capability", fields[2], p, line, 3, header[2])
        cap[i] = c
        total = 0.0
        for k in range(d):
            x = _percent(fields, 4 + 2 * k, header, p, line, "position")
            s = _percent(fields, 5 + 2 * k, header, p, line, "salience")
            _in_scale(s / 100.0, "salience", fields[4 + 2 * k], p, line, 5 + 2 * k,
                      header[4 + 2 * k])
            total += s
            pos[i, k] = x
            sal[i, k] = s
        if total > 100.0 + _SALIENCE_SUM_TOLERANCE:
            raise FormatError(
                f"saliences add up to {total:g}, more than 100",
                file=str(p),
                line=line,
                field=f"columns 5-{3 + 2 * d} (saliences)",
                hint="an actor's saliences are shares of its attention; scale them to sum to "
                "100 or less",
            )
        if total <= 0.0:
            raise FormatError(
                "all saliences are 0",
                file=str(p),
                line=line,
                field=f"columns 5-{3 + 2 * d} (saliences)",
                hint="an actor that cares about no dimension takes no part; remove it or give "
                "it some salience",
            )
    return KtabData(
        name=first[0],
        description=first[1],
        actors=tuple(names),
        descriptions=tuple(descs),
        dimensions=dimensions,
        capability=cap,
        position=pos,
        salience=sal / 100.0,
    )


def _fmt(value: float) -> str:
    # 15 significant digits: exact for numbers read from text, and hides the last-bit noise
    # of multiplying fractions by 100.
    text = format(float(value), ".15g")
    return text


def write_ktab_csv(
    path: str | os.PathLike[str],
    data: KtabData,
    *,
    power_label: str = "Power",
    salience_labels: Sequence[str] | None = None,
) -> None:
    """Write ``data`` as a KTAB SMP CSV file, atomically (temporary file, then ``os.replace``).

    Position columns are named after ``data.dimensions``; salience columns are ``"<dim>
    Salience"`` unless ``salience_labels`` are given. Saliences are written on 0-100.
    """
    p = Path(path)
    n, d = data.n_actors, data.n_dims
    pos = np.asarray(data.position, dtype=float).reshape(n, d)
    sal = np.asarray(data.salience, dtype=float).reshape(n, d) * 100.0
    cap = np.asarray(data.capability, dtype=float).reshape(n)
    labels = (
        list(salience_labels) if salience_labels is not None
        else [f"{dim} Salience" for dim in data.dimensions]
    )
    if len(labels) != d:
        raise ValueError(f"need {d} salience labels, got {len(labels)}")
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([data.name, data.description, n, d])
    head = ["Actor", "Description", power_label]
    for dim, lab in zip(data.dimensions, labels, strict=True):
        head += [dim, lab]
    writer.writerow(head)
    for i in range(n):
        row = [data.actors[i], data.descriptions[i], _fmt(cap[i])]
        for k in range(d):
            row += [_fmt(pos[i, k]), _fmt(sal[i, k])]
        writer.writerow(row)
    write_text(p, buf.getvalue())
