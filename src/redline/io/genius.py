"""Genius / ANAC XML domains (as used by Genius and NegMAS), in and out.

Reading follows Genius 10.4's own semantics for linear-additive profiles
(``genius.core.utility.AdditiveUtilitySpace``):

* ``u(bid) = sum_i w_i * e_i(v_i)`` with the weights as written (not renormalised);
* a discrete evaluation is divided by the issue's largest evaluation (0 if that is below 1e-5);
* an integer issue's evaluation is ``clip(slope * (v - lowerbound) + offset, 0, 1)``;
* the reservation value is the disagreement point (0 when absent); discount factors are ignored.

XML is parsed with defusedxml. Non-linear profiles (e.g. hyper-rectangle utilities) and real-valued
issues are refused with a clear error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as safe_et
import numpy as np
from defusedxml import DefusedXmlException

from redline.errors import FormatError, SpaceTooLargeError, listing
from redline.files import read_bytes
from redline.io.atomic import write_bytes
from redline.scenario.model import MAX_OPTIONS_PER_ISSUE
from redline.space.domain import Domain, IssueSpace, approximate
from redline.space.engine import DEFAULT_MAX_PACKAGES, check_sizes

MAX_XML_BYTES = 20_000_000
# Genius weights are shares of 1 (the Laptop profiles sum to 1.00005): farther from 1, a warning.
WEIGHT_SUM_TOLERANCE = 0.01
# Above this the utilities (and products of gains) stop meaning anything; refused.
MAX_WEIGHT_SUM = 1000.0
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d{1,100}")


@dataclass(frozen=True)
class _Issue:
    index: str
    name: str
    kind: str  # discrete | integer
    labels: tuple[str, ...]  # integer issues: empty until expanded
    lower: int = 0
    upper: int = 0


def is_genius_folder(path: Path) -> bool:
    """Whether ``path`` is a folder holding XML files (a Genius domain with its profiles)."""
    return path.is_dir() and any(path.glob("*.xml"))


def _read(path: Path) -> bytes:
    """The bytes of one XML file (a regular file of at most :data:`MAX_XML_BYTES`)."""
    return read_bytes(path, limit=MAX_XML_BYTES, error=FormatError,
                      hint="Genius domain and profile files are well under a megabyte")


def _parse(path: Path, data: bytes):
    try:
        return safe_et.fromstring(data)
    except DefusedXmlException as error:
        raise FormatError(f"refused unsafe XML ({type(error).__name__})", file=str(path),
                          hint="entity declarations and external references are not allowed"
                          ) from None
    except safe_et.ParseError as error:
        line = getattr(error, "position", (None,))[0]
        raise FormatError(f"XML syntax error: {error}", file=str(path), line=line) from None


_XML_STARTS = (
    # (how the file starts, its encoding, whether that start is a byte-order mark to skip):
    # the marks, then XML's autodetection of "<" in UTF-16/32 without one (XML 1.0, appendix F)
    (b"\x00\x00\xfe\xff", "utf-32-be", True), (b"\xff\xfe\x00\x00", "utf-32-le", True),
    (b"\xef\xbb\xbf", "utf-8", True), (b"\xfe\xff", "utf-16-be", True),
    (b"\xff\xfe", "utf-16-le", True), (b"\x00\x00\x00<", "utf-32-be", False),
    (b"<\x00\x00\x00", "utf-32-le", False), (b"\x00<", "utf-16-be", False),
    (b"<\x00", "utf-16-le", False),
)


def _looks_like_xml(data: bytes) -> bool:
    """Whether ``data`` starts (after a byte-order mark and blanks) with ``<``, in UTF-8,
    UTF-16 or UTF-32 (a UTF-16 profile saved by a Windows editor is XML too)."""
    head = data[:512]
    for start, encoding, is_mark in _XML_STARTS:
        if head.startswith(start):
            text = head[len(start) if is_mark else 0:].decode(encoding, errors="ignore")
            return text.lstrip(" \t\r\n").startswith("<")
    return head.lstrip(b" \t\r\n").startswith(b"<")


def _is_profile(root) -> bool:
    return root.find(".//weight") is not None or root.find(".//item[@evaluation]") is not None \
        or root.find(".//evaluator") is not None or root.find(".//reservation") is not None \
        or (root.tag == "utility_space" and root.get("type") not in (None, ""))


def _number(text: str | None, *, file: str, where: str, low: float | None = None,
            high: float | None = None, default: float | None = None) -> float:
    """A finite decimal number from an XML attribute, checked against ``[low, high]``.

    ``where`` names the element and attribute (``issue[index=1]/item[value=red]@evaluation``).
    Anything else (``1e999``, ``nan``, ``--1``, ``1_0``) is one clear :class:`FormatError`.
    """
    if text is None:
        if default is not None:
            return default
        raise FormatError("missing number", file=file, field=where)
    stripped = text.strip()
    value = float(stripped) if _DECIMAL.fullmatch(stripped) else None
    if value is None and stripped.lower().lstrip("+-") not in ("inf", "infinity", "nan"):
        raise FormatError(f"{text!r} is not a number", file=file, field=where,
                          hint="write a plain decimal number such as 0.25")
    if value is None or not math.isfinite(value):
        raise FormatError(f"{text!r} is not a finite number", file=file, field=where,
                          hint="write a plain decimal number such as 0.25")
    if (low is not None and value < low) or (high is not None and value > high):
        span = (f"[{low:g}, {high:g}]" if low is not None and high is not None
                else f">= {low:g}" if low is not None else f"<= {high:g}")
        raise FormatError(f"{text.strip()} is out of range (must be {span})", file=file,
                          field=where)
    return value


def _bound(node, attribute: str, name: str, file: str) -> int:
    text = (node.get(attribute) or "").strip()
    where = f"issue[name={name}]@{attribute}"
    if not _INTEGER.fullmatch(text):
        raise FormatError(f"{text!r} is not a whole number", file=file, field=where,
                          hint="integer issues need whole-number lowerbound and upperbound")
    return int(text)


def _issues(root, file: str) -> list[_Issue]:
    """The domain's issues; integer ranges are checked before anything is expanded."""
    out: list[_Issue] = []
    names: dict[str, str] = {}
    indices: dict[str, str] = {}
    for node in root.iter("issue"):
        kind = (node.get("type") or node.get("etype") or node.get("vtype") or "").lower()
        index = (node.get("index") or "").strip()
        name = node.get("name") or f"issue{index}"
        where = f"issue[name={name}]"
        if not index:
            raise FormatError("issue has no index", file=file, field=where,
                              hint="every issue needs a unique index attribute")
        if name in names:
            raise FormatError(f"issue name {name!r} is used twice", file=file, field=where,
                              hint="every issue needs a unique name")
        if index in indices:
            raise FormatError(f"issue index {index} is used by {indices[index]!r} and "
                              f"{name!r}", file=file, field=where,
                              hint="every issue needs a unique index")
        names[name], indices[index] = index, name
        if kind == "discrete":
            labels = tuple(item.get("value", "") for item in node.findall("item"))
            if not labels:
                raise FormatError(f"discrete issue {name!r} has no items", file=file,
                                  field=where)
            repeated = sorted({label for label in labels if labels.count(label) > 1})
            if repeated:
                raise FormatError(f"item value {repeated[0]!r} is listed twice", file=file,
                                  field=where, hint="every item of an issue needs its own value")
            out.append(_Issue(index, name, "discrete", labels))
        elif kind == "integer":
            lower = _bound(node, "lowerbound", name, file)
            upper = _bound(node, "upperbound", name, file)
            if upper < lower:
                raise FormatError(f"upperbound {upper} is below lowerbound {lower}", file=file,
                                  field=where)
            count = upper - lower + 1
            if count > MAX_OPTIONS_PER_ISSUE:
                raise SpaceTooLargeError(
                    f"integer issue {name!r} has {approximate(count)} values "
                    f"({lower} to {upper}), above the limit of {MAX_OPTIONS_PER_ISSUE:,} "
                    "options per issue", file=file, field=where,
                    hint="narrow the range, or model the issue as a discrete issue with "
                    "fewer values")
            # Labels are built only after every issue's size is checked (see read_genius_folder).
            out.append(_Issue(index, name, "integer", (), lower, upper))
        else:
            raise FormatError(f"issue {name!r} has unsupported type {kind or 'none'!r}",
                              file=file, field=where,
                              hint="only discrete and integer issues are supported")
    if not out:
        raise FormatError("no issues found", file=file)
    return out


