"""Targets vs actual (目标完成): each target's month values against the actual contract amount or receipts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.errors import Invalid
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.org import service as org_service
from loam.reports import charts, periods, targets
from loam.reports import repository as repo
from loam.reports.builders.common import cols, installed, people, pluck, table
from loam.reports.repository import Criteria, money, pct
from loam.reports.schemas import METRICS, Chart, ReportFilters, TableOut

Built = tuple[list[TableOut], list[Chart]]
ZERO = Decimal("0.00")
SPANS = {"month": 1, "quarter": 3, "year": 12}


@dataclass
class Subject:
    kind: str  # user | department
    id: int
    name: str
    department: str
    target: list[Decimal] = field(default_factory=lambda: [ZERO] * 12)
    actual: list[Decimal] = field(default_factory=lambda: [ZERO] * 12)


def _subjects(session: Session, scope: Scope, f: ReportFilters, c: Criteria, year: int, metric: str) -> list[Subject]:
    from loam.reports import targets_service

    reach = targets_service.reach(session, scope)
    users: list[int] | None = None
    depts: list[int] | None = None
    if f.user_id is not None:
        users, depts = [f.user_id], []
    elif c.department_ids is not None:
        depts = list(c.department_ids)
        users = [u.id for u in org_service.active_users(session) if u.department_id in c.department_ids]
    found = [t for t in repo.targets_of(session, reach, year, metric, users, depts) if t.currency == c.currency]
    wanted: dict[tuple[str, int], Any] = {(_kind(t), int(t.user_id or t.department_id or 0)): t for t in found}
    users_reach, depts_reach = reach.users[metric], reach.departments[metric]
    if f.user_id is not None and (users_reach is None or f.user_id in users_reach):
        wanted.setdefault(("user", f.user_id), None)
    if f.department_id is not None and (depts_reach is None or f.department_id in depts_reach):
        wanted.setdefault(("department", f.department_id), None)
    who = people(session, {i for k, i in wanted if k == "user"})
    out = []
    for (kind, sid), t in wanted.items():
        name = who.user(sid) if kind == "user" else who.department(sid)
        s = Subject(kind, sid, name, who.department_of(sid) if kind == "user" else "")
        if t is not None:
            s.target = list(t.months)
        out.append(s)
    return sorted(out, key=lambda s: (s.kind != "department", s.name))


def _fill_actuals(session: Session, scope: Scope, c: Criteria, subjects: list[Subject], metric: str) -> None:
    months = periods.buckets(c.window, "month")
    query = targets.contract_amounts if metric == "contract_amount" else targets.receipts
    rows = query(session, scope, c.window, months, c.currency)
    departments = org_service.list_departments(session)
    path = {d.id: d.path for d in departments}
    for s in subjects:
        if s.kind == "user":
            match = [r for r in rows if r[0] == s.id]
        else:
            prefix = path.get(s.id, "\0")
            match = [r for r in rows if r[1] is not None and path.get(r[1], "").startswith(prefix)]
        for _owner, _dept, month, amount in match:
            s.actual[month] += money(amount)


NUMBERS = (
    ("target", N_("Target"), "money"),
    ("actual", N_("Actual"), "money"),
    ("completion", N_("Completion %"), "percent"),
)
SUMMARY_COLS = (
    ("subject", N_("Target of"), "text"),
    ("kind", N_("Type"), "text"),
    ("department", N_("Department"), "text"),
    *NUMBERS,
)
PERIOD_COLS = (("subject", N_("Target of"), "text"), ("period", N_("Period"), "text"), *NUMBERS)


def _numbers(target: list[Decimal], actual: list[Decimal]) -> dict[str, Any]:
    t, a = sum(target, ZERO), sum(actual, ZERO)
    return {"target": t, "actual": a, "completion": pct(a, t)}


def _rows(subjects: list[Subject], labels: list[str], span: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The year total per subject, and each subject per month / quarter / year (``span`` months each)."""
    summary: list[dict[str, Any]] = []
    detail: list[dict[str, Any]] = []
    for s in subjects:
        kind = _("Department") if s.kind == "department" else _("User")
        summary.append({"subject": s.name, "kind": kind, "department": s.department} | _numbers(s.target, s.actual))
        for i, label in enumerate(labels):
            part = slice(i * span, (i + 1) * span)
            detail.append({"subject": s.name, "period": label} | _numbers(s.target[part], s.actual[part]))
    return summary, detail


def versus_report(session: Session, scope: Scope, f: ReportFilters, c: Criteria) -> Built:
    """Per target (user or department): target, actual and completion % for the year and per month,
    quarter or year; department actuals include the departments below."""
    year = c.window.start.year if c.window.start else periods.today().year
    metric = f.metric or "contract_amount"
    interval = f.interval or "month"
    if interval == "week":
        raise Invalid(_("Targets are set per month: choose month, quarter or year."))
    if metric == "receipts" and not installed("receivables"):
        raise Invalid(_("Receivables are not installed."))
    subjects = _subjects(session, scope, f, c, year, metric)
    _fill_actuals(session, scope, c, subjects, metric)
    labels = [b.label for b in periods.buckets(periods.year_window(year), interval)]
    summary, detail = _rows(subjects, labels, SPANS[interval])
    title = _("%(metric)s targets %(year)s", metric=_(METRICS[metric]), year=year)
    tables = [
        table("summary", title, cols(*SUMMARY_COLS), summary),
        table("periods", _("Per period"), cols(*PERIOD_COLS), detail),
    ]
    bars = [(_("Target"), pluck(summary, "target")), (_("Actual"), pluck(summary, "actual"))]
    line = (_("Completion %"), pluck(summary, "completion"))
    shown = [Chart("summary", title, charts.bars(pluck(summary, "subject"), bars, line=line, line_percent=False))]
    if len(subjects) == 1:
        bars = [(_("Target"), pluck(detail, "target")), (_("Actual"), pluck(detail, "actual"))]
        shown.append(Chart("periods", _("Per period"), charts.bars(labels, bars)))
    return tables, shown


def _kind(t: Any) -> str:
    return "user" if t.user_id else "department"
