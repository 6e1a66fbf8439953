"""All SQL of the receivables domain; every read of a plan, receipt or invoice starts from a ``readable_*``.

Visibility goes through the contract (R10): a receivable record is visible to a caller with
``receivables.view`` when its contract is live and either the contract's owner is in the caller's data scope
for receivables (Module.receivables) or the contract itself is visible to the caller (contracts' own rules:
owner scope for contracts, team members). Records of a contract in the recycle bin are hidden until it is
restored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, false, func, or_, select, true, update
from sqlalchemy.orm import Session

from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.contracts.models import Contract
from loam.customers.models import Customer
from loam.kit import customfields
from loam.kit.listing import apply_sort, like_escape, paginate
from loam.receivables.models import (
    ZERO,
    Invoice,
    Receivable,
    ReceivableAllocation,
    ReceivablePlan,
    money_sum,
    received_sql,
)
from loam.receivables.schemas import InvoiceFilters, PlanFilters, ReceiptFilters

PLAN_SORTS = {
    "id": ReceivablePlan.id,
    "number": ReceivablePlan.number,
    "due_on": ReceivablePlan.due_on,
    "amount": ReceivablePlan.amount,
    "contract": Contract.number,
    "created_at": ReceivablePlan.created_at,
    "updated_at": ReceivablePlan.updated_at,
}
RECEIPT_SORTS = {
    "id": Receivable.id,
    "received_on": Receivable.received_on,
    "amount": Receivable.amount,
    "status": Receivable.status,
    "contract": Contract.number,
    "created_at": Receivable.created_at,
    "updated_at": Receivable.updated_at,
}
INVOICE_SORTS = {
    "id": Invoice.id,
    "issued_on": Invoice.issued_on,
    "amount": Invoice.amount,
    "status": Invoice.status,
    "contract": Contract.number,
    "created_at": Invoice.created_at,
    "updated_at": Invoice.updated_at,
}


# --- visibility ---


def contract_visible(scope: Scope) -> Any:
    """The condition on ``Contract`` under which the caller sees its receivables."""
    if scope.is_system:
        return true()
    owners = scope.owners(Module.receivables)
    if owners is None:
        return true()
    parts = [Contract.owner_id.in_(owners)]
    if scope.can(Permission.contracts_view):
        from loam.contracts import service as contract_service

        # Only the contracts this adds (team memberships, a wider contracts scope): a short list to look up.
        extra = contract_service.visible_ids(scope).where(Contract.owner_id.not_in(owners))
        parts.append(Contract.id.in_(extra))
    return or_(*parts)


def _readable(model: Any, scope: Scope, deleted: bool) -> Select[Any]:
    if not scope.can(Permission.receivables_view):
        return select(model).where(false())
    deleted_clause = model.deleted_at.is_not(None) if deleted else model.deleted_at.is_(None)
    return (
        select(model)
        .join(Contract, Contract.id == model.contract_id)
        .where(deleted_clause, Contract.deleted_at.is_(None), contract_visible(scope))
    )


def readable_plans(scope: Scope, deleted: bool = False) -> Select[Any]:
    return _readable(ReceivablePlan, scope, deleted)


def readable_receipts(scope: Scope, deleted: bool = False) -> Select[Any]:
    return _readable(Receivable, scope, deleted)


def readable_invoices(scope: Scope, deleted: bool = False) -> Select[Any]:
    return _readable(Invoice, scope, deleted)


def visible_contract(session: Session, scope: Scope, contract_id: int) -> Contract | None:
    """A live contract whose receivables the caller may see."""
    if not scope.can(Permission.receivables_view):
        return None
    stmt = select(Contract).where(Contract.id == contract_id, Contract.deleted_at.is_(None), contract_visible(scope))
    return session.scalar(stmt)


def lock_contract(session: Session, contract_id: int) -> None:
    """Serialise writes that check a contract-wide sum (plans ≤ contract amount; allocations ≤ plan amounts):
    a row lock on PostgreSQL; SQLite already serialises writers."""
    session.execute(select(Contract.id).where(Contract.id == contract_id).with_for_update())


def contracts_by_id(session: Session, ids: Iterable[int]) -> dict[int, Contract]:
    """Contracts of records the caller already sees (a record's contract is part of it)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {c.id: c for c in session.scalars(select(Contract).where(Contract.id.in_(wanted)))}


def customer_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {r.id: r.name for r in session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(wanted)))}


