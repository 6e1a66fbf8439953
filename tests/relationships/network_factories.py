"""Factories for the intelligence network and executive pool tests, through the real services (R27)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from loam.activities import service as followup_service
from loam.activities.schemas import FollowUpCreate
from loam.config import settings as app_settings
from loam.notifications.models import Notification
from loam.relationships import execpool, intel
from loam.relationships.schemas_network import IntelCreate, MeetingCreate, PairingCreate, SourceWrite
from tests.contacts.factories import make_contact
from tests.helpers import make_customer, scope_of

TODAY = intel.today()


def at(day: date, hour: int = 12) -> datetime:
    """A moment of a company-time day."""
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(app_settings.timezone))


def days_ago(n: int, hour: int = 12) -> datetime:
    return at(TODAY - timedelta(days=n), hour)


def customer(session: Session, owner_id: int, name: str = "广西河池移动分公司") -> Any:
    return make_customer(session, owner_id, name)


def contact(
    session: Session, owner_id: int, customer_id: int, name: str, dept: str | None = None, **fields: Any
) -> Any:
    return make_contact(session, owner_id, customer_id, name, dept_name=dept, **fields)


def touch(session: Session, author_id: int, customer_id: int, contact_ids: list[int], when: datetime) -> Any:
    """A follow-up with the contacts at ``when``."""
    data = FollowUpCreate(
        kind="visit", content="拜访", customer_id=customer_id, occurred_at=when, contact_ids=contact_ids
    )
    found = followup_service.create(session, scope_of(session, author_id), data)
    session.flush()
    return found


def src(contact_id: int | None = None, user_id: int | None = None, stance: str = "confirms") -> SourceWrite:
    return SourceWrite(contact_id=contact_id, user_id=user_id, stance=stance)


def item(
    session: Session,
    user_id: int,
    customer_id: int,
    content: str = "客户明年预算增加三成",
    kind: str = "budget",
    sources: list[SourceWrite] | None = None,
    **fields: Any,
) -> Any:
    """An intel item recorded by ``user_id``."""
    data = IntelCreate(
        customer_id=customer_id,
        kind=kind,
        content=content,
        occurred_on=fields.pop("occurred_on", TODAY),
        sources=sources or [],
        **fields,
    )
    found = intel.create(session, scope_of(session, user_id), data)
    session.flush()
    return found


def add_source(session: Session, user_id: int, item_id: int, source: SourceWrite) -> Any:
    found = intel.add_source(session, scope_of(session, user_id), item_id, source)
    session.flush()
    return found


def pairing(session: Session, user_id: int, contact_id: int, exec_id: int, **fields: Any) -> Any:
    data = PairingCreate(contact_id=contact_id, user_id=exec_id, **fields)
    found = execpool.create(session, scope_of(session, user_id), data)
    session.flush()
    return found


def meeting(session: Session, user_id: int, pairing_id: int, planned_on: date, **fields: Any) -> Any:
    data = MeetingCreate(planned_on=planned_on, **fields)
    found = execpool.add_meeting(session, scope_of(session, user_id), pairing_id, data)
    session.flush()
    return found


def notifications(session: Session, kind: str) -> list[tuple[int, str | None]]:
    """``(user id, dedupe key)`` of the stored notifications of one kind, in id order."""
    stmt = select(Notification.user_id, Notification.dedupe_key).where(Notification.kind == kind)
    return [tuple(r) for r in session.execute(stmt.order_by(Notification.id))]  # type: ignore[misc]
