"""indexes the opportunity-to-cash reports read at 100,000 opportunities

Revision ID: i4j_o2c_indexes
Revises: i4i_gate_scoring
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "i4j_o2c_indexes"
down_revision: str | None = "i4i_gate_scoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_opportunities_status_closed_at", "opportunities", ["status", "closed_at"])
    op.create_index(
        "ix_stage_moves_at_cover", "stage_moves", ["at", "from_stage_id", "duration_seconds", "opportunity_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_stage_moves_at_cover", table_name="stage_moves")
    op.drop_index("ix_opportunities_status_closed_at", table_name="opportunities")