def _common_filters(stmt: Select[Any], scope: Scope, f: Any) -> Select[Any]:
    if f.q and f.q.strip():
        from loam.search import service as search_service

        pattern = f"%{like_escape(f.q.strip())}%"
        customers = select(Customer.id).where(search_service.match_clause("customer", f.q))
        stmt = stmt.where(
            or_(
                Contract.number.ilike(pattern, escape="\\"),
                Contract.name.ilike(pattern, escape="\\"),
                Contract.customer_id.in_(customers),
            )
        )
    if f.mine:
        stmt = stmt.where(Contract.owner_id == scope.user_id)
    for column, value in (
        (Contract.id, f.contract_id),
        (Contract.customer_id, f.customer_id),
        (Contract.owner_id, f.owner_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def _custom_filters(session: Session, stmt: Select[Any], model: Any, entity: str, f: Any) -> Select[Any]:
    """``cf_<key>`` filters on the entity's active custom fields (unknown keys are ignored, as on other lists)."""
    if f.custom:
        fields = {d.key: d for d in customfields.definitions(session, entity)}
        for key, value in f.custom.items():
            if key in fields and value not in (None, ""):
                stmt = stmt.where(customfields.filter_clause(model, fields[key], value))
    return stmt


# --- plans ---


def overdue_clause(as_of: date) -> Any:
    """Overdue on ``as_of``: due before that day, not fully received (the stored ``received``), contract not
    void — computed on the day, never stored. On live plans it matches the partial index
    ``ix_receivable_plans_open_due`` (``deleted_at IS NULL AND received < amount``)."""
    return and_(
        ReceivablePlan.due_on < as_of, ReceivablePlan.received < ReceivablePlan.amount, Contract.status != "void"
    )


def plan_status_clause(status: str, as_of: date) -> Any:
    """The condition for one computed status (the same rules as ``ReceivablePlan.status_on``)."""
    got = ReceivablePlan.received
    live = Contract.status != "void"
    due_later = ReceivablePlan.due_on >= as_of
    clauses = {
        "void": Contract.status == "void",
        "received": and_(live, got >= ReceivablePlan.amount),
        "overdue": overdue_clause(as_of),
        "partly_received": and_(live, due_later, got > 0, got < ReceivablePlan.amount),
        "not_due": and_(live, due_later, got <= 0),
    }
    return clauses[status]


def plan_status_expr(as_of: date) -> Any:
    """The computed status of a plan on ``as_of`` as one SQL value (the same rules as
    ``ReceivablePlan.status_on`` and :func:`plan_status_clause`): for exports, which select columns."""
    got = ReceivablePlan.received
    return case(
        (Contract.status == "void", "void"),
        (got >= ReceivablePlan.amount, "received"),
        (ReceivablePlan.due_on < as_of, "overdue"),
        (got > 0, "partly_received"),
        else_="not_due",
    )


def plan_outstanding_expr() -> Any:
    """``ReceivablePlan.outstanding`` in SQL: amount − received, never negative, rounded to the cent."""
    money = ReceivablePlan.amount.type
    left = func.round(ReceivablePlan.amount - ReceivablePlan.received, 2, type_=money)
    return case((ReceivablePlan.received < ReceivablePlan.amount, left), else_=ZERO)


def contract_columns() -> dict[str, Any]:
    """Values a plan, receipt or invoice shows from its contract, read from the contract every ``readable_*``
    statement joins (attribute name → column): for exports, which select columns instead of records."""
    return {
        "contract_number": Contract.number,
        "contract_name": Contract.name,
        "customer_id": Contract.customer_id,
        "owner_id": Contract.owner_id,
        "department_id": Contract.department_id,
    }


def plan(session: Session, scope: Scope, plan_id: int, deleted: bool = False) -> ReceivablePlan | None:
    return session.scalar(readable_plans(scope, deleted).where(ReceivablePlan.id == plan_id))


def filtered_plans(session: Session, scope: Scope, f: PlanFilters, as_of: date) -> Select[Any]:
    stmt = _common_filters(readable_plans(scope), scope, f)
    stmt = _custom_filters(session, stmt, ReceivablePlan, "receivable_plan", f)
    if f.milestone is not None:
        stmt = stmt.where(ReceivablePlan.milestone == f.milestone)
    if f.due_from is not None:
        stmt = stmt.where(ReceivablePlan.due_on >= f.due_from)
    if f.due_to is not None:
        stmt = stmt.where(ReceivablePlan.due_on <= f.due_to)
    if f.status is not None:
        stmt = stmt.where(plan_status_clause(f.status, as_of))
    return stmt


def sorted_plans(session: Session, scope: Scope, f: PlanFilters, as_of: date, sort: str | None) -> Select[Any]:
    """The plans list, unpaged: scope, filters (status on ``as_of``) and sort (422 on an unknown key)."""
    return apply_sort(filtered_plans(session, scope, f, as_of), sort, PLAN_SORTS, "due_on")


def plan_page(
    session: Session, scope: Scope, f: PlanFilters, as_of: date, page: int, size: int, sort: str | None
) -> tuple[list[ReceivablePlan], int]:
    return paginate(session, sorted_plans(session, scope, f, as_of, sort), page, size)


def plans_of_contract(session: Session, scope: Scope, contract_id: int) -> list[ReceivablePlan]:
    stmt = readable_plans(scope).where(ReceivablePlan.contract_id == contract_id)
    return list(session.scalars(stmt.order_by(ReceivablePlan.due_on, ReceivablePlan.number, ReceivablePlan.id)))


def live_plans(session: Session, contract_id: int) -> list[ReceivablePlan]:
    """Every live plan of a contract, oldest due first (the caller has authorised the contract)."""
    stmt = select(ReceivablePlan).where(ReceivablePlan.contract_id == contract_id, ReceivablePlan.deleted_at.is_(None))
    return list(session.scalars(stmt.order_by(ReceivablePlan.due_on, ReceivablePlan.number, ReceivablePlan.id)))


def planned_total(session: Session, contract_id: int, exclude_id: int | None = None) -> Decimal:
    stmt = select(money_sum(ReceivablePlan.amount)).where(
        ReceivablePlan.contract_id == contract_id, ReceivablePlan.deleted_at.is_(None)
    )
    if exclude_id is not None:
        stmt = stmt.where(ReceivablePlan.id != exclude_id)
    return session.scalar(stmt) or ZERO


def next_number(session: Session, contract_id: int) -> int:
    stmt = select(func.max(ReceivablePlan.number)).where(ReceivablePlan.contract_id == contract_id)
    return int(session.scalar(stmt) or 0) + 1


def committed(session: Session, plan_ids: Iterable[int], exclude_receipt_id: int | None = None) -> dict[int, Decimal]:
    """Per plan: what live receipts that are not rejected (draft, in approval, approved) allocate to it — the
    part of the plan already spoken for."""
    wanted = set(plan_ids)
    if not wanted:
        return {}
    stmt = (
        select(ReceivableAllocation.plan_id, money_sum(ReceivableAllocation.amount))
        .join(Receivable, Receivable.id == ReceivableAllocation.receivable_id)
        .where(
            ReceivableAllocation.plan_id.in_(wanted),
            Receivable.deleted_at.is_(None),
            Receivable.status != "rejected",
        )
        .group_by(ReceivableAllocation.plan_id)
    )
    if exclude_receipt_id is not None:
        stmt = stmt.where(Receivable.id != exclude_receipt_id)
    return {int(pid): amount for pid, amount in session.execute(stmt)}


def receipts_allocating_to(session: Session, plan_id: int) -> int:
    """How many live receipts allocate money to a plan."""
    stmt = (
        select(func.count())
        .select_from(ReceivableAllocation)
        .join(Receivable, Receivable.id == ReceivableAllocation.receivable_id)
        .where(ReceivableAllocation.plan_id == plan_id, Receivable.deleted_at.is_(None))
    )
    return int(session.scalar(stmt) or 0)


def plan_deleted_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[ReceivablePlan], int]:
    stmt = readable_plans(scope, deleted=True).order_by(ReceivablePlan.deleted_at.desc(), ReceivablePlan.id.desc())
    return paginate(session, stmt, page, size)


# --- receipts ---


def receipt(session: Session, scope: Scope, receipt_id: int, deleted: bool = False) -> Receivable | None:
    return session.scalar(readable_receipts(scope, deleted).where(Receivable.id == receipt_id))


def receipt_by_id(session: Session, receipt_id: int) -> Receivable | None:
    """Unscoped, for the approval engine's ``load`` (live receipts only)."""
    return session.scalar(select(Receivable).where(Receivable.id == receipt_id, Receivable.deleted_at.is_(None)))


def filtered_receipts(session: Session, scope: Scope, f: ReceiptFilters) -> Select[Any]:
    stmt = _common_filters(readable_receipts(scope), scope, f)
    stmt = _custom_filters(session, stmt, Receivable, "receivable", f)
    for column, value in ((Receivable.status, f.status), (Receivable.method, f.method)):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.received_from is not None:
        stmt = stmt.where(Receivable.received_on >= f.received_from)
    if f.received_to is not None:
        stmt = stmt.where(Receivable.received_on <= f.received_to)
    return stmt


def sorted_receipts(session: Session, scope: Scope, f: ReceiptFilters, sort: str | None) -> Select[Any]:
    """The receipts list, unpaged: scope, filters and sort (422 on an unknown key)."""
    return apply_sort(filtered_receipts(session, scope, f), sort, RECEIPT_SORTS, "-received_on")


def receipt_page(
    session: Session, scope: Scope, f: ReceiptFilters, page: int, size: int, sort: str | None
) -> tuple[list[Receivable], int]:
    return paginate(session, sorted_receipts(session, scope, f, sort), page, size)


def receipts_of_contract(session: Session, scope: Scope, contract_id: int) -> list[Receivable]:
    stmt = readable_receipts(scope).where(Receivable.contract_id == contract_id)
    return list(session.scalars(stmt.order_by(Receivable.received_on.desc(), Receivable.id.desc())))


def receipt_deleted_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[Receivable], int]:
    stmt = readable_receipts(scope, deleted=True).order_by(Receivable.deleted_at.desc(), Receivable.id.desc())
    return paginate(session, stmt, page, size)


