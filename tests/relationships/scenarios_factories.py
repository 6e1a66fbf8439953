"""Factories for the contact scenario tests, built with the real services (R27)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loam.db import utcnow
from loam.relationships import scenarios
from loam.relationships.models import ContactScenario
from loam.relationships.schemas_scenarios import FollowUpScenarioWrite, RatingWrite
from tests.contacts.factories import make_followup
from tests.helpers import make_customer, scope_of


def by_code(session: Session, code: str) -> ContactScenario:
    found = session.scalar(select(ContactScenario).where(ContactScenario.code == code))
    assert found is not None, code
    return found


def followup(session: Session, user_id: int, customer_id: int | None = None, days_ago: int = 1, **fields: Any) -> Any:
    """A follow-up by ``user_id`` on ``customer_id`` (a new customer of theirs when None), ``days_ago`` days ago."""
    if customer_id is None:
        customer_id = make_customer(session, user_id, "场景测试客户").id
    fields.setdefault("occurred_at", utcnow() - timedelta(days=days_ago))
    return make_followup(session, user_id, "场景测试跟进", customer_id=customer_id, **fields)


def choose(session: Session, user_id: int, followup_id: int, code: str, **values: Any) -> Any:
    data = FollowUpScenarioWrite(scenario_id=by_code(session, code).id, **values)
    record = scenarios.choose(session, scope_of(session, user_id), followup_id, data)
    session.flush()
    return record


def rate(session: Session, user_id: int, followup_id: int, quality: int, support: int = 0, stage: int = 0) -> Any:
    data = RatingWrite(quality=quality, support_effect=support, stage_effect=stage)
    record = scenarios.rate(session, scope_of(session, user_id), followup_id, data)
    session.flush()
    return record
