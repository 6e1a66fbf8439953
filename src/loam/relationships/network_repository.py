"""All SQL of the intelligence network and the executive pool; every read of a record starts from the customers
the caller can see (``customer_service.visible_ids``, R10/R13).

Verification is counted in SQL so that lists filter and page on it: the people behind an item's reports are the
distinct contacts plus the distinct users among its sources with that stance (the same person twice counts once).
The set-based readers (:func:`source_rows`, :func:`department_counts`, :func:`meeting_stats`) take a list of
customer ids and run a fixed number of queries for the whole list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, delete, distinct, func, insert, select, tuple_
from sqlalchemy.orm import Session

from loam.activities.models import FollowUp, followup_contacts
from loam.authz.scope import Scope
from loam.contacts.models import Contact
from loam.customers import service as customer_service
from loam.customers.models import Customer
from loam.kit.listing import like_escape, paginate
from loam.relationships.models import (
    ContactProfile,
    ExecMeeting,
    ExecPairing,
    IntelItem,
    IntelItemContact,
    IntelSource,
)
from loam.relationships.schemas_network import IntelFilters, PairingFilters

# --- intel items ---


def readable_items(scope: Scope, deleted: bool = False) -> Select[Any]:
    """Intel items of the customers the caller sees (live ones, or those in the recycle bin)."""
    gone = IntelItem.deleted_at.is_not(None) if deleted else IntelItem.deleted_at.is_(None)
    return select(IntelItem).where(gone, IntelItem.customer_id.in_(customer_service.visible_ids(scope)))


def item(session: Session, scope: Scope, item_id: int, deleted: bool = False) -> IntelItem | None:
    return session.scalar(readable_items(scope, deleted).where(IntelItem.id == item_id))


def people(stance: str) -> Any:
    """A correlated count of the distinct people (contacts + users) reporting an item with ``stance``."""
    s = IntelSource
    return (
        select(func.count(distinct(s.contact_id)) + func.count(distinct(s.user_id)))
        .where(s.item_id == IntelItem.id, s.stance == stance)
        .correlate(IntelItem)
        .scalar_subquery()
    )


def filtered_items(scope: Scope, f: IntelFilters, verify_sources: int) -> Select[Any]:
    stmt = readable_items(scope)
    if f.customer_id is not None:
        stmt = stmt.where(IntelItem.customer_id == f.customer_id)
    if f.kind is not None:
        stmt = stmt.where(IntelItem.kind == f.kind)
    if f.date_from is not None:
        stmt = stmt.where(IntelItem.occurred_on >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(IntelItem.occurred_on <= f.date_to)
    if f.competitor:
        pattern = f"%{like_escape(f.competitor.strip())}%"
        stmt = stmt.where(IntelItem.competitor.ilike(pattern, escape="\\"))
    if f.q:
        stmt = stmt.where(IntelItem.content.ilike(f"%{like_escape(f.q.strip())}%", escape="\\"))
    if f.verified is not None:
        enough = people("confirms") >= verify_sources
        stmt = stmt.where(enough if f.verified else ~enough)
    if f.conflicting is not None:
        both = (people("confirms") > 0) & (people("contradicts") > 0)
        stmt = stmt.where(both if f.conflicting else ~both)
    return stmt


def item_page(
    session: Session, scope: Scope, f: IntelFilters, verify_sources: int, page: int, size: int
) -> tuple[list[IntelItem], int]:
    stmt = filtered_items(scope, f, verify_sources).order_by(IntelItem.occurred_on.desc(), IntelItem.id.desc())
    return paginate(session, stmt, page, size)


def latest_items(session: Session, scope: Scope, customer_id: int, limit: int) -> list[IntelItem]:
    stmt = readable_items(scope).where(IntelItem.customer_id == customer_id)
    return list(session.scalars(stmt.order_by(IntelItem.occurred_on.desc(), IntelItem.id.desc()).limit(limit)))


def competitor_items(session: Session, scope: Scope, customer_id: int, limit: int) -> list[IntelItem]:
    stmt = readable_items(scope).where(IntelItem.customer_id == customer_id, IntelItem.kind == "competitor")
    return list(session.scalars(stmt.order_by(IntelItem.occurred_on, IntelItem.id).limit(limit)))


def deleted_item_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[IntelItem], int]:
    stmt = readable_items(scope, deleted=True).order_by(IntelItem.deleted_at.desc(), IntelItem.id.desc())
    return paginate(session, stmt, page, size)


def sources_of(session: Session, ids: Sequence[int]) -> dict[int, list[IntelSource]]:
    out: dict[int, list[IntelSource]] = defaultdict(list)
    if ids:
        stmt = select(IntelSource).where(IntelSource.item_id.in_(ids)).order_by(IntelSource.noted_at, IntelSource.id)
        for row in session.scalars(stmt):
            out[row.item_id].append(row)
    return out


def contacts_of(session: Session, ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    if ids:
        c = IntelItemContact
        for item_id, contact_id in session.execute(select(c.item_id, c.contact_id).where(c.item_id.in_(ids))):
            out[item_id].append(contact_id)
    return out


def stats(session: Session, ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """``{item id: {"confirms": n, "contradicts": m}}`` — distinct people per stance, one query."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: {"confirms": 0, "contradicts": 0})
    if ids:
        s = IntelSource
        stmt = (
            select(s.item_id, s.stance, func.count(distinct(s.contact_id)) + func.count(distinct(s.user_id)))
            .where(s.item_id.in_(ids))
            .group_by(s.item_id, s.stance)
        )
        for item_id, stance, n in session.execute(stmt):
            out[item_id][stance] = int(n)
    return out


