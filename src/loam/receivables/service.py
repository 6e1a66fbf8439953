"""Receipts (回款记录): the only writer of receipts and their allocations; contract received / outstanding.

A receipt is recorded on an approved contract as a draft, allocated across the contract's plan periods, and
submitted for approval (doc type "receivable"); only APPROVED live receipts count as received. A receipt in
approval is locked; an approved one can no longer be edited (it can be moved to the recycle bin, which takes
it out of the received amounts). Recycle bin entity: "receivable".

Each plan stores what it has received (``ReceivablePlan.received``): whenever a receipt may start or stop
counting — approval decisions, delete / restore / purge (also through the recycle bin, which calls these) —
the plans it allocates to are recomputed in the same transaction (``repo.refresh_received``).

Also the entry points other domains call: :func:`received`, :func:`outstanding`, :func:`totals`, and (from
:mod:`loam.receivables.ageing`) :func:`ageing`, :func:`plans_due`, :func:`due_by_month`, :func:`overdue`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit, customfields
from loam.kit.i18n import gettext as _
from loam.receivables import allocation, dates
from loam.receivables import repository as repo
from loam.receivables.ageing import ageing, due_by_month, overdue, plans_due  # noqa: F401  (for other domains)
from loam.receivables.common import ENTITY_RECEIPT, check_version, contract_for, created_custom, require_write
from loam.receivables.models import ZERO, Receivable, ReceivableAllocation
from loam.receivables.schemas import (
    AllocationsReplace,
    AllocationWrite,
    ContractTotals,
    ReceiptCreate,
    ReceiptFilters,
    ReceiptUpdate,
    SubmitRequest,
)

ENTITY = ENTITY_RECEIPT
FIELDS = ("received_on", "amount", "method", "payer", "remark")
EDITABLE = ("draft", "rejected")


def get(session: Session, scope: Scope, receipt_id: int) -> Receivable:
    """A live receipt the caller may see, or 404 (never 403 for what is out of scope)."""
    receipt = repo.receipt(session, scope, receipt_id)
    if receipt is None:
        raise NotFound(_("Receipt not found."))
    return receipt


def list_page(
    session: Session, scope: Scope, filters: ReceiptFilters, page: int = 1, size: int = 25, sort: str | None = None
) -> tuple[list[Receivable], int]:
    """One page of the receipts the caller sees, filtered and sorted by whitelisted keys."""
    return repo.receipt_page(session, scope, filters, page, size, sort)


def list_statement(session: Session, scope: Scope, filters: ReceiptFilters, sort: str | None = None) -> Select[Any]:
    """The statement behind :func:`list_page`, unpaged (exports): same scope, filters and sort (R13)."""
    return repo.sorted_receipts(session, scope, filters, sort)


def export_columns() -> dict[str, Any]:
    """What an export of receipts selects from their contracts (attribute name → column)."""
    return repo.contract_columns()


def of_contract(session: Session, scope: Scope, contract_id: int) -> list[Receivable]:
    """The live receipts of a contract whose receivables the caller sees (404 otherwise), newest first."""
    contract_for(session, scope, contract_id)
    return repo.receipts_of_contract(session, scope, contract_id)


def allocations(session: Session, scope: Scope, receipt_id: int) -> list[ReceivableAllocation]:
    """How a visible receipt is split across plan periods."""
    get(session, scope, receipt_id)
    return repo.allocations(session, receipt_id)


def open_periods(
    session: Session, scope: Scope, contract_id: int, receipt_id: int | None = None
) -> list[tuple[Any, Decimal]]:
    """The live plan periods of a visible contract (404 otherwise), oldest due first, each with the amount still
    free to allocate (what other live, not rejected receipts than ``receipt_id`` have not taken)."""
    contract_for(session, scope, contract_id)
    plans = repo.live_plans(session, contract_id)
    taken = repo.committed(session, [p.id for p in plans], exclude_receipt_id=receipt_id)
    return [(p, max(p.amount - taken.get(p.id, ZERO), ZERO)) for p in plans]


def _slots(session: Session, contract_id: int, receipt_id: int | None) -> list[allocation.Slot]:
    plans = repo.live_plans(session, contract_id)
    taken = repo.committed(session, [p.id for p in plans], exclude_receipt_id=receipt_id)
    return [allocation.Slot(p.id, p.number, p.due_on, p.amount, taken.get(p.id, ZERO)) for p in plans]


def _allocation(
    session: Session, receipt: Receivable, amount: Decimal, wanted: list[AllocationWrite] | None
) -> list[tuple[int, Decimal]]:
    """The allocations a receipt of ``amount`` would get: ``wanted`` checked, or oldest due first when None.
    Nothing is written; the contract is locked so that the check holds until the transaction ends."""
    repo.lock_contract(session, receipt.contract_id)
    slots = _slots(session, receipt.contract_id, receipt.id)
    if wanted is None:
        return allocation.oldest_first(amount, slots)
    return allocation.checked(amount, [(a.plan_id, a.amount) for a in wanted], slots, receipt.currency)


def _write_allocations(session: Session, receipt: Receivable, rows: list[tuple[int, Decimal]]) -> list[list[Any]]:
    """Replace the receipt's allocation rows; returns them as [[plan id, amount], ...] for the audit row. Only
    new, draft and rejected receipts get here (:func:`_editable`): they do not count as received, so the plans'
    stored ``received`` does not move."""
    repo.delete_allocations(session, receipt.id)
    session.add_all(ReceivableAllocation(receivable_id=receipt.id, plan_id=pid, amount=amt) for pid, amt in rows)
    session.flush()
    session.expire(receipt, ["allocated"])
    return [[pid, amt] for pid, amt in rows]


def _current(session: Session, receipt: Receivable) -> list[AllocationWrite]:
    return [AllocationWrite(plan_id=a.plan_id, amount=a.amount) for a in repo.allocations(session, receipt.id)]


def create(session: Session, scope: Scope, data: ReceiptCreate) -> Receivable:
    """Record a draft receipt on an approved contract the caller may write (404 / 403 / 409 otherwise) and
    allocate it (explicitly, or oldest due first when ``allocations`` is omitted); 422 on bad custom values
    (required, type, unique); audited."""
    contract = contract_for(session, scope, data.contract_id)
    require_write(scope, contract.owner_id, Permission.receivables_create)
    if contract.status != "approved":
        raise Conflict(_("Receipts can only be recorded on approved contracts."))
    custom = customfields.validate(session, Receivable, ENTITY, data.custom)
    receipt = Receivable(
        **data.model_dump(include=set(FIELDS)),
        custom=custom,
        contract_id=contract.id,
        currency=contract.currency,
        status="draft",
        created_by=scope.user_id,
    )
    session.add(receipt)
    session.flush()
    rows = _write_allocations(session, receipt, _allocation(session, receipt, receipt.amount, data.allocations))
    changes = {
        "amount": [None, receipt.amount],
        "received_on": [None, receipt.received_on],
        "allocations": [None, rows],
    } | created_custom(custom)
    audit.record(session, scope, ENTITY, receipt.id, "create", changes)
    return receipt


def _editable(session: Session, scope: Scope, receipt_id: int, version: int) -> Receivable:
    """Fetch (404), check write access (403), version and status (409) — before any write."""
    receipt = get(session, scope, receipt_id)
    require_write(scope, receipt.owner_id, Permission.receivables_update, receipt.created_by)
    check_version(receipt, version)
    if receipt.status == "in_approval":
        raise Conflict(_("This receipt is in approval and cannot be changed."))
    if receipt.status not in EDITABLE:
        raise Conflict(_("An approved receipt cannot be changed."))
    return receipt


def update(session: Session, scope: Scope, receipt_id: int, data: ReceiptUpdate) -> Receivable:
    """Edit a draft or rejected receipt (409 when stale, in approval or approved). ``allocations`` null keeps the
    current ones, which must still fit the new amount (422); a list replaces them. Custom values: only the keys
    sent are checked and changed (422 when bad); changes are audited as ``custom.<key>``."""
    receipt = _editable(session, scope, receipt_id, data.version)
    custom = customfields.validate(session, Receivable, ENTITY, data.custom, receipt.id, partial=True)
    current = _current(session, receipt)
    rows = _allocation(session, receipt, data.amount, data.allocations if data.allocations is not None else current)
    before, after = [[a.plan_id, a.amount] for a in current], [[pid, amt] for pid, amt in rows]
    changes = audit.apply_changes(receipt, data.model_dump(include=set(FIELDS)) | {"custom": custom})
    if after != before:
        changes["allocations"] = [before, after]
        receipt.updated_at = utcnow()  # an allocation change alone also bumps the version
    session.flush()
    _write_allocations(session, receipt, rows)
    if changes:
        audit.record(session, scope, ENTITY, receipt.id, "update", changes)
    return receipt


def set_allocations(session: Session, scope: Scope, receipt_id: int, data: AllocationsReplace) -> Receivable:
    """Replace the allocations of a draft or rejected receipt (null: oldest due first); audited."""
    receipt = _editable(session, scope, receipt_id, data.version)
    before = [[a.plan_id, a.amount] for a in _current(session, receipt)]
    after = _write_allocations(session, receipt, _allocation(session, receipt, receipt.amount, data.allocations))
    receipt.updated_at = utcnow()  # bumps the version: a form opened before this change is now stale
    session.flush()
    audit.record(session, scope, ENTITY, receipt.id, "allocate", {"allocations": [before, after]})
    return receipt


def _recheck(session: Session, receipt: Receivable) -> None:
    """The receipt's allocations still hold (periods live, none over-allocated) — before it counts again."""
    _allocation(session, receipt, receipt.amount, _current(session, receipt))


