"""All SQL of exports: the list's own statement narrowed to the exported columns, counted and streamed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Select, String, func, select, type_coerce
from sqlalchemy.orm import Session

from loam.customers.models import Customer
from loam.exports.formatting import fixed_offset


def local_time_in_sql(session: Session, zone: str) -> bool:
    """Whether :func:`narrowed` can turn datetimes into company-time text in SQL (PostgreSQL always;
    SQLite when the zone has a fixed offset, e.g. Asia/Shanghai): far cheaper than per-cell Python."""
    return session.get_bind().dialect.name == "postgresql" or fixed_offset(zone) is not None


def narrowed(
    session: Session,
    stmt: Select[Any],
    attributes: Sequence[str],
    datetimes: set[str],
    zone: str,
    expressions: dict[str, Any] | None = None,
) -> Select[Any]:
    """The same scoped, filtered and sorted statement, selecting only ``attributes`` as plain tuples: columns
    of the statement's model, or the SQL given for them in ``expressions`` (e.g. a joined table's column).

    ``datetimes`` come back as ``YYYY-MM-DD HH:MM:SS`` text in company time when the database can do
    it (:func:`local_time_in_sql`), otherwise as the raw stored value (ISO text on SQLite).
    """
    model = stmt.column_descriptions[0]["entity"]
    sql = expressions or {}
    in_sql = local_time_in_sql(session, zone)

    def column(a: str) -> Any:
        value = sql[a] if a in sql else getattr(model, a)
        if a not in datetimes:
            return value
        return _local_text(session, value, zone) if in_sql else type_coerce(value, String())

    return stmt.with_only_columns(*(column(a) for a in attributes))


def _local_text(session: Session, column: Any, zone: str) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(zone, column), "YYYY-MM-DD HH24:MI:SS")
    offset = fixed_offset(zone)
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return func.strftime("%Y-%m-%d %H:%M:%S", column, f"{minutes:+d} minutes")


def count(session: Session, stmt: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)


def stream(session: Session, stmt: Select[Any], batch: int) -> Iterator[Sequence[Any]]:
    """Batches of row tuples from a server-side cursor (bounded memory whatever the row count); executed
    at the Core level, since plain tuples need none of the ORM's row loading."""
    result = session.connection().execute(stmt.execution_options(stream_results=True, max_row_buffer=batch))
    try:
        yield from result.partitions(batch)
    finally:
        result.close()


def customer_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Names of customers by id (rows of lists that show their customer, resolved one batch at a time)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(wanted)))
    return {int(i): str(n) for i, n in rows}
