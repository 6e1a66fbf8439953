"""Stage moves: the one function every surface (form, kanban, API, batch, CLI, contracts) moves an opportunity
with, the requirements to enter a stage, and the stage history the reports read.

Extension point for the major-opportunity gate (立项): :func:`gate` calls ``loam.opportunities.gate.check``
when that module exists (``check(session, scope, opportunity, from_stage, to_stage) -> None``, raising a
``LoamError`` to refuse the move). System moves (a contract approval) skip the gate and the requirements.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Invalid
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.kit.i18n import pick
from loam.opportunities import pipelines
from loam.opportunities import repository as repo
from loam.opportunities.models import CLOSED_KINDS, Opportunity, PipelineStage, StageMove
from loam.opportunities.pipeline_schemas import REQUIRABLE
from loam.opportunities.schemas import StageMoveFilters

ENTITY = repo.ENTITY
MAX_MOVES = 100_000


def gate(
    session: Session, scope: Scope, opportunity: Opportunity, current: PipelineStage, target: PipelineStage
) -> None:
    """The hook of the major-opportunity gate: delegate to ``loam.opportunities.gate.check`` when installed."""
    try:
        module = importlib.import_module("loam.opportunities.gate")
    except ModuleNotFoundError as exc:
        if exc.name == "loam.opportunities.gate":
            return
        raise
    module.check(session, scope, opportunity, current, target)


def _filled(session: Session, opportunity: Opportunity, field: str) -> bool:
    """Whether one requirement of a stage is met by the opportunity as it is now."""
    if field.startswith("custom."):
        return (opportunity.custom or {}).get(field.removeprefix("custom.")) not in (None, "", [])
    if field == "amount":
        return opportunity.amount is not None and opportunity.amount > Decimal("0")
    if field in ("expected_close", "source", "remark"):
        return getattr(opportunity, field) not in (None, "")
    if field == "contacts":
        return bool(repo.contact_links(session, opportunity.id))
    if field == "decision_maker":
        return any(link.role == "decision_maker" for link in repo.contact_links(session, opportunity.id))
    if field == "competitors":
        return bool(repo.competitors(session, opportunity.id))
    if field == "team":
        return bool(repo.members(session, opportunity.id))
    if field == "products":
        from loam.products import service as product_service

        return bool(product_service.lines_of(session, ENTITY, opportunity.id))
    return True


def field_label(session: Session, field: str) -> str:
    """The translated name of a requirement (a custom field by its label)."""
    if field.startswith("custom."):
        from loam.kit import customfields

        key = field.removeprefix("custom.")
        found = [f for f in customfields.definitions(session, ENTITY) if f.key == key]
        return customfields.label(found[0]) if found else key
    return _(REQUIRABLE[field]) if field in REQUIRABLE else field


def missing(session: Session, opportunity: Opportunity, stage: PipelineStage) -> tuple[list[str], list[str]]:
    """(required fields not filled in, checklist items not ticked) to enter ``stage``."""
    fields = [f for f in stage.required_fields or [] if not _filled(session, opportunity, f)]
    ticked = set((opportunity.checklist_done or {}).get(str(stage.id), []))
    items = [item for item in stage.checklist or [] if item not in ticked]
    return fields, items


def check_requirements(session: Session, opportunity: Opportunity, stage: PipelineStage) -> None:
    """409 naming what is missing before the opportunity may enter ``stage``."""
    fields, items = missing(session, opportunity, stage)
    if not fields and not items:
        return
    parts = []
    if fields:
        parts.append(_("fill in: %(fields)s", fields=", ".join(field_label(session, f) for f in fields)))
    if items:
        parts.append(_("tick: %(items)s", items=", ".join(items)))
    raise Conflict(
        _("Cannot enter %(stage)s yet — %(missing)s.", stage=stage_name(stage), missing="; ".join(parts)),
        detail={"fields": fields, "checklist": items},
    )


def stage_name(stage: PipelineStage) -> str:
    return pick(stage.name_zh, stage.name_en)


def tick(opportunity: Opportunity, stage: PipelineStage, items: Iterable[str], done: bool = True) -> list[str]:
    """Tick (or untick) checklist items of a stage on the opportunity; only the stage's own items count."""
    known = list(stage.checklist or [])
    chosen = [i for i in items if i in known]
    state = {k: list(v) for k, v in (opportunity.checklist_done or {}).items()}
    current = set(state.get(str(stage.id), []))
    current = current | set(chosen) if done else current - set(chosen)
    state[str(stage.id)] = [i for i in known if i in current]
    opportunity.checklist_done = state
    return chosen


