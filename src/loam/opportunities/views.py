"""Opportunity pages: list (filters, saved views, batch), kanban, detail, create/edit, the customer fragment.

Actions (move, transfer, team, contacts, competitors, batch) are in :mod:`.views_actions`, pipeline
administration in :mod:`.views_pipelines`; both are included here, before the ``/{id}`` routes.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.errors import Invalid, LoamError
from loam.kit import customfields
from loam.kit.http import DbSession, PathId, TxRoute
from loam.opportunities import details, pipelines, presenters, service, views_actions, views_pipelines
from loam.opportunities.models import Opportunity
from loam.opportunities.schemas import OpportunityCreate, OpportunityFilters, OpportunityUpdate
from loam.org import service as org_service
from loam.web.forms import FormData, errors_of, lax, list_filters, parse
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)
pages = APIRouter(route_class=TxRoute, prefix="/opportunities", include_in_schema=False)
PAGE_SIZE = 25
ENTITY = service.ENTITY
_filters = list_filters(OpportunityFilters, custom=True)


def _base(session: Session) -> dict[str, Any]:
    return presenters.options() | presenters.stage_context(session)


@pages.get("", name="opportunities:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[OpportunityFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    from loam.savedviews import service as saved_service

    items, total = service.list_page(session, scope, filters, page, PAGE_SIZE, sort)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "sort": sort or "-updated_at",
        "filters": filters,
        "fields": customfields.definitions(session, ENTITY),
        "names": org_service.names_by_id(session, {o.owner_id for o in items}),
        "customers": service.customer_names(session, items),
        "users": org_service.active_users(session),
        "saved_views": saved_service.for_entity(session, scope, ENTITY),
        "saved_entity": ENTITY,
    }
    partial = request.headers.get("hx-target") == "opportunity-table"
    return render(request, "opportunities/_table.html" if partial else "opportunities/list.html", ctx | _base(session))


@pages.get("/kanban", name="opportunities:kanban")
def kanban(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[OpportunityFilters, Depends(_filters)],
) -> Response:
    """One pipeline as columns of cards; drag and drop posts to the move API (kanban.js)."""
    if filters.pipeline_id is None:
        filters.pipeline_id = _default_pipeline(session, scope)
    pipeline = pipelines.get_pipeline(session, filters.pipeline_id)
    filters.stage_id, filters.status = None, None
    cards, totals = service.board(session, scope, filters)
    stages = pipelines.stages_of(session, pipeline.id)
    columns = [s for s in stages if s.retired_at is None or s.id in totals]
    columns.sort(key=lambda s: (s.kind != "open", s.position))
    shown = [o for group in cards.values() for o in group]
    ctx = {
        "pipeline": pipeline,
        "columns": columns,
        "cards": cards,
        "totals": totals,
        "filters": filters,
        "names": org_service.names_by_id(session, {o.owner_id for o in shown}),
        "customers": service.customer_names(session, shown),
        "users": org_service.active_users(session),
        "money": presenters.money,
    }
    return render(request, "opportunities/kanban.html", ctx | _base(session))


def _default_pipeline(session: Session, scope: Scope) -> int:
    try:
        return pipelines.default_for(session, scope).id
    except Invalid:
        found = pipelines.list_pipelines(session, active_only=True)
        if not found:
            raise
        return found[0].id


def _form_data(session: Session, scope: Scope, form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form without the line editor's fields, plus ``lines`` when the editor was on the page."""
    from loam.products import forms as product_forms

    data = {k: v for k, v in form.items() if not k.startswith("lines-") and k != "lines_present"}
    if form.get("lines_present") != "1":
        return data, {}
    try:
        data["lines"] = product_forms.parse_lines(form)
    except LoamError as exc:
        return data, errors_of(exc)
    return data, {}


