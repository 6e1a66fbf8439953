"""Receivable plans (回款计划): the only writer of plan periods — one by one, in batch or recurring.

Rules: plans belong to a contract that is not void; the live plans of a contract never add up to more than the
contract amount (409 with the figures); a period's amount never drops below what receipts already allocate to
it; a period that receipts pay cannot be deleted. Recycle bin entity: "receivable_plan". The stored
``received`` of a plan is written by ``repo.refresh_received`` only (receipt changes, and here on delete /
restore); creating and editing a period leave it as it is.
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
from loam.receivables import dates
from loam.receivables import repository as repo
from loam.receivables.common import (
    ENTITY_PLAN,
    check_version,
    contract_for,
    created_custom,
    money,
    require_open_contract,
    require_write,
)
from loam.receivables.models import ZERO, Receivable, ReceivableAllocation, ReceivablePlan
from loam.receivables.schemas import PlanBatch, PlanCreate, PlanFilters, PlanRecurring, PlanUpdate

ENTITY = ENTITY_PLAN
FIELDS = ("due_on", "amount", "milestone", "site", "remark")


def get(session: Session, scope: Scope, plan_id: int) -> ReceivablePlan:
    """A live plan period the caller may see, or 404 (never 403 for what is out of scope)."""
    plan = repo.plan(session, scope, plan_id)
    if plan is None:
        raise NotFound(_("Receivable plan not found."))
    return plan


def list_page(
    session: Session,
    scope: Scope,
    filters: PlanFilters,
    page: int = 1,
    size: int = 25,
    sort: str | None = None,
    as_of: date | None = None,
) -> tuple[list[ReceivablePlan], int]:
    """One page of the plan periods the caller sees; ``status`` is evaluated on ``as_of`` (default today)."""
    return repo.plan_page(session, scope, filters, as_of or dates.today(), page, size, sort)


def list_statement(session: Session, scope: Scope, filters: PlanFilters, sort: str | None = None) -> Select[Any]:
    """The statement behind :func:`list_page`, unpaged (exports): same scope, filters (status today) and sort."""
    return repo.sorted_plans(session, scope, filters, dates.today(), sort)


def export_columns() -> dict[str, Any]:
    """What an export of plans selects besides plan attributes: the contract's number, name, customer, owner
    and department, and the status (today) and outstanding amount computed in SQL (attribute name → column)."""
    return repo.contract_columns() | {
        "status": repo.plan_status_expr(dates.today()),
        "outstanding": repo.plan_outstanding_expr(),
    }


def of_contract(session: Session, scope: Scope, contract_id: int) -> list[ReceivablePlan]:
    """The live plan periods of a contract whose receivables the caller sees (404 otherwise), oldest due first."""
    contract_for(session, scope, contract_id)
    return repo.plans_of_contract(session, scope, contract_id)


def _writable_contract(session: Session, scope: Scope, contract_id: int, permission: Permission) -> Any:
    """Fetch the contract in scope (404), check the permission (403) and that it is not void (409); lock it."""
    contract = contract_for(session, scope, contract_id)
    require_write(scope, contract.owner_id, permission)
    require_open_contract(contract)
    repo.lock_contract(session, contract.id)
    return contract


def _check_total(session: Session, contract: Any, adding: Decimal, exclude_id: int | None = None) -> None:
    """409 when the contract's live plans plus ``adding`` would exceed the contract amount."""
    planned = repo.planned_total(session, contract.id, exclude_id)
    if planned + adding > contract.amount:
        figures = {
            "contract_amount": str(contract.amount),
            "planned": str(planned),
            "requested": str(adding),
            "available": str(max(contract.amount - planned, ZERO)),
        }
        raise Conflict(
            _(
                "The plans would add up to %(total)s, more than the contract amount %(amount)s "
                "(already planned %(planned)s, still available %(available)s).",
                total=money(planned + adding, contract.currency),
                amount=money(contract.amount, contract.currency),
                planned=money(planned, contract.currency),
                available=money(max(contract.amount - planned, ZERO), contract.currency),
            ),
            detail=figures,
        )


