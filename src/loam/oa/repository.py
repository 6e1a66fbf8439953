"""All SQL of the OA domain; every read of a request starts from :func:`readable` (R10)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select, true
from sqlalchemy.orm import Session

from loam.authz.permissions import Module
from loam.authz.scope import Scope
from loam.kit.listing import apply_sort, like_escape, paginate
from loam.oa.models import OaRequest, OaType
from loam.oa.schemas import RequestFilters

ENTITY = "oa_request"
SORTS = {
    "id": OaRequest.id,
    "title": OaRequest.title,
    "status": OaRequest.status,
    "amount": OaRequest.amount,
    "days": OaRequest.days,
    "created_at": OaRequest.created_at,
    "updated_at": OaRequest.updated_at,
}


def visible_clause(scope: Scope) -> Any:
    """The owner is the caller or someone the caller sees through the OA data scope (本人, 本人及下属…)."""
    owners = scope.owners(Module.oa)
    if owners is None:
        return true()
    return OaRequest.owner_id.in_(owners)


def readable(scope: Scope, deleted: bool = False) -> Select[Any]:
    deleted_clause = OaRequest.deleted_at.is_not(None) if deleted else OaRequest.deleted_at.is_(None)
    return select(OaRequest).where(deleted_clause, visible_clause(scope))


def get(session: Session, scope: Scope, request_id: int, deleted: bool = False) -> OaRequest | None:
    return session.scalar(readable(scope, deleted).where(OaRequest.id == request_id))


def load(session: Session, request_id: int) -> OaRequest | None:
    """A live request by id for system code (the approval engine): no scope."""
    return session.scalar(select(OaRequest).where(OaRequest.id == request_id, OaRequest.deleted_at.is_(None)))


def filtered(scope: Scope, f: RequestFilters) -> Select[Any]:
    stmt = readable(scope)
    if f.mine:
        stmt = stmt.where(OaRequest.owner_id == scope.user_id)
    if f.status is not None:
        stmt = stmt.where(OaRequest.status == f.status)
    if f.type is not None:
        stmt = stmt.where(OaRequest.type_code == f.type)
    if f.q and f.q.strip():
        stmt = stmt.where(OaRequest.title.ilike(f"%{like_escape(f.q.strip())}%", escape="\\"))
    return stmt


def page(
    session: Session, scope: Scope, f: RequestFilters, page: int, size: int, sort: str | None
) -> tuple[list[OaRequest], int]:
    return paginate(session, apply_sort(filtered(scope, f), sort, SORTS, "-updated_at"), page, size)


def deleted_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[OaRequest], int]:
    stmt = readable(scope, deleted=True).order_by(OaRequest.deleted_at.desc(), OaRequest.id.desc())
    return paginate(session, stmt, page, size)


# --- types ---


def types(session: Session, active_only: bool = False) -> list[OaType]:
    stmt = select(OaType)
    if active_only:
        stmt = stmt.where(OaType.active.is_(True))
    return list(session.scalars(stmt.order_by(OaType.sort, OaType.id)))


def type_by_id(session: Session, type_id: int) -> OaType | None:
    return session.get(OaType, type_id)


def type_by_code(session: Session, code: str) -> OaType | None:
    return session.scalar(select(OaType).where(OaType.code == code))


def types_by_ids(session: Session, ids: set[int]) -> dict[int, OaType]:
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(OaType).where(OaType.id.in_(ids)))}


def used_type_ids(session: Session, ids: list[int] | None = None) -> set[int]:
    """Types that some request (live or in the recycle bin) uses."""
    stmt = select(OaRequest.type_id).distinct()
    if ids is not None:
        stmt = stmt.where(OaRequest.type_id.in_(ids))
    return set(session.scalars(stmt))
