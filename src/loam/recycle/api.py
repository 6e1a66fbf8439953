"""JSON endpoints of the recycle bin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import Page
from loam.recycle import service
from loam.recycle.service import Entity

PathEntity = Annotated[Entity, Path()]
router = APIRouter(route_class=TxRoute, prefix="/recycle", tags=["recycle bin"])


class RecycleItem(BaseModel):
    entity: str
    id: int
    name: str
    owner_id: int | None
    deleted_at: datetime | None
    deleted_by: int | None
    merged_into: int | None = None  # set when a merge took the record away; restoring it undoes that merge


def item(entity: str, record: Any, merged_into: dict[int, int] | None = None) -> RecycleItem:
    return RecycleItem(
        entity=entity,
        id=record.id,
        name=service.label(record),
        owner_id=getattr(record, "owner_id", None),
        deleted_at=record.deleted_at,
        deleted_by=record.deleted_by,
        merged_into=(merged_into or {}).get(record.id),
    )


@router.get("", response_model=Page[RecycleItem])
def list_deleted(
    session: DbSession,
    scope: ApiScope,
    entity: Entity = "customer",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
) -> Page[RecycleItem]:
    rows, total = service.list_deleted(session, scope, entity, page, page_size)
    merged = service.merged_into(session, entity, [r.id for r in rows])
    items = [item(entity, r, merged) for r in rows]
    return Page[RecycleItem](items=items, total=total, page=page, page_size=page_size)


@router.post("/{entity}/{record_id}/restore", response_model=RecycleItem)
def restore(session: DbSession, scope: ApiScope, entity: PathEntity, record_id: PathId) -> RecycleItem:
    return item(entity, service.restore(session, scope, entity, record_id))


@router.delete("/{entity}/{record_id}", status_code=204)
def purge(session: DbSession, scope: ApiScope, entity: PathEntity, record_id: PathId) -> None:
    service.purge(session, scope, entity, record_id)
