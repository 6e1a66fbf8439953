"""The major-opportunity gate (立项): an opportunity of at least the pipeline's gate amount may not pass the gate stage
(by default 需求分析) until its project approval is approved.

- Settings per pipeline (R23): ``Pipeline.gate_amount`` (compared with the opportunity's amount in its own
  currency — no exchange rates) and ``Pipeline.gate_stage_id`` (an open stage; none = no gate), edited with
  :func:`update_settings`.
- Required inputs: a registry of named checks that must all pass before the approval may be submitted; other
  domains add theirs with :func:`register_requirement` (e.g. the power map names a decision maker and an approver).
- The move hook :func:`check` (called by ``moves.gate`` on every non-system move) refuses, with a 409 naming what is
  missing, a move to an open stage after the gate stage or to won; lost and invalid are always allowed.
- The project approval runs on the approval engine (document type "opportunity", :mod:`.approval`); its state is
  kept in ``Opportunity.gate_status`` (none / pending / approved / rejected) and ``gate_decided_at``. While it runs
  the amount, currency and customer are locked and the opportunity cannot be deleted.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import N_, pick
from loam.kit.i18n import gettext as _
from loam.opportunities import pipelines, service
from loam.opportunities import repository as repo
from loam.opportunities.models import Opportunity, Pipeline, PipelineStage
from loam.opportunities.pipeline_schemas import GateSettingsWrite
from loam.opportunities.schemas import GATE_STATUSES, GateInputsWrite, GateSubmit

ENTITY = service.ENTITY
DOC_TYPE = "opportunity"
STATUS_LABELS = GATE_STATUSES
# What still stands in the way when the inputs are complete, by gate status.
APPROVAL_MISSING = {
    "none": N_("the project approval has not been submitted"),
    "pending": N_("the project approval is still running"),
    "rejected": N_("the project approval was rejected"),
}
STATE_TO_STATUS = {"in_approval": "pending", "approved": "approved", "rejected": "rejected", "withdrawn": "none"}


@dataclass(frozen=True)
class Requirement:
    """One required input of the gate: ``check(session, opportunity)`` is True when it is met."""

    key: str
    label: str  # an N_() msgid
    check: Callable[[Session, Opportunity], bool]


_requirements: dict[str, Requirement] = {}
# Modules of other domains that register required inputs when imported. They import this module, so it imports
# them lazily — on the first :func:`requirements` call — wherever the gate is evaluated (app, jobs, CLI, tests).
PROVIDERS = ("loam.relationships.powermap",)
_providers_loaded = False


def _load_providers() -> None:
    global _providers_loaded
    if _providers_loaded:
        return
    _providers_loaded = True
    for name in PROVIDERS:
        importlib.import_module(name)


def register_requirement(key: str, label: str, check: Callable[[Session, Opportunity], bool]) -> None:
    """Add a required input of the gate (or replace the one with the same key); shown and checked in order."""
    _requirements[key] = Requirement(key, label, check)


def unregister_requirement(key: str) -> None:
    """Remove a required input (no error when absent)."""
    _requirements.pop(key, None)


def requirements() -> list[Requirement]:
    """The required inputs in the order they were registered (the providers' ones after the built-in ones)."""
    _load_providers()
    return list(_requirements.values())


def _amount(session: Session, o: Opportunity) -> bool:
    return o.amount is not None and o.amount > Decimal("0") and bool(o.currency)


def _decision_maker(session: Session, o: Opportunity) -> bool:
    return any(link.role == "decision_maker" for link in repo.contact_links(session, o.id))


def _competition(session: Session, o: Opportunity) -> bool:
    return bool(o.no_competitor) or bool(repo.competitors(session, o.id))


def _products(session: Session, o: Opportunity) -> bool:
    from loam.products import service as product_service

    return bool(product_service.lines_of(session, ENTITY, o.id))


register_requirement("amount", N_("Amount and currency"), _amount)
register_requirement("expected_close", N_("Expected close date"), lambda _s, o: o.expected_close is not None)
register_requirement("decision_maker", N_("A linked contact who is the decision maker"), _decision_maker)
register_requirement("competition", N_("A competitor, or “no competitor known” ticked"), _competition)
register_requirement("products", N_("At least one product line"), _products)


@dataclass
class GateState:
    """Everything the gate panel and ``GET /opportunities/{id}/gate`` show."""

    opportunity: Opportunity
    pipeline: Pipeline
    stage: PipelineStage | None
    required: bool
    inputs: list[tuple[Requirement, bool]] = field(default_factory=list)
    locked: bool = False
    approval_id: int | None = None

    @property
    def ready(self) -> bool:
        return all(ok for _r, ok in self.inputs)

    @property
    def status(self) -> str:
        return self.opportunity.gate_status

    @property
    def decided_at(self) -> datetime | None:
        return self.opportunity.gate_decided_at

    @property
    def submittable(self) -> bool:
        """Required, open, inputs complete and not already pending or approved."""
        o = self.opportunity
        return self.required and self.ready and o.status == "open" and o.gate_status in ("none", "rejected")


def as_dict(session: Session, scope: Scope, st: GateState) -> dict[str, Any]:
    """The gate as the API returns it (``GateRead``); ``can_submit`` is for the caller."""
    o = st.opportunity
    return {
        "opportunity_id": o.id,
        "required": st.required,
        "gate_amount": st.pipeline.gate_amount,
        "currency": o.currency,
        "gate_stage_id": st.stage.id if st.stage else None,
        "gate_stage_name": pick(st.stage.name_zh, st.stage.name_en) if st.stage else None,
        "status": o.gate_status,
        "decided_at": o.gate_decided_at,
        "no_competitor": o.no_competitor,
        "inputs": [{"key": r.key, "label": _(r.label), "ok": ok} for r, ok in st.inputs],
        "ready": st.ready,
        "can_submit": st.submittable and service.can_write(session, scope, o),
        "locked": st.locked,
        "approval_id": st.approval_id,
    }


def gate_stage(session: Session, pipeline: Pipeline) -> PipelineStage | None:
    """The pipeline's gate stage, or None when the pipeline has no gate."""
    if pipeline.gate_stage_id is None:
        return None
    try:
        stage = pipelines.get_stage(session, pipeline.gate_stage_id)
    except NotFound:
        return None
    return stage if stage.pipeline_id == pipeline.id else None


def evaluate(session: Session, opportunity: Opportunity) -> list[tuple[Requirement, bool]]:
    """Each required input with whether the opportunity meets it now."""
    return [(req, bool(req.check(session, opportunity))) for req in requirements()]


def state(session: Session, opportunity: Opportunity) -> GateState:
    """The gate as it stands for an opportunity the caller has already fetched in scope."""
    pipeline = pipelines.get_pipeline(session, opportunity.pipeline_id)
    stage = gate_stage(session, pipeline)
    required = stage is not None and opportunity.amount >= pipeline.gate_amount
    found = _approvals(session, opportunity.id)
    return GateState(
        opportunity=opportunity,
        pipeline=pipeline,
        stage=stage,
        required=required,
        inputs=evaluate(session, opportunity),
        locked=is_locked(session, opportunity.id),
        approval_id=found[0].id if found else None,
    )


def _approvals(session: Session, opportunity_id: int) -> list[Any]:
    try:
        from loam.approvals import service as approval_service
    except ModuleNotFoundError:
        return []
    return approval_service.latest_for(session, DOC_TYPE, opportunity_id)


def is_locked(session: Session, opportunity_id: int) -> bool:
    """True while the project approval of the opportunity is running."""
    try:
        from loam.approvals import service as approval_service
    except ModuleNotFoundError:
        return False
    return approval_service.is_locked(session, DOC_TYPE, opportunity_id)


def missing(session: Session, st: GateState) -> list[str]:
    """Translated labels of what stands between the opportunity and the stages after the gate."""
    out = [_(req.label) for req, ok in st.inputs if not ok]
    if st.status in APPROVAL_MISSING:
        out.append(_(APPROVAL_MISSING[st.status]))
    return out


def _passes_gate(stage: PipelineStage, gate: PipelineStage) -> bool:
    return stage.kind == "won" or (stage.kind == "open" and stage.position > gate.position)


def check(
    session: Session, scope: Scope, opportunity: Opportunity, from_stage: PipelineStage, to_stage: PipelineStage
) -> None:
    """The move hook: 409 listing what is missing when a gated opportunity (amount ≥ the pipeline's gate amount)
    would enter an open stage after the gate stage, or won, before its project approval is approved."""
    if to_stage.kind not in ("open", "won") or opportunity.gate_status == "approved":
        return
    pipeline = pipelines.get_pipeline(session, opportunity.pipeline_id)
    stage = gate_stage(session, pipeline)
    if stage is None or opportunity.amount < pipeline.gate_amount or not _passes_gate(to_stage, stage):
        return
    st = state(session, opportunity)
    raise Conflict(
        _(
            "Opportunities of %(amount)s %(currency)s or more need an approved project approval (立项) before they "
            "go past %(stage)s — missing: %(missing)s.",
            amount=f"{pipeline.gate_amount:,.2f}",
            currency=opportunity.currency,
            stage=pick(stage.name_zh, stage.name_en),
            missing="; ".join(missing(session, st)),
        ),
        detail={"gate": [req.key for req, ok in st.inputs if not ok], "gate_status": opportunity.gate_status},
    )


def read(session: Session, scope: Scope, opportunity_id: int) -> GateState:
    """The gate of a visible opportunity (404 otherwise)."""
    return state(session, service.get(session, scope, opportunity_id))


def submit(session: Session, scope: Scope, opportunity_id: int, data: GateSubmit | None = None) -> GateState:
    """Submit the project approval (owner or write access, ``opportunities.update``): only an open opportunity that
    needs it, whose required inputs are all met and that is not already in approval or approved (409 otherwise,
    naming what is missing). Without an active flow for "opportunity" it is approved at once."""
    opportunity = service.get_for_write(session, scope, opportunity_id)
    data = data or GateSubmit()
    st = state(session, opportunity)
    if opportunity.status != "open":
        raise Conflict(_("Only an open opportunity can be submitted for project approval."))
    if not st.required:
        raise Conflict(_("This opportunity does not need a project approval."))
    if opportunity.gate_status == "approved":
        raise Conflict(_("The project approval has already been approved."))
    if opportunity.gate_status == "pending" or st.locked:
        raise Conflict(_("This document is already in approval."))
    if not st.ready:
        labels = [_(req.label) for req, ok in st.inputs if not ok]
        raise Conflict(
            _("Complete the gate's required inputs first: %(missing)s.", missing="; ".join(labels)),
            detail={"gate": [req.key for req, ok in st.inputs if not ok]},
        )
    from loam.approvals import service as approval_service

    approval_service.submit(session, scope, DOC_TYPE, opportunity.id, data.chosen_approvers, data.comment)
    session.flush()  # the engine called on_approval on this same (identity-mapped) opportunity
    return state(session, opportunity)


def set_inputs(session: Session, scope: Scope, opportunity_id: int, data: GateInputsWrite) -> GateState:
    """Tick or untick "no competitor known" (write access); audited."""
    opportunity = service.get_for_write(session, scope, opportunity_id)
    changes = audit.apply_changes(opportunity, {"no_competitor": data.no_competitor})
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, opportunity.id, "update", changes)
    return state(session, opportunity)


