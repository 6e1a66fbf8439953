"""Pool pages: my pools and their customers, pool administration, and the release/claim/distribute actions."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.customers.schemas import LEVELS, CustomerFilters
from loam.errors import LoamError
from loam.kit.choices import INDUSTRIES, translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.org import service as org_service
from loam.pools import service
from loam.pools.models import Pool
from loam.pools.rules import LEVELS as LEVEL_KEYS
from loam.pools.schemas import DistributeForm, PoolCreate, PoolForm, PoolUpdate, ReleaseForm
from loam.web.forms import FormData, errors_of, list_filters, parse, raise_invalid
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)
PAGE_SIZE = 25


_filters = list_filters(CustomerFilters)


def _pool_page(
    request: Request, session: Session, scope: Scope, pool: Pool | None, filters: CustomerFilters, page: int, sort: str
) -> Response:
    pools = service.list_pools(session, scope)
    items, total = service.pool_customers(session, scope, pool.id, filters, page, PAGE_SIZE, sort) if pool else ([], 0)
    ctx = {
        "pools": pools,
        "pool": pool,
        "counts": service.customer_counts(session, [p.id for p in pools]),
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "sort": sort,
        "filters": filters,
        "names": org_service.names_by_id(session, {c.previous_owner_id for c in items}),
        "assignees": service.eligible_users(session, scope, pool) if pool else [],
        "levels": translated(LEVELS),
        "industries": translated(INDUSTRIES),
        "LEVELS": LEVELS,
        "INDUSTRIES": INDUSTRIES,
    }
    partial = request.headers.get("hx-target") == "pool-table"
    return render(request, "pools/_table.html" if partial else "pools/list.html", ctx)


@router.get("/pools", name="pools:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[CustomerFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str, Query(max_length=40)] = "-released_at",
) -> Response:
    pools = service.list_pools(session, scope)
    return _pool_page(request, session, scope, pools[0] if pools else None, filters, page, sort)


# --- administration (before /pools/{pool_id}) ---------------------------------------------------------------


def _form_values(pool: Pool, members: list[Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: getattr(pool, k) for k in PoolUpdate.model_fields if k not in ("members", "level_rules")
    }
    for level, rule in (pool.level_rules or {}).items():
        for key, days in rule.items():
            values[f"lr.{level}.{key}"] = days
    values["member_users"] = [str(m.user_id) for m in members if m.user_id]
    values["member_departments"] = [str(m.department_id) for m in members if m.department_id and m.include_children]
    values["member_departments_only"] = [
        str(m.department_id) for m in members if m.department_id and not m.include_children
    ]
    return values


def _form(
    request: Request,
    session: Session,
    scope: Scope,
    values: dict[str, Any],
    errors: dict[str, str],
    pool: Any = None,
    status: int = 422,
) -> Response:
    ctx = {
        "values": values,
        "errors": errors,
        "pool": pool,
        "departments": service.department_choices(session, scope),
        "users": org_service.active_users(session),
        "level_keys": LEVEL_KEYS,
        "LEVELS": LEVELS,
    }
    return render(request, "pools/form.html", ctx, status_code=status if errors else 200)


def _parse(form: dict[str, Any], model: type[PoolCreate] | type[PoolUpdate]) -> tuple[Any, dict[str, str]]:
    flat, errors = parse(PoolForm, form)
    if flat is None:
        return None, errors
    return parse(model, flat.payload())


@router.get("/pools/manage", name="pools:manage")
def manage(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    departments = {i: name for i, name, _ in service.department_choices(session, scope)}
    pools = service.list_pools(session, scope, include_inactive=True)
    ids = [p.id for p in pools]
    ctx = {
        "pools": pools,
        "members": service.members(session, ids),
        "counts": service.customer_counts(session, ids),
        "departments": departments,
        "names": org_service.names_by_id(session),
        "LEVELS": LEVELS,
        "ran": {k: request.query_params.get(k) for k in ("returned", "warned", "checked")},
    }
    return render(request, "pools/manage.html", ctx)


@router.get("/pools/manage/new", name="pools:new")
def new(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    values = {"active": True, "exempt_closed": True, "warn_days": 3, "cooldown_days": 0}
    return _form(request, session, scope, values, {})


@router.post("/pools/manage", name="pools:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    data, errors = _parse(form, PoolCreate)
    if data is None:
        return _form(request, session, scope, form, errors)
    try:
        service.create_pool(session, scope, data)
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return _form(request, session, scope, form, errors_of(exc), status=exc.status_code)
    return redirect(request, str(request.url_for("pools:manage")))


@router.get("/pools/manage/{pool_id:int}/edit", name="pools:edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, pool_id: PathId) -> Response:
    pool = service.get_pool(session, scope, pool_id)
    values = _form_values(pool, service.members(session, [pool.id])[pool.id])
    return _form(request, session, scope, values, {}, pool)


@router.post("/pools/manage/{pool_id:int}/edit", name="pools:update")
def update(request: Request, session: DbSession, scope: CurrentScope, pool_id: PathId, form: FormData) -> Response:
    pool = service.get_pool(session, scope, pool_id)
    data, errors = _parse(form, PoolUpdate)
    if data is None:
        return _form(request, session, scope, form, errors, pool)
    try:
        service.update_pool(session, scope, pool_id, data)
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        pool = service.get_pool(session, scope, pool_id)
        return _form(request, session, scope, form, errors_of(exc), pool, exc.status_code)
    return redirect(request, str(request.url_for("pools:manage")))


@router.post("/pools/run-rules", name="pools:run_rules")
def run_rules(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    result = service.run_rules_now(session, scope)
    url = request.url_for("pools:manage").include_query_params(**vars(result))
    return redirect(request, str(url))


@router.get("/pools/{pool_id:int}", name="pools:detail")
def detail(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    pool_id: PathId,
    filters: Annotated[CustomerFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str, Query(max_length=40)] = "-released_at",
) -> Response:
    pool = service.get_pool(session, scope, pool_id)
    return _pool_page(request, session, scope, pool, filters, page, sort)


# --- actions on customers -----------------------------------------------------------------------------------


@router.post("/customers/{customer_id}/release", name="pools:release")
def release(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, form: FormData) -> Response:
    data, errors = parse(ReleaseForm, form)
    if data is None:
        raise_invalid(errors)
    service.release(session, scope, customer_id, data.pool_id, data.reason)  # type: ignore[union-attr]
    return redirect(request, str(request.url_for("customers:list")))


@router.post("/customers/{customer_id}/claim", name="pools:claim")
def claim(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    service.claim(session, scope, customer_id)
    return redirect(request, str(request.url_for("customers:detail", customer_id=customer_id)))


@router.post("/customers/{customer_id}/distribute", name="pools:distribute")
def distribute(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, form: FormData
) -> Response:
    data, errors = parse(DistributeForm, form)
    if data is None:
        raise_invalid(errors)
    service.distribute(session, scope, customer_id, data.user_id)  # type: ignore[union-attr]
    return redirect(request, _back_to_pool(request))


def _back_to_pool(request: Request) -> str:
    """Back to the pool page the action came from (only a local /pools path is trusted), else my pools."""
    came_from = urlsplit(request.headers.get("hx-current-url") or request.headers.get("referer") or "")
    if came_from.path == "/pools" or came_from.path.startswith("/pools/"):
        return came_from.path + (f"?{came_from.query}" if came_from.query else "")
    return str(request.url_for("pools:list"))
