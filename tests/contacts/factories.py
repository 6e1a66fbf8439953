"""Factories for contacts, follow-ups and leads, built with the real services (R27)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.activities import service as followup_service
from loam.activities.schemas import FollowUpCreate
from loam.contacts import service as contact_service
from loam.contacts.schemas import ContactCreate
from tests.helpers import scope_of


def make_contact(session: Session, user_id: int, customer_id: int, name: str = "周经理", **fields: Any) -> Any:
    """A contact created by ``user_id`` (who must be able to write the customer)."""
    contact = contact_service.create(
        session, scope_of(session, user_id), ContactCreate(customer_id=customer_id, name=name, **fields)
    )
    session.flush()
    return contact


def make_followup(session: Session, user_id: int, content: str = "拜访了信息中心主任", **fields: Any) -> Any:
    fields.setdefault("kind", "visit")
    followup = followup_service.create(session, scope_of(session, user_id), FollowUpCreate(content=content, **fields))
    session.flush()
    return followup


def make_lead(session: Session, owner_id: int, name: str = "韩梅梅", **fields: Any) -> Any:
    from loam.leads import service as lead_service
    from loam.leads.schemas import LeadCreate

    lead = lead_service.create(session, scope_of(session, owner_id), LeadCreate(name=name, **fields))
    session.flush()
    return lead
