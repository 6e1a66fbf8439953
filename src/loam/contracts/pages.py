"""Contract page helpers and the secondary pages: templates and settings, document download, the print view,
and the HTMX fragments (a customer's contracts, a customer's possible signatories)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.contracts import documents, lifecycle, options, service
from loam.contracts.models import Contract
from loam.contracts.placeholders import CONTRACT_PLACEHOLDERS, RECEIPT_PLACEHOLDERS
from loam.contracts.rules import approval_locked
from loam.contracts.schemas import DEFAULT_TYPES, STATUSES, TEMPLATE_KINDS, ContractSettings
from loam.errors import Invalid, LoamError, NotFound
from loam.kit import audit, customfields
from loam.kit.choices import translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.kit.schemas import MAX_ID
from loam.org import service as org_service
from loam.web.forms import FormData, errors_of, parse
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute)


# --- helpers for the contract pages (views.py) ---


def customer_names(session: Session, ids: set[int]) -> dict[int, str]:
    from loam.contracts import repository as repo

    return repo.customer_names(session, ids)


def customer_choices(session: Session, scope: Scope) -> list[Any]:
    """The first 200 visible customers by name (pickers and filters)."""
    from loam.customers import service as customer_service
    from loam.customers.schemas import CustomerFilters

    return customer_service.list_page(session, scope, CustomerFilters.model_validate({}), 1, 200, "name")[0]


def saved_views(session: Session, scope: Scope) -> dict[str, Any]:
    """The saved views of the contract list (when the saved-views domain is installed)."""
    try:
        from loam.savedviews import service as saved_service
    except ModuleNotFoundError:
        return {"saved_views": None}
    return {"saved_views": saved_service.for_entity(session, scope, service.ENTITY), "saved_entity": service.ENTITY}


def _opportunity(session: Session, scope: Scope, opportunity_id: int | None) -> Any:
    if not opportunity_id:
        return None
    try:
        from loam.opportunities import service as opportunity_service
    except ModuleNotFoundError:
        return None
    return opportunity_service.get(session, scope, opportunity_id)


def new_values(
    session: Session, scope: Scope, opportunity_id: int | None, customer_id: int | None
) -> tuple[dict[str, Any], list[Any]]:
    """The values of a new contract form: from the opportunity (404 when not visible) or blank."""
    opp = _opportunity(session, scope, opportunity_id)
    if opp is None:
        return {"customer_id": customer_id, "type": "sales", "currency": "CNY", "custom": {}}, []
    from loam.products import service as product_service

    values = {
        "name": opp.name,
        "customer_id": opp.customer_id,
        "opportunity_id": opp.id,
        "amount": opp.amount,
        "currency": opp.currency,
        "type": "sales",
        "custom": {},
    }
    return values, product_service.lines_of(session, "opportunity", opp.id)


def _record_id(value: Any) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and 1 <= number <= MAX_ID else None


def form_context(
    session: Session, scope: Scope, values: dict[str, Any], errors: dict[str, str], contract: Any, lines: Any
) -> dict[str, Any]:
    """What contracts/form.html needs: the customer (fixed when known) or a list, its contacts as possible
    signatories, the linked opportunity, users, custom fields and the product-lines editor."""
    from loam.contacts import service as contact_service
    from loam.customers import service as customer_service
    from loam.products.forms import editor_context

    customer_id = _record_id(values.get("customer_id"))
    customer = None
    if customer_id:
        try:
            customer = customer_service.get(session, scope, customer_id)
        except NotFound:
            customer = None
    opp = None
    try:
        opp = _opportunity(session, scope, _record_id(values.get("opportunity_id")))
    except NotFound:
        opp = None
    form = values if any(str(k).startswith("lines-") for k in values) else None
    return {
        "values": values,
        "errors": errors,
        "contract": contract,
        "customer": customer,
        "customers": [] if customer else customer_choices(session, scope),
        "contacts": contact_service.for_customer(session, scope, customer.id) if customer else [],
        "opportunity": opp,
        "users": org_service.active_users(session),
        "fields": customfields.definitions(session, "contract"),
    } | editor_context(session, scope, lines, form, errors)


def _customer_and_opportunity(session: Session, scope: Scope, contract: Contract) -> dict[str, Any]:
    from loam.customers import service as customer_service

    out: dict[str, Any] = {"customer_visible": True, "opportunity": None, "opportunity_visible": False}
    try:
        customer_service.get(session, scope, contract.customer_id)
    except NotFound:
        out["customer_visible"] = False
    if contract.opportunity_id:
        try:
            out["opportunity"] = _opportunity(session, scope, contract.opportunity_id)
            out["opportunity_visible"] = out["opportunity"] is not None
        except NotFound:
            out["opportunity"] = _opportunity(session, Scope.system(), contract.opportunity_id)
    return out


def _approval_panel(session: Session, scope: Scope, contract: Contract) -> Any:
    try:
        from loam.approvals import views as approval_views
    except ModuleNotFoundError:
        return None
    return approval_views.panel(session, scope, "contract", contract.id)


def detail_context(session: Session, scope: Scope, contract: Contract) -> dict[str, Any]:
    """Everything the detail page shows: lines, team, history, prints, templates, approval, allowed actions."""
    from loam.contacts import service as contact_service

    members = service.members(session, scope, contract.id)
    history = service.history(session, scope, contract.id) if scope.can("audit.view") else []
    prints = documents.prints(session, scope, contract.id)
    ids = {contract.owner_id, contract.created_by, contract.our_signatory_id, contract.voided_by}
    ids |= {m.user_id for m in members} | {p.user_id for p in prints} | audit.user_ids_in(history)
    lines = service.line_items(session, contract)
    writable = service.can_write(session, scope, contract)
    locked = contract.status in ("in_approval", "void") or approval_locked(session, contract.id)
    return {
        "c": contract,
        "lines": lines,
        "total": service.total_of(session, contract.id),
        "members": members,
        "history": history,
        "prints": prints,
        "template_names": documents.template_names(session, {p.template_id for p in prints}),
        "templates": documents.list_templates(session, scope, "contract"),
        "names": org_service.names_by_id(session, ids),
        "contact_names": contact_service.names_by_id(session, [contract.customer_signatory_id]),
        "customer_name": service.customer_names(session, [contract]).get(contract.customer_id, ""),
        "users": org_service.active_users(session),
        "fields": customfields.definitions(session, "contract"),
        "approval": _approval_panel(session, scope, contract),
        "can_edit": writable and not locked and contract.status in ("draft", "rejected"),
        "can_remark": writable and not locked,
        "can_submit": writable and not locked and contract.status in lifecycle.SUBMITTABLE,
        "can_void": scope.can(Permission.contracts_void) and contract.status in lifecycle.VOIDABLE and not locked,
        "can_delete": scope.can(Permission.contracts_delete)
        and scope.sees_owner("contracts", contract.owner_id)
        and contract.status in ("draft", "rejected")
        and not locked,
        "can_team": scope.can(Permission.contracts_update) and scope.sees_owner("contracts", contract.owner_id),
    } | _customer_and_opportunity(session, scope, contract)


# --- templates and settings (contracts.templates) ---


def _templates_page(
    request: Request, session: Session, scope: Scope, errors: dict[str, str], values: Any = None, status: int = 200
) -> Response:
    authz_service.require(scope, Permission.contracts_templates)
    conf = options.load(session)
    items = documents.list_templates(session, scope, None, include_inactive=True)
    ctx = {
        "items": items,
        "names": org_service.names_by_id(session, {t.uploaded_by for t in items}),
        "settings": values or settings_form(conf),
        "errors": errors,
        "kinds": translated(TEMPLATE_KINDS),
        "KINDS": TEMPLATE_KINDS,
        "contract_placeholders": CONTRACT_PLACEHOLDERS,
        "receipt_placeholders": RECEIPT_PLACEHOLDERS,
        "max_mb": documents.MAX_BYTES // 1024 // 1024,
    }
    return render(request, "contracts/templates.html", ctx, status_code=status)


def settings_form(conf: ContractSettings) -> dict[str, Any]:
    """The settings as the form shows them: types one ``code: label`` per line, entities one per line."""
    return {
        "number_pattern": conf.number_pattern,
        "expiry_days": conf.expiry_days,
        "types": "\n".join(f"{t.code}: {options.type_label(conf, t.code)}" for t in conf.types),
        "signing_entities": "\n".join(conf.signing_entities),
    }


def parse_settings(form: dict[str, Any]) -> tuple[ContractSettings | None, dict[str, str]]:
    types = []
    for line in str(form.get("types") or "").splitlines():
        code, _sep, label = line.partition(":")
        code, label = code.strip(), label.strip() or code.strip()
        if code in DEFAULT_TYPES and label == _(DEFAULT_TYPES[code]):
            label = DEFAULT_TYPES[code]  # keep the built-in label translatable
        if code:
            types.append({"code": code, "label": label})
    entities = [e.strip() for e in str(form.get("signing_entities") or "").splitlines() if e.strip()]
    data = {
        "number_pattern": form.get("number_pattern") or "",
        "expiry_days": form.get("expiry_days"),
        "types": types,
        "signing_entities": entities,
    }
    return parse(ContractSettings, data)


@router.get("/templates", name="contracts:templates")
def templates_page(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    return _templates_page(request, session, scope, {})


@router.post("/templates", name="contracts:upload_template")
def upload_template(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    kind: Annotated[str, Form(max_length=10)],
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        documents.upload_template(session, scope, name, kind, file.filename or "", file.file, description)
    except Invalid as exc:
        session.rollback()
        return _templates_page(request, session, scope, {"upload": exc.message}, status=422)
    return redirect(request, str(request.url_for("contracts:templates")))


@router.post("/templates/{template_id}/active", name="contracts:template_active")
def template_active(
    request: Request, session: DbSession, scope: CurrentScope, template_id: PathId, form: FormData
) -> Response:
    documents.set_template_active(session, scope, template_id, form.get("active") == "true")
    return redirect(request, str(request.url_for("contracts:templates")))


@router.get("/templates/{template_id}/file", name="contracts:template_file")
def template_file(session: DbSession, scope: CurrentScope, template_id: PathId) -> FileResponse:
    path, name = documents.template_file(session, scope, template_id)
    return FileResponse(path, filename=name, media_type=documents.DOCX_MEDIA)


@router.post("/settings", name="contracts:settings")
def save_settings(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    data, errors = parse_settings(form)
    if data is None:
        return _templates_page(request, session, scope, errors, values=form, status=422)
    try:
        options.save(session, scope, data)
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return _templates_page(request, session, scope, errors_of(exc), values=form, status=exc.status_code)
    return redirect(request, str(request.url_for("contracts:templates")) + "#settings")


# --- fragments ---


@router.get("/for-customer/{customer_id}", name="contracts:for_customer")
def for_customer(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    """The customer page's contracts tab (HTMX fragment)."""
    items = service.for_customer(session, scope, customer_id)
    ctx = {"items": items, "customer_id": customer_id, "STATUSES": STATUSES}
    return render(request, "contracts/_for_customer.html", ctx)


@router.get("/signatories", name="contracts:signatories")
def signatories(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The <option>s of the customer's-signatory select for the chosen customer (HTMX)."""
    from loam.contacts import service as contact_service

    contacts = contact_service.for_customer(session, scope, customer_id) if customer_id else []
    return render(request, "contracts/_signatories.html", {"contacts": contacts, "selected": None})


# --- documents ---


@router.get("/{contract_id}/document", name="contracts:document")
def document(
    session: DbSession, scope: CurrentScope, contract_id: PathId, template_id: Annotated[int, Query(ge=1, le=MAX_ID)]
) -> Response:
    """Download the contract filled into a Word template (recorded in the print history)."""
    from urllib.parse import quote

    content, name = documents.generate(session, scope, contract_id, template_id)
    disposition = f"attachment; filename=\"contract.docx\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=documents.DOCX_MEDIA, headers={"Content-Disposition": disposition})


@router.get("/{contract_id}/print", name="contracts:print")
def print_view(request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId) -> Response:
    """A printable page of the contract (no navigation; print CSS); recorded in the print history."""
    ctx = documents.print_view(session, scope, contract_id)
    return render(request, "contracts/print.html", {"doc": ctx, "contract_id": contract_id})
