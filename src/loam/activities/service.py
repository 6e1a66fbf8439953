"""Follow-ups: the only writer of follow-up records (rules, permission checks, audit).

Everyone who can see a customer or lead may record a follow-up on it (a read-only team member too);
only the author or someone who can write the customer/lead may change or delete one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select
from sqlalchemy.orm import Session

from loam.activities import repository as repo
from loam.activities.models import FollowUp
from loam.activities.schemas import FollowUpCreate, FollowUpFilters, FollowUpUpdate
from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.customers import service as customer_service
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.org import service as org_service

ENTITY = repo.ENTITY
FUTURE_LIMIT = timedelta(days=1)


def _attach(session: Session, items: Sequence[FollowUp]) -> None:
    """Set ``participant_ids`` and ``contact_ids`` on each follow-up (two queries for the whole list)."""
    users, contacts = repo.links(session, [f.id for f in items])
    for f in items:
        f.participant_ids = sorted(users.get(f.id, []))  # type: ignore[attr-defined]
        f.contact_ids = sorted(contacts.get(f.id, []))  # type: ignore[attr-defined]


def get(session: Session, scope: Scope, followup_id: int) -> FollowUp:
    """A follow-up the caller may see (with participants and contacts), or 404."""
    followup = repo.get(session, scope, followup_id)
    if followup is None:
        raise NotFound(_("Follow-up not found."))
    _attach(session, [followup])
    return followup


def list_page(
    session: Session,
    scope: Scope,
    filters: FollowUpFilters,
    page: int = 1,
    size: int = 25,
    sort: str | None = None,
) -> tuple[list[FollowUp], int]:
    """One page of the visible follow-ups, newest first unless sorted otherwise."""
    items, total = repo.page(session, scope, filters, page, size, sort)
    _attach(session, items)
    return items, total


def _check_target(session: Session, scope: Scope, customer_id: int | None, lead_id: int | None) -> None:
    """The customer or lead exists and the caller sees it, else 404."""
    if customer_id is not None:
        customer_service.get(session, scope, customer_id)
    elif lead_id is not None:
        from loam.leads import service as lead_service

        lead_service.get(session, scope, lead_id)
    else:
        raise NotFound(_("Lead not found."))


def _can_write_target(session: Session, scope: Scope, followup: FollowUp) -> bool:
    if followup.customer_id is not None:
        try:
            customer = customer_service.get(session, scope, followup.customer_id)
        except NotFound:
            return False
        return customer_service.can_write(session, scope, customer)
    from loam.leads import service as lead_service

    try:
        lead = lead_service.get(session, scope, followup.lead_id or 0)
    except NotFound:
        return False
    return lead_service.can_write(scope, lead)


def can_change(session: Session, scope: Scope, followup: FollowUp, permission: Permission) -> bool:
    """The caller holds ``permission`` and is the author or can write the follow-up's customer or lead."""
    if not scope.can(permission):
        return False
    is_author = scope.user_id is not None and followup.created_by == scope.user_id
    return is_author or _can_write_target(session, scope, followup)


def editable_ids(session: Session, scope: Scope, items: Sequence[FollowUp]) -> set[int]:
    """Ids of the follow-ups the caller may edit (the customer/lead write check runs once per target)."""
    if not scope.can(Permission.followups_update):
        return set()
    writable: dict[tuple[int | None, int | None], bool] = {}
    out: set[int] = set()
    for f in items:
        if scope.user_id is not None and f.created_by == scope.user_id:
            out.add(f.id)
            continue
        key = (f.customer_id, f.lead_id)
        if key not in writable:
            writable[key] = _can_write_target(session, scope, f)
        if writable[key]:
            out.add(f.id)
    return out


def get_for_update(session: Session, scope: Scope, followup_id: int) -> FollowUp:
    """A follow-up the caller may edit: 404 if not visible, 403 if not the author nor a customer writer."""
    return _get_for_change(session, scope, followup_id, Permission.followups_update)


def _get_for_change(session: Session, scope: Scope, followup_id: int, permission: Permission) -> FollowUp:
    followup = get(session, scope, followup_id)
    authz_service.require(scope, permission)
    if not can_change(session, scope, followup, permission):
        raise Forbidden(_("Only the author or someone who can edit the customer can change this follow-up."))
    return followup


