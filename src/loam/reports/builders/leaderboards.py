"""Leaderboards (排行榜): the top ten users by contract amount, receipts, new customers and follow-ups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.reports import charts, leaderboards
from loam.reports.builders.common import cols, installed, people, table
from loam.reports.repository import Criteria, money
from loam.reports.schemas import Chart, ReportFilters, TableOut

TOP = 10
# key, title, domain that must be installed, permission to see its records, query, money?
BOARDS: list[tuple[str, str, str, str, Callable[..., Any], bool]] = [
    ("contracts", N_("Contract amount"), "contracts", "contracts.view", leaderboards.contract_amount, True),
    ("receipts", N_("Receipts"), "receivables", "receivables.view", leaderboards.receipts, True),
    ("customers", N_("New customers"), "customers", "customers.view", leaderboards.new_customers, False),
    ("followups", N_("Follow-ups"), "activities", "followups.view", leaderboards.followups, False),
]


def build(session: Session, scope: Scope, f: ReportFilters, c: Criteria) -> tuple[list[TableOut], list[Chart]]:
    """One table and one bar chart per board the installation has and the caller may see."""
    results = []
    for key, title, domain, permission, query, is_money in BOARDS:
        if installed(domain) and scope.can(permission):
            results.append((key, title, query(session, scope, c, TOP), is_money))
    who = people(session, {uid for _k, _t, rows, _m in results for uid, _v, _n in rows})
    tables, shown = [], []
    for key, title, rows, is_money in results:
        value_col = ("value", N_("Amount") if is_money else N_("Count"), "money" if is_money else "int")
        columns = cols(
            ("rank", N_("Rank"), "int"),
            ("user", N_("User"), "text"),
            ("department", N_("Department"), "text"),
            value_col,
        )
        if is_money:
            columns += cols(("records", N_("Records"), "int"))
        out = []
        for rank, (uid, value, n) in enumerate(rows, start=1):
            row: dict[str, Any] = {"rank": rank, "user": who.user(uid), "department": who.department_of(uid)}
            row["value"] = money(value) if is_money else int(value)
            if is_money:
                row["records"] = n
            out.append(row)
        tables.append(table(key, _(title), columns, out))
        shown.append(
            Chart(
                key,
                _(title),
                charts.bars([r["user"] for r in out], [(_(title), [r["value"] for r in out])], horizontal=True),
            )
        )
    return tables, shown
