"""Typed factories for opportunity tests; they go through the real services (R27)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.opportunities import pipelines, service
from loam.opportunities.models import Opportunity, PipelineStage
from loam.opportunities.pipeline_schemas import StageWrite
from loam.opportunities.schemas import OpportunityCreate
from tests.helpers import make_customer, scope_of


def make_opportunity(
    session: Session, owner_id: int, name: str = "河池电信5G承载网", customer_id: int | None = None, **fields: Any
) -> Opportunity:
    if customer_id is None:
        customer_id = make_customer(session, owner_id, f"{name}客户").id
    fields.setdefault("amount", Decimal("1000000.00"))
    data = OpportunityCreate(name=name, customer_id=customer_id, **fields)
    opportunity = service.create(session, scope_of(session, owner_id), data)
    session.flush()
    return opportunity


def default_stages(session: Session) -> dict[str, PipelineStage]:
    """The default pipeline's stages by English name: Qualify, Needs analysis, ..., Won, Lost, Invalid."""
    pipeline = pipelines.default_for(session, Scope.system())
    return {s.name_en: s for s in pipelines.stages_of(session, pipeline.id)}


def reason(session: Session, kind: str = "lost") -> int:
    return pipelines.reasons(session, kind, active_only=True)[0].id


def set_stage(session: Session, stage: PipelineStage, **changes: Any) -> PipelineStage:
    """Change a stage's settings as the system (requirements, checklist ...)."""
    data = StageWrite(
        name_zh=stage.name_zh,
        name_en=stage.name_en,
        probability=stage.probability,
        kind=stage.kind,  # type: ignore[arg-type]
        required_fields=list(stage.required_fields),
        checklist=list(stage.checklist),
    ).model_copy(update=changes)
    return pipelines.update_stage(session, Scope.system(), stage.id, StageWrite.model_validate(data.model_dump()))