def _sizes(issues: list[_Issue]) -> list[tuple[str, int]]:
    return [(issue.name, len(issue.labels) if issue.kind == "discrete"
             else issue.upper - issue.lower + 1) for issue in issues]


def _expanded(issue: _Issue) -> _Issue:
    if issue.kind == "discrete":
        return issue
    return replace(issue, labels=tuple(str(v) for v in range(issue.lower, issue.upper + 1)))


def _actor_ids(domain_name: str, profile_files: list[Path]) -> tuple[str, ...]:
    """Profile file stems without the domain's own prefix (``travel_chox`` -> ``chox``).

    The writer names profiles ``<domain>-<actor>.xml``, so ids survive export and import. The
    prefix is dropped only when every profile has it and the ids left are distinct.
    """
    stems = [p.stem for p in profile_files]
    prefix = domain_name.lower()
    rest = [stem[len(prefix) + 1:] for stem in stems
            if stem.lower().startswith(prefix) and stem[len(prefix):len(prefix) + 1] in "-_"
            and len(stem) > len(prefix) + 1]
    if prefix and len(rest) == len(stems) and len(set(rest)) == len(rest):
        return tuple(rest)
    return tuple(stems)


def _domain_name(domain_file: Path) -> str:
    stem = domain_file.stem
    for suffix in ("-domain", "_domain"):
        if stem.lower().endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return stem


