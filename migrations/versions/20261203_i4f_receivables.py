"""receivable plans, records and invoices

Revision ID: i4f_receivables
Revises: i4e_contracts
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import loam.db

revision: str = "i4f_receivables"
down_revision: str | None = "i4e_contracts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
MONEY = sa.Numeric(precision=18, scale=2)


def _record_columns(table: str) -> list[sa.SchemaItem]:
    """created_by, timestamps, version and soft delete: the columns every receivable record has."""
    return [
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", loam.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f(f"fk_{table}_contract_id_contracts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f(f"fk_{table}_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "receivables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=True),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("approved_at", loam.db.UTCDateTime(timezone=True), nullable=True),
        *_record_columns("receivables"),
    )
    op.create_index("ix_receivables_contract_status", "receivables", ["contract_id", "status"], unique=False)
    op.create_index("ix_receivables_received_on", "receivables", ["received_on"], unique=False)
    op.create_index(op.f("ix_receivables_deleted_at"), "receivables", ["deleted_at"], unique=False)

    op.create_table(
        "receivable_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("milestone", sa.String(length=12), nullable=True),
        sa.Column("site", sa.String(length=100), nullable=True),
        sa.Column("remark", sa.Text(), nullable=True),
        *_record_columns("receivable_plans"),
    )
    op.create_index("ix_receivable_plans_contract_number", "receivable_plans", ["contract_id", "number"], unique=False)
    op.create_index(
        "ix_receivable_plans_due_cover",
        "receivable_plans",
        ["due_on", "contract_id", "amount", "currency", "deleted_at"],
        unique=False,
    )
    op.create_index(op.f("ix_receivable_plans_deleted_at"), "receivable_plans", ["deleted_at"], unique=False)

    op.create_table(
        "receivable_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receivable_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["receivable_id"],
            ["receivables.id"],
            name=op.f("fk_receivable_allocations_receivable_id_receivables"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["receivable_plans.id"],
            name=op.f("fk_receivable_allocations_plan_id_receivable_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receivable_allocations")),
        sa.UniqueConstraint("receivable_id", "plan_id", name="uq_receivable_allocations_receivable_plan"),
    )
    op.create_index(
        "ix_receivable_allocations_plan", "receivable_allocations", ["plan_id", "receivable_id"], unique=False
    )

    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("tax_number", sa.String(length=20), nullable=True),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("invoice_number", sa.String(length=40), nullable=True),
        sa.Column("remark", sa.Text(), nullable=True),
        *_record_columns("invoices"),
    )
    op.create_index("ix_invoices_contract_status", "invoices", ["contract_id", "status"], unique=False)
    op.create_index(op.f("ix_invoices_deleted_at"), "invoices", ["deleted_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_invoices_deleted_at"), table_name="invoices")
    op.drop_index("ix_invoices_contract_status", table_name="invoices")
    op.drop_table("invoices")
    op.drop_index("ix_receivable_allocations_plan", table_name="receivable_allocations")
    op.drop_table("receivable_allocations")
    op.drop_index(op.f("ix_receivable_plans_deleted_at"), table_name="receivable_plans")
    op.drop_index("ix_receivable_plans_due_cover", table_name="receivable_plans")
    op.drop_index("ix_receivable_plans_contract_number", table_name="receivable_plans")
    op.drop_table("receivable_plans")
    op.drop_index(op.f("ix_receivables_deleted_at"), table_name="receivables")
    op.drop_index("ix_receivables_received_on", table_name="receivables")
    op.drop_index("ix_receivables_contract_status", table_name="receivables")
    op.drop_table("receivables")
