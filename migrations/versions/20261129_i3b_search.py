"""global search indexes

Revision ID: i3b_search
Revises: i3a_jobs
Create Date: 2026-11-29 05:30:00

Substring search (Chinese included: "河池" finds "广西河池电信分公司") over customers, contacts and leads,
with each database's own means. Every indexed row has one *search body*: its searchable columns
joined by U+0001 (a character no query contains, so no match spans two fields) and ended by one more
U+0001 (so every character of a field is followed by another: the SQLite two-character lookup below
relies on it). ``loam.search.repository.body_sql`` builds the same expression for queries; keep the
two in step (this file is frozen history, so it spells the columns out).

SQLite — FTS5 with the trigram tokenizer, contentless and ``detail=none`` (the smallest index; queries
re-check every candidate with LIKE on the live row, which also drops soft-deleted rows and rows out of
scope). Triggers do not write the FTS tables themselves: SQLite ≤ 3.44 flushes an FTS5 table's
pending data on every statement savepoint, and a trigger makes every INSERT open one, so per-row FTS
writes from a trigger cost ~55 s per 1M bulk-inserted rows (measured). Instead the triggers append
``(entity, record_id, old_body)`` to the plain table ``search_queue`` (~1.3 s per 1M rows), and
``loam.search`` moves the queue into the FTS tables with three set-based statements just before the
transaction commits (a SQLAlchemy ``before_commit`` hook; ~10 s per 1M rows). Queries treat queued
ids as candidates too, so results are right inside the writing transaction and even if a raw
connection committed without the hook. ``old_body`` (updates, deletes) is the text that was indexed,
which a contentless FTS5 table needs to delete a row.

PostgreSQL — ``pg_trgm`` GIN indexes on the same body expression, maintained by PostgreSQL itself in
the writing transaction. pg_trgm only makes trigrams of characters the database's LC_CTYPE calls
alphanumeric: with C.UTF-8 / zh_CN.UTF-8 / en_US.UTF-8 (glibc) CJK ideographs are alphabetic and
``ILIKE '%河池电信%'`` uses the index (checked with EXPLAIN ANALYZE on the test database, lc_ctype
C.UTF-8). A database created with LC_CTYPE "C"/"POSIX" treats them as separators, the index then
cannot serve CJK queries (they stay correct, but scan); the upgrade warns about it.
Queries shorter than three characters cannot use a trigram index on either database; see
``loam.search.repository`` for how they are served.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op

revision: str = "i3b_search"
down_revision: str | None = "i3a_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# entity, table, searchable columns (order matters: it is the body expression)
INDEXED = (
    ("customer", "customers", ("name", "phone", "phone_norm", "email")),
    ("contact", "contacts", ("name", "phone", "phone_norm", "email")),
    ("lead", "leads", ("name", "company", "phone", "phone_norm", "email")),
)


def _body(columns: Sequence[str], row: str, sep: str) -> str:
    prefix = f"{row}." if row else ""
    return "(" + " || ".join(f"coalesce({prefix}{c}, '') || {sep}" for c in columns) + ")"


def _sqlite_upgrade() -> None:
    op.execute(
        "CREATE TABLE search_queue (id INTEGER NOT NULL PRIMARY KEY, entity VARCHAR(20) NOT NULL, "
        "record_id INTEGER NOT NULL, old_body TEXT)"
    )
    op.execute("CREATE INDEX ix_search_queue_entity_record ON search_queue (entity, record_id)")
    for entity, table, columns in INDEXED:
        fts = f"{table}_fts"
        new, old = _body(columns, "new", "char(1)"), _body(columns, "old", "char(1)")
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(body, tokenize='trigram', content='', detail='none')")
        op.execute(f"CREATE VIRTUAL TABLE {fts}_vocab USING fts5vocab({fts}, 'row')")
        op.execute(
            f"CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} BEGIN "  # noqa: S608
            f"INSERT INTO search_queue (entity, record_id) VALUES ('{entity}', new.id); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_search_au AFTER UPDATE OF {', '.join(columns)} ON {table} "  # noqa: S608
            f"WHEN {old} IS NOT {new} BEGIN "
            f"INSERT INTO search_queue (entity, record_id, old_body) VALUES ('{entity}', old.id, {old}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} BEGIN "  # noqa: S608
            f"INSERT INTO search_queue (entity, record_id, old_body) VALUES ('{entity}', old.id, {old}); END"
        )
        body = _body(columns, table, "char(1)")
        op.execute(f"INSERT INTO {fts} (rowid, body) SELECT id, {body} FROM {table}")  # noqa: S608


def _sqlite_downgrade() -> None:
    for _entity, table, _columns in INDEXED:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts_vocab")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    op.execute("DROP TABLE IF EXISTS search_queue")


def _postgresql_upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    bind = op.get_bind()
    if not bind.exec_driver_sql("SELECT show_trgm('河池电信') <> '{}'").scalar():
        lc_ctype = bind.exec_driver_sql("SHOW lc_ctype").scalar()
        logging.getLogger("alembic").warning(
            "lc_ctype %s does not treat CJK characters as alphanumeric: pg_trgm cannot index Chinese text, "
            "Chinese searches will scan. Create the database with LC_CTYPE C.UTF-8 or zh_CN.UTF-8.",
            lc_ctype,
        )
    for _entity, table, columns in INDEXED:
        op.execute(
            f"CREATE INDEX ix_{table}_search_trgm ON {table} USING gin ({_body(columns, '', 'chr(1)')} gin_trgm_ops)"
        )


def _postgresql_downgrade() -> None:
    for _entity, table, _columns in INDEXED:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
    else:
        _sqlite_upgrade()
    # List pages at 1M rows (R24): see loam.kit.listing for the count cap; indexes for common filters/sorts.
    _list_indexes_upgrade()


def downgrade() -> None:
    _list_indexes_downgrade()
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_downgrade()
    else:
        _sqlite_downgrade()


# The customer list's default sort (-updated_at) and the name sort walk these instead of sorting every
# visible row (EXPLAIN QUERY PLAN at 1M rows: "SCAN customers USING INDEX ix_customers_updated_at" instead of
# "USE TEMP B-TREE FOR ORDER BY"); the filters then stop after one page. Counting is capped (kit/listing.py).
LIST_INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ix_customers_updated_at", "customers", ("updated_at",)),
    ("ix_customers_name", "customers", ("name",)),
)


def _list_indexes_upgrade() -> None:
    for name, table, columns in LIST_INDEXES:
        op.create_index(name, table, list(columns))


def _list_indexes_downgrade() -> None:
    for name, table, _columns in reversed(LIST_INDEXES):
        op.drop_index(name, table_name=table)
