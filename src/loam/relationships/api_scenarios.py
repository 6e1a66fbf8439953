"""JSON endpoints of the 12+1 contact scenarios (thin): the catalogue, and the scenario of a follow-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from loam.auth.deps import ApiScope
from loam.authz.scope import Scope
from loam.errors import NotFound
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.relationships import access
from loam.relationships import scenarios as service
from loam.relationships.schemas_scenarios import (
    FollowUpScenarioRead,
    FollowUpScenarioWrite,
    RatingWrite,
    ScenarioCreate,
    ScenarioOrder,
    ScenarioRead,
    ScenarioUpdate,
    SuggestionRead,
)

router = APIRouter(route_class=TxRoute, tags=["relationships"])


@router.get("/contact-scenarios", response_model=list[ScenarioRead])
def list_scenarios(
    session: DbSession, scope: ApiScope, all: Annotated[bool, Query(description="Include inactive ones.")] = False
) -> object:
    """The 12+1 catalogue in display order: the active scenarios, or every one with ``all=true``."""
    access.require_view(scope)
    return service.list_scenarios(session, active_only=not all)


@router.post("/contact-scenarios", response_model=ScenarioRead, status_code=201)
def create_scenario(session: DbSession, scope: ApiScope, data: ScenarioCreate) -> object:
    return service.create_scenario(session, scope, data)


@router.put("/contact-scenarios/order", response_model=list[ScenarioRead])
def reorder_scenarios(session: DbSession, scope: ApiScope, data: ScenarioOrder) -> object:
    """Every scenario's id exactly once, in the new order."""
    return service.reorder(session, scope, data)


@router.patch("/contact-scenarios/{scenario_id:int}", response_model=ScenarioRead)
def update_scenario(session: DbSession, scope: ApiScope, scenario_id: PathId, data: ScenarioUpdate) -> object:
    """Change the fields sent; ``"active": false`` deactivates a scenario (follow-ups that name it keep it)."""
    return service.update_scenario(session, scope, scenario_id, data)


@router.delete("/contact-scenarios/{scenario_id:int}", status_code=204)
def delete_scenario(session: DbSession, scope: ApiScope, scenario_id: PathId) -> None:
    """Only a scenario no follow-up ever named (409 otherwise: deactivate it)."""
    service.delete_scenario(session, scope, scenario_id)


def _read(session: Session, scope: Scope, followup_id: int) -> FollowUpScenarioRead:
    followup, record = service.of_followup(session, scope, followup_id)
    if record is None:
        raise NotFound(_("No scenario is recorded for this follow-up."))
    out = FollowUpScenarioRead.model_validate(record)
    out.scenario = ScenarioRead.model_validate(service.get_scenario(session, record.scenario_id))
    found = service.suggestions(session, followup, record)
    out.suggestions = [SuggestionRead.model_validate(s, from_attributes=True) for s in found]
    return out


@router.get("/followups/{followup_id}/scenario", response_model=FollowUpScenarioRead)
def get_followup_scenario(session: DbSession, scope: ApiScope, followup_id: PathId) -> object:
    """The scenario a follow-up followed, its ticks, spending and rating, and what the rating suggests for its
    contacts; 404 when the follow-up is not visible or has no scenario."""
    return _read(session, scope, followup_id)


@router.put("/followups/{followup_id}/scenario", response_model=FollowUpScenarioRead)
def put_followup_scenario(
    session: DbSession, scope: ApiScope, followup_id: PathId, data: FollowUpScenarioWrite
) -> object:
    """Set the scenario, ticked checklist (indexes), guests and money spent; the rating is kept."""
    service.choose(session, scope, followup_id, data)
    return _read(session, scope, followup_id)


@router.put("/followups/{followup_id}/scenario/rating", response_model=FollowUpScenarioRead)
def rate_followup_scenario(session: DbSession, scope: ApiScope, followup_id: PathId, data: RatingWrite) -> object:
    """Rate the activity afterwards: quality 1–5, effect on support (−2…+2) and stage (−1…+1)."""
    service.rate(session, scope, followup_id, data)
    return _read(session, scope, followup_id)


@router.delete("/followups/{followup_id}/scenario", status_code=204)
def delete_followup_scenario(session: DbSession, scope: ApiScope, followup_id: PathId) -> None:
    service.remove(session, scope, followup_id)
