"""Bulk writes through the driver (loam.kit.bulk) store exactly what the ORM stores: the same text for a
datetime on SQLite (a whole second included), NULL for a constant None, JSON as JSON."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from loam.kit import bulk
from loam.kit.models import AuditLog
from tests.helpers import make_customer


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


def _indexes_and_keys(session, table: str) -> tuple[set[str], dict[str, bool]]:
    if session.get_bind().dialect.name == "postgresql":
        indexes = {
            n for (n,) in session.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": table})
        }
        keys = dict(
            session.execute(
                text(
                    "SELECT conname, convalidated FROM pg_constraint "
                    "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'"
                ),
                {"t": table},
            ).all()
        )
        return indexes, keys
    indexes = {
        n
        for (n,) in session.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"), {"t": table}
        )
    }
    return indexes, {}


def test_suspended_indexes_and_keys_come_back(session, ids) -> None:
    from loam.customers.models import Customer

    table = Customer.__table__
    indexes, keys = _indexes_and_keys(session, "customers")
    assert "ix_customers_owner_id" in indexes
    ddl = bulk.suspend_indexes(session, table)  # type: ignore[arg-type]
    during, keys_during = _indexes_and_keys(session, "customers")
    assert "ix_customers_owner_id" not in during and keys_during == {}
    postgres = session.get_bind().dialect.name == "postgresql"
    assert postgres == bool(keys) == any(d.startswith(bulk.FK_PREFIX) for d in ddl)
    make_customer(session, ids["ar1"], "批量装载测试")  # a row written while they are away
    bulk.restore_indexes(session, ddl)
    bulk.restore_indexes(session, ddl)  # a resumed load restores again: nothing changes, nothing fails
    assert _indexes_and_keys(session, "customers") == (indexes, keys)
    assert all(keys.values())  # the keys are back and validated over the rows loaded without them
