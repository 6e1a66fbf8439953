"""All SQL of access control: team-member rows and pool membership."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from loam.authz.models import AuthzState, RecordMember
from loam.org.models import Department
from loam.pools.models import Pool, PoolMember


def _current(now: datetime) -> Any:
    return or_(RecordMember.expires_at.is_(None), RecordMember.expires_at > now)


def member_record_ids(user_id: int | None, entity: str, now: datetime, write: bool) -> Select[Any]:
    stmt = select(RecordMember.record_id).where(
        RecordMember.entity == entity, RecordMember.user_id == user_id, _current(now)
    )
    return stmt.where(RecordMember.access == "write") if write else stmt


def member_access(session: Session, user_id: int, entity: str, record_id: int, now: datetime) -> str | None:
    return session.scalar(
        select(RecordMember.access).where(
            RecordMember.entity == entity,
            RecordMember.record_id == record_id,
            RecordMember.user_id == user_id,
            _current(now),
        )
    )


def scope_token(session: Session) -> str | None:
    """The current token of ``authz_state`` (triggers replace it when what a Scope is built from changes)."""
    return session.scalar(select(AuthzState.token).where(AuthzState.id == 1))


def department_path(session: Session, department_id: int) -> str:
    return session.scalar(select(Department.path).where(Department.id == department_id)) or ""


def pool_ids(session: Session, user_id: int, department_id: int | None, ancestor_ids: list[int]) -> list[int]:
    direct = (PoolMember.user_id == user_id) | (PoolMember.department_id == department_id)
    inherited = PoolMember.department_id.in_(ancestor_ids) & PoolMember.include_children.is_(True)
    stmt = (
        select(PoolMember.pool_id)
        .join(Pool, Pool.id == PoolMember.pool_id)
        .where(Pool.active.is_(True), direct | inherited)
        .distinct()
    )
    return list(session.scalars(stmt))


def move_members(
    session: Session, entity: str, from_id: int, to_id: int, ids: list[int] | None, skip_user_ids: set[int]
) -> list[int]:
    """Re-point team-member rows of record ``from_id`` (or only rows ``ids``) to ``to_id``, except users already on
    ``to_id``'s team or in ``skip_user_ids`` (their rows stay where they are); returns the moved row ids."""
    from sqlalchemy import update

    taken = select(RecordMember.user_id).where(RecordMember.entity == entity, RecordMember.record_id == to_id)
    stmt = select(RecordMember.id).where(
        RecordMember.entity == entity, RecordMember.record_id == from_id, RecordMember.user_id.not_in(taken)
    )
    if skip_user_ids:
        stmt = stmt.where(RecordMember.user_id.not_in(skip_user_ids))
    if ids is not None:
        stmt = stmt.where(RecordMember.id.in_(ids))
    moved = sorted(session.scalars(stmt))
    if moved:
        session.execute(
            update(RecordMember)
            .where(RecordMember.id.in_(moved))
            .values(record_id=to_id)
            .execution_options(synchronize_session="fetch")
        )
    return moved
