"""Seeded fuzzing of the five input loaders through the ``redline`` command line.

Usage::

    python benchmarks/fuzz_loaders.py [--cases 100] [--seed 0] [--timeout 20] [--workers 2]
                                      [--formats yaml,genius,ktab,csv,deu] [--out DIR]

Valid inputs from the repository (``examples/*.yaml``; Genius folders exported from them, a
small one with an integer issue and the ANAC domains of ``tests/data/genius``;
``tests/data/ktab/*.csv``; actor CSVs cut from those and ``tests/data/bdm``'s; seeded
synthetic DEU tables and ``tests/data/deu3``) are mutated with seeded mutations
(numbers to nan/inf/1e308/negatives/garbage, truncation, byte flips, repeated or deleted or
swapped lines, deep nesting, other encodings, blank padding, many more rows), and each case
runs in a subprocess with a wall-clock timeout and ``RLIMIT_AS`` (3 GB by default):

================  =====================================================================
format            command (the YAML command cycles with the case number)
================  =====================================================================
scenario YAML     ``check`` / ``analyze --json`` / ``sweep --draws 200 --json`` /
                  ``forecast --model compromise --json``
Genius folder     ``analyze . --json``
KTAB CSV          ``forecast --format ktab --model smp --json``
actor CSV         ``forecast --format csv --model bdm|bdm-scholz|median --json``
DEU TSV           ``validate deu --weights w.csv --model compromise --boot 200 --json``
================  =====================================================================

Each case is classified: OK (exit 0, output passes the checks) · CLEAN (exit 2, one stderr
line, no traceback) · UNCLEAN (exit 2, more lines) · CRASH (traceback or another exit code) ·
HANG (killed at the timeout) · OOM (MemoryError) · SILENT (exit 0 but the answer is wrong:
non-finite numbers, utilities or probabilities outside [0, 1], a forecast outside the actors'
range, stdout of 50 MB or more). CLEAN lines that name no input file are counted apart
("no file"), as are exit-0 runs whose input had a non-finite number ("nan in, exit 0").

Results go to ``DIR/results.jsonl``; the first case of every distinct failure signature is
kept in ``DIR/cases/`` with a ``meta.json``. The totals table is printed as Markdown.

The same case generator (``make_cases(..., light=True)``, mutations that stay small) drives the
fast in-process test ``tests/test_fuzz_loaders.py``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import math
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("yaml", "genius", "ktab", "csv", "deu")
CLASSES = ("OK", "CLEAN", "UNCLEAN", "CRASH", "HANG", "OOM", "SILENT")
MAX_STDOUT = 50_000_000
UTILITY_SLACK = 1e-4  # Genius weights "as written" may sum to 1.00005 in shipped profiles

YAML_COMMANDS = (["check"], ["analyze", "--json"],
                 ["sweep", "--draws", "200", "--json", "--no-progress"],
                 ["forecast", "--model", "compromise", "--json"])
CSV_MODELS = ("bdm", "bdm-scholz", "median")

NON_FINITE = (b"nan", b"NaN", b".nan", b"inf", b"-inf", b".inf", b"-.inf", b"1e999")
LIGHT_VALUES = NON_FINITE + (b"1e308", b"-1e308", b"1e-320", b"-1", b"-5", b"0", b"--1", b"",
                             b"1_0", b"0x1f", b"2")
HEAVY_VALUES = LIGHT_VALUES + (b"1e30", b"100000000", b"1000000", b"99999999999999999999")
INTERESTING_BYTES = b"\x00\x01\x1a\x7f\xff\xfe\"':,\t\n[{&*<>!%"
NUMBER = re.compile(rb"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")

# A two-issue Genius domain (one discrete, one integer issue), shared with the tests.
DOMAIN_XML = (ROOT / "tests" / "data" / "genius-tiny" / "domain.xml").read_bytes()
PROFILE_XML = """<utility_space><objective index="0" name="r" type="objective" etype="objective">
<issue index="1" name="colour" type="discrete"><item index="1" value="red" evaluation="{red}"/>
<item index="2" value="blue" evaluation="{blue}"/></issue>
<issue index="2" name="size" type="integer"><evaluator ftype="linear" slope="{slope}"
 offset="{offset}"/></issue><weight index="1" value="{w1}"/><weight index="2" value="{w2}"/>
