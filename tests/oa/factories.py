"""Small factories for the OA tests, through the real services (R27)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.approvals import flows
from loam.approvals.schemas import FlowCreate
from loam.authz.scope import Scope
from loam.oa import service
from loam.oa.models import OaRequest
from loam.oa.schemas import RequestCreate
from tests.helpers import scope_of

LEAVE = {"leave_kind": "年假", "start": "2027-01-04T09:00", "end": "2027-01-06T18:00", "days": "3"}


def make_request(
    session: Session, owner_id: int, type_code: str = "leave", values: dict[str, Any] | None = None, **kw: Any
) -> OaRequest:
    data = RequestCreate(
        type=type_code,
        title=kw.pop("title", "年假申请"),
        values=dict(LEAVE if values is None and type_code == "leave" else (values or {})),
        **kw,
    )
    request = service.create(session, scope_of(session, owner_id), data)
    session.flush()
    return request


def expense(session: Session, owner_id: int, amount: str) -> OaRequest:
    values = {"amount": amount, "category": "住宿费", "expense_date": "2027-01-08"}
    return make_request(session, owner_id, "expense", values, title=f"报销 {amount}")


def finance_flow(session: Session, admin: Scope) -> Any:
    """A flow that wins over the default one: the department head, then finance for expenses over 5,000."""
    data = FlowCreate(
        doc_type="oa_request",
        name="报销审批（含财务）",
        priority=10,
        steps=[
            {"name": "部门负责人审批", "approver_kind": "dept_head"},
            {
                "name": "财务审批",
                "approver_kind": "role",
                "role_code": "finance",
                "conditions": [
                    {"field": "type", "op": "eq", "value": "expense"},
                    {"field": "amount", "op": "gt", "value": "5000"},
                ],
            },
        ],
    )
    flow = flows.create_flow(session, admin, data)
    session.flush()
    return flow
