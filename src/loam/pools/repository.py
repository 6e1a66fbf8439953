"""All SQL of the pools domain: pools, their members and pool events.

Pool membership needs each user's department path (as ``authz.service._pool_ids`` does), so this
repository also reads ``users.department_id`` and ``departments.path`` / ``name`` — read only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, literal, or_, select
from sqlalchemy.orm import Session

from loam.org.models import Department, User
from loam.pools.models import Pool, PoolEvent, PoolMember


def list_pools(session: Session, ids: Iterable[int] | None = None, active_only: bool = False) -> list[Pool]:
    stmt = select(Pool)
    if ids is not None:
        stmt = stmt.where(Pool.id.in_(list(ids)))
    if active_only:
        stmt = stmt.where(Pool.active.is_(True))
    return list(session.scalars(stmt.order_by(Pool.id)))


def get(session: Session, pool_id: int) -> Pool | None:
    return session.get(Pool, pool_id)


def by_name(session: Session, name: str, exclude_id: int | None = None) -> Pool | None:
    # lower() on both sides in SQL: SQLite folds only ASCII, so a Python-folded name could miss an exact twin.
    stmt = select(Pool).where(or_(Pool.name == name, func.lower(Pool.name) == func.lower(literal(name))))
    if exclude_id is not None:
        stmt = stmt.where(Pool.id != exclude_id)
    return session.scalar(stmt)


def members(session: Session, pool_ids: Iterable[int]) -> list[PoolMember]:
    stmt = select(PoolMember).where(PoolMember.pool_id.in_(list(pool_ids))).order_by(PoolMember.id)
    return list(session.scalars(stmt))


def replace_members(session: Session, pool_id: int, rows: list[PoolMember]) -> None:
    session.execute(delete(PoolMember).where(PoolMember.pool_id == pool_id))
    for row in rows:
        row.pool_id = pool_id
    session.add_all(rows)
    session.flush()


def existing_user_ids(session: Session, ids: set[int]) -> set[int]:
    return set(session.scalars(select(User.id).where(User.id.in_(ids)))) if ids else set()


def existing_department_ids(session: Session, ids: set[int]) -> set[int]:
    return set(session.scalars(select(Department.id).where(Department.id.in_(ids)))) if ids else set()


def user_departments(session: Session, user_ids: Iterable[int]) -> dict[int, tuple[int | None, list[int]]]:
    """user id → (department id, ids of that department and every department above it)."""
    stmt = (
        select(User.id, User.department_id, Department.path)
        .outerjoin(Department, Department.id == User.department_id)
        .where(User.id.in_(list(user_ids)))
    )
    out: dict[int, tuple[int | None, list[int]]] = {}
    for uid, dept_id, path in session.execute(stmt):
        out[int(uid)] = (dept_id, [int(p) for p in (path or "").strip("/").split("/") if p])
    return out


def department_choices(session: Session) -> list[tuple[int, str, int]]:
    """(id, name, depth) of every department, in tree order (for the members editor)."""
    rows = session.execute(select(Department.id, Department.name, Department.path).order_by(Department.path))
    return [(int(i), name, max(path.count("/") - 2, 0)) for i, name, path in rows]


def add_event(
    session: Session,
    pool_id: int,
    customer_id: int,
    action: str,
    user_id: int | None,
    owner_id: int | None,
    at: datetime,
    reason: str | None = None,
) -> PoolEvent:
    event = PoolEvent(
        pool_id=pool_id,
        customer_id=customer_id,
        action=action,
        user_id=user_id,
        owner_id=owner_id,
        reason=reason,
        at=at,
    )
    session.add(event)
    return event


def count_claims(session: Session, pool_id: int, user_id: int, since: datetime) -> int:
    stmt = select(func.count()).where(
        PoolEvent.user_id == user_id,
        PoolEvent.action == "claim",
        PoolEvent.at >= since,
        PoolEvent.pool_id == pool_id,
    )
    return int(session.scalar(stmt) or 0)


def lost_since(session: Session, customer_id: int, owner_id: int, since: datetime) -> datetime | None:
    """When ``owner_id`` last released or lost the customer to a pool, if after ``since``."""
    stmt = select(func.max(PoolEvent.at)).where(
        PoolEvent.customer_id == customer_id,
        PoolEvent.owner_id == owner_id,
        PoolEvent.action.in_(("release", "return")),
        PoolEvent.at >= since,
    )
    return session.scalar(stmt)


def events_of(session: Session, customer_id: int, limit: int = 50) -> list[PoolEvent]:
    stmt = select(PoolEvent).where(PoolEvent.customer_id == customer_id).order_by(PoolEvent.id.desc()).limit(limit)
    return list(session.scalars(stmt))
