"""Contract amount (合同金额) by signing month, department, user or product (product lines)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.reports import charts, contracts, periods
from loam.reports.builders.common import cols, people, table
from loam.reports.repository import Criteria, money
from loam.reports.schemas import BY, Chart, ReportFilters, TableOut

Built = tuple[list[TableOut], list[Chart]]
ZERO = Decimal("0.00")


def _rows_by(session: Session, scope: Scope, c: Criteria, by: str) -> tuple[list[dict[str, Any]], list[Any]]:
    rows: list[dict[str, Any]]
    if by == "month":
        items = periods.buckets(c.window, "month")
        found = contracts.per_bucket(session, scope, c, items)
        rows = [
            {"key": b.label, "contracts": found.get(i, (0, None))[0], "amount": money(found.get(i, (0, None))[1])}
            for i, b in enumerate(items)
        ]
        return rows, cols(("key", N_("Month"), "text"))
    if by == "product":
        products = contracts.per_product(session, scope, c)
        rows = [
            {
                "key": name,
                "contracts": n,
                "quantity": Decimal(str(qty or 0)).quantize(Decimal("0.0001")),
                "amount": money(amount),
            }
            for name, n, qty, amount in products.values()
        ]
        rows.sort(key=lambda r: (-r["amount"], r["key"]))
        return rows, cols(("key", N_("Product"), "text"))
    column = "department_id" if by == "department" else "owner_id"
    found = contracts.per_column(session, scope, c, column)
    who = people(session, {k for k in found if k is not None} if by == "user" else set())
    rows = []
    for k, (n, amount) in found.items():
        row: dict[str, Any] = {"key": who.department(k) if by == "department" else who.user(k)}
        if by == "user":
            row["department"] = who.department_of(k) if k is not None else ""
        rows.append(row | {"contracts": n, "amount": money(amount)})
    rows.sort(key=lambda r: (-r["amount"], r["key"]))
    label = N_("Department") if by == "department" else N_("User")
    extra = [("department", N_("Department"), "text")] if by == "user" else []
    return rows, cols(("key", label, "text"), *extra)


def amount_report(session: Session, scope: Scope, f: ReportFilters, c: Criteria) -> Built:
    """Approved contracts signed in the period, summed by the chosen dimension (contract count and amount;
    for products the quantity and the sum of their line subtotals)."""
    by = f.by or "month"
    rows, columns = _rows_by(session, scope, c, by)
    columns += cols(("contracts", N_("Contracts"), "int"))
    if by == "product":
        columns += cols(("quantity", N_("Quantity"), "number"))
    columns += cols(("amount", N_("Amount"), "money"))
    total: dict[str, Any] | None = None
    if by != "product":  # a contract with several products would count twice in a product total
        total = {
            "key": _("Total"),
            "contracts": sum(r["contracts"] for r in rows),
            "amount": sum((r["amount"] for r in rows), ZERO),
        }
    title = _("Contract amount by %(dimension)s", dimension=_(BY[by]).lower())
    chart = charts.bars(
        [r["key"] for r in rows], [(_("Amount"), [r["amount"] for r in rows])], horizontal=by != "month"
    )
    return [table(by, title, columns, rows, total)], [Chart(by, title, chart)]
