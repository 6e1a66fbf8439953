"""The three kinds of records that can be merged, each reached only through its own domain service (R2).

A :class:`Kind` names the fields a merge may take from another record, the permissions merging needs and
the functions of the owning domain that read, authorise and write its records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.customers import service as customer_service
from loam.errors import Invalid
from loam.kit import customfields
from loam.kit.i18n import gettext as _
from loam.leads import service as lead_service


@dataclass(frozen=True)
class Kind:
    entity: str
    module: Module
    service: Any
    fields: tuple[str, ...]
    view: Permission
    update: Permission
    delete: Permission


KINDS = {
    "customer": Kind(
        "customer",
        Module.customers,
        customer_service,
        (
            "name",
            "industry",
            "tier",
            "level",
            "source",
            "phone",
            "email",
            "website",
            "province",
            "city",
            "address",
            "remark",
            "next_contact_at",
        ),
        Permission.customers_view,
        Permission.customers_update,
        Permission.customers_delete,
    ),
    "lead": Kind(
        "lead",
        Module.leads,
        lead_service,
        (
            "name",
            "company",
            "title",
            "phone",
            "email",
            "source",
            "grade",
            "industry",
            "province",
            "city",
            "address",
            "remark",
            "next_contact_at",
        ),
        Permission.leads_view,
        Permission.leads_update,
        Permission.leads_delete,
    ),
    "contact": Kind(
        "contact",
        Module.contacts,
        contact_service,
        (
            "name",
            "dept_name",
            "title",
            "level",
            "phone",
            "email",
            "birthday",
            "is_decision_maker",
            "personality",
            "preferences",
            "remark",
        ),
        Permission.contacts_view,
        Permission.contacts_update,
        Permission.contacts_delete,
    ),
}


def kind(entity: str) -> Kind:
    if entity not in KINDS:
        raise Invalid(_("Unknown kind of record: %(entity)s", entity=entity[:30]), detail={"entity": entity[:30]})
    return KINDS[entity]


def field_keys(session: Session, k: Kind) -> list[str]:
    """Every field a merge may pick per record: the built-in ones, then ``custom.<key>`` of active custom fields."""
    return list(k.fields) + [f"custom.{d.key}" for d in customfields.definitions(session, k.entity)]


def value(record: Any, field: str) -> Any:
    if field.startswith("custom."):
        return (record.custom or {}).get(field.removeprefix("custom."))
    return getattr(record, field)


def get(session: Session, scope: Scope, k: Kind, record_id: int) -> Any:
    """A live record the caller sees, or 404 (the domain's own getter)."""
    return k.service.get(session, scope, record_id)


def get_deleted(session: Session, scope: Scope, k: Kind, record_id: int) -> Any:
    """A record in the recycle bin the caller could see, or 404."""
    return k.service.get_deleted(session, scope, record_id)


def can_write(session: Session, scope: Scope, k: Kind, record: Any) -> bool:
    """The domain's own edit rule for this record."""
    if k.entity == "customer":
        return bool(customer_service.can_write(session, scope, record))
    if k.entity == "lead":
        return bool(lead_service.can_write(scope, record))
    return bool(contact_service.can_change(session, scope, record, Permission.contacts_update))


def can_delete(session: Session, scope: Scope, k: Kind, record: Any) -> bool:
    """Whether the caller may send this record to the recycle bin: write access, and for a customer its owner
    within the caller's data scope (the customers domain's own rule for deleting)."""
    if not can_write(session, scope, k, record):
        return False
    return k.entity != "customer" or scope.sees_owner(k.module, record.owner_id)


def set_values(session: Session, k: Kind, record: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Write ``{field: value}`` (custom fields as ``custom.<key>``) through the domain; returns the audit changes."""
    plain = {f: v for f, v in values.items() if not f.startswith("custom.")}
    custom = {f.removeprefix("custom."): v for f, v in values.items() if f.startswith("custom.")}
    if custom:
        plain["custom"] = custom
    if not plain:
        return {}
    return dict(k.service.merge_values(session, record, plain))


def set_merged_away(session: Session, scope: Scope, k: Kind, record: Any, merged: bool) -> None:
    k.service.set_merged_away(session, scope, record, merged)


def visible_ids(scope: Scope, k: Kind) -> Any:
    """A sub-select of the ids of the live records of this kind the caller sees (the domain's own rule)."""
    return k.service.visible_ids(scope)


def from_json(record: Any, field: str, stored: Any) -> Any:
    """A value as stored in the merge row (JSON) back into the column's Python type (dates and times)."""
    if stored is None or field.startswith("custom.") or not isinstance(stored, str):
        return stored
    python_type = type(record).__table__.c[field].type.python_type
    if python_type is datetime:
        return datetime.fromisoformat(stored)
    if python_type is date:
        return date.fromisoformat(stored)
    return stored


def label(record: Any) -> str:
    name = getattr(record, "name", None) or f"#{record.id}"
    company = getattr(record, "company", None)
    return f"{name} ({company})" if isinstance(company, str) and company else str(name)


def field_choices(session: Session, k: Kind) -> list[tuple[str, str]]:
    """``[(field key, label)]`` of every field a merge may pick, custom fields with their own labels."""
    from loam.kit.audit import field_label

    out = [(f, field_label(f)) for f in k.fields]
    out += [(f"custom.{d.key}", customfields.label(d)) for d in customfields.definitions(session, k.entity)]
    return out
