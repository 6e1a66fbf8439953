"""The demo company's OA approvals (办公审批), through the real services so that the approval engine, the inbox
and the audit are the real ones: 李明's annual leave approved by 王建国, 张伟's expense claim waiting for him, and
陈静's business trip rejected (back to her for changes); 刘洋's overtime is still a draft."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.demo.loader import Loader

# (user, type, title, values, content, outcome: None = draft, "pending", "approved", "rejected", approver comment)
REQUESTS = [
    (
        "ar1",
        "leave",
        "年假申请（春节前）",
        {"leave_kind": "年假", "start": "{d1}T09:00", "end": "{d3}T18:00", "days": "3"},
        "春节前回老家，客户跟进已交接给陈静。",
        "approved",
        "同意，注意交接。",
    ),
    (
        "ar2",
        "expense",
        "柳州移动交流差旅报销",
        {"amount": "8600.00", "category": "住宿费", "expense_date": "{d0}"},
        "柳州客户交流三天，住宿及交通费用。",
        "pending",
        "",
    ),
    (
        "sr1",
        "trip",
        "北京总部方案评审出差",
        {"destination": "北京", "start": "{d1}", "end": "{d3}", "days": "3", "estimated_cost": "6500.00"},
        "参加总部传输方案评审。",
        "rejected",
        "评审改为线上进行，本次不用出差。",
    ),
    (
        "fr1",
        "overtime",
        "周末割接加班",
        {"start": "{d1}T20:00", "end": "{d1}T23:30", "hours": "3.5"},
        "南宁电信传输网割接。",
        None,
        "",
    ),
]


def load(ld: Loader) -> dict[str, int]:
    """File, submit and decide the demo OA requests; return how many were made."""
    from loam.approvals import service as approval_service
    from loam.oa import service
    from loam.oa.schemas import RequestCreate

    session: Session = ld.s
    today = ld.now.astimezone(ld.tz).date()
    days = {f"d{i}": (today.fromordinal(today.toordinal() + 7 + i)).isoformat() for i in range(4)}
    director = _scope(session, ld, "director")
    made = 0
    for user, code, title, values, content, outcome, comment in REQUESTS:
        scope = _scope(session, ld, user)
        filled: dict[str, Any] = {k: v.format(**days) for k, v in values.items()}
        request = service.create(session, scope, RequestCreate(type=code, title=title, values=filled, content=content))
        made += 1
        if outcome is None:
            continue
        service.submit(session, scope, request.id)
        instance = approval_service.pending(session, service.ENTITY, request.id)
        if instance is not None and outcome == "approved":
            approval_service.approve(session, director, instance.id, comment)
        elif instance is not None and outcome == "rejected":
            approval_service.reject(session, director, instance.id, comment)
    session.flush()
    return {"oa_requests": made}


def _scope(session: Session, ld: Loader, username: str):  # type: ignore[no-untyped-def]
    from loam.org.models import User

    user = session.get(User, ld.u[username])  # the story before this one let go of the org's objects
    assert user is not None
    return authz_service.build_scope(session, user)
