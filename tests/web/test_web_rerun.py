"""The editor's rerun in place (JSON for the page's script), the comparison with the last run and
the saved version, and plotly.js cached at its versioned URL."""

from __future__ import annotations

import json
import re

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

from fastapi.testclient import TestClient  # noqa: E402
from tests.web.test_web_app import EXAMPLE, editor_form, submit  # noqa: E402

from redline.scenario.load import parse_scenario  # noqa: E402
from redline.uncertainty.intervals import wilson_interval  # noqa: E402
from redline.web.app import create_app  # noqa: E402

JSON = {"accept": "application/json"}


@pytest.fixture()
def client(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / EXAMPLE.name).write_bytes(EXAMPLE.read_bytes())
    with TestClient(create_app(workspace, None), base_url="http://127.0.0.1") as c:
        yield c


def opened(client) -> tuple[str, dict[str, str]]:
    page = client.get("/open?path=donbas-2026.yaml")
    assert page.status_code == 200
    return page.text, editor_form(page.text)


def last_run_field(page: str) -> str:
    match = re.search(r'name="last_run" id="last_run" value="([^"]*)"', page)
    assert match
    import html

    return html.unescape(match.group(1))


def test_rerun_as_json_gives_the_results_and_every_figure(client):
    page, form = opened(client)
    answer = submit(client, "/run", {**form, "sal.0.0": "0.2",
                                     "last_run": last_run_field(page)}, headers=JSON)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    data = answer.json()
    assert data["ok"] is True
    ids = [p["id"] for p in data["plots"]]
    assert ids[:3] == ["fig-deal-space", "fig-blockers", "fig-forecast"]
    assert all(p["figure"]["data"] for p in data["plots"])
    rerun = parse_scenario(data["yaml_text"], "rerun.yaml")
    assert rerun.positions["ukraine"]["donbas"].salience == 0.2
    html = data["results_html"]
    assert 'id="since-run-table"' in html and "P(agreement)" in html
    assert 'id="inputs-since-run"' in html and "1 → <b>0.2</b>" in html
    # the numbers the page sends back for the next comparison are this run's
    numbers = json.loads(data["last_run"])
    assert numbers["draws"] == 500 and 0 <= numbers["p_agreement"] <= 1


def test_interval_on_the_card_is_wilsons(client):
    page, _form = opened(client)
    p = float(re.search(r'id="p-agreement">([0-9.]+)<', page).group(1))
    numbers = json.loads(last_run_field(page))
    # The example records rounds: Wilson's interval at the posterior's effective sample size
    # (the weighted share as if from that many equally weighted draws).
    ess = numbers["ess"]
    assert 0 < ess < 500
    low, high = wilson_interval(numbers["p_agreement"] * ess, ess)  # type: ignore[arg-type]
    assert f"{p:.3f}" == f"{numbers['p_agreement']:.3f}"
    assert f"95% interval {low:.3f}–{high:.3f}" in page


def test_bad_value_as_json_names_the_field_as_the_form_does(client):
    _page, form = opened(client)
    answer = submit(client, "/run", {**form, "sal.1.1": "1.5"}, headers=JSON)
    assert answer.status_code == 400
    problem = answer.json()["problem"]
    assert problem["field"] == "sal.1.1"
    assert problem["label"].startswith("Russia's salience on")
    assert "[0, 1]" in problem["message"]
    bad_setting = submit(client, "/run", {**form, "draws": "-4"}, headers=JSON).json()
    assert bad_setting["problem"]["field"] == "draws"


def test_a_forged_last_run_is_ignored_not_trusted(client):
    _page, form = opened(client)
    for forged in ("not json", json.dumps({"p_agreement": "x"}), json.dumps([1, 2]),
                   json.dumps({"p_agreement": 0.5, "draws": 100, "forecast": {"d": 1e400}}),
                   "{" * 30_000):
        data = submit(client, "/run", {**form, "last_run": forged}, headers=JSON).json()
        assert data["ok"] and 'id="since-run-table"' not in data["results_html"]


