"""JSON endpoints for customers (thin: parse, call one service function, shape output)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from loam.auth.deps import ApiScope
from loam.customers import service
from loam.customers.repository import SORTS
from loam.customers.schemas import (
    CustomerCreate,
    CustomerFilters,
    CustomerRead,
    CustomerUpdate,
    DealRequest,
    MemberRead,
    MemberWrite,
    TransferRequest,
)
from loam.kit.http import DbSession, PathId, TxRoute, custom_filters
from loam.kit.listing import sort_pattern
from loam.kit.schemas import Page

router = APIRouter(route_class=TxRoute, prefix="/customers", tags=["customers"])


@router.get("", response_model=Page[CustomerRead])
def list_customers(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[CustomerFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(SORTS))] = None,
) -> Page[CustomerRead]:
    filters.custom = custom_filters(request, CustomerFilters)
    items, total = service.list_page(session, scope, filters, page, page_size, sort)
    return Page[CustomerRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("", response_model=CustomerRead, status_code=201)
def create_customer(session: DbSession, scope: ApiScope, data: CustomerCreate) -> object:
    return service.create(session, scope, data)


@router.get("/{customer_id}", response_model=CustomerRead)
def get_customer(session: DbSession, scope: ApiScope, customer_id: PathId) -> object:
    return service.get(session, scope, customer_id)


@router.put("/{customer_id}", response_model=CustomerRead)
def update_customer(session: DbSession, scope: ApiScope, customer_id: PathId, data: CustomerUpdate) -> object:
    return service.update(session, scope, customer_id, data)


@router.delete("/{customer_id}", status_code=204)
def delete_customer(session: DbSession, scope: ApiScope, customer_id: PathId) -> None:
    service.delete_(session, scope, customer_id)


@router.post("/{customer_id}/restore", response_model=CustomerRead)
def restore_customer(session: DbSession, scope: ApiScope, customer_id: PathId) -> object:
    return service.restore(session, scope, customer_id)


@router.post("/{customer_id}/transfer", response_model=CustomerRead)
def transfer_customer(session: DbSession, scope: ApiScope, customer_id: PathId, data: TransferRequest) -> object:
    return service.transfer(session, scope, customer_id, data)


@router.post("/{customer_id}/deal", response_model=CustomerRead)
def set_deal(session: DbSession, scope: ApiScope, customer_id: PathId, data: DealRequest) -> object:
    """Mark the customer as having closed a deal (成交), or undo it (``{"closed": false}``)."""
    return service.set_deal(session, scope, customer_id, data.closed)


@router.post("/{customer_id}/lock", response_model=CustomerRead)
def lock_customer(session: DbSession, scope: ApiScope, customer_id: PathId) -> object:
    return service.set_locked(session, scope, customer_id, True)


@router.post("/{customer_id}/unlock", response_model=CustomerRead)
def unlock_customer(session: DbSession, scope: ApiScope, customer_id: PathId) -> object:
    return service.set_locked(session, scope, customer_id, False)


@router.get("/{customer_id}/members", response_model=list[MemberRead])
def list_members(session: DbSession, scope: ApiScope, customer_id: PathId) -> object:
    return service.members(session, scope, customer_id)


@router.post("/{customer_id}/members", response_model=MemberRead, status_code=201)
def add_member(session: DbSession, scope: ApiScope, customer_id: PathId, data: MemberWrite) -> object:
    return service.add_member(session, scope, customer_id, data)


@router.delete("/{customer_id}/members/{user_id}", status_code=204)
def remove_member(session: DbSession, scope: ApiScope, customer_id: PathId, user_id: PathId) -> None:
    service.remove_member(session, scope, customer_id, user_id)
