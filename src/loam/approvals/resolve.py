"""Who approves a step: resolving a step definition into active users when the step is reached.

Approver kinds:
- ``users``      the named users (inactive ones are dropped);
- ``role``       every active user holding the role code;
- ``dept_head``  the head of the submitter's department, or of the nearest department above it that has a head
                 other than the submitter;
- ``supervisor`` the N-th supervisor up the submitter's ``manager_id`` chain; where a link of the chain has no
                 manager, the nearest department head above that person stands in;
- ``chosen``     the users the submitter picked at submit time (kept in the instance's step snapshot).

"The submitter" is the document's owner (``DocumentType.owner_id``), else the user who submitted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.approvals import repository as repo

KINDS = ("users", "role", "dept_head", "supervisor", "chosen")


def approvers(session: Session, step: dict[str, Any], submitter_id: int | None) -> list[int]:
    """The active users a step definition resolves to (ordered, without duplicates); may be empty."""
    kind = step.get("approver_kind")
    if kind == "users":
        found = repo.active_user_ids(session, [int(u) for u in step.get("user_ids") or []])
    elif kind == "chosen":
        found = repo.active_user_ids(session, [int(u) for u in step.get("chosen_ids") or []])
    elif kind == "role":
        found = repo.active_users_with_role(session, step.get("role_code") or "")
    elif kind == "dept_head":
        head = department_head(session, submitter_id)
        found = [head] if head is not None else []
    elif kind == "supervisor":
        sup = supervisor(session, submitter_id, int(step.get("level") or 1))
        found = [sup] if sup is not None else []
    else:
        found = []
    return list(dict.fromkeys(found))


def administrators(session: Session) -> list[int]:
    """Active users who may manage approval flows: empty steps set to "send to the administrators" go to them."""
    return repo.active_users_with_permission(session, "approvals.manage")


def department_head(session: Session, user_id: int | None) -> int | None:
    """The nearest active department head, from the user's department upwards, who is not the user."""
    if user_id is None:
        return None
    info = repo.user_org(session, user_id)
    if info is None or info[0] is None:
        return None
    return _head_above(session, info[0], exclude=user_id)


def _head_above(session: Session, department_id: int, exclude: int) -> int | None:
    for _dept_id, head_id in repo.department_heads_upwards(session, department_id):
        if head_id is not None and head_id != exclude and repo.active_user_ids(session, [head_id]):
            return head_id
    return None


def supervisor(session: Session, user_id: int | None, level: int) -> int | None:
    """The ``level``-th supervisor of the user (1 = direct); None when the chain is shorter. Cycles are cut."""
    current, seen = user_id, {user_id}
    for _ in range(max(1, level)):
        if current is None:
            return None
        current = _next_up(session, current)
        if current is None or current in seen:
            return None
        seen.add(current)
    if current is not None and not repo.active_user_ids(session, [current]):
        return None
    return current


def _next_up(session: Session, user_id: int) -> int | None:
    info = repo.user_org(session, user_id)
    if info is None:
        return None
    department_id, manager_id = info
    if manager_id is not None:
        return manager_id
    return _head_above(session, department_id, exclude=user_id) if department_id is not None else None
