"""The web app's Simulate view (``/simulate``), through TestClient: every number it shows is
the library's (:func:`redline.pipeline.run_simulate` on the same seed), bad inputs are one line
next to their field, named as the form names it, and the work is bounded."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

from fastapi.testclient import TestClient  # noqa: E402

from redline import pipeline  # noqa: E402
from redline.scenario.load import parse_scenario  # noqa: E402
from redline.simulate.strategies import BIDDING  # noqa: E402
from redline.web.app import create_app  # noqa: E402
from redline.web.edits import edit_form  # noqa: E402
from redline.web.simulation import MAX_DRAWS, MAX_STEPS, MAX_WORK  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "donbas-2026.yaml"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ACTORS = ("ukraine", "russia", "us", "europe")  # the Donbas actors, in the file's order


@pytest.fixture()
def client(tmp_path: Path):
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(EXAMPLE, ws / "donbas-2026.yaml")
    with TestClient(create_app(ws, None), base_url="http://127.0.0.1") as c:
        yield c


def sim_form(client: TestClient, **fields: str) -> dict[str, str]:
    page = client.get("/simulate?path=donbas-2026.yaml").text
    form = {"csrf_token": TOKEN.search(page).group(1), "view": "simulate",
            "source": "donbas-2026.yaml", "yaml_text": EXAMPLE.read_text(encoding="utf-8"),
            "protocol": "sao", "steps": "60", "draws": "150", "seed": "7",
            "strategy.0": "boulware", "strategy.1": "aspiration", "param.1": "2"}
    return {**form, **fields}


def post(client: TestClient, fields: dict[str, str]):
    return client.post("/simulate", files={k: (None, v) for k, v in fields.items()})


def one(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.S)
    assert match, pattern
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def library(strategies, **options) -> dict:
    loaded = pipeline.load(parse_scenario(EXAMPLE.read_bytes(), "donbas-2026.yaml"))
    return pipeline.run_simulate(loaded, strategies, **options).to_dict()


def shown_numbers(page: str) -> dict:
    """The headline numbers the page shows."""
    low, high = re.search(r'id="sim-p-interval">95% interval ([0-9.]+)–([0-9.]+)',
                          page).groups()
    rows = re.findall(r'<tr data-actor="([^"]+)"><th scope="row">[^<]*</th>'
                      r'<td class="num">([0-9.]+)</td>', page)
    shares = re.findall(r'<tr><td class="num">([0-9.]+)% <span class="muted small">'
                        r'\((\d+)\)</span></td>', page)
    return {"p": one(r'id="sim-p">([^<]+)<', page), "interval": (low, high),
            "steps": one(r'id="sim-steps">([^<]+)<', page), "utility": dict(rows),
            "agreements": shares}


def expected_numbers(data: dict) -> dict:
    low, high = data["interval"]
    return {"p": f"{data['p_agreement']:.3f}", "interval": (f"{low:.3f}", f"{high:.3f}"),
            "steps": f"{data['steps_taken']['mean']:.1f}",
            "utility": {a["id"]: f"{data['utilities'][a['id']]['mean']:.3f}"
                        for a in data["agents"]},
            "agreements": [(f"{100 * r['share']:.1f}", str(r["count"]))
                           for r in data["agreements"]]}


def test_the_view_shows_the_library_numbers_on_the_same_seed(client):
    page = post(client, sim_form(client))
    assert page.status_code == 200
    data = library([("ukraine", "boulware"), ("russia", "aspiration:2")], protocol="sao",
                   steps=60, draws=150, seed=7)
    assert shown_numbers(page.text) == expected_numbers(data)
    assert data["agreements"], "the run agrees sometimes"
    # the agreements name issues and options in words, not an outcome index
    first = data["agreements"][0]["package"]
    table = re.search(r'<table class="data" id="sim-agreements">(.*?)</table>', page.text,
                      re.S).group(1)
    scenario = parse_scenario(EXAMPLE.read_bytes(), "donbas-2026.yaml")
    heads = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert heads == ["share", *[i.name for i in scenario.issues], "Ukraine", "Russia"]
    for issue in scenario.issues:
        assert f'<td data-issue="{issue.id}">{first[issue.id]}</td>' in table
    # what stopped the failed talks: each blocker with its description and share
    for b in data["blockers"]:
        assert html.escape(b["description"], quote=True) in page.text or \
            b["description"] in html.unescape(page.text)
        assert f"{100 * b['share']:.1f}%" in page.text
    distances = one(r'<table class="data" id="sim-distances">(.*?)</table>', page.text)
    for key in ("pareto", "nash", "kalai_smorodinsky"):
        if data["distances"][key] is not None:
            assert f"{data['distances'][key]:.3f}" in distances
    assert 'id="fig-offers" data-figure="' in page.text


def test_single_text_with_a_biased_mediator_is_the_library_run(client):
    fields = sim_form(client, protocol="single-text", mediator="us", **{
        "bias.0": "1", "bias.1": "3", "strategy.1": "conceder", "param.1": ""})
    page = post(client, fields)
    assert page.status_code == 200
    data = library([("ukraine", "boulware"), ("russia", "conceder")], protocol="single-text",
                   steps=60, draws=150, seed=7, mediator="us",
                   bias={"ukraine": 1.0, "russia": 3.0})
    assert shown_numbers(page.text) == expected_numbers(data)
    assert "mediator:</span> us" in page.text


def test_stacked_protocol_with_every_actor(client):
    fields = sim_form(client, protocol="stacked", draws="40", **{
        "strategy.2": "linear", "strategy.3": "tft", "param.3": "0.2"})
    page = post(client, fields)
    assert page.status_code == 200
    data = library([("ukraine", "boulware"), ("russia", "aspiration:2"), ("us", "linear"),
                    ("europe", "tft:0.2")], protocol="stacked", steps=60, draws=40, seed=7)
    assert shown_numbers(page.text) == expected_numbers(data)


def test_the_same_seed_gives_the_same_page_and_another_seed_may_not(client):
    first = shown_numbers(post(client, sim_form(client)).text)
    again = shown_numbers(post(client, sim_form(client)).text)
    assert first == again


def test_opening_a_file_runs_the_defaults_and_lists_every_strategy(client):
    page = client.get("/simulate?path=donbas-2026.yaml")
    assert page.status_code == 200
    data = library([("ukraine", "boulware"), ("russia", "conceder")], steps=100, draws=200)
    assert shown_numbers(page.text) == expected_numbers(data)
    for name in BIDDING:
        assert f'<option value="{name}"' in page.text
    picker = client.get("/simulate")
    assert picker.status_code == 200 and 'href="/simulate?path=donbas-2026.yaml"' in picker.text
    assert client.get("/simulate?path=../secret.yaml").status_code == 400
    assert client.get("/simulate?path=missing.yaml").status_code == 404


def test_the_editor_simulates_the_scenario_as_edited(client):
    editor = client.get("/open?path=donbas-2026.yaml").text
    assert 'formaction="/simulate"' in editor and 'href="/simulate"' in editor
    token = TOKEN.search(editor).group(1)
    fields = {"csrf_token": token, "source": "donbas-2026.yaml",
              "yaml_text": EXAMPLE.read_text(encoding="utf-8"), "sal.0.0": "0.2"}
    page = post(client, fields)
    assert page.status_code == 200
    carried = html.unescape(re.search(r'<textarea name="yaml_text" hidden>\n(.*?)</textarea>',
                                      page.text, re.S).group(1))
    edited = parse_scenario(carried.encode(), "donbas-2026.yaml")
    values = {f.name: f.value for f in edit_form(edited).number_fields()}
    assert values["sal.0.0"] == 0.2  # the edit travels on with the scenario
    loaded = pipeline.load(edited)
    data = pipeline.run_simulate(loaded, [("ukraine", "boulware"), ("russia", "conceder")],
                                 steps=100, draws=200).to_dict()
    assert shown_numbers(page.text) == expected_numbers(data)


def field_error(page: str, name: str) -> str:
    found = re.search(r'<span class="field-error" id="error-' + re.escape(name) +
                      r'">(.*?)</span>', page, re.S)
    assert found, f"no error at {name}"
    field = page.find(f'id="{name}"')
    assert 0 <= field < found.start(), "the error is not right after its field"
    assert f'id="{name}"' in page[field:found.start()]
    return html.unescape(found.group(1))


@pytest.mark.parametrize(("fields", "name", "label", "words"), [
    ({"steps": "0"}, "steps", "steps", "must lie in [1, "),
    ({"steps": str(MAX_STEPS + 1)}, "steps", "steps", "redline simulate"),
    ({"draws": str(MAX_DRAWS + 1)}, "draws", "draws", "must lie in [0, "),
    ({"steps": "1000", "draws": "2000"}, "draws", "draws", f"({MAX_WORK:,})"),
    ({"draws": "x"}, "draws", "draws", "'x' is not a whole number"),
    ({"param.1": "abc"}, "param.1", "Russia's parameter", "'abc' is not a number"),
    ({"param.1": "nan"}, "param.1", "Russia's parameter", "not a finite number"),
    ({"param.1": "-1"}, "param.1", "Russia's parameter", "out of range"),
    ({"strategy.0": "zzz"}, "strategy.0", "Ukraine's strategy", "unknown strategy"),
    ({"strategy.1": ""}, "strategies", "strategies", "at least two actors"),
    ({"strategy.2": "linear"}, "protocol", "protocol", "use protocol stacked"),
    ({"protocol": "single-text", "bias.1": "-2"}, "bias.1", "Russia's weight", "0 or more"),
    ({"protocol": "single-text", "mediator": "mars"}, "mediator", "mediator", "unknown actor"),
    ({"breakdown": "1"}, "breakdown", "breakdown probability", "[0, 1)"),
    ({"protocol": "tcp"}, "protocol", "protocol", "unknown protocol"),
])
def test_a_bad_input_is_one_line_at_its_field(client, fields, name, label, words):
    page = post(client, sim_form(client, **fields))
    assert page.status_code == 400
    message = field_error(page.text, name)
    assert words in message and "\n" not in message
    assert "--" not in message  # the form's names, not the CLI's options
    top = re.search(r'<p class="error" id="error" role="alert"><a href="#([^"]+)">([^<]+)</a>',
                    page.text)
    assert top and top.group(1) == name and html.unescape(top.group(2)) == label
    highlighted = 'class="invalid-box"' if name == "strategies" else 'aria-invalid="true"'
    assert highlighted in page.text
    # every input keeps what was typed
    for key, value in fields.items():
        if key.startswith(("param", "bias", "steps", "draws", "breakdown")):
            assert f'value="{html.escape(value)}"' in page.text


def test_a_bad_scenario_text_and_a_missing_token_are_refused(client):
    broken = post(client, sim_form(client, yaml_text="actors: [1"))
    assert broken.status_code == 400 and 'class="error"' in broken.text
    fields = sim_form(client)
    fields["csrf_token"] = "forged"
    assert post(client, fields).status_code == 403
