"""Writing a batch of parsed rows: customers in bulk through the driver (the 1M-row path), leads,
contacts and follow-ups row by row through their own services (every rule of theirs applies).

Each writer returns one :class:`Outcome` per row: new, updated, skipped (a duplicate under the
``skip`` policy, or an update that changed nothing) or error — so the counts always add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from loam.db import utcnow
from loam.errors import LoamError
from loam.imports.rows import KeyIndex, Plan, RowError, check_custom, company_keys, ownership, parse_row
from loam.kit import normalize
from loam.kit.i18n import gettext as _


@dataclass
class Outcome:
    line: int
    kind: str  # new | updated | skipped | error
    message: str = ""
    record_id: int | None = None


@dataclass
class Prepared:
    """A parsed batch, ready to be stored."""

    outcomes: list[Outcome]
    new_rows: list[dict[str, Any]]
    new_lines: dict[int, int]
    updates: dict[int, dict[str, Any]]


def _same(how: str) -> str:
    return {
        "name": _("same name"),
        "phone": _("same phone"),
        "email": _("same email"),
        "id": _("same ID"),
    }.get(how, how)


class Writer:
    """Dedup and policy handling shared by both writers; subclasses store the rows."""

    label = ""

    def __init__(self, session: Session | None, plan: Plan) -> None:
        """Without a session the dedup index starts empty: a writer that only stores batches prepared
        elsewhere (``loam.imports.producer``)."""
        self.plan = plan
        self.index = KeyIndex(track_pending=plan.policy == "update" and not plan.dry_run)
        if session is not None:
            self.load_index(session)

    def load_index(self, session: Session) -> None:
        raise NotImplementedError

    def keys(self, values: dict[str, Any]) -> dict[str, str | None]:
        raise NotImplementedError

    def match(self, record_id: int | None, keys: dict[str, str | None]) -> tuple[int, str] | None:
        if record_id is not None:
            if record_id not in self.index.owners:
                raise RowError([_("ID %(id)s: no such record that you can see.", id=record_id)])
            return record_id, "id"
        return self.index.find(keys)

    def duplicate(self, line: int, target: int, how: str) -> str:
        first = self.index.run_lines.get(target) or (-target if target < 0 else None)
        if first is not None:
            return _("Same as row %(row)s of this file (%(how)s).", row=first, how=_same(how))
        return _("Already exists: %(what)s #%(id)s (%(how)s).", what=self.label, id=target, how=_same(how))

    def on_duplicate(self, line: int, target: int, how: str) -> Outcome | None:
        """The outcome for the skip/error policies; None means: update."""
        message = self.duplicate(line, target, how)
        if self.plan.policy == "error":
            raise RowError([message])
        if self.plan.policy == "skip" or self.plan.entity == "followup":
            return Outcome(line, "skipped", message, target if target > 0 else None)
        owner = self.index.owners.get(target)
        if target > 0 and not self.plan.scope.sees_owner(self.plan.module, owner):
            raise RowError([message, _("It belongs to someone outside your data scope, so it cannot be updated.")])
        return None

    def write(self, session: Session, batch: list[tuple[int, list[Any]]]) -> list[Outcome]:
        raise NotImplementedError


class CustomerWriter(Writer):
    """Customers through ``customer_service.import_create`` / ``import_update`` (driver-level bulk)."""

    def __init__(self, session: Session | None, plan: Plan) -> None:
        super().__init__(session, plan)
        self.label = _("customer")

    def load_index(self, session: Session) -> None:
        from loam.customers import service as customer_service

        add = self.index.add
        for rid, name_norm, phone_norm, email, owner_id in customer_service.import_keys(session):
            add(rid, {"name": name_norm or None, "phone": phone_norm, "email": normalize.email(email)}, owner_id)

    def keys(self, values: dict[str, Any]) -> dict[str, str | None]:
        return company_keys(values.get("name"), values.get("phone"), values.get("email"))

    def write(self, session: Session, batch: list[tuple[int, list[Any]]]) -> list[Outcome]:
        return self.store(session, self.prepare(session, batch))

    def prepare(self, session: Session | None, batch: list[tuple[int, list[Any]]]) -> Prepared:
        """Parse, validate and deduplicate a batch (no database access unless custom fields need it)."""
        self.new_rows: list[dict[str, Any]] = []
        self.new_lines: dict[int, int] = {}  # line → index in new_rows
        self.updates: dict[int, dict[str, Any]] = {}
        self.plan.now = utcnow()
        outcomes = []
        for line, cells in batch:
            try:
                outcomes.append(self._row(session, line, cells))
            except RowError as exc:
                outcomes.append(Outcome(line, "error", str(exc)))
        return Prepared(outcomes, self.new_rows, self.new_lines, self.updates)

    def store(self, session: Session, prepared: Prepared) -> list[Outcome]:
        """Write a prepared batch: bulk insert, settle the new ids in the dedup index, apply updates."""
        from loam.customers import service as customer_service

        scope, note = self.plan.scope, self.plan.note
        ids = customer_service.import_create(session, scope, prepared.new_rows, note) if prepared.new_rows else []
        created = dict(zip(prepared.new_lines, ids, strict=True))
        # Only the update policy needs the new ids in the dedup index (to update a record made earlier in
        # this run); otherwise rows stay known by their line, and a dry run's ids are rolled back anyway.
        if not self.plan.dry_run and self.plan.policy == "update":
            for line, rid in created.items():
                self.index.settle(line, rid)
        changed = customer_service.import_update(session, scope, prepared.updates, note) if prepared.updates else {}
        for out in prepared.outcomes:
            if out.kind == "new" or (out.kind == "updated" and out.record_id is not None and out.record_id < 0):
                out.record_id = created.get(abs(out.record_id or out.line))
            elif out.kind == "updated" and out.record_id is not None and not changed.get(out.record_id, True):
                out.kind, out.message = "skipped", _("No changes.")
        return prepared.outcomes

    def _row(self, session: Session | None, line: int, cells: list[Any]) -> Outcome:
        values, custom = parse_row(self.plan, cells)
        record_id = values.pop("id", None)
        keys = self.keys(values)
        found = self.match(record_id, keys)
        if found is None:
            owner, department = ownership(self.plan, values)
            row = {k: v for k, v in values.items() if v is not None}  # empty cells take the column defaults
            row.update(owner_id=owner, department_id=department, name_norm=keys["name"] or "")
            row["phone_norm"] = keys["phone"]
            checked = (
                check_custom(session, self.plan, _customer_model(), custom, None) if self.plan.check_custom else None
            )
            if checked:  # otherwise the column default ({}) applies, converted once per batch
                row["custom"] = checked
            self.new_lines[line] = len(self.new_rows)
            self.new_rows.append(row)
            self.index.add(-line, keys, owner)
            return Outcome(line, "new")
        target, how = found
        outcome = self.on_duplicate(line, target, how)
        if outcome is not None:
            return outcome
        changes = self._changes(session, target, values, custom)
        if target < 0:  # the first row is new in this run: fold the later values into it
            if -target in self.new_lines:
                self.new_rows[self.new_lines[-target]].update(changes)
            return Outcome(line, "updated", self.duplicate(line, target, how), target)
        self.updates.setdefault(target, {}).update(changes)
        return Outcome(line, "updated", self.duplicate(line, target, how), target)

    def _changes(
        self, session: Session | None, target: int, values: dict[str, Any], custom: dict[str, Any]
    ) -> dict[str, Any]:
        from loam.customers.models import Customer

        owner = values.pop("owner", None)
        values.pop("department", None)
        values.pop("created_at", None)
        if owner is not None and owner != self.index.owners.get(target):
            raise RowError([_("The owner differs from the existing record's; change owners with a transfer.")])
        changes = {k: v for k, v in values.items() if v is not None}
        checked = check_custom(session, self.plan, Customer, custom, target if target > 0 else None)
        if checked:
            changes["custom"] = checked
        return changes


class ServiceWriter(Writer):
    """Leads, contacts and follow-ups, one row at a time through the domain's own service, each row in a
    savepoint so a refused row leaves nothing behind."""

    def __init__(self, session: Session, plan: Plan) -> None:
        from loam.imports import entities

        self.spec = entities.SPECS[plan.entity]
        super().__init__(session, plan)
        self.label = _(self.spec.label)

    def load_index(self, session: Session) -> None:
        for record in self.spec.existing(session):
            self.index.add(record.id, self.spec.keys_of(record), getattr(record, "owner_id", None))

    def keys(self, values: dict[str, Any]) -> dict[str, str | None]:
        return self.spec.keys(values)

    def write(self, session: Session, batch: list[tuple[int, list[Any]]]) -> list[Outcome]:
        outcomes = []
        for line, cells in batch:
            try:
                with session.begin_nested():
                    outcomes.append(self._row(session, line, cells))
            except RowError as exc:
                outcomes.append(Outcome(line, "error", str(exc)))
            except LoamError as exc:
                outcomes.append(Outcome(line, "error", _messages(exc)))
        return outcomes

    def _row(self, session: Session, line: int, cells: list[Any]) -> Outcome:
        values, custom = parse_row(self.plan, cells)
        record_id = values.pop("id", None)
        keys = self.keys(values)
        found = self.match(record_id, keys)
        if found is None:
            owner, _department = ownership(self.plan, values)
            record = self.spec.create(
                session, self.plan.scope, _schema(self.spec.create_schema, self.spec.payload(values, custom))
            )
            self.spec.after_create(session, self.plan.scope, record, owner, values.get("created_at"))
            self.index.add(record.id, keys, getattr(record, "owner_id", None))
            self.index.run_lines[record.id] = line
            return Outcome(line, "new", record_id=record.id)
        target, how = found
        outcome = self.on_duplicate(line, target, how)
        if outcome is not None:
            return outcome
        changed = self.spec.update(session, self.plan.scope, target, values, custom)
        if not changed:
            return Outcome(line, "skipped", _("No changes."), target)
        return Outcome(line, "updated", self.duplicate(line, target, how), target)


def _customer_model() -> Any:
    from loam.customers.models import Customer

    return Customer


def _schema(model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RowError([f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]) from None


def _messages(exc: LoamError) -> str:
    if isinstance(exc.detail, dict) and exc.detail:
        return "; ".join(f"{k}: {v}" for k, v in exc.detail.items())
    return exc.message


def writer_for(session: Session, plan: Plan) -> Writer:
    return CustomerWriter(session, plan) if plan.entity == "customer" else ServiceWriter(session, plan)