def read_genius_folder(folder: str | Path, profiles: list[str] | None = None, *,
                       max_packages: int = DEFAULT_MAX_PACKAGES) -> Domain:
    """Read a Genius domain folder: one domain XML and one linear-additive profile per party.

    Parameters
    ----------
    folder
        The folder holding the domain XML and the profiles.
    profiles
        Profile file names to use, in this order (default: every profile, by file name).
    max_packages
        Refuse domains with more packages (checked before any table is built).

    Returns
    -------
    Domain
        Actor ids are the profile file stems without the domain's name as prefix. Utilities are
        ``sum_i w_i * e_i`` with the weights as written (Genius semantics); profiles whose
        weights do not sum to 1 are listed in ``notes["warnings"]``.

    Raises
    ------
    FormatError
        For any number that is not finite, parseable and in range (reservation in [0, 1],
        weights and evaluations >= 0), duplicate or mismatched issues, and missing parts.
    SpaceTooLargeError
        When an integer issue or the whole package space exceeds its limit.
    """
    folder = Path(folder)
    # Genius folders may hold non-XML side files named .xml (e.g. a pareto.xml of numbers).
    # Each file is read once, as a capped regular file (a FIFO or a symlink loop is refused).
    contents = {f: _read(f) for f in sorted(folder.glob("*.xml"))}
    files = [f for f, data in contents.items() if _looks_like_xml(data)]
    if not files:
        raise FormatError("no XML files in the folder", file=str(folder))
    parsed = {f: _parse(f, contents.pop(f)) for f in files}
    domain_files = [f for f, root in parsed.items() if not _is_profile(root)]
    profile_files = [f for f, root in parsed.items() if _is_profile(root)]
    for f in profile_files:
        kind = parsed[f].get("type")
        if kind and kind.lower() not in ("linear", "additive"):
            raise FormatError(
                f"unsupported profile type {kind!r}", file=str(f),
                hint="only linear-additive Genius profiles can be read "
                "(hyper-rectangle/non-linear utilities are not supported)",
            )
    if profiles:
        chosen = [folder / p for p in profiles]
        missing = [str(p) for p in chosen if p not in parsed]
        if missing:
            raise FormatError(f"profile {missing[0]} not found", file=str(folder))
        profile_files = chosen
    if len(domain_files) != 1:
        names = listing(f.name for f in domain_files) or "none"
        raise FormatError(f"expected exactly one domain file, found {names}", file=str(folder),
                          hint="a Genius folder holds one domain XML and one profile per party")
    if len(profile_files) < 2:
        raise FormatError("need at least two profiles", file=str(folder))
    domain_file = domain_files[0]
    issues = _issues(parsed[domain_file], str(domain_file))
    try:
        check_sizes(_sizes(issues), max_packages)
    except SpaceTooLargeError as error:
        raise error.located(file=str(domain_file)) from None
    issues = [_expanded(issue) for issue in issues]
    tables = [np.zeros((len(issue.labels), len(profile_files))) for issue in issues]
    reservation = np.zeros(len(profile_files))
    warnings: list[str] = []
    for a, pfile in enumerate(profile_files):
        weights = _profile(parsed[pfile], issues, str(pfile), tables, a)
        total = sum(weights)  # inf when it overflows: refused below
        if total > MAX_WEIGHT_SUM:
            raise FormatError(
                f"the weights sum to {total:.3g}, above the limit of {MAX_WEIGHT_SUM:g}",
                file=str(pfile), field="weight",
                hint="Genius weights are shares of 1; divide them by their sum")
        if total == 0.0:
            warnings.append(f"{pfile}: every weight is 0, so every package is worth 0 to "
                            "this profile")
        elif abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            warnings.append(
                f"{pfile}: the weights sum to {total:.6g}, not 1; they are used as written "
                f"(as Genius does), so utilities run from 0 to {total:.6g}")
        res = parsed[pfile].find(".//reservation")
        if res is not None:
            reservation[a] = _number(res.get("value"), file=str(pfile),
                                     where="reservation@value", low=0.0, high=1.0, default=0.0)
    spaces = tuple(
        IssueSpace(
            id=issue.name, name=issue.name, labels=issue.labels,
            values=np.linspace(0, 100, len(issue.labels)) if len(issue.labels) > 1
            else np.array([50.0]),
        )
        for issue in issues
    )
    name = _domain_name(domain_file)
    actors = _actor_ids(name, profile_files)
    return Domain(
        issues=spaces, actors=actors, actor_names=actors, tables=tuple(tables),
        disagreement=reservation, name=name,
        notes={"format": "genius", "domain_file": domain_file.name,
               "profiles": [p.name for p in profile_files], "warnings": warnings},
    )


