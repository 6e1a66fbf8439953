"""Leads: the only writer of lead records (rules, permission checks, audit, conversion to a customer)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.customers import service as customer_service
from loam.customers.schemas import CustomerCreate
from loam.db import utcnow
from loam.dedup import service as dedup_service
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit, customfields, normalize
from loam.kit.i18n import gettext as _
from loam.leads import repository as repo
from loam.leads.models import Lead
from loam.leads.schemas import LeadConvert, LeadCreate, LeadFilters, LeadStatusChange, LeadTransfer, LeadUpdate
from loam.org import service as org_service

ENTITY = repo.ENTITY


@dataclass
class Conversion:
    """What converting a lead produced."""

    lead: Lead
    customer: Any
    contact: Any | None
    followups_moved: int

    @property
    def customer_id(self) -> int:
        return int(self.customer.id)

    @property
    def contact_id(self) -> int | None:
        return None if self.contact is None else int(self.contact.id)


def visible_ids(scope: Scope) -> Any:
    """A sub-select of the ids of the live leads the caller can see (for the follow-ups domain, R2)."""
    return repo.visible_ids(scope)


def get(session: Session, scope: Scope, lead_id: int) -> Lead:
    """A live lead the caller may see, or 404 (never 403 for what is out of scope)."""
    lead = repo.get(session, scope, lead_id)
    if lead is None:
        raise NotFound(_("Lead not found."))
    return lead


def list_page(
    session: Session,
    scope: Scope,
    filters: LeadFilters,
    page: int = 1,
    size: int = 25,
    sort: str | None = None,
) -> tuple[list[Lead], int]:
    """One page of the leads visible to the caller, filtered and sorted by whitelisted keys (unknown key: 422)."""
    due_until = customer_service.end_of_today() if filters.due_today else None
    return repo.page(session, scope, filters, page, size, sort, due_until)


def can_write(scope: Scope, lead: Lead) -> bool:
    """Edit rights: ``leads.update`` and the owner within the caller's data scope for leads."""
    return scope.can(Permission.leads_update) and scope.sees_owner(Module.leads, lead.owner_id)


def _for_write(session: Session, scope: Scope, lead_id: int, permission: Permission) -> Lead:
    """Fetch in scope (404), then check the action permission (403) — before any write (R11)."""
    lead = get(session, scope, lead_id)
    authz_service.require(scope, permission)
    if not scope.sees_owner(Module.leads, lead.owner_id):
        raise Forbidden(_("Only the owner or their managers can do this."))
    return lead


def _keys(name_company: str | None, phone: str | None) -> dict[str, str | None]:
    return {"company_norm": normalize.company(name_company) or None, "phone_norm": normalize.phone(phone)}


def create(session: Session, scope: Scope, data: LeadCreate) -> Lead:
    """Create an open lead owned by the caller; custom fields are validated; an audit row is written.

    Duplicates do not block creation (see :func:`duplicates` for the warning the surfaces show first).
    """
    authz_service.require(scope, Permission.leads_create)
    custom = customfields.validate(session, Lead, ENTITY, data.custom)
    lead = Lead(
        **data.model_dump(exclude={"custom"}),
        **_keys(data.company, data.phone),
        custom=custom,
        status="open",
        owner_id=scope.user_id,
        department_id=scope.department_id,
        created_by=scope.user_id,
    )
    session.add(lead)
    session.flush()
    audit.record(session, scope, ENTITY, lead.id, "create", {"name": [None, lead.name]})
    return lead


def update(session: Session, scope: Scope, lead_id: int, data: LeadUpdate) -> Lead:
    """Apply an edit; a stale ``version`` or a converted lead is a 409 and nothing is written."""
    lead = _for_write(session, scope, lead_id, Permission.leads_update)
    if data.version != lead.version:
        raise Conflict(_("Someone else changed this lead. Reload and try again."))
    if lead.status == "converted":
        raise Conflict(_("This lead has been converted and can no longer be edited."))
    values = data.model_dump(exclude={"version", "custom"})
    values["custom"] = customfields.validate(session, Lead, ENTITY, data.custom, lead.id, partial=True)
    values |= _keys(data.company, data.phone)
    changes = audit.apply_changes(lead, values)
    changes.pop("company_norm", None)
    changes.pop("phone_norm", None)
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, lead.id, "update", changes)
    return lead


def set_status(session: Session, scope: Scope, lead_id: int, data: LeadStatusChange) -> Lead:
    """Mark an open lead invalid or reopen an invalid one; a converted lead cannot change (409)."""
    lead = _for_write(session, scope, lead_id, Permission.leads_update)
    if lead.status == "converted":
        raise Conflict(_("This lead has been converted and can no longer be edited."))
    changes = audit.apply_changes(lead, {"status": data.status})
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, lead.id, "status", changes, note=data.reason)
    return lead


