"""JSON endpoints for opportunities (thin: parse, call one service function, shape output).

Pipelines, stages and lost reasons are in :mod:`.api_pipelines` and included here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from loam.auth.deps import ApiScope
from loam.kit.http import DbSession, PathId, TxRoute, custom_filters
from loam.kit.listing import sort_pattern
from loam.kit.schemas import Page
from loam.opportunities import api_pipelines, batch, details, gate, moves, scoring, service, team
from loam.opportunities.repository import SORTS
from loam.opportunities.schemas import (
    BatchRequest,
    BatchResult,
    ChecklistTick,
    CompetitorRead,
    CompetitorWrite,
    ContactLinkRead,
    ContactLinkWrite,
    GateInputsWrite,
    GateRead,
    GateSubmit,
    MoveRequest,
    OpportunityCreate,
    OpportunityDetail,
    OpportunityFilters,
    OpportunityRead,
    OpportunityUpdate,
    ProbabilityRead,
    ScoringModelRead,
    ScoringSettings,
    StageMoveFilters,
    StageMoveRead,
    TeamMemberRead,
    TeamMemberWrite,
    TransferRequest,
)
from loam.products.schemas import ProductLineRead

router = APIRouter(route_class=TxRoute)
opp = APIRouter(route_class=TxRoute, prefix="/opportunities", tags=["opportunities"])


def _detail(session: DbSession, opportunity: object) -> OpportunityDetail:
    read = OpportunityRead.model_validate(opportunity)
    rows = details.lines_for(session, read.id)
    return OpportunityDetail(**read.model_dump(), lines=[ProductLineRead.model_validate(r) for r in rows])


@opp.get("", response_model=Page[OpportunityRead])
def list_opportunities(
    request: Request,
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[OpportunityFilters, Query()],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
    sort: Annotated[str | None, Query(max_length=40, pattern=sort_pattern(SORTS))] = None,
) -> Page[OpportunityRead]:
    filters.custom = custom_filters(request, OpportunityFilters)
    items, total = service.list_page(session, scope, filters, page, page_size, sort)
    return Page[OpportunityRead](items=items, total=total, page=page, page_size=page_size)  # type: ignore[arg-type]


@opp.post("", response_model=OpportunityDetail, status_code=201)
def create_opportunity(session: DbSession, scope: ApiScope, data: OpportunityCreate) -> object:
    return _detail(session, service.create(session, scope, data))


@opp.post("/batch", response_model=BatchResult)
def batch_action(session: DbSession, scope: ApiScope, data: BatchRequest) -> object:
    """Transfer, move or delete many opportunities; every id gets its own result (ok, or the error)."""
    return batch.run(session, scope, data)


@opp.get("/stage-moves", response_model=list[StageMoveRead])
def list_stage_moves(
    session: DbSession,
    scope: ApiScope,
    filters: Annotated[StageMoveFilters, Query()],
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> object:
    """Stage changes of the visible opportunities, oldest first (stage conversion, time in stage)."""
    return moves.stage_moves(session, scope, filters, limit)


@opp.get("/scoring", response_model=ScoringModelRead)
def get_scoring(session: DbSession, scope: ApiScope) -> object:
    """The win-probability model: its features, amount bands, minimum training size and last training."""
    return scoring.as_dict(scoring.read_settings(session, scope))


@opp.put("/scoring", response_model=ScoringModelRead)
def update_scoring(session: DbSession, scope: ApiScope, data: ScoringSettings) -> object:
    """Change the model's settings (``pipelines.manage``); scores follow at the next training."""
    return scoring.as_dict(scoring.update_settings(session, scope, data))


@opp.post("/scoring/run", response_model=ScoringModelRead)
def run_scoring(session: DbSession, scope: ApiScope) -> object:
    """Train on the closed opportunities and score every open one now (``pipelines.manage``)."""
    scoring.run_now(session, scope)
    return scoring.as_dict(scoring.settings(session))


@opp.get("/{opportunity_id:int}", response_model=OpportunityDetail)
def get_opportunity(session: DbSession, scope: ApiScope, opportunity_id: PathId) -> object:
    return _detail(session, service.get(session, scope, opportunity_id))


@opp.put("/{opportunity_id:int}", response_model=OpportunityDetail)
def update_opportunity(session: DbSession, scope: ApiScope, opportunity_id: PathId, data: OpportunityUpdate) -> object:
    return _detail(session, service.update(session, scope, opportunity_id, data))


@opp.delete("/{opportunity_id:int}", status_code=204)
def delete_opportunity(session: DbSession, scope: ApiScope, opportunity_id: PathId) -> None:
    service.delete_(session, scope, opportunity_id)


@opp.post("/{opportunity_id:int}/restore", response_model=OpportunityRead)
def restore_opportunity(session: DbSession, scope: ApiScope, opportunity_id: PathId) -> object:
    return service.restore(session, scope, opportunity_id)


@opp.post("/{opportunity_id:int}/move", response_model=OpportunityRead)
def move_opportunity(session: DbSession, scope: ApiScope, opportunity_id: PathId, data: MoveRequest) -> object:
    """Move to a stage (the kanban posts here). 409 with ``fields``/``checklist`` when requirements are missing."""
    return service.move_to_stage(
        session,
        scope,
        opportunity_id,
        data.stage_id,
        lost_reason_id=data.lost_reason_id,
        note=data.note,
        probability=data.probability,
        checklist=data.checklist,
        version=data.version,
    )