def test_rerun_of_the_same_inputs_is_answered_from_the_cache(client):
    _page, form = opened(client)
    state = client.app.state.redline
    first = submit(client, "/run", {**form, "sal.0.0": "0.3"}, headers=JSON).json()
    hits = state.runs.hits
    again = submit(client, "/run", {**form, "sal.0.0": "0.3"}, headers=JSON).json()
    assert state.runs.hits == hits + 1
    assert again["plots"] == first["plots"] and again["yaml_text"] == first["yaml_text"]


def test_comparison_with_the_saved_version(client):
    _page, form = opened(client)
    saved = submit(client, "/save", {**form, "note": "v1"}, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get("/versions/1/edit").text
    assert 'id="unsaved" hidden>' in page  # the version as saved: nothing unsaved
    form = editor_form(page)
    data = submit(client, "/run", {**form, "base_version": "1", "thr.0": "80"},
                  headers=JSON).json()
    assert data["unsaved"] is True and data["changed"] == ["thr.0"]
    assert "Since saved version v1" in data["results_html"]
    same = submit(client, "/run", {**form, "base_version": "1"}, headers=JSON).json()
    assert same["unsaved"] is False and same["changed"] == []


def test_plotly_is_served_once_at_a_versioned_immutable_url(client):
    page, _form = opened(client)
    url = re.search(r'<script src="(/vendor/plotly-[0-9a-f]{12}\.min\.js)"></script>', page)
    assert url, "the page loads plotly.js from its versioned URL"
    response = client.get(url.group(1))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/vendor/plotly-000000000000.min.js").status_code == 404
    assert page.count("plotly") < 40  # the page links the script; it does not inline it


def test_version_page_shows_the_yaml_diff_from_the_previous_version(client):
    _page, form = opened(client)
    assert submit(client, "/save", {**form, "note": "first"},
                  follow_redirects=False).status_code == 303
    assert submit(client, "/save", {**form, "sal.0.0": "0.2", "note": "second"},
                  follow_redirects=False).status_code == 303
    first = client.get("/versions/1").text
    assert "The first saved version" in first
    second = client.get("/versions/2").text
    diff = re.search(r'<pre class="diff" id="yaml-diff"[^>]*>(.*?)</pre>', second, re.S).group(1)
    removed = re.findall(r'<span class="del">(.*?)</span>', diff)
    added = re.findall(r'<span class="add">(.*?)</span>', diff)
    assert len(removed) == len(added) == 1  # exactly the edited line
    assert "salience: 1" in removed[0] and "salience: 0.2" in added[0]
    assert 'id="since-previous-table"' in second and "v1 → v2" in second
    assert re.search(r'id="version-p">0\.\d{3} \(95% 0\.\d{3}–[01]\.\d{3}\)<', second)


def test_version_diff_is_escaped(client):
    _page, form = opened(client)
    submit(client, "/save", {**form, "note": "first"}, follow_redirects=False)
    text = form["yaml_text"].replace('title: "', 'title: "<img src=x onerror=alert(1)> ', 1)
    submit(client, "/save", {**form, "yaml_text": text, "note": "second"},
           follow_redirects=False)
    second = client.get("/versions/2").text
    assert "<img src=x" not in second and "&lt;img src=x onerror=alert(1)&gt;" in second


def test_exports_of_a_version_and_of_the_editor(client):
    import io
    import zipfile

    _page, form = opened(client)
    submit(client, "/save", {**form, "draws": "60", "note": "first"}, follow_redirects=False)
    report = client.get("/versions/1/report.html")
    assert report.status_code == 200
    assert report.headers["content-disposition"] == (
        'attachment; filename="donbas-2026-v1-report.html"')
    assert report.text.startswith("<!DOCTYPE html>") and "donbas-2026.yaml" in report.text
    assert "60 draws" in report.text  # the version's own sweep
    figures = client.get("/versions/1/figures.zip")
    assert figures.status_code == 200 and figures.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(figures.content)).namelist()
    assert names and all(n.endswith(".png") for n in names) and "deal_space.png" in names
    edited = submit(client, "/export/report.html", {**form, "draws": "40", "sal.0.0": "0.2"})
    assert edited.status_code == 200
    assert 'filename="donbas-2026-report.html"' in edited.headers["content-disposition"]
    bad = submit(client, "/export/report.html", {**form, "sal.0.0": "7"})
    assert bad.status_code == 400 and "salience must lie in [0, 1]" in bad.text


