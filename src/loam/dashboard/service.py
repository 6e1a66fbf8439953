"""The dashboard's numbers for the logged-in user, each computed by the domain that owns it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.customers import service as customer_service


@dataclass
class Dashboard:
    my_customers: int = 0
    followups_due: list[Any] = field(default_factory=list)


def for_user(session: Session, scope: Scope) -> Dashboard:
    """Counts and short lists for the caller only (their own records), all within their scope."""
    return Dashboard(
        my_customers=customer_service.count_owned(session, scope),
        followups_due=customer_service.contact_due(session, scope),
    )
