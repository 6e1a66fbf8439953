"""All SQL of the power map. Maps are read for a customer the service has already fetched in scope; the status
functions are set-based (a fixed number of queries for any number of customers or opportunities) and read the
contacts and opportunities tables directly, read-only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, aliased

from loam.contacts.models import Contact
from loam.opportunities.models import Opportunity, OpportunityContact
from loam.relationships.models import ContactProfile, PowerLink

CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class PersonRow:
    """A live contact with its account-level profile (defaults when it has none)."""

    contact_id: int
    customer_id: int
    name: str
    title: str | None
    dept_name: str | None
    level: str
    reports_to_id: int | None
    role: str | None
    chain: str | None
    support: int
    influence: str
    coach: bool
    departed: bool
    profile_version: int | None


def _chunks(ids: Iterable[int]) -> list[list[int]]:
    unique = sorted(set(ids))
    return [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]


def _people_statement(contact_filter: Any) -> Select[Any]:
    stmt: Any = (
        select(
            Contact.id,
            Contact.customer_id,
            Contact.name,
            Contact.title,
            Contact.dept_name,
            Contact.level,
            Contact.reports_to_id,
            ContactProfile.decision_role,
            ContactProfile.chain,
            ContactProfile.support,
            ContactProfile.influence,
            ContactProfile.coach,
            ContactProfile.departed_on,
            ContactProfile.version,
        )
        .outerjoin(ContactProfile, ContactProfile.contact_id == Contact.id)
        .where(contact_filter, Contact.deleted_at.is_(None))
        .order_by(Contact.customer_id, Contact.id)
    )
    return stmt


def _person(row: Any) -> PersonRow:
    return PersonRow(
        contact_id=row.id,
        customer_id=row.customer_id,
        name=row.name,
        title=row.title,
        dept_name=row.dept_name,
        level=row.level,
        reports_to_id=row.reports_to_id,
        role=row.decision_role,
        chain=row.chain,
        support=row.support if row.support is not None else 0,
        influence=row.influence or "medium",
        coach=bool(row.coach),
        departed=row.departed_on is not None,
        profile_version=row.version,
    )


def people(session: Session, customer_ids: Iterable[int], contact_ids: Iterable[int] | None = None) -> list[PersonRow]:
    """The live contacts of the customers with their profiles (optionally only ``contact_ids``)."""
    out: list[PersonRow] = []
    for chunk in _chunks(customer_ids):
        clause: Any = Contact.customer_id.in_(chunk)
        if contact_ids is not None:
            clause = and_(clause, Contact.id.in_(list(contact_ids)))
        out.extend(_person(row) for row in session.execute(_people_statement(clause)))
    return out


def overlay(session: Session, opportunity_ids: Iterable[int]) -> dict[int, dict[int, OpportunityContact]]:
    """``{opportunity id: {contact id: link}}``: each opportunity's contact links (role and chain in the deal)."""
    out: dict[int, dict[int, OpportunityContact]] = {}
    for chunk in _chunks(opportunity_ids):
        stmt = select(OpportunityContact).where(OpportunityContact.opportunity_id.in_(chunk))
        for link in session.scalars(stmt):
            out.setdefault(link.opportunity_id, {})[link.contact_id] = link
    return out


def opportunity_customers(session: Session, opportunity_ids: Iterable[int]) -> dict[int, int]:
    """``{opportunity id: customer id}`` of the live opportunities among the ids."""
    out: dict[int, int] = {}
    for chunk in _chunks(opportunity_ids):
        stmt = select(Opportunity.id, Opportunity.customer_id).where(
            Opportunity.id.in_(chunk), Opportunity.deleted_at.is_(None)
        )
        out.update({row.id: row.customer_id for row in session.execute(stmt)})
    return out


def visible_opportunity_ids(session: Session, ids: Iterable[int], visible: Select[Any]) -> list[int]:
    """The ids among ``ids`` that the ``visible`` statement (the opportunities service's) lets through."""
    out: list[int] = []
    for chunk in _chunks(ids):
        out.extend(
            session.scalars(select(Opportunity.id).where(Opportunity.id.in_(chunk), Opportunity.id.in_(visible)))
        )
    return out


def links_of_customer(session: Session, customer_id: int) -> list[PowerLink]:
    """The informal links between live contacts of one customer."""
    a, b = aliased(Contact), aliased(Contact)
    stmt = (
        select(PowerLink)
        .join(a, a.id == PowerLink.from_contact_id)
        .join(b, b.id == PowerLink.to_contact_id)
        .where(a.customer_id == customer_id, a.deleted_at.is_(None), b.deleted_at.is_(None))
        .order_by(PowerLink.id)
    )
    return list(session.scalars(stmt))


def link(session: Session, link_id: int) -> tuple[PowerLink, int] | None:
    """A link between two live contacts, with the customer of its contacts, or None."""
    a, b = aliased(Contact), aliased(Contact)
    stmt = (
        select(PowerLink, a.customer_id)
        .join(a, a.id == PowerLink.from_contact_id)
        .join(b, b.id == PowerLink.to_contact_id)
        .where(PowerLink.id == link_id, a.deleted_at.is_(None), b.deleted_at.is_(None))
    )
    row = session.execute(stmt).first()
    return (row[0], row[1]) if row else None


def same_link(
    session: Session, from_id: int, to_id: int, kind: str, other_than: int | None = None, both_ways: bool = True
) -> bool:
    """A link of this kind already joins the two contacts (in this direction, or either with ``both_ways``)."""
    direction = and_(PowerLink.from_contact_id == from_id, PowerLink.to_contact_id == to_id)
    if both_ways:
        direction = or_(direction, and_(PowerLink.from_contact_id == to_id, PowerLink.to_contact_id == from_id))
    stmt = select(PowerLink.id).where(PowerLink.kind == kind, direction)
    if other_than is not None:
        stmt = stmt.where(PowerLink.id != other_than)
    return session.scalar(stmt.limit(1)) is not None


def opportunities_of_customer(session: Session, customer_id: int, visible: Select[Any]) -> list[Opportunity]:
    """The customer's live opportunities that ``visible`` lets through, open ones first, newest first."""
    stmt = (
        select(Opportunity)
        .where(
            Opportunity.customer_id == customer_id,
            Opportunity.deleted_at.is_(None),
            Opportunity.id.in_(visible),
        )
        .order_by((Opportunity.status != "open"), Opportunity.id.desc())
        .limit(100)
    )
    return list(session.scalars(stmt))
