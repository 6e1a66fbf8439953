"""The receivables tables built by the migration match the models exactly (columns, types, indexes, keys)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import loam.models  # noqa: F401  (every table in the metadata)
from loam import db
from loam.db import Base

TABLES = {"receivable_plans", "receivables", "receivable_allocations", "invoices"}


def _mentions_ours(diff: object) -> bool:
    text = repr(diff)
    return any(f"'{t}'" in text or f"table_name='{t}'" in text or f"Table('{t}'" in text for t in TABLES)


def test_models_match_the_migration():
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    ours = [d for d in diffs if _mentions_ours(d)]
    assert ours == []
    with db.engine.connect() as conn:
        names = set(conn.dialect.get_table_names(conn))
    assert names >= TABLES