def delete_(session: Session, scope: Scope, lead_id: int) -> Lead:
    """Move a lead to the recycle bin (restorable); needs ``leads.delete``."""
    lead = _for_write(session, scope, lead_id, Permission.leads_delete)
    lead.deleted_at = utcnow()
    lead.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, lead.id, "delete")
    return lead


def _deleted(session: Session, scope: Scope, lead_id: int) -> Lead:
    lead = repo.get(session, scope, lead_id, deleted=True)
    if lead is None:
        raise NotFound(_("Lead not found."))
    return lead


def restore(session: Session, scope: Scope, lead_id: int) -> Lead:
    """Bring a lead back from the recycle bin (same scope and permission as deleting it)."""
    lead = _deleted(session, scope, lead_id)
    authz_service.require(scope, Permission.leads_delete)
    from loam.merge import service as merge_service  # a lead merged away comes back by undoing its merge

    if merge_service.undo_for_restore(session, scope, ENTITY, lead.id):
        return lead
    lead.deleted_at = None
    lead.deleted_by = None
    session.flush()
    audit.record(session, scope, ENTITY, lead.id, "restore")
    return lead


def purge(session: Session, scope: Scope, lead_id: int) -> None:
    """Delete a lead from the recycle bin for good (``recycle.purge``); its audit history stays.

    Its follow-ups are purged with it (through the follow-ups service).
    """
    from loam.activities import service as followup_service

    lead = _deleted(session, scope, lead_id)
    authz_service.require(scope, Permission.recycle_purge)
    followup_service.purge_for(session, lead_id=lead.id)
    audit.record(session, scope, ENTITY, lead.id, "purge", {"name": [lead.name, None]})
    session.delete(lead)
    session.flush()


def transfer(session: Session, scope: Scope, lead_id: int, data: LeadTransfer) -> Lead:
    """Give a lead to another active user (owner and department follow the new owner); audited."""
    lead = _for_write(session, scope, lead_id, Permission.leads_transfer)
    new_owner = org_service.get_user(session, data.owner_id)
    if not new_owner.is_active:
        raise Invalid(_("The new owner is not an active user."))
    changes = audit.apply_changes(lead, {"owner_id": new_owner.id, "department_id": new_owner.department_id})
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, lead.id, "transfer", changes)
    return lead


def convert(session: Session, scope: Scope, lead_id: int, data: LeadConvert) -> Conversion:
    """Turn an open lead into a customer (new, owned by the caller, or an existing one the caller may edit),
    optionally a contact, and carry its follow-ups over; the lead becomes ``converted``.

    Every permission is checked before anything is written: ``leads.convert``, then ``customers.create``
    (new customer) or write access to the existing customer, and ``contacts.create`` for the contact.
    Converting a converted or invalid lead is a 409.
    """
    lead = _for_write(session, scope, lead_id, Permission.leads_convert)
    if lead.status != "open":
        raise Conflict(_("Only an open lead can be converted."))
    existing = _existing_customer(session, scope, data.existing_customer_id)
    if existing is None:
        authz_service.require(scope, Permission.customers_create)
    if data.create_contact:  # adding a contact to a customer is writing to that customer
        authz_service.require(scope, Permission.contacts_create)
        authz_service.require(scope, Permission.customers_update)
    new_contact = _contact_data(lead) if data.create_contact else None  # validated before any write
    customer = existing or customer_service.create(session, scope, _customer_data(lead, data))
    contact = _make_contact(session, scope, new_contact, customer.id) if new_contact else None
    from loam.activities import service as followup_service

    moved = followup_service.move_lead_to_customer(session, lead.id, customer.id)
    values = {"status": "converted", "converted_customer_id": customer.id, "converted_at": utcnow()}
    changes = audit.apply_changes(lead, values)
    session.flush()
    changes["followups_moved"] = [None, moved]
    audit.record(session, scope, ENTITY, lead.id, "convert", changes)
    audit.record(session, scope, customer_service.ENTITY, customer.id, "from_lead", {"lead": [None, lead.name]})
    return Conversion(lead, customer, contact, moved)


def _existing_customer(session: Session, scope: Scope, customer_id: int | None) -> Any:
    if customer_id is None:
        return None
    return customer_service.get_for_write(session, scope, customer_id, Permission.customers_update)


def _customer_data(lead: Lead, data: LeadConvert) -> CustomerCreate:
    """The new customer: named by the request, else the company, else the person; the lead's profile copied."""
    keep = ("industry", "source", "province", "city", "address", "next_contact_at")
    values: dict[str, Any] = {k: getattr(lead, k) for k in keep if getattr(lead, k) is not None}
    if not data.create_contact:  # no contact to carry the person's phone and email
        values |= {k: getattr(lead, k) for k in ("phone", "email") if getattr(lead, k)}
    with _copy_guard():
        return CustomerCreate(name=data.customer_name or lead.company or lead.name, **values)