def _form(
    request: Request,
    session: Session,
    scope: Scope,
    values: dict[str, Any],
    errors: dict[str, str],
    opportunity: Opportunity | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    from loam.customers import service as customer_service
    from loam.customers.schemas import CustomerFilters
    from loam.products import forms as product_forms

    saved = details.lines_for(session, opportunity.id) if opportunity else []
    customers = customer_service.list_page(session, scope, CustomerFilters.model_validate({}), 1, 200, "name")[0]
    chosen = values.get("customer_id")
    if chosen and all(str(c.id) != str(chosen) for c in customers):
        with contextlib.suppress(LoamError, ValueError):
            customers.insert(0, customer_service.get(session, scope, int(chosen)))
    ctx = {
        "values": values,
        "errors": errors,
        "opportunity": opportunity,
        "customers": customers,
        "applicable": pipelines.applicable(session, scope),
        "fields": customfields.definitions(session, ENTITY),
        "users": org_service.active_users(session),
        "show_lines": scope.can("products.view"),
    }
    ctx |= product_forms.editor_context(session, scope, saved, form, errors)
    return render(request, "opportunities/form.html", ctx | _base(session), status_code=status)


def _save(request: Request, session: Session, scope: Scope, form: dict[str, Any], opportunity: Any = None) -> Any:
    """Parse and save; returns the opportunity or the re-rendered form (422/409) with the messages."""
    data, line_errors = _form_data(session, scope, form)
    schema = OpportunityUpdate if opportunity else OpportunityCreate
    parsed, errors = parse(lax(schema), data)
    errors |= line_errors
    if parsed is None or errors:
        return _form(request, session, scope, form, errors, opportunity, 422, form)
    try:
        if opportunity:
            return service.update(session, scope, opportunity.id, parsed)  # type: ignore[arg-type]
        return service.create(session, scope, parsed)  # type: ignore[arg-type]
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return _form(request, session, scope, form, errors_of(exc), opportunity, exc.status_code, form)


@pages.get("/new", name="opportunities:new")
def new(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    values: dict[str, Any] = {"customer_id": customer_id, "currency": "CNY", "amount": "0.00", "custom": {}}
    return _form(request, session, scope, values, {})


@pages.post("", name="opportunities:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    result = _save(request, session, scope, form)
    if isinstance(result, Response):
        return result
    return redirect(request, str(request.url_for("opportunities:detail", opportunity_id=result.id)))


@pages.get("/for-customer/{customer_id:int}", name="opportunities:for_customer")
def for_customer(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    """HTMX fragment for the customer page: the customer's visible opportunities and a "new" link."""
    items = service.for_customer(session, scope, customer_id)
    ctx = {
        "customer_id": customer_id,
        "items": items,
        "names": org_service.names_by_id(session, {o.owner_id for o in items}),
        "money": presenters.money,
    }
    return render(request, "opportunities/_for_customer.html", ctx | _base(session))


@pages.get("/{opportunity_id:int}", name="opportunities:detail")
def detail(request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId) -> Response:
    opportunity = service.get(session, scope, opportunity_id)
    ctx = views_actions.detail_context(session, scope, opportunity)
    return render(request, "opportunities/detail.html", ctx | _base(session))


@pages.get("/{opportunity_id:int}/edit", name="opportunities:edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId) -> Response:
    opportunity = service.get_for_write(session, scope, opportunity_id)
    values = {k: getattr(opportunity, k) for k in OpportunityUpdate.model_fields if k not in ("custom", "lines")}
    values["custom"] = dict(opportunity.custom or {})
    return _form(request, session, scope, values, {}, opportunity)


@pages.post("/{opportunity_id:int}/edit", name="opportunities:update")
def update(
    request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId, form: FormData
) -> Response:
    opportunity = service.get_for_write(session, scope, opportunity_id)
    result = _save(request, session, scope, form, opportunity)
    if isinstance(result, Response):
        return result
    return redirect(request, str(request.url_for("opportunities:detail", opportunity_id=opportunity_id)))


@pages.post("/{opportunity_id:int}/delete", name="opportunities:delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, opportunity_id: PathId) -> Response:
    service.delete_(session, scope, opportunity_id)
    return redirect(request, str(request.url_for("opportunities:list")))


router.include_router(views_pipelines.router)
router.include_router(views_actions.router)
router.include_router(pages)
