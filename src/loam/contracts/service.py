"""Contracts: the only writer of contract records (rules by status, permission checks, audit).

What may change depends on the status: draft and rejected contracts may be edited and deleted; a contract in
approval is locked; an approved contract only takes remarks (and may be voided, see :mod:`lifecycle`); a void
contract takes nothing. Submitting, voiding, approval outcomes and expiry reminders live in
:mod:`loam.contracts.lifecycle`; templates and printing in :mod:`loam.contracts.documents`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.models import RecordMember
from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.config import settings as app_settings
from loam.contracts import labels, numbering, options
from loam.contracts import repository as repo
from loam.contracts.models import Contract
from loam.contracts.rules import check_refs, editable_or_409, lines_changes
from loam.contracts.schemas import ContractCreate, ContractFilters, ContractUpdate, MemberWrite
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit, customfields
from loam.kit.i18n import gettext as _
from loam.org import service as org_service
from loam.products import service as product_service

ENTITY = repo.ENTITY
_LABELS = labels  # registers the history labels of contract fields


def today() -> date:
    """Today in the company's time zone (numbers, expiry windows)."""
    return utcnow().astimezone(ZoneInfo(app_settings.timezone)).date()


def get(session: Session, scope: Scope, contract_id: int) -> Contract:
    """A live contract the caller may see, or 404 (never 403 for what is out of scope)."""
    contract = repo.get(session, scope, contract_id)
    if contract is None:
        raise NotFound(_("Contract not found."))
    return contract


def visible_ids(scope: Scope) -> Select[Any]:
    """A sub-select of the ids of the live contracts the caller can see (receivables, reports build on it)."""
    return repo.visible_ids(scope)


def list_page(
    session: Session, scope: Scope, filters: ContractFilters, page: int = 1, size: int = 25, sort: str | None = None
) -> tuple[list[Contract], int]:
    """One page of the contracts visible to the caller, filtered and sorted by whitelisted keys."""
    return repo.page(session, scope, filters, today(), page, size, sort)


def list_statement(session: Session, scope: Scope, filters: ContractFilters, sort: str | None = None) -> Any:
    """The statement behind :func:`list_page`, unpaged (CLI, exports): same scope, filters and sort (R13)."""
    return repo.sorted_statement(session, scope, filters, today(), sort)


def for_customer(session: Session, scope: Scope, customer_id: int) -> list[Contract]:
    """The visible live contracts of a visible customer (404 if the customer is not), newest first."""
    from loam.customers import service as customer_service

    customer_service.get(session, scope, customer_id)
    return repo.of_customer(session, scope, customer_id)


def can_write(session: Session, scope: Scope, contract: Contract) -> bool:
    """``contracts.update`` and the owner within the caller's data scope, or a current read-write member."""
    if not scope.can(Permission.contracts_update):
        return False
    if scope.sees_owner(Module.contracts, contract.owner_id):
        return True
    return authz_service.member_access(session, scope, ENTITY, contract.id) == "write"


def get_for_write(session: Session, scope: Scope, contract_id: int, permission: Permission) -> Contract:
    """Fetch in scope (404), then check the action permission and write access (403) — before any write."""
    contract = get(session, scope, contract_id)
    authz_service.require(scope, permission)
    if not can_write(session, scope, contract):
        raise Forbidden(_("You can view this contract but not change it."))
    return contract


def _owns(scope: Scope, contract: Contract) -> None:
    if not scope.sees_owner(Module.contracts, contract.owner_id):
        raise Forbidden(_("Only the owner or their managers can do this."))


def create(session: Session, scope: Scope, data: ContractCreate) -> Contract:
    """Create a draft owned by the caller with the next number; from an opportunity, its customer, name,
    amount, currency and product lines are the defaults and the link is kept. Audited."""
    authz_service.require(scope, Permission.contracts_create)
    refs = check_refs(session, scope, data, None)
    custom = customfields.validate(session, Contract, ENTITY, data.custom)
    values = data.model_dump(exclude={"custom", "lines", "customer_id", "name", "amount", "currency"})
    contract = Contract(
        **values,
        customer_id=refs.customer_id,
        name=refs.name,
        amount=refs.amount,
        currency=refs.currency,
        custom=custom,
        number=_next_number(session),
        status="draft",
        owner_id=scope.user_id,
        department_id=scope.department_id,
        created_by=scope.user_id,
    )
    session.add(contract)
    _flush_number(session)
    audit.record(session, scope, ENTITY, contract.id, "create", {"number": [None, contract.number]})
    if data.lines is not None:
        _set_lines(session, scope, contract, data.lines)
    elif refs.opportunity_id is not None:
        total = product_service.copy_lines(session, scope, "opportunity", refs.opportunity_id, ENTITY, contract.id)
        if product_service.lines_of(session, ENTITY, contract.id):
            contract.amount = total
    session.flush()
    return contract


