"""The app's process views through FastAPI's TestClient: the Rounds view (the posterior after
each round) and the Advise view (the mediator's next move), for a saved version and for the
editor's run. Every number is the pipeline's own: the pages and their JSON are compared with
:func:`redline.pipeline.run_update` and :func:`redline.pipeline.run_advise` on the same seed."""

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
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from redline.pipeline import load, run_advise, run_update  # noqa: E402
from redline.scenario.load import parse_scenario  # noqa: E402
from redline.web import process  # noqa: E402
from redline.web.app import create_app  # noqa: E402
from redline.web.runner import MAX_DRAWS  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = ("donbas-2026.yaml", "colombia-2016.yaml", "camp-david-1978.yaml")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
YAML_FIELD = re.compile(r'<textarea name="yaml_text" hidden[^>]*>\n(.*?)</textarea>', re.S)
DRAWS, SEED = 400, 3


@pytest.fixture()
def client(tmp_path: Path):
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in FILES:
        shutil.copy(EXAMPLES / name, ws / name)
    with TestClient(create_app(ws, None), base_url="http://127.0.0.1") as c:
        yield c


def editor_form(page: str) -> dict[str, str]:
    """The hidden fields of an editor (or editor-based process) page."""
    return {"csrf_token": TOKEN.search(page).group(1),
            "source": html.unescape(re.search(r'name="source" value="([^"]*)"', page).group(1)),
            "yaml_text": html.unescape(YAML_FIELD.search(page).group(1))}


def save(client: TestClient, name: str) -> int:
    """Open ``name``, save it with :data:`DRAWS` draws and seed :data:`SEED`; the version's id."""
    page = client.get("/open", params={"path": name}).text
    done = client.post("/save", data={**editor_form(page), "draws": str(DRAWS),
                                      "seed": str(SEED), "note": "as published"},
                       follow_redirects=False)
    assert done.status_code == 303
    key = done.headers["location"].split("/history/")[1].split("#")[0]
    timeline = client.get(f"/history/{key}").text
    return int(re.findall(r'href="/versions/(\d+)"', timeline)[-1])


def json_form(data) -> object:
    """``data`` as JSON would carry it (tuples become lists, keys strings)."""
    return json.loads(json.dumps(data))


def text_of(pattern: str, page: str) -> str:
    match = re.search(pattern, page, re.S)
    assert match, pattern
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def field_error(page: str, name: str) -> str | None:
    """The error shown right after the input ``name`` (no other input between), if any."""
    field = page.find(f'id="{name}"')
    error = re.search(r'<span class="field-error" id="error-' + re.escape(name)
                      + r'">(.*?)</span>', page)
    if field < 0 or error is None:
        return None
    between = page[page.index(">", field):error.start()]
    assert "<input" not in between and "<select" not in between, "the error is not by its field"
    return html.unescape(error.group(1))


def figure(page: str, ident: str) -> dict:
    return json.loads(html.unescape(re.search(f'id="{ident}" data-figure="([^"]*)"',
                                              page).group(1)))


def values(data) -> list:
    """A trace's numbers as plotly's JSON carries them: a list, or a typed array in base64."""
    if isinstance(data, dict) and "bdata" in data:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def expected_update(yaml_text: str, name: str, **settings) -> dict:
    scenario = parse_scenario(yaml_text.encode("utf-8"), name)
    return json_form(run_update(load(scenario), **settings).to_dict())


def expected_advice(yaml_text: str, name: str, actor: str, **settings) -> dict:
    scenario = parse_scenario(yaml_text.encode("utf-8"), name)
    return json_form(run_advise(load(scenario), actor, **settings).to_dict())


def version_yaml(client: TestClient, version: int) -> str:
    return client.get(f"/versions/{version}/scenario.yaml").text


# ---------------------------------------------------------------- rounds

