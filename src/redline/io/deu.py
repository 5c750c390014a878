"""Read the DEU III data (Decision-making in the European Union) and Council voting weights.

The TSV (as prepared in github.com/blksv/predictioneers_game) has one row per contested issue:
identification columns (``prnr`` proposal, ``isnr`` issue, ...), then for every actor a
position column ``p<code>`` and a salience column ``s<code>`` (0-100; empty = unknown), the
reference point ``rp`` (the status quo, 0-100, often empty) and the observed outcome ``out``
(0-100, empty = none). Actor codes are those with both a ``p`` and an ``s`` column: ``com``
(Commission), ``ep`` (Parliament) and the member states.

The first data row of that file holds GDP figures in the actor columns and no proposal or issue
id; a first data row without ``prnr`` and ``isnr`` is skipped for that reason. Any later row
without them is an error. Values must be numbers in [0, 100] (GDP is not checked).

The voting-weights CSV has columns ``actor`` and ``weight`` (Nice-treaty Council votes).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from redline.errors import FormatError
from redline.files import MAX_TABLE_BYTES, read_text
from redline.forecast.base import scale_hint, scale_problem

ID_COLUMNS = ("prnr", "isnr")
INSTITUTIONS = ("com", "ep")


@dataclass(frozen=True)
class DEUData:
    """DEU issues as arrays. Missing values are ``NaN``; all values on 0-100."""

    actors: tuple[str, ...]  # actor codes, e.g. "com", "ep", "de"
    proposals: tuple[str, ...]  # (n_issues,) proposal id (``prnr``)
    issues: tuple[str, ...]  # (n_issues,) issue id (``isnr``)
    positions: np.ndarray  # (n_issues, n_actors)
    saliences: np.ndarray  # (n_issues, n_actors)
    outcomes: np.ndarray  # (n_issues,)
    reference_points: np.ndarray  # (n_issues,) status quo (``rp``)
    capability: np.ndarray | None = None  # (n_actors,) voting weights, if read
    source: str = ""
    proposal_names: tuple[str, ...] = ()  # (n_issues,) short name (``prname``), else prnr

    @property
    def groups(self) -> tuple[str, ...]:
        """The unit of resampling: the proposal's short name (``prname``) where present.

        Distinct acts can share one (three ``rail`` proposals, two ``VAT`` ones): the public
        file has 89 proposal ids but 82 names, and the README counts 82 proposals, so related
        acts are kept together.
        """
        return self.proposal_names or self.proposals

    @property
    def has_outcome(self) -> np.ndarray:
        """``(n_issues,)`` whether the issue has an observed outcome."""
        return np.isfinite(self.outcomes)


def _bound(value: float | None, unbounded: str) -> str:
    return unbounded if value is None else f"{value:g}"


def _number(text: str, *, file: str, line: int, column: str, low: float | None = 0.0,
            high: float | None = 100.0) -> float:
    text = text.strip()
    if text == "":
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise FormatError(f"not a number: {text!r}", file=file, line=line,
                          field=column) from None
    if not math.isfinite(value):
        raise FormatError(f"not a finite number: {text!r}", file=file, line=line, field=column)
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"[{_bound(low, '-inf')}, {_bound(high, 'inf')}]"
        raise FormatError(f"value {text} is outside {span}", file=file, line=line,
                          field=column)
    return value


def _salience(text: str, *, file: str, line: int, column: str) -> float:
    """A salience on 0-100 (NaN when empty) that the models can compute with as a fraction."""
    value = _number(text, file=file, line=line, column=column)
    problem = None if math.isnan(value) else scale_problem(value / 100.0, "salience",
                                                            text.strip())
    if problem is not None:
        raise FormatError(problem, file=file, line=line, field=column,
                          hint=scale_hint("salience"))
    return value


def _open_rows(path: Path, delimiter: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    file = str(path)
    text = read_text(path, limit=MAX_TABLE_BYTES, error=FormatError,
                     hint="DEU tables are tens of kilobytes; check that this is the right file")
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise FormatError("the file is empty", file=file, line=1) from None
        rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except csv.Error as error:
        raise FormatError(f"cannot parse: {error}", file=file) from None
    return [h.strip() for h in header], rows


def read_deu(path: str | Path, weights: str | Path | Mapping[str, float] | None = None, *,
             institution_weight: float = 29.0) -> DEUData:
    """Read a DEU III TSV file.

    With ``weights`` (a voting-weights CSV path or a mapping), ``capability`` is filled:
    member states get their voting weight, the Commission and the Parliament
    ``institution_weight`` (29, the largest Council weight, as in the reference compromise
    model).
    """
    path = Path(path)
    file = str(path)
    header, rows = _open_rows(path, "\t")
    column = {name: k for k, name in enumerate(header)}
    for required in (*ID_COLUMNS, "out"):
        if required not in column:
            raise FormatError(f"missing column {required!r}", file=file, line=1,
                              field=required,
                              hint="is this the DEU III tab-separated file?")
    actors = tuple(name[1:] for name in header
                   if name.startswith("p") and len(name) > 1 and "s" + name[1:] in column)
    if not actors:
        raise FormatError("no actor columns (p<code> with a matching s<code>)", file=file,
                          line=1)
    p_cols = [column["p" + a] for a in actors]
    s_cols = [column["s" + a] for a in actors]
    rp_col = column.get("rp")
    name_col = column.get("prname")
    positions, saliences, outcomes, refs, proposals, issues = [], [], [], [], [], []
    names: list[str] = []
    for index, (line, row) in enumerate(rows):
        if len(row) != len(header):
            raise FormatError(f"{len(row)} fields, the header has {len(header)}", file=file,
                              line=line)
        prnr, isnr = row[column["prnr"]].strip(), row[column["isnr"]].strip()
        if not prnr or not isnr:
            if index == 0:  # the GDP row of the prepared file
                continue
            missing = "prnr" if not prnr else "isnr"
            raise FormatError("row without a proposal or issue id", file=file, line=line,
                              field=missing)
        positions.append([_number(row[k], file=file, line=line, column=header[k])
                          for k in p_cols])
        saliences.append([_salience(row[k], file=file, line=line, column=header[k])
                          for k in s_cols])
        outcomes.append(_number(row[column["out"]], file=file, line=line, column="out"))
        refs.append(math.nan if rp_col is None else
                    _number(row[rp_col], file=file, line=line, column="rp"))
        proposals.append(prnr)
        issues.append(isnr)
        names.append((row[name_col].strip() if name_col is not None else "") or prnr)
    if not issues:
        raise FormatError("no issues in the file", file=file)
    capability = None
    if weights is not None:
        table = weights if isinstance(weights, Mapping) else read_voting_weights(weights)
        capability = capabilities(actors, table, institution_weight=institution_weight,
                                  source=None if isinstance(weights, Mapping) else str(weights))
    return DEUData(
        actors=actors,
        proposals=tuple(proposals),
        issues=tuple(issues),
        positions=np.array(positions, dtype=float),
        saliences=np.array(saliences, dtype=float),
        outcomes=np.array(outcomes, dtype=float),
        reference_points=np.array(refs, dtype=float),
        capability=capability,
        source=file,
        proposal_names=tuple(names),
    )


def read_voting_weights(path: str | Path) -> dict[str, float]:
    """Read ``actor,weight`` rows (e.g. ``nice_voting_weights.csv``)."""
    path = Path(path)
    file = str(path)
    header, rows = _open_rows(path, ",")
    lowered = [h.lower() for h in header]
    if "actor" not in lowered or "weight" not in lowered:
        raise FormatError("the header must have columns 'actor' and 'weight'", file=file,
                          line=1)
    a_col, w_col = lowered.index("actor"), lowered.index("weight")
    table: dict[str, float] = {}
    for line, row in rows:
        if len(row) != len(header):
            raise FormatError(f"{len(row)} fields, the header has {len(header)}", file=file,
                              line=line)
        actor = row[a_col].strip().lower()
        if not actor:
            raise FormatError("empty actor", file=file, line=line, field="actor")
        if actor in table:
            raise FormatError(f"actor {actor!r} listed twice", file=file, line=line,
                              field="actor")
        value = _number(row[w_col], file=file, line=line, column="weight", high=None)
        if math.isnan(value) or value <= 0:
            raise FormatError("weight must be a positive number", file=file, line=line,
                              field="weight")
        problem = scale_problem(value, "capability", row[w_col].strip())
        if problem is not None:
            raise FormatError(problem, file=file, line=line, field="weight",
                              hint=scale_hint("capability"))
        table[actor] = value
    if not table:
        raise FormatError("no weights in the file", file=file)
    return table


def capabilities(actors: tuple[str, ...], weights: Mapping[str, float], *,
                 institution_weight: float = 29.0, source: str | None = None) -> np.ndarray:
    """Capability per actor: voting weights, and ``institution_weight`` for com/ep."""
    out = []
    for actor in actors:
        if actor in INSTITUTIONS:
            out.append(float(institution_weight))
        elif actor in weights:
            out.append(float(weights[actor]))
        else:
            raise FormatError(f"no voting weight for actor {actor!r}", file=source,
                              field="actor", hint="add it to the voting-weights file")
    return np.array(out, dtype=float)
