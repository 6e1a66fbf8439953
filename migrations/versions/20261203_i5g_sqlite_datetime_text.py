"""SQLite: datetimes written by bulk loads get the text form the ORM writes

The bulk writer (loam.kit.bulk) handed datetimes to the sqlite3 driver, whose adapter writes a whole second
as "2024-03-01 08:30:00"; SQLAlchemy writes "2024-03-01 08:30:00.000000". Both read back the same, but SQL
compares the text: a filter "created on or after 2024-03-01" (local midnight, "2024-02-29 16:00:00.000000")
left out customers imported with that date. The writer now uses the dialect's own conversion; this rewrites
the short values already stored. PostgreSQL stores timestamps, not text: nothing to do there.

Revision ID: i5g_sqlite_datetime_text
Revises: i5f_scope_token
Create Date: 2026-12-03 21:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i5g_sqlite_datetime_text"
down_revision: str | None = "i5f_scope_token"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHORT = "____-__-__ __:__:__"  # LIKE pattern of a whole-second value without its fraction


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    tables = [r[0] for r in bind.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'table'"))]
    for table in tables:
        if table.startswith("sqlite_") or "_fts" in table:
            continue
        columns = [r[1] for r in bind.execute(sa.text(f'PRAGMA table_info("{table}")')) if r[2].upper() == "DATETIME"]
        for column in columns:
            bind.execute(
                sa.text(
                    f'UPDATE "{table}" SET "{column}" = "{column}" || \'.000000\' '  # noqa: S608 - names from the schema
                    f'WHERE length("{column}") = 19 AND "{column}" LIKE :short'
                ),
                {"short": SHORT},
            )


def downgrade() -> None:
    """Nothing to undo: the long form is what the ORM has always written."""
