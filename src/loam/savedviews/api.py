"""JSON endpoints for saved list views (thin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute, custom_filters
from loam.kit.schemas import Page
from loam.savedviews import service
from loam.savedviews.schemas import SavedViewFilters, SavedViewRead, SavedViewWrite

router = APIRouter(route_class=TxRoute, prefix="/saved-views", tags=["saved views"])


@router.get("", response_model=Page[SavedViewRead])
def list_views(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[SavedViewFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[SavedViewRead]:
    """The caller's own views and the shared ones (``entity`` = one list, e.g. opportunity)."""
    custom_filters(request, SavedViewFilters, ("page", "page_size"))
    items, total = service.list_page(session, scope, filters.entity, page, page_size)
    return Page[SavedViewRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("", response_model=SavedViewRead, status_code=201)
def create_view(session: DbSession, scope: ApiScope, data: SavedViewWrite) -> object:
    return service.create(session, scope, data)


@router.get("/{view_id:int}", response_model=SavedViewRead)
def get_view(session: DbSession, scope: ApiScope, view_id: PathId) -> object:
    return service.get(session, scope, view_id)


@router.put("/{view_id:int}", response_model=SavedViewRead)
def update_view(session: DbSession, scope: ApiScope, view_id: PathId, data: SavedViewWrite) -> object:
    return service.update(session, scope, view_id, data)


@router.delete("/{view_id:int}", status_code=204)
def delete_view(session: DbSession, scope: ApiScope, view_id: PathId) -> None:
    service.delete(session, scope, view_id)