def _profile(root, issues: list[_Issue], file: str, tables: list[np.ndarray],
             actor: int) -> list[float]:
    """Fill column ``actor`` of ``tables`` from one profile; returns its weights."""
    nodes: dict[str, object] = {}
    for node in root.iter("issue"):
        index = (node.get("index") or "").strip()
        if index in nodes:
            raise FormatError(f"issue index {index} is given twice", file=file,
                              field=f"issue[index={index}]")
        nodes[index] = node
    weights: dict[str, str | None] = {}
    for w in root.iter("weight"):
        index = (w.get("index") or "").strip()
        if index in weights:
            raise FormatError(f"weight index {index} is given twice", file=file,
                              field=f"weight[index={index}]")
        weights[index] = w.get("value")
    known = {issue.index for issue in issues}
    for index in [*nodes, *weights]:
        if index not in known:
            raise FormatError(f"index {index} is not an issue of the domain", file=file,
                              field=f"issue[index={index}]",
                              hint=f"the domain's issue indices are {', '.join(sorted(known))}")
    out = []
    for k, issue in enumerate(issues):
        node = nodes.get(issue.index)
        if node is None:
            raise FormatError(f"profile has no issue with index {issue.index} "
                              f"({issue.name!r})", file=file)
        named = node.get("name")  # type: ignore[attr-defined]
        if named is not None and named != issue.name:
            raise FormatError(f"issue index {issue.index} is {named!r} here but "
                              f"{issue.name!r} in the domain", file=file,
                              field=f"issue[index={issue.index}]",
                              hint="the profile's issue indices must match the domain's")
        if issue.index not in weights:
            raise FormatError(f"missing weight for issue {issue.name!r}", file=file,
                              field=f"weight[index={issue.index}]")
        weight = _number(weights[issue.index], file=file, low=0.0,
                         where=f"weight[index={issue.index}]@value")
        tables[k][:, actor] = weight * _evaluations(issue, node, file)
        out.append(weight)
    return out


