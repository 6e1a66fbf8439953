"""Contacts: the only writer of contact records (rules, permission checks, audit)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.contacts import repository as repo
from loam.contacts.models import Contact
from loam.contacts.schemas import ContactCreate, ContactFilters, ContactUpdate
from loam.customers import service as customer_service
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit, customfields, normalize
from loam.kit.i18n import gettext as _
from loam.org import service as org_service
from loam.org.models import User

ENTITY = repo.ENTITY


def get(session: Session, scope: Scope, contact_id: int) -> Contact:
    """A contact the caller may see, or 404 (never 403 for what is out of scope)."""
    contact = repo.get(session, scope, contact_id)
    if contact is None:
        raise NotFound(_("Contact not found."))
    return contact


def list_page(
    session: Session,
    scope: Scope,
    filters: ContactFilters,
    page: int = 1,
    size: int = 25,
    sort: str | None = None,
) -> tuple[list[Contact], int]:
    """One page of the contacts visible to the caller, filtered and sorted by whitelisted keys."""
    return repo.page(session, scope, filters, page, size, sort)


def for_customer(session: Session, scope: Scope, customer_id: int) -> list[Contact]:
    """The visible live contacts of a visible customer (404 if the customer is not), executives first."""
    customer_service.get(session, scope, customer_id)
    return repo.of_customer(session, scope, customer_id)


def _writes(session: Session, scope: Scope, contact: Contact) -> bool:
    """The caller owns the contact within their data scope, or can write its customer."""
    if contact.owner_id is not None and scope.sees_owner(Module.contacts, contact.owner_id):
        return True
    try:
        customer = customer_service.get(session, scope, contact.customer_id)
    except NotFound:
        return False
    return customer_service.can_write(session, scope, customer)


def can_change(session: Session, scope: Scope, contact: Contact, permission: Permission) -> bool:
    """The caller holds ``permission`` and owns this (visible) contact in scope or can write its customer."""
    return scope.can(permission) and _writes(session, scope, contact)


def _get_for_write(session: Session, scope: Scope, contact_id: int, permission: Permission) -> Contact:
    contact = get(session, scope, contact_id)
    authz_service.require(scope, permission)
    if not _writes(session, scope, contact):
        raise Forbidden(_("You can view this contact but not change it."))
    return contact


def _check_reports_to(session: Session, customer_id: int, contact_id: int | None, reports_to_id: int | None) -> None:
    """The superior is a live contact of the same customer and the reporting line has no cycle."""
    if reports_to_id is None:
        return
    lines = repo.reporting_lines(session, customer_id)
    message = _("Choose a contact of the same customer.")
    if reports_to_id not in lines or reports_to_id == contact_id:
        raise Invalid(message, detail={"reports_to_id": message})
    seen: set[int] = set()
    current: int | None = reports_to_id
    while current is not None and current not in seen:
        if current == contact_id:
            cycle = _("This would make the reporting line go round in a circle.")
            raise Invalid(cycle, detail={"reports_to_id": cycle})
        seen.add(current)
        current = lines.get(current)


def create(session: Session, scope: Scope, data: ContactCreate) -> Contact:
    """Add a contact to a customer the caller can write; it is owned by the customer's owner; audited."""
    authz_service.require(scope, Permission.contacts_create)
    customer = customer_service.get(session, scope, data.customer_id)
    if not customer_service.can_write(session, scope, customer):
        raise Forbidden(_("You can view this customer but not change it."))
    _check_reports_to(session, customer.id, None, data.reports_to_id)
    custom = customfields.validate(session, Contact, ENTITY, data.custom)
    owner_id = customer.owner_id or scope.user_id
    owner = org_service.get_user(session, owner_id) if owner_id else None
    contact = Contact(
        **data.model_dump(exclude={"custom"}),
        custom=custom,
        phone_norm=normalize.phone(data.phone),
        owner_id=owner_id,
        department_id=owner.department_id if owner else None,
        created_by=scope.user_id,
    )
    session.add(contact)
    session.flush()
    audit.record(session, scope, ENTITY, contact.id, "create", {"name": [None, contact.name]})
    return contact


def update(session: Session, scope: Scope, contact_id: int, data: ContactUpdate) -> Contact:
    """Apply an edit; a stale ``version`` is a 409 and nothing is written."""
    contact = _get_for_write(session, scope, contact_id, Permission.contacts_update)
    if data.version != contact.version:
        raise Conflict(_("Someone else changed this contact. Reload and try again."))
    _check_reports_to(session, contact.customer_id, contact.id, data.reports_to_id)
    values = data.model_dump(exclude={"version", "custom"})
    values["custom"] = customfields.validate(session, Contact, ENTITY, data.custom, contact.id, partial=True)
    values["phone_norm"] = normalize.phone(data.phone)
    changes = audit.apply_changes(contact, values)
    changes.pop("phone_norm", None)
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, contact.id, "update", changes)
    return contact


def delete_(session: Session, scope: Scope, contact_id: int) -> Contact:
    """Move a contact to the recycle bin (restorable)."""
    contact = _get_for_write(session, scope, contact_id, Permission.contacts_delete)
    contact.deleted_at = utcnow()
    contact.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, contact.id, "delete")
    return contact


def _get_deleted(session: Session, scope: Scope, contact_id: int) -> Contact:
    contact = repo.get(session, scope, contact_id, deleted=True)
    if contact is None:
        raise NotFound(_("Contact not found."))
    return contact


