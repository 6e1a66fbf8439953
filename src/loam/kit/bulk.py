"""Bulk writes through the database driver, inside the caller's transaction (DESIGN §1 "bulk writes").

The ORM inserts ~10× slower than the driver, so big imports write rows here: SQLite through the
sqlite3 cursor's ``executemany``, PostgreSQL through ``COPY … FROM STDIN`` (psycopg 3). Ids are
allocated up front (SQLite: after the transaction holds the write lock; PostgreSQL: from the
table's sequence), so callers know every new row's id without RETURNING. Values go through each
column's SQLAlchemy bind processor, so what lands is exactly what the ORM would have written
(timezone handling of ``UTCDateTime``, JSON encoding, booleans).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import JSON, Engine, Table, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_MISSING = object()
log = logging.getLogger(__name__)


class Inserter:
    """Insert many rows into one table in the session's transaction: ``names`` vary per row (``id``
    first), ``constants`` are the same for every row of the call and are converted once."""

    def __init__(
        self, session: Session, table: Table, names: Sequence[str], constants: dict[str, Any] | None = None
    ) -> None:
        self.session = session
        self.table = table
        self.names = list(names)
        self.dialect = session.get_bind().dialect
        self.postgres = self.dialect.name == "postgresql"
        self.converters = [(i, p) for i, n in enumerate(self.names) if (p := self._processor(table.c[n])) is not None]
        consts = dict(constants or {})
        self.const_names = list(consts)
        self.const_values = tuple(self._convert(table.c[n], v) for n, v in consts.items())
        # SQLite: a constant NULL is written in the statement instead of bound on every row (the driver
        # adapts each None parameter through its adapter registry, ~0.2 µs: seconds over a million rows).
        self.bound_consts = self.const_values if self.postgres else tuple(v for v in self.const_values if v is not None)

    def _processor(self, column: Any) -> Callable[[Any], Any] | None:
        if self.postgres and isinstance(column.type, JSON):
            return lambda v: json.dumps(v, ensure_ascii=False)
        # The dialect's own type, as the ORM uses: SQLite's DATETIME renders the same text the ORM writes
        # ("… 16:00:00.000000"); the generic type would leave a datetime to the driver's adapter.
        return column.type.dialect_impl(self.dialect).bind_processor(self.dialect)  # type: ignore[no-any-return]

    def _convert(self, column: Any, value: Any) -> Any:
        proc = self._processor(column)
        return proc(value) if proc is not None and value is not None else value

    def allocate_ids(self, n: int) -> list[int]:
        """``n`` fresh ids for this table (call inside the transaction that inserts them)."""
        if n == 0:
            return []
        if self.postgres:
            seq = f"{self.table.name}_id_seq"
            rows = self.session.execute(text(f"SELECT nextval('{seq}') FROM generate_series(1, :n)"), {"n": n})  # noqa: S608 - table names are ours
            return [int(r[0]) for r in rows]
        start = int(self.session.scalar(select(func.coalesce(func.max(self.table.c.id), 0))) or 0) + 1
        return list(range(start, start + n))

    def _prepare(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        consts = self.bound_consts
        if not self.converters:
            return [tuple(row) + consts for row in rows]
        # Values repeat (a file's dates, a JSON default): convert each distinct one once per call.
        memo: list[dict[Any, Any]] = [{} for _ in self.converters]
        out = []
        for row in rows:
            values = list(row)
            for (i, proc), seen in zip(self.converters, memo, strict=True):
                value = values[i]
                if value is not None:
                    try:
                        converted = seen.get(value, _MISSING)
                    except TypeError:  # unhashable (a dict for a JSON column)
                        converted = _MISSING
                    if converted is _MISSING:
                        converted = proc(value)
                        if isinstance(value, Hashable):
                            seen[value] = converted
                    values[i] = converted
            out.append(tuple(values) + consts)
        return out

    def insert(self, rows: Sequence[Sequence[Any]]) -> None:
        """Write ``rows`` (tuples in the order of ``names``) in the current transaction."""
        if not rows:
            return
        prepared = self._prepare(rows)
        raw = self.session.connection().connection.driver_connection
        cols = ", ".join([*self.names, *self.const_names])
        if self.postgres:
            with raw.cursor() as cur, cur.copy(f"COPY {self.table.name} ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
                for row in prepared:
                    copy.write_row(row)
            return
        marks = ", ".join(["?"] * len(self.names) + ["NULL" if v is None else "?" for v in self.const_values])
        cur = raw.cursor()  # type: ignore[union-attr]
        try:
            cur.executemany(f"INSERT INTO {self.table.name} ({cols}) VALUES ({marks})", prepared)  # noqa: S608
        finally:
            cur.close()


def update_many(session: Session, table: Table, names: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE ``table`` SET ``names`` WHERE id = :id for each row dict (Core executemany)."""
    if not rows:
        return
    from sqlalchemy import bindparam, update

    stmt = update(table).where(table.c.id == bindparam("_id")).values({n: bindparam("v_" + n) for n in names})
    session.execute(stmt, [{"_id": r["id"], **{"v_" + n: r[n] for n in names}} for r in rows])


def allocate_ids(session: Session, table: Table, n: int) -> list[int]:
    """``n`` fresh ids for ``table`` (inside the transaction that will insert them)."""
    return Inserter(session, table, ["id"]).allocate_ids(n)