@opp.post("/{opportunity_id:int}/checklist", response_model=OpportunityRead)
def tick_checklist(session: DbSession, scope: ApiScope, opportunity_id: PathId, data: ChecklistTick) -> object:
    """Tick checklist items of a stage (``items`` replaces nothing: it adds ticks)."""
    return service.tick_checklist(session, scope, opportunity_id, data.stage_id, data.items)


@opp.post("/{opportunity_id:int}/transfer", response_model=OpportunityRead)
def transfer_opportunity(session: DbSession, scope: ApiScope, opportunity_id: PathId, data: TransferRequest) -> object:
    return service.transfer(session, scope, opportunity_id, data)


@opp.get("/{opportunity_id:int}/stage-history", response_model=list[StageMoveRead])
def stage_history(session: DbSession, scope: ApiScope, opportunity_id: PathId) -> object:
    return service.stage_history(session, scope, opportunity_id)


@opp.get("/{opportunity_id:int}/probability", response_model=ProbabilityRead)
def get_probability(session: DbSession, scope: ApiScope, opportunity_id: PathId) -> object:
    """The computed win probability with the factors that drove it (or a note saying why there is none)."""
    return scoring.explain(session, scope, opportunity_id)


@opp.get("/{opportunity_id:int}/gate", response_model=GateRead)
def get_gate(session: DbSession, scope: ApiScope, opportunity_id: PathId) -> object:
    """The major-opportunity gate (立项): whether it applies, its status and each required input."""
    return gate.as_dict(session, scope, gate.read(session, scope, opportunity_id))


@opp.put("/{opportunity_id:int}/gate", response_model=GateRead)
def update_gate_inputs(session: DbSession, scope: ApiScope, opportunity_id: PathId, data: GateInputsWrite) -> object:
    """Tick or untick "no competitor known" (one of the gate's inputs)."""
    return gate.as_dict(session, scope, gate.set_inputs(session, scope, opportunity_id, data))


@opp.post("/{opportunity_id:int}/gate/submit", response_model=GateRead)
def submit_gate(
    session: DbSession, scope: ApiScope, opportunity_id: PathId, data: Annotated[GateSubmit | None, Body()] = None
) -> object:
    """Submit the project approval; 409 naming the missing inputs, or when it is not needed, running or approved."""
    return gate.as_dict(session, scope, gate.submit(session, scope, opportunity_id, data))


@opp.get("/{opportunity_id:int}/contacts", response_model=list[ContactLinkRead])
def list_contacts(session: DbSession, scope: ApiScope, opportunity_id: PathId) -> object:
    return details.contacts(session, scope, opportunity_id)


@opp.post("/{opportunity_id:int}/contacts", response_model=ContactLinkRead, status_code=201)
def link_contact(session: DbSession, scope: ApiScope, opportunity_id: PathId, data: ContactLinkWrite) -> object:
    """Link a contact of the customer with a role (or change the role of a linked one)."""
    return details.link_contact(session, scope, opportunity_id, data)


@opp.delete("/{opportunity_id:int}/contacts/{link_id:int}", status_code=204)
def unlink_contact(session: DbSession, scope: ApiScope, opportunity_id: PathId, link_id: PathId) -> None:
    details.unlink_contact(session, scope, opportunity_id, link_id)


@opp.get("/{opportunity_id:int}/competitors", response_model=list[CompetitorRead])
def list_competitors(session: DbSession, scope: ApiScope, opportunity_id: PathId) -> object:
    return details.competitors(session, scope, opportunity_id)


@opp.post("/{opportunity_id:int}/competitors", response_model=CompetitorRead, status_code=201)
def add_competitor(session: DbSession, scope: ApiScope, opportunity_id: PathId, data: CompetitorWrite) -> object:
    return details.add_competitor(session, scope, opportunity_id, data)


@opp.put("/{opportunity_id:int}/competitors/{competitor_id:int}", response_model=CompetitorRead)
def update_competitor(
    session: DbSession, scope: ApiScope, opportunity_id: PathId, competitor_id: PathId, data: CompetitorWrite
) -> object:
    return details.update_competitor(session, scope, opportunity_id, competitor_id, data)


@opp.delete("/{opportunity_id:int}/competitors/{competitor_id:int}", status_code=204)
def remove_competitor(session: DbSession, scope: ApiScope, opportunity_id: PathId, competitor_id: PathId) -> None:
    details.remove_competitor(session, scope, opportunity_id, competitor_id)


@opp.get("/{opportunity_id:int}/team", response_model=list[TeamMemberRead])
def list_team(session: DbSession, scope: ApiScope, opportunity_id: PathId) -> object:
    return team.members(session, scope, opportunity_id)


@opp.post("/{opportunity_id:int}/team", response_model=TeamMemberRead, status_code=201)
def add_team_member(session: DbSession, scope: ApiScope, opportunity_id: PathId, data: TeamMemberWrite) -> object:
    """Add (or update) a team member: access read/write and an iron-triangle role (AR, SR, FR, ...)."""
    return team.add(session, scope, opportunity_id, data)


@opp.delete("/{opportunity_id:int}/team/{user_id:int}", status_code=204)
def remove_team_member(session: DbSession, scope: ApiScope, opportunity_id: PathId, user_id: PathId) -> None:
    team.remove(session, scope, opportunity_id, user_id)


router.include_router(opp)
router.include_router(api_pipelines.router)