def allocations(session: Session, receipt_id: int) -> list[ReceivableAllocation]:
    stmt = select(ReceivableAllocation).where(ReceivableAllocation.receivable_id == receipt_id)
    return list(session.scalars(stmt.order_by(ReceivableAllocation.id)))


def allocations_of_plan(session: Session, plan_id: int) -> list[tuple[ReceivableAllocation, Receivable]]:
    """The live receipts paying a plan, with their allocation, newest first."""
    stmt = (
        select(ReceivableAllocation, Receivable)
        .join(Receivable, Receivable.id == ReceivableAllocation.receivable_id)
        .where(ReceivableAllocation.plan_id == plan_id, Receivable.deleted_at.is_(None))
        .order_by(Receivable.received_on.desc(), Receivable.id.desc())
    )
    return [(a, r) for a, r in session.execute(stmt)]


def delete_allocations(session: Session, receipt_id: int) -> None:
    from sqlalchemy import delete

    session.execute(delete(ReceivableAllocation).where(ReceivableAllocation.receivable_id == receipt_id))


def plan_ids_of_receipt(session: Session, receipt_id: int) -> list[int]:
    """The plans a receipt allocates money to (whatever its status)."""
    stmt = select(ReceivableAllocation.plan_id).where(ReceivableAllocation.receivable_id == receipt_id)
    return sorted({int(pid) for pid in session.scalars(stmt)})


