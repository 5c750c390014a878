"""Alembic environment for the workspace store.

Run programmatically by :func:`redline.web.store.migrate`, which passes an open connection in
``config.attributes["connection"]``. Without one (the ``alembic`` command line with an ini file
that sets ``sqlalchemy.url``) it connects by itself.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from redline.web.store import Base, normalize_url

config = context.config
target_metadata = Base.metadata
LOCK_ID = 7_215_110_001  # PostgreSQL advisory lock: one migrating process at a time


def _run(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Write the migrations as SQL for the configured URL, without connecting."""
    url = normalize_url(config.get_main_option("sqlalchemy.url") or "")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a connection (the one given, or a new one to the URL)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(normalize_url(config.get_main_option("sqlalchemy.url") or ""))
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
