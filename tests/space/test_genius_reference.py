"""The engine reproduces the brute-force references computed for eight ANAC/Genius domains.

References (tests/data/genius/*/reference.json) follow Genius semantics and the textbook
definitions. Our Kalai-Smorodinsky takes each actor's ideal over the acceptable packages, which is
the reference's ``kalai_smorodinsky_ir_ideal``; our utilitarian solution is over acceptable
packages, the reference's ``max_welfare_individually_rational``.
"""

import gzip
import json

import numpy as np
import pytest

from redline.io.genius import read_genius_folder
from redline.space.engine import analyze, package_labels

DOMAINS = [
    "anac_y2010_Travel",
    "anac_y2011_Energy",
    "anac_y2012_CameraC",
    "anac_y2012_EnglandvsZimbabweA",
    "anac_y2012_LaptopA",
    "anac_y2015_group12-symposium",
    "anac_y2015_group9-killer_robot",
    "anac_y2016_Terra",
]


def _key(outcome) -> tuple[str, ...]:
    return tuple(str(value) for value in outcome)


@pytest.fixture(scope="module", params=DOMAINS)
def case(request, reference_data):
    folder = reference_data / "genius" / request.param
    reference = json.loads((folder / "reference.json").read_text())
    domain = read_genius_folder(folder, profiles=reference["parties"])
    return domain, analyze(domain), reference


def _labels(domain, index):
    return _key(package_labels(domain, int(index)).values())


def test_space_size_and_utility_range(case):
    domain, result, reference = case
    assert result.n_packages == reference["n_outcomes"]
    assert np.allclose(domain.disagreement, reference["reservation_values"])


def test_pareto_frontier_matches(case):
    domain, result, reference = case
    # The reference lists every frontier outcome; ours one per distinct utility vector, with
    # the number of outcomes that share it.
    theirs: dict = {}
    for entry in reference["pareto"]:
        theirs.setdefault(tuple(np.round(entry["utilities"], 9)), []).append(entry)
    assert result.pareto_packages == reference["pareto_size"]
    assert result.pareto_indices.size == len(theirs)
    for k, index in enumerate(result.pareto_indices):
        group = theirs[tuple(np.round(result.pareto_utilities[k], 9))]
        assert result.pareto_counts[k] == len(group)
        rational = [e for e in group if e["rational"]]
        assert result.pareto_acceptable_counts[k] == len(rational)
        assert _labels(domain, index) in {_key(e["outcome"]) for e in rational or group}


@pytest.mark.parametrize("ours, theirs", [
    ("nash", "nash"),
    ("kalai_smorodinsky", "kalai_smorodinsky_ir_ideal"),
    ("utilitarian", "max_welfare_individually_rational"),
])
def test_solutions_match(case, ours, theirs):
    domain, result, reference = case
    solution = result.solutions[ours]
    expected = reference[theirs]
    assert solution.value == pytest.approx(expected["value"], abs=1e-9)
    got = sorted(_labels(domain, i) for i in solution.indices)
    assert got == sorted(_key(p["outcome"]) for p in expected["points"])


def test_unsupported_profile_is_refused(reference_data):
    from redline.errors import FormatError

    with pytest.raises(FormatError, match="unsupported profile type"):
        read_genius_folder(reference_data / "genius" / "unsupported_anac_y2014_10issues")


@pytest.mark.parametrize("name", DOMAINS)
def test_shipped_reference_keeps_the_original_values(reference_data, originals, name):
    # reference.json keeps a subset of the preparers' fields (the XML files are NegMAS's,
    # byte for byte: tests/data/NOTICE); the full originals are in tests/data/originals.
    full = json.loads(gzip.decompress(
        (originals / "genius" / name / "reference.json.gz").read_bytes()))
    trimmed = json.loads((reference_data / "genius" / name / "reference.json").read_text())
    assert {k: v for k, v in trimmed.items() if k != "note"} == {
        k: full[k] for k in trimmed if k != "note"}