def _check_custom(session: Session, rows: list[dict[str, Any]], per_row: bool) -> None:
    """Validate each row's custom values in place (required, type, unique — as for one period): 422 with the
    field (``rows.<i>.custom.<key>`` when ``per_row``, a batch). A unique field also needs a different value
    on each new period: a recurring series sharing one value, or two batch rows repeating it, are refused."""
    unique = {d.key for d in customfields.definitions(session, ENTITY) if d.unique}
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(rows):
        where = f"rows.{i}." if per_row else ""
        try:
            row["custom"] = customfields.validate(session, ReceivablePlan, ENTITY, row.get("custom"))
        except Invalid as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            raise Invalid(exc.message, detail={f"{where}{k}": v for k, v in detail.items()}) from None
        for key in unique:
            value = row["custom"].get(key)
            if value is None:
                continue
            if (key, str(value)) in seen:
                message = _("This value must be different on each period.")
                raise Invalid(message, detail={f"{where}custom.{key}": message})
            seen.add((key, str(value)))


def _create_rows(
    session: Session, scope: Scope, contract_id: int, rows: list[dict[str, Any]], per_row: bool = False
) -> list[ReceivablePlan]:
    """All the periods or none: custom values and one total check first, consecutive numbers, one audit row
    each (``per_row``: error locations name the row, as in a batch)."""
    contract = _writable_contract(session, scope, contract_id, Permission.receivables_create)
    _check_custom(session, rows, per_row)
    _check_total(session, contract, sum((r["amount"] for r in rows), ZERO))
    first = repo.next_number(session, contract.id)
    plans = [
        ReceivablePlan(
            **row, contract_id=contract.id, number=first + i, currency=contract.currency, created_by=scope.user_id
        )
        for i, row in enumerate(rows)
    ]
    session.add_all(plans)
    session.flush()
    for plan in plans:
        changes = {"number": [None, plan.number], "due_on": [None, plan.due_on], "amount": [None, plan.amount]}
        changes |= created_custom(plan.custom)
        audit.record(session, scope, ENTITY, plan.id, "create", changes)
    return plans


def create(session: Session, scope: Scope, data: PlanCreate) -> ReceivablePlan:
    """Add one period to a contract's plan (numbered after the last one); 409 when the plans would exceed the
    contract amount or the contract is void; 422 on bad custom values (required, type, unique)."""
    return _create_rows(session, scope, data.contract_id, [data.model_dump(include={*FIELDS, "custom"})])[0]


def create_batch(session: Session, scope: Scope, data: PlanBatch) -> list[ReceivablePlan]:
    """Add several periods at once: all are checked against the contract amount together, and each row's custom
    values like one period's (422 naming the row); all or none."""
    return _create_rows(session, scope, data.contract_id, [row.model_dump() for row in data.rows], per_row=True)


def recurring_rows(data: PlanRecurring) -> list[dict[str, Any]]:
    """The periods a recurring request makes: due dates every month/quarter/year from ``first_due`` (month
    ends kept: Jan 31 → Feb 28/29 → Mar 31), amounts ``amount_each`` or ``total`` split evenly (cents on the last).
    422 unless exactly one of the two is given and a total leaves at least a cent per period."""
    if (data.amount_each is None) == (data.total is None):
        message = _("Give either the amount of each period or a total to split evenly.")
        raise Invalid(message, detail={"amount_each": message, "total": message})
    if data.total is not None and data.total < dates.CENT * data.count:
        message = _("The total is less than one cent per period.")
        raise Invalid(message, detail={"total": message})
    due = dates.schedule(data.first_due, data.frequency, data.count)
    if data.amount_each is not None:
        amounts = [data.amount_each] * data.count
    else:
        amounts = dates.split_evenly(data.total, data.count)  # type: ignore[arg-type]
    common = {"milestone": data.milestone, "site": data.site, "remark": data.remark, "custom": data.custom}
    return [{"due_on": d, "amount": a, **common} for d, a in zip(due, amounts, strict=True)]


def create_recurring(session: Session, scope: Scope, data: PlanRecurring) -> list[ReceivablePlan]:
    """Add ``count`` periods on a monthly, quarterly or yearly rhythm (see :func:`recurring_rows`), all with the
    same custom values (required fields must be given; a unique field cannot be shared: 422); all or none."""
    return _create_rows(session, scope, data.contract_id, recurring_rows(data))


