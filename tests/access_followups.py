"""Follow-ups in the access matrix (tests/access.py): visible iff their customer or lead is visible.

No ``create`` case: every built-in role holds ``followups.create`` (finance records collection calls),
so no demo user gets a 403 for lack of it; recording on a customer or lead the caller cannot see is a 404,
covered in tests/activities. The web "detail" is the edit page, which the visible users (author, manager,
admin) may all open.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import helpers
from tests.access import Resource
from tests.contacts.factories import make_followup, make_lead


def _on_customer(session: Session, owner_id: int) -> int:
    customer = helpers.make_customer(session, owner_id, "矩阵测试跟进客户")
    return make_followup(session, owner_id, "矩阵测试跟进", customer_id=customer.id).id


def _on_lead(session: Session, owner_id: int) -> int:
    lead = make_lead(session, owner_id, "矩阵测试跟进线索")
    return make_followup(session, owner_id, "矩阵测试线索跟进", lead_id=lead.id, kind="call").id


def _delete(session: Session, record_id: int) -> None:
    from loam.activities import service
    from loam.authz.scope import Scope

    service.delete_(session, Scope.system(), record_id)


def _resource(name: str, make) -> Resource:  # type: ignore[no-untyped-def]
    return Resource(
        name=name,
        make=make,
        api_detail="/api/v1/followups/{id}",
        api_list="/api/v1/followups?page_size=200",
        web_detail="/followups/{id}/edit",
        write=("PUT", "/api/v1/followups/{id}", lambda v: {"kind": "call", "content": "越权修改", "version": v}),
        delete=_delete,
    )


RESOURCES = [_resource("followup", _on_customer), _resource("followup_on_lead", _on_lead)]
