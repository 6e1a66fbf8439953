"""Customers: the only writer of customer records (rules, permission checks, audit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.models import RecordMember
from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.customers import repository as repo
from loam.customers.models import Customer
from loam.customers.schemas import (
    CustomerCreate,
    CustomerFilters,
    CustomerUpdate,
    MemberWrite,
    TransferRequest,
)
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit, customfields, normalize
from loam.kit.i18n import gettext as _
from loam.org import service as org_service

ENTITY = repo.ENTITY


def get(session: Session, scope: Scope, customer_id: int) -> Customer:
    """A customer the caller may see, or 404 (never 403 for what is out of scope)."""
    customer = repo.get(session, scope, customer_id)
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


def visible_ids(scope: Scope) -> Select[tuple[int]]:
    """A sub-select of the ids of the live customers the caller can see; other domains (contacts,
    follow-ups) build their own visibility on it instead of reaching into this repository (R2)."""
    return repo.visible_ids(scope)


def list_page(
    session: Session,
    scope: Scope,
    filters: CustomerFilters,
    page: int = 1,
    size: int = 25,
    sort: str | None = None,
) -> tuple[list[Customer], int]:
    """One page of the customers visible to the caller, filtered and sorted by whitelisted keys."""
    return repo.page(session, scope, filters, page, size, sort)


def can_write(session: Session, scope: Scope, customer: Customer) -> bool:
    """Owner within the caller's data scope, or a current read-write team member; pool customers are read-only."""
    if not scope.can(Permission.customers_update) or customer.owner_id is None:
        return False
    if scope.sees_owner(Module.customers, customer.owner_id):
        return True
    return authz_service.member_access(session, scope, ENTITY, customer.id) == "write"


def get_for_write(session: Session, scope: Scope, customer_id: int, permission: Permission) -> Customer:
    """Fetch in scope (404), then check the action permission and write access (403) — before any write."""
    customer = get(session, scope, customer_id)
    authz_service.require(scope, permission)
    if not can_write(session, scope, customer):
        raise Forbidden(_("You can view this customer but not change it."))
    return customer


def _owns(scope: Scope, customer: Customer) -> None:
    """Owner-level actions (transfer, delete, lock, team) need the owner in the caller's data scope."""
    if customer.owner_id is None or not scope.sees_owner(Module.customers, customer.owner_id):
        raise Forbidden(_("Only the owner or their managers can do this."))


def create(session: Session, scope: Scope, data: CustomerCreate) -> Customer:
    """Create a customer owned by the caller; custom fields are validated; an audit row is written."""
    authz_service.require(scope, Permission.customers_create)
    values = data.model_dump(exclude={"custom"})
    custom = customfields.validate(session, Customer, ENTITY, data.custom)
    now = utcnow()
    customer = Customer(
        **values,
        custom=custom,
        name_norm=normalize.company(data.name),
        phone_norm=normalize.phone(data.phone),
        owner_id=scope.user_id,
        department_id=scope.department_id,
        owner_since=now if scope.user_id else None,
        created_by=scope.user_id,
    )
    session.add(customer)
    session.flush()
    audit.record(session, scope, ENTITY, customer.id, "create", {"name": [None, customer.name]})
    return customer


def update(session: Session, scope: Scope, customer_id: int, data: CustomerUpdate) -> Customer:
    """Apply an edit; a stale ``version`` is a 409 and nothing is written."""
    customer = get_for_write(session, scope, customer_id, Permission.customers_update)
    if data.version != customer.version:
        raise Conflict(_("Someone else changed this customer. Reload and try again."))
    values = data.model_dump(exclude={"version", "custom"})
    values["custom"] = customfields.validate(session, Customer, ENTITY, data.custom, customer.id, partial=True)
    values["name_norm"] = normalize.company(data.name)
    values["phone_norm"] = normalize.phone(data.phone)
    changes = audit.apply_changes(customer, values)
    changes.pop("name_norm", None)
    changes.pop("phone_norm", None)
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, customer.id, "update", changes)
    return customer


def delete_(session: Session, scope: Scope, customer_id: int) -> Customer:
    """Move a customer to the recycle bin (restorable)."""
    customer = get(session, scope, customer_id)
    authz_service.require(scope, Permission.customers_delete)
    _owns(scope, customer)
    customer.deleted_at = utcnow()
    customer.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, customer.id, "delete")
    return customer


