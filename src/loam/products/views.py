"""Product pages: catalogue list, detail with history, create/edit, activate/deactivate, delete, categories."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.errors import Conflict
from loam.kit import audit, customfields
from loam.kit.choices import translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.org import service as org_service
from loam.products import service
from loam.products.schemas import STATUSES, UNITS, CategoryWrite, ProductCreate, ProductFilters, ProductUpdate
from loam.web.forms import FormData, lax, list_filters, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/products", include_in_schema=False)
PAGE_SIZE = 25
_filters = list_filters(ProductFilters, custom=True)


def options(session: Any, scope: Scope) -> dict[str, Any]:
    nodes = service.tree(session, scope) if scope.can("products.view") else []
    return {
        "statuses": translated(STATUSES),
        "STATUSES": STATUSES,
        "units": UNITS,
        "categories": [(n.category.id, n.path) for n in nodes],
        "category_paths": {n.category.id: n.path for n in nodes},
        "can_manage": service.can_manage(scope),
    }


@router.get("", name="products:list")
def list_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[ProductFilters, Depends(_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    items, total = service.list_page(session, scope, filters, page, PAGE_SIZE, sort)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "sort": sort or "code",
        "filters": filters,
        "fields": customfields.definitions(session, "product"),
    }
    partial = request.headers.get("hx-target") == "product-table"
    return render(request, "products/_table.html" if partial else "products/list.html", ctx | options(session, scope))


# --- categories (before /{product_id}, which would otherwise take the path) ---


def _categories(
    request: Request, session: Any, scope: Scope, errors: dict[str, str], form: Any, status: int = 200
) -> Response:
    ctx = {"nodes": service.tree(session, scope), "errors": errors, "form": form or {}}
    return render(request, "products/categories.html", ctx | options(session, scope), status_code=status)


@router.get("/categories", name="products:categories")
def categories(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    return _categories(request, session, scope, {}, None)


@router.post("/categories", name="products:create_category")
def create_category(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    _done, failed = submit(
        session,
        form,
        lax(CategoryWrite),
        lambda data: service.create_category(session, scope, data),
        lambda errors, status: _categories(request, session, scope, errors, form | {"target": "new"}, status),
    )
    if failed is not None:
        return failed
    return redirect(request, str(request.url_for("products:categories")))


@router.post("/categories/{category_id}", name="products:update_category")
def update_category(
    request: Request, session: DbSession, scope: CurrentScope, category_id: PathId, form: FormData
) -> Response:
    service.get_category(session, scope, category_id)
    _done, failed = submit(
        session,
        form,
        lax(CategoryWrite),
        lambda data: service.update_category(session, scope, category_id, data),
        lambda errors, status: _categories(request, session, scope, errors, form | {"target": category_id}, status),
    )
    if failed is not None:
        return failed
    return redirect(request, str(request.url_for("products:categories")))


@router.post("/categories/{category_id}/delete", name="products:delete_category")
def delete_category(request: Request, session: DbSession, scope: CurrentScope, category_id: PathId) -> Response:
    try:
        service.delete_category(session, scope, category_id)
    except Conflict as exc:  # not empty: say so on the page
        session.rollback()
        return _categories(request, session, scope, {"__all__": exc.message}, None, exc.status_code)
    return redirect(request, str(request.url_for("products:categories")))


# --- products ---


def _form(
    request: Request,
    session: Any,
    scope: Scope,
    values: dict[str, Any],
    errors: dict[str, str],
    product: Any = None,
    status: int = 200,
) -> Response:
    ctx = {
        "values": values,
        "errors": errors,
        "product": product,
        "fields": customfields.definitions(session, "product"),
        "users": org_service.active_users(session),
    }
    return render(request, "products/form.html", ctx | options(session, scope), status_code=status)


@router.get("/new", name="products:new")
def new(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    return _form(request, session, scope, {"currency": "CNY", "status": "active", "custom": {}}, {})


@router.post("", name="products:create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    product, failed = submit(
        session,
        form,
        ProductCreate,
        lambda data: service.create(session, scope, data),
        lambda errors, status: _form(request, session, scope, form, errors, status=status),
    )
    if failed is not None:
        return failed
    return redirect(request, str(request.url_for("products:detail", product_id=product.id)))


@router.get("/{product_id}", name="products:detail")
def detail(request: Request, session: DbSession, scope: CurrentScope, product_id: PathId) -> Response:
    product = service.get(session, scope, product_id)
    history = service.history(session, scope, product_id) if scope.can("audit.view") else []
    ids = {product.created_by} | audit.user_ids_in(history)
    ctx = {
        "p": product,
        "history": history,
        "names": org_service.names_by_id(session, ids),
        "fields": customfields.definitions(session, "product"),
    }
    return render(request, "products/detail.html", ctx | options(session, scope))


@router.get("/{product_id}/edit", name="products:edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, product_id: PathId) -> Response:
    product = service.get(session, scope, product_id)
    values = {k: getattr(product, k) for k in ProductUpdate.model_fields if k != "custom"}
    values["custom"] = dict(product.custom or {})
    return _form(request, session, scope, values, {}, product)


@router.post("/{product_id}/edit", name="products:update")
def update(request: Request, session: DbSession, scope: CurrentScope, product_id: PathId, form: FormData) -> Response:
    product = service.get(session, scope, product_id)
    _done, failed = submit(
        session,
        form,
        ProductUpdate,
        lambda data: service.update(session, scope, product_id, data),
        lambda errors, status: _form(request, session, scope, form, errors, product, status=status),
    )
    if failed is not None:
        return failed
    return redirect(request, str(request.url_for("products:detail", product_id=product_id)))


@router.post("/{product_id}/status", name="products:status")
def set_status(
    request: Request, session: DbSession, scope: CurrentScope, product_id: PathId, form: FormData
) -> Response:
    service.set_status(session, scope, product_id, active=form.get("status") == "active")
    return redirect(request, str(request.url_for("products:detail", product_id=product_id)))


@router.post("/{product_id}/delete", name="products:delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, product_id: PathId) -> Response:
    service.delete_(session, scope, product_id)
    return redirect(request, str(request.url_for("products:list")))
