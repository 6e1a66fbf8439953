"""Typed factories for lead tests; they go through the real services (R27)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.leads import service
from loam.leads.models import Lead
from loam.leads.schemas import LeadCreate
from tests.helpers import scope_of


def make_lead(session: Session, owner_id: int, name: str = "李雷", **fields: Any) -> Lead:
    lead = service.create(session, scope_of(session, owner_id), LeadCreate(name=name, **fields))
    session.flush()
    return lead
