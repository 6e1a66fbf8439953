"""Approvals in the access matrix (tests/access.py).

An approval is readable by its participants and by whoever may see its document. The record made here is an
approval of a customer owned by ar1 (a test document type), waiting in one 会签 step for ar1, the director and the
admin — so it is in each of their "pending" inboxes, and ar2 / finance1 (who cannot see the customer and take no
part) get 404s and never find it in theirs. Approvals are never deleted (``delete`` is None); creating an approval
flow needs approvals.manage (the director lacks it).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.access import Resource

CODE = "testdoc_access"


def _approval(session: Session, owner_id: int) -> int:
    from loam.approvals import registry, service
    from loam.org.models import User
    from tests.approvals.factories import DocStore, document, make_doc, make_flow, step
    from tests.helpers import scope_of

    store = DocStore()
    registry.register(document(store, CODE))  # stays registered for the rest of the run (a test-only type)
    users = dict(session.execute(select(User.username, User.id)).all())
    approvers = [owner_id, users["director"], users["admin"]]
    admin = scope_of(session, users["admin"])
    make_flow(session, admin, [step("矩阵", "users", user_ids=approvers, mode="all")], doc_type=CODE)
    doc = make_doc(session, store, owner_id, name="矩阵审批客户")
    instance = service.submit(session, scope_of(session, owner_id), CODE, doc)
    session.flush()
    return instance.id


RESOURCES = [
    Resource(
        name="approval",
        make=_approval,
        api_detail="/api/v1/approvals/{id}",
        api_list="/api/v1/approvals?box=pending&page_size=200",
        web_detail="/approvals/{id}",
        write=("POST", "/api/v1/approvals/{id}/approve", lambda v: {"comment": "越权审批"}),
        delete=None,
        create=(
            "/api/v1/approval-flows",
            {"doc_type": "contract", "name": "无权限", "steps": [{"name": "x", "approver_kind": "dept_head"}]},
            "director",
        ),
    ),
]