def bigger_cache(session: Session, mebibytes: int = 256) -> None:
    """Let SQLite keep more of the B-trees in memory for this connection (index inserts thrash a 2 MB cache)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA cache_size=-{int(mebibytes) * 1024}"))


FK_PREFIX = "ALTER TABLE "  # a suspended foreign key's DDL (the rest are CREATE INDEX statements)


def suspend_indexes(session: Session, table: Table) -> list[str]:
    """Drop ``table``'s secondary (non-unique) indexes for a load much larger than the table and return
    their DDL for :func:`restore_indexes`: maintaining ten B-trees (and PostgreSQL's trigram GIN) row by
    row costs several times building them once at the end.

    PostgreSQL: the table's own foreign keys too. Each inserted row fires one check per key (a lookup with
    a row lock on the referenced row): an ``INSERT … SELECT`` of 903,412 customers took 10.1 s with their
    three keys and 1.8 s without, and validating them afterwards 0.5 s (one join). The loader has checked
    every reference already (owner and department against the importer's scope)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        sql = (
            "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = :t AND i.schemaname = current_schema() "
            "AND NOT x.indisunique AND NOT x.indisprimary"
        )
    else:
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"
    rows = [
        (n, d) for n, d in session.execute(text(sql), {"t": table.name}) if not d.upper().startswith("CREATE UNIQUE")
    ]
    for name, _ddl in rows:
        session.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
    ddl = [d for _name, d in rows]
    if postgres:
        keys = session.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f' ORDER BY conname"
            ),
            {"t": table.name},
        ).all()
        for name, definition in keys:
            session.execute(text(f'ALTER TABLE {table.name} DROP CONSTRAINT "{name}"'))
            ddl.append(f'{FK_PREFIX}{table.name} ADD CONSTRAINT "{name}" {definition}')
    return ddl


def restore_indexes(session: Session, ddl: Sequence[str], parallel: bool = False) -> None:
    """Re-create what :func:`suspend_indexes` dropped (idempotent: a resumed load may call it twice), then
    add the foreign keys back and validate them.

    ``parallel`` (PostgreSQL, when the drop was committed earlier, as an import's is): the indexes are built
    two at a time, each in a transaction of its own (two CREATE INDEX on one table do not block each other),
    the GIN indexes first: their trigram and pair extraction is CPU-bound, ~12 s and ~9.5 s over 900,000
    names, so two cores halve the wait. Without it (or on SQLite, which has one writer) they are built one
    after the other in the caller's transaction — which is also the only way when that transaction dropped
    them: other connections would wait for its locks for ever."""
    keys = [d for d in ddl if d.startswith(FK_PREFIX)]
    statements = [
        re.sub(r"^CREATE INDEX (?!IF NOT EXISTS)", "CREATE INDEX IF NOT EXISTS ", d.strip())
        for d in ddl
        if not d.startswith(FK_PREFIX)
    ]
    bind = session.get_bind()
    workers = min(2, os.cpu_count() or 1, len(statements))
    if parallel and bind.dialect.name == "postgresql" and isinstance(bind, Engine) and workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        def build(sql: str) -> None:
            with bind.begin() as conn:
                conn.execute(text(sql))

        statements.sort(key=lambda sql: " USING GIN " not in sql.upper())
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="loam-index") as pool:
            list(pool.map(build, statements))
    else:
        for sql in statements:
            session.execute(text(sql))
    for sql in keys:
        _restore_key(session, sql)


def _restore_key(session: Session, sql: str) -> None:
    """Add a suspended foreign key back unless it is there already, then check the rows loaded without it.
    A row that fails the check (a user or department deleted during the load) leaves the key in force for
    every new row, marked not validated, and is logged; the load itself is not undone."""
    match = re.match(r'^ALTER TABLE (\w+) ADD CONSTRAINT "([^"]+)" ', sql)
    if match is None:
        return
    table, name = match.groups()
    exists = session.execute(
        text("SELECT 1 FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND conname = :n"),
        {"t": table, "n": name},
    ).first()
    if exists is None:
        session.execute(text(sql + " NOT VALID"))
    try:
        with session.begin_nested():
            session.execute(text(f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"'))
    except DBAPIError:
        log.warning("foreign key %s of %s is in force but not validated: a loaded row does not satisfy it", name, table)


def analyze(session: Session, table: Table) -> None:
    """Refresh the planner's statistics of ``table`` after a bulk load (lists pick their indexes by them)."""
    session.execute(text(f"ANALYZE {table.name}"))


def column_defaults(table: Table) -> dict[str, Any]:
    """Each column's Python-side default, evaluated now (what the ORM would fill in for a missing value)."""
    out: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if default is None or (not getattr(default, "is_scalar", False) and not getattr(default, "is_callable", False)):
            out[column.name] = None
        elif default.is_callable:
            out[column.name] = default.arg(None)  # type: ignore[attr-defined]
        else:
            out[column.name] = default.arg  # type: ignore[attr-defined]
    return out


def insert_dicts(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    constants: dict[str, Any] | None = None,
    ids: Sequence[int] | None = None,
) -> list[int]:
    """Insert row dicts and return their new ids. A key missing from a row takes the column's default;
    ``constants`` apply to every row (converted once)."""
    defaults = column_defaults(table)
    fixed = {**defaults, **(constants or {})}
    present = set().union(*rows) if rows else set()
    varying = [c.name for c in table.columns if c.name != "id" and c.name in present]
    constant = {n: v for n, v in fixed.items() if n != "id" and n not in varying}
    inserter = Inserter(session, table, ["id", *varying], constant)
    ids = list(ids) if ids is not None else inserter.allocate_ids(len(rows))
    pairs = [(n, fixed.get(n)) for n in varying]
    inserter.insert([(i, *(row.get(n, d) for n, d in pairs)) for i, row in zip(ids, rows, strict=True)])
    return ids