</objective><reservation value="{reservation}"/></utility_space>
"""


@dataclass
class Case:
    """One fuzz case: files to write in a fresh folder and the command to run there."""

    fmt: str
    index: int
    files: dict[str, bytes]
    args: list[str]
    mutations: list[str] = field(default_factory=list)

    @property
    def input_names(self) -> tuple[str, ...]:
        """Names a CLEAN message may use for its file (the input, or the weights file)."""
        return (".", *self.files) if self.fmt == "genius" else tuple(self.files)


# ---------------------------------------------------------------- seeds (valid inputs)

def _export_genius(path: Path) -> dict[str, bytes]:
    from redline.io.genius import write_genius_folder
    from redline.pipeline import load

    with tempfile.TemporaryDirectory() as folder:
        written = write_genius_folder(load(path).domain, Path(folder) / "g")
        return {p.name: p.read_bytes() for p in written}


def _deu_table(rng: random.Random) -> dict[str, bytes]:
    states = ("de", "fr", "uk", "it", "lv", "nl")
    actors = ("com", "ep", *states)
    header = ["prnr", "isnr", "prname"] + [f"{p}{a}" for a in actors for p in "ps"] + ["rp",
                                                                                      "out"]
    rows = [["", "", ""] + [str(rng.randint(100, 3000)) for _ in actors for _ in "ps"] + ["",
                                                                                          ""]]
    for k in range(12):
        row = [f"p{k // 3}", f"i{k}", f"act{k // 3}"]
        for _ in actors:
            known = rng.random() > 0.15
            row += [str(rng.choice((0, 25, 50, 75, 100))) if known else "",
                    str(rng.choice((10, 50, 70, 90))) if known else ""]
        row += [str(rng.choice((0, 50, 100))) if rng.random() > 0.5 else "",
                str(rng.randint(0, 100)) if rng.random() > 0.1 else ""]
        rows.append(row)
    tsv = "\n".join("\t".join(r) for r in [header, *rows]) + "\n"
    weights = "actor,weight\n" + "".join(f"{s},{w}\n" for s, w in zip(
        states, (29, 29, 29, 29, 4, 13), strict=True))
    return {"d.tsv": tsv.encode(), "w.csv": weights.encode()}


def _ktab_to_actors(text: str) -> bytes:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    out = ["actor,capability,position,salience"]
    for line in lines[2:]:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) >= 5:
            out.append(f"{cells[0]},{cells[2]},{cells[3]},{float(cells[4]) / 100:g}")
    return ("\n".join(out) + "\n").encode()


def _folder(path: Path, pattern: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.glob(pattern))}


def seed_inputs(*, light: bool = False) -> dict[str, list[dict[str, bytes]]]:
    """Valid inputs of every format, from the repository or generated with a fixed seed.

    Without ``light`` the test data's ANAC Genius domains, the EC car-emissions actor table and
    the synthetic DEU III file (``tests/data``) are seeds too; they are larger and slower.
    """
    data = ROOT / "tests" / "data"
    scenarios = sorted(p for p in (ROOT / "examples").glob("*.yaml")
                       if "parties:" not in p.read_text(encoding="utf-8"))
    ktab = sorted((data / "ktab").glob("*.csv"))
    baseline = {"domain.xml": DOMAIN_XML,
                "p1.xml": PROFILE_XML.format(red=1, blue=0.5, slope=0.5, offset=0, w1=0.5,
                                             w2=0.5, reservation=0.2).encode(),
                "p2.xml": PROFILE_XML.format(red=0.3, blue=1, slope=-0.5, offset=1, w1=0.6,
                                             w2=0.4, reservation=0.1).encode()}
    seeds = {
        "yaml": [{"s.yaml": p.read_bytes()} for p in scenarios],
        "genius": [baseline] + [_export_genius(p) for p in scenarios],
        "ktab": [{"k.csv": p.read_bytes()} for p in ktab],
        "csv": [{"a.csv": _ktab_to_actors(p.read_text(encoding="utf-8"))} for p in ktab],
        "deu": [_deu_table(random.Random(seed)) for seed in (0, 1)],
    }
    if not light:
        seeds["genius"] += [_folder(p, "*.xml") for p in sorted((data / "genius").iterdir())
                            if p.is_dir() and not p.name.startswith("unsupported")]
        seeds["csv"] += [{"a.csv": p.read_bytes()} for p in sorted((data / "bdm").glob(
            "*_actors.csv"))]
        deu = data / "deu3"
        if (deu / "deu3_synthetic.tsv").exists():
            seeds["deu"].append({"d.tsv": (deu / "deu3_synthetic.tsv").read_bytes(),
                                 "w.csv": (deu / "nice_voting_weights.csv").read_bytes()})
    return seeds


# ---------------------------------------------------------------- mutations

def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _number(rng: random.Random, data: bytes, light: bool) -> tuple[bytes, str]:
    spots = list(NUMBER.finditer(data))
    if not spots:
        return data, "number:none"
    spot = rng.choice(spots)
    value = rng.choice(LIGHT_VALUES if light else HEAVY_VALUES)
    return data[:spot.start()] + value + data[spot.end():], \
        f"number:{spot.group().decode()}->{value.decode() or 'empty'}"


def _truncate(rng: random.Random, data: bytes, light: bool) -> tuple[bytes, str]:
    cut = rng.randrange(len(data) + 1)
    return data[:cut], f"truncate:{cut}"


def _flip(rng: random.Random, data: bytes, light: bool) -> tuple[bytes, str]:
    if not data:
        return data, "flip:empty"
    out = bytearray(data)
    spots = []
    for _ in range(rng.choice((1, 1, 2, 5))):
        k = rng.randrange(len(out))
        out[k] = rng.choice(INTERESTING_BYTES) if rng.random() < 0.7 else rng.randrange(256)
        spots.append(f"{k}={out[k]:02x}")
    return bytes(out), "flip:" + ",".join(spots)


def _repeat_line(rng: random.Random, data: bytes, light: bool) -> tuple[bytes, str]:
    lines = _lines(data)
    k = rng.randrange(len(lines))
    times = rng.choice((1, 2, 10) if light else (1, 2, 10, 100, 1000, 10_000))
    line = lines[k] if lines[k].endswith(b"\n") else lines[k] + b"\n"
    return b"".join(lines[:k] + [line] * (times + 1) + lines[k + 1:]), f"repeat_line:{k}x{times}"


def _delete_line(rng: random.Random, data: bytes, light: bool) -> tuple[bytes, str]:
    lines = _lines(data)
    k = rng.randrange(len(lines))
    return b"".join(lines[:k] + lines[k + 1:]), f"delete_line:{k}"


def _swap_lines(rng: random.Random, data: bytes, light: bool) -> tuple[bytes, str]:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines), f"swap_lines:{i},{j}"


def _copy_block(rng: random.Random, data: bytes, light: bool) -> tuple[bytes, str]:
    lines = _lines(data)
    start = rng.randrange(len(lines))
    stop = min(len(lines), start + rng.randint(1, 12))
    at = rng.randrange(len(lines) + 1)
    times = rng.choice((1, 2) if light else (1, 2, 5, 40))
    block = lines[start:stop] * times
    return b"".join(lines[:at] + block + lines[at:]), f"copy_block:{start}-{stop}@{at}x{times}"


def _nest(rng: random.Random, data: bytes, light: bool, fmt: str) -> tuple[bytes, str]:
    depth = rng.choice((10, 100, 1000) if light else (10, 100, 1000, 100_000))
    if fmt == "yaml":
        return f"deep: {'[' * depth}{']' * depth}\n".encode() + data, f"nest_yaml:{depth}"
    if fmt == "genius":
        end = data.find(b">") + 1
        return data[:end] + b"<x>" * depth + b"</x>" * depth + data[end:], f"nest_xml:{depth}"
    lines = _lines(data)
    k = rng.randrange(len(lines))
    sep = b"\t" if fmt == "deu" else b","
    return b"".join(lines[:k] + [sep.join([b"1"] * depth) + b"\n"] + lines[k:]), \
        f"wide_row:{depth}"


def _encoding(rng: random.Random, data: bytes, light: bool) -> tuple[bytes, str]:
    kind = rng.choice(("utf-16", "utf-16-le", "utf-8-sig", "latin-1", "utf-32"))
    text = data.decode("utf-8", errors="replace")
    if kind == "latin-1":
        return text.replace("a", "\u00e9", 1).encode("latin-1", errors="replace"), \
            "encoding:latin-1"
    return text.encode(kind), f"encoding:{kind}"


def _pad(rng: random.Random, data: bytes, light: bool) -> tuple[bytes, str]:
    size = rng.choice((100, 1000) if light else (1000, 100_000, 6_000_000))
    filler = rng.choice((b"\n", b" ", b"\r\n", b"# c\n"))
    return data + filler * (size // len(filler)), f"pad:{size}x{filler!r}"


def _more_rows(rng: random.Random, data: bytes, light: bool, fmt: str) -> tuple[bytes, str]:
    lines = [ln for ln in _lines(data) if ln.strip()]
    last = lines[-1].rstrip(b"\r\n")
    sep = b"\t" if fmt == "deu" else b","
    cells = last.split(sep)
    count = rng.choice((5, 50) if light else (100, 1000, 3000))
    extra = [sep.join([f"X{k}".encode(), *cells[1:]]) + b"\n" for k in range(count)]
    return b"".join(lines) + (b"" if lines[-1].endswith(b"\n") else b"\n") + b"".join(extra), \
        f"more_rows:{count}"


def _empty(rng: random.Random, data: bytes, light: bool) -> tuple[bytes, str]:
    value = rng.choice((b"", b"\n", b"   ", b"\xef\xbb\xbf"))
    return value, f"empty:{value!r}"


OPERATORS = [(_number, 5), (_truncate, 1), (_flip, 2), (_repeat_line, 2), (_delete_line, 1),
             (_swap_lines, 1), (_copy_block, 1), ("nest", 1), (_encoding, 1), (_pad, 1),
             ("more_rows", 1), (_empty, 0.3)]


def mutate(rng: random.Random, files: dict[str, bytes], fmt: str, *, light: bool = False
           ) -> tuple[dict[str, bytes], list[str]]:
    """Apply one to three seeded mutations to copies of ``files``; returns them and the tags."""
    out = dict(files)
    tags: list[str] = []
    operators = [op for op, _ in OPERATORS if not (op == "more_rows" and fmt in ("yaml",
                                                                                 "genius"))]
    weights = [w for op, w in OPERATORS if not (op == "more_rows" and fmt in ("yaml",
                                                                              "genius"))]
    names = sorted(out)
    for _ in range(rng.choice((1, 1, 2, 3))):
        if fmt == "deu":
            name = "w.csv" if rng.random() < 0.2 else "d.tsv"
        else:
            name = rng.choice(names)
        op = rng.choices(operators, weights)[0]
        if op == "nest":
            data, tag = _nest(rng, out[name], light, fmt)
        elif op == "more_rows":
            data, tag = _more_rows(rng, out[name], light, fmt)
        else:
            data, tag = op(rng, out[name], light)
        out[name] = data
        tags.append(f"{name}:{tag}")
    return out, tags


def command(fmt: str, index: int, folder: str = ".") -> list[str]:
    """The CLI arguments of case ``index`` of ``fmt``; files are named inside ``folder``."""
    def at(name: str) -> str:
        return name if folder == "." else str(Path(folder) / name)

    if fmt == "yaml":
        return [*YAML_COMMANDS[index % 4][:1], at("s.yaml"), *YAML_COMMANDS[index % 4][1:]]
    if fmt == "genius":
        return ["analyze", folder, "--json"]
    if fmt == "ktab":
        return ["forecast", at("k.csv"), "--format", "ktab", "--model", "smp", "--json"]
    if fmt == "csv":
        return ["forecast", at("a.csv"), "--format", "csv", "--model",
                CSV_MODELS[index % len(CSV_MODELS)], "--json"]
    return ["validate", "deu", at("d.tsv"), "--weights", at("w.csv"), "--model", "compromise",
            "--boot", "200", "--json"]


def make_cases(seed: int, per_format: int, *, light: bool = False,
               formats: tuple[str, ...] = FORMATS) -> list[Case]:
    """``per_format`` seeded cases of each format (the same seed gives the same cases)."""
    seeds = seed_inputs(light=light)
    cases = []
    for fmt in formats:
        rng = random.Random(f"{seed}:{fmt}")
        for index in range(per_format):
            files, tags = mutate(rng, rng.choice(seeds[fmt]), fmt, light=light)
            cases.append(Case(fmt, index, files, command(fmt, index), tags))
    return cases


# ---------------------------------------------------------------- checks and classes

def _numbers(value: Any):
    if isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, float | int) and not isinstance(value, bool):
        yield value


def _utilities(value: Any):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "utilities" and isinstance(item, dict):
                yield from item.values()
            else:
                yield from _utilities(item)
    elif isinstance(value, list):
        for item in value:
            yield from _utilities(item)


def check_output(args: list[str], stdout: str) -> str | None:
    """Why an exit-0 output is wrong, or ``None`` if it passes."""
    if len(stdout) >= MAX_STDOUT:
        return "stdout of 50 MB or more"
    if "--json" not in args:
        return None if stdout.startswith("ok: ") else f"unexpected output {stdout[:80]!r}"
    try:
        data = json.loads(stdout)
    except ValueError as error:
        return f"not JSON: {error}"
    if any(not math.isfinite(v) for v in _numbers(data)):
        return "non-finite number in the output"
    command_name = args[0]
    if command_name == "analyze":
        bad = [u for u in _utilities(data) if not -1e-9 <= u <= 1 + UTILITY_SLACK]
        if bad:
            return f"utility {bad[0]} outside [0, 1]"
    elif command_name == "sweep":
        probabilities = [data["p_agreement"], *data["claim_probabilities"].values()]
        probabilities += [b[k] for b in data["blocking"] for k in ("blocks", "frees_packages",
                                                                   "rejects")]
        probabilities += [s["probability"] for dist in data["solutions"].values() for s in dist]
        bad = [p for p in probabilities if not -1e-9 <= p <= 1 + 1e-9]
        if bad:
            return f"probability {bad[0]} outside [0, 1]"
    elif command_name == "forecast":
        start = data["positions"][0]  # (actors, dimensions) at the start
        for k, point in enumerate(data["forecast"]):
            column = [row[k] for row in start]
            low, high = min(column), max(column)
            slack = 1e-9 * max(1.0, abs(low), abs(high))
            if "smp" in args:  # SMP rounds bargains to 0.01 on 0-100, as KTAB does
                slack += 0.005
            if not low - slack <= point <= high + slack:
                return f"forecast {point} outside the actors' range [{low}, {high}]"
    elif command_name == "validate":
        if data["mae"] is not None and data["mae"] < 0:
            return "negative MAE"
    return None


def classify(returncode: int | None, stdout: str, stderr: str, args: list[str]
             ) -> tuple[str, str | None]:
    """``(class, reason)`` of one finished (or timed-out: ``returncode None``) run."""
    if returncode is None:
        return "HANG", None
    if "MemoryError" in stderr or "_ArrayMemoryError" in stderr:
        return "OOM", None
    if "Traceback" in stderr or returncode not in (0, 2):
        return "CRASH", None
    if returncode == 2:
        return ("CLEAN" if len(stderr.strip().splitlines()) == 1 else "UNCLEAN"), None
    reason = check_output(args, stdout)
    return ("SILENT", reason) if reason else ("OK", None)


def names_a_file(case: Case, stderr: str) -> bool:
    """Whether a CLEAN line names one of the case's files (or the Genius folder)."""
    line = stderr.strip()
    return any(line.startswith(f"error: {name}") for name in case.input_names)


