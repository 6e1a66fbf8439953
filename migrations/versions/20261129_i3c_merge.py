"""duplicate merges

Revision ID: i3c_merge
Revises: i3b_search
Create Date: 2026-11-29 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import loam.db

revision: str = "i3c_merge"
down_revision: str | None = "i3b_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("merged_ids", JSON, nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("moved", JSON, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("undone_at", loam.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.Column("undo_note", JSON, nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_merges_created_by_users")),
        sa.ForeignKeyConstraint(["undone_by"], ["users.id"], name=op.f("fk_merges_undone_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merges")),
    )
    op.create_index("ix_merges_entity_survivor", "merges", ["entity", "survivor_id"], unique=False)
    op.create_table(
        "merge_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merge_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merge_id"], ["merges.id"], name=op.f("fk_merge_records_merge_id_merges"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_records")),
    )
    op.create_index("ix_merge_records_entity_record", "merge_records", ["entity", "record_id"], unique=False)
    op.create_index(op.f("ix_merge_records_merge_id"), "merge_records", ["merge_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_merge_records_merge_id"), table_name="merge_records")
    op.drop_index("ix_merge_records_entity_record", table_name="merge_records")
    op.drop_table("merge_records")
    op.drop_index("ix_merges_entity_survivor", table_name="merges")
    op.drop_table("merges")
