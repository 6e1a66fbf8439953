"""JSON endpoints of the intelligence network and the executive pool (thin): /intel, /customers/{id}/intel-sources,
/customers/{id}/competitor-timeline, /exec-pairings, /exec-meetings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from loam.auth.deps import ApiScope
from loam.errors import Invalid
from loam.kit.http import DbSession, PathId, TxRoute, custom_filters
from loam.kit.i18n import gettext as _
from loam.kit.schemas import IsoDate, Page
from loam.relationships import execpool, intel
from loam.relationships.schemas_network import (
    CompetitorTimeline,
    IntelCreate,
    IntelFilters,
    IntelRead,
    IntelUpdate,
    MeetingCreate,
    MeetingRead,
    MeetingUpdate,
    PairingCreate,
    PairingDetail,
    PairingFilters,
    PairingRead,
    PairingUpdate,
    SourcesReport,
    SourceWrite,
)

router = APIRouter(route_class=TxRoute, tags=["relationships"])
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=200)]
AsOf = Annotated[IsoDate | None, Query(description="The day the rules are evaluated on (default: today)")]


def _known(request: Request, model: type[BaseModel], *extra: str) -> None:
    """An unknown query parameter is a 422, never a silently unfiltered list."""
    if custom_filters(request, model, ("page", "page_size", *extra)):
        raise Invalid(_("Unknown query parameter: %(name)s", name="cf_"))


# --- intelligence ---


@router.get("/intel", response_model=Page[IntelRead])
def list_intel(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[IntelFilters, Query()],
    page: PageNo = 1,
    page_size: PageSize = 25,
) -> Page[IntelRead]:
    """Intel items of the customers the caller sees, newest first; ``verified`` / ``conflicting`` filter on the
    cross-checking of the sources."""
    _known(request, IntelFilters)
    items, total = intel.list_page(session, scope, filters, page, page_size)
    return Page[IntelRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("/intel", response_model=IntelRead, status_code=201)
def create_intel(session: DbSession, scope: ApiScope, data: IntelCreate) -> object:
    return intel.create(session, scope, data)


@router.get("/intel/{item_id}", response_model=IntelRead)
def get_intel(session: DbSession, scope: ApiScope, item_id: PathId) -> object:
    return intel.get(session, scope, item_id)


@router.patch("/intel/{item_id}", response_model=IntelRead)
def update_intel(session: DbSession, scope: ApiScope, item_id: PathId, data: IntelUpdate) -> object:
    """Only the fields given change; ``version`` must be the one read (409)."""
    return intel.update(session, scope, item_id, data)


@router.delete("/intel/{item_id}", status_code=204)
def delete_intel(session: DbSession, scope: ApiScope, item_id: PathId) -> None:
    intel.delete_(session, scope, item_id)


@router.post("/intel/{item_id}/sources", response_model=IntelRead, status_code=201)
def add_intel_source(session: DbSession, scope: ApiScope, item_id: PathId, data: SourceWrite) -> object:
    """One more report on the item; returns the item with its verification."""
    return intel.add_source(session, scope, item_id, data)


@router.get("/customers/{customer_id}/intel-sources", response_model=SourcesReport)
def intel_sources(session: DbSession, scope: ApiScope, customer_id: PathId, as_of: AsOf = None) -> object:
    """Active sources per department of the customer, and those that need maintenance."""
    return intel.sources_report(session, scope, customer_id, as_of)


@router.get("/customers/{customer_id}/competitor-timeline", response_model=list[CompetitorTimeline])
def competitor_timeline(session: DbSession, scope: ApiScope, customer_id: PathId) -> object:
    return intel.competitor_timeline(session, scope, customer_id)


# --- executive pool ---


@router.get("/exec-pairings", response_model=Page[PairingRead])
def list_pairings(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[PairingFilters, Query()],
    page: PageNo = 1,
    page_size: PageSize = 25,
    as_of: AsOf = None,
) -> Page[PairingRead]:
    """Executive pairings of the customers the caller sees, by executive; ``due`` on ``as_of``."""
    _known(request, PairingFilters, "as_of")
    items, total = execpool.list_page(session, scope, filters, page, page_size, as_of)
    return Page[PairingRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.post("/exec-pairings", response_model=PairingDetail, status_code=201)
def create_pairing(session: DbSession, scope: ApiScope, data: PairingCreate) -> object:
    return execpool.create(session, scope, data)


@router.get("/exec-pairings/{pairing_id}", response_model=PairingDetail)
def get_pairing(session: DbSession, scope: ApiScope, pairing_id: PathId, as_of: AsOf = None) -> object:
    return execpool.get(session, scope, pairing_id, as_of)


@router.patch("/exec-pairings/{pairing_id}", response_model=PairingDetail)
def update_pairing(session: DbSession, scope: ApiScope, pairing_id: PathId, data: PairingUpdate) -> object:
    return execpool.update(session, scope, pairing_id, data)


@router.delete("/exec-pairings/{pairing_id}", status_code=204)
def delete_pairing(session: DbSession, scope: ApiScope, pairing_id: PathId) -> None:
    execpool.delete_(session, scope, pairing_id)


@router.post("/exec-pairings/{pairing_id}/meetings", response_model=MeetingRead, status_code=201)
def add_meeting(session: DbSession, scope: ApiScope, pairing_id: PathId, data: MeetingCreate) -> object:
    return execpool.add_meeting(session, scope, pairing_id, data)


@router.get("/exec-meetings/{meeting_id}", response_model=MeetingRead)
def get_meeting(session: DbSession, scope: ApiScope, meeting_id: PathId) -> object:
    return execpool.get_meeting(session, scope, meeting_id)


@router.patch("/exec-meetings/{meeting_id}", response_model=MeetingRead)
def update_meeting(session: DbSession, scope: ApiScope, meeting_id: PathId, data: MeetingUpdate) -> object:
    """E.g. ``{"status": "held", "held_on": "2027-03-01", "version": 1}``."""
    return execpool.update_meeting(session, scope, meeting_id, data)