def restore(session: Session, scope: Scope, customer_id: int) -> Customer:
    """Bring a customer back from the recycle bin (same scope rules as deleting it)."""
    customer = repo.get(session, scope, customer_id, deleted=True)
    if customer is None:
        raise NotFound(_("Customer not found."))
    authz_service.require(scope, Permission.customers_delete)
    if customer.owner_id is not None:
        _owns(scope, customer)
    from loam.merge import service as merge_service  # a customer merged away comes back by undoing its merge

    if merge_service.undo_for_restore(session, scope, ENTITY, customer.id):
        return customer
    customer.deleted_at = None
    customer.deleted_by = None
    session.flush()
    audit.record(session, scope, ENTITY, customer.id, "restore")
    return customer


def purge(session: Session, scope: Scope, customer_id: int) -> None:
    """Delete a customer from the recycle bin for good (admin); its audit history stays."""
    customer = repo.get(session, scope, customer_id, deleted=True)
    if customer is None:
        raise NotFound(_("Customer not found."))
    authz_service.require(scope, Permission.recycle_purge)
    _refuse_purge_with_contracts(session, customer.id)
    audit.record(session, scope, ENTITY, customer.id, "purge", {"name": [customer.name, None]})
    purge_dependants(session, customer.id)
    session.delete(customer)
    session.flush()


def _refuse_purge_with_contracts(session: Session, customer_id: int) -> None:
    try:
        from loam.contracts import service as contract_service
    except ModuleNotFoundError:  # pragma: no cover - the contracts domain is not installed
        return
    if contract_service.count_for_customer(session, customer_id):
        raise Conflict(_("This customer has contracts, which are kept for good; it stays in the recycle bin."))


def remove_team(session: Session, customer_id: int) -> None:
    """Drop every team member (协作人) of a customer (release to a pool, purge)."""
    repo.delete_members(session, customer_id)


def purge_dependants(session: Session, customer_id: int) -> None:
    """Remove what only makes sense with the customer: team members, follow-ups, contacts; converted leads
    keep their data but lose the link. Each domain deletes its own rows through its service."""
    from loam.activities import service as followup_service
    from loam.contacts import service as contact_service
    from loam.leads import service as lead_service

    remove_team(session, customer_id)
    try:
        from loam.opportunities import service as opportunity_service
    except ModuleNotFoundError:  # pragma: no cover - the opportunities domain is not installed
        pass
    else:
        opportunity_service.purge_for_customer(session, customer_id)
    try:
        from loam.relationships import lifecycle_repository as relationship_lifecycle
    except ModuleNotFoundError:  # pragma: no cover - the relationships domain is not installed
        pass
    else:
        relationship_lifecycle.purge_for_customer(session, customer_id)
    followup_service.purge_for(session, customer_id=customer_id)
    contact_service.purge_for_customer(session, customer_id)
    lead_service.detach_customer(session, customer_id)


def transfer(session: Session, scope: Scope, customer_id: int, req: TransferRequest) -> Customer:
    """Give a customer to another active user; optionally its contacts too; the old owner may stay as a member."""
    customer = get(session, scope, customer_id)
    authz_service.require(scope, Permission.customers_transfer)
    _owns(scope, customer)
    new_owner = org_service.get_user(session, req.owner_id)
    if not new_owner.is_active:
        raise Invalid(_("The new owner is not an active user."))
    old_owner = customer.owner_id
    if old_owner == new_owner.id:
        return customer
    changes = audit.apply_changes(
        customer,
        {"owner_id": new_owner.id, "department_id": new_owner.department_id, "owner_since": utcnow()},
    )
    if req.cascade_contacts:
        from loam.contacts import service as contact_service

        moved = contact_service.transfer_for_customer(session, scope, customer.id, new_owner)
        changes["contacts_moved"] = [None, moved]
    if req.keep_as_member and old_owner is not None:
        _upsert_member(session, scope, customer.id, old_owner, "read", None)
    _remove_member_row(session, customer.id, new_owner.id)
    session.flush()
    audit.record(session, scope, ENTITY, customer.id, "transfer", changes)
    return customer


def set_deal(session: Session, scope: Scope, customer_id: int, closed: bool) -> Customer:
    """Record that the customer has closed a deal (成交) — or undo it. Closed customers are exempt from the
    pools' return rules where the pool says so, and the "no deal in N days" rule stops counting."""
    customer = get_for_write(session, scope, customer_id, Permission.customers_update)
    status = "closed" if closed else "none"
    if customer.deal_status == status:
        return customer
    changes = audit.apply_changes(customer, {"deal_status": status, "deal_at": utcnow() if closed else None})
    session.flush()
    audit.record(session, scope, ENTITY, customer.id, "deal", changes)
    return customer


