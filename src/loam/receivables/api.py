"""JSON endpoints: /receivable-plans, /receivables (receipts, allocations, submit, ageing), /invoices (thin)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel

from loam.auth.deps import ApiScope
from loam.errors import Invalid
from loam.kit.http import DbSession, PathId, TxRoute, custom_filters
from loam.kit.i18n import gettext as _
from loam.kit.listing import sort_pattern
from loam.kit.schemas import IsoDate, Page
from loam.receivables import ageing, invoices, plans, service
from loam.receivables.repository import INVOICE_SORTS, PLAN_SORTS, RECEIPT_SORTS
from loam.receivables.schemas import (
    AgeingFilters,
    AgeingRead,
    AllocationRead,
    AllocationsReplace,
    ContractTotals,
    InvoiceCreate,
    InvoiceFilters,
    InvoiceIssue,
    InvoiceRead,
    InvoiceUpdate,
    PlanBatch,
    PlanCreate,
    PlanFilters,
    PlanRead,
    PlanRecurring,
    PlanUpdate,
    ReceiptCreate,
    ReceiptFilters,
    ReceiptRead,
    ReceiptUpdate,
    SubmitRequest,
)

PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=200)]
AsOf = Annotated[IsoDate | None, Query(description="The day statuses are evaluated on (default: today)")]


def _known_params(request: Request, model: type[BaseModel], *extra: str) -> None:
    """Unknown query parameters are a 422 (for reports without custom fields, ``cf_*`` is unknown too)."""
    if custom_filters(request, model, ("page", "page_size", "sort", *extra)):
        raise Invalid(_("Unknown query parameter: %(name)s", name="cf_"))


def _list_params(request: Request, model: type[BaseModel], *extra: str) -> dict[str, str]:
    """The ``cf_<key>`` filters of a list (custom fields); any other unknown query parameter is a 422."""
    return custom_filters(request, model, ("page", "page_size", "sort", *extra))


class PaymentRead(BaseModel):
    """A receipt paying a plan period, with the part allocated to it."""

    receivable_id: int
    received_on: date
    status: str
    allocated: Decimal


plan_router = APIRouter(route_class=TxRoute, prefix="/receivable-plans", tags=["receivables"])
receipt_router = APIRouter(route_class=TxRoute, prefix="/receivables", tags=["receivables"])
invoice_router = APIRouter(route_class=TxRoute, prefix="/invoices", tags=["receivables"])


# --- plans ---


@plan_router.get("", response_model=Page[PlanRead])
def list_plans(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[PlanFilters, Query()],
    page: PageNo = 1,
    page_size: PageSize = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(PLAN_SORTS))] = None,
    as_of: AsOf = None,
) -> Page[PlanRead]:
    """Plan periods; ``status`` (not_due, partly_received, received, overdue, void) is computed on ``as_of``;
    ``cf_<key>=value`` filters on a custom field."""
    filters.custom = _list_params(request, PlanFilters, "as_of")
    items, total = plans.list_page(session, scope, filters, page, page_size, sort, as_of)
    return Page[PlanRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@plan_router.post("", response_model=PlanRead, status_code=201)
def create_plan(session: DbSession, scope: ApiScope, data: PlanCreate) -> object:
    """One period; 409 with the figures when the contract's plans would exceed its amount."""
    return plans.create(session, scope, data)


@plan_router.post("/batch", response_model=list[PlanRead], status_code=201)
def create_plan_batch(session: DbSession, scope: ApiScope, data: PlanBatch) -> object:
    """Several periods at once (all or none)."""
    return plans.create_batch(session, scope, data)


@plan_router.post("/recurring", response_model=list[PlanRead], status_code=201)
def create_plan_recurring(session: DbSession, scope: ApiScope, data: PlanRecurring) -> object:
    """``count`` periods monthly / quarterly / yearly: ``amount_each``, or ``total`` split evenly."""
    return plans.create_recurring(session, scope, data)


@plan_router.get("/{plan_id:int}", response_model=PlanRead)
def get_plan(session: DbSession, scope: ApiScope, plan_id: PathId) -> object:
    return plans.get(session, scope, plan_id)


@plan_router.put("/{plan_id:int}", response_model=PlanRead)
def update_plan(session: DbSession, scope: ApiScope, plan_id: PathId, data: PlanUpdate) -> object:
    return plans.update(session, scope, plan_id, data)


@plan_router.delete("/{plan_id:int}", status_code=204)
def delete_plan(session: DbSession, scope: ApiScope, plan_id: PathId) -> None:
    plans.delete_(session, scope, plan_id)


@plan_router.post("/{plan_id:int}/restore", response_model=PlanRead)
def restore_plan(session: DbSession, scope: ApiScope, plan_id: PathId) -> object:
    return plans.restore(session, scope, plan_id)


@plan_router.get("/{plan_id:int}/payments", response_model=list[PaymentRead])
def plan_payments(session: DbSession, scope: ApiScope, plan_id: PathId) -> object:
    """The live receipts allocating money to the period (only approved ones count as received)."""
    rows = plans.payments(session, scope, plan_id)
    return [
        PaymentRead(receivable_id=r.id, received_on=r.received_on, status=r.status, allocated=a.amount) for a, r in rows
    ]


# --- receipts ---


