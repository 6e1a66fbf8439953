"""HTML of relationship health (thin): the health section of the customer's relationship page, an old snapshot
explained, and the company view (关系健康度总览)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.customers.schemas import TIERS
from loam.errors import Invalid
from loam.kit.choices import translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.org import service as org_service
from loam.relationships import health, health_charts, health_overview, snapshots
from loam.relationships import settings as method_settings
from loam.relationships.schemas_health import HealthListFilters
from loam.relationships.views_layers import coverage_context, org_context
from loam.relationships.views_profiles import options as profile_options
from loam.web.forms import list_filters
from loam.web.templating import render, render_parts

router = APIRouter(route_class=TxRoute, include_in_schema=False)
PAGE_SIZE = 25
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
Month = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


def _common() -> dict[str, Any]:
    return {
        "BANDS": dict(health_overview.band_names()),
        "BAND_STYLES": health.BAND_STYLES,
        "LAYERS": health.LAYERS,
        "LAYER_LABELS": health.LAYER_LABELS,
    }


@router.get("/customers/{customer_id}/relationships/health", name="relationships:health_section")
def health_section(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    """The customer's health today: number, band, the three layers, the trend of the monthly snapshots and
    today, the same month last year, the explanation, and the stored snapshots."""
    h = health.for_customer(session, scope, customer_id)
    stored = snapshots.summaries(session, scope, customer_id, health.TREND_MONTHS + 1)
    return render(request, "relationships/_health_section.html", _health_context(session, customer_id, h, stored))


def _health_context(session: Session, customer_id: int, h: health.Health, stored: list[Any]) -> dict[str, Any]:
    bands = method_settings.current(session)["health"]["bands"]
    ctx = {"h": h, "customer_id": customer_id, "stored": stored, "chart": health_charts.trend(h, bands)}
    return ctx | _common()


@router.get("/customers/{customer_id}/relationships/layers", name="relationships:layers_section")
def layers_section(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    """The health section, with the key, coverage and organisational sections out of band (``#rel-key``,
    ``#rel-coverage``, ``#rel-org``): the page's first request. Each layer is computed once and health is
    combined from the same three scores, instead of four requests of which one recomputes the other three."""
    x = health.customer_layers(session, scope, customer_id)
    return render_parts(
        request,
        [
            (None, "relationships/_health_section.html", _health_context(session, customer_id, x.health, x.stored)),
            ("rel-key", "relationships/_key_section.html", {"key": x.key} | profile_options()),
            (
                "rel-coverage",
                "relationships/_coverage_section.html",
                coverage_context(session, customer_id, x.broad, x.version),
            ),
            ("rel-org", "relationships/_org_section.html", org_context(session, scope, customer_id, x.org, x.version)),
        ],
    )


@router.get("/customers/{customer_id}/relationships/health/{month}", name="relationships:health_snapshot")
def snapshot_detail(
    request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId, month: Month
) -> Response:
    """One stored snapshot explained by its own numbers and the settings version it was computed with."""
    year, mon = (int(x) for x in month.split("-"))
    if not 1900 <= year <= 2999:
        raise Invalid(_("Enter a valid date."))
    snap = snapshots.get(session, scope, customer_id, date(year, mon, 1))
    ctx = {"snap": snap, "h": snapshots.explain(snap), "current_version": snapshots.current_version(session)}
    return render(request, "relationships/_health_snapshot.html", ctx | _common())


@router.get("/relationships", name="relationships:overview")
def overview_page(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[HealthListFilters, Depends(list_filters(HealthListFilters))],
    page: PageNo = 1,
    drops_page: PageNo = 1,
    sort: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The company view: visible customers by band × tier, the biggest drops this month, our departments ranked,
    the customers behind a band (paged); filters by department, owner and tier."""
    view = health_overview.overview(session, scope, filters, drops_page, PAGE_SIZE)
    rows, total, _m = health_overview.customers(session, scope, filters, page, PAGE_SIZE, sort)
    owners = {r["owner_id"] for r in rows} | {d["owner_id"] for d in view.drops}
    ctx = {
        "view": view,
        "filters": filters,
        "rows": rows,
        "total": total,
        "page": page,
        "drops_page": drops_page,
        "page_size": PAGE_SIZE,
        "sort": sort or "health",
        "names": org_service.names_by_id(session, owners),
        "owner_options": org_service.names_by_id(session, set(health_overview.owner_ids(session, scope, view.month))),
        "departments": org_service.list_departments(session),
        "tiers": translated(TIERS),
        "TIERS": health_overview.TIERS,
        "chart": health_charts.matrix(view),
        "months": health_overview.months_available(session),
    }
    partial = request.headers.get("hx-target") == "health-customers"
    name = "relationships/_health_customers.html" if partial else "relationships/overview.html"
    return render(request, name, ctx | _common())
