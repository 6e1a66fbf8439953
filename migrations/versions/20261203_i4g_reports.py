"""sales targets (业绩目标)

Revision ID: i4g_reports
Revises: i4f_receivables
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import loam.db

revision: str = "i4g_reports"
down_revision: str | None = "i4f_receivables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "sales_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *[sa.Column(f"m{m}", sa.Numeric(precision=18, scale=2), nullable=False) for m in range(1, 13)],
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("(user_id IS NULL) <> (department_id IS NULL)", name=op.f("ck_sales_targets_one_subject")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sales_targets_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_sales_targets_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_sales_targets_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_targets")),
    )
    op.create_index(
        "uq_sales_targets_user",
        "sales_targets",
        ["year", "metric", "user_id"],
        unique=True,
        sqlite_where=sa.text("user_id IS NOT NULL"),
        postgresql_where=sa.text("user_id IS NOT NULL"),
    )
    op.create_index(
        "uq_sales_targets_department",
        "sales_targets",
        ["year", "metric", "department_id"],
        unique=True,
        sqlite_where=sa.text("department_id IS NOT NULL"),
        postgresql_where=sa.text("department_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_sales_targets_department", table_name="sales_targets")
    op.drop_index("uq_sales_targets_user", table_name="sales_targets")
    op.drop_table("sales_targets")
