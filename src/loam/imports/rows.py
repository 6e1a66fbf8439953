"""From a file row to checked values: the plan of a run, cell parsing per mapped column, required
fields, owner and department against the importer's data scope, custom fields, and the dedup index."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.config import settings
from loam.db import utcnow
from loam.errors import Invalid
from loam.imports.cells import FALSE, TRUE, CellError, Refs, compile_parser, department_key, parse_date, text_of
from loam.imports.mapping import CUSTOM_PREFIX, IGNORE
from loam.kit import customfields, normalize
from loam.kit.columns import Column, columns
from loam.kit.i18n import gettext as _
from loam.org import service as org_service

MODULES = {"customer": "customers", "lead": "leads", "contact": "contacts", "followup": "followups"}


class RowError(Exception):
    """A row that is not imported; its messages go into the error column."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class Plan:
    """What every batch of a run needs, built once per run."""

    entity: str
    scope: Scope
    policy: str  # skip | update | error
    dry_run: bool
    note: str
    slots: list[tuple[int, Column | None, str | None]]  # column index, built-in column or custom key
    parsers: list[tuple[int, str, Any]]  # column index, value key, parser (built-in columns only)
    refs: Refs
    user_departments: dict[int, int | None]
    allowed_departments: set[int] | None
    check_custom: bool
    custom_types: dict[str, str]
    required: list[Column] = field(default_factory=list)
    now: datetime | None = None  # set per batch by a bulk writer: creation dates are checked against it

    @property
    def module(self) -> str:
        return MODULES[self.entity]


def build_plan(
    session: Session, scope: Scope, entity: str, mapping: list[str], policy: str, dry_run: bool, note: str
) -> Plan:
    by_key = {c.key: c for c in columns(entity) if c.importable}
    slots = [
        (i, by_key.get(t), t.removeprefix(CUSTOM_PREFIX) if t.startswith(CUSTOM_PREFIX) else None)
        for i, t in enumerate(mapping)
        if t != IGNORE
    ]
    users = org_service.active_users(session)
    refs = Refs(users={}, departments=_department_paths(session))
    if any(c is not None and c.kind == "customer" for _i, c, _k in slots):
        refs.customers = _customer_names(session, scope)
    for u in users:
        refs.users[u.username.casefold()] = u.id
        if u.email:
            refs.users.setdefault(u.email.casefold(), u.id)
    owners = scope.owners(MODULES[entity])
    user_departments = {u.id: u.department_id for u in users}
    allowed = None if owners is None else {d for uid, d in user_departments.items() if uid in owners and d}
    custom_defs = customfields.definitions(session, entity)
    parsers = [(i, c.key, compile_parser(c, refs)) for i, c, _k in slots if c is not None]
    return Plan(
        entity=entity,
        scope=scope,
        policy=policy,
        dry_run=dry_run,
        note=note,
        slots=slots,
        parsers=parsers,
        refs=refs,
        user_departments=user_departments,
        allowed_departments=allowed,
        check_custom=any(k for _i, _c, k in slots) or any(f.required for f in custom_defs),
        custom_types={f.key: f.field_type for f in custom_defs},
        required=[c for c in by_key.values() if c.required],
    )


def _customer_names(session: Session, scope: Scope) -> dict[str, list[int]]:
    """Normalised name → ids of the customers the importer can see (the customer column of contacts and
    follow-ups resolves only to those)."""
    from loam.customers import service as customer_service

    out: dict[str, list[int]] = {}
    for customer_id, name_norm in customer_service.import_name_keys(session, scope):
        out.setdefault(name_norm, []).append(customer_id)
    return out


def _department_paths(session: Session) -> dict[str, int]:
    """Folded "name/name/name" path (and each department's own name when unique) → department id."""
    depts = org_service.list_departments(session)
    names = {d.id: d.name for d in depts}
    out: dict[str, int] = {}
    counts: dict[str, int] = {}
    for d in depts:
        parts = [names[int(p)] for p in d.path.strip("/").split("/") if p and int(p) in names]
        out[department_key("/".join(parts))] = d.id
        counts[department_key(d.name)] = counts.get(department_key(d.name), 0) + 1
    for d in depts:
        if counts[department_key(d.name)] == 1:
            out.setdefault(department_key(d.name), d.id)
    return out