def _contact_data(lead: Lead) -> Any:
    """The contact made from the lead's person (its customer id is filled in once the customer exists)."""
    from loam.contacts.schemas import ContactCreate

    with _copy_guard():
        return ContactCreate(customer_id=1, name=lead.name, title=lead.title, phone=lead.phone, email=lead.email)


def _make_contact(session: Session, scope: Scope, contact_data: Any, customer_id: int) -> Any:
    from loam.contacts import service as contact_service

    return contact_service.create(session, scope, contact_data.model_copy(update={"customer_id": customer_id}))


@contextmanager
def _copy_guard() -> Iterator[None]:
    """Older or imported lead data that the customer/contact schemas refuse is a 422, never a 500 (R16)."""
    try:
        yield
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise Invalid(
            _("Some details of this lead are not valid; edit the lead first: %(fields)s", fields=fields)
        ) from None


def duplicates(
    session: Session, scope: Scope, company: str | None, phone: str | None, exclude_lead_id: int | None = None
) -> list[dedup_service.Duplicate]:
    """Leads, customers and contacts anywhere with the same company or phone, for callers who may
    create or edit leads; only entity, name and owner name are revealed (see :mod:`loam.dedup.service`)."""
    if not (scope.can(Permission.leads_create) or scope.can(Permission.leads_update)):
        raise Forbidden(_("You do not have permission to do this."))
    exclude = (ENTITY, exclude_lead_id) if exclude_lead_id else None
    return dedup_service.find_duplicates(session, company, phone, exclude)


def history(session: Session, scope: Scope, lead_id: int) -> list[audit.AuditLog]:
    """The audit rows of a lead the caller may see, newest first."""
    get(session, scope, lead_id)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, lead_id)


def due_today(session: Session, scope: Scope, limit: int = 10) -> list[Lead]:
    """The caller's OWN open leads whose next contact is due by the end of today (company time zone)."""
    return repo.own_due(session, scope, customer_service.end_of_today(), limit)


def count_due_today(session: Session, scope: Scope) -> int:
    """How many of the caller's own open leads are due for contact by the end of today."""
    return repo.count_own_due(session, scope, customer_service.end_of_today())


def note_followup(session: Session, lead_id: int, occurred_at: datetime, next_contact_at: datetime | None) -> None:
    """Record that a follow-up happened: ``last_followup_at`` moves forward only, ``next_contact_at`` is set
    when given. A system hook for the follow-ups domain (which has already checked its own permissions)."""
    repo.note_followup(session, lead_id, occurred_at, next_contact_at)


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[Lead], int]:
    """Leads in the recycle bin that the caller could see before they were deleted."""
    return repo.deleted_page(session, scope, page, size)


def move_converted(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """Customer merge (and its undo): leads converted into customer ``from_id`` now point at ``to_id``."""
    return repo.move_converted(session, from_id, to_id, ids)


def reset_last_followup(session: Session, lead_id: int, at: datetime | None) -> None:
    """Set ``last_followup_at`` exactly (it may move back); a hook for undoing a merge."""
    repo.set_last_followup(session, lead_id, at)


def detach_customer(session: Session, customer_id: int) -> int:
    """Called when a customer is purged: leads converted into it keep their data but lose the link."""
    return repo.detach_customer(session, customer_id)


def list_statement(
    session: Session, scope: Scope, filters: LeadFilters, sort: str | None = None
) -> Select[tuple[Lead]]:
    """The statement behind :func:`list_page` — same scope, filters and sort — unpaged, for exports (R13, R17)."""
    due_until = customer_service.end_of_today() if filters.due_today else None
    return repo.sorted_statement(session, scope, filters, sort, due_until)


# --- merge support (loam.merge decides who may merge what; these only read or write) ---


def get_deleted(session: Session, scope: Scope, lead_id: int) -> Lead:
    """A lead in the recycle bin that the caller could see before it was deleted, or 404."""
    return _deleted(session, scope, lead_id)


def merge_values(session: Session, lead: Lead, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the field values chosen in a merge (or put back by its undo), keeping the normalised keys in step.

    Returns ``{field: [old, new]}``; the caller has authorised the write and writes the audit row."""
    changes = audit.apply_changes(lead, values)
    for key, value in _keys(lead.company, lead.phone).items():
        setattr(lead, key, value)
    session.flush()
    return changes


def set_merged_away(session: Session, scope: Scope, lead: Lead, merged: bool) -> None:
    """Put a lead merged into another into the recycle bin, or take it out when the merge is undone."""
    lead.deleted_at = utcnow() if merged else None
    lead.deleted_by = scope.user_id if merged else None
    session.flush()
