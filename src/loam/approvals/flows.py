"""Flow definitions (审批流定义): conditions, validation, administration (approvals.manage) and matching.

Definitions are versioned: every edit bumps ``revision``. A submitted approval keeps a snapshot of the flow it was
submitted under (see :func:`snapshot`), so editing or deleting a flow never changes a running approval.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from loam.approvals import registry
from loam.approvals import repository as repo
from loam.approvals.models import ApprovalFlow, ApprovalFlowStep
from loam.approvals.schemas import Condition, FlowCreate, FlowFields, FlowUpdate
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _

ENTITY = "approval_flow"
ORDERED_OPS = ("gt", "ge", "lt", "le")

# --- conditions -----------------------------------------------------------------------------------


def _coerce(kind: str, value: Any) -> Any:
    """A value read as the field's type; raises ValueError when it is not one."""
    if value is None:
        return None
    if kind == "decimal":
        try:
            return Decimal(str(value).replace(",", "").strip())
        except InvalidOperation as exc:
            raise ValueError(str(value)) from exc
    if kind == "int":
        return int(str(value).replace(",", "").strip())
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        return value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    return str(value).strip()


def _items(value: str) -> list[str]:
    return [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]


def holds(condition: dict[str, Any], values: dict[str, Any], fields: dict[str, str]) -> bool:
    """Does one condition hold for the document's values? A missing value satisfies only "≠"."""
    kind = fields.get(condition["field"], "str")
    op = condition["op"]
    try:
        actual = _coerce(kind, values.get(condition["field"]))
        if actual is None:
            return op == "ne"
        if op == "in":
            return actual in [_coerce(kind, v) for v in _items(condition["value"])]
        expected = _coerce(kind, condition["value"])
    except (ValueError, TypeError):
        return False
    return {
        "eq": actual == expected,
        "ne": actual != expected,
        "gt": actual > expected,
        "ge": actual >= expected,
        "lt": actual < expected,
        "le": actual <= expected,
    }[op]


def all_hold(conditions: list[dict[str, Any]], values: dict[str, Any], fields: dict[str, str]) -> bool:
    """True when every condition holds (an empty list always holds)."""
    return all(holds(c, values, fields) for c in conditions)