def note_deal_closed(session: Session, customer_id: int, reference: str) -> None:
    """A system hook (contract approved): the customer has closed a deal (成交), even when it went back to a
    public pool meanwhile; audited as the system with the reference (e.g. the contract number)."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deal_status == "closed":
        return
    changes = audit.apply_changes(customer, {"deal_status": "closed", "deal_at": utcnow()})
    session.flush()
    audit.record(session, Scope.system(), ENTITY, customer.id, "deal", changes, note=reference[:500])


def set_locked(session: Session, scope: Scope, customer_id: int, locked: bool) -> Customer:
    """Lock (exempt from pool return) or unlock a customer."""
    customer = get(session, scope, customer_id)
    authz_service.require(scope, Permission.customers_lock)
    _owns(scope, customer)
    changes = audit.apply_changes(customer, {"locked": locked})
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, customer.id, "lock" if locked else "unlock", changes)
    return customer


def members(session: Session, scope: Scope, customer_id: int) -> list[RecordMember]:
    get(session, scope, customer_id)
    return repo.members(session, customer_id)


def add_member(session: Session, scope: Scope, customer_id: int, data: MemberWrite) -> RecordMember:
    """Add or update a team member (协作人) with read or read-write access and an optional expiry."""
    customer = get(session, scope, customer_id)
    authz_service.require(scope, Permission.customers_team)
    _owns(scope, customer)
    user = org_service.get_user(session, data.user_id)
    if user.id == customer.owner_id:
        raise Invalid(_("The owner is already on the team."))
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise Invalid(_("The expiry date must be in the future."))
    member = _upsert_member(session, scope, customer.id, user.id, data.access, data.expires_at)
    audit.record(
        session,
        scope,
        ENTITY,
        customer.id,
        "member_add",
        {"member": [None, user.display_name], "access": [None, data.access]},
    )
    return member


def remove_member(session: Session, scope: Scope, customer_id: int, user_id: int) -> None:
    customer = get(session, scope, customer_id)
    authz_service.require(scope, Permission.customers_team)
    _owns(scope, customer)
    if not _remove_member_row(session, customer.id, user_id):
        raise NotFound(_("Team member not found."))
    user = org_service.get_user(session, user_id)
    audit.record(session, scope, ENTITY, customer.id, "member_remove", {"member": [user.display_name, None]})


def _upsert_member(
    session: Session, scope: Scope, customer_id: int, user_id: int, access: str, expires_at: datetime | None
) -> RecordMember:
    member = repo.member(session, customer_id, user_id)
    if member is None:
        member = RecordMember(entity=ENTITY, record_id=customer_id, user_id=user_id, added_by=scope.user_id)
        session.add(member)
    member.access = access
    member.expires_at = expires_at
    session.flush()
    return member


def _remove_member_row(session: Session, customer_id: int, user_id: int) -> bool:
    return repo.delete_member(session, customer_id, user_id)


def history(session: Session, scope: Scope, customer_id: int) -> list[audit.AuditLog]:
    get(session, scope, customer_id)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, customer_id)


def note_followup(session: Session, customer_id: int, occurred_at: datetime, next_contact_at: datetime | None) -> None:
    """Record that a follow-up happened (feeds the pool rules' "last follow-up"); called by activities.

    It bumps ``version`` so that an edit form opened before the follow-up cannot silently overwrite it.
    """
    repo.note_followup(session, customer_id, occurred_at, next_contact_at)


def reset_last_followup(session: Session, customer_id: int, at: datetime | None) -> None:
    """Set ``last_followup_at`` exactly (it may move back): undoing a merge takes the merged follow-ups away
    again. A system hook for the merge domain, which has already authorised the undo."""
    repo.set_last_followup(session, customer_id, at)


def move_converted_leads(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """Leads converted into customer ``from_id`` (or only ``ids`` of them) now point at ``to_id`` (merge, undo)."""
    from loam.leads import service as lead_service

    return lead_service.move_converted(session, from_id, to_id, ids)


def add_owner_as_member(session: Session, scope: Scope, customer_id: int, user_id: int) -> int | None:
    """Merge: the owner of a customer merged away keeps working on the survivor as a read-write team member.
    Returns the new member row id, or None when the user already is on the team (nothing changed)."""
    if repo.member(session, customer_id, user_id) is not None:
        return None
    return _upsert_member(session, scope, customer_id, user_id, "write", None).id


def remove_members(session: Session, customer_id: int, member_ids: list[int]) -> int:
    """Undo of :func:`add_owner_as_member`: drop exactly those member rows of the customer."""
    return repo.delete_member_rows(session, customer_id, member_ids)


def count_owned(session: Session, scope: Scope) -> int:
    """How many live customers the caller owns."""
    return repo.count_owned(session, scope)


def contact_due(session: Session, scope: Scope, limit: int = 10) -> list[Customer]:
    """The caller's own customers whose planned next contact is due by the end of today (company time)."""
    return repo.contact_due(session, scope, end_of_today(), limit)


def count_contact_due(session: Session, scope: Scope) -> int:
    """How many of the caller's own customers have a planned contact due by the end of today."""
    return repo.count_contact_due(session, scope, end_of_today())


def end_of_today() -> datetime:
    from datetime import time
    from zoneinfo import ZoneInfo

    from loam.config import settings

    tz = ZoneInfo(settings.timezone)
    return datetime.combine(utcnow().astimezone(tz).date(), time.max, tzinfo=tz)


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[Customer], int]:
    """Customers in the recycle bin that the caller could see before they were deleted."""
    return repo.deleted_page(session, scope, page, size)