def on_approval(session: Session, scope: Scope, opportunity: Opportunity, approval_state: str) -> None:
    """The approval engine's callback: set ``gate_status`` (and the decision time) with an audit row."""
    status = STATE_TO_STATUS.get(approval_state)
    if status is None:
        raise Invalid(_("Unknown approval state: %(state)s", state=approval_state[:20]))
    decided = utcnow() if status in ("approved", "rejected") else None
    changes = audit.apply_changes(opportunity, {"gate_status": status, "gate_decided_at": decided})
    changes.pop("gate_decided_at", None)
    session.flush()
    audit.record(session, scope, ENTITY, opportunity.id, "gate", changes)


LOCKED_FIELDS = ("customer_id", "amount", "currency")


def guard_edit(session: Session, opportunity_id: int, before: dict[str, Any], after: dict[str, Any]) -> None:
    """409 when an edit changes the amount, currency or customer (``before`` → ``after``) while the project
    approval runs."""
    changed = [f for f in LOCKED_FIELDS if f in after and before.get(f) != after[f]]
    if changed and is_locked(session, opportunity_id):
        raise Conflict(
            _("The amount, currency and customer cannot change while the project approval runs."),
            detail={f: _("Locked while in approval.") for f in changed},
        )


def guard_delete(session: Session, opportunity: Opportunity) -> None:
    """409 while the project approval runs (withdraw it first)."""
    if is_locked(session, opportunity.id):
        raise Conflict(_("This opportunity is in project approval: withdraw the approval first."))