def submit(session: Session, scope: Scope, receipt_id: int, data: SubmitRequest | None = None) -> Receivable:
    """Send a draft or rejected receipt to approval (doc type "receivable"). The flow's ``on_change`` moves it
    to in_approval and then approved / rejected; with no active flow it is approved at once."""
    data = data or SubmitRequest()
    receipt = get(session, scope, receipt_id)
    require_write(scope, receipt.owner_id, Permission.receivables_create)
    if receipt.status not in EDITABLE:
        raise Conflict(_("Only a draft or rejected receipt can be submitted."))
    _recheck(session, receipt)
    try:
        from loam.approvals import service as approval_service
    except ModuleNotFoundError:  # approvals not installed: nothing to wait for
        apply_approval(session, scope, receipt, "approved")
        return receipt
    approval_service.submit(session, scope, ENTITY, receipt.id, data.chosen_approvers, data.comment)
    session.refresh(receipt)
    return receipt


STATES = {"in_approval": ("in_approval", "submit"), "approved": ("approved", "approve")}
STATES |= {"rejected": ("rejected", "reject"), "withdrawn": ("draft", "withdraw")}


def apply_approval(session: Session, scope: Scope, receipt: Receivable, state: str) -> None:
    """The approval engine's ``on_change``: set the receipt's status for ``state`` and write the audit row."""
    if state not in STATES:
        raise Invalid(_("Unknown approval state: %(state)s", state=state[:20]))
    status, action = STATES[state]
    values: dict[str, Any] = {"status": status, "approved_at": utcnow() if status == "approved" else None}
    changes = audit.apply_changes(receipt, values)
    session.flush()
    _counted_changed(session, receipt.id)
    audit.record(session, scope, ENTITY, receipt.id, action, changes)


