"""The demo company's OA requests went through the real services: one approved, one waiting in the director's
inbox, one rejected, one draft."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from loam.approvals.models import ApprovalInstance, ApprovalTask
from loam.oa.models import OaRequest
from loam.org.models import User
from tests.demo.conftest import Demo


def test_demo_oa_requests_and_the_directors_inbox(demo: Demo, s: Session) -> None:
    status = {r.type_code: r.status for r in s.scalars(select(OaRequest))}
    assert status == {"leave": "approved", "expense": "in_approval", "trip": "rejected", "overtime": "draft"}
    director = s.scalar(select(User).where(User.username == "director"))
    pending = s.execute(
        select(ApprovalInstance.title)
        .join(ApprovalTask, ApprovalTask.instance_id == ApprovalInstance.id)
        .where(ApprovalInstance.doc_type == "oa_request", ApprovalTask.user_id == director.id)
        .where(ApprovalTask.status == "pending")
    ).scalars()
    assert list(pending) == ["柳州移动交流差旅报销"]
