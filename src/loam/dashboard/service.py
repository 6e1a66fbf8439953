"""The dashboard's numbers for the logged-in user, each computed by the domain that owns it.

Sections of optional domains (opportunities, approvals, receivables, contracts) are ``None`` when the
domain is not installed or the user lacks its view permission; the page then leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.customers import service as customer_service
from loam.leads import service as lead_service
from loam.pools import service as pool_service
from loam.reports.builders.common import installed

LIST_SIZE = 10
EXPIRING_SCAN = 1000  # expiring contracts read to find the caller's own


@dataclass
class Dashboard:
    my_customers: int = 0
    leads_today: int = 0
    leads_today_list: list[Any] = field(default_factory=list)
    followups_due: int = 0
    followups_due_list: list[Any] = field(default_factory=list)
    returning: list[tuple[Any, datetime]] = field(default_factory=list)
    my_pipeline: list[Any] | None = None
    approvals_pending: int | None = None
    overdue_receivables: list[Any] | None = None
    expiring_contracts: list[Any] | None = None


def for_user(session: Session, scope: Scope) -> Dashboard:
    """The caller's own numbers: customers owned, leads to contact today, customers whose planned
    follow-up is due by tonight, customers that will return to a public pool soon; and, where installed
    and permitted, their open pipeline, approvals awaiting them, overdue receivables and expiring contracts."""
    due = customer_service.contact_due(session, scope, limit=10)
    board = Dashboard(
        my_customers=customer_service.count_owned(session, scope),
        leads_today=lead_service.count_due_today(session, scope) if scope.can("leads.view") else 0,
        leads_today_list=lead_service.due_today(session, scope, limit=10) if scope.can("leads.view") else [],
        followups_due=customer_service.count_contact_due(session, scope),
        followups_due_list=due,
        returning=pool_service.about_to_return(session, scope, limit=10),
    )
    board.my_pipeline = _my_pipeline(session, scope)
    board.approvals_pending = _approvals_pending(session, scope)
    board.overdue_receivables = _overdue(session, scope)
    board.expiring_contracts = _expiring(session, scope)
    return board


def _my_pipeline(session: Session, scope: Scope) -> list[Any] | None:
    if not installed("opportunities") or not scope.can("opportunities.view"):
        return None
    from loam.reports import service as report_service

    return report_service.my_pipeline(session, scope)


def _approvals_pending(session: Session, scope: Scope) -> int | None:
    if not installed("approvals") or scope.user_id is None:
        return None
    from loam.approvals import reads as approval_reads

    return approval_reads.counts(session, scope)["pending"]


def _overdue(session: Session, scope: Scope) -> list[Any] | None:
    if not installed("receivables") or not scope.can("receivables.view"):
        return None
    from loam.receivables import ageing as receivable_ageing

    return receivable_ageing.overdue(session, scope, limit=LIST_SIZE, mine=True)


def _expiring(session: Session, scope: Scope) -> list[Any] | None:
    """Approved contracts the caller owns that end within the contracts' reminder window, soonest first."""
    if not installed("contracts") or not scope.can("contracts.view"):
        return None
    from loam.contracts import lifecycle as contract_lifecycle

    found = contract_lifecycle.expiring(session, scope, limit=EXPIRING_SCAN)
    return [c for c in found if c.owner_id == scope.user_id][:LIST_SIZE]


def today() -> Any:
    """Today in the company's time zone (days overdue, days left)."""
    from loam.reports.periods import today as local_today

    return local_today()
