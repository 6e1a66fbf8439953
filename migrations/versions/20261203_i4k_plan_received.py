"""receivable_plans.received stored (approved live allocations) and the partial index of open periods

What each plan period has received was computed on every read; the overdue, ageing and report queries rebuilt
it for every plan at 100,000 plans (docs/performance.md). It is stored now and kept exact by the receivables
services (``loam.receivables.repository.refresh_received``); this migration adds it, backfills it with the same
sub-select, adds it to the due-date covering index and indexes the live periods not fully received.

Revision ID: i4k_plan_received
Revises: i4j_o2c_indexes
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i4k_plan_received"
down_revision: str | None = "i4j_o2c_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The definition of received: what APPROVED live receipts allocate to the plan (rounded like money_sum).
BACKFILL = """
UPDATE receivable_plans SET received = (
    SELECT ROUND(COALESCE(SUM(a.amount), 0), 2)
    FROM receivable_allocations a JOIN receivables r ON r.id = a.receivable_id
    WHERE a.plan_id = receivable_plans.id AND r.status = 'approved' AND r.deleted_at IS NULL
)
WHERE id IN (SELECT plan_id FROM receivable_allocations)
"""
OPEN = "deleted_at IS NULL AND received < amount"


COVER = ["due_on", "contract_id", "amount", "currency", "deleted_at"]
COVER_RECEIVED = ["due_on", "contract_id", "amount", "received", "currency", "deleted_at"]


def upgrade() -> None:
    # Plain ALTER TABLE ADD / DROP COLUMN: a SQLite table rebuild (batch mode) would cascade-delete the plans'
    # allocations while foreign keys are enforced.
    op.add_column(
        "receivable_plans",
        sa.Column("received", sa.Numeric(precision=18, scale=2), server_default=sa.text("0"), nullable=False),
    )
    # The due-date covering index gains "received" (planned vs collected reads it alone); rebuilt after the
    # backfill rather than maintained row by row during it.
    op.drop_index("ix_receivable_plans_due_cover", table_name="receivable_plans")
    op.execute(BACKFILL)
    op.create_index("ix_receivable_plans_due_cover", "receivable_plans", COVER_RECEIVED)
    op.create_index(
        "ix_receivable_plans_open_due",
        "receivable_plans",
        ["due_on", "contract_id", "amount", "received", "currency"],
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_receivable_plans_open_due", table_name="receivable_plans")
    op.drop_index("ix_receivable_plans_due_cover", table_name="receivable_plans")
    op.drop_column("receivable_plans", "received")  # after its indexes: SQLite refuses to drop an indexed column
    op.create_index("ix_receivable_plans_due_cover", "receivable_plans", COVER)
