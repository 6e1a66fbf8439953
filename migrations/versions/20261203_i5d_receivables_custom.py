"""Custom fields on receivable plans, receipts and invoices

Every business record carries a ``custom`` JSON object for the custom fields an administrator defines (R23); the
three receivables tables were created without it.

Revision ID: i5d_receivables_custom
Revises: i5c_search_bigrams
Create Date: 2026-12-03 17:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "i5d_receivables_custom"
down_revision: str | None = "i5c_search_bigrams"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TABLES = ("receivable_plans", "receivables", "invoices")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("custom", JSON, nullable=False, server_default="{}"))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("custom")