def _check_conditions(conditions: list[Condition], fields: dict[str, str], where: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for i, cond in enumerate(conditions):
        key = f"{where}conditions.{i}"
        kind = fields.get(cond.field)
        if kind is None:
            errors[f"{key}.field"] = _("Unknown field: %(name)s", name=cond.field)
            continue
        if kind == "str" and cond.op in ORDERED_OPS:
            errors[f"{key}.op"] = _("Text fields can only be compared with =, ≠ or in.")
            continue
        values = _items(cond.value) if cond.op == "in" else [cond.value]
        try:
            if not values:
                raise ValueError(cond.value)
            for v in values:
                _coerce(kind, v)
        except (ValueError, TypeError):
            errors[f"{key}.value"] = _("This value is not valid.")
    return errors


# --- validation -----------------------------------------------------------------------------------


def document_type(code: str) -> registry.DocumentType:
    """The installed document type ``code`` (422 when it is not installed)."""
    doc = registry.get(code)
    if doc is None:
        raise Invalid(_("Unknown document type: %(name)s", name=code[:30]), detail={"doc_type": _("Unknown.")})
    return doc


def validate(session: Session, doc_type: str, data: FlowFields) -> None:
    """Refuse a definition that cannot run: unknown fields, bad values, missing approvers (422)."""
    fields = document_type(doc_type).fields
    errors = _check_conditions(data.conditions, fields, "")
    roles = {code for code, _zh, _en in repo.role_codes(session)}
    for i, step in enumerate(data.steps):
        where = f"steps.{i}."
        errors |= _check_conditions(step.conditions, fields, where)
        if step.approver_kind == "users":
            if not step.user_ids:
                errors[f"{where}user_ids"] = _("Choose at least one approver.")
            elif len(repo.active_user_ids(session, step.user_ids)) != len(set(step.user_ids)):
                errors[f"{where}user_ids"] = _("Every approver must be an active user.")
        if step.approver_kind == "role" and step.role_code not in roles:
            errors[f"{where}role_code"] = _("Choose a role.")
    if errors:
        first = next(iter(errors.values()))
        raise Invalid(_("The approval flow is not valid: %(reason)s", reason=first), detail=errors)


def _step_rows(flow_id: int, data: FlowFields) -> list[ApprovalFlowStep]:
    rows = []
    for position, step in enumerate(data.steps, start=1):
        values = step.model_dump()
        values["conditions"] = [c.model_dump() for c in step.conditions]
        values["user_ids"] = list(dict.fromkeys(step.user_ids)) if step.approver_kind == "users" else []
        values["role_code"] = step.role_code if step.approver_kind == "role" else None
        values["level"] = (step.level or 1) if step.approver_kind == "supervisor" else None
        rows.append(ApprovalFlowStep(flow_id=flow_id, position=position, **values))
    return rows


def _definition(flow: ApprovalFlow, steps: list[ApprovalFlowStep]) -> dict[str, Any]:
    return {
        "name": flow.name,
        "active": flow.active,
        "priority": flow.priority,
        "conditions": flow.conditions,
        "steps": [
            {
                "position": s.position,
                "name": s.name,
                "approver_kind": s.approver_kind,
                "user_ids": s.user_ids,
                "role_code": s.role_code,
                "level": s.level,
                "conditions": s.conditions,
                "mode": s.mode,
                "when_empty": s.when_empty,
            }
            for s in steps
        ],
    }


# --- administration -------------------------------------------------------------------------------


def require_manage(scope: Scope) -> None:
    """403 unless the caller may manage approval flows."""
    if not scope.can(Permission.approvals_manage):
        raise Forbidden(_("You do not have permission to do this."))


def list_flows(session: Session, scope: Scope, doc_type: str | None = None) -> list[ApprovalFlow]:
    """Every flow (of one document type), by type then priority (approvals.manage)."""
    require_manage(scope)
    return repo.flows(session, doc_type)


def steps_of(session: Session, flows: list[ApprovalFlow]) -> dict[int, list[ApprovalFlowStep]]:
    """The ordered steps of each flow."""
    return repo.flow_steps(session, [f.id for f in flows])


def get_flow(session: Session, scope: Scope, flow_id: int) -> ApprovalFlow:
    """One flow (approvals.manage; 404 when it does not exist)."""
    require_manage(scope)
    flow = repo.get_flow(session, flow_id)
    if flow is None:
        raise NotFound(_("Approval flow not found."))
    return flow


def create_flow(session: Session, scope: Scope, data: FlowCreate) -> ApprovalFlow:
    """Create a flow with its ordered steps (validated first; nothing is written on a 422)."""
    require_manage(scope)
    validate(session, data.doc_type, data)
    values = data.model_dump(include={"doc_type", "name", "description", "active", "priority"})
    flow = ApprovalFlow(**values, conditions=[c.model_dump() for c in data.conditions], created_by=scope.user_id)
    session.add(flow)
    session.flush()
    session.add_all(_step_rows(flow.id, data))
    session.flush()
    audit.record(
        session, scope, ENTITY, flow.id, "create", {"definition": [None, _definition(flow, _steps(session, flow))]}
    )
    return flow


def _steps(session: Session, flow: ApprovalFlow) -> list[ApprovalFlowStep]:
    return repo.flow_steps(session, [flow.id])[flow.id]


def update_flow(session: Session, scope: Scope, flow_id: int, data: FlowUpdate) -> ApprovalFlow:
    """Replace a flow's definition and bump its revision; stale ``version`` → 409. Running approvals are untouched
    (they run on their own snapshot)."""
    flow = get_flow(session, scope, flow_id)
    if data.version != flow.version:
        raise Conflict(_("Someone else changed this approval flow. Reload and try again."))
    validate(session, flow.doc_type, data)
    before = _definition(flow, _steps(session, flow))
    audit.apply_changes(flow, data.model_dump(include={"name", "description", "active", "priority"}))
    flow.conditions = [c.model_dump() for c in data.conditions]
    repo.delete_flow_steps(session, flow.id)
    session.flush()
    session.add_all(_step_rows(flow.id, data))
    session.flush()
    after = _definition(flow, _steps(session, flow))
    if after != before:
        flow.revision += 1
        session.flush()
        audit.record(
            session, scope, ENTITY, flow.id, "update", {"definition": [before, after]}, note=f"r{flow.revision}"
        )
    return flow


def delete_flow(session: Session, scope: Scope, flow_id: int) -> None:
    """Delete a flow for good; approvals already running on it continue on their snapshot."""
    flow = get_flow(session, scope, flow_id)
    before = _definition(flow, _steps(session, flow))
    audit.record(session, scope, ENTITY, flow.id, "delete", {"definition": [before, None]})
    session.delete(flow)
    session.flush()


# --- matching and snapshots -----------------------------------------------------------------------


def match(session: Session, doc_type: str, values: dict[str, Any], fields: dict[str, str]) -> ApprovalFlow | None:
    """The first active flow of the type (lowest priority number, then oldest) whose conditions all hold."""
    for flow in repo.flows(session, doc_type, active_only=True):
        if all_hold(flow.conditions or [], values, fields):
            return flow
    return None


def snapshot(session: Session, flow: ApprovalFlow) -> dict[str, Any]:
    """The flow's definition as it stands now (with its id and revision), to be kept by an instance."""
    return {"id": flow.id, "revision": flow.revision} | _definition(flow, _steps(session, flow))


def running_count(session: Session, flow_id: int) -> int:
    """How many approvals are still running on (a snapshot of) this flow."""
    return repo.running_count(session, flow_id)
