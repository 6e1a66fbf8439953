"""Invoice pages: request form, detail with the issue form, edit, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.errors import LoamError
from loam.kit import audit, customfields
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import MAX_ID
from loam.org import service as org_service
from loam.receivables import common, dates, invoices
from loam.receivables.forms import flat_errors, options, safe_next
from loam.receivables.schemas import InvoiceCreate, InvoiceIssue, InvoiceUpdate
from loam.web.forms import FormData, errors_of, parse, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/receivables/invoices", include_in_schema=False)


def _form(
    request: Request,
    session: Any,
    scope: Scope,
    values: dict[str, Any],
    errors: dict[str, str],
    invoice: Any = None,
    status: int = 200,
) -> Response:
    ctx = {
        "values": values,
        "errors": flat_errors(errors),
        "invoice": invoice,
        "contracts": [] if invoice else common.contract_choices(session, scope),
        "next": safe_next(values.get("next")),
        "fields": customfields.definitions(session, invoices.ENTITY),
        "users": org_service.active_users(session),
    }
    return render(request, "receivables/invoice_form.html", ctx | options(), status_code=status)


@router.get("/new", name="receivables:invoice_new")
def new(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    contract_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    if contract_id is not None:
        common.contract_for(session, scope, contract_id)
    return _form(request, session, scope, {"contract_id": contract_id, "next": next, "kind": "vat_special"}, {})


@router.post("", name="receivables:invoice_create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    nxt = form.pop("next", None)
    done, failed = submit(
        session,
        form,
        InvoiceCreate,
        lambda data: invoices.create(session, scope, data),
        lambda errors, status: _form(request, session, scope, form | {"next": nxt}, errors, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, safe_next(nxt) or str(request.url_for("receivables:invoice", invoice_id=done.id)))


def _detail(
    request: Request, session: Any, scope: Scope, invoice_id: int, errors: dict[str, str], status: int = 200
) -> Response:
    inv = invoices.get(session, scope, invoice_id)
    history = invoices.history(session, scope, inv.id) if scope.can(Permission.audit_view) else []
    fields = customfields.definitions(session, invoices.ENTITY)
    users = {inv.owner_id, inv.created_by} | audit.user_ids_in(history) | common.custom_user_ids([inv], fields)
    ctx = {
        "inv": inv,
        "contract": common.contract_labels(session, {inv.contract_id})[inv.contract_id],
        "history": history,
        "names": org_service.names_by_id(session, users),
        "fields": fields,
        "errors": errors,
        "today": dates.today(),
        "can_edit": common.may_write(scope, inv.owner_id, Permission.receivables_update, inv.created_by),
        "can_delete": common.may_write(scope, inv.owner_id, Permission.receivables_delete),
    }
    return render(request, "receivables/invoice.html", ctx | options(), status_code=status)


@router.get("/{invoice_id:int}", name="receivables:invoice")
def detail(request: Request, session: DbSession, scope: CurrentScope, invoice_id: PathId) -> Response:
    return _detail(request, session, scope, invoice_id, {})


@router.get("/{invoice_id:int}/edit", name="receivables:invoice_edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, invoice_id: PathId) -> Response:
    inv = invoices.get(session, scope, invoice_id)
    values = {k: getattr(inv, k) for k in InvoiceUpdate.model_fields} | {"custom": dict(inv.custom or {})}
    return _form(request, session, scope, values, {}, inv)


@router.post("/{invoice_id:int}/edit", name="receivables:invoice_update")
def update(request: Request, session: DbSession, scope: CurrentScope, invoice_id: PathId, form: FormData) -> Response:
    inv = invoices.get(session, scope, invoice_id)
    _done, failed = submit(
        session,
        form,
        InvoiceUpdate,
        lambda data: invoices.update(session, scope, invoice_id, data),
        lambda errors, status: _form(request, session, scope, form, errors, inv, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("receivables:invoice", invoice_id=invoice_id)))


@router.post("/{invoice_id:int}/issue", name="receivables:invoice_issue")
def issue(request: Request, session: DbSession, scope: CurrentScope, invoice_id: PathId, form: FormData) -> Response:
    """Mark issued with number and date; a refusal re-shows the invoice with the messages."""
    data, errors = parse(InvoiceIssue, form)
    if data is None:
        return _detail(request, session, scope, invoice_id, errors, status=422)
    try:
        invoices.issue(session, scope, invoice_id, data)
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return _detail(request, session, scope, invoice_id, errors_of(exc), status=exc.status_code)
    return redirect(request, str(request.url_for("receivables:invoice", invoice_id=invoice_id)))


@router.post("/{invoice_id:int}/delete", name="receivables:invoice_delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, invoice_id: PathId) -> Response:
    inv = invoices.delete_(session, scope, invoice_id)
    target = request.url_for("receivables:invoices").include_query_params(contract_id=inv.contract_id)
    return redirect(request, str(target))
