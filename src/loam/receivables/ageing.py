"""Overdue receivables and ageing (账龄): computed in SQL on a given day, never from a stored flag.

A plan period is overdue on day D when its due date is before D, its approved allocations do not cover its
amount, and its contract is live and not void. Days overdue = D − due date; buckets 0–30, 31–60, 61–90, 90+.
The daily job (:func:`detect_overdue`, see tasks.py) tells each contract owner once per period and due date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.errors import Invalid
from loam.kit.i18n import gettext as _
from loam.receivables import dates
from loam.receivables import repository as repo
from loam.receivables.common import ENTITY_PLAN, money
from loam.receivables.models import ZERO, ReceivablePlan
from loam.receivables.schemas import BUCKETS, AgeingFilters

MAX_RANGE_DAYS = 3660


@dataclass(frozen=True)
class Bucket:
    key: str  # "0-30" | "31-60" | "61-90" | "90+"
    count: int
    amount: Decimal  # outstanding (amount − approved allocations) of the overdue periods in the bucket


@dataclass(frozen=True)
class Ageing:
    as_of: date
    currency: str
    buckets: list[Bucket]
    count: int
    amount: Decimal


@dataclass(frozen=True)
class DueMonth:
    year: int
    month: int
    count: int  # plan periods falling due in the month
    planned: Decimal  # their amounts
    received: Decimal  # what approved receipts allocate to them


@dataclass
class OverdueRun:
    checked: int = 0
    notified: int = 0
    plan_ids: list[int] = field(default_factory=list)


def ageing(session: Session, scope: Scope, as_of: date | None = None, filters: AgeingFilters | None = None) -> Ageing:
    """The caller's overdue plan periods on ``as_of`` (default today) in four buckets by days overdue, with the
    count and outstanding amount of each (every bucket present, zero when empty). Same scope as the lists (R13)."""
    as_of = as_of or dates.today()
    filters = filters or AgeingFilters()
    found = {key: (n, amount) for key, n, amount in repo.ageing_rows(session, scope, as_of, filters)}
    buckets = [Bucket(key, *found.get(key, (0, ZERO))) for key in BUCKETS]
    total = sum((b.amount for b in buckets), ZERO)
    return Ageing(as_of, filters.currency, buckets, sum(b.count for b in buckets), total)


def plans_due(session: Session, scope: Scope, date_from: date, date_to: date) -> list[ReceivablePlan]:
    """The live plan periods the caller sees that fall due between two dates (inclusive), oldest first; each
    carries ``received`` (approved allocations) and ``outstanding`` — "planned vs received" for the reports."""
    if date_to < date_from or (date_to - date_from).days > MAX_RANGE_DAYS:
        raise Invalid(_("Choose a date range of at most ten years, the start before the end."))
    return repo.plans_due(session, scope, date_from, date_to)


def due_by_month(
    session: Session, scope: Scope, date_from: date, date_to: date, currency: str = "CNY"
) -> list[DueMonth]:
    """Planned vs received per due month for the plan periods the caller sees (void contracts left out), in
    one currency — the aggregate behind a "planned vs received" chart, one query whatever the number of plans."""
    if date_to < date_from or (date_to - date_from).days > MAX_RANGE_DAYS:
        raise Invalid(_("Choose a date range of at most ten years, the start before the end."))
    return [DueMonth(*row) for row in repo.due_by_month(session, scope, date_from, date_to, currency)]


def overdue(
    session: Session, scope: Scope, as_of: date | None = None, limit: int = 20, mine: bool = False
) -> list[ReceivablePlan]:
    """The caller's overdue periods on ``as_of``, largest outstanding first (TOP ``limit``; ``mine``: only
    contracts the caller owns — the dashboard's "my overdue receivables")."""
    return repo.overdue_page(session, scope, as_of or dates.today(), limit, mine)


def detect_overdue(session: Session, as_of: date | None = None, batch: int = 500) -> OverdueRun:
    """The system job: notify each contract owner of every overdue period (kind ``receivable_overdue``), at most
    once per period and due date (moving the due date makes a new reminder possible). Idempotent."""
    from loam.notifications import service as notification_service

    as_of = as_of or dates.today()
    run = OverdueRun()
    after = 0
    while rows := repo.overdue_batch(session, as_of, after, batch):
        for plan in rows:
            run.checked += 1
            if plan.owner_id is None:
                continue
            params = {
                "amount": money(plan.outstanding, plan.currency),
                "contract": plan.contract_number,
                "date": plan.due_on.isoformat(),
            }
            key = f"receivable_overdue:{plan.id}:{plan.due_on.isoformat()}"
            row = notification_service.notify(
                session, plan.owner_id, "receivable_overdue", params, ENTITY_PLAN, plan.id, dedupe_key=key
            )
            if row is not None:
                run.notified += 1
                run.plan_ids.append(plan.id)
        after = rows[-1].id
    session.flush()
    return run


def detect_overdue_now(session: Session, scope: Scope, as_of: date | None = None) -> OverdueRun:
    """Run the overdue reminders on demand (the CLI; needs ``receivables.update``)."""
    from loam.authz import service as authz_service

    authz_service.require(scope, Permission.receivables_update)
    return detect_overdue(session, as_of)
