"""The OA request type administration pages (``oa.manage``): list, create, edit fields, (de)activate, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import pick
from loam.oa import forms, types_service
from loam.oa.models import OaType
from loam.oa.schemas import KINDS, TypeCreate, TypeUpdate
from loam.web.forms import FormData, lax, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/types", include_in_schema=False)


def _row_errors(errors: dict[str, str]) -> dict[int, list[str]]:
    """Field-row errors (``fields.<n>.<attribute>``) grouped by row."""
    out: dict[int, list[str]] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if len(parts) >= 2 and parts[0] == "fields" and parts[1].isdigit():
            out.setdefault(int(parts[1]), []).append(f"{'.'.join(parts[2:])}: {message}".lstrip(": "))
    return out


def _editor(
    request: Request, values: dict[str, Any], errors: dict[str, str], row: OaType | None = None, status: int = 200
) -> Response:
    ctx = {
        "values": values,
        "errors": errors,
        "row_errors": _row_errors(errors),
        "rows": forms.editor_rows(list(values.get("fields") or [])),
        "item": row,
        "KINDS": KINDS,
    }
    return render(request, "oa/type_form.html", ctx, status_code=status)


@router.get("", name="oa:types")
def types_page(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    authz_service.require(scope, Permission.oa_manage)
    rows = types_service.list_types(session, scope)
    ctx = {"types": rows, "used": types_service.in_use(session, rows), "pick": pick, "KINDS": KINDS}
    return render(request, "oa/types.html", ctx)


@router.get("/new", name="oa:type_new")
def type_new(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    authz_service.require(scope, Permission.oa_manage)
    return _editor(request, {"active": True, "sort": 100, "fields": []}, {})


def _save(request: Request, session: Session, form: dict[str, Any], schema: Any, action: Any, row: Any) -> Any:
    data = forms.type_data(form)
    return submit(
        session,
        data,
        lax(schema),
        action,
        lambda errors, status: _editor(request, data, errors, row, status=status),
    )


@router.post("", name="oa:type_create")
def type_create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    authz_service.require(scope, Permission.oa_manage)
    _done, failed = _save(
        request, session, form, TypeCreate, lambda d: types_service.create_type(session, scope, d), None
    )
    return failed or redirect(request, str(request.url_for("oa:types")))  # type: ignore[no-any-return]


@router.get("/{type_id}", name="oa:type_edit")
def type_edit(request: Request, session: DbSession, scope: CurrentScope, type_id: PathId) -> Response:
    row = types_service.get_type(session, scope, type_id)
    authz_service.require(scope, Permission.oa_manage)
    return _editor(request, forms.type_values(row), {}, row)


@router.post("/{type_id}", name="oa:type_update")
def type_update(request: Request, session: DbSession, scope: CurrentScope, type_id: PathId, form: FormData) -> Response:
    row = types_service.get_type(session, scope, type_id)
    authz_service.require(scope, Permission.oa_manage)
    _done, failed = _save(
        request, session, form, TypeUpdate, lambda d: types_service.update_type(session, scope, type_id, d), row
    )
    return failed or redirect(request, str(request.url_for("oa:types")))  # type: ignore[no-any-return]


@router.post("/{type_id}/active", name="oa:type_active")
def type_active(request: Request, session: DbSession, scope: CurrentScope, type_id: PathId, form: FormData) -> Response:
    types_service.set_active(session, scope, type_id, form.get("active") == "true")
    return redirect(request, str(request.url_for("oa:types")))


@router.post("/{type_id}/delete", name="oa:type_delete")
def type_delete(request: Request, session: DbSession, scope: CurrentScope, type_id: PathId) -> Response:
    types_service.delete_type(session, scope, type_id)
    return redirect(request, str(request.url_for("oa:types")))
