"""Every forecast model side by side in the web app (``POST /models``), through TestClient.

The numbers are checked against the library run directly on the same scenario
(:func:`redline.pipeline.run_forecast` per registered model) and the nearest options against a
brute-force reading of the scenario's own option values.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

from fastapi.testclient import TestClient  # noqa: E402

from redline.forecast.registry import model_conventions, model_names  # noqa: E402
from redline.pipeline import load, run_forecast  # noqa: E402
from redline.report.forecasts import MODEL_DISAGREEMENT  # noqa: E402
from redline.scenario.load import parse_scenario  # noqa: E402
from redline.space.options import AT_OPTION_TOLERANCE  # noqa: E402
from redline.web.app import create_app  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "donbas-2026.yaml"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
JSON = {"accept": "application/json"}


@pytest.fixture()
def client(tmp_path: Path):
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(EXAMPLE, ws / "donbas-2026.yaml")
    with TestClient(create_app(ws, None), base_url="http://127.0.0.1") as c:
        yield c


def editor_form(client: TestClient, **fields: str) -> dict[str, str]:
    """The editor's form for the Donbas file as opened, with ``fields`` changed."""
    page = client.get("/open?path=donbas-2026.yaml").text
    form = {"csrf_token": TOKEN.search(page).group(1), "source": "donbas-2026.yaml",
            "yaml_text": EXAMPLE.read_text(encoding="utf-8"), "model": "compromise"}
    return {**form, **fields}


def post(client: TestClient, fields: dict[str, str], headers: dict | None = None):
    return client.post("/models", files={k: (None, v) for k, v in fields.items()},
                       headers=headers or {})


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def rows(page: str) -> dict[str, str]:
    """``{model: its row's HTML}`` of the side-by-side table."""
    return dict(re.findall(r'<tr id="model-[^"]+" data-model="([^"]+)"[^>]*>(.*?)</tr>', page,
                           re.S))


def cells(row: str) -> list[tuple[float, str]]:
    """The issue cells of a row: ``(value shown, reading)``."""
    return [(float(v), html.unescape(w).strip()) for v, w in re.findall(
        r'<td class="(?:far)?" data-issue="[^"]+"><b class="num">([^<]+)</b>'
        r'<div class="small">([^<]*)</div></td>', row)]


def brute_reading(options: list[tuple[float, str]], value: float) -> str:
    """Where ``value`` lies among ``(option value, label)`` pairs, found by looking at each."""
    at = [label for v, label in options if abs(v - value) <= AT_OPTION_TOLERANCE]
    if at:
        return f"at {at[0]}"
    below = [label for v, label in sorted(options) if v < value]
    above = [label for v, label in sorted(options) if v > value]
    if not below:
        return f"below {above[0]}"
    if not above:
        return f"above {below[-1]}"
    return f"between {below[-1]} and {above[0]}"


def test_every_registered_model_is_shown_with_the_library_numbers_and_nearest_options(client):
    response = post(client, editor_form(client), JSON)
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    shown = rows(data["html"])
    assert list(shown) == model_names()  # every model the registry lists, in its order

    scenario = parse_scenario(EXAMPLE.read_bytes(), "donbas-2026.yaml")
    loaded = load(scenario)
    options = {i.id: [(float(o.value), o.label) for o in i.options] for i in scenario.issues}
    for model, row in shown.items():
        point = run_forecast(loaded, model).forecast.point_by_id
        found = cells(row)
        assert len(found) == len(scenario.issues)
        for issue, (value, reading) in zip(scenario.issues, found, strict=True):
            assert value == float(f"{point[issue.id]:.1f}"), (model, issue.id)
            assert reading == brute_reading(options[issue.id], point[issue.id]), (model, issue.id)
        rounds = run_forecast(loaded, model).forecast.turns
        assert ("one step" in row) == (rounds <= 1)  # one step: a point, not a trajectory
    assert 'data-model="compromise" class="chosen"' in data["html"]  # the editor's model
    assert "this run" in shown["compromise"]