def set_contacts(session: Session, item_id: int, contact_ids: Iterable[int]) -> None:
    session.execute(delete(IntelItemContact).where(IntelItemContact.item_id == item_id))
    rows = [{"item_id": item_id, "contact_id": cid} for cid in sorted(set(contact_ids))]
    if rows:
        session.execute(insert(IntelItemContact), rows)


def delete_sources(session: Session, source_ids: Iterable[int]) -> None:
    wanted = list(source_ids)
    if wanted:
        session.execute(delete(IntelSource).where(IntelSource.id.in_(wanted)))


def customer_of(session: Session, customer_id: int) -> Customer | None:
    """The customer row of a record the caller already sees (owner and name for notifications)."""
    return session.get(Customer, customer_id)


def customer_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Names of the customers of records the caller already sees."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(wanted))).all())


# --- sources per department (set-based) ---


def _not_departed(as_of: date) -> Any:
    # Correlated on the profile's primary key: one index probe per contact. (``id NOT IN (departed profiles)``
    # made SQLite list every departed profile of every customer, 223,822 profiles at 10,000 customers, on each
    # call: ~50 ms of the intelligence section.)
    departed = select(ContactProfile.contact_id).where(
        ContactProfile.contact_id == Contact.id,
        ContactProfile.departed_on.is_not(None),
        ContactProfile.departed_on <= as_of,
    )
    return ~departed.exists()


def source_rows(
    session: Session, customer_ids: Sequence[int], noted_since: datetime, as_of: date
) -> list[tuple[int, int, str, str | None, str, datetime, datetime | None]]:
    """The active sources of the customers: live contacts, not departed on ``as_of``, who were a source of a live
    item since ``noted_since``; each with the last time they were noted and their last live follow-up.
    Rows ``(customer_id, contact_id, name, dept_name, level, last_noted_at, last_touch_at)``. Two sub-selects,
    one statement."""
    if not customer_ids:
        return []
    s, i = IntelSource, IntelItem
    noted = (
        select(s.contact_id.label("contact_id"), func.max(s.noted_at).label("last_noted"))
        .join(i, i.id == s.item_id)
        .where(
            i.customer_id.in_(customer_ids),
            i.deleted_at.is_(None),
            s.contact_id.is_not(None),
            s.noted_at >= noted_since,
        )
        .group_by(s.contact_id)
        .subquery()
    )
    fc = followup_contacts.c
    touched = (
        select(fc.contact_id.label("contact_id"), func.max(FollowUp.occurred_at).label("last_touch"))
        .join(FollowUp, FollowUp.id == fc.followup_id)
        .where(FollowUp.deleted_at.is_(None), fc.contact_id.in_(select(noted.c.contact_id)))
        .group_by(fc.contact_id)
        .subquery()
    )
    stmt = (
        select(
            Contact.customer_id,
            Contact.id,
            Contact.name,
            Contact.dept_name,
            Contact.level,
            noted.c.last_noted,
            touched.c.last_touch,
        )
        .join(noted, noted.c.contact_id == Contact.id)
        .outerjoin(touched, touched.c.contact_id == Contact.id)
        .where(Contact.customer_id.in_(customer_ids), Contact.deleted_at.is_(None), _not_departed(as_of))
        .order_by(Contact.customer_id, Contact.dept_name, Contact.name, Contact.id)
    )
    return [tuple(r) for r in session.execute(stmt)]  # type: ignore[misc]


def department_counts(session: Session, customer_ids: Sequence[int], as_of: date) -> list[tuple[int, str | None, int]]:
    """``(customer_id, dept_name, live contacts not departed)`` per department of each customer."""
    if not customer_ids:
        return []
    stmt = (
        select(Contact.customer_id, Contact.dept_name, func.count())
        .where(Contact.customer_id.in_(customer_ids), Contact.deleted_at.is_(None), _not_departed(as_of))
        .group_by(Contact.customer_id, Contact.dept_name)
    )
    return [(cid, dept, int(n)) for cid, dept, n in session.execute(stmt)]


# --- executive pairings ---


def readable_pairings(scope: Scope, deleted: bool = False) -> Select[Any]:
    gone = ExecPairing.deleted_at.is_not(None) if deleted else ExecPairing.deleted_at.is_(None)
    return select(ExecPairing).where(gone, ExecPairing.customer_id.in_(customer_service.visible_ids(scope)))


def pairing(session: Session, scope: Scope, pairing_id: int, deleted: bool = False) -> ExecPairing | None:
    return session.scalar(readable_pairings(scope, deleted).where(ExecPairing.id == pairing_id))


