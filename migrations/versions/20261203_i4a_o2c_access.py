"""opportunity-to-cash permissions and data scopes for the built-in roles

Revision ID: i4a_o2c_access
Revises: i3c_merge
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i4a_o2c_access"
down_revision: str | None = "i3c_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# New databases get these from loam.authz.permissions.BUILTIN_ROLES when the roles are first created;
# existing ones get them here (a snapshot, so that later edits of BUILTIN_ROLES don't rewrite history).
SALES = ("admin", "director", "ar", "sr", "fr")
GRANTS = (
    ((*SALES, "finance"), "products.view"),
    (("admin", "director"), "products.manage"),
    ((*SALES, "finance"), "opportunities.view"),
    (SALES, "opportunities.create"),
    (SALES, "opportunities.update"),
    (("admin", "director"), "opportunities.delete"),
    (SALES, "opportunities.transfer"),
    (("admin", "director"), "pipelines.manage"),
    (("admin",), "approvals.manage"),
    ((*SALES, "finance"), "contracts.view"),
    (SALES, "contracts.create"),
    (SALES, "contracts.update"),
    (("admin", "director"), "contracts.delete"),
    (("admin", "director"), "contracts.void"),
    (("admin", "director"), "contracts.templates"),
    ((*SALES, "finance"), "receivables.view"),
    ((*SALES, "finance"), "receivables.create"),
    (("admin", "director", "finance"), "receivables.update"),
    (("admin", "director", "finance"), "receivables.delete"),
    ((*SALES, "finance"), "reports.view"),
    (("admin", "director"), "targets.manage"),
)
MODULES = ("opportunities", "contracts", "receivables")


def upgrade() -> None:
    for codes, permission in GRANTS:
        op.execute(
            sa.text(
                "INSERT INTO role_permissions (role_id, permission) SELECT r.id, :p FROM roles r "
                "WHERE r.code IN :codes AND NOT EXISTS (SELECT 1 FROM role_permissions x "
                "WHERE x.role_id = r.id AND x.permission = :p)"
            ).bindparams(sa.bindparam("codes", expanding=True), p=permission, codes=list(codes))
        )
    # Every role sees the new modules as widely as it sees customers.
    for module in MODULES:
        op.execute(
            sa.text(
                "INSERT INTO role_data_scopes (role_id, module, level) SELECT s.role_id, :m, s.level "
                "FROM role_data_scopes s WHERE s.module = 'customers' AND NOT EXISTS (SELECT 1 FROM "
                "role_data_scopes x WHERE x.role_id = s.role_id AND x.module = :m)"
            ).bindparams(m=module)
        )


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM role_data_scopes WHERE module IN :m").bindparams(
            sa.bindparam("m", expanding=True), m=list(MODULES)
        )
    )
    op.execute(
        sa.text("DELETE FROM role_permissions WHERE permission IN :p").bindparams(
            sa.bindparam("p", expanding=True), p=[p for _c, p in GRANTS]
        )
    )
