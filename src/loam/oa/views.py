"""OA pages: my requests, a new request (pick a type, then its fields), a request with its approval panel, edit,
submit and delete. The type administration pages live in :mod:`loam.oa.views_types` (included first, so that
``/oa/types`` is not taken for a request id)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.errors import LoamError
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import pick
from loam.oa import fields as oa_fields
from loam.oa import forms, service, types_service, views_types
from loam.oa.models import OaRequest, OaType
from loam.oa.schemas import KINDS, STATUSES, RequestCreate, RequestFilters, RequestUpdate
from loam.org import service as org_service
from loam.web.forms import FormData, lax, list_filters, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/oa", include_in_schema=False)
router.include_router(views_types.router)
PAGE_SIZE = 25
_filters = list_filters(RequestFilters)


def _labels() -> dict[str, Any]:
    return {"STATUSES": STATUSES, "KINDS": KINDS, "type_name": lambda t: pick(t.name_zh, t.name_en) if t else ""}


@router.get("", name="oa:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[RequestFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    items, total = service.list_page(session, scope, filters, page, PAGE_SIZE)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "filters": filters,
        "types": types_service.list_types(session, scope),
        "types_by_id": service.types_of(session, items),
        "names": org_service.names_by_id(session, {r.owner_id for r in items}),
    }
    return render(request, "oa/list.html", ctx | _labels())


def _form(
    request: Request,
    session: Session,
    oa_type: OaType,
    values: dict[str, Any],
    errors: dict[str, str],
    item: OaRequest | None = None,
    status: int = 200,
) -> Response:
    ctx = {"oa_type": oa_type, "fields": list(oa_type.fields or []), "values": values, "errors": errors, "item": item}
    return render(request, "oa/form.html", ctx | _labels(), status_code=status)


@router.get("/new", name="oa:new")
def new(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    type: Annotated[str | None, Query(max_length=30)] = None,
) -> Response:
    """Without a type: the active types to choose from; with one: its form."""
    if not type:
        ctx = {"types": types_service.list_types(session, scope, active_only=True)}
        return render(request, "oa/pick_type.html", ctx | _labels())
    oa_type = types_service.active_type(session, type)
    return _form(request, session, oa_type, {"type": oa_type.code, "values": {}}, {})


@router.post("", name="oa:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    data = forms.request_data(form)
    oa_type = types_service.active_type(session, str(data.get("type") or ""))
    item, failed = submit(
        session,
        data,
        lax(RequestCreate),
        lambda d: service.create(session, scope, d),
        lambda errors, status: _form(request, session, oa_type, data, errors, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("oa:detail", request_id=item.id)))


def display_rows(oa_type: OaType | None, values: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) for each field of the type with a value, then any value whose field is gone."""
    fields = list(oa_type.fields or []) if oa_type else []
    rows = [
        (oa_fields.label(f), _shown(f["kind"], values[f["key"]]))
        for f in fields
        if values.get(f["key"]) not in (None, "")
    ]
    known = {f["key"] for f in fields}
    return rows + [(k, v) for k, v in values.items() if k not in known]


def _shown(kind: str, value: Any) -> Any:
    if kind == "datetime" and isinstance(value, str):
        return value.replace("T", " ")
    if kind == "money" and isinstance(value, str):
        try:
            return f"{Decimal(value):,.2f}"
        except ArithmeticError:
            return value
    return value


def _department_name(session: Session, department_id: int | None) -> str:
    if department_id is None:
        return ""
    try:
        return org_service.get_department(session, department_id).name
    except LoamError:
        return ""


def _approval_panel(session: Session, scope: Scope, item: OaRequest) -> Any:
    from loam.approvals import views as approval_views

    return approval_views.panel(session, scope, service.ENTITY, item.id)


@router.get("/{request_id}", name="oa:detail")
def detail(request: Request, session: DbSession, scope: CurrentScope, request_id: PathId) -> Response:
    item = service.get(session, scope, request_id)
    oa_type = service.types_of(session, [item]).get(item.type_id)
    mine = service.can_write(scope, item)
    editable = mine and item.status in service.EDITABLE
    ctx = {
        "item": item,
        "oa_type": oa_type,
        "rows": display_rows(oa_type, dict(item.values or {})),
        "names": org_service.names_by_id(session, {item.owner_id}),
        "department": _department_name(session, item.department_id),
        "can_edit": editable,
        "approval": _approval_panel(session, scope, item),
    }
    return render(request, "oa/detail.html", ctx | _labels())


@router.get("/{request_id}/edit", name="oa:edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, request_id: PathId) -> Response:
    item = service.get(session, scope, request_id)
    oa_type = types_service.get_type(session, scope, item.type_id)
    values = {"title": item.title, "content": item.content, "values": dict(item.values or {}), "version": item.version}
    return _form(request, session, oa_type, values, {}, item)


@router.post("/{request_id}/edit", name="oa:update")
def update(request: Request, session: DbSession, scope: CurrentScope, request_id: PathId, form: FormData) -> Response:
    item = service.get(session, scope, request_id)
    oa_type = types_service.get_type(session, scope, item.type_id)
    data = forms.request_data(form)
    _done, failed = submit(
        session,
        data,
        lax(RequestUpdate),
        lambda d: service.update(session, scope, request_id, d),
        lambda errors, status: _form(request, session, oa_type, data, errors, item, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("oa:detail", request_id=request_id)))


@router.post("/{request_id}/submit", name="oa:submit")
def submit_for_approval(request: Request, session: DbSession, scope: CurrentScope, request_id: PathId) -> Response:
    service.submit(session, scope, request_id)
    return redirect(request, str(request.url_for("oa:detail", request_id=request_id)))


@router.post("/{request_id}/delete", name="oa:delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, request_id: PathId) -> Response:
    service.delete_(session, scope, request_id)
    return redirect(request, str(request.url_for("oa:list")))