def has_non_finite(case: Case) -> bool:
    return any(any(f"->{v.decode()}" in tag for v in NON_FINITE) for tag in case.mutations)


# ---------------------------------------------------------------- running

def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_case(case: Case, workdir: Path, *, timeout: float, memory: int) -> dict[str, Any]:
    """Write the case into a fresh folder, run it and return its record."""
    folder = Path(tempfile.mkdtemp(prefix=f"{case.fmt}-{case.index:04d}-", dir=workdir))
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    out_path, err_path = folder / ".stdout", folder / ".stderr"
    start = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "redline", *case.args], cwd=folder,
                                   stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   preexec_fn=lambda: _limit_memory(memory))
        try:
            returncode: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            returncode = None
    seconds = time.perf_counter() - start
    with open(out_path, "rb") as handle:
        stdout = handle.read(MAX_STDOUT).decode("utf-8", errors="replace")
    stderr = err_path.read_bytes()[:200_000].decode("utf-8", errors="replace")
    kind, reason = classify(returncode, stdout, stderr, case.args)
    lines = stderr.strip().splitlines()
    record = {
        "format": case.fmt, "index": case.index, "args": case.args, "mutations": case.mutations,
        "returncode": returncode, "class": kind, "reason": reason, "seconds": round(seconds, 2),
        "first": lines[0][:400] if lines else "", "last": lines[-1][:400] if lines else "",
        "names_file": kind != "CLEAN" or names_a_file(case, stderr),
        "non_finite_input": has_non_finite(case),
        "folder": str(folder),
    }
    return record


