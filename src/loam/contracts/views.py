"""Contract pages: list, detail, create (blank or from an opportunity) and edit, status actions, team.

Templates/settings, document generation, the print view and fragments live in :mod:`loam.contracts.pages`;
their routes are included first so that ``/contracts/templates`` is not taken for a contract id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.contracts import lifecycle, options, pages, service
from loam.contracts.schemas import STATUSES, ContractCreate, ContractFilters, ContractUpdate, MemberWrite, VoidRequest
from loam.errors import Invalid
from loam.kit import customfields
from loam.kit.choices import translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import MAX_ID
from loam.org import service as org_service
from loam.web.forms import FormData, errors_of, list_filters, parse, raise_invalid, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/contracts", include_in_schema=False)
router.include_router(pages.router)
_filters = list_filters(ContractFilters, custom=True)


def _options(session: Session) -> dict[str, Any]:
    conf = options.load(session)
    return {
        "statuses": translated(STATUSES),
        "STATUSES": STATUSES,
        "types": options.type_choices(conf),
        "type_label": lambda code: options.type_label(conf, code),
        "signing_entities": conf.signing_entities,
        "expiry_days": conf.expiry_days,
    }


@router.get("", name="contracts:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[ContractFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    items, total = service.list_page(session, scope, filters, page, 25, sort)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": 25,
        "sort": sort or "-updated_at",
        "filters": filters,
        "fields": customfields.definitions(session, "contract"),
        "names": org_service.names_by_id(session, {c.owner_id for c in items}),
        "customer_names": pages.customer_names(session, {c.customer_id for c in items}),
        "users": org_service.active_users(session),
        "customers": pages.customer_choices(session, scope),
    } | pages.saved_views(session, scope)
    partial = request.headers.get("hx-target") == "contract-table"
    return render(request, "contracts/_table.html" if partial else "contracts/list.html", ctx | _options(session))


def _form(
    request: Request,
    session: Session,
    scope: Scope,
    values: dict[str, Any],
    errors: dict[str, str],
    contract: Any = None,
    status: int = 200,
    lines: Any = (),
) -> Response:
    ctx = pages.form_context(session, scope, values, errors, contract, lines)
    return render(request, "contracts/form.html", ctx | _options(session), status_code=status)


@router.get("/new", name="contracts:new")
def new(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    opportunity_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """A blank form, or one filled from an opportunity (customer, name, amount, currency, product lines)."""
    values, lines = pages.new_values(session, scope, opportunity_id, customer_id)
    return _form(request, session, scope, values, {}, lines=lines)


def _save(request: Request, session: Session, form: dict[str, Any], schema: Any, action: Any, rerender: Any) -> Any:
    """Parse the product lines, then the rest of the form into ``schema``; run ``action`` (see web.forms.submit)."""
    from loam.products.forms import parse_lines

    try:
        lines = parse_lines(form)
    except Invalid as exc:
        return None, rerender(errors_of(exc), 422)
    data = {k: v for k, v in form.items() if not k.startswith("lines-")} | {"lines": lines}
    return submit(session, data, schema, action, rerender)


@router.post("", name="contracts:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    contract, failed = _save(
        request,
        session,
        form,
        ContractCreate,
        lambda data: service.create(session, scope, data),
        lambda errors, status: _form(request, session, scope, form, errors, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("contracts:detail", contract_id=contract.id)))


@router.get("/{contract_id}", name="contracts:detail")
def detail(request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId) -> Response:
    contract = service.get(session, scope, contract_id)
    ctx = pages.detail_context(session, scope, contract)
    return render(request, "contracts/detail.html", ctx | _options(session))


@router.get("/{contract_id}/edit", name="contracts:edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId) -> Response:
    contract = service.get(session, scope, contract_id)
    values = {k: getattr(contract, k) for k in ContractUpdate.model_fields if k not in ("custom", "lines")}
    values["custom"] = dict(contract.custom or {})
    return _form(request, session, scope, values, {}, contract, lines=service.line_items(session, contract))


@router.post("/{contract_id}/edit", name="contracts:update")
def update(request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId, form: FormData) -> Response:
    contract = service.get(session, scope, contract_id)
    _done, failed = _save(
        request,
        session,
        form,
        ContractUpdate,
        lambda data: service.update(session, scope, contract_id, data),
        lambda errors, status: _form(request, session, scope, form, errors, contract, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("contracts:detail", contract_id=contract_id)))


def _back(request: Request, contract_id: int, anchor: str = "") -> Response:
    return redirect(request, str(request.url_for("contracts:detail", contract_id=contract_id)) + anchor)


@router.post("/{contract_id}/remark", name="contracts:remark")
def remark(request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId, form: FormData) -> Response:
    """Change only the remarks (the one edit an approved contract takes)."""
    version = form.get("version")
    if not (isinstance(version, str) and version.isdigit()):
        raise_invalid({"version": "?"})
    service.set_remark(session, scope, contract_id, form.get("remark"), int(str(version)))
    return _back(request, contract_id)


@router.post("/{contract_id}/delete", name="contracts:delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId) -> Response:
    service.delete_(session, scope, contract_id)
    return redirect(request, str(request.url_for("contracts:list")))


@router.post("/{contract_id}/submit", name="contracts:submit")
def submit_for_approval(request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId) -> Response:
    lifecycle.submit(session, scope, contract_id)
    return _back(request, contract_id)


@router.post("/{contract_id}/void", name="contracts:void")
def void(request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId, form: FormData) -> Response:
    data, errors = parse(VoidRequest, form)
    if data is None:
        raise_invalid(errors)
    lifecycle.void(session, scope, contract_id, data.reason)  # type: ignore[union-attr]
    return _back(request, contract_id)


@router.post("/{contract_id}/members", name="contracts:add_member")
def add_member(
    request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId, form: FormData
) -> Response:
    data, errors = parse(MemberWrite, form)
    if data is None:
        raise_invalid(errors)
    service.add_member(session, scope, contract_id, data)  # type: ignore[arg-type]
    return _back(request, contract_id, "#team")


@router.post("/{contract_id}/members/{user_id}/remove", name="contracts:remove_member")
def remove_member(
    request: Request, session: DbSession, scope: CurrentScope, contract_id: PathId, user_id: PathId
) -> Response:
    service.remove_member(session, scope, contract_id, user_id)
    return _back(request, contract_id, "#team")