def _next_number(session: Session) -> str:
    pattern = options.load(session).number_pattern
    day = today()
    number = numbering.allocate(session, pattern, day)
    for _attempt in range(100):  # a pattern changed back to an older shape may meet numbers already used
        if not repo.number_taken(session, number):
            return number
        number = numbering.allocate(session, pattern, day)
    raise Conflict(_("No free contract number: change the number pattern."))


def _flush_number(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(_("This contract number is already used. Try again.")) from exc


def _set_lines(session: Session, scope: Scope, contract: Contract, lines: list[Any]) -> dict[str, list[Any]]:
    """Replace the product lines; with lines, the amount is their total. Returns the amount change, if any."""
    total = product_service.replace_lines(session, scope, ENTITY, contract.id, lines)
    if lines and contract.amount != total:
        return audit.apply_changes(contract, {"amount": total})
    return {}


def update(session: Session, scope: Scope, contract_id: int, data: ContractUpdate) -> Contract:
    """Apply an edit allowed by the status (409 otherwise); a stale ``version`` is a 409; nothing half-applied."""
    contract = get_for_write(session, scope, contract_id, Permission.contracts_update)
    if data.version != contract.version:
        raise Conflict(_("Someone else changed this contract. Reload and try again."))
    editable_or_409(session, contract)
    values = data.model_dump(exclude={"version", "custom", "lines"})
    if contract.status == "approved":
        return _update_approved(session, scope, contract, data, values)
    refs = check_refs(session, scope, data, contract)
    values.update(customer_id=refs.customer_id, amount=refs.amount, currency=refs.currency)
    values["custom"] = customfields.validate(session, Contract, ENTITY, data.custom, contract.id, partial=True)
    changes = audit.apply_changes(contract, values)
    if data.lines is not None:
        changes |= _set_lines(session, scope, contract, data.lines)
    elif product_service.lines_of(session, ENTITY, contract.id):  # the amount follows the lines
        changes |= audit.apply_changes(contract, {"amount": total_of(session, contract.id)})
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, contract.id, "update", changes)
    return contract


def _update_approved(
    session: Session, scope: Scope, contract: Contract, data: ContractUpdate, values: dict[str, Any]
) -> Contract:
    custom = {k: v for k, v in (data.custom or {}).items() if (contract.custom or {}).get(k) != v}
    other = [k for k, v in values.items() if k != "remark" and getattr(contract, k) != v]
    if other or custom or lines_changes(session, contract, data.lines):
        raise Conflict(_("An approved contract only takes changes to its remarks. Void it to change more."))
    return set_remark(session, scope, contract.id, data.remark, data.version)


def set_remark(session: Session, scope: Scope, contract_id: int, remark: str | None, version: int) -> Contract:
    """Change only the remarks: allowed for draft, rejected and approved contracts (409 in approval or void)."""
    contract = get_for_write(session, scope, contract_id, Permission.contracts_update)
    if version != contract.version:
        raise Conflict(_("Someone else changed this contract. Reload and try again."))
    editable_or_409(session, contract)
    changes = audit.apply_changes(contract, {"remark": remark})
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, contract.id, "update", changes)
    return contract


def delete_(session: Session, scope: Scope, contract_id: int) -> Contract:
    """Move a draft or rejected contract to the recycle bin (restorable); other statuses are a 409."""
    contract = get(session, scope, contract_id)
    authz_service.require(scope, Permission.contracts_delete)
    _owns(scope, contract)
    if contract.status not in ("draft", "rejected"):
        raise Conflict(_("Only draft or rejected contracts can be deleted; void an approved contract instead."))
    editable_or_409(session, contract)
    contract.deleted_at = utcnow()
    contract.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, contract.id, "delete")
    return contract


def _get_deleted(session: Session, scope: Scope, contract_id: int) -> Contract:
    contract = repo.get(session, scope, contract_id, deleted=True)
    if contract is None:
        raise NotFound(_("Contract not found."))
    return contract


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[Contract], int]:
    """Contracts in the recycle bin that the caller could see before they were deleted."""
    return repo.deleted_page(session, scope, page, size)


