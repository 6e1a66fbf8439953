"""JSON endpoints of relationship health (thin): a customer's live health with its trend, its monthly snapshots,
the company view and its customer list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from loam.auth.deps import ApiScope
from loam.errors import Invalid
from loam.kit.http import DbSession, PathId, TxRoute, custom_filters
from loam.kit.i18n import gettext as _
from loam.kit.listing import sort_pattern
from loam.kit.schemas import IsoDate, Page
from loam.relationships import health, health_overview, snapshots
from loam.relationships.health_repository import LIST_SORTS
from loam.relationships.schemas_health import (
    CustomerHealthRow,
    DropRead,
    HealthListFilters,
    HealthRead,
    OverviewFilters,
    OverviewRead,
    SnapshotRead,
)

router = APIRouter(route_class=TxRoute, tags=["relationships"])
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=200)]


def _known_params(request: Request, model: type[BaseModel], *extra: str) -> None:
    """An unknown query parameter is a 422 (a misspelt filter never silently returns the unfiltered list)."""
    if custom_filters(request, model, extra):
        raise Invalid(_("Unknown query parameter: %(name)s", name="cf_"))


@router.get("/customers/{customer_id}/relationship/health", response_model=HealthRead)
def customer_health(
    session: DbSession,
    scope: ApiScope,
    customer_id: PathId,
    as_of: Annotated[IsoDate | None, Query(description="The day to compute for (default: today)")] = None,
) -> Any:
    """The customer's relationship health computed now (or on ``as_of``) with the settings in force: the number,
    band, each layer's contribution, the three layers with their points, the last 12 monthly snapshots and the
    snapshot of the same month a year earlier."""
    return health.read(health.for_customer(session, scope, customer_id, as_of))


@router.get("/customers/{customer_id}/relationship/snapshots", response_model=Page[SnapshotRead])
def customer_snapshots(
    session: DbSession, scope: ApiScope, customer_id: PathId, page: PageNo = 1, page_size: PageSize = 24
) -> Any:
    """The customer's stored monthly snapshots, newest first, each explained by its own points and the settings
    version it was computed with."""
    rows, total = snapshots.of_customer(session, scope, customer_id, page, page_size)
    current = snapshots.current_version(session)
    items = [snapshots.read(s, current) for s in rows]
    return Page[SnapshotRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.get("/relationships/overview", response_model=OverviewRead)
def overview(
    request: Request, session: DbSession, scope: ApiScope, filters: Annotated[OverviewFilters, Query()]
) -> Any:
    """The company view from the latest snapshot month (or ``month``): visible customers by band × tier, the ten
    biggest drops from the previous month, our departments ranked by the mean health of the customers they own."""
    _known_params(request, OverviewFilters)
    view = health_overview.overview(session, scope, filters)
    return OverviewRead(
        month=view.month,
        previous_month=view.previous_month,
        matrix=view.cells(),  # type: ignore[arg-type]
        bands=view.bands,
        total=view.total,
        drops=view.drops,  # type: ignore[arg-type]
        departments=view.departments,  # type: ignore[arg-type]
    )


@router.get("/relationships/drops", response_model=Page[DropRead])
def drops(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[OverviewFilters, Query()],
    page: PageNo = 1,
    page_size: PageSize = 25,
) -> Any:
    """Every visible customer whose health fell from the previous month's snapshot, biggest drop first."""
    _known_params(request, OverviewFilters, "page", "page_size")
    items, total, _month = health_overview.drops(session, scope, filters, page, page_size)
    return Page[DropRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@router.get("/relationships/health", response_model=Page[CustomerHealthRow])
def customers(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[HealthListFilters, Query()],
    page: PageNo = 1,
    page_size: PageSize = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern({**LIST_SORTS, "change": 1}))] = None,
) -> Any:
    """Visible customers with their health in the month's snapshot (default: the latest) and the change from the
    previous month; filter by band, tier, our department, owner. Worst first unless ``sort`` says otherwise."""
    _known_params(request, HealthListFilters, "page", "page_size", "sort")
    items, total, _month = health_overview.customers(session, scope, filters, page, page_size, sort)
    return Page[CustomerHealthRow](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]
