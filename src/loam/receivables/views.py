"""Receivables pages: the lists (plans / receipts / invoices tabs), the ageing report, and the contract page
fragment; the plan, receipt and invoice pages live in views_plans, views_receipts and views_invoices."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.routing import NoMatchFound

from loam.auth.deps import CurrentScope
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.kit import customfields
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import IsoDate
from loam.org import service as org_service
from loam.receivables import ageing, common, dates, invoices, plans, service
from loam.receivables.forms import options
from loam.receivables.schemas import AgeingFilters, InvoiceFilters, PlanFilters, ReceiptFilters
from loam.receivables.views_invoices import router as invoice_router
from loam.receivables.views_plans import router as plan_router
from loam.receivables.views_receipts import router as receipt_router
from loam.web.forms import list_filters
from loam.web.templating import render

pages = APIRouter(route_class=TxRoute, prefix="/receivables", include_in_schema=False)
PAGE_SIZE = 25
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
Sort = Annotated[str | None, Query(max_length=40)]
TABS: dict[str, tuple[str, Any, str]] = {
    "receivables:list": ("plans", plans.list_page, "due_on"),
    "receivables:records": ("records", service.list_page, "-received_on"),
    "receivables:invoices": ("invoices", invoices.list_page, "-created_at"),
}
EXPORT_ENTITIES = {"plans": "receivable_plan", "records": "receivable", "invoices": "invoice"}  # loam.exports keys


def _list(
    request: Request, session: Any, scope: Scope, route: str, filters: Any, page: int, sort: str | None
) -> Response:
    tab, fetch, default_sort = TABS[route]
    items, total = fetch(session, scope, filters, page, PAGE_SIZE, sort)
    fields = customfields.definitions(session, EXPORT_ENTITIES[tab])
    wanted = {r.contract_id for r in items} | ({filters.contract_id} if filters.contract_id else set())
    labels = common.contract_labels(session, wanted) if wanted else {}
    ctx = {
        "tab": tab,
        "route": route,
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "sort": sort or default_sort,
        "filters": filters,
        "contracts": labels,
        "chosen_contract": labels.get(filters.contract_id) if filters.contract_id else None,
        "names": org_service.names_by_id(session, {r.owner_id for r in items} | common.custom_user_ids(items, fields)),
        "fields": fields,
        "users": org_service.active_users(session),
        "today": dates.today(),
        "export_entity": EXPORT_ENTITIES[tab],
    }
    partial = request.headers.get("hx-target") == "receivables-table"
    name = f"receivables/_{tab}_table.html" if partial else "receivables/list.html"
    return render(request, name, ctx | options())


@pages.get("", name="receivables:list")
def plan_list(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[PlanFilters, Depends(list_filters(PlanFilters, custom=True))],
    page: PageNo = 1,
    sort: Sort = None,
) -> Response:
    """Plan periods with their computed status (overdue included), filters, sort and paging."""
    return _list(request, session, scope, "receivables:list", filters, page, sort)


@pages.get("/records", name="receivables:records")
def receipt_list(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[ReceiptFilters, Depends(list_filters(ReceiptFilters, custom=True))],
    page: PageNo = 1,
    sort: Sort = None,
) -> Response:
    return _list(request, session, scope, "receivables:records", filters, page, sort)


@pages.get("/invoices", name="receivables:invoices")
def invoice_list(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[InvoiceFilters, Depends(list_filters(InvoiceFilters, custom=True))],
    page: PageNo = 1,
    sort: Sort = None,
) -> Response:
    return _list(request, session, scope, "receivables:invoices", filters, page, sort)


@pages.get("/ageing", name="receivables:ageing")
def ageing_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[AgeingFilters, Depends(list_filters(AgeingFilters))],
    as_of: Annotated[IsoDate | None, Query()] = None,
) -> Response:
    """The ageing report (账龄): overdue amounts and counts per bucket of days overdue, and the TOP 20."""
    day: date = as_of or dates.today()
    top = ageing.overdue(session, scope, day, 20)
    ctx = {
        "report": ageing.ageing(session, scope, day, filters),
        "top": top,
        "contracts": common.contract_labels(session, {p.contract_id for p in top}),
        "filters": filters,
        "as_of": day,
        "users": org_service.active_users(session),
        "departments": org_service.list_departments(session),
        "names": org_service.names_by_id(session, {p.owner_id for p in top}),
    }
    return render(request, "receivables/ageing.html", ctx | options())


@pages.get("/for-contract/{contract_id:int}", name="receivables:for_contract")
def for_contract(request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId) -> Response:
    """HTMX fragment for the contract page: totals, plan periods with status, receipts, invoices, buttons."""
    totals = service.totals(session, scope, contract_id)
    contract = common.contract_labels(session, {contract_id})[contract_id]
    owner = contract["owner_id"]
    ctx = {
        "contract_id": contract_id,
        "contract": contract,
        "totals": totals,
        "plans": plans.of_contract(session, scope, contract_id),
        "receipts": service.of_contract(session, scope, contract_id),
        "invoices": invoices.of_contract(session, scope, contract_id),
        "today": dates.today(),
        "can_create": common.may_write(scope, owner, Permission.receivables_create),
        "back": str(request.url_for("contracts:detail", contract_id=contract_id))
        if _has_route(request, "contracts:detail")
        else None,
    }
    return render(request, "receivables/_for_contract.html", ctx | options())


def _has_route(request: Request, name: str) -> bool:
    try:
        request.url_for(name, contract_id=1)
    except NoMatchFound:
        return False
    return True


router = APIRouter()
router.include_router(pages)
router.include_router(plan_router)
router.include_router(receipt_router)
router.include_router(invoice_router)
