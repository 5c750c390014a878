"""The workspace store: saved versions of scenarios and the results of their runs.

Three tables (SQLAlchemy 2.0 models below; the schema itself is created and upgraded by the
Alembic migrations in ``redline/web/migrations``, run at startup by :meth:`Store.open`):

* ``scenario`` — one row per scenario id (the ``scenario.id`` of the YAML file);
* ``version`` — one saved version of a scenario: its YAML text, a note, the analyst's as-of date
  and the time it was saved; numbered 1, 2, ... within its scenario;
* ``run`` — the results of analysing a version (the JSON the web app shows), with a few summary
  columns (P(agreement), the acceptable count) for listings.

Databases: a SQLite file by default (``<workspace>/.redline/history.sqlite3``), PostgreSQL when
the URL says so (``postgresql://...`` and ``postgres://...`` are normalised to the psycopg v3
driver, ``postgresql+psycopg://...``).

Each :meth:`Store.save_version` is one transaction: the version and its run are committed
together or not at all, so a crash or a kill during a save loses no earlier version and leaves
no half-saved one behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from redline.errors import RedlineError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_DB = Path(".redline") / "history.sqlite3"
NOTE_MAX = 2000
SAVE_RETRIES = 5
WRITE_OPTION = "redline_write"


@dataclass(frozen=True)
class VersionInput:
    """A version of a scenario to save: its text, where it came from, the analyst's note.

    Attributes
    ----------
    scenario_key : str
        The scenario id the version is filed under.
    title : str
        The scenario's title (updates the scenario's listing when not empty).
    yaml_text : str
        The scenario text analysed.
    note : str
        The analyst's note, at most :data:`NOTE_MAX` characters.
    as_of : datetime.date or None
        The date the analyst's information is from.
    source_name : str
        The file name the text came from.
    """

    scenario_key: str
    title: str
    yaml_text: str
    note: str = ""
    as_of: dt.date | None = None
    source_name: str = ""


@dataclass(frozen=True)
class RunRecord:
    """The run saved with a version: its settings, its results and their summary columns.

    Attributes
    ----------
    results : dict
        The run's results, as the web app shows them.
    model : str
        The forecast model.
    draws, seed : int
        The sweep's draws and random seed.
    p_agreement : float or None
        P(agreement) of the sweep (non-finite values are stored as null).
    acceptable_count : int or None
        Packages acceptable to every actor with a veto.
    """

    results: dict
    model: str = ""
    draws: int = 0
    seed: int = 0
    p_agreement: float | None = None
    acceptable_count: int | None = None


class StoreError(RedlineError):
    """The history database cannot be opened or used."""


class Base(DeclarativeBase):
    """The declarative base of the store's tables (one metadata for Alembic)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ScenarioRow(Base):
    """A scenario the app has saved, by its key (the scenario id and where it came from)."""

    __tablename__ = "scenario"
    __table_args__ = (UniqueConstraint("key", name="uq_scenario_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    default=_now)
    versions: Mapped[list[VersionRow]] = relationship(back_populates="scenario",
                                                      order_by="VersionRow.number")


class VersionRow(Base):
    """One saved version of a scenario: its YAML text, note and number within the scenario."""

    __tablename__ = "version"
    __table_args__ = (UniqueConstraint("scenario_id", "number", name="uq_version_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario.id", ondelete="CASCADE"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    default=_now)
    as_of: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source_name: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    yaml_text: Mapped[str] = mapped_column(Text, nullable=False)
    scenario: Mapped[ScenarioRow] = relationship(back_populates="versions")
    runs: Mapped[list[RunRow]] = relationship(back_populates="version", order_by="RunRow.id")


class RunRow(Base):
    """The results of running one version: settings, summary numbers and the full JSON."""

    __tablename__ = "run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("version.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    default=_now)
    model: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    draws: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    seed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    p_agreement: Mapped[float | None] = mapped_column(Float, nullable=True)
    acceptable_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    results: Mapped[dict] = mapped_column(JSON, nullable=False)
    version: Mapped[VersionRow] = relationship(back_populates="runs")


# ---------------------------------------------------------------- URLs and engines

def user_data_dir() -> Path:
    """Where Redline keeps files of its own: ``$XDG_DATA_HOME/redline`` (default
    ``~/.local/share/redline``), ``%LOCALAPPDATA%\\redline`` on Windows and
    ``~/Library/Application Support/redline`` on macOS."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "redline"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "redline"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "redline"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def history_path(workspace: str | Path) -> Path:
    """The SQLite file of a workspace's history.

    ``<workspace>/.redline/history.sqlite3``, except for a folder inside the installed package
    (the bundled examples: ``redline serve --workspace examples`` in a clone) or one this user
    cannot write: their history goes to :func:`user_data_dir` under ``workspaces/``, in a folder
    named after the workspace and a hash of its path, so nothing is written into the package.
    """
    folder = Path(workspace).resolve()
    package = Path(__file__).resolve().parents[1]
    if not _inside(folder, package) and os.access(folder, os.W_OK):
        return folder / DEFAULT_DB
    digest = hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:12]
    return user_data_dir() / "workspaces" / f"{folder.name or 'root'}-{digest}" / DEFAULT_DB.name


def default_url(workspace: str | Path) -> str:
    """The SQLite URL of a workspace's history (:func:`history_path`)."""
    path = history_path(workspace)
    return URL.create("sqlite+pysqlite", database=str(path)).render_as_string()


def normalize_url(url: str) -> str:
    """Parse a database URL; PostgreSQL URLs get the psycopg (v3) driver.

    ``postgres://`` and ``postgresql://`` (and ``postgresql+psycopg2://``) become
    ``postgresql+psycopg://``; ``sqlite:///path`` stays as it is. A URL that cannot be parsed
    raises :class:`StoreError`.
    """
    text = url.strip()
    if text.startswith("postgres://"):
        text = "postgresql://" + text[len("postgres://"):]
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise StoreError("not a database URL", parameter="url",
                         hint="use sqlite:///PATH or postgresql://USER@HOST/DB") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise StoreError(f"unsupported database {backend!r}", parameter="url",
                         hint="use sqlite:///PATH or postgresql://USER@HOST/DB")
    return parsed.render_as_string(hide_password=False)


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (already normalised); SQLite gets foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record) -> None:
            # SQLAlchemy, not the sqlite3 module, starts transactions (see _begin).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            # Saves take the write lock up front, so concurrent saves queue (busy timeout)
            # instead of failing when a read transaction tries to become a write one.
            write = connection.get_execution_options().get(WRITE_OPTION)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (``upgrade head``)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def head_revision() -> str:
    """The newest revision shipped with the package."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


# ---------------------------------------------------------------- JSON safety

def json_safe(value: Any) -> Any:
    """``value`` with non-finite floats replaced by ``None`` and tuples by lists, so that it
    stores as strict JSON on every backend."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return json_safe(value.item())
    return value


# ---------------------------------------------------------------- the store

class Store:
    """Saved scenario versions and runs in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Connect to ``url`` (normalised) and, by default, run the migrations."""
        normal = normalize_url(url)
        engine = make_engine(normal)
        if upgrade:
            try:
                migrate(engine)
            except OperationalError as error:
                engine.dispose()
                reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
                raise StoreError(f"cannot open the database {safe_url(normal)}: {reason}",
                                 parameter="url") from None
        return cls(engine)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one unit of work; objects stay readable after it commits."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    # -- writing

    def save_version(self, version: VersionInput, run: RunRecord) -> dict:
        """Store a new version of a scenario and its run in one transaction.

        Either both rows are committed or neither is; a save that races another one to a
        version number (SQLite) or to creating the scenario retries.

        Parameters
        ----------
        version : VersionInput
            The scenario text and the analyst's note and date; it becomes the next version
            of ``version.scenario_key`` (created on its first save).
        run : RunRecord
            Its run: the settings, the results (stored as JSON; NaN and infinities become
            null) and their summary columns.

        Returns
        -------
        dict
            The new version's summary, as :meth:`timeline` lists it.

        Raises
        ------
        StoreError
            When the note is longer than :data:`NOTE_MAX`.
        """
        if len(version.note) > NOTE_MAX:
            raise StoreError(f"the note has {len(version.note)} characters, above {NOTE_MAX}",
                             field="note")
        payload = json.loads(json.dumps(json_safe(run.results), allow_nan=False))
        for attempt in range(SAVE_RETRIES):
            try:
                writer = self.engine.execution_options(**{WRITE_OPTION: True})
                with Session(writer, expire_on_commit=False) as session, session.begin():
                    # The scenario row is locked (PostgreSQL) so that concurrent saves of
                    # one scenario number their versions one after the other.
                    scenario = session.scalar(
                        select(ScenarioRow).where(ScenarioRow.key == version.scenario_key)
                        .with_for_update())
                    if scenario is None:
                        scenario = ScenarioRow(key=version.scenario_key, title=version.title)
                        session.add(scenario)
                        session.flush()
                    elif version.title and scenario.title != version.title:
                        scenario.title = version.title
                    last = session.scalar(select(func.max(VersionRow.number))
                                          .where(VersionRow.scenario_id == scenario.id))
                    version_row = VersionRow(
                        scenario_id=scenario.id, number=(last or 0) + 1, as_of=version.as_of,
                        note=version.note, source_name=version.source_name,
                        yaml_text=version.yaml_text)
                    session.add(version_row)
                    session.flush()
                    run_row = RunRow(
                        version_id=version_row.id, model=run.model, draws=run.draws,
                        seed=run.seed, p_agreement=_finite(run.p_agreement),
                        acceptable_count=run.acceptable_count, results=payload)
                    session.add(run_row)
                    session.flush()
                    summary = _version_summary(scenario, version_row, run_row)
                return summary
            except IntegrityError:
                if attempt == SAVE_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # -- reading

    def scenarios(self) -> list[dict]:
        """Every saved scenario with its number of versions and its latest version's summary."""
        with self.session() as session:
            rows = session.scalars(select(ScenarioRow).order_by(ScenarioRow.key)).all()
            out = []
            for row in rows:
                latest = session.scalar(
                    select(VersionRow).where(VersionRow.scenario_id == row.id)
                    .order_by(VersionRow.number.desc()).limit(1))
                count = session.scalar(select(func.count(VersionRow.id))
                                       .where(VersionRow.scenario_id == row.id)) or 0
                out.append({
                    "key": row.key,
                    "title": row.title,
                    "versions": int(count),
                    "latest": (_version_summary(row, latest, _latest_run(latest))
                               if latest is not None else None),
                })
            return out

    def timeline(self, scenario_key: str) -> list[dict] | None:
        """The versions of a scenario, oldest first, each with its run's summary; ``None``
        when no such scenario is saved."""
        with self.session() as session:
            row = session.scalar(select(ScenarioRow).where(ScenarioRow.key == scenario_key))
            if row is None:
                return None
            versions = session.scalars(select(VersionRow).where(VersionRow.scenario_id == row.id)
                                       .order_by(VersionRow.number)).all()
            return [_version_summary(row, v, _latest_run(v)) for v in versions]

    def version(self, version_id: int) -> dict | None:
        """One version with its YAML text and its run's full results."""
        with self.session() as session:
            version = session.get(VersionRow, version_id)
            if version is None:
                return None
            run = _latest_run(version)
            out = _version_summary(version.scenario, version, run)
            out["yaml_text"] = version.yaml_text
            out["results"] = run.results if run is not None else None
            return out


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _latest_run(version: VersionRow | None) -> RunRow | None:
    if version is None or not version.runs:
        return None
    return version.runs[-1]


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)  # SQLite drops the zone; times are stored in UTC
    return value.isoformat()


def _version_summary(scenario: ScenarioRow, version: VersionRow, run: RunRow | None) -> dict:
    forecast: dict = {}
    sweep_forecast: dict = {}
    summary: dict = {}
    if run is not None:
        summary = run.results.get("summary", {}) if isinstance(run.results, dict) else {}
        forecast = dict(summary.get("forecast") or {})
        sweep_forecast = dict(summary.get("sweep_forecast") or {})
    return {
        "id": version.id,
        "scenario": scenario.key,
        "title": scenario.title,
        "number": version.number,
        "created_at": _iso(version.created_at),
        "as_of": _iso(version.as_of),
        "note": version.note,
        "source_name": version.source_name,
        "run_id": run.id if run is not None else None,
        "model": run.model if run is not None else None,
        "draws": run.draws if run is not None else None,
        "p_agreement": run.p_agreement if run is not None else None,
        "ess": (summary.get("ess") if run is not None else None),
        "acceptable_count": run.acceptable_count if run is not None else None,
        "forecast": forecast,
        "sweep_forecast": sweep_forecast,
    }