def _check_values(
    session: Session, occurred_at: datetime, customer_id: int | None, data: FollowUpCreate | FollowUpUpdate
) -> tuple[set[int], set[int]]:
    """Time not in the far future; contacts of that customer; existing users. Returns (users, contacts)."""
    if occurred_at > utcnow() + FUTURE_LIMIT:
        msg = _("A follow-up cannot be more than a day in the future.")
        raise Invalid(msg, detail={"occurred_at": msg})
    contacts = set(data.contact_ids)
    if contacts and (
        customer_id is None or contact_service.ids_of_customer(session, customer_id, contacts) != contacts
    ):
        msg = _("Choose contacts of this customer.")
        raise Invalid(msg, detail={"contact_ids": msg})
    users = set(data.participant_ids)
    if users - set(org_service.names_by_id(session, set[int | None](users))):
        msg = _("Choose existing users.")
        raise Invalid(msg, detail={"participant_ids": msg})
    return users, contacts


def _note(session: Session, followup: FollowUp) -> None:
    """Feed the customer's or lead's "last follow-up" and "next contact" (pool rules, reminders)."""
    if followup.customer_id is not None:
        customer_service.note_followup(session, followup.customer_id, followup.occurred_at, followup.next_contact_at)
    elif followup.lead_id is not None:
        from loam.leads import service as lead_service

        lead_service.note_followup(session, followup.lead_id, followup.occurred_at, followup.next_contact_at)


def create(session: Session, scope: Scope, data: FollowUpCreate) -> FollowUp:
    """Record a follow-up on a visible customer or lead (read access is enough); the author is a participant."""
    authz_service.require(scope, Permission.followups_create)
    _check_target(session, scope, data.customer_id, data.lead_id)
    occurred_at = data.occurred_at or utcnow()
    users, contacts = _check_values(session, occurred_at, data.customer_id, data)
    users |= {scope.user_id} if scope.user_id else set()
    followup = FollowUp(
        **data.model_dump(exclude={"occurred_at", "participant_ids", "contact_ids"}),
        occurred_at=occurred_at,
        created_by=scope.user_id,
    )
    session.add(followup)
    session.flush()
    repo.set_links(session, followup.id, users, contacts)
    audit.record(
        session,
        scope,
        ENTITY,
        followup.id,
        "create",
        {
            "kind": [None, followup.kind],
            "customer_id": [None, followup.customer_id],
            "lead_id": [None, followup.lead_id],
        },
    )
    _note(session, followup)
    _attach(session, [followup])
    return followup


def update(session: Session, scope: Scope, followup_id: int, data: FollowUpUpdate) -> FollowUp:
    """Edit a follow-up (author or customer writer); a stale ``version`` is a 409 and nothing is written."""
    followup = _get_for_change(session, scope, followup_id, Permission.followups_update)
    if data.version != followup.version:
        raise Conflict(_("Someone else changed this follow-up. Reload and try again."))
    occurred_at = data.occurred_at or followup.occurred_at
    users, contacts = _check_values(session, occurred_at, followup.customer_id, data)
    users |= {followup.created_by} if followup.created_by else set()
    values = data.model_dump(include={"kind", "content", "next_step", "next_contact_at"}) | {"occurred_at": occurred_at}
    changes = audit.apply_changes(followup, values)
    old_users, old_contacts = followup.participant_ids, followup.contact_ids  # type: ignore[attr-defined]
    if sorted(users) != old_users or sorted(contacts) != old_contacts:
        if not changes:
            followup.updated_at = utcnow()  # one UPDATE, so the version moves even when only the links changed
        changes["participant_ids"] = [old_users, sorted(users)]
        changes["contact_ids"] = [old_contacts, sorted(contacts)]
        repo.set_links(session, followup.id, users, contacts)
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, followup.id, "update", changes)
    if "occurred_at" in changes or "next_contact_at" in changes:
        _note(session, followup)
    _attach(session, [followup])
    return followup