def test_timeline_draws_each_versions_interval(client):
    _page, form = opened(client)
    submit(client, "/save", {**form, "draws": "200", "note": "first"}, follow_redirects=False)
    page = client.get("/history/donbas-2026").text
    figure = json.loads(__import__("html").unescape(
        re.search(r'id="fig-timeline" data-figure="([^"]*)"', page).group(1)))
    trace = next(t for t in figure["data"] if t["meta"]["role"] == "p_agreement")
    p = trace["y"][0]
    # The example records rounds: the saved run's draws are their posterior's, and the
    # interval is Wilson's at its effective sample size, as the sweep itself states it.
    from redline.pipeline import load, run_sweep

    sweep = run_sweep(load(EXAMPLE), draws=200, seed=0).integrated
    assert p == pytest.approx(sweep.p_agreement, abs=1e-12)
    low, high = sweep.p_agreement_interval
    assert abs(trace["error_y"]["array"][0] - (high - p)) < 1e-12
    assert abs(trace["error_y"]["arrayminus"][0] - (p - low)) < 1e-12
    assert high - low > (lambda lo, hi: hi - lo)(*wilson_interval(round(p * 200), 200))
    cached = submit(client, "/run", {**form, "sal.0.0": "0.4"}, headers=JSON).json()
    again = submit(client, "/run", {**form, "sal.0.0": "0.4"}, headers=JSON).json()
    assert "kept by the app" not in cached["results_html"]
    assert "kept by the app" in again["results_html"]


def shown_digests(page: str) -> dict[str, str]:
    """Slot id -> digest of every figure the served editor page draws."""
    return dict(re.findall(r'<div class="plot" id="([^"]+)" data-figure="[^"]*" '
                           r'data-digest="([0-9a-f]+)"', page))


def test_rerun_sends_only_the_figures_that_changed(client):
    page, form = opened(client)
    shown = shown_digests(page)
    assert len(shown) >= 6 and "fig-deal-space" in shown
    same = submit(client, "/run", {**form, "shown_figures": json.dumps(shown)},
                  headers=JSON).json()
    # unchanged inputs: every figure is the one shown, none is sent again
    assert same["ok"] and all(p["same"] and p["figure"] is None for p in same["plots"]
                              if p["digest"])
    assert {p["id"]: p["digest"] for p in same["plots"] if p["digest"]} == shown
    # a changed salience moves the forecast: its figure (and only what changed) comes back
    moved = submit(client, "/run", {**form, "sal.0.2": "0.35",
                                    "shown_figures": json.dumps(shown)}, headers=JSON).json()
    fresh = submit(client, "/run", {**form, "sal.0.2": "0.35"}, headers=JSON).json()
    for slot, full in zip(moved["plots"], fresh["plots"], strict=True):
        assert slot["digest"] == full["digest"] and full["figure"] is not None
        assert slot["same"] == (shown.get(slot["id"]) == slot["digest"])
        assert slot["figure"] == (None if slot["same"] else full["figure"])
    assert not next(p for p in moved["plots"] if p["id"] == "fig-forecast")["same"]


