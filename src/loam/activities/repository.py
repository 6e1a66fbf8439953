"""All SQL of the follow-ups domain; every read starts from :func:`readable` (R10).

A follow-up is visible when its customer is visible to the caller (owner scope, team member, pool) or
its lead is (the leads domain's own visibility clause). Participants and contacts involved live in
association tables and are loaded with one query per list (no lazy loads).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, false, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from loam.activities.models import FollowUp, followup_contacts, followup_participants
from loam.activities.schemas import FollowUpFilters
from loam.authz.scope import Scope
from loam.config import settings
from loam.customers import service as customer_service
from loam.customers.models import Customer
from loam.kit.listing import apply_sort, like_escape, paginate
from loam.leads import service as lead_service
from loam.leads.models import Lead

ENTITY = "followup"
SORTS = {
    "id": FollowUp.id,
    "occurred_at": FollowUp.occurred_at,
    "created_at": FollowUp.created_at,
    "next_contact_at": FollowUp.next_contact_at,
}


def visible_clause(scope: Scope) -> Any:
    """Visible when its customer or its lead is (each domain says which of its records the caller sees)."""
    return or_(
        FollowUp.customer_id.in_(customer_service.visible_ids(scope)),
        FollowUp.lead_id.in_(lead_service.visible_ids(scope)),
    )


def readable(scope: Scope, deleted: bool = False) -> Select[Any]:
    if not scope.can("followups.view"):
        return select(FollowUp).where(false())
    deleted_clause = FollowUp.deleted_at.is_not(None) if deleted else FollowUp.deleted_at.is_(None)
    return select(FollowUp).where(deleted_clause, visible_clause(scope))


def get(session: Session, scope: Scope, followup_id: int) -> FollowUp | None:
    return session.scalar(readable(scope).where(FollowUp.id == followup_id))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.timezone))


def filtered(scope: Scope, f: FollowUpFilters) -> Select[Any]:
    stmt = readable(scope)
    for column, value in (
        (FollowUp.customer_id, f.customer_id),
        (FollowUp.lead_id, f.lead_id),
        (FollowUp.kind, f.kind),
        (FollowUp.created_by, f.created_by),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.mine:
        joined = select(followup_participants.c.followup_id).where(followup_participants.c.user_id == scope.user_id)
        stmt = stmt.where(or_(FollowUp.created_by == scope.user_id, FollowUp.id.in_(joined)))
    if f.date_from:
        stmt = stmt.where(FollowUp.occurred_at >= _local_midnight(f.date_from))
    if f.date_to:
        stmt = stmt.where(FollowUp.occurred_at < _local_midnight(f.date_to + timedelta(days=1)))
    if f.q:
        stmt = stmt.where(FollowUp.content.ilike(f"%{like_escape(f.q.strip())}%", escape="\\"))
    return stmt


def page(
    session: Session, scope: Scope, f: FollowUpFilters, page: int, size: int, sort: str | None
) -> tuple[list[FollowUp], int]:
    stmt = apply_sort(filtered(scope, f), sort, SORTS, "-occurred_at")
    return paginate(session, stmt, page, size)


def timeline(
    session: Session, scope: Scope, customer_id: int | None, lead_id: int | None, limit: int
) -> list[FollowUp]:
    stmt = readable(scope)
    stmt = stmt.where(FollowUp.customer_id == customer_id) if customer_id else stmt.where(FollowUp.lead_id == lead_id)
    return list(session.scalars(stmt.order_by(FollowUp.occurred_at.desc(), FollowUp.id.desc()).limit(limit)))


def for_contact(session: Session, scope: Scope, contact_id: int, limit: int) -> list[FollowUp]:
    involved = select(followup_contacts.c.followup_id).where(followup_contacts.c.contact_id == contact_id)
    stmt = readable(scope).where(FollowUp.id.in_(involved))
    return list(session.scalars(stmt.order_by(FollowUp.occurred_at.desc(), FollowUp.id.desc()).limit(limit)))


def links(session: Session, ids: Sequence[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """``({followup id: [user ids]}, {followup id: [contact ids]})`` for the given follow-ups."""
    users: dict[int, list[int]] = defaultdict(list)
    contacts: dict[int, list[int]] = defaultdict(list)
    if ids:
        p, c = followup_participants.c, followup_contacts.c
        for fid, uid in session.execute(select(p.followup_id, p.user_id).where(p.followup_id.in_(ids))):
            users[fid].append(uid)
        for fid, cid in session.execute(select(c.followup_id, c.contact_id).where(c.followup_id.in_(ids))):
            contacts[fid].append(cid)
    return users, contacts


def set_links(session: Session, followup_id: int, user_ids: Iterable[int], contact_ids: Iterable[int]) -> None:
    """Replace the participants and contacts of one follow-up."""
    session.execute(delete(followup_participants).where(followup_participants.c.followup_id == followup_id))
    session.execute(delete(followup_contacts).where(followup_contacts.c.followup_id == followup_id))
    users = [{"followup_id": followup_id, "user_id": u} for u in sorted(set(user_ids))]
    contacts = [{"followup_id": followup_id, "contact_id": c} for c in sorted(set(contact_ids))]
    if users:
        session.execute(insert(followup_participants), users)
    if contacts:
        session.execute(insert(followup_contacts), contacts)


def target_names(session: Session, items: Sequence[FollowUp]) -> tuple[dict[int, str], dict[int, str]]:
    """Names of the customers and leads of follow-ups the caller already sees."""
    cids = {f.customer_id for f in items if f.customer_id}
    lids = {f.lead_id for f in items if f.lead_id}
    customers: dict[int, str] = {}
    leads: dict[int, str] = {}
    if cids:
        customers = {
            r.id: r.name for r in session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(cids)))
        }
    if lids:
        rows = session.execute(select(Lead.id, Lead.name, Lead.company).where(Lead.id.in_(lids)))
        leads = {r.id: " · ".join(x for x in (r.name, r.company) if x) for r in rows}
    return customers, leads


def latest(session: Session, column: str, target_id: int) -> datetime | None:
    """The latest live follow-up time of the customer or lead ``target_id`` (``column`` "customer_id" | "lead_id")."""
    col = getattr(FollowUp, column)
    return session.scalar(select(func.max(FollowUp.occurred_at)).where(col == target_id, FollowUp.deleted_at.is_(None)))


def move_lead(session: Session, lead_id: int, customer_id: int) -> tuple[int, datetime | None]:
    """Re-point a lead's follow-ups to a customer; returns (count, latest live occurred_at)."""
    latest = session.scalar(
        select(func.max(FollowUp.occurred_at)).where(FollowUp.lead_id == lead_id, FollowUp.deleted_at.is_(None))
    )
    result = session.execute(
        update(FollowUp)
        .where(FollowUp.lead_id == lead_id)
        .values(customer_id=customer_id, lead_id=None, version=FollowUp.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0), latest  # type: ignore[attr-defined]


def _due(scope: Scope, until: datetime) -> Select[Any]:
    """The caller's own follow-ups with a planned next contact by ``until`` not yet followed by a later one."""
    later = aliased(FollowUp)
    superseded = (
        select(later.id)
        .where(
            later.deleted_at.is_(None),
            later.occurred_at > FollowUp.occurred_at,
            or_(later.customer_id == FollowUp.customer_id, later.lead_id == FollowUp.lead_id),
        )
        .exists()
    )
    return readable(scope).where(
        FollowUp.created_by == scope.user_id,
        FollowUp.next_contact_at.is_not(None),
        FollowUp.next_contact_at <= until,
        ~superseded,
    )


def due(session: Session, scope: Scope, until: datetime, limit: int) -> list[FollowUp]:
    stmt = _due(scope, until).order_by(FollowUp.next_contact_at, FollowUp.id).limit(limit)
    return list(session.scalars(stmt))


def count_due(session: Session, scope: Scope, until: datetime) -> int:
    stmt = select(func.count()).select_from(_due(scope, until).subquery())
    return int(session.scalar(stmt) or 0)


def delete_for(session: Session, customer_id: int | None = None, lead_id: int | None = None) -> int:
    """Hard-delete every follow-up of a customer or a lead (their link rows go with them)."""
    where = FollowUp.customer_id == customer_id if customer_id is not None else FollowUp.lead_id == lead_id
    ids = list(session.scalars(select(FollowUp.id).where(where)))
    if ids:
        session.execute(delete(followup_participants).where(followup_participants.c.followup_id.in_(ids)))
        session.execute(delete(followup_contacts).where(followup_contacts.c.followup_id.in_(ids)))
        session.execute(delete(FollowUp).where(FollowUp.id.in_(ids)).execution_options(synchronize_session="fetch"))
    return len(ids)


def sorted_statement(session: Session, scope: Scope, f: FollowUpFilters, sort: str | None) -> Select[Any]:
    """The scoped, filtered and sorted statement behind a list page, without paging (exports stream it)."""
    return apply_sort(filtered(scope, f), sort, SORTS, "-occurred_at")


# --- merge support (loam.merge): the caller has authorised every write ---


def move_target(
    session: Session, column: str, from_id: int, to_id: int, ids: Iterable[int] | None = None
) -> tuple[list[int], datetime | None]:
    """Re-point the follow-ups whose ``column`` ("customer_id" | "lead_id") is ``from_id`` (or only ``ids`` of
    them) to ``to_id``; returns (their ids, latest live occurred_at among them)."""
    col = getattr(FollowUp, column)
    stmt = select(FollowUp.id).where(col == from_id)
    if ids is not None:
        stmt = stmt.where(FollowUp.id.in_(list(ids)))
    moved = sorted(session.scalars(stmt))
    if not moved:
        return [], None
    latest = session.scalar(
        select(func.max(FollowUp.occurred_at)).where(FollowUp.id.in_(moved), FollowUp.deleted_at.is_(None))
    )
    session.execute(
        update(FollowUp)
        .where(FollowUp.id.in_(moved))
        .values({column: to_id, "version": FollowUp.version + 1})
        .execution_options(synchronize_session="fetch")
    )
    return moved, latest


def move_contact_links(
    session: Session, from_id: int, to_id: int, followup_ids: Iterable[int] | None = None
) -> list[int]:
    """Follow-ups involving contact ``from_id`` (or only ``followup_ids``) involve ``to_id`` instead; a follow-up
    already linked to ``to_id`` keeps its link to ``from_id`` (no duplicate rows). Returns the re-pointed ids."""
    c = followup_contacts.c
    already = select(c.followup_id).where(c.contact_id == to_id)
    stmt = select(c.followup_id).where(c.contact_id == from_id, c.followup_id.not_in(already))
    if followup_ids is not None:
        stmt = stmt.where(c.followup_id.in_(list(followup_ids)))
    moved = sorted(session.scalars(stmt))
    if moved:
        session.execute(
            update(followup_contacts).where(c.contact_id == from_id, c.followup_id.in_(moved)).values(contact_id=to_id)
        )
    return moved
