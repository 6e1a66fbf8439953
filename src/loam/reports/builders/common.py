"""Pieces every report builder uses: columns, tables, people and department labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from loam.errors import NotFound
from loam.kit.i18n import gettext as _
from loam.org import service as org_service
from loam.reports.schemas import ColumnOut, TableOut


def cols(*specs: tuple[str, str, str]) -> list[ColumnOut]:
    """Columns from (key, msgid, kind); labels are translated now, in the caller's locale."""
    return [ColumnOut(key=key, label=_(label), kind=kind) for key, label, kind in specs]  # type: ignore[arg-type]


def table(
    key: str,
    title: str,
    columns: list[ColumnOut],
    rows: list[dict[str, Any]],
    total: dict[str, Any] | None = None,
) -> TableOut:
    """A table; every row value must be a :data:`Cell` (int, Decimal, str or None)."""
    return TableOut(key=key, title=title, columns=columns, rows=rows, total=total)


@dataclass(frozen=True)
class People:
    """Display names of users and departments, and each user's department, looked up once per report."""

    users: dict[int, str]
    user_department: dict[int, int | None]
    departments: dict[int, str]

    def user(self, user_id: int | None) -> str:
        if user_id is None:
            return _("(none)")
        return self.users.get(user_id, f"#{user_id}")

    def department(self, department_id: int | None) -> str:
        if department_id is None:
            return _("(none)")
        return self.departments.get(department_id, f"#{department_id}")

    def department_of(self, user_id: int) -> str:
        return self.department(self.user_department.get(user_id))


def people(session: Session, user_ids: set[int]) -> People:
    """Names for ``user_ids`` (active or not) and every department (the org chart is not secret)."""
    names = org_service.names_by_id(session, set(user_ids)) if user_ids else {}
    user_department: dict[int, int | None] = {}
    for uid in user_ids:
        try:
            user_department[uid] = org_service.get_user(session, uid).department_id
        except NotFound:  # a vanished user only loses their department label
            user_department[uid] = None
    departments = {d.id: d.name for d in org_service.list_departments(session)}
    return People(names, user_department, departments)


def installed(domain: str) -> bool:
    """Whether a domain package (its service) is part of this installation."""
    import importlib.util

    try:
        return importlib.util.find_spec(f"loam.{domain}.service") is not None
    except ModuleNotFoundError:
        return False


def pluck(rows: list[dict[str, Any]], key: str) -> list[Any]:
    """One column of a table's rows (chart series)."""
    return [r.get(key) for r in rows]


def totals(rows: list[dict[str, Any]], label_key: str, sums: tuple[str, ...]) -> dict[str, Any]:
    """A total row: "Total" under ``label_key`` and the sum of each of ``sums`` (ints stay ints, money Decimal)."""
    from decimal import Decimal

    out: dict[str, Any] = {label_key: _("Total")}
    for key in sums:
        values = [r[key] for r in rows if r.get(key) is not None]
        out[key] = sum(values, Decimal("0.00")) if any(isinstance(v, Decimal) for v in values) else sum(values)
    return out
