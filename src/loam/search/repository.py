"""All SQL of global search: the search-body expression, index-backed match clauses, the SQLite queue.

The indexes are built by migration ``i3b_search`` (read its docstring). A *match clause* is the
condition a list's ``q`` filter and the global search put on customers, contacts or leads:

* PostgreSQL: ``body ILIKE '%q%'`` — the pg_trgm GIN index on ``body`` serves it for 3+ characters; a
  2-character query looks in names (a lead's company too) through the GIN index of their character pairs
  (migration ``i5c_search_bigrams``).
* SQLite: ``id IN (FTS5 trigram candidates ∪ queued ids) AND body LIKE '%q%'`` — the FTS5 table gives
  candidates, LIKE on the live row decides (so stale index rows never show).

Queries shorter than 3 characters cannot use a trigram index. SQLite serves 2-character queries
from the same FTS5 table all the same: every character of an indexed field is followed by another
(the body ends with U+0001), so a row contains "河池" exactly when one of its trigrams starts with
"河池"; the ``fts5vocab`` table lists those trigrams by a range scan and the candidates are their OR.
One-character queries are plain scans of the scoped rows:
correct, and bounded by the caller's LIMIT (the global search asks for a handful of rows; lists
count up to the cap of :mod:`loam.kit.listing`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Select,
    String,
    Text,
    and_,
    cast,
    column,
    event,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from loam import db
from loam.kit import normalize
from loam.kit.listing import like_escape

# entity: (table, searchable columns) — the same order as in migration i3b_search.
INDEXED: dict[str, tuple[str, tuple[str, ...]]] = {
    "customer": ("customers", ("name", "phone", "phone_norm", "email")),
    "contact": ("contacts", ("name", "phone", "phone_norm", "email")),
    "lead": ("leads", ("name", "company", "phone", "phone_norm", "email")),
}
TRIGRAM = 3
# entity: the columns a two-character query looks in on PostgreSQL (migration i5c_search_bigrams indexes them)
BIGRAM_COLUMNS: dict[str, tuple[str, ...]] = {"customer": ("name",), "contact": ("name",), "lead": ("name", "company")}
ANALYZE_AFTER = 50_000  # queued rows of one table that make the commit refresh its planner statistics
NO_MATCH = '"\x02\x02\x02"'  # an FTS5 query for "nothing" (no searchable text holds U+0002)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PHONE_LIKE = re.compile(r"[\d\s()+\-.]+")

queue = table("search_queue", column("id"), column("entity"), column("record_id"), column("old_body"))


def dialect() -> str:
    return db.engine.dialect.name


def body_sql(entity: str, qualify: bool = True, backend: str | None = None) -> str:
    """The search body of one row: its searchable columns joined and ended by U+0001."""
    name, columns = INDEXED[entity]
    sep = "chr(1)" if (backend or dialect()) == "postgresql" else "char(1)"
    prefix = f"{name}." if qualify else ""
    return "(" + " || ".join(f"coalesce({prefix}{c}, '') || {sep}" for c in columns) + ")"


def terms(q: str) -> list[str]:
    """What a query looks for: the text itself and, when it looks like a phone number, its digits and
    its E.164 form without "+" ("138-0013-8000" and "13800138000" both find +8613800138000)."""
    text_ = _CONTROL.sub("", q).strip()
    found = [text_] if text_ else []
    if text_ and _PHONE_LIKE.fullmatch(text_):
        digits = re.sub(r"\D", "", text_)
        e164 = (normalize.phone(text_) or "").lstrip("+")
        for extra in (digits, "" if digits in e164 else e164):
            if len(extra) >= TRIGRAM and extra not in found:
                found.append(extra)
    return found


def _fts_query(term: str) -> str:
    """Up to three non-overlapping trigrams of ``term`` ANDed, from its start (detail=none keeps no positions;
    LIKE re-checks the whole term). The start of a name is what sets it apart; the end is often a suffix
    every company shares ("分公司"), whose long posting list would only slow the intersection down."""
    low = term.lower()
    starts = list(range(0, len(low) - TRIGRAM + 1, TRIGRAM))[:3]
    if len(starts) == 1 and len(low) > TRIGRAM:
        starts.append(len(low) - TRIGRAM)
    return " AND ".join('"' + low[i : i + TRIGRAM].replace('"', '""') + '"' for i in starts)


def _vocab_terms(fts: str, prefix: str) -> Any:
    """An FTS5 query ORing every indexed trigram that starts with the 2-character ``prefix`` (a range scan)."""
    vocab = table(f"{fts}_vocab", column("term", String))
    dq = literal_column("'\"'", String)
    quoted = dq.concat(func.replace(vocab.c.term, '"', '""')).concat(dq)
    listed = select(func.group_concat(quoted, " OR ")).where(
        vocab.c.term >= prefix, vocab.c.term < prefix + "\U0010ffff"
    )
    return func.coalesce(listed.scalar_subquery(), NO_MATCH)


def _sqlite_candidates(entity: str, found: list[str]) -> Any | None:
    """Ids that may match (FTS5 trigram candidates and rows still queued), or None to scan."""
    fts = f"{INDEXED[entity][0]}_fts"
    match = literal_column(fts).op("MATCH")
    parts: list[Select[Any]] = []
    for term in found:
        if len(term) >= TRIGRAM:
            expr: Any = _fts_query(term)
        elif len(term) == TRIGRAM - 1:
            expr = _vocab_terms(fts, term.lower())
        else:
            return None
        parts.append(select(literal_column("rowid")).select_from(table(fts)).where(match(expr)))
    parts.append(select(queue.c.record_id).where(queue.c.entity == entity))
    return parts[0].union_all(*parts[1:])


def match_clause(entity: str, q: str) -> Any:
    """The condition "this row's searchable text contains ``q``", served by the search index."""
    found = terms(q)
    if not found:
        return literal_column("1") == literal_column("1")
    body = literal_column(body_sql(entity), String)
    if dialect() == "postgresql":
        return _postgresql_clause(entity, body, found)
    recheck = _or([body.like(f"%{like_escape(t)}%", escape="\\") for t in found])  # SQLite LIKE: ASCII-caseless
    candidates = _sqlite_candidates(entity, found)
    if candidates is None:
        return recheck
    return and_(literal_column(f"{INDEXED[entity][0]}.id").in_(candidates), recheck)


def _bigram_clause(entity: str, term: str) -> Any:
    """PostgreSQL, a two-character term: a name (lead: name or company) contains it — the GIN index of the names'
    character pairs (migration i5c_search_bigrams) finds the candidates, ILIKE confirms them."""
    name = INDEXED[entity][0]
    pair = cast(postgresql.array([literal(term.lower(), Text)]), postgresql.ARRAY(Text))
    clauses = []
    for column_name in BIGRAM_COLUMNS[entity]:
        col = literal_column(f"{name}.{column_name}", String)
        indexed = func.loam_bigrams(func.lower(col)).op("@>")(pair)
        clauses.append(and_(indexed, col.ilike(f"%{like_escape(term)}%", escape="\\")))
    return _or(clauses)


def _postgresql_clause(entity: str, body: Any, found: list[str]) -> Any:
    """``id IN (ids whose body ILIKE the terms)``, the ids computed first from the trigram index.

    Fenced as a MATERIALIZED CTE: inlined, the ILIKE joins the scope and LIMIT conditions and PostgreSQL,
    expecting matches everywhere, walks a whole table to fill a page the caller has few or none for (0.3-0.7 s
    at 1M rows, measured). A term shorter than a trigram cannot use the index (GIN would return every row):
    it is compared on an expression the index does not cover, so a scan stops at the LIMIT when matches are
    dense (no match at all is a full scan: the price of 1–2 characters on PostgreSQL).
    """
    name = INDEXED[entity][0]
    patterns = [(len(t) >= TRIGRAM, f"%{like_escape(t)}%") for t in found]
    if all(len(t) >= TRIGRAM - 1 for t in found) and any(len(t) == TRIGRAM - 1 for t in found):
        # Not fenced: the planner picks the pairs' index for a rare pair and a scan stopping at the LIMIT for a
        # common one ("公司"), from the statistics ANALYZE keeps on the indexed expression.
        return _or([_bigram_clause(entity, t) if len(t) < TRIGRAM else body.ilike(p, escape="\\")
                    for t, (_i, p) in zip(found, patterns, strict=True)])  # fmt: skip
    if not all(indexed for indexed, _p in patterns):
        unindexed = literal_column(body_sql(entity)[:-1] + " || '')", String)
        return _or([(body if indexed else unindexed).ilike(p, escape="\\") for indexed, p in patterns])
    ids: Any = literal_column(f"{name}.id")
    matched = (
        select(ids.label("id")).select_from(table(name)).where(_or([body.ilike(p, escape="\\") for _i, p in patterns]))
    )
    cte = matched.cte(f"{name}_matched").prefix_with("MATERIALIZED")
    return ids.in_(select(cte.c.id))


def _or(clauses: list[Any]) -> Any:
    return clauses[0] if len(clauses) == 1 else or_(*clauses)


def first_rows(session: Session, stmt: Select[Any], limit: int) -> list[Any]:
    """Up to ``limit`` + 1 rows of a scoped, filtered list statement (the extra one says "more"), newest first.

    The statement's ORDER BY is dropped on purpose: with it, PostgreSQL walks the primary key or the sort
    index hoping to meet ``limit`` matches early and reads the whole table when the caller has few or none
    (measured 0.7 s at 1M); without it, it reads the trigram index's candidates, and a short term's scan
    stops at the LIMIT. The few rows found are then ordered here."""
    rows = list(session.scalars(stmt.order_by(None).limit(limit + 1)))
    return sorted(rows, key=lambda row: row.id, reverse=True)


# --- SQLite: moving the trigger-filled queue into the FTS5 tables, in the writing transaction ---


def flush_queue(session: Session) -> int:
    """Apply the queued changes to the FTS5 tables (set-based) and empty the queue; returns the rows queued."""
    if session.get_bind().dialect.name != "sqlite":
        return 0
    counts = dict(session.execute(select(queue.c.entity, text("count(*)")).group_by(queue.c.entity)).all())
    if not counts:
        return 0
    for entity, n in counts.items():
        name = INDEXED[entity][0]
        fts = f"{name}_fts"
        # The first queued change of a record carries the text that is indexed (none for a new row).
        session.execute(
            text(
                f"INSERT INTO {fts} ({fts}, rowid, body) SELECT 'delete', q.record_id, q.old_body "  # noqa: S608
                "FROM search_queue q WHERE q.entity = :e AND q.old_body IS NOT NULL AND q.id = "
                "(SELECT min(q2.id) FROM search_queue q2 WHERE q2.entity = q.entity AND q2.record_id = q.record_id)"
            ),
            {"e": entity},
        )
        session.execute(
            text(
                f"INSERT INTO {fts} (rowid, body) SELECT {name}.id, {body_sql(entity, backend='sqlite')} FROM {name} "  # noqa: S608
                f"WHERE {name}.id IN (SELECT record_id FROM search_queue WHERE entity = :e)"
            ),
            {"e": entity},
        )
        if n >= ANALYZE_AFTER:
            # A bulk load changes the table's shape: refresh the planner's statistics (1.8 s per 1M customers),
            # or SQLite keeps its stats-less guesses and walks ix_<table>_deleted_at for every list (~0.5 s at 1M).
            session.execute(text(f"ANALYZE {name}"))
    session.execute(text("DELETE FROM search_queue"))
    return sum(counts.values())


def rebuild(session: Session) -> None:
    """Rebuild the SQLite FTS5 tables from the live tables (repair; PostgreSQL indexes need nothing)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(text("DELETE FROM search_queue"))
    for entity, (name, _columns) in INDEXED.items():
        fts = f"{name}_fts"
        session.execute(text(f"INSERT INTO {fts} ({fts}) VALUES ('delete-all')"))  # noqa: S608
        session.execute(text(f"INSERT INTO {fts} (rowid, body) SELECT id, {body_sql(entity)} FROM {name}"))  # noqa: S608


