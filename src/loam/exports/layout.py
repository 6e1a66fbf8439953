"""The column plan of one export: headers in the creator's language, the attributes to select, and one
converter per cell (choices as labels, users as logins, departments as name paths, company-time dates).

Built once per export from the shared column catalog (loam.kit.columns) and the entity's custom
fields, so an export re-imports through the same catalog with no changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from loam.config import settings
from loam.exports import formatting as fmt
from loam.exports import repository as repo
from loam.exports.entities import Exportable
from loam.kit import columns as catalog
from loam.kit import customfields
from loam.kit.i18n import gettext as _
from loam.kit.i18n import pick
from loam.org import service as org_service
from loam.org.schemas import UserFilters

WIDTHS = {"id": 9.0, "datetime": 19.0, "date": 11.0, "bool": 8.0, "choice": 12.0, "department": 24.0}
WIDE = {"name": 28.0, "company": 28.0, "customer": 28.0, "address": 30.0, "remark": 30.0, "content": 40.0}
WIDE |= {"contract_name": 28.0}


@dataclass
class Plan:
    headers: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)  # selected, in this order
    expressions: dict[str, Any] = field(default_factory=dict)  # attribute → SQL, when not a model column
    raw_datetimes: set[str] = field(default_factory=set)
    cells: list[fmt.Cell] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    date_headers: list[str] = field(default_factory=list)
    customer_index: int | None = None  # position of customer_id: names are resolved per batch
    customer_names: dict[int, str] = field(default_factory=dict)
    sheet: str = ""
    xlsx: bool = True


@dataclass(frozen=True)
class Refs:
    """Lookup tables built once per export (users and departments are small)."""

    logins: fmt.Labels
    departments: fmt.Labels
    yes_no: fmt.Labels
    local: Callable[[Any], Any]
    local_text: Callable[[Any], Any] | None


def refs(session: Session) -> Refs:
    in_sql = repo.local_time_in_sql(session, settings.timezone)
    users, _total = org_service.list_users(session, UserFilters.model_validate({}), 1, 1_000_000)
    depts = org_service.list_departments(session)
    names = {d.id: d.name for d in depts}
    paths = {d.id: "/".join(names.get(int(p), "?") for p in d.path.strip("/").split("/") if p) for d in depts}
    return Refs(
        logins=fmt.Labels({u.id: fmt.neutralise(u.username) for u in users}),
        departments=fmt.Labels({i: fmt.neutralise(p) for i, p in paths.items()}),
        yes_no=fmt.Labels({True: _("Yes"), False: _("No")}),
        local=fmt.parse_local if in_sql else fmt.local_time(settings.timezone),
        local_text=None if in_sql else fmt.local_time(settings.timezone, as_text=True),
    )


def build(session: Session, what: Exportable, file_format: str) -> Plan:
    """The plan for ``what`` in ``file_format`` (call inside ``use_locale(creator's locale)``)."""
    plan = Plan(sheet=_(catalog.ENTITY_LABELS[what.entity]), xlsx=file_format == "xlsx")
    plan.expressions = what.expressions() if what.expressions is not None else {}
    r = refs(session)
    for column in catalog.columns(what.entity):
        if not column.exportable:
            continue
        attribute = what.attribute(column.key)
        if column.kind == "datetime":
            plan.raw_datetimes.add(attribute)
        if column.kind == "customer":
            plan.customer_index = len(plan.attributes)
        if column.kind == "lookup":
            table = what.lookups[column.key](session)
            convert: Callable[[Any], Any] | None = fmt.Labels(
                {k: fmt.neutralise(v) for k, v in table.items()}
            ).__getitem__
        else:
            convert = _builtin(column, file_format, r, plan)
        _add(plan, _(column.label), fmt.Cell(len(plan.attributes), None, convert), column.kind, column.key)
        plan.attributes.append(attribute)
    if what.has_custom:
        definitions = customfields.definitions(session, what.entity)
        if definitions:
            index = len(plan.attributes)
            plan.attributes.append("custom")
            for d in definitions:
                kind = "date" if d.field_type == "date" else "text"
                label = pick(d.label_zh, d.label_en)
                _add(plan, label, fmt.Cell(index, d.key, _custom(d.field_type, file_format, r)), kind, d.key)
    return plan


def _add(plan: Plan, label: str, cell: fmt.Cell, kind: str, key: str) -> None:
    header = fmt.neutralise(label)
    while header in plan.headers:  # a custom field labelled like a built-in column
        header = f"{header} ({key})"
    plan.headers.append(header)
    plan.cells.append(cell)
    plan.widths.append(WIDE.get(key, WIDTHS.get(kind, 16.0)))
    if kind == "date" and plan.xlsx:
        plan.date_headers.append(header)


def _builtin(column: catalog.Column, file_format: str, r: Refs, plan: Plan) -> Callable[[Any], Any] | None:
    kind, csv = column.kind, file_format == "csv"
    if kind == "id":
        return None
    if kind == "choice":
        return fmt.Labels({k: _(v) for k, v in (column.choices or {}).items()}).__getitem__
    if kind == "datetime":
        return r.local_text if csv else r.local
    if kind == "date":
        return fmt.text_date if csv else None
    if kind == "bool":
        return r.yes_no.__getitem__
    if kind == "user":
        return r.logins.__getitem__
    if kind == "department":
        return r.departments.__getitem__
    if kind == "customer":
        return plan.customer_names.get
    if kind == "number":
        return fmt.as_text if csv else fmt.as_number
    return fmt.NEUTRALISE


def _custom(field_type: str, file_format: str, r: Refs) -> Callable[[Any], Any] | None:
    if field_type == "number":
        return None
    if field_type == "date":
        return fmt.neutralise if file_format == "csv" else fmt.iso_to_date
    if field_type == "boolean":
        return r.yes_no.__getitem__
    if field_type == "user":
        return r.logins.__getitem__
    if field_type == "multiselect":
        return fmt.joined(fmt.neutralise)
    return fmt.neutralise
