"""JSON endpoints for pipelines, their stages and the lost/invalid reasons (thin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from loam.auth.deps import ApiScope
from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.kit.http import DbSession, PathId, TxRoute
from loam.opportunities import gate, pipelines
from loam.opportunities.pipeline_schemas import (
    GateSettingsWrite,
    PipelineDetail,
    PipelineRead,
    PipelineWrite,
    ReasonRead,
    ReasonWrite,
    StageOrder,
    StageRead,
    StageWrite,
)

router = APIRouter(route_class=TxRoute)
pl = APIRouter(route_class=TxRoute, prefix="/pipelines", tags=["pipelines"])
lr = APIRouter(route_class=TxRoute, prefix="/lost-reasons", tags=["pipelines"])


def _detail(session: DbSession, pipeline: object) -> PipelineDetail:
    read = PipelineRead.model_validate(pipeline)
    stages = [StageRead.model_validate(s) for s in pipelines.stages_of(session, read.id)]
    return PipelineDetail(**read.model_dump(), stages=stages)


@pl.get("", response_model=list[PipelineDetail])
def list_pipelines(
    session: DbSession, scope: ApiScope, applicable: Annotated[bool, Query()] = False
) -> list[PipelineDetail]:
    """Every pipeline with its stages; ``applicable=true``: only those the caller may create opportunities in."""
    authz_service.require(scope, Permission.opportunities_view)
    found = pipelines.applicable(session, scope) if applicable else pipelines.list_pipelines(session)
    return [_detail(session, p) for p in found]


@pl.post("", response_model=PipelineDetail, status_code=201)
def create_pipeline(session: DbSession, scope: ApiScope, data: PipelineWrite) -> object:
    """A new pipeline, started with the standard stages."""
    return _detail(session, pipelines.create_pipeline(session, scope, data))


@pl.get("/{pipeline_id:int}", response_model=PipelineDetail)
def get_pipeline(session: DbSession, scope: ApiScope, pipeline_id: PathId) -> object:
    authz_service.require(scope, Permission.opportunities_view)
    return _detail(session, pipelines.get_pipeline(session, pipeline_id))


@pl.put("/{pipeline_id:int}", response_model=PipelineDetail)
def update_pipeline(session: DbSession, scope: ApiScope, pipeline_id: PathId, data: PipelineWrite) -> object:
    return _detail(session, pipelines.update_pipeline(session, scope, pipeline_id, data))


@pl.delete("/{pipeline_id:int}", status_code=204)
def delete_pipeline(session: DbSession, scope: ApiScope, pipeline_id: PathId) -> None:
    """Only a pipeline no opportunity ever used (409 otherwise: deactivate it)."""
    pipelines.delete_pipeline(session, scope, pipeline_id)


@pl.put("/{pipeline_id:int}/gate", response_model=PipelineDetail)
def update_gate(session: DbSession, scope: ApiScope, pipeline_id: PathId, data: GateSettingsWrite) -> object:
    """The pipeline's major-opportunity gate (立项): amount threshold and gate stage (null: no gate)."""
    return _detail(session, gate.update_settings(session, scope, pipeline_id, data))


@pl.post("/{pipeline_id:int}/stages", response_model=StageRead, status_code=201)
def add_stage(session: DbSession, scope: ApiScope, pipeline_id: PathId, data: StageWrite) -> object:
    return pipelines.add_stage(session, scope, pipeline_id, data)


@pl.put("/{pipeline_id:int}/stages/order", response_model=list[StageRead])
def reorder_stages(session: DbSession, scope: ApiScope, pipeline_id: PathId, data: StageOrder) -> object:
    return pipelines.reorder_stages(session, scope, pipeline_id, data)


@pl.put("/{pipeline_id:int}/stages/{stage_id:int}", response_model=StageRead)
def update_stage(
    session: DbSession, scope: ApiScope, pipeline_id: PathId, stage_id: PathId, data: StageWrite
) -> object:
    return pipelines.update_stage(session, scope, _stage_of(session, pipeline_id, stage_id), data)


@pl.delete("/{pipeline_id:int}/stages/{stage_id:int}", response_model=dict[str, Literal["deleted", "retired"]])
def remove_stage(session: DbSession, scope: ApiScope, pipeline_id: PathId, stage_id: PathId) -> object:
    """Delete a never-used stage, or retire a used one (history keeps it): ``{"result": "deleted"|"retired"}``."""
    return {"result": pipelines.remove_stage(session, scope, _stage_of(session, pipeline_id, stage_id))}


@pl.post("/{pipeline_id:int}/stages/{stage_id:int}/restore", response_model=StageRead)
def restore_stage(session: DbSession, scope: ApiScope, pipeline_id: PathId, stage_id: PathId) -> object:
    return pipelines.restore_stage(session, scope, _stage_of(session, pipeline_id, stage_id))


def _stage_of(session: DbSession, pipeline_id: int, stage_id: int) -> int:
    return pipelines.stage_in(session, pipeline_id, stage_id).id


@lr.get("", response_model=list[ReasonRead])
def list_reasons(
    session: DbSession,
    scope: ApiScope,
    kind: Annotated[Literal["lost", "invalid"] | None, Query()] = None,
    active: Annotated[bool, Query()] = False,
) -> object:
    authz_service.require(scope, Permission.opportunities_view)
    return pipelines.reasons(session, kind, active)


@lr.post("", response_model=ReasonRead, status_code=201)
def add_reason(session: DbSession, scope: ApiScope, data: ReasonWrite) -> object:
    return pipelines.add_reason(session, scope, data)


@lr.put("/{reason_id:int}", response_model=ReasonRead)
def update_reason(session: DbSession, scope: ApiScope, reason_id: PathId, data: ReasonWrite) -> object:
    return pipelines.update_reason(session, scope, reason_id, data)


router.include_router(pl)
router.include_router(lr)
