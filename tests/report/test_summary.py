"""The executive summary: five lines, every number read from the study and its JSON forms."""

import math
from html.parser import HTMLParser
from pathlib import Path

import pytest

from redline.pipeline import load, run_study
from redline.report.summary import executive_summary
from redline.space.options import AT_OPTION_TOLERANCE
from redline.uncertainty.intervals import WILSON_Z

KEYS = ["agreement", "deal", "blocker", "claim", "forecasts"]
DRAWS = 200


def named(json_analysis: dict, package: dict) -> dict:
    """``{issue id: label}`` with the issue names the analysis JSON gives."""
    names = {issue["id"]: issue["name"] for issue in json_analysis["issues"]}
    return {names[k]: v for k, v in package.items()}


def by_key(lines) -> dict:
    assert [line.key for line in lines] == KEYS
    return {line.key: line for line in lines}


@pytest.fixture(scope="module")
def donbas(examples: Path):
    study = run_study(load(examples / "donbas-2026.yaml"))
    return study, by_key(executive_summary(study))


@pytest.fixture(scope="module")
def donbas_swept(examples: Path):
    study = run_study(load(examples / "donbas-2026.yaml"), draws=DRAWS, seed=3)
    return study, by_key(executive_summary(study))


def test_wilson_interval_by_hand():
    # 7 successes in 10 at z = 1.96: z^2/n = 0.38416, centre (0.7 + 0.19208) / 1.38416
    # = 0.644492, half 1.96 / 1.38416 * sqrt(0.021 + 0.009604) = 1.416021 * 0.174940
    # = 0.247719 -> (0.396773, 0.892211).
    from redline.uncertainty.intervals import wilson_interval

    low, high = wilson_interval(7, 10, 1.96)
    assert low == pytest.approx(0.396773, abs=2e-6)
    assert high == pytest.approx(0.892211, abs=2e-6)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert WILSON_Z == pytest.approx(1.959964, abs=1e-6)


def test_swept_agreement_is_the_sweeps_with_its_wilson_interval(donbas_swept):
    study, lines = donbas_swept
    sweep_json = study.sweep.to_dict()
    line = lines["agreement"]
    p, draws = sweep_json["p_agreement"], sweep_json["draws"]
    assert draws == DRAWS
    # The example has rounds: the sweep runs on their posterior, whose weighted draws count as
    # the effective sample size. Wilson (1927) by hand from the JSON's p and that n.
    n = sweep_json["posterior"]["ess"]
    assert 0 < n < draws
    z2 = WILSON_Z ** 2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = WILSON_Z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    values = line.values["integrated"]
    assert values["p"] == p
    assert values["low"] == pytest.approx(centre - half, abs=1e-12)
    assert values["high"] == pytest.approx(centre + half, abs=1e-12)
    assert values["low"] < p < values["high"]
    assert (f"{p:.3f}" in line.text and f"{centre - half:.3f}–{centre + half:.3f}" in line.text
            and f"{draws:,} draws" in line.text)


def test_swept_deal_is_the_most_frequent_nash_package(donbas_swept):
    study, lines = donbas_swept
    sweep_json, analysis_json = study.sweep.to_dict(), study.analysis.to_dict()
    ranked = sweep_json["solutions"]["nash"]
    top = next(row for row in ranked if row["package"] is not None)
    none = next((row["probability"] for row in ranked if row["package"] is None), 0.0)
    line = lines["deal"]
    assert line.values["package"] == named(analysis_json, top["package"])
    assert line.values["probability"] == pytest.approx(top["probability"])
    assert f"{top['probability']:.1%}" in line.text and f"{none:.1%}" in line.text
    for name, label in line.values["package"].items():
        assert f"{name}: {label}" in line.text  # names, not ids


def test_swept_blocker_is_the_sweeps_top_blocker(donbas_swept):
    study, lines = donbas_swept
    top = study.sweep.to_dict()["blocking"][0]
    rule = next(b for b in study.analysis.to_dict()["blocking"] if b["id"] == top["id"])
    line = lines["blocker"]
    names = dict(zip(study.analysis.analysis.domain.actors,
                     study.analysis.analysis.domain.names(), strict=True))
    assert line.values["rule"] == top["id"] and line.values["blocks"] == top["blocks"]
    assert line.text.startswith(names[top["actor"]])
    assert f"{top['blocks']:.1%} of draws" in line.text
    assert f"alone rejects {rule['sole']:,} of" in line.text


def test_deterministic_agreement_counts_packages_and_names_draws(donbas):
    study, lines = donbas
    data = study.analysis.to_dict()
    line = lines["agreement"]
    assert line.values == {"acceptable": data["acceptable_count"], "packages": data["packages"]}
    assert f"finds {data['acceptable_count']:,} acceptable packages" in line.text
    assert "--draws" in line.text


def test_deterministic_deal_is_the_nash_package(donbas):
    study, lines = donbas
    data = study.analysis.to_dict()
    assert lines["deal"].values["package"] == named(data, data["solutions"]["nash"][0]["package"])
    assert "Control of the Donbas: " in lines["deal"].text


def test_deterministic_blocker_is_the_first_sole_rejecter(donbas):
    study, lines = donbas
    data = study.analysis.to_dict()
    top = max(data["blocking"], key=lambda b: (b["sole"], b["rejects"]))
    line = lines["blocker"]
    assert line.values["rule"] == top["id"]
    assert line.values["sole"] == top["sole"] and line.values["rejects"] == top["rejects"]
    assert top["description"] in line.text and "red line" in line.text
    assert f"alone rejects {top['sole']:,} of {data['packages']:,} packages" in line.text


