"""The workspace store on SQLite and on a real PostgreSQL server.

Every test runs on both backends. The PostgreSQL runs need ``REDLINE_TEST_POSTGRES_URL`` (for
example ``postgresql://redline:redline@127.0.0.1:5432/redline_test``; CI sets it, see
``.ci/run``); each test session works in a fresh schema that is dropped at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import uuid
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from sqlalchemy import create_engine, event, inspect, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from redline.web.store import (  # noqa: E402
    NOTE_MAX,
    RunRecord,
    RunRow,
    Store,
    StoreError,
    VersionInput,
    default_url,
    head_revision,
    normalize_url,
)

PG_ENV = "REDLINE_TEST_POSTGRES_URL"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "donbas-2026.yaml"
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="module")
def postgres_url():
    """A URL whose connections use a fresh schema (dropped afterwards)."""
    raw = os.environ.get(PG_ENV)
    if not raw:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}=postgresql://USER:PASSWORD@HOST/DB "
                    "(CI sets it in .ci/run)")
    base = normalize_url(raw)
    schema = f"redline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # noqa: BLE001 - a clear failure beats a traceback
        admin.dispose()
        pytest.fail(f"{PG_ENV} is set but the server cannot be used: {error}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return default_url(tmp_path)
    return request.getfixturevalue("postgres_url")


@pytest.fixture()
def store(db_url):
    s = Store.open(db_url)
    yield s
    s.close()


def key() -> str:
    """A scenario id of its own, so tests sharing a PostgreSQL schema do not meet."""
    return f"test-{uuid.uuid4().hex[:10]}"


def save(store: Store, scenario: str, note: str, **run):
    """Save version ``note`` of ``scenario``; ``run`` overrides fields of its run record."""
    record = dict(results={"summary": {"forecast": {"donbas": 50.0}, "p_agreement": 0.5}},
                  model="compromise", draws=500, p_agreement=0.5, acceptable_count=14)
    record.update(run)
    version = VersionInput(scenario_key=scenario, title="Donbas", yaml_text=f"# {note}\n",
                           note=note)
    return store.save_version(version, RunRecord(**record))


# ---------------------------------------------------------------- URLs and schema

def test_urls_are_normalised_to_psycopg_3():
    assert normalize_url("postgresql://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"
    with pytest.raises(StoreError, match="unsupported database"):
        normalize_url("mysql://u@h/db")
    with pytest.raises(StoreError, match="not a database URL"):
        normalize_url("no url at all")


def test_an_unreachable_server_is_one_clear_error():
    with pytest.raises(StoreError) as error:
        Store.open("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "cannot open the database" in str(error.value)
    assert "secret" not in str(error.value)


def test_migrations_create_the_schema_at_head(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"scenario", "version", "run", "alembic_version"} <= tables
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            head_revision()
    Store.open(str(store.engine.url.render_as_string(hide_password=False))).close()  # again


# ---------------------------------------------------------------- saving and reading

def test_save_and_read_versions(store):
    scenario = key()
    first = save(store, scenario, "after the Abu Dhabi round")
    second = save(store, scenario, "second round", p_agreement=0.25, acceptable_count=3)
    assert (first["number"], second["number"]) == (1, 2)
    rows = store.timeline(scenario)
    assert [r["note"] for r in rows] == ["after the Abu Dhabi round", "second round"]
    assert [r["p_agreement"] for r in rows] == [0.5, 0.25]
    assert rows[0]["forecast"] == {"donbas": 50.0}
    assert rows[0]["created_at"] <= rows[1]["created_at"]
    full = store.version(second["id"])
    assert full["yaml_text"] == "# second round\n"
    assert full["results"]["summary"]["p_agreement"] == 0.5
    listed = {s["key"]: s for s in store.scenarios()}
    assert listed[scenario]["versions"] == 2
    assert listed[scenario]["latest"]["number"] == 2
    assert store.timeline("no-such-scenario") is None
    assert store.version(10**9) is None


def test_the_store_refuses_a_note_above_the_limit_and_saves_nothing(store):
    scenario = key()
    with pytest.raises(StoreError, match="above") as error:
        save(store, scenario, "n" * (NOTE_MAX + 1))
    assert error.value.field == "note"
    assert store.timeline(scenario) is None  # not even the scenario row
    assert save(store, scenario, "n" * NOTE_MAX)["number"] == 1


def test_results_with_nan_store_as_null(store):
    scenario = key()
    saved = save(store, scenario, "nan", results={"x": float("nan"), "y": [1.0, float("inf")]},
                 p_agreement=float("nan"))
    full = store.version(saved["id"])
    assert full["results"] == {"x": None, "y": [1.0, None]}
    assert full["p_agreement"] is None


def test_a_failed_save_loses_nothing(store):
    scenario = key()
    save(store, scenario, "v1")
    save(store, scenario, "v2")

    def crash(session, _context):
        if any(isinstance(obj, RunRow) for obj in session.new):
            raise RuntimeError("simulated crash after the version row was written")

    event.listen(Session, "after_flush", crash)
    try:
        with pytest.raises(RuntimeError, match="simulated crash"):
            save(store, scenario, "v3 that fails")
    finally:
        event.remove(Session, "after_flush", crash)
    rows = store.timeline(scenario)
    assert [r["note"] for r in rows] == ["v1", "v2"]
    assert all(r["run_id"] is not None for r in rows)
    with store.engine.connect() as conn:
        notes = conn.execute(text("SELECT note FROM version WHERE note LIKE 'v3%'")).all()
    assert notes == []
    assert save(store, scenario, "v3")["number"] == 3


def test_a_killed_save_loses_nothing(store, tmp_path):
    scenario = key()
    save(store, scenario, "v1")
    save(store, scenario, "v2")
    url = store.engine.url.render_as_string(hide_password=False)
    script = textwrap.dedent(f"""
        import os
        from sqlalchemy import event
        from sqlalchemy.orm import Session
        from redline.web.store import RunRecord, RunRow, Store, VersionInput

        def die(session, _context):
            if any(isinstance(obj, RunRow) for obj in session.new):
                os._exit(9)  # killed mid-transaction: the version row is written, not committed

        store = Store.open({url!r})
        event.listen(Session, "after_flush", die)
        store.save_version(VersionInput(scenario_key={scenario!r}, title="Donbas",
                                        yaml_text="# v3\\n", note="v3 killed"),
                           RunRecord(results={{}}))
    """)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 9, done.stderr
    store.engine.dispose()  # reconnect, as a restarted app would
    rows = store.timeline(scenario)
    assert [r["note"] for r in rows] == ["v1", "v2"]
    assert save(store, scenario, "v3")["number"] == 3


def test_concurrent_saves_get_distinct_numbers(store):
    scenario = key()
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for j in range(3):
                save(store, scenario, f"w{k}-{j}")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    rows = store.timeline(scenario)
    assert [r["number"] for r in rows] == list(range(1, 13))


# ---------------------------------------------------------------- the app on this backend

def test_app_save_and_timeline(db_url, tmp_path):
    pytest.importorskip("fastapi")
    import html
    import re

    from fastapi.testclient import TestClient

    from redline.web.app import create_app

    workspace = tmp_path / "ws"
    workspace.mkdir()
    shutil.copy(EXAMPLE, workspace / "donbas-2026.yaml")
    with TestClient(create_app(workspace, db_url), base_url="http://127.0.0.1") as client:
        page = client.get("/open", params={"path": "donbas-2026.yaml"}).text
        form = {
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "source": "donbas-2026.yaml",
            "yaml_text": html.unescape(re.search(
                r'<textarea name="yaml_text" hidden>\n(.*?)</textarea>', page, re.S).group(1)),
        }
        before = len(client.app.state.redline.store.timeline("donbas-2026") or [])
        response = client.post("/save", data={**form, "sal.1.0": "0.5",
                                              "note": "after the Abu Dhabi round"},
                               follow_redirects=False)
        assert response.status_code == 303
        rows = client.app.state.redline.store.timeline("donbas-2026")
        assert len(rows) == before + 1
        assert rows[-1]["note"] == "after the Abu Dhabi round"
        timeline = client.get("/history/donbas-2026")
        assert timeline.status_code == 200 and "after the Abu Dhabi round" in timeline.text
