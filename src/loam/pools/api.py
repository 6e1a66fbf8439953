"""JSON endpoints for public pools and the pool actions on customers (thin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from sqlalchemy.orm import Session

from loam.auth.deps import ApiScope
from loam.customers.repository import POOL_SORTS
from loam.customers.schemas import CustomerFilters, CustomerRead
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.listing import sort_pattern
from loam.kit.schemas import Page
from loam.pools import service
from loam.pools.models import Pool
from loam.pools.schemas import (
    DistributeRequest,
    PoolCreate,
    PoolMemberRead,
    PoolRead,
    PoolUpdate,
    ReleaseRequest,
    RuleResultRead,
)

# ``{pool_id:int}`` keeps /pools/run-rules from matching /pools/{pool_id} (a wrong method there is a 405).
router = APIRouter(route_class=TxRoute, tags=["pools"])
POOL_SORT = sort_pattern(POOL_SORTS)


def _read(session: Session, pools: list[Pool]) -> list[PoolRead]:
    ids = [p.id for p in pools]
    members, counts = service.members(session, ids), service.customer_counts(session, ids)
    out = []
    for p in pools:
        row = PoolRead.model_validate(p)
        row.members = [PoolMemberRead.model_validate(m) for m in members[p.id]]
        row.customer_count = counts.get(p.id, 0)
        out.append(row)
    return out


@router.get("/pools", response_model=list[PoolRead])
def list_pools(session: DbSession, scope: ApiScope) -> object:
    return _read(session, service.list_pools(session, scope, include_inactive=True))


@router.post("/pools", response_model=PoolRead, status_code=201)
def create_pool(session: DbSession, scope: ApiScope, data: PoolCreate) -> object:
    return _read(session, [service.create_pool(session, scope, data)])[0]


@router.post("/pools/run-rules", response_model=RuleResultRead)
def run_rules(session: DbSession, scope: ApiScope) -> object:
    return service.run_rules_now(session, scope)


@router.get("/pools/{pool_id:int}", response_model=PoolRead)
def get_pool(session: DbSession, scope: ApiScope, pool_id: PathId) -> object:
    return _read(session, [service.get_pool(session, scope, pool_id)])[0]


@router.put("/pools/{pool_id:int}", response_model=PoolRead)
def update_pool(session: DbSession, scope: ApiScope, pool_id: PathId, data: PoolUpdate) -> object:
    return _read(session, [service.update_pool(session, scope, pool_id, data)])[0]


@router.get("/pools/{pool_id:int}/customers", response_model=Page[CustomerRead])
def pool_customers(
    session: DbSession,
    scope: ApiScope,
    pool_id: PathId,
    filters: Annotated[CustomerFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=POOL_SORT)] = None,
) -> Page[CustomerRead]:
    items, total = service.pool_customers(session, scope, pool_id, filters, page, page_size, sort)
    return Page[CustomerRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("/customers/{customer_id}/release", response_model=CustomerRead)
def release(
    session: DbSession,
    scope: ApiScope,
    customer_id: PathId,
    data: Annotated[ReleaseRequest | None, Body()] = None,
) -> object:
    data = data or ReleaseRequest()
    return service.release(session, scope, customer_id, data.pool_id, data.reason)


@router.post("/customers/{customer_id}/claim", response_model=CustomerRead)
def claim(session: DbSession, scope: ApiScope, customer_id: PathId) -> object:
    return service.claim(session, scope, customer_id)


@router.post("/customers/{customer_id}/distribute", response_model=CustomerRead)
def distribute(session: DbSession, scope: ApiScope, customer_id: PathId, data: DistributeRequest) -> object:
    return service.distribute(session, scope, customer_id, data.user_id)
