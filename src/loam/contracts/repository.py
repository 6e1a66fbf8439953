"""All SQL of the contracts domain; every read of a contract starts from :func:`readable` (R10)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, delete, false, func, or_, select, true
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.models import RecordMember
from loam.authz.permissions import Module
from loam.authz.scope import Scope
from loam.contracts.models import Contract, ContractTemplate, PrintRecord
from loam.contracts.schemas import ContractFilters
from loam.kit import customfields
from loam.kit.listing import apply_sort, like_escape, paginate

ENTITY = "contract"
SORTS = {
    "id": Contract.id,
    "number": Contract.number,
    "name": Contract.name,
    "amount": Contract.amount,
    "signed_on": Contract.signed_on,
    "end_on": Contract.end_on,
    "status": Contract.status,
    "created_at": Contract.created_at,
    "updated_at": Contract.updated_at,
}


def visible_clause(scope: Scope) -> Any:
    """Owner in the caller's data scope (Module.contracts), or the caller is a current team member."""
    owners = scope.owners(Module.contracts)
    if owners is None:
        return true()
    return or_(Contract.owner_id.in_(owners), Contract.id.in_(authz_service.member_record_ids(scope, ENTITY)))


def readable(scope: Scope, deleted: bool = False) -> Select[Any]:
    if not scope.can("contracts.view"):
        return select(Contract).where(false())
    deleted_clause = Contract.deleted_at.is_not(None) if deleted else Contract.deleted_at.is_(None)
    return select(Contract).where(deleted_clause, visible_clause(scope))


def visible_ids(scope: Scope) -> Select[Any]:
    if not scope.can("contracts.view"):
        return select(Contract.id).where(false())
    return select(Contract.id).where(Contract.deleted_at.is_(None), visible_clause(scope))


def get(session: Session, scope: Scope, contract_id: int, deleted: bool = False) -> Contract | None:
    return session.scalar(readable(scope, deleted).where(Contract.id == contract_id))


def move_customer(session: Session, from_id: int, to_id: int, ids: list[int] | None) -> list[int]:
    """Re-point the contracts (live or deleted) of customer ``from_id`` (or only ``ids`` of them) to ``to_id``."""
    from sqlalchemy import update

    stmt = select(Contract.id).where(Contract.customer_id == from_id)
    if ids is not None:
        stmt = stmt.where(Contract.id.in_(ids))
    moved = sorted(session.scalars(stmt))
    if moved:
        session.execute(
            update(Contract)
            .where(Contract.id.in_(moved))
            .values(customer_id=to_id, version=Contract.version + 1)
            .execution_options(synchronize_session="fetch")
        )
    return moved


def count_of_customer(session: Session, customer_id: int) -> int:
    """Contracts of a customer, live or in the recycle bin (no scope: a guard for purging the customer)."""
    return int(
        session.scalar(select(func.count()).select_from(Contract).where(Contract.customer_id == customer_id)) or 0
    )


def load(session: Session, contract_id: int) -> Contract | None:
    """A live contract by id for system code (approvals engine, jobs): no scope."""
    return session.scalar(select(Contract).where(Contract.id == contract_id, Contract.deleted_at.is_(None)))