@receipt_router.get("", response_model=Page[ReceiptRead])
def list_receipts(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[ReceiptFilters, Query()],
    page: PageNo = 1,
    page_size: PageSize = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(RECEIPT_SORTS))] = None,
) -> Page[ReceiptRead]:
    """Receipts; ``cf_<key>=value`` filters on a custom field."""
    filters.custom = _list_params(request, ReceiptFilters)
    items, total = service.list_page(session, scope, filters, page, page_size, sort)
    return Page[ReceiptRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@receipt_router.post("", response_model=ReceiptRead, status_code=201)
def create_receipt(session: DbSession, scope: ApiScope, data: ReceiptCreate) -> object:
    """A draft receipt on an approved contract; ``allocations`` omitted: oldest due periods first."""
    return service.create(session, scope, data)


@receipt_router.get("/ageing", response_model=AgeingRead)
def receivables_ageing(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[AgeingFilters, Query()],
    as_of: AsOf = None,
) -> object:
    """Overdue plan periods in buckets of days overdue (0–30, 31–60, 61–90, 90+): count and outstanding."""
    _known_params(request, AgeingFilters, "as_of")
    return ageing.ageing(session, scope, as_of, filters)


@receipt_router.get("/overdue", response_model=list[PlanRead])
def overdue_plans(
    session: DbSession,
    scope: ApiScope,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    mine: bool = False,
) -> object:
    """The overdue periods the caller sees, largest outstanding first."""
    return ageing.overdue(session, scope, as_of, limit, mine)


@receipt_router.get("/contracts/{contract_id:int}/totals", response_model=ContractTotals)
def contract_totals(session: DbSession, scope: ApiScope, contract_id: PathId, as_of: AsOf = None) -> object:
    """Planned, received (approved receipts), outstanding, overdue and invoiced amounts of a contract."""
    return service.totals(session, scope, contract_id, as_of)


@receipt_router.get("/{receivable_id:int}", response_model=ReceiptRead)
def get_receipt(session: DbSession, scope: ApiScope, receivable_id: PathId) -> object:
    return service.get(session, scope, receivable_id)


@receipt_router.put("/{receivable_id:int}", response_model=ReceiptRead)
def update_receipt(session: DbSession, scope: ApiScope, receivable_id: PathId, data: ReceiptUpdate) -> object:
    return service.update(session, scope, receivable_id, data)


@receipt_router.delete("/{receivable_id:int}", status_code=204)
def delete_receipt(session: DbSession, scope: ApiScope, receivable_id: PathId) -> None:
    service.delete_(session, scope, receivable_id)


@receipt_router.post("/{receivable_id:int}/restore", response_model=ReceiptRead)
def restore_receipt(session: DbSession, scope: ApiScope, receivable_id: PathId) -> object:
    return service.restore(session, scope, receivable_id)


@receipt_router.post("/{receivable_id:int}/submit", response_model=ReceiptRead)
def submit_receipt(
    session: DbSession, scope: ApiScope, receivable_id: PathId, data: Annotated[SubmitRequest | None, Body()] = None
) -> object:
    """Submit a draft or rejected receipt for approval (approved at once when no flow applies)."""
    return service.submit(session, scope, receivable_id, data)


@receipt_router.get("/{receivable_id:int}/allocations", response_model=list[AllocationRead])
def get_allocations(session: DbSession, scope: ApiScope, receivable_id: PathId) -> object:
    return service.allocations(session, scope, receivable_id)


@receipt_router.put("/{receivable_id:int}/allocations", response_model=list[AllocationRead])
def set_allocations(session: DbSession, scope: ApiScope, receivable_id: PathId, data: AllocationsReplace) -> object:
    """Replace the allocations of a draft or rejected receipt (``allocations: null``: oldest due first)."""
    service.set_allocations(session, scope, receivable_id, data)
    return service.allocations(session, scope, receivable_id)


# --- invoices ---


@invoice_router.get("", response_model=Page[InvoiceRead])
def list_invoices(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[InvoiceFilters, Query()],
    page: PageNo = 1,
    page_size: PageSize = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(INVOICE_SORTS))] = None,
) -> Page[InvoiceRead]:
    """Invoices; ``cf_<key>=value`` filters on a custom field."""
    filters.custom = _list_params(request, InvoiceFilters)
    items, total = invoices.list_page(session, scope, filters, page, page_size, sort)
    return Page[InvoiceRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@invoice_router.post("", response_model=InvoiceRead, status_code=201)
def create_invoice(session: DbSession, scope: ApiScope, data: InvoiceCreate) -> object:
    return invoices.create(session, scope, data)


@invoice_router.get("/{invoice_id:int}", response_model=InvoiceRead)
def get_invoice(session: DbSession, scope: ApiScope, invoice_id: PathId) -> object:
    return invoices.get(session, scope, invoice_id)


@invoice_router.put("/{invoice_id:int}", response_model=InvoiceRead)
def update_invoice(session: DbSession, scope: ApiScope, invoice_id: PathId, data: InvoiceUpdate) -> object:
    return invoices.update(session, scope, invoice_id, data)


@invoice_router.post("/{invoice_id:int}/issue", response_model=InvoiceRead)
def issue_invoice(session: DbSession, scope: ApiScope, invoice_id: PathId, data: InvoiceIssue) -> object:
    return invoices.issue(session, scope, invoice_id, data)


@invoice_router.delete("/{invoice_id:int}", status_code=204)
def delete_invoice(session: DbSession, scope: ApiScope, invoice_id: PathId) -> None:
    invoices.delete_(session, scope, invoice_id)


@invoice_router.post("/{invoice_id:int}/restore", response_model=InvoiceRead)
def restore_invoice(session: DbSession, scope: ApiScope, invoice_id: PathId) -> object:
    return invoices.restore(session, scope, invoice_id)


router = APIRouter()
router.include_router(plan_router)
router.include_router(receipt_router)
router.include_router(invoice_router)
