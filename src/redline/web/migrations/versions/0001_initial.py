"""Initial schema: scenario, version, run.

Revision ID: 0001_initial
Revises:
Create Date: 2026-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the scenario, version and run tables."""
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key", name="uq_scenario_key"),
    )
    op.create_table(
        "version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scenario_id", sa.Integer(),
                  sa.ForeignKey("scenario.id", name="fk_version_scenario", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.UniqueConstraint("scenario_id", "number", name="uq_version_number"),
    )
    op.create_index("ix_version_scenario_id", "version", ["scenario_id"])
    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_id", sa.Integer(),
                  sa.ForeignKey("version.id", name="fk_run_version", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("draws", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("p_agreement", sa.Float(), nullable=True),
        sa.Column("acceptable_count", sa.Integer(), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
    )
    op.create_index("ix_run_version_id", "run", ["version_id"])


def downgrade() -> None:
    """Drop the tables again."""
    op.drop_index("ix_run_version_id", table_name="run")
    op.drop_table("run")
    op.drop_index("ix_version_scenario_id", table_name="version")
    op.drop_table("version")
    op.drop_table("scenario")
