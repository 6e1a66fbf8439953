"""All SQL of the leads domain; every read starts from :func:`readable` (R10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, func, select, true
from sqlalchemy.orm import Session

from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.kit import customfields
from loam.kit.listing import apply_sort, paginate
from loam.leads.models import Lead
from loam.leads.schemas import LeadFilters

ENTITY = "lead"
SORTS = {
    "id": Lead.id,
    "name": Lead.name,
    "company": Lead.company,
    "grade": Lead.grade,
    "status": Lead.status,
    "updated_at": Lead.updated_at,
    "created_at": Lead.created_at,
    "next_contact_at": Lead.next_contact_at,
    "last_followup_at": Lead.last_followup_at,
}


def visible_clause(scope: Scope) -> Any:
    """Owner in the caller's data scope for leads (no team members, no pools for leads)."""
    owners = scope.owners(Module.leads)
    return true() if owners is None else Lead.owner_id.in_(owners)


def visible_ids(scope: Scope) -> Select[Any]:
    if not scope.can(Permission.leads_view):
        return select(Lead.id).where(false())
    return select(Lead.id).where(Lead.deleted_at.is_(None), visible_clause(scope))


def readable(scope: Scope, deleted: bool = False) -> Select[Any]:
    if not scope.can(Permission.leads_view):
        return select(Lead).where(false())
    deleted_clause = Lead.deleted_at.is_not(None) if deleted else Lead.deleted_at.is_(None)
    return select(Lead).where(deleted_clause, visible_clause(scope))


def get(session: Session, scope: Scope, lead_id: int, deleted: bool = False) -> Lead | None:
    return session.scalar(readable(scope, deleted).where(Lead.id == lead_id))


def _search(q: str) -> Any:
    """Name, company, phone (as typed, or its digits / E.164 form) or e-mail contains ``q``; index-backed."""
    from loam.search import service as search_service

    return search_service.match_clause(ENTITY, q)


def filtered(session: Session, scope: Scope, f: LeadFilters, due_until: datetime | None = None) -> Select[Any]:
    """The scoped statement with the filters applied; ``due_until`` is the end of today for ``due_today``."""
    stmt = readable(scope)
    if f.q and f.q.strip():
        stmt = stmt.where(_search(f.q))
    if f.mine:
        stmt = stmt.where(Lead.owner_id == scope.user_id)
    for column, value in ((Lead.owner_id, f.owner_id), (Lead.grade, f.grade), (Lead.source, f.source)):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.status is not None:
        stmt = stmt.where(Lead.status == f.status)
    if f.due_today and due_until is not None:
        stmt = stmt.where(Lead.status == "open", Lead.next_contact_at.is_not(None), Lead.next_contact_at <= due_until)
    if f.custom:
        fields = {d.key: d for d in customfields.definitions(session, ENTITY)}
        for key, raw in f.custom.items():
            if key in fields and raw not in (None, ""):
                stmt = stmt.where(customfields.filter_clause(Lead, fields[key], raw))
    return stmt


def page(
    session: Session,
    scope: Scope,
    f: LeadFilters,
    page: int,
    size: int,
    sort: str | None,
    due_until: datetime | None = None,
) -> tuple[list[Lead], int]:
    stmt = apply_sort(filtered(session, scope, f, due_until), sort, SORTS, "-updated_at")
    return paginate(session, stmt, page, size)


def _own_due(scope: Scope, until: datetime) -> Select[Any]:
    return readable(scope).where(
        Lead.owner_id == scope.user_id,
        Lead.status == "open",
        Lead.next_contact_at.is_not(None),
        Lead.next_contact_at <= until,
    )


def own_due(session: Session, scope: Scope, until: datetime, limit: int) -> list[Lead]:
    stmt = _own_due(scope, until).order_by(Lead.next_contact_at, Lead.id).limit(limit)
    return list(session.scalars(stmt))


def count_own_due(session: Session, scope: Scope, until: datetime) -> int:
    stmt = select(func.count()).select_from(_own_due(scope, until).subquery())
    return int(session.scalar(stmt) or 0)


def deleted_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[Lead], int]:
    stmt = readable(scope, deleted=True).order_by(Lead.deleted_at.desc(), Lead.id.desc())
    return paginate(session, stmt, page, size)


def detach_customer(session: Session, customer_id: int) -> int:
    """Converted leads forget a customer that is purged (the lead keeps its own data)."""
    from sqlalchemy import update

    result = session.execute(
        update(Lead)
        .where(Lead.converted_customer_id == customer_id)
        .values(converted_customer_id=None)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def move_converted(session: Session, from_id: int, to_id: int, ids: list[int] | None) -> list[int]:
    """Re-point leads converted into customer ``from_id`` (or only ``ids`` of them) to customer ``to_id``."""
    from sqlalchemy import update

    stmt = select(Lead.id).where(Lead.converted_customer_id == from_id)
    if ids is not None:
        stmt = stmt.where(Lead.id.in_(ids))
    moved = sorted(session.scalars(stmt))
    if moved:
        session.execute(
            update(Lead)
            .where(Lead.id.in_(moved))
            .values(converted_customer_id=to_id)
            .execution_options(synchronize_session="fetch")
        )
    return moved


def set_last_followup(session: Session, lead_id: int, at: datetime | None) -> None:
    from sqlalchemy import update

    session.execute(
        update(Lead)
        .where(Lead.id == lead_id)
        .values(last_followup_at=at, version=Lead.version + 1)
        .execution_options(synchronize_session="fetch")
    )


def note_followup(session: Session, lead_id: int, occurred_at: datetime, next_contact_at: datetime | None) -> None:
    """Move last_followup_at forward (never back), set next_contact_at when given, bump version."""
    from sqlalchemy import case, literal, update

    at = literal(occurred_at, Lead.__table__.c.last_followup_at.type)
    values: dict[str, Any] = {
        "last_followup_at": case(
            (Lead.last_followup_at.is_(None) | (Lead.last_followup_at < at), at), else_=Lead.last_followup_at
        ),
        "version": Lead.version + 1,
    }
    if next_contact_at is not None:
        values["next_contact_at"] = next_contact_at
    session.execute(
        update(Lead).where(Lead.id == lead_id).values(**values).execution_options(synchronize_session="fetch")
    )


def sorted_statement(
    session: Session, scope: Scope, f: LeadFilters, sort: str | None, due_until: datetime | None = None
) -> Select[Any]:
    """The scoped, filtered and sorted statement behind a list page, without paging (exports stream it)."""
    return apply_sort(filtered(session, scope, f, due_until), sort, SORTS, "-updated_at")
