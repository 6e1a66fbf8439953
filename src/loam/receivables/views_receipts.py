"""Receipt pages: the receipt form with its allocation across plan periods, detail with the approval panel,
edit, submit, delete, and printing (Word receipt template or the print view)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.kit import audit, customfields
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import MAX_ID
from loam.org import service as org_service
from loam.receivables import common, plans, printing, service
from loam.receivables.forms import flat_errors, manual_amounts, options, receipt_data, safe_next
from loam.receivables.schemas import ReceiptCreate, ReceiptUpdate, SubmitRequest
from loam.web.forms import FormData, parse, raise_invalid, record_id, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/receivables", include_in_schema=False)
DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _form(
    request: Request,
    session: Any,
    scope: Scope,
    values: dict[str, Any],
    errors: dict[str, str],
    receipt: Any = None,
    status: int = 200,
) -> Response:
    contract_id = record_id(values.get("contract_id"))
    ctx = {
        "values": values,
        "errors": flat_errors(errors),
        "receipt": receipt,
        "contracts": [] if receipt else common.contract_choices(session, scope, approved_only=True),
        "periods": service.open_periods(session, scope, contract_id, receipt and receipt.id) if contract_id else [],
        "typed": manual_amounts(values),
        "mode": values.get("allocate") or "auto",
        "next": safe_next(values.get("next")),
        "fields": customfields.definitions(session, service.ENTITY),
        "users": org_service.active_users(session),
    }
    return render(request, "receivables/receipt_form.html", ctx | options(), status_code=status)


@router.get("/new", name="receivables:new")
def new(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    contract_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The receipt form for one contract (``contract_id``) or with a picker of approved contracts."""
    if contract_id is not None:
        common.contract_for(session, scope, contract_id)
    return _form(request, session, scope, {"contract_id": contract_id, "next": next}, {})


@router.get("/allocation-table", name="receivables:allocation_table")
def allocation_table(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    contract_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """HTMX fragment: the chosen contract's open plan periods with the amounts still free to allocate."""
    periods = service.open_periods(session, scope, contract_id) if contract_id else []
    ctx = {"periods": periods, "typed": {}, "mode": "auto"}
    return render(request, "receivables/_allocation.html", ctx | options())


@router.post("", name="receivables:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    nxt = form.pop("next", None)
    done, failed = submit(
        session,
        receipt_data(form),
        ReceiptCreate,
        lambda data: service.create(session, scope, data),
        lambda errors, status: _form(request, session, scope, form | {"next": nxt}, errors, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, safe_next(nxt) or str(request.url_for("receivables:detail", receivable_id=done.id)))


def _approval(session: Any, scope: Scope, receipt_id: int) -> dict[str, Any] | None:
    try:
        from loam.approvals import views as approval_views
    except ModuleNotFoundError:  # the approval engine is not installed
        return None
    return approval_views.panel(session, scope, service.ENTITY, receipt_id)


@router.get("/{receivable_id:int}", name="receivables:detail")
def detail(request: Request, session: DbSession, scope: CurrentScope, receivable_id: PathId) -> Response:
    r = service.get(session, scope, receivable_id)
    history = service.history(session, scope, r.id) if scope.can(Permission.audit_view) else []
    prints = printing.prints(session, scope, r.id)
    fields = customfields.definitions(session, service.ENTITY)
    ctx = {
        "r": r,
        "contract": common.contract_labels(session, {r.contract_id})[r.contract_id],
        "allocations": service.allocations(session, scope, r.id),
        "periods": {p.id: p for p in plans.of_contract(session, scope, r.contract_id)},
        "approval": _approval(session, scope, r.id),
        "templates": printing.templates(session, scope) if r.status == "approved" else [],
        "prints": prints,
        "history": history,
        "names": org_service.names_by_id(
            session,
            {r.owner_id, r.created_by}
            | audit.user_ids_in(history)
            | {p.user_id for p in prints}
            | common.custom_user_ids([r], fields),
        ),
        "fields": fields,
        "can_edit": common.may_write(scope, r.owner_id, Permission.receivables_update, r.created_by),
        "can_submit": common.may_write(scope, r.owner_id, Permission.receivables_create),
        "can_delete": common.may_write(scope, r.owner_id, Permission.receivables_delete),
    }
    return render(request, "receivables/detail.html", ctx | options())


@router.get("/{receivable_id:int}/edit", name="receivables:edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, receivable_id: PathId) -> Response:
    r = service.get(session, scope, receivable_id)
    values: dict[str, Any] = {k: getattr(r, k) for k in ReceiptUpdate.model_fields if k != "allocations"}
    values |= {"contract_id": r.contract_id, "allocate": "manual", "custom": dict(r.custom or {})}
    values |= {f"alloc-{a.plan_id}": a.amount for a in service.allocations(session, scope, r.id)}
    return _form(request, session, scope, values, {}, r)


@router.post("/{receivable_id:int}/edit", name="receivables:update")
def update(
    request: Request, session: DbSession, scope: CurrentScope, receivable_id: PathId, form: FormData
) -> Response:
    r = service.get(session, scope, receivable_id)
    form["contract_id"] = r.contract_id
    data = receipt_data(form)
    data.pop("contract_id")
    _done, failed = submit(
        session,
        data,
        ReceiptUpdate,
        lambda d: service.update(session, scope, receivable_id, d),
        lambda errors, status: _form(request, session, scope, form, errors, r, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("receivables:detail", receivable_id=receivable_id)))


@router.post("/{receivable_id:int}/submit", name="receivables:submit")
def submit_for_approval(
    request: Request, session: DbSession, scope: CurrentScope, receivable_id: PathId, form: FormData
) -> Response:
    data, errors = parse(SubmitRequest, {"comment": form.get("comment")})
    if data is None:
        raise_invalid(errors)
    service.submit(session, scope, receivable_id, data)
    return redirect(request, str(request.url_for("receivables:detail", receivable_id=receivable_id)))


@router.post("/{receivable_id:int}/delete", name="receivables:delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, receivable_id: PathId) -> Response:
    r = service.delete_(session, scope, receivable_id)
    target = request.url_for("receivables:records").include_query_params(contract_id=r.contract_id)
    return redirect(request, str(target))


@router.get("/{receivable_id:int}/print", name="receivables:print")
def print_docx(
    session: DbSession,
    scope: CurrentScope,
    receivable_id: PathId,
    template_id: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> Response:
    """The approved receipt filled into a Word "receipt" template (download); recorded in the print history."""
    content, name = printing.generate(session, scope, receivable_id, template_id)
    disposition = f"attachment; filename=\"receipt.docx\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=DOCX_MEDIA, headers={"Content-Disposition": disposition})


@router.get("/{receivable_id:int}/print-view", name="receivables:print_view")
def print_view(request: Request, session: DbSession, scope: CurrentScope, receivable_id: PathId) -> Response:
    """A printable receipt page (no navigation; print CSS); recorded in the print history."""
    doc = printing.print_view(session, scope, receivable_id)
    return render(request, "receivables/print.html", {"doc": doc, "receivable_id": receivable_id})
