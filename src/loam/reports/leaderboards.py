"""SQL of the leaderboards: top users by contract amount, receipts, new customers and follow-ups.

Each board is one GROUP BY over the caller's visible rows (see :mod:`loam.reports.repository`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.reports import repository as repo
from loam.reports.repository import Criteria

Row = tuple[int, Any, int]  # (user id, value, record count)


def _top(session: Session, stmt: Any, limit: int) -> list[Row]:
    return [(int(uid), value, int(n)) for uid, value, n in session.execute(stmt.limit(limit)) if uid is not None]


def contract_amount(session: Session, scope: Scope, c: Criteria, limit: int = 10) -> list[Row]:
    """Approved contracts signed in the window, summed per owner."""
    from loam.contracts.models import Contract

    total = func.sum(Contract.amount)
    stmt = (
        select(Contract.owner_id, total, func.count())
        .where(
            repo.contract_visible(scope),
            Contract.status == "approved",
            Contract.currency == c.currency,
            Contract.owner_id.is_not(None),
            *c.window.where(Contract.signed_on, timestamp=False),
            *repo.owned(c, Contract.owner_id, Contract.department_id),
            *repo.with_category("contract", Contract.id, c),
        )
        .group_by(Contract.owner_id)
        .order_by(desc(total), Contract.owner_id)
    )
    return _top(session, stmt, limit)


def receipts(session: Session, scope: Scope, c: Criteria, limit: int = 10) -> list[Row]:
    """Approved receipts received in the window, summed per owner of their contract."""
    from loam.contracts.models import Contract
    from loam.receivables.models import Receivable

    total = func.sum(Receivable.amount)
    stmt = (
        select(Contract.owner_id, total, func.count())
        .join(Contract, Contract.id == Receivable.contract_id)
        .where(
            repo.receivable_visible(scope),
            Receivable.status == "approved",
            Receivable.currency == c.currency,
            Contract.owner_id.is_not(None),
            *c.window.where(Receivable.received_on, timestamp=False),
            *repo.owned(c, Contract.owner_id, Contract.department_id),
        )
        .group_by(Contract.owner_id)
        .order_by(desc(total), Contract.owner_id)
    )
    return _top(session, stmt, limit)


def new_customers(session: Session, scope: Scope, c: Criteria, limit: int = 10) -> list[Row]:
    """Customers created in the window, counted per current owner."""
    from loam.customers.models import Customer

    n = func.count()
    stmt = (
        select(Customer.owner_id, n, n)
        .where(
            repo.customer_visible(scope),
            Customer.owner_id.is_not(None),
            *c.window.where(Customer.created_at, timestamp=True),
            *repo.owned(c, Customer.owner_id, Customer.department_id),
        )
        .group_by(Customer.owner_id)
        .order_by(desc(n), Customer.owner_id)
    )
    return _top(session, stmt, limit)


def followups(session: Session, scope: Scope, c: Criteria, limit: int = 10) -> list[Row]:
    """Follow-ups that happened in the window, counted per author (the department filter is the author's)."""
    from loam.activities.models import FollowUp
    from loam.org.models import User

    n = func.count()
    stmt = (
        select(FollowUp.created_by, n, n)
        .join(User, User.id == FollowUp.created_by)
        .where(
            repo.followup_visible(scope),
            *c.window.where(FollowUp.occurred_at, timestamp=True),
            *repo.owned(c, FollowUp.created_by, User.department_id),
        )
        .group_by(FollowUp.created_by)
        .order_by(desc(n), FollowUp.created_by)
    )
    return _top(session, stmt, limit)
