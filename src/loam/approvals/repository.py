"""All SQL of the approvals domain. Inbox reads are restricted to the caller by construction (their own tasks,
submissions and copies); instance reads are checked by the service (participant or document viewer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from loam.approvals.models import (
    ApprovalCc,
    ApprovalEvent,
    ApprovalFlow,
    ApprovalFlowStep,
    ApprovalInstance,
    ApprovalStep,
    ApprovalTask,
)
from loam.org.models import Department, Role, RolePermission, User, user_roles

DECIDED = ("approved", "rejected", "returned", "delegated")

# --- the organisation, read-only (approver resolution) --------------------------------------------


def active_user_ids(session: Session, ids: Sequence[int]) -> list[int]:
    """The active users among ``ids``, in the given order."""
    if not ids:
        return []
    found = set(session.scalars(select(User.id).where(User.id.in_(list(ids)), User.is_active.is_(True))))
    return [i for i in ids if i in found]


def active_users_with_role(session: Session, code: str) -> list[int]:
    stmt = (
        select(User.id)
        .join(user_roles, user_roles.c.user_id == User.id)
        .join(Role, Role.id == user_roles.c.role_id)
        .where(Role.code == code, User.is_active.is_(True))
        .order_by(User.id)
    )
    return list(dict.fromkeys(session.scalars(stmt)))


def active_users_with_permission(session: Session, permission: str) -> list[int]:
    stmt = (
        select(User.id)
        .join(user_roles, user_roles.c.user_id == User.id)
        .join(RolePermission, RolePermission.role_id == user_roles.c.role_id)
        .where(RolePermission.permission == permission, User.is_active.is_(True))
        .order_by(User.id)
    )
    return list(dict.fromkeys(session.scalars(stmt)))


def user_org(session: Session, user_id: int) -> tuple[int | None, int | None] | None:
    """(department id, manager id) of a user, or None when the user does not exist."""
    row = session.execute(select(User.department_id, User.manager_id).where(User.id == user_id)).first()
    return (row[0], row[1]) if row is not None else None


def department_heads_upwards(session: Session, department_id: int) -> list[tuple[int, int | None]]:
    """(department id, head user id) from the department up to the root of the tree."""
    path = session.scalar(select(Department.path).where(Department.id == department_id)) or f"/{department_id}/"
    chain = [int(p) for p in path.strip("/").split("/") if p] or [department_id]
    heads = dict(session.execute(select(Department.id, Department.head_user_id).where(Department.id.in_(chain))).all())
    return [(d, heads.get(d)) for d in reversed(chain) if d in heads]


def role_codes(session: Session) -> list[tuple[str, str, str]]:
    return [(r.code, r.name_zh, r.name_en) for r in session.scalars(select(Role).order_by(Role.id))]


# --- flow definitions -----------------------------------------------------------------------------


def flows(session: Session, doc_type: str | None = None, active_only: bool = False) -> list[ApprovalFlow]:
    stmt = select(ApprovalFlow)
    if doc_type is not None:
        stmt = stmt.where(ApprovalFlow.doc_type == doc_type)
    if active_only:
        stmt = stmt.where(ApprovalFlow.active.is_(True))
    return list(session.scalars(stmt.order_by(ApprovalFlow.doc_type, ApprovalFlow.priority, ApprovalFlow.id)))


def get_flow(session: Session, flow_id: int) -> ApprovalFlow | None:
    return session.get(ApprovalFlow, flow_id)


def flow_steps(session: Session, flow_ids: Sequence[int]) -> dict[int, list[ApprovalFlowStep]]:
    out: dict[int, list[ApprovalFlowStep]] = {i: [] for i in flow_ids}
    if flow_ids:
        stmt = select(ApprovalFlowStep).where(ApprovalFlowStep.flow_id.in_(list(flow_ids)))
        for step in session.scalars(stmt.order_by(ApprovalFlowStep.flow_id, ApprovalFlowStep.position)):
            out[step.flow_id].append(step)
    return out


def delete_flow_steps(session: Session, flow_id: int) -> None:
    session.execute(delete(ApprovalFlowStep).where(ApprovalFlowStep.flow_id == flow_id))


def running_count(session: Session, flow_id: int) -> int:
    stmt = select(func.count()).where(ApprovalInstance.flow_id == flow_id, ApprovalInstance.status == "pending")
    return int(session.scalar(stmt) or 0)


# --- instances ------------------------------------------------------------------------------------


def get_instance(session: Session, instance_id: int) -> ApprovalInstance | None:
    return session.get(ApprovalInstance, instance_id)


def refresh_instance(session: Session, instance_id: int) -> ApprovalInstance | None:
    stmt = select(ApprovalInstance).where(ApprovalInstance.id == instance_id)
    return session.scalar(stmt.execution_options(populate_existing=True))


def pending_instance(session: Session, doc_type: str, doc_id: int) -> ApprovalInstance | None:
    stmt = select(ApprovalInstance).where(
        ApprovalInstance.doc_type == doc_type, ApprovalInstance.doc_id == doc_id, ApprovalInstance.status == "pending"
    )
    return session.scalar(stmt)


def instances_for(session: Session, doc_type: str, doc_id: int, limit: int = 20) -> list[ApprovalInstance]:
    stmt = select(ApprovalInstance).where(ApprovalInstance.doc_type == doc_type, ApprovalInstance.doc_id == doc_id)
    return list(session.scalars(stmt.order_by(ApprovalInstance.id.desc()).limit(limit)))


def steps(session: Session, instance_id: int) -> list[ApprovalStep]:
    stmt = select(ApprovalStep).where(ApprovalStep.instance_id == instance_id).order_by(ApprovalStep.position)
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def tasks(session: Session, instance_id: int) -> list[ApprovalTask]:
    stmt = select(ApprovalTask).where(ApprovalTask.instance_id == instance_id).order_by(ApprovalTask.id)
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def events(session: Session, instance_id: int) -> list[ApprovalEvent]:
    stmt = select(ApprovalEvent).where(ApprovalEvent.instance_id == instance_id).order_by(ApprovalEvent.id)
    return list(session.scalars(stmt))


def ccs(session: Session, instance_id: int) -> list[ApprovalCc]:
    stmt = select(ApprovalCc).where(ApprovalCc.instance_id == instance_id).order_by(ApprovalCc.id)
    return list(session.scalars(stmt))


def is_participant(session: Session, instance_id: int, user_id: int) -> bool:
    """A current or past approver (or delegator) of the instance, or a user copied on it."""
    task = select(ApprovalTask.id).where(
        ApprovalTask.instance_id == instance_id,
        or_(ApprovalTask.user_id == user_id, ApprovalTask.delegated_from_id == user_id),
    )
    cc = select(ApprovalCc.id).where(ApprovalCc.instance_id == instance_id, ApprovalCc.user_id == user_id)
    return session.scalar(select(task.exists())) or bool(session.scalar(select(cc.exists())))


def lock_instance(session: Session, instance_id: int, step: int | None, now: datetime) -> bool:
    """The concurrency guard: bump the instance's version only if it is still pending (and still at ``step``).

    On PostgreSQL a concurrent decision blocks here until the first commits, then matches no row; on SQLite the
    second writer fails with "database is locked". Either way exactly one decision counts.
    """
    stmt = update(ApprovalInstance).where(ApprovalInstance.id == instance_id, ApprovalInstance.status == "pending")
    if step is not None:
        stmt = stmt.where(ApprovalInstance.current_step == step)
    stmt = stmt.values(version=ApprovalInstance.version + 1, updated_at=now)
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


def decide_task(session: Session, task_id: int, status: str, comment: str | None, now: datetime) -> bool:
    """Close one pending task (conditional UPDATE); False when it was no longer pending."""
    stmt = (
        update(ApprovalTask)
        .where(ApprovalTask.id == task_id, ApprovalTask.status == "pending")
        .values(status=status, comment=comment, decided_at=now)
    )
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


def close_pending_tasks(session: Session, instance_id: int, step_id: int | None, now: datetime) -> list[int]:
    """Cancel the still-pending tasks of a step (or of the whole instance); returns their users."""
    cond = [ApprovalTask.instance_id == instance_id, ApprovalTask.status == "pending"]
    if step_id is not None:
        cond.append(ApprovalTask.step_id == step_id)
    users = list(session.scalars(select(ApprovalTask.user_id).where(*cond)))
    stmt = update(ApprovalTask).where(*cond).values(status="cancelled", decided_at=now)
    session.execute(stmt.execution_options(synchronize_session=False))
    return users


def pending_count_in_step(session: Session, step_id: int) -> int:
    stmt = select(func.count()).where(ApprovalTask.step_id == step_id, ApprovalTask.status == "pending")
    return int(session.scalar(stmt) or 0)


def my_tasks(session: Session, instance_id: int, user_id: int) -> list[ApprovalTask]:
    stmt = select(ApprovalTask).where(ApprovalTask.instance_id == instance_id, ApprovalTask.user_id == user_id)
    return list(session.scalars(stmt.order_by(ApprovalTask.id).execution_options(populate_existing=True)))


def pending_users_in_step(session: Session, step_id: int) -> list[int]:
    stmt = select(ApprovalTask.user_id).where(ApprovalTask.step_id == step_id, ApprovalTask.status == "pending")
    return list(session.scalars(stmt.order_by(ApprovalTask.id)))


def cc_user_ids(session: Session, instance_id: int) -> list[int]:
    stmt = select(ApprovalCc.user_id).where(ApprovalCc.instance_id == instance_id).order_by(ApprovalCc.id)
    return list(session.scalars(stmt))


# --- the inbox (always the caller's own rows) -----------------------------------------------------


def _filtered(stmt: Select[Any], doc_type: str | None, status: str | None) -> Select[Any]:
    if doc_type:
        stmt = stmt.where(ApprovalInstance.doc_type == doc_type)
    if status:
        stmt = stmt.where(ApprovalInstance.status == status)
    return stmt


def inbox_statement(box: str, user_id: int, doc_type: str | None = None, status: str | None = None) -> Select[Any]:
    """Rows of (instance, task or None) for one tab of a user's inbox, newest first."""
    inst = ApprovalInstance
    stmt: Any
    if box == "pending":
        stmt = select(inst, ApprovalTask).join(ApprovalTask, ApprovalTask.instance_id == inst.id)
        stmt = stmt.where(ApprovalTask.user_id == user_id, ApprovalTask.status == "pending", inst.status == "pending")
        return _filtered(stmt, doc_type, status).order_by(ApprovalTask.id.desc())
    if box == "done":
        stmt = select(inst, ApprovalTask).join(ApprovalTask, ApprovalTask.instance_id == inst.id)
        stmt = stmt.where(ApprovalTask.user_id == user_id, ApprovalTask.status.in_(DECIDED))
        return _filtered(stmt, doc_type, status).order_by(ApprovalTask.decided_at.desc(), ApprovalTask.id.desc())
    if box == "cc":
        stmt = select(inst, ApprovalCc.id).join(
            ApprovalCc, and_(ApprovalCc.instance_id == inst.id, ApprovalCc.user_id == user_id)
        )
        return _filtered(stmt, doc_type, status).order_by(ApprovalCc.id.desc())
    stmt = select(inst, inst.id).where(inst.submitter_id == user_id)
    return _filtered(stmt, doc_type, status).order_by(inst.id.desc())


def inbox_page(session: Session, stmt: Select[Any], page: int, size: int) -> tuple[list[Any], int]:
    rows = list(session.execute(stmt.limit(size).offset((page - 1) * size)).all())
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    return rows, total


def inbox_count(session: Session, stmt: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
