"""All SQL of the customers domain; every read starts from :func:`readable` (R10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select, true
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.models import RecordMember
from loam.authz.permissions import Module
from loam.authz.scope import Scope
from loam.customers.models import Customer
from loam.customers.schemas import CustomerFilters
from loam.kit import customfields
from loam.kit.listing import apply_sort, paginate

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
    if owners is None:  # 全部: every customer, including those in pools the caller is not a member of
        return true()
    parts.append(Customer.owner_id.in_(owners))
    if scope.pool_ids:
        parts.append(and_(Customer.owner_id.is_(None), Customer.pool_id.in_(scope.pool_ids)))
    return or_(*parts)


def readable(scope: Scope, deleted: bool = False) -> Select[tuple[Customer]]:
    if not scope.can("customers.view"):
        return select(Customer).where(false())
    deleted_clause = Customer.deleted_at.is_not(None) if deleted else Customer.deleted_at.is_(None)
    return select(Customer).where(deleted_clause, visible_clause(scope))


def visible_ids(scope: Scope) -> Select[tuple[int]]:
    if not scope.can("customers.view"):
        return select(Customer.id).where(false())
    return select(Customer.id).where(Customer.deleted_at.is_(None), visible_clause(scope))


def get(session: Session, scope: Scope, customer_id: int, deleted: bool = False) -> Customer | None:
    return session.scalar(readable(scope, deleted).where(Customer.id == customer_id))


def filtered(session: Session, scope: Scope, f: CustomerFilters) -> Select[tuple[Customer]]:
    stmt = readable(scope)
    if f.q and f.q.strip():
        from loam.search import service as search_service  # name, phone (any format), e-mail; index-backed

        stmt = stmt.where(search_service.match_clause(ENTITY, f.q))
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


def _due(scope: Scope, until: datetime) -> Any:
    return readable(scope).where(
        Customer.owner_id == scope.user_id, Customer.next_contact_at.is_not(None), Customer.next_contact_at <= until
    )


def count_contact_due(session: Session, scope: Scope, until: datetime) -> int:
    return int(session.scalar(select(func.count()).select_from(_due(scope, until).subquery())) or 0)


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


# --- pool support ---
# SQL on customers needed by the public pools (loam.pools); callers have already authorised the pool.

POOL_SORTS = {**SORTS, "released_at": Customer.released_at}


def pool_page(
    session: Session, pool_id: int, f: CustomerFilters, page: int, size: int, sort: str | None
) -> tuple[list[Customer], int]:
    """Unowned live customers of one pool, with the shared customer filters (owner filters make no sense here)."""
    f = f.model_copy(update={"mine": False, "owner_id": None})
    stmt = filtered(session, Scope.system(), f).where(Customer.owner_id.is_(None), Customer.pool_id == pool_id)
    return paginate(session, apply_sort(stmt, sort, POOL_SORTS, "-released_at"), page, size)


def count_in_pools(session: Session, pool_ids: list[int]) -> dict[int, int]:
    stmt = (
        select(Customer.pool_id, func.count())
        .where(Customer.pool_id.in_(pool_ids), Customer.owner_id.is_(None), Customer.deleted_at.is_(None))
        .group_by(Customer.pool_id)
    )
    return {int(pid): int(n) for pid, n in session.execute(stmt)}


def count_owned_by(session: Session, user_id: int) -> int:
    stmt = select(func.count()).select_from(Customer).where(Customer.owner_id == user_id, Customer.deleted_at.is_(None))
    return int(session.scalar(stmt) or 0)


def owner_ids(session: Session) -> list[int]:
    """Every user who owns at least one live customer."""
    stmt = select(Customer.owner_id).where(Customer.owner_id.is_not(None), Customer.deleted_at.is_(None)).distinct()
    return [int(i) for i in session.scalars(stmt)]


def rule_candidates(
    session: Session, owners: list[int], cutoff: datetime, exempt_closed: bool, after_id: int, limit: int
) -> list[Customer]:
    """Owned, unlocked live customers of ``owners`` held since ``cutoff`` or earlier, by id after ``after_id``."""
    stmt = select(Customer).where(
        Customer.owner_id.in_(owners),
        Customer.deleted_at.is_(None),
        Customer.locked.is_(False),
        Customer.id > after_id,
        or_(Customer.owner_since.is_(None), Customer.owner_since <= cutoff),
    )
    if exempt_closed:
        stmt = stmt.where(Customer.deal_status != "closed")
    return list(session.scalars(stmt.order_by(Customer.id).limit(limit)))


def take_from_pool(
    session: Session, customer_id: int, pool_id: int, owner_id: int, department_id: int | None, now: datetime
) -> int:
    """The atomic claim: one UPDATE that only matches while the customer is still unowned in ``pool_id``.

    Returns the row count: 1 for the single winner, 0 when someone else got there first.
    """
    stmt = (
        sql_update(Customer)
        .where(
            Customer.id == customer_id,
            Customer.owner_id.is_(None),
            Customer.pool_id == pool_id,
            Customer.deleted_at.is_(None),
        )
        .values(
            owner_id=owner_id,
            department_id=department_id,
            pool_id=None,
            owner_since=now,
            updated_at=now,
            version=Customer.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def delete_members(session: Session, customer_id: int) -> None:
    from sqlalchemy import delete

    session.execute(delete(RecordMember).where(RecordMember.entity == ENTITY, RecordMember.record_id == customer_id))


def members(session: Session, customer_id: int) -> list[RecordMember]:
    stmt = select(RecordMember).where(RecordMember.entity == ENTITY, RecordMember.record_id == customer_id)
    return list(session.scalars(stmt.order_by(RecordMember.id)))


def member(session: Session, customer_id: int, user_id: int) -> RecordMember | None:
    return session.scalar(
        select(RecordMember).where(
            RecordMember.entity == ENTITY, RecordMember.record_id == customer_id, RecordMember.user_id == user_id
        )
    )


def delete_member(session: Session, customer_id: int, user_id: int) -> bool:
    from sqlalchemy import delete

    result = session.execute(
        delete(RecordMember).where(
            RecordMember.entity == ENTITY, RecordMember.record_id == customer_id, RecordMember.user_id == user_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def delete_member_rows(session: Session, customer_id: int, member_ids: list[int]) -> int:
    from sqlalchemy import delete

    result = session.execute(
        delete(RecordMember).where(
            RecordMember.entity == ENTITY, RecordMember.record_id == customer_id, RecordMember.id.in_(member_ids)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def note_followup(session: Session, customer_id: int, occurred_at: datetime, next_contact_at: datetime | None) -> None:
    """Move last_followup_at forward (never back) and set next_contact_at; bumps version (optimistic locking)."""
    from sqlalchemy import case, literal, update

    at = literal(occurred_at, Customer.__table__.c.last_followup_at.type)
    values: dict[str, Any] = {
        "last_followup_at": case(
            (Customer.last_followup_at.is_(None) | (Customer.last_followup_at < at), at),
            else_=Customer.last_followup_at,
        ),
        "version": Customer.version + 1,
    }
    if next_contact_at is not None:
        values["next_contact_at"] = next_contact_at
    session.execute(
        update(Customer)
        .where(Customer.id == customer_id)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )


def set_last_followup(session: Session, customer_id: int, at: datetime | None) -> None:
    from sqlalchemy import update

    session.execute(
        update(Customer)
        .where(Customer.id == customer_id)
        .values(last_followup_at=at, version=Customer.version + 1)
        .execution_options(synchronize_session="fetch")
    )


def sorted_statement(session: Session, scope: Scope, f: CustomerFilters, sort: str | None) -> Select[Any]:
    """The scoped, filtered and sorted statement behind a list page, without paging (exports stream it)."""
    return apply_sort(filtered(session, scope, f), sort, SORTS, "-updated_at")


# --- import support ---
# Bulk SQL for loam.imports (through loam.customers.service); the importer has authorised every row.


def dedup_rows(session: Session) -> Any:
    """(id, name_norm, phone_norm, email, owner_id) of every live customer, streamed."""
    stmt = select(Customer.id, Customer.name_norm, Customer.phone_norm, Customer.email, Customer.owner_id).where(
        Customer.deleted_at.is_(None)
    )
    return session.execute(stmt.execution_options(yield_per=50_000))


def by_ids(session: Session, ids: list[int]) -> list[Customer]:
    return list(session.scalars(select(Customer).where(Customer.id.in_(ids), Customer.deleted_at.is_(None))))


def name_keys(session: Session, scope: Scope) -> Any:
    """(id, name_norm) of the live customers the caller can see, streamed (contacts' customer column)."""
    stmt = select(Customer.id, Customer.name_norm).where(Customer.deleted_at.is_(None), visible_clause(scope))
    return session.execute(stmt.execution_options(yield_per=50_000))


def new_ids(session: Session, n: int) -> list[int]:
    from loam.kit import bulk

    return bulk.allocate_ids(session, Customer.__table__, n)  # type: ignore[arg-type]


def bulk_insert(session: Session, rows: list[dict[str, Any]], constants: dict[str, Any], ids: list[int]) -> None:
    from loam.kit import bulk

    bulk.insert_dicts(session, Customer.__table__, rows, constants, ids)  # type: ignore[arg-type]


def suspend_indexes(session: Session) -> list[str]:
    from loam.kit import bulk

    return bulk.suspend_indexes(session, Customer.__table__)  # type: ignore[arg-type]


def analyze(session: Session) -> None:
    from loam.kit import bulk

    bulk.analyze(session, Customer.__table__)  # type: ignore[arg-type]


def bulk_update(session: Session, names: list[str], rows: list[dict[str, Any]]) -> None:
    from loam.kit import bulk

    bulk.update_many(session, Customer.__table__, names, rows)  # type: ignore[arg-type]