def _counted_changed(session: Session, receipt_id: int) -> None:
    """Whether a receipt counts as received may have changed (approval, recycle bin): recompute the stored
    ``received`` of the plans it allocates to, in this transaction (after the flush of the change)."""
    repo.refresh_received(session, repo.plan_ids_of_receipt(session, receipt_id))


def delete_(session: Session, scope: Scope, receipt_id: int) -> Receivable:
    """Move a receipt to the recycle bin (not while in approval: 409); an approved one stops counting."""
    receipt = get(session, scope, receipt_id)
    require_write(scope, receipt.owner_id, Permission.receivables_delete)
    if receipt.status == "in_approval":
        raise Conflict(_("This receipt is in approval and cannot be changed."))
    receipt.deleted_at = utcnow()
    receipt.deleted_by = scope.user_id
    session.flush()
    _counted_changed(session, receipt.id)
    audit.record(session, scope, ENTITY, receipt.id, "delete")
    return receipt


def _deleted(session: Session, scope: Scope, receipt_id: int) -> Receivable:
    receipt = repo.receipt(session, scope, receipt_id, deleted=True)
    if receipt is None:
        raise NotFound(_("Receipt not found."))
    return receipt


def restore(session: Session, scope: Scope, receipt_id: int) -> Receivable:
    """Bring a receipt back; 409 when its allocations no longer fit (periods deleted or paid by others since)."""
    receipt = _deleted(session, scope, receipt_id)
    require_write(scope, receipt.owner_id, Permission.receivables_delete)
    if receipt.status != "rejected":
        _recheck(session, receipt)
    receipt.deleted_at = None
    receipt.deleted_by = None
    session.flush()
    _counted_changed(session, receipt.id)
    audit.record(session, scope, ENTITY, receipt.id, "restore")
    return receipt