# --- pool support ---
# Customer-row changes made by the public pools (loam.pools.service decides who may do what; these only write).


def put_in_pool(
    session: Session,
    scope: Scope,
    customer: Customer,
    pool_id: int,
    action: str,
    note: str | None = None,
    at: datetime | None = None,
) -> dict[str, list[object]]:
    """Move an owned customer into a pool: no owner, previous owner kept, team removed; audited as ``action``.

    The ORM version check makes a concurrent change of the same row fail instead of being overwritten.
    """
    now = at or utcnow()
    changes = audit.apply_changes(
        customer,
        {
            "owner_id": None,
            "pool_id": pool_id,
            "previous_owner_id": customer.owner_id,
            "released_at": now,
            "owner_since": None,
        },
    )
    session.flush()
    remove_team(session, customer.id)
    from loam.contacts import service as contact_service

    contact_service.reown_for_customer(session, scope, customer.id, None, customer.department_id)
    audit.record(session, scope, ENTITY, customer.id, action, changes, note=note)
    return changes


def take_from_pool(
    session: Session, scope: Scope, customer: Customer, owner_id: int, department_id: int | None, action: str
) -> Customer:
    """Give a pool customer to ``owner_id`` with one atomic UPDATE; exactly one concurrent taker wins.

    Anyone else gets a 409 (also when SQLite reports the database as locked by the winner's write).
    """
    from sqlalchemy.exc import OperationalError

    pool_id = customer.pool_id
    if pool_id is None or customer.owner_id is not None:
        raise Conflict(_("This customer has already been claimed."))
    try:
        won = repo.take_from_pool(session, customer.id, pool_id, owner_id, department_id, utcnow())
    except OperationalError as exc:
        raise Conflict(_("This customer has already been claimed.")) from exc
    if won != 1:
        raise Conflict(_("This customer has already been claimed."))
    session.refresh(customer)
    from loam.contacts import service as contact_service

    contact_service.reown_for_customer(session, scope, customer.id, owner_id, department_id)
    changes = {"owner_id": [None, owner_id], "pool_id": [pool_id, None]}
    audit.record(session, scope, ENTITY, customer.id, action, changes)
    return customer


def pool_page(
    session: Session, pool_id: int, filters: CustomerFilters, page: int = 1, size: int = 25, sort: str | None = None
) -> tuple[list[Customer], int]:
    """One page of a pool's unowned customers (the caller has checked the pool is visible)."""
    return repo.pool_page(session, pool_id, filters, page, size, sort)


def count_in_pools(session: Session, pool_ids: list[int]) -> dict[int, int]:
    """Unowned live customers per pool id."""
    return repo.count_in_pools(session, pool_ids) if pool_ids else {}


def count_owned_by(session: Session, user_id: int) -> int:
    """How many live customers a user owns (for the pools' owned-customer cap)."""
    return repo.count_owned_by(session, user_id)


def owner_ids(session: Session) -> list[int]:
    """Every user who owns a live customer (the pool rules look up each owner's pool once)."""
    return repo.owner_ids(session)


def rule_candidates(
    session: Session, owners: list[int], cutoff: datetime, exempt_closed: bool, after_id: int = 0, limit: int = 500
) -> list[Customer]:
    """A batch (by id) of customers for the pool rules: owned by ``owners``, unlocked, held since ``cutoff``."""
    if not owners:
        return []
    return repo.rule_candidates(session, owners, cutoff, exempt_closed, after_id, limit)


