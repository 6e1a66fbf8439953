"""SQL of the broad (coverage grid) and organisational (checklist) layers.

Scoring reads are set-based: each function takes a list of customer ids and runs one statement per chunk of
:data:`CHUNK` ids, whatever the number of customers (the monthly snapshot scores every customer). They read the
contacts and follow-ups tables directly, read-only; the caller has already decided which customers may be scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session

from loam.activities.models import FollowUp, followup_contacts, followup_participants
from loam.contacts.models import Contact
from loam.customers.models import Customer
from loam.relationships.models import ContactProfile, OrgMark

CHUNK = 500


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    """``ids`` in slices of at most ``size`` (IN lists stay well under every driver's parameter limit)."""
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def industries(session: Session, customer_ids: Sequence[int]) -> dict[int, str | None]:
    """``{customer id: industry}`` for the customers that exist (deleted ones too: the caller chose them)."""
    out: dict[int, str | None] = {}
    for part in chunks(customer_ids):
        for cid, industry in session.execute(select(Customer.id, Customer.industry).where(Customer.id.in_(part))):
            out[cid] = industry
    return out


def coverage_contacts(session: Session, customer_ids: Sequence[int], as_of: date) -> list[Any]:
    """The contacts that count on ``as_of``: live, not departed by then; with their support (no profile: 0).
    Rows: ``id, customer_id, name, dept_name, level, support``, ordered by id."""
    rows: list[Any] = []
    for part in chunks(customer_ids):
        stmt = (
            select(
                Contact.id,
                Contact.customer_id,
                Contact.name,
                Contact.dept_name,
                Contact.level,
                ContactProfile.support,
            )
            .outerjoin(ContactProfile, ContactProfile.contact_id == Contact.id)
            .where(
                Contact.customer_id.in_(part),
                Contact.deleted_at.is_(None),
                or_(ContactProfile.departed_on.is_(None), ContactProfile.departed_on > as_of),
            )
            .order_by(Contact.id)
        )
        rows.extend(session.execute(stmt).all())
    return rows


def touchers(
    session: Session, customer_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, set[int | None]]:
    """``{contact id: user ids}``: the contacts linked to a live follow-up of these customers that happened in
    ``[start, end)``, with everyone who wrote or took part in one (``None`` for a follow-up without an author)."""
    fc, fp = followup_contacts.c, followup_participants.c
    out: dict[int, set[int | None]] = {}
    for part in chunks(customer_ids):
        window = (
            FollowUp.customer_id.in_(part),
            FollowUp.deleted_at.is_(None),
            FollowUp.occurred_at >= start,
            FollowUp.occurred_at < end,
        )
        authors = (
            select(fc.contact_id, FollowUp.created_by.label("user_id"))
            .select_from(followup_contacts)
            .join(FollowUp, FollowUp.id == fc.followup_id)
            .where(*window)
        )
        participants = (
            select(fc.contact_id, fp.user_id)
            .select_from(followup_contacts)
            .join(FollowUp, FollowUp.id == fc.followup_id)
            .join(followup_participants, fp.followup_id == fc.followup_id)
            .where(*window)
        )
        for contact_id, user_id in session.execute(union(authors, participants)):
            out.setdefault(contact_id, set()).add(user_id)
    return out


def marks(session: Session, customer_ids: Sequence[int]) -> list[OrgMark]:
    """Every checklist mark of these customers (current and retired items)."""
    out: list[OrgMark] = []
    for part in chunks(customer_ids):
        stmt = select(OrgMark).where(OrgMark.customer_id.in_(part)).order_by(OrgMark.customer_id, OrgMark.id)
        out.extend(session.scalars(stmt))
    return out


def mark(session: Session, customer_id: int, item_key: str) -> OrgMark | None:
    """One customer's mark for one item (the caller has fetched the customer in scope)."""
    stmt = select(OrgMark).where(OrgMark.customer_id == customer_id, OrgMark.item_key == item_key)
    return session.scalars(stmt).first()


def live_followups_of(session: Session, customer_id: int, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` are live follow-ups of this customer (to validate the evidence of a mark)."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    stmt = select(FollowUp.id).where(
        FollowUp.id.in_(wanted), FollowUp.customer_id == customer_id, FollowUp.deleted_at.is_(None)
    )
    return set(session.scalars(stmt))
