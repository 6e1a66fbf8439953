"""Factories for the key-relationship tests: customers, contacts, follow-ups and profiles through the real services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from loam.activities import service as followup_service
from loam.activities.schemas import FollowUpCreate
from loam.config import settings as app_settings
from loam.relationships import profiles
from loam.relationships.schemas_profiles import ProfileUpdate, RelationOwnersWrite, StageChange
from tests.contacts.factories import make_contact
from tests.helpers import make_customer, scope_of

AS_OF = date(2025, 6, 30)


def at(day: date, hour: int = 12) -> datetime:
    """A moment of a company-time day."""
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(app_settings.timezone))


def ago(days: int, hour: int = 12) -> datetime:
    return at(AS_OF - timedelta(days=days), hour)


def customer(session: Session, owner_id: int, name: str) -> Any:
    return make_customer(session, owner_id, name)


def contact(session: Session, owner_id: int, customer_id: int, name: str, **fields: Any) -> Any:
    return make_contact(session, owner_id, customer_id, name, **fields)


def touch(
    session: Session, author_id: int, customer_id: int, contact_ids: list[int], when: datetime, *others: int
) -> Any:
    """A follow-up written by ``author_id`` with the contacts, ``others`` taking part."""
    data = FollowUpCreate(
        kind="visit",
        content="拜访",
        customer_id=customer_id,
        occurred_at=when,
        contact_ids=contact_ids,
        participant_ids=list(others),
    )
    found = followup_service.create(session, scope_of(session, author_id), data)
    session.flush()
    return found


def profile(session: Session, user_id: int, contact_id: int, stage: int = 1, **fields: Any) -> Any:
    """Set a profile as ``user_id``: the fields through ``update``, the stage through ``change_stage``."""
    scope = scope_of(session, user_id)
    found = profiles.get(session, scope, contact_id)
    if fields:
        data = ProfileUpdate(**fields, version=found.version)
        found = profiles.update(session, scope, contact_id, data)
    if stage != found.stage:
        found = profiles.change_stage(session, scope, contact_id, StageChange(to_stage=stage, evidence="证据"))
    session.flush()
    return found


def owners(session: Session, user_id: int, contact_id: int, *user_ids: int) -> None:
    profiles.set_relation_owners(
        session, scope_of(session, user_id), contact_id, RelationOwnersWrite(user_ids=list(user_ids))
    )
    session.flush()
