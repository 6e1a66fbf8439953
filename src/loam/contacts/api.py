"""JSON endpoints for contacts (thin: parse, call one service function, shape output)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from loam.auth.deps import ApiScope
from loam.contacts import service
from loam.contacts.repository import SORTS
from loam.contacts.schemas import ContactCreate, ContactFilters, ContactRead, ContactUpdate
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.listing import sort_pattern
from loam.kit.schemas import Page

router = APIRouter(route_class=TxRoute, prefix="/contacts", tags=["contacts"])


@router.get("", response_model=Page[ContactRead])
def list_contacts(
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[ContactFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(SORTS))] = None,
) -> Page[ContactRead]:
    items, total = service.list_page(session, scope, filters, page, page_size, sort)
    return Page[ContactRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("", response_model=ContactRead, status_code=201)
def create_contact(session: DbSession, scope: ApiScope, data: ContactCreate) -> object:
    return service.create(session, scope, data)


@router.get("/{contact_id}", response_model=ContactRead)
def get_contact(session: DbSession, scope: ApiScope, contact_id: PathId) -> object:
    return service.get(session, scope, contact_id)


@router.put("/{contact_id}", response_model=ContactRead)
def update_contact(session: DbSession, scope: ApiScope, contact_id: PathId, data: ContactUpdate) -> object:
    return service.update(session, scope, contact_id, data)


@router.delete("/{contact_id}", status_code=204)
def delete_contact(session: DbSession, scope: ApiScope, contact_id: PathId) -> None:
    service.delete_(session, scope, contact_id)


@router.post("/{contact_id}/restore", response_model=ContactRead)
def restore_contact(session: DbSession, scope: ApiScope, contact_id: PathId) -> object:
    return service.restore(session, scope, contact_id)
