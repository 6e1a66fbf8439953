"""Lead pages: list and "to contact today", detail, create/edit with the duplicate warning, transfer,
status, convert, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.authz.permissions import Module
from loam.authz.scope import Scope
from loam.customers import service as customer_service
from loam.customers.schemas import CustomerFilters
from loam.errors import LoamError
from loam.kit import audit, customfields
from loam.kit.choices import GRADES, INDUSTRIES, SOURCES, translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.leads import service
from loam.leads.models import Lead
from loam.leads.schemas import (
    STATUSES,
    LeadConvert,
    LeadCreate,
    LeadFilters,
    LeadStatusChange,
    LeadTransfer,
    LeadUpdate,
)
from loam.org import service as org_service
from loam.web.forms import FormData, errors_of, list_filters, parse, raise_invalid, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/leads", include_in_schema=False)
PAGE_SIZE = 25


def options() -> dict[str, Any]:
    return {
        "grades": translated(GRADES),
        "industries": translated(INDUSTRIES),
        "sources": translated(SOURCES),
        "statuses": translated(STATUSES),
        "GRADES": GRADES,
        "INDUSTRIES": INDUSTRIES,
        "SOURCES": SOURCES,
        "STATUSES": STATUSES,
    }


_filters = list_filters(LeadFilters, custom=True)


def _list(
    request: Request, session: Any, scope: Scope, filters: LeadFilters, page: int, sort: str | None, route: str
) -> Response:
    items, total = service.list_page(session, scope, filters, page, PAGE_SIZE, sort)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "sort": sort or "-updated_at",
        "filters": filters,
        "route": route,
        "due_count": service.count_due_today(session, scope),
        "end_of_today": customer_service.end_of_today(),
        "fields": customfields.definitions(session, "lead"),
        "names": org_service.names_by_id(session, {lead.owner_id for lead in items}),
        "users": org_service.active_users(session),
    }
    partial = request.headers.get("hx-target") == "lead-table"
    return render(request, "leads/_table.html" if partial else "leads/list.html", ctx | options())


@router.get("", name="leads:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[LeadFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    return _list(request, session, scope, filters, page, sort, "leads:list")


@router.get("/today", name="leads:today")
def today(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[LeadFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """My own open leads due for contact by the end of today, most overdue first."""
    filters.mine, filters.due_today = True, True
    return _list(request, session, scope, filters, page, sort or "next_contact_at", "leads:today")


def _form(
    request: Request,
    session: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    lead: Lead | None = None,
    status: int = 200,
    duplicates: list[Any] | None = None,
) -> Response:
    ctx = {
        "values": values,
        "errors": errors,
        "lead": lead,
        "duplicates": duplicates or [],
        "fields": customfields.definitions(session, "lead"),
        "users": org_service.active_users(session),
    }
    return render(request, "leads/form.html", ctx | options(), status_code=status)


@router.get("/new", name="leads:new")
def new(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    return _form(request, session, {"custom": {}}, {})


@router.post("", name="leads:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    """Create; when the company or phone is already known, re-show the form with the matches and a
    "Create anyway" button (``confirm_duplicate=true``)."""
    confirmed = form.pop("confirm_duplicate", None) == "true"
    data, errors = parse(LeadCreate, form)
    if data is None:
        return _form(request, session, form, errors, status=422)
    found = [] if confirmed else service.duplicates(session, scope, data.company, data.phone)
    if found:
        return _form(request, session, form, {}, duplicates=found)
    try:
        lead = service.create(session, scope, data)
    except LoamError as exc:
        if exc.status_code == 403:
            raise
        return _form(request, session, form, errors_of(exc), status=exc.status_code)
    return redirect(request, str(request.url_for("leads:detail", lead_id=lead.id)))


@router.post("/dedup-check", name="leads:dedup_check")
def dedup_check(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    """HTMX fragment: the records that share the typed company or phone (entity, name and owner only)."""
    company, phone = (str(form.get(k) or "")[:200] for k in ("company", "phone"))
    lead_id = str(form.get("lead_id") or "")
    exclude = int(lead_id) if lead_id.isdigit() else None
    found = service.duplicates(session, scope, company, phone, exclude)
    return render(request, "leads/_duplicates.html", {"duplicates": found, "confirm": False})


def _detail(
    request: Request, session: Any, scope: Scope, lead_id: int, convert_error: str | None = None, status: int = 200
) -> Response:
    lead = service.get(session, scope, lead_id)
    history = service.history(session, scope, lead_id) if scope.can("audit.view") else []
    ids = {lead.owner_id, lead.created_by} | audit.user_ids_in(history)
    mine = CustomerFilters.model_validate({"mine": True})
    ctx = {
        "l": lead,
        "history": history,
        "names": org_service.names_by_id(session, ids),
        "users": org_service.active_users(session),
        "fields": customfields.definitions(session, "lead"),
        "can_write": service.can_write(scope, lead),
        "my_customers": customer_service.list_page(session, scope, mine, 1, 200, "name")[0],
        "convert_error": convert_error,
    }
    return render(request, "leads/detail.html", ctx | options(), status_code=status)


@router.get("/{lead_id:int}", name="leads:detail")
def detail(request: Request, session: DbSession, scope: CurrentScope, lead_id: PathId) -> Response:
    return _detail(request, session, scope, lead_id)


@router.get("/{lead_id:int}/edit", name="leads:edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, lead_id: PathId) -> Response:
    lead = service.get(session, scope, lead_id)
    values = {k: getattr(lead, k) for k in LeadUpdate.model_fields if k != "custom"}
    values["custom"] = dict(lead.custom or {})
    return _form(request, session, values, {}, lead)


@router.post("/{lead_id:int}/edit", name="leads:update")
def update(request: Request, session: DbSession, scope: CurrentScope, lead_id: PathId, form: FormData) -> Response:
    lead = service.get(session, scope, lead_id)
    form.pop("confirm_duplicate", None)
    _done, failed = submit(
        session,
        form,
        LeadUpdate,
        lambda data: service.update(session, scope, lead_id, data),
        lambda errors, status: _form(request, session, form, errors, lead, status=status),
    )
    if failed is not None:
        return failed
    return redirect(request, str(request.url_for("leads:detail", lead_id=lead_id)))


@router.post("/{lead_id:int}/delete", name="leads:delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, lead_id: PathId) -> Response:
    service.delete_(session, scope, lead_id)
    return redirect(request, str(request.url_for("leads:list")))


@router.post("/{lead_id:int}/transfer", name="leads:transfer")
def transfer(request: Request, session: DbSession, scope: CurrentScope, lead_id: PathId, form: FormData) -> Response:
    data, errors = parse(LeadTransfer, form)
    if data is None:
        raise_invalid(errors)
    lead = service.transfer(session, scope, lead_id, data)  # type: ignore[arg-type]
    still_visible = scope.sees_owner(Module.leads, lead.owner_id)
    target = request.url_for("leads:detail", lead_id=lead_id) if still_visible else request.url_for("leads:list")
    return redirect(request, str(target))


@router.post("/{lead_id:int}/status", name="leads:status")
def set_status(request: Request, session: DbSession, scope: CurrentScope, lead_id: PathId, form: FormData) -> Response:
    data, errors = parse(LeadStatusChange, form)
    if data is None:
        raise_invalid(errors)
    service.set_status(session, scope, lead_id, data)  # type: ignore[arg-type]
    return redirect(request, str(request.url_for("leads:detail", lead_id=lead_id)))


@router.post("/{lead_id:int}/convert", name="leads:convert")
def convert(request: Request, session: DbSession, scope: CurrentScope, lead_id: PathId, form: FormData) -> Response:
    """Convert, then show the new customer; a refused conversion re-shows the lead with the reason."""
    data, errors = parse(LeadConvert, form)
    if data is None:
        return _detail(request, session, scope, lead_id, "; ".join(errors.values()), status=422)
    try:
        result = service.convert(session, scope, lead_id, data)
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        message = "; ".join(errors_of(exc).values())
        return _detail(request, session, scope, lead_id, message, status=exc.status_code)
    return redirect(request, str(request.url_for("customers:detail", customer_id=result.customer_id)))
