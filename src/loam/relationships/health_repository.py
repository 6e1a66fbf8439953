"""All SQL of relationship health: stored monthly snapshots and the company view over them.

Company-view reads start from the customers the caller can see (``customer_service.visible_ids``, R10/R13); the
snapshot job reads every live customer as the system.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, func, insert, select
from sqlalchemy.orm import Session, aliased

from loam.authz.scope import Scope
from loam.customers import service as customer_service
from loam.customers.models import Customer
from loam.kit.listing import Total, apply_sort, count_capped
from loam.org.models import Department
from loam.relationships.models import RelationshipSnapshot as Snap

CHUNK = 500  # ids per IN list


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


# --- snapshots ---


def live_customer_ids(session: Session) -> list[int]:
    """Every customer not in the recycle bin, by id (the snapshot job's population)."""
    return list(session.scalars(select(Customer.id).where(Customer.deleted_at.is_(None)).order_by(Customer.id)))


def snapshotted_ids(session: Session, month: date, customer_ids: Sequence[int] | None = None) -> set[int]:
    """The customers that already have a snapshot of ``month`` (of ``customer_ids``, or all)."""
    stmt = select(Snap.customer_id).where(Snap.month == month)
    if customer_ids is None:
        return set(session.scalars(stmt))
    found: set[int] = set()
    for part in chunks(customer_ids):
        found.update(session.scalars(stmt.where(Snap.customer_id.in_(part))))
    return found


def insert_snapshots(session: Session, rows: list[dict[str, Any]]) -> None:
    """Core executemany INSERT of snapshot rows (one statement per batch)."""
    if rows:
        session.execute(insert(Snap), rows)


def history(session: Session, customer_ids: Sequence[int], first: date, last: date) -> dict[int, list[Any]]:
    """The snapshots of ``customer_ids`` from month ``first`` to month ``last``, oldest first, per customer: rows of
    ``customer_id, month, health, band, settings_version`` (not the stored explanation: trends do not need it)."""
    out: dict[int, list[Any]] = {cid: [] for cid in customer_ids}
    for part in chunks(customer_ids):
        stmt = (
            select(Snap.customer_id, Snap.month, Snap.health, Snap.band, Snap.settings_version)
            .where(Snap.customer_id.in_(part), Snap.month >= first, Snap.month <= last)
            .order_by(Snap.customer_id, Snap.month)
        )
        for row in session.execute(stmt):
            out[row.customer_id].append(row)
    return out


def summaries(session: Session, customer_id: int, limit: int) -> list[Any]:
    """A customer's newest snapshots without their explanation: ``month, health, band, key_score, broad_score,
    org_score, settings_version``."""
    stmt = (
        select(
            Snap.month,
            Snap.health,
            Snap.band,
            Snap.key_score,
            Snap.broad_score,
            Snap.org_score,
            Snap.settings_version,
        )
        .where(Snap.customer_id == customer_id)
        .order_by(Snap.month.desc())
        .limit(limit)
    )
    return list(session.execute(stmt))


def snapshot_page(session: Session, customer_id: int, page: int, size: int) -> tuple[list[Snap], Total]:
    """One customer's snapshots, newest first."""
    stmt = select(Snap).where(Snap.customer_id == customer_id).order_by(Snap.month.desc())
    rows = list(session.scalars(stmt.limit(size).offset((page - 1) * size)))
    return rows, count_capped(session, stmt)


def snapshot_of(session: Session, customer_id: int, month: date) -> Snap | None:
    return session.scalar(select(Snap).where(Snap.customer_id == customer_id, Snap.month == month))


def latest_month(session: Session, before: date | None = None) -> date | None:
    """The newest month any snapshot was taken for (strictly before ``before`` when given)."""
    stmt = select(func.max(Snap.month))
    if before is not None:
        stmt = stmt.where(Snap.month < before)
    return session.scalar(stmt)


def months(session: Session, limit: int) -> list[date]:
    """The months snapshots exist for, newest first."""
    return list(session.scalars(select(Snap.month).distinct().order_by(Snap.month.desc()).limit(limit)))


# --- the company view (visible customers only) ---


def _scoped(stmt: Any, scope: Scope, f: Any) -> Any:
    """Visible, live customers, filtered by our department (and below), owner and tier."""
    stmt = stmt.where(Customer.id.in_(customer_service.visible_ids(scope)), Customer.deleted_at.is_(None))
    if f.department_id is not None:
        below = select(Department.id).where(
            Department.path.like(
                select(Department.path).where(Department.id == f.department_id).scalar_subquery() + "%"
            )
        )
        stmt = stmt.where(Customer.department_id.in_(below))
    if f.owner_id is not None:
        stmt = stmt.where(Customer.owner_id == f.owner_id)
    if f.tier is not None:
        stmt = stmt.where(Customer.tier == f.tier)
    return stmt


def band_tier_counts(session: Session, scope: Scope, month: date, f: Any) -> list[tuple[str, str | None, int]]:
    """(band, tier, customers) in the month's snapshots."""
    stmt = (
        select(Snap.band, Customer.tier, func.count())
        .join(Customer, Customer.id == Snap.customer_id)
        .where(Snap.month == month)
        .group_by(Snap.band, Customer.tier)
    )
    return [(b, t, int(n)) for b, t, n in session.execute(_scoped(stmt, scope, f))]


def drops(
    session: Session, scope: Scope, month: date, previous: date, f: Any, page: int, size: int
) -> tuple[list[Any], Total]:
    """Customers whose health fell from ``previous``'s snapshot to ``month``'s, biggest drop first."""
    prev = aliased(Snap)
    drop = (prev.health - Snap.health).label("drop")
    stmt = (
        select(
            Customer.id,
            Customer.name,
            Customer.tier,
            Customer.owner_id,
            prev.health,
            Snap.health,
            drop,
            prev.band,
            Snap.band,
        )
        .select_from(Snap)
        .join(Customer, Customer.id == Snap.customer_id)
        .join(prev, and_(prev.customer_id == Snap.customer_id, prev.month == previous))
        .where(Snap.month == month, prev.health > Snap.health)
        .order_by(drop.desc(), Customer.id)
    )
    stmt = _scoped(stmt, scope, f)
    rows = list(session.execute(stmt.limit(size).offset((page - 1) * size)))
    return rows, count_capped(session, stmt)


def department_means(session: Session, scope: Scope, month: date, f: Any) -> list[tuple[int | None, str, int, float]]:
    """(department id, name, customers, mean health) of our departments owning visible customers, best first."""
    mean = func.avg(Snap.health)
    stmt = (
        select(Customer.department_id, Department.name, func.count(), mean)
        .select_from(Snap)
        .join(Customer, Customer.id == Snap.customer_id)
        .outerjoin(Department, Department.id == Customer.department_id)
        .where(Snap.month == month)
        .group_by(Customer.department_id, Department.name)
        .order_by(mean.desc(), Customer.department_id)
    )
    return [(d, name or "", int(n), float(m)) for d, name, n, m in session.execute(_scoped(stmt, scope, f))]


def department_bands(session: Session, scope: Scope, month: date, f: Any) -> dict[int | None, dict[str, int]]:
    """Per department owning visible customers: customers per band."""
    stmt = (
        select(Customer.department_id, Snap.band, func.count())
        .select_from(Snap)
        .join(Customer, Customer.id == Snap.customer_id)
        .where(Snap.month == month)
        .group_by(Customer.department_id, Snap.band)
    )
    out: dict[int | None, dict[str, int]] = {}
    for dept, band, n in session.execute(_scoped(stmt, scope, f)):
        out.setdefault(dept, {})[band] = int(n)
    return out


LIST_SORTS = {"health": Snap.health, "name": Customer.name, "id": Customer.id}


def customer_page(
    session: Session, scope: Scope, month: date, previous: date, f: Any, page: int, size: int, sort: str | None
) -> tuple[list[Any], Total]:
    """Visible customers with the month's snapshot (and the previous month's health), worst first by default."""
    prev = aliased(Snap)
    change = (Snap.health - prev.health).label("change")
    stmt = (
        select(
            Customer.id,
            Customer.name,
            Customer.tier,
            Customer.owner_id,
            Customer.department_id,
            Snap.month,
            Snap.health,
            Snap.band,
            Snap.key_score,
            Snap.broad_score,
            Snap.org_score,
            prev.health,
            change,
        )
        .select_from(Snap)
        .join(Customer, Customer.id == Snap.customer_id)
        .outerjoin(prev, and_(prev.customer_id == Snap.customer_id, prev.month == previous))
        .where(Snap.month == month)
    )
    if f.band is not None:
        stmt = stmt.where(Snap.band == f.band)
    # No previous snapshot sorts as no change (NULLs order differently on SQLite and PostgreSQL).
    sorts = {**LIST_SORTS, "change": func.coalesce(change, 0)}
    ordered: Any = apply_sort(_scoped(stmt, scope, f), sort, sorts, "health")
    rows = list(session.execute(ordered.limit(size).offset((page - 1) * size)))
    return rows, count_capped(session, ordered)


def owner_ids(session: Session, scope: Scope, month: date) -> list[int]:
    """Owners of visible customers with a snapshot of the month (the owner filter's options)."""
    stmt = (
        select(Customer.owner_id)
        .join(Snap, Snap.customer_id == Customer.id)
        .where(Snap.month == month, Customer.owner_id.is_not(None))
        .distinct()
    )
    stmt = stmt.where(Customer.id.in_(customer_service.visible_ids(scope)), Customer.deleted_at.is_(None))
    return [i for i in session.scalars(stmt) if i is not None]
