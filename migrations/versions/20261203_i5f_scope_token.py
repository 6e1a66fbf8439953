"""authz_state: a token that changes whenever anything a Scope is built from changes (scope cache)

Every request turned its session cookie into a Scope with six to ten queries (roles, grants, data scope levels,
subordinates or department members, pools): about 5 ms, 20-25 % of a small page section. The Scope is now
cached per process under (database, user, token). Triggers replace the token with a random one on every insert,
delete or relevant update of the tables the Scope is built from, so a cached Scope is never older than the data:
a request reads the token first, then (on a miss) the data. The token is random rather than a counter so that a
rolled-back change, a restored backup or another database never meets a cached Scope of different data.

Revision ID: i5f_scope_token
Revises: i5e_oa
Create Date: 2026-12-03 18:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i5f_scope_token"
down_revision: str | None = "i5e_oa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> the columns whose update changes a Scope (None: any update)
WATCHED: dict[str, tuple[str, ...] | None] = {
    "users": ("department_id", "manager_id", "is_active", "locale", "display_name", "username"),
    "user_roles": None,
    "roles": None,
    "role_permissions": None,
    "role_data_scopes": None,
    "departments": ("parent_id", "path"),
    "pools": ("active",),
    "pool_members": None,
}
# SQL expressions of a fresh random value (every name and value below is a constant of this file)
SQLITE_RANDOM = "lower(hex(randomblob(16)))"
PG_RANDOM = "md5(random()::text || clock_timestamp()::text)"


def upgrade() -> None:
    op.create_table(
        "authz_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authz_state")),
    )
    pg = op.get_bind().dialect.name == "postgresql"
    op.execute(f"INSERT INTO authz_state (id, token) VALUES (1, {PG_RANDOM if pg else SQLITE_RANDOM})")  # noqa: S608
    if pg:
        op.execute(
            "CREATE FUNCTION loam_authz_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608
            f"UPDATE authz_state SET token = {PG_RANDOM}; RETURN NULL; END $$"
        )
    for table, columns in WATCHED.items():
        if pg:
            update = "UPDATE" + (f" OF {', '.join(columns)}" if columns else "")
            op.execute(
                f"CREATE TRIGGER authz_bump_{table} AFTER INSERT OR DELETE OR {update} OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION loam_authz_bump()"
            )
            continue
        body = f"BEGIN UPDATE authz_state SET token = {SQLITE_RANDOM}; END"  # noqa: S608
        for event in ("INSERT", "DELETE", "UPDATE" + (f" OF {', '.join(columns)}" if columns else "")):
            name = f"authz_bump_{table}_{event.split()[0].lower()}"
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} {body}")


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for table in WATCHED:
        if pg:
            op.execute(f"DROP TRIGGER IF EXISTS authz_bump_{table} ON {table}")
        else:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS authz_bump_{table}_{event}")
    if pg:
        op.execute("DROP FUNCTION IF EXISTS loam_authz_bump()")
    op.drop_table("authz_state")
