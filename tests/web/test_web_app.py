"""The web app through FastAPI's TestClient: paths, sizes, CSRF, errors, save and timeline."""

from __future__ import annotations

import html
import json
import re
import shutil
import threading
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from fastapi.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from redline.cli import serve as _serve  # noqa: E402,F401  (registers serve and history)
from redline.cli.common import app as cli_app  # noqa: E402
from redline.errors import ScenarioError  # noqa: E402
from redline.scenario.load import (
    MAX_FILE_BYTES,  # noqa: E402
    parse_scenario,  # noqa: E402
)
from redline.web.app import create_app  # noqa: E402
from redline.web.security import MAX_BODY, SECURITY_HEADERS, csrf_form  # noqa: E402
from redline.web.store import NOTE_MAX  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "donbas-2026.yaml"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
YAML_FIELD = re.compile(r'<textarea name="yaml_text" hidden>\n(.*?)</textarea>', re.S)


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(EXAMPLE, ws / "donbas-2026.yaml")
    (ws / "sub").mkdir()
    (tmp_path / "secret.yaml").write_text("top: secret-outside-the-workspace\n")
    return ws


@pytest.fixture()
def client(workspace: Path):
    app = create_app(workspace, None)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def token(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200
    return TOKEN.search(page.text).group(1)


def one(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.S)
    assert match, pattern
    return html.unescape(match.group(1)).strip()


def submit(client: TestClient, url: str, fields: dict[str, str], **kwargs):
    """POST ``fields`` as the browser sends the editor's form (multipart/form-data)."""
    return client.post(url, files={k: (None, v) for k, v in fields.items()}, **kwargs)


def field_error(page: str, name: str) -> str | None:
    """The error shown right after the input ``name`` (before any other input), if any."""
    field = page.find(f'id="{name}"')
    error = re.search(r'<span class="field-error" id="error-' + re.escape(name) + r'">(.*?)</span>',
                      page)
    if field < 0 or error is None:
        return None
    between = page[page.index(">", field):error.start()]
    assert "<input" not in between and "<select" not in between, "the error is not by its field"
    return html.unescape(error.group(1))


def editor_form(page: str) -> dict[str, str]:
    """The hidden fields of the editor page (token, source, scenario text)."""
    return {
        "csrf_token": TOKEN.search(page).group(1),
        "source": one(r'name="source" value="([^"]*)"', page),
        "yaml_text": html.unescape(YAML_FIELD.search(page).group(1)),
    }


# ---------------------------------------------------------------- paths

@pytest.mark.parametrize("path, status", [
    ("../secret.yaml", 400),
    ("sub/../../secret.yaml", 400),
    ("sub/../donbas-2026.yaml", 400),
    ("/etc/passwd", 400),
    ("//etc/passwd", 400),
    ("C:/Windows/win.ini", 400),
    ("..\\secret.yaml", 400),
    ("donbas-2026.yaml\x00.txt", 400),
    ("", 400),
    ("escape.yaml", 404),  # a symlink that leads outside the workspace
    ("sub/link-up.yaml", 404),
    (".redline/history.sqlite3", 404),
    ("missing.yaml", 404),
    ("sub", 400),
])
def test_paths_outside_the_workspace_are_refused(client, workspace, path, status):
    (workspace / "escape.yaml").symlink_to(workspace.parent / "secret.yaml")
    (workspace / "sub" / "link-up.yaml").symlink_to(Path("..") / ".." / "secret.yaml")
    response = client.get("/open", params={"path": path})
    assert response.status_code == status
    assert "secret-outside-the-workspace" not in response.text


def test_encoded_traversal_and_static_escape_are_refused(client):
    assert client.get("/open?path=%2e%2e%2fsecret.yaml").status_code == 400
    assert client.get("/open?path=%2e%2e/secret.yaml").status_code == 400
    for url in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py",
                "/static/%2e%2e%2f%2e%2e%2fstore.py"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "create_app" not in response.text


def test_listing_shows_workspace_files_only(client, workspace):
    (workspace / "escape.yaml").symlink_to(workspace.parent / "secret.yaml")
    (workspace / "sub" / "inner.yml").write_text("actors: []\n")
    page = client.get("/").text
    assert "donbas-2026.yaml" in page
    assert "sub/inner.yml" in page
    assert "escape.yaml" not in page
    assert client.get("/open", params={"path": "donbas-2026.yaml"}).status_code == 200


def test_listing_offers_only_scenarios(client, workspace):
    shutil.copy(EXAMPLE.parent / "divorce-points.yaml", workspace / "divorce-points.yaml")
    (workspace / "quoted.yml").write_text('# a scenario\n---\n"scenario":\n  id: q\n')
    (workspace / "flow.yaml").write_text("{actors: []}\n")  # cannot tell: offered
    page = client.get("/").text
    links = re.findall(r'href="/open\?path=([^"]+)"', page)
    assert links == ["donbas-2026.yaml", "flow.yaml", "quoted.yml"]
    assert "divorce-points.yaml" in one(r'id="other-files">(.*?)</p>', page)


def test_untrusted_host_is_refused(client):
    response = client.get("/", headers={"host": "attacker.example"})
    assert response.status_code == 400


# ---------------------------------------------------------------- size

def padded(size: int) -> str:
    """The Donbas scenario grown to ``size`` bytes with a comment block at its end."""
    text = EXAMPLE.read_text()
    line = "# " + "x" * 97 + "\n"
    body = text + line * ((size - len(text)) // len(line))
    return body + "#" * (size - len(body) - 1) + "\n"


def test_oversized_upload_is_rejected(client):
    big = padded(MAX_FILE_BYTES + 1).encode()
    response = client.post("/upload", data={"csrf_token": token(client)},
                           files={"file": ("big.yaml", big, "application/x-yaml")})
    assert response.status_code == 413
    assert one(r'id="error"[^>]*>(.*?)</p>', response.text).startswith(
        f"big.yaml: file is {len(big):,} bytes, above the {MAX_FILE_BYTES:,}-byte limit")


@pytest.mark.parametrize("size", [1_500_000, MAX_FILE_BYTES])
def test_files_up_to_the_limit_open_rerun_and_save(client, workspace, size):
    (workspace / "big.yaml").write_text(padded(size))
    assert (workspace / "big.yaml").stat().st_size == size
    page = client.get("/open", params={"path": "big.yaml"})
    assert page.status_code == 200
    form = editor_form(page.text)
    crlf = {**form, "yaml_text": form["yaml_text"].replace("\n", "\r\n")}  # as browsers send
    rerun = submit(client, "/run", {**crlf, "sal.0.0": "0.2"})
    assert rerun.status_code == 200, one(r'id="error"[^>]*>(.*?)</p>', rerun.text)
    saved = submit(client, "/save", {**crlf, "note": "big"}, follow_redirects=False)
    assert saved.status_code == 303
    assert len(client.get("/versions/1/scenario.yaml").text.encode()) == size
    too_big = {**form, "yaml_text": padded(MAX_FILE_BYTES + 1)}
    response = submit(client, "/run", too_big)
    assert response.status_code == 413
    assert "above the 5,000,000-byte limit" in one(r'id="error"[^>]*>(.*?)</p>', response.text)


def test_oversized_body_is_rejected_before_reading(client):
    huge = b"x" * (MAX_BODY + 1)
    response = client.post("/upload", content=huge,
                           headers={"content-type": "application/octet-stream"})
    assert response.status_code == 413


# ---------------------------------------------------------------- the event loop

def test_parsing_and_plotting_leave_the_event_loop_free(client, monkeypatch):
    """While one request is plotting, the server answers others: the work runs in threads."""
    from redline.web import plots

    entered, answered = threading.Event(), threading.Event()
    released: list[bool] = []
    real = plots.run_plots

    def slow_plots(outcome):
        entered.set()
        # released once /healthz has been answered meanwhile; on the loop, it never would be
        released.append(answered.wait(timeout=30))
        return real(outcome)

    monkeypatch.setattr(plots, "run_plots", slow_plots)
    results: list[int] = []
    opening = threading.Thread(target=lambda: results.append(
        client.get("/open", params={"path": "donbas-2026.yaml"}).status_code))
    opening.start()
    assert entered.wait(timeout=60)
    assert client.get("/healthz").text == "ok"
    answered.set()
    opening.join(timeout=60)
    assert results == [200] and released == [True]


# ---------------------------------------------------------------- CSRF

def test_every_post_route_checks_the_csrf_token(client):
    posts = [r for r in client.app.routes if "POST" in getattr(r, "methods", set())]
    assert {r.path for r in posts} >= {"/upload", "/run", "/save"}
    for route in posts:
        calls = {d.call for d in route.dependant.dependencies}
        assert csrf_form in calls, route.path


@pytest.mark.parametrize("url", ["/upload", "/run", "/save"])
def test_post_without_or_with_wrong_csrf_token_is_forbidden(client, workspace, url):
    good = token(client)
    body = {"source": "donbas-2026.yaml", "yaml_text": EXAMPLE.read_text()}
    files = {"file": ("d.yaml", EXAMPLE.read_bytes(), "application/x-yaml")}
    kwargs = {"files": files} if url == "/upload" else {}
    assert client.post(url, data=body, **kwargs).status_code == 403
    assert client.post(url, data={**body, "csrf_token": ""}, **kwargs).status_code == 403
    assert client.post(url, data={**body, "csrf_token": good + "x"}, **kwargs).status_code == 403
    # the right token from another visitor's cookie is not enough
    with TestClient(create_app(workspace, None), base_url="http://127.0.0.1") as other:
        assert other.post(url, data={**body, "csrf_token": good}, **kwargs).status_code == 403
    # a tampered cookie is refused even with the matching field
    client.cookies.set("redline_csrf", good + ".0000")
    assert client.post(url, data={**body, "csrf_token": good}, **kwargs).status_code == 403


def test_cross_site_post_is_forbidden_even_with_the_token(client):
    good = token(client)
    response = client.post("/run", data={"csrf_token": good, "yaml_text": EXAMPLE.read_text()},
                           headers={"origin": "http://attacker.example"})
    assert response.status_code == 403


def assert_secured(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.status_code, name)
    assert response.headers.get("cache-control") == "no-store", response.status_code


def test_error_responses_carry_the_security_headers(workspace):
    app = create_app(workspace, None)

    def broken():
        raise RuntimeError("a bug")

    app.state.redline.store.scenarios = broken
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        responses = {
            "bad path": c.get("/open", params={"path": "../x.yaml"}),
            "not found": c.get("/history/nope", headers={"accept": "text/html"}),
            "no csrf": c.post("/run", data={}),
            "body too large": c.post("/upload", content=b"x" * (MAX_BODY + 1)),
            "untrusted host": c.get("/healthz", headers={"host": "attacker.example"}),
            "server error": c.get("/history", headers={"accept": "text/html"}),
        }
    statuses = {name: r.status_code for name, r in responses.items()}
    assert statuses == {"bad path": 400, "not found": 404, "no csrf": 403,
                        "body too large": 413, "untrusted host": 400, "server error": 500}
    for response in responses.values():
        assert_secured(response)
    assert "a bug" not in responses["server error"].text
    assert "Traceback" not in responses["server error"].text


def test_downloads_are_not_cached(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    assert submit(client, "/save", editor_form(page)).status_code == 200
    for url in ("/versions/1/scenario.yaml", "/versions/1/results.json", "/versions/1",
                "/history/donbas-2026"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secured(response)


def test_cookie_and_security_headers(client):
    response = client.get("/")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    csp = response.headers["content-security-policy"]
    script = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert script.strip() == "script-src 'self'"
    assert response.headers["x-frame-options"] == "DENY"
    assert client.get("/vendor/plotly.min.js").status_code == 200


# ---------------------------------------------------------------- errors

def test_invalid_upload_shows_the_one_line_error(client):
    raw = EXAMPLE.read_text().replace("capability: 30\n", "capability: 30\n    colour: red\n", 1)
    with pytest.raises(ScenarioError) as expected:
        parse_scenario(raw.encode(), "bad.yaml")
    response = client.post("/upload", data={"csrf_token": token(client)},
                           files={"file": ("bad.yaml", raw.encode(), "application/x-yaml")})
    assert response.status_code == 400
    message = one(r'id="error"[^>]*>(.*?)</p>', response.text)
    assert message == str(expected.value)
    assert "\n" not in message and message.startswith("bad.yaml:")
    assert 'id="error"' in one(r'(<form[^>]*id="upload-form".*?</form>)', response.text)
    assert "unknown field" in message


def test_upload_of_python_tags_is_refused(client):
    raw = b"actors: !!python/object/apply:os.system ['echo owned']\n"
    response = client.post("/upload", data={"csrf_token": token(client)},
                           files={"file": ("evil.yaml", raw, "application/x-yaml")})
    assert response.status_code == 400
    assert "unsupported YAML tag" in one(r'id="error"[^>]*>(.*?)</p>', response.text)


def test_bad_edit_shows_the_error_at_its_field_and_keeps_the_page(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    response = submit(client, "/run", {**editor_form(page), "sal.0.0": "2"})
    assert response.status_code == 400
    message = one(r'id="error"[^>]*>(.*?)</p>', response.text)
    assert "salience" in message and "\n" not in message
    assert 'href="#sal.0.0"' in response.text  # the message at the top links to the field
    assert "salience must lie in [0, 1]" in field_error(response.text, "sal.0.0")
    assert re.search(r'id="sal.0.0"[^>]*aria-invalid="true"', response.text)
    assert 'value="2"' in response.text  # the submitted value stays in the form
    response = submit(client, "/run", {**editor_form(page), "out.1": "lots"})
    assert response.status_code == 400
    assert "not a number" in field_error(response.text, "out.1")
    response = submit(client, "/run", {**editor_form(page), "thr.0": "120"})
    assert "must lie in [0, 100]" in field_error(response.text, "thr.0")
    for name, value, expected in (("draws", "many", "not a whole number"),
                                  ("draws", "99999", "draws must lie in"),
                                  ("seed", "-1", "seed must lie in"),
                                  ("model", "oracle", "unknown model"),
                                  ("x_actor", "nobody", "unknown actor")):
        response = submit(client, "/run", {**editor_form(page), name: value})
        assert response.status_code == 400, name
        assert expected in (field_error(response.text, name) or ""), (name, response.text[:300])


def test_input_error_keeps_every_setting(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    settings = {"model": "mean", "draws": "120", "seed": "7", "x_actor": "russia",
                "y_actor": "us", "note": "kept", "as_of": "2026-02-03"}
    response = submit(client, "/run", {**editor_form(page), **settings, "sal.0.0": "2"})
    assert response.status_code == 400
    text = response.text
    assert re.search(r'<option value="mean" selected>', text)
    assert re.search(r'id="x_actor".*?<option value="russia" selected>', text, re.S)
    assert re.search(r'id="y_actor".*?<option value="us" selected>', text, re.S)
    assert re.search(r'id="draws"[^>]*value="120"', text, re.S)
    assert re.search(r'id="seed"[^>]*value="7"', text, re.S)
    assert 'value="kept"' in text and 'value="2026-02-03"' in text
    assert "120 draws, seed 7" in text  # the results shown were run with them, too
    # a bad setting keeps the others and the edits
    response = submit(client, "/run", {**editor_form(page), **settings, "draws": "-5",
                                       "sal.0.1": "0.3"})
    assert response.status_code == 400
    assert re.search(r'<option value="mean" selected>', response.text)
    assert re.search(r'id="draws"[^>]*value="-5"', response.text, re.S)
    assert re.search(r'id="sal.0.1"[^>]*value="0.3"', response.text, re.S)


def test_templates_escape_scenario_text(client):
    raw = EXAMPLE.read_text().replace(
        'title: "US-Russia-Ukraine talks, Abu Dhabi (2026)"',
        'title: "<script>alert(1)</script>"')
    response = client.post("/upload", data={"csrf_token": token(client)},
                           files={"file": ("x.yaml", raw.encode(), "application/x-yaml")})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


LINK = '<a href="https://attacker.example/">click</a>'


def hostile_donbas() -> str:
    """The Donbas scenario with a link in an actor's name, an issue's name, an option label
    and a rule's description."""
    text = EXAMPLE.read_text()
    for old, new in (("    name: Ukraine\n", f"    name: '{LINK} Ukraine'\n"),
                     ("    name: Control of the Donbas\n", f"    name: '{LINK} Donbas'\n"),
                     ("label: freeze-contact-line,", f"label: '{LINK}',"),
                     ("{donbas: freeze-contact-line,", f"{{donbas: '{LINK}',"),  # a proposal
                     ('description: "No deal without real security guarantees"',
                      f"description: '{LINK}'")):
        assert old in text
        text = text.replace(old, new)
    return text


def figure_strings(value, key: str = "") -> list[str]:
    """Every string plotly may render in a figure (its ``meta`` is data, never shown)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "meta" for s in figure_strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in figure_strings(v, key)]
    return []


def test_figures_escape_names_and_notes(client, workspace):
    (workspace / "hostile.yaml").write_text(hostile_donbas())
    page = client.get("/open", params={"path": "hostile.yaml"})
    assert page.status_code == 200, page.text[:500]
    saved = client.post("/save", data={**editor_form(page.text), "note": f"{LINK} note"})
    assert saved.status_code == 200
    figures = re.findall(r'data-figure="([^"]*)"', page.text + saved.text)
    assert len(figures) >= 5
    shown = [s for raw in figures for s in figure_strings(json.loads(html.unescape(raw)))]
    assert not [s for s in shown if "<a" in s.lower()]
    assert any("&lt;a href=" in s for s in shown)  # the names are there, escaped
    assert any("note" in s and "&lt;a href=" in s for s in shown)  # the timeline's hover


# ---------------------------------------------------------------- save, history, timeline

def test_save_history_timeline_round_trip(client, workspace):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    before = one(r'id="forecast-donbas">([^<]+)<', page)

    rerun = client.post("/run", data={**editor_form(page), "sal.0.0": "0.2"})
    assert rerun.status_code == 200
    assert one(r'id="forecast-donbas">([^<]+)<', rerun.text) != before

    saved = client.post("/save", data={**editor_form(page), "sal.0.0": "0.2",
                                       "note": "after the Abu Dhabi round",
                                       "as_of": "2026-02-01"}, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/history/donbas-2026#v1"
    assert one(r'id="saved-message">(.*?)</p>', client.get("/history/donbas-2026").text) \
        == "Saved version 1."
    second = client.post("/save", data={**editor_form(page), "cp.2": "0.9",
                                        "note": "<b>second</b> round"}, follow_redirects=True)
    assert second.status_code == 200
    assert one(r'id="saved-message">(.*?)</p>', second.text) == "Saved version 2."

    timeline = client.get("/history/donbas-2026")
    assert timeline.status_code == 200
    assert "after the Abu Dhabi round" in timeline.text
    assert "&lt;b&gt;second&lt;/b&gt; round" in timeline.text
    figure = json.loads(one(r'id="fig-timeline" data-figure="([^"]*)"', timeline.text))
    p_trace = next(t for t in figure["data"] if t["meta"]["role"] == "p_agreement")
    assert p_trace["x"] == ["v1", "v2"]
    assert all(0 <= p <= 1 for p in p_trace["y"])

    history = client.get("/history")
    assert "donbas-2026" in history.text

    versions = client.get("/versions/1/results.json").json()
    assert versions["note"] == "after the Abu Dhabi round"
    assert versions["as_of"] == "2026-02-01"
    assert versions["results"]["summary"]["forecast"]["donbas"] == pytest.approx(
        float(one(r'id="forecast-donbas">([^<]+)<', rerun.text)), abs=0.05)
    text = client.get("/versions/1/scenario.yaml").text
    stored = parse_scenario(text, "v1.yaml")
    assert stored.positions["ukraine"]["donbas"].salience == 0.2
    second_yaml = parse_scenario(client.get("/versions/2/scenario.yaml").text, "v2.yaml")
    assert second_yaml.claims[2].probability == 0.9
    assert second_yaml.positions["ukraine"]["donbas"].salience == 1.0
    assert client.get("/versions/1/edit").status_code == 200
    assert client.get("/versions/99").status_code == 404
    assert client.get("/history/nope").status_code == 404
    assert (workspace / ".redline" / "history.sqlite3").is_file()

    runner = CliRunner()
    listed = runner.invoke(cli_app, ["history", "--workspace", str(workspace), "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)[0]["versions"] == 2
    rows = runner.invoke(cli_app, ["history", "donbas-2026", "--workspace", str(workspace),
                                   "--json"])
    assert rows.exit_code == 0, rows.output
    assert [r["note"] for r in json.loads(rows.stdout)] == ["after the Abu Dhabi round",
                                                           "<b>second</b> round"]
    table = runner.invoke(cli_app, ["history", "donbas-2026", "--workspace", str(workspace)],
                          env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "Abu Dhabi" in table.stdout
    missing = runner.invoke(cli_app, ["history", "nope", "--workspace", str(workspace)])
    assert missing.exit_code == 2
    assert "no saved scenario 'nope'" in missing.output


def test_saved_message_only_after_a_save(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    assert submit(client, "/save", editor_form(page)).status_code == 200
    for url in ("/history/donbas-2026", "/history/donbas-2026?saved=7",
                "/history/donbas-2026?saved=abc"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'id="saved-message"' not in response.text, url  # shown once, after the save


def test_note_over_the_limit_is_refused_not_cut(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    note = "n" * (NOTE_MAX + 1)
    response = submit(client, "/save", {**editor_form(page), "note": note})
    assert response.status_code == 400
    assert f"above the limit of {NOTE_MAX:,}" in field_error(response.text, "note")
    assert f'value="{note}"' in response.text  # kept, for the user to shorten
    assert client.get("/history/donbas-2026").status_code == 404  # nothing was saved
    response = submit(client, "/save", {**editor_form(page), "note": "n" * NOTE_MAX})
    assert response.status_code == 200
    assert client.get("/versions/1/results.json").json()["note"] == "n" * NOTE_MAX
    response = submit(client, "/save", {**editor_form(page), "as_of": "2026-13-01"})
    assert "is not a date" in field_error(response.text, "as_of")


def test_bad_version_ids_are_not_found(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    assert submit(client, "/save", editor_form(page)).status_code == 200
    for version_id in ("abc", "0", "-1", "1.0", "01", "2", "2147483648",
                       "9223372036854775808", "9" * 40, "%20"):
        for suffix in ("", "/edit", "/scenario.yaml", "/results.json"):
            response = client.get(f"/versions/{version_id}{suffix}")
            assert response.status_code == 404, (version_id, suffix)
            assert response.text == "404: no such version"
            assert_secured(response)
    assert client.get("/versions/1").status_code == 200


def test_saved_yaml_differs_from_the_file_only_where_edited(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    saved = submit(client, "/save", {**editor_form(page), "sal.0.0": "0.2", "pos.2.1": "40"})
    assert saved.status_code == 200
    text = client.get("/versions/1/scenario.yaml").text
    before, after = EXAMPLE.read_text().splitlines(), text.splitlines()
    assert len(before) == len(after)
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert changed == [
        ("    donbas: {position: 0, salience: 1.0, sources: [zelensky], judgment: analyst}",
         "    donbas: {position: 0, salience: 0.2, sources: [zelensky], judgment: analyst}"),
        ("    guarantees: {position: 35, salience: 0.4, sources: [independent], "
         "judgment: analyst,",
         "    guarantees: {position: 40, salience: 0.4, sources: [independent], "
         "judgment: analyst,"),
    ]


def test_unchanged_rerun_keeps_the_file_text(client):
    page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
    form = editor_form(page)
    assert form["yaml_text"] == EXAMPLE.read_text()
    response = client.post("/run", data=form)
    assert editor_form(response.text)["yaml_text"] == EXAMPLE.read_text()
    crlf = {**form, "yaml_text": form["yaml_text"].replace("\n", "\r\n")}  # as browsers send
    response = client.post("/run", data=crlf)
    assert editor_form(response.text)["yaml_text"] == EXAMPLE.read_text()


# ---------------------------------------------------------------- the CLI

def test_serve_warns_when_binding_beyond_loopback(monkeypatch, workspace):
    import uvicorn

    from redline.cli import options

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    monkeypatch.setattr(options, "listen_address", lambda host, port: None)  # 8000 may be busy
    runner = CliRunner()
    result = runner.invoke(cli_app, ["serve", "--host", "0.0.0.0", "--port", "8765",
                                     "--workspace", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.stderr and "0.0.0.0" in result.stderr
    assert calls[-1]["host"] == "0.0.0.0" and calls[-1]["port"] == 8765
    quiet = runner.invoke(cli_app, ["serve", "--workspace", str(workspace)])
    assert quiet.exit_code == 0, quiet.output
    assert "WARNING" not in quiet.stderr
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8000
    bad = runner.invoke(cli_app, ["serve", "--workspace", str(workspace / "nope")])
    assert bad.exit_code == 2


def test_history_of_an_empty_workspace(workspace):
    result = CliRunner().invoke(cli_app, ["history", "--workspace", str(workspace), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert not (workspace / ".redline").exists()