def _live_contact() -> Any:
    return ExecPairing.contact_id.in_(select(Contact.id).where(Contact.deleted_at.is_(None)))


def pairing_list(
    session: Session, scope: Scope, f: PairingFilters, limit: int, after: tuple[int, int] | None = None
) -> list[ExecPairing]:
    """The caller's visible pairings whose contact is live, filtered by customer / executive / contact, by
    executive; ``after`` (user id, pairing id) continues from a previous chunk."""
    stmt = readable_pairings(scope).where(_live_contact())
    if after is not None:
        stmt = stmt.where(tuple_(ExecPairing.user_id, ExecPairing.id) > tuple_(*after))
    for column, value in (
        (ExecPairing.customer_id, f.customer_id),
        (ExecPairing.user_id, f.user_id),
        (ExecPairing.contact_id, f.contact_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return list(session.scalars(stmt.order_by(ExecPairing.user_id, ExecPairing.id).limit(limit)))


def deleted_pairing_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[ExecPairing], int]:
    stmt = readable_pairings(scope, deleted=True).order_by(ExecPairing.deleted_at.desc(), ExecPairing.id.desc())
    return paginate(session, stmt, page, size)


def pairing_of_pair(session: Session, contact_id: int, user_id: int) -> ExecPairing | None:
    """The pairing of this contact and user, live or in the recycle bin (they are unique together)."""
    stmt = select(ExecPairing).where(ExecPairing.contact_id == contact_id, ExecPairing.user_id == user_id)
    return session.scalar(stmt)


def meeting_marks(session: Session, pairing_ids: Sequence[int]) -> dict[int, tuple[date | None, date | None]]:
    """``{pairing id: (last held on, earliest planned meeting)}`` — two queries for any number of pairings."""
    out: dict[int, tuple[date | None, date | None]] = {}
    if not pairing_ids:
        return out
    m = ExecMeeting
    held = dict(
        session.execute(
            select(m.pairing_id, func.max(m.held_on))
            .where(m.pairing_id.in_(pairing_ids), m.status == "held")
            .group_by(m.pairing_id)
        ).all()
    )
    planned = dict(
        session.execute(
            select(m.pairing_id, func.min(m.planned_on))
            .where(m.pairing_id.in_(pairing_ids), m.status == "planned")
            .group_by(m.pairing_id)
        ).all()
    )
    for pid in pairing_ids:
        out[pid] = (held.get(pid), planned.get(pid))
    return out


def meetings_of(session: Session, pairing_id: int) -> list[ExecMeeting]:
    stmt = select(ExecMeeting).where(ExecMeeting.pairing_id == pairing_id)
    return list(session.scalars(stmt.order_by(ExecMeeting.planned_on.desc(), ExecMeeting.id.desc())))


def meeting(session: Session, scope: Scope, meeting_id: int) -> ExecMeeting | None:
    """A meeting of a live pairing the caller sees."""
    visible = readable_pairings(scope).with_only_columns(ExecPairing.id)
    stmt = select(ExecMeeting).where(ExecMeeting.id == meeting_id, ExecMeeting.pairing_id.in_(visible))
    return session.scalar(stmt)


def live_pairings_after(session: Session, after: int, batch: int) -> list[ExecPairing]:
    """The system job's walk over every live pairing of a live customer and a live contact, by id."""
    live_customers = select(Customer.id).where(Customer.deleted_at.is_(None))
    stmt = (
        select(ExecPairing)
        .where(
            ExecPairing.deleted_at.is_(None),
            ExecPairing.id > after,
            ExecPairing.customer_id.in_(live_customers),
            _live_contact(),
        )
        .order_by(ExecPairing.id)
        .limit(batch)
    )
    return list(session.scalars(stmt))


def meeting_stats(
    session: Session, customer_ids: Sequence[int], since: date
) -> dict[int, tuple[int, date | None, int]]:
    """``{customer id: (meetings held since ``since``, last held on, live pairings)}`` over live pairings —
    the organisational checklist's "executive meetings" and "pairing touched" evidence. Two queries."""
    out: dict[int, tuple[int, date | None, int]] = {}
    if not customer_ids:
        return out
    p, m = ExecPairing, ExecMeeting
    live = (p.deleted_at.is_(None), p.customer_id.in_(customer_ids))
    pairs = dict(session.execute(select(p.customer_id, func.count()).where(*live).group_by(p.customer_id)).all())
    held = (
        select(p.customer_id, func.sum(case((m.held_on >= since, 1), else_=0)), func.max(m.held_on))
        .join(m, m.pairing_id == p.id)
        .where(*live, m.status == "held")
        .group_by(p.customer_id)
    )
    rows = {cid: (int(n or 0), last) for cid, n, last in session.execute(held)}
    for cid in customer_ids:
        n, last = rows.get(cid, (0, None))
        if pairs.get(cid) or n or last:
            out[cid] = (n, last, int(pairs.get(cid, 0)))
    return out


def users_active(session: Session, ids: Iterable[int]) -> set[int]:
    from loam.org.models import User

    wanted = set(ids)
    if not wanted:
        return set()
    return set(session.scalars(select(User.id).where(User.id.in_(wanted), User.is_active.is_(True))))
