"""All SQL of saved views: a user reads their own views and the shared ones."""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.kit.listing import paginate
from loam.savedviews.models import SavedView


def readable(scope: Scope) -> Select[tuple[SavedView]]:
    if scope.user_id is None and not scope.is_system:
        return select(SavedView).where(false())
    if scope.is_system:
        return select(SavedView)
    return select(SavedView).where(or_(SavedView.user_id == scope.user_id, SavedView.shared.is_(True)))


def get(session: Session, scope: Scope, view_id: int) -> SavedView | None:
    return session.scalar(readable(scope).where(SavedView.id == view_id))


def for_entity(session: Session, scope: Scope, entity: str) -> list[SavedView]:
    stmt = readable(scope).where(SavedView.entity == entity)
    mine_first = (SavedView.user_id != scope.user_id) if scope.user_id else SavedView.id.is_(None)
    return list(session.scalars(stmt.order_by(mine_first, SavedView.name, SavedView.id).limit(200)))


def page(session: Session, scope: Scope, entity: str | None, page_no: int, size: int) -> tuple[list[SavedView], int]:
    stmt = readable(scope)
    if entity:
        stmt = stmt.where(SavedView.entity == entity)
    return paginate(session, stmt.order_by(SavedView.entity, SavedView.name, SavedView.id), page_no, size)


def by_name(session: Session, user_id: int, entity: str, name: str) -> SavedView | None:
    return session.scalar(
        select(SavedView).where(SavedView.user_id == user_id, SavedView.entity == entity, SavedView.name == name)
    )