def delete_(session: Session, scope: Scope, followup_id: int) -> FollowUp:
    """Move a follow-up to the recycle bin (author or customer writer)."""
    followup = _get_for_change(session, scope, followup_id, Permission.followups_delete)
    followup.deleted_at = utcnow()
    followup.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, followup.id, "delete")
    return followup


def timeline(
    session: Session, scope: Scope, customer_id: int | None = None, lead_id: int | None = None, limit: int = 100
) -> list[FollowUp]:
    """The follow-ups of one visible customer or lead (404 if not visible), newest first, links loaded."""
    _check_target(session, scope, customer_id, None if customer_id else lead_id)
    items = repo.timeline(session, scope, customer_id, lead_id, limit)
    _attach(session, items)
    return items


def for_contact(session: Session, scope: Scope, contact_id: int, limit: int = 50) -> list[FollowUp]:
    """Visible follow-ups that involved a contact (the caller has already fetched the contact), newest first."""
    items = repo.for_contact(session, scope, contact_id, limit)
    _attach(session, items)
    return items


def move_lead_to_customer(session: Session, lead_id: int, customer_id: int) -> int:
    """Lead conversion: the lead's follow-ups now belong to the customer, whose last follow-up is updated."""
    moved, latest = repo.move_lead(session, lead_id, customer_id)
    if latest is not None:
        customer_service.note_followup(session, customer_id, latest, None)
    return moved


def due(session: Session, scope: Scope, until: datetime, limit: int = 10) -> list[FollowUp]:
    """The caller's own follow-ups whose next contact is due by ``until`` and not yet followed up again."""
    items = repo.due(session, scope, until, limit)
    _attach(session, items)
    return items


def count_due(session: Session, scope: Scope, until: datetime) -> int:
    """How many of the caller's follow-ups are due by ``until`` (same rule as :func:`due`)."""
    return repo.count_due(session, scope, until)


def target_names(session: Session, items: Sequence[FollowUp]) -> tuple[dict[int, str], dict[int, str]]:
    """Display names of the customers and leads of follow-ups the caller sees."""
    return repo.target_names(session, items)


def purge_for(session: Session, customer_id: int | None = None, lead_id: int | None = None) -> int:
    """Delete for good the follow-ups of a customer or lead being purged (called by their purge, authorised)."""
    return repo.delete_for(session, customer_id=customer_id, lead_id=lead_id)


def list_statement(
    session: Session, scope: Scope, filters: FollowUpFilters, sort: str | None = None
) -> Select[tuple[FollowUp]]:
    """The statement behind :func:`list_page` — same scope, filters and sort — unpaged, for exports (R13, R17)."""
    return repo.sorted_statement(session, scope, filters, sort)


# --- merge support (loam.merge decides who may merge what; these only write) ---


def move_customer(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """Move the follow-ups of customer ``from_id`` (or only ``ids``) to customer ``to_id``, whose last follow-up
    moves forward if needed; returns the moved ids."""
    moved, latest = repo.move_target(session, "customer_id", from_id, to_id, ids)
    if latest is not None:
        customer_service.note_followup(session, to_id, latest, None)
    return moved


def move_lead(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """Move the follow-ups of lead ``from_id`` (or only ``ids``) to lead ``to_id``; returns the moved ids."""
    from loam.leads import service as lead_service

    moved, latest = repo.move_target(session, "lead_id", from_id, to_id, ids)
    if latest is not None:
        lead_service.note_followup(session, to_id, latest, None)
    return moved


def latest_at(session: Session, *, customer_id: int | None = None, lead_id: int | None = None) -> datetime | None:
    """When the customer's (or lead's) latest live follow-up happened, or None (merge undo recomputes with it)."""
    if customer_id is not None:
        return repo.latest(session, "customer_id", customer_id)
    return repo.latest(session, "lead_id", lead_id) if lead_id is not None else None


def move_contact_links(session: Session, from_id: int, to_id: int, followup_ids: list[int] | None = None) -> list[int]:
    """Follow-ups that involved contact ``from_id`` (or only ``followup_ids``) involve ``to_id`` instead, without
    duplicate links; returns the ids of the follow-ups re-pointed."""
    return repo.move_contact_links(session, from_id, to_id, followup_ids)
