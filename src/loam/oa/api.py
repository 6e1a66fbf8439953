"""JSON endpoints for OA requests and OA request types (thin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from sqlalchemy.orm import Session

from loam.auth.deps import ApiScope
from loam.authz.scope import Scope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.listing import sort_pattern
from loam.kit.schemas import Page
from loam.oa import service, types_service
from loam.oa.models import OaType
from loam.oa.repository import SORTS
from loam.oa.schemas import (
    RequestCreate,
    RequestFilters,
    RequestRead,
    RequestUpdate,
    SubmitIn,
    TypeCreate,
    TypeRead,
    TypeUpdate,
    WithdrawIn,
)

requests = APIRouter(route_class=TxRoute, prefix="/oa/requests", tags=["oa"])
types = APIRouter(route_class=TxRoute, prefix="/oa/types", tags=["oa"])


@requests.get("", response_model=Page[RequestRead])
def list_requests(
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[RequestFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(SORTS))] = None,
) -> Page[RequestRead]:
    """The caller's requests and those of the people they see through the OA data scope."""
    items, total = service.list_page(session, scope, filters, page, page_size, sort)
    return Page[RequestRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@requests.post("", response_model=RequestRead, status_code=201)
def create_request(session: DbSession, scope: ApiScope, data: RequestCreate) -> object:
    """A draft of an active type; ``values`` are checked against the type's fields (422 per field)."""
    return service.create(session, scope, data)


@requests.get("/{request_id}", response_model=RequestRead)
def get_request(session: DbSession, scope: ApiScope, request_id: PathId) -> object:
    return service.get(session, scope, request_id)


@requests.put("/{request_id}", response_model=RequestRead)
def update_request(session: DbSession, scope: ApiScope, request_id: PathId, data: RequestUpdate) -> object:
    """A full edit of the caller's draft or rejected request (``version`` as read, else 409)."""
    return service.update(session, scope, request_id, data)


@requests.delete("/{request_id}", status_code=204)
def delete_request(session: DbSession, scope: ApiScope, request_id: PathId) -> None:
    """Move a draft or rejected request to the recycle bin."""
    service.delete_(session, scope, request_id)


@requests.post("/{request_id}/restore", response_model=RequestRead)
def restore_request(session: DbSession, scope: ApiScope, request_id: PathId) -> object:
    return service.restore(session, scope, request_id)


@requests.post("/{request_id}/submit", response_model=RequestRead)
def submit_request(
    session: DbSession, scope: ApiScope, request_id: PathId, data: Annotated[SubmitIn | None, Body()] = None
) -> object:
    """Submit for approval; without an active approval flow it is approved at once."""
    return service.submit(session, scope, request_id, data)


@requests.post("/{request_id}/withdraw", response_model=RequestRead)
def withdraw_request(
    session: DbSession, scope: ApiScope, request_id: PathId, data: Annotated[WithdrawIn | None, Body()] = None
) -> object:
    """The submitter takes back a request in approval; it returns to draft."""
    return service.withdraw(session, scope, request_id, data.comment if data else None)


def _type_read(session: Session, scope: Scope, rows: list[OaType]) -> list[TypeRead]:
    used = types_service.in_use(session, rows)
    return [TypeRead.model_validate(t).model_copy(update={"in_use": t.id in used}) for t in rows]


@types.get("", response_model=list[TypeRead])
def list_types(session: DbSession, scope: ApiScope, active: bool = False) -> list[TypeRead]:
    """Every type in order (``active=true``: only those new requests may use)."""
    return _type_read(session, scope, types_service.list_types(session, scope, active))


@types.post("", response_model=TypeRead, status_code=201)
def create_type(session: DbSession, scope: ApiScope, data: TypeCreate) -> TypeRead:
    """A new type (``oa.manage``); the code is fixed from then on."""
    return _type_read(session, scope, [types_service.create_type(session, scope, data)])[0]


@types.get("/{type_id}", response_model=TypeRead)
def get_type(session: DbSession, scope: ApiScope, type_id: PathId) -> TypeRead:
    return _type_read(session, scope, [types_service.get_type(session, scope, type_id)])[0]


@types.put("/{type_id}", response_model=TypeRead)
def update_type(session: DbSession, scope: ApiScope, type_id: PathId, data: TypeUpdate) -> TypeRead:
    """A full edit (``oa.manage``, ``version`` as read); ``active: false`` deactivates."""
    return _type_read(session, scope, [types_service.update_type(session, scope, type_id, data)])[0]


@types.delete("/{type_id}", status_code=204)
def delete_type(session: DbSession, scope: ApiScope, type_id: PathId) -> None:
    """Delete a type no request uses (``oa.manage``); one in use is a 409: deactivate it instead."""
    types_service.delete_type(session, scope, type_id)


router = APIRouter()
router.include_router(requests)
router.include_router(types)
