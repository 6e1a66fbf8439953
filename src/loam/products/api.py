"""JSON endpoints for products and product categories (thin: parse, call one service function, shape output)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute, custom_filters
from loam.kit.listing import sort_pattern
from loam.kit.schemas import Page
from loam.products import service
from loam.products.repository import SORTS
from loam.products.schemas import (
    CategoryFilters,
    CategoryNodeRead,
    CategoryRead,
    CategoryWrite,
    ProductCreate,
    ProductFilters,
    ProductRead,
    ProductUpdate,
)

router = APIRouter(route_class=TxRoute)


@router.get("/products", response_model=Page[ProductRead], tags=["products"])
def list_products(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[ProductFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(SORTS))] = None,
) -> Page[ProductRead]:
    """The catalogue; ``q`` matches code or name, ``category_id`` includes sub-categories,
    ``status=active`` is what a line editor offers."""
    filters.custom = custom_filters(request, ProductFilters)
    items, total = service.list_page(session, scope, filters, page, page_size, sort)
    return Page[ProductRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("/products", response_model=ProductRead, status_code=201, tags=["products"])
def create_product(session: DbSession, scope: ApiScope, data: ProductCreate) -> object:
    return service.create(session, scope, data)


@router.get("/products/{product_id}", response_model=ProductRead, tags=["products"])
def get_product(session: DbSession, scope: ApiScope, product_id: PathId) -> object:
    return service.get(session, scope, product_id)


@router.put("/products/{product_id}", response_model=ProductRead, tags=["products"])
def update_product(session: DbSession, scope: ApiScope, product_id: PathId, data: ProductUpdate) -> object:
    return service.update(session, scope, product_id, data)


@router.delete("/products/{product_id}", status_code=204, tags=["products"])
def delete_product(session: DbSession, scope: ApiScope, product_id: PathId) -> None:
    service.delete_(session, scope, product_id)


@router.post("/products/{product_id}/restore", response_model=ProductRead, tags=["products"])
def restore_product(session: DbSession, scope: ApiScope, product_id: PathId) -> object:
    return service.restore(session, scope, product_id)


@router.get("/product-categories", response_model=Page[CategoryNodeRead], tags=["products"])
def list_categories(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 200,
) -> Page[CategoryNodeRead]:
    """The category tree, depth-first (parents before their children), with each category's path."""
    custom_filters(request, CategoryFilters, extra=("page", "page_size"))
    nodes = service.tree(session, scope)
    start = (page - 1) * page_size
    items = [
        CategoryNodeRead.model_validate(
            {**CategoryRead.model_validate(n.category).model_dump(), "depth": n.depth, "path": n.path}
        )
        for n in nodes[start : start + page_size]
    ]
    return Page[CategoryNodeRead](items=items, total=len(nodes), page=page, page_size=page_size)


@router.post("/product-categories", response_model=CategoryRead, status_code=201, tags=["products"])
def create_category(session: DbSession, scope: ApiScope, data: CategoryWrite) -> object:
    return service.create_category(session, scope, data)


@router.get("/product-categories/{category_id}", response_model=CategoryRead, tags=["products"])
def get_category(session: DbSession, scope: ApiScope, category_id: PathId) -> object:
    return service.get_category(session, scope, category_id)


@router.put("/product-categories/{category_id}", response_model=CategoryRead, tags=["products"])
def update_category(session: DbSession, scope: ApiScope, category_id: PathId, data: CategoryWrite) -> object:
    """Rename, re-sort or move (``parent_id``) a category."""
    return service.update_category(session, scope, category_id, data)


@router.delete("/product-categories/{category_id}", status_code=204, tags=["products"])
def delete_category(session: DbSession, scope: ApiScope, category_id: PathId) -> None:
    """Delete an empty category (409 while it has sub-categories or products)."""
    service.delete_category(session, scope, category_id)
