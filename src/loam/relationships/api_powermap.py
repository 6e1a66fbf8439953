"""JSON endpoints of the power map (thin): a customer's map (with an opportunity's overlay), an opportunity's map,
editing a node, and the informal links."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import MAX_ID
from loam.relationships import powermap
from loam.relationships.schemas_powermap import (
    NodeEdit,
    PowerLinkCreate,
    PowerLinkRead,
    PowerLinkUpdate,
    PowerMapRead,
)

router = APIRouter(route_class=TxRoute, tags=["relationships"])
OpportunityId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Overlay this opportunity's roles")]


@router.get("/customers/{customer_id}/power-map", response_model=PowerMapRead)
def customer_map(session: DbSession, scope: ApiScope, customer_id: PathId, opportunity_id: OpportunityId = None) -> Any:
    """The customer's power map: nodes (contacts with role, chain, support, influence, coach), edges (reporting
    lines and informal links) and the status red / amber / green; with ``opportunity_id``, that opportunity's
    roles overlaid (contacts not in the deal have ``linked`` false)."""
    return powermap.read_map(session, scope, customer_id, opportunity_id).read


@router.get("/opportunities/{opportunity_id}/power-map", response_model=PowerMapRead)
def opportunity_map(session: DbSession, scope: ApiScope, opportunity_id: PathId) -> Any:
    """The opportunity's power map: its customer's map with the opportunity's roles overlaid."""
    return powermap.map_of_opportunity(session, scope, opportunity_id).read


@router.patch("/customers/{customer_id}/power-map/nodes/{contact_id}", response_model=PowerMapRead)
def edit_node(
    session: DbSession,
    scope: ApiScope,
    customer_id: PathId,
    contact_id: PathId,
    data: NodeEdit,
    opportunity_id: OpportunityId = None,
) -> Any:
    """Edit a contact on the map: role and chain (on the account map, or in the opportunity's overlay), support,
    influence, coach, and — with ``set_reports_to`` — the reporting line. Returns the map after the edit."""
    return powermap.edit_node(session, scope, customer_id, contact_id, data, opportunity_id).read


@router.post("/customers/{customer_id}/power-map/links", response_model=PowerLinkRead, status_code=201)
def add_link(session: DbSession, scope: ApiScope, customer_id: PathId, data: PowerLinkCreate) -> Any:
    """Add an informal link (influences / conflicts / personal tie, strength 1–3) between two of its contacts."""
    return powermap.add_link(session, scope, customer_id, data)


@router.get("/power-links/{link_id}", response_model=PowerLinkRead)
def get_link(session: DbSession, scope: ApiScope, link_id: PathId) -> Any:
    return powermap.get_link(session, scope, link_id)


@router.patch("/power-links/{link_id}", response_model=PowerLinkRead)
def update_link(session: DbSession, scope: ApiScope, link_id: PathId, data: PowerLinkUpdate) -> Any:
    """Change a link's kind, strength or remark (only the fields sent)."""
    return powermap.update_link(session, scope, link_id, data)


@router.delete("/power-links/{link_id}", status_code=204)
def remove_link(session: DbSession, scope: ApiScope, link_id: PathId) -> None:
    powermap.remove_link(session, scope, link_id)
