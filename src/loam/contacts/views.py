"""Contact pages: list, detail, create/edit, delete, and the contacts tab of a customer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.activities import service as followup_service
from loam.activities.schemas import KINDS
from loam.auth.deps import CurrentScope
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.contacts import service
from loam.contacts.schemas import LEVELS, ContactCreate, ContactFilters, ContactUpdate
from loam.customers import service as customer_service
from loam.customers.schemas import CustomerFilters
from loam.errors import NotFound
from loam.kit import audit, customfields
from loam.kit.choices import translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import MAX_ID
from loam.org import service as org_service
from loam.web.forms import FormData, list_filters, record_id, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)
PAGE_SIZE = 25


def options() -> dict[str, Any]:
    return {"levels": translated(LEVELS), "LEVELS": LEVELS, "KINDS": KINDS}


def _form_context(session: Session, scope: Scope, values: dict[str, Any], contact: Any) -> dict[str, Any]:
    """The customer (fixed when known) or a list to choose from, and the possible superiors."""
    customer_id = contact.customer_id if contact else record_id(values.get("customer_id"))
    customer, peers = None, []
    if customer_id:
        try:
            customer = customer_service.get(session, scope, customer_id)
            peers = [p for p in service.for_customer(session, scope, customer_id) if not contact or p.id != contact.id]
        except NotFound:
            customer = None
    choices = (
        []
        if customer
        else customer_service.list_page(session, scope, CustomerFilters.model_validate({}), 1, 200, "name")[0]
    )
    return {"customer": customer, "customers": choices, "peers": peers}


def _form(
    request: Request,
    session: Session,
    scope: Scope,
    values: dict[str, Any],
    errors: dict[str, str],
    contact: Any = None,
    status: int = 200,
) -> Response:
    ctx = {
        "values": values,
        "errors": errors,
        "contact": contact,
        "fields": customfields.definitions(session, "contact"),
        "users": org_service.active_users(session),
    }
    ctx |= _form_context(session, scope, values, contact)
    return render(request, "contacts/form.html", ctx | options(), status_code=status)


_filters = list_filters(ContactFilters)


@router.get("/contacts", name="contacts:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[ContactFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    items, total = service.list_page(session, scope, filters, page, PAGE_SIZE, sort)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "sort": sort or "-updated_at",
        "filters": filters,
        "names": org_service.names_by_id(session, {c.owner_id for c in items}),
        "customer_names": service.customer_names(session, items),
        "users": org_service.active_users(session),
    }
    partial = request.headers.get("hx-target") == "contact-table"
    return render(request, "contacts/_table.html" if partial else "contacts/list.html", ctx | options())


@router.get("/contacts/new", name="contacts:new")
def new(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    return _form(request, session, scope, {"level": "staff", "customer_id": customer_id, "custom": {}}, {})


@router.post("/contacts", name="contacts:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    contact, failed = submit(
        session,
        form,
        ContactCreate,
        lambda data: service.create(session, scope, data),
        lambda errors, status: _form(request, session, scope, form, errors, status=status),
    )
    if failed is not None:
        return failed
    return redirect(request, str(request.url_for("contacts:detail", contact_id=contact.id)))


@router.get("/contacts/{contact_id}", name="contacts:detail")
def detail(request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId) -> Response:
    contact = service.get(session, scope, contact_id)
    history = service.history(session, scope, contact_id) if scope.can("audit.view") else []
    followups = followup_service.for_contact(session, scope, contact_id)
    users = {contact.owner_id, contact.created_by} | audit.user_ids_in(history)
    users |= {f.created_by for f in followups} | {u for f in followups for u in f.participant_ids}  # type: ignore[attr-defined]
    linked = {i for f in followups for i in f.contact_ids}  # type: ignore[attr-defined]
    ctx = {
        "c": contact,
        "history": history,
        "followups": followups,
        "editable": followup_service.editable_ids(session, scope, followups),
        "names": org_service.names_by_id(session, users),
        "contact_names": service.names_by_id(session, {contact.reports_to_id} | linked),
        "customer_names": service.customer_names(session, [contact]),
        "fields": customfields.definitions(session, "contact"),
        "can_edit": service.can_change(session, scope, contact, Permission.contacts_update),
        "can_delete": service.can_change(session, scope, contact, Permission.contacts_delete),
    }
    return render(request, "contacts/detail.html", ctx | options())


@router.get("/contacts/{contact_id}/edit", name="contacts:edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId) -> Response:
    contact = service.get(session, scope, contact_id)
    values = {k: getattr(contact, k) for k in ContactUpdate.model_fields if k != "custom"}
    values["custom"] = dict(contact.custom or {})
    return _form(request, session, scope, values, {}, contact)


@router.post("/contacts/{contact_id}/edit", name="contacts:update")
def update(request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId, form: FormData) -> Response:
    contact = service.get(session, scope, contact_id)
    _done, failed = submit(
        session,
        form,
        ContactUpdate,
        lambda data: service.update(session, scope, contact_id, data),
        lambda errors, status: _form(request, session, scope, form, errors, contact, status=status),
    )
    if failed is not None:
        return failed
    return redirect(request, str(request.url_for("contacts:detail", contact_id=contact_id)))


@router.post("/contacts/{contact_id}/delete", name="contacts:delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, contact_id: PathId) -> Response:
    contact = service.delete_(session, scope, contact_id)
    return redirect(request, str(request.url_for("customers:detail", customer_id=contact.customer_id)))


@router.get("/customers/{customer_id}/contacts", name="contacts:for_customer")
def for_customer(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    customer = customer_service.get(session, scope, customer_id)
    items = service.for_customer(session, scope, customer_id)
    ctx = {
        "customer": customer,
        "items": items,
        "can_add": scope.can(Permission.contacts_create) and customer_service.can_write(session, scope, customer),
        "contact_names": service.names_by_id(session, {c.reports_to_id for c in items}),
    }
    return render(request, "contacts/_for_customer.html", ctx | options())
