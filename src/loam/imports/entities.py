"""How leads, contacts and follow-ups are imported row by row: their dedup keys, their create/update
schemas and the domain service calls (through each domain's service, R2)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from loam.activities import service as followup_service
from loam.activities.schemas import FollowUpCreate, FollowUpFilters
from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.contacts.schemas import ContactCreate, ContactFilters, ContactUpdate
from loam.imports.rows import company_keys
from loam.kit import normalize
from loam.kit.i18n import N_
from loam.leads import service as lead_service
from loam.leads.schemas import LeadCreate, LeadFilters, LeadTransfer, LeadUpdate


@dataclass(frozen=True)
class Spec:
    label: str
    create_schema: type[BaseModel]
    existing: Callable[[Session], Iterable[Any]]
    keys_of: Callable[[Any], dict[str, str | None]]
    keys: Callable[[dict[str, Any]], dict[str, str | None]]
    payload: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
    create: Callable[[Session, Scope, Any], Any]
    after_create: Callable[[Session, Scope, Any, int | None, datetime | None], None]
    update: Callable[[Session, Scope, int, dict[str, Any], dict[str, Any]], bool]


def _stream(statement: Any) -> Callable[[Session], Iterable[Any]]:
    def load(session: Session) -> Iterable[Any]:
        return session.scalars(statement(session).execution_options(yield_per=5000))

    return load


def _fields(schema: type[BaseModel], values: dict[str, Any], custom: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in values.items() if k in schema.model_fields and v is not None}
    filled = {k: v for k, v in custom.items() if v not in (None, "")}
    if filled:
        out["custom"] = filled
    return out


def _updater(
    service: Any, schema: type[BaseModel]
) -> Callable[[Session, Scope, int, dict[str, Any], dict[str, Any]], bool]:
    """A full edit through the domain service: the record's current values overlaid with the row's
    non-empty cells, at the version just read; → whether anything changed."""

    def update(session: Session, scope: Scope, record_id: int, values: dict[str, Any], custom: dict[str, Any]) -> bool:
        record = service.get(session, scope, record_id)
        base = {
            k: getattr(record, k) for k in schema.model_fields if k not in ("version", "custom") and hasattr(record, k)
        }
        before = record.version
        data = schema.model_validate({**base, **_fields(schema, values, custom), "version": record.version})
        service.update(session, scope, record_id, data)
        return bool(record.version != before)

    return update


def _backdate(session: Session, record: Any, created_at: datetime | None) -> None:
    """Keep the original creation date of a migrated record (from the file's "created" column)."""
    if created_at is not None:
        record.created_at = created_at
        session.flush()


def _lead_after(session: Session, scope: Scope, lead: Any, owner: int | None, created_at: datetime | None) -> None:
    if owner is not None and owner != scope.user_id:
        lead_service.transfer(session, scope, lead.id, LeadTransfer(owner_id=owner))
    _backdate(session, lead, created_at)


def _contact_key(customer_id: Any, name: str | None) -> str | None:
    return f"{customer_id}:{name.strip().casefold()}" if customer_id and name else None


def _followup_key(customer_id: Any, occurred_at: datetime | None, content: str | None) -> str | None:
    if not customer_id or occurred_at is None or not content:
        return None
    moment = occurred_at.astimezone(UTC).replace(second=0, microsecond=0).isoformat()
    return f"{customer_id}|{moment}|{content.strip()[:200]}"


SPECS: dict[str, Spec] = {
    "lead": Spec(
        label=N_("lead"),
        create_schema=LeadCreate,
        existing=_stream(lambda s: lead_service.list_statement(s, Scope.system(), LeadFilters())),
        keys_of=lambda r: company_keys(r.company, r.phone, r.email),
        keys=lambda v: company_keys(v.get("company"), v.get("phone"), v.get("email")),
        payload=lambda v, c: _fields(LeadCreate, v, c),
        create=lead_service.create,
        after_create=_lead_after,
        update=_updater(lead_service, LeadUpdate),
    ),
    "contact": Spec(
        label=N_("contact"),
        create_schema=ContactCreate,
        existing=_stream(lambda s: contact_service.list_statement(s, Scope.system(), ContactFilters())),
        keys_of=lambda r: {
            "name": _contact_key(r.customer_id, r.name),
            "phone": r.phone_norm,
            "email": normalize.email(r.email),
        },
        keys=lambda v: {
            "name": _contact_key(v.get("customer"), v.get("name")),
            "phone": normalize.phone(v.get("phone")),
            "email": normalize.email(v.get("email")),
        },
        payload=lambda v, c: _fields(ContactCreate, {**v, "customer_id": v.get("customer")}, c),
        create=contact_service.create,
        after_create=lambda s, _scope, r, _owner, created: _backdate(s, r, created),
        update=_updater(contact_service, ContactUpdate),
    ),
    "followup": Spec(
        label=N_("follow-up"),
        create_schema=FollowUpCreate,
        existing=_stream(lambda s: followup_service.list_statement(s, Scope.system(), FollowUpFilters())),
        keys_of=lambda r: {"name": _followup_key(r.customer_id, r.occurred_at, r.content)},
        keys=lambda v: {"name": _followup_key(v.get("customer"), v.get("occurred_at"), v.get("content"))},
        payload=lambda v, c: _fields(FollowUpCreate, {**v, "customer_id": v.get("customer")}, {}),
        create=followup_service.create,
        after_create=lambda s, _scope, r, _owner, created: _backdate(s, r, created),
        update=lambda *_args: False,  # follow-ups are events: a duplicate is skipped, never edited
    ),
}