def _evaluations(issue: _Issue, node, file: str) -> np.ndarray:
    """Genius's evaluation of every option of ``issue``, in [0, 1]."""
    where = f"issue[index={issue.index}]"
    if issue.kind == "discrete":
        by_label: dict[str, float] = {}
        for item in node.findall("item"):
            label = item.get("value")
            if label not in issue.labels:
                raise FormatError(f"item {label!r} is not a value of issue {issue.name!r}",
                                  file=file, field=f"{where}/item[value={label}]")
            if label in by_label:
                raise FormatError(f"item {label!r} is given twice", file=file,
                                  field=f"{where}/item[value={label}]")
            by_label[label] = _number(item.get("evaluation"), file=file, low=0.0, default=0.0,
                                      where=f"{where}/item[value={label}]@evaluation")
        raw = np.array([by_label.get(label, 0.0) for label in issue.labels])
        top = raw.max()
        return raw / top if top >= 1e-5 else np.zeros_like(raw)
    evaluator = node.find("evaluator")
    if evaluator is None:
        raise FormatError(f"integer issue {issue.name!r} has no evaluator", file=file,
                          field=where)
    ftype = (evaluator.get("ftype") or "linear").lower()
    if ftype != "linear":
        raise FormatError(f"unsupported evaluator type {ftype!r} on issue {issue.name!r}",
                          file=file, field=f"{where}/evaluator@ftype")
    slope = _number(evaluator.get("slope"), file=file, default=0.0,
                    where=f"{where}/evaluator@slope")
    offset = _number(evaluator.get("offset"), file=file, default=0.0,
                     where=f"{where}/evaluator@offset")
    steps = np.arange(len(issue.labels), dtype=float)  # v - lowerbound
    with np.errstate(over="ignore"):  # huge slopes overflow to +-inf, which the clip maps
        value = slope * steps + offset
    return np.clip(value, 0.0, 1.0)


def genius_view(domain: Domain) -> Domain:
    """``domain`` as Genius can hold it, i.e. what :func:`write_genius_folder` writes.

    Genius has linear-additive profiles with a reservation value and nothing else: every profile
    is a party whose acceptance a deal needs, and there are no rules. So the rules (red lines,
    linkages, ratification) are dropped, and an actor without a veto gets reservation 0: it then
    accepts every package (its utilities are at least 0), as before, when its acceptance was not
    needed. Everything else (tables, ids, the vetoed actors' reservations) is kept.

    Parameters
    ----------
    domain
        Any domain with non-negative tables.

    Returns
    -------
    Domain
        The same issues and actors, no constraints, every actor a party.
    """
    reservation = np.where(domain.party_mask, domain.disagreement, 0.0)
    notes = {k: v for k, v in domain.notes.items() if k != "warnings"}
    return replace(domain, disagreement=reservation, parties=None, constraints=(),
                            notes=notes)


