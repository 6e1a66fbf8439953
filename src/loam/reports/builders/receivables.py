"""Receivables (回款): planned against received per month, the overdue periods and their ageing (账龄).

Ageing and the overdue list come from the receivables service (:mod:`loam.receivables.ageing`); the
monthly sums from :mod:`loam.reports.receivables` (the service offers plan rows, not sums).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.reports import charts, periods
from loam.reports import receivables as sql
from loam.reports.builders.common import cols, people, pluck, table, totals
from loam.reports.repository import Criteria, money, pct
from loam.reports.schemas import Chart, ReportFilters, TableOut

Built = tuple[list[TableOut], list[Chart]]
ZERO = Decimal("0.00")
OVERDUE_TOP = 20
OVERDUE_SCAN = 2000  # overdue periods read from the service when filtering by user or department


def _monthly(session: Session, scope: Scope, c: Criteria) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    months = periods.buckets(c.window, "month")
    planned = sql.planned(session, scope, c, months)
    received = sql.received(session, scope, c, months)
    rows: list[dict[str, Any]] = []
    for i, b in enumerate(months):
        p, got = (money(v) for v in planned.get(i, (None, None)))
        rows.append(
            {"month": b.label, "planned": p, "collected": got, "rate": pct(got, p), "received": money(received.get(i))}
        )
    total: dict[str, Any] = {"month": _("Total")}
    for key in ("planned", "collected", "received"):
        total[key] = sum((r[key] for r in rows), ZERO)
    total["rate"] = pct(total["collected"], total["planned"])
    return rows, total


def _ageing(session: Session, scope: Scope, c: Criteria) -> list[Any]:
    """The service's buckets, summed over the chosen department and those below it."""
    from loam.receivables import ageing as receivable_ageing
    from loam.receivables.schemas import AgeingFilters

    departments: list[int | None] = list(c.department_ids) if c.department_ids is not None else [None]
    sums: dict[str, list[Any]] = {}
    for dept in departments:
        filters = AgeingFilters(owner_id=c.user_id, department_id=dept, currency=c.currency)
        for bucket in receivable_ageing.ageing(session, scope, filters=filters).buckets:
            n, amount = sums.get(bucket.key, [0, ZERO])
            sums[bucket.key] = [n + bucket.count, amount + bucket.amount]
    return [(key, n, money(amount)) for key, (n, amount) in sums.items()]


def _overdue(session: Session, scope: Scope, c: Criteria) -> list[Any]:
    """The largest overdue periods (TOP 20) in the currency, of the chosen user / departments."""
    from loam.receivables import ageing as receivable_ageing

    filtered = c.user_id is not None or c.department_ids is not None
    found = receivable_ageing.overdue(session, scope, limit=OVERDUE_SCAN if filtered else OVERDUE_TOP * 5)
    found = [p for p in found if p.currency == c.currency and (c.user_id is None or p.owner_id == c.user_id)]
    if c.department_ids is not None:
        depts = sql.contract_departments(session, scope, {p.contract_id for p in found})
        found = [p for p in found if depts.get(p.contract_id) in c.department_ids]
    return found[:OVERDUE_TOP]


MONTH_COLS = (
    ("month", N_("Month"), "text"),
    ("planned", N_("Planned"), "money"),
    ("collected", N_("Collected on plan"), "money"),
    ("rate", N_("Collection %"), "percent"),
    ("received", N_("Received in the month"), "money"),
)
AGEING_COLS = (
    ("bucket", N_("Days overdue"), "text"),
    ("count", N_("Periods"), "int"),
    ("amount", N_("Outstanding"), "money"),
)
OVERDUE_COLS = (
    ("contract", N_("Contract"), "text"),
    ("period", N_("Period no."), "int"),
    ("due_on", N_("Due on"), "text"),
    ("days", N_("Days overdue"), "int"),
    ("amount", N_("Amount"), "money"),
    ("received", N_("Received"), "money"),
    ("outstanding", N_("Outstanding"), "money"),
    ("owner", N_("Owner"), "text"),
)


def _overdue_rows(session: Session, overdue: list[Any]) -> list[dict[str, Any]]:
    today = periods.today()
    who = people(session, {p.owner_id for p in overdue if p.owner_id is not None})
    return [
        {
            "contract": p.contract_number,
            "period": p.number,
            "due_on": p.due_on.isoformat(),
            "days": (today - p.due_on).days,
        }
        | {
            "amount": p.amount,
            "received": money(p.received),
            "outstanding": p.outstanding,
            "owner": who.user(p.owner_id),
        }
        for p in overdue
    ]


def overview_report(session: Session, scope: Scope, f: ReportFilters, c: Criteria) -> Built:
    """Planned (due), collected against those plans and received per month of the period; today's ageing
    buckets and the largest overdue periods (not limited to the period: overdue is about today)."""
    from loam.receivables.schemas import BUCKETS

    rows, total = _monthly(session, scope, c)
    bucket_rows = [{"bucket": _(BUCKETS.get(k, k)), "count": n, "amount": a} for k, n, a in _ageing(session, scope, c)]
    overdue_rows = _overdue_rows(session, _overdue(session, scope, c))
    ageing_title = _("Ageing of overdue receivables on %(date)s", date=periods.today().isoformat())
    tables = [
        table("months", _("Planned vs received per month"), cols(*MONTH_COLS), rows, total),
        table(
            "ageing", ageing_title, cols(*AGEING_COLS), bucket_rows, totals(bucket_rows, "bucket", ("count", "amount"))
        ),
        table("overdue", _("Largest overdue receivables"), cols(*OVERDUE_COLS), overdue_rows),
    ]
    series = [
        (_(label), pluck(rows, key)) for key, label, _kind in MONTH_COLS if key in ("planned", "collected", "received")
    ]
    pie = charts.pie([(r["bucket"], r["amount"]) for r in bucket_rows], _("Outstanding"))
    return tables, [
        Chart("months", _("Planned vs received per month"), charts.bars(pluck(rows, "month"), series)),
        Chart("ageing", _("Ageing of overdue receivables"), pie),
    ]
