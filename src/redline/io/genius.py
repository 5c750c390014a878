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

from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as safe_et
import numpy as np
from defusedxml import DefusedXmlException

from redline.errors import FormatError, listing
from redline.files import read_bytes
from redline.io.atomic import write_bytes
from redline.space.domain import Domain, IssueSpace

MAX_XML_BYTES = 20_000_000


@dataclass(frozen=True)
class _Issue:
    index: str
    name: str
    kind: str  # discrete | integer
    labels: tuple[str, ...]
    numbers: tuple[int, ...] = ()
    lower: int = 0


def is_genius_folder(path: Path) -> bool:
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


def _issues(root, file: str) -> list[_Issue]:
    out = []
    for node in root.iter("issue"):
        kind = (node.get("type") or node.get("etype") or node.get("vtype") or "").lower()
        name = node.get("name") or f"issue{node.get('index')}"
        if kind == "discrete":
            labels = tuple(item.get("value", "") for item in node.findall("item"))
            if not labels:
                raise FormatError(f"discrete issue {name!r} has no items", file=file)
            out.append(_Issue(node.get("index", ""), name, "discrete", labels))
        elif kind == "integer":
            try:
                lower, upper = int(node.get("lowerbound")), int(node.get("upperbound"))
            except (TypeError, ValueError):
                raise FormatError(f"integer issue {name!r} needs integer lowerbound and "
                                  "upperbound", file=file) from None
            if upper < lower:
                raise FormatError(f"integer issue {name!r}: upperbound < lowerbound", file=file)
            numbers = tuple(range(lower, upper + 1))
            out.append(_Issue(node.get("index", ""), name, "integer",
                              tuple(str(v) for v in numbers), numbers, lower))
        else:
            raise FormatError(f"issue {name!r} has unsupported type {kind or 'none'!r}",
                              file=file, hint="only discrete and integer issues are supported")
    if not out:
        raise FormatError("no issues found", file=file)
    return out


def read_genius_folder(folder: str | Path, profiles: list[str] | None = None) -> Domain:
    """Read a Genius domain folder: one domain XML and one linear-additive profile per party.

    Profiles are taken in file-name order unless ``profiles`` names them.
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
    tables = [np.zeros((len(issue.labels), len(profile_files))) for issue in issues]
    reservation = np.zeros(len(profile_files))
    for a, pfile in enumerate(profile_files):
        root = parsed[pfile]
        weights = {w.get("index"): w.get("value") for w in root.iter("weight")}
        nodes = {node.get("index"): node for node in root.iter("issue")}
        for k, issue in enumerate(issues):
            node = nodes.get(issue.index)
            if node is None:
                raise FormatError(f"profile has no issue with index {issue.index} "
                                  f"({issue.name!r})", file=str(pfile))
            try:
                weight = float(weights.get(issue.index, "nan"))
            except ValueError:
                weight = float("nan")
            if not np.isfinite(weight):
                raise FormatError(f"missing or bad weight for issue {issue.name!r}",
                                  file=str(pfile), field=f"weight[index={issue.index}]")
            tables[k][:, a] = weight * _evaluations(issue, node, str(pfile))
        res = root.find(".//reservation")
        if res is not None:
            try:
                reservation[a] = float(res.get("value", "0"))
            except ValueError:
                raise FormatError("reservation value is not a number", file=str(pfile)) from None
    spaces = tuple(
        IssueSpace(
            id=issue.name, name=issue.name, labels=issue.labels,
            values=np.linspace(0, 100, len(issue.labels)) if len(issue.labels) > 1
            else np.array([50.0]),
        )
        for issue in issues
    )
    names = tuple(p.stem for p in profile_files)
    return Domain(
        issues=spaces, actors=names, actor_names=names, tables=tuple(tables),
        disagreement=reservation, name=domain_file.stem,
        notes={"format": "genius", "domain_file": domain_file.name,
               "profiles": [p.name for p in profile_files]},
    )


def _evaluations(issue: _Issue, node, file: str) -> np.ndarray:
    if issue.kind == "discrete":
        by_label = {}
        for item in node.findall("item"):
            try:
                by_label[item.get("value")] = float(item.get("evaluation", "0"))
            except ValueError:
                raise FormatError(f"evaluation of {item.get('value')!r} in issue "
                                  f"{issue.name!r} is not a number", file=file) from None
        raw = np.array([by_label.get(label, 0.0) for label in issue.labels])
        top = raw.max()
        return raw / top if top >= 1e-5 else np.zeros_like(raw)
    evaluator = node.find("evaluator")
    if evaluator is None:
        raise FormatError(f"integer issue {issue.name!r} has no evaluator", file=file)
    ftype = (evaluator.get("ftype") or "linear").lower()
    if ftype != "linear":
        raise FormatError(f"unsupported evaluator type {ftype!r} on issue {issue.name!r}",
                          file=file)
    slope = float(evaluator.get("slope", "0"))
    offset = float(evaluator.get("offset", "0"))
    numbers = np.array(issue.numbers, dtype=float)
    return np.clip(slope * (numbers - issue.lower) + offset, 0.0, 1.0)


def write_genius_folder(domain: Domain, folder: str | Path) -> list[Path]:
    """Write ``domain`` as a Genius domain XML plus one linear-additive profile per actor.

    Each issue's weight is the actor's largest value on it and the evaluations are the values
    divided by that weight, so reading the folder back gives the same utilities. Constraints
    (red lines, linkages, ratification) have no Genius form and are not written.
    """
    folder = Path(folder)
    name = _safe(domain.name or "domain")
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
    for a, actor in enumerate(domain.actors):
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
        written.append(write_bytes(folder / f"{name}-{_safe(actor)}.xml", _xml(root)))
    return written


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def _xml(root: Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8")
