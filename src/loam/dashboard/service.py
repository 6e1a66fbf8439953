"""The dashboard's numbers for the logged-in user, each computed by the domain that owns it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.customers import service as customer_service
from loam.leads import service as lead_service
from loam.pools import service as pool_service


@dataclass
class Dashboard:
    my_customers: int = 0
    leads_today: int = 0
    leads_today_list: list[Any] = field(default_factory=list)
    followups_due: int = 0
    followups_due_list: list[Any] = field(default_factory=list)
    returning: list[tuple[Any, datetime]] = field(default_factory=list)


def for_user(session: Session, scope: Scope) -> Dashboard:
    """The caller's own numbers: customers owned, leads to contact today, customers whose planned
    follow-up is due by tonight, and customers that will return to a public pool soon."""
    due = customer_service.contact_due(session, scope, limit=10)
    return Dashboard(
        my_customers=customer_service.count_owned(session, scope),
        leads_today=lead_service.count_due_today(session, scope) if scope.can("leads.view") else 0,
        leads_today_list=lead_service.due_today(session, scope, limit=10) if scope.can("leads.view") else [],
        followups_due=customer_service.count_contact_due(session, scope),
        followups_due_list=due,
        returning=pool_service.about_to_return(session, scope, limit=10),
    )
