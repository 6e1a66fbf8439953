"""What people do with a running approval: approve, reject, send back, withdraw, delegate, copy (抄送).

Every decision first locks the instance with a conditional UPDATE (still pending, still at the step the caller
acts on) and then closes the caller's task with another (still pending): of two approvers acting at once on a
或签 step exactly one decision counts and the other gets a 409. Only the current step's assignees may decide
(403); someone who may not read the approval at all gets a 404.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from loam.approvals import engine
from loam.approvals import repository as repo
from loam.approvals.models import ApprovalCc, ApprovalInstance, ApprovalStep, ApprovalTask
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid
from loam.kit import audit
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _

DECIDED_MESSAGE = N_("This approval step has already been decided by someone else.")
BUSY_MESSAGE = N_("Someone else acted on this approval at the same moment. Reload the page and try again.")


def _get(session: Session, scope: Scope, instance_id: int) -> ApprovalInstance:
    from loam.approvals import service

    return service.get(session, scope, instance_id)


def _comment(comment: str | None) -> str | None:
    from loam.approvals import service

    return service._comment(comment)


def _current(session: Session, instance: ApprovalInstance) -> ApprovalStep | None:
    return next((s for s in repo.steps(session, instance.id) if s.position == instance.current_step), None)


def my_task(session: Session, scope: Scope, instance: ApprovalInstance) -> ApprovalTask | None:
    """The caller's pending task in the instance's current step, if any."""
    step = _current(session, instance) if instance.status == "pending" else None
    if step is None or scope.user_id is None:
        return None
    mine = repo.my_tasks(session, instance.id, scope.user_id)
    return next((t for t in mine if t.step_id == step.id and t.status == "pending"), None)


def _decision_context(
    session: Session, scope: Scope, instance_id: int
) -> tuple[ApprovalInstance, ApprovalStep, ApprovalTask]:
    """Find the caller's pending task (404 → 403 → 409 in that order) and take the instance's lock."""
    instance = _get(session, scope, instance_id)
    task = my_task(session, scope, instance)
    if task is None:
        had_task = scope.user_id is not None and repo.my_tasks(session, instance.id, scope.user_id)
        if instance.status != "pending" or had_task:
            raise Conflict(_(DECIDED_MESSAGE))
        raise Forbidden(_("Only the approvers of the current step can do this."))
    step = _current(session, instance)
    assert step is not None
    _lock(session, instance, step)
    return instance, step, task


def _lock(session: Session, instance: ApprovalInstance, step: ApprovalStep | None) -> None:
    # 或签: whoever lost the race was too late. 会签 (or withdraw): the other action still counts, try again.
    message = DECIDED_MESSAGE if step is not None and step.mode == "any" else BUSY_MESSAGE
    try:
        won = repo.lock_instance(session, instance.id, step.position if step else None, utcnow())
    except OperationalError as exc:  # SQLite: another decision holds the write lock or already committed
        raise Conflict(_(message)) from exc
    if not won:
        raise Conflict(_(message))
    repo.refresh_instance(session, instance.id)


def _close(session: Session, task: ApprovalTask, status: str, comment: str | None) -> None:
    if not repo.decide_task(session, task.id, status, comment, utcnow()):
        raise Conflict(_(DECIDED_MESSAGE))


def approve(session: Session, scope: Scope, instance_id: int, comment: str | None = None) -> ApprovalInstance:
    """Approve as an assignee of the current step. 或签: the step is done; 会签: done when every assignee approved.
    A finished step hands over to the next one (or approves the document)."""
    comment = _comment(comment)
    instance, step, task = _decision_context(session, scope, instance_id)
    _close(session, task, "approved", comment)
    engine.event(session, instance, scope, "approve", step, comment)
    audit.record(session, scope, engine.ENTITY, instance.id, "approve", {"step": [None, step.position]}, note=comment)
    if step.mode == "any" or repo.pending_count_in_step(session, step.id) == 0:
        repo.close_pending_tasks(session, instance.id, step.id, utcnow())
        step.status, step.finished_at = "approved", utcnow()
        session.flush()
        engine.advance(session, scope, instance, after=step.position)
    session.flush()
    return instance


def reject(session: Session, scope: Scope, instance_id: int, comment: str | None = None) -> ApprovalInstance:
    """Reject as an assignee of the current step: the approval ends and the document goes back to draft."""
    comment = _comment(comment)
    instance, step, task = _decision_context(session, scope, instance_id)
    _close(session, task, "rejected", comment)
    step.status, step.finished_at = "rejected", utcnow()
    engine.event(session, instance, scope, "reject", step, comment)
    engine.finish(session, scope, instance, "rejected", comment)
    session.flush()
    return instance


def send_back(
    session: Session, scope: Scope, instance_id: int, to_step: int, comment: str | None = None
) -> ApprovalInstance:
    """Send the approval back to an earlier step that was approved: that step and the ones after it run again
    (approvers resolved anew). 422 when ``to_step`` is not such a step."""
    comment = _comment(comment)
    instance, step, task = _decision_context(session, scope, instance_id)
    steps = repo.steps(session, instance.id)
    target = next((s for s in steps if s.position == to_step and s.position < step.position), None)
    if target is None or target.status != "approved":
        raise Invalid(_("Choose an earlier step that was approved."), detail={"to_step": _("Not an earlier step.")})
    _close(session, task, "returned", comment)
    repo.close_pending_tasks(session, instance.id, step.id, utcnow())
    for s in steps:
        if target.position <= s.position <= step.position and s.status in ("approved", "active", "skipped"):
            s.status, s.started_at, s.finished_at = "waiting", None, None
    session.flush()
    engine.event(session, instance, scope, "return", step, comment, to_step=target.position)
    audit.record(
        session,
        scope,
        engine.ENTITY,
        instance.id,
        "send_back",
        {"step": [step.position, target.position]},
        note=comment,
    )
    if instance.submitter_id is not None and instance.submitter_id != scope.user_id:
        who = scope.display_name or scope.username
        engine.notify(session, [instance.submitter_id], "approval_returned", instance, user=who, comment=comment or "")
    engine.advance(session, scope, instance, after=target.position - 1)
    session.flush()
    return instance


def withdraw(session: Session, scope: Scope, instance_id: int, comment: str | None = None) -> ApprovalInstance:
    """The submitter takes the document back while it is in approval: it returns to draft (403 for anyone else)."""
    comment = _comment(comment)
    instance = _get(session, scope, instance_id)
    if scope.user_id is None or scope.user_id != instance.submitter_id:
        raise Forbidden(_("Only the submitter can withdraw this approval."))
    if instance.status != "pending":
        raise Conflict(_("This approval is no longer pending."))
    _lock(session, instance, None)
    engine.event(session, instance, scope, "withdraw", _current(session, instance), comment)
    engine.finish(session, scope, instance, "withdrawn", comment)
    session.flush()
    return instance


def delegate(
    session: Session, scope: Scope, instance_id: int, user_id: int, comment: str | None = None
) -> ApprovalInstance:
    """Hand the caller's task to another active user, who then decides in the caller's place."""
    comment = _comment(comment)
    instance, step, task = _decision_context(session, scope, instance_id)
    if user_id == scope.user_id or not repo.active_user_ids(session, [user_id]):
        raise Invalid(_("Choose another active user."), detail={"user_id": _("Not an active user.")})
    if user_id in repo.pending_users_in_step(session, step.id):
        raise Conflict(_("This user is already an approver of this step."))
    _close(session, task, "delegated", comment)
    new = ApprovalTask(instance_id=instance.id, step_id=step.id, user_id=user_id, reason="delegated")
    new.delegated_from_id = scope.user_id
    session.add(new)
    engine.event(session, instance, scope, "delegate", step, comment, target_ids=[user_id])
    audit.record(
        session, scope, engine.ENTITY, instance.id, "delegate", {"approver": [scope.user_id, user_id]}, note=comment
    )
    who = scope.display_name or scope.username
    engine.notify(session, [user_id], "approval_delegated", instance, user=who, comment=comment or "")
    session.flush()
    return instance


def add_cc(
    session: Session, scope: Scope, instance_id: int, user_ids: list[int], comment: str | None = None
) -> list[int]:
    """Copy active users on the approval (the submitter or a current approver may); returns the newly copied ids."""
    comment = _comment(comment)
    instance = _get(session, scope, instance_id)
    if instance.status != "pending":
        raise Conflict(_("This approval is no longer pending."))
    if scope.user_id != instance.submitter_id and my_task(session, scope, instance) is None:
        raise Forbidden(_("Only the submitter or a current approver can copy others."))
    wanted = list(dict.fromkeys(user_ids))
    if len(repo.active_user_ids(session, wanted)) != len(wanted):
        raise Invalid(_("Every copied user must be an active user."), detail={"user_ids": _("Not an active user.")})
    new = [u for u in wanted if u not in set(repo.cc_user_ids(session, instance.id))]
    try:
        with session.begin_nested():
            session.add_all(ApprovalCc(instance_id=instance.id, user_id=u, added_by=scope.user_id) for u in new)
    except IntegrityError:
        raise Conflict(_("Someone copied the same user at the same time. Reload and try again.")) from None
    if new:
        engine.event(session, instance, scope, "cc", _current(session, instance), comment, target_ids=new)
        audit.record(session, scope, engine.ENTITY, instance.id, "cc", {"cc": [None, new]}, note=comment)
        engine.notify(session, new, "approval_cc", instance)
    return new


def available(session: Session, scope: Scope, instance: ApprovalInstance) -> list[str]:
    """What the caller may do now: approve, reject, send_back, delegate, cc, withdraw."""
    if instance.status != "pending":
        return []
    out: list[str] = []
    if my_task(session, scope, instance) is not None:
        out += ["approve", "reject", "delegate"]
        if any(
            s.status == "approved" and s.position < (instance.current_step or 0)
            for s in repo.steps(session, instance.id)
        ):
            out.append("send_back")
        out.append("cc")
    if scope.user_id is not None and scope.user_id == instance.submitter_id:
        if "cc" not in out:
            out.append("cc")
        out.append("withdraw")
    return out