def test_rounds_of_a_version_are_the_pipelines_update(client):
    version = save(client, "donbas-2026.yaml")
    text = version_yaml(client, version)
    expected = expected_update(text, "donbas-2026.yaml", draws=DRAWS, seed=SEED)

    got = client.get(f"/versions/{version}/rounds.json")
    assert got.status_code == 200
    assert got.json() == expected

    page = client.get(f"/versions/{version}/rounds")
    assert page.status_code == 200
    body = page.text
    post = expected["p_agreement"]["posterior"]
    assert text_of(r'id="p-posterior">(.*?)</b>', body) == f"{post['p']:.3f}"
    assert text_of(r'id="p-prior">(.*?)</span>', body) == \
        f"{expected['p_agreement']['prior']['p']:.3f}"
    assert text_of(r'id="ess">(.*?)</span>', body) == f"{expected['ess']:,.0f}"
    # every round, with its sources by name, the illustrative one badged
    for event in expected["rounds"]:
        row = text_of(f'<tr id="round-{re.escape(event["id"])}">(.*?)</tr>', body)
        assert event["id"] in row and event["date"] in row
        assert ("illustrative" in row) == event["illustrative"]
    sources = text_of(r'<tr id="round-kyiv-red-line-entire-donbas">(.*?)</tr>', body)
    assert "The Independent: report on the Abu Dhabi talks" in sources
    assert any(e["illustrative"] for e in expected["rounds"])
    # a round no draw reproduces is named: it moves nothing
    silent = [e["id"] for e in expected["rounds"] if e["prior_fit"] == 0]
    assert silent == ["kyiv-red-line-entire-donbas"]
    assert "moves nothing" in text_of(r'id="unreproduced-kyiv-red-line-entire-donbas">(.*?)</p>',
                                      body)

    # the timeline figure: P(agreement) after each round with its Wilson interval at the ESS
    timeline = figure(body, "fig-rounds-timeline")
    trace = next(t for t in timeline["data"] if t["meta"]["role"] == "p_agreement")
    steps = expected["timeline"]
    assert values(trace["y"]) == pytest.approx([s["p_agreement"]["p"] for s in steps], abs=1e-12)
    assert values(trace["error_y"]["array"]) == pytest.approx(
        [s["p_agreement"]["high"] - s["p_agreement"]["p"] for s in steps], abs=1e-12)
    claims = [t["meta"]["claim"] for t in timeline["data"] if t["meta"]["role"] == "claim"]
    assert claims == [c["id"] for c in expected["claims"]]
    # the thresholds: prior beside posterior, each the update's mean and 90% interval
    thresholds = [r for r in expected["inputs"] if r["rule"]]
    assert thresholds
    drawn = {t["meta"]["role"]: t for t in figure(body, "fig-rounds-thresholds")["data"]}
    for side in ("prior", "posterior"):
        got = drawn[f"threshold_{side}"]
        assert got["x"] == pytest.approx([r[side]["mean"] for r in thresholds], abs=1e-12)
        assert [m + h for m, h in zip(got["x"], got["error_x"]["array"], strict=True)] == \
            pytest.approx([r[side]["high"] for r in thresholds], abs=1e-9)
    # the table: one row per step, P(agreement) with its interval
    table = text_of(r'<table class="data" id="timeline-rounds">(.*?)</table>', body)
    for step in steps:
        pa = step["p_agreement"]
        assert f"{pa['p']:.3f} [{pa['low']:.3f}, {pa['high']:.3f}]" in table


