"""sales targets and opportunity scores

Revision ID: i4g_reports
Revises: i4f_receivables
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op  # noqa: F401
from sqlalchemy.dialects import postgresql

import loam.db  # noqa: F401

revision: str = "i4g_reports"
down_revision: str | None = "i4f_receivables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