def update_settings(session: Session, scope: Scope, pipeline_id: int, data: GateSettingsWrite) -> Pipeline:
    """Set a pipeline's gate amount and gate stage (``pipelines.manage``; 409 on a stale version; 422 unless the
    stage is an active open stage of the pipeline). Opportunities already approved stay approved; audited."""
    authz_service.require(scope, Permission.pipelines_manage)
    pipeline = pipelines.get_pipeline(session, pipeline_id)
    if data.version != pipeline.version:
        raise Conflict(_("Someone else changed this pipeline. Reload and try again."))
    if data.gate_stage_id is not None:
        stage = session.get(PipelineStage, data.gate_stage_id)
        if stage is None or stage.pipeline_id != pipeline.id or stage.kind != "open" or stage.retired_at is not None:
            raise Invalid(
                _("The gate stage must be an open stage of this pipeline."),
                detail={"gate_stage_id": _("Choose a stage.")},
            )
    changes = audit.apply_changes(pipeline, {"gate_amount": data.gate_amount, "gate_stage_id": data.gate_stage_id})
    if changes:
        session.flush()
        audit.record(session, scope, pipelines.PIPELINE, pipeline.id, "gate", changes)
    return pipeline


def default_stage(stages: list[PipelineStage]) -> PipelineStage | None:
    """Where a new pipeline's gate sits: its 需求分析 stage, else its second open stage."""
    opens = [s for s in stages if s.kind == "open" and s.retired_at is None]
    named = [s for s in opens if s.name_zh == "需求分析"]
    return named[0] if named else (opens[1] if len(opens) > 1 else None)