def restore(session: Session, scope: Scope, contract_id: int) -> Contract:
    """Bring a contract back from the recycle bin (same scope and permission as deleting it)."""
    contract = _get_deleted(session, scope, contract_id)
    authz_service.require(scope, Permission.contracts_delete)
    _owns(scope, contract)
    contract.deleted_at = None
    contract.deleted_by = None
    session.flush()
    audit.record(session, scope, ENTITY, contract.id, "restore")
    return contract


def purge(session: Session, scope: Scope, contract_id: int) -> None:
    """Delete a contract from the recycle bin for good (``recycle.purge``) with its lines, team and print
    history; its audit history stays. A contract that other records still point at is a 409."""
    contract = _get_deleted(session, scope, contract_id)
    authz_service.require(scope, Permission.recycle_purge)
    try:
        with session.begin_nested():
            product_service.purge_lines(session, ENTITY, contract.id)
            repo.delete_members(session, contract.id)
            repo.delete_prints(session, ENTITY, contract.id)
            session.delete(contract)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Other records (such as receivables) still refer to this contract.")) from exc
    audit.record(session, scope, ENTITY, contract_id, "purge", {"number": [contract.number, None]})


def members(session: Session, scope: Scope, contract_id: int) -> list[RecordMember]:
    """The team members (协作人) of a visible contract."""
    get(session, scope, contract_id)
    return repo.members(session, contract_id)


def add_member(session: Session, scope: Scope, contract_id: int, data: MemberWrite) -> RecordMember:
    """Add or update a team member with read or read-write access (owner-level: ``contracts.update`` + owner
    in scope); an optional expiry must lie in the future."""
    contract = get(session, scope, contract_id)
    authz_service.require(scope, Permission.contracts_update)
    _owns(scope, contract)
    user = org_service.get_user(session, data.user_id)
    if user.id == contract.owner_id:
        raise Invalid(_("The owner is already on the team."))
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise Invalid(_("The expiry date must be in the future."))
    member = repo.member(session, contract.id, user.id)
    if member is None:
        member = RecordMember(entity=ENTITY, record_id=contract.id, user_id=user.id, added_by=scope.user_id)
        session.add(member)
    member.access = data.access
    member.expires_at = data.expires_at
    session.flush()
    changes = {"member": [None, user.display_name], "access": [None, data.access]}
    audit.record(session, scope, ENTITY, contract.id, "member_add", changes)
    return member


def remove_member(session: Session, scope: Scope, contract_id: int, user_id: int) -> None:
    """Take a user off the contract's team."""
    contract = get(session, scope, contract_id)
    authz_service.require(scope, Permission.contracts_update)
    _owns(scope, contract)
    if not repo.delete_member(session, contract.id, user_id):
        raise NotFound(_("Team member not found."))
    user = org_service.get_user(session, user_id)
    audit.record(session, scope, ENTITY, contract.id, "member_remove", {"member": [user.display_name, None]})


def history(session: Session, scope: Scope, contract_id: int) -> list[audit.AuditLog]:
    """The audit rows of a visible contract (``audit.view``)."""
    get(session, scope, contract_id)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, contract_id)


def lines(session: Session, scope: Scope, contract_id: int) -> list[Any]:
    """The product lines of a visible contract, in order."""
    get(session, scope, contract_id)
    return product_service.lines_of(session, ENTITY, contract_id)


def line_items(session: Session, contract: Contract) -> list[Any]:
    """The product lines of a contract the caller has already fetched in scope."""
    return product_service.lines_of(session, ENTITY, contract.id)


def total_of(session: Session, contract_id: int) -> Decimal:
    return product_service.lines_total(product_service.lines_of(session, ENTITY, contract_id))


def move_customer(session: Session, from_id: int, to_id: int, ids: list[int] | None = None) -> list[int]:
    """Customer merge (and its undo): the contracts of customer ``from_id`` now belong to ``to_id``; the merge
    domain has authorised it. Customer signatories stay (the contacts move with the customer too)."""
    return repo.move_customer(session, from_id, to_id, ids)


def count_for_customer(session: Session, customer_id: int) -> int:
    """How many contracts (live or in the recycle bin) a customer has — a customer with contracts is never
    purged, since contracts are financial records."""
    return repo.count_of_customer(session, customer_id)


def load(session: Session, contract_id: int) -> Contract | None:
    """A live contract by id, unscoped, for system code (the approval engine, jobs)."""
    return repo.load(session, contract_id)


def customer_names(session: Session, contracts: list[Contract]) -> dict[int, str]:
    """The names of the customers of contracts the caller sees (a contract's team member may not see the
    customer record itself, but sees whom the contract is with)."""
    return repo.customer_names(session, {c.customer_id for c in contracts})