def test_rounds_of_the_editors_run_apply_its_edits(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    fields = {**editor_form(page), "draws": "300", "seed": "7", "sal.0.0": "0.2"}
    shown = client.post("/rounds", data=fields)
    assert shown.status_code == 200
    carried = editor_form(shown.text)["yaml_text"]  # the edited text, sent back by the page
    edited = parse_scenario(carried.encode("utf-8"), "donbas-2026.yaml")
    assert edited.positions["ukraine"]["donbas"].salience == 0.2
    expected = expected_update(carried, "donbas-2026.yaml", draws=300, seed=7)
    assert text_of(r'id="p-posterior">(.*?)</b>', shown.text) == \
        f"{expected['p_agreement']['posterior']['p']:.3f}"
    assert "not saved" in text_of(r'id="basis">(.*?)</p>', shown.text)
    # the page's own form posts the edited text again, with its settings
    again = client.post("/rounds", data={**editor_form(shown.text), "draws": "300",
                                         "seed": "7"})
    assert text_of(r'id="p-posterior">(.*?)</b>', again.text) == \
        f"{expected['p_agreement']['posterior']['p']:.3f}"


def test_rounds_until_a_date_count_the_rounds_up_to_it(client):
    version = save(client, "colombia-2016.yaml")
    text = version_yaml(client, version)
    expected = expected_update(text, "colombia-2016.yaml", draws=DRAWS, seed=SEED,
                               until="2016-10-15")
    got = client.get(f"/versions/{version}/rounds.json", params={"until": "2016-10-15"}).json()
    assert got == expected
    assert 0 < got["counted"] < len(got["rounds"])
    page = client.get(f"/versions/{version}/rounds", params={"until": "2016-10-15"}).text
    assert f"{got['counted']} of {len(got['rounds'])} round(s) counted" in \
        text_of(r'id="rounds-lead">(.*?)</p>', page)


def test_a_scenario_without_rounds_says_why(client):
    version = save(client, "camp-david-1978.yaml")
    page = client.get(f"/versions/{version}/rounds")
    assert page.status_code == 200
    assert "No rounds in this scenario" in page.text
    assert "records no rounds" in text_of(r'id="no-rounds"[^>]*>(.*?)</section>', page.text)
    assert "data-figure" not in page.text


@pytest.mark.parametrize("query, field, says", [
    ({"draws": str(MAX_DRAWS + 1)}, "draws", "redline update FILE --draws N"),
    ({"draws": "0"}, "draws", "at least 1"),
    ({"draws": "many"}, "draws", "not a whole number"),
    ({"seed": "-1"}, "seed", "seed must lie in"),
    ({"until": "yesterday"}, "until", "not a date"),
])
def test_bad_rounds_settings_are_shown_at_their_field(client, query, field, says):
    version = save(client, "donbas-2026.yaml")
    page = client.get(f"/versions/{version}/rounds", params=query)
    assert page.status_code == 400
    assert says in field_error(page.text, field)
    assert "data-figure" not in page.text  # refused before any work
    json_answer = client.get(f"/versions/{version}/rounds.json", params=query,
                             headers={"accept": "application/json"})
    assert json_answer.status_code == 400
    assert len(json_answer.text.splitlines()) == 1 and says in json_answer.text


# ---------------------------------------------------------------- advise

@pytest.mark.parametrize("objective", ["accept", "value", "probe"])
def test_advice_of_a_version_is_the_pipelines_advise(client, objective):
    version = save(client, "donbas-2026.yaml")
    text = version_yaml(client, version)
    expected = expected_advice(text, "donbas-2026.yaml", "ukraine", objective=objective,
                               top=3, draws=DRAWS, seed=SEED)
    query = {"actor": "ukraine", "objective": objective, "top": "3"}
    assert client.get(f"/versions/{version}/advise.json", params=query).json() == expected

    page = client.get(f"/versions/{version}/advise", params=query)
    assert page.status_code == 200
    reasons = [html.unescape(r) for r in re.findall(r'<p class="reason">(.*?)</p>', page.text)]
    assert reasons == [row["reason"] for row in expected["ranked"]]
    assert len(reasons) == 3
    # the packages by the issues' names and the options' labels, in the ranked order
    scenario = parse_scenario(text.encode("utf-8"), "donbas-2026.yaml")
    names = {i.id: i.name for i in scenario.issues}
    for row in expected["ranked"]:
        item = text_of(f'<li id="rank-{row["rank"]}">(.*?)</ol>|<li id="rank-{row["rank"]}">'
                       r'(.*?)</li>\s*<li id=', page.text)
        for issue, option in row["package"].items():
            assert f"{names[issue]}: {option}" in item
    score = {"accept": "P(every veto holder accepts)", "value": "expected utility",
             "probe": "bits expected"}[objective]
    assert score in text_of(r'id="rank-1">(.*?)</p>', page.text)


def test_advice_of_the_editors_run_uses_its_edits(client):
    page = client.get("/open", params={"path": "colombia-2016.yaml"}).text
    scenario = parse_scenario(editor_form(page)["yaml_text"].encode("utf-8"), "colombia.yaml")
    actor = scenario.actors[-1].id
    shown = client.post("/advise", data={**editor_form(page), "draws": "300", "seed": "2",
                                         "actor": actor, "objective": "probe", "top": "2"})
    assert shown.status_code == 200
    carried = editor_form(shown.text)["yaml_text"]
    expected = expected_advice(carried, "colombia-2016.yaml", actor, objective="probe", top=2,
                               draws=300, seed=2)
    reasons = [html.unescape(r) for r in re.findall(r'<p class="reason">(.*?)</p>', shown.text)]
    assert reasons == [row["reason"] for row in expected["ranked"]]
    assert "posterior after" in text_of(r'id="advice-lead">(.*?)</p>', shown.text)


def test_advise_without_an_actor_shows_the_form(client):
    version = save(client, "donbas-2026.yaml")
    page = client.get(f"/versions/{version}/advise")
    assert page.status_code == 200
    assert 'id="advice-list"' not in page.text and 'id="advice-empty"' in page.text
    for actor in ("ukraine", "russia", "us", "europe"):
        assert f'<option value="{actor}"' in page.text
    answer = client.get(f"/versions/{version}/advise.json")
    assert answer.status_code == 400 and "choose an actor" in answer.text


@pytest.mark.parametrize("query, field, says", [
    ({"actor": "atlantis"}, "actor", "unknown actor 'atlantis' (hint: actors: ukraine, "),
    ({"actor": "ukraine", "objective": "win"}, "objective", "unknown objective 'win'"),
    ({"actor": "ukraine", "top": "0"}, "top", "top must lie in [1, 50]"),
    ({"actor": "ukraine", "draws": str(MAX_DRAWS * 10)}, "draws",
     "the app runs at most 5,000 draws, got 50,000 (hint: the CLI has no such limit: "
     "redline advise FILE --draws N)"),
])
def test_bad_advice_settings_are_shown_at_their_field(client, query, field, says):
    version = save(client, "donbas-2026.yaml")
    page = client.get(f"/versions/{version}/advise", params=query)
    assert page.status_code == 400
    assert says in field_error(page.text, field)
    assert f'aria-describedby="error-{field}"' in page.text
    assert 'id="advice-list"' not in page.text
    # and from the editor's run, the same line at the same field
    editor = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    posted = client.post("/advise", data={**editor_form(editor), **query})
    assert posted.status_code == 400 and says in field_error(posted.text, field)


def test_advice_over_listed_candidates_is_the_pipelines_advise(client):
    """Proposals chosen by id and packages typed as issue=option (one a line) are the
    candidates, as ``redline advise --proposal ... --package ...`` lists them; ``until``
    counts the rounds up to a date."""
    version = save(client, "colombia-2016.yaml")
    text = version_yaml(client, version)
    query = [("actor", "government"), ("objective", "value"), ("top", "3"),
             ("until", "2016-10-05"), ("proposal", "august-final-accord"),
             ("proposal", "november-accord"),
             ("packages", "justice=prison, ratification=congress\n\npolitics=party-only")]
    expected = expected_advice(
        text, "colombia-2016.yaml", "government", objective="value", top=3, draws=DRAWS,
        seed=SEED, until="2016-10-05", proposals=["august-final-accord", "november-accord"],
        packages=[{"justice": "prison", "ratification": "congress"},
                  {"politics": "party-only"}])
    answer = client.get(f"/versions/{version}/advise.json", params=query)
    assert answer.status_code == 200 and answer.json() == expected
    assert expected["candidates"]["count"] < 144  # only the listed ones, not the space

    page = client.get(f"/versions/{version}/advise", params=query).text
    reasons = [html.unescape(r) for r in re.findall(r'<p class="reason">(.*?)</p>', page)]
    assert reasons == [row["reason"] for row in expected["ranked"]]
    for pid in ("august-final-accord", "november-accord"):  # kept chosen in the form
        assert re.search(f'<option value="{pid}" selected>', page)
    assert "justice=prison, ratification=congress" in html.unescape(page)
    command = text_of(r'id="advice-command">(.*?)</p>', page)
    assert ("--until 2016-10-05 --proposal august-final-accord --proposal november-accord "
            "--package justice=prison,ratification=congress --package politics=party-only"
            in command)
    link = html.unescape(re.search(r'id="advice-json"', page) and
                         re.search(r'href="([^"]*)" id="advice-json"', page).group(1))
    assert client.get(link).json() == expected  # the page's own JSON link


@pytest.mark.parametrize("query, field, says", [
    ([("proposal", "atlantis")], "proposal",
     "unknown proposal 'atlantis' (hint: proposals: august-final-accord, "),
    ([("packages", "justice")], "packages", "line 1: expected issue=option (got 'justice')"),
    ([("packages", "politics=barred\nlanguage=spanish")], "packages",
     "line 2: unknown issue 'language' (hint: issues: justice, politics"),
    ([("packages", "justice=jail")], "packages",
     "line 1: issue 'justice' has no option 'jail' (hint: options: amnesty, restorative"),
    ([("packages", "justice=prison, justice=amnesty")], "packages",
     "line 1: issue 'justice' is given twice"),
    ([("packages", "\n".join(["politics=barred"] * 21))], "packages",
     "21 packages typed; the app takes at most 20"),
    ([("until", "after the vote")], "until", "'after the vote' is not a date (YYYY-MM-DD)"),
])
def test_bad_candidates_are_shown_at_their_field(client, query, field, says):
    version = save(client, "colombia-2016.yaml")
    query = [("actor", "government"), *query]
    page = client.get(f"/versions/{version}/advise", params=query)
    assert page.status_code == 400
    error = re.search(r'<span class="field-error" id="error-' + field + r'">(.*?)</span>',
                      page.text)
    assert error and says in html.unescape(error.group(1))
    assert f'id="{field}"' in page.text and f'aria-describedby="error-{field}"' in page.text
    assert 'id="advice-list"' not in page.text
    assert client.get(f"/versions/{version}/advise.json", params=query).status_code == 400
    editor = client.get("/open", params={"path": "colombia-2016.yaml"}).text
    posted = client.post("/advise", data={**editor_form(editor), **dict(query)})
    assert posted.status_code == 400
    assert says in html.unescape(re.search(r'id="error-' + field + r'">(.*?)</span>',
                                           posted.text).group(1))


def test_an_unchanged_request_is_answered_from_the_run_cache(client, monkeypatch):
    """The process views keep their runs in the app's run cache: asking again with the same
    scenario text and settings (the page, its JSON, the editor's post) computes nothing."""
    calls = {"update": 0, "advise": 0}

    def counted(name, real):
        def run(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(process, "run_update", counted("update", process.run_update))
    monkeypatch.setattr(process, "run_advise", counted("advise", process.run_advise))
    version = save(client, "donbas-2026.yaml")
    rounds = client.get(f"/versions/{version}/rounds").text
    again = client.get(f"/versions/{version}/rounds").text
    data = client.get(f"/versions/{version}/rounds.json").json()
    assert calls["update"] == 1 and rounds == again and "_run" not in data
    client.get(f"/versions/{version}/rounds", params={"until": "2026-01-25"})
    assert calls["update"] == 2  # another setting is another run

    query = {"actor": "us", "top": "2"}
    first = client.get(f"/versions/{version}/advise.json", params=query).json()
    client.get(f"/versions/{version}/advise", params=query)
    assert client.get(f"/versions/{version}/advise.json", params=query).json() == first
    assert calls["advise"] == 1
    client.get(f"/versions/{version}/advise.json", params={**query, "seed": "9"})
    assert calls["advise"] == 2

    editor = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    form = {**editor_form(editor), "draws": "300", "seed": "1"}
    client.post("/rounds", data=form)
    client.post("/rounds", data=form)
    assert calls["update"] == 3
    edited = {**form, "yaml_text": form["yaml_text"].replace("Abu Dhabi", "Abu  Dhabi")}
    client.post("/rounds", data=edited)  # another text is another run
    assert calls["update"] == 4


# ---------------------------------------------------------------- evaluate

def cli_json(*args: str) -> dict:
    """``redline ... --json`` run in-process, parsed."""
    from typer.testing import CliRunner

    from redline.cli import app

    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("name, query, args", [
    ("colombia-2016.yaml", {"proposal": "august-final-accord"}, ["august-final-accord"]),
    ("donbas-2026.yaml", {"package": "donbas=freeze-contact-line, referendum=held"},
     ["--package", "donbas=freeze-contact-line,referendum=held"]),
])
def test_evaluation_of_a_version_is_the_clis_evaluate(client, tmp_path, name, query, args):
    """The Evaluate view's JSON is ``redline evaluate --json`` of the version's text, byte for
    byte once parsed; the page shows each actor's verdict, the odds and what it would take."""
    version = save(client, name)
    path = tmp_path / name
    path.write_text(version_yaml(client, version), encoding="utf-8")
    expected = cli_json("evaluate", str(path), *args, "--draws", str(DRAWS), "--seed",
                        str(SEED))
    answer = client.get(f"/versions/{version}/evaluate.json", params=query)
    assert answer.status_code == 200
    assert answer.json() == expected

    page = client.get(f"/versions/{version}/evaluate", params=query).text
    # the completions shown first: the acceptable ones, then the likeliest to be accepted
    odds = {tuple(r["package"].items()): r for r in expected["uncertainty"]["completions"]}
    order = sorted(range(len(expected["completions"])), key=lambda k: (
        not expected["completions"][k]["acceptable"],
        -odds[tuple(expected["completions"][k]["package"].items())]["p_acceptable"]["p"]))
    first = expected["completions"][order[0]]
    card = text_of(r'<li id="completion-1">(.*?)</li>\s*(?:<li id=|</ol>)', page)
    chance = odds[tuple(first["package"].items())]["p_acceptable"]["p"]
    assert f"P(every veto holder accepts) {chance:.3f}" in card
    scenario = parse_scenario(path.read_bytes(), name)
    names = {a.id: a.name for a in scenario.actors}
    for actor in first["actors"]:
        assert f"{names[actor['actor']]}{actor['utility']:.3f}" in card.replace("\n", "")
    takes = text_of(r'id="what-it-takes">(.*?)</p>', page)
    assert takes
    command = text_of(r'id="evaluation-command">(.*?)</p>', page)
    assert f"redline evaluate FILE {' '.join(args)} --draws {DRAWS} --seed {SEED}" in command
    link = html.unescape(re.search(r'href="([^"]*)" id="evaluation-json"', page).group(1))
    assert client.get(link).json() == answer.json()


def test_evaluation_of_the_editors_text_and_without_a_text(client):
    editor = client.get("/open", params={"path": "colombia-2016.yaml"}).text
    fields = {**editor_form(editor), "draws": "0", "seed": "0"}
    empty = client.post("/evaluate", data=fields)
    assert empty.status_code == 200 and 'id="evaluation-empty"' in empty.text
    for pid in ("august-final-accord", "november-accord"):
        assert f'<option value="{pid}"' in empty.text
    shown = client.post("/evaluate", data={**fields, "proposal": "november-accord"})
    assert shown.status_code == 200
    carried = editor_form(shown.text)["yaml_text"]
    from redline.pipeline import run_evaluate

    expected = json_form(run_evaluate(load(parse_scenario(carried.encode("utf-8"), "c.yaml")),
                                      "november-accord", draws=0, limit=20).to_dict())
    assert expected["uncertainty"] is None  # 0 draws: the judgment alone
    assert 'id="evaluation-odds"' not in shown.text
    verdict = "acceptable" if expected["completions"][0]["acceptable"] else "blocked"
    assert verdict in text_of(r'<li id="completion-1">(.*?)</li>', shown.text)


@pytest.mark.parametrize("query, field, says", [
    ({"proposal": "atlantis"}, "proposal", "unknown proposal 'atlantis' (hint: proposals: "),
    ({"package": "justice"}, "package", "expected issue=option (got 'justice')"),
    ({"package": "justice=jail"}, "package", "issue 'justice' has no option 'jail'"),
    ({"package": "language=es"}, "package", "unknown issue 'language' (hint: issues: "),
    ({"proposal": "november-accord", "package": "justice=prison"}, "package",
     "give a proposal or a package, not both"),
    ({"proposal": "november-accord", "draws": "-1"}, "draws", "draws must be at least 1"),
    ({"proposal": "november-accord", "draws": "9999999"}, "draws",
     "the app runs at most 5,000 draws, got 9,999,999 (hint: the CLI has no such limit: "
     "redline evaluate FILE --draws N)"),
])
def test_bad_evaluate_settings_are_shown_at_their_field(client, query, field, says):
    version = save(client, "colombia-2016.yaml")
    page = client.get(f"/versions/{version}/evaluate", params=query)
    assert page.status_code == 400
    assert says in field_error(page.text, field)
    assert f'aria-describedby="error-{field}"' in page.text
    assert 'id="completions"' not in page.text
    assert client.get(f"/versions/{version}/evaluate.json", params=query).status_code == 400
    editor = client.get("/open", params={"path": "colombia-2016.yaml"}).text
    posted = client.post("/evaluate", data={**editor_form(editor), **query})
    assert posted.status_code == 400 and says in field_error(posted.text, field)
    assert client.get(f"/versions/{version}/evaluate.json").status_code == 400  # none chosen


def test_process_posts_need_the_csrf_token(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    fields = editor_form(page)
    for url in ("/rounds", "/evaluate", "/advise"):
        assert client.post(url, data={**fields, "csrf_token": ""}).status_code == 403
        assert client.post(url, data={**fields, "csrf_token": "x" + fields["csrf_token"]}
                           ).status_code == 403


def test_a_bad_scenario_posted_to_a_view_is_one_line(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    fields = {**editor_form(page), "yaml_text": "actors: [1, 2\n"}
    shown = client.post("/rounds", data=fields)
    assert shown.status_code == 400
    message = text_of(r'id="error" role="alert">(.*?)</p>', shown.text)
    assert message.startswith("rounds: ") and "\n" not in message


def test_views_are_linked_from_the_scenarios_pages_and_escape_its_text(client):
    version = save(client, "donbas-2026.yaml")
    page = client.get(f"/versions/{version}").text
    assert f'href="/versions/{version}/rounds"' in page
    assert f'href="/versions/{version}/advise"' in page
    editor = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    assert 'formaction="/rounds"' in editor and 'formaction="/advise"' in editor
    rounds = client.get(f"/versions/{version}/rounds").text
    assert f'href="/versions/{version}/advise"' in rounds and 'aria-current="page"' in rounds

    fields = editor_form(editor)
    fields["yaml_text"] = fields["yaml_text"].replace(
        'title: "Russia turns down a freeze on the contact line (illustration)"',
        'title: "<script>alert(1)</script> freeze"')
    shown = client.post("/rounds", data=fields).text
    assert "<script>alert(1)</script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; freeze" in shown


# ---------------------------------------------------------------- the boundary, for any input

SETTING_TEXT = st.one_of(st.text(max_size=30), st.integers(-10**12, 10**12).map(str),
                         st.sampled_from(["", " 5 ", "1e3", "nan", "inf", "0x10", "2016-10-15",
                                          "ukraine", "probe", "value"]))


PACKAGE_TEXT = st.lists(st.sampled_from(["donbas=cede-entire-donbas", "referendum=held",
                                         "guarantees=none", "x=y", "donbas", "=", ",",
                                         "freeze-with-european-force", "\n"]),
                        max_size=8).map(", ".join)


@pytest.fixture(scope="module")
def donbas_basis() -> process.Basis:
    text = (EXAMPLES / "donbas-2026.yaml").read_text(encoding="utf-8")
    scenario = parse_scenario(text.encode("utf-8"), "donbas-2026.yaml")
    return process.Basis(scenario, text, "donbas-2026.yaml", "donbas-2026", None, 500, 0)


@settings(max_examples=300, deadline=None)
@given(values=st.dictionaries(st.sampled_from(["actor", "objective", "top", "draws", "seed",
                                               "until", "proposal", "packages", "package"]),
                              st.one_of(SETTING_TEXT, PACKAGE_TEXT)))
def test_any_settings_are_bounded_or_refused_at_a_field(donbas_basis, values):
    """Whatever is typed, the views' settings are either within the app's bounds or one
    error naming one of the page's fields, before any work."""
    for read in (process.rounds_inputs, process.advice_inputs, process.evaluate_inputs):
        try:
            got = read(values, donbas_basis)
        except process.InputError as error:
            assert error.field in process.FIELD_LABELS
            assert "\n" not in str(error)
            continue
        least = 0 if isinstance(got, process.EvaluateInputs) else 1  # 0: the judgment alone
        assert least <= got.draws <= MAX_DRAWS and 0 <= got.seed <= process.MAX_SEED
        if isinstance(got, process.EvaluateInputs):
            assert got.proposal is None or got.package is None
        if isinstance(got, process.AdviceInputs):
            assert 1 <= got.top <= process.MAX_TOP
            assert got.actor in (None, "ukraine", "russia", "us", "europe")
            assert got.objective in process.OBJECTIVE_NAMES
            assert len(got.proposals) + len(got.packages) <= process.MAX_LISTED