def list_statement(
    session: Session, scope: Scope, filters: CustomerFilters, sort: str | None = None
) -> Select[tuple[Customer]]:
    """The statement behind :func:`list_page` — same scope, filters and sort — unpaged, for exports (R13, R17)."""
    return repo.sorted_statement(session, scope, filters, sort)


# --- merge support (loam.merge decides who may merge what; these only read or write) ---


def get_deleted(session: Session, scope: Scope, customer_id: int) -> Customer:
    """A customer in the recycle bin that the caller could see before it was deleted, or 404."""
    customer = repo.get(session, scope, customer_id, deleted=True)
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


def merge_values(session: Session, customer: Customer, values: dict[str, object]) -> dict[str, list[object]]:
    """Set the field values chosen in a merge (or put back by its undo), keeping the normalised keys in step.

    Returns ``{field: [old, new]}``; the caller has authorised the write and writes the audit row."""
    changes = audit.apply_changes(customer, values)
    customer.name_norm = normalize.company(customer.name)
    customer.phone_norm = normalize.phone(customer.phone)
    session.flush()
    return changes


def set_merged_away(session: Session, scope: Scope, customer: Customer, merged: bool) -> None:
    """Put a customer merged into another into the recycle bin, or take it out when the merge is undone."""
    customer.deleted_at = utcnow() if merged else None
    customer.deleted_by = scope.user_id if merged else None
    session.flush()


# --- import support ---
# The bulk path of loam.imports: it has parsed, validated, deduplicated and scope-checked every row.


def import_keys(session: Session) -> Any:
    """(id, name_norm, phone_norm, email, owner_id) of every live customer, streamed — the importer's
    dedup index. Across data scopes on purpose, like the duplicate warning (撞单): a match outside the
    importer's scope is skipped or refused, never updated, and only its id and name are reported."""
    return repo.dedup_rows(session)


def import_name_keys(session: Session, scope: Scope) -> Any:
    """(id, name_norm) of the customers the caller can see: the customer column of contacts/follow-ups."""
    return repo.name_keys(session, scope)


def import_create(session: Session, scope: Scope, rows: list[dict[str, Any]], note: str) -> list[int]:
    """Insert validated customer rows in bulk (owner, department and custom values already checked by the
    importer; ``name_norm``/``phone_norm`` computed by it); ``created_by`` is the importer; one audit row
    each ("imported", with the import named in the note)."""
    authz_service.require(scope, Permission.customers_create)
    from loam.search import service as search_service

    now = utcnow()
    constants = {"created_by": scope.user_id, "owner_since": now, "updated_at": now}
    ids = repo.new_ids(session, len(rows))
    with search_service.bulk_insert(session, ENTITY, ids):
        repo.bulk_insert(session, rows, constants, ids)
    audit.record_many(session, scope, ENTITY, ids, "import", note=note)
    return ids


def import_suspend_indexes(session: Session) -> list[str]:
    """Before a load much larger than the table: drop the secondary indexes (PostgreSQL: and the foreign
    keys, whose references the importer has checked); returns what :func:`import_finished` must re-create.
    Lists stay correct meanwhile, only slower."""
    return repo.suspend_indexes(session)


def import_finished(session: Session, suspended: list[str] | None = None) -> None:
    """After a bulk import: re-create suspended indexes and refresh the planner's statistics so lists keep
    choosing their indexes."""
    from loam.kit import bulk

    bulk.restore_indexes(session, suspended or [], parallel=True)  # the import committed the drop long ago
    repo.analyze(session)


def import_update(session: Session, scope: Scope, changes: dict[int, dict[str, Any]], note: str) -> dict[int, bool]:
    """Apply imported values to customers the caller may write (checked here again); → id: changed?"""
    authz_service.require(scope, Permission.customers_update)
    out: dict[int, bool] = {}
    for customer in repo.by_ids(session, list(changes)):
        if not can_write(session, scope, customer):
            raise Forbidden(_("You can view this customer but not change it."))
        values = dict(changes[customer.id])
        if "name" in values:
            values["name_norm"] = normalize.company(values["name"])
        if "phone" in values:
            values["phone_norm"] = normalize.phone(values["phone"])
        diff = audit.apply_changes(customer, values)
        diff.pop("name_norm", None)
        diff.pop("phone_norm", None)
        out[customer.id] = bool(diff)
        if diff:
            audit.record(session, scope, ENTITY, customer.id, "import_update", diff, note=note)
    session.flush()
    return out
