"""Pipelines (商机流程), stages and lost/invalid reasons: reading them (anyone who sees opportunities) and
administering them (``pipelines.manage``).

History is never corrupted by an edit: a stage that an opportunity is in, or ever moved through, is
soft-retired (``retired_at``) instead of deleted, and its kind cannot change; stage moves keep stage ids.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.kit.i18n import pick
from loam.opportunities import pipeline_repository as repo
from loam.opportunities import repository as opp_repo
from loam.opportunities.models import LostReason, Pipeline, PipelineStage
from loam.opportunities.pipeline_schemas import PipelineWrite, ReasonWrite, StageOrder, StageWrite

PIPELINE = "pipeline"
REASON = "lost_reason"
# A new pipeline starts with the standard stages (the admin edits them).
TEMPLATE = [
    ("验证客户", "Qualify", 10, "open"),
    ("需求分析", "Needs analysis", 25, "open"),
    ("方案/报价", "Proposal / quote", 50, "open"),
    ("谈判", "Negotiation", 75, "open"),
    ("赢单", "Won", 100, "won"),
    ("输单", "Lost", 0, "lost"),
    ("无效", "Invalid", 0, "invalid"),
]


# --- reading ---


def list_pipelines(session: Session, active_only: bool = False) -> list[Pipeline]:
    """Every pipeline in display order (configuration is not secret to users who work opportunities)."""
    return repo.pipelines(session, active_only)


def get_pipeline(session: Session, pipeline_id: int) -> Pipeline:
    found = repo.pipeline(session, pipeline_id)
    if found is None:
        raise NotFound(_("Pipeline not found."))
    return found


def stages_of(session: Session, pipeline_id: int, include_retired: bool = True) -> list[PipelineStage]:
    """The stages of one pipeline in order (retired ones included unless asked otherwise)."""
    return repo.stages(session, [pipeline_id], include_retired)


def all_stages(session: Session) -> dict[int, PipelineStage]:
    """Every stage by id (labels for lists, history and reports)."""
    return {s.id: s for s in repo.stages(session)}


def pipeline_names(session: Session) -> dict[int, str]:
    """Every pipeline's name in the current language, by id (exports)."""
    return {p.id: pick(p.name_zh, p.name_en) for p in repo.pipelines(session, False)}


def stage_names(session: Session) -> dict[int, str]:
    """Every stage's name in the current language, by id (exports)."""
    return {s.id: pick(s.name_zh, s.name_en) for s in repo.stages(session)}


def get_stage(session: Session, stage_id: int) -> PipelineStage:
    found = repo.stage(session, stage_id)
    if found is None:
        raise NotFound(_("Stage not found."))
    return found


def applies_to(pipeline: Pipeline, department_path: str | None) -> bool:
    """An active pipeline with no departments applies to everyone; otherwise to those departments and below."""
    if not pipeline.active:
        return False
    if not pipeline.department_ids:
        return True
    ids = {int(p) for p in (department_path or "").strip("/").split("/") if p}
    return bool(ids & {int(i) for i in pipeline.department_ids})


def applicable(session: Session, scope: Scope) -> list[Pipeline]:
    """The active pipelines the caller may create opportunities in (all of them for the system)."""
    path = _department_path(session, scope)
    return [p for p in repo.pipelines(session, active_only=True) if scope.is_system or applies_to(p, path)]


def default_for(session: Session, scope: Scope) -> Pipeline:
    """The caller's default pipeline: the company default if it applies, else the first that applies (422: none)."""
    found = applicable(session, scope)
    if not found:
        raise Invalid(_("No active pipeline applies to you. Ask an administrator to set one up."))
    return next((p for p in found if p.is_default), found[0])


def first_open_stage(session: Session, pipeline_id: int) -> PipelineStage:
    for s in repo.stages(session, [pipeline_id], include_retired=False):
        if s.kind == "open":
            return s
    raise Invalid(_("The pipeline has no open stage."))


