"""The customer's relationship page (客户关系) and the other HTML pages, one module per part of the method.

The page is a frame: each part (key relationships, coverage, organisational checklist, health, power map,
intelligence, executive pairings) is a section loaded from its own route, so one slow part never holds up the rest.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.relationships import (
    access,
    views_health,
    views_layers,
    views_network,
    views_powermap,
    views_profiles,
    views_scenarios,
    views_settings,
)
from loam.web.templating import render

pages = APIRouter(route_class=TxRoute, include_in_schema=False)


@pages.get("/customers/{customer_id}/relationships", name="relationships:customer")
def customer_page(request: Request, session: DbSession, scope: CurrentScope, customer_id: PathId) -> Response:
    """The customer's relationships: every layer's score with its explanation, the coverage heat map, the power
    map, intelligence and executive pairings."""
    customer = access.customer(session, scope, customer_id)
    return render(request, "relationships/customer.html", {"c": customer})


router = APIRouter()
router.include_router(pages)
for _part in (
    views_profiles,
    views_layers,
    views_health,
    views_settings,
    views_powermap,
    views_network,
    views_scenarios,
):
    router.include_router(_part.router)
