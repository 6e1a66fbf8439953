"""opportunity project gate (立项) and the learned win probability

Revision ID: i4i_gate_scoring
Revises: i4h_merge_dismissals
Create Date: 2026-12-03 08:20:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import loam.db

revision: str = "i4i_gate_scoring"
down_revision: str | None = "i4h_merge_dismissals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TS = loam.db.UTCDateTime(timezone=True)

# The default model: the features Loam learns from, the amount bands and the minimum number of closed deals.
DEFAULT_FEATURES = ["industry", "tier", "source", "pipeline", "department", "amount_band", "stages"]
DEFAULT_BANDS = ["100000.00", "1000000.00", "10000000.00"]
DEFAULT_MIN_CLOSED = 20


def upgrade() -> None:
    # Plain ALTER TABLE ADD/DROP COLUMN (literal server defaults, no foreign keys, no indexes): SQLite never
    # rebuilds these tables, which would cascade-delete their children while foreign keys are enforced.
    op.add_column(
        "pipelines",
        sa.Column("gate_amount", sa.Numeric(precision=18, scale=2), server_default="5000000.00", nullable=False),
    )
    op.add_column("pipelines", sa.Column("gate_stage_id", sa.Integer(), nullable=True))
    op.add_column("opportunities", sa.Column("computed_factors", JSON, nullable=True))
    op.add_column(
        "opportunities", sa.Column("gate_status", sa.String(length=10), server_default="none", nullable=False)
    )
    op.add_column("opportunities", sa.Column("gate_decided_at", TS, nullable=True))
    op.add_column("opportunities", sa.Column("no_competitor", sa.Boolean(), server_default="0", nullable=False))
    # The gate of every existing pipeline sits at its 需求分析 (needs analysis) stage, when it has one.
    op.execute(
        "UPDATE pipelines SET gate_stage_id = (SELECT MIN(s.id) FROM pipeline_stages s "
        "WHERE s.pipeline_id = pipelines.id AND s.name_zh = '需求分析' AND s.kind = 'open' AND s.retired_at IS NULL)"
    )
    op.create_table(
        "opportunity_scoring",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("features", JSON, nullable=False),
        sa.Column("amount_bands", JSON, nullable=False),
        sa.Column("min_closed", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("trained_at", TS, nullable=True),
        sa.Column("closed_count", sa.Integer(), nullable=False),
        sa.Column("won_count", sa.Integer(), nullable=False),
        sa.Column("lost_count", sa.Integer(), nullable=False),
        sa.Column("scored_count", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_opportunity_scoring_updated_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_scoring")),
    )
    scoring = sa.table(
        "opportunity_scoring",
        *(sa.column(c) for c in ("id", "min_closed", "status", "closed_count", "won_count", "lost_count")),
        *(sa.column(c) for c in ("scored_count", "duration_ms", "version")),
        sa.column("features", JSON),
        sa.column("amount_bands", JSON),
        sa.column("updated_at", TS),
    )
    op.bulk_insert(
        scoring,
        [
            {"id": 1, "features": DEFAULT_FEATURES, "amount_bands": DEFAULT_BANDS, "min_closed": DEFAULT_MIN_CLOSED,
             "status": "never", "closed_count": 0, "won_count": 0, "lost_count": 0, "scored_count": 0,
             "duration_ms": 0, "version": 1, "updated_at": datetime.now(UTC)},
        ],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("opportunity_scoring")
    for column in ("no_competitor", "gate_decided_at", "gate_status", "computed_factors"):
        op.drop_column("opportunities", column)
    for column in ("gate_stage_id", "gate_amount"):
        op.drop_column("pipelines", column)