def closing_stage(session: Session, pipeline_id: int, kind: str) -> PipelineStage | None:
    """The pipeline's active won / lost / invalid stage."""
    return next((s for s in repo.stages(session, [pipeline_id], include_retired=False) if s.kind == kind), None)


def _department_path(session: Session, scope: Scope) -> str | None:
    if scope.department_id is None:
        return None
    from loam.org import service as org_service

    return org_service.get_department(session, scope.department_id).path


def reasons(session: Session, kind: str | None = None, active_only: bool = False) -> list[LostReason]:
    """The lost / invalid reasons (输单/无效原因), by kind and position."""
    return repo.reasons(session, kind, active_only)


def get_reason(session: Session, reason_id: int) -> LostReason:
    found = repo.reason(session, reason_id)
    if found is None:
        raise NotFound(_("Reason not found."))
    return found


def stage_usage(session: Session, pipeline_id: int) -> dict[int, int]:
    """How many opportunities are in each stage of a pipeline (the admin page shows it)."""
    return opp_repo.count_in_stages(session, [s.id for s in repo.stages(session, [pipeline_id])])


# --- administration ---


def _manage(scope: Scope) -> None:
    authz_service.require(scope, Permission.pipelines_manage)


def _check_shape(stages: list[PipelineStage]) -> None:
    """The active stages must hold at least one open stage, exactly one won and one lost, at most one invalid."""
    kinds = [s.kind for s in stages if s.retired_at is None]
    if kinds.count("open") < 1:
        raise Invalid(_("A pipeline needs at least one open stage."))
    if kinds.count("won") != 1 or kinds.count("lost") != 1:
        raise Invalid(_("A pipeline needs exactly one won stage and one lost stage."))
    if kinds.count("invalid") > 1:
        raise Invalid(_("A pipeline may have only one invalid stage."))


def _check_refs(session: Session, data: PipelineWrite) -> None:
    from loam.org import service as org_service

    known = {d.id for d in org_service.list_departments(session)}
    if any(d not in known for d in data.department_ids):
        raise Invalid(_("The department does not exist."), detail={"department_ids": _("Choose departments.")})


def _only_default(session: Session, pipeline: Pipeline) -> None:
    if pipeline.is_default:
        for other in repo.pipelines(session):
            if other.id != pipeline.id and other.is_default:
                other.is_default = False


def create_pipeline(session: Session, scope: Scope, data: PipelineWrite) -> Pipeline:
    """A new pipeline with the standard stages (won, lost and invalid included), ready to be edited; audited."""
    _manage(scope)
    _check_refs(session, data)
    pipeline = Pipeline(**data.model_dump(exclude={"version"}), position=repo.next_pipeline_position(session))
    session.add(pipeline)
    session.flush()
    stages = [
        PipelineStage(pipeline_id=pipeline.id, name_zh=zh, name_en=en, position=i, probability=probability, kind=kind)
        for i, (zh, en, probability, kind) in enumerate(TEMPLATE)
    ]
    session.add_all(stages)
    _only_default(session, pipeline)
    session.flush()
    from loam.opportunities import gate

    found = gate.default_stage(stages)  # the gate (立项) sits at 需求分析, like the standard pipeline's
    pipeline.gate_stage_id = found.id if found else None
    session.flush()
    audit.record(session, scope, PIPELINE, pipeline.id, "create", {"name": [None, pipeline.name_zh]})
    return pipeline


def update_pipeline(session: Session, scope: Scope, pipeline_id: int, data: PipelineWrite) -> Pipeline:
    """Edit a pipeline's settings (409 on a stale version). The default pipeline stays active."""
    _manage(scope)
    pipeline = get_pipeline(session, pipeline_id)
    if data.version is not None and data.version != pipeline.version:
        raise Conflict(_("Someone else changed this pipeline. Reload and try again."))
    _check_refs(session, data)
    if pipeline.is_default and not data.is_default:
        raise Invalid(_("Make another pipeline the default first."))
    if data.is_default and not data.active:
        raise Invalid(_("The default pipeline must be active."))
    changes = audit.apply_changes(pipeline, data.model_dump(exclude={"version"}))
    _only_default(session, pipeline)
    if changes:
        session.flush()
        audit.record(session, scope, PIPELINE, pipeline.id, "update", changes)
    return pipeline


