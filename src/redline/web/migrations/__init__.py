"""Alembic migrations of the workspace store (run by :func:`redline.web.store.migrate`)."""