def restore(session: Session, scope: Scope, contact_id: int) -> Contact:
    """Bring a contact back from the recycle bin (same rules as deleting it)."""
    contact = _get_deleted(session, scope, contact_id)
    authz_service.require(scope, Permission.contacts_delete)
    if not _writes(session, scope, contact):
        raise Forbidden(_("You can view this contact but not change it."))
    from loam.merge import service as merge_service  # a contact merged away comes back by undoing its merge

    if merge_service.undo_for_restore(session, scope, ENTITY, contact.id):
        return contact
    contact.deleted_at = None
    contact.deleted_by = None
    session.flush()
    audit.record(session, scope, ENTITY, contact.id, "restore")
    return contact


def purge(session: Session, scope: Scope, contact_id: int) -> None:
    """Delete a contact from the recycle bin for good (admin); contacts reporting to it lose that line."""
    contact = _get_deleted(session, scope, contact_id)
    authz_service.require(scope, Permission.recycle_purge)
    audit.record(session, scope, ENTITY, contact.id, "purge", {"name": [contact.name, None]})
    for other in repo.reporting_to(session, contact.id):
        other.reports_to_id = None
    session.flush()
    session.delete(contact)
    session.flush()


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[Contact], int]:
    """Contacts in the recycle bin that the caller could see before they were deleted."""
    return repo.deleted_page(session, scope, page, size)


def transfer_for_customer(session: Session, scope: Scope, customer_id: int, new_owner: User) -> int:
    """Give a customer's live contacts to its new owner (called by the customer transfer, already authorised)."""
    return reown_for_customer(session, scope, customer_id, new_owner.id, new_owner.department_id)


def reown_for_customer(
    session: Session, scope: Scope, customer_id: int, owner_id: int | None, department_id: int | None
) -> int:
    """Set the owner of a customer's live contacts (None while the customer sits in a public pool, so the
    previous owner no longer holds them); audited per contact. Called by customer ownership changes."""
    moved = 0
    for contact in repo.live_of_customer(session, customer_id):
        changes = audit.apply_changes(contact, {"owner_id": owner_id, "department_id": department_id})
        if changes:
            moved += 1
            audit.record(session, scope, ENTITY, contact.id, "transfer", changes)
    session.flush()
    return moved


def history(session: Session, scope: Scope, contact_id: int) -> list[audit.AuditLog]:
    get(session, scope, contact_id)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, contact_id)


def names_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of contacts (for records that mention contacts the caller already sees)."""
    return repo.names(session, ids)


def customer_names(session: Session, contacts: Iterable[Contact]) -> dict[int, str]:
    """Names of the customers of contacts the caller sees."""
    return repo.customer_names(session, (c.customer_id for c in contacts))


def ids_of_customer(session: Session, customer_id: int, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` are live contacts of ``customer_id`` (validation of follow-up contacts)."""
    return repo.ids_of_customer(session, customer_id, ids)


def purge_for_customer(session: Session, customer_id: int) -> int:
    """Delete for good the contacts of a customer being purged (called by the customer purge, authorised)."""
    return repo.delete_of_customer(session, customer_id)


def list_statement(
    session: Session, scope: Scope, filters: ContactFilters, sort: str | None = None
) -> Select[tuple[Contact]]:
    """The statement behind :func:`list_page` — same scope, filters and sort — unpaged, for exports (R13, R17)."""
    return repo.sorted_statement(session, scope, filters, sort)


# --- merge support (loam.merge decides who may merge what; these only read or write) ---


def visible_ids(scope: Scope) -> Select[Any]:
    """A sub-select of the ids of the live contacts the caller can see (for the duplicate finder, R13)."""
    return repo.visible_ids(scope)


def get_deleted(session: Session, scope: Scope, contact_id: int) -> Contact:
    """A contact in the recycle bin that the caller could see before it was deleted, or 404."""
    return _get_deleted(session, scope, contact_id)


def merge_values(session: Session, contact: Contact, values: dict[str, object]) -> dict[str, list[object]]:
    """Set the field values chosen in a merge (or put back by its undo), keeping ``phone_norm`` in step.

    Returns ``{field: [old, new]}``; the caller has authorised the write and writes the audit row."""
    changes = audit.apply_changes(contact, values)
    contact.phone_norm = normalize.phone(contact.phone)
    session.flush()
    return changes


def set_merged_away(session: Session, scope: Scope, contact: Contact, merged: bool) -> None:
    """Put a contact merged into another into the recycle bin, or take it out when the merge is undone."""
    contact.deleted_at = utcnow() if merged else None
    contact.deleted_by = scope.user_id if merged else None
    session.flush()


def move_to_customer(session: Session, from_id: int, to_id: int, ids: Iterable[int] | None = None) -> list[int]:
    """Move the contacts of customer ``from_id`` (or only ``ids``) to customer ``to_id``; returns the moved ids."""
    return repo.move_to_customer(session, from_id, to_id, ids)


def move_reports_to(session: Session, from_id: int, to_id: int, ids: Iterable[int] | None = None) -> list[int]:
    """Contacts reporting to ``from_id`` (or only ``ids``) now report to ``to_id``; returns their ids."""
    return repo.move_reports_to(session, from_id, to_id, ids)
