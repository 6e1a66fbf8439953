"""JSON endpoints for follow-ups (thin: parse, call one service function, shape output)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from loam.activities import service
from loam.activities.repository import SORTS
from loam.activities.schemas import FollowUpCreate, FollowUpFilters, FollowUpRead, FollowUpUpdate
from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.listing import sort_pattern
from loam.kit.schemas import Page

router = APIRouter(route_class=TxRoute, prefix="/followups", tags=["followups"])


@router.get("", response_model=Page[FollowUpRead])
def list_followups(
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[FollowUpFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(SORTS))] = None,
) -> Page[FollowUpRead]:
    items, total = service.list_page(session, scope, filters, page, page_size, sort)
    return Page[FollowUpRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("", response_model=FollowUpRead, status_code=201)
def create_followup(session: DbSession, scope: ApiScope, data: FollowUpCreate) -> object:
    return service.create(session, scope, data)


@router.get("/{followup_id}", response_model=FollowUpRead)
def get_followup(session: DbSession, scope: ApiScope, followup_id: PathId) -> object:
    return service.get(session, scope, followup_id)


@router.put("/{followup_id}", response_model=FollowUpRead)
def update_followup(session: DbSession, scope: ApiScope, followup_id: PathId, data: FollowUpUpdate) -> object:
    return service.update(session, scope, followup_id, data)


@router.delete("/{followup_id}", status_code=204)
def delete_followup(session: DbSession, scope: ApiScope, followup_id: PathId) -> None:
    service.delete_(session, scope, followup_id)
