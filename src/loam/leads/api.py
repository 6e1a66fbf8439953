"""JSON endpoints for leads (thin: parse, call one service function, shape output)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute, custom_filters
from loam.kit.listing import sort_pattern
from loam.kit.schemas import MAX_ID, Page
from loam.leads import service
from loam.leads.repository import SORTS
from loam.leads.schemas import (
    ConversionRead,
    DuplicateRead,
    LeadConvert,
    LeadCreate,
    LeadFilters,
    LeadRead,
    LeadStatusChange,
    LeadTransfer,
    LeadUpdate,
)

# ``{lead_id:int}`` keeps /leads/duplicates and /leads/due-today from matching the id routes (405, not 422).
router = APIRouter(route_class=TxRoute, prefix="/leads", tags=["leads"])


@router.get("", response_model=Page[LeadRead])
def list_leads(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[LeadFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(SORTS))] = None,
) -> Page[LeadRead]:
    filters.custom = custom_filters(request, LeadFilters)
    items, total = service.list_page(session, scope, filters, page, page_size, sort)
    return Page[LeadRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("", response_model=LeadRead, status_code=201)
def create_lead(session: DbSession, scope: ApiScope, data: LeadCreate) -> object:
    """Creates the lead even when duplicates exist; ask ``GET /leads/duplicates`` first to warn the user."""
    return service.create(session, scope, data)


@router.get("/duplicates", response_model=list[DuplicateRead])
def find_duplicates(
    session: DbSession,
    scope: ApiScope,
    company: Annotated[str | None, Query(max_length=200)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    exclude_lead_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> object:
    """Leads, customers and contacts with the same normalised company or phone (entity, name, owner only)."""
    return service.duplicates(session, scope, company, phone, exclude_lead_id)


@router.get("/due-today", response_model=list[LeadRead])
def due_today(session: DbSession, scope: ApiScope, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> object:
    """The caller's own open leads to contact by the end of today."""
    return service.due_today(session, scope, limit)


@router.get("/{lead_id:int}", response_model=LeadRead)
def get_lead(session: DbSession, scope: ApiScope, lead_id: PathId) -> object:
    return service.get(session, scope, lead_id)


@router.put("/{lead_id:int}", response_model=LeadRead)
def update_lead(session: DbSession, scope: ApiScope, lead_id: PathId, data: LeadUpdate) -> object:
    return service.update(session, scope, lead_id, data)


@router.delete("/{lead_id:int}", status_code=204)
def delete_lead(session: DbSession, scope: ApiScope, lead_id: PathId) -> None:
    service.delete_(session, scope, lead_id)


@router.post("/{lead_id:int}/restore", response_model=LeadRead)
def restore_lead(session: DbSession, scope: ApiScope, lead_id: PathId) -> object:
    return service.restore(session, scope, lead_id)


@router.post("/{lead_id:int}/transfer", response_model=LeadRead)
def transfer_lead(session: DbSession, scope: ApiScope, lead_id: PathId, data: LeadTransfer) -> object:
    return service.transfer(session, scope, lead_id, data)


@router.post("/{lead_id:int}/status", response_model=LeadRead)
def set_lead_status(session: DbSession, scope: ApiScope, lead_id: PathId, data: LeadStatusChange) -> object:
    return service.set_status(session, scope, lead_id, data)


@router.post("/{lead_id:int}/convert", response_model=ConversionRead)
def convert_lead(session: DbSession, scope: ApiScope, lead_id: PathId, data: LeadConvert) -> object:
    return service.convert(session, scope, lead_id, data)
