"""Factories for the coverage and checklist tests: customers, contacts and follow-ups through the real services.

Contact profiles (support, departure) are stored as ``ContactProfile`` rows directly: they are this domain's own
table and the only fields the coverage grid reads from it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from loam.activities import service as activities_service
from loam.activities.schemas import FollowUpCreate
from loam.config import settings as app_settings
from loam.contacts import service as contact_service
from loam.contacts.schemas import ContactCreate
from loam.relationships.models import ContactProfile
from tests.helpers import make_customer, scope_of

AS_OF = date(2025, 6, 30)


def local(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A moment of a local (company time) day."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(app_settings.timezone))


def days_before(n: int, hour: int = 12, minute: int = 0) -> datetime:
    return local(AS_OF - timedelta(days=n), hour, minute)


def customer(session: Session, owner_id: int, name: str, industry: str | None = None) -> Any:
    return (
        make_customer(session, owner_id, name, industry=industry)
        if industry
        else make_customer(session, owner_id, name)
    )


def contact(
    session: Session,
    owner_id: int,
    customer_id: int,
    name: str,
    dept: str | None,
    level: str,
    support: int | None = None,
    departed_on: date | None = None,
) -> Any:
    found = contact_service.create(
        session,
        scope_of(session, owner_id),
        ContactCreate(customer_id=customer_id, name=name, dept_name=dept, level=level),
    )
    if support is not None or departed_on is not None:
        session.add(ContactProfile(contact_id=found.id, support=support or 0, departed_on=departed_on))
    session.flush()
    return found


def touch(
    session: Session,
    author_id: int,
    customer_id: int,
    contact_ids: list[int],
    when: datetime,
    participants: list[int] | None = None,
) -> Any:
    data = FollowUpCreate(
        customer_id=customer_id,
        kind="visit",
        occurred_at=when,
        content="拜访",
        contact_ids=contact_ids,
        participant_ids=participants or [],
    )
    followup = activities_service.create(session, scope_of(session, author_id), data)
    session.flush()
    return followup
