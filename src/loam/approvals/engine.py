"""The approval state machine: activating steps, resolving approvers, finishing an instance.

Step conditions are evaluated once, at submit time, on the document's values (the document is locked while in
approval, so they cannot change). Approvers are resolved when a step is reached: a step that starts tomorrow goes
to whoever heads the department tomorrow, and a deactivated user is never assigned. The step *definitions* come
from the instance's snapshot, never from the live flow.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.approvals import registry, resolve
from loam.approvals import repository as repo
from loam.approvals.models import ApprovalEvent, ApprovalInstance, ApprovalStep, ApprovalTask
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.kit import audit
from loam.kit.i18n import gettext as _

ENTITY = "approval"


def event(
    session: Session,
    instance: ApprovalInstance,
    scope: Scope | None,
    action: str,
    step: ApprovalStep | None = None,
    comment: str | None = None,
    target_ids: list[int] | None = None,
    to_step: int | None = None,
) -> ApprovalEvent:
    """Append one history row (who, what, when, comment)."""
    row = ApprovalEvent(
        instance_id=instance.id,
        step_position=step.position if step else None,
        step_name=step.name if step else None,
        action=action,
        user_id=scope.user_id if scope else None,
        target_ids=list(target_ids or []),
        to_step=to_step,
        comment=comment,
    )
    session.add(row)
    return row


def doc_label(instance: ApprovalInstance) -> str:
    """How notifications name the document, e.g. "合同 HT-202612-00001 广西河池电信"."""
    doc = registry.get(instance.doc_type)
    label = _(doc.label) if doc else instance.doc_type
    return f"{label} {instance.title}"


def notify(session: Session, user_ids: list[int], kind: str, instance: ApprovalInstance, **params: Any) -> None:
    """One notification per user (deduplicated), linking to the approval."""
    from loam.notifications import service as notification_service

    for user_id in dict.fromkeys(u for u in user_ids if u is not None):
        notification_service.notify(
            session, user_id, kind, {"document": doc_label(instance), **params}, entity=ENTITY, entity_id=instance.id
        )


def advance(session: Session, scope: Scope, instance: ApprovalInstance, after: int) -> None:
    """Activate the first waiting step after position ``after``; steps that resolve to nobody are skipped or sent to
    the administrators as their definition says. When no step is left, the instance is approved."""
    for step in repo.steps(session, instance.id):
        if step.position <= after or step.status != "waiting":
            continue
        users = resolve.approvers(session, step.definition, instance.owner_id or instance.submitter_id)
        reason = "assigned"
        if not users and step.definition.get("when_empty") == "admin":
            users, reason = resolve.administrators(session), "admin"
            if users:
                event(session, instance, None, "escalate", step, target_ids=users)
        if not users:
            step.status, step.finished_at = "skipped", utcnow()
            event(session, instance, None, "skip", step)
            continue
        activate(session, instance, step, users, reason)
        return
    finish(session, scope, instance, "approved")


def activate(session: Session, instance: ApprovalInstance, step: ApprovalStep, users: list[int], reason: str) -> None:
    """Make ``step`` the current one with one pending task per approver, and tell them."""
    step.status, step.started_at, step.finished_at = "active", utcnow(), None
    instance.current_step = step.position
    session.add_all(ApprovalTask(instance_id=instance.id, step_id=step.id, user_id=u, reason=reason) for u in users)
    session.flush()
    if reason == "assigned":
        event(session, instance, None, "assign", step, target_ids=users)
    notify(session, users, "approval_pending", instance)


def finish(
    session: Session, scope: Scope, instance: ApprovalInstance, outcome: str, comment: str | None = None
) -> None:
    """End the instance (approved / rejected / withdrawn): close open tasks, tell the document's domain through
    ``on_change``, notify the submitter and everyone copied, write the audit row."""
    now = utcnow()
    open_users = repo.close_pending_tasks(session, instance.id, None, now)
    before = instance.status
    instance.status, instance.finished_at, instance.current_step = outcome, now, None
    session.flush()
    if outcome == "approved":
        event(session, instance, None, "approved")
    doc_type = registry.get(instance.doc_type)
    document = doc_type.load(session, instance.doc_id) if doc_type else None
    if doc_type is not None and document is not None:
        doc_type.on_change(session, scope, document, outcome)
    everyone = [instance.submitter_id, *repo.cc_user_ids(session, instance.id)]
    audience = [u for u in everyone if u is not None and u != scope.user_id]
    who = scope.display_name or scope.username
    if outcome == "approved":
        notify(session, audience, "approval_approved", instance)
    elif outcome == "rejected":
        notify(session, audience, "approval_rejected", instance, user=who, comment=comment or "")
    else:
        notify(session, [u for u in open_users if u != scope.user_id], "approval_withdrawn", instance, user=who)
    audit.record(session, scope, ENTITY, instance.id, outcome, {"status": [before, outcome]}, note=comment)


def build_steps(
    instance: ApprovalInstance, snap: dict[str, Any], values: dict[str, Any], fields: dict[str, str], chosen: dict
) -> list[ApprovalStep]:
    """The instance's steps from the flow snapshot: those whose conditions do not hold are "not required"."""
    from loam.approvals.flows import all_hold

    out = []
    for definition in snap.get("steps", []):
        applies = all_hold(definition.get("conditions") or [], values, fields)
        step_def = dict(definition)
        if definition["approver_kind"] == "chosen":
            step_def["chosen_ids"] = list(chosen.get(definition["position"], []))
        out.append(
            ApprovalStep(
                instance_id=instance.id,
                position=definition["position"],
                name=definition["name"],
                mode=definition["mode"],
                definition=step_def,
                status="waiting" if applies else "not_required",
            )
        )
    return out