def signature(record: dict[str, Any]) -> str:
    text = record["last"] if record["class"] in ("CRASH", "OOM") else record["first"]
    text = re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'…'", text))
    key = f"{record['class']}|{record['format']}|{record['args'][0]}|{text}|{record['reason']}"
    return hashlib.sha1(key.encode()).hexdigest()[:10]


def totals_table(records: list[dict[str, Any]]) -> str:
    """The Markdown totals table: one row per format, one column per class."""
    head = "| format | cases | " + " | ".join(CLASSES) + " | no file | nan in, exit 0 |"
    rows = [head, "|" + "---|" * (len(CLASSES) + 4)]
    for fmt in FORMATS:
        mine = [r for r in records if r["format"] == fmt]
        if not mine:
            continue
        count = Counter(r["class"] for r in mine)
        no_file = sum(1 for r in mine if not r["names_file"])
        nan_ok = sum(1 for r in mine if r["non_finite_input"] and r["class"] == "OK")
        rows.append(f"| {fmt} | {len(mine)} | " + " | ".join(str(count[c]) for c in CLASSES)
                    + f" | {no_file} | {nan_ok} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100, help="cases per format")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per case")
    parser.add_argument("--memory", type=int, default=3_000_000_000, help="RLIMIT_AS, bytes")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "redline-fuzz")
    args = parser.parse_args(argv)
    formats = tuple(f for f in args.formats.split(",") if f)
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=args.out))
    cases = make_cases(args.seed, args.cases, formats=formats)
    started = time.perf_counter()
    records: list[dict[str, Any]] = []
    kept: set[str] = set()
    with open(args.out / "results.jsonl", "w", encoding="utf-8") as log, \
            concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        futures = [pool.submit(run_case, c, workdir, timeout=args.timeout, memory=args.memory)
                   for c in cases]
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            record = future.result()
            records.append(record)
            folder = Path(record.pop("folder"))
            sig = signature(record)
            record["signature"] = sig
            interesting = record["class"] not in ("OK", "CLEAN") or not record["names_file"]
            if interesting and sig not in kept:
                kept.add(sig)
                target = args.out / "cases" / f"{record['class']}-{record['format']}-{sig}"
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(folder, target)
                (target / "meta.json").write_text(json.dumps(record, indent=2) + "\n")
            shutil.rmtree(folder, ignore_errors=True)
            log.write(json.dumps(record) + "\n")
            if done % 50 == 0:
                print(f"{done}/{len(cases)} cases, {time.perf_counter() - started:.0f} s",
                      file=sys.stderr)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"{len(records)} cases (seed {args.seed}, timeout {args.timeout:g} s, RLIMIT_AS "
          f"{args.memory:,} B, {args.workers} workers) in {time.perf_counter() - started:.0f} s;"
          f" results in {args.out}")
    print()
    print(totals_table(records))
    bad = [r for r in records if r["class"] not in ("OK", "CLEAN")]
    if bad:
        print()
        print("Distinct failure signatures (first case of each):")
        seen: set[str] = set()
        for r in sorted(bad, key=lambda r: (r["class"], r["format"])):
            if r["signature"] in seen:
                continue
            seen.add(r["signature"])
            print(f"- {r['class']} {r['format']} `{' '.join(r['args'])}` {r['mutations']}: "
                  f"{r['reason'] or r['last'][:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
