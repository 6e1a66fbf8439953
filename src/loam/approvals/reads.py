"""Read models of approvals: the inbox ("my approvals"), one instance with its steps and history, the panel a
document page shows. Every read is restricted to what the caller may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.approvals import actions, registry, service
from loam.approvals import repository as repo
from loam.approvals.models import ApprovalInstance
from loam.approvals.schemas import InboxFilters
from loam.authz.scope import Scope
from loam.errors import Invalid, NotFound
from loam.kit.i18n import gettext as _
from loam.org import service as org_service

BOXES = ("pending", "done", "submitted", "cc")


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    return org_service.names_by_id(session, {i for i in ids if i is not None})


def _step_names(session: Session, instances: list[ApprovalInstance]) -> dict[int, str]:
    out: dict[int, str] = {}
    for inst in instances:
        if inst.current_step is not None:
            steps = (inst.flow_snapshot or {}).get("steps", [])
            out[inst.id] = next((s["name"] for s in steps if s["position"] == inst.current_step), "")
    return out


def summary(inst: ApprovalInstance, names: dict[int, str], step_names: dict[int, str]) -> dict[str, Any]:
    """The columns of an instance that lists show."""
    doc = registry.get(inst.doc_type)
    return {
        "id": inst.id,
        "doc_type": inst.doc_type,
        "doc_type_label": _(doc.label) if doc else inst.doc_type,
        "doc_id": inst.doc_id,
        "title": inst.title,
        "status": inst.status,
        "current_step": inst.current_step,
        "current_step_name": step_names.get(inst.id),
        "flow_id": inst.flow_id,
        "flow_name": inst.flow_name,
        "flow_revision": inst.flow_revision,
        "submitter_id": inst.submitter_id,
        "submitter_name": names.get(inst.submitter_id or 0, ""),
        "submitted_at": inst.submitted_at,
        "finished_at": inst.finished_at,
        "version": inst.version,
    }


def inbox(
    session: Session, scope: Scope, filters: InboxFilters, page: int = 1, size: int = 25
) -> tuple[list[dict[str, Any]], int]:
    """One page of one tab of the caller's inbox: pending (tasks awaiting them), done (their decisions), submitted
    (their submissions), cc (approvals they were copied on). Only ever the caller's own rows."""
    if scope.user_id is None:
        return [], 0
    if filters.doc_type and registry.get(filters.doc_type) is None:
        raise Invalid(_("Unknown document type: %(name)s", name=filters.doc_type[:30]))
    stmt = repo.inbox_statement(filters.box, scope.user_id, filters.doc_type, filters.status)
    rows, total = repo.inbox_page(session, stmt, page, size)
    instances = [r[0] for r in rows]
    names = _names(session, {i.submitter_id for i in instances})
    steps = _step_names(session, instances)
    items = []
    for inst, extra in rows:
        item = summary(inst, names, steps)
        if filters.box in ("pending", "done"):
            item |= {"task_id": extra.id, "task_status": extra.status, "decided_at": extra.decided_at}
        items.append(item)
    return items, total


def counts(session: Session, scope: Scope) -> dict[str, int]:
    """How many rows each tab of the caller's inbox holds."""
    if scope.user_id is None:
        return dict.fromkeys(BOXES, 0)
    return {box: repo.inbox_count(session, repo.inbox_statement(box, scope.user_id)) for box in BOXES}


def detail(session: Session, scope: Scope, instance: ApprovalInstance) -> dict[str, Any]:
    """An instance (already checked visible) with its steps, their tasks, the history and the caller's actions."""
    steps = repo.steps(session, instance.id)
    tasks = repo.tasks(session, instance.id)
    events = repo.events(session, instance.id)
    ccs = repo.cc_user_ids(session, instance.id)
    ids = {instance.submitter_id} | {t.user_id for t in tasks} | {t.delegated_from_id for t in tasks}
    ids |= {e.user_id for e in events} | {u for e in events for u in e.target_ids} | set(ccs)
    names = _names(session, ids)
    step_names = {instance.id: next((s.name for s in steps if s.position == instance.current_step), "")}
    by_step: dict[int, list[dict[str, Any]]] = {}
    for t in tasks:
        row = {c: getattr(t, c) for c in ("id", "user_id", "status", "reason", "delegated_from_id", "comment")}
        row |= {"created_at": t.created_at, "decided_at": t.decided_at, "user_name": names.get(t.user_id, "")}
        by_step.setdefault(t.step_id, []).append(row)
    return summary(instance, names, step_names) | {
        "doc_values": instance.doc_values,
        "steps": [
            {
                "position": s.position,
                "name": s.name,
                "mode": s.mode,
                "approver_kind": s.definition.get("approver_kind", ""),
                "status": s.status,
                "started_at": s.started_at,
                "finished_at": s.finished_at,
                "tasks": by_step.get(s.id, []),
            }
            for s in steps
        ],
        "events": [
            {c: getattr(e, c) for c in ("id", "action", "step_position", "step_name", "user_id", "target_ids")}
            | {"to_step": e.to_step, "comment": e.comment, "at": e.at, "user_name": names.get(e.user_id or 0, "")}
            for e in events
        ],
        "cc_user_ids": ccs,
        "names": names,
        "actions": actions.available(session, scope, instance),
        "return_steps": [
            (s.position, s.name) for s in steps if s.status == "approved" and s.position < (instance.current_step or 0)
        ],
    }


def get_detail(session: Session, scope: Scope, instance_id: int) -> dict[str, Any]:
    """One approval the caller may read (404 otherwise), as :func:`detail` shapes it."""
    return detail(session, scope, service.get(session, scope, instance_id))


def for_document(session: Session, scope: Scope, doc_type: str, doc_id: int) -> list[dict[str, Any]]:
    """The approvals of a document the caller may see (404 when they may not see the document), newest first."""
    if registry.get(doc_type) is None or not service.can_view_document(session, scope, doc_type, doc_id):
        raise NotFound(_("Document not found."))
    instances = service.latest_for(session, doc_type, doc_id)
    names = _names(session, {i.submitter_id for i in instances})
    return [summary(i, names, _step_names(session, instances)) for i in instances]


def panel(session: Session, scope: Scope, doc_type: str, doc_id: int, instance_id: int | None = None) -> dict[str, Any]:
    """What a document page's approval panel shows (the domain has already checked the document is visible):
    the latest approval (or ``instance_id``) in full, the others in short, and what the caller may do."""
    instances = service.latest_for(session, doc_type, doc_id)
    shown = next((i for i in instances if i.id == instance_id), instances[0] if instances else None)
    names = _names(session, {i.submitter_id for i in instances})
    return {
        "doc_type": doc_type,
        "doc_id": doc_id,
        "current": detail(session, scope, shown) if shown is not None else None,
        "earlier": [summary(i, names, {}) for i in instances if i is not shown],
    }
