"""All SQL of the customers domain; every read starts from :func:`readable` (R10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Module
from loam.authz.scope import Scope
from loam.customers.models import Customer
from loam.customers.schemas import CustomerFilters
from loam.kit import customfields
from loam.kit.listing import apply_sort, like_escape, paginate

ENTITY = "customer"
SORTS = {
    "id": Customer.id,
    "name": Customer.name,
    "updated_at": Customer.updated_at,
    "created_at": Customer.created_at,
    "last_followup_at": Customer.last_followup_at,
    "next_contact_at": Customer.next_contact_at,
    "level": Customer.level,
    "tier": Customer.tier,
}


def visible_clause(scope: Scope) -> Any:
    """Owner in the caller's data scope, or the caller is a team member, or a pool the caller belongs to."""
    if scope.is_system:
        return Customer.id.is_not(None)
    owners = scope.owners(Module.customers)
    parts = [Customer.id.in_(authz_service.member_record_ids(scope, ENTITY))]
    parts.append(Customer.owner_id.is_not(None) if owners is None else Customer.owner_id.in_(owners))
    if scope.pool_ids:
        parts.append(and_(Customer.owner_id.is_(None), Customer.pool_id.in_(scope.pool_ids)))
    return or_(*parts)


def readable(scope: Scope, deleted: bool = False) -> Select[tuple[Customer]]:
    if not scope.can("customers.view"):
        return select(Customer).where(false())
    deleted_clause = Customer.deleted_at.is_not(None) if deleted else Customer.deleted_at.is_(None)
    return select(Customer).where(deleted_clause, visible_clause(scope))


def get(session: Session, scope: Scope, customer_id: int, deleted: bool = False) -> Customer | None:
    return session.scalar(readable(scope, deleted).where(Customer.id == customer_id))


def filtered(session: Session, scope: Scope, f: CustomerFilters) -> Select[tuple[Customer]]:
    stmt = readable(scope)
    if f.q:
        q = f"%{like_escape(f.q.strip())}%"
        stmt = stmt.where(or_(Customer.name.ilike(q, escape="\\"), Customer.phone.ilike(q, escape="\\")))
    if f.mine:
        stmt = stmt.where(Customer.owner_id == scope.user_id)
    for column, value in (
        (Customer.owner_id, f.owner_id),
        (Customer.level, f.level),
        (Customer.tier, f.tier),
        (Customer.industry, f.industry),
        (Customer.source, f.source),
        (Customer.deal_status, f.deal_status),
        (Customer.locked, f.locked),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.custom:
        fields = {d.key: d for d in customfields.definitions(session, ENTITY)}
        for key, value in f.custom.items():
            if key in fields and value not in (None, ""):
                stmt = stmt.where(customfields.filter_clause(Customer, fields[key], value))
    return stmt


def page(
    session: Session, scope: Scope, f: CustomerFilters, page: int, size: int, sort: str | None
) -> tuple[list[Customer], int]:
    stmt = apply_sort(filtered(session, scope, f), sort, SORTS, "-updated_at")
    return paginate(session, stmt, page, size)


def by_name_norm(session: Session, name_norm: str, exclude_id: int | None = None) -> list[Customer]:
    stmt = select(Customer).where(Customer.name_norm == name_norm, Customer.deleted_at.is_(None))
    if exclude_id:
        stmt = stmt.where(Customer.id != exclude_id)
    return list(session.scalars(stmt.limit(5)))


def count_owned(session: Session, scope: Scope) -> int:
    stmt = (
        select(func.count())
        .select_from(Customer)
        .where(Customer.owner_id == scope.user_id, Customer.deleted_at.is_(None))
    )
    return int(session.scalar(stmt) or 0)


def contact_due(session: Session, scope: Scope, until: datetime, limit: int) -> list[Customer]:
    stmt = (
        readable(scope)
        .where(
            Customer.owner_id == scope.user_id,
            Customer.next_contact_at.is_not(None),
            Customer.next_contact_at <= until,
        )
        .order_by(Customer.next_contact_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def deleted_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[Customer], int]:
    stmt = readable(scope, deleted=True).order_by(Customer.deleted_at.desc(), Customer.id.desc())
    return paginate(session, stmt, page, size)
