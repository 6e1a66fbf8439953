"""Bulk writes through the driver (loam.kit.bulk) store exactly what the ORM stores: the same text for a
datetime on SQLite (a whole second included), NULL for a constant None, JSON as JSON."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from loam.kit import bulk
from loam.kit.models import AuditLog


def test_bulk_rows_are_stored_as_the_orm_stores_them(session, ids) -> None:
    moment = datetime(2024, 3, 1, 8, 30, 0, tzinfo=UTC)  # a whole second: the case a driver adapter writes short
    orm = AuditLog(entity="bulktest", entity_id=1, action="import", user_id=ids["admin"], at=moment, changes={})
    session.add(orm)
    session.flush()
    table = AuditLog.__table__
    constants = {"entity": "bulktest", "action": "import", "user_id": None, "note": None, "changes": {"k": "值"}}
    (bulk_id,) = bulk.insert_dicts(session, table, [{"entity_id": 2, "at": moment}], constants)  # type: ignore[arg-type]

    raw = dict(session.execute(text("SELECT id, at FROM audit_log WHERE entity = 'bulktest'")).all())
    assert raw[bulk_id] == raw[orm.id]  # same stored form: SQLite text, PostgreSQL timestamptz
    row = session.execute(select(AuditLog).where(AuditLog.id == bulk_id)).scalar_one()
    assert (row.at, row.user_id, row.note, row.changes) == (moment, None, None, {"k": "值"})
    nulls = session.execute(
        text("SELECT count(*) FROM audit_log WHERE id = :i AND user_id IS NULL AND note IS NULL"), {"i": bulk_id}
    ).scalar()
    assert nulls == 1