def test_rerun_in_parts_sends_the_analysis_figures_first_and_the_same_answer(client):
    # The editor's script asks for the answer in parts (lines of JSON): the deal space and
    # forecast figures first, drawn while the server sweeps, then the sweep's figures, drawn
    # while it writes the rest, then the whole answer. Together they are the answer in one
    # piece: the same figures, the same numbers.
    page, form = opened(client)
    shown = shown_digests(page)
    fields = {**form, "sal.0.2": "0.41", "shown_figures": json.dumps(shown)}
    parts = submit(client, "/run", fields, headers={"accept": "application/x-ndjson"})
    assert parts.status_code == 200
    assert parts.headers["content-type"].startswith("application/x-ndjson")
    early, swept, final = [json.loads(line) for line in parts.text.splitlines()]
    whole = submit(client, "/run", {**form, "sal.0.2": "0.41"}, headers=JSON).json()
    assert early["early"] is True and swept["early"] is True
    assert {p["id"] for p in early["plots"]} <= {"fig-deal-space", "fig-blockers",
                                                  "fig-forecast"}
    assert "fig-forecast" in {p["id"] for p in early["plots"]}  # a salience moves it
    assert {p["id"] for p in swept["plots"]} and \
        all(p["id"].startswith("fig-sweep-") for p in swept["plots"])
    sent = {p["id"]: p for p in early["plots"] + swept["plots"]}
    by_id = {p["id"]: p for p in whole["plots"]}
    for ident, slot in sent.items():
        assert slot["digest"] == by_id[ident]["digest"]
        assert slot["figure"] == by_id[ident]["figure"]
    assert [p["id"] for p in final["plots"]] == [p["id"] for p in whole["plots"]]
    for slot in final["plots"]:
        full = by_id[slot["id"]]
        assert slot["digest"] == full["digest"]
        # a figure sent early, or shown already, is not sent again
        drawn = slot["id"] in sent or shown.get(slot["id"]) == slot["digest"]
        assert slot["same"] == (drawn and bool(slot["digest"]))
        assert slot["figure"] == (None if slot["same"] else full["figure"])
    assert json.loads(final["last_run"]) == json.loads(whole["last_run"])
    assert final["yaml_text"] == whole["yaml_text"]


def test_a_bad_value_in_parts_is_one_problem_line(client):
    _page, form = opened(client)
    answer = submit(client, "/run", {**form, "sal.0.2": "2"},
                    headers={"accept": "application/x-ndjson"})
    assert answer.status_code == 400
    assert answer.json()["ok"] is False and answer.json()["problem"]["field"] == "sal.0.2"


@pytest.mark.parametrize("field", ["not json", "[1, 2]", '{"fig-deal-space": 3}',
                                   "x" * 20_000])
def test_malformed_shown_figures_get_every_figure(client, field):
    _page, form = opened(client)
    data = submit(client, "/run", {**form, "shown_figures": field}, headers=JSON).json()
    assert data["ok"] and all(p["figure"] is not None for p in data["plots"] if p["digest"])


def test_scenario_cache_gives_what_a_fresh_parse_gives():
    from redline.errors import RedlineError
    from redline.web.runner import ScenarioCache

    cache = ScenarioCache(size=2)
    raw = EXAMPLE.read_bytes()
    first = cache.parse(raw, "donbas.yaml")
    assert first == parse_scenario(raw, "donbas.yaml")
    assert cache.parse(raw, "donbas.yaml") is first  # kept
    assert cache.parse(raw.decode("utf-8"), "donbas.yaml") == first  # text as str: its own key
    other = raw.replace(b"salience: 1.0", b"salience: 0.9", 1)
    cache.parse(other, "donbas.yaml")  # the least recently used (the bytes) drops out
    assert cache.parse(raw, "donbas.yaml") is not first
    for _ in range(2):  # a bad text is not kept: its error each time
        with pytest.raises(RedlineError):
            cache.parse(b"scenario: [", "bad.yaml")


def _card(html: str) -> tuple[float, str]:
    """The P(agreement) card's number and what it says of the rounds."""
    p = float(re.search(r'id="p-agreement">([0-9.]+)<', html).group(1))
    rounds = re.search(r'id="p-agreement-rounds">([^<]*)<', html)
    return p, rounds.group(1) if rounds else ""