def _closing_values(session: Session, target: PipelineStage, reason_id: int | None, note: str | None) -> dict[str, Any]:
    """Status, reason and close time for the target stage; won needs a note, lost/invalid a listed reason."""
    if target.kind == "open":
        return {"status": "open", "lost_reason_id": None, "lost_note": None, "closed_at": None}
    if target.kind == "won":
        if not note:
            raise Invalid(_("Say why the opportunity was won."), detail={"note": _("This field is required.")})
        return {"status": "won", "lost_reason_id": None, "lost_note": note, "closed_at": utcnow()}
    if reason_id is None:
        raise Invalid(_("Choose a reason from the list."), detail={"lost_reason_id": _("This field is required.")})
    reason = pipelines.get_reason(session, reason_id)
    if reason.kind != target.kind or not reason.active:
        raise Invalid(
            _("Choose a reason from the list."), detail={"lost_reason_id": _("Choose a reason from the list.")}
        )
    return {"status": target.kind, "lost_reason_id": reason.id, "lost_note": note, "closed_at": utcnow()}


def target_stage(session: Session, opportunity: Opportunity, stage_id: int) -> PipelineStage:
    """A live stage of the opportunity's own pipeline (422 otherwise)."""
    stage = pipelines.get_stage(session, stage_id)
    if stage.pipeline_id != opportunity.pipeline_id:
        raise Invalid(_("That stage belongs to another pipeline."), detail={"stage_id": _("Choose a stage.")})
    if stage.retired_at is not None:
        raise Invalid(_("That stage has been retired."), detail={"stage_id": _("Choose a stage.")})
    return stage


def apply_move(
    session: Session,
    scope: Scope,
    opportunity: Opportunity,
    target: PipelineStage,
    *,
    reason_id: int | None = None,
    note: str | None = None,
    probability: int | None = None,
    system: bool = False,
) -> Opportunity:
    """Move an opportunity the caller has been authorised to change. Checks (unless ``system``) the gate and the
    target's requirements, then sets stage, status, probability and close data, records a StageMove with the
    seconds spent in the previous stage and writes an audit row. Nothing is written when a check fails."""
    current = pipelines.get_stage(session, opportunity.stage_id)
    values = _closing_values(session, target, reason_id, note)
    if not system:
        gate(session, scope, opportunity, current, target)
        check_requirements(session, opportunity, target)
    now = utcnow()
    override = probability if target.kind == "open" else None
    values |= {
        "stage_id": target.id,
        "stage_entered_at": now,
        "probability_override": override,
        "probability": override if override is not None else target.probability,
    }
    before = _seconds(opportunity.stage_entered_at, now)
    changes = audit.apply_changes(opportunity, values)
    changes.pop("stage_entered_at", None)
    session.add(
        StageMove(
            opportunity_id=opportunity.id,
            from_stage_id=current.id,
            to_stage_id=target.id,
            user_id=scope.user_id,
            at=now,
            duration_seconds=before,
            note=note,
        )
    )
    session.flush()
    audit.record(session, scope, ENTITY, opportunity.id, "stage", changes, note=note)
    return opportunity


def _seconds(since: datetime | None, now: datetime) -> int | None:
    return max(0, int((now - since).total_seconds())) if since else None


def record_entry(session: Session, scope: Scope, opportunity: Opportunity) -> None:
    """The first StageMove of a new opportunity (from nowhere into its first stage)."""
    session.add(
        StageMove(
            opportunity_id=opportunity.id,
            from_stage_id=None,
            to_stage_id=opportunity.stage_id,
            user_id=scope.user_id,
            at=opportunity.stage_entered_at,
        )
    )


def is_closed(stage: PipelineStage) -> bool:
    return stage.kind in CLOSED_KINDS


def history(session: Session, opportunity_id: int) -> list[StageMove]:
    """The stage moves of one opportunity, oldest first (the caller has checked it is visible)."""
    return repo.moves_of(session, opportunity_id)


def stage_moves(session: Session, scope: Scope, filters: StageMoveFilters, limit: int = MAX_MOVES) -> list[StageMove]:
    """Stage moves of the opportunities the caller can see (R13), oldest first, at most ``limit``. Filters:
    pipeline (moves into its stages), opportunity, owner, department, time range [since, until). Each row has
    from_stage_id (None = created there), to_stage_id, user_id, at and duration_seconds (time spent in
    from_stage). Stage conversion = moves into a later stage / opportunities that reached a stage; time in stage =
    duration_seconds grouped by from_stage_id."""
    return repo.stage_moves(session, scope, filters, limit)
