"""All SQL of the notification area; every read is limited to one user's own rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from loam.kit.listing import paginate
from loam.notifications.models import Notification


def own(user_id: int | None, unread: bool = False) -> Select[Notification]:
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt


def get_own(session: Session, user_id: int | None, notification_id: int) -> Notification | None:
    return session.scalar(own(user_id).where(Notification.id == notification_id))


def by_dedupe_key(session: Session, user_id: int, dedupe_key: str) -> Notification | None:
    return session.scalar(own(user_id).where(Notification.dedupe_key == dedupe_key))


def page(session: Session, user_id: int | None, unread: bool, page: int, size: int) -> tuple[list[Notification], int]:
    return paginate(session, own(user_id, unread).order_by(Notification.id.desc()), page, size)


def unread_count(session: Session, user_id: int | None) -> int:
    stmt = select(func.count()).select_from(own(user_id, unread=True).subquery())
    return int(session.scalar(stmt) or 0)


def mark_all(session: Session, user_id: int | None, at: datetime) -> int:
    stmt = (
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=at)
        .execution_options(synchronize_session="fetch")
    )
    result: Any = session.execute(stmt)
    return int(result.rowcount)
