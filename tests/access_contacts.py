"""Contacts in the access matrix (tests/access.py): visible through the contacts data scope or the customer."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import helpers
from tests.access import Resource
from tests.contacts.factories import make_contact


def _contact(session: Session, owner_id: int) -> int:
    customer = helpers.make_customer(session, owner_id, "矩阵测试联系人客户")
    return make_contact(session, owner_id, customer.id, "矩阵测试联系人").id


def _delete_contact(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.contacts import service

    service.delete_(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="contact",
        make=_contact,
        api_detail="/api/v1/contacts/{id}",
        api_list="/api/v1/contacts?page_size=200",
        web_detail="/contacts/{id}",
        write=("PUT", "/api/v1/contacts/{id}", lambda v: {"name": "越权修改", "version": v}),
        delete=_delete_contact,
        # finance1 lacks contacts.create; the permission is checked before the customer is looked up.
        create=("/api/v1/contacts", {"customer_id": 1, "name": "无权限创建"}, "finance1"),
    ),
]
