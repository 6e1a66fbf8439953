"""Display helpers shared by the opportunity pages: option lists, labels, durations (no business rules)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from loam.kit.audit import field_label as kit_field_label
from loam.kit.choices import SOURCES, translated
from loam.kit.i18n import N_, pick
from loam.kit.i18n import gettext as _
from loam.opportunities import pipelines
from loam.opportunities.models import PipelineStage
from loam.opportunities.pipeline_schemas import REQUIRABLE
from loam.opportunities.schemas import (
    COMPETITOR_STATUSES,
    CONTACT_ROLES,
    GATE_STATUSES,
    STAGE_KINDS,
    STATUSES,
    TEAM_ROLES,
)

M = TypeVar("M", bound=BaseModel)


# History labels for the fields and actions this domain writes (kit.audit knows the common ones).
FIELD_LABELS = {
    "amount": N_("Amount"),
    "currency": N_("Currency"),
    "amount_from_lines": N_("Amount from products"),
    "expected_close": N_("Expected close"),
    "probability": N_("Win probability"),
    "probability_override": N_("Probability override"),
    "stage_id": N_("Stage"),
    "lost_reason_id": N_("Reason"),
    "lost_note": N_("Close note"),
    "closed_at": N_("Closed"),
    "contact": N_("Contact"),
    "contact_role": N_("Role in the deal"),
    "contact_chain": N_("Chain in the deal"),
    "contacts_unlinked": N_("Contacts unlinked"),
    "competitor": N_("Competitor"),
    "competitor_name": N_("Competitor"),
    "competitor_status": N_("Competitor status"),
    "competitor_remark": N_("Remarks"),
    "competitor_currency": N_("Currency"),
    "quoted_price": N_("Quoted price"),
    "team_role": N_("Team role"),
    "checklist_done": N_("Checklist ticked"),
    "checklist_undone": N_("Checklist unticked"),
    "gate_status": N_("Project approval status"),
    "no_competitor": N_("No competitor known"),
}
ACTION_LABELS = {
    "stage": N_("Stage changed"),
    "checklist": N_("Checklist"),
    "contact_link": N_("Contact linked"),
    "contact_unlink": N_("Contact removed"),
    "competitor_add": N_("Competitor added"),
    "competitor_update": N_("Competitor changed"),
    "competitor_remove": N_("Competitor removed"),
    "gate": N_("Project approval (立项)"),
}


def field_label(field: str) -> str:
    text = FIELD_LABELS.get(field)
    return _(text) if text else kit_field_label(field)


def action_label(action: str) -> str:
    from loam.kit.audit import action_label as kit_action

    text = ACTION_LABELS.get(action)
    return _(text) if text else kit_action(action)


def duration(seconds: int | None) -> str:
    """Time in a stage, e.g. "3 d 4 h", "5 h 12 min", "40 min"."""
    if seconds is None:
        return "—"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)s d %(h)s h", d=days, h=hours)
    if hours:
        return _("%(h)s h %(m)s min", h=hours, m=minutes)
    return _("%(m)s min", m=minutes)


def stage_label(stage: PipelineStage | None) -> str:
    if stage is None:
        return ""
    name = pick(stage.name_zh, stage.name_en)
    return f"{name} ({_('retired')})" if stage.retired_at is not None else name


def options() -> dict[str, Any]:
    return {
        "statuses": translated(STATUSES),
        "sources": translated(SOURCES),
        "contact_roles": translated(CONTACT_ROLES),
        "team_roles": translated(TEAM_ROLES),
        "competitor_statuses": translated(COMPETITOR_STATUSES),
        "stage_kinds": translated(STAGE_KINDS),
        "requirable": translated(REQUIRABLE),
        "STATUSES": STATUSES,
        "SOURCES": SOURCES,
        "CONTACT_ROLES": CONTACT_ROLES,
        "TEAM_ROLES": TEAM_ROLES,
        "COMPETITOR_STATUSES": COMPETITOR_STATUSES,
        "STAGE_KINDS": STAGE_KINDS,
        "REQUIRABLE": REQUIRABLE,
        "GATE_STATUS": GATE_STATUSES,
        "duration": duration,
        "stage_label": stage_label,
        "flabel": field_label,
        "alabel": action_label,
        "pick": pick,
    }


def stage_context(session: Session) -> dict[str, Any]:
    """Every pipeline and stage (for filters, labels and move forms), the reasons, and the gate amount of each
    pipeline that has a project-approval gate (``gate_amounts``, for the gate badges of cards and rows)."""
    all_pipelines = pipelines.list_pipelines(session)
    stages = pipelines.all_stages(session)
    gated = [p for p in all_pipelines if p.gate_stage_id in stages and stages[p.gate_stage_id].pipeline_id == p.id]
    by_pipeline: dict[int, list[PipelineStage]] = {}
    for s in sorted(stages.values(), key=lambda s: (s.position, s.id)):
        by_pipeline.setdefault(s.pipeline_id, []).append(s)
    return {
        "pipelines": all_pipelines,
        "pipeline_names": {p.id: pick(p.name_zh, p.name_en) for p in all_pipelines},
        "stages": stages,
        "stages_by_pipeline": by_pipeline,
        "reasons": pipelines.reasons(session),
        "gate_amounts": {p.id: p.gate_amount for p in gated},
    }


def money(value: Any) -> str:
    return f"{value:,.2f}" if value is not None else ""
