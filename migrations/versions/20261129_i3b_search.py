"""global search indexes

Revision ID: i3b_search
Revises: i3a_jobs
Create Date: 2026-11-29 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "i3b_search"
down_revision: str | None = "i3a_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
