"""All SQL of the contacts domain; every read starts from :func:`readable` (R10).

A contact is visible when its owner is in the caller's contacts data scope, or when its customer is
visible to the caller (owner scope, team member, pool). Contacts of a customer in the recycle bin are
hidden until the customer is restored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, case, false, or_, select
from sqlalchemy.orm import Session

from loam.authz.permissions import Module
from loam.authz.scope import Scope
from loam.contacts.models import Contact
from loam.contacts.schemas import ContactFilters
from loam.customers import service as customer_service
from loam.customers.models import Customer
from loam.kit.listing import apply_sort, paginate

ENTITY = "contact"
LEVEL_ORDER = case({"executive": 0, "middle": 1, "staff": 2}, value=Contact.level, else_=3)
SORTS = {
    "id": Contact.id,
    "name": Contact.name,
    "level": LEVEL_ORDER,
    "customer_id": Contact.customer_id,
    "updated_at": Contact.updated_at,
    "created_at": Contact.created_at,
}


def visible_clause(scope: Scope) -> Any:
    """Owner in the contacts data scope, or the contact's customer is visible (needs the join on Customer)."""
    if scope.is_system:
        return Contact.id.is_not(None)
    owners = scope.owners(Module.contacts)
    parts = [Contact.owner_id.is_not(None) if owners is None else Contact.owner_id.in_(owners)]
    parts.append(Contact.customer_id.in_(customer_service.visible_ids(scope)))
    return or_(*parts)


def readable(scope: Scope, deleted: bool = False) -> Select[Any]:
    if not scope.can("contacts.view"):
        return select(Contact).where(false())
    deleted_clause = Contact.deleted_at.is_not(None) if deleted else Contact.deleted_at.is_(None)
    return (
        select(Contact)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(deleted_clause, Customer.deleted_at.is_(None), visible_clause(scope))
    )


def get(session: Session, scope: Scope, contact_id: int, deleted: bool = False) -> Contact | None:
    return session.scalar(readable(scope, deleted).where(Contact.id == contact_id))


def filtered(scope: Scope, f: ContactFilters) -> Select[Any]:
    stmt = readable(scope)
    if f.q and f.q.strip():
        from loam.search import service as search_service  # name, phone (any format), e-mail; index-backed

        stmt = stmt.where(search_service.match_clause(ENTITY, f.q))
    if f.mine:
        stmt = stmt.where(Contact.owner_id == scope.user_id)
    for column, value in (
        (Contact.customer_id, f.customer_id),
        (Contact.level, f.level),
        (Contact.is_decision_maker, f.is_decision_maker),
        (Contact.owner_id, f.owner_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def page(
    session: Session, scope: Scope, f: ContactFilters, page: int, size: int, sort: str | None
) -> tuple[list[Contact], int]:
    stmt = apply_sort(filtered(scope, f), sort, SORTS, "-updated_at")
    return paginate(session, stmt, page, size)


def of_customer(session: Session, scope: Scope, customer_id: int) -> list[Contact]:
    stmt = readable(scope).where(Contact.customer_id == customer_id).order_by(LEVEL_ORDER, Contact.name, Contact.id)
    return list(session.scalars(stmt))


def live_of_customer(session: Session, customer_id: int) -> list[Contact]:
    """Every live contact of one customer (system use: the caller has already been authorised)."""
    stmt = select(Contact).where(Contact.customer_id == customer_id, Contact.deleted_at.is_(None))
    return list(session.scalars(stmt.order_by(Contact.id)))


def reporting_lines(session: Session, customer_id: int) -> dict[int, int | None]:
    """``{contact id: reports_to_id}`` of one customer's live contacts (for cycle checks)."""
    stmt = select(Contact.id, Contact.reports_to_id).where(
        Contact.customer_id == customer_id, Contact.deleted_at.is_(None)
    )
    return {row.id: row.reports_to_id for row in session.execute(stmt)}


def reporting_to(session: Session, contact_id: int) -> list[Contact]:
    return list(session.scalars(select(Contact).where(Contact.reports_to_id == contact_id)))


def names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {r.id: r.name for r in session.execute(select(Contact.id, Contact.name).where(Contact.id.in_(wanted)))}


def ids_of_customer(session: Session, customer_id: int, ids: Iterable[int]) -> set[int]:
    stmt = select(Contact.id).where(
        Contact.id.in_(set(ids)), Contact.customer_id == customer_id, Contact.deleted_at.is_(None)
    )
    return set(session.scalars(stmt))


def customer_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Names of the customers of contacts the caller already sees (a contact's customer is part of it)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(wanted)))
    return {r.id: r.name for r in rows}


def deleted_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[Contact], int]:
    stmt = readable(scope, deleted=True).order_by(Contact.deleted_at.desc(), Contact.id.desc())
    return paginate(session, stmt, page, size)


def delete_of_customer(session: Session, customer_id: int) -> int:
    """Hard-delete every contact of a customer (live or in the recycle bin), reporting lines first."""
    from sqlalchemy import delete, update

    ids = list(session.scalars(select(Contact.id).where(Contact.customer_id == customer_id)))
    if ids:
        session.execute(
            update(Contact)
            .where(Contact.reports_to_id.in_(ids))
            .values(reports_to_id=None)
            .execution_options(synchronize_session="fetch")
        )
        session.execute(delete(Contact).where(Contact.id.in_(ids)).execution_options(synchronize_session="fetch"))
    return len(ids)


def sorted_statement(session: Session, scope: Scope, f: ContactFilters, sort: str | None) -> Select[Any]:
    """The scoped, filtered and sorted statement behind a list page, without paging (exports stream it)."""
    return apply_sort(filtered(scope, f), sort, SORTS, "-updated_at")


# --- merge support (loam.merge): the caller has authorised every write ---


def visible_ids(scope: Scope) -> Select[Any]:
    """A sub-select of the ids of the live contacts the caller can see (same rule as :func:`readable`)."""
    if not scope.can("contacts.view"):
        return select(Contact.id).where(false())
    return (
        select(Contact.id)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.deleted_at.is_(None), Customer.deleted_at.is_(None), visible_clause(scope))
    )


def move_to_customer(session: Session, from_id: int, to_id: int, ids: Iterable[int] | None = None) -> list[int]:
    """Re-point the contacts (live or in the bin) of customer ``from_id`` — or only ``ids`` of them — to ``to_id``."""
    return _repoint(session, Contact.customer_id, from_id, to_id, ids)


def move_reports_to(session: Session, from_id: int, to_id: int, ids: Iterable[int] | None = None) -> list[int]:
    """Contacts reporting to ``from_id`` (or only ``ids`` of them) report to ``to_id`` instead (never to itself)."""
    return _repoint(session, Contact.reports_to_id, from_id, to_id, ids, Contact.id != to_id)


def _repoint(
    session: Session, column: Any, from_id: int, to_id: int, ids: Iterable[int] | None, *where: Any
) -> list[int]:
    """Set ``column`` from ``from_id`` to ``to_id`` on the matching contacts (bumping their version); → their ids."""
    from sqlalchemy import update

    stmt = select(Contact.id).where(column == from_id, *where)
    if ids is not None:
        stmt = stmt.where(Contact.id.in_(list(ids)))
    moved = sorted(session.scalars(stmt))
    if moved:
        session.execute(
            update(Contact)
            .where(Contact.id.in_(moved))
            .values({column.key: to_id, "version": Contact.version + 1})
            .execution_options(synchronize_session="fetch")
        )
    return moved