def test_disagreements_above_the_threshold_get_a_note_and_each_model_says_what_it_assumes(
        client):
    data = post(client, editor_form(client), JSON).json()
    scenario = parse_scenario(EXAMPLE.read_bytes(), "donbas-2026.yaml")
    loaded = load(scenario)
    points = {m: run_forecast(loaded, m).forecast.point_by_id for m in model_names()}
    far = {}
    for issue in scenario.issues:
        value = {m: p[issue.id] for m, p in points.items()}
        low = min(value, key=value.get)  # ties: the first in the registry's order
        high = max(value, key=value.get)
        if value[high] - value[low] > MODEL_DISAGREEMENT:
            far[issue.name] = (low, high)
    assert far, "the Donbas models disagree somewhere (smp and bdm on the guarantees)"
    notes = text_of(re.search(r'<ul class="disagreements">(.*?)</ul>', data["html"],
                              re.S).group(1))
    assert f"The models disagree by more than {MODEL_DISAGREEMENT:g} points" in data["html"]
    for name, (low, high) in far.items():
        assert f"{low} and {high} differ by" in notes and name in notes
    assumed = text_of(re.search(r'<ul class="assumptions" id="models-assumptions">(.*?)</ul>',
                                data["html"], re.S).group(1))
    for model in model_names():  # every model says what it assumes, smp beside bdm
        assert f"{model} assumes {model_conventions(model).assumes}." in assumed
    named = {m for pair in far.values() for m in pair}
    order = re.findall(r"<li><b>([^<]+)</b>", data["html"].split('id="models-assumptions"')[1])
    assert set(order[:len(named)]) == named  # those named in a disagreement first
    # the cells of the models at either end of a disagreement are outlined
    guarantees = next(i.id for i in scenario.issues if i.name in far)
    low, high = far[next(i.name for i in scenario.issues if i.id == guarantees)]
    for model in (low, high):
        assert f'<td class="far" data-issue="{guarantees}">' in rows(data["html"])[model]


def test_the_rounded_package_says_whether_it_breaks_a_red_line(client):
    data = post(client, editor_form(client), JSON).json()
    for model, row in rows(data["html"]).items():
        verdict = text_of(re.search(r'<td class="(breaks|keeps) desc">(.*?)</td>', row,
                                    re.S).group(2))
        assert verdict.startswith("breaks "), model
        broke = "breaks no red line" not in verdict
        assert ('class="breaks desc"' in row) == broke


def test_the_figure_draws_one_point_per_model_and_issue_not_a_trajectory(client):
    figure = post(client, editor_form(client), JSON).json()["figure"]
    scenario = parse_scenario(EXAMPLE.read_bytes(), "donbas-2026.yaml")
    assert [t["meta"]["model"] for t in figure["data"]] == model_names()
    for trace in figure["data"]:
        assert trace["mode"] == "markers"
        assert trace["y"] == [i.name for i in scenario.issues]  # issues, not rounds
        assert len(trace["x"]) == len(scenario.issues)


def test_the_comparison_is_of_the_scenario_as_edited(client):
    before = post(client, editor_form(client), JSON).json()
    after = post(client, editor_form(client, **{"sal.0.0": "0.2"}), JSON).json()
    assert before["html"] != after["html"]
    edited = client.post  # the same edit through the editor's rerun gives the same forecast
    fields = editor_form(client, **{"sal.0.0": "0.2"})
    rerun = edited("/run", files={k: (None, v) for k, v in fields.items()}, headers=JSON).json()
    donbas = re.search(r'id="forecast-donbas">([^<]+)<', rerun["results_html"]).group(1)
    compromise = cells(rows(after["html"])["compromise"])[0][0]
    assert float(donbas) == compromise
    assert "models-table" not in rerun["results_html"]  # a rerun does not run every model


def test_a_repeated_comparison_is_kept(client):
    app_state = client.app.state.redline
    first = post(client, editor_form(client), JSON).json()
    hits = app_state.runs.hits
    second = post(client, editor_form(client), JSON).json()
    assert app_state.runs.hits == hits + 1
    assert json.dumps(first["figure"]) == json.dumps(second["figure"])


def test_bad_input_is_one_line_at_its_field(client):
    response = post(client, editor_form(client, **{"sal.0.0": "7"}), JSON)
    assert response.status_code == 400
    problem = response.json()["problem"]
    assert problem["field"] == "sal.0.0"
    assert problem["label"] == "Ukraine's salience on Control of the Donbas"
    assert "salience must lie in [0, 1]" in problem["message"]
    assert "\n" not in problem["message"]

    broken = post(client, editor_form(client, yaml_text="actors: [1"), JSON)
    assert broken.status_code == 400 and broken.json()["ok"] is False

    page = post(client, editor_form(client, **{"sal.0.0": "nan"}))
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]
    assert 'class="error"' in page.text and 'href="#sal.0.0"' in page.text


def test_csrf_is_required(client):
    fields = editor_form(client)
    fields["csrf_token"] = "forged"
    assert post(client, fields, JSON).status_code == 403
    client.cookies.clear()
    assert post(client, editor_form(client) | {"csrf_token": "x"}).status_code == 403


def test_without_javascript_the_button_opens_the_comparison_as_a_page(client):
    editor = client.get("/open?path=donbas-2026.yaml").text
    assert 'formaction="/models"' in editor and 'id="compare-models"' in editor
    assert '<script src="/static/models.js"></script>' in editor
    page = post(client, editor_form(client))
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'id="models-table"' in page.text and 'data-figure="' in page.text
    assert "Every model side by side: " in page.text
    assert client.get("/static/models.js").status_code == 200
    assert client.get("/static/views.css").status_code == 200
