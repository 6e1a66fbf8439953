"""The custom fields settings page (customfields.manage): per entity, add, edit, deactivate."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.customfields import service
from loam.errors import LoamError
from loam.kit.choices import translated
from loam.kit.customfields import CustomFieldWrite
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import N_
from loam.kit.models import CustomField
from loam.kit.schemas import MAX_ID
from loam.web.forms import FormData, errors_of, lax, parse
from loam.web.templating import redirect, render

M = TypeVar("M", bound=BaseModel)
router = APIRouter(route_class=TxRoute, prefix="/settings/custom-fields", include_in_schema=False)

Entity = Literal[
    "customer", "lead", "contact", "product", "opportunity", "contract", "receivable_plan", "receivable", "invoice"
]
ENTITY_LABELS = {
    "customer": N_("Customers"),
    "lead": N_("Leads"),
    "contact": N_("Contacts"),
    "product": N_("Products"),
    "opportunity": N_("Opportunities"),
    "contract": N_("Contracts"),
    "receivable_plan": N_("Receivable plans"),
    "receivable": N_("Receipts"),
    "invoice": N_("Invoices"),
}
TYPE_LABELS = {
    "text": N_("Text"),
    "number": N_("Number"),
    "date": N_("Date"),
    "select": N_("Single choice"),
    "multiselect": N_("Multiple choice"),
    "user": N_("User"),
    "boolean": N_("Yes / no"),
}


def _values(form: dict[str, Any]) -> dict[str, Any]:
    """The form with its choices textarea (one choice per line) turned into a list."""
    values = {k: v for k, v in form.items() if v is not None}
    text = values.pop("choices", None) or ""
    values["choices"] = [line.strip() for line in str(text).splitlines() if line.strip()]
    return values


def _page(
    request: Request,
    session: Session,
    entity: str,
    values: dict[str, Any],
    errors: dict[str, str],
    editing: CustomField | None = None,
    status: int = 200,
) -> Response:
    ctx = {
        "entity": entity,
        "entities": translated(ENTITY_LABELS),
        "fields": service.list_fields(session, entity),
        "types": translated(TYPE_LABELS),
        "TYPES": TYPE_LABELS,
        "values": values,
        "errors": errors,
        "editing": editing,
    }
    return render(request, "customfields/list.html", ctx, status_code=status)


def _blank(entity: str) -> dict[str, Any]:
    return {"entity": entity, "field_type": "text", "choices": [], "show_in_list": True, "sort_order": 0}


@router.get("", name="customfields:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    entity: Annotated[Entity, Query()] = "customer",
    edit: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    service.require_manage(scope)
    field = service.get_field(session, edit) if edit else None
    values = _blank(entity)
    if field is not None:
        values = {k: getattr(field, k) for k in CustomFieldWrite.model_fields if k != "choices"}
        values["choices"] = list((field.options or {}).get("choices", []))
    return _page(request, session, field.entity if field else entity, values, {}, field)


def _save(request: Request, session: Session, scope: Any, form: dict[str, Any], field: CustomField | None) -> Response:
    values = _values(form)
    entity = str(values.get("entity") or "customer")
    data, errors = parse(lax(CustomFieldWrite), values)
    status = 422
    if data is not None:
        try:
            if field is None:
                service.create_field(session, scope, data)
            else:
                service.update_field(session, scope, field.id, data)
            return redirect(request, str(request.url_for("customfields:list")) + f"?entity={data.entity}")
        except LoamError as exc:
            if exc.status_code in (403, 404):
                raise
            session.rollback()
            errors, status = errors_of(exc), exc.status_code
    entity = entity if entity in ENTITY_LABELS else "customer"
    return _page(request, session, entity, values, errors, field, status=status)


@router.post("", name="customfields:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    service.require_manage(scope)
    return _save(request, session, scope, form, None)


@router.post("/{field_id}", name="customfields:update")
def update(request: Request, session: DbSession, scope: CurrentScope, field_id: PathId, form: FormData) -> Response:
    service.require_manage(scope)
    return _save(request, session, scope, form, service.get_field(session, field_id))


@router.post("/{field_id}/deactivate", name="customfields:deactivate")
def deactivate(request: Request, session: DbSession, scope: CurrentScope, field_id: PathId) -> Response:
    field = service.set_active(session, scope, field_id, False)
    return redirect(request, str(request.url_for("customfields:list")) + f"?entity={field.entity}")


@router.post("/{field_id}/activate", name="customfields:activate")
def activate(request: Request, session: DbSession, scope: CurrentScope, field_id: PathId) -> Response:
    field = service.set_active(session, scope, field_id, True)
    return redirect(request, str(request.url_for("customfields:list")) + f"?entity={field.entity}")
