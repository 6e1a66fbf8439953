"""All SQL of key relationships: profiles, competitor preferences, relationship owners, stage history, rising
stars, the succession check and the set-based inputs of the key-relationship score.

The score inputs read contacts and follow-ups directly (read-only, set-based): the callers (the contact card, the
customer section, the monthly snapshot job) have already decided what the reader may see. Every id list is cut
into chunks of :data:`CHUNK`, so the number of queries depends on the number of chunks, never on the ids.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Select, case, delete, func, null, or_, select, union
from sqlalchemy.orm import Session

from loam.activities.models import FollowUp, followup_contacts, followup_participants
from loam.contacts.models import Contact
from loam.kit.listing import paginate
from loam.relationships.models import (
    ContactCompetitorPreference,
    ContactProfile,
    ContactRelationOwner,
    ContactStageChange,
)

CHUNK = 500
By = Literal["contact", "customer"]


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for i in range(0, len(unique), size):
        yield unique[i : i + size]


# --- one contact ---


def get(session: Session, contact_id: int) -> ContactProfile | None:
    return session.get(ContactProfile, contact_id)


def competitors(session: Session, contact_id: int) -> list[ContactCompetitorPreference]:
    stmt = select(ContactCompetitorPreference).where(ContactCompetitorPreference.contact_id == contact_id)
    return list(session.scalars(stmt.order_by(ContactCompetitorPreference.competitor)))


def replace_competitors(session: Session, contact_id: int, items: list[tuple[str, str]]) -> None:
    session.execute(delete(ContactCompetitorPreference).where(ContactCompetitorPreference.contact_id == contact_id))
    session.add_all(ContactCompetitorPreference(contact_id=contact_id, competitor=c, preference=p) for c, p in items)
    session.flush()


def owner_ids(session: Session, contact_id: int) -> list[int]:
    stmt = select(ContactRelationOwner.user_id).where(ContactRelationOwner.contact_id == contact_id)
    return list(session.scalars(stmt.order_by(ContactRelationOwner.id)))


def replace_owners(session: Session, contact_id: int, user_ids: list[int]) -> None:
    session.execute(delete(ContactRelationOwner).where(ContactRelationOwner.contact_id == contact_id))
    session.add_all(ContactRelationOwner(contact_id=contact_id, user_id=u) for u in user_ids)
    session.flush()


def stage_history(session: Session, contact_id: int) -> list[ContactStageChange]:
    """Stage changes of one contact, newest first."""
    stmt = select(ContactStageChange).where(ContactStageChange.contact_id == contact_id)
    return list(session.scalars(stmt.order_by(ContactStageChange.changed_at.desc(), ContactStageChange.id.desc())))


def stage_histories(session: Session, contact_ids: Sequence[int]) -> dict[int, list[ContactStageChange]]:
    """Stage changes of many contacts, oldest first per contact."""
    out: dict[int, list[ContactStageChange]] = {}
    for chunk in chunks(contact_ids):
        stmt = select(ContactStageChange).where(ContactStageChange.contact_id.in_(chunk))
        for row in session.scalars(stmt.order_by(ContactStageChange.changed_at, ContactStageChange.id)):
            out.setdefault(row.contact_id, []).append(row)
    return out


def successor_exists(session: Session, customer_id: int, dept_name: str | None, contact_id: int, on: date) -> bool:
    """Another live contact of the customer, in the same department, still there on ``on``, at stage 3 or above."""
    dept = Contact.dept_name.is_(None) if dept_name is None else Contact.dept_name == dept_name
    stmt = (
        select(Contact.id)
        .join(ContactProfile, ContactProfile.contact_id == Contact.id)
        .where(
            Contact.customer_id == customer_id,
            dept,
            Contact.id != contact_id,
            Contact.deleted_at.is_(None),
            or_(ContactProfile.departed_on.is_(None), ContactProfile.departed_on > on),
            ContactProfile.stage >= 3,
        )
        .limit(1)
    )
    return session.scalar(stmt) is not None


# --- rising stars ---


def rising_stars(
    session: Session, visible_ids: Select[Any], page: int, size: int
) -> tuple[list[tuple[ContactProfile, Contact]], int]:
    """Rising stars among the visible contacts (``visible_ids``: a sub-select), by customer and name."""
    stmt = (
        select(ContactProfile)
        .join(Contact, Contact.id == ContactProfile.contact_id)
        .where(ContactProfile.rising_star.is_(True), ContactProfile.contact_id.in_(visible_ids))
        .order_by(Contact.customer_id, Contact.name, Contact.id)
    )
    profiles, total = paginate(session, stmt, page, size)
    wanted = [p.contact_id for p in profiles]
    contacts = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(wanted)))}
    return [(p, contacts[p.contact_id]) for p in profiles], total


# --- inputs of the key-relationship score (set-based) ---


@dataclass
class ScoreInput:
    """What the score of one contact is computed from."""

    contact_id: int
    customer_id: int
    name: str
    level: str
    dept_name: str | None
    stage: int = 1
    support: int = 0
    coach: bool = False
    influence: str = "medium"
    expected_days: int | None = None  # the profile's own; None: the level's default
    departed_on: date | None = None
    last_touch: datetime | None = None
    touches: int = 0  # touches within the frequency window
    people: int = 0  # distinct people on our side who know the contact


def _where(by: By, chunk: list[int]) -> Any:
    return Contact.id.in_(chunk) if by == "contact" else Contact.customer_id.in_(chunk)


def score_inputs(session: Session, by: By, ids: Sequence[int], start: datetime, end: datetime) -> list[ScoreInput]:
    """The score inputs of the live contacts ``ids`` (``by="contact"``) or of every live contact of the customers
    ``ids`` (``by="customer"``). Touches are live follow-ups linked to the contact that occurred before ``end``;
    ``touches`` counts those at or after ``start``. Three queries per chunk of :data:`CHUNK` ids."""
    out: dict[int, ScoreInput] = {}
    for chunk in chunks(ids):
        _contacts(session, by, chunk, out)
        if not out:
            continue
        _touches(session, by, chunk, start, end, out)
        _people(session, by, chunk, end, out)
    return list(out.values())


def _contacts(session: Session, by: By, chunk: list[int], out: dict[int, ScoreInput]) -> None:
    p = ContactProfile
    stmt = (
        select(Contact.id, Contact.customer_id, Contact.name, Contact.level, Contact.dept_name)
        .add_columns(p.stage, p.support, p.coach, p.influence, p.expected_days, p.departed_on)
        .outerjoin(p, p.contact_id == Contact.id)
        .where(_where(by, chunk), Contact.deleted_at.is_(None))
    )
    for r in session.execute(stmt):
        row = ScoreInput(r.id, r.customer_id, r.name, r.level, r.dept_name)
        if r.stage is not None:  # a saved profile
            row.stage, row.support, row.coach, row.influence = r.stage, r.support, bool(r.coach), r.influence
            row.expected_days, row.departed_on = r.expected_days, r.departed_on
        out[r.id] = row


def _touch_base(by: By, chunk: list[int], end: datetime, *cols: Any) -> Select[Any]:
    """Live follow-ups linked to the contacts, before ``end``. A follow-up's contacts are contacts of its customer
    (the follow-ups service checks it), so the customer filter always applies: it lets the database walk the
    (customer, occurred_at) index instead of every follow-up."""
    fc = followup_contacts
    stmt = select(*cols).select_from(FollowUp).join(fc, fc.c.followup_id == FollowUp.id)
    if by == "customer":
        stmt = stmt.where(FollowUp.customer_id.in_(chunk))
    else:
        customers = select(Contact.customer_id).where(Contact.id.in_(chunk))
        stmt = stmt.where(fc.c.contact_id.in_(chunk), FollowUp.customer_id.in_(customers))
    # coalesce(): not a reason for SQLite to drive the join from the unselective deleted_at index.
    live = func.coalesce(FollowUp.deleted_at, null()).is_(None)
    return stmt.where(live, FollowUp.occurred_at < end)


def _touches(
    session: Session, by: By, chunk: list[int], start: datetime, end: datetime, out: dict[int, ScoreInput]
) -> None:
    fc = followup_contacts
    in_window = func.count(case((FollowUp.occurred_at >= start, FollowUp.id)))
    stmt = _touch_base(by, chunk, end, fc.c.contact_id, func.max(FollowUp.occurred_at), in_window)
    for contact_id, last, count in session.execute(stmt.group_by(fc.c.contact_id)):
        row = out.get(contact_id)
        if row is not None:
            row.last_touch, row.touches = last, int(count or 0)


def _people(session: Session, by: By, chunk: list[int], end: datetime, out: dict[int, ScoreInput]) -> None:
    fc, fp, ro = followup_contacts, followup_participants, ContactRelationOwner
    authors = _touch_base(by, chunk, end, fc.c.contact_id.label("cid"), FollowUp.created_by.label("uid")).where(
        FollowUp.created_by.is_not(None)
    )
    takers = _touch_base(by, chunk, end, fc.c.contact_id.label("cid"), fp.c.user_id.label("uid")).join(
        fp, fp.c.followup_id == FollowUp.id
    )
    owners = select(ro.contact_id.label("cid"), ro.user_id.label("uid"))
    if by == "customer":
        owners = owners.join(Contact, Contact.id == ro.contact_id).where(Contact.customer_id.in_(chunk))
    else:
        owners = owners.where(ro.contact_id.in_(chunk))
    pairs = union(authors, takers, owners).subquery()
    stmt = select(pairs.c.cid, func.count()).group_by(pairs.c.cid)
    for contact_id, count in session.execute(stmt):
        row = out.get(contact_id)
        if row is not None:
            row.people = int(count)
