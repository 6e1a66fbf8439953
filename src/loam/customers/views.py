"""Customer pages: list, 360° detail, create/edit, transfer, lock, team members, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.customers import service
from loam.customers.schemas import (
    DEAL_STATUSES,
    LEVELS,
    TIERS,
    CustomerCreate,
    CustomerFilters,
    CustomerUpdate,
    MemberWrite,
    TransferRequest,
)
from loam.kit import audit, customfields
from loam.kit.choices import INDUSTRIES, SOURCES, translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.org import service as org_service
from loam.web.forms import FormData, list_filters, parse, raise_invalid, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/customers", include_in_schema=False)


def options() -> dict[str, Any]:
    return {
        "levels": translated(LEVELS),
        "tiers": translated(TIERS),
        "industries": translated(INDUSTRIES),
        "sources": translated(SOURCES),
        "deal_statuses": translated(DEAL_STATUSES),
        "LEVELS": LEVELS,
        "TIERS": TIERS,
        "INDUSTRIES": INDUSTRIES,
        "SOURCES": SOURCES,
        "DEAL_STATUSES": DEAL_STATUSES,
    }


_filters = list_filters(CustomerFilters, custom=True)


@router.get("", name="customers:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[CustomerFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    items, total = service.list_page(session, scope, filters, page, 25, sort)
    fields = customfields.definitions(session, "customer")
    names = org_service.names_by_id(session, {c.owner_id for c in items})
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": 25,
        "sort": sort or "-updated_at",
        "filters": filters,
        "fields": fields,
        "names": names,
        "users": org_service.active_users(session),
    }
    template = (
        "customers/_table.html" if request.headers.get("hx-target") == "customer-table" else "customers/list.html"
    )
    return render(request, template, ctx | options())


def _form(
    request: Request,
    session: Any,
    scope: Scope,
    values: dict[str, Any],
    errors: dict[str, str],
    customer: Any = None,
    status: int = 200,
) -> Response:
    ctx = {
        "values": values,
        "errors": errors,
        "customer": customer,
        "fields": customfields.definitions(session, "customer"),
        "users": org_service.active_users(session),
    }
    return render(request, "customers/form.html", ctx | options(), status_code=status)


@router.get("/new", name="customers:new")
def new(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    return _form(request, session, scope, {"level": "normal", "custom": {}}, {})


@router.post("", name="customers:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    customer, failed = submit(
        session,
        form,
        CustomerCreate,
        lambda data: service.create(session, scope, data),
        lambda errors, status: _form(request, session, scope, form, errors, status=status),
    )
    if failed is not None:
        return failed
    return redirect(request, str(request.url_for("customers:detail", customer_id=customer.id)))


@router.get("/{customer_id}", name="customers:detail")
def detail(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    customer = service.get(session, scope, customer_id)
    members = service.members(session, scope, customer_id)
    ids = {customer.owner_id, customer.created_by, customer.previous_owner_id} | {m.user_id for m in members}
    history = service.history(session, scope, customer_id) if scope.can("audit.view") else []
    ids |= audit.user_ids_in(history)
    ctx = {
        "c": customer,
        "members": members,
        "history": history,
        "names": org_service.names_by_id(session, ids),
        "users": org_service.active_users(session),
        "fields": customfields.definitions(session, "customer"),
        "can_write": service.can_write(session, scope, customer),
    }
    return render(request, "customers/detail.html", ctx | options())


@router.get("/{customer_id}/edit", name="customers:edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    customer = service.get(session, scope, customer_id)
    values = {k: getattr(customer, k) for k in CustomerUpdate.model_fields if k != "custom"}
    values["custom"] = dict(customer.custom or {})
    return _form(request, session, scope, values, {}, customer)


@router.post("/{customer_id}/edit", name="customers:update")
def update(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, form: FormData) -> Response:
    customer = service.get(session, scope, customer_id)
    _done, failed = submit(
        session,
        form,
        CustomerUpdate,
        lambda data: service.update(session, scope, customer_id, data),
        lambda errors, status: _form(request, session, scope, form, errors, customer, status=status),
    )
    if failed is not None:
        return failed
    return redirect(request, str(request.url_for("customers:detail", customer_id=customer_id)))


@router.post("/{customer_id}/delete", name="customers:delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    service.delete_(session, scope, customer_id)
    return redirect(request, str(request.url_for("customers:list")))


@router.post("/{customer_id}/transfer", name="customers:transfer")
def transfer(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, form: FormData
) -> Response:
    data, errors = parse(TransferRequest, form)
    if data is None:
        raise_invalid(errors)
    service.transfer(session, scope, customer_id, data)  # type: ignore[arg-type]
    return redirect(request, str(request.url_for("customers:detail", customer_id=customer_id)))


@router.post("/{customer_id}/deal", name="customers:deal")
def deal(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, closed: Annotated[bool, Form()]
) -> Response:
    service.set_deal(session, scope, customer_id, closed)
    return redirect(request, str(request.url_for("customers:detail", customer_id=customer_id)))


@router.post("/{customer_id}/lock", name="customers:lock")
def lock(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    customer_id: PathId,
    locked: Annotated[bool, Form()],
) -> Response:
    service.set_locked(session, scope, customer_id, locked)
    return redirect(request, str(request.url_for("customers:detail", customer_id=customer_id)))


@router.post("/{customer_id}/members", name="customers:add_member")
def add_member(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, form: FormData
) -> Response:
    data, errors = parse(MemberWrite, form)
    if data is None:
        raise_invalid(errors)
    service.add_member(session, scope, customer_id, data)  # type: ignore[arg-type]
    return redirect(request, str(request.url_for("customers:detail", customer_id=customer_id)) + "#team")


@router.post("/{customer_id}/members/{user_id}/remove", name="customers:remove_member")
def remove_member(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, user_id: PathId
) -> Response:
    service.remove_member(session, scope, customer_id, user_id)
    return redirect(request, str(request.url_for("customers:detail", customer_id=customer_id)) + "#team")