def delete_pipeline(session: Session, scope: Scope, pipeline_id: int) -> None:
    """Delete a pipeline no opportunity ever used (409 otherwise: deactivate it instead)."""
    _manage(scope)
    pipeline = get_pipeline(session, pipeline_id)
    if pipeline.is_default:
        raise Conflict(_("The default pipeline cannot be deleted."))
    if opp_repo.pipeline_used(session, pipeline.id):
        raise Conflict(_("Opportunities use this pipeline: deactivate it instead."))
    audit.record(session, scope, PIPELINE, pipeline.id, "purge", {"name": [pipeline.name_zh, None]})
    for stage in repo.stages(session, [pipeline.id]):
        session.delete(stage)
    session.flush()
    session.delete(pipeline)
    session.flush()


def add_stage(session: Session, scope: Scope, pipeline_id: int, data: StageWrite) -> PipelineStage:
    """Add a stage: open stages go after the last open stage, closing stages at the end; the shape is kept."""
    _manage(scope)
    pipeline = get_pipeline(session, pipeline_id)
    current = repo.stages(session, [pipeline.id])
    stage = PipelineStage(pipeline_id=pipeline.id, **data.model_dump())
    _check_shape([*current, stage])
    if data.kind == "open":
        opens = [s.position for s in current if s.kind == "open"]
        stage.position = (max(opens) + 1) if opens else 0
        for s in current:
            if s.position >= stage.position:
                s.position += 1
    else:
        stage.position = repo.next_stage_position(session, pipeline.id)
    session.add(stage)
    session.flush()
    audit.record(session, scope, PIPELINE, pipeline.id, "stage_add", {"stage": [None, stage.name_zh]})
    return stage


def update_stage(session: Session, scope: Scope, stage_id: int, data: StageWrite) -> PipelineStage:
    """Rename a stage or change its default probability, requirements and checklist. The kind of a stage in use
    cannot change (409). Opportunities already in the stage keep their probability; new moves use the new one."""
    _manage(scope)
    stage = get_stage(session, stage_id)
    if data.kind != stage.kind:
        if opp_repo.stage_used(session, stage.id):
            raise Conflict(_("This stage is in use: its kind cannot change. Add a new stage instead."))
        others = [s for s in repo.stages(session, [stage.pipeline_id]) if s.id != stage.id]
        _check_shape([*others, PipelineStage(kind=data.kind, retired_at=stage.retired_at)])
        _move_gate_off(session, scope, stage)
    changes = audit.apply_changes(stage, data.model_dump())
    if changes:
        session.flush()
        audit.record(session, scope, PIPELINE, stage.pipeline_id, "stage_update", {"stage": [stage.name_zh] * 2})
    return stage


def _move_gate_off(session: Session, scope: Scope, stage: PipelineStage) -> None:
    """The gate stage (立项) is deleted or stops being open: the gate moves to the open stage before it (the same
    stages stay behind the gate), or is switched off when there is none; audited."""
    pipeline = get_pipeline(session, stage.pipeline_id)
    if pipeline.gate_stage_id != stage.id:
        return
    earlier = [s for s in repo.stages(session, [pipeline.id], include_retired=False) if s.kind == "open"]
    earlier = [s for s in earlier if s.id != stage.id and s.position < stage.position]
    changes = audit.apply_changes(pipeline, {"gate_stage_id": earlier[-1].id if earlier else None})
    session.flush()
    audit.record(session, scope, PIPELINE, pipeline.id, "gate", changes)


