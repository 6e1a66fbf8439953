"""duplicate merges

Revision ID: i3c_merge
Revises: i3b_search
Create Date: 2026-11-29 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "i3c_merge"
down_revision: str | None = "i3b_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
