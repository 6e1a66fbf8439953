"""JSON endpoints for custom field definitions (read: everyone signed in; write: customfields.manage)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from loam.auth.deps import ApiScope
from loam.customfields import service
from loam.kit.customfields import ENTITY_PATTERN, CustomFieldRead, CustomFieldWrite
from loam.kit.http import DbSession, PathId, TxRoute

router = APIRouter(route_class=TxRoute, prefix="/custom-fields", tags=["custom fields"])


@router.get("", response_model=list[CustomFieldRead])
def list_fields(
    session: DbSession,
    scope: ApiScope,
    entity: Annotated[str | None, Query(pattern=ENTITY_PATTERN)] = None,
) -> object:
    return service.list_fields(session, entity)


@router.post("", response_model=CustomFieldRead, status_code=201)
def create_field(session: DbSession, scope: ApiScope, data: CustomFieldWrite) -> object:
    return service.create_field(session, scope, data)


@router.get("/{field_id}", response_model=CustomFieldRead)
def get_field(session: DbSession, scope: ApiScope, field_id: PathId) -> object:
    return service.get_field(session, field_id)


@router.put("/{field_id}", response_model=CustomFieldRead)
def update_field(session: DbSession, scope: ApiScope, field_id: PathId, data: CustomFieldWrite) -> object:
    return service.update_field(session, scope, field_id, data)
