"""followup_scenarios.version (optimistic locking) and data.export for the finance role

A follow-up's scenario record (ticked checklist, guests, money, rating) was last-write-wins: two people ticking the
checklist of the same visit overwrote each other. It carries a version now, like every other edited record (409 on
a stale write). The finance / collection role exports the receivables lists it works on (plans, receipts,
invoices): it gets ``data.export``.

Revision ID: i5b_scenario_version
Revises: i5a_relationships
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i5b_scenario_version"
down_revision: str | None = "i5a_relationships"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# New databases get this from loam.authz.permissions.BUILTIN_ROLES; existing ones here (a snapshot).
GRANT = ("finance", "data.export")


def upgrade() -> None:
    with op.batch_alter_table("followup_scenarios") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.execute(
        sa.text(
            "INSERT INTO role_permissions (role_id, permission) SELECT r.id, :p FROM roles r WHERE r.code = :code "
            "AND NOT EXISTS (SELECT 1 FROM role_permissions x WHERE x.role_id = r.id AND x.permission = :p)"
        ).bindparams(code=GRANT[0], p=GRANT[1])
    )


def downgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM role_permissions WHERE permission = :p AND role_id IN (SELECT id FROM roles WHERE code = :code)"
        ).bindparams(code=GRANT[0], p=GRANT[1])
    )
    with op.batch_alter_table("followup_scenarios") as batch:
        batch.drop_column("version")