def purge(session: Session, scope: Scope, receipt_id: int) -> None:
    """Delete a receipt from the recycle bin for good (``recycle.purge``), allocations included; history stays."""
    receipt = _deleted(session, scope, receipt_id)
    require_write(scope, receipt.owner_id, Permission.recycle_purge)
    audit.record(session, scope, ENTITY, receipt.id, "purge", {"amount": [receipt.amount, None]})
    plan_ids = repo.plan_ids_of_receipt(session, receipt.id)
    repo.delete_allocations(session, receipt.id)
    session.delete(receipt)
    session.flush()
    repo.refresh_received(session, plan_ids)  # a deleted receipt no longer counts: kept exact all the same


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[Receivable], int]:
    """Receipts in the recycle bin that the caller could see before they were deleted."""
    return repo.receipt_deleted_page(session, scope, page, size)


def history(session: Session, scope: Scope, receipt_id: int) -> list[audit.AuditLog]:
    """The audit rows of a visible receipt, newest first (``audit.view``)."""
    from loam.authz import service as authz_service

    get(session, scope, receipt_id)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, receipt_id)


# --- contract money (other domains call these) ---


def recompute_received(session: Session, plan_ids: list[int] | None = None) -> None:
    """System: recompute the stored ``received`` of these plans (``None``: every plan) from their approved live
    allocations, in one UPDATE — for loaders that write receipts and allocations in bulk (``loam demo --scale``)
    instead of through this service. No scope: the caller has authorised the load."""
    repo.refresh_received(session, plan_ids)


def received(session: Session, contract_id: int) -> Decimal:
    """What a contract has received: the sum of its APPROVED live receipts (drafts, receipts in approval and
    rejected ones never count). System-level: the caller has authorised reading the contract."""
    return repo.received_total(session, contract_id)


def planned(session: Session, contract_id: int) -> Decimal:
    """The sum of a contract's live plan periods (never more than its amount when the plans were written; the
    contracts domain may refuse lowering a contract's amount below it). System-level, like :func:`received`."""
    return repo.planned_total(session, contract_id)


def outstanding(session: Session, contract_id: int) -> Decimal:
    """Contract amount − :func:`received` (negative when more was received than the contract amount)."""
    contract = repo.contracts_by_id(session, [contract_id]).get(contract_id)
    if contract is None:
        raise NotFound(_("Contract not found."))
    return contract.amount - received(session, contract_id)


def totals(session: Session, scope: Scope, contract_id: int, as_of: date | None = None) -> ContractTotals:
    """A visible contract's money (404 otherwise): amount, planned, received, outstanding, overdue on ``as_of``,
    invoiced (issued) and requested (not issued yet)."""
    contract = contract_for(session, scope, contract_id)
    got = received(session, contract.id)
    invoices = repo.invoiced_totals(session, contract.id)
    return ContractTotals(
        contract_id=contract.id,
        currency=contract.currency,
        amount=contract.amount,
        planned=planned(session, contract.id),
        received=got,
        outstanding=contract.amount - got,
        overdue=repo.overdue_amount(session, contract.id, as_of or dates.today()),
        invoiced=invoices.get("issued", ZERO),
        invoice_requested=invoices.get("not_issued", ZERO),
    )
