"""Intel items and executive pairings in the access matrix (tests/access.py).

Both belong to a customer: visible to whoever sees the customer (ar1 owns it, the director sees his team's, the
admin all; ar2 and finance1 do not → 404). Every demo role holds relationships.update, so the 403 for writing
without it is tested with a custom role in tests/relationships/test_intel_api.py.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.access import Resource


def _customer_and_contact(session: Session, owner_id: int) -> tuple[int, int]:
    from tests.contacts.factories import make_contact
    from tests.helpers import make_customer

    customer = make_customer(session, owner_id, "矩阵测试关系客户")
    contact = make_contact(session, owner_id, customer.id, "矩阵测试高层", level="executive")
    return customer.id, contact.id


def _intel(session: Session, owner_id: int) -> int:
    from tests.relationships.network_factories import item, src

    customer_id, contact_id = _customer_and_contact(session, owner_id)
    return item(session, owner_id, customer_id, "矩阵测试情报", sources=[src(contact_id)]).id  # type: ignore[no-any-return]


def _pairing(session: Session, owner_id: int) -> int:
    from tests.relationships.network_factories import pairing

    _customer_id, contact_id = _customer_and_contact(session, owner_id)
    return pairing(session, owner_id, contact_id, owner_id).id  # type: ignore[no-any-return]


def _deleter(module: str):  # type: ignore[no-untyped-def]
    def delete(session: Session, record_id: int) -> None:
        import importlib

        from loam.authz.scope import Scope

        importlib.import_module(module).delete_(session, Scope.system(), record_id)

    return delete


RESOURCES = [
    Resource(
        name="intel_item",
        make=_intel,
        api_detail="/api/v1/intel/{id}",
        api_list="/api/v1/intel?page_size=200",
        web_detail="/relationships/intel/{id}",
        write=("PATCH", "/api/v1/intel/{id}", lambda v: {"content": "越权修改", "version": v}),
        delete=_deleter("loam.relationships.intel"),
    ),
    Resource(
        name="exec_pairing",
        make=_pairing,
        api_detail="/api/v1/exec-pairings/{id}",
        api_list="/api/v1/exec-pairings?page_size=200",
        web_detail="/relationships/pairings/{id}",
        write=("PATCH", "/api/v1/exec-pairings/{id}", lambda v: {"remark": "越权修改", "version": v}),
        delete=_deleter("loam.relationships.execpool"),
    ),
]
