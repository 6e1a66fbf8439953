"""SQL of pipelines (商机流程), their stages and the lost/invalid reasons (configuration, not owned records)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam.opportunities.models import LostReason, Pipeline, PipelineStage


def pipelines(session: Session, active_only: bool = False) -> list[Pipeline]:
    stmt = select(Pipeline)
    if active_only:
        stmt = stmt.where(Pipeline.active.is_(True))
    return list(session.scalars(stmt.order_by(Pipeline.position, Pipeline.id)))


def pipeline(session: Session, pipeline_id: int) -> Pipeline | None:
    return session.get(Pipeline, pipeline_id)


def stages(
    session: Session, pipeline_ids: list[int] | None = None, include_retired: bool = True
) -> list[PipelineStage]:
    stmt = select(PipelineStage)
    if pipeline_ids is not None:
        stmt = stmt.where(PipelineStage.pipeline_id.in_(pipeline_ids))
    if not include_retired:
        stmt = stmt.where(PipelineStage.retired_at.is_(None))
    return list(session.scalars(stmt.order_by(PipelineStage.pipeline_id, PipelineStage.position, PipelineStage.id)))


def stage(session: Session, stage_id: int) -> PipelineStage | None:
    return session.get(PipelineStage, stage_id)


def stages_by_id(session: Session, ids: set[int]) -> dict[int, PipelineStage]:
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(PipelineStage).where(PipelineStage.id.in_(ids)))}


def next_stage_position(session: Session, pipeline_id: int) -> int:
    top = session.scalar(select(func.max(PipelineStage.position)).where(PipelineStage.pipeline_id == pipeline_id))
    return int(top) + 1 if top is not None else 0


def next_pipeline_position(session: Session) -> int:
    top = session.scalar(select(func.max(Pipeline.position)))
    return int(top) + 1 if top is not None else 0


def reasons(session: Session, kind: str | None = None, active_only: bool = False) -> list[LostReason]:
    stmt = select(LostReason)
    if kind is not None:
        stmt = stmt.where(LostReason.kind == kind)
    if active_only:
        stmt = stmt.where(LostReason.active.is_(True))
    return list(session.scalars(stmt.order_by(LostReason.kind, LostReason.position, LostReason.id)))


def reason(session: Session, reason_id: int) -> LostReason | None:
    return session.get(LostReason, reason_id)


def next_reason_position(session: Session, kind: str) -> int:
    top = session.scalar(select(func.max(LostReason.position)).where(LostReason.kind == kind))
    return int(top) + 1 if top is not None else 0