def _after_begin(session: Session, _transaction: Any, connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        session.info["search_changes"] = connection.connection.driver_connection.total_changes


def _before_commit(session: Session) -> None:
    """Flush the queue when this transaction wrote anything (read-only transactions never take the write lock)."""
    start = session.info.pop("search_changes", None)
    if start is None or not session.in_transaction():
        return
    raw = session.connection().connection.driver_connection
    if raw.total_changes != start:  # type: ignore[union-attr]
        flush_queue(session)


if not event.contains(Session, "before_commit", _before_commit):
    event.listen(Session, "after_begin", _after_begin)
    event.listen(Session, "before_commit", _before_commit)


# --- bulk loads (the importer) ---


@contextmanager
def bulk_insert(session: Session, entity: str, ids: list[int]) -> Iterator[None]:
    """Insert ``ids`` into ``entity``'s table inside this block without the per-row queue trigger, then queue
    them with one set-based statement (SQLite only; PostgreSQL maintains its GIN index itself).

    A row trigger makes SQLite open a statement journal for every row of an ``executemany`` (~23 s per 1M
    customers here). The trigger is dropped and re-created inside the writing transaction, which holds
    SQLite's single write lock, so no other writer can insert a row while it is missing, and a rollback
    restores it with everything else.
    """
    if session.get_bind().dialect.name != "sqlite" or not ids:
        yield
        return
    name = INDEXED[entity][0]
    trigger = f"{name}_search_ai"
    ddl = session.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"), {"n": trigger}
    ).scalar()
    if ddl is None:
        yield
        return
    session.execute(text(f"DROP TRIGGER {trigger}"))
    try:
        yield
        enqueue = f"INSERT INTO search_queue (entity, record_id, old_body) SELECT :e, id, NULL FROM {name} "  # noqa: S608
        session.execute(text(enqueue + "WHERE id BETWEEN :a AND :b"), {"e": entity, "a": min(ids), "b": max(ids)})
    finally:
        session.execute(text(ddl))