def genius_losses(domain: Domain) -> list[str]:
    """One line for each part of ``domain`` that a Genius folder cannot hold (see
    :func:`genius_view`); empty when the export is faithful. Long lists of ids are cut."""
    lines = []
    advisory = [(a, float(d)) for a, d, party in
                zip(domain.actors, domain.disagreement, domain.party_mask, strict=True)
                if not party]
    if advisory:
        lines.append(
            "Genius has no roles, so every profile is a party whose acceptance a deal needs; "
            "actors without a veto are written with reservation 0 so that they still accept "
            "every package: " + listing(f"{a} (outside option {d:g})" for a, d in advisory))
    by_kind: dict[str, list[str]] = {}
    for constraint in domain.constraints:
        by_kind.setdefault(constraint.kind.replace("_", " "), []).append(constraint.id)
    if by_kind:
        parts = "; ".join(f"{kind}: {listing(ids)}" for kind, ids in by_kind.items())
        lines.append(f"{len(domain.constraints)} rules have no Genius form and are not "
                     f"written ({parts})")
    return lines


def write_genius_folder(domain: Domain, folder: str | Path) -> list[Path]:
    """Write :func:`genius_view` of ``domain`` as a Genius domain XML and one profile per actor.

    Files are ``<name>-domain.xml`` and ``<name>-<actor>.xml``; :func:`read_genius_folder`
    strips the prefix again, so actor ids and file names survive any number of export/import
    rounds. Each issue's weight is the actor's largest value on it and the evaluations are the
    values divided by that weight, so reading the folder back gives the same utilities.
    :func:`genius_losses` says what is not written.

    Parameters
    ----------
    domain
        The domain to write (tables >= 0, reservations in [0, 1]).
    folder
        Created if needed; files are written atomically.

    Returns
    -------
    list of Path
        The domain file, then one profile per actor.
    """
    domain = genius_view(domain)
    folder = Path(folder)
    name = _safe(domain.name or "domain")
    files = [_safe(actor) for actor in domain.actors]
    clash = sorted({f for f in files if files.count(f) > 1 or f == "domain"})
    if clash:
        raise FormatError(f"actor ids give the same file name {name}-{clash[0]}.xml",
                          file=str(folder), hint="rename the actors so their ids differ "
                          "in letters, digits, '-', '_' or '.' (and none is 'domain')")
    written = []
    template = Element("negotiation_template")
    space = SubElement(template, "utility_space", number_of_issues=str(len(domain.issues)))
    objective = SubElement(space, "objective", index="0", name=name, type="objective",
                           etype="objective", description="")
    for k, issue in enumerate(domain.issues, start=1):
        node = SubElement(objective, "issue", index=str(k), name=issue.id, type="discrete",
                          etype="discrete", vtype="discrete")
        for j, label in enumerate(issue.labels, start=1):
            SubElement(node, "item", index=str(j), value=label)
    written.append(write_bytes(folder / f"{name}-domain.xml", _xml(template)))
    for a, file in enumerate(files):
        root = Element("utility_space")
        objective = SubElement(root, "objective", index="0", name=name, type="objective",
                               etype="objective", description="")
        for k, (issue, table) in enumerate(zip(domain.issues, domain.tables, strict=True),
                                           start=1):
            weight = float(table[:, a].max())
            evaluation = table[:, a] / weight if weight > 0 else np.zeros(issue.size)
            node = SubElement(objective, "issue", index=str(k), name=issue.id, type="discrete",
                              etype="discrete", vtype="discrete")
            for j, (label, value) in enumerate(zip(issue.labels, evaluation, strict=True),
                                               start=1):
                SubElement(node, "item", index=str(j), value=label, evaluation=repr(float(value)))
        for k, table in enumerate(domain.tables, start=1):
            SubElement(objective, "weight", index=str(k), value=repr(float(table[:, a].max())))
        SubElement(root, "discount_factor", value="1.0")
        SubElement(root, "reservation", value=repr(float(domain.disagreement[a])))
        written.append(write_bytes(folder / f"{name}-{file}.xml", _xml(root)))
    return written


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def _xml(root: Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8")