def test_claim_line_is_the_branch_with_the_largest_change(donbas):
    study, lines = donbas
    data = study.analysis.to_dict()
    rows = data["claim_branches"]
    largest = max(abs(r["acceptable_if_true"] - r["acceptable_if_false"]) for r in rows)
    row = next(r for r in rows
               if abs(r["acceptable_if_true"] - r["acceptable_if_false"]) == largest)
    line = lines["claim"]
    assert line.values["claim"] == row["claim"]
    assert line.values["true"]["acceptable"] == row["acceptable_if_true"]
    assert line.values["false"]["acceptable"] == row["acceptable_if_false"]
    assert (f"if true, {row['acceptable_if_true']:,} acceptable" in line.text
            and f"if false, {row['acceptable_if_false']:,} acceptable" in line.text)


def test_forecasts_land_between_the_options_either_side(donbas):
    study, lines = donbas
    line = lines["forecasts"]
    issues = {i.id: i for i in study.analysis.analysis.domain.issues}
    assert set(line.values) == set(study.forecasts) and len(line.items) == len(study.forecasts)
    for model, run in study.forecasts.items():
        for dim, point in run.forecast.point_by_id.items():
            landed = line.values[model][dim]
            assert landed["point"] == point
            values = dict(zip(issues[dim].labels, issues[dim].values, strict=True))
            where = landed["where"]
            if where.startswith("at "):
                assert abs(values[where[3:]] - point) <= AT_OPTION_TOLERANCE
            else:
                low, high = where.removeprefix("between ").split(" and ")
                assert values[low] < point < values[high]
                assert not any(values[low] < v < values[high] for v in values.values())
        item = next(i for i in line.items if i.startswith(f"{model}:"))
        assert f"{issues['donbas'].name} {run.forecast.point_by_id['donbas']:.1f}" in item


def test_camp_david_has_no_claims(examples: Path):
    study = run_study(load(examples / "camp-david-1978.yaml"))
    lines = by_key(executive_summary(study))
    data = study.analysis.to_dict()
    assert lines["claim"].text == "The scenario has no claims."
    assert lines["agreement"].values["acceptable"] == data["acceptable_count"]
    assert lines["deal"].values["package"] == named(data, data["solutions"]["nash"][0]["package"])


def test_genius_folder_says_no_claims_and_no_forecasts(reference_data: Path):
    study = run_study(load(reference_data / "genius" / "anac_y2012_LaptopA"))
    lines = by_key(executive_summary(study))
    data = study.analysis.to_dict()
    assert lines["agreement"].values["acceptable"] == data["acceptable_count"]
    assert "--draws" not in lines["agreement"].text
    assert "no claims" in lines["claim"].text
    assert "no positions" in lines["forecasts"].text and not lines["forecasts"].items
    assert lines["blocker"].values["rule"] == data["blocking"][0]["id"]


class _Sections(HTMLParser):
    """The data-section of every <section> inside <main>, and the summary's list items."""

    def __init__(self):
        super().__init__()
        self.in_main, self.sections, self.summary = False, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "section" and self.in_main:
            self.sections.append(attrs.get("data-section"))
        elif tag == "li" and "data-summary" in attrs:
            self.summary.append(attrs["data-summary"])


def test_summary_is_the_first_section_of_the_report(examples: Path):
    pytest.importorskip("plotly")
    from redline.report.html import build_report

    parser = _Sections()
    parser.feed(build_report(examples / "donbas-2026.yaml"))
    assert parser.sections[0] == "summary"
    assert parser.sections[1] == "scenario"
    assert parser.summary == KEYS


def _twin_claims(first: float, second: float) -> dict:
    """Two claims that gate the same red line: their branches change exactly the same."""
    rule = {"actor": "a", "never": {"issue": "land", "is": "all"}}
    return {
        "actors": [{"id": "a", "name": "Alpha", "capability": 1},
                   {"id": "b", "name": "Beta", "capability": 1}],
        "issues": [{"id": "land", "name": "Land", "options": [
            {"label": "none", "value": 0}, {"label": "half", "value": 50},
            {"label": "all", "value": 100}]}],
        "positions": {"a": {"land": {"position": 0, "salience": 1}},
                      "b": {"land": {"position": 100, "salience": 1}}},
        "claims": [{"id": "c-first", "text": "first", "probability": first},
                   {"id": "c-second", "text": "second", "probability": second}],
        "red_lines": [{"id": "r1", "claim": "c-first", **rule},
                      {"id": "r2", "claim": "c-second", **rule}],
    }


@pytest.mark.parametrize("first, second, chosen", [
    (0.9, 0.55, "c-second"),  # the second is more contested
    (0.45, 0.2, "c-first"),
    (0.3, 0.7, "c-first"),  # equally contested: the first in the file
])
def test_claim_ties_go_to_the_most_contested_claim(first, second, chosen):
    study = run_study(load(_twin_claims(first, second)))
    rows = study.analysis.branches
    assert len({(abs(r["acceptable_if_true"] - r["acceptable_if_false"])) for r in rows}) == 1
    assert by_key(executive_summary(study))["claim"].values["claim"] == chosen


def test_nearest_options_in_words_is_the_space_reading():
    from redline.report.summary import nearest_options

    labels, values = ("low", "mid", "high"), (0.0, 50.0, 100.0)
    assert nearest_options(labels, values, 56.2) == "between mid and high"
    assert nearest_options(labels, values, 50.0 + AT_OPTION_TOLERANCE / 2) == "at mid"
    assert nearest_options(labels, values, -3.0) == "below low"
    assert nearest_options(labels, values, 101.0) == "above high"
    assert nearest_options(("b", "a"), (100.0, 0.0), 10.0) == "between a and b"