def update(session: Session, scope: Scope, plan_id: int, data: PlanUpdate) -> ReceivablePlan:
    """Edit a period; a stale ``version`` is a 409, as are a total above the contract amount and an amount
    below what receipts already allocate to it; bad custom values are a 422 (only the keys sent are checked).
    Nothing is written on refusal; changes are audited (custom values as ``custom.<key>``)."""
    plan = get(session, scope, plan_id)
    contract = contract_for(session, scope, plan.contract_id)
    require_write(scope, contract.owner_id, Permission.receivables_update, plan.created_by)
    check_version(plan, data.version)
    require_open_contract(contract)
    repo.lock_contract(session, contract.id)
    custom = customfields.validate(session, ReceivablePlan, ENTITY, data.custom, plan.id, partial=True)
    _check_total(session, contract, data.amount, exclude_id=plan.id)
    taken = repo.committed(session, [plan.id]).get(plan.id, ZERO)
    if data.amount < taken:
        raise Conflict(
            _(
                "Receipts already allocate %(allocated)s to this period; its amount cannot be less.",
                allocated=money(taken, plan.currency),
            ),
            detail={"allocated": str(taken)},
        )
    changes = audit.apply_changes(plan, data.model_dump(include=set(FIELDS)) | {"custom": custom})
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, plan.id, "update", changes)
    return plan


def delete_(session: Session, scope: Scope, plan_id: int) -> ReceivablePlan:
    """Move a period to the recycle bin; refused (409) while live receipts allocate money to it."""
    plan = get(session, scope, plan_id)
    require_write(scope, plan.owner_id, Permission.receivables_delete)
    if repo.receipts_allocating_to(session, plan.id):
        raise Conflict(_("Receipts are allocated to this period; change their allocations first."))
    plan.deleted_at = utcnow()
    plan.deleted_by = scope.user_id
    session.flush()
    repo.refresh_received(session, [plan.id])
    audit.record(session, scope, ENTITY, plan.id, "delete")
    return plan


def _deleted(session: Session, scope: Scope, plan_id: int) -> ReceivablePlan:
    plan = repo.plan(session, scope, plan_id, deleted=True)
    if plan is None:
        raise NotFound(_("Receivable plan not found."))
    return plan


def restore(session: Session, scope: Scope, plan_id: int) -> ReceivablePlan:
    """Bring a period back from the recycle bin — only while the contract's plans still fit its amount (409)."""
    plan = _deleted(session, scope, plan_id)
    contract = contract_for(session, scope, plan.contract_id)
    require_write(scope, contract.owner_id, Permission.receivables_delete)
    require_open_contract(contract)
    repo.lock_contract(session, contract.id)
    _check_total(session, contract, plan.amount)
    plan.deleted_at = None
    plan.deleted_by = None
    session.flush()
    repo.refresh_received(session, [plan.id])  # exact again whatever happened while it was in the bin
    audit.record(session, scope, ENTITY, plan.id, "restore")
    return plan


def purge(session: Session, scope: Scope, plan_id: int) -> None:
    """Delete a period from the recycle bin for good (``recycle.purge``); allocations of deleted receipts to it
    go with it; its audit history stays."""
    plan = _deleted(session, scope, plan_id)
    require_write(scope, plan.owner_id, Permission.recycle_purge)
    audit.record(session, scope, ENTITY, plan.id, "purge", {"amount": [plan.amount, None]})
    session.delete(plan)
    session.flush()


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[ReceivablePlan], int]:
    """Plan periods in the recycle bin that the caller could see before they were deleted."""
    return repo.plan_deleted_page(session, scope, page, size)


def payments(session: Session, scope: Scope, plan_id: int) -> list[tuple[ReceivableAllocation, Receivable]]:
    """The live receipts allocating money to a visible period, with the allocated amounts, newest first."""
    get(session, scope, plan_id)
    return repo.allocations_of_plan(session, plan_id)


def history(session: Session, scope: Scope, plan_id: int) -> list[audit.AuditLog]:
    """The audit rows of a visible period, newest first (``audit.view``)."""
    from loam.authz import service as authz_service

    get(session, scope, plan_id)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, plan_id)