def remove_stage(session: Session, scope: Scope, stage_id: int) -> str:
    """Take a stage out of the pipeline: deleted when never used, else retired (kept for history).
    Returns "deleted" or "retired". The remaining stages must keep the pipeline's shape (422)."""
    _manage(scope)
    stage = get_stage(session, stage_id)
    if stage.retired_at is not None:
        return "retired"
    others = [s for s in repo.stages(session, [stage.pipeline_id]) if s.id != stage.id]
    _check_shape(others)
    audit.record(session, scope, PIPELINE, stage.pipeline_id, "stage_remove", {"stage": [stage.name_zh, None]})
    if opp_repo.stage_used(session, stage.id):
        stage.retired_at = utcnow()  # a retired gate stage keeps its place: the gate still holds
        session.flush()
        return "retired"
    _move_gate_off(session, scope, stage)
    session.delete(stage)
    session.flush()
    return "deleted"


def restore_stage(session: Session, scope: Scope, stage_id: int) -> PipelineStage:
    """Bring a retired stage back (the pipeline's shape is checked)."""
    _manage(scope)
    stage = get_stage(session, stage_id)
    if stage.retired_at is None:
        return stage
    others = [s for s in repo.stages(session, [stage.pipeline_id]) if s.id != stage.id]
    _check_shape([*others, PipelineStage(kind=stage.kind, retired_at=None)])
    stage.retired_at = None
    session.flush()
    audit.record(session, scope, PIPELINE, stage.pipeline_id, "stage_restore", {"stage": [None, stage.name_zh]})
    return stage


def reorder_stages(session: Session, scope: Scope, pipeline_id: int, data: StageOrder) -> list[PipelineStage]:
    """Put the active stages in the given order (every active stage exactly once, 422 otherwise); retired stages
    follow. The board always shows open stages first, then won / lost / invalid."""
    _manage(scope)
    pipeline = get_pipeline(session, pipeline_id)
    stages = repo.stages(session, [pipeline.id])
    active = {s.id: s for s in stages if s.retired_at is None}
    if sorted(data.stage_ids) != sorted(active) or len(set(data.stage_ids)) != len(data.stage_ids):
        raise Invalid(_("List every active stage of the pipeline exactly once."))
    order = data.stage_ids + [s.id for s in stages if s.retired_at is not None]
    by_id = {s.id: s for s in stages}
    for i, sid in enumerate(order):
        by_id[sid].position = i
    session.flush()
    audit.record(session, scope, PIPELINE, pipeline.id, "stage_reorder", {"stages": [None, data.stage_ids]})
    return sorted(stages, key=lambda s: s.position)


def move_stage(session: Session, scope: Scope, stage_id: int, offset: int) -> None:
    """Swap an active stage with its neighbour (-1 up, +1 down) among the active stages."""
    stage = get_stage(session, stage_id)
    ids = [s.id for s in repo.stages(session, [stage.pipeline_id], include_retired=False)]
    if stage.id not in ids:
        raise Invalid(_("A retired stage has no place in the order."))
    i = ids.index(stage.id)
    j = max(0, min(len(ids) - 1, i + offset))
    ids[i], ids[j] = ids[j], ids[i]
    reorder_stages(session, scope, stage.pipeline_id, StageOrder(stage_ids=ids))


def add_reason(session: Session, scope: Scope, data: ReasonWrite) -> LostReason:
    """Add a lost or invalid reason at the end of its list; audited."""
    _manage(scope)
    reason = LostReason(**data.model_dump(), position=repo.next_reason_position(session, data.kind))
    session.add(reason)
    session.flush()
    audit.record(session, scope, REASON, reason.id, "create", {"name": [None, reason.name_zh]})
    return reason


def update_reason(session: Session, scope: Scope, reason_id: int, data: ReasonWrite) -> LostReason:
    """Rename, (de)activate or re-kind a reason; opportunities keep pointing at it."""
    _manage(scope)
    reason = get_reason(session, reason_id)
    changes = audit.apply_changes(reason, data.model_dump())
    if changes:
        session.flush()
        audit.record(session, scope, REASON, reason.id, "update", changes)
    return reason


def stage_in(session: Session, pipeline_id: int, stage_id: int) -> PipelineStage:
    """A stage of the given pipeline (404 when it belongs to another)."""
    stage = get_stage(session, stage_id)
    if stage.pipeline_id != pipeline_id:
        raise NotFound(_("Stage not found."))
    return stage
