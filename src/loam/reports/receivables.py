"""SQL of the receivables report that the receivables service does not offer as aggregates: planned,
collected-against-plan and received amounts per month (its ``plans_due`` returns rows, not sums).

Same visibility as the receivables lists (see :func:`loam.reports.repository.receivable_contract_rule`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.reports import repository as repo
from loam.reports.periods import Bucket, bucket_index
from loam.reports.repository import Criteria


def _plan_where(scope: Scope, c: Criteria) -> list[Any]:
    from loam.contracts.models import Contract
    from loam.receivables.models import ReceivablePlan

    if not scope.can(Permission.receivables_view):
        return [repo.false_clause()]
    return [
        ReceivablePlan.deleted_at.is_(None),
        Contract.deleted_at.is_(None),
        Contract.status != "void",
        repo.receivable_contract_rule(scope),
        ReceivablePlan.currency == c.currency,
        *c.window.where(ReceivablePlan.due_on, timestamp=False),
        *repo.owned(c, Contract.owner_id, Contract.department_id),
    ]


def planned(session: Session, scope: Scope, c: Criteria, months: list[Bucket]) -> dict[int, tuple[Any, Any]]:
    """Per month of the due date, over the live plan periods of live, not void contracts: (Σ amount planned,
    Σ of what the approved live receipts allocate to them — the plans' stored ``received``)."""
    from loam.contracts.models import Contract
    from loam.receivables.models import ReceivablePlan

    sub = (
        select(
            bucket_index(ReceivablePlan.due_on, months, timestamp=False).label("b"),
            ReceivablePlan.amount.label("amount"),
            ReceivablePlan.received.label("got"),
        )
        .join(Contract, Contract.id == ReceivablePlan.contract_id)
        .where(*_plan_where(scope, c))
        .subquery()
    )
    stmt = select(sub.c.b, func.sum(sub.c.amount), func.sum(sub.c.got)).group_by(sub.c.b)
    return {int(b): (amount, got) for b, amount, got in session.execute(stmt) if b is not None}


def received(session: Session, scope: Scope, c: Criteria, months: list[Bucket]) -> dict[int, Any]:
    """Σ of the approved, live receipts received in each month (cash in, whatever period they pay)."""
    from loam.contracts.models import Contract
    from loam.receivables.models import Receivable

    inner = (
        select(
            bucket_index(Receivable.received_on, months, timestamp=False).label("b"), Receivable.amount.label("amount")
        )
        .join(Contract, Contract.id == Receivable.contract_id)
        .where(
            repo.receivable_visible(scope),
            Receivable.status == "approved",
            Receivable.currency == c.currency,
            *c.window.where(Receivable.received_on, timestamp=False),
            *repo.owned(c, Contract.owner_id, Contract.department_id),
        )
    ).subquery()
    stmt = select(inner.c.b, func.sum(inner.c.amount)).group_by(inner.c.b)
    return {int(b): amount for b, amount in session.execute(stmt) if b is not None}


def contract_departments(session: Session, scope: Scope, contract_ids: set[int]) -> dict[int, int | None]:
    """The department of each of these visible contracts (to filter the overdue list by department)."""
    from loam.contracts.models import Contract

    if not contract_ids:
        return {}
    stmt = select(Contract.id, Contract.department_id).where(
        Contract.id.in_(contract_ids), Contract.deleted_at.is_(None)
    )
    return {int(i): d for i, d in session.execute(stmt)}
