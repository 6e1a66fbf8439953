"""SQL of the targets-vs-actual report: actual contract amount and receipts per owner, department and month.

One GROUP BY per metric over the caller's visible records (see :mod:`loam.reports.repository`); the
department sub-trees and the quarter/year sums are added up from these few rows in Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.reports import repository as repo
from loam.reports.periods import Bucket, Window, bucket_index

Actual = list[tuple[int | None, int | None, int, Any]]  # (owner id, department id, month index, sum)


def _grouped(session: Session, inner: Any) -> Actual:
    sub = inner.subquery()
    stmt = select(sub.c.owner_id, sub.c.department_id, sub.c.b, func.sum(sub.c.amount)).group_by(
        sub.c.owner_id, sub.c.department_id, sub.c.b
    )
    return [(o, d, int(b), total) for o, d, b, total in session.execute(stmt) if b is not None]


def contract_amounts(session: Session, scope: Scope, window: Window, months: list[Bucket], currency: str) -> Actual:
    """Approved contracts by owner, department and signing month."""
    from loam.contracts.models import Contract

    inner = select(
        Contract.owner_id,
        Contract.department_id,
        bucket_index(Contract.signed_on, months, timestamp=False).label("b"),
        Contract.amount.label("amount"),
    ).where(
        repo.contract_visible(scope),
        Contract.status == "approved",
        Contract.currency == currency,
        *window.where(Contract.signed_on, timestamp=False),
    )
    return _grouped(session, inner)


def receipts(session: Session, scope: Scope, window: Window, months: list[Bucket], currency: str) -> Actual:
    """Approved receipts by their contract's owner and department, and month received."""
    from loam.contracts.models import Contract
    from loam.receivables.models import Receivable

    inner = (
        select(
            Contract.owner_id,
            Contract.department_id,
            bucket_index(Receivable.received_on, months, timestamp=False).label("b"),
            Receivable.amount.label("amount"),
        )
        .join(Contract, Contract.id == Receivable.contract_id)
        .where(
            repo.receivable_visible(scope),
            Receivable.status == "approved",
            Receivable.currency == currency,
            *window.where(Receivable.received_on, timestamp=False),
        )
    )
    return _grouped(session, inner)