def parse_row(plan: Plan, cells: list[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Built-in values (by column key) and raw custom values of one row; RowError lists every problem."""
    errors: list[str] = []
    try:  # the common row: every cell parses (one comprehension, no per-cell exception frame)
        values = {key: parser(cells[index]) for index, key, parser in plan.parsers}
    except (CellError, IndexError):
        values = _parse_cells(plan, cells, errors)
    created = values.get("created_at")
    if created is not None and created > (plan.now or utcnow()):
        errors.append(_("The creation date cannot be in the future."))
    custom = _custom_values(plan, cells, errors) if plan.check_custom else {}
    if values.get("id") is None:
        missing = [c for c in plan.required if c.key in values and values[c.key] is None]
        errors += [_("%(column)s is required.", column=_(c.label)) for c in missing]
    if errors:
        raise RowError(errors)
    return values, custom


def _parse_cells(plan: Plan, cells: list[Any], errors: list[str]) -> dict[str, Any]:
    """Cell by cell, collecting every cell's problem (a short row's missing cells are empty)."""
    values: dict[str, Any] = {}
    for index, key, parser in plan.parsers:
        try:
            values[key] = parser(cells[index])
        except CellError as exc:
            errors.append(str(exc))
        except IndexError:
            values[key] = None
    return values


def _custom_values(plan: Plan, cells: list[Any], errors: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for index, col, custom_key in plan.slots:
        if col is None and custom_key is not None:
            raw = cells[index] if index < len(cells) else None
            if isinstance(raw, str) and len(raw) > settings.import_max_cell_chars:
                errors.append(_too_long(plan, index, len(raw)))
                continue
            out[custom_key] = _custom_cell(raw, plan.custom_types.get(custom_key, "text"), plan.refs)
    return out


def _too_long(plan: Plan, index: int, length: int) -> str:
    label = next((_(c.label) if c is not None else str(k) for i, c, k in plan.slots if i == index), str(index))
    return _(
        "%(column)s: the cell has %(m)s characters, at most %(n)s.",
        column=label,
        m=length,
        n=settings.import_max_cell_chars,
    )


def _custom_cell(raw: Any, field_type: str, refs: Refs) -> Any:
    """A custom-field cell in the form the custom-field validator takes (as an export writes them: dates as
    date cells, yes/no as 是/否, users by login, multi-select options joined with "; ")."""
    if raw is None or isinstance(raw, bool):
        return raw
    if hasattr(raw, "isoformat"):
        value = parse_date(raw)
        return value.isoformat()[:10] if value is not None else None
    text = text_of(raw)
    if not text:
        return None
    if field_type == "boolean":
        folded = text.casefold()
        return True if folded in TRUE else False if folded in FALSE else text
    if field_type == "multiselect":
        return [part.strip() for part in re.split(r"[;；,，]", text) if part.strip()]
    if field_type == "user":
        return refs.users.get(text.casefold(), text)
    if field_type == "date":
        try:
            day = parse_date(raw)
        except (ValueError, OverflowError):
            return text
        return day.isoformat()[:10] if day is not None else None
    return text


def ownership(plan: Plan, values: dict[str, Any]) -> tuple[int | None, int | None]:
    """The new record's owner (the importer unless an owner column names someone in the importer's data
    scope) and department (the department column within that scope, else the owner's department)."""
    owner = values.pop("owner", None) or plan.scope.user_id
    department = values.pop("department", None)
    if owner != plan.scope.user_id and not plan.scope.sees_owner(plan.module, owner):
        raise RowError(
            [_("The owner is outside your data scope: import records for yourself or the people you manage.")]
        )
    if department is None:
        return owner, plan.user_departments.get(owner) if owner else plan.scope.department_id
    if plan.allowed_departments is not None and department not in plan.allowed_departments:
        raise RowError([_("The department is outside your data scope.")])
    return owner, department


def check_custom(
    session: Session, plan: Plan, model: Any, custom: dict[str, Any], record_id: int | None
) -> dict[str, Any]:
    """Custom values validated like a form (types, options, required on create, unique)."""
    if not plan.check_custom:
        return {}
    assert session is not None, "custom fields are checked against the database"
    try:
        return customfields.validate(session, model, plan.entity, custom, record_id, partial=record_id is not None)
    except Invalid as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {}
        raise RowError([f"{k.removeprefix('custom.')}: {v}" for k, v in detail.items()] or [exc.message]) from None


class KeyIndex:
    """Normalised dedup keys → record id, for existing records and the rows of this run.

    Rows of this run that are not inserted yet are held as ``-line`` until their id is known."""

    KINDS = ("name", "phone", "email")

    def __init__(self, track_pending: bool = True) -> None:
        self.track_pending = track_pending  # only needed when rows are later settled to their ids
        self.maps: dict[str, dict[str, int]] = {k: {} for k in self.KINDS}
        self.owners: dict[int, int | None] = {}
        self.run_lines: dict[int, int] = {}  # record id → the line of this run that created it
        self.pending: dict[int, dict[str, str | None]] = {}  # line → keys, until the row has its id

    def add(self, record_id: int, keys: dict[str, str | None], owner_id: int | None = None) -> None:
        for kind, key in keys.items():
            if key:
                self.maps[kind].setdefault(key, record_id)
        self.owners[record_id] = owner_id
        if record_id < 0 and self.track_pending:
            self.pending[-record_id] = keys

    def find(self, keys: dict[str, str | None]) -> tuple[int, str] | None:
        for kind in self.KINDS:
            key = keys.get(kind)
            if key and key in self.maps[kind]:
                return self.maps[kind][key], kind
        return None

    def settle(self, line: int, record_id: int) -> None:
        """A row of this run got its id: re-point its keys from ``-line``."""
        for kind, key in self.pending.pop(line, {}).items():
            if key and self.maps[kind].get(key) == -line:
                self.maps[kind][key] = record_id
        self.owners[record_id] = self.owners.pop(-line, None)
        self.run_lines[record_id] = line


def company_keys(name: str | None, phone: str | None, email: str | None) -> dict[str, str | None]:
    return {"name": normalize.company(name) or None, "phone": normalize.phone(phone), "email": normalize.email(email)}