def refresh_received(session: Session, plan_ids: Iterable[int] | None) -> None:
    """Recompute the stored ``ReceivablePlan.received`` of these plans (``None``: of every plan, for bulk loads)
    from their approved live allocations, with one ``UPDATE … SET received = (sub-select)`` in the caller's
    transaction — the only writer of the column. Neither ``version`` nor ``updated_at`` moves (a derived value:
    a plan form opened before a receipt was approved stays valid); loaded plans get the new value on next read.

    The plans' contracts are locked first (as :func:`lock_contract`): two transactions approving or deleting
    receipts of the same plan at once would otherwise each sum without the other's change (PostgreSQL, READ
    COMMITTED); the second now waits and its UPDATE sees the first one's commit."""
    stmt = update(ReceivablePlan).values(received=received_sql(ReceivablePlan.id), updated_at=ReceivablePlan.updated_at)
    wanted = None if plan_ids is None else sorted(set(plan_ids))
    if wanted is None:  # every plan: those with allocations, and any other not at 0
        allocated = select(ReceivableAllocation.plan_id)
        stmt = stmt.where(or_(ReceivablePlan.id.in_(allocated), ReceivablePlan.received != 0))
    elif not wanted:
        return
    else:
        contracts = select(ReceivablePlan.contract_id).where(ReceivablePlan.id.in_(wanted))
        lock = select(Contract.id).where(Contract.id.in_(contracts)).order_by(Contract.id).with_for_update()
        session.execute(lock)
        stmt = stmt.where(ReceivablePlan.id.in_(wanted))
    session.execute(stmt, execution_options={"synchronize_session": False})
    for obj in list(session.identity_map.values()):
        if isinstance(obj, ReceivablePlan) and (wanted is None or obj.id in wanted):
            session.expire(obj, ["received"])