def _swept(**options) -> float:
    """P(agreement) of the example's sweep with the app's draws and seed."""
    from redline import pipeline
    from redline.web.runner import DEFAULT_DRAWS

    run = pipeline.run_sweep(pipeline.load(EXAMPLE), draws=DEFAULT_DRAWS, seed=0, **options)
    return run.main.p_agreement


def test_the_run_box_learns_from_the_rounds_or_ignores_them_as_the_cli_does(client):
    """A scenario with rounds: the sweep weighs its draws by their posterior (the card says
    after how many rounds); ticking "ignore the rounds" is ``redline sweep --prior``, a date is
    ``--until``; each gives the CLI's P(agreement)."""
    page, form = opened(client)
    assert 'name="prior"' in page and 'name="until"' in page
    p, said = _card(page)
    assert f"{p:.3f}" == f"{_swept():.3f}" and said.startswith("after ")
    for extra, options, expected in (
            ({"prior": "on"}, {"prior": True}, "on the prior (the rounds ignored)"),
            ({"until": "2026-01-25"}, {"until": "2026-01-25"}, "after 1 round")):
        data = submit(client, "/run", {**form, **extra}, headers=JSON).json()
        assert data["ok"], data
        p, said = _card(data["results_html"])
        assert said == expected
        assert f"{p:.3f}" == f"{_swept(**options):.3f}"
    assert _swept(prior=True) != _swept()  # the rounds move it: the toggle is seen


def test_a_bad_rounds_date_is_named_at_its_field(client):
    _page, form = opened(client)
    answer = submit(client, "/run", {**form, "until": "2026-02-30"}, headers=JSON)
    assert answer.status_code == 400
    problem = answer.json()["problem"]
    assert problem["field"] == "until" and "not an ISO date" in problem["message"]


def test_a_scenario_without_rounds_has_no_rounds_settings(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "camp.yaml").write_bytes((EXAMPLE.parent / "camp-david-1978.yaml").read_bytes())
    with TestClient(create_app(workspace, None), base_url="http://127.0.0.1") as c:
        page = c.get("/open?path=camp.yaml").text
    assert 'name="prior"' not in page and 'id="p-agreement-rounds"' not in page


def test_exports_keep_the_runs_rounds_setting(client):
    """A run that ignores the rounds (or counts them up to a day) exports the report
    ``redline report --prior`` (``--until``) writes, from the editor and from the version."""
    _page, form = opened(client)
    edited = submit(client, "/export/report.html", {**form, "draws": "40", "prior": "on"})
    assert edited.status_code == 200 and "this report ignores them (--prior)" in edited.text
    submit(client, "/save", {**form, "draws": "40", "until": "2026-01-25", "note": "early"},
           follow_redirects=False)
    saved = client.get("/versions/1/report.html")
    assert saved.status_code == 200
    assert "Only the rounds dated on or before 2026-01-25 are counted" in saved.text


def test_a_sweep_run_beside_the_analysis_gives_the_sequential_run():
    """The rerun starts the sweep in a second thread before the analysis
    (:func:`redline.web.runner.start_sweep`); the run is the one ``run_scenario`` computes,
    number for number, whatever finishes first, in the posterior's case and the prior's."""
    from redline.web.runner import Settings, analyse, finish, run_scenario, start_sweep

    scenario = parse_scenario(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)

    def without_timings(value):
        if isinstance(value, dict):
            return {k: without_timings(v) for k, v in value.items()
                    if k not in ("timings", "seconds")}
        return [without_timings(v) for v in value] if isinstance(value, list) else value

    for settings in (Settings(draws=300, seed=3), Settings(draws=200, prior=True)):
        expected = without_timings(run_scenario(scenario, settings).results)
        swept = start_sweep(scenario, settings)
        together = finish(analyse(scenario, settings), swept)
        assert json.dumps(without_timings(together.results), sort_keys=True) == \
            json.dumps(expected, sort_keys=True)
    assert start_sweep(scenario, Settings(draws=0)) is None