def filtered(session: Session, scope: Scope, f: ContractFilters, today: date) -> Select[Any]:
    stmt = readable(scope)
    if f.q and f.q.strip():
        pattern = f"%{like_escape(f.q.strip())}%"
        stmt = stmt.where(or_(Contract.number.ilike(pattern, escape="\\"), Contract.name.ilike(pattern, escape="\\")))
    if f.mine:
        stmt = stmt.where(Contract.owner_id == scope.user_id)
    for column, value in (
        (Contract.status, f.status),
        (Contract.type, f.type),
        (Contract.customer_id, f.customer_id),
        (Contract.opportunity_id, f.opportunity_id),
        (Contract.owner_id, f.owner_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.signed_from is not None:
        stmt = stmt.where(Contract.signed_on >= f.signed_from)
    if f.signed_to is not None:
        stmt = stmt.where(Contract.signed_on <= f.signed_to)
    if f.expiring_within is not None:
        stmt = stmt.where(*expiring_clause(today, f.expiring_within))
    if f.custom:
        fields = {d.key: d for d in customfields.definitions(session, ENTITY)}
        for key, value in f.custom.items():
            if key in fields and value not in (None, ""):
                stmt = stmt.where(customfields.filter_clause(Contract, fields[key], value))
    return stmt


def visible_expiring(session: Session, scope: Scope, today: date, days: int, limit: int) -> list[Contract]:
    """The caller's visible approved contracts ending within ``days`` of ``today``, soonest first."""
    stmt = readable(scope).where(*expiring_clause(today, days))
    return list(session.scalars(stmt.order_by(Contract.end_on, Contract.id).limit(limit)))


def expiring_clause(today: date, days: int) -> tuple[Any, ...]:
    """Approved contracts whose end date falls within ``days`` from ``today`` (inclusive)."""
    from datetime import timedelta

    return (Contract.status == "approved", Contract.end_on >= today, Contract.end_on <= today + timedelta(days=days))


def page(
    session: Session, scope: Scope, f: ContractFilters, today: date, page: int, size: int, sort: str | None
) -> tuple[list[Contract], int]:
    stmt = apply_sort(filtered(session, scope, f, today), sort, SORTS, "-updated_at")
    return paginate(session, stmt, page, size)


def sorted_statement(session: Session, scope: Scope, f: ContractFilters, today: date, sort: str | None) -> Any:
    return apply_sort(filtered(session, scope, f, today), sort, SORTS, "-updated_at")


def of_customer(session: Session, scope: Scope, customer_id: int, limit: int = 100) -> list[Contract]:
    stmt = readable(scope).where(Contract.customer_id == customer_id)
    return list(session.scalars(stmt.order_by(Contract.id.desc()).limit(limit)))


def number_taken(session: Session, number: str) -> bool:
    return session.scalar(select(Contract.id).where(Contract.number == number).limit(1)) is not None


def deleted_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[Contract], int]:
    stmt = readable(scope, deleted=True).order_by(Contract.deleted_at.desc(), Contract.id.desc())
    return paginate(session, stmt, page, size)


def expiring(session: Session, today: date, days: int, after_id: int, limit: int) -> list[Contract]:
    """A batch (by id) of live approved contracts ending within ``days`` (for the reminder job)."""
    stmt = select(Contract).where(Contract.deleted_at.is_(None), Contract.id > after_id, *expiring_clause(today, days))
    return list(session.scalars(stmt.order_by(Contract.id).limit(limit)))


def count_expiring(session: Session, scope: Scope, today: date, days: int) -> int:
    inner = readable(scope).where(*expiring_clause(today, days)).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


# --- team members (协作人) ---


def members(session: Session, contract_id: int) -> list[RecordMember]:
    stmt = select(RecordMember).where(RecordMember.entity == ENTITY, RecordMember.record_id == contract_id)
    return list(session.scalars(stmt.order_by(RecordMember.id)))


def member(session: Session, contract_id: int, user_id: int) -> RecordMember | None:
    return session.scalar(
        select(RecordMember).where(
            RecordMember.entity == ENTITY, RecordMember.record_id == contract_id, RecordMember.user_id == user_id
        )
    )


def delete_member(session: Session, contract_id: int, user_id: int) -> bool:
    result = session.execute(
        delete(RecordMember).where(
            RecordMember.entity == ENTITY, RecordMember.record_id == contract_id, RecordMember.user_id == user_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def delete_members(session: Session, contract_id: int) -> None:
    session.execute(delete(RecordMember).where(RecordMember.entity == ENTITY, RecordMember.record_id == contract_id))


# --- templates and print history ---


def templates(session: Session, kind: str | None, active_only: bool) -> list[ContractTemplate]:
    stmt = select(ContractTemplate)
    if kind is not None:
        stmt = stmt.where(ContractTemplate.kind == kind)
    if active_only:
        stmt = stmt.where(ContractTemplate.active.is_(True))
    return list(session.scalars(stmt.order_by(ContractTemplate.kind, ContractTemplate.name, ContractTemplate.id)))


def template(session: Session, template_id: int) -> ContractTemplate | None:
    return session.get(ContractTemplate, template_id)


def prints(session: Session, entity: str, record_id: int, limit: int = 100) -> list[PrintRecord]:
    stmt = select(PrintRecord).where(PrintRecord.entity == entity, PrintRecord.record_id == record_id)
    return list(session.scalars(stmt.order_by(PrintRecord.id.desc()).limit(limit)))


def delete_prints(session: Session, entity: str, record_id: int) -> None:
    session.execute(delete(PrintRecord).where(PrintRecord.entity == entity, PrintRecord.record_id == record_id))


def customer_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Names of the customers of contracts the caller already sees (list columns)."""
    from loam.customers.models import Customer

    if not ids:
        return {}
    return {int(i): str(n) for i, n in session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))}