def received_total(session: Session, contract_id: int) -> Decimal:
    """The sum of a contract's APPROVED live receipts."""
    stmt = select(money_sum(Receivable.amount)).where(
        Receivable.contract_id == contract_id, Receivable.status == "approved", Receivable.deleted_at.is_(None)
    )
    return session.scalar(stmt) or ZERO


# --- invoices ---


def invoice(session: Session, scope: Scope, invoice_id: int, deleted: bool = False) -> Invoice | None:
    return session.scalar(readable_invoices(scope, deleted).where(Invoice.id == invoice_id))


def filtered_invoices(session: Session, scope: Scope, f: InvoiceFilters) -> Select[Any]:
    stmt = _common_filters(readable_invoices(scope), scope, f)
    stmt = _custom_filters(session, stmt, Invoice, "invoice", f)
    for column, value in ((Invoice.status, f.status), (Invoice.kind, f.kind)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def sorted_invoices(session: Session, scope: Scope, f: InvoiceFilters, sort: str | None) -> Select[Any]:
    """The invoices list, unpaged: scope, filters and sort (422 on an unknown key)."""
    return apply_sort(filtered_invoices(session, scope, f), sort, INVOICE_SORTS, "-created_at")


def invoice_page(
    session: Session, scope: Scope, f: InvoiceFilters, page: int, size: int, sort: str | None
) -> tuple[list[Invoice], int]:
    return paginate(session, sorted_invoices(session, scope, f, sort), page, size)


def invoices_of_contract(session: Session, scope: Scope, contract_id: int) -> list[Invoice]:
    stmt = readable_invoices(scope).where(Invoice.contract_id == contract_id)
    return list(session.scalars(stmt.order_by(Invoice.created_at.desc(), Invoice.id.desc())))


def invoice_deleted_page(session: Session, scope: Scope, page: int, size: int) -> tuple[list[Invoice], int]:
    stmt = readable_invoices(scope, deleted=True).order_by(Invoice.deleted_at.desc(), Invoice.id.desc())
    return paginate(session, stmt, page, size)


def invoiced_totals(session: Session, contract_id: int) -> dict[str, Decimal]:
    """Live invoices of a contract summed per status (issued / not_issued)."""
    stmt = (
        select(Invoice.status, money_sum(Invoice.amount))
        .where(Invoice.contract_id == contract_id, Invoice.deleted_at.is_(None))
        .group_by(Invoice.status)
    )
    return {row[0]: row[1] for row in session.execute(stmt)}


# --- overdue and ageing ---


def overdue_amount(session: Session, contract_id: int, as_of: date) -> Decimal:
    stmt = (
        select(money_sum(ReceivablePlan.amount - ReceivablePlan.received))
        .join(Contract, Contract.id == ReceivablePlan.contract_id)
        .where(ReceivablePlan.contract_id == contract_id, ReceivablePlan.deleted_at.is_(None), overdue_clause(as_of))
    )
    return session.scalar(stmt) or ZERO


def bucket_expr(as_of: date) -> Any:
    """The ageing bucket of an overdue plan by days past due (as_of − due date), on date bounds (portable SQL)."""
    from datetime import timedelta

    return case(
        (ReceivablePlan.due_on >= as_of - timedelta(days=30), "0-30"),
        (ReceivablePlan.due_on >= as_of - timedelta(days=60), "31-60"),
        (ReceivablePlan.due_on >= as_of - timedelta(days=90), "61-90"),
        else_="90+",
    )


def _overdue(scope: Scope, as_of: date) -> Select[Any]:
    """The caller's overdue plans (:func:`overdue_clause`), read from ``ix_receivable_plans_open_due``."""
    return readable_plans(scope).where(overdue_clause(as_of))


def ageing_rows(session: Session, scope: Scope, as_of: date, f: Any) -> list[tuple[str, int, Decimal]]:
    """(bucket, count, outstanding) of the caller's overdue plans in one currency."""
    bucket = bucket_expr(as_of).label("bucket")
    stmt = _overdue(scope, as_of).where(ReceivablePlan.currency == f.currency)
    for column, value in (
        (Contract.owner_id, f.owner_id),
        (Contract.department_id, f.department_id),
        (Contract.customer_id, f.customer_id),
        (Contract.id, f.contract_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    outstanding = money_sum(ReceivablePlan.amount - ReceivablePlan.received)
    stmt = stmt.with_only_columns(bucket, func.count(), outstanding, maintain_column_froms=True).group_by(bucket)
    return [(str(b), int(n), amount or ZERO) for b, n, amount in session.execute(stmt)]


def due_by_month(
    session: Session, scope: Scope, date_from: date, date_to: date, currency: str
) -> list[tuple[int, int, int, Decimal, Decimal]]:
    """(year, month, count, planned, received) of the caller's live plans falling due between two dates, by
    due month; received = approved allocations; void contracts excluded."""
    year, month = func.extract("year", ReceivablePlan.due_on), func.extract("month", ReceivablePlan.due_on)
    money = ReceivablePlan.amount.type
    stmt = (
        readable_plans(scope)
        .where(
            ReceivablePlan.due_on >= date_from,
            ReceivablePlan.due_on <= date_to,
            ReceivablePlan.currency == currency,
            Contract.status != "void",
        )
        .with_only_columns(
            year,
            month,
            func.count(),
            func.round(func.sum(ReceivablePlan.amount), 2, type_=money),
            func.round(func.sum(ReceivablePlan.received), 2, type_=money),
            maintain_column_froms=True,
        )
        .group_by(year, month)
        .order_by(year, month)
    )
    return [(int(y), int(m), int(n), planned or ZERO, got or ZERO) for y, m, n, planned, got in session.execute(stmt)]


def plans_due(session: Session, scope: Scope, date_from: date, date_to: date) -> list[ReceivablePlan]:
    stmt = readable_plans(scope).where(ReceivablePlan.due_on >= date_from, ReceivablePlan.due_on <= date_to)
    return list(session.scalars(stmt.order_by(ReceivablePlan.due_on, ReceivablePlan.id)))


def overdue_page(session: Session, scope: Scope, as_of: date, limit: int, mine: bool) -> list[ReceivablePlan]:
    """The caller's overdue plans, largest outstanding first (the collection TOP list)."""
    stmt = _overdue(scope, as_of)
    if mine:
        stmt = stmt.where(Contract.owner_id == scope.user_id)
    order = (ReceivablePlan.amount - ReceivablePlan.received).desc()
    return list(session.scalars(stmt.order_by(order, ReceivablePlan.due_on, ReceivablePlan.id).limit(limit)))


def overdue_batch(session: Session, as_of: date, after_id: int, limit: int) -> list[ReceivablePlan]:
    """System: the next ``limit`` overdue live plans of live contracts, by id after ``after_id``."""
    stmt = (
        select(ReceivablePlan)
        .join(Contract, Contract.id == ReceivablePlan.contract_id)
        .where(
            ReceivablePlan.deleted_at.is_(None),
            Contract.deleted_at.is_(None),
            overdue_clause(as_of),
            ReceivablePlan.id > after_id,
        )
        .order_by(ReceivablePlan.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def contract_choices(session: Session, scope: Scope, approved_only: bool, limit: int) -> list[Contract]:
    """Live, not void contracts the caller sees receivables of, most recently changed first (form pickers)."""
    if not scope.can(Permission.receivables_view):
        return []
    stmt = select(Contract).where(Contract.deleted_at.is_(None), Contract.status != "void", contract_visible(scope))
    if approved_only:
        stmt = stmt.where(Contract.status == "approved")
    return list(session.scalars(stmt.order_by(Contract.updated_at.desc(), Contract.id.desc()).limit(limit)))
