"""pairs of records marked as not duplicates

Revision ID: i4h_merge_dismissals
Revises: i4g_reports
Create Date: 2026-12-03 08:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import loam.db

revision: str = "i4h_merge_dismissals"
down_revision: str | None = "i4g_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merge_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_merge_dismissals_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_dismissals")),
        sa.UniqueConstraint("entity", "low_id", "high_id", name=op.f("uq_merge_dismissals_entity_low_id_high_id")),
    )


def downgrade() -> None:
    op.drop_table("merge_dismissals")
